/*
 * DER order for the components of a SET OF (X.690 11.6): the encodings
 * of the components appear in ascending order, compared as octet strings,
 * the shorter one padded at its end with zero octets. BER leaves the
 * order free, so the generic writer (ber_encode.c) writes components in
 * the caller's order; a caller encoding a SET OF calls
 * sl_ber_w_sort_set_of() after its components and before closing the SET.
 *
 * The components are found with the strict reader (they are our own DER,
 * so every one frames) and sorted in place by insertion, each move a
 * rotation of the bytes between (three reversals): no allocation, no
 * scratch buffer, and linear work per move, which is nothing for the ten
 * components TS 101 671 allows in partyInformation.
 */
#include <string.h>

#include "asn1/ber_decode.h"
#include "asn1/ber_encode.h"

/* Most components sorted; a SET OF with more poisons the writer. */
#define SET_OF_MAX 64

/* X.690 11.6 comparison of a[0..an) and b[0..bn). */
static int der_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	size_t i, n = an > bn ? an : bn;

	for (i = 0; i < n; i++) {
		uint8_t x = i < an ? a[i] : 0, y = i < bn ? b[i] : 0;

		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

static void reverse(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n / 2; i++) {
		uint8_t t = p[i];

		p[i] = p[n - 1 - i];
		p[n - 1 - i] = t;
	}
}

/* p[0..a) p[a..a+b) -> p[a..a+b) p[0..a) */
static void rotate(uint8_t *p, size_t a, size_t b)
{
	reverse(p, a);
	reverse(p + a, b);
	reverse(p, a + b);
}

void sl_ber_w_sort_set_of(struct sl_ber_w *w, size_t mark)
{
	size_t off[SET_OF_MAX], len[SET_OF_MAX], n = 0, i, j, total;
	struct sl_ber_dec d;
	struct sl_ber_cur c;
	struct sl_ber_tlv t;
	uint8_t *p;

	if (mark > w->len) {
		w->invalid = true;
		return;
	}
	if (!sl_ber_w_ok(w))
		return; /* a sizing pass or a failed one: the order changes no length */
	total = w->len - mark;
	p = w->buf + w->cap - w->len;
	sl_ber_dec_init(&d, p, total, SL_BER_MODE_DER);
	c = sl_ber_dec_root(&d);
	while (sl_ber_more(&c)) {
		if (n == SET_OF_MAX || sl_ber_next(&d, &c, &t) != SL_BER_OK) {
			w->invalid = true;
			return;
		}
		off[n] = (size_t)(sl_ber_tlv_start(&t) - p);
		len[n] = sl_ber_tlv_size(&t);
		n++;
	}
	/* insertion sort: component i moves in front of the first larger one */
	for (i = 1; i < n; i++) {
		for (j = 0; j < i; j++)
			if (der_cmp(p + off[i], len[i], p + off[j], len[j]) < 0)
				break;
		if (j == i)
			continue;
		{
			size_t li = len[i], start = off[j], k;

			/* bytes [start, off[i]) then component i: rotate i to start */
			rotate(p + start, off[i] - start, li);
			for (k = i; k > j; k--) {
				len[k] = len[k - 1];
				off[k] = off[k - 1] + li;
			}
			len[j] = li;
			off[j] = start;
		}
	}
}
