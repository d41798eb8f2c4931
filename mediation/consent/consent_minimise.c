/*
 * Minimisation per recipient policy (consent_minimise.h): categories
 * dropped unless both consented and received, location coarsened, times
 * bucketed, a device reduced to its type allocation code, and the
 * byte-exact JSON line of what is left (docs/consent.md, "Export
 * records").
 *
 * Location rule (TS 24.229 7.2A.4, P-Access-Network-Info): the cell is
 * the `utran-cell-id-3gpp` value of a 3GPP-E-UTRAN-* access (MCC, MNC,
 * TAC as 4 hex digits, ECI as 7) or a 3GPP-UTRAN-* access (MCC, MNC, LAC
 * as 4 hex digits, UC-Id as 7), or the `cgi-3gpp` value of 3GPP-GERAN
 * (MCC, MNC, LAC 4, CI 4). The area is the same value with the cell
 * identity (the last 7, 7 or 4 hex digits) dropped: MCC, MNC and TAC or
 * LAC. Any other access type (WLAN, NR, fixed) or a value that does not
 * have exactly these digits yields no location at all: what the rule
 * cannot coarsen does not flow.
 *
 * A cell that did not come as header text (the UE binding table's ULI)
 * arrives as capture's struct sl_cell and is coarsened from its fields
 * directly, by the same rule: the digits its header form would carry,
 * without writing that text and parsing it back.
 */
#include <string.h>

#include "mediation/consent/consent_minimise.h"

static const char hexdig[] = "0123456789abcdef";

const char *const sl_cx_granularity_names[_SL_CX_LOC_COUNT] = {
	[SL_CX_LOC_CELL] = "cell",
	[SL_CX_LOC_AREA] = "area",
	[SL_CX_LOC_NONE] = "none",
};

const char *const sl_cx_kind_names[_SL_CX_KIND_COUNT] = {
	[SL_CX_CALL] = "call",
	[SL_CX_MESSAGE] = "message",
	[SL_CX_REGISTRATION] = "registration",
};

enum sl_consent_category sl_cx_primary_category(enum sl_cx_kind kind)
{
	switch (kind) {
	case SL_CX_CALL:
		return SL_CONSENT_CAT_CALL_METADATA;
	case SL_CX_MESSAGE:
		return SL_CONSENT_CAT_MESSAGING_METADATA;
	default:
		return SL_CONSENT_CAT_LOCATION;
	}
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'F') ? (char)(c - 'A' + 'a') : c;
}

static bool prefix_ci(const char *s, size_t n, const char *p)
{
	size_t i, pl = strlen(p);

	if (n < pl)
		return false;
	for (i = 0; i < pl; i++) {
		char a = s[i], b = p[i];
		if (a >= 'a' && a <= 'z')
			a = (char)(a - 'a' + 'A');
		if (b >= 'a' && b <= 'z')
			b = (char)(b - 'a' + 'A');
		if (a != b)
			return false;
	}
	return true;
}

/* Finds param= in the parameters after the access type; returns the value and its length (to ';', ',' or end). */
static const char *find_param(const char *s, const char *name, size_t *len)
{
	size_t nl = strlen(name);
	const char *p = s;

	while ((p = strchr(p, ';')) != NULL) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (prefix_ci(p, strlen(p), name) && p[nl] == '=') {
			const char *v = p + nl + 1;
			size_t n = 0;
			if (*v == '"')
				v++;
			while (v[n] && v[n] != ';' && v[n] != ',' && v[n] != '"' && v[n] != ' ')
				n++;
			*len = n;
			return v;
		}
	}
	return NULL;
}

bool sl_cx_location(const char *pani, enum sl_cx_granularity g, const char **access, char *out, size_t cap)
{
	const char *v, *acc;
	const char *param;
	size_t n, cell, keep, i, at_len;

	*access = NULL;
	if (!pani || g == SL_CX_LOC_NONE)
		return false;
	at_len = strcspn(pani, ";");
	if (prefix_ci(pani, at_len, "3GPP-E-UTRAN")) {
		acc = "eutran", param = "utran-cell-id-3gpp", cell = 7;
	} else if (prefix_ci(pani, at_len, "3GPP-UTRAN")) {
		acc = "utran", param = "utran-cell-id-3gpp", cell = 7;
	} else if (prefix_ci(pani, at_len, "3GPP-GERAN")) {
		acc = "geran", param = "cgi-3gpp", cell = 4;
	} else {
		return false;
	}
	v = find_param(pani, param, &n);
	/* MCC (3 digits), MNC (2 or 3 digits), TAC/LAC (4 hex), cell identity */
	if (!v || n < 3 + 2 + 4 + cell || n > 3 + 3 + 4 + cell)
		return false;
	for (i = 0; i < n; i++) {
		if (i < n - 4 - cell ? !(v[i] >= '0' && v[i] <= '9') : !is_hex(v[i]))
			return false;
	}
	keep = g == SL_CX_LOC_CELL ? n : n - cell;
	if (keep + 1 > cap)
		return false;
	for (i = 0; i < keep; i++)
		out[i] = lower(v[i]);
	out[keep] = '\0';
	*access = acc;
	return true;
}

/* Appends v's low ndig nibbles as lowercase hex at out[*n]. */
static void put_hex(char *out, size_t *n, uint64_t v, unsigned ndig)
{
	while (ndig--)
		out[(*n)++] = hexdig[(v >> (4 * ndig)) & 0xf];
}

bool sl_cx_location_cell(const struct sl_cell *c, enum sl_cx_granularity g, const char **access, char *out,
			 size_t cap)
{
	char v[3 + 3 + 4 + 7 + 1];
	size_t n = 0, i, cell, mcc, mnc;
	const char *acc;

	*access = NULL;
	if (!c || g == SL_CX_LOC_NONE)
		return false;
	switch (c->access) {
	case SL_ACCESS_EUTRAN:
		acc = "eutran", cell = 7;
		break;
	case SL_ACCESS_UTRAN:
		acc = "utran", cell = 7;
		break;
	case SL_ACCESS_GERAN:
		acc = "geran", cell = 4;
		break;
	default:
		return false; /* NR: the rule has no area form for it */
	}
	mcc = strnlen(c->mcc, sizeof(c->mcc));
	mnc = strnlen(c->mnc, sizeof(c->mnc));
	/* the header's MCC and MNC digits: 5 or 6 decimal digits together */
	if (mcc == sizeof(c->mcc) || mnc == sizeof(c->mnc) || mcc + mnc < 5 || mcc + mnc > 6)
		return false;
	memcpy(v, c->mcc, mcc);
	memcpy(v + mcc, c->mnc, mnc);
	n = mcc + mnc;
	for (i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return false;
	put_hex(v, &n, c->area, 4);
	if (g == SL_CX_LOC_CELL)
		put_hex(v, &n, c->cell, (unsigned)cell);
	if (n + 1 > cap)
		return false;
	memcpy(out, v, n);
	out[n] = '\0';
	*access = acc;
	return true;
}

bool sl_cx_input_location(const struct sl_cx_input *in, enum sl_cx_granularity g, const char **access, char *out,
			  size_t cap)
{
	if (in->pani)
		return sl_cx_location(in->pani, g, access, out, cap);
	return sl_cx_location_cell(in->cell, g, access, out, cap);
}

bool sl_cx_minimise(const struct sl_cx_policy *policy, const struct sl_cx_input *in, struct sl_cx_record *out)
{
	uint32_t ok = policy->categories & in->consented;
	int64_t t = in->time_us / 1000000, b = policy->time_bucket_s ? policy->time_bucket_s : 1;

	memset(out, 0, sizeof(*out));
	if ((unsigned)in->kind >= _SL_CX_KIND_COUNT || !in->subject ||
	    strlen(in->subject) != SL_CONSENT_PSEUDONYM_HEXLEN || in->time_us < 0)
		return false;
	if (!(ok & SL_CONSENT_CAT_BIT(sl_cx_primary_category(in->kind))))
		return false;
	out->kind = in->kind;
	out->time_s = t - t % b;
	out->role = in->role ? in->role : "subscriber";
	memcpy(out->subject, in->subject, sizeof(out->subject));
	if (in->peer && strlen(in->peer) == SL_CONSENT_PSEUDONYM_HEXLEN && in->kind != SL_CX_REGISTRATION)
		memcpy(out->peer, in->peer, sizeof(out->peer));
	if (in->kind == SL_CX_CALL) {
		out->has_call = true;
		out->answered = in->answered;
		out->duration_s = in->duration_us > 0 ? in->duration_us / 1000000 : 0;
		out->outcome = in->outcome ? in->outcome : "unknown";
	}
	if (in->kind == SL_CX_REGISTRATION)
		out->result = in->result ? in->result : "unknown";
	if (ok & SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_LOCATION)) {
		sl_cx_input_location(in, policy->location, &out->access, out->location, sizeof(out->location));
		out->location_is_cell = policy->location == SL_CX_LOC_CELL;
	}
	if ((ok & SL_CONSENT_CAT_BIT(SL_CONSENT_CAT_DEVICE)) && in->imei && strlen(in->imei) >= 14) {
		size_t i;
		for (i = 0; i < 8 && in->imei[i] >= '0' && in->imei[i] <= '9'; i++)
			out->tac[i] = in->imei[i];
		if (i < 8)
			out->tac[0] = '\0';
	}
	/* a registration is a location fact: without one nothing is left */
	if (in->kind == SL_CX_REGISTRATION && !out->access)
		return false;
	return true;
}

struct wbuf {
	char *p;
	size_t cap, len;
	bool short_;
};

static void put(struct wbuf *w, const char *s)
{
	size_t n = strlen(s);

	if (w->len + n >= w->cap) {
		w->short_ = true;
		return;
	}
	memcpy(w->p + w->len, s, n);
	w->len += n;
}

static void put_int(struct wbuf *w, int64_t v)
{
	char tmp[24];
	int i = (int)sizeof(tmp) - 1;
	uint64_t u = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;

	tmp[i] = '\0';
	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--i] = '-';
	put(w, tmp + i);
}

/* every string written here is a code or hex/digits from this file: no escaping is ever needed */
static void put_str(struct wbuf *w, const char *s)
{
	put(w, "\"");
	put(w, s);
	put(w, "\"");
}

size_t sl_cx_render(const struct sl_cx_record *r, char *buf, size_t cap)
{
	struct wbuf w = { .p = buf, .cap = cap };

	put(&w, "{\"type\":");
	put_str(&w, sl_cx_kind_names[r->kind]);
	put(&w, ",\"time\":");
	put_int(&w, r->time_s);
	put(&w, ",\"subject\":");
	put_str(&w, r->subject);
	put(&w, ",\"role\":");
	put_str(&w, r->role);
	if (r->kind != SL_CX_REGISTRATION) {
		put(&w, ",\"peer\":");
		if (r->peer[0])
			put_str(&w, r->peer);
		else
			put(&w, "null");
	}
	if (r->has_call) {
		put(&w, r->answered ? ",\"answered\":true,\"duration\":" : ",\"answered\":false,\"duration\":");
		put_int(&w, r->duration_s);
		put(&w, ",\"outcome\":");
		put_str(&w, r->outcome);
	}
	if (r->kind == SL_CX_REGISTRATION) {
		put(&w, ",\"result\":");
		put_str(&w, r->result);
	}
	put(&w, ",\"location\":");
	if (r->access) {
		put(&w, "{\"access\":");
		put_str(&w, r->access);
		put(&w, r->location_is_cell ? ",\"cell\":" : ",\"area\":");
		put_str(&w, r->location);
		put(&w, "}");
	} else {
		put(&w, "null");
	}
	put(&w, ",\"device\":");
	if (r->tac[0]) {
		put(&w, "{\"tac\":");
		put_str(&w, r->tac);
		put(&w, "}");
	} else {
		put(&w, "null");
	}
	put(&w, "}\n");
	if (w.short_)
		return 0;
	return w.len;
}
