/*
 * Encode/decode round trips through asn1/: random values of every type the
 * writer emits (INTEGER over every octet width and sign, unsigned 64-bit,
 * BOOLEAN, NULL, OCTET STRING, UTF8String from random code points, BIT
 * STRING, OBJECT IDENTIFIER, GeneralizedTime, UTCTime) under random tags of
 * every class, nested in random SEQUENCE trees built with marks, are written
 * by the backwards DER writer and read back by the strict decoder in both
 * modes, value for value. The encodings must be DER (the strict mode takes
 * them), the sizing pass must predict their exact size, and the writer and
 * a model of the tree must agree on the byte count. A fixed-seed PRNG makes
 * every run identical.
 */
#include "tests/unit/asn1_test_util.h"

#include "asn1/ber_decode.h"
#include "asn1/ber_encode.h"
#include "asn1/oid.h"

enum kind { K_INT, K_UINT, K_BOOL, K_NULL, K_OCTETS, K_UTF8, K_BITS, K_OID, K_GT, K_UTC, K_SEQ, K__N };

struct node {
	enum kind kind;
	uint8_t cls;
	uint32_t tag;
	int64_t i;
	uint64_t u;
	uint8_t bytes[48];
	size_t n; /* bytes, bits, arcs or children */
	uint32_t arcs[12];
	unsigned digits;
	struct node *kids[4];
};

static uint32_t random_tag(uint8_t *cls, uint32_t universal)
{
	static const uint8_t classes[] = { SL_BER_APPLICATION, SL_BER_CONTEXT, SL_BER_PRIVATE };

	if (t_below(3) == 0) {
		*cls = SL_BER_UNIVERSAL;
		return universal;
	}
	*cls = classes[t_below(3)];
	switch (t_below(4)) {
	case 0:
		return (uint32_t)t_below(31);
	case 1:
		return 31 + (uint32_t)t_below(200);
	case 2:
		return (uint32_t)t_below(SL_BER_TAG_MAX + 1ull);
	default:
		return SL_BER_TAG_MAX;
	}
}

/* An integer of a random width, so every octet count and sign boundary is hit. */
static int64_t random_int(void)
{
	unsigned bits = (unsigned)t_below(65);
	uint64_t u = bits ? t_rng() >> (64 - bits) : 0;

	return t_below(2) ? (int64_t)u : -(int64_t)(u >> 1) - 1;
}

/* Append one random code point as UTF-8; returns bytes written (<= 4). */
static size_t put_code_point(uint8_t *p)
{
	uint32_t c;

	do {
		switch (t_below(4)) {
		case 0:
			c = (uint32_t)t_below(0x80);
			break;
		case 1:
			c = 0x80 + (uint32_t)t_below(0x780);
			break;
		case 2:
			c = 0x800 + (uint32_t)t_below(0xF800);
			break;
		default:
			c = 0x10000 + (uint32_t)t_below(0x100000);
			break;
		}
	} while (c >= 0xD800 && c <= 0xDFFF);
	if (c < 0x80) {
		p[0] = (uint8_t)c;
		return 1;
	}
	if (c < 0x800) {
		p[0] = (uint8_t)(0xC0 | (c >> 6));
		p[1] = (uint8_t)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		p[0] = (uint8_t)(0xE0 | (c >> 12));
		p[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
		p[2] = (uint8_t)(0x80 | (c & 0x3F));
		return 3;
	}
	p[0] = (uint8_t)(0xF0 | (c >> 18));
	p[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
	p[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
	p[3] = (uint8_t)(0x80 | (c & 0x3F));
	return 4;
}

static struct node *make(unsigned depth)
{
	struct node *x = calloc(1, sizeof(*x));
	size_t j;

	assert_non_null(x);
	x->kind = (enum kind)t_below(depth < 5 ? K__N : K__N - 1);
	switch (x->kind) {
	case K_INT:
		x->tag = random_tag(&x->cls, SL_BER_TAG_INTEGER);
		x->i = random_int();
		break;
	case K_UINT:
		x->tag = random_tag(&x->cls, SL_BER_TAG_INTEGER);
		x->u = t_below(2) ? t_rng() : t_rng() >> t_below(64);
		break;
	case K_BOOL:
		x->tag = random_tag(&x->cls, SL_BER_TAG_BOOLEAN);
		x->i = (int64_t)t_below(2);
		break;
	case K_NULL:
		x->tag = random_tag(&x->cls, SL_BER_TAG_NULL);
		break;
	case K_OCTETS:
		x->tag = random_tag(&x->cls, SL_BER_TAG_OCTET_STRING);
		x->n = (size_t)t_below(sizeof(x->bytes) + 1);
		for (j = 0; j < x->n; j++)
			x->bytes[j] = (uint8_t)t_rng();
		break;
	case K_UTF8:
		x->tag = random_tag(&x->cls, SL_BER_TAG_UTF8_STRING);
		while (x->n + 4 <= sizeof(x->bytes) && t_below(8))
			x->n += put_code_point(x->bytes + x->n);
		break;
	case K_BITS:
		x->tag = random_tag(&x->cls, SL_BER_TAG_BIT_STRING);
		x->n = (size_t)t_below(8 * 16 + 1);
		for (j = 0; j < 16; j++)
			x->bytes[j] = (uint8_t)t_rng();
		break;
	case K_OID:
		x->tag = random_tag(&x->cls, SL_BER_TAG_OID);
		x->n = 2 + (size_t)t_below(10);
		x->arcs[0] = (uint32_t)t_below(3);
		for (j = 1; j < x->n; j++)
			x->arcs[j] = (uint32_t)(t_rng() >> (32 + t_below(33) % 32));
		if (x->arcs[0] < 2)
			x->arcs[1] %= 40;
		break;
	case K_GT:
		x->tag = random_tag(&x->cls, SL_BER_TAG_GENERALIZED_TIME);
		x->i = INT64_C(-62167219200) + (int64_t)t_below(UINT64_C(315537897600));
		x->u = t_below(1000000);
		x->digits = (unsigned)t_below(7);
		break;
	case K_UTC:
		x->tag = random_tag(&x->cls, SL_BER_TAG_UTC_TIME);
		x->i = -631152000 + (int64_t)t_below(UINT64_C(3155760000));
		break;
	case K_SEQ:
	default:
		x->kind = K_SEQ;
		x->tag = random_tag(&x->cls, SL_BER_TAG_SEQUENCE);
		x->n = (size_t)t_below(5);
		for (j = 0; j < x->n; j++)
			x->kids[j] = make(depth + 1);
		break;
	}
	return x;
}

static void drop(struct node *x)
{
	size_t j;

	if (x->kind == K_SEQ)
		for (j = 0; j < x->n; j++)
			drop(x->kids[j]);
	free(x);
}

/* Backwards: children last to first inside a mark. */
static void write_node(struct sl_ber_w *w, const struct node *x)
{
	size_t j, m;

	switch (x->kind) {
	case K_INT:
		sl_ber_w_int64(w, x->cls, x->tag, x->i);
		break;
	case K_UINT:
		sl_ber_w_uint64(w, x->cls, x->tag, x->u);
		break;
	case K_BOOL:
		sl_ber_w_bool(w, x->cls, x->tag, x->i != 0);
		break;
	case K_NULL:
		sl_ber_w_null(w, x->cls, x->tag);
		break;
	case K_OCTETS:
		sl_ber_w_octets(w, x->cls, x->tag, x->bytes, x->n);
		break;
	case K_UTF8:
		sl_ber_w_utf8(w, x->cls, x->tag, x->bytes, x->n);
		break;
	case K_BITS:
		sl_ber_w_bitstring(w, x->cls, x->tag, x->bytes, x->n);
		break;
	case K_OID:
		sl_ber_w_oid(w, x->cls, x->tag, x->arcs, x->n);
		break;
	case K_GT:
		sl_ber_w_generalized_time(w, x->cls, x->tag, x->i, (uint32_t)x->u, x->digits);
		break;
	case K_UTC:
		sl_ber_w_utc_time(w, x->cls, x->tag, x->i);
		break;
	default:
		m = sl_ber_w_mark(w);
		for (j = x->n; j-- > 0;)
			write_node(w, x->kids[j]);
		sl_ber_w_close(w, m, x->cls, x->tag);
		break;
	}
}

static void check_node(struct sl_ber_dec *d, struct sl_ber_cur *c, const struct node *x)
{
	struct sl_ber_tlv t;
	struct sl_ber_cur in;
	struct sl_ber_time tm;
	const uint8_t *p;
	const char *s;
	uint32_t arcs[12];
	int64_t v;
	uint64_t u;
	size_t n, j;
	unsigned unused;
	bool b;

	assert_int_equal(sl_ber_next(d, c, &t), SL_BER_OK);
	assert_int_equal(t.cls, x->cls);
	assert_int_equal(t.tag, x->tag);
	assert_int_equal(t.constructed, x->kind == K_SEQ);
	assert_false(t.indefinite);
	switch (x->kind) {
	case K_INT:
		assert_int_equal(sl_ber_get_int64(d, &t, &v), SL_BER_OK);
		assert_true(v == x->i);
		if (x->i >= 0) {
			assert_int_equal(sl_ber_get_uint64(d, &t, &u), SL_BER_OK);
			assert_true(u == (uint64_t)x->i);
		}
		break;
	case K_UINT:
		assert_int_equal(sl_ber_get_uint64(d, &t, &u), SL_BER_OK);
		assert_true(u == x->u);
		assert_int_equal(sl_ber_get_int64(d, &t, &v),
				 x->u > INT64_MAX ? SL_BER_E_LIMIT : SL_BER_OK);
		break;
	case K_BOOL:
		assert_int_equal(sl_ber_get_bool(d, &t, &b), SL_BER_OK);
		assert_int_equal(b, x->i != 0);
		break;
	case K_NULL:
		assert_int_equal(sl_ber_get_null(d, &t), SL_BER_OK);
		break;
	case K_OCTETS:
		assert_int_equal(sl_ber_get_octets(d, &t, &p, &n), SL_BER_OK);
		t_assert_bytes(p, n, x->bytes, x->n);
		break;
	case K_UTF8:
		assert_int_equal(sl_ber_get_text(d, &t, SL_BER_TAG_UTF8_STRING, &s, &n), SL_BER_OK);
		t_assert_bytes(s, n, x->bytes, x->n);
		break;
	case K_BITS:
		assert_int_equal(sl_ber_get_bitstring(d, &t, &p, &n, &unused), SL_BER_OK);
		assert_int_equal(n * 8 - unused, x->n);
		for (j = 0; j < x->n; j++)
			assert_int_equal((p[j / 8] >> (7 - j % 8)) & 1, (x->bytes[j / 8] >> (7 - j % 8)) & 1);
		break;
	case K_OID:
		assert_int_equal(sl_ber_get_oid(d, &t, arcs, 12, &n), SL_BER_OK);
		assert_int_equal(n, x->n);
		assert_memory_equal(arcs, x->arcs, n * sizeof(arcs[0]));
		break;
	case K_GT: {
		uint32_t scale = 1;

		for (j = x->digits; j < 6; j++)
			scale *= 10;
		assert_int_equal(sl_ber_get_generalized_time(d, &t, &tm), SL_BER_OK);
		assert_true(tm.sec == x->i);
		assert_int_equal(tm.usec, (uint32_t)x->u / scale * scale);
		assert_int_equal(tm.tz, SL_BER_TZ_UTC);
		break;
	}
	case K_UTC:
		assert_int_equal(sl_ber_get_utc_time(d, &t, &tm), SL_BER_OK);
		assert_true(tm.sec == x->i);
		break;
	default:
		assert_int_equal(sl_ber_enter(d, c, &t, &in), SL_BER_OK);
		for (j = 0; j < x->n; j++)
			check_node(d, &in, x->kids[j]);
		assert_int_equal(sl_ber_done(d, &in), SL_BER_OK);
		break;
	}
}

static void test_random_trees(void **state)
{
	static uint8_t buf[1 << 16];
	unsigned iter, m;

	(void)state;
	t_seed(0xB0B);
	for (iter = 0; iter < 5000; iter++) {
		struct node *root = make(0);
		struct sl_ber_w w;
		const uint8_t *p;
		size_t n, need;
		uint8_t *copy;

		sl_ber_w_init(&w, NULL, 0);
		write_node(&w, root);
		assert_false(w.invalid);
		need = sl_ber_w_needed(&w);

		sl_ber_w_init(&w, buf, sizeof(buf));
		write_node(&w, root);
		assert_true(sl_ber_w_result(&w, &p, &n));
		assert_int_equal(n, need);
		copy = t_exact(p, n);
		for (m = 0; m < 2; m++) {
			struct sl_ber_dec d;
			struct sl_ber_cur c;

			sl_ber_dec_init(&d, copy, n, m ? SL_BER_MODE_BER : SL_BER_MODE_DER);
			d.max_depth = 16;
			c = sl_ber_dec_root(&d);
			check_node(&d, &c, root);
			assert_int_equal(sl_ber_done(&d, &c), SL_BER_OK);
		}
		/* a buffer one byte short fails and still counts the whole */
		{
			uint8_t *small = malloc(n - 1 ? n - 1 : 1);

			sl_ber_w_init(&w, small, n - 1);
			write_node(&w, root);
			assert_true(w.overflow);
			assert_int_equal(sl_ber_w_needed(&w), n);
			free(small);
		}
		free(copy);
		drop(root);
	}
}

/* Every int64 octet boundary, both sides, both signs. */
static void test_int_boundaries(void **state)
{
	unsigned k;

	(void)state;
	for (k = 0; k < 64; k++) {
		int64_t vals[6];
		unsigned j;

		vals[0] = (int64_t)((UINT64_C(1) << k) - 1);
		vals[1] = k < 63 ? (int64_t)(UINT64_C(1) << k) : INT64_MAX;
		vals[2] = -vals[0];
		vals[3] = -vals[1];
		vals[4] = k < 63 ? -vals[1] - 1 : INT64_MIN;
		vals[5] = vals[0] ^ 0x5555555555555555;
		for (j = 0; j < 6; j++) {
			uint8_t buf[16];
			struct sl_ber_w w;
			struct sl_ber_dec d;
			struct sl_ber_tlv t;
			const uint8_t *p;
			size_t n, want;
			int64_t v = vals[j], back;
			uint64_t mag = v < 0 ? ~(uint64_t)v : (uint64_t)v;

			/* fewest octets holding the magnitude bits plus a sign bit */
			want = 1;
			while (want < 8 && (mag >> (8 * want - 1)) != 0)
				want++;
			sl_ber_w_init(&w, buf, sizeof(buf));
			sl_ber_w_int64(&w, SL_BER_UNIVERSAL, SL_BER_TAG_INTEGER, v);
			assert_true(sl_ber_w_result(&w, &p, &n));
			assert_int_equal(n, 2 + want);
			sl_ber_dec_init(&d, p, n, SL_BER_MODE_DER);
			assert_int_equal(sl_ber_single(&d, &t), SL_BER_OK);
			assert_int_equal(sl_ber_get_int64(&d, &t, &back), SL_BER_OK);
			assert_true(back == v);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_trees),
		cmocka_unit_test(test_int_boundaries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
