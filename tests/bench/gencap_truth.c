/*
 * Ground truth: what sluice should extract from the generated capture.
 *
 * Every actor reports here what it put on the wire, at the moment it
 * queues it: each SIP message with the key (struct gc_key) of the frame
 * that completes it (last IP fragment, or the TCP segment holding its last
 * byte), each RTP stream with its real packet count and the sequence
 * numbers it skipped, each call with its outcome and times. Messages are
 * reported in simulation order, not file order, so they are sorted by
 * frame key before writing; that order is the capture order.
 *
 * The JSON document (format described in gencap.c's opening comment and in
 * tests/bench/README.md) is what the integration test and
 * check_gencap_tshark.sh compare against. Strings are escaped for JSON
 * even though the generator only produces plain ASCII, so a change there
 * cannot silently produce invalid JSON. Ownership: records and their
 * strings are talloc children of the gc_truth.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>

#include "tests/bench/gencap.h"

struct sip_rec {
	struct gc_key k;
	uint64_t order;			/* report order: ties within one frame */
	const char *call_id, *method, *from, *to;
	int status;
	enum gc_transport tx;
	bool frag;
};

struct stream_rec {
	char src[GC_IPSTR], dst[GC_IPSTR];
	uint32_t ssrc, packets, lost, rtcp;
	unsigned pt;
};

struct call_rec {
	const char *call_id;
	uint64_t start, answer, cancel, end;
	enum gc_outcome outcome;
	bool done;
};

struct gc_truth {
	struct sip_rec *sip;
	size_t n_sip, cap_sip;
	struct stream_rec *st;
	size_t n_st, cap_st;
	struct call_rec *call;
	size_t n_call, cap_call;
	unsigned messages, registrations;
};

static const char *const outcome_names[_GC_OUT_COUNT] = {
	[GC_OUT_ANSWERED] = "answered",
	[GC_OUT_CANCELLED] = "cancelled",
	[GC_OUT_REJECTED] = "rejected",
};

/* Grow a talloc array by doubling; aborts on allocation failure because a
 * generator that silently drops truth records would make tests lie. */
#define GROW(tr, arr, n, cap, type)						\
	do {									\
		if ((n) == (cap)) {						\
			size_t nc_ = (cap) ? (cap) * 2 : 1024;			\
			type *na_ = talloc_realloc((tr), (arr), type, nc_);	\
			if (!na_) {						\
				fprintf(stderr, "sluice-gencap: out of memory\n"); \
				abort();					\
			}							\
			(arr) = na_;						\
			(cap) = nc_;						\
		}								\
	} while (0)

static const char *dup_or_abort(void *ctx, const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = talloc_strdup(ctx, s);
	if (!d) {
		fprintf(stderr, "sluice-gencap: out of memory\n");
		abort();
	}
	return d;
}

struct gc_truth *gc_truth_new(void *ctx)
{
	struct gc_truth *tr = talloc_zero(ctx, struct gc_truth);

	if (tr)
		talloc_set_name_const(tr, "gc_truth");
	return tr;
}

void gc_truth_sip(struct gc_truth *tr, struct gc_key k, const struct gc_sip_meta *m, enum gc_transport tx,
		  bool fragmented)
{
	GROW(tr, tr->sip, tr->n_sip, tr->cap_sip, struct sip_rec);

	struct sip_rec *r = &tr->sip[tr->n_sip];

	r->k = k;
	r->order = tr->n_sip;
	r->call_id = dup_or_abort(tr, m->call_id);
	r->method = dup_or_abort(tr, m->method);
	r->from = dup_or_abort(tr, m->from_user);
	r->to = dup_or_abort(tr, m->to_user);
	r->status = m->status;
	r->tx = tx;
	r->frag = fragmented;
	tr->n_sip++;
}

uint64_t gc_truth_sip_count(const struct gc_truth *tr)
{
	return tr->n_sip;
}

unsigned gc_truth_stream(struct gc_truth *tr, const struct gc_ep *src, const struct gc_ep *dst, uint32_t ssrc,
			 unsigned pt)
{
	GROW(tr, tr->st, tr->n_st, tr->cap_st, struct stream_rec);

	struct stream_rec *s = &tr->st[tr->n_st];

	memset(s, 0, sizeof(*s));
	gc_ep_str(src, s->src, sizeof(s->src));
	gc_ep_str(dst, s->dst, sizeof(s->dst));
	s->ssrc = ssrc;
	s->pt = pt;
	return (unsigned)tr->n_st++;
}

void gc_truth_stream_done(struct gc_truth *tr, unsigned idx, uint32_t packets, uint32_t lost, uint32_t rtcp)
{
	tr->st[idx].packets = packets;
	tr->st[idx].lost = lost;
	tr->st[idx].rtcp = rtcp;
}

unsigned gc_truth_call(struct gc_truth *tr, const char *call_id, uint64_t start)
{
	GROW(tr, tr->call, tr->n_call, tr->cap_call, struct call_rec);

	struct call_rec *c = &tr->call[tr->n_call];

	memset(c, 0, sizeof(*c));
	c->call_id = dup_or_abort(tr, call_id);
	c->start = start;
	return (unsigned)tr->n_call++;
}

void gc_truth_call_done(struct gc_truth *tr, unsigned idx, enum gc_outcome outcome, uint64_t answer,
			uint64_t cancel, uint64_t end)
{
	struct call_rec *c = &tr->call[idx];

	c->outcome = outcome;
	c->answer = answer;
	c->cancel = cancel;
	c->end = end;
	c->done = true;
}

void gc_truth_message(struct gc_truth *tr)
{
	tr->messages++;
}

void gc_truth_registration(struct gc_truth *tr)
{
	tr->registrations++;
}

static int sip_cmp(const void *a, const void *b)
{
	const struct sip_rec *x = a, *y = b;

	if (x->k.t != y->k.t)
		return x->k.t < y->k.t ? -1 : 1;
	if (x->k.seq != y->k.seq)
		return x->k.seq < y->k.seq ? -1 : 1;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return 0;
}

static void jstr(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void jtime(FILE *f, uint64_t t)
{
	if (!t)
		fputs("null", f);
	else
		fprintf(f, "%llu.%06llu", (unsigned long long)(t / GC_US), (unsigned long long)(t % GC_US));
}

int gc_truth_write(struct gc_truth *tr, const char *path, const struct gc_gen *g)
{
	FILE *f = fopen(path, "w");
	uint64_t by_tx[3] = { 0 }, frag = 0, outc[_GC_OUT_COUNT] = { 0 }, rtp = 0, lost = 0, rtcp = 0;

	if (!f) {
		int e = errno;

		fprintf(stderr, "sluice-gencap: %s: %s\n", path, strerror(e));
		return -e;
	}
	qsort(tr->sip, tr->n_sip, sizeof(tr->sip[0]), sip_cmp);
	for (size_t i = 0; i < tr->n_sip; i++) {
		by_tx[tr->sip[i].tx]++;
		frag += tr->sip[i].frag;
	}
	for (size_t i = 0; i < tr->n_call; i++)
		outc[tr->call[i].outcome]++;
	for (size_t i = 0; i < tr->n_st; i++) {
		rtp += tr->st[i].packets;
		lost += tr->st[i].lost;
		rtcp += tr->st[i].rtcp;
	}

	const struct gc_opts *o = &g->opt;

	fprintf(f, "{\n\"generator\": \"sluice-gencap\",\n\"format\": 1,\n");
	fprintf(f, "\"params\": {\"seed\": %llu, \"start\": %lld, \"calls\": %u, \"rtp_seconds\": %u, "
		"\"messages\": %u, \"registrations\": %u, \"tcp_share\": %u, \"noise\": %u, \"concurrency\": %u},\n",
		(unsigned long long)o->seed, (long long)o->start, o->calls, o->rtp_seconds, o->messages,
		o->registrations, o->tcp_share, o->noise, o->concurrency);
	fprintf(f, "\"totals\": {\n \"packets\": %llu,\n \"frames\": {",
		(unsigned long long)gc_out_total(g->out));
	for (int k = 0; k < _GC_K_COUNT; k++)
		fprintf(f, "\"%s\": %llu, ", gc_kind_names[k], (unsigned long long)gc_out_count(g->out, k));
	fprintf(f, "\"vlan_tagged\": %llu},\n", (unsigned long long)gc_out_vlan_frames(g->out));
	fprintf(f, " \"sip_messages\": {\"total\": %zu, \"udp\": %llu, \"tcp\": %llu, \"ipv6\": %llu, "
		"\"fragmented\": %llu},\n", tr->n_sip, (unsigned long long)(by_tx[GC_TR_UDP4] + by_tx[GC_TR_UDP6]),
		(unsigned long long)by_tx[GC_TR_TCP4], (unsigned long long)by_tx[GC_TR_UDP6],
		(unsigned long long)frag);
	fprintf(f, " \"calls\": {\"total\": %zu", tr->n_call);
	for (int i = 0; i < _GC_OUT_COUNT; i++)
		fprintf(f, ", \"%s\": %llu", outcome_names[i], (unsigned long long)outc[i]);
	fprintf(f, "},\n \"messages\": %u,\n \"registrations\": %u,\n", tr->messages, tr->registrations);
	fprintf(f, " \"rtp_streams\": %zu,\n \"rtp_packets\": %llu,\n \"rtp_lost\": %llu,\n"
		" \"rtcp_packets\": %llu\n},\n", tr->n_st, (unsigned long long)rtp, (unsigned long long)lost,
		(unsigned long long)rtcp);

	fputs("\"sip\": [", f);
	for (size_t i = 0; i < tr->n_sip; i++) {
		const struct sip_rec *r = &tr->sip[i];

		fputs(i ? ",\n " : "\n ", f);
		fputc('[', f);
		jstr(f, r->call_id);
		fputs(", ", f);
		jstr(f, r->method);
		if (r->status)
			fprintf(f, ", %d, ", r->status);
		else
			fputs(", null, ", f);
		jstr(f, r->from);
		fputs(", ", f);
		jstr(f, r->to);
		fputc(']', f);
	}
	fputs("\n],\n\"rtp_streams\": [", f);
	for (size_t i = 0; i < tr->n_st; i++) {
		const struct stream_rec *s = &tr->st[i];

		fputs(i ? ",\n " : "\n ", f);
		fprintf(f, "{\"src\": \"%s\", \"dst\": \"%s\", \"ssrc\": %u, \"pt\": %u, \"packets\": %u, "
			"\"lost\": %u, \"rtcp\": %u}", s->src, s->dst, s->ssrc, s->pt, s->packets, s->lost, s->rtcp);
	}
	fputs("\n],\n\"calls\": [", f);
	for (size_t i = 0; i < tr->n_call; i++) {
		const struct call_rec *c = &tr->call[i];

		fputs(i ? ",\n " : "\n ", f);
		fputs("{\"call_id\": ", f);
		jstr(f, c->call_id);
		fprintf(f, ", \"outcome\": \"%s\", \"start\": ", outcome_names[c->outcome]);
		jtime(f, c->start);
		fputs(", \"answer\": ", f);
		jtime(f, c->outcome == GC_OUT_ANSWERED ? c->answer : 0);
		fputs(", \"cancel\": ", f);
		jtime(f, c->outcome == GC_OUT_CANCELLED ? c->cancel : 0);
		fputs(", \"end\": ", f);
		jtime(f, c->end);
		fputc('}', f);
	}
	fputs("\n]\n}\n", f);

	if (ferror(f) | (fclose(f) != 0)) {
		fprintf(stderr, "sluice-gencap: %s: write error\n", path);
		return -EIO;
	}
	return 0;
}
