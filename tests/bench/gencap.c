/*
 * sluice-gencap: deterministic synthetic SIP/RTP captures with ground truth.
 *
 * The benchmark, the README demo and the extraction integration test all
 * need captures whose content is known exactly. This program writes one
 * (classic pcap, Ethernet, microsecond stamps, time-ordered) from its options
 * and --seed alone: SIP calls over UDP and TCP with SDP and RTP/RTCP,
 * MESSAGE and REGISTER transactions, IPv4 fragments, IPv6, 802.1Q tags and
 * unrelated noise; and, with --truth, a JSON document saying what is in it.
 * This file parses the options and runs the event loop; gencap.h maps the
 * other modules.
 *
 * Ground truth format (--truth FILE.json), format 1:
 *
 *   {
 *     "generator": "sluice-gencap", "format": 1,
 *     "params":  { the options used: seed, start, calls, rtp_seconds, ... },
 *     "totals": {
 *       "packets": frames in the file,
 *       "frames": { "sip", "sip_tcp_control", "rtp", "rtcp", "noise",
 *                   "vlan_tagged" }            frames by what they carry;
 *                   "sip" counts every frame holding SIP bytes (each IP
 *                   fragment, each TCP segment), "sip_tcp_control" the
 *                   SYN/ACK/FIN segments of SIP connections,
 *       "sip_messages": { "total", "udp", "tcp", "ipv6", "fragmented" }
 *                   messages, not frames; "udp" includes IPv6 UDP,
 *       "calls": { "total", "answered", "cancelled", "rejected" },
 *       "messages": MESSAGE transactions (each answered 200 or 202),
 *       "registrations": REGISTER/401/REGISTER/200 exchanges,
 *       "rtp_streams", "rtp_packets", "rtp_lost", "rtcp_packets"
 *     },
 *     "sip": [ [call_id, method|null, status|null, from_user, to_user], ... ]
 *                   every SIP message in capture order (the order of the
 *                   frames that complete them); method for requests,
 *                   status for responses; users are the user part of the
 *                   From and To URIs (the number for tel: URIs),
 *     "rtp_streams": [ { "src": "ip:port", "dst": "ip:port", "ssrc": n,
 *                        "pt": 0|8, "packets": sent, "lost": skipped
 *                        sequence numbers, "rtcp": sender reports }, ... ]
 *                   one per direction, in order of creation; IPv6
 *                   endpoints are written "[addr]:port",
 *     "calls": [ { "call_id", "outcome": "answered"|"cancelled"|"rejected",
 *                  "start": INVITE, "answer": 200 OK or null,
 *                  "cancel": CANCEL or null,
 *                  "end": BYE, or the final error response (487/4xx/603) },
 *                ... ]  times are epoch seconds with six decimals, the
 *                   stamps of the frames completing those messages.
 *   }
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <talloc.h>
#include <time.h>

#include "tests/bench/gencap.h"

static void usage(FILE *f)
{
	fputs("Usage: sluice-gencap --out FILE.pcap [options]\n"
	      "\n"
	      "Write a deterministic synthetic capture of SIP calls (UDP and TCP, SDP, RTP\n"
	      "and RTCP), SIP MESSAGE and REGISTER transactions and unrelated noise, and\n"
	      "optionally the ground truth sluice's extraction is compared against.\n"
	      "The same options and seed always give the same bytes.\n"
	      "\n"
	      "Options:\n"
	      "  -o, --out FILE          pcap file to write (required)\n"
	      "  -t, --truth FILE        also write the ground truth as JSON\n"
	      "      --calls N           calls to generate (default 20)\n"
	      "      --rtp-seconds S     seconds of RTP per answered call (default 5)\n"
	      "      --messages N        SIP MESSAGE transactions (default 5)\n"
	      "      --registrations N   REGISTER exchanges (default 3)\n"
	      "      --areas N           REGISTERs carry P-Access-Network-Info (E-UTRAN, PLMN\n"
	      "                          26201), the TAC 1..N fixed per subscriber (default 0:\n"
	      "                          no such header)\n"
	      "      --tcp-share PCT     percent of calls signalled over TCP (default 20)\n"
	      "      --noise PCT         percent of packets that are unrelated traffic, 0-90\n"
	      "                          (default 5)\n"
	      "      --seed N            PRNG seed (default 1)\n"
	      "      --start EPOCH       time of the first packet, Unix seconds\n"
	      "                          (default 1700000000)\n"
	      "      --concurrency N     calls in progress at the same time (default 8)\n"
	      "  -q, --quiet             no summary on stderr\n"
	      "  -h, --help              this text\n"
	      "\n"
	      "Every call exercises a fixed feature mix by its index (TCP share, IPv6,\n"
	      "IPv4-fragmented INVITEs, 802.1Q, compact and folded headers, tel: URIs,\n"
	      "RTP loss and sequence wrap, early media; 80% answered, 10% cancelled,\n"
	      "10% rejected), so small captures cover every case.\n"
	      "A million packets: --calls 4000 --rtp-seconds 6 --concurrency 200.\n"
	      "The JSON format is described in tests/bench/README.md.\n", f);
}

/* Unsigned decimal in [0, max]; rejects signs, blanks, trailing junk, overflow. */
static int parse_uint(const char *opt, const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s < '0' || *s > '9') {
		fprintf(stderr, "sluice-gencap: %s: \"%s\" is not a number\n", opt, s ? s : "");
		return -EINVAL;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE || v > max) {
		fprintf(stderr, "sluice-gencap: %s: %s is larger than %" PRIu64 "\n", opt, s, max);
		return -ERANGE;
	}
	if (errno || *end) {
		fprintf(stderr, "sluice-gencap: %s: \"%s\" is not a number\n", opt, s);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

enum {
	OPT_CALLS = 256,
	OPT_RTP_SECONDS,
	OPT_MESSAGES,
	OPT_REGISTRATIONS,
	OPT_TCP_SHARE,
	OPT_NOISE,
	OPT_SEED,
	OPT_START,
	OPT_CONCURRENCY,
	OPT_AREAS,
};

static int parse_args(int argc, char **argv, struct gc_opts *o)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "truth", required_argument, NULL, 't' },
		{ "calls", required_argument, NULL, OPT_CALLS },
		{ "rtp-seconds", required_argument, NULL, OPT_RTP_SECONDS },
		{ "messages", required_argument, NULL, OPT_MESSAGES },
		{ "registrations", required_argument, NULL, OPT_REGISTRATIONS },
		{ "tcp-share", required_argument, NULL, OPT_TCP_SHARE },
		{ "noise", required_argument, NULL, OPT_NOISE },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "start", required_argument, NULL, OPT_START },
		{ "concurrency", required_argument, NULL, OPT_CONCURRENCY },
		{ "areas", required_argument, NULL, OPT_AREAS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c, rc = 0;

	*o = (struct gc_opts){
		.calls = 20,
		.rtp_seconds = 5,
		.messages = 5,
		.registrations = 3,
		.tcp_share = 20,
		.noise = 5,
		.concurrency = 8,
		.seed = 1,
		.start = 1700000000,
	};
	while (rc == 0 && (c = getopt_long(argc, argv, "o:t:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->out_path = optarg;
			break;
		case 't':
			o->truth_path = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		/* Limits keep call indices, ports and stamps in range, not policy. */
		case OPT_CALLS:
			if (!(rc = parse_uint("--calls", optarg, 10000000, &v)))
				o->calls = (unsigned)v;
			break;
		case OPT_RTP_SECONDS:
			if (!(rc = parse_uint("--rtp-seconds", optarg, 86400, &v)))
				o->rtp_seconds = (unsigned)v;
			break;
		case OPT_MESSAGES:
			if (!(rc = parse_uint("--messages", optarg, 10000000, &v)))
				o->messages = (unsigned)v;
			break;
		case OPT_AREAS:
			if (!(rc = parse_uint("--areas", optarg, 65535, &v)))
				o->areas = (unsigned)v;
			break;
		case OPT_REGISTRATIONS:
			if (!(rc = parse_uint("--registrations", optarg, 10000000, &v)))
				o->registrations = (unsigned)v;
			break;
		case OPT_TCP_SHARE:
			if (!(rc = parse_uint("--tcp-share", optarg, 100, &v)))
				o->tcp_share = (unsigned)v;
			break;
		case OPT_NOISE:
			/* Below 100: the pump adds noise until it is this share of all
			 * frames, which 100% would never reach. */
			if (!(rc = parse_uint("--noise", optarg, 90, &v)))
				o->noise = (unsigned)v;
			break;
		case OPT_SEED:
			rc = parse_uint("--seed", optarg, UINT64_MAX, &o->seed);
			break;
		case OPT_START:
			/* Up to 2100-01-01: classic pcap stamps are 32-bit seconds. */
			if (!(rc = parse_uint("--start", optarg, 4102444800ULL, &v)))
				o->start = (int64_t)v;
			break;
		case OPT_CONCURRENCY:
			if (!(rc = parse_uint("--concurrency", optarg, 100000, &v)))
				o->concurrency = (unsigned)v;
			if (rc == 0 && v == 0) {
				fprintf(stderr, "sluice-gencap: --concurrency must be at least 1\n");
				rc = -EINVAL;
			}
			break;
		default:
			rc = -EINVAL;
			break;
		}
	}
	if (rc)
		return rc;
	if (optind < argc) {
		fprintf(stderr, "sluice-gencap: unexpected argument \"%s\"\n", argv[optind]);
		return -EINVAL;
	}
	if (!o->out_path) {
		fprintf(stderr, "sluice-gencap: --out is required (see --help)\n");
		return -EINVAL;
	}
	return 0;
}

void gc_sched(struct gc_gen *g, struct gc_actor *a, uint64_t t)
{
	if (gc_heap_push(&g->events, t, g->ev_seq++, a) < 0) {
		fprintf(stderr, "sluice-gencap: out of memory\n");
		abort();
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Set up the actors and run them to completion; frames go to g->out. */
static int run(struct gc_gen *g)
{
	struct gc_heap_item it;
	unsigned n_id = g->opt.calls / 2 + g->opt.messages + g->opt.registrations;

	/* A pool smaller than the call count so that subscribers recur across
	 * calls, as targets of interception do; 40 at least for variety. */
	if (n_id < 40)
		n_id = 40;
	if (n_id > 5000)
		n_id = 5000;
	g->idents = gc_idents_make(g->ctx, &g->rng, n_id);
	g->n_idents = n_id;
	if (!g->idents || gc_calls_start(g) < 0)
		return -ENOMEM;

	uint64_t span = gc_calls_estimate(&g->opt);

	if (span < 10 * GC_US)
		span = 10 * GC_US;
	if (gc_txns_start(g, g->t0 + GC_US / 2, g->t0 + span) < 0)
		return -ENOMEM;

	while (gc_heap_pop(&g->events, &it)) {
		struct gc_actor *a = it.p;
		int rc = gc_out_flush(g->out, it.t);

		if (rc < 0)
			return rc;
		a->fire(g, a, it.t);
		gc_noise_pump(g, it.t);
	}
	return 0;
}

int main(int argc, char **argv)
{
	void *root = talloc_named_const(NULL, 0, "sluice-gencap");
	struct gc_gen *g = talloc_zero(root, struct gc_gen);
	int rc;

	if (!root || !g) {
		fprintf(stderr, "sluice-gencap: out of memory\n");
		return 1;
	}
	rc = parse_args(argc, argv, &g->opt);
	if (rc) {
		talloc_free(root);
		return rc > 0 ? 0 : 2;
	}

	double t_begin = now_s();

	g->ctx = g;
	gc_rng_seed(&g->rng, g->opt.seed);
	g->t0 = (uint64_t)g->opt.start * GC_US;
	g->ip_id = (uint16_t)gc_rng_u64(&g->rng);
	gc_heap_init(&g->events, g);
	g->truth = gc_truth_new(g);
	g->out = gc_out_open(g, g->opt.out_path);
	if (!g->truth || !g->out) {
		talloc_free(root);
		return 1;
	}

	rc = run(g);
	if (rc == -ENOMEM)
		fprintf(stderr, "sluice-gencap: out of memory\n");
	if (gc_out_close(g->out) < 0 && rc == 0)
		rc = -EIO;
	if (rc == 0 && g->opt.truth_path)
		rc = gc_truth_write(g->truth, g->opt.truth_path, g);

	double secs = now_s() - t_begin;

	if (rc == 0 && !g->opt.quiet) {
		uint64_t total = gc_out_total(g->out);

		fprintf(stderr,
			"sluice-gencap: %s: %" PRIu64 " packets (%" PRIu64 " SIP messages, %" PRIu64 " RTP, %" PRIu64
			" RTCP, %" PRIu64 " noise) in %.2f s, %.0f packets/s\n",
			g->opt.out_path, total, gc_truth_sip_count(g->truth), gc_out_count(g->out, GC_K_RTP),
			gc_out_count(g->out, GC_K_RTCP), gc_out_count(g->out, GC_K_NOISE), secs,
			secs > 0 ? (double)total / secs : 0.0);
	}
	talloc_free(root);
	return rc == 0 ? 0 : 1;
}
