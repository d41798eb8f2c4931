/*
 * `sluice lemf`: the reference receiver (LEMF side of TS 102 232-1) for
 * authorities checking a delivery and for our own tests. Wiring only: the
 * options, TLS context, output store and listening server are put
 * together here and run in the osmocom select loop until SIGTERM/SIGINT,
 * when a per-stream summary is printed and written to OUT/summary.json.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <osmocom/core/select.h>
#include <talloc.h>

#include "handover/pdu_decode.h"
#include "handover/tls.h"
#include "src/app_signals.h"
#include "src/commands.h"
#include "lemf/lemf_server.h"
#include "lemf/lemf_store.h"
#include "src/num_parse.h"

static const char help[] =
	"NAME\n"
	"    sluice lemf - reference receiver for ETSI TS 102 232-1 handover\n"
	"\n"
	"SYNOPSIS\n"
	"    sluice lemf --listen ADDR:PORT --out DIR --tls-cert FILE --tls-key FILE [--ca FILE]\n"
	"    sluice lemf --listen ADDR:PORT --out DIR --plain\n"
	"\n"
	"DESCRIPTION\n"
	"    Accepts handover connections from a sluice gateway (any number at once), cuts each\n"
	"    stream into PDUs by their BER length, decodes every PDU strictly and stores it.\n"
	"    TRI keep-alives (clause 6.3.4) are answered with keep-aliveResponse and\n"
	"    pDUAcknowledgementRequests (clause 6.3.6) with pDUAcknowledgementResponse, the latter\n"
	"    only after every earlier PDU of the connection has been written to DIR.\n"
	"    A gateway that opens its connection with an optionRequest (clause 6.3.5) gets an\n"
	"    optionResponse accepting pDUAcknowledgement, then, after the keep-aliveResponse, an\n"
	"    optionComplete; records before the gateway's optionComplete end the connection.\n"
	"\n"
	"    For each LIID a directory DIR/<LIID>/ (characters other than letters, digits, '-' and\n"
	"    '_' written as %XX) holds:\n"
	"      pdus.jsonl   one JSON object per PDU: conn, stream (iri, cc, hi1 or tri), liid, cin,\n"
	"                   seq, dup (sequence number seen before), gap (numbers skipped past the\n"
	"                   highest seen), and pdu (every decoded field)\n"
	"      pdus.raw     each PDU's bytes, after a 4-byte big-endian length\n"
	"    Both are appended to, so a restarted receiver continues the same files. PDUs that\n"
	"    frame but do not decode go to DIR/_undecodable/ with the reason.\n"
	"\n"
	"    Sequence numbers are checked per (LIID, CIN, stream): duplicates (expected after a\n"
	"    gateway reconnects: it resends what it cannot prove was delivered) and missing\n"
	"    numbers (never expected; a communication's IRI and CC are numbered from 0, so a\n"
	"    stream that starts above 0 lost its start, and that counts as missing too; a\n"
	"    gateway whose spool refused records says which, record for record, in its audit\n"
	"    log: delivery.refused). On SIGTERM or SIGINT a table of received, duplicate and\n"
	"    missing numbers per stream is printed on stdout and written to DIR/summary.json\n"
	"    (one JSON object per line), and the exit status is 3 if any number is missing.\n"
	"\n"
	"OPTIONS\n"
	"    --listen ADDR:PORT  numeric IPv4 address or [IPv6] and port; port 0 picks a free one\n"
	"    --out DIR           output directory (created if missing)\n"
	"    --tls-cert FILE     PEM certificate (chain) of this receiver\n"
	"    --tls-key FILE      PEM private key of --tls-cert\n"
	"    --ca FILE           CA bundle; when given, the gateway must present a certificate\n"
	"                        that chains to it (mutual authentication, the default to use)\n"
	"    --plain             plain TCP, no TLS: test networks only\n"
	"    --max-pdu BYTES     largest PDU accepted (default 1048576); a larger one ends the\n"
	"                        connection\n"
	"    --no-option-negotiation\n"
	"                        ignore optionRequests, as a receiver without option\n"
	"                        negotiation does (for tests of gateways)\n"
	"    --handshake-timeout SECONDS\n"
	"                        a TLS handshake not done in this long ends the connection (10)\n"
	"    --idle-timeout SECONDS\n"
	"                        a connection that sends nothing for this long is closed (300;\n"
	"                        gateways send keep-alives well within it)\n"
	"    --max-connections N connections open at once (256); more are refused at accept\n"
	"    --max-per-source N  connections open at once from one address (32)\n"
	"\n"
	"    Nobody can starve the receiver before authenticating: a connection holds no receive\n"
	"    buffer until its handshake is done, buffers grow only as a PDU needs them, the caps\n"
	"    and deadlines above free the slots of slow or silent clients, and at the descriptor\n"
	"    limit the listener pauses for a second at a time instead of spinning. Undecodable\n"
	"    PDUs are logged and kept up to 10 per second, counted beyond. Every refusal is\n"
	"    counted by reason in the summary.\n"
	"    -q, --quiet         no connection messages on stderr\n"
	"    -h, --help          this text\n"
	"\n"
	"    When listening, one line \"listening on ADDR port PORT\" is printed on stdout.\n"
	"\n"
	"EXIT STATUS\n"
	"    0 stopped by a signal with no sequence number missing; 1 failure; 2 usage error;\n"
	"    3 stopped with numbers missing.\n"
	"\n"
	"EXAMPLE\n"
	"    sluice lemf --listen 0.0.0.0:40002 --tls-cert lemf.crt --tls-key lemf.key \\\n"
	"        --ca gateway-ca.crt --out /srv/lemf/hi2\n";

/* "1.2.3.4:5" or "[::1]:5" into addr (NUL-terminated) and port. */
static bool parse_listen(const char *s, char *addr, size_t len, uint16_t *port)
{
	const char *colon;
	size_t n;
	uint64_t p;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':')
			return false;
		n = (size_t)(end - s - 1);
		s++;
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return false;
		n = (size_t)(colon - s);
	}
	if (n == 0 || n >= len || !sl_parse_u64(colon + 1, 0, 65535, &p))
		return false;
	memcpy(addr, s, n);
	addr[n] = 0;
	*port = (uint16_t)p;
	return true;
}

int sl_cmd_lemf(void *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },  { "out", required_argument, NULL, 'o' },
		{ "tls-cert", required_argument, NULL, 'c' }, { "tls-key", required_argument, NULL, 'k' },
		{ "ca", required_argument, NULL, 'a' },	      { "plain", no_argument, NULL, 'p' },
		{ "max-pdu", required_argument, NULL, 'm' },  { "quiet", no_argument, NULL, 'q' },
		{ "no-option-negotiation", no_argument, NULL, 'N' },
		{ "handshake-timeout", required_argument, NULL, 'H' }, { "idle-timeout", required_argument, NULL, 'I' },
		{ "max-connections", required_argument, NULL, 'C' }, { "max-per-source", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },	      { NULL, 0, NULL, 0 },
	};
	const char *listen = NULL, *out = NULL, *cert = NULL, *key = NULL, *ca = NULL;
	struct sl_lemf_server_cfg sc = { .max_pdu = 1u << 20, .verbose = true };
	struct sl_app_signals sig = { 0 };
	struct sl_lemf_server *srv;
	uint64_t pdus, dups, missing, bad, conns, kas, acks, withheld, v;
	struct sl_lemf_neg_stats neg;
	uint64_t refused[_SL_LEMF_REFUSE_COUNT];
	char addr[64], err[512];
	bool plain = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'l': listen = optarg; break;
		case 'o': out = optarg; break;
		case 'c': cert = optarg; break;
		case 'k': key = optarg; break;
		case 'a': ca = optarg; break;
		case 'p': plain = true; break;
		case 'q': sc.verbose = false; break;
		case 'N': sc.no_option_negotiation = true; break;
		case 'H':
		case 'I':
			if (!sl_parse_u64(optarg, 1, 86400, &v)) {
				fprintf(stderr, "sluice lemf: --%s '%s': expected seconds 1..86400\n",
					c == 'H' ? "handshake-timeout" : "idle-timeout", optarg);
				return 2;
			}
			*(c == 'H' ? &sc.handshake_timeout_ms : &sc.idle_timeout_ms) = (unsigned)v * 1000;
			break;
		case 'C':
		case 'S':
			if (!sl_parse_u64(optarg, 1, 100000, &v)) {
				fprintf(stderr, "sluice lemf: --%s '%s': expected 1..100000\n",
					c == 'C' ? "max-connections" : "max-per-source", optarg);
				return 2;
			}
			*(c == 'C' ? &sc.max_conns : &sc.max_per_source) = (unsigned)v;
			break;
		case 'm':
			if (!sl_parse_u64(optarg, 16, 1u << 30, &v)) {
				fprintf(stderr, "sluice lemf: --max-pdu '%s': expected 16..1073741824\n", optarg);
				return 2;
			}
			sc.max_pdu = (size_t)v;
			break;
		case 'h':
			fputs(help, stdout);
			return 0;
		default:
			fputs("see sluice lemf --help\n", stderr);
			return 2;
		}
	}
	if (optind < argc || !listen || !out) {
		fputs("sluice lemf: --listen and --out are required (see --help)\n", stderr);
		return 2;
	}
	if (!parse_listen(listen, addr, sizeof(addr), &sc.port)) {
		fprintf(stderr, "sluice lemf: --listen '%s': expected ADDR:PORT or [ADDR]:PORT\n", listen);
		return 2;
	}
	sc.addr = addr;
	if (plain == !!(cert || key || ca)) {
		fputs("sluice lemf: give either --plain or --tls-cert and --tls-key (and --ca)\n", stderr);
		return 2;
	}
	if (!plain) {
		struct sl_tls_cfg tc = { .cert_file = cert, .key_file = key, .ca_file = ca, .server = true };

		sc.ssl = sl_tls_ctx_new(&tc, err, sizeof(err));
		if (!sc.ssl) {
			fprintf(stderr, "sluice lemf: %s\n", err);
			return 1;
		}
		if (!ca)
			fputs("sluice lemf: no --ca: gateways are not authenticated\n", stderr);
	} else {
		fputs("sluice lemf: WARNING: plain TCP, no encryption or authentication\n", stderr);
	}
	sc.store = sl_lemf_store_new(ctx, out, err, sizeof(err));
	srv = sc.store ? sl_lemf_server_new(ctx, &sc, err, sizeof(err)) : NULL;
	if (!srv) {
		fprintf(stderr, "sluice lemf: %s\n", err);
		SSL_CTX_free(sc.ssl);
		return 1;
	}
	if (sl_app_signals_init(ctx, &sig) < 0) {
		fputs("sluice lemf: cannot set up signal handling\n", stderr);
		talloc_free(srv);
		talloc_free(sc.store);
		SSL_CTX_free(sc.ssl);
		return 1;
	}
	printf("listening on %s port %u\n", addr, sl_lemf_server_port(srv));
	fflush(stdout);
	while (!sig.stop)
		osmo_select_main(0);

	sl_lemf_server_stats(srv, &conns, &kas, &acks);
	withheld = sl_lemf_server_acks_withheld(srv);
	sl_lemf_server_negotiations(srv, &neg);
	sl_lemf_server_refusals(srv, refused);
	talloc_free(srv);
	sl_lemf_store_summary(sc.store, stdout);
	sl_lemf_store_totals(sc.store, &pdus, &dups, &missing, &bad);
	printf("%" PRIu64 " connections, %" PRIu64 " keep-alives and %" PRIu64
	       " acknowledgement requests answered; %" PRIu64 " duplicates, %" PRIu64 " missing\n",
	       conns, kas, acks, dups, missing);
	if (withheld)
		printf("%" PRIu64 " acknowledgement requests not answered: earlier PDUs could not be stored\n", withheld);
	if (neg.completed || neg.ignored || neg.violations)
		printf("option negotiation: %" PRIu64 " complete (%" PRIu64 " with pDUAcknowledgement), %" PRIu64
		       " optionRequests ignored, %" PRIu64 " connections ended for a PDU before completion\n",
		       neg.completed, neg.pdu_ack, neg.ignored, neg.violations);
	for (unsigned i = 0; i < _SL_LEMF_REFUSE_COUNT; i++)
		if (refused[i])
			printf("refused %s %" PRIu64 "\n", sl_lemf_refuse_names[i], refused[i]);
	/* what another sender's PDUs needed: BER, skipped extensions, undecoded payloads, refusals by reason */
	for (unsigned i = SL_PDU_DEC_BER; i < _SL_PDU_DEC_CTR_COUNT; i++)
		if (sl_pdu_dec_ctr_get((enum sl_pdu_dec_ctr)i))
			printf("%s %" PRIu64 "\n", sl_pdu_dec_ctr_name((enum sl_pdu_dec_ctr)i),
			       sl_pdu_dec_ctr_get((enum sl_pdu_dec_ctr)i));
	talloc_free(sc.store);
	SSL_CTX_free(sc.ssl);
	return missing ? 3 : 0;
}
