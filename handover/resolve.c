/*
 * Non-blocking name resolution for the delivery links (see resolve.h).
 *
 * Requests are malloc'd, not talloc'd under a link: an abandoned request
 * must outlive the link that made it until glibc's resolver thread has
 * finished writing into it. Parked requests are freed by the next start,
 * poll or abandon once gai_error() says they are done.
 */
#include "handover/resolve.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sl_resolve {
	struct gaicb cb;
	struct gaicb *list[1];
	struct addrinfo hints;
	char host[256];
	char port[8];
	struct sl_resolve *next_parked;
};

static struct sl_resolve *parked;
static unsigned n_parked;

static void reap_parked(void)
{
	struct sl_resolve **pp = &parked, *r;

	while ((r = *pp)) {
		if (gai_error(&r->cb) == EAI_INPROGRESS) {
			pp = &r->next_parked;
			continue;
		}
		*pp = r->next_parked;
		if (r->cb.ar_result)
			freeaddrinfo(r->cb.ar_result);
		free(r);
		n_parked--;
	}
}

static void set_hints(struct addrinfo *h, int extra)
{
	memset(h, 0, sizeof(*h));
	h->ai_family = AF_UNSPEC;
	h->ai_socktype = SOCK_STREAM;
	h->ai_flags = AI_NUMERICSERV | extra;
}

enum sl_resolve_rc sl_resolve_start(const char *host, uint16_t port, struct sl_resolve **req,
				    struct addrinfo **ai, const char **err)
{
	struct addrinfo hints;
	struct sl_resolve *r;
	char portstr[8];
	int rc;

	*req = NULL;
	*ai = NULL;
	reap_parked();
	snprintf(portstr, sizeof(portstr), "%u", port);
	/* An address needs no resolver: answer at once. */
	set_hints(&hints, AI_NUMERICHOST);
	if (getaddrinfo(host, portstr, &hints, ai) == 0)
		return SL_RESOLVE_DONE;
	*ai = NULL;
	if (strlen(host) >= sizeof(r->host)) {
		*err = "host name too long";
		return SL_RESOLVE_FAILED;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		*err = "out of memory";
		return SL_RESOLVE_FAILED;
	}
	memcpy(r->host, host, strlen(host) + 1);
	memcpy(r->port, portstr, sizeof(portstr));
	set_hints(&r->hints, AI_ADDRCONFIG);
	r->cb.ar_name = r->host;
	r->cb.ar_service = r->port;
	r->cb.ar_request = &r->hints;
	r->list[0] = &r->cb;
	rc = getaddrinfo_a(GAI_NOWAIT, r->list, 1, NULL);
	if (rc) {
		free(r);
		*err = gai_strerror(rc);
		return SL_RESOLVE_FAILED;
	}
	*req = r;
	return SL_RESOLVE_PENDING;
}

enum sl_resolve_rc sl_resolve_poll(struct sl_resolve *r, struct addrinfo **ai, const char **err)
{
	int rc = gai_error(&r->cb);

	reap_parked();
	if (rc == EAI_INPROGRESS)
		return SL_RESOLVE_PENDING;
	if (rc) {
		*err = gai_strerror(rc);
		if (r->cb.ar_result)
			freeaddrinfo(r->cb.ar_result);
		free(r);
		return SL_RESOLVE_FAILED;
	}
	*ai = r->cb.ar_result;
	free(r);
	return SL_RESOLVE_DONE;
}

void sl_resolve_abandon(struct sl_resolve *r)
{
	if (!r)
		return;
	/* Cancelled (or already finished): ours to free now; else park it. */
	if (gai_cancel(&r->cb) != EAI_NOTCANCELED) {
		if (gai_error(&r->cb) != EAI_INPROGRESS) {
			if (r->cb.ar_result)
				freeaddrinfo(r->cb.ar_result);
			free(r);
			reap_parked();
			return;
		}
	}
	r->next_parked = parked;
	parked = r;
	n_parked++;
	reap_parked();
}

unsigned sl_resolve_parked(void)
{
	reap_parked();
	return n_parked;
}
