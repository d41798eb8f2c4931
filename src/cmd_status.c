/*
 * `sluice status`: is the running sluiced healthy? Asks its /health
 * endpoint (the `metrics` node's http-listen) and prints the answer: "ok",
 * or one line per problem (a destination down longer than the threshold,
 * a spool past its alarm level, capture not running). For scripts and
 * monitoring agents that do not speak Prometheus. Plain HTTP/1.0 over a
 * socket: the endpoint is on loopback unless configured otherwise.
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "src/commands.h"

static void usage(FILE *out)
{
	fputs("NAME\n"
	      "    sluice status - ask a running sluiced whether it is healthy\n"
	      "\n"
	      "SYNOPSIS\n"
	      "    sluice status [--url URL] [--timeout SECONDS]\n"
	      "\n"
	      "DESCRIPTION\n"
	      "    Fetches URL (default http://127.0.0.1:9291/health, the endpoint of sluiced's `metrics`\n"
	      "    node) and prints what it says: \"ok\", or one line per problem: a destination whose link\n"
	      "    has not been up for `health link-down-seconds`, a spool past `health spool-alarm-percent`\n"
	      "    of its cap, capture not running.\n"
	      "\n"
	      "OPTIONS\n"
	      "    --url URL          http://HOST:PORT/PATH (HTTP only; the endpoint is meant for loopback)\n"
	      "    --timeout SECONDS  give up after this long (default 5)\n"
	      "    -h, --help         this text\n"
	      "\n"
	      "EXIT STATUS\n"
	      "    0 healthy; 1 unhealthy (the problems are printed); 2 usage error; 3 no answer (the\n"
	      "    daemon is not running, or the endpoint is not configured).\n",
	      out);
}

/* "http://host:port/path" into its parts. */
static int parse_url(const char *url, char *host, size_t hlen, char *port, size_t plen, const char **path)
{
	const char *p, *h, *colon, *slash;
	size_t n;

	if (strncmp(url, "http://", 7))
		return -1;
	h = url + 7;
	slash = strchr(h, '/');
	*path = slash ? slash : "/";
	p = slash ? slash : h + strlen(h);
	if (*h == '[') {
		const char *end = memchr(h, ']', (size_t)(p - h));

		if (!end)
			return -1;
		n = (size_t)(end - h - 1);
		if (n == 0 || n >= hlen)
			return -1;
		memcpy(host, h + 1, n);
		host[n] = 0;
		colon = end + 1 < p && end[1] == ':' ? end + 1 : NULL;
	} else {
		colon = memchr(h, ':', (size_t)(p - h));
		n = (size_t)((colon ? colon : p) - h);
		if (n == 0 || n >= hlen)
			return -1;
		memcpy(host, h, n);
		host[n] = 0;
	}
	if (colon) {
		n = (size_t)(p - colon - 1);
		if (n == 0 || n >= plen)
			return -1;
		memcpy(port, colon + 1, n);
		port[n] = 0;
	} else {
		snprintf(port, plen, "80");
	}
	return 0;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sl_cmd_status(void *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *url = "http://127.0.0.1:9291/health", *path;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL, *a;
	char host[256], port[16], req[600], buf[65536];
	size_t got = 0;
	long timeout_s = 5;
	int64_t deadline;
	int c, fd = -1, rc, code;
	char *end, *body;

	(void)ctx;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			url = optarg;
			break;
		case 't':
			errno = 0;
			timeout_s = strtol(optarg, &end, 10);
			if (errno || *end || timeout_s < 1 || timeout_s > 3600) {
				fprintf(stderr, "sluice status: --timeout %s: seconds from 1 to 3600\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fputs("Try 'sluice status --help'.\n", stderr);
			return 2;
		}
	}
	if (optind < argc || parse_url(url, host, sizeof(host), port, sizeof(port), &path) < 0 ||
	    strlen(path) > 512) {
		fprintf(stderr, "sluice status: %s: expected --url http://HOST:PORT/PATH\n",
			optind < argc ? argv[optind] : url);
		return 2;
	}
	deadline = mono_ms() + timeout_s * 1000;
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc) {
		fprintf(stderr, "sluice status: %s: %s\n", host, gai_strerror(rc));
		return 3;
	}
	for (a = ai; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) < 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(ai);
	if (fd < 0) {
		fprintf(stderr, "sluice status: no answer from %s (is sluiced running, with `metrics` / http-listen?): %s\n",
			url, strerror(errno));
		return 3;
	}
	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n", path, host);
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		fprintf(stderr, "sluice status: %s: cannot send the request: %s\n", url, strerror(errno));
		close(fd);
		return 3;
	}
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - mono_ms();
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
			fprintf(stderr, "sluice status: %s: no complete answer within %ld s\n", url, timeout_s);
			close(fd);
			return 3;
		}
		n = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got == sizeof(buf) - 1)
			break;
	}
	close(fd);
	buf[got] = 0;
	if (sscanf(buf, "HTTP/%*d.%*d %d", &code) != 1) {
		fprintf(stderr, "sluice status: %s: not an HTTP answer\n", url);
		return 3;
	}
	body = strstr(buf, "\r\n\r\n");
	body = body ? body + 4 : buf + got;
	fputs(body, stdout);
	if (got && body[0] && buf[got - 1] != '\n')
		fputc('\n', stdout);
	if (code == 200)
		return 0;
	if (code == 503)
		return 1;
	fprintf(stderr, "sluice status: %s: HTTP status %d\n", url, code);
	return 3;
}
