/* Options of `sluice extract` (see extract_opts.h). */
#include "src/extract_opts.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/logging.h>

#include "src/num_parse.h"

void sl_extract_usage(FILE *out)
{
	fputs(
"NAME\n"
"    sluice extract - call and messaging metadata from capture files or interfaces\n"
"\n"
"SYNOPSIS\n"
"    sluice extract [-r FILE]... [-i IFACE]... [-f BPF] [--format json|text|none] [OPTIONS]\n"
"\n"
"DESCRIPTION\n"
"    Decodes every frame (Ethernet, Linux SLL/SLL2, raw IP, BSD loopback; 802.1Q/QinQ,\n"
"    MPLS, GRE, ERSPAN II/III, VXLAN, GTP-U, IP-in-IP), reassembles IP fragments and TCP\n"
"    streams, parses SIP over UDP, TCP and WebSocket with SDP, tracks calls, messages,\n"
"    registrations and RTP/RTCP streams, and prints one event per line.\n"
"\n"
"    Several -r files are merged in timestamp order, as if captured in one place. Several\n"
"    -i interfaces are captured together until SIGINT/SIGTERM, -c or --duration. Files and\n"
"    interfaces cannot be mixed in one run (file time and wall time do not mix).\n"
"\n"
"    Events are documented in docs/events.md; counters in docs/counters.md.\n"
"\n"
"INPUT\n"
"    -r, --read FILE         pcap or pcapng file ('-' for stdin); repeatable\n"
"    -i, --interface IFACE   live interface ('any' for all); repeatable\n"
"    -f, --filter BPF        capture filter (pcap-filter(7)) for every source\n"
"        --snaplen BYTES     live: bytes kept per frame (default 262144)\n"
"        --no-promisc        live: do not put interfaces into promiscuous mode\n"
"        --buffer-mb MB      live: kernel capture buffer (default 64)\n"
"    -c, --count N           stop after N frames\n"
"        --duration SECONDS  live: stop after this long\n"
"\n"
"OUTPUT\n"
"        --format FMT        json (default): one JSON object per line;\n"
"                            text: one readable line per event;\n"
"                            none: no events, totals on stdout (benchmarking)\n"
"    -o, --output FILE       write events to FILE instead of stdout\n"
"    -t, --types LIST        comma-separated event types to print: sip, call, message,\n"
"                            registration, rtp_stream, sms, identity, bearer (default: all)\n"
"    -s, --stats             print totals on stderr at the end\n"
"        --counters          with the totals, every non-zero counter by name\n"
"        --progress          always show progress on stderr\n"
"        --no-progress       never show progress (default: only when stderr is a terminal)\n"
"    -q, --quiet             log errors only\n"
"    -v, --verbose           log more (repeat for debug)\n"
"\n"
"NUMBERING (identity normalisation)\n"
"        --country-code CC          e.g. 49: national numbers become E.164 (default none)\n"
"        --national-prefix P        trunk prefix (default 0)\n"
"        --international-prefix P   (default 00)\n"
"\n"
"LIMITS (memory is bounded by these, not by the input)\n"
"        --sip-port PORT            TCP port always treated as SIP (default 5060; repeatable,\n"
"                                   SIP on other ports is found by content)\n"
"        --max-flows N              TCP flows tracked (default 65536)\n"
"        --max-dialogs N            calls, registrations and messages tracked (default 50000)\n"
"        --max-rtp-streams N        (default 100000)\n"
"        --max-media N              SDP media endpoints indexed (default 200000)\n"
"        --max-frag-bytes BYTES     IP fragment bytes held (default 4194304)\n"
"        --max-frag-datagrams N     IP datagrams in reassembly at once (default 4096)\n"
"        --max-stream-bytes BYTES   TCP SIP framing buffers, all flows (default 67108864)\n"
"        --max-tcp-ooo-bytes BYTES  TCP out-of-order bytes held behind holes, all flows\n"
"                                   (default 67108864)\n"
"        --tcp-hole-timeout MS      give up on a lost TCP segment after this much packet\n"
"                                   time (default 250; 0: only the limits end a hole)\n"
"        --invite-timeout SECONDS   INVITE without final response (default 180)\n"
"        --session-timeout SECONDS  answered call without BYE (default 14400)\n"
"        --rtp-idle SECONDS         RTP stream ends after this silence (default 30)\n"
"        --max-ue-sessions N        GTPv2-C sessions in the UE binding table (default 100000)\n"
"        --ue-idle-timeout SECONDS  forget a GTPv2-C session after this long without a\n"
"                                   message of it (default 86400)\n"
"\n"
"EXIT STATUS\n"
"    0 success; 1 a source failed (could not open, read error); 2 usage error.\n"
"\n"
"EXAMPLES\n"
"    sluice extract -r calls.pcap --types call,message\n"
"    sluice extract -i eth1 -f 'udp or tcp' --country-code 44 -o events.json\n"
"    sluice extract -r big.pcap --format none --counters\n",
		out);
}

enum {
	O_FORMAT = 256, O_SNAPLEN, O_NO_PROMISC, O_BUFFER_MB, O_DURATION, O_COUNTERS, O_PROGRESS,
	O_NO_PROGRESS, O_CC, O_NATPFX, O_INTLPFX, O_SIP_PORT, O_MAX_FLOWS, O_MAX_DIALOGS,
	O_MAX_RTP, O_MAX_FRAG, O_MAX_STREAM, O_INVITE_TO, O_SESSION_TO, O_RTP_IDLE, O_MAX_TCP_OOO,
	O_TCP_HOLE_TO, O_MAX_MEDIA, O_MAX_FRAG_DGRAMS, O_MAX_UE, O_UE_IDLE,
};

static const struct option long_opts[] = {
	{ "read", required_argument, NULL, 'r' },
	{ "interface", required_argument, NULL, 'i' },
	{ "filter", required_argument, NULL, 'f' },
	{ "snaplen", required_argument, NULL, O_SNAPLEN },
	{ "no-promisc", no_argument, NULL, O_NO_PROMISC },
	{ "buffer-mb", required_argument, NULL, O_BUFFER_MB },
	{ "count", required_argument, NULL, 'c' },
	{ "duration", required_argument, NULL, O_DURATION },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	{ "types", required_argument, NULL, 't' },
	{ "stats", no_argument, NULL, 's' },
	{ "counters", no_argument, NULL, O_COUNTERS },
	{ "progress", no_argument, NULL, O_PROGRESS },
	{ "no-progress", no_argument, NULL, O_NO_PROGRESS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "country-code", required_argument, NULL, O_CC },
	{ "national-prefix", required_argument, NULL, O_NATPFX },
	{ "international-prefix", required_argument, NULL, O_INTLPFX },
	{ "sip-port", required_argument, NULL, O_SIP_PORT },
	{ "max-flows", required_argument, NULL, O_MAX_FLOWS },
	{ "max-dialogs", required_argument, NULL, O_MAX_DIALOGS },
	{ "max-rtp-streams", required_argument, NULL, O_MAX_RTP },
	{ "max-frag-bytes", required_argument, NULL, O_MAX_FRAG },
	{ "max-frag-datagrams", required_argument, NULL, O_MAX_FRAG_DGRAMS },
	{ "max-media", required_argument, NULL, O_MAX_MEDIA },
	{ "max-stream-bytes", required_argument, NULL, O_MAX_STREAM },
	{ "max-tcp-ooo-bytes", required_argument, NULL, O_MAX_TCP_OOO },
	{ "tcp-hole-timeout", required_argument, NULL, O_TCP_HOLE_TO },
	{ "invite-timeout", required_argument, NULL, O_INVITE_TO },
	{ "session-timeout", required_argument, NULL, O_SESSION_TO },
	{ "max-ue-sessions", required_argument, NULL, O_MAX_UE },
	{ "ue-idle-timeout", required_argument, NULL, O_UE_IDLE },
	{ "rtp-idle", required_argument, NULL, O_RTP_IDLE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int bad(const char *opt, const char *val, const char *why)
{
	fprintf(stderr, "sluice extract: invalid value '%s' for %s: %s\n", val, opt, why);
	return -1;
}

static bool parse_types(struct sl_extract_opts *o, const char *list)
{
	const char *p = list, *comma;
	size_t n;
	unsigned i;

	memset(o->types, 0, sizeof(o->types));
	for (;;) {
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		for (i = 0; i < _SL_EV_COUNT; i++)
			if (strlen(sl_event_type_names[i]) == n && !memcmp(p, sl_event_type_names[i], n))
				break;
		if (i == _SL_EV_COUNT)
			return false;
		o->types[i] = true;
		if (!comma)
			return true;
		p = comma + 1;
	}
}

static bool set_digits(char *dst, size_t dstlen, const char *val)
{
	if (!sl_parse_digits(val, dstlen - 1))
		return false;
	memcpy(dst, val, strlen(val) + 1);
	return true;
}

static int add_source(const char **arr, unsigned *n, const char *val, const char *what)
{
	if (*n >= SL_EXTRACT_MAX_SOURCES) {
		fprintf(stderr, "sluice extract: too many %s (at most %d)\n", what, SL_EXTRACT_MAX_SOURCES);
		return -1;
	}
	arr[(*n)++] = val;
	return 0;
}

int sl_extract_parse(struct sl_extract_opts *o, int argc, char **argv)
{
	const char *name;
	uint64_t v;
	int c, verbose = 0, i;
	bool sip_ports_set = false;

	memset(o, 0, sizeof(*o));
	sl_source_cfg_default(&o->live);
	sl_capture_cfg_default(&o->cap);
	o->format = SL_OUT_JSON;
	o->progress = -1;
	for (i = 0; i < _SL_EV_COUNT; i++)
		o->types[i] = true;

	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "r:i:f:c:o:t:sqvh", long_opts, NULL)) != -1) {
		name = optarg;
		switch (c) {
		case 'r':
			if (add_source(o->files, &o->n_files, optarg, "files") < 0)
				return -1;
			break;
		case 'i':
			if (add_source(o->ifaces, &o->n_ifaces, optarg, "interfaces") < 0)
				return -1;
			break;
		case 'f':
			o->filter = optarg;
			break;
		case O_SNAPLEN:
			if (!sl_parse_u64(name, 64, 262144, &v))
				return bad("--snaplen", name, "expected 64..262144");
			o->live.snaplen = (int)v;
			break;
		case O_NO_PROMISC:
			o->live.promisc = false;
			break;
		case O_BUFFER_MB:
			if (!sl_parse_u64(name, 1, 4096, &v))
				return bad("--buffer-mb", name, "expected 1..4096");
			o->live.buffer_mb = (int)v;
			break;
		case 'c':
			if (!sl_parse_u64(name, 1, UINT64_MAX, &o->max_frames))
				return bad("--count", name, "expected a positive number of frames");
			break;
		case O_DURATION:
			if (!sl_parse_seconds_us(name, 10ull * 365 * 86400, &v) || !v)
				return bad("--duration", name, "expected seconds, e.g. 10 or 2.5");
			o->duration_s = (double)v / 1e6;
			break;
		case O_FORMAT:
			if (!strcmp(name, "json"))
				o->format = SL_OUT_JSON;
			else if (!strcmp(name, "text"))
				o->format = SL_OUT_TEXT;
			else if (!strcmp(name, "none"))
				o->format = SL_OUT_NONE;
			else
				return bad("--format", name, "expected json, text or none");
			break;
		case 'o':
			o->out_path = optarg;
			break;
		case 't':
			if (!parse_types(o, name))
				return bad("--types", name, "expected a comma-separated list of sip, call, message, registration, rtp_stream, sms, identity, bearer");
			break;
		case 's':
			o->stats = true;
			break;
		case O_COUNTERS:
			o->stats = true;
			o->counters = true;
			break;
		case O_PROGRESS:
			o->progress = 1;
			break;
		case O_NO_PROGRESS:
			o->progress = 0;
			break;
		case 'q':
			verbose = -1;
			break;
		case 'v':
			verbose = verbose < 0 ? 1 : verbose + 1;
			break;
		case O_CC:
			if (!set_digits(o->cap.numbering.country_code, sizeof(o->cap.numbering.country_code), name))
				return bad("--country-code", name, "expected 1 to 5 digits, e.g. 49");
			break;
		case O_NATPFX:
			if (!set_digits(o->cap.numbering.national_prefix, sizeof(o->cap.numbering.national_prefix), name))
				return bad("--national-prefix", name, "expected 1 to 5 digits");
			break;
		case O_INTLPFX:
			if (!set_digits(o->cap.numbering.international_prefix,
					sizeof(o->cap.numbering.international_prefix), name))
				return bad("--international-prefix", name, "expected 1 to 5 digits");
			break;
		case O_SIP_PORT:
			if (!sl_parse_u64(name, 1, 65535, &v))
				return bad("--sip-port", name, "expected a port 1..65535");
			if (!sip_ports_set) {
				o->cap.n_sip_ports = 0;
				sip_ports_set = true;
			}
			if (o->cap.n_sip_ports >= SL_CAPTURE_MAX_SIP_PORTS)
				return bad("--sip-port", name, "too many SIP ports");
			o->cap.sip_ports[o->cap.n_sip_ports++] = (uint16_t)v;
			break;
		case O_MAX_FLOWS:
			if (!sl_parse_u64(name, 16, 100000000, &v))
				return bad("--max-flows", name, "expected 16..100000000");
			o->cap.flows.max_flows = (unsigned)v;
			break;
		case O_MAX_DIALOGS:
			if (!sl_parse_u64(name, 16, 100000000, &v))
				return bad("--max-dialogs", name, "expected 16..100000000");
			o->cap.max_dialogs = (unsigned)v;
			break;
		case O_MAX_RTP:
			if (!sl_parse_u64(name, 16, 100000000, &v))
				return bad("--max-rtp-streams", name, "expected 16..100000000");
			o->cap.max_rtp_streams = (unsigned)v;
			break;
		case O_MAX_MEDIA:
			if (!sl_parse_u64(name, 16, 100000000, &v))
				return bad("--max-media", name, "expected 16..100000000");
			o->cap.max_media = (unsigned)v;
			break;
		case O_MAX_FRAG_DGRAMS:
			if (!sl_parse_u64(name, 16, 1000000, &v))
				return bad("--max-frag-datagrams", name, "expected 16..1000000");
			o->cap.defrag.max_datagrams = (unsigned)v;
			break;
		case O_MAX_FRAG:
			if (!sl_parse_u64(name, 65536, 1ull << 36, &v))
				return bad("--max-frag-bytes", name, "expected 65536..2^36");
			o->cap.defrag.max_bytes = (size_t)v;
			break;
		case O_MAX_STREAM:
			if (!sl_parse_u64(name, 65536, 1ull << 36, &v))
				return bad("--max-stream-bytes", name, "expected 65536..2^36");
			o->cap.max_stream_bytes = (size_t)v;
			break;
		case O_MAX_TCP_OOO:
			if (!sl_parse_u64(name, 65536, 1ull << 36, &v))
				return bad("--max-tcp-ooo-bytes", name, "expected 65536..2^36");
			o->cap.tcp.max_total_bytes = (size_t)v;
			break;
		case O_TCP_HOLE_TO:
			if (!sl_parse_u64(name, 0, 60000, &v))
				return bad("--tcp-hole-timeout", name, "expected milliseconds, 0..60000");
			o->cap.tcp.hole_timeout_us = v * 1000;
			break;
		case O_INVITE_TO:
			if (!sl_parse_seconds_us(name, 86400, &o->cap.invite_timeout_us) || !o->cap.invite_timeout_us)
				return bad("--invite-timeout", name, "expected seconds, 1..86400");
			break;
		case O_SESSION_TO:
			if (!sl_parse_seconds_us(name, 30 * 86400, &o->cap.session_timeout_us) || !o->cap.session_timeout_us)
				return bad("--session-timeout", name, "expected seconds, 1..2592000");
			break;
		case O_MAX_UE:
			if (!sl_parse_u64(name, 16, 100000000, &v))
				return bad("--max-ue-sessions", name, "expected 16..100000000");
			o->cap.max_ue_sessions = (unsigned)v;
			break;
		case O_UE_IDLE:
			if (!sl_parse_seconds_us(name, 30 * 86400, &o->cap.ue_idle_us) || !o->cap.ue_idle_us)
				return bad("--ue-idle-timeout", name, "expected seconds, 1..2592000");
			break;
		case O_RTP_IDLE:
			if (!sl_parse_seconds_us(name, 86400, &o->cap.rtp_idle_us) || !o->cap.rtp_idle_us)
				return bad("--rtp-idle", name, "expected seconds, 1..86400");
			break;
		case 'h':
			sl_extract_usage(stdout);
			return 1;
		default:
			fputs("Try 'sluice extract --help'.\n", stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "sluice extract: unexpected argument '%s' (files are given with -r)\n", argv[optind]);
		return -1;
	}
	if (!o->n_files && !o->n_ifaces) {
		fputs("sluice extract: nothing to read: give -r FILE or -i IFACE (see --help)\n", stderr);
		return -1;
	}
	if (o->n_files && o->n_ifaces) {
		fputs("sluice extract: -r and -i cannot be combined (file time and wall time do not mix)\n", stderr);
		return -1;
	}
	o->log_level = verbose < 0 ? LOGL_ERROR : verbose == 0 ? LOGL_NOTICE : verbose == 1 ? LOGL_INFO : LOGL_DEBUG;
	o->live.filter = o->filter;
	return 0;
}
