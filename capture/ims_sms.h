/*
 * SMS over IP (3GPP TS 24.341) for the layers above capture: the TPDU a
 * SIP MESSAGE carries in its application/vnd.3gpp.sms body (an RP-DATA's
 * RP user data, TS 24.011 clause 7.3.1), for a handover that must deliver
 * a short message's content "in the format defined for the SMS mobile".
 * The events themselves come from capture/ims_sms.c.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sl_sip_msg;

/* The TPDU octets of the message's RP-DATA (a view into the message), or false. */
bool sl_ims_sms_tpdu(const struct sl_sip_msg *m, const uint8_t **p, size_t *n);
