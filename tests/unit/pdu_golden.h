/*
 * The PSHeader of the golden PDU vectors, as labelled TLVs: the fixed
 * context that test_pdu_golden.c describes (LIID "LIID1", operator "OP",
 * network element "NE1", country "DE", interception point "IP1", time
 * 1700000000.123456 s with three fraction digits), shared by the tests
 * whose vectors are worked out by hand from TS 102 232-1 annex A.2
 * (test_pdu_golden.c, test_pdu_option.c).
 */
#pragma once

#define TS_US 1700000000123456ull

/* Constant TLVs of the fixture context (see the file comment). */
#define G_DOMAIN 0x80, 0x07, 0x04, 0x00, 0x02, 0x02, 0x05, 0x01, 0x21
#define G_LIID 0x81, 0x05, 'L', 'I', 'I', 'D', '1'
#define G_ACC 0x82, 0x02, 'D', 'E'
#define G_NID 0xa0, 0x09, 0x80, 0x02, 'O', 'P', 0x81, 0x03, 'N', 'E', '1'
#define G_DCC 0x82, 0x02, 'D', 'E'
#define G_TIME_TEXT '2', '0', '2', '3', '1', '1', '1', '4', '2', '2', '1', '3', '2', '0', '.', '1', '2', '3', 'Z'
#define G_TS 0x85, 0x13, G_TIME_TEXT
#define G_IPID 0x86, 0x03, 'I', 'P', '1'

/*
 * PSHeader with CIN 7 and sequence number 5, qualifier q:
 * [1] { domain 9, LIID 7, ACC 4, [3] { NID 11, [1] 07 3, DCC 4 } = 2+18,
 *       [4] 05 3, TS 21, IPID 5, [8] q 3 } = 9+7+4+20+3+21+5+3 = 72 = 0x48
 */
#define G_HDR_CIN(q) 0xa1, 0x48, G_DOMAIN, G_LIID, G_ACC, 0xa3, 0x12, G_NID, 0x81, 0x01, 0x07, G_DCC, \
	0x84, 0x01, 0x05, G_TS, G_IPID, 0x88, 0x01, q
/* Without CIN (TRI, HI1): [3] shrinks to 2+15, the header to 69 = 0x45; sequence number s. */
#define G_HDR_NOCIN(s) 0xa1, 0x45, G_DOMAIN, G_LIID, G_ACC, 0xa3, 0x0f, G_NID, G_DCC, \
	0x84, 0x01, s, G_TS, G_IPID, 0x88, 0x01, 0x02
