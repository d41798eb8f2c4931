/*
 * A libmicrohttpd server driven from the osmocom select loop, for the
 * metrics endpoint and the consent API alike: the server runs in
 * external-select mode with epoll, its epoll descriptor is one osmo_fd
 * (MHD_run() when it is readable) and an osmo_timer follows MHD's own
 * timeout (at most a second). Requests are served on the thread that
 * changes the daemon's state: no locks, no torn values.
 */
#pragma once

#include <stdint.h>
#include <sys/socket.h>

#include <microhttpd.h>
#include <osmocom/core/select.h>
#include <osmocom/core/timer.h>

struct sl_app_mhd {
	struct MHD_Daemon *d;	/* NULL: not running */
	struct osmo_fd ofd;
	struct osmo_timer_list timer;
};

/* ss from a numeric IPv4 or IPv6 address and a port (the servers listen on
 * addresses, never names). 0, or -1 when addr is neither. */
int sl_app_mhd_addr(const char *addr, uint16_t port, struct sockaddr_storage *ss);

/* Drive d (started with MHD_USE_EPOLL) from the loop. 0; or -1 with *why,
 * d stopped and m left not running. */
int sl_app_mhd_attach(struct sl_app_mhd *m, struct MHD_Daemon *d, const char **why);
/* Stop the server and leave the loop (nothing if not running). */
void sl_app_mhd_detach(struct sl_app_mhd *m);
