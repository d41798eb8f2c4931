/*
 * The fault-injecting test transport (see fault_transport.h): a struct
 * sl_transport whose operations forward to the real one and inject the
 * scheduled faults, plus the link-time wraps that put it under every
 * transport the code under test makes.
 */
#include "tests/unit/fault_transport.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <talloc.h>

#include "handover/transport.h"

struct sl_transport *__real_sl_transport_tcp_new(void *ctx, int fd);
struct sl_transport *__real_sl_transport_tls_new(void *ctx, SSL_CTX *sctx, int fd, const char *verify_name,
						 char *err, size_t errlen);
struct sl_transport *__wrap_sl_transport_tcp_new(void *ctx, int fd);
struct sl_transport *__wrap_sl_transport_tls_new(void *ctx, SSL_CTX *sctx, int fd, const char *verify_name,
						 char *err, size_t errlen);
ssize_t __real_send(int fd, const void *p, size_t n, int flags);
ssize_t __real_recv(int fd, void *p, size_t n, int flags);
ssize_t __wrap_send(int fd, const void *p, size_t n, int flags);
ssize_t __wrap_recv(int fd, void *p, size_t n, int flags);

static bool enabled;
static uint16_t server_port;
static struct ft_plan plans[_FT_SIDES];
static struct ft_stats stats[_FT_SIDES];
static unsigned eintr_every;
static uint64_t eintr_calls, eintr_count;

struct ft {
	struct sl_transport t; /* first */
	struct sl_transport *inner;
	enum ft_side side;
	unsigned conn;
	unsigned n_read, n_write;
	size_t inner_blocked;	/* a blocked inner write's length: offered again as is */
	bool injected_block;	/* the last "would block" was ours */
};

void ft_enable(bool on, uint16_t port)
{
	enabled = on;
	server_port = port;
}

void ft_set_plan(enum ft_side side, const struct ft_plan *plan)
{
	plans[side] = *plan;
}

const struct ft_stats *ft_stats(enum ft_side side)
{
	return &stats[side];
}

void ft_set_eintr_every(unsigned n)
{
	eintr_every = n;
	eintr_calls = 0;
}

uint64_t ft_eintr_count(void)
{
	return eintr_count;
}

void ft_reset(void)
{
	memset(plans, 0, sizeof(plans));
	memset(stats, 0, sizeof(stats));
	eintr_every = 0;
	eintr_calls = eintr_count = 0;
}

/* ---- EINTR from the system calls ----------------------------------------- */

static bool eintr_now(void)
{
	if (!eintr_every || ++eintr_calls % eintr_every)
		return false;
	eintr_count++;
	errno = EINTR;
	return true;
}

ssize_t __wrap_send(int fd, const void *p, size_t n, int flags)
{
	return eintr_now() ? -1 : __real_send(fd, p, n, flags);
}

ssize_t __wrap_recv(int fd, void *p, size_t n, int flags)
{
	return eintr_now() ? -1 : __real_recv(fd, p, n, flags);
}

/* ---- the wrapping transport ---------------------------------------------- */

static enum ft_fault event_for(struct ft *f, enum ft_op op, unsigned nth)
{
	const struct ft_plan *pl = &plans[f->side];
	unsigned i;

	for (i = 0; i < pl->n_events; i++)
		if (pl->events[i].conn == f->conn && pl->events[i].op == op && pl->events[i].nth == nth)
			return pl->events[i].fault;
	return FT_NONE;
}

static bool every(unsigned n, unsigned count)
{
	return n && count % n == 0;
}

/* Make the caller's close send an RST. */
static void abort_conn(struct ft *f)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(f->t.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

static enum sl_tr_res injected(struct ft *f, enum ft_fault fault, const char *what)
{
	stats[f->side].faults[fault]++;
	abort_conn(f);
	snprintf(f->t.err, sizeof(f->t.err), "%s: injected %s", what, fault == FT_RESET ? "reset" : "fatal alert");
	return fault == FT_RESET ? SL_TR_RESET : SL_TR_TLS_ALERT;
}

static enum sl_tr_res passed(struct ft *f, enum sl_tr_res r)
{
	f->injected_block = false;
	if (r != SL_TR_OK && !sl_tr_would_block(r))
		memcpy(f->t.err, f->inner->err, sizeof(f->t.err));
	return r;
}

static enum sl_tr_res ft_handshake(struct sl_transport *t)
{
	struct ft *f = (struct ft *)t;

	return passed(f, sl_transport_handshake(f->inner));
}

static enum sl_tr_res ft_read(struct sl_transport *t, void *p, size_t n, size_t *got)
{
	struct ft *f = (struct ft *)t;
	const struct ft_plan *pl = &plans[f->side];
	enum ft_fault fault = event_for(f, FT_READ, ++f->n_read);
	int avail = 0;

	if (fault == FT_RESET || fault == FT_ALERT)
		return injected(f, fault, "read");
	if (every(pl->eagain_read_every, f->n_read) && ioctl(t->fd, FIONREAD, &avail) == 0 && avail > 0) {
		/* the socket holds data: poll wakes the caller at once */
		stats[f->side].eagain_reads++;
		f->injected_block = true;
		t->want_write = false;
		return SL_TR_WANT_READ;
	}
	if (every(pl->short_read_every, f->n_read) && n > pl->short_len) {
		n = pl->short_len;
		stats[f->side].short_reads++;
	}
	return passed(f, sl_transport_read(f->inner, p, n, got));
}

/* A TLS application-data record header and a body no key decrypts. */
static void corrupt(struct ft *f)
{
	uint8_t junk[5 + 32] = { 0x17, 0x03, 0x03, 0x00, 0x20 };

	memset(junk + 5, 0xa5, sizeof(junk) - 5);
	stats[f->side].faults[FT_CORRUPT]++;
	if (__real_send(f->t.fd, junk, sizeof(junk), MSG_NOSIGNAL) != (ssize_t)sizeof(junk))
		fprintf(stderr, "fault_transport: corruption not written whole\n");
}

static enum sl_tr_res ft_write(struct sl_transport *t, const void *p, size_t n, size_t *done)
{
	struct ft *f = (struct ft *)t;
	const struct ft_plan *pl = &plans[f->side];
	enum ft_fault fault = event_for(f, FT_WRITE, ++f->n_write);
	enum sl_tr_res r;
	size_t len = n;

	if (fault == FT_RESET || fault == FT_ALERT)
		return injected(f, fault, "write");
	if (f->inner_blocked) {
		/* the transport contract: the same bytes again after "would block" */
		if (n < f->inner_blocked) {
			snprintf(t->err, sizeof(t->err), "caller broke the write contract: %zu bytes after %zu blocked",
				 n, f->inner_blocked);
			return SL_TR_ERROR;
		}
		len = f->inner_blocked;
	} else {
		if (fault == FT_CORRUPT)
			corrupt(f); /* at a record boundary: no inner write is half done */
		if (every(pl->eagain_write_every, f->n_write)) {
			stats[f->side].eagain_writes++;
			f->injected_block = true;
			t->want_write = true;
			return SL_TR_WANT_WRITE;
		}
		if (every(pl->short_write_every, f->n_write) && n > pl->short_len) {
			len = pl->short_len;
			stats[f->side].short_writes++;
		}
	}
	r = sl_transport_write(f->inner, p, len, done);
	f->inner_blocked = sl_tr_would_block(r) ? len : 0;
	return passed(f, r);
}

static bool ft_wants_write(const struct sl_transport *t)
{
	const struct ft *f = (const struct ft *)t;

	return f->injected_block ? t->want_write : sl_transport_wants_write(f->inner);
}

static uint64_t ft_wire_out(const struct sl_transport *t)
{
	return sl_transport_wire_out(((const struct ft *)t)->inner);
}

static void ft_describe(struct sl_transport *t, char *buf, size_t len)
{
	sl_transport_describe(((struct ft *)t)->inner, buf, len);
}

static void ft_close(struct sl_transport *t)
{
	struct ft *f = (struct ft *)t;

	sl_transport_close(f->inner);
	talloc_free(f);
}

static const struct sl_transport_ops ft_ops = {
	.kind = "fault",
	.handshake = ft_handshake,
	.read = ft_read,
	.write = ft_write,
	.wants_write = ft_wants_write,
	.wire_out = ft_wire_out,
	.describe = ft_describe,
	.close = ft_close,
};

static enum ft_side side_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	uint16_t port = 0;

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port :
							((struct sockaddr_in *)&ss)->sin_port);
	return port == server_port ? FT_LEMF : FT_LINK;
}

static struct sl_transport *wrap(void *ctx, struct sl_transport *inner)
{
	struct ft *f;

	if (!inner || !enabled)
		return inner;
	f = talloc_zero(ctx, struct ft);
	if (!f) {
		sl_transport_close(inner);
		return NULL;
	}
	f->t.ops = &ft_ops;
	f->t.fd = inner->fd;
	f->inner = inner;
	f->side = side_of(inner->fd);
	f->conn = ++stats[f->side].conns;
	return &f->t;
}

struct sl_transport *__wrap_sl_transport_tcp_new(void *ctx, int fd)
{
	return wrap(ctx, __real_sl_transport_tcp_new(ctx, fd));
}

struct sl_transport *__wrap_sl_transport_tls_new(void *ctx, SSL_CTX *sctx, int fd, const char *verify_name,
						 char *err, size_t errlen)
{
	return wrap(ctx, __real_sl_transport_tls_new(ctx, sctx, fd, verify_name, err, errlen));
}
