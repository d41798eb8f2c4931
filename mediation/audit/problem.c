/* Names, descriptions and severities of audit log problems (see problem.h). */
#include "mediation/audit/problem.h"

static const struct {
	const char *name;
	enum sl_audit_severity sev;
	const char *desc;
} table[_SL_AP_COUNT] = {
	[SL_AP_IO] = { "io", SL_AUDIT_SEV_ERROR, "a file could not be opened or read" },
	[SL_AP_SEG_NONE] = { "segment.none", SL_AUDIT_SEV_ERROR, "no segment files in the log directory" },
	[SL_AP_SEG_NAME] = { "segment.name", SL_AUDIT_SEV_ERROR, "segment file name disagrees with its header" },
	[SL_AP_SEG_HEADER] = { "segment.header", SL_AUDIT_SEV_ERROR, "segment header short or wrong magic" },
	[SL_AP_SEG_GAP] = { "segment.gap", SL_AUDIT_SEV_ERROR,
			    "segment does not start where the previous one ended (missing or extra records)" },
	[SL_AP_REC_TORN] = { "record.torn", SL_AUDIT_SEV_WARNING,
			     "partial record at the end of the last segment (interrupted append); the writer cuts it" },
	[SL_AP_REC_FRAME] = { "record.frame", SL_AUDIT_SEV_ERROR,
			      "record length out of range or past the end of the segment, with records after it" },
	[SL_AP_REC_CHECK] = { "record.check", SL_AUDIT_SEV_ERROR, "record bytes do not match their 4-byte check" },
	[SL_AP_REC_CANON] = { "record.noncanonical", SL_AUDIT_SEV_ERROR, "record is not in canonical form" },
	[SL_AP_REC_FIELDS] = { "record.fields", SL_AUDIT_SEV_ERROR,
			       "record lacks seq, time, kind, actor or fields, or one has the wrong type" },
	[SL_AP_REC_SEQ] = { "record.seq", SL_AUDIT_SEV_ERROR, "record seq is not its position in the log" },
	[SL_AP_REC_TIME] = { "record.time_backwards", SL_AUDIT_SEV_ERROR,
			     "record time earlier than the previous record's" },
	[SL_AP_REC_CATALOGUE] = { "record.catalogue", SL_AUDIT_SEV_WARNING,
				  "record kind or field unknown to this version, or of the wrong type" },
	[SL_AP_CP_TORN] = { "checkpoint.torn", SL_AUDIT_SEV_WARNING,
			    "partial checkpoint at the end of checkpoints.log (interrupted write)" },
	[SL_AP_CP_FRAME] = { "checkpoint.frame", SL_AUDIT_SEV_ERROR, "checkpoints.log framing or check damaged" },
	[SL_AP_CP_SYNTAX] = { "checkpoint.syntax", SL_AUDIT_SEV_ERROR,
			      "not a signed note holding a tlog-checkpoint" },
	[SL_AP_CP_ORIGIN] = { "checkpoint.origin", SL_AUDIT_SEV_ERROR, "checkpoint origin is not the key's log" },
	[SL_AP_CP_UNSIGNED] = { "checkpoint.unsigned", SL_AUDIT_SEV_ERROR, "checkpoint has no signature by the key" },
	[SL_AP_CP_SIGNATURE] = { "checkpoint.signature", SL_AUDIT_SEV_ERROR,
				 "checkpoint signature by the key does not verify" },
	[SL_AP_CP_SIZE_BACK] = { "checkpoint.size_backwards", SL_AUDIT_SEV_ERROR,
				 "checkpoint tree size smaller than the previous checkpoint's" },
	[SL_AP_CP_TIME_BACK] = { "checkpoint.time_backwards", SL_AUDIT_SEV_ERROR,
				 "checkpoint time earlier than the previous checkpoint's" },
	[SL_AP_CP_TIME_RECORD] = { "checkpoint.time_before_record", SL_AUDIT_SEV_ERROR,
				   "checkpoint time earlier than the last record it covers" },
	[SL_AP_CP_FORK] = { "checkpoint.fork", SL_AUDIT_SEV_ERROR,
			    "two checkpoints of the same size with different roots" },
	[SL_AP_CP_BEYOND] = { "checkpoint.beyond_log", SL_AUDIT_SEV_ERROR,
			      "checkpoint covers more records than the log holds (records removed)" },
	[SL_AP_CP_ROOT] = { "checkpoint.root", SL_AUDIT_SEV_ERROR,
			    "checkpoint root differs from the tree of the log at that size (records changed)" },
	[SL_AP_CP_NONE] = { "checkpoint.none", SL_AUDIT_SEV_WARNING, "no checkpoint: nothing in the log is signed" },
	[SL_AP_CP_LATEST] = { "checkpoint.latest", SL_AUDIT_SEV_WARNING,
			      "the checkpoint file is not the last entry of checkpoints.log" },
	[SL_AP_CP_UNCOVERED] = { "checkpoint.uncovered", SL_AUDIT_SEV_INFO,
				 "records after the last checkpoint are not signed yet" },
	[SL_AP_KEY_UNTRUSTED] = { "key.untrusted", SL_AUDIT_SEV_WARNING,
				  "verified with the key from the log directory, not one the auditor holds" },
	[SL_AP_SINCE_SYNTAX] = { "since.syntax", SL_AUDIT_SEV_ERROR, "the auditor's checkpoint does not parse" },
	[SL_AP_SINCE_SIGNATURE] = { "since.signature", SL_AUDIT_SEV_ERROR,
				    "the auditor's checkpoint is not validly signed by the key" },
	[SL_AP_SINCE_BEYOND] = { "since.beyond_log", SL_AUDIT_SEV_ERROR,
				 "the log holds fewer records than the auditor's checkpoint (history cut)" },
	[SL_AP_SINCE_ROOT] = { "since.root", SL_AUDIT_SEV_ERROR,
			       "the log's tree at the auditor's size differs from the auditor's root (history rewritten)" },
	[SL_AP_SINCE_CONSISTENCY] = { "since.consistency", SL_AUDIT_SEV_ERROR,
				      "no valid consistency proof from the auditor's checkpoint to the latest one" },
};

const char *sl_audit_problem_name(enum sl_audit_problem p)
{
	return (unsigned)p < _SL_AP_COUNT ? table[p].name : "unknown";
}

const char *sl_audit_problem_desc(enum sl_audit_problem p)
{
	return (unsigned)p < _SL_AP_COUNT ? table[p].desc : "unknown problem";
}

enum sl_audit_severity sl_audit_problem_severity(enum sl_audit_problem p)
{
	return (unsigned)p < _SL_AP_COUNT ? table[p].sev : SL_AUDIT_SEV_ERROR;
}
