/*
 * A fault-injecting transport for tests: wraps the real TCP or TLS
 * transport (handover/transport.h) that the delivery link or the receiver
 * creates, and disturbs it on a schedule, per side:
 *
 *   - short reads and writes: every n-th call moves at most k bytes;
 *   - "would block": every n-th read (only while the socket holds data,
 *     so poll wakes the caller again) or write returns WANT_READ /
 *     WANT_WRITE without touching the connection;
 *   - one-off events on connection c at read or write number i: a reset
 *     (the socket is aborted with SO_LINGER 0, so the peer sees an RST,
 *     and the caller gets SL_TR_RESET), a fatal TLS alert (the caller gets
 *     SL_TR_TLS_ALERT, the peer an RST), or corruption (a bogus TLS record
 *     written raw onto the socket at a record boundary: the peer's TLS
 *     fails for real and answers with a real alert; on plain TCP the peer
 *     receives bytes that do not frame);
 *   - EINTR from every n-th send(2)/recv(2) of the process (the
 *     transports must retry it, never report it).
 *
 * The test binary is linked with -Wl,--wrap=sl_transport_tcp_new,
 * --wrap=sl_transport_tls_new, --wrap=send, --wrap=recv: every transport
 * made while injection is on gets wrapped. The side is told apart by the
 * local port: the receiver's connections are on ft_server_port.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ft_side {
	FT_LINK,	/* the delivery link (client) */
	FT_LEMF,	/* the receiver (server) */
	_FT_SIDES
};

enum ft_op {
	FT_READ,
	FT_WRITE,
};

enum ft_fault {
	FT_NONE,
	FT_RESET,	/* abort the connection (RST); the caller gets SL_TR_RESET */
	FT_ALERT,	/* the caller gets SL_TR_TLS_ALERT; the peer an RST */
	FT_CORRUPT,	/* a bogus TLS record raw onto the socket, then the write goes on */
	_FT_FAULTS
};

#define FT_MAX_EVENTS 8

struct ft_event {
	unsigned conn;		/* connection number on this side, from 1 */
	enum ft_op op;
	unsigned nth;		/* the nth read or write call on that connection, from 1 */
	enum ft_fault fault;
};

struct ft_plan {
	unsigned short_read_every, short_write_every; /* 0: never */
	size_t short_len;			      /* bytes a short read or write moves at most */
	unsigned eagain_read_every, eagain_write_every;
	struct ft_event events[FT_MAX_EVENTS];
	unsigned n_events;
};

struct ft_stats {
	unsigned conns;
	uint64_t short_reads, short_writes, eagain_reads, eagain_writes;
	uint64_t faults[_FT_FAULTS];
};

/* Injection on (plans as set) or off (transports are not wrapped). */
void ft_enable(bool on, uint16_t server_port);
void ft_set_plan(enum ft_side side, const struct ft_plan *plan);
const struct ft_stats *ft_stats(enum ft_side side);
/* Every n-th send/recv of the process fails with EINTR once (0: never); how many did. */
void ft_set_eintr_every(unsigned n);
uint64_t ft_eintr_count(void);
/* Clear plans, statistics and the EINTR setting. */
void ft_reset(void);
