/* Shared by the two parts of test_transport (see test_transport.c). */
#pragma once

extern char tt_pki[300];
extern char tt_tmp[256];

int tt_setup(void **state);
int tt_teardown(void **state);

void test_link_benign_tls(void **state);
void test_link_benign_tcp(void **state);
void test_link_resets(void **state);
void test_link_tls_alerts(void **state);
void test_link_tcp_garbage(void **state);
void test_timer_table_documented(void **state);

/* test_transport_optneg.c: option negotiation (clause 6.3.5) between link and receiver */
int tn_setup(void **state);
int tn_teardown(void **state);
void test_optneg_pdu_ack(void **state);
void test_optneg_unsupported(void **state);
void test_optneg_timeout(void **state);
void test_optneg_out_of_place(void **state);
void test_optneg_peer_requests(void **state);
void test_optneg_wrong_number(void **state);
void test_optneg_benign_faults(void **state);
void test_optneg_reset_during(void **state);
