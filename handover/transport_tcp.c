/*
 * Plain TCP transport (see transport.h): send(2) and recv(2) on the
 * connected non-blocking socket, EINTR retried, bytes handed to the
 * kernel counted for the link's SIOCOUTQ accounting. No confidentiality
 * and no authentication: used only where the destination (or `sluice
 * lemf --plain`) says so explicitly.
 */
#include "handover/transport.h"

#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include <osmocom/core/utils.h>
#include <talloc.h>

struct tcp_transport {
	struct sl_transport t; /* first */
	uint64_t wire_out;
};

static enum sl_tr_res tcp_handshake(struct sl_transport *t)
{
	return SL_TR_OK;
}

static enum sl_tr_res tcp_read(struct sl_transport *t, void *p, size_t n, size_t *got)
{
	ssize_t r;

	do
		r = recv(t->fd, p, n, 0);
	while (r < 0 && errno == EINTR);
	if (r > 0) {
		*got = (size_t)r;
		return SL_TR_OK;
	}
	if (r == 0) {
		snprintf(t->err, sizeof(t->err), "recv: peer closed the connection");
		return SL_TR_CLOSED;
	}
	return sl_transport_errno(t, errno, false, "recv");
}

static enum sl_tr_res tcp_write(struct sl_transport *t, const void *p, size_t n, size_t *done)
{
	struct tcp_transport *c = (struct tcp_transport *)t;
	ssize_t w;

	do
		w = send(t->fd, p, n, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return sl_transport_errno(t, errno, true, "send");
	c->wire_out += (uint64_t)w;
	*done = (size_t)w;
	return SL_TR_OK;
}

static bool tcp_wants_write(const struct sl_transport *t)
{
	return t->want_write;
}

static uint64_t tcp_wire_out(const struct sl_transport *t)
{
	return ((const struct tcp_transport *)t)->wire_out;
}

static void tcp_describe(struct sl_transport *t, char *buf, size_t len)
{
	osmo_strlcpy(buf, "PLAIN TCP", len);
}

static void tcp_close(struct sl_transport *t)
{
	talloc_free(t);
}

static int tcp_destructor(struct tcp_transport *c)
{
	if (c->t.fd >= 0)
		close(c->t.fd);
	return 0;
}

static const struct sl_transport_ops tcp_ops = {
	.kind = "tcp",
	.handshake = tcp_handshake,
	.read = tcp_read,
	.write = tcp_write,
	.wants_write = tcp_wants_write,
	.wire_out = tcp_wire_out,
	.describe = tcp_describe,
	.close = tcp_close,
};

struct sl_transport *sl_transport_tcp_new(void *ctx, int fd)
{
	struct tcp_transport *c = talloc_zero(ctx, struct tcp_transport);

	if (!c) {
		close(fd);
		return NULL;
	}
	c->t.ops = &tcp_ops;
	c->t.fd = fd;
	talloc_set_destructor(c, tcp_destructor);
	return &c->t;
}
