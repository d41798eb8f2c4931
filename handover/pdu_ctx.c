/*
 * Pre-encoding of the constant PDU parts of one warrant and destination.
 *
 * TS 102 232-1 clause 5.2 (PSHeader fields, annex A.2 for their types)
 * and TS 101 671 annex D.5 (CommunicationIdentifier, Network-Identifier):
 * each field is checked against its SIZE and character-set constraint
 * here, once, so the per-PDU encoders never need to check them again, and
 * encoded with the same DER writer the encoders use into a scratch buffer
 * that is then copied into a talloc child of the context.
 */
#include <errno.h>
#include <string.h>

#include <talloc.h>

#include "asn1/ber_encode.h"
#include "handover/pdu_ctx.h"

/* The largest template: OID + LIID + country code, well below this. */
#define TPL_SCRATCH 128

static bool text_ok(const char *s, size_t min, size_t max)
{
	size_t n;

	if (!s)
		return false;
	n = strlen(s);
	return n >= min && n <= max;
}

static bool country_ok(const char *s)
{
	return s == NULL || (strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z');
}

/* Copy what w holds into t (a talloc child of owner). */
static int keep(void *owner, const struct sl_ber_w *w, struct sl_pdu_tpl *t)
{
	const uint8_t *p;
	size_t n;

	if (!sl_ber_w_result(w, &p, &n))
		return -EINVAL;
	t->n = n;
	t->p = NULL;
	if (n == 0)
		return 0;
	t->p = talloc_memdup(owner, p, n);
	return t->p ? 0 : -ENOMEM;
}

static int build(struct sl_pdu_ctx *c, const struct sl_pdu_ctx_cfg *cfg)
{
	uint8_t scratch[TPL_SCRATCH];
	struct sl_ber_w w;
	const char *hi2_op = cfg->hi2_operator_id ? cfg->hi2_operator_id : cfg->operator_id;
	size_t m;
	int rc;

	/* PSHeader [0] li-psDomainId, [1] lawfulInterceptionIdentifier, [2] authorizationCountryCode */
	sl_ber_w_init(&w, scratch, sizeof(scratch));
	if (cfg->auth_cc)
		sl_ber_w_text(&w, SL_BER_CONTEXT, 2, SL_BER_TAG_PRINTABLE_STRING, cfg->auth_cc, 2);
	sl_ber_w_octets(&w, SL_BER_CONTEXT, 1, cfg->liid, strlen(cfg->liid));
	sl_ber_w_oid_text(&w, SL_BER_CONTEXT, 0, SL_PDU_LI_PS_DOMAIN);
	if ((rc = keep(c, &w, &c->ps_head)))
		return rc;

	/* CommunicationIdentifier [0] NetworkIdentifier { [0] operatorIdentifier, [1] networkElementIdentifier } */
	sl_ber_w_init(&w, scratch, sizeof(scratch));
	m = sl_ber_w_mark(&w);
	if (cfg->ne_id)
		sl_ber_w_octets(&w, SL_BER_CONTEXT, 1, cfg->ne_id, strlen(cfg->ne_id));
	sl_ber_w_octets(&w, SL_BER_CONTEXT, 0, cfg->operator_id, strlen(cfg->operator_id));
	sl_ber_w_close(&w, m, SL_BER_CONTEXT, 0);
	if ((rc = keep(c, &w, &c->ps_nid)))
		return rc;

	sl_ber_w_init(&w, scratch, sizeof(scratch));
	if (cfg->delivery_cc)
		sl_ber_w_text(&w, SL_BER_CONTEXT, 2, SL_BER_TAG_PRINTABLE_STRING, cfg->delivery_cc, 2);
	if ((rc = keep(c, &w, &c->ps_dcc)))
		return rc;

	sl_ber_w_init(&w, scratch, sizeof(scratch));
	if (cfg->ipid)
		sl_ber_w_text(&w, SL_BER_CONTEXT, 6, SL_BER_TAG_PRINTABLE_STRING, cfg->ipid, strlen(cfg->ipid));
	if ((rc = keep(c, &w, &c->ps_ipid)))
		return rc;

	/* IRI-Parameters [1] and HI1 Notification [1]: the same LIID TLV */
	sl_ber_w_init(&w, scratch, sizeof(scratch));
	sl_ber_w_octets(&w, SL_BER_CONTEXT, 1, cfg->liid, strlen(cfg->liid));
	if ((rc = keep(c, &w, &c->hi2_liid)) || (rc = keep(c, &w, &c->hi1_liid)))
		return rc;

	/* TS 101 671 CommunicationIdentifier [1] Network-Identifier { [0] operator-Identifier } */
	if (text_ok(hi2_op, 1, SL_HI2_OPID_MAX)) {
		sl_ber_w_init(&w, scratch, sizeof(scratch));
		m = sl_ber_w_mark(&w);
		sl_ber_w_octets(&w, SL_BER_CONTEXT, 0, hi2_op, strlen(hi2_op));
		sl_ber_w_close(&w, m, SL_BER_CONTEXT, 1);
		if ((rc = keep(c, &w, &c->hi2_nid)))
			return rc;
	} else if (cfg->hi2_operator_id) {
		return -EINVAL;
	}

	sl_ber_w_init(&w, scratch, sizeof(scratch));
	sl_ber_w_oid_text(&w, SL_BER_CONTEXT, 0, SL_HI2_DOMAIN_V18);
	if ((rc = keep(c, &w, &c->hi2_dom18)))
		return rc;
	sl_ber_w_init(&w, scratch, sizeof(scratch));
	sl_ber_w_oid_text(&w, SL_BER_CONTEXT, 0, SL_HI2_DOMAIN_V11);
	return keep(c, &w, &c->hi2_dom11);
}

struct sl_pdu_ctx *sl_pdu_ctx_alloc(void *talloc_ctx, const struct sl_pdu_ctx_cfg *cfg)
{
	struct sl_pdu_ctx *c;
	int rc;

	if (!cfg || !text_ok(cfg->liid, 1, SL_PDU_LIID_MAX) || !text_ok(cfg->operator_id, 1, SL_PDU_OPID_MAX)
	    || (cfg->ne_id && !text_ok(cfg->ne_id, 1, SL_PDU_NEID_MAX))
	    || (cfg->ipid && !text_ok(cfg->ipid, 1, SL_PDU_IPID_MAX)) || !country_ok(cfg->auth_cc)
	    || !country_ok(cfg->delivery_cc) || cfg->ts_digits > 6) {
		errno = EINVAL;
		return NULL;
	}
	c = talloc_zero(talloc_ctx, struct sl_pdu_ctx);
	if (!c) {
		errno = ENOMEM;
		return NULL;
	}
	talloc_set_name_const(c, "sl_pdu_ctx");
	c->ts_digits = cfg->ts_digits;
	c->hi2_utc_time = cfg->hi2_utc_time;
	rc = build(c, cfg);
	if (rc) {
		talloc_free(c);
		errno = -rc;
		return NULL;
	}
	return c;
}
