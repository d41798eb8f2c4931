/*
 * Internals shared by the store's files: the connection and its cached
 * statements (consent_store.c), the writers (consent_store_write.c) and
 * the readers (consent_store_read.c). Not for use outside the store.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "mediation/consent/consent_store.h"

#define STORE_MAX_STMTS 32

struct sl_consent_store {
	sqlite3 *db;
	char *path;
	struct sl_consent_hooks hooks;
	bool in_txn;		/* a write transaction is open */
	bool own_txn;		/* ... opened by the current operation, not by begin() */
	uint64_t txn_gen;	/* generation of the open write transaction */
	uint64_t local_commits; /* write transactions this connection committed */
	bool ledger_ready;	/* the ledger table is known to exist (cleared by a rollback, which may undo it) */
	struct {
		const char *sql; /* compared by address: callers pass literals */
		sqlite3_stmt *st;
	} stmts[STORE_MAX_STMTS];
	unsigned n_stmts;
};

/* A cached, reset statement for sql (a string literal), or NULL with *err. */
sqlite3_stmt *sl_cs_stmt(struct sl_consent_store *s, const char *sql, char **err);
/* Sets *err to "PATH: what: sqlite message" and returns -EIO. */
int sl_cs_dberr(struct sl_consent_store *s, const char *what, char **err);
/* Opens a write transaction unless one is open (then the operation joins it). 0 or -errno. */
int sl_cs_op_begin(struct sl_consent_store *s, char **err);
/* Ends an operation: commits (rc == 0) or rolls back (rc < 0) a transaction it opened. Returns rc or commit's. */
int sl_cs_op_end(struct sl_consent_store *s, int rc, char **err);

/* Reads the record at the current row of a statement selecting CS_RECORD_COLS. 0 or -EIO. */
#define CS_RECORD_COLS                                                                                                \
	"id, subject_type, subject, controller, recipient, purpose, categories, legal_basis, status, valid_from, "     \
	"valid_until, collection_method, notice_version, notice_language"
int sl_cs_row_record(struct sl_consent_store *s, sqlite3_stmt *st, struct sl_consent_record *r, char **err);
/* Loads r's history (talloc child of ctx). 0 or -EIO. */
int sl_cs_load_history(struct sl_consent_store *s, void *ctx, struct sl_consent_record *r, char **err);
