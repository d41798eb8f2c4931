/*
 * The consent record: what one data subject agreed to (or refused) for one
 * recipient and one purpose, shaped after ISO/IEC TS 27560 and the Kantara
 * consent receipt, with purposes, legal bases and statuses named as in the
 * W3C Data Privacy Vocabulary (docs/consent.md lists every code).
 *
 * Every enumerated field is a closed list with a name table here, so the
 * JSON parser, the SQLite store and the documentation agree on one
 * spelling; every string field has a bound and a character class checked
 * by sl_consent_record_check(). A record is a plain value (fixed-size
 * buffers, no pointers but the history array, which is a talloc child of
 * whoever owns the record), so the store and the index can copy it.
 *
 * Categories are a bitset of the metadata a record may cover. Content
 * (message text, media) has a category number so that callers can ask
 * about it, but no record may cover it and the policy refuses it whatever
 * a record says.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds on every string (bytes, without the NUL). */
#define SL_CONSENT_ID_MAX 64
#define SL_CONSENT_NAME_MAX 64	   /* controller, recipient */
#define SL_CONSENT_NOTICE_MAX 32   /* notice version */
#define SL_CONSENT_LANG_MAX 16	   /* notice language, BCP 47 subset */
#define SL_CONSENT_SUBJECT_MAX 16  /* "+" and 15 digits */
#define SL_CONSENT_HISTORY_MAX 256 /* status changes kept per record */

enum sl_consent_subject_type {
	SL_CONSENT_SUBJ_MSISDN, /* "+" then 6..15 digits (E.164) */
	SL_CONSENT_SUBJ_IMSI,	/* 6..15 digits */
	_SL_CONSENT_SUBJ_COUNT
};

struct sl_consent_subject {
	enum sl_consent_subject_type type;
	char value[SL_CONSENT_SUBJECT_MAX + 1];
};

/* Purposes: a closed subset of DPV purposes (docs/consent.md). */
enum sl_consent_purpose {
	SL_CONSENT_P_SERVICE_PROVISION,
	SL_CONSENT_P_SERVICE_OPTIMISATION,
	SL_CONSENT_P_MARKETING,
	SL_CONSENT_P_PERSONALISED_ADVERTISING,
	SL_CONSENT_P_RESEARCH_AND_DEVELOPMENT,
	SL_CONSENT_P_COMMERCIAL_RESEARCH,
	SL_CONSENT_P_ACADEMIC_RESEARCH,
	SL_CONSENT_P_FRAUD_PREVENTION,
	_SL_CONSENT_P_COUNT
};

/* Data categories. CONTENT is never coverable (see above). */
enum sl_consent_category {
	SL_CONSENT_CAT_CALL_METADATA,
	SL_CONSENT_CAT_MESSAGING_METADATA,
	SL_CONSENT_CAT_LOCATION,
	SL_CONSENT_CAT_DEVICE,
	SL_CONSENT_CAT_CONTENT,
	_SL_CONSENT_CAT_COUNT
};
#define SL_CONSENT_CAT_BIT(c) (1u << (c))
/* The categories a record may cover. */
#define SL_CONSENT_CATS_COVERABLE                                                                                     \
	(SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_CALL_METADATA) | SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_MESSAGING_METADATA) |    \
	 SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_LOCATION) | SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_DEVICE))

enum sl_consent_legal_basis {
	SL_CONSENT_LB_CONSENT,		     /* dpv:Consent */
	SL_CONSENT_LB_EXPLICIT_CONSENT,	     /* dpv:ExplicitlyExpressedConsent */
	SL_CONSENT_LB_CONTRACT,		     /* dpv:Contract */
	SL_CONSENT_LB_LEGITIMATE_INTEREST,   /* dpv:LegitimateInterest */
	_SL_CONSENT_LB_COUNT
};

enum sl_consent_status {
	SL_CONSENT_GIVEN,	/* dpv:ConsentGiven */
	SL_CONSENT_REFUSED,	/* dpv:ConsentRefused */
	SL_CONSENT_WITHDRAWN,	/* dpv:ConsentWithdrawn */
	SL_CONSENT_EXPIRED,	/* dpv:ConsentExpired */
	SL_CONSENT_INVALIDATED, /* dpv:ConsentInvalidated */
	_SL_CONSENT_STATUS_COUNT
};

enum sl_consent_method {
	SL_CONSENT_M_APP,
	SL_CONSENT_M_WEB,
	SL_CONSENT_M_SMS,
	SL_CONSENT_M_VOICE,
	SL_CONSENT_M_IN_PERSON,
	SL_CONSENT_M_PAPER,
	_SL_CONSENT_M_COUNT
};

/* One status change: the record entered status at time_us. */
struct sl_consent_change_ev {
	enum sl_consent_status status;
	int64_t time_us;
};

struct sl_consent_record {
	char id[SL_CONSENT_ID_MAX + 1];
	struct sl_consent_subject subject;
	char controller[SL_CONSENT_NAME_MAX + 1];
	char recipient[SL_CONSENT_NAME_MAX + 1];
	enum sl_consent_purpose purpose;
	uint32_t categories; /* SL_CONSENT_CAT_BIT()s, within SL_CONSENT_CATS_COVERABLE, not 0 */
	enum sl_consent_legal_basis legal_basis;
	enum sl_consent_status status; /* equals the last history entry's */
	int64_t valid_from_us;	       /* UTC microseconds, inclusive */
	int64_t valid_until_us;	       /* exclusive, > valid_from_us */
	enum sl_consent_method method;
	char notice_version[SL_CONSENT_NOTICE_MAX + 1];
	char notice_language[SL_CONSENT_LANG_MAX + 1];
	struct sl_consent_change_ev *history; /* talloc array, n_history entries, times not decreasing */
	unsigned n_history;
};

/* Name tables, indexed by the enums above (the spelling used in JSON, SQLite and docs). */
extern const char *const sl_consent_subject_type_names[_SL_CONSENT_SUBJ_COUNT];
extern const char *const sl_consent_purpose_names[_SL_CONSENT_P_COUNT];
extern const char *const sl_consent_category_names[_SL_CONSENT_CAT_COUNT];
extern const char *const sl_consent_legal_basis_names[_SL_CONSENT_LB_COUNT];
extern const char *const sl_consent_status_names[_SL_CONSENT_STATUS_COUNT];
extern const char *const sl_consent_method_names[_SL_CONSENT_M_COUNT];

/* Index of name in a table of n names, or -1. */
int sl_consent_name_find(const char *const *table, unsigned n, const char *name);

/*
 * Checks one string field: 1..max bytes of [A-Za-z0-9._:-] (ids, names,
 * notice versions). false if empty, too long or another byte.
 */
bool sl_consent_token_valid(const char *s, size_t max);
/* "en", "de-CH": 2..3 lowercase letters, then optional "-" and 2..8 letters or digits. */
bool sl_consent_lang_valid(const char *s);

/*
 * Parses "msisdn:+4917..." or "imsi:26201..." into *out. 0 or -EINVAL.
 * Also used for the value alone by sl_consent_subject_set().
 */
int sl_consent_subject_parse(const char *s, struct sl_consent_subject *out);
/* Sets *out from type and value, checking the value's syntax. 0 or -EINVAL. */
int sl_consent_subject_set(struct sl_consent_subject *out, enum sl_consent_subject_type type, const char *value);

/*
 * Checks a whole record (every field's syntax, valid_from < valid_until,
 * categories coverable and not empty, history not empty, ordered and ending
 * in status). 0, or -EINVAL with *field set to the offending field's JSON
 * name and *why to a static reason.
 */
int sl_consent_record_check(const struct sl_consent_record *r, const char **field, const char **why);

/* Appends a status change to r's history (a talloc child of hctx) and sets r->status. 0, -ENOMEM, -E2BIG. */
int sl_consent_record_push(void *hctx, struct sl_consent_record *r, enum sl_consent_status st, int64_t time_us);
