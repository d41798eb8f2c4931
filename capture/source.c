/*
 * Capture sources through libpcap, and classic pcap files read in blocks
 * by capture/pcap_direct.c once libpcap has opened them (see source.h).
 */
#include "capture/source.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/stats.h>
#include <osmocom/core/utils.h>
#include <talloc.h>

#include "capture/log.h"

static const struct rate_ctr_desc source_ctr[_SL_SRC_CTR_COUNT] = {
	[SL_SRC_CTR_FRAMES] = { "frames", "Frames read from this source" },
	[SL_SRC_CTR_BYTES] = { "bytes", "Captured bytes read from this source" },
	[SL_SRC_CTR_KERNEL_DROPS] = { "drops:kernel", "Frames dropped by the kernel (buffer full), pcap_stats ps_drop" },
	[SL_SRC_CTR_IF_DROPS] = { "drops:interface", "Frames dropped by the interface or driver, pcap_stats ps_ifdrop" },
	[SL_SRC_CTR_READ_ERRORS] = { "read_errors", "Read errors (corrupt capture file, interface gone)" },
};

const struct rate_ctr_group_desc sl_source_ctrg_desc = {
	.group_name_prefix = "source",
	.group_description = "Capture source (file or interface)",
	.class_id = OSMO_STATS_CLASS_PEER,
	.num_ctr = _SL_SRC_CTR_COUNT,
	.ctr_desc = source_ctr,
};

void sl_source_cfg_default(struct sl_source_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->snaplen = 262144;
	cfg->promisc = true;
	cfg->immediate = true;
	cfg->buffer_mb = 64;
}

static int source_destructor(struct sl_source *s)
{
	if (s->direct)
		sl_pcap_direct_close(&s->dr);
	if (s->pcap)
		pcap_close(s->pcap);
	if (s->ctrs)
		rate_ctr_group_free(s->ctrs);
	return 0;
}

static bool apply_filter(struct sl_source *s, const char *filter, char *err, size_t errlen)
{
	struct bpf_program prog;

	if (!filter || !filter[0])
		return true;
	if (pcap_compile(s->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errlen, "%s: bad capture filter \"%s\": %s", s->name, filter, pcap_geterr(s->pcap));
		return false;
	}
	if (pcap_setfilter(s->pcap, &prog) < 0) {
		snprintf(err, errlen, "%s: cannot set capture filter: %s", s->name, pcap_geterr(s->pcap));
		pcap_freecode(&prog);
		return false;
	}
	pcap_freecode(&prog);
	return true;
}

static bool open_live(struct sl_source *s, const struct sl_source_cfg *cfg, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	int rc;

	s->pcap = pcap_create(cfg->name, perr);
	if (!s->pcap) {
		snprintf(err, errlen, "interface %s: %s", cfg->name, perr);
		return false;
	}
	pcap_set_snaplen(s->pcap, cfg->snaplen);
	pcap_set_promisc(s->pcap, cfg->promisc);
	pcap_set_immediate_mode(s->pcap, cfg->immediate);
	pcap_set_timeout(s->pcap, 100);
	if (cfg->buffer_mb > 0)
		pcap_set_buffer_size(s->pcap, cfg->buffer_mb * 1024 * 1024);
	rc = pcap_activate(s->pcap);
	if (rc < 0) {
		snprintf(err, errlen, "interface %s: cannot start capture: %s%s", cfg->name,
			 rc == PCAP_ERROR ? "" : pcap_statustostr(rc), rc == PCAP_ERROR ? pcap_geterr(s->pcap) : "");
		return false;
	}
	if (rc > 0)
		LOGP(DSLSRC, LOGL_NOTICE, "interface %s: %s\n", cfg->name, pcap_statustostr(rc));
	if (pcap_setnonblock(s->pcap, 1, perr) < 0) {
		snprintf(err, errlen, "interface %s: cannot set non-blocking mode: %s", cfg->name, perr);
		return false;
	}
	return true;
}

static bool open_file(struct sl_source *s, const struct sl_source_cfg *cfg, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	const char *why = "";
	struct stat st;

	s->pcap = pcap_open_offline(cfg->name, perr);
	if (!s->pcap) {
		snprintf(err, errlen, "capture file %s: %s", cfg->name, perr);
		return false;
	}
	if (stat(cfg->name, &st) == 0)
		s->file_size = st.st_size;
	/* a capture filter is libpcap's to apply: such a file is read through libpcap */
	if (cfg->filter && cfg->filter[0])
		why = "capture filter";
	else
		s->direct = sl_pcap_direct_open(&s->dr, s->pcap, cfg->name, &why);
	if (s->direct)
		LOGP(DSLSRC, LOGL_DEBUG, "capture file %s: read by the block reader\n", cfg->name);
	else
		LOGP(DSLSRC, LOGL_DEBUG, "capture file %s: read by libpcap (%s)\n", cfg->name, why);
	return true;
}

struct sl_source *sl_source_open(void *ctx, const struct sl_source_cfg *cfg, unsigned idx, char *err, size_t errlen)
{
	struct sl_source *s = talloc_zero(ctx, struct sl_source);

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	talloc_set_destructor(s, source_destructor);
	s->idx = idx;
	s->live = cfg->live;
	s->name = talloc_strdup(s, cfg->name);
	if (!(cfg->live ? open_live(s, cfg, err, errlen) : open_file(s, cfg, err, errlen)) ||
	    !apply_filter(s, cfg->filter, err, errlen)) {
		talloc_free(s);
		return NULL;
	}
	s->linktype = pcap_datalink(s->pcap);
	if (!sl_capture_linktype_supported(s->linktype))
		LOGP(DSLSRC, LOGL_NOTICE, "%s: link type %s (%d) is not decoded; its frames will be counted only\n",
		     s->name, pcap_datalink_val_to_name(s->linktype) ?: "?", s->linktype);
	s->ctrs = rate_ctr_group_alloc(s, &sl_source_ctrg_desc, idx);
	if (s->ctrs) {
		rate_ctr_group_set_name(s->ctrs, s->name);
		s->ctr0 = rate_ctr_group_get_ctr(s->ctrs, 0);
	}
	if (s->live)
		LOGP(DSLSRC, LOGL_NOTICE, "capturing on %s: link type %s, snaplen %d%s%s%s\n", s->name,
		     pcap_datalink_val_to_name(s->linktype) ?: "?", cfg->snaplen, cfg->promisc ? ", promiscuous" : "",
		     cfg->filter ? ", filter " : "", cfg->filter ?: "");
	return s;
}

void sl_source_close(struct sl_source *s)
{
	talloc_free(s);
}

/* A read that did not give a frame: the end, or an error reported and counted (rare, out of line). */
static enum sl_source_rc __attribute__((noinline)) read_stopped(struct sl_source *s, int rc)
{
	if (rc == 0)
		return SL_SOURCE_IDLE;
	if (rc == PCAP_ERROR_BREAK) {
		s->eof = true;
		return SL_SOURCE_END;
	}
	s->eof = true;
	if (s->ctrs)
		rate_ctr_inc(rate_ctr_group_get_ctr(s->ctrs, SL_SRC_CTR_READ_ERRORS));
	talloc_free(s->error);
	s->error = talloc_asprintf(s, "%s: read error after frame %" PRIu64 " (offset %lld): %s", s->name, s->frames,
				   (long long)sl_source_position(s), s->direct ? s->dr.errbuf : pcap_geterr(s->pcap));
	return SL_SOURCE_ERROR;
}

/* sl_source_read's body, inlined into sl_source_set_next's one-source path too. */
static inline __attribute__((always_inline)) enum sl_source_rc source_read(struct sl_source *s, struct sl_frame *f)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	if (s->eof)
		return SL_SOURCE_END;
	rc = s->direct ? sl_pcap_direct_next(&s->dr, &h, &data) : pcap_next_ex(s->pcap, &h, &data);
	if (rc != 1)
		return read_stopped(s, rc);
	s->frames++;
	s->bytes += h->caplen;
	if (s->ctr0) {
		/* what rate_ctr_inc()/rate_ctr_add() do, without two calls each */
		s->ctr0[SL_SRC_CTR_FRAMES].current++;
		s->ctr0[SL_SRC_CTR_BYTES].current += h->caplen;
	}
	f->ts_us = (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec;
	f->source = s->idx;
	f->number = s->frames;
	f->linktype = s->linktype;
	f->data = data;
	f->caplen = h->caplen;
	f->len = h->len;
	return SL_SOURCE_FRAME;
}

enum sl_source_rc sl_source_read(struct sl_source *s, struct sl_frame *f)
{
	return source_read(s, f);
}

off_t sl_source_position(const struct sl_source *s)
{
	FILE *fp;
	long pos;

	if (s->live || !s->pcap)
		return 0;
	if (s->direct)
		return (off_t)sl_pcap_direct_pos(&s->dr);
	fp = pcap_file(s->pcap);
	if (!fp)
		return 0;
	pos = ftell(fp);
	return pos < 0 ? 0 : pos;
}

void sl_source_poll_stats(struct sl_source *s)
{
	struct pcap_stat ps;

	if (!s->live || !s->pcap || pcap_stats(s->pcap, &ps) < 0)
		return;
	if (s->ctrs) {
		rate_ctr_add(rate_ctr_group_get_ctr(s->ctrs, SL_SRC_CTR_KERNEL_DROPS), ps.ps_drop - s->last_drop);
		rate_ctr_add(rate_ctr_group_get_ctr(s->ctrs, SL_SRC_CTR_IF_DROPS), ps.ps_ifdrop - s->last_ifdrop);
	}
	if (ps.ps_drop != s->last_drop)
		LOGP(DSLSRC, LOGL_NOTICE, "interface %s: kernel dropped %u frames (total %u)\n", s->name,
		     ps.ps_drop - s->last_drop, ps.ps_drop);
	s->last_drop = ps.ps_drop;
	s->last_ifdrop = ps.ps_ifdrop;
}

int sl_source_fd(const struct sl_source *s)
{
	return (s->live && s->pcap) ? pcap_get_selectable_fd(s->pcap) : -1;
}

enum sl_source_rc sl_source_set_next(struct sl_source_set *set, struct sl_frame *f, struct sl_source **from)
{
	struct sl_source *best = NULL;
	unsigned i;
	enum sl_source_rc rc;

	if (set->n == 1 && !set->src[0]->pending) {
		/* one source (the usual case): read straight into f, nothing to merge or copy */
		best = set->src[0];
		rc = source_read(best, f);
		if (rc == SL_SOURCE_FRAME || rc == SL_SOURCE_ERROR) {
			*from = best;
			return rc;
		}
		return SL_SOURCE_END;
	}
	for (i = 0; i < set->n; i++) {
		struct sl_source *s = set->src[i];
		if (!s->pending && !s->eof) {
			rc = sl_source_read(s, &s->next);
			if (rc == SL_SOURCE_FRAME)
				s->pending = true;
			else if (rc == SL_SOURCE_ERROR) {
				*from = s;
				return SL_SOURCE_ERROR;
			}
		}
		if (s->pending && (!best || s->next.ts_us < best->next.ts_us))
			best = s;
	}
	if (!best)
		return SL_SOURCE_END;
	*f = best->next;
	best->pending = false;
	*from = best;
	return SL_SOURCE_FRAME;
}
