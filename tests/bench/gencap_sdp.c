/*
 * SDP offers and answers for generated calls (RFC 4566, RFC 3264).
 *
 * The only SDP facts sluice relies on are the connection address (c=) and
 * the media port (m=): they tell it which UDP flows are the call's RTP and
 * RTCP. Those always name the endpoint the generator then really sends from
 * and to. Offers list PCMA, PCMU and telephone-event; answers pick the one
 * G.711 law the call uses. A "large" offer adds the codec zoo and ICE
 * candidates (RFC 8839) of a softphone, which is how real INVITEs end up
 * bigger than the MTU and arrive as IP fragments. ICE candidates only name
 * the host candidate's own address or documentation addresses, so no
 * tool is led to expect media elsewhere.
 */
#include <stdarg.h>
#include <stdio.h>

#include "tests/bench/gencap.h"

struct sbuf {
	char *p;
	size_t len, cap;
	bool over;
};

__attribute__((format(printf, 2, 3)))
static void sf(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->over)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->p + s->len, s->cap - s->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= s->cap - s->len) {
		s->over = true;
		return;
	}
	s->len += (size_t)n;
}

/* The extra codecs of a large offer: payload type, rtpmap, fmtp or NULL. */
static const struct {
	unsigned pt;
	const char *map;
	const char *fmtp;
} zoo[] = {
	{ 9, "G722/8000", NULL },
	{ 18, "G729/8000", "annexb=no" },
	{ 3, "GSM/8000", NULL },
	{ 96, "opus/48000/2", "minptime=10;useinbandfec=1;stereo=0;sprop-stereo=0" },
	{ 97, "AMR-WB/16000", "octet-align=1;mode-change-capability=2" },
	{ 98, "AMR/8000", "octet-align=1;mode-set=0,2,4,7" },
	{ 99, "iLBC/8000", "mode=30" },
	{ 100, "speex/16000", "vbr=on" },
	{ 102, "G7221/16000", "bitrate=32000" },
	{ 103, "G726-32/8000", NULL },
	{ 104, "EVS/16000", "br=5.9-24.4;bw=nb-swb" },
	{ 105, "SILK/16000", NULL },
	{ 106, "telephone-event/48000", "0-16" },
	{ 107, "telephone-event/16000", "0-16" },
};

#define N_ZOO (sizeof(zoo) / sizeof(zoo[0]))

size_t gc_sdp(char *buf, size_t cap, const struct gc_ep *media, uint64_t sess_id, int pt, size_t min_len)
{
	struct sbuf s = { .p = buf, .cap = cap };
	char ip[GC_IPSTR];
	const char *fam = media->ip.v6 ? "IP6" : "IP4";
	bool big = pt < 0 && min_len > 0;

	gc_ip_str(&media->ip, ip, sizeof(ip));
	sf(&s, "v=0\r\no=- %llu %llu IN %s %s\r\ns=-\r\nc=IN %s %s\r\nt=0 0\r\n",
	   (unsigned long long)sess_id, (unsigned long long)sess_id, fam, ip, fam, ip);
	if (pt >= 0) {
		sf(&s, "m=audio %u RTP/AVP %d 101\r\n", media->port, pt);
		sf(&s, "a=rtpmap:%d %s/8000\r\n", pt, pt == 8 ? "PCMA" : "PCMU");
	} else {
		sf(&s, "m=audio %u RTP/AVP 8 0", media->port);
		if (big)
			for (size_t i = 0; i < N_ZOO; i++)
				sf(&s, " %u", zoo[i].pt);
		sf(&s, " 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n");
		if (big)
			for (size_t i = 0; i < N_ZOO; i++) {
				sf(&s, "a=rtpmap:%u %s\r\n", zoo[i].pt, zoo[i].map);
				if (zoo[i].fmtp)
					sf(&s, "a=fmtp:%u %s\r\n", zoo[i].pt, zoo[i].fmtp);
			}
	}
	sf(&s, "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\n");
	if (big) {
		sf(&s, "a=ice-ufrag:%08llx\r\na=ice-pwd:%016llx%08llx\r\n",
		   (unsigned long long)(sess_id & 0xffffffffu), (unsigned long long)sess_id,
		   (unsigned long long)(sess_id >> 16));
		/* Host candidates for RTP and RTCP, then server-reflexive and relayed
		 * ones on documentation addresses until the offer is long enough. */
		for (unsigned i = 0; !s.over && (i < 2 || s.len + 20 < min_len); i++) {
			unsigned comp = 1 + (i & 1);
			unsigned port = media->port + comp - 1;

			if (i < 2)
				sf(&s, "a=candidate:%u %u UDP %u %s %u typ host\r\n", 1 + i / 2, comp,
				   2130706431u - comp + 1, ip, port);
			else if (i % 4 < 2)
				sf(&s, "a=candidate:%u %u UDP %u 198.51.100.%u %u typ srflx raddr %s rport %u\r\n",
				   1 + i / 2, comp, 1694498815u - comp + 1 - i, 1 + i % 250, 40000 + i * 2 + comp,
				   ip, port);
			else
				sf(&s, "a=candidate:%u %u UDP %u 203.0.113.%u %u typ relay raddr 198.51.100.%u rport %u\r\n",
				   1 + i / 2, comp, 16777215u - comp + 1 - i, 1 + i % 250, 50000 + i * 2 + comp,
				   1 + i % 250, 40000 + i * 2 + comp);
		}
	}
	sf(&s, "a=sendrecv\r\n");
	return s.over ? 0 : s.len;
}
