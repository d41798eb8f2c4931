/*
 * Everything a reader of an audit log can find wrong with it, each with a
 * stable name (docs/audit.md lists them; scripts match on them) and a
 * severity. The log reader, the writer's recovery and `sluice audit
 * verify` all report through these, so one damaged byte is described the
 * same way wherever it is met.
 */
#pragma once

enum sl_audit_severity {
	SL_AUDIT_SEV_INFO,	/* worth knowing; the log verifies */
	SL_AUDIT_SEV_WARNING,	/* a crash artefact or an unknown-but-harmless thing */
	SL_AUDIT_SEV_ERROR,	/* the history cannot be trusted as given */
};

enum sl_audit_problem {
	SL_AP_IO,		 /* a file could not be opened or read */
	SL_AP_SEG_NONE,		 /* no segment files at all */
	SL_AP_SEG_NAME,		 /* a segment's name disagrees with its header */
	SL_AP_SEG_HEADER,	 /* a segment header is short or has the wrong magic */
	SL_AP_SEG_GAP,		 /* a segment does not start where the previous ended */
	SL_AP_REC_TORN,		 /* a partial record at the end of the last segment (crash) */
	SL_AP_REC_FRAME,	 /* a record length out of range or past the end, not at the tail */
	SL_AP_REC_CHECK,	 /* a record's 4-byte check does not match its bytes */
	SL_AP_REC_CANON,	 /* a record is not in canonical form */
	SL_AP_REC_FIELDS,	 /* seq, time, kind, actor or fields missing or mistyped */
	SL_AP_REC_SEQ,		 /* seq is not the record's position in the log */
	SL_AP_REC_TIME,		 /* time earlier than the previous record's */
	SL_AP_REC_CATALOGUE,	 /* kind or field unknown to this version, or mistyped */
	SL_AP_CP_TORN,		 /* a partial checkpoint at the end of checkpoints.log (crash) */
	SL_AP_CP_FRAME,		 /* checkpoints.log framing or check damaged */
	SL_AP_CP_SYNTAX,	 /* not a signed note holding a tlog-checkpoint */
	SL_AP_CP_ORIGIN,	 /* origin differs from the verifier key's log */
	SL_AP_CP_UNSIGNED,	 /* no signature by the verifier key */
	SL_AP_CP_SIGNATURE,	 /* a signature by the verifier key that does not verify */
	SL_AP_CP_SIZE_BACK,	 /* tree size smaller than the previous checkpoint's */
	SL_AP_CP_TIME_BACK,	 /* time earlier than the previous checkpoint's */
	SL_AP_CP_TIME_RECORD,	 /* time earlier than the last record it covers */
	SL_AP_CP_FORK,		 /* two checkpoints of one size with different roots */
	SL_AP_CP_BEYOND,	 /* covers more records than the log holds */
	SL_AP_CP_ROOT,		 /* root differs from the tree of the log at that size */
	SL_AP_CP_NONE,		 /* no checkpoint at all */
	SL_AP_CP_LATEST,	 /* the "checkpoint" file is not the last of checkpoints.log */
	SL_AP_CP_UNCOVERED,	 /* records after the last checkpoint (not yet signed) */
	SL_AP_KEY_UNTRUSTED,	 /* verified with the key found in the log directory */
	SL_AP_SINCE_SYNTAX,	 /* the auditor's checkpoint does not parse */
	SL_AP_SINCE_SIGNATURE,	 /* the auditor's checkpoint is not signed by the key */
	SL_AP_SINCE_BEYOND,	 /* the log is shorter than the auditor's checkpoint */
	SL_AP_SINCE_ROOT,	 /* the log's tree at that size is not the auditor's */
	SL_AP_SINCE_CONSISTENCY, /* no consistency proof from the auditor's to the latest checkpoint */
	_SL_AP_COUNT
};

const char *sl_audit_problem_name(enum sl_audit_problem p);
const char *sl_audit_problem_desc(enum sl_audit_problem p);
enum sl_audit_severity sl_audit_problem_severity(enum sl_audit_problem p);
