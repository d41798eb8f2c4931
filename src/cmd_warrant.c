/*
 * `sluice warrant`: every check sluiced makes of a signed warrant, offline
 * (verify), and signing as an authority would, for tests and labs (sign).
 * Wiring only: options and output; the checks are mediation/lawful's.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <talloc.h>

#include "mediation/lawful/warrant_cms.h"
#include "render/json_out.h"
#include "src/commands.h"

#define MAX_AUTH 16
#define MAX_DEST 64
#define MAX_FILE (1024 * 1024)

static const char help_verify[] =
	"NAME\n"
	"    sluice warrant verify - check signed warrants and revocations as sluiced would\n"
	"\n"
	"SYNOPSIS\n"
	"    sluice warrant verify --authority NAME,CC,ANCHORS[,CRL] [--authority ...]\n"
	"                          [--destination NAME=DEST]... [--at TIME] [--targets]\n"
	"                          [--format text|json] FILE...\n"
	"\n"
	"DESCRIPTION\n"
	"    Runs every check sluiced runs before it takes a warrant on (docs/warrants.md), in the\n"
	"    same order, and says which one failed and why: the file is one CMS SignedData (DER or\n"
	"    PEM) with the document inside and one signer; the document follows the schema; it\n"
	"    names a configured authority; the signature verifies; the signer's certificate chains\n"
	"    to that authority's trust anchors, may sign (key usage digitalSignature or\n"
	"    nonRepudiation) and is neither expired nor revoked, both when it signed and now; the\n"
	"    destination is one of the authority's (when --destination lists any); and the warrant\n"
	"    has not ended by TIME. What sluiced also checks against its own state (replayed or\n"
	"    revoked versions) cannot be checked offline.\n"
	"\n"
	"    Targets are not printed unless --targets is given: the output says who a warrant is\n"
	"    about only to someone who asks.\n"
	"\n"
	"OPTIONS\n"
	"    --authority NAME,CC,ANCHORS[,CRL]\n"
	"                         an authority trusted to issue warrants: its name and country as\n"
	"                         its warrants write them, a PEM file of its trust anchors and,\n"
	"                         optionally, a PEM file of its CRLs (one per CA). Repeatable.\n"
	"    --destination NAME=DEST\n"
	"                         DEST is a destination of authority NAME. Repeatable; without any,\n"
	"                         destinations are not checked.\n"
	"    --at TIME            check the warrant's window at TIME (RFC 3339 UTC, default now);\n"
	"                         certificates are always checked at signing time and now\n"
	"    --targets            print the targets (normalised as capture normalises identities)\n"
	"    -f, --format FMT     text (default) or json (one object per file)\n"
	"    -h, --help           this text\n"
	"\n"
	"EXIT STATUS\n"
	"    0 every file passed, 1 at least one was refused, 2 usage error.\n"
	"\n"
	"EXAMPLE\n"
	"    sluice warrant verify --authority bka,DE,/etc/sluice/bka-ca.pem,/etc/sluice/bka.crl \\\n"
	"        --destination bka=bka-lemf /var/lib/sluice/warrants/*.cms\n";

static const char help_sign[] =
	"NAME\n"
	"    sluice warrant sign - sign a warrant or revocation document (tests, demos, labs)\n"
	"\n"
	"SYNOPSIS\n"
	"    sluice warrant sign --cert CERT --key KEY [--chain FILE] [--pem] [-o OUT] DOCUMENT\n"
	"\n"
	"DESCRIPTION\n"
	"    Signs DOCUMENT (JSON, docs/warrants.md) as an authority's signer would: a CMS\n"
	"    SignedData with the document inside, SHA-256 and a signing time, in DER (or PEM with\n"
	"    --pem), to OUT or stdout. Authorities sign with their own tools; this is the same as\n"
	"        openssl cms -sign -binary -nodetach -outform DER -in DOC -signer CERT -inkey KEY\n"
	"    The document is not checked here: `sluice warrant verify` checks the result.\n"
	"\n"
	"OPTIONS\n"
	"    --cert CERT          the signer's certificate (PEM)\n"
	"    --key KEY            its private key (PEM)\n"
	"    --chain FILE         intermediate CA certificates to include (PEM)\n"
	"    --pem                PEM output instead of DER\n"
	"    -o, --out OUT        output file (default stdout)\n"
	"    -h, --help           this text\n";

static const char help_main[] =
	"Usage: sluice warrant verify|sign [OPTIONS] (sluice warrant verify --help, sluice warrant sign --help)\n";

static uint8_t *read_file(void *ctx, const char *path, size_t *n, char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	uint8_t *buf;
	size_t got;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = talloc_size(ctx, MAX_FILE + 1);
	got = buf ? fread(buf, 1, MAX_FILE + 1, f) : 0;
	if (f != stdin)
		fclose(f);
	if (!buf || got > MAX_FILE) {
		snprintf(err, errlen, "%s: %s", path, buf ? "larger than 1 MiB" : "out of memory");
		talloc_free(buf);
		return NULL;
	}
	*n = got;
	return buf;
}

static uint64_t wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

struct dest_rule {
	char auth[SL_AUTHORITY_NAME_MAX + 1];
	char dest[SL_DEST_NAME_MAX + 1];
};

static const char *target_text(char *buf, size_t len, const struct sl_target *t)
{
	char a[SL_ADDR_STRLEN];

	if (t->id.type != SL_ID_NONE)
		snprintf(buf, len, "%s %s", sl_id_type_names[t->id.type], t->id.value);
	else
		snprintf(buf, len, "%s %s/%u", t->addr.family == SL_AF_INET6 ? "ipv6" : "ipv4",
			 sl_addr_fmt(a, sizeof(a), &t->addr), t->prefix_len);
	return buf;
}

static void print_text(const char *file, enum sl_warrant_refusal rc, const char *why, const struct sl_signed_doc *d,
		       bool targets)
{
	char a[32], b[32], s[32], t[SL_ID_MAX + 16], hex[65];
	unsigned i;

	if (rc != SL_WREF_NONE) {
		printf("%s: REFUSED (%s): %s\n", file, sl_warrant_refusal_names[rc], why);
		return;
	}
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d->digest[i]);
	if (d->meta.type == SL_DOC_REVOCATION) {
		printf("%s: ok: revocation of LIID %s up to version %" PRIu32 " by %s (%s)\n", file, d->meta.liid,
		       d->meta.version, d->meta.authority, d->meta.country);
	} else {
		printf("%s: ok: warrant LIID %s version %" PRIu32 " by %s (%s), case \"%s\"\n", file, d->meta.liid,
		       d->meta.version, d->meta.authority, d->meta.country, d->meta.case_ref);
		printf("  valid %s to %s, %s, services", sl_warrant_fmt_time(a, sizeof(a), d->ic.start_us),
		       sl_warrant_fmt_time(b, sizeof(b), d->ic.end_us), d->ic.scope == SL_SCOPE_IRI_CC ? "iri+cc" : "iri");
		for (i = 0; i < 4; i++)
			if (d->ic.services & (1u << i))
				printf(" %s", sl_service_names[i]);
		printf(", destination %s, %u target(s)\n", d->ic.dest, d->ic.n_targets);
		for (i = 0; targets && i < d->ic.n_targets; i++)
			printf("  target %s\n", target_text(t, sizeof(t), &d->ic.target[i]));
	}
	printf("  signed by %s at %s\n  sha256 %s\n", d->signer, sl_warrant_fmt_time(s, sizeof(s), d->signing_us), hex);
}

static void print_json(struct sl_json *j, const char *file, enum sl_warrant_refusal rc, const char *why,
		       const struct sl_signed_doc *d, bool targets)
{
	char a[32], t[SL_ID_MAX + 16], hex[65];
	unsigned i;

	sl_json_reset(j);
	sl_json_obj_open(j);
	sl_json_key(j, "file");
	sl_json_cstr(j, file);
	sl_json_key(j, "result");
	sl_json_cstr(j, rc == SL_WREF_NONE ? "ok" : "refused");
	if (rc != SL_WREF_NONE) {
		sl_json_key(j, "refusal");
		sl_json_cstr(j, sl_warrant_refusal_names[rc]);
		sl_json_key(j, "reason");
		sl_json_cstr(j, why);
	} else {
		for (i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", d->digest[i]);
		sl_json_key(j, "type");
		sl_json_cstr(j, d->meta.type == SL_DOC_WARRANT ? "warrant" : "revocation");
		sl_json_key(j, "liid");
		sl_json_cstr(j, d->meta.liid);
		sl_json_key(j, "version");
		sl_json_u64(j, d->meta.version);
		sl_json_key(j, "authority");
		sl_json_cstr(j, d->meta.authority);
		sl_json_key(j, "country");
		sl_json_cstr(j, d->meta.country);
		sl_json_key(j, "signer");
		sl_json_cstr(j, d->signer);
		sl_json_key(j, "signed");
		sl_json_cstr(j, sl_warrant_fmt_time(a, sizeof(a), d->signing_us));
		sl_json_key(j, "sha256");
		sl_json_cstr(j, hex);
		if (d->meta.type == SL_DOC_WARRANT) {
			sl_json_key(j, "valid_from");
			sl_json_cstr(j, sl_warrant_fmt_time(a, sizeof(a), d->ic.start_us));
			sl_json_key(j, "valid_until");
			sl_json_cstr(j, sl_warrant_fmt_time(a, sizeof(a), d->ic.end_us));
			sl_json_key(j, "delivery");
			sl_json_cstr(j, d->ic.scope == SL_SCOPE_IRI_CC ? "iri+cc" : "iri");
			sl_json_key(j, "services");
			sl_json_arr_open(j);
			for (i = 0; i < 4; i++)
				if (d->ic.services & (1u << i))
					sl_json_cstr(j, sl_service_names[i]);
			sl_json_arr_close(j);
			sl_json_key(j, "destination");
			sl_json_cstr(j, d->ic.dest);
			sl_json_key(j, "targets");
			if (targets) {
				sl_json_arr_open(j);
				for (i = 0; i < d->ic.n_targets; i++)
					sl_json_cstr(j, target_text(t, sizeof(t), &d->ic.target[i]));
				sl_json_arr_close(j);
			} else {
				sl_json_u64(j, d->ic.n_targets);
			}
		}
	}
	sl_json_obj_close(j);
	sl_json_write_line(j, stdout);
}

static int cmd_verify(void *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "authority", required_argument, NULL, 'a' }, { "destination", required_argument, NULL, 'd' },
		{ "at", required_argument, NULL, 't' },	       { "targets", no_argument, NULL, 'T' },
		{ "format", required_argument, NULL, 'f' },    { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sl_authority *auth[MAX_AUTH];
	struct dest_rule dest[MAX_DEST];
	unsigned n_auth = 0, n_dest = 0, i, refused = 0;
	bool targets = false, json = false, at_set = false;
	uint64_t at = 0;
	struct sl_numbering num;
	struct sl_json j;
	char err[512];
	int c;

	sl_numbering_default(&num);
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'a': {
			char *spec = talloc_strdup(ctx, optarg), *f[4] = { 0 }, *save = NULL, *tok;
			unsigned k = 0;
			for (tok = strtok_r(spec, ",", &save); tok && k < 4; tok = strtok_r(NULL, ",", &save))
				f[k++] = tok;
			if (k < 3 || tok || n_auth >= MAX_AUTH) {
				fprintf(stderr, "sluice warrant verify: --authority %s: expected NAME,CC,ANCHORS[,CRL]%s\n",
					optarg, n_auth >= MAX_AUTH ? " (too many)" : "");
				return 2;
			}
			auth[n_auth] = sl_authority_load(ctx, f[0], f[1], f[2], f[3], err, sizeof(err));
			if (!auth[n_auth]) {
				fprintf(stderr, "sluice warrant verify: %s\n", err);
				return 2;
			}
			n_auth++;
			break;
		}
		case 'd': {
			const char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg || !eq[1] || (size_t)(eq - optarg) > SL_AUTHORITY_NAME_MAX ||
			    strlen(eq + 1) > SL_DEST_NAME_MAX || n_dest >= MAX_DEST) {
				fprintf(stderr, "sluice warrant verify: --destination %s: expected AUTHORITY=DESTINATION\n",
					optarg);
				return 2;
			}
			snprintf(dest[n_dest].auth, sizeof(dest[n_dest].auth), "%.*s", (int)(eq - optarg), optarg);
			snprintf(dest[n_dest].dest, sizeof(dest[n_dest].dest), "%s", eq + 1);
			n_dest++;
			break;
		}
		case 't':
			if (!sl_warrant_parse_time(optarg, &at)) {
				fprintf(stderr, "sluice warrant verify: --at %s: not an RFC 3339 UTC time\n", optarg);
				return 2;
			}
			at_set = true;
			break;
		case 'T':
			targets = true;
			break;
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				fprintf(stderr, "sluice warrant verify: --format %s: text or json\n", optarg);
				return 2;
			}
			json = !strcmp(optarg, "json");
			break;
		case 'h':
			fputs(help_verify, stdout);
			return 0;
		default:
			fputs(help_verify, stderr);
			return 2;
		}
	}
	if (optind >= argc || !n_auth) {
		fprintf(stderr, "sluice warrant verify: %s (see --help)\n",
			optind >= argc ? "no FILE given" : "no --authority given: nothing could be trusted");
		return 2;
	}
	sl_json_init(&j, ctx);
	for (i = (unsigned)optind; i < (unsigned)argc; i++) {
		struct sl_signed_doc *d = talloc_zero(ctx, struct sl_signed_doc);
		enum sl_warrant_refusal rc;
		uint8_t *p;
		size_t n = 0;

		p = d ? read_file(ctx, argv[i], &n, err, sizeof(err)) : NULL;
		if (!p) {
			rc = SL_WREF_OTHER;
		} else {
			rc = sl_warrant_verify(p, n, auth, n_auth, &num, wall_us(), d, err, sizeof(err));
			if (rc == SL_WREF_NONE && d->meta.type == SL_DOC_WARRANT) {
				uint64_t when = at_set ? at : wall_us();
				bool listed = !n_dest;
				unsigned k;
				for (k = 0; k < n_dest; k++)
					listed |= !strcmp(dest[k].auth, d->meta.authority) && !strcmp(dest[k].dest, d->ic.dest);
				if (!listed) {
					snprintf(err, sizeof(err), "destination: \"%s\" is not a destination of authority %s",
						 d->ic.dest, d->meta.authority);
					rc = SL_WREF_DESTINATION;
				} else if (d->ic.end_us <= when) {
					snprintf(err, sizeof(err), "valid.until: has passed");
					rc = SL_WREF_EXPIRED;
				}
			}
		}
		refused += rc != SL_WREF_NONE;
		if (json)
			print_json(&j, argv[i], rc, err, d, targets);
		else
			print_text(argv[i], rc, err, d, targets);
		talloc_free(d);
		talloc_free(p);
	}
	sl_json_free(&j);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "sluice warrant verify: writing the output failed\n");
		return 1;
	}
	return refused ? 1 : 0;
}

static int cmd_sign(void *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cert", required_argument, NULL, 'c' }, { "key", required_argument, NULL, 'k' },
		{ "chain", required_argument, NULL, 'C' }, { "pem", no_argument, NULL, 'p' },
		{ "out", required_argument, NULL, 'o' },  { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cert = NULL, *key = NULL, *chain = NULL, *outp = NULL;
	bool pem = false;
	uint8_t *doc, *sig;
	size_t n = 0, sn = 0;
	char err[512];
	FILE *o;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cert = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'C':
			chain = optarg;
			break;
		case 'p':
			pem = true;
			break;
		case 'o':
			outp = optarg;
			break;
		case 'h':
			fputs(help_sign, stdout);
			return 0;
		default:
			fputs(help_sign, stderr);
			return 2;
		}
	}
	if (!cert || !key || optind != argc - 1) {
		fprintf(stderr, "sluice warrant sign: --cert, --key and one DOCUMENT are needed (see --help)\n");
		return 2;
	}
	doc = read_file(ctx, argv[optind], &n, err, sizeof(err));
	if (!doc) {
		fprintf(stderr, "sluice warrant sign: %s\n", err);
		return 1;
	}
	if (sl_warrant_sign(ctx, doc, n, cert, key, chain, pem, &sig, &sn, err, sizeof(err)) < 0) {
		fprintf(stderr, "sluice warrant sign: %s\n", err);
		return 1;
	}
	o = outp ? fopen(outp, "wb") : stdout;
	if (!o || fwrite(sig, 1, sn, o) != sn || (outp ? fclose(o) : fflush(o)) != 0) {
		fprintf(stderr, "sluice warrant sign: writing %s failed: %s\n", outp ? outp : "stdout", strerror(errno));
		return 1;
	}
	return 0;
}

int sl_cmd_warrant(void *ctx, int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "verify"))
		return cmd_verify(ctx, argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "sign"))
		return cmd_sign(ctx, argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(help_main, stdout);
		fputs("\n", stdout);
		fputs(help_verify, stdout);
		fputs("\n", stdout);
		fputs(help_sign, stdout);
		return 0;
	}
	fputs(help_main, stderr);
	return 2;
}
