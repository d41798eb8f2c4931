/* End-of-run totals (see totals.h). */
#include "render/totals.h"

#include <inttypes.h>
#include <sys/resource.h>

#include <osmocom/core/rate_ctr.h>

#include "capture/capture.h"
#include "capture/counters.h"
#include "capture/source.h"

static uint64_t v(struct sl_capture *cap, enum sl_capture_ctr_group g, unsigned idx)
{
	return (uint64_t)rate_ctr_group_get_ctr(sl_capture_ctrs(cap, g), idx)->current;
}

static uint64_t group_sum(const struct rate_ctr_group *grp, unsigned from, unsigned to)
{
	uint64_t s = 0;
	unsigned i;

	for (i = from; i < to && i < grp->desc->num_ctr; i++)
		s += (uint64_t)grp->ctr[i].current;
	return s;
}

unsigned long long sl_peak_rss(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return 0;
	return (unsigned long long)ru.ru_maxrss * 1024ull;
}

static void print_group(FILE *out, const struct rate_ctr_group *grp, const char *name)
{
	unsigned i;

	for (i = 0; i < grp->desc->num_ctr; i++)
		if (grp->ctr[i].current)
			fprintf(out, "  %s:%s %" PRId64 "\n", name, grp->desc->ctr_desc[i].name, grp->ctr[i].current);
}

void sl_print_counters(FILE *out, const struct sl_totals_in *in)
{
	unsigned g, i;

	for (g = 0; g < _SL_CG_COUNT; g++) {
		const struct rate_ctr_group *grp = sl_capture_ctrs(in->cap, (enum sl_capture_ctr_group)g);
		print_group(out, grp, grp->desc->group_name_prefix);
	}
	for (i = 0; i < in->n_src; i++) {
		char name[300];
		if (!in->src[i]->ctrs)
			continue;
		snprintf(name, sizeof(name), "source[%s]", in->src[i]->name);
		print_group(out, in->src[i]->ctrs, name);
	}
}

void sl_print_totals(FILE *out, const struct sl_totals_in *in)
{
	struct sl_capture *cap = in->cap;
	uint64_t frames = v(cap, SL_CG_DECODE, SL_DEC_FRAMES), bytes = v(cap, SL_CG_DECODE, SL_DEC_BYTES);
	const struct rate_ctr_group *dec = sl_capture_ctrs(cap, SL_CG_DECODE);
	/* every frame refused: by a decoder (truncated, malformed, unsupported, too deep) or by fragment reassembly */
	uint64_t rejected_decode = group_sum(dec, SL_DEC_LINK_UNSUPPORTED, SL_DEC_OTHER_L3) +
				   v(cap, SL_CG_DEFRAG, SL_DEFRAG_CTR_MALFORMED) + v(cap, SL_CG_DEFRAG, SL_DEFRAG_CTR_TOO_BIG);
	/* every message refused: by the parser, as too large for stream framing, or as a broken WebSocket frame */
	uint64_t rejected_sip = group_sum(sl_capture_ctrs(cap, SL_CG_SIP), SL_SIPC_ERR_BASE + 1,
					  SL_SIPC_ERR_BASE + _SL_SIP_ERR_COUNT) +
				v(cap, SL_CG_SIP, SL_SIPC_STREAM_OVERSIZE) + v(cap, SL_CG_SIP, SL_SIPC_WS_MALFORMED);
	unsigned i;

	fprintf(out, "frames         %" PRIu64 " (%.1f MB)", frames, bytes / 1e6);
	if (in->elapsed_s > 0)
		fprintf(out, " in %.2f s, %.0f frames/s, %.1f MB/s", in->elapsed_s, frames / in->elapsed_s,
			bytes / 1e6 / in->elapsed_s);
	fputc('\n', out);
	fprintf(out, "sip messages   %" PRIu64 " (udp %" PRIu64 ", tcp %" PRIu64 ", ws %" PRIu64 "), rejected %" PRIu64
		"\n",
		v(cap, SL_CG_SIP, SL_SIPC_MSG_UDP) + v(cap, SL_CG_SIP, SL_SIPC_MSG_TCP) + v(cap, SL_CG_SIP, SL_SIPC_MSG_WS),
		v(cap, SL_CG_SIP, SL_SIPC_MSG_UDP), v(cap, SL_CG_SIP, SL_SIPC_MSG_TCP), v(cap, SL_CG_SIP, SL_SIPC_MSG_WS),
		rejected_sip);
	fprintf(out,
		"calls          %" PRIu64 " attempts, %" PRIu64 " ringing, %" PRIu64 " answered; ended: bye %" PRIu64
		", cancel %" PRIu64 ", rejected %" PRIu64 ", timeout %" PRIu64 ", evicted %" PRIu64
		", open at end %" PRIu64 "\n",
		v(cap, SL_CG_DIALOG, SL_DLG_CALLS), v(cap, SL_CG_DIALOG, SL_DLG_RINGING),
		v(cap, SL_CG_DIALOG, SL_DLG_ANSWERED), v(cap, SL_CG_DIALOG, SL_DLG_END_BASE + SL_END_BYE),
		v(cap, SL_CG_DIALOG, SL_DLG_END_BASE + SL_END_CANCEL), v(cap, SL_CG_DIALOG, SL_DLG_END_BASE + SL_END_REJECTED),
		v(cap, SL_CG_DIALOG, SL_DLG_END_BASE + SL_END_TIMEOUT), v(cap, SL_CG_DIALOG, SL_DLG_END_BASE + SL_END_EVICTED),
		v(cap, SL_CG_DIALOG, SL_DLG_END_BASE + SL_END_CAPTURE_END));
	fprintf(out, "messages       %" PRIu64 "\n", v(cap, SL_CG_DIALOG, SL_DLG_MESSAGES));
	fprintf(out, "registrations  %" PRIu64 "\n", v(cap, SL_CG_DIALOG, SL_DLG_REGISTRATIONS));
	fprintf(out, "rtp            %" PRIu64 " packets, %" PRIu64 " rtcp, %" PRIu64 " streams\n",
		v(cap, SL_CG_RTP, SL_RTPC_PACKETS), v(cap, SL_CG_RTP, SL_RTPC_RTCP_PACKETS),
		v(cap, SL_CG_RTP, SL_RTPC_STREAMS));
	if (v(cap, SL_CG_GSM, SL_GSMC_FRAMES)) /* only for captures with GSMTAP, so SIP-only totals stay as they were */
		fprintf(out,
			"gsm            %" PRIu64 " gsmtap frames, %" PRIu64 " l3 messages, %" PRIu64 " sms, %" PRIu64
			" calls, %" PRIu64 " identities, rejected %" PRIu64 "\n",
			v(cap, SL_CG_GSM, SL_GSMC_FRAMES), v(cap, SL_CG_GSM, SL_GSMC_DTAP), v(cap, SL_CG_GSM, SL_GSMC_SMS),
			v(cap, SL_CG_GSM, SL_GSMC_CALLS), v(cap, SL_CG_GSM, SL_GSMC_IDENTITIES),
			group_sum(sl_capture_ctrs(cap, SL_CG_GSM), SL_GSMC_TRUNCATED, SL_GSMC_TRUNCATED + 1) +
				group_sum(sl_capture_ctrs(cap, SL_CG_GSM), SL_GSMC_MALFORMED, SL_GSMC_MALFORMED + 1) +
				group_sum(sl_capture_ctrs(cap, SL_CG_GSM), SL_GSMC_SEGMENTED, SL_GSMC_SEGMENTED + 1) +
				group_sum(sl_capture_ctrs(cap, SL_CG_GSM), SL_GSMC_LAPDM_OVERFLOW, SL_GSMC_LAPDM_OVERFLOW + 1) +
				group_sum(sl_capture_ctrs(cap, SL_CG_GSM), SL_GSMC_DTAP_TRUNCATED, SL_GSMC_TPDU_UNSUPPORTED + 1));
	fprintf(out, "rejected       %" PRIu64 " frames (truncated/malformed/unsupported), %" PRIu64 " rtp\n",
		rejected_decode, v(cap, SL_CG_RTP, SL_RTPC_MALFORMED));
	for (i = 0; i < in->n_src; i++) {
		struct sl_source *s = in->src[i];
		if (!s->live || !s->ctrs)
			continue;
		fprintf(out, "source %-7s drops: kernel %" PRId64 ", interface %" PRId64 "\n", s->name,
			rate_ctr_group_get_ctr(s->ctrs, SL_SRC_CTR_KERNEL_DROPS)->current,
			rate_ctr_group_get_ctr(s->ctrs, SL_SRC_CTR_IF_DROPS)->current);
	}
	fprintf(out, "peak memory    %.1f MB\n", sl_peak_rss() / 1e6);
	if (in->all_counters) {
		fprintf(out, "counters:\n");
		sl_print_counters(out, in);
	}
}
