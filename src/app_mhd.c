/* libmicrohttpd in the osmocom select loop (see app_mhd.h). */
#include "src/app_mhd.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

int sl_app_mhd_addr(const char *addr, uint16_t port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		return 0;
	}
	return -1;
}

static void schedule(struct sl_app_mhd *m)
{
	MHD_UNSIGNED_LONG_LONG ms = 1000;

	if (MHD_get_timeout(m->d, &ms) != MHD_YES || ms > 1000)
		ms = 1000;
	osmo_timer_schedule(&m->timer, (int)(ms / 1000), (int)(ms % 1000) * 1000);
}

static int fd_cb(struct osmo_fd *ofd, unsigned what)
{
	struct sl_app_mhd *m = ofd->data;

	(void)what;
	MHD_run(m->d);
	schedule(m);
	return 0;
}

static void timer_cb(void *data)
{
	struct sl_app_mhd *m = data;

	MHD_run(m->d);
	schedule(m);
}

int sl_app_mhd_attach(struct sl_app_mhd *m, struct MHD_Daemon *d, const char **why)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD);

	m->d = NULL;
	if (!info) {
		*why = "libmicrohttpd gives no epoll descriptor";
		MHD_stop_daemon(d);
		return -1;
	}
	osmo_fd_setup(&m->ofd, info->epoll_fd, OSMO_FD_READ, fd_cb, m, 0);
	if (osmo_fd_register(&m->ofd) < 0) {
		*why = "cannot register the epoll descriptor";
		MHD_stop_daemon(d);
		return -1;
	}
	m->d = d;
	osmo_timer_setup(&m->timer, timer_cb, m);
	schedule(m);
	return 0;
}

void sl_app_mhd_detach(struct sl_app_mhd *m)
{
	if (!m->d)
		return;
	osmo_timer_del(&m->timer);
	osmo_fd_unregister(&m->ofd);
	MHD_stop_daemon(m->d);
	m->d = NULL;
}
