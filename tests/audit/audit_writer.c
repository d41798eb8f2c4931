/*
 * Test writer for the audit log, used by the CLI and report tests:
 *
 *   audit_writer gen DIR KEY ORIGIN N
 *       writes N records of every kind in the catalogue (a made-up week of
 *       warrants, interceptions, deliveries, consent changes and exports,
 *       with a refusal or two and an unclean restart), then closes.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <talloc.h>

#include "mediation/audit/audit.h"
#include "mediation/audit/hash.h"
#include "mediation/audit/keys.h"

static uint64_t xrand(void)
{
	static uint64_t s = 0x9e3779b97f4a7c15ull;

	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return s;
}

static const char *digest(struct sl_audit_hasher *h, uint64_t i, char *buf)
{
	sl_audit_digest_str(h, &i, sizeof(i), buf);
	return buf;
}

static int64_t now_us = 1764547200000000; /* 2025-12-01T00:00:00Z */
static int64_t fake_clock(void)
{
	return now_us;
}

static int gen(void *ctx, const char *dir, const char *key, const char *origin, uint64_t n)
{
	struct sl_audit_hasher *h = sl_audit_hasher_new(ctx);
	struct sl_audit_cfg c = { .dir = dir, .key_file = key, .origin = origin, .checkpoint_records = 50,
				  .software = "audit_writer", .clock_real_us = fake_clock };
	static const struct sl_audit_actor signer = { "warrant-signer", "authority-1" },
					   sys = { "system", "sluiced" }, cfg = { "config", "/etc/sluice/sluiced.cfg" },
					   api = { "api", "consent-portal" };
	static const char *const liids[] = { "LIID-1001", "LIID-1002", "LIID-2001" };
	static const char *const dests[] = { "lea-north", "lea-south" };
	static const char *const recips[] = { "research-lab", "billing-partner" };
	uint8_t pkey[32] = { 1 };
	struct sl_audit_log *log;
	char *err = NULL, d[SL_AUDIT_DIGEST_STRLEN], p[SL_AUDIT_PSEUDONYM_STRLEN];
	uint64_t i;
	int rc;

	c.no_fsync = true;
	rc = sl_audit_open(ctx, &c, &log, &err);
	if (rc < 0) {
		fprintf(stderr, "audit_writer: %s\n", err);
		return 1;
	}
	json_t *f = json_pack("{s:s,s:s,s:s}", "file", "/etc/sluice/sluiced.cfg", "digest", digest(h, 0, d), "result", "ok");
	sl_audit_append(log, "config.load", &cfg, f, 0);
	json_decref(f);
	for (i = 0; i < n; i++) {
		unsigned r = (unsigned)(xrand() % 100);
		const char *liid = liids[xrand() % 3];

		now_us += (int64_t)(xrand() % 600000000); /* up to 10 minutes */
		if (i == n / 2) {
			/* an unclean restart: abandon (as SIGKILL) and reopen */
			sl_audit_commit(log);
			sl_audit_abandon(log);
			now_us += 3600000000LL;
			if (sl_audit_open(ctx, &c, &log, &err) < 0) {
				fprintf(stderr, "audit_writer: reopen: %s\n", err);
				return 1;
			}
			continue;
		}
		sl_audit_pseudonym(pkey, "msisdn", liid, p);
		if (r < 8) {
			f = json_pack("{s:s,s:I,s:s,s:I,s:I,s:s,s:[s,s],s:[s],s:s,s:I}", "liid", liid, "version",
				      (json_int_t)1, "warrant_digest", digest(h, i, d), "valid_from", (json_int_t)now_us,
				      "valid_until", (json_int_t)(now_us + 2 * 86400000000LL), "delivery", "iri+cc",
				      "services", "voice", "messaging", "destinations", dests[i % 2], "authority",
				      "authority-1", "targets", (json_int_t)1);
			sl_audit_append(log, "warrant.accepted", &signer, f, 0);
		} else if (r < 11) {
			f = json_pack("{s:s,s:s,s:s}", "warrant_digest", digest(h, i, d), "reason",
				      r == 8 ? "bad_signature" : "expired", "detail", "refused by policy check");
			sl_audit_append(log, "warrant.refused", &signer, f, 0);
		} else if (r < 13) {
			f = json_pack("{s:s,s:s}", "liid", liid, "reason", "expired");
			sl_audit_append(log, "warrant.ended", &sys, f, 0);
		} else if (r < 15) {
			f = json_pack("{s:s,s:s}", "liid", liid, "destination", dests[i % 2]);
			sl_audit_append(log, "intercept.activated", &sys, f, 0);
		} else if (r < 17) {
			f = json_pack("{s:s,s:s}", "liid", liid, "reason", "warrant_ended");
			sl_audit_append(log, "intercept.deactivated", &sys, f, 0);
		} else if (r < 85) {
			f = json_pack("{s:s,s:s,s:I,s:I,s:s}", "liid", liid, "destination", dests[xrand() % 2], "first_seq",
				      (json_int_t)i * 10, "count", (json_int_t)(1 + xrand() % 20), "digest", digest(h, i, d));
			sl_audit_append(log, "delivery", &sys, f, 0);
		} else if (r < 92) {
			f = json_pack("{s:s,s:s,s:s,s:s,s:s}", "consent_id", "C-17", "subject", p, "recipient",
				      recips[xrand() % 2], "purpose", "analytics", "state", r < 89 ? "granted" : "withdrawn");
			sl_audit_append(log, "consent.change", &api, f, 0);
		} else {
			f = json_pack("{s:s,s:s,s:I,s:s}", "recipient", recips[xrand() % 2], "batch_id", "B-1", "records",
				      (json_int_t)(xrand() % 1000), "digest", digest(h, i, d));
			sl_audit_append(log, "export.batch", &api, f, 0);
		}
		json_decref(f);
	}
	now_us += 1000000;
	return sl_audit_close(log, 1000) < 0;
}

int main(int argc, char **argv)
{
	void *ctx = talloc_new(NULL);
	int rc = 2;

	if (argc == 6 && !strcmp(argv[1], "gen"))
		rc = gen(ctx, argv[2], argv[3], argv[4], strtoull(argv[5], NULL, 10));
	else
		fprintf(stderr, "usage: audit_writer gen DIR KEY ORIGIN N\n");
	talloc_free(ctx);
	return rc;
}
