/*
 * Event rendering (see event_render.h). The JSON field names here are the
 * public contract of `sluice extract --format json`; docs/events.md must be
 * updated with any change.
 */
#include "render/event_render.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "capture/sip_parse.h"
#include "capture/sip_uri.h"
#include "capture/ue_bind.h"

static void json_endpoint(struct sl_json *j, const char *key, const struct sl_endpoint *e)
{
	char buf[SL_ENDPOINT_STRLEN];

	sl_json_key(j, key);
	sl_json_cstr(j, sl_endpoint_fmt(buf, sizeof(buf), e));
}

static void json_ids(struct sl_json *j, const struct sl_party *p)
{
	unsigned i;

	sl_json_key(j, "ids");
	sl_json_arr_open(j);
	for (i = 0; i < p->n; i++) {
		sl_json_obj_open(j);
		sl_json_key(j, "type");
		sl_json_cstr(j, sl_id_type_names[p->id[i].type]);
		sl_json_key(j, "value");
		sl_json_cstr(j, p->id[i].value);
		sl_json_obj_close(j);
	}
	sl_json_arr_close(j);
}

static void json_party(struct sl_json *j, const char *key, const struct sl_party *p)
{
	sl_json_key(j, key);
	sl_json_obj_open(j);
	json_ids(j, p);
	sl_json_obj_close(j);
}

/* A SIP header party: the URI and user part as sent, its tag, and the normalised identities. */
static void json_sip_party(struct sl_json *j, const char *key, const struct sl_sip_nameaddr *na,
			   const struct sl_party *p)
{
	struct sl_uri u;
	bool ok = na->uri.p && sl_uri_parse(na->uri, &u);

	sl_json_key(j, key);
	sl_json_obj_open(j);
	sl_json_key(j, "uri");
	sl_json_str(j, na->uri);
	sl_json_key(j, "user");
	sl_json_str(j, ok && u.user.len ? u.user : SL_STR_NULL);
	sl_json_key(j, "display");
	sl_json_str(j, na->display.len ? na->display : SL_STR_NULL);
	sl_json_key(j, "tag");
	sl_json_str(j, na->tag.p ? na->tag : SL_STR_NULL);
	json_ids(j, p);
	sl_json_obj_close(j);
}

static void json_sig(struct sl_json *j, const struct sl_sig *sig)
{
	static const char *const keys[] = { "src", "dst", "transport", "source", "frame" };
	unsigned i;

	if (!sig) {
		/* caused by a timer, the end of the capture or a stream: the keys are there, unknown */
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			sl_json_key(j, keys[i]);
			sl_json_null(j);
		}
		return;
	}
	json_endpoint(j, "src", &sig->src);
	json_endpoint(j, "dst", &sig->dst);
	sl_json_key(j, "transport");
	sl_json_cstr(j, sl_transport_names[sig->transport]);
	sl_json_key(j, "source");
	sl_json_u64(j, sig->source);
	sl_json_key(j, "frame");
	sl_json_u64(j, sig->frame);
}

static void json_cell(struct sl_json *j, const struct sl_cell *c)
{
	bool lac = c && (c->access == SL_ACCESS_GERAN || c->access == SL_ACCESS_UTRAN);

	sl_json_key(j, "cell");
	if (!c) {
		sl_json_null(j);
		return;
	}
	sl_json_obj_open(j);
	sl_json_key(j, "access");
	sl_json_cstr(j, sl_access_names[c->access]);
	sl_json_key(j, "mcc");
	sl_json_cstr(j, c->mcc);
	sl_json_key(j, "mnc");
	sl_json_cstr(j, c->mnc);
	sl_json_key(j, lac ? "lac" : "tac");
	sl_json_u64(j, c->area);
	sl_json_key(j, "cell_id");
	sl_json_u64(j, c->cell);
	sl_json_obj_close(j);
}

static void json_sip(struct sl_json *j, const struct sl_event *ev)
{
	const struct sl_sip_msg *m = ev->sig->sip;
	unsigned i;

	json_sig(j, ev->sig);
	sl_json_key(j, "call_id");
	sl_json_str(j, m->call_id);
	sl_json_key(j, "method");
	if (m->is_request)
		sl_json_str(j, m->method_str);
	else
		sl_json_null(j);
	sl_json_key(j, "ruri");
	sl_json_str(j, m->is_request ? m->ruri : SL_STR_NULL);
	sl_json_key(j, "status");
	if (m->is_request)
		sl_json_null(j);
	else
		sl_json_i64(j, m->status);
	sl_json_key(j, "reason");
	sl_json_str(j, m->is_request ? SL_STR_NULL : m->reason);
	sl_json_key(j, "cseq");
	sl_json_u64(j, m->cseq);
	sl_json_key(j, "cseq_method");
	sl_json_str(j, m->cseq_method_str);
	json_sip_party(j, "from", &m->from, &ev->from);
	json_sip_party(j, "to", &m->to, &ev->to);
	sl_json_key(j, "pai");
	if (m->n_pai) {
		sl_json_arr_open(j);
		for (i = 0; i < m->n_pai; i++)
			sl_json_str(j, m->pai[i].uri);
		sl_json_arr_close(j);
	} else {
		sl_json_null(j);
	}
	sl_json_key(j, "ppi");
	sl_json_str(j, m->ppi.uri.p ? m->ppi.uri : SL_STR_NULL);
	sl_json_key(j, "contact");
	sl_json_str(j, m->contact.uri.p ? m->contact.uri : SL_STR_NULL);
	sl_json_key(j, "user_agent");
	sl_json_str(j, m->user_agent);
	sl_json_key(j, "pani");
	sl_json_str(j, m->pani);
	json_cell(j, ev->cell);
	sl_json_key(j, "body");
	if (m->body.len) {
		sl_json_obj_open(j);
		sl_json_key(j, "type");
		sl_json_str(j, m->content_type.p ? m->content_type : SL_STR_LIT("application/sdp"));
		sl_json_key(j, "len");
		sl_json_u64(j, m->body.len);
		sl_json_obj_close(j);
	} else {
		sl_json_null(j);
	}
}

static double secs(uint64_t from_us, uint64_t to_us)
{
	return to_us > from_us ? (double)(to_us - from_us) / 1e6 : 0.0;
}

static void json_call(struct sl_json *j, const struct sl_event *ev)
{
	const __typeof__(ev->u.call) *c = &ev->u.call;

	sl_json_key(j, "event");
	sl_json_cstr(j, sl_call_step_names[c->step]);
	sl_json_key(j, "call_id");
	sl_json_str(j, ev->call_id);
	json_party(j, "caller", &ev->from);
	json_party(j, "callee", &ev->to);
	sl_json_key(j, "direction");
	sl_json_cstr(j, sl_dir_names[ev->dir]);
	json_sig(j, ev->sig);
	/* every step has every key; what only an end (or an answer) knows is null before it */
	sl_json_key(j, "reason");
	if (c->step == SL_CALL_END)
		sl_json_cstr(j, sl_call_end_names[c->reason]);
	else
		sl_json_null(j);
	sl_json_key(j, "status");
	if (c->step == SL_CALL_END && c->status)
		sl_json_i64(j, c->status);
	else
		sl_json_null(j);
	sl_json_key(j, "answered");
	if (c->step == SL_CALL_END)
		sl_json_bool(j, c->answer_us != 0);
	else
		sl_json_null(j);
	sl_json_key(j, "duration");
	if (c->step == SL_CALL_END)
		sl_json_double(j, c->answer_us ? secs(c->answer_us, ev->ts_us) : 0.0, 3);
	else
		sl_json_null(j);
	sl_json_key(j, "setup");
	if (c->step == SL_CALL_ANSWER || c->step == SL_CALL_END)
		sl_json_double(j, secs(c->start_us, c->answer_us ? c->answer_us : ev->ts_us), 3);
	else
		sl_json_null(j);
	sl_json_key(j, "cause");
	if (c->step == SL_CALL_END && c->cause)
		sl_json_u64(j, c->cause);
	else
		sl_json_null(j);
	sl_json_key(j, "location");
	sl_json_str(j, ev->location.len ? ev->location : SL_STR_NULL);
	json_cell(j, ev->cell);
}

static void json_message(struct sl_json *j, const struct sl_event *ev)
{
	sl_json_key(j, "call_id");
	sl_json_str(j, ev->call_id);
	json_party(j, "from", &ev->from);
	json_party(j, "to", &ev->to);
	json_sig(j, ev->sig);
	sl_json_key(j, "size");
	sl_json_u64(j, ev->u.message.size);
	sl_json_key(j, "content_type");
	sl_json_str(j, ev->u.message.content_type);
	sl_json_key(j, "location");
	sl_json_str(j, ev->location.len ? ev->location : SL_STR_NULL);
	json_cell(j, ev->cell);
}

static void json_registration(struct sl_json *j, const struct sl_event *ev)
{
	sl_json_key(j, "call_id");
	sl_json_str(j, ev->call_id);
	sl_json_key(j, "result");
	sl_json_cstr(j, sl_reg_result_names[ev->u.reg.result]);
	sl_json_key(j, "status");
	if (ev->u.reg.status)
		sl_json_i64(j, ev->u.reg.status);
	else
		sl_json_null(j);
	sl_json_key(j, "expires");
	sl_json_u64(j, ev->u.reg.expires);
	sl_json_key(j, "contact");
	sl_json_str(j, ev->u.reg.contact.len ? ev->u.reg.contact : SL_STR_NULL);
	json_party(j, "subscriber", &ev->from);
	json_party(j, "aor", &ev->to);
	json_sig(j, ev->sig);
	sl_json_key(j, "location");
	sl_json_str(j, ev->location.len ? ev->location : SL_STR_NULL);
	json_cell(j, ev->cell);
}

static void json_rtp(struct sl_json *j, const struct sl_event *ev)
{
	const struct sl_rtp_summary *r = &ev->u.rtp;

	sl_json_key(j, "call_id");
	sl_json_str(j, ev->call_id);
	sl_json_key(j, "proto");
	sl_json_cstr(j, r->rtcp ? "rtcp" : "rtp");
	sl_json_key(j, "ssrc");
	sl_json_u64(j, r->ssrc);
	json_endpoint(j, "src", &r->src);
	json_endpoint(j, "dst", &r->dst);
	sl_json_key(j, "direction");
	sl_json_cstr(j, sl_dir_names[ev->dir]);
	sl_json_key(j, "pt");
	if (r->rtcp)
		sl_json_null(j);
	else
		sl_json_u64(j, r->pt);
	sl_json_key(j, "packets");
	sl_json_u64(j, r->packets);
	sl_json_key(j, "bytes");
	sl_json_u64(j, r->bytes);
	sl_json_key(j, "lost");
	if (r->rtcp)
		sl_json_null(j);
	else
		sl_json_i64(j, r->lost);
	sl_json_key(j, "start");
	sl_json_ts(j, r->first_us);
	sl_json_key(j, "end");
	sl_json_ts(j, r->last_us);
	sl_json_key(j, "jitter_ms");
	if (r->rtcp)
		sl_json_null(j);
	else
		sl_json_double(j, r->jitter_ms, 3);
}

static void json_identity_value(struct sl_json *j, const char *key, const struct sl_identity *id)
{
	sl_json_key(j, key);
	if (id->type == SL_ID_NONE) {
		sl_json_null(j);
		return;
	}
	sl_json_obj_open(j);
	sl_json_key(j, "type");
	sl_json_cstr(j, sl_id_type_names[id->type]);
	sl_json_key(j, "value");
	sl_json_cstr(j, id->value);
	sl_json_obj_close(j);
}

static void json_scts(struct sl_json *j, int64_t utc, int tz_minutes)
{
	sl_json_obj_open(j);
	sl_json_key(j, "utc");
	sl_json_ts(j, (uint64_t)(utc < 0 ? 0 : utc) * 1000000u);
	sl_json_key(j, "tz_minutes");
	sl_json_i64(j, tz_minutes);
	sl_json_obj_close(j);
}

static void json_sms(struct sl_json *j, const struct sl_event *ev)
{
	const __typeof__(ev->u.sms) *s = &ev->u.sms;

	sl_json_key(j, "call_id");
	sl_json_str(j, ev->call_id);
	sl_json_key(j, "tpdu");
	if (s->tpdu)
		sl_json_cstr(j, s->tpdu);
	else
		sl_json_null(j);
	sl_json_key(j, "direction");
	sl_json_cstr(j, s->mo ? "mo" : "mt");
	json_party(j, "originator", &ev->from);
	json_party(j, "recipient", &ev->to);
	json_identity_value(j, "smsc", &s->smsc);
	json_sig(j, ev->sig);
	sl_json_key(j, "message_ref");
	sl_json_u64(j, s->message_ref);
	sl_json_key(j, "rp_ref");
	sl_json_u64(j, s->rp_ref);
	sl_json_key(j, "scts");
	if (s->has_scts)
		json_scts(j, s->scts, s->tz_minutes);
	else
		sl_json_null(j);
	sl_json_key(j, "coding");
	if (s->coding)
		sl_json_cstr(j, s->coding);
	else
		sl_json_null(j);
	sl_json_key(j, "dcs");
	if (s->tpdu)
		sl_json_u64(j, s->dcs);
	else
		sl_json_null(j);
	sl_json_key(j, "length");
	if (s->tpdu)
		sl_json_u64(j, s->length);
	else
		sl_json_null(j);
	sl_json_key(j, "segment");
	if (s->seg_total)
		sl_json_u64(j, s->seg_no);
	else
		sl_json_null(j);
	sl_json_key(j, "segments");
	if (s->seg_total)
		sl_json_u64(j, s->seg_total);
	else
		sl_json_null(j);
	sl_json_key(j, "concat_ref");
	if (s->seg_total)
		sl_json_u64(j, s->concat_ref);
	else
		sl_json_null(j);
	sl_json_key(j, "status");
	if (s->has_status)
		sl_json_u64(j, s->status);
	else
		sl_json_null(j);
	sl_json_key(j, "bearer");
	sl_json_cstr(j, s->ims ? "ims" : "gsm");
	sl_json_key(j, "rp");
	sl_json_cstr(j, s->rp ? s->rp : "rp_data");
	sl_json_key(j, "rp_cause");
	if (s->has_rp_cause)
		sl_json_u64(j, s->rp_cause);
	else
		sl_json_null(j);
	sl_json_key(j, "report_of");
	sl_json_str(j, s->report_of.len ? s->report_of : SL_STR_NULL);
	sl_json_key(j, "location");
	sl_json_str(j, ev->location.len ? ev->location : SL_STR_NULL);
	json_cell(j, ev->cell);
}

static void json_location(struct sl_json *j, const struct sl_event *ev)
{
	sl_json_key(j, "call_id");
	sl_json_str(j, ev->call_id);
	json_party(j, "subscriber", &ev->from);
	sl_json_key(j, "fix_source");
	sl_json_cstr(j, ev->u.loc.source);
	json_cell(j, &ev->u.loc.cell);
	sl_json_key(j, "location");
	sl_json_str(j, ev->location.len ? ev->location : SL_STR_NULL);
	json_sig(j, ev->sig);
}

static void json_identity(struct sl_json *j, const struct sl_event *ev)
{
	sl_json_key(j, "procedure");
	sl_json_cstr(j, ev->u.identity.procedure);
	sl_json_key(j, "direction");
	sl_json_cstr(j, ev->dir == SL_DIR_FROM_CALLER ? "uplink" : "downlink");
	sl_json_key(j, "mi_type");
	sl_json_cstr(j, ev->u.identity.mi_type);
	json_identity_value(j, "seen", &ev->u.identity.seen);
	json_party(j, "subscriber", &ev->from);
	sl_json_key(j, "lai");
	if (ev->u.identity.has_lai) {
		sl_json_obj_open(j);
		sl_json_key(j, "mcc");
		sl_json_cstr(j, ev->u.identity.mcc);
		sl_json_key(j, "mnc");
		sl_json_cstr(j, ev->u.identity.mnc);
		sl_json_key(j, "lac");
		sl_json_u64(j, ev->u.identity.lac);
		sl_json_obj_close(j);
	} else {
		sl_json_null(j);
	}
	json_sig(j, ev->sig);
}

/* TS 29.274 8.17 RAT Type */
static const char *rat_name(uint8_t rat)
{
	static const char *const names[] = {
		[1] = "utran", [2] = "geran", [3] = "wlan", [4] = "gan", [5] = "hspa_evolution", [6] = "eutran",
		[7] = "virtual", [8] = "eutran_nb_iot", [9] = "lte_m", [10] = "nr",
	};

	return rat < sizeof(names) / sizeof(names[0]) ? names[rat] : NULL;
}

static void json_plmn(struct sl_json *j, const struct sl_gtpv2_plmn *p)
{
	sl_json_key(j, "mcc");
	sl_json_cstr(j, p->mcc);
	sl_json_key(j, "mnc");
	sl_json_cstr(j, p->mnc);
}

/* The UE's cell as the ULI gave it: TAI and ECGI (LTE), LAI and CGI (2G/3G); null parts absent. */
static void json_uli_cell(struct sl_json *j, const struct sl_ue_info *ue)
{
	const struct sl_gtpv2_uli *u = &ue->uli;

	sl_json_key(j, "cell");
	if (!ue->has_uli) {
		sl_json_null(j);
		return;
	}
	sl_json_obj_open(j);
	sl_json_key(j, "tai");
	if (u->flags & SL_ULI_TAI) {
		sl_json_obj_open(j);
		json_plmn(j, &u->tai_plmn);
		sl_json_key(j, "tac");
		sl_json_u64(j, u->tac);
		sl_json_obj_close(j);
	} else {
		sl_json_null(j);
	}
	sl_json_key(j, "ecgi");
	if (u->flags & SL_ULI_ECGI) {
		sl_json_obj_open(j);
		json_plmn(j, &u->ecgi_plmn);
		sl_json_key(j, "eci");
		sl_json_u64(j, u->eci);
		sl_json_obj_close(j);
	} else {
		sl_json_null(j);
	}
	sl_json_key(j, "lai");
	if (u->flags & (SL_ULI_LAI | SL_ULI_CGI | SL_ULI_SAI | SL_ULI_RAI)) {
		sl_json_obj_open(j);
		json_plmn(j, &u->lai_plmn);
		sl_json_key(j, "lac");
		sl_json_u64(j, u->lac);
		sl_json_obj_close(j);
	} else {
		sl_json_null(j);
	}
	sl_json_key(j, "ci");
	if (u->flags & SL_ULI_CGI)
		sl_json_u64(j, u->ci);
	else
		sl_json_null(j);
	sl_json_obj_close(j);
}

static void json_opt_cstr(struct sl_json *j, const char *key, const char *v)
{
	sl_json_key(j, key);
	if (v && v[0])
		sl_json_cstr(j, v);
	else
		sl_json_null(j);
}

static void json_bearer(struct sl_json *j, const struct sl_event *ev)
{
	const struct sl_ue_info *ue = ev->u.bearer.ue;
	char a[SL_ADDR_STRLEN];
	struct sl_addr x;

	sl_json_key(j, "event");
	sl_json_cstr(j, ev->u.bearer.event);
	json_opt_cstr(j, "procedure", ev->u.bearer.procedure);
	json_party(j, "subscriber", &ev->from);
	json_opt_cstr(j, "imsi", ue->imsi);
	json_opt_cstr(j, "msisdn", ue->msisdn);
	json_opt_cstr(j, "mei", ue->mei);
	json_opt_cstr(j, "apn", ue->apn);
	sl_json_key(j, "ue_ipv4");
	if (ue->has_ue4) {
		sl_addr_set4(&x, ue->ue4);
		sl_json_cstr(j, sl_addr_fmt(a, sizeof(a), &x));
	} else {
		sl_json_null(j);
	}
	sl_json_key(j, "ue_ipv6");
	if (ue->has_ue6) {
		sl_addr_set6(&x, ue->ue6);
		sl_json_cstr(j, sl_addr_fmt(a, sizeof(a), &x));
	} else {
		sl_json_null(j);
	}
	json_opt_cstr(j, "rat", rat_name(ue->rat_type));
	json_uli_cell(j, ue);
	json_sig(j, ev->sig);
}

void sl_event_to_json(struct sl_json *j, const struct sl_event *ev)
{
	sl_json_obj_open(j);
	sl_json_key(j, "type");
	sl_json_cstr(j, sl_event_type_names[ev->type]);
	sl_json_key(j, "ts");
	sl_json_ts(j, ev->ts_us);
	switch (ev->type) {
	case SL_EV_SIP:
		json_sip(j, ev);
		break;
	case SL_EV_CALL:
		json_call(j, ev);
		break;
	case SL_EV_MESSAGE:
		json_message(j, ev);
		break;
	case SL_EV_REGISTRATION:
		json_registration(j, ev);
		break;
	case SL_EV_RTP_STREAM:
		json_rtp(j, ev);
		break;
	case SL_EV_SMS:
		json_sms(j, ev);
		break;
	case SL_EV_IDENTITY:
		json_identity(j, ev);
		break;
	case SL_EV_LOCATION:
		json_location(j, ev);
		break;
	case SL_EV_BEARER:
		json_bearer(j, ev);
		break;
	default:
		break;
	}
	sl_json_obj_close(j);
}

/* Best identity of a party for a one-line summary: E.164, then SIP URI, then anything. */
static const char *best_id(const struct sl_party *p)
{
	const struct sl_identity *id = sl_party_first(p, SL_ID_E164);

	if (!id)
		id = sl_party_first(p, SL_ID_SIP_URI);
	if (!id && p->n)
		id = &p->id[0];
	return id ? id->value : "-";
}

static void fmt_time(char *buf, size_t len, uint64_t us)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d.%06u", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned)(us % 1000000));
}

/*
 * Up to max bytes of a view from the wire, for a terminal: bytes outside
 * printable ASCII become \xHH, so an escape sequence or a CR in a Call-ID
 * cannot rewrite what the operator sees. out must hold 4 * max + 1.
 */
static const char *term_safe(struct sl_str v, size_t max, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < v.len && i < max; i++) {
		unsigned char c = (unsigned char)v.p[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			out[o++] = (char)c;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return out;
}

void sl_event_to_text(char *buf, size_t len, const struct sl_event *ev)
{
	char ts[96], a[SL_ENDPOINT_STRLEN], b[SL_ENDPOINT_STRLEN], cidbuf[4 * 48 + 1];
	const char *cid_s = term_safe(ev->call_id, 48, cidbuf);

	fmt_time(ts, sizeof(ts), ev->ts_us);
	switch (ev->type) {
	case SL_EV_SIP: {
		const struct sl_sip_msg *m = ev->sig->sip;
		char what[4 * 40 + 16], meth[4 * 40 + 1];
		if (m->is_request)
			snprintf(what, sizeof(what), "%s", term_safe(m->method_str, 40, meth));
		else
			snprintf(what, sizeof(what), "%d/%s", m->status, term_safe(m->cseq_method_str, 40, meth));
		snprintf(buf, len, "%s  sip      %-3s %s -> %s  %-16s %s -> %s  [%s]", ts,
			 sl_transport_names[ev->sig->transport], sl_endpoint_fmt(a, sizeof(a), &ev->sig->src),
			 sl_endpoint_fmt(b, sizeof(b), &ev->sig->dst), what, best_id(&ev->from), best_id(&ev->to), cid_s);
		return;
	}
	case SL_EV_CALL: {
		const __typeof__(ev->u.call) *c = &ev->u.call;
		char extra[96] = "";
		if (c->step == SL_CALL_END) {
			if (c->cause)
				snprintf(extra, sizeof(extra), " reason=%s cause=%u", sl_call_end_names[c->reason],
					 c->cause);
			else if (c->status)
				snprintf(extra, sizeof(extra), " reason=%s status=%d", sl_call_end_names[c->reason],
					 c->status);
			else
				snprintf(extra, sizeof(extra), " reason=%s duration=%.1fs", sl_call_end_names[c->reason],
					 c->answer_us ? secs(c->answer_us, ev->ts_us) : 0.0);
		}
		snprintf(buf, len, "%s  call     %-8s %s -> %s%s  [%s]", ts, sl_call_step_names[c->step],
			 best_id(&ev->from), best_id(&ev->to), extra, cid_s);
		return;
	}
	case SL_EV_MESSAGE:
		snprintf(buf, len, "%s  message  %s -> %s  %u bytes  [%s]", ts, best_id(&ev->from), best_id(&ev->to),
			 ev->u.message.size, cid_s);
		return;
	case SL_EV_REGISTRATION:
		snprintf(buf, len, "%s  register %-12s %s  expires=%u  [%s]", ts,
			 sl_reg_result_names[ev->u.reg.result], best_id(&ev->from), ev->u.reg.expires, cid_s);
		return;
	case SL_EV_RTP_STREAM: {
		const struct sl_rtp_summary *r = &ev->u.rtp;
		snprintf(buf, len, "%s  %-8s %s -> %s  ssrc=0x%08x packets=%" PRIu64 " lost=%" PRId64 "  [%s]", ts,
			 r->rtcp ? "rtcp" : "rtp", sl_endpoint_fmt(a, sizeof(a), &r->src),
			 sl_endpoint_fmt(b, sizeof(b), &r->dst), r->ssrc, r->packets, r->rtcp ? (int64_t)0 : r->lost,
			 cid_s);
		return;
	}
	case SL_EV_SMS: {
		const __typeof__(ev->u.sms) *s = &ev->u.sms;
		char seg[32] = "";
		if (s->seg_total)
			snprintf(seg, sizeof(seg), " part %u/%u", s->seg_no, s->seg_total);
		if (!s->tpdu) {
			snprintf(buf, len, "%s  sms      %-13s %s %s -> %s  ims rp_ref=%u  [%s]", ts, s->rp,
				 s->mo ? "mo" : "mt", best_id(&ev->from), best_id(&ev->to), s->rp_ref, cid_s);
			return;
		}
		snprintf(buf, len, "%s  sms      %-13s %s %s -> %s  %s len=%u%s%s  [%s]", ts, s->tpdu, s->mo ? "mo" : "mt",
			 best_id(&ev->from), best_id(&ev->to), s->coding, s->length, seg, s->ims ? " ims" : "", cid_s);
		return;
	}
	case SL_EV_LOCATION: {
		const struct sl_cell *c = &ev->u.loc.cell;
		snprintf(buf, len, "%s  location %-6s %s-%s area=%u cell=%" PRIu64 " %s  [%s]", ts, sl_access_names[c->access],
			 c->mcc, c->mnc, c->area, c->cell, best_id(&ev->from), cid_s);
		return;
	}
	case SL_EV_IDENTITY:
		snprintf(buf, len, "%s  identity %-26s %s=%s  (%u known)", ts, ev->u.identity.procedure,
			 ev->u.identity.mi_type, ev->u.identity.seen.value, ev->from.n);
		return;
	case SL_EV_BEARER: {
		const struct sl_ue_info *ue = ev->u.bearer.ue;
		char cell[48] = "";
		struct sl_addr x;

		if (ue->has_uli && (ue->uli.flags & SL_ULI_ECGI))
			snprintf(cell, sizeof(cell), " ecgi=%s-%s-%u", ue->uli.ecgi_plmn.mcc, ue->uli.ecgi_plmn.mnc,
				 (unsigned)ue->uli.eci);
		if (ue->has_ue4)
			sl_addr_set4(&x, ue->ue4);
		else if (ue->has_ue6)
			sl_addr_set6(&x, ue->ue6);
		snprintf(buf, len, "%s  bearer   %-11s %s ue=%s apn=%s%s", ts, ev->u.bearer.event, best_id(&ev->from),
			 ue->has_ue4 || ue->has_ue6 ? sl_addr_fmt(a, sizeof(a), &x) : "-", ue->apn[0] ? ue->apn : "-",
			 cell);
		return;
	}
	default:
		snprintf(buf, len, "%s  ?", ts);
	}
}
