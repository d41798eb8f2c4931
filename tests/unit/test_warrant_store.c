/*
 * Signed warrants end to end below the daemon: documents signed by the
 * openssl CLI (as an authority would sign them) with a throw-away PKI of
 * authorities (tests/pki/make_warrant_pki.sh), checked by
 * sl_warrant_verify, and taken through the store's lifecycle on a fake
 * clock.
 *
 * Verification: a good warrant, one signed under an intermediate CA, and
 * PEM are accepted; unsigned, tampered, detached, unknown-authority,
 * another authority's signer, a rogue CA, an expired, a revoked and a
 * non-signing certificate are each refused for their own reason.
 * Lifecycle: pending, activated at valid.from (HI1 sequence numbers from
 * 0), matched only inside the window, deactivated at valid.until;
 * superseded (liModified when the new version is active, liDeactivated
 * when it is not yet); revoked; replays of older, revoked and conflicting
 * versions refused; expired at load and another authority's destination
 * refused; and a restart that notifies nothing twice and continues the
 * HI1 sequence numbers.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <osmocom/core/application.h>
#include <osmocom/core/logging.h>
#include <talloc.h>

#include "mediation/lawful/lawful_log.h"
#include "mediation/lawful/warrant_store.h"

#define T0 1764000000000000ull /* 2025-11-24, the fake clock's start; certificates are checked at real time */
#define HOUR 3600000000ull

static char g_dir[256];	/* temp root: pki/, docs/, warrants/ */
static struct sl_authority *g_auth[2];
static struct sl_numbering g_num;
static void *g_ctx;

/* ---- documents ---------------------------------------------------------- */

static void fmt_time(char *buf, size_t len, uint64_t us)
{
	sl_warrant_fmt_time(buf, len, us);
}

/* A warrant document as JSON text into path. */
static void write_warrant(const char *path, const char *liid, unsigned version, const char *authority,
			  const char *country, uint64_t from, uint64_t until, const char *dest, const char *extra_target)
{
	char f[32], u[32], i[32];
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fmt_time(f, sizeof(f), from);
	fmt_time(u, sizeof(u), until);
	fmt_time(i, sizeof(i), T0 - HOUR);
	fprintf(fp,
		"{\"type\":\"warrant\",\"format\":1,\"liid\":\"%s\",\"version\":%u,"
		"\"authority\":{\"name\":\"%s\",\"country\":\"%s\"},\"case\":\"AZ 1/26\",\"issued\":\"%s\","
		"\"valid\":{\"from\":\"%s\",\"until\":\"%s\"},"
		"\"scope\":{\"delivery\":\"iri+cc\",\"services\":[\"voice\",\"messaging\",\"registration\",\"location\"]},"
		"\"targets\":[{\"type\":\"sip-uri\",\"value\":\"sip:Alice@Example.COM:5060;transport=tcp\"}%s],"
		"\"destination\":\"%s\"}\n",
		liid, version, authority, country, i, f, u, extra_target ? extra_target : "", dest);
	fclose(fp);
}

static void write_revocation(const char *path, const char *liid, unsigned version, const char *authority,
			     const char *country)
{
	char i[32];
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fmt_time(i, sizeof(i), T0);
	fprintf(fp,
		"{\"type\":\"revocation\",\"format\":1,\"liid\":\"%s\",\"version\":%u,"
		"\"authority\":{\"name\":\"%s\",\"country\":\"%s\"},\"issued\":\"%s\",\"reason\":\"court order lifted\"}",
		liid, version, authority, country, i);
	fclose(fp);
}

/* Sign in with the openssl CLI as signer (a name in pki/), into out. */
static void sign(const char *in, const char *signer, const char *out, const char *more)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd),
		 "openssl cms -sign -binary -nodetach -outform DER -in '%s' -signer '%s/pki/%s.crt' "
		 "-inkey '%s/pki/%s.key' -out '%s' %s 2>/dev/null",
		 in, g_dir, signer, g_dir, signer, out, more ? more : "");
	assert_int_equal(system(cmd), 0);
}

static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf;
	long len;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = talloc_size(g_ctx, (size_t)len + 1);
	assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	*n = (size_t)len;
	return buf;
}

/* A signed warrant file's bytes: doc built and signed under docs/NAME. */
static uint8_t *signed_warrant(const char *name, const char *signer, const char *liid, unsigned version,
			       const char *authority, const char *country, uint64_t from, uint64_t until,
			       const char *dest, size_t *n)
{
	char json[512], cms[512];

	snprintf(json, sizeof(json), "%s/docs/%s.json", g_dir, name);
	snprintf(cms, sizeof(cms), "%s/docs/%s.cms", g_dir, name);
	write_warrant(json, liid, version, authority, country, from, until, dest, NULL);
	sign(json, signer, cms, NULL);
	return slurp(cms, n);
}

static enum sl_warrant_refusal verify(const uint8_t *p, size_t n, struct sl_signed_doc *d, char *why, size_t len)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return sl_warrant_verify(p, n, g_auth, 2, &g_num, (uint64_t)ts.tv_sec * 1000000, d, why, len);
}

/* ---- verification ----------------------------------------------------------- */

static void expect_refusal(const uint8_t *p, size_t n, enum sl_warrant_refusal want, const char *why_has)
{
	struct sl_signed_doc *d = talloc_zero(g_ctx, struct sl_signed_doc);
	char why[400];
	enum sl_warrant_refusal got = verify(p, n, d, why, sizeof(why));

	if (got != want || (why_has && !strstr(why, why_has)))
		fail_msg("refusal %s (%s), expected %s with \"%s\"", sl_warrant_refusal_names[got],
			 got == SL_WREF_NONE ? "accepted" : why, sl_warrant_refusal_names[want], why_has ? why_has : "");
	if (want != SL_WREF_NONE) {
		/* nothing of a refused document is handed out */
		assert_int_equal(d->ic.n_targets, 0);
		assert_string_equal(d->meta.liid, "");
	}
	talloc_free(d);
}

static void test_verify(void **state)
{
	struct sl_signed_doc *d = talloc_zero(g_ctx, struct sl_signed_doc);
	char json[512], cms[512], why[400];
	size_t n;
	uint8_t *p;

	/* a good one: targets normalised as capture does (scheme and host case, no port or parameters) */
	p = signed_warrant("good", "bka-signer", "LI-1", 1, "bka", "DE", T0, T0 + 10 * HOUR, "bka-lemf", &n);
	assert_int_equal(verify(p, n, d, why, sizeof(why)), SL_WREF_NONE);
	assert_string_equal(d->meta.liid, "LI-1");
	assert_int_equal(d->ic.n_targets, 1);
	assert_string_equal(d->ic.target[0].id.value, "sip:Alice@example.com");
	assert_int_equal(d->ic.scope, SL_SCOPE_IRI_CC);
	assert_int_equal(d->ic.services, SL_SVC_ALL);
	assert_non_null(strstr(d->signer, "BKA warrant signer"));

	/* tampered: one byte of the signed content changed */
	{
		uint8_t *t = talloc_memdup(g_ctx, p, n);
		uint8_t *hit = memmem(t, n, "AZ 1/26", 7);
		assert_non_null(hit);
		hit[3] = '9';
		expect_refusal(t, n, SL_WREF_SIGNATURE, "signature");
	}
	/* unsigned: the JSON alone; garbage; truncated */
	snprintf(json, sizeof(json), "%s/docs/good.json", g_dir);
	{
		size_t jn;
		uint8_t *j = slurp(json, &jn);
		expect_refusal(j, jn, SL_WREF_NOT_CMS, "not a CMS SignedData");
	}
	expect_refusal(p, n / 2, SL_WREF_NOT_CMS, NULL);
	/* detached signature */
	snprintf(cms, sizeof(cms), "%s/docs/detached.cms", g_dir);
	{
		char cmd[4096];
		size_t dn;
		uint8_t *dp;
		snprintf(cmd, sizeof(cmd),
			 "openssl cms -sign -binary -outform DER -in '%s' -signer '%s/pki/bka-signer.crt' "
			 "-inkey '%s/pki/bka-signer.key' -out '%s' 2>/dev/null",
			 json, g_dir, g_dir, cms);
		assert_int_equal(system(cmd), 0);
		dp = slurp(cms, &dn);
		expect_refusal(dp, dn, SL_WREF_NOT_CMS, "detached");
	}
	/* PEM is accepted as well */
	snprintf(cms, sizeof(cms), "%s/docs/good.pem", g_dir);
	sign(json, "bka-signer", cms, "-outform PEM");
	{
		size_t pn;
		uint8_t *pp = slurp(cms, &pn);
		expect_refusal(pp, pn, SL_WREF_NONE, NULL);
	}
	/* signed under bka's intermediate, the intermediate shipped in the file */
	snprintf(cms, sizeof(cms), "%s/docs/int.cms", g_dir);
	{
		char more[512];
		size_t in;
		uint8_t *ip;
		snprintf(more, sizeof(more), "-certfile '%s/pki/bka-int-chain.pem'", g_dir);
		sign(json, "bka-int-signer", cms, more);
		ip = slurp(cms, &in);
		expect_refusal(ip, in, SL_WREF_NONE, NULL);
		/* without the intermediate the chain cannot be built */
		sign(json, "bka-int-signer", cms, NULL);
		ip = slurp(cms, &in);
		expect_refusal(ip, in, SL_WREF_CERTIFICATE, "local issuer");
	}
	/* certificates that must not sign for bka */
	p = signed_warrant("ncsc-for-bka", "ncsc-signer", "LI-1", 1, "bka", "DE", T0, T0 + HOUR, "bka-lemf", &n);
	expect_refusal(p, n, SL_WREF_CERTIFICATE, "authority bka");
	p = signed_warrant("rogue", "rogue-signer", "LI-1", 1, "bka", "DE", T0, T0 + HOUR, "bka-lemf", &n);
	expect_refusal(p, n, SL_WREF_CERTIFICATE, NULL);
	p = signed_warrant("expired", "bka-expired", "LI-1", 1, "bka", "DE", T0, T0 + HOUR, "bka-lemf", &n);
	expect_refusal(p, n, SL_WREF_CERTIFICATE, "expired");
	p = signed_warrant("revoked", "bka-revoked", "LI-1", 1, "bka", "DE", T0, T0 + HOUR, "bka-lemf", &n);
	expect_refusal(p, n, SL_WREF_CERTIFICATE, "revoked");
	p = signed_warrant("noku", "bka-noku", "LI-1", 1, "bka", "DE", T0, T0 + HOUR, "bka-lemf", &n);
	expect_refusal(p, n, SL_WREF_CERTIFICATE, "key usage");
	/* an authority nobody configured; the right name with the wrong country */
	p = signed_warrant("unknown", "bka-signer", "LI-1", 1, "bnd", "DE", T0, T0 + HOUR, "bka-lemf", &n);
	expect_refusal(p, n, SL_WREF_AUTHORITY, "not a configured authority");
	p = signed_warrant("country", "bka-signer", "LI-1", 1, "bka", "AT", T0, T0 + HOUR, "bka-lemf", &n);
	expect_refusal(p, n, SL_WREF_AUTHORITY, NULL);
	/* a well-signed document that breaks the schema: the message names the field */
	p = signed_warrant("badliid", "bka-signer", "../etc", 1, "bka", "DE", T0, T0 + HOUR, "bka-lemf", &n);
	expect_refusal(p, n, SL_WREF_MALFORMED, "liid:");
	p = signed_warrant("window", "bka-signer", "LI-1", 1, "bka", "DE", T0 + HOUR, T0, "bka-lemf", &n);
	expect_refusal(p, n, SL_WREF_MALFORMED, "valid.until");
	talloc_free(d);
}

/* ---- the store ------------------------------------------------------------------ */

struct rec {
	enum sl_wevent_kind kind;
	char liid[32];
	uint32_t version, seq;
	enum sl_warrant_refusal refusal;
};

static struct rec g_ev[64];
static unsigned g_nev;

static void on_event(void *priv, const struct sl_wevent *e)
{
	struct rec *r;

	assert_true(g_nev < 64);
	r = &g_ev[g_nev++];
	memset(r, 0, sizeof(*r));
	r->kind = e->kind;
	r->refusal = e->refusal;
	r->seq = e->hi1_seq;
	if (e->meta) {
		snprintf(r->liid, sizeof(r->liid), "%s", e->meta->liid);
		r->version = e->meta->version;
	}
}

static bool dest_ok(void *priv, const char *dest, const struct sl_authority *a)
{
	/* bka owns bka-lemf, ncsc owns ncsc-lemf */
	return (!strcmp(sl_authority_name(a), "bka") && !strcmp(dest, "bka-lemf")) ||
	       (!strcmp(sl_authority_name(a), "ncsc") && !strcmp(dest, "ncsc-lemf"));
}

static uint64_t wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000;
}

static struct sl_warrants *open_store(struct sl_lawful *law)
{
	char wdir[512], spath[512], err[256];
	struct sl_warrants_cfg cfg = { .auth = g_auth, .n_auth = 2, .num = &g_num, .lawful = law,
				       .dest_ok = dest_ok, .event = on_event, .wall_now = wall };
	struct sl_warrants *ws;

	snprintf(wdir, sizeof(wdir), "%s/warrants", g_dir);
	snprintf(spath, sizeof(spath), "%s/warrants.state", g_dir);
	cfg.dir = wdir;
	cfg.state_path = spath;
	ws = sl_warrants_alloc(g_ctx, &cfg, err, sizeof(err));
	if (!ws)
		fail_msg("%s", err);
	return ws;
}

/* Put a signed document into the warrant directory. */
static void place(const char *name, const uint8_t *p, size_t n)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/warrants/%s", g_dir, name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(p, 1, n, fp), n);
	fclose(fp);
}

static unsigned count(enum sl_wevent_kind k, const char *liid)
{
	unsigned i, c = 0;

	for (i = 0; i < g_nev; i++)
		if (g_ev[i].kind == k && (!liid || !strcmp(g_ev[i].liid, liid)))
			c++;
	return c;
}

static const struct rec *last(enum sl_wevent_kind k)
{
	unsigned i = g_nev;

	while (i--)
		if (g_ev[i].kind == k)
			return &g_ev[i];
	return NULL;
}

static unsigned matches_at(struct sl_lawful *law, uint64_t t)
{
	struct sl_event ev;
	const struct sl_match *m;

	memset(&ev, 0, sizeof(ev));
	ev.type = SL_EV_CALL;
	ev.ts_us = t;
	sl_party_add(&ev.from, SL_ID_SIP_URI, "sip:Alice@example.com");
	return sl_lawful_match(law, &ev, &m);
}

static void test_lifecycle(void **state)
{
	struct sl_lawful *law = sl_lawful_alloc(g_ctx, 10);
	struct sl_warrants *ws = open_store(law);
	struct sl_warrant_info info;
	size_t n;
	uint8_t *p;

	/* v1 from T0+1h to T0+5h, loaded at T0: pending, in the table (events are matched at their own time) */
	g_nev = 0;
	p = signed_warrant("l1v1", "bka-signer", "L1", 1, "bka", "DE", T0 + HOUR, T0 + 5 * HOUR, "bka-lemf", &n);
	place("l1v1.cms", p, n);
	assert_int_equal(sl_warrants_load_dir(ws, T0), 0);
	assert_int_equal(count(SL_WEV_ACCEPTED, "L1"), 1);
	assert_int_equal(count(SL_WEV_ACTIVATED, NULL), 0);
	assert_true(sl_warrants_get(ws, 0, &info));
	assert_int_equal(info.state, SL_WS_PENDING);
	assert_int_equal(matches_at(law, T0 + HOUR - 1), 0);
	assert_int_equal(matches_at(law, T0 + HOUR), 1);

	/* the window opens: liActivated with HI1 sequence number 0 */
	sl_warrants_tick(ws, T0 + HOUR + 1);
	assert_int_equal(count(SL_WEV_ACTIVATED, "L1"), 1);
	assert_int_equal(last(SL_WEV_ACTIVATED)->seq, 0);
	sl_warrants_tick(ws, T0 + 2 * HOUR);
	assert_int_equal(count(SL_WEV_ACTIVATED, "L1"), 1);

	/* loading again changes nothing: the file was seen */
	assert_int_equal(sl_warrants_load_dir(ws, T0 + 2 * HOUR), 0);
	assert_int_equal(count(SL_WEV_ACCEPTED, NULL), 1);

	/* v2, active now: supersedes, and the authority learns liModified (seq 1), not a second liActivated */
	p = signed_warrant("l1v2", "bka-signer", "L1", 2, "bka", "DE", T0, T0 + 6 * HOUR, "bka-lemf", &n);
	place("l1v2.cms", p, n);
	assert_int_equal(sl_warrants_load_dir(ws, T0 + 2 * HOUR), 0);
	assert_int_equal(count(SL_WEV_MODIFIED, "L1"), 1);
	assert_int_equal(last(SL_WEV_MODIFIED)->seq, 1);
	assert_int_equal(count(SL_WEV_ACTIVATED, "L1"), 1);
	assert_int_equal(matches_at(law, T0 + 2 * HOUR), 1);

	/* replays: v1 again under another name; v2 with other content */
	p = signed_warrant("l1v1b", "bka-signer", "L1", 1, "bka", "DE", T0, T0 + 9 * HOUR, "bka-lemf", &n);
	place("l1v1b.cms", p, n);
	p = signed_warrant("l1v2b", "bka-signer", "L1", 2, "bka", "DE", T0, T0 + 9 * HOUR, "bka-lemf", &n);
	place("l1v2b.cms", p, n);
	assert_int_equal(sl_warrants_load_dir(ws, T0 + 2 * HOUR), 2);
	assert_int_equal(count(SL_WEV_REFUSED, NULL), 2);
	assert_int_equal(last(SL_WEV_REFUSED)->refusal, SL_WREF_REPLAY);

	/* another authority cannot take over the LIID, nor send to bka's receiver */
	p = signed_warrant("l1v3n", "ncsc-signer", "L1", 3, "ncsc", "NL", T0, T0 + 9 * HOUR, "ncsc-lemf", &n);
	assert_int_equal(sl_warrants_offer(ws, "l1v3n", p, n, T0 + 2 * HOUR), SL_WREF_AUTHORITY);
	p = signed_warrant("n1", "ncsc-signer", "N1", 1, "ncsc", "NL", T0, T0 + 9 * HOUR, "bka-lemf", &n);
	assert_int_equal(sl_warrants_offer(ws, "n1", p, n, T0 + 2 * HOUR), SL_WREF_DESTINATION);
	/* a warrant that has already ended is refused */
	p = signed_warrant("old", "bka-signer", "L9", 1, "bka", "DE", T0 - 9 * HOUR, T0 - HOUR, "bka-lemf", &n);
	assert_int_equal(sl_warrants_offer(ws, "old", p, n, T0 + 2 * HOUR), SL_WREF_EXPIRED);

	/* revoked: liDeactivated (seq 2), out of the table at once; v2 can never come back */
	{
		char json[512], cms[512];
		size_t rn;
		uint8_t *rp;
		snprintf(json, sizeof(json), "%s/docs/rev.json", g_dir);
		snprintf(cms, sizeof(cms), "%s/docs/rev.cms", g_dir);
		write_revocation(json, "L1", 2, "bka", "DE");
		sign(json, "bka-signer", cms, NULL);
		rp = slurp(cms, &rn);
		place("zz-rev-l1.cms", rp, rn);
		/* ncsc's revocation of bka's LIID is refused */
		write_revocation(json, "L1", 9, "ncsc", "NL");
		sign(json, "ncsc-signer", cms, NULL);
		rp = slurp(cms, &rn);
		assert_int_equal(sl_warrants_offer(ws, "ncsc-rev", rp, rn, T0 + 3 * HOUR), SL_WREF_AUTHORITY);
	}
	assert_int_equal(sl_warrants_load_dir(ws, T0 + 3 * HOUR), 0);
	assert_int_equal(count(SL_WEV_REVOKED_DOC, "L1"), 1);
	assert_int_equal(count(SL_WEV_DEACTIVATED, "L1"), 1);
	assert_int_equal(last(SL_WEV_DEACTIVATED)->seq, 2);
	assert_int_equal(matches_at(law, T0 + 3 * HOUR), 0);
	assert_null(sl_lawful_find(law, "L1"));
	talloc_free(ws);
	talloc_free(law);
}

/* A restart: the state file keeps what the authority was told and the HI1 sequence numbers. */
static void test_restart(void **state)
{
	struct sl_lawful *law = sl_lawful_alloc(g_ctx, 11);
	struct sl_warrants *ws;
	char cmd[600];
	size_t n;
	uint8_t *p;

	snprintf(cmd, sizeof(cmd), "rm -f '%s'/warrants/* '%s'/warrants.state", g_dir, g_dir);
	assert_int_equal(system(cmd), 0);
	ws = open_store(law);
	g_nev = 0;
	p = signed_warrant("r1", "bka-signer", "R1", 1, "bka", "DE", T0, T0 + 5 * HOUR, "bka-lemf", &n);
	place("r1.cms", p, n);
	assert_int_equal(sl_warrants_load_dir(ws, T0 + HOUR), 0);
	assert_int_equal(count(SL_WEV_ACTIVATED, "R1"), 1);
	talloc_free(ws);
	talloc_free(law);

	/* the same directory and state: held again, active, not announced again */
	law = sl_lawful_alloc(g_ctx, 12);
	ws = open_store(law);
	g_nev = 0;
	assert_int_equal(sl_warrants_load_dir(ws, T0 + 2 * HOUR), 0);
	assert_int_equal(count(SL_WEV_ACTIVATED, NULL), 0);
	assert_int_equal(count(SL_WEV_ACCEPTED, NULL), 0);
	assert_int_equal(matches_at(law, T0 + 2 * HOUR), 1);
	/* the end is still announced, and its sequence number follows the activation's */
	sl_warrants_tick(ws, T0 + 6 * HOUR);
	assert_int_equal(count(SL_WEV_DEACTIVATED, "R1"), 1);
	assert_int_equal(last(SL_WEV_DEACTIVATED)->seq, 1);
	talloc_free(ws);
	talloc_free(law);

	/* and once more: expired stays expired, nothing is said */
	law = sl_lawful_alloc(g_ctx, 13);
	ws = open_store(law);
	g_nev = 0;
	assert_int_equal(sl_warrants_load_dir(ws, T0 + 7 * HOUR), 0);
	assert_int_equal(g_nev, 0);
	assert_int_equal(matches_at(law, T0 + 4 * HOUR), 0);
	talloc_free(ws);
	talloc_free(law);
}

/* ---- set-up ---------------------------------------------------------------------- */

static int setup(void **state)
{
	const char *srcdir = getenv("top_srcdir");
	char cmd[1024], pki[300], anchors[400], crl[400], err[256];

	if (!srcdir)
		fail_msg("top_srcdir is not set: run through make check");
	g_ctx = talloc_named_const(NULL, 0, "test_warrant_store");
	snprintf(g_dir, sizeof(g_dir), "%s/test_warrant.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(g_dir))
		fail_msg("mkdtemp: %s", strerror(errno));
	snprintf(pki, sizeof(pki), "%s/pki", g_dir);
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/pki/make_warrant_pki.sh' '%s' && mkdir '%s/docs' '%s/warrants'", srcdir,
		 pki, g_dir, g_dir);
	if (system(cmd) != 0)
		fail_msg("making the test PKI failed (needs the openssl CLI): %s", cmd);
	snprintf(anchors, sizeof(anchors), "%s/bka-ca.crt", pki);
	snprintf(crl, sizeof(crl), "%s/bka.crl", pki);
	g_auth[0] = sl_authority_load(g_ctx, "bka", "DE", anchors, crl, err, sizeof(err));
	if (!g_auth[0])
		fail_msg("%s", err);
	snprintf(anchors, sizeof(anchors), "%s/ncsc-ca.crt", pki);
	g_auth[1] = sl_authority_load(g_ctx, "ncsc", "NL", anchors, NULL, err, sizeof(err));
	if (!g_auth[1])
		fail_msg("%s", err);
	sl_numbering_default(&g_num);
	return 0;
}

static int teardown(void **state)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
	if (system(cmd) != 0)
		return -1;
	talloc_free(g_ctx);
	return 0;
}

static const struct log_info test_log_info = {
	.cat = sl_lawful_log_cats,
	.num_cat = _SL_LAWFUL_LOGC_COUNT,
};

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_restart),
	};
	void *lctx = talloc_named_const(NULL, 0, "log");

	osmo_init_logging2(lctx, &test_log_info);
	log_set_print_category(osmo_stderr_target, 1);
	return cmocka_run_group_tests(tests, setup, teardown);
}
