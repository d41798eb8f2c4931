/*
 * The one error mapping of the byte transports (see transport.h): a
 * failed socket call's errno, or a failed SSL_* call's SSL_get_error and
 * error queue, turned into a named result and one line for the operator.
 * Both implementations (transport_tcp.c, transport_tls.c) and so both
 * users (the delivery links and the receiver) classify through here.
 */
#include "handover/transport.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

const struct value_string sl_tr_res_names[] = {
	{ SL_TR_OK, "ok" },
	{ SL_TR_WANT_READ, "want-read" },
	{ SL_TR_WANT_WRITE, "want-write" },
	{ SL_TR_CLOSED, "closed" },
	{ SL_TR_RESET, "reset" },
	{ SL_TR_TLS_ALERT, "tls-alert" },
	{ SL_TR_TLS_ERROR, "tls-error" },
	{ SL_TR_ERROR, "error" },
	{ 0, NULL }
};

enum sl_tr_res sl_transport_errno(struct sl_transport *t, int e, bool writing, const char *what)
{
	switch (e) {
	case EAGAIN:
#if EWOULDBLOCK != EAGAIN
	case EWOULDBLOCK:
#endif
		t->want_write = writing;
		return writing ? SL_TR_WANT_WRITE : SL_TR_WANT_READ;
	case ECONNRESET:
	case ECONNABORTED:
	case EPIPE:
	case ETIMEDOUT:
	case EHOSTUNREACH:
	case ENETUNREACH:
	case ENETDOWN:
	case ENETRESET:
	case ENOTCONN:
		snprintf(t->err, sizeof(t->err), "%s: %s", what, strerror(e));
		return SL_TR_RESET;
	default:
		snprintf(t->err, sizeof(t->err), "%s: %s", what, strerror(e));
		return SL_TR_ERROR;
	}
}

enum sl_tr_res sl_transport_ssl(struct sl_transport *t, SSL *ssl, int ret, int sys_errno, const char *what)
{
	int se = SSL_get_error(ssl, ret);
	long vr;
	unsigned long e;
	char q[200];

	switch (se) {
	case SSL_ERROR_WANT_READ:
		t->want_write = false;
		return SL_TR_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		t->want_write = true;
		return SL_TR_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		ERR_clear_error();
		snprintf(t->err, sizeof(t->err), "%s: peer closed the connection", what);
		return SL_TR_CLOSED;
	default:
		break;
	}
	vr = SSL_get_verify_result(ssl);
	if (vr != X509_V_OK) {
		ERR_clear_error();
		snprintf(t->err, sizeof(t->err), "%s: certificate verification failed: %s", what,
			 X509_verify_cert_error_string(vr));
		return SL_TR_TLS_ERROR;
	}
	e = ERR_peek_error();
	if (e) {
		int reason = ERR_GET_REASON(e);
		bool ssl_lib = ERR_GET_LIB(e) == ERR_LIB_SSL;

		ERR_error_string_n(e, q, sizeof(q));
		ERR_clear_error();
		snprintf(t->err, sizeof(t->err), "%s: %s", what, q);
		/* An alert the peer sent arrives as reason SSL_AD_REASON_OFFSET + its description. */
		if (ssl_lib && reason >= SSL_AD_REASON_OFFSET)
			return SL_TR_TLS_ALERT;
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
		if (ssl_lib && reason == SSL_R_UNEXPECTED_EOF_WHILE_READING)
			return SL_TR_RESET;
#endif
		return SL_TR_TLS_ERROR;
	}
	if (se == SSL_ERROR_SYSCALL) {
		if (sys_errno && sys_errno != EAGAIN && sys_errno != EWOULDBLOCK)
			return sl_transport_errno(t, sys_errno, false, what);
		snprintf(t->err, sizeof(t->err), "%s: peer closed the connection", what);
		return SL_TR_RESET;
	}
	snprintf(t->err, sizeof(t->err), "%s: TLS error %d", what, se);
	return SL_TR_TLS_ERROR;
}
