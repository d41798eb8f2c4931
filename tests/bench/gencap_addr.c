/*
 * Addresses of the simulated hosts and their text forms.
 *
 * Captures must be self-consistent: the address a SIP Contact or an SDP c=
 * line names is the address the packets really use, and one host always has
 * the same MAC. This file holds the small conversions every other module
 * needs for that (IP to text, SIP host form with IPv6 brackets, the
 * "ip:port" notation of the ground truth, and a MAC derived from the IP so
 * no table of hosts is needed). All simulated addresses come from private
 * or documentation ranges (RFC 1918, RFC 3849, RFC 5737).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "tests/bench/gencap.h"

void gc_ip4(struct gc_ip *ip, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	memset(ip, 0, sizeof(*ip));
	ip->b[0] = a;
	ip->b[1] = b;
	ip->b[2] = c;
	ip->b[3] = d;
}

void gc_ip6(struct gc_ip *ip, uint16_t net, uint16_t hi, uint16_t lo)
{
	memset(ip, 0, sizeof(*ip));
	ip->v6 = true;
	ip->b[0] = 0x20;
	ip->b[1] = 0x01;
	ip->b[2] = 0x0d;
	ip->b[3] = 0xb8;
	ip->b[4] = (uint8_t)(net >> 8);
	ip->b[5] = (uint8_t)net;
	ip->b[12] = (uint8_t)(hi >> 8);
	ip->b[13] = (uint8_t)hi;
	ip->b[14] = (uint8_t)(lo >> 8);
	ip->b[15] = (uint8_t)lo;
}

const char *gc_ip_str(const struct gc_ip *ip, char *buf, size_t len)
{
	/* inet_ntop gives the canonical RFC 5952 form, as tshark prints it. */
	if (!inet_ntop(ip->v6 ? AF_INET6 : AF_INET, ip->b, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

const char *gc_host_str(const struct gc_ip *ip, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	gc_ip_str(ip, a, sizeof(a));
	snprintf(buf, len, ip->v6 ? "[%s]" : "%s", a);
	return buf;
}

const char *gc_ep_str(const struct gc_ep *ep, char *buf, size_t len)
{
	char h[INET6_ADDRSTRLEN + 2];

	snprintf(buf, len, "%s:%u", gc_host_str(&ep->ip, h, sizeof(h)), ep->port);
	return buf;
}

void gc_mac(const struct gc_ip *ip, uint8_t mac[6])
{
	/* 0x02: locally administered, unicast. The family goes into byte 1; for
	 * IPv4 the address itself, for IPv6 the low byte of the simulated /48
	 * (gc_ip6's net) and the low 24 bits of the host part. */
	mac[0] = 0x02;
	mac[1] = ip->v6 ? 0x06 : 0x04;
	if (ip->v6) {
		mac[2] = ip->b[5];
		memcpy(mac + 3, ip->b + 13, 3);
	} else {
		memcpy(mac + 2, ip->b, 4);
	}
}
