/*
 * The `consent` node of sluiced (docs/consent.md, "In the daemon"):
 * the registry database, the pseudonym keys and one `recipient NAME`
 * sub-node per data recipient with its purpose, the categories it
 * receives, its location granularity and time bucket, its export
 * directory and batching, its price per record (kept for the value
 * ledger) and its aggregate release policy (aggregate-* commands: grid,
 * bucket, lateness, k, epsilon, budget, output directory). Configuration
 * only: daemon_consent.c runs it.
 *
 * Node numbers: SL_AUTHORITY_NODE + 10 and + 11, clear of the nodes of
 * other daemon files (audit + 1, metrics + 2, the consent API's node).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/utils.h>
#include <osmocom/vty/command.h>
#include <osmocom/vty/vty.h>
#include <talloc.h>

#include "mediation/consent/aggregate_stream.h"
#include "mediation/consent/consent_minimise.h"
#include "mediation/consent/consent_record.h"
#include "src/daemon_consent.h"
#include "src/daemon_ho.h"

enum { SL_CONSENT_NODE = SL_AUTHORITY_NODE + 10, SL_RECIPIENT_NODE };

static struct sl_daemon_consent_cfg *g_cc;
static void *g_ctx;

static struct cmd_node consent_node = { .node = SL_CONSENT_NODE, .prompt = "%s(config-consent)# ", .vtysh = 1 };
static struct cmd_node recipient_node = { .node = SL_RECIPIENT_NODE, .prompt = "%s(config-consent-recipient)# ",
					  .vtysh = 1 };

static bool arg_u64(struct vty *vty, const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v > max || s[0] == '-') {
		vty_out(vty, "%% '%s' is not a number from 0 to %llu%s", s, (unsigned long long)max, VTY_NEWLINE);
		return false;
	}
	*out = v;
	return true;
}

DEFUN(cfg_consent, cfg_consent_cmd, "consent", "Configure the consented-data path (docs/consent.md)\n")
{
	g_cc->configured = true;
	vty->node = SL_CONSENT_NODE;
	return CMD_SUCCESS;
}

/* A setting of the consent configuration that is one string (a file), kept in g_cc->field. */
#define CONSENT_STRING_CMD(fn, cmdstr, help, field)                                                             \
	DEFUN(fn, fn##_cmd, cmdstr, help)                                                                       \
	{                                                                                                       \
		osmo_talloc_replace_string(g_ctx, &g_cc->field, argv[0]);                                       \
		return CMD_SUCCESS;                                                                             \
	}

/* A setting that is one number within the range its command string gives. */
#define CONSENT_UINT_CMD(fn, cmdstr, help, field)                                                               \
	DEFUN(fn, fn##_cmd, cmdstr, help)                                                                       \
	{                                                                                                       \
		g_cc->field = (unsigned)strtoul(argv[0], NULL, 10);                                             \
		return CMD_SUCCESS;                                                                             \
	}

CONSENT_STRING_CMD(cfg_consent_db, "database PATH",
		   "The consent registry (SQLite, as written by sluice consent)\n" "File\n", database)
CONSENT_STRING_CMD(cfg_consent_pkey, "pseudonym-key FILE",
		   "Master key of recipient pseudonyms (64 hex digits, mode 0600)\n" "File\n", pseudonym_key)
CONSENT_STRING_CMD(cfg_consent_apkey, "audit-pseudonym-key FILE",
		   "Key of subject pseudonyms in export.batch audit records (sluice audit keygen --pseudonym-key)\n"
		   "File\n",
		   audit_pseudonym_key)
CONSENT_UINT_CMD(cfg_consent_epoch, "pseudonym-epoch-days <1-3650>",
		 "Rotation period of recipient pseudonyms\n" "Days (default 30)\n", epoch_days)

DEFUN(cfg_recipient, cfg_recipient_cmd, "recipient NAME", "A data recipient\n" "Its name, as in consent records\n")
{
	struct sl_daemon_consent_recipient_cfg *r = NULL;
	unsigned i;

	if (!sl_consent_token_valid(argv[0], SL_CONSENT_NAME_MAX)) {
		vty_out(vty, "%% recipient names are 1..64 of A-Z a-z 0-9 . _ : -%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	for (i = 0; i < g_cc->n_rec; i++)
		if (!strcmp(g_cc->rec[i].name, argv[0]))
			r = &g_cc->rec[i];
	if (!r) {
		if (g_cc->n_rec == SL_DAEMON_CONSENT_MAX_RECIPIENTS) {
			vty_out(vty, "%% at most %d recipients%s", SL_DAEMON_CONSENT_MAX_RECIPIENTS, VTY_NEWLINE);
			return CMD_WARNING;
		}
		r = &g_cc->rec[g_cc->n_rec++];
		memset(r, 0, sizeof(*r));
		r->name = talloc_strdup(g_ctx, argv[0]);
		r->purpose = -1;
		r->location = SL_CX_LOC_AREA;
		r->time_bucket_s = 900;
		r->batch_records = 1000;
		r->batch_seconds = 60;
		r->rotate_mb = 64;
		r->rotate_seconds = 3600;
		r->agg_bucket_s = 3600;
		r->agg_lateness_s = 300;
		r->agg_max_obs = SL_AGG_STREAM_MAX_OBS_DEFAULT;
		r->agg_k = 20;
		r->agg_window_s = 86400;
	}
	vty->index = r;
	vty->node = SL_RECIPIENT_NODE;
	return CMD_SUCCESS;
}

DEFUN(cfg_rec_purpose, cfg_rec_purpose_cmd, "purpose CODE", "Purpose the data is for\n" "DPV code (dpv:Marketing, ...)\n")
{
	struct sl_daemon_consent_recipient_cfg *r = vty->index;
	int p = sl_consent_name_find(sl_consent_purpose_names, _SL_CONSENT_P_COUNT, argv[0]);

	if (p < 0) {
		vty_out(vty, "%% unknown purpose '%s' (docs/consent.md lists them)%s", argv[0], VTY_NEWLINE);
		return CMD_WARNING;
	}
	r->purpose = p;
	return CMD_SUCCESS;
}

DEFUN(cfg_rec_cats, cfg_rec_cats_cmd, "categories .LIST",
      "Data categories it receives (content is never one)\n"
      "call-metadata, messaging-metadata, location, device\n")
{
	struct sl_daemon_consent_recipient_cfg *r = vty->index;
	uint32_t bits = 0;
	int i, c;

	for (i = 0; i < argc; i++) {
		c = sl_consent_name_find(sl_consent_category_names, _SL_CONSENT_CAT_COUNT, argv[i]);
		if (c < 0 || !(SL_CONSENT_CATS_COVERABLE & SL_CONSENT_CAT_BIT(c))) {
			vty_out(vty, "%% '%s' is not a category a recipient can receive%s", argv[i], VTY_NEWLINE);
			return CMD_WARNING;
		}
		bits |= SL_CONSENT_CAT_BIT(c);
	}
	r->categories = bits;
	return CMD_SUCCESS;
}

DEFUN(cfg_rec_loc, cfg_rec_loc_cmd, "location-granularity (cell|area|none)",
      "How precisely locations flow\n" "The cell\n" "The tracking or location area (cell identity dropped)\n"
      "No location\n")
{
	struct sl_daemon_consent_recipient_cfg *r = vty->index;

	r->location = sl_consent_name_find(sl_cx_granularity_names, _SL_CX_LOC_COUNT, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_rec_bucket, cfg_rec_bucket_cmd, "time-bucket-seconds <1-86400>",
      "Times are rounded down to a multiple of this\n" "Seconds (default 900)\n")
{
	((struct sl_daemon_consent_recipient_cfg *)vty->index)->time_bucket_s = (unsigned)strtoul(argv[0], NULL, 10);
	return CMD_SUCCESS;
}

DEFUN(cfg_rec_dir, cfg_rec_dir_cmd, "export-directory PATH", "Where its JSON Lines segments go\n" "Directory\n")
{
	struct sl_daemon_consent_recipient_cfg *r = vty->index;

	osmo_talloc_replace_string(g_ctx, &r->export_dir, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_rec_price, cfg_rec_price_cmd, "price-per-record MICROUNITS",
      "Price per exported record, for the value ledger (stored only)\n" "Millionths of the currency unit\n")
{
	struct sl_daemon_consent_recipient_cfg *r = vty->index;

	return arg_u64(vty, argv[0], UINT64_C(1000000000000000), &r->price_micro) ? CMD_SUCCESS : CMD_WARNING;
}

DEFUN(cfg_rec_batch, cfg_rec_batch_cmd, "batch records <1-1000000> seconds <1-86400>",
      "When a batch closes\n" "At this many records\n" "Records (default 1000)\n"
      "Or this long after its first record\n" "Seconds (default 60)\n")
{
	struct sl_daemon_consent_recipient_cfg *r = vty->index;

	r->batch_records = (unsigned)strtoul(argv[0], NULL, 10);
	r->batch_seconds = (unsigned)strtoul(argv[1], NULL, 10);
	return CMD_SUCCESS;
}

DEFUN(cfg_rec_rotate, cfg_rec_rotate_cmd, "rotate megabytes <1-65536> seconds <1-604800>",
      "When a segment file is closed and the next begun\n" "Before it would pass this size\n" "MiB (default 64)\n"
      "Or this long after its first batch\n" "Seconds (default 3600)\n")
{
	struct sl_daemon_consent_recipient_cfg *r = vty->index;

	r->rotate_mb = strtoul(argv[0], NULL, 10);
	r->rotate_seconds = (unsigned)strtoul(argv[1], NULL, 10);
	return CMD_SUCCESS;
}

/* A decimal epsilon with at most six places, 0 to 100, in millionths. */
static bool arg_epsilon(struct vty *vty, const char *s, uint64_t *out)
{
	uint64_t whole = 0, frac = 0;
	unsigned places = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9' && whole <= 100; p++)
		whole = whole * 10 + (uint64_t)(*p - '0');
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9' && places < 6; p++, places++)
			frac = frac * 10 + (uint64_t)(*p - '0');
	for (; places < 6; places++)
		frac *= 10;
	if (p == s || *p || s[0] == '.' || whole * 1000000 + frac > 100000000) {
		vty_out(vty, "%% '%s' is not an epsilon from 0 to 100 with at most six decimals%s", s, VTY_NEWLINE);
		return false;
	}
	*out = whole * 1000000 + frac;
	return true;
}

#define REC ((struct sl_daemon_consent_recipient_cfg *)vty->index)

DEFUN(cfg_rec_agg_dir, cfg_rec_agg_dir_cmd, "aggregate-directory PATH",
      "Write aggregate releases (one JSON file per released time bucket) here; enables them\n" "Directory\n")
{
	osmo_talloc_replace_string(g_ctx, &REC->agg_dir, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_rec_agg_bucket, cfg_rec_agg_bucket_cmd, "aggregate-bucket-seconds <60-2678400>",
      "Time bucket of aggregate releases: one release per bucket\n" "Seconds, whole minutes (default 3600)\n")
{
	unsigned v = (unsigned)strtoul(argv[0], NULL, 10);

	if (v % 60) {
		vty_out(vty, "%% the bucket must be whole minutes%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	REC->agg_bucket_s = v;
	return CMD_SUCCESS;
}

DEFUN(cfg_rec_agg_late, cfg_rec_agg_late_cmd, "aggregate-lateness-seconds <0-86400>",
      "A bucket is released once packet time is this far past its end\n" "Seconds (default 300)\n")
{
	REC->agg_lateness_s = (unsigned)strtoul(argv[0], NULL, 10);
	return CMD_SUCCESS;
}

DEFUN(cfg_rec_agg_max_obs, cfg_rec_agg_max_obs_cmd, "aggregate-max-observations <1-100000000>",
      "Observations held per open time bucket; past it they are dropped and counted\n"
      "Observations (default 1000000, 32 bytes each)\n")
{
	REC->agg_max_obs = (unsigned)strtoul(argv[0], NULL, 10);
	return CMD_SUCCESS;
}

DEFUN(cfg_rec_agg_k, cfg_rec_agg_k_cmd, "aggregate-k <2-1000000>",
      "Cells with fewer distinct subscribers are suppressed\n" "k (default 20)\n")
{
	REC->agg_k = (unsigned)strtoul(argv[0], NULL, 10);
	return CMD_SUCCESS;
}

DEFUN(cfg_rec_agg_eps, cfg_rec_agg_eps_cmd, "aggregate-epsilon EPSILON",
      "Discrete Laplace noise per release\n" "Epsilon, 0 (no noise) to 100 (default 0)\n")
{
	return arg_epsilon(vty, argv[0], &REC->agg_epsilon_micro) ? CMD_SUCCESS : CMD_WARNING;
}

DEFUN(cfg_rec_agg_budget, cfg_rec_agg_budget_cmd, "aggregate-budget EPSILON window-seconds <60-31622400>",
      "Privacy budget: total epsilon of the releases in one window\n" "Epsilon (default 0: no noisy release)\n"
      "Window length\n" "Seconds (default 86400)\n")
{
	if (!arg_epsilon(vty, argv[0], &REC->agg_budget_micro))
		return CMD_WARNING;
	REC->agg_window_s = (unsigned)strtoul(argv[1], NULL, 10);
	return CMD_SUCCESS;
}

DEFUN(cfg_rec_agg_plmn, cfg_rec_agg_plmn_cmd, "aggregate-plmn MCCMNC",
      "Areas counted belong to this network\n" "MCC and MNC, 5 or 6 digits\n")
{
	size_t n = strlen(argv[0]);

	if ((n != 5 && n != 6) || strspn(argv[0], "0123456789") != n) {
		vty_out(vty, "%% MCC and MNC are 5 or 6 digits%s", VTY_NEWLINE);
		return CMD_WARNING;
	}
	osmo_talloc_replace_string(g_ctx, &REC->agg_plmn, argv[0]);
	return CMD_SUCCESS;
}

DEFUN(cfg_rec_agg_area, cfg_rec_agg_area_cmd, "aggregate-area <0-65535>",
      "An area of the release grid (cells: area, bucket, category)\n" "TAC or LAC\n")
{
	struct sl_daemon_consent_recipient_cfg *r = REC;
	uint32_t a = (uint32_t)strtoul(argv[0], NULL, 10), *p;
	unsigned i, j;

	for (i = 0; i < r->n_agg_areas && r->agg_areas[i] < a; i++)
		;
	if (i < r->n_agg_areas && r->agg_areas[i] == a)
		return CMD_SUCCESS;
	p = talloc_realloc(g_ctx, r->agg_areas, uint32_t, r->n_agg_areas + 1);
	if (!p)
		return CMD_WARNING;
	for (j = r->n_agg_areas; j > i; j--)
		p[j] = p[j - 1];
	p[i] = a;
	r->agg_areas = p;
	r->n_agg_areas++;
	return CMD_SUCCESS;
}

DEFUN(cfg_rec_agg_price, cfg_rec_agg_price_cmd, "aggregate-price-per-release MICROUNITS",
      "Price of one published release, shared in the value ledger among the subscribers of its released cells\n"
      "Millionths of the currency unit\n")
{
	return arg_u64(vty, argv[0], UINT64_C(1000000000000000), &REC->agg_price_micro) ? CMD_SUCCESS : CMD_WARNING;
}

static void write_aggregate(struct vty *vty, const struct sl_daemon_consent_recipient_cfg *r)
{
	unsigned i;

	if (!r->agg_dir)
		return;
	vty_out(vty, "  aggregate-directory %s%s", r->agg_dir, VTY_NEWLINE);
	vty_out(vty, "  aggregate-bucket-seconds %u%s", r->agg_bucket_s, VTY_NEWLINE);
	vty_out(vty, "  aggregate-lateness-seconds %u%s", r->agg_lateness_s, VTY_NEWLINE);
	vty_out(vty, "  aggregate-max-observations %u%s", r->agg_max_obs, VTY_NEWLINE);
	vty_out(vty, "  aggregate-k %u%s", r->agg_k, VTY_NEWLINE);
	vty_out(vty, "  aggregate-epsilon %llu.%06llu%s", (unsigned long long)(r->agg_epsilon_micro / 1000000),
		(unsigned long long)(r->agg_epsilon_micro % 1000000), VTY_NEWLINE);
	vty_out(vty, "  aggregate-budget %llu.%06llu window-seconds %u%s",
		(unsigned long long)(r->agg_budget_micro / 1000000), (unsigned long long)(r->agg_budget_micro % 1000000),
		r->agg_window_s, VTY_NEWLINE);
	if (r->agg_plmn)
		vty_out(vty, "  aggregate-plmn %s%s", r->agg_plmn, VTY_NEWLINE);
	for (i = 0; i < r->n_agg_areas; i++)
		vty_out(vty, "  aggregate-area %u%s", r->agg_areas[i], VTY_NEWLINE);
	vty_out(vty, "  aggregate-price-per-release %llu%s", (unsigned long long)r->agg_price_micro, VTY_NEWLINE);
}

/* JetStream (docs/exports.md): every recipient's export is also published there when a url is set. */
#define JS_STR "Also publish every recipient's export to NATS JetStream (docs/exports.md)\n"

CONSENT_STRING_CMD(cfg_js_url, "jetstream url URL",
		   JS_STR "The broker(s)\n" "nats://HOST:PORT or tls://HOST:PORT, comma-separated for a cluster\n",
		   js.url)
CONSENT_STRING_CMD(cfg_js_stream, "jetstream stream NAME",
		   JS_STR "The stream (created if missing)\n" "Name (default SLUICE_EXPORT)\n", js.stream)
CONSENT_STRING_CMD(cfg_js_prefix, "jetstream subject-prefix PREFIX",
		   JS_STR "Subjects are PREFIX.RECIPIENT\n" "Dot-separated tokens (default sluice.export)\n",
		   js.subject_prefix)
CONSENT_STRING_CMD(cfg_js_gw, "jetstream gateway-id NAME",
		   JS_STR "First token of message ids: distinct per gateway sharing a stream\n" "Name (default sluice)\n",
		   js.gateway_id)
CONSENT_STRING_CMD(cfg_js_creds, "jetstream credentials FILE",
		   JS_STR "User credentials (JWT and NKey seed, a .creds file)\n" "File\n", js.creds_file)
CONSENT_STRING_CMD(cfg_js_ca, "jetstream tls ca FILE",
		   JS_STR "TLS to the broker\n" "Require TLS, verifying the broker against these CAs\n" "PEM file\n",
		   js.tls_ca)

CONSENT_STRING_CMD(cfg_js_vname, "jetstream tls verify-name NAME",
		   JS_STR "TLS to the broker\n"
		   "Name the broker's certificate must carry, instead of the URL's host\n" "DNS name or IP address\n",
		   js.tls_verify_name)

DEFUN(cfg_js_cert, cfg_js_cert_cmd, "jetstream tls certificate FILE key FILE",
      JS_STR "TLS to the broker\n" "Client certificate (chain)\n" "PEM file\n" "Its private key\n" "PEM file\n")
{
	osmo_talloc_replace_string(g_ctx, &g_cc->js.tls_cert, argv[0]);
	osmo_talloc_replace_string(g_ctx, &g_cc->js.tls_key, argv[1]);
	return CMD_SUCCESS;
}

CONSENT_UINT_CMD(cfg_js_dup, "jetstream duplicate-window-seconds <1-604800>",
		 JS_STR "Duplicate window of a stream sluiced creates\n" "Seconds (default 600)\n", js.dup_window_s)

DEFUN(cfg_js_pending, cfg_js_pending_cmd, "jetstream max-pending <1-1000000>",
      JS_STR "Bound on publishes in flight\n" "Unacknowledged publishes at once (default 4096)\n")
{
	g_cc->js.max_pending = (unsigned)strtoul(argv[0], NULL, 10);
	return CMD_SUCCESS;
}

/* The former bound on batches kept in memory: pending batches are in the database now; accepted, no effect. */
DEFUN(cfg_js_pending_old, cfg_js_pending_old_cmd, "jetstream max-pending <1-1000000> batches <1-1000000>",
      JS_STR "Bound on publishes in flight\n" "Unacknowledged publishes at once (default 4096)\n"
      "Obsolete: pending batches are kept in the consent database, not in memory (ignored)\n" "Ignored\n")
{
	g_cc->js.max_pending = (unsigned)strtoul(argv[0], NULL, 10);
	return CMD_SUCCESS;
}

CONSENT_UINT_CMD(cfg_js_ackwait, "jetstream ack-wait-seconds <1-300>",
		 JS_STR "Wait for a chunk's acknowledgements before publishing it again\n" "Seconds (default 5)\n",
		 js.ack_wait_s)

CONSENT_UINT_CMD(cfg_js_drain, "jetstream drain-seconds <0-3600>",
		 JS_STR "At stop, wait this long for outstanding acknowledgements\n" "Seconds (default 10)\n",
		 js.drain_s)

static void write_js(struct vty *vty, const struct sl_daemon_consent_js_cfg *j)
{
	if (!j->url)
		return;
	vty_out(vty, " jetstream url %s%s", j->url, VTY_NEWLINE);
	vty_out(vty, " jetstream stream %s%s", j->stream, VTY_NEWLINE);
	vty_out(vty, " jetstream subject-prefix %s%s", j->subject_prefix, VTY_NEWLINE);
	vty_out(vty, " jetstream gateway-id %s%s", j->gateway_id, VTY_NEWLINE);
	if (j->creds_file)
		vty_out(vty, " jetstream credentials %s%s", j->creds_file, VTY_NEWLINE);
	if (j->tls_ca)
		vty_out(vty, " jetstream tls ca %s%s", j->tls_ca, VTY_NEWLINE);
	if (j->tls_cert)
		vty_out(vty, " jetstream tls certificate %s key %s%s", j->tls_cert, j->tls_key, VTY_NEWLINE);
	if (j->tls_verify_name)
		vty_out(vty, " jetstream tls verify-name %s%s", j->tls_verify_name, VTY_NEWLINE);
	vty_out(vty, " jetstream duplicate-window-seconds %u%s", j->dup_window_s, VTY_NEWLINE);
	vty_out(vty, " jetstream max-pending %u%s", j->max_pending, VTY_NEWLINE);
	vty_out(vty, " jetstream ack-wait-seconds %u%s", j->ack_wait_s, VTY_NEWLINE);
	vty_out(vty, " jetstream drain-seconds %u%s", j->drain_s, VTY_NEWLINE);
}

static int write_consent(struct vty *vty)
{
	unsigned i, c;

	if (!g_cc->configured)
		return CMD_SUCCESS;
	vty_out(vty, "consent%s", VTY_NEWLINE);
	if (g_cc->database)
		vty_out(vty, " database %s%s", g_cc->database, VTY_NEWLINE);
	if (g_cc->pseudonym_key)
		vty_out(vty, " pseudonym-key %s%s", g_cc->pseudonym_key, VTY_NEWLINE);
	if (g_cc->audit_pseudonym_key)
		vty_out(vty, " audit-pseudonym-key %s%s", g_cc->audit_pseudonym_key, VTY_NEWLINE);
	vty_out(vty, " pseudonym-epoch-days %u%s", g_cc->epoch_days, VTY_NEWLINE);
	write_js(vty, &g_cc->js);
	for (i = 0; i < g_cc->n_rec; i++) {
		const struct sl_daemon_consent_recipient_cfg *r = &g_cc->rec[i];

		vty_out(vty, " recipient %s%s", r->name, VTY_NEWLINE);
		if (r->purpose >= 0)
			vty_out(vty, "  purpose %s%s", sl_consent_purpose_names[r->purpose], VTY_NEWLINE);
		if (r->categories) {
			vty_out(vty, "  categories");
			for (c = 0; c < _SL_CONSENT_CAT_COUNT; c++)
				if (r->categories & SL_CONSENT_CAT_BIT(c))
					vty_out(vty, " %s", sl_consent_category_names[c]);
			vty_out(vty, "%s", VTY_NEWLINE);
		}
		vty_out(vty, "  location-granularity %s%s", sl_cx_granularity_names[r->location], VTY_NEWLINE);
		vty_out(vty, "  time-bucket-seconds %u%s", r->time_bucket_s, VTY_NEWLINE);
		if (r->export_dir)
			vty_out(vty, "  export-directory %s%s", r->export_dir, VTY_NEWLINE);
		vty_out(vty, "  price-per-record %llu%s", (unsigned long long)r->price_micro, VTY_NEWLINE);
		vty_out(vty, "  batch records %u seconds %u%s", r->batch_records, r->batch_seconds, VTY_NEWLINE);
		vty_out(vty, "  rotate megabytes %llu seconds %u%s", (unsigned long long)r->rotate_mb, r->rotate_seconds,
			VTY_NEWLINE);
		write_aggregate(vty, r);
	}
	return CMD_SUCCESS;
}

static int write_recipient(struct vty *vty)
{
	return CMD_SUCCESS; /* written by write_consent */
}

void sl_daemon_consent_vty_init(struct sl_daemon_consent_cfg *cfg, void *ctx)
{
	g_cc = cfg;
	g_ctx = ctx;
	cfg->epoch_days = 30;
	cfg->js.stream = talloc_strdup(ctx, "SLUICE_EXPORT");
	cfg->js.subject_prefix = talloc_strdup(ctx, "sluice.export");
	cfg->js.gateway_id = talloc_strdup(ctx, "sluice");
	cfg->js.dup_window_s = 600;
	cfg->js.max_pending = 4096;
	cfg->js.ack_wait_s = 5;
	cfg->js.drain_s = 10;
	install_element(CONFIG_NODE, &cfg_consent_cmd);
	install_node(&consent_node, write_consent);
	install_element(SL_CONSENT_NODE, &cfg_consent_db_cmd);
	install_element(SL_CONSENT_NODE, &cfg_consent_pkey_cmd);
	install_element(SL_CONSENT_NODE, &cfg_consent_apkey_cmd);
	install_element(SL_CONSENT_NODE, &cfg_consent_epoch_cmd);
	install_element(SL_CONSENT_NODE, &cfg_recipient_cmd);
	install_element(SL_CONSENT_NODE, &cfg_js_url_cmd);
	install_element(SL_CONSENT_NODE, &cfg_js_stream_cmd);
	install_element(SL_CONSENT_NODE, &cfg_js_prefix_cmd);
	install_element(SL_CONSENT_NODE, &cfg_js_gw_cmd);
	install_element(SL_CONSENT_NODE, &cfg_js_creds_cmd);
	install_element(SL_CONSENT_NODE, &cfg_js_ca_cmd);
	install_element(SL_CONSENT_NODE, &cfg_js_cert_cmd);
	install_element(SL_CONSENT_NODE, &cfg_js_vname_cmd);
	install_element(SL_CONSENT_NODE, &cfg_js_dup_cmd);
	install_element(SL_CONSENT_NODE, &cfg_js_pending_cmd);
	install_element(SL_CONSENT_NODE, &cfg_js_pending_old_cmd);
	install_element(SL_CONSENT_NODE, &cfg_js_ackwait_cmd);
	install_element(SL_CONSENT_NODE, &cfg_js_drain_cmd);
	install_node(&recipient_node, write_recipient);
	install_element(SL_RECIPIENT_NODE, &cfg_rec_purpose_cmd);
	install_element(SL_RECIPIENT_NODE, &cfg_rec_cats_cmd);
	install_element(SL_RECIPIENT_NODE, &cfg_rec_loc_cmd);
	install_element(SL_RECIPIENT_NODE, &cfg_rec_bucket_cmd);
	install_element(SL_RECIPIENT_NODE, &cfg_rec_dir_cmd);
	install_element(SL_RECIPIENT_NODE, &cfg_rec_price_cmd);
	install_element(SL_RECIPIENT_NODE, &cfg_rec_batch_cmd);
	install_element(SL_RECIPIENT_NODE, &cfg_rec_rotate_cmd);
	install_element(SL_RECIPIENT_NODE, &cfg_rec_agg_dir_cmd);
	install_element(SL_RECIPIENT_NODE, &cfg_rec_agg_bucket_cmd);
	install_element(SL_RECIPIENT_NODE, &cfg_rec_agg_late_cmd);
	install_element(SL_RECIPIENT_NODE, &cfg_rec_agg_max_obs_cmd);
	install_element(SL_RECIPIENT_NODE, &cfg_rec_agg_k_cmd);
	install_element(SL_RECIPIENT_NODE, &cfg_rec_agg_eps_cmd);
	install_element(SL_RECIPIENT_NODE, &cfg_rec_agg_budget_cmd);
	install_element(SL_RECIPIENT_NODE, &cfg_rec_agg_plmn_cmd);
	install_element(SL_RECIPIENT_NODE, &cfg_rec_agg_area_cmd);
	install_element(SL_RECIPIENT_NODE, &cfg_rec_agg_price_cmd);
	sl_audit_vty_wrap(&consent_node);
	sl_audit_vty_wrap(&recipient_node);
}
