/*
 * JSON rendering of a decoded handover PDU, driven by the decoder's
 * visitor (sl_pdu_decoded_visit) so this file knows the output format and
 * nothing of the TS 102 232 / TS 101 671 structures.
 */
#include <talloc.h>

#include "capture/addr.h"
#include "render/pdu_render.h"
#include "render/printable.h"

static void hex(struct sl_json *j, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t k;

	sl_json_obj_open(j);
	sl_json_key(j, "hex");
	{
		char *all = talloc_size(j->ctx, 2 * n + 1);

		if (!all) {
			sl_json_null(j);
			sl_json_obj_close(j);
			return;
		}
		for (k = 0; k < n; k++) {
			all[2 * k] = digits[p[k] >> 4];
			all[2 * k + 1] = digits[p[k] & 15];
		}
		all[2 * n] = '\0';
		sl_json_cstr(j, all);
		talloc_free(all);
	}
	sl_json_obj_close(j);
}

static void field(void *arg, const struct sl_pdu_field *f)
{
	struct sl_json *j = arg;
	char a[SL_ADDR_STRLEN];

	if (f->type == SL_PDU_F_CLOSE) {
		sl_json_obj_close(j);
		return;
	}
	sl_json_key(j, f->name);
	switch (f->type) {
	case SL_PDU_F_OPEN:
		sl_json_obj_open(j);
		break;
	case SL_PDU_F_UINT:
		sl_json_u64(j, f->u);
		break;
	case SL_PDU_F_TEXT:
		sl_json_cstr(j, f->text);
		break;
	case SL_PDU_F_BYTES:
		if (sl_printable(f->bytes.p, f->bytes.n, SL_PRINTABLE_TEXT))
			sl_json_str(j, sl_str_make(f->bytes.p, f->bytes.n));
		else
			hex(j, f->bytes.p, f->bytes.n);
		break;
	case SL_PDU_F_TIME:
		sl_json_ts(j, f->u);
		break;
	case SL_PDU_F_ADDR:
		sl_json_cstr(j, sl_addr_fmt(a, sizeof(a), f->addr));
		break;
	default:
		sl_json_null(j);
		break;
	}
}

void sl_pdu_to_json(struct sl_json *j, const struct sl_pdu_decoded *d)
{
	sl_json_obj_open(j);
	sl_pdu_decoded_visit(d, field, j);
	sl_json_obj_close(j);
}
