/*
 * Internals of the audit log writer shared by writer.c (append, commit,
 * checkpoints), recover.c (open), sink.c and audit_osmo.c. Not for use
 * outside mediation/audit/.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <osmocom/core/timer.h>

#include "mediation/audit/audit.h"
#include "mediation/audit/checkpoint.h"
#include "mediation/audit/fileio.h"
#include "mediation/audit/hash.h"
#include "mediation/audit/merkle.h"
#include "mediation/audit/nodes.h"
#include "mediation/audit/note.h"

#define SL_AUDIT_CKL_FILE "checkpoints.log"
#define SL_AUDIT_LATEST_FILE "checkpoint"
#define SL_AUDIT_LOCK_FILE "lock"
#define SL_AUDIT_WBUF (1u << 20)

struct sl_audit_log {
	struct sl_audit_cfg cfg; /* strings are talloc copies */
	struct sl_audit_hasher *h;
	struct sl_audit_skey *key;
	struct sl_audit_recovery rec;
	struct rate_ctr_group *ctrs;

	int dir_fd, lock_fd, seg_fd, ckl_fd;
	char *seg_path;
	uint64_t seg_bytes;	   /* bytes in the segment, counting the unwritten buffer */

	struct sl_audit_frontier tree;
	struct sl_audit_nodes *nodes;	   /* tree.nodes, or NULL */
	struct sl_audit_nodes *recidx;	   /* records.idx, or NULL */
	uint64_t durable;	   /* records fsynced */
	int64_t last_time_us;	   /* time of the last record */

	uint8_t *wbuf;		   /* framed records not yet written */
	size_t wlen;
	int64_t commit_due;	   /* monotonic µs, or -1 */

	uint64_t ckpt_size;	   /* last checkpoint */
	int64_t ckpt_time_us;
	int64_t ckpt_mono;	   /* monotonic time of the last checkpoint (or open) */
	char *ckpt_note;

	pid_t sink_pid;		   /* running sink command, or 0 */
	bool failed;		   /* an I/O error: appends refused until reopened */
	bool closing;

	/* Set by sl_audit_osmo_attach: re-arms its timer when the due time changes
	 * (a pointer, so the writer never calls into audit_osmo.c). */
	void (*reschedule)(struct sl_audit_log *log);
	struct osmo_timer_list timer;
};

int64_t sl_audit_now_real(const struct sl_audit_log *log);
int64_t sl_audit_now_mono(const struct sl_audit_log *log);
void sl_audit_fail(struct sl_audit_log *log, const char *what, int err);
int sl_audit_fsync_dir(struct sl_audit_log *log);

/* sink.c */
void sl_audit_sinks_publish(struct sl_audit_log *log, const char *note, uint64_t size);
/* Reaps the sink command; wait_ms > 0 waits for it that long. */
void sl_audit_sinks_reap(struct sl_audit_log *log, unsigned wait_ms);


/* writer.c, for recover.c: the first segment of a new log; the destructor
 * (best effort, without log.close, as after a crash); the counter group. */
int sl_audit_start_segment(struct sl_audit_log *log);
int sl_audit_log_destroy(struct sl_audit_log *log);
struct rate_ctr_group *sl_audit_ctrs_alloc(void *ctx);

/* recover.c */
int sl_audit_recover(struct sl_audit_log *log, char **err, void *err_ctx);
