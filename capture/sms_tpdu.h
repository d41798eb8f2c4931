/*
 * SMS transfer layer PDUs (3GPP TS 23.040 clause 9.2.2): SMS-SUBMIT from
 * the phone, SMS-DELIVER and SMS-STATUS-REPORT towards it, with the
 * parameters of clause 9.2.3 a mediation function reports: the other
 * party's address, message reference, protocol identifier, data coding
 * scheme (TS 23.038 clause 4) reduced to its alphabet, the service-centre
 * time stamp, user data length, and the concatenation information element
 * of the user data header (clause 9.2.3.24.1 and .24.8).
 *
 * The user data itself is content, not metadata: the decoder leaves it as
 * a sub-cursor, and sl_sms_text turns it into UTF-8 only for a consumer
 * that asked for content.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "capture/cursor.h"
#include "capture/gsm_ie.h"

enum sl_tpdu_type { SL_TPDU_SUBMIT, SL_TPDU_DELIVER, SL_TPDU_STATUS_REPORT, _SL_TPDU_TYPE_COUNT };
extern const char *const sl_tpdu_type_names[_SL_TPDU_TYPE_COUNT];

enum sl_sms_coding { SL_SMS_GSM7, SL_SMS_8BIT, SL_SMS_UCS2, SL_SMS_RESERVED, _SL_SMS_CODING_COUNT };
extern const char *const sl_sms_coding_names[_SL_SMS_CODING_COUNT];

enum sl_tpdu_res {
	SL_TPDU_OK,
	SL_TPDU_TRUNCATED,	/* a field or the user data runs past the RP user data */
	SL_TPDU_MALFORMED,	/* bad address, time stamp digits, UDL or user data header */
	SL_TPDU_UNSUPPORTED,	/* SMS-COMMAND, DELIVER-REPORT, SUBMIT-REPORT, reserved MTI */
	_SL_TPDU_RES_COUNT
};

struct sl_sms_scts {
	time_t utc;		/* the instant, zone applied */
	int tz_minutes;		/* offset of the sender's local time from UTC */
};

struct sl_tpdu {
	uint8_t type;		/* enum sl_tpdu_type */
	uint8_t mr;		/* TP-MR (SUBMIT, STATUS-REPORT) */
	struct sl_gsm_number addr;	/* TP-DA (SUBMIT), TP-OA (DELIVER), TP-RA (STATUS-REPORT) */
	uint8_t pid, dcs;
	uint8_t coding;		/* enum sl_sms_coding */
	bool has_scts, has_dt;
	struct sl_sms_scts scts, dt;	/* DELIVER and STATUS-REPORT; dt: discharge time */
	bool has_status;
	uint8_t status;		/* TP-ST */
	bool srr;		/* status report requested / qualifier */
	bool udhi;
	uint8_t udl;		/* septets (GSM 7-bit) or octets */
	bool concat;
	uint16_t concat_ref;
	uint8_t seg_total, seg_no;
	struct sl_cursor ud;	/* user data (with its header), exactly the octets UDL covers */
};

/* from_ms: the RP-DATA went from the phone (an MTI of 01 is SUBMIT, 00 is DELIVER-REPORT). */
enum sl_tpdu_res sl_tpdu_decode(struct sl_cursor c, bool from_ms, struct sl_tpdu *out);

/*
 * The text of the user data without its header as UTF-8 (GSM 7-bit with
 * the escape to the extension table, or UCS-2), or the raw octets for
 * 8-bit data. Returns the length written (NUL-terminated for text), or -1
 * when the user data cannot be decoded.
 */
int sl_sms_text(const struct sl_tpdu *t, char *out, size_t len);
