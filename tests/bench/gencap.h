/*
 * Internal interfaces of sluice-gencap, the synthetic capture generator.
 *
 * The generator is a small discrete-event simulation. Actors (call slots,
 * RTP streams, MESSAGE and REGISTER transactions) sit in a time-ordered
 * event queue; when an actor fires it queues link-layer frames stamped at or
 * after the current simulated time into a second time-ordered queue, and
 * schedules its own next firing. Frames leave that queue for the pcap file
 * only once no actor can produce anything earlier, so the file is in time
 * order even though a TCP burst or a fragmented datagram is produced in one
 * go, and thousands of calls interleave without any sorting pass.
 *
 * Everything is derived from the options and --seed through one PRNG that is
 * consumed in event order, so a capture and its ground truth are reproducible
 * byte for byte.
 *
 * Module map (one job per file):
 *   gencap.c        options, wiring, the event loop
 *   gencap_rng.c    deterministic PRNG
 *   gencap_heap.c   (time, sequence) min-heap used by both queues
 *   gencap_addr.c   address model: the simulated hosts, text forms, MACs
 *   gencap_out.c    frame queue and pcap writer, per-kind frame counters
 *   gencap_net.c    Ethernet/802.1Q/IPv4/IPv6/UDP/TCP/ARP framing, checksums,
 *                   IPv4 fragmentation
 *   gencap_tcp.c    TCP connection simulation (handshake, segmentation, FIN)
 *   gencap_sip.c    SIP message text and subscriber identities
 *   gencap_sdp.c    SDP offers and answers
 *   gencap_sig.c    SIP signalling transport (UDP or TCP) plus truth capture
 *   gencap_rtp.c    RTP/RTCP stream actors
 *   gencap_call.c   INVITE dialog scripts (answered, cancelled, rejected)
 *   gencap_txn.c    MESSAGE and REGISTER transactions
 *   gencap_noise.c  unrelated traffic: DNS, HTTP, random UDP, ARP
 *   gencap_truth.c  ground truth collection and its JSON document
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GC_US 1000000ULL		/* microseconds per second */
#define GC_MS 1000ULL			/* microseconds per millisecond */

/* ---- gencap_rng.c ------------------------------------------------------ */

struct gc_rng {
	uint64_t s[4];
};

void gc_rng_seed(struct gc_rng *r, uint64_t seed);
uint64_t gc_rng_u64(struct gc_rng *r);
/* Uniform in [lo, hi] (inclusive); hi >= lo. */
uint32_t gc_rng_range(struct gc_rng *r, uint32_t lo, uint32_t hi);
/* True with probability pct/100. */
bool gc_rng_pct(struct gc_rng *r, unsigned pct);
void gc_rng_fill(struct gc_rng *r, void *buf, size_t len);
/* ndigits lower-case hex digits and a NUL into buf (size >= ndigits + 1). */
void gc_rng_hex(struct gc_rng *r, char *buf, size_t ndigits);

/* ---- gencap_heap.c ----------------------------------------------------- */

struct gc_heap_item {
	uint64_t t;
	uint64_t seq;			/* tie-break: insertion order */
	void *p;
};

struct gc_heap {
	struct gc_heap_item *v;
	size_t n, cap;
	void *ctx;			/* talloc parent of v */
};

void gc_heap_init(struct gc_heap *h, void *ctx);
int gc_heap_push(struct gc_heap *h, uint64_t t, uint64_t seq, void *p);
bool gc_heap_pop(struct gc_heap *h, struct gc_heap_item *out);
const struct gc_heap_item *gc_heap_top(const struct gc_heap *h);

/* ---- gencap_addr.c ----------------------------------------------------- */

struct gc_ip {
	bool v6;
	uint8_t b[16];			/* IPv4 uses b[0..3] */
};

struct gc_ep {
	struct gc_ip ip;
	uint16_t port;
};

#define GC_IPSTR 48			/* enough for "[v6]:65535" and a NUL */

void gc_ip4(struct gc_ip *ip, uint8_t a, uint8_t b, uint8_t c, uint8_t d);
/* 2001:db8:<net>::<hi>:<lo> (documentation prefix, RFC 3849). */
void gc_ip6(struct gc_ip *ip, uint16_t net, uint16_t hi, uint16_t lo);
/* Address text: "10.0.0.1" or "2001:db8::1". */
const char *gc_ip_str(const struct gc_ip *ip, char *buf, size_t len);
/* SIP host text: IPv6 in brackets (RFC 3261 section 25.1, IPv6reference). */
const char *gc_host_str(const struct gc_ip *ip, char *buf, size_t len);
/* "ip:port", IPv6 as "[addr]:port". */
const char *gc_ep_str(const struct gc_ep *ep, char *buf, size_t len);
/* Locally administered unicast MAC derived from the address. */
void gc_mac(const struct gc_ip *ip, uint8_t mac[6]);

/* ---- gencap_out.c ------------------------------------------------------ */

/* What a frame carries, for the totals in the ground truth. */
enum gc_kind {
	GC_K_SIP,			/* carries SIP bytes (incl. IP fragments, TCP segments) */
	GC_K_SIP_TCP_CTL,		/* SYN/ACK/FIN of a SIP TCP connection */
	GC_K_RTP,
	GC_K_RTCP,
	GC_K_NOISE,
	_GC_K_COUNT
};

extern const char *const gc_kind_names[_GC_K_COUNT];

#define GC_FRAME_MAX 1536		/* 1500 MTU + Ethernet + 802.1Q, rounded */
#define GC_MTU 1500

/* Position of a frame in the capture: files are ordered by (t, seq). */
struct gc_key {
	uint64_t t;
	uint64_t seq;
};

struct gc_out;

struct gc_out *gc_out_open(void *ctx, const char *path);
/* Buffer of GC_FRAME_MAX bytes for the next frame; one at a time. */
uint8_t *gc_out_begin(struct gc_out *o);
/* Queue the frame begun last; t must not be before the flush horizon. */
struct gc_key gc_out_commit(struct gc_out *o, uint64_t t, size_t len, enum gc_kind kind, bool vlan);
/* Write every queued frame stamped before `before`; later commits must be >= before. */
int gc_out_flush(struct gc_out *o, uint64_t before);
/* Write the rest and close the file. 0 or -errno. */
int gc_out_close(struct gc_out *o);
uint64_t gc_out_count(const struct gc_out *o, enum gc_kind kind);
uint64_t gc_out_total(const struct gc_out *o);
uint64_t gc_out_vlan_frames(const struct gc_out *o);

/* ---- the generator context (gencap.c) ----------------------------------- */

struct gc_opts {
	const char *out_path;
	const char *truth_path;
	unsigned calls;
	unsigned rtp_seconds;
	unsigned messages;
	unsigned registrations;
	unsigned tcp_share;		/* percent of calls over TCP */
	unsigned noise;			/* percent of all packets */
	unsigned concurrency;
	unsigned areas;			/* > 0: REGISTERs carry P-Access-Network-Info, TAC 1..areas by subscriber */
	uint64_t seed;
	int64_t start;			/* epoch seconds of the first packet */
	bool quiet;
};

struct gc_actor;
struct gc_gen;
typedef void (*gc_fire_fn)(struct gc_gen *g, struct gc_actor *a, uint64_t now);

/* Anything that acts at a simulated time. Embedded in the owner's struct. */
struct gc_actor {
	gc_fire_fn fire;
};

struct gc_ident;
struct gc_truth;

struct gc_gen {
	void *ctx;			/* talloc root of everything below */
	struct gc_opts opt;
	struct gc_rng rng;
	struct gc_out *out;
	struct gc_truth *truth;
	struct gc_heap events;
	uint64_t ev_seq;
	uint64_t t0;			/* --start in microseconds */
	uint16_t ip_id;			/* next IPv4 Identification */
	unsigned calls_started;
	unsigned txn_seq;		/* numbering for Call-IDs of MESSAGE/REGISTER */
	const struct gc_ident *idents;
	unsigned n_idents;
	int err;			/* first fatal error (-errno), stops the loop */
};

void gc_sched(struct gc_gen *g, struct gc_actor *a, uint64_t t);

/* ---- gencap_net.c ------------------------------------------------------ */

#define GC_UDP_FRAG_REVERSE 0x01	/* send IPv4 fragments last-first */

/* One UDP datagram; IPv4 datagrams beyond the MTU are fragmented. Returns the
 * key of the frame that completes the datagram (the last one in the file). */
struct gc_key gc_net_udp(struct gc_gen *g, uint16_t vlan, const struct gc_ep *src, const struct gc_ep *dst,
			 uint64_t t, const void *payload, size_t len, enum gc_kind kind, unsigned flags);

#define GC_TCP_FIN 0x01
#define GC_TCP_SYN 0x02
#define GC_TCP_RST 0x04
#define GC_TCP_PSH 0x08
#define GC_TCP_ACK 0x10

/* One TCP segment (payload must fit the MSS; options a multiple of 4 bytes). */
struct gc_key gc_net_tcp(struct gc_gen *g, uint16_t vlan, const struct gc_ep *src, const struct gc_ep *dst,
			 uint64_t t, uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *opts, size_t optlen,
			 const void *payload, size_t len, enum gc_kind kind);

/* ARP request (broadcast "who-has target tell sender") or reply. */
struct gc_key gc_net_arp(struct gc_gen *g, uint16_t vlan, uint64_t t, bool reply,
			 const struct gc_ip *sender, const struct gc_ip *target);

/* ---- gencap_tcp.c ------------------------------------------------------ */

#define GC_TCP_MSS 1460

struct gc_tcp {
	struct gc_ep ep[2];		/* 0 = client (connects), 1 = server */
	uint16_t vlan;
	uint32_t nxt[2];		/* next sequence number each side sends */
	uint64_t busy;			/* stamp of the last frame queued on this connection */
	enum gc_kind data_kind, ctl_kind;
};

void gc_tcp_init(struct gc_gen *g, struct gc_tcp *c, const struct gc_ep *client, const struct gc_ep *server,
		 uint16_t vlan, enum gc_kind data_kind, enum gc_kind ctl_kind);
/* Three-way handshake starting at t; returns when the client may send. */
uint64_t gc_tcp_connect(struct gc_gen *g, struct gc_tcp *c, uint64_t t);
/*
 * Send len bytes from side (0/1) starting at t, as `pieces` application
 * writes (1..3, each further cut at the MSS), followed by a pure ACK from the
 * peer. The bytes hold nmsg messages ending at msg_end[i]; msg_key[i] gets
 * the key of the segment carrying message i's last byte. Returns the stamp of
 * the last data segment.
 */
uint64_t gc_tcp_send(struct gc_gen *g, struct gc_tcp *c, int side, uint64_t t, const char *data, size_t len,
		     const size_t *msg_end, size_t nmsg, unsigned pieces, struct gc_key *msg_key);
/* Orderly release initiated by side: FIN, FIN, ACK. */
uint64_t gc_tcp_close(struct gc_gen *g, struct gc_tcp *c, int side, uint64_t t);

/* ---- gencap_sip.c ------------------------------------------------------ */

enum gc_uri_kind {
	GC_URI_PHONE,			/* sip:+4930xxxxxxx@example.net;user=phone */
	GC_URI_NAME,			/* sip:alice.k@example.org */
	GC_URI_TEL,			/* tel:+4989xxxxxxx (RFC 3966) */
};

struct gc_ident {
	enum gc_uri_kind kind;
	char user[32];			/* user part or telephone number */
	char domain[24];
	char display[32];		/* empty: no display name */
};

/* A pool of n subscribers, a mix of the three URI kinds. Owned by ctx. */
struct gc_ident *gc_idents_make(void *ctx, struct gc_rng *r, unsigned n);
/* The identity's URI (From/To/R-URI form). */
const char *gc_ident_uri(const struct gc_ident *id, char *buf, size_t len);
/* A sip: URI at a host for Contact headers; tel identities use their number. */
const char *gc_ident_contact(const struct gc_ident *id, const char *host, uint16_t port, bool tcp,
			     char *buf, size_t len);

/* Header set of one SIP message; NULL fields are left out. */
struct gc_sip_hdrs {
	const char *via[2];		/* complete Via values, topmost first */
	const char *from_uri, *from_display, *from_tag;
	const char *to_uri, *to_display, *to_tag;
	const char *call_id;
	uint32_t cseq;
	const char *cseq_method;
	const char *contact;		/* complete Contact value */
	const char *pai;		/* complete P-Asserted-Identity value */
	const char *agent;		/* User-Agent (requests) or Server (responses) */
	const char *extra;		/* further header lines, each CRLF-terminated */
	bool allow;			/* add Allow/Supported (INVITE, 2xx) */
	bool compact;			/* compact header names (RFC 3261 section 7.3.3) */
	bool fold;			/* fold the Allow header over two lines */
	const char *ctype;		/* Content-Type if there is a body */
	const char *body;
	size_t body_len;
};

/* Format a request or response into buf; returns its length, 0 if it does not fit. */
size_t gc_sip_request(char *buf, size_t cap, const char *method, const char *ruri, const struct gc_sip_hdrs *h);
size_t gc_sip_response(char *buf, size_t cap, int status, const char *reason, const struct gc_sip_hdrs *h);
/* A random user agent product string. */
const char *gc_sip_agent(struct gc_rng *r);

/* ---- gencap_sdp.c ------------------------------------------------------ */

/*
 * Session description for an audio stream at media. pt < 0 gives an offer
 * listing PCMA, PCMU and telephone-event; otherwise an answer choosing pt.
 * An offer is padded with further codecs and ICE candidates to at least
 * min_len bytes (used to push INVITEs past the MTU). Returns the length or 0.
 */
size_t gc_sdp(char *buf, size_t cap, const struct gc_ep *media, uint64_t sess_id, int pt, size_t min_len);

/* ---- gencap_truth.c ---------------------------------------------------- */

enum gc_transport {
	GC_TR_UDP4,
	GC_TR_UDP6,
	GC_TR_TCP4,
};

/* What the integration test expects sluice to extract from one SIP message. */
struct gc_sip_meta {
	const char *call_id;
	const char *method;		/* NULL for responses */
	int status;			/* 0 for requests */
	const char *from_user;
	const char *to_user;
};

enum gc_outcome {
	GC_OUT_ANSWERED,
	GC_OUT_CANCELLED,
	GC_OUT_REJECTED,
	_GC_OUT_COUNT
};

struct gc_truth *gc_truth_new(void *ctx);
void gc_truth_sip(struct gc_truth *tr, struct gc_key k, const struct gc_sip_meta *m, enum gc_transport tx,
		  bool fragmented);
unsigned gc_truth_stream(struct gc_truth *tr, const struct gc_ep *src, const struct gc_ep *dst, uint32_t ssrc,
			 unsigned pt);
void gc_truth_stream_done(struct gc_truth *tr, unsigned idx, uint32_t packets, uint32_t lost, uint32_t rtcp);
unsigned gc_truth_call(struct gc_truth *tr, const char *call_id, uint64_t start);
/* Stamps of the 200 OK, the CANCEL and the message ending the call; 0 for none. */
void gc_truth_call_done(struct gc_truth *tr, unsigned idx, enum gc_outcome outcome, uint64_t answer,
			uint64_t cancel, uint64_t end);
void gc_truth_message(struct gc_truth *tr);
void gc_truth_registration(struct gc_truth *tr);
int gc_truth_write(struct gc_truth *tr, const char *path, const struct gc_gen *g);
uint64_t gc_truth_sip_count(const struct gc_truth *tr);

/* ---- gencap_sig.c ------------------------------------------------------ */

/* How SIP travels between the two sides of a dialog or transaction. */
struct gc_sig {
	bool tcp;
	struct gc_ep ep[2];		/* side 0 = originating proxy/UA, 1 = terminating */
	uint16_t vlan;
	struct gc_tcp conn;		/* when tcp; side 0 is the TCP client */
};

/* One formatted SIP message and what the ground truth says about it. */
struct gc_sip_out {
	const char *text;
	size_t len;
	struct gc_sip_meta meta;
};

#define GC_SIG_FRAG_REVERSE GC_UDP_FRAG_REVERSE
#define GC_SIG_PIECES(n) ((unsigned)(n) << 4)	/* TCP: application writes per message */

void gc_sig_init(struct gc_gen *g, struct gc_sig *s, bool tcp, const struct gc_ep *a, const struct gc_ep *b,
		 uint16_t vlan);
/*
 * Send n messages from side starting at t: over UDP one datagram each, over
 * TCP back to back in one stream write (so several can share a segment).
 * Records each in the ground truth. Returns the stamp at which the last one
 * is complete on the wire.
 */
uint64_t gc_sig_send(struct gc_gen *g, struct gc_sig *s, int side, uint64_t t, const struct gc_sip_out *msgs,
		     size_t n, unsigned flags);

/* ---- gencap_rtp.c ------------------------------------------------------ */

struct gc_stream;
typedef void (*gc_stream_done_fn)(struct gc_gen *g, void *owner, uint64_t now);

struct gc_stream {
	struct gc_actor actor;
	gc_stream_done_fn done;
	void *owner;
	struct gc_ep src, dst;
	uint16_t vlan;
	uint8_t pt;
	uint16_t seq;
	uint32_t ts, ssrc;
	uint64_t t0;			/* stamp of packet 0 */
	uint32_t idx, quota;		/* packet slots used / planned (lost ones included) */
	uint32_t sent, lost, rtcp;
	uint64_t octets;
	uint32_t loss_at[3], loss_len[3];
	unsigned truth;
};

/*
 * Start a stream of quota 20 ms G.711 packets at t. lossy drops a few
 * packets mid-stream; wrap starts the sequence just below 65535. done is
 * called once the last packet is out.
 */
void gc_stream_start(struct gc_gen *g, struct gc_stream *s, const struct gc_ep *src, const struct gc_ep *dst,
		     uint16_t vlan, uint8_t pt, uint64_t t, uint32_t quota, bool lossy, bool wrap,
		     gc_stream_done_fn done, void *owner);

/* ---- gencap_call.c / gencap_txn.c / gencap_noise.c --------------------- */

/* Create the --concurrency call slots and schedule their first calls. */
int gc_calls_start(struct gc_gen *g);
/* Spread --messages and --registrations over [from, until). */
int gc_txns_start(struct gc_gen *g, uint64_t from, uint64_t until);
/* Keep the noise share: queue unrelated traffic from now on while behind. */
void gc_noise_pump(struct gc_gen *g, uint64_t now);
/* Rough length of the capture the calls will produce (microseconds). */
uint64_t gc_calls_estimate(const struct gc_opts *o);
