/*
 * The JetStream export's pending batches in the consent database and
 * their exactly-once accounting (consent_js_pending.h, docs/exports.md
 * "Accounting"). The row's subjects column is a JSON array, one object
 * per subject: "p" its pseudonym (as the audit record lists it), "s" its
 * identity for the ledger (null if none), "c" the consent record id found
 * when the batch was written (null if none), "n" its records.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <sqlite3.h>
#include <talloc.h>

#include "mediation/audit/audit.h"
#include "mediation/audit/hash.h"
#include "mediation/audit/reader.h"
#include "mediation/audit/record.h"
#include "mediation/consent/consent_export.h"
#include "mediation/consent/consent_js_pending.h"
#include "mediation/consent/consent_ledger.h"
#include "mediation/consent/consent_store_int.h"
#include "util/pread_full.h"

#define PENDING_COLS "recipient, seg, off, len, records, batch_id, segment, digest, subjects, audit_seq, time"

static json_t *subjects_json(struct sl_consent_store *s, const struct sl_cx_batch *b, enum sl_consent_purpose purpose)
{
	json_t *a = json_array();
	unsigned i;

	for (i = 0; a && i < b->n_subjects; i++) {
		const char *ident = b->identities ? b->identities[i] : NULL;
		struct sl_consent_subject subj;
		char id[SL_CONSENT_ID_MAX + 1];
		bool found = ident && sl_consent_subject_parse(ident, &subj) == 0 &&
			     sl_consent_store_find(s, &subj, b->recipient, purpose, id, NULL) == 0;
		json_t *o = json_pack("{s:s,s:s?,s:s?,s:I}", "p", b->subjects[i], "s", ident, "c", found ? id : NULL,
				      "n", (json_int_t)(b->counts ? b->counts[i] : 0));

		if (!o || json_array_append_new(a, o) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* Deletes the rows of recipient at keys, in the open transaction. 0 or -EIO. */
static int remove_keys(struct sl_consent_store *s, const char *recipient, const struct sl_cx_pending_key *keys,
		       unsigned n)
{
	sqlite3_stmt *q = NULL;
	unsigned i;
	int rc = 0;

	if (!n)
		return 0;
	if (sqlite3_prepare_v2(s->db, "DELETE FROM js_pending WHERE recipient = ?1 AND seg = ?2 AND off = ?3", -1, &q,
			       NULL) != SQLITE_OK)
		return -EIO;
	for (i = 0; !rc && i < n; i++) {
		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, recipient, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, keys[i].seg);
		sqlite3_bind_int64(q, 3, (sqlite3_int64)keys[i].off);
		if (sqlite3_step(q) != SQLITE_DONE)
			rc = -EIO;
	}
	sqlite3_finalize(q);
	return rc;
}

int sl_cx_pending_remove_many(struct sl_consent_store *s, const char *recipient, const struct sl_cx_pending_key *keys,
			      unsigned n)
{
	int rc;

	if (!n)
		return 0;
	rc = sl_consent_store_begin(s, NULL);
	if (rc)
		return rc;
	rc = remove_keys(s, recipient, keys, n);
	if (rc) {
		sl_consent_store_rollback(s);
		return rc;
	}
	return sl_consent_store_commit(s, NULL);
}

int sl_cx_pending_add(struct sl_consent_store *s, const struct sl_cx_batch *b, enum sl_consent_purpose purpose,
		      int64_t time_us, char **err)
{
	return sl_cx_pending_add_removing(s, b, purpose, time_us, NULL, 0, err);
}

int sl_cx_pending_add_removing(struct sl_consent_store *s, const struct sl_cx_batch *b, enum sl_consent_purpose purpose,
			       int64_t time_us, const struct sl_cx_pending_key *done, unsigned n_done, char **err)
{
	sqlite3_stmt *q = NULL;
	json_t *subj;
	char *text = NULL;
	int rc = sl_consent_store_begin(s, err);

	if (rc)
		return rc;
	if (remove_keys(s, b->recipient, done, n_done) < 0) {
		sl_cs_dberr(s, "pending batches done", err);
		sl_consent_store_rollback(s);
		return -EIO;
	}
	subj = subjects_json(s, b, purpose);
	text = subj ? json_dumps(subj, JSON_COMPACT) : NULL;
	json_decref(subj);
	if (!text) {
		sl_consent_store_rollback(s);
		return -ENOMEM;
	}
	if (sqlite3_prepare_v2(s->db, "INSERT INTO js_pending(" PENDING_COLS ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, "
				      "?8, ?9, NULL, ?10)", -1, &q, NULL) != SQLITE_OK) {
		rc = sl_cs_dberr(s, "pending batch", err);
	} else {
		sqlite3_bind_text(q, 1, b->recipient, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, b->seg_no);
		sqlite3_bind_int64(q, 3, (sqlite3_int64)b->offset);
		sqlite3_bind_int64(q, 4, (sqlite3_int64)b->len);
		sqlite3_bind_int64(q, 5, b->records);
		sqlite3_bind_text(q, 6, b->batch_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 7, b->segment, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 8, b->digest, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 9, text, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 10, time_us);
		if (sqlite3_step(q) != SQLITE_DONE)
			rc = sl_cs_dberr(s, "pending batch", err);
	}
	sqlite3_finalize(q);
	free(text);
	if (rc) {
		sl_consent_store_rollback(s);
		return rc;
	}
	return sl_consent_store_commit(s, err);
}

int sl_cx_pending_remove(struct sl_consent_store *s, const char *recipient, unsigned seg, uint64_t off)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, "DELETE FROM js_pending WHERE recipient = ?1 AND seg = ?2 AND off = ?3", -1, &q,
			       NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(q, 1, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, seg);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)off);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int sl_cx_pending_count(struct sl_consent_store *s, const char *recipient, unsigned *n)
{
	sqlite3_stmt *q = NULL;
	int rc;

	*n = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM js_pending WHERE recipient = ?1", -1, &q, NULL) !=
	    SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(q, 1, recipient, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*n = (unsigned)sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return rc == SQLITE_ROW ? 0 : -EIO;
}

static const char *col(sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);

	return t ? (const char *)t : "";
}

/* The row at q's current position as a new pending batch on ctx, or NULL. */
static struct sl_cx_pending *row(void *ctx, sqlite3_stmt *q)
{
	struct sl_cx_pending *p = talloc_zero(ctx, struct sl_cx_pending);
	const char **subj, **ids, **cids;
	unsigned *counts, i, n;
	json_t *a, *e;

	if (!p)
		return NULL;
	a = json_loads(col(q, 8), 0, NULL);
	n = json_is_array(a) ? (unsigned)json_array_size(a) : 0;
	subj = talloc_zero_array(p, const char *, n + 1);
	ids = talloc_zero_array(p, const char *, n + 1);
	cids = talloc_zero_array(p, const char *, n + 1);
	counts = talloc_zero_array(p, unsigned, n + 1);
	if (!json_is_array(a) || n > SL_CX_BATCH_SUBJECTS_MAX || !subj || !ids || !cids || !counts) {
		json_decref(a);
		talloc_free(p);
		return NULL;
	}
	json_array_foreach(a, i, e) {
		const char *pv = json_string_value(json_object_get(e, "p"));
		const char *sv = json_string_value(json_object_get(e, "s"));
		const char *cv = json_string_value(json_object_get(e, "c"));

		subj[i] = talloc_strdup(p, pv ? pv : "");
		ids[i] = sv ? talloc_strdup(p, sv) : NULL;
		cids[i] = cv ? talloc_strdup(p, cv) : NULL;
		counts[i] = (unsigned)json_integer_value(json_object_get(e, "n"));
	}
	json_decref(a);
	p->b.recipient = talloc_strdup(p, col(q, 0));
	p->b.seg_no = (unsigned)sqlite3_column_int64(q, 1);
	p->b.offset = (uint64_t)sqlite3_column_int64(q, 2);
	p->b.len = (uint64_t)sqlite3_column_int64(q, 3);
	p->b.records = (unsigned)sqlite3_column_int64(q, 4);
	p->b.batch_id = talloc_strdup(p, col(q, 5));
	p->b.segment = talloc_strdup(p, col(q, 6));
	p->b.digest = talloc_strdup(p, col(q, 7));
	p->b.subjects = subj;
	p->b.identities = ids;
	p->b.counts = counts;
	p->b.n_subjects = n;
	p->consent_ids = cids;
	p->credited = sqlite3_column_type(q, 9) != SQLITE_NULL;
	p->audit_seq = p->credited ? sqlite3_column_int64(q, 9) : -1;
	p->time_us = sqlite3_column_int64(q, 10);
	return p;
}

int sl_cx_pending_first(struct sl_consent_store *s, void *ctx, const char *recipient, unsigned seg, uint64_t end,
			struct sl_cx_pending **out)
{
	return sl_cx_pending_first_after(s, ctx, recipient, seg, end, NULL, out);
}

int sl_cx_pending_first_after(struct sl_consent_store *s, void *ctx, const char *recipient, unsigned seg,
			      uint64_t end, const struct sl_cx_pending_key *after, struct sl_cx_pending **out)
{
	sqlite3_stmt *q = NULL;
	int rc;

	*out = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT " PENDING_COLS " FROM js_pending WHERE recipient = ?1 AND (seg < ?2 OR "
				      "(seg = ?2 AND off + len <= ?3)) AND (seg > ?4 OR (seg = ?4 AND off > ?5)) "
				      "ORDER BY seg, off LIMIT 1", -1, &q, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(q, 1, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, seg);
	sqlite3_bind_int64(q, 3, end > INT64_MAX ? INT64_MAX : (sqlite3_int64)end);
	sqlite3_bind_int64(q, 4, after ? (sqlite3_int64)after->seg : -1);
	sqlite3_bind_int64(q, 5, after ? (sqlite3_int64)after->off : -1);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && !(*out = row(ctx, q)))
		rc = SQLITE_NOMEM;
	sqlite3_finalize(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : rc == SQLITE_NOMEM ? -ENOMEM : -EIO;
}

int sl_cx_pending_foreach(struct sl_consent_store *s, const char *recipient,
			  int (*fn)(void *data, struct sl_cx_pending *p), void *data)
{
	sqlite3_stmt *q = NULL;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT " PENDING_COLS " FROM js_pending WHERE recipient = ?1 ORDER BY seg, off",
			       -1, &q, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(q, 1, recipient, -1, SQLITE_STATIC);
	while (!ret && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct sl_cx_pending *p = row(NULL, q);

		ret = p ? fn(data, p) : -ENOMEM;
		talloc_free(p);
	}
	if (!ret && rc != SQLITE_DONE)
		ret = -EIO;
	sqlite3_finalize(q);
	return ret;
}

json_t *sl_cx_batch_audit_fields(const struct sl_cx_batch *b, enum sl_consent_purpose purpose)
{
	json_t *f, *subjects = json_array();
	bool pseudonyms = true;
	unsigned i;

	for (i = 0; subjects && i < b->n_subjects; i++) {
		if (strncmp(b->subjects[i], "hmac-sha256:", 12))
			pseudonyms = false;
		json_array_append_new(subjects, json_string(b->subjects[i]));
	}
	f = json_pack("{s:s,s:s,s:I,s:s,s:s,s:s,s:I,s:I}", "recipient", b->recipient, "batch_id", b->batch_id,
		      "records", (json_int_t)b->records, "digest", b->digest, "purpose", sl_consent_purpose_names[purpose],
		      "segment", b->segment, "offset", (json_int_t)b->offset, "length", (json_int_t)b->len);
	/* subjects only as audit pseudonyms (audit-pseudonym-key); without the key they are left out */
	if (f && subjects && pseudonyms && b->n_subjects)
		json_object_set(f, "subjects", subjects);
	json_decref(subjects);
	return f;
}

static int set_audit_seq(struct sl_consent_store *s, const struct sl_cx_pending *p, int64_t seq)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, "UPDATE js_pending SET audit_seq = ?4 WHERE recipient = ?1 AND seg = ?2 AND "
				      "off = ?3", -1, &q, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(q, 1, p->b.recipient, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, p->b.seg_no);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)p->b.offset);
	sqlite3_bind_int64(q, 4, seq);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE && sqlite3_changes(s->db) == 1 ? 0 : -EIO;
}

int sl_cx_pending_credit(struct sl_consent_store *s, struct sl_cx_pending *p, uint64_t price_micro, int64_t audit_seq, struct sl_cx_pending_result *res)
{
	unsigned i;
	int rc = sl_consent_store_begin(s, NULL);

	if (rc)
		return rc;
	for (i = 0; !p->credited && i < p->b.n_subjects; i++) {
		struct sl_consent_subject subj;
		uint64_t n = p->b.counts[i];
		int r = -ENOENT;

		if (p->b.identities[i] && p->consent_ids[i] && sl_consent_subject_parse(p->b.identities[i], &subj) == 0)
			r = sl_consent_ledger_credit(s, &subj, p->b.recipient, p->consent_ids[i], n,
						     (int64_t)(n * price_micro), p->time_us);
		if (r == -EIO) {
			rc = r;
			break;
		}
		if (r < 0)
			res->lost++;
		else
			res->credited++;
	}
	if (!rc)
		rc = set_audit_seq(s, p, audit_seq);
	if (rc) {
		sl_consent_store_rollback(s);
		return rc;
	}
	rc = sl_consent_store_commit(s, NULL);
	if (!rc) {
		p->credited = true;
		p->audit_seq = audit_seq;
	}
	return rc;
}

int sl_cx_pending_audit(struct sl_audit_log *log, const struct sl_cx_pending *p, enum sl_consent_purpose purpose)
{
	struct sl_audit_actor actor = { .type = "system", .id = "sluiced consent export" };
	json_t *f = sl_cx_batch_audit_fields(&p->b, purpose);
	const char *why;
	int64_t seq;
	int rc = -EINVAL;

	if (f && sl_audit_fields_check("export.batch", f, &why)) {
		seq = sl_audit_append(log, "export.batch", &actor, f, 0);
		rc = seq < 0 ? (int)seq : sl_audit_commit(log);
		if (!rc && seq != p->audit_seq)
			rc = -ESTALE; /* cannot happen: nothing appends between steps 1 and 2 */
	}
	json_decref(f);
	return rc;
}

int sl_cx_pending_audited(struct sl_audit_log *log, const struct sl_cx_pending *p)
{
	void *tmp = talloc_new(NULL);
	struct sl_audit_hasher *h = tmp ? sl_audit_hasher_new(tmp) : NULL;
	uint8_t *data = NULL, leaf[SL_AUDIT_HASH_LEN];
	json_t *rec = NULL, *f;
	size_t len = 0;
	int rc;

	if (!h) {
		talloc_free(tmp);
		return -ENOMEM;
	}
	if (p->audit_seq < 0 || (uint64_t)p->audit_seq >= sl_audit_durable_size(log)) {
		talloc_free(tmp);
		return 0;
	}
	rc = sl_audit_read_one(tmp, h, sl_audit_dir(log), (uint64_t)p->audit_seq, &data, &len, leaf);
	if (rc == -ENOENT) {
		talloc_free(tmp);
		return 0;
	}
	if (!rc)
		rc = (rec = json_loadb((const char *)data, len, 0, NULL)) ? 0 : -EBADMSG;
	if (!rc) {
		f = json_object_get(rec, "fields");
		rc = json_is_string(json_object_get(rec, "kind")) &&
		     !strcmp(json_string_value(json_object_get(rec, "kind")), "export.batch") &&
		     json_is_string(json_object_get(f, "recipient")) &&
		     !strcmp(json_string_value(json_object_get(f, "recipient")), p->b.recipient) &&
		     json_is_string(json_object_get(f, "segment")) &&
		     !strcmp(json_string_value(json_object_get(f, "segment")), p->b.segment) &&
		     json_integer_value(json_object_get(f, "offset")) == (json_int_t)p->b.offset;
	}
	json_decref(rec);
	talloc_free(tmp);
	return rc;
}

int sl_cx_pending_account(struct sl_consent_store *s, struct sl_audit_log *log, struct sl_cx_pending *p,
			  enum sl_consent_purpose purpose, uint64_t price_micro, struct sl_cx_pending_result *res)
{
	int rc = sl_cx_pending_settle(s, log, p, purpose, price_micro, res);

	return rc ? rc : sl_cx_pending_remove(s, p->b.recipient, p->b.seg_no, p->b.offset);
}

int sl_cx_pending_settle(struct sl_consent_store *s, struct sl_audit_log *log, struct sl_cx_pending *p,
			 enum sl_consent_purpose purpose, uint64_t price_micro, struct sl_cx_pending_result *res)
{
	int rc;

	memset(res, 0, sizeof(*res));
	if (p->credited && log && p->audit_seq >= 0) {
		rc = sl_cx_pending_audited(log, p);
		if (rc < 0)
			return rc;
		res->already_audited = rc == 1;
	}
	if (!res->already_audited && (!p->credited || log)) {
		/* step 1 (credits only if not yet done), or a new audit_seq for a record a crash lost */
		rc = sl_cx_pending_credit(s, p, price_micro, log ? (int64_t)sl_audit_size(log) : -1, res);
		if (rc)
			return rc;
		if (log) {
			rc = sl_cx_pending_audit(log, p, purpose);
			if (rc)
				return rc;
			res->audited = true;
		}
	}
	return 0;
}

int sl_cx_pending_in_outbox(const char *dir, const struct sl_cx_pending *p)
{
	char *path = talloc_asprintf(NULL, "%s/%s", dir, p->b.segment);
	unsigned char md[32];
	char hex[72];
	EVP_MD_CTX *c;
	uint64_t done = 0;
	unsigned mdlen = 0;
	int fd = path ? open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
	int rc = 0;

	talloc_free(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno; /* no segment: not there; unreadable: not known */
	c = EVP_MD_CTX_new();
	if (!c || !EVP_DigestInit_ex(c, EVP_sha256(), NULL))
		rc = -EIO;
	while (!rc && done < p->b.len) {
		char buf[65536];
		size_t want = p->b.len - done < sizeof(buf) ? (size_t)(p->b.len - done) : sizeof(buf);
		ssize_t n = sl_pread_full(fd, buf, want, p->b.offset + done);

		if (n < 0)
			rc = (int)n;	/* a read error is not a short file */
		else if (n == 0)
			break;		/* short: the batch is not all there */
		else if (!EVP_DigestUpdate(c, buf, (size_t)n))
			rc = -EIO;
		else
			done += (uint64_t)n;
	}
	close(fd);
	if (!rc && done == p->b.len && EVP_DigestFinal_ex(c, md, &mdlen) && mdlen == 32) {
		sl_cx_digest_text(md, hex);
		rc = !strcmp(hex, p->b.digest);
	}
	EVP_MD_CTX_free(c);
	return rc;
}
