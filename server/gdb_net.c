/*
 * GDB server sockets; see gdb_net.h. One thread: poll() on the listening
 * socket and the client, with a short timeout while the target runs so that
 * a stop is noticed quickly and Ctrl-C (0x03) is read at once.
 */
#define _GNU_SOURCE
#include "gdb_net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "swdd_err.h"
#include "swdd_log.h"

/* While running: how long to wait for client bytes between two polls of
 * the target (each poll is one probe round trip). */
#define GDB_NET_RUN_POLL_MS 1
#define GDB_NET_IDLE_POLL_MS 250
/* How long a refused client gets to send its first packet. */
#define GDB_NET_REFUSE_MS 1500
#define GDB_NET_SNIFF_LEN 8

struct gdb_client {
	int fd;
	char peer[64];
	uint8_t sniff[GDB_NET_SNIFF_LEN];
	size_t sniff_len;
	bool sniffing;
};

int gdb_net_listen(const char *addr, unsigned port, int *fd, unsigned *actual_port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	socklen_t sl = sizeof(sa);
	int one = 1, s;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return swdd_err_set(SWDD_EINVAL, "--bind %s is not an IPv4 address", addr);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return swdd_err_set(SWDD_EIO, "socket: %s", strerror(errno));
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) || listen(s, 4) ||
	    getsockname(s, (struct sockaddr *)&sa, &sl)) {
		int e = errno;

		close(s);
		return swdd_err_set(SWDD_EBUSY, "cannot listen on %s:%u: %s (another server on that port? "
				    "use --port)", addr, port, strerror(e));
	}
	*fd = s;
	*actual_port = ntohs(sa.sin_port);
	return 0;
}

static int gdb_net_write(void *ctx, const void *buf, size_t len)
{
	struct gdb_client *c = ctx;
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return SWDD_ECLOSED;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int gdb_net_accept(int lfd, char *peer, size_t cap)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int one = 1;
	int fd = accept4(lfd, (struct sockaddr *)&sa, &sl, SOCK_CLOEXEC);
	char ip[INET_ADDRSTRLEN] = "?";

	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof(ip));
	snprintf(peer, cap, "%s:%u", ip, ntohs(sa.sin_port));
	return fd;
}

/* Tells a client we cannot serve why, in a form GDB prints: it sends '+'
 * and qSupported first; an "E.text" reply to that shows as "Remote failure
 * reply: E.text" before GDB notices the closed connection. */
static void gdb_net_refuse(int fd, const char *why)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[512], pkt[600], msg[400];
	size_t got = 0;
	long n;

	while (got < sizeof(buf) && poll(&pfd, 1, GDB_NET_REFUSE_MS) > 0) {
		ssize_t r = recv(fd, buf + got, sizeof(buf) - got, 0);

		if (r <= 0)
			break;
		got += (size_t)r;
		if (memchr(buf, '#', got))
			break;
	}
	snprintf(msg, sizeof(msg), "E.swdd: %s", why);
	for (char *p = msg; *p; p++)
		if (*p == '$' || *p == '#' || *p == '}' || *p == '*')
			*p = ' ';
	pkt[0] = '+';
	n = rsp_frame(msg, strlen(msg), pkt + 1, sizeof(pkt) - 1);
	if (n > 0)
		send(fd, pkt, (size_t)n + 1, MSG_NOSIGNAL);
	shutdown(fd, SHUT_RDWR);
	close(fd);
}

static void gdb_net_client_close(struct gdb_server *s, struct gdb_client *c)
{
	if (s->client)
		swdd_info("gdb client %s disconnected; target resumed", c->peer);
	gdb_server_client_end(s);
	swdd_log_set_sink(NULL, NULL);
	close(c->fd);
	c->fd = -1;
}

static void gdb_net_new_client(struct gdb_server *s, struct gdb_client *c, int lfd)
{
	char peer[64], why[300];
	int fd = gdb_net_accept(lfd, peer, sizeof(peer));
	int rc;

	if (fd < 0)
		return;
	if (c->fd >= 0 && s->detached) {
		/* After `detach` GDB keeps its connection open and idle; a
		 * `target extended-remote` then connects anew before closing
		 * it. Let the new one in. */
		swdd_info("gdb client %s replaces %s, which had detached", peer, c->peer);
		gdb_net_client_close(s, c);
	}
	if (c->fd >= 0) {
		snprintf(why, sizeof(why), "another GDB (%s) is connected; swdd serves one client at a "
			 "time: disconnect it first", c->peer);
		swdd_warn("refused gdb client %s: %s is connected", peer, c->peer);
		gdb_net_refuse(fd, why);
		return;
	}
	c->fd = fd;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	c->sniff_len = 0;
	c->sniffing = true;
	s->write = gdb_net_write;
	s->write_ctx = c;
	rc = gdb_server_client_begin(s);
	if (rc) {
		snprintf(why, sizeof(why), "no target: %s: %s", swdd_strerror(rc), swdd_err_detail());
		swdd_error("gdb client %s: %s", peer, why);
		gdb_net_refuse(fd, why);
		c->fd = -1;
		return;
	}
	swdd_log_set_sink(gdb_server_log_sink, s);
	swdd_info("gdb client %s connected", peer);
}

/* The first bytes decide whether this is GDB or a web request (a browser
 * tricked into posting to localhost:3333). Returns 0 to go on, -1 to drop. */
static int gdb_net_sniff(struct gdb_server *s, struct gdb_client *c, const uint8_t *buf, size_t n)
{
	size_t take = n < GDB_NET_SNIFF_LEN - c->sniff_len ? n : GDB_NET_SNIFF_LEN - c->sniff_len;
	int http;

	memcpy(c->sniff + c->sniff_len, buf, take);
	c->sniff_len += take;
	http = rsp_looks_like_http(c->sniff, c->sniff_len);
	if (http == 1) {
		swdd_warn("dropped connection from %s: it starts like an HTTP request (\"%.*s\"), not GDB",
			  c->peer, (int)c->sniff_len, (const char *)c->sniff);
		return -1;
	}
	if (http == -1 && take == n)
		return 0; /* undecided: wait for more */
	c->sniffing = false;
	return gdb_server_input(s, c->sniff, c->sniff_len) ? -1
	       : gdb_server_input(s, buf + take, n - take);
}

static void gdb_net_client_input(struct gdb_server *s, struct gdb_client *c)
{
	uint8_t buf[4096];
	ssize_t n = recv(c->fd, buf, sizeof(buf), 0);
	int rc;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		gdb_net_client_close(s, c);
		return;
	}
	if (c->sniffing)
		rc = gdb_net_sniff(s, c, buf, (size_t)n);
	else
		rc = gdb_server_input(s, buf, (size_t)n);
	if (rc)
		gdb_net_client_close(s, c);
}

int gdb_net_serve(struct gdb_server *s, int lfd, volatile sig_atomic_t *stop)
{
	struct gdb_client c = { .fd = -1 };

	while (!*stop) {
		struct pollfd pfd[2] = { { .fd = lfd, .events = POLLIN }, { .fd = c.fd, .events = POLLIN } };
		int timeout = gdb_server_running(s) ? GDB_NET_RUN_POLL_MS : GDB_NET_IDLE_POLL_MS;
		int n = poll(pfd, c.fd >= 0 ? 2 : 1, timeout);

		if (n < 0 && errno != EINTR)
			return swdd_err_set(SWDD_EIO, "poll: %s", strerror(errno));
		if (n > 0 && (pfd[0].revents & POLLIN))
			gdb_net_new_client(s, &c, lfd);
		if (n > 0 && c.fd >= 0 && pfd[1].fd == c.fd && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)))
			gdb_net_client_input(s, &c);
		if (c.fd >= 0 && gdb_server_running(s) && gdb_server_poll(s))
			gdb_net_client_close(s, &c);
	}
	if (c.fd >= 0)
		gdb_net_client_close(s, &c);
	return 0;
}
