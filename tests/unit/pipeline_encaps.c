/* Encapsulation table of the pipeline tests (see pipeline_encaps.h). */
#include "tests/unit/pipeline_encaps.h"

#include <pcap/dlt.h>

#include "tests/unit/pipeline_fixture.h"

#define UDP_SIP { PB_UDP, NULL, NULL, 5060, 5060, 0 }
#define TCP_SIP { PB_TCP, NULL, NULL, 40000, 5060, 1000 }
#define IN4 { PB_IPV4, PFX_A4, PFX_B4, 0, 0, 0 }
#define IN6 { PB_IPV6, PFX_A6, PFX_B6, 0, 0, 0 }
#define OUT4 { PB_IPV4, PFX_C4, PFX_D4, 0, 0, 0 }
#define OUT6 { PB_IPV6, PFX_B6, PFX_A6, 0, 0, 0 }
#define ETH { PB_ETH, NULL, NULL, 0, 0, 0 }
#define OP(k, a, b) { k, NULL, NULL, a, b, 0 }

#define E(nm, dl, v6, tr, sp, ...)                                                                             \
	{                                                                                                      \
		.name = nm, .dlt = dl, .inner_v6 = v6, .transport = tr, .sport = sp,                            \
		.n_ops = sizeof((struct pb_op[]){ __VA_ARGS__ }) / sizeof(struct pb_op), .ops = { __VA_ARGS__ } \
	}
#define EU(nm, dl, v6, ...) E(nm, dl, v6, SL_TRANSPORT_UDP, 5060, __VA_ARGS__)

const struct encap pipeline_encaps[] = {
	EU("eth/ipv4/udp", DLT_EN10MB, false, UDP_SIP, IN4, ETH),
	EU("eth/vlan/ipv4/udp", DLT_EN10MB, false, UDP_SIP, IN4, OP(PB_VLAN, 0x8100, 100), ETH),
	EU("eth/qinq/ipv4/udp", DLT_EN10MB, false, UDP_SIP, IN4, OP(PB_VLAN, 0x8100, 100), OP(PB_VLAN, 0x88a8, 200),
	   ETH),
	EU("eth/qinq9100/ipv6/udp", DLT_EN10MB, true, UDP_SIP, IN6, OP(PB_VLAN, 0x8100, 7), OP(PB_VLAN, 0x9100, 8),
	   ETH),
	EU("eth/mpls2/ipv4/udp", DLT_EN10MB, false, UDP_SIP, IN4, OP(PB_MPLS, 100, 0), OP(PB_MPLS, 200, 0), ETH),
	EU("eth/mpls/ipv6/udp", DLT_EN10MB, true, UDP_SIP, IN6, OP(PB_MPLS, 100, 0), ETH),
	EU("eth/mpls/pw/eth/ipv4/udp", DLT_EN10MB, false, UDP_SIP, IN4, ETH, OP(PB_MPLS_CW, 0, 0),
	   OP(PB_MPLS, 300, 0), ETH),
	EU("eth/ipv6/udp", DLT_EN10MB, true, UDP_SIP, IN6, ETH),
	EU("eth/ipv6/frag-atomic/udp", DLT_EN10MB, true, UDP_SIP, OP(PB_IPV6_FRAG, 17, 0x77), IN6, ETH),
	EU("eth/ipv4/gre-key/ipv4/udp", DLT_EN10MB, false, UDP_SIP, IN4, OP(PB_GRE, PB_GRE_K, 0), OUT4, ETH),
	EU("eth/ipv4/gre-csum-seq/ipv6/udp", DLT_EN10MB, true, UDP_SIP, IN6, OP(PB_GRE, PB_GRE_C | PB_GRE_S, 0), OUT4,
	   ETH),
	EU("eth/ipv4/gre-teb/eth/ipv4/udp", DLT_EN10MB, false, UDP_SIP, IN4, ETH, OP(PB_GRE, 0, 0), OUT4, ETH),
	EU("eth/ipv4/gre/erspan2/eth/ipv4/udp", DLT_EN10MB, false, UDP_SIP, IN4, ETH, OP(PB_ERSPAN2, 0, 0),
	   OP(PB_GRE, 0, 0), OUT4, ETH),
	EU("eth/ipv4/gre/erspan2/eth/vlan/ipv4/udp", DLT_EN10MB, false, UDP_SIP, IN4, OP(PB_VLAN, 0x8100, 10), ETH,
	   OP(PB_ERSPAN2, 0, 0), OP(PB_GRE, 0, 0), OUT4, ETH),
	EU("eth/ipv4/gre/erspan3/eth/ipv4/udp", DLT_EN10MB, false, UDP_SIP, IN4, ETH, OP(PB_ERSPAN3, 0, 0),
	   OP(PB_GRE, 0, 0), OUT4, ETH),
	EU("eth/ipv4/gre/erspan3-sub/ip/ipv6/udp", DLT_EN10MB, true, UDP_SIP, IN6, OP(PB_ERSPAN3, 1, 1),
	   OP(PB_GRE, 0, 0), OUT4, ETH),
	EU("eth/ipv4/udp/vxlan/eth/ipv4/udp", DLT_EN10MB, false, UDP_SIP, IN4, ETH, OP(PB_VXLAN, 0, 0),
	   OP(PB_UDP, 49152, 4789), OUT4, ETH),
	EU("eth/ipv6/udp/vxlan/eth/ipv6/udp", DLT_EN10MB, true, UDP_SIP, IN6, ETH, OP(PB_VXLAN, 0, 0),
	   OP(PB_UDP, 49152, 4789), OUT6, ETH),
	EU("eth/ipv4/udp/gtpu/ipv4/udp", DLT_EN10MB, false, UDP_SIP, IN4, OP(PB_GTPU, 0, 0), OP(PB_UDP, 2152, 2152),
	   OUT4, ETH),
	EU("eth/vlan/ipv4/udp/gtpu-ext/ipv6/udp", DLT_EN10MB, true, UDP_SIP, IN6, OP(PB_GTPU, 1, 0),
	   OP(PB_UDP, 2152, 2152), OUT4, OP(PB_VLAN, 0x8100, 5), ETH),
	EU("eth/ipv4/ipip/ipv4/udp", DLT_EN10MB, false, UDP_SIP, IN4, OUT4, ETH),
	EU("eth/ipv4/ipv6/udp", DLT_EN10MB, true, UDP_SIP, IN6, OUT4, ETH),
	EU("eth/ipv6/ipv4/udp", DLT_EN10MB, false, UDP_SIP, IN4, OUT6, ETH),
	EU("sll/ipv4/udp", DLT_LINUX_SLL, false, UDP_SIP, IN4, OP(PB_SLL, 0, 0)),
	EU("sll/ipv4/udp/gtpu/ipv4/udp", DLT_LINUX_SLL, false, UDP_SIP, IN4, OP(PB_GTPU, 0, 0),
	   OP(PB_UDP, 2152, 2152), OUT4, OP(PB_SLL, 0, 0)),
	EU("sll2/ipv6/udp", DLT_LINUX_SLL2, true, UDP_SIP, IN6, OP(PB_SLL2, 0, 0)),
	EU("raw/ipv4/udp", DLT_RAW, false, UDP_SIP, IN4, OP(PB_RAW, 0, 0)),
	EU("raw/ipv6/udp", DLT_RAW, true, UDP_SIP, IN6, OP(PB_RAW, 0, 0)),
	EU("ipv4/udp", DLT_IPV4, false, UDP_SIP, IN4, OP(PB_RAW, 0, 0)),
	EU("null/ipv4/udp", DLT_NULL, false, UDP_SIP, IN4, OP(PB_NULL, 0, 0)),
	EU("null-swapped/ipv6/udp", DLT_NULL, true, UDP_SIP, IN6, OP(PB_NULL, 1, 0)),
	EU("loop/ipv6/udp", DLT_LOOP, true, UDP_SIP, IN6, OP(PB_LOOP, 0, 0)),
	E("eth/ipv4/tcp", DLT_EN10MB, false, SL_TRANSPORT_TCP, 40000, TCP_SIP, IN4, ETH),
	E("eth/vlan/ipv6/tcp", DLT_EN10MB, true, SL_TRANSPORT_TCP, 40000, TCP_SIP, IN6, OP(PB_VLAN, 0x8100, 3), ETH),
	E("eth/ipv4/gre/erspan2/eth/ipv4/tcp", DLT_EN10MB, false, SL_TRANSPORT_TCP, 40000, TCP_SIP, IN4, ETH,
	  OP(PB_ERSPAN2, 0, 0), OP(PB_GRE, 0, 0), OUT4, ETH),
};

const unsigned pipeline_n_encaps = sizeof(pipeline_encaps) / sizeof(pipeline_encaps[0]);
