/*
 * libFuzzer target for SIP parsing: sl_sip_parse in datagram mode and in
 * stream mode (framing message after message out of one buffer, as the TCP
 * framer does), then everything the pipeline derives from a parsed
 * message: body parts (sip_body.c), URIs (sip_uri.c), name-addr values,
 * parameters and identities (identity.c).
 *
 * The parser hands out views into the input; the input is an exactly
 * sized copy, so any view running past the end is caught by ASan when the
 * views are walked.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/identity.h"
#include "capture/sip_body.h"
#include "capture/sip_parse.h"
#include "capture/sip_uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

/* A view must lie inside [base, base + len). */
static void check_view(struct sl_str s, const char *base, size_t len)
{
	volatile char sink = 0;
	size_t i;

	if (!s.p)
		return;
	check(s.p >= base && s.len <= len && (size_t)(s.p - base) <= len - s.len);
	for (i = 0; i < s.len; i++)
		sink ^= s.p[i];
	(void)sink;
}

static void use_uri(struct sl_str uri, const struct sl_numbering *num, struct sl_party *p)
{
	struct sl_uri u;

	if (!uri.p)
		return;
	if (sl_uri_parse(uri, &u)) {
		check(u.user.len <= uri.len && u.host.len <= uri.len && u.params.len <= uri.len);
	}
	sl_party_add_uri(p, num, uri);
}

static void use_nameaddr(const struct sl_sip_nameaddr *na, const char *base, size_t len,
			 const struct sl_numbering *num, struct sl_party *p)
{
	struct sl_str v;

	check_view(na->display, base, len);
	check_view(na->uri, base, len);
	check_view(na->tag, base, len);
	check_view(na->params, base, len);
	use_uri(na->uri, num, p);
	sl_party_add_instance_imei(p, na->params);
	sl_sip_param(na->params, "expires", &v);
	sl_sip_param(na->params, "tag", &v);
}

static void use_msg(const struct sl_sip_msg *m, const char *base, size_t len)
{
	struct sl_numbering num;
	struct sl_party p;
	struct sl_body body;
	struct sl_sip_nameaddr na;
	struct sl_str via, via_branch;
	unsigned i, n_via;

	sl_numbering_default(&num);
	memset(&p, 0, sizeof(p));
	check_view(m->raw, base, len);
	check_view(m->ruri, base, len);
	check_view(m->call_id, base, len);
	check_view(m->headers, base, len);
	n_via = sl_sip_via(m, &via, &via_branch);
	check_view(via, base, len);
	check_view(via_branch, base, len);
	check(n_via >= (via.p ? 1u : 0u));
	check_view(m->pani, base, len);
	check_view(m->authorization, base, len);
	check_view(m->content_type, base, len);
	check_view(m->body, base, len);
	check(m->n_pai <= SL_SIP_MAX_PAI);
	use_uri(m->ruri, &num, &p);
	use_nameaddr(&m->from, base, len, &num, &p);
	use_nameaddr(&m->to, base, len, &num, &p);
	use_nameaddr(&m->contact, base, len, &num, &p);
	use_nameaddr(&m->ppi, base, len, &num, &p);
	use_nameaddr(&m->p_called_party, base, len, &num, &p);
	for (i = 0; i < m->n_pai; i++)
		use_nameaddr(&m->pai[i], base, len, &num, &p);
	if (m->authorization.p) {
		/* the IMS private identity path: user@host split at '@' */
		long at = sl_str_chr(m->authorization, '@');
		if (at >= 0)
			sl_party_add_ims_nai(&p, sl_str_make(m->authorization.p, (size_t)at),
					     sl_str_sub(m->authorization, (size_t)at + 1, m->authorization.len));
	}
	if (via.p)
		sl_sip_parse_nameaddr(via, &na);
	check(p.n <= SL_PARTY_MAX_IDS);

	sl_sip_body_parts(m->content_type, m->body, &body);
	check(body.n <= SL_BODY_MAX_PARTS);
	for (i = 0; i < body.n; i++) {
		struct sl_str t = body.part[i].type;

		/* a part without Content-Type is typed by a literal default (sip_body.c), not a view */
		if (t.p >= base && t.p <= base + len) {
			check_view(t, base, len);
			check_view(body.part[i].params, base, len);
		} else {
			check(sl_str_ieq_cstr(t, "application/sdp") || sl_str_ieq_cstr(t, "text/plain"));
		}
		check_view(body.part[i].body, base, len);
	}
	sl_body_find(&body, "application/sdp");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	struct sl_sip_msg m;
	size_t consumed, off;
	enum sl_sip_err err;
	unsigned guard;

	check(buf != NULL);
	if (size)
		memcpy(buf, data, size);

	sl_sip_looks_like_start(buf, size);
	err = sl_sip_parse(buf, size, SL_SIP_PARSE_DATAGRAM, &m, &consumed);
	check(err < _SL_SIP_ERR_COUNT);
	if (err == SL_SIP_OK) {
		check(consumed <= size);
		use_msg(&m, buf, size);
	}

	/* stream mode: message after message, as the TCP framer calls it */
	for (off = 0, guard = 0; off < size && guard < 64; guard++) {
		err = sl_sip_parse(buf + off, size - off, 0, &m, &consumed);
		check(err < _SL_SIP_ERR_COUNT);
		if (err != SL_SIP_OK) {
			if (err == SL_SIP_ERR_TRUNCATED)
				break;
			off++;
			continue;
		}
		check(consumed > 0 && consumed <= size - off);
		use_msg(&m, buf + off, size - off);
		off += consumed;
	}
	free(buf);
	return 0;
}
