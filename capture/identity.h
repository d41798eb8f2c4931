/*
 * Subscriber identities, normalised once at capture time.
 *
 * Targets are matched and consents are looked up by identity, so every
 * identity a packet yields is reduced to one canonical text per type here,
 * before anything else sees it: a SIP URI loses its display name, port,
 * parameters and letter case of scheme and host ("sip:alice@example.com");
 * telephone numbers from tel: URIs and numeric SIP user parts become E.164
 * ("+4930123456") under the configured national numbering rules, or stay a
 * bare number when no rule qualifies them; IMS identities derived from an
 * IMSI (TS 23.003 clause 13.3) yield the IMSI; a device instance URN
 * (urn:gsma:imei, RFC 7254) yields the IMEI.
 *
 * Identities are fixed-size values so events carry them without allocation.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/str.h"

#define SL_ID_MAX 256		/* longest identity text kept, with NUL (a host name alone may take 253) */
#define SL_PARTY_MAX_IDS 6

enum sl_id_type {
	SL_ID_NONE = 0,
	SL_ID_SIP_URI,		/* "sip:user@host" (sips folded into sip) */
	SL_ID_E164,		/* "+<cc><number>" */
	SL_ID_NUMBER,		/* digits that no numbering rule could qualify */
	SL_ID_IMSI,		/* 14-15 digits */
	SL_ID_IMEI,		/* 15 digits (14 + check/spare digit) */
	SL_ID_TMSI,		/* 8 lower-case hex digits: a GSM temporary identity, meaningful per network */
	_SL_ID_TYPE_COUNT
};

extern const char *const sl_id_type_names[_SL_ID_TYPE_COUNT];

struct sl_identity {
	uint8_t type;		/* enum sl_id_type */
	char value[SL_ID_MAX];
};

/* The identities known for one party of a communication. */
struct sl_party {
	unsigned n;
	struct sl_identity id[SL_PARTY_MAX_IDS];
};

/* National numbering rules used to qualify numbers as E.164. */
struct sl_numbering {
	char country_code[6];		/* "49"; empty: national numbers stay SL_ID_NUMBER */
	char national_prefix[6];	/* trunk prefix, "0" */
	char international_prefix[6];	/* "00" */
	bool numeric_user_is_phone;	/* treat all-digit SIP user parts as numbers, not only user=phone */
};

void sl_numbering_default(struct sl_numbering *n);

/* Add an identity to a party unless an equal one is there or the party is full. */
bool sl_party_add(struct sl_party *p, enum sl_id_type type, const char *value);
bool sl_party_has(const struct sl_party *p, enum sl_id_type type, const char *value);
const struct sl_identity *sl_party_first(const struct sl_party *p, enum sl_id_type type);

/*
 * Qualify a dialled or presented number: strips RFC 3966 visual separators,
 * applies the international and national prefix rules. Returns false when
 * the text is not a telephone number.
 */
bool sl_number_normalise(const struct sl_numbering *n, struct sl_str digits, struct sl_identity *out);

/* Add the identities a URI (sip/sips/tel) yields to a party. */
void sl_party_add_uri(struct sl_party *p, const struct sl_numbering *n, struct sl_str uri);

/* Add the IMSI an IMS private identity or IMSI-derived public identity carries (user@ims.mncX.mccY.3gppnetwork.org). */
bool sl_party_add_ims_nai(struct sl_party *p, struct sl_str user, struct sl_str host);

/* Add the IMEI from a +sip.instance="<urn:gsma:imei:...>" parameter list. */
bool sl_party_add_instance_imei(struct sl_party *p, struct sl_str params);
