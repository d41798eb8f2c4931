/*
 * Capture pipeline fixture and event recorder for the pipeline tests (see
 * pipeline_fixture.h).
 */
#include "tests/unit/pipeline_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>
#include <talloc.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/rate_ctr.h>

#include "util/hash.h"
#include "capture/log.h"
#include "tests/unit/pipeline_frames.h"

const uint8_t PFX_A4[4] = { 192, 0, 2, 1 };
const uint8_t PFX_B4[4] = { 198, 51, 100, 2 };
const uint8_t PFX_C4[4] = { 203, 0, 113, 10 };
const uint8_t PFX_D4[4] = { 203, 0, 113, 20 };
const uint8_t PFX_A6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
const uint8_t PFX_B6[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0xbb, [15] = 2 };

static const struct log_info pfx_log_info = {
	.cat = sl_capture_log_cats,
	.num_cat = _SL_LOGC_COUNT,
};

void pfx_global_init(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	/* a log_info built from the library's own table, no target: silent */
	sl_capture_log_base = 0;
	log_init(&pfx_log_info, NULL);
	sl_hash_seed_set(0x0123456789abcdefULL);
}

static void copy_str(char *dst, size_t size, struct sl_str s)
{
	size_t n = s.len < size - 1 ? s.len : size - 1;

	if (s.p && n)
		memcpy(dst, s.p, n);
	dst[s.p ? n : 0] = '\0';
}

static void first_id(char *dst, size_t size, const struct sl_party *p)
{
	snprintf(dst, size, "%s", p->n ? p->id[0].value : "");
}

static void on_event(const struct sl_event *ev, void *priv)
{
	struct pfx *f = priv;
	struct rec_event *r;

	f->n_seen++;
	if (f->n_ev >= PFX_MAX_EVENTS)
		return; /* only counted (bulk tests) */
	r = &f->ev[f->n_ev++];
	memset(r, 0, sizeof(*r));
	r->type = ev->type;
	r->ts_us = ev->ts_us;
	r->dir = ev->dir;
	r->has_dialog = ev->dialog != NULL;
	copy_str(r->call_id, sizeof(r->call_id), ev->call_id);
	copy_str(r->location, sizeof(r->location), ev->location);
	r->fromp = ev->from;
	r->top = ev->to;
	first_id(r->from, sizeof(r->from), &ev->from);
	first_id(r->to, sizeof(r->to), &ev->to);
	if (ev->sig) {
		r->has_sig = true;
		r->source = ev->sig->source;
		r->frame = ev->sig->frame;
		r->src = ev->sig->src;
		r->dst = ev->sig->dst;
		r->transport = ev->sig->transport;
		if (ev->sig->sip) {
			r->is_request = ev->sig->sip->is_request;
			r->method = ev->sig->sip->method;
			r->status = ev->sig->sip->status;
		}
	}
	switch (ev->type) {
	case SL_EV_CALL:
		r->call.step = ev->u.call.step;
		r->call.reason = ev->u.call.reason;
		r->call.status = ev->u.call.status;
		r->call.start_us = ev->u.call.start_us;
		r->call.ring_us = ev->u.call.ring_us;
		r->call.answer_us = ev->u.call.answer_us;
		break;
	case SL_EV_MESSAGE:
		r->msg_size = ev->u.message.size;
		copy_str(r->content_type, sizeof(r->content_type), ev->u.message.content_type);
		break;
	case SL_EV_REGISTRATION:
		r->reg.result = ev->u.reg.result;
		r->reg.status = ev->u.reg.status;
		r->reg.expires = ev->u.reg.expires;
		copy_str(r->contact, sizeof(r->contact), ev->u.reg.contact);
		break;
	case SL_EV_RTP_STREAM:
		r->rtp = ev->u.rtp;
		break;
	default:
		break;
	}
}

struct pfx *pfx_new(const struct sl_capture_cfg *cfg)
{
	struct pfx *f = calloc(1, sizeof(*f));
	struct sl_capture_ops ops = { .event = on_event };

	assert_non_null(f);
	pfx_global_init();
	if (cfg)
		f->cfg = *cfg;
	else
		sl_capture_cfg_default(&f->cfg);
	f->ctx = talloc_named_const(NULL, 0, "test_pipeline");
	f->blocks = talloc_total_blocks(f->ctx);
	ops.priv = f;
	f->cap = sl_capture_alloc(f->ctx, &f->cfg, &ops, 0);
	assert_non_null(f->cap);
	return f;
}

void pfx_free(struct pfx *f)
{
	sl_capture_free(f->cap);
	assert_int_equal(talloc_total_blocks(f->ctx), f->blocks);
	talloc_free(f->ctx);
	free(f);
}

void pfx_feed_snap(struct pfx *f, int dlt, uint64_t ts_us, const uint8_t *data, size_t caplen, size_t len)
{
	/* malloc(0) may return NULL; keep a valid pointer with nothing readable behind it */
	uint8_t *copy = malloc(caplen ? caplen : 1);
	struct sl_frame fr;

	assert_non_null(copy);
	if (caplen)
		memcpy(copy, data, caplen);
	memset(&fr, 0, sizeof(fr));
	fr.ts_us = ts_us;
	fr.source = 0;
	fr.number = ++f->frame_no;
	fr.linktype = dlt;
	fr.data = copy;
	fr.caplen = (uint32_t)caplen;
	fr.len = (uint32_t)len;
	sl_capture_frame(f->cap, &fr);
	free(copy);
}

void pfx_feed(struct pfx *f, int dlt, uint64_t ts_us, const uint8_t *data, size_t len)
{
	pfx_feed_snap(f, dlt, ts_us, data, len, len);
}

uint64_t pfx_ctr(struct pfx *f, enum sl_capture_ctr_group g, unsigned idx)
{
	struct rate_ctr_group *grp = sl_capture_ctrs(f->cap, g);

	assert_non_null(grp);
	assert_true(idx < grp->desc->num_ctr);
	return rate_ctr_group_get_ctr(grp, idx)->current;
}

uint64_t pfx_ctr_sum(struct pfx *f, enum sl_capture_ctr_group g)
{
	struct rate_ctr_group *grp = sl_capture_ctrs(f->cap, g);
	uint64_t sum = 0;
	unsigned i;

	for (i = 0; i < grp->desc->num_ctr; i++)
		sum += rate_ctr_group_get_ctr(grp, i)->current;
	return sum;
}

unsigned pfx_count(const struct pfx *f, enum sl_event_type type)
{
	unsigned i, n = 0;

	for (i = 0; i < f->n_ev; i++)
		n += f->ev[i].type == type;
	return n;
}

const struct rec_event *pfx_find(const struct pfx *f, enum sl_event_type type, int step, unsigned n)
{
	unsigned i;

	for (i = 0; i < f->n_ev; i++) {
		const struct rec_event *r = &f->ev[i];
		if (r->type != type || (type == SL_EV_CALL && step >= 0 && (int)r->call.step != step))
			continue;
		if (n-- == 0)
			return r;
	}
	return NULL;
}

void pfx_clear_events(struct pfx *f)
{
	f->n_ev = 0;
	f->n_seen = 0;
}

size_t pfx_sip(char *buf, size_t size, const char *start, const char *call_id, uint32_t cseq, const char *cseq_method,
	       const char *from_tag, const char *to_tag, const char *extra, const char *ctype, const char *body)
{
	char to_param[80] = "";
	char ct[120] = "";
	int n;

	if (to_tag)
		snprintf(to_param, sizeof(to_param), ";tag=%s", to_tag);
	if (body && ctype)
		snprintf(ct, sizeof(ct), "Content-Type: %s\r\n", ctype);
	n = snprintf(buf, size,
		     "%s%s\r\n"
		     "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-%s-%u\r\n"
		     "Max-Forwards: 70\r\n"
		     "From: \"Alice\" <sip:alice@example.com>;tag=%s\r\n"
		     "To: <sip:bob@example.com>%s\r\n"
		     "Call-ID: %s\r\n"
		     "CSeq: %u %s\r\n"
		     "Contact: <sip:alice@192.0.2.1:5060>\r\n"
		     "%s%s"
		     "Content-Length: %zu\r\n"
		     "\r\n"
		     "%s",
		     start, strncmp(start, "SIP/2.0", 7) == 0 ? "" : " SIP/2.0", call_id, cseq, from_tag, to_param,
		     call_id, cseq, cseq_method, extra ? extra : "", ct, body ? strlen(body) : 0, body ? body : "");
	assert_true(n > 0 && (size_t)n < size);
	return (size_t)n;
}

size_t pfx_sdp(char *buf, size_t size, const char *addr, uint16_t port)
{
	int n = snprintf(buf, size,
			 "v=0\r\n"
			 "o=- 1 1 IN IP4 %s\r\n"
			 "s=-\r\n"
			 "c=IN IP4 %s\r\n"
			 "t=0 0\r\n"
			 "m=audio %u RTP/AVP 8 101\r\n"
			 "a=rtpmap:8 PCMA/8000\r\n"
			 "a=rtpmap:101 telephone-event/8000\r\n",
			 addr, addr, port);

	assert_true(n > 0 && (size_t)n < size);
	return (size_t)n;
}

void pfx_sip_udp(struct pfx *f, uint64_t ts_us, bool a_to_b, const char *text)
{
	static struct pb b;

	pb_init(&b, text, strlen(text));
	pb_udp(&b, 5060, 5060);
	pb_ipv4(&b, a_to_b ? PFX_A4 : PFX_B4, a_to_b ? PFX_B4 : PFX_A4);
	pb_eth(&b);
	pfx_feed(f, DLT_EN10MB, ts_us, pb_data(&b), pb_len(&b));
}
