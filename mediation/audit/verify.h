/*
 * Offline verification of an audit log directory, as a privacy officer
 * or an outside auditor runs it (`sluice audit verify`): one pass over
 * the records recomputing the RFC 6962 tree, every record's framing,
 * canonical form, seq and time order, every checkpoint's signature by the
 * verifier key, that checkpoints only grow in size and time, that each
 * checkpoint's root is the tree at its size, and, given an auditor's
 * earlier checkpoint, that the log still contains that exact tree
 * (consistency proof to the latest checkpoint).
 *
 * Findings are named by enum sl_audit_problem with file, offset and seq;
 * the first 50 of each problem are kept, all are counted.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "mediation/audit/checkpoint.h"
#include "mediation/audit/problem.h"
#include "mediation/audit/reader.h"

struct sl_audit_finding {
	enum sl_audit_problem problem;
	char *file;	/* NULL if not about one file */
	int64_t off;	/* -1 if none */
	int64_t seq;	/* record seq or checkpoint size; -1 if none */
	char *detail;	/* may be NULL */
};

struct sl_audit_verify_opts {
	const char *dir;
	const struct sl_audit_vkey *key;
	bool key_untrusted;		/* the key came from the log directory itself */
	const uint8_t *since;		/* an auditor's earlier signed checkpoint, or NULL */
	size_t since_len;
	const char *since_name;		/* its file name, for messages */
	sl_audit_rec_fn on_record;	/* optional: sees every good record during the pass */
	void *arg;
};

struct sl_audit_verify_res {
	uint64_t records;
	uint64_t checkpoints;		/* entries in checkpoints.log */
	bool have_latest;
	struct sl_audit_ckpt latest;	/* the last valid checkpoint */
	char *latest_note;
	bool since_given, since_ok;
	struct sl_audit_ckpt since;
	unsigned since_proof_len;
	uint8_t root[SL_AUDIT_HASH_LEN];/* tree of all records read */
	uint64_t counts[_SL_AP_COUNT];
	struct sl_audit_finding *findings;
	unsigned nfindings;
	enum sl_audit_severity worst;	/* INFO when nothing worse was found */
	bool any;			/* any finding at all */
};

/* 0 when the pass ran (see res->worst), -errno when it could not start. Allocates on ctx. */
int sl_audit_verify(void *ctx, const struct sl_audit_verify_opts *o, struct sl_audit_verify_res *res);

/*
 * The result as a new JSON object (verify_json.c has the layout); the
 * caller owns the reference. since_file names the auditor's checkpoint.
 */
json_t *sl_audit_verify_json(const struct sl_audit_verify_res *r, const char *key_name, bool key_untrusted,
			     const char *since_file);
