/*
 * Text and JSON output of `sluice decode` (see decode_out.h). The decoded
 * fields come from the decoder's visitor (handover/pdu_visit.c), the same
 * walk the JSON renderer uses, so both formats show the same fields under
 * the ASN.1 names. Bytes from the input are escaped before they reach a
 * terminal: a PDU is untrusted input.
 */
#include "render/decode_out.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include <talloc.h>

#include "asn1/ber_dump.h"
#include "handover/pdu.h"
#include "handover/pdu_decode.h"
#include "render/pdu_render.h"
#include "render/printable.h"

/* Hex bytes per line of a non-text octet string. */
#define HEX_PER_LINE 32

void sl_decode_out_init(struct sl_decode_out *o, void *ctx, FILE *out, enum sl_decode_format format, bool verbose)
{
	memset(o, 0, sizeof(*o));
	o->out = out;
	o->format = format;
	o->verbose = verbose;
	sl_json_init(&o->j, ctx);
}

void sl_decode_out_free(struct sl_decode_out *o)
{
	sl_json_free(&o->j);
}

static void fmt_time(char *buf, size_t len, uint64_t us)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;

	if (!gmtime_r(&t, &tm)) {
		snprintf(buf, len, "%" PRIu64 ".%06u", us / 1000000, (unsigned)(us % 1000000));
		return;
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned)(us % 1000000));
}

/* Write bytes as text, anything outside printable ASCII as \xNN (and \r, \n, \t, \\ escaped). */
static void put_escaped(FILE *f, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t c = p[i];

		if (c == '\\')
			fputs("\\\\", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c > 0x7e)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

/* --- text --- */

struct text_walk {
	FILE *f;
	unsigned depth;
};

static void indent(FILE *f, unsigned depth)
{
	unsigned i;

	for (i = 0; i < depth; i++)
		fputs("  ", f);
}

/* Text with line breaks (a SIP message): one output line per line of it, CRLF not shown. */
static void put_lines(FILE *f, unsigned depth, const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t e = i;

		while (e < n && p[e] != '\n')
			e++;
		indent(f, depth);
		fputs("| ", f);
		put_escaped(f, p + i, (e > i && p[e - 1] == '\r') ? e - i - 1 : e - i);
		fputc('\n', f);
		i = e + 1;
	}
}

static void put_hex(FILE *f, unsigned depth, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i % HEX_PER_LINE == 0) {
			if (i)
				fputc('\n', f);
			indent(f, depth);
		} else {
			fputc(' ', f);
		}
		fprintf(f, "%02x", p[i]);
	}
	fputc('\n', f);
}

static void text_field(void *arg, const struct sl_pdu_field *fl)
{
	struct text_walk *tw = arg;
	FILE *f = tw->f;
	char buf[SL_ADDR_STRLEN > 40 ? SL_ADDR_STRLEN : 40];

	if (fl->type == SL_PDU_F_CLOSE) {
		if (tw->depth > 1)
			tw->depth--;
		return;
	}
	if (!strcmp(fl->name, "kind"))
		return; /* on the header line already */
	indent(f, tw->depth);
	fputs(fl->name, f);
	switch (fl->type) {
	case SL_PDU_F_OPEN:
		fputs(":\n", f);
		tw->depth++;
		return;
	case SL_PDU_F_UINT:
		fprintf(f, ": %" PRIu64 "\n", fl->u);
		return;
	case SL_PDU_F_TEXT:
		fputs(": ", f);
		put_escaped(f, (const uint8_t *)fl->text, strlen(fl->text));
		fputc('\n', f);
		return;
	case SL_PDU_F_TIME:
		fmt_time(buf, sizeof(buf), fl->u);
		fprintf(f, ": %s\n", buf);
		return;
	case SL_PDU_F_ADDR:
		fprintf(f, ": %s\n", sl_addr_fmt(buf, sizeof(buf), fl->addr));
		return;
	case SL_PDU_F_BYTES:
		if (!sl_printable(fl->bytes.p, fl->bytes.n, SL_PRINTABLE_TEXT)) {
			fprintf(f, ": (%zu bytes, hex)\n", fl->bytes.n);
			put_hex(f, tw->depth + 1, fl->bytes.p, fl->bytes.n);
		} else if (!memchr(fl->bytes.p, '\n', fl->bytes.n)) {
			fputs(": ", f);
			put_escaped(f, fl->bytes.p, fl->bytes.n);
			fputc('\n', f);
		} else {
			fprintf(f, ": (%zu bytes of text)\n", fl->bytes.n);
			put_lines(f, tw->depth + 1, fl->bytes.p, fl->bytes.n);
		}
		return;
	default:
		fputc('\n', f);
		return;
	}
}

/* The identifiers shown on the header line, wherever the kind of PDU keeps them. */
static void header_ids(const struct sl_pdu_decoded *d, struct sl_pdu_bytes *liid, char *cin, size_t cinlen,
		       bool *has_seq, uint64_t *ts_us)
{
	const struct sl_hi2_ids *ids = NULL;

	*liid = d->liid;
	snprintf(cin, cinlen, "-");
	if (d->has_cin)
		snprintf(cin, cinlen, "%" PRIu32, d->cin);
	*has_seq = d->ps;
	/* a local time of an unnamed zone has no place on the UTC axis: shown in the body only */
	*ts_us = d->has_ts && d->ts.tz != SL_PDU_TZ_LOCAL ? d->ts_us : 0;
	if (d->kind == SL_PDU_IRI_HI2) {
		ids = &d->u.hi2.ids;
		if (!d->has_ts)
			*ts_us = d->u.hi2.iri.ts_us;
	} else if (d->kind == SL_PDU_HI1) {
		ids = &d->u.hi1.ids;
		if (!d->has_ts)
			*ts_us = d->u.hi1.ts_us;
	}
	if (ids && !d->ps) {
		*liid = ids->liid;
		if (ids->cin.n)
			snprintf(cin, cinlen, "%.*s", (int)(ids->cin.n > 16 ? 16 : ids->cin.n), (const char *)ids->cin.p);
	}
}

static void text_where(FILE *f, const struct sl_decode_where *w)
{
	char a[SL_ENDPOINT_STRLEN], b[SL_ENDPOINT_STRLEN];

	if (w->index)
		fprintf(f, "#%" PRIu64 " ", w->index);
	if (w->capture)
		fprintf(f, "frame %" PRIu64 " %s -> %s ", w->frame, sl_endpoint_fmt(a, sizeof(a), &w->src),
			sl_endpoint_fmt(b, sizeof(b), &w->dst));
	fprintf(f, "offset %" PRIu64 " (0x%" PRIx64 ")", w->offset, w->offset);
}

static void text_pdu(struct sl_decode_out *o, const struct sl_decode_where *w, const struct sl_pdu_decoded *d,
		     const uint8_t *p, size_t n)
{
	struct text_walk tw = { .f = o->out, .depth = 1 };
	struct sl_pdu_bytes liid;
	char cin[24], ts[40];
	bool has_seq;
	uint64_t ts_us;

	header_ids(d, &liid, cin, sizeof(cin), &has_seq, &ts_us);
	text_where(o->out, w);
	fprintf(o->out, " %s", d->kind < _SL_PDU_KIND_COUNT ? sl_pdu_kind_names[d->kind] : "unknown");
	fputs(" LIID ", o->out);
	if (liid.n)
		put_escaped(o->out, liid.p, liid.n);
	else
		fputc('-', o->out);
	fprintf(o->out, " CIN %s", cin);
	if (has_seq)
		fprintf(o->out, " seq %" PRIu32, d->seqno);
	else
		fputs(" seq -", o->out);
	if (ts_us) {
		fmt_time(ts, sizeof(ts), ts_us);
		fprintf(o->out, " time %s", ts);
	} else if (d->has_ts && d->ts.tz == SL_PDU_TZ_LOCAL) {
		/* the wall-clock reading of an unnamed zone: no Z, marked local */
		fmt_time(ts, sizeof(ts), d->ts.us);
		if (ts[0] && ts[strlen(ts) - 1] == 'Z')
			ts[strlen(ts) - 1] = '\0';
		fprintf(o->out, " time %s local", ts);
	} else {
		fputs(" time -", o->out);
	}
	if (d->iri_type >= SL_IRI_BEGIN && d->iri_type <= SL_IRI_REPORT)
		fprintf(o->out, " IRI-%s", sl_iri_type_names[d->iri_type]);
	fprintf(o->out, " (%zu bytes)\n", n);
	sl_pdu_decoded_visit(d, text_field, &tw);
	if (o->verbose) {
		struct sl_ber_dec bd;
		struct sl_ber_dump_opts opts;
		size_t need, i = 0;
		char *buf;

		sl_ber_dump_defaults(&opts);
		opts.max_bytes = 64;
		sl_ber_dec_init(&bd, p, n, SL_BER_MODE_BER);
		need = sl_ber_dump_buf(&bd, sl_ber_dec_root(&bd), NULL, 0, &opts, NULL);
		buf = talloc_size(o->j.ctx, need + 1);
		if (!buf)
			return;
		sl_ber_dec_init(&bd, p, n, SL_BER_MODE_BER);
		sl_ber_dump_buf(&bd, sl_ber_dec_root(&bd), buf, need + 1, &opts, NULL);
		fputs("  BER:\n", o->out);
		while (buf[i]) {
			size_t e = i;

			while (buf[e] && buf[e] != '\n')
				e++;
			fprintf(o->out, "    %.*s\n", (int)(e - i), buf + i);
			i = buf[e] ? e + 1 : e;
		}
		talloc_free(buf);
	}
}

/* --- JSON --- */

static void json_where(struct sl_decode_out *o, const struct sl_decode_where *w)
{
	char a[SL_ENDPOINT_STRLEN];

	sl_json_key(&o->j, "file");
	sl_json_cstr(&o->j, o->name);
	if (w->index) {
		sl_json_key(&o->j, "index");
		sl_json_u64(&o->j, w->index);
	}
	if (w->capture) {
		sl_json_key(&o->j, "frame");
		sl_json_u64(&o->j, w->frame);
		sl_json_key(&o->j, "time");
		sl_json_ts(&o->j, w->ts_us);
		sl_json_key(&o->j, "src");
		sl_json_cstr(&o->j, sl_endpoint_fmt(a, sizeof(a), &w->src));
		sl_json_key(&o->j, "dst");
		sl_json_cstr(&o->j, sl_endpoint_fmt(a, sizeof(a), &w->dst));
	}
	sl_json_key(&o->j, "offset");
	sl_json_u64(&o->j, w->offset);
}

static void json_line(struct sl_decode_out *o)
{
	if (!sl_json_write_line(&o->j, o->out))
		o->write_failed = true;
}

/* --- both --- */

static void to_diag(struct sl_decode_out *o, const struct sl_decode_where *w, const char *what, const char *msg)
{
	char a[SL_ENDPOINT_STRLEN], b[SL_ENDPOINT_STRLEN];
	FILE *f = o->diag;

	if (!f)
		return;
	fprintf(f, "%s: %s: ", o->prog ? o->prog : "decode", o->name);
	if (w->capture)
		fprintf(f, "frame %" PRIu64 " %s -> %s: ", w->frame, sl_endpoint_fmt(a, sizeof(a), &w->src),
			sl_endpoint_fmt(b, sizeof(b), &w->dst));
	fprintf(f, "offset %" PRIu64 " (0x%" PRIx64 "): ", w->offset, w->offset);
	if (w->index)
		fprintf(f, "PDU #%" PRIu64 " ", w->index);
	fprintf(f, "%s%s\n", what, msg);
}

static void write_error(struct sl_decode_out *o, const struct sl_decode_where *w, const char *what, const char *msg)
{
	o->bad++;
	to_diag(o, w, what, msg);
	if (o->format == SL_DECODE_JSON) {
		char text[512];

		snprintf(text, sizeof(text), "%s%s", what, msg);
		sl_json_reset(&o->j);
		sl_json_obj_open(&o->j);
		json_where(o, w);
		sl_json_key(&o->j, "error");
		sl_json_cstr(&o->j, text);
		sl_json_obj_close(&o->j);
		json_line(o);
		return;
	}
	text_where(o->out, w);
	fprintf(o->out, " error: %s", what);
	put_escaped(o->out, (const uint8_t *)msg, strlen(msg));
	fputc('\n', o->out);
}

/* Write one decoded PDU d (of p[0..n)). */
static void pdu_out(struct sl_decode_out *o, const struct sl_decode_where *w, const struct sl_pdu_decoded *d,
		    const uint8_t *p, size_t n)
{
	if (o->format == SL_DECODE_JSON) {
		sl_json_reset(&o->j);
		sl_json_obj_open(&o->j);
		json_where(o, w);
		sl_json_key(&o->j, "pdu");
		sl_pdu_to_json(&o->j, d);
		sl_json_obj_close(&o->j);
		json_line(o);
		return;
	}
	text_pdu(o, w, d, p, n);
	if (ferror(o->out))
		o->write_failed = true;
}

void sl_decode_out_pdu(struct sl_decode_out *o, const struct sl_decode_where *w, const uint8_t *p, size_t n)
{
	struct sl_pdu_decoded d;
	char err[200], msg[240];
	void *pctx = talloc_new(o->j.ctx); /* owns the strings a BER sender segmented, for this PDU */

	if (sl_pdu_decode(pctx, p, n, &d, err, sizeof(err)) != 0) {
		/* the decoder's offsets count from the PDU's first byte */
		snprintf(msg, sizeof(msg), "%s%s", strncmp(err, "offset ", 7) ? "" : "at PDU ", err);
		write_error(o, w, "does not decode: ", msg);
	} else {
		o->pdus++;
		pdu_out(o, w, &d, p, n);
	}
	talloc_free(pctx);
}

void sl_decode_out_error(struct sl_decode_out *o, const struct sl_decode_where *w, const char *msg)
{
	write_error(o, w, "", msg);
}
