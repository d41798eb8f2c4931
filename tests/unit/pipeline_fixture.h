/*
 * A capture pipeline under test: one sl_capture in its own talloc context
 * with an event recorder, and the helpers the pipeline tests share (feeding
 * frames, reading counters, composing SIP messages).
 *
 * Events are copied when the callback runs (what they point to is valid
 * only then), so a test can look at the whole sequence afterwards. Frames
 * are fed from an exactly sized heap copy, so AddressSanitizer reports any
 * read past the captured bytes. pfx_free checks that freeing the pipeline
 * returns the talloc block count of the context to its start value.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/capture.h"
#include "capture/counters.h"
#include "capture/sip_parse.h"

#define PFX_MAX_EVENTS 256
#define PFX_STR 128

struct rec_event {
	enum sl_event_type type;
	uint64_t ts_us;
	bool has_sig;
	uint32_t source;
	uint64_t frame;
	struct sl_endpoint src, dst;
	enum sl_transport transport;
	bool is_request;
	enum sl_sip_method method;	/* requests */
	int status;			/* responses */
	enum sl_dir dir;
	bool has_dialog;
	char call_id[PFX_STR];
	char from[SL_ID_MAX], to[SL_ID_MAX];	/* first identity of each party */
	char location[PFX_STR];
	char content_type[PFX_STR];	/* message */
	char contact[PFX_STR];		/* registration */
	struct sl_party fromp, top;
	/* ev->u with its string views cleared (copied above) */
	struct {
		enum sl_call_step step;
		enum sl_call_end reason;
		int status;
		uint64_t start_us, ring_us, answer_us;
	} call;
	uint32_t msg_size;
	struct {
		enum sl_reg_result result;
		int status;
		uint32_t expires;
	} reg;
	struct sl_rtp_summary rtp;
};

struct pfx {
	void *ctx;
	size_t blocks;
	struct sl_capture_cfg cfg;
	struct sl_capture *cap;
	unsigned n_ev;			/* recorded, at most PFX_MAX_EVENTS */
	unsigned long n_seen;		/* all events */
	struct rec_event ev[PFX_MAX_EVENTS];
	uint64_t frame_no;
};

/* Set up logging (silent) and the hash seed once per test program. */
void pfx_global_init(void);

/* cfg NULL: defaults. */
struct pfx *pfx_new(const struct sl_capture_cfg *cfg);
/* Free the pipeline, check the talloc block count, free the fixture. */
void pfx_free(struct pfx *f);

/* Feed one frame (copied to an exactly sized buffer); wire length len, captured caplen. */
void pfx_feed_snap(struct pfx *f, int dlt, uint64_t ts_us, const uint8_t *data, size_t caplen, size_t len);
void pfx_feed(struct pfx *f, int dlt, uint64_t ts_us, const uint8_t *data, size_t len);

uint64_t pfx_ctr(struct pfx *f, enum sl_capture_ctr_group g, unsigned idx);
/* Sum of every counter of a group. */
uint64_t pfx_ctr_sum(struct pfx *f, enum sl_capture_ctr_group g);

unsigned pfx_count(const struct pfx *f, enum sl_event_type type);
/* n-th (from 0) event of a type; for SL_EV_CALL step >= 0 selects a step. NULL if none. */
const struct rec_event *pfx_find(const struct pfx *f, enum sl_event_type type, int step, unsigned n);
void pfx_clear_events(struct pfx *f);

/* Test addresses: A = caller side, B = callee side. */
extern const uint8_t PFX_A4[4], PFX_B4[4], PFX_C4[4], PFX_D4[4];
extern const uint8_t PFX_A6[16], PFX_B6[16];

/*
 * Compose a SIP message into buf (NUL-terminated); returns its length.
 * start: "INVITE sip:bob@example.com" or "SIP/2.0 200 OK"; to_tag may be
 * NULL; extra: further header lines each ending in "\r\n" (or NULL); body
 * with its content type, or NULL.
 */
size_t pfx_sip(char *buf, size_t size, const char *start, const char *call_id, uint32_t cseq, const char *cseq_method,
	       const char *from_tag, const char *to_tag, const char *extra, const char *ctype, const char *body);

/* An SDP offer/answer announcing one audio stream (PCMA) at addr:port. */
size_t pfx_sdp(char *buf, size_t size, const char *addr, uint16_t port);

/* Send text as UDP/IPv4 over Ethernet, from A:5060 to B:5060 (a_to_b) or back. */
void pfx_sip_udp(struct pfx *f, uint64_t ts_us, bool a_to_b, const char *text);
