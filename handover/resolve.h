/*
 * Name resolution that never blocks the select loop.
 *
 * A destination configured by host name is resolved each time its link
 * connects. getaddrinfo() would stall the whole daemon (capture, every
 * other link, the VTY) for as long as a slow or unreachable DNS server
 * takes, seconds per attempt, at every reconnect. Numeric addresses are
 * taken at once; names go to glibc's asynchronous resolver
 * (getaddrinfo_a), whose completion the caller polls from a timer.
 *
 * A request abandoned while the resolver still works on it (the connect
 * timeout fired, the link was freed) cannot be freed under the resolver's
 * feet: it is parked and freed once finished, from a later call.
 */
#pragma once

#include <netdb.h>
#include <stdint.h>

struct sl_resolve;

enum sl_resolve_rc {
	SL_RESOLVE_DONE,	/* *ai holds the result (freeaddrinfo() it) */
	SL_RESOLVE_PENDING,	/* ask again later with sl_resolve_poll() */
	SL_RESOLVE_FAILED,	/* *err says why */
};

/* Start resolving host:port for a TCP connection. On DONE *ai is set and
 * *req NULL; on PENDING *req is the request to poll; on FAILED *err (a
 * static string) says why. */
enum sl_resolve_rc sl_resolve_start(const char *host, uint16_t port, struct sl_resolve **req,
				    struct addrinfo **ai, const char **err);
/* A pending request: DONE (request consumed, *ai set), PENDING, or FAILED
 * (request consumed, *err set). */
enum sl_resolve_rc sl_resolve_poll(struct sl_resolve *req, struct addrinfo **ai, const char **err);
/* Give up on a pending request (NULL: nothing). */
void sl_resolve_abandon(struct sl_resolve *req);
/* Requests abandoned and still in the resolver's hands (for tests). */
unsigned sl_resolve_parked(void);
