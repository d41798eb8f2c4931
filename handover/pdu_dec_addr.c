/*
 * IPAddress for the strict PDU decoders: TS 102 232-1 annex A.2 and
 * TS 101 671 annex D.5 define it identically, and sluice sends it in
 * SIPMessage (TS 102 232-5 clause 5.2.7) and in the SMS node addresses of
 * IRI-Parameters. sluice sends the binary iP-value; other senders may use
 * iPTextAddress (IA5String, segmented in BER), which is read as dotted
 * IPv4 or RFC 4291 IPv6 text. Either must match iP-type (4 octets IPv4,
 * 16 IPv6). On top of pdu_seq.c's walker,
 * and in a file of its own so the typed readers (pdu_dec_util.c) stay
 * below the walker that calls them.
 */
#include <arpa/inet.h>
#include <string.h>

#include "handover/pdu_decode_int.h"

/* IPAddress as read, before the checks across its components. */
struct ip_address {
	int type, assignment, prefix_len;
	struct sl_pdu_bytes value;
	bool text;		/* iPTextAddress: value is the text, converted after iP-type is known */
};

/* IP-value: iPBinaryAddress [1] or iPTextAddress [2] IA5String (SIZE (7..45)). */
static int ip_value(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *out)
{
	struct ip_address *ip = out;
	struct sl_ber_tlv alt;

	if (sl_pd_choice(s, c, t, &alt))
		return -1;
	if (alt.tag == 2) {
		ip->text = true;
		if (sl_pd_text(s, &alt, SL_BER_TAG_IA5_STRING, &ip->value, "iPTextAddress"))
			return -1;
		if (ip->value.n < 7 || ip->value.n > 45)
			return sl_pd_bad(s, &alt, "iPTextAddress of %zu characters, allowed 7..45", ip->value.n);
		return 0;
	}
	if (alt.tag != 1)
		return sl_pd_unsupported(s, &alt, "IP-value");
	return sl_pd_bytes(s, &alt, 4, 16, &ip->value, "iPBinaryAddress");
}

/* TS 102 232-1 A.2 IPAddress (TS 101 671 D.5 has the same); iPTextAddress is not ours. */
static const struct sl_pd_comp ip_address_comp[] = {
	{ 1, "iP-type", SL_PD_MANDATORY, SL_PD_ENUM_AT(struct ip_address, type, 0, 1) },
	{ 2, "iP-value", SL_PD_MANDATORY, SL_PD_CALL_WITH(ip_value) },
	{ 3, "iP-assignment", SL_PD_OPTIONAL, SL_PD_ENUM_AT(struct ip_address, assignment, 1, 3) },
	{ 4, "iPv6PrefixLength", SL_PD_OPTIONAL, SL_PD_ENUM_AT(struct ip_address, prefix_len, 1, 128) },
};
static const struct sl_pd_seq ip_address = {
	.name = "IPAddress", SL_PD_COMPONENTS(ip_address_comp), .qualify_missing = true,
};

int sl_pd_ip_address(struct sl_pdu_dec *s, struct sl_ber_cur *c, const struct sl_ber_tlv *t, void *addr)
{
	struct ip_address ip = { .type = -1 };
	struct sl_addr *a = addr;
	char txt[46];
	uint8_t bin[16];

	if (sl_pd_seq(s, c, t, "IPAddress", &ip_address, &ip))
		return -1;
	if (ip.text) {
		memcpy(txt, ip.value.p, ip.value.n); /* 7..45 characters, checked */
		txt[ip.value.n] = '\0';
		if (inet_pton(ip.type ? AF_INET6 : AF_INET, txt, bin) != 1)
			return sl_pd_bad(s, t, "iPTextAddress is not an %s address", ip.type ? "IPv6" : "IPv4");
		ip.value.p = bin;
		ip.value.n = ip.type ? 16u : 4u;
	}
	if (ip.value.n != (ip.type ? 16u : 4u))
		return sl_pd_bad(s, t, "iPBinaryAddress of %zu octets for %s", ip.value.n, ip.type ? "IPv6" : "IPv4");
	memset(a, 0, sizeof(*a));
	a->family = ip.type ? SL_AF_INET6 : SL_AF_INET4;
	memcpy(a->a, ip.value.p, ip.value.n);
	return 0;
}
