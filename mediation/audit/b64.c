/* Strict standard base64 (see b64.h). */
#include "mediation/audit/b64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void sl_audit_b64_encode(const uint8_t *p, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];

		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = alphabet[(v >> 6) & 63];
		out[o++] = alphabet[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;

		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;

		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 63];
		out[o++] = alphabet[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
}

static int val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

bool sl_audit_b64_decode(const char *s, size_t slen, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t i, o = 0;

	if (slen % 4 != 0)
		return false;
	for (i = 0; i < slen; i += 4) {
		int a = val(s[i]), b = val(s[i + 1]), c, d;
		bool last = i + 4 == slen;
		uint32_t v;

		if (a < 0 || b < 0)
			return false;
		if (last && s[i + 2] == '=' && s[i + 3] == '=') {
			if (o + 1 > cap || (b & 15))
				return false;
			out[o++] = (uint8_t)(a << 2 | b >> 4);
			break;
		}
		c = val(s[i + 2]);
		if (c < 0)
			return false;
		if (last && s[i + 3] == '=') {
			if (o + 2 > cap || (c & 3))
				return false;
			v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6;
			out[o++] = (uint8_t)(v >> 16);
			out[o++] = (uint8_t)(v >> 8);
			break;
		}
		d = val(s[i + 3]);
		if (d < 0 || o + 3 > cap)
			return false;
		v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
		out[o++] = (uint8_t)(v >> 16);
		out[o++] = (uint8_t)(v >> 8);
		out[o++] = (uint8_t)v;
	}
	*outlen = o;
	return true;
}
