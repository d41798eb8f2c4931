/*
 * `sluice audit`: the privacy officer's tools for the tamper-evident
 * audit log (docs/audit.md). Dispatch to keygen, verify, show, prove,
 * checkpoint and report; keygen and checkpoint live here, the others in
 * cmd_audit_verify.c and cmd_audit_show.c. Option parsing and output
 * only: the log, the proofs and the checks are in mediation/audit/.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <talloc.h>

#include "mediation/audit/checkpoint.h"
#include "mediation/audit/keys.h"
#include "src/cmd_audit.h"
#include "src/commands.h"

static const char help[] =
	"NAME\n"
	"    sluice audit - keys, verification, inspection and reports for the audit log\n"
	"\n"
	"SYNOPSIS\n"
	"    sluice audit keygen --name NAME --out BASE [--pseudonym-key FILE]\n"
	"    sluice audit verify LOGDIR [--key VKEY] [--since CHECKPOINT] [--format text|json]\n"
	"    sluice audit show LOGDIR [--kind KIND]... [--liid LIID] [--destination NAME]\n"
	"                      [--recipient NAME] [--from TIME] [--until TIME] [--format text|json]\n"
	"    sluice audit prove LOGDIR SEQ [--checkpoint FILE] [--key VKEY] [--format text|json]\n"
	"    sluice audit checkpoint LOGDIR [--key VKEY]\n"
	"    sluice audit report LOGDIR --out FILE.html [--key VKEY] [--since CHECKPOINT]\n"
	"\n"
	"DESCRIPTION\n"
	"    sluiced records every decision it takes (warrants, interceptions, deliveries,\n"
	"    consent changes, exports, configuration) in a tamper-evident log: records are the\n"
	"    leaves of an RFC 6962 Merkle tree whose head is signed regularly as a C2SP\n"
	"    checkpoint with an Ed25519 key. These commands let a privacy officer or an outside\n"
	"    auditor check, offline, that nothing in that history was changed, removed,\n"
	"    reordered or invented. docs/audit.md specifies every byte.\n"
	"\n"
	"    Run `sluice audit COMMAND --help` for each command.\n"
	"\n"
	"EXIT STATUS\n"
	"    0 done / verified, 1 verification failed, 2 usage error, 3 a file could not be read,\n"
	"    4 verified with warnings.\n";

static const char keygen_help[] =
	"NAME\n"
	"    sluice audit keygen - make the audit log's signing key pair\n"
	"\n"
	"SYNOPSIS\n"
	"    sluice audit keygen --name NAME --out BASE [--pseudonym-key FILE]\n"
	"\n"
	"DESCRIPTION\n"
	"    Writes a new Ed25519 key pair: BASE.key, the private key (PEM PKCS#8, mode 0600;\n"
	"    sluiced refuses a key file that group or others can read), and BASE.vkey, the\n"
	"    verifier key string NAME+KEYID+KEY (C2SP signed-note format) to give to auditors.\n"
	"    NAME is the log's origin: the first line of every checkpoint and the name in its\n"
	"    signature line. Use a name that is unique to this log, such as\n"
	"    \"li.operator.example/sluice-audit-1\": printable ASCII, no spaces, no '+'.\n"
	"    Existing files are never overwritten.\n"
	"\n"
	"    --pseudonym-key FILE also writes a new pseudonym key (32 random bytes as hex, mode\n"
	"    0600): the HMAC-SHA256 key under which subscriber identities appear in the log.\n"
	"\n"
	"EXIT STATUS\n"
	"    0 written, 1 a file could not be written, 2 usage error.\n";

static const char checkpoint_help[] =
	"NAME\n"
	"    sluice audit checkpoint - print the latest signed checkpoint of a log\n"
	"\n"
	"SYNOPSIS\n"
	"    sluice audit checkpoint LOGDIR [--key VKEY]\n"
	"\n"
	"DESCRIPTION\n"
	"    Prints LOGDIR/checkpoint, the latest checkpoint, exactly as signed (a C2SP signed\n"
	"    note holding a tlog-checkpoint). Keep a copy: given to `verify --since` later, it\n"
	"    proves that the log still holds exactly the history it covered.\n"
	"\n"
	"    With --key the signature and syntax are checked first, and a note on stderr\n"
	"    gives its size and time.\n"
	"\n"
	"EXIT STATUS\n"
	"    0 printed (and verified), 1 the signature does not verify, 2 usage error,\n"
	"    3 no checkpoint could be read.\n";

bool sl_audit_cmd_load_vkey(void *ctx, const char *key_path, const char *dir, struct sl_audit_vkey *out,
			    bool *untrusted)
{
	struct sl_audit_hasher *h = sl_audit_hasher_new(ctx);
	char *err = NULL, *p;
	bool ok;

	*untrusted = false;
	if (!key_path) {
		/* Without the auditor's own key, the log directory's copy shows consistency only. */
		p = talloc_asprintf(ctx, "%s/verifier.key", dir);
		*untrusted = true;
		key_path = p;
		if (access(p, R_OK) != 0) {
			fprintf(stderr, "sluice audit: no --key given and no %s: the verifier key is needed\n", p);
			talloc_free(h);
			return false;
		}
	}
	ok = sl_audit_vkey_load(ctx, h, key_path, out, &err);
	if (!ok)
		fprintf(stderr, "sluice audit: %s\n", err);
	talloc_free(h);
	return ok;
}

int sl_audit_cmd_keygen(void *ctx, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "out", required_argument, NULL, 'o' },
		{ "pseudonym-key", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL, *out = NULL, *pkey = NULL;
	struct sl_audit_hasher *h;
	char *err = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "n:o:p:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'n': name = optarg; break;
		case 'o': out = optarg; break;
		case 'p': pkey = optarg; break;
		case 'h': fputs(keygen_help, stdout); return 0;
		default: fputs(keygen_help, stderr); return SL_AUDIT_EXIT_USAGE;
		}
	}
	if (!name || !out || optind != argc) {
		fputs("sluice audit keygen: --name and --out are required (see --help)\n", stderr);
		return SL_AUDIT_EXIT_USAGE;
	}
	h = sl_audit_hasher_new(ctx);
	if (sl_audit_keygen(ctx, h, name, talloc_asprintf(ctx, "%s.key", out), talloc_asprintf(ctx, "%s.vkey", out),
			    &err) != 0) {
		fprintf(stderr, "sluice audit keygen: %s\n", err);
		return 1;
	}
	if (pkey && sl_audit_pseudo_keygen(ctx, pkey, &err) != 0) {
		fprintf(stderr, "sluice audit keygen: %s\n", err);
		return 1;
	}
	printf("%s.key (private, 0600) and %s.vkey (verifier key) written%s%s\n", out, out,
	       pkey ? "; pseudonym key " : "", pkey ? pkey : "");
	return 0;
}

int sl_audit_cmd_checkpoint(void *ctx, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *key = NULL, *path;
	struct sl_audit_vkey vk;
	struct sl_audit_ckpt cp;
	uint8_t buf[SL_AUDIT_MAX_NOTE + 1];
	size_t n;
	FILE *f;
	int c;
	bool untrusted;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case 'h': fputs(checkpoint_help, stdout); return 0;
		default: fputs(checkpoint_help, stderr); return SL_AUDIT_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		fputs("sluice audit checkpoint: one LOGDIR expected (see --help)\n", stderr);
		return SL_AUDIT_EXIT_USAGE;
	}
	path = talloc_asprintf(ctx, "%s/checkpoint", argv[optind]);
	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "sluice audit checkpoint: %s: %s\n", path, strerror(errno));
		return SL_AUDIT_EXIT_IO;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (n == 0 || n > SL_AUDIT_MAX_NOTE) {
		fprintf(stderr, "sluice audit checkpoint: %s: empty or larger than 64 KiB\n", path);
		return SL_AUDIT_EXIT_IO;
	}
	if (key) {
		const char *why = NULL;
		enum sl_audit_note_res r;

		if (!sl_audit_cmd_load_vkey(ctx, key, argv[optind], &vk, &untrusted))
			return SL_AUDIT_EXIT_IO;
		r = sl_audit_ckpt_open(buf, n, &vk, &cp, &why);
		if (r != SL_NOTE_OK) {
			fprintf(stderr, "sluice audit checkpoint: %s: %s\n", path,
				r == SL_NOTE_SYNTAX ? why : r == SL_NOTE_UNSIGNED ? "not signed by the key" : "bad signature");
			return SL_AUDIT_EXIT_FAILED;
		}
		fprintf(stderr, "checkpoint of %s: %llu records, signed at sluice-time %lld (verified)\n", cp.origin,
			(unsigned long long)cp.size, (long long)cp.time_us);
	}
	fwrite(buf, 1, n, stdout);
	return 0;
}

int sl_cmd_audit(void *ctx, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(void *ctx, int argc, char **argv);
	} sub[] = {
		{ "keygen", sl_audit_cmd_keygen },   { "verify", sl_audit_cmd_verify },
		{ "show", sl_audit_cmd_show },	     { "prove", sl_audit_cmd_prove },
		{ "checkpoint", sl_audit_cmd_checkpoint }, { "report", sl_audit_cmd_report },
	};
	unsigned i;

	if (argc < 2) {
		fputs(help, stderr);
		return SL_AUDIT_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(help, stdout);
		return 0;
	}
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
		if (!strcmp(argv[1], sub[i].name))
			return sub[i].run(ctx, argc - 1, argv + 1);
	fprintf(stderr, "sluice audit: unknown command '%s' (see sluice audit --help)\n", argv[1]);
	return SL_AUDIT_EXIT_USAGE;
}
