/*
 * `sluice decode`: show the handover PDUs in a file, a `sluice lemf`
 * pdus.raw or a capture of a handover connection. Wiring only: options,
 * reading the inputs and telling their framing apart; framing is in
 * pdu_stream.c, output in decode_out.c, captures in decode_pcap.c.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/logging.h>
#include <talloc.h>

#include "capture/capture.h"
#include "src/app_log.h"
#include "src/commands.h"
#include "render/decode_out.h"
#include "src/decode_pcap.h"
#include "src/num_parse.h"
#include "handover/pdu_stream.h"

/* Bytes read before deciding how a file is framed (a PDU's identifier and length octets fit). */
#define SNIFF_BYTES 64
#define READ_CHUNK 65536
#define DEFAULT_MAX_PDU (1u << 20)

static const char help[] =
	"NAME\n"
	"    sluice decode - show the handover PDUs in files and captures\n"
	"\n"
	"SYNOPSIS\n"
	"    sluice decode [--format text|json] [-v] [--raw | --length-prefixed] FILE...\n"
	"    sluice decode --pcap [--format text|json] [-v] --port PORT [--port PORT]... FILE...\n"
	"\n"
	"DESCRIPTION\n"
	"    Decodes every ETSI handover PDU in each FILE strictly (the decoder `sluice lemf` uses)\n"
	"    and prints it: TS 102 232-1 PS-PDUs carrying TS 102 232-5 IPMMIRI or IPMMCC, TS 101 671\n"
	"    IRI (ETSI671IRI), TRI keep-alives and PDU acknowledgements, HI1 notifications, and\n"
	"    standalone TS 101 671 IRIsContent records (version 11 or 18 framing). FILE - is stdin.\n"
	"\n"
	"    A FILE is either PDUs back to back, as they travel on a handover TCP connection, or the\n"
	"    pdus.raw that `sluice lemf` writes per LIID (each PDU after a 4-byte big-endian length).\n"
	"    The framing is detected: a file whose first 4 bytes are a length that the PDU after\n"
	"    them has exactly is length-prefixed, anything else is read as concatenated PDUs.\n"
	"    --raw and --length-prefixed force one.\n"
	"\n"
	"    With --pcap each FILE is a pcap or pcapng capture (any link type and encapsulation\n"
	"    `sluice extract` reads) of plain-TCP handover connections: every TCP connection to or\n"
	"    from a --port is reassembled in both directions and each direction's bytes are cut\n"
	"    into PDUs. Each PDU is named by the frame that completed it, its direction\n"
	"    (source -> destination) and its offset in that direction's byte stream. TLS\n"
	"    connections cannot be decoded from a capture.\n"
	"\n"
	"    A PDU that frames but does not decode is reported with its offset and the reason, and\n"
	"    decoding goes on with the next PDU. Bytes that do not frame as a PDU (a corrupted\n"
	"    length, garbage, bytes lost from a capture) are skipped up to the next offset where a\n"
	"    PDU frames and decodes, and reported with the number of bytes skipped; a bad length in\n"
	"    a length-prefixed file ends that file. Every problem is written to the output in its\n"
	"    place and to stderr as \"sluice decode: FILE: offset N (0xN): ...\" (with --pcap also\n"
	"    the frame and direction). Offsets count bytes from the start of the file (of the PDU,\n"
	"    not of its length prefix) or of the TCP direction; offsets inside a decoder message\n"
	"    (\"at PDU offset 0x1c\") count from the PDU's first byte.\n"
	"\n"
	"OUTPUT\n"
	"    text (the default): one header line per PDU\n"
	"        #INDEX [frame N SRC -> DST] offset N (0xN) KIND LIID L CIN C seq S time T [IRI-TYPE] (N bytes)\n"
	"    with \"-\" for what the PDU does not carry, then its decoded fields indented, named\n"
	"    as in the ASN.1 (text shown escaped, SIP messages line by line, other octets in\n"
	"    hex). KIND is iri_ipmm, cc_ipmm, iri_hi2, keepalive, keepalive_response,\n"
	"    ack_request, ack_response or hi1. -v adds the BER tree of the PDU (offsets, tags,\n"
	"    lengths, values). Problems are lines \"[#INDEX] ... offset N (0xN) error: ...\".\n"
	"\n"
	"    json: one object per line: {\"file\", \"index\", \"offset\", \"pdu\": {...}} where pdu is\n"
	"    what `sluice lemf` writes to pdus.jsonl; with --pcap also \"frame\", \"time\", \"src\"\n"
	"    and \"dst\". A problem is an object with \"error\" instead of \"pdu\".\n"
	"\n"
	"OPTIONS\n"
	"    -f, --format FMT     text or json\n"
	"    -v, --verbose        text: also print each PDU's BER tree\n"
	"    --raw                the files hold concatenated BER PDUs\n"
	"    --length-prefixed    the files hold 4-byte big-endian lengths, each followed by a PDU\n"
	"    --pcap               the files are captures; needs --port\n"
	"    -p, --port PORT      TCP port of handover connections in the capture (up to 16)\n"
	"    --max-pdu BYTES      largest PDU accepted (default 1048576)\n"
	"    -h, --help           this text\n"
	"\n"
	"EXIT STATUS\n"
	"    0 every PDU decoded; 1 a PDU did not decode, bytes were skipped or lost, or a file\n"
	"    could not be read; 2 usage error.\n"
	"\n"
	"EXAMPLES\n"
	"    sluice decode /srv/lemf/hi2/LIID1/pdus.raw\n"
	"    sluice decode --format json stream.ber | jq .pdu.pSHeader.sequenceNumber\n"
	"    tcpdump -i eth0 -w ho.pcap tcp port 50001; sluice decode --pcap --port 50001 ho.pcap\n";

enum framing { FRAMING_DETECT, FRAMING_RAW, FRAMING_PREFIXED };

struct opts {
	enum sl_decode_format format;
	bool verbose, pcap;
	enum framing framing;
	uint16_t ports[SL_CAPTURE_MAX_TAP_PORTS];
	unsigned n_ports;
	size_t max_pdu;
};

struct file_run {
	struct sl_decode_out *o;
	uint64_t index;
};

static void file_pdu(void *priv, const uint8_t *p, size_t n, uint64_t off)
{
	struct file_run *r = priv;
	struct sl_decode_where w = { .index = ++r->index, .offset = off };

	sl_decode_out_pdu(r->o, &w, p, n);
}

static void file_error(void *priv, uint64_t off, const char *msg)
{
	struct file_run *r = priv;
	struct sl_decode_where w = { .offset = off };

	sl_decode_out_error(r->o, &w, msg);
}

/* Read up to n bytes (fewer only at end of file or on error). */
static size_t read_full(FILE *f, uint8_t *buf, size_t n)
{
	size_t got = 0, k;

	while (got < n) {
		k = fread(buf + got, 1, n - got, f);
		if (k == 0)
			break;
		got += k;
	}
	return got;
}

/* Decode one file of PDUs; 0 ok (bad PDUs are counted in o), 1 if it could not be read. */
static int decode_file(void *ctx, const struct opts *op, const char *name, struct sl_decode_out *o)
{
	static const struct sl_pdu_stream_ops ops = { .pdu = file_pdu, .error = file_error };
	struct file_run r = { .o = o };
	struct sl_pdu_stream *st;
	enum sl_pdu_stream_mode mode;
	uint8_t *buf;
	FILE *f;
	size_t n;
	int status = 0;

	f = strcmp(name, "-") ? fopen(name, "rb") : stdin;
	if (!f) {
		fprintf(stderr, "sluice decode: cannot open %s: %s\n", name, strerror(errno));
		return 1;
	}
	buf = talloc_size(ctx, READ_CHUNK);
	if (!buf) {
		fprintf(stderr, "sluice decode: %s: out of memory\n", name);
		status = 1;
		goto out;
	}
	n = read_full(f, buf, SNIFF_BYTES);
	if (op->framing == FRAMING_PREFIXED)
		mode = SL_PDU_STREAM_PREFIXED;
	else if (op->framing == FRAMING_RAW)
		mode = SL_PDU_STREAM_BER;
	else
		mode = sl_pdu_stream_looks_prefixed(buf, n, op->max_pdu) ? SL_PDU_STREAM_PREFIXED : SL_PDU_STREAM_BER;
	st = sl_pdu_stream_alloc(buf, mode, op->max_pdu, &ops, &r);
	if (!st) {
		fprintf(stderr, "sluice decode: %s: out of memory\n", name);
		status = 1;
		goto out;
	}
	while (n > 0) {
		sl_pdu_stream_feed(st, buf, n);
		n = read_full(f, buf, READ_CHUNK);
	}
	if (ferror(f)) {
		fprintf(stderr, "sluice decode: %s: read error after %" PRIu64 " bytes: %s\n", name,
			st->off + st->len, strerror(errno));
		status = 1;
	}
	sl_pdu_stream_end(st);
out:
	talloc_free(buf);
	if (f != stdin)
		fclose(f);
	return status;
}

/* 1 help shown, 0 parsed, -1 usage error (message written). */
static int parse(struct opts *op, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "format", required_argument, NULL, 'f' }, { "verbose", no_argument, NULL, 'v' },
		{ "raw", no_argument, NULL, 'r' },	    { "length-prefixed", no_argument, NULL, 'l' },
		{ "pcap", no_argument, NULL, 'c' },	    { "port", required_argument, NULL, 'p' },
		{ "max-pdu", required_argument, NULL, 'm' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	memset(op, 0, sizeof(*op));
	op->max_pdu = DEFAULT_MAX_PDU;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:vp:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "text")) {
				op->format = SL_DECODE_TEXT;
			} else if (!strcmp(optarg, "json")) {
				op->format = SL_DECODE_JSON;
			} else {
				fprintf(stderr, "sluice decode: --format must be text or json, not '%s'\n", optarg);
				return -1;
			}
			break;
		case 'v':
			op->verbose = true;
			break;
		case 'r':
		case 'l':
			if (op->framing != FRAMING_DETECT && op->framing != (c == 'r' ? FRAMING_RAW : FRAMING_PREFIXED)) {
				fputs("sluice decode: --raw and --length-prefixed exclude each other\n", stderr);
				return -1;
			}
			op->framing = c == 'r' ? FRAMING_RAW : FRAMING_PREFIXED;
			break;
		case 'c':
			op->pcap = true;
			break;
		case 'p':
			if (!sl_parse_u64(optarg, 1, 65535, &v)) {
				fprintf(stderr, "sluice decode: --port '%s' is not a port number (1-65535)\n", optarg);
				return -1;
			}
			if (op->n_ports == SL_CAPTURE_MAX_TAP_PORTS) {
				fprintf(stderr, "sluice decode: at most %d --port options\n", SL_CAPTURE_MAX_TAP_PORTS);
				return -1;
			}
			op->ports[op->n_ports++] = (uint16_t)v;
			break;
		case 'm':
			if (!sl_parse_u64(optarg, 16, 1u << 30, &v)) {
				fprintf(stderr, "sluice decode: --max-pdu '%s' must be a byte count from 16 to %u\n",
					optarg, 1u << 30);
				return -1;
			}
			op->max_pdu = (size_t)v;
			break;
		case 'h':
			fputs(help, stdout);
			return 1;
		default:
			fputs("sluice decode: see sluice decode --help\n", stderr);
			return -1;
		}
	}
	if (optind >= argc) {
		fputs("sluice decode: no FILE given (use - for stdin; see sluice decode --help)\n", stderr);
		return -1;
	}
	if (op->pcap && !op->n_ports) {
		fputs("sluice decode: --pcap needs at least one --port (the handover connections' TCP port)\n", stderr);
		return -1;
	}
	if (!op->pcap && op->n_ports) {
		fputs("sluice decode: --port is only for --pcap\n", stderr);
		return -1;
	}
	if (op->pcap && op->framing != FRAMING_DETECT) {
		fputs("sluice decode: --raw and --length-prefixed are for PDU files, not with --pcap\n", stderr);
		return -1;
	}
	return 0;
}

int sl_cmd_decode(void *ctx, int argc, char **argv)
{
	struct sl_decode_out o;
	struct opts op;
	int rc, status = 0, i;

	rc = parse(&op, argc, argv);
	if (rc)
		return rc > 0 ? 0 : 2;
	if (op.pcap && sl_app_log_init(ctx, true, LOGL_NOTICE) < 0) {
		fputs("sluice decode: cannot initialise logging\n", stderr);
		return 1;
	}
	sl_decode_out_init(&o, ctx, stdout, op.format, op.verbose);
	o.diag = stderr;
	o.prog = "sluice decode";
	for (i = optind; i < argc; i++) {
		uint64_t pdus0 = o.pdus, bad0 = o.bad;

		o.name = strcmp(argv[i], "-") ? argv[i] : "stdin";
		if (op.pcap)
			rc = sl_decode_pcap(ctx, argv[i], op.ports, op.n_ports, op.max_pdu, &o);
		else
			rc = decode_file(ctx, &op, argv[i], &o);
		if (rc)
			status = 1;
		if (o.bad > bad0)
			fprintf(stderr, "sluice decode: %s: %" PRIu64 " PDUs decoded, %" PRIu64 " problems\n", o.name,
				o.pdus - pdus0, o.bad - bad0);
	}
	if (fflush(stdout) != 0 || o.write_failed) {
		fprintf(stderr, "sluice decode: writing the output failed: %s\n", strerror(errno));
		status = 1;
	}
	if (o.bad)
		status = 1;
	sl_decode_out_free(&o);
	return status;
}
