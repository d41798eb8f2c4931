/*
 * A verification result as one JSON object: what `sluice audit verify
 * --format json` prints and what the report renders (render/ takes this
 * object, so it needs nothing of libaudit). Layout, documented in
 * docs/audit.md:
 *   result "verified" | "warnings" | "failed", records, checkpoints,
 *   key, key_untrusted, latest {size, root (base64), time, note},
 *   since {file, size, consistent, proof_hashes}, problems [{name,
 *   severity "ERROR"|"WARNING"|"INFO", description, file?, offset?, seq?,
 *   detail?}], counts {name: n}.
 */
#include "mediation/audit/verify.h"

#include "mediation/audit/b64.h"

static const char *sev_name(enum sl_audit_severity s)
{
	return s == SL_AUDIT_SEV_ERROR ? "ERROR" : s == SL_AUDIT_SEV_WARNING ? "WARNING" : "INFO";
}

json_t *sl_audit_verify_json(const struct sl_audit_verify_res *r, const char *key_name, bool key_untrusted,
			     const char *since_file)
{
	json_t *o = json_object(), *probs = json_array(), *counts = json_object();
	char b64[SL_AUDIT_B64_LEN(SL_AUDIT_HASH_LEN) + 1];
	unsigned i;

	json_object_set_new(o, "result", json_string(r->worst == SL_AUDIT_SEV_ERROR	 ? "failed"
						     : r->worst == SL_AUDIT_SEV_WARNING ? "warnings"
											: "verified"));
	json_object_set_new(o, "records", json_integer((json_int_t)r->records));
	json_object_set_new(o, "checkpoints", json_integer((json_int_t)r->checkpoints));
	json_object_set_new(o, "key", json_string(key_name));
	json_object_set_new(o, "key_untrusted", json_boolean(key_untrusted));
	if (r->have_latest) {
		sl_audit_b64_encode(r->latest.root, SL_AUDIT_HASH_LEN, b64);
		json_object_set_new(o, "latest", json_pack("{s:I,s:s,s:I,s:s}", "size", (json_int_t)r->latest.size, "root",
							   b64, "time", (json_int_t)r->latest.time_us, "note",
							   r->latest_note ? r->latest_note : ""));
	}
	if (r->since_given)
		json_object_set_new(o, "since", json_pack("{s:s,s:I,s:b,s:i}", "file", since_file ? since_file : "",
							  "size", (json_int_t)r->since.size, "consistent", r->since_ok,
							  "proof_hashes", (int)r->since_proof_len));
	for (i = 0; i < r->nfindings; i++) {
		const struct sl_audit_finding *f = &r->findings[i];
		json_t *p = json_pack("{s:s,s:s,s:s}", "name", sl_audit_problem_name(f->problem), "severity",
				      sev_name(sl_audit_problem_severity(f->problem)), "description",
				      sl_audit_problem_desc(f->problem));

		if (f->file)
			json_object_set_new(p, "file", json_string(f->file));
		if (f->off >= 0)
			json_object_set_new(p, "offset", json_integer(f->off));
		if (f->seq >= 0)
			json_object_set_new(p, "seq", json_integer(f->seq));
		if (f->detail)
			json_object_set_new(p, "detail", json_string(f->detail));
		json_array_append_new(probs, p);
	}
	for (i = 0; i < _SL_AP_COUNT; i++)
		if (r->counts[i])
			json_object_set_new(counts, sl_audit_problem_name(i), json_integer((json_int_t)r->counts[i]));
	json_object_set_new(o, "problems", probs);
	json_object_set_new(o, "counts", counts);
	return o;
}
