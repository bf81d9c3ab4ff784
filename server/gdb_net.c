/*
 * GDB server sockets; see gdb_net.h and docs/SERVER.md "Connections".
 * One thread: poll() on the listening socket, the client being served and
 * the connections not yet admitted, with a short time-out while the target
 * runs so that a stop is noticed quickly and Ctrl-C (0x03) is read at once.
 *
 * Every socket is non-blocking. Only the served client's packet I/O may
 * take time (a flash erase, a long memory read), and its writes are bounded
 * (write_ms). A new connection is only a candidate until its first byte
 * shows it is GDB (GDB manual E.1: a client starts with '+' or a '$'
 * packet, or 0x03 for an interrupt): nothing else reaches the target, and
 * the target is not halted for it.
 */
#define _GNU_SOURCE
#include "gdb_net.h"

#include <arpa/inet.h>
#include <ctype.h>
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
#include "swdd_time.h"

/* While running: how long to wait for client bytes between two polls of
 * the target (each poll is one probe round trip). */
#define GDB_NET_RUN_POLL_MS 1
/* Otherwise: the granularity of the time-outs below. */
#define GDB_NET_IDLE_POLL_MS 100
/* Connections accepted and not yet admitted or refused. */
#define GDB_NET_PENDING 8
#define GDB_NET_PENDING_BUF 512

const struct gdb_net_limits gdb_net_limits_default = {
	.write_ms = 10000,
	.write_total_ms = 60000,
	.partial_ms = 10000,
	.packet_ms = 60000,
	.hello_ms = 10000,
	.refuse_ms = 1500,
	.idle_ms = 30u * 60u * 1000u,
};

struct gdb_client {
	int fd;
	char peer[64];
	uint64_t last_rx_ms;
	uint64_t packet_start_ms; /* when the packet being received began */
	bool write_timed_out;
	const struct gdb_net_limits *lim;
	volatile sig_atomic_t *stop;
};

enum gdb_pending_state { GDB_PEND_FREE, GDB_PEND_HELLO, GDB_PEND_REFUSE };

struct gdb_pending {
	enum gdb_pending_state state;
	int fd;
	char peer[64];
	uint64_t deadline_ms;
	uint8_t buf[GDB_NET_PENDING_BUF];
	size_t len;
	char why[320];
};

struct gdb_net {
	struct gdb_server *s;
	int lfd;
	const struct gdb_net_limits *lim;
	struct gdb_client c;
	struct gdb_pending pend[GDB_NET_PENDING];
};

int gdb_net_listen(const char *addr, unsigned port, int *fd, unsigned *actual_port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	socklen_t sl = sizeof(sa);
	int one = 1, s;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return swdd_err_set(SWDD_EINVAL, "--bind %s is not an IPv4 address", addr);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0)
		return swdd_err_set(SWDD_EIO, "socket: %s", strerror(errno));
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) || listen(s, 16) ||
	    getsockname(s, (struct sockaddr *)&sa, &sl)) {
		int e = errno;

		close(s);
		return swdd_err_set(SWDD_EBUSY,
				    "cannot listen on %s:%u: %s (another server on that port? "
				    "use --port)",
				    addr, port, strerror(e));
	}
	*fd = s;
	*actual_port = ntohs(sa.sin_port);
	return 0;
}

/* Waits until fd can take more bytes, at most 100 ms (so that a signal
 * and the write time-out are both seen). */
static void gdb_net_wait_writable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };

	(void)poll(&pfd, 1, 100); /* EINTR and time-outs are handled by the caller's loop */
}

/* The session's write callback: all of buf, or an error when the client
 * took no byte for write_ms (it does not read: a full socket buffer would
 * otherwise block the server, and SIGTERM with it) or a signal asks to stop. */
static int gdb_net_write(void *ctx, const void *buf, size_t len)
{
	struct gdb_client *c = ctx;
	const uint8_t *p = buf;
	uint64_t start = swdd_now_ms(), since = start;

	while (len) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			since = swdd_now_ms();
		} else if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (*c->stop)
				return SWDD_ECLOSED;
			if (swdd_now_ms() - since >= c->lim->write_ms ||
			    swdd_now_ms() - start >= c->lim->write_total_ms) {
				c->write_timed_out = true;
				return SWDD_ETIMEOUT;
			}
			gdb_net_wait_writable(c->fd);
		} else {
			return SWDD_ECLOSED;
		}
	}
	return 0;
}

/* TCP keepalive finds a client whose host vanished (cable, suspend) in
 * about two minutes instead of the kernel's two hours. */
static void gdb_net_sockopts(int fd)
{
	int one = 1, idle = 60, intvl = 10, cnt = 6;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

static int gdb_net_accept(int lfd, char *peer, size_t cap)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = accept4(lfd, (struct sockaddr *)&sa, &sl, SOCK_CLOEXEC | SOCK_NONBLOCK);
	char ip[INET_ADDRSTRLEN] = "?";

	if (fd < 0)
		return -1;
	gdb_net_sockopts(fd);
	inet_ntop(AF_INET, &sa.sin_addr, ip, sizeof(ip));
	snprintf(peer, cap, "%s:%u", ip, ntohs(sa.sin_port));
	return fd;
}

/* Best effort, never blocking: a refused or rejected peer that does not
 * read loses the reason, not the server's time. */
static void gdb_net_say_close(int fd, const void *msg, size_t len)
{
	char junk[1024];

	if (len)
		(void)send(fd, msg, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	shutdown(fd, SHUT_WR);
	/* Bytes left unread at close() make the kernel send a reset, which
	 * can destroy the reason before the peer reads it. */
	for (int i = 0; i < 8 && recv(fd, junk, sizeof(junk), MSG_DONTWAIT) > 0; i++)
		;
	close(fd);
}

static void gdb_pending_free(struct gdb_pending *p, bool close_fd)
{
	if (close_fd && p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	p->state = GDB_PEND_FREE;
}

/* Tells a refused GDB why, in a form GDB prints: it sends '+' and
 * qSupported first; an "E.text" reply to that shows as "Remote failure
 * reply: E.text" before GDB notices the closed connection. */
static void gdb_pending_refuse(struct gdb_pending *p)
{
	char pkt[400], msg[360];
	long n;

	snprintf(msg, sizeof(msg), "E.swdd: %s", p->why);
	for (char *q = msg; *q; q++)
		if (*q == '$' || *q == '#' || *q == '}' || *q == '*')
			*q = ' ';
	pkt[0] = '+';
	n = rsp_frame(msg, strlen(msg), pkt + 1, sizeof(pkt) - 1);
	gdb_net_say_close(p->fd, pkt, n > 0 ? (size_t)n + 1 : 0);
	gdb_pending_free(p, false);
}

/* A refused GDB's first packet is complete ('#' and two checksum digits),
 * or the buffer is full: answer now. */
static bool gdb_pending_packet_done(const struct gdb_pending *p)
{
	const uint8_t *h = memchr(p->buf, '#', p->len);

	return p->len == sizeof(p->buf) || (h && (size_t)(h - p->buf) + 3 <= p->len);
}

static bool gdb_net_first_byte_ok(uint8_t b)
{
	return b == '+' || b == '$' || b == 0x03;
}

/* What a connection that is not GDB looks like, for the log and for it. */
static void gdb_pending_describe(const struct gdb_pending *p, char *what, size_t cap)
{
	size_t word = 0;

	while (word < p->len && word < 12 && isgraph(p->buf[word]))
		word++;
	if (p->buf[0] == 0x16)
		snprintf(what, cap, "a TLS handshake (byte 0x16)");
	else if (word)
		snprintf(what, cap, "%s (\"%.*s\")",
			 rsp_looks_like_http(p->buf, p->len) == 1 ? "an HTTP request" : "text", (int)word,
			 (const char *)p->buf);
	else
		snprintf(what, cap, "byte 0x%02x", p->buf[0]);
}

/* Not GDB: say what it looked like and close, before any target access
 * (a browser tricked into posting to localhost:3333, a TLS client, a port
 * scanner). */
static void gdb_pending_reject(struct gdb_pending *p)
{
	char what[80], msg[240];
	int n;

	gdb_pending_describe(p, what, sizeof(what));
	swdd_warn("rejected connection from %s: it starts with %s, not GDB's '+' or '$'", p->peer, what);
	n = snprintf(msg, sizeof(msg),
		     "swdd: not a GDB client: this port speaks the GDB remote serial "
		     "protocol (it starts with %s)\r\n",
		     what);
	gdb_net_say_close(p->fd, msg, n > 0 ? (size_t)n : 0);
	gdb_pending_free(p, false);
}

static void gdb_net_client_close(struct gdb_net *net)
{
	struct gdb_client *c = &net->c;

	if (c->write_timed_out)
		swdd_warn("dropped gdb client %s: it read no reply for %u ms", c->peer, net->lim->write_ms);
	if (net->s->client)
		swdd_info("gdb client %s disconnected; target resumed", c->peer);
	gdb_server_client_end(net->s);
	swdd_log_set_sink(NULL, NULL);
	close(c->fd);
	c->fd = -1;
}

static void gdb_net_client_input(struct gdb_net *net)
{
	struct gdb_client *c = &net->c;
	uint8_t buf[4096];
	ssize_t n = recv(c->fd, buf, sizeof(buf), 0);

	if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		gdb_net_client_close(net);
		return;
	}
	c->last_rx_ms = swdd_now_ms();
	if (net->s->reader.state == RSP_RD_IDLE)
		c->packet_start_ms = c->last_rx_ms; /* a packet may begin in these bytes */
	if (gdb_server_input(net->s, buf, (size_t)n))
		gdb_net_client_close(net);
}

/* Reads whatever the served client has sent already, so that its close
 * is seen before a new connection is judged: "disconnect" followed at once
 * by a new "target extended-remote" must find the slot free. */
static void gdb_net_client_drain(struct gdb_net *net)
{
	struct pollfd pfd = { .fd = net->c.fd, .events = POLLIN };

	/* Bounded: a client that never stops sending must not keep the
	 * new connection waiting forever (it is refused instead). */
	for (int i = 0;
	     i < 16 && net->c.fd >= 0 && poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR));
	     i++)
		gdb_net_client_input(net);
}

/* A halted client that has been silent for idle_ms (a GDB left at a
 * prompt) gives way to a new GDB. A running target is never taken from
 * its client: GDB waits silently for the stop. */
static bool gdb_net_client_stale(const struct gdb_net *net)
{
	const struct gdb_server *s = net->s;

	return !s->running && s->reader.state == RSP_RD_IDLE &&
	       swdd_now_ms() - net->c.last_rx_ms >= net->lim->idle_ms;
}

static void gdb_net_refuse_later(struct gdb_net *net, struct gdb_pending *p)
{
	p->state = GDB_PEND_REFUSE;
	p->deadline_ms = swdd_now_ms() + net->lim->refuse_ms;
	if (gdb_pending_packet_done(p))
		gdb_pending_refuse(p);
}

/* The pending connection becomes the served client: the target is
 * (re)connected and halted, and the bytes read so far are fed. */
static void gdb_net_promote(struct gdb_net *net, struct gdb_pending *p)
{
	struct gdb_client *c = &net->c;
	struct gdb_server *s = net->s;
	int rc;

	c->fd = p->fd;
	snprintf(c->peer, sizeof(c->peer), "%s", p->peer);
	c->last_rx_ms = c->packet_start_ms = swdd_now_ms();
	c->write_timed_out = false;
	s->write = gdb_net_write;
	s->write_ctx = c;
	rc = gdb_server_client_begin(s);
	if (rc) {
		snprintf(p->why, sizeof(p->why), "no target: %s: %s", swdd_strerror(rc), swdd_err_detail());
		swdd_error("gdb client %s: %s", p->peer, p->why);
		c->fd = -1;
		gdb_net_refuse_later(net, p);
		return;
	}
	swdd_log_set_sink(gdb_server_log_sink, s);
	swdd_info("gdb client %s connected", p->peer);
	gdb_pending_free(p, false);
	if (gdb_server_input(s, p->buf, p->len))
		gdb_net_client_close(net);
}

/* A GDB knocks: serve it if the slot is free (or frees itself), refuse it
 * with the reason otherwise. */
static void gdb_net_admit(struct gdb_net *net, struct gdb_pending *p)
{
	struct gdb_client *c = &net->c;

	gdb_net_client_drain(net);
	if (c->fd >= 0 && net->s->detached) {
		/* After `detach` GDB keeps its connection open and idle; a
		 * `target extended-remote` then connects anew before closing
		 * it. Let the new one in. */
		swdd_info("gdb client %s replaces %s, which had detached", p->peer, c->peer);
		gdb_net_client_close(net);
	} else if (c->fd >= 0 && gdb_net_client_stale(net)) {
		swdd_warn("gdb client %s replaces %s, which sent nothing for %llu ms", p->peer, c->peer,
			  (unsigned long long)(swdd_now_ms() - c->last_rx_ms));
		gdb_net_client_close(net);
	}
	if (c->fd < 0) {
		gdb_net_promote(net, p);
		return;
	}
	snprintf(p->why, sizeof(p->why),
		 "another GDB (%s) is connected; swdd serves one client at a "
		 "time: disconnect it first",
		 c->peer);
	swdd_warn("refused gdb client %s: %s is connected", p->peer, c->peer);
	gdb_net_refuse_later(net, p);
}

static void gdb_pending_input(struct gdb_net *net, struct gdb_pending *p)
{
	ssize_t n = recv(p->fd, p->buf + p->len, sizeof(p->buf) - p->len, 0);

	if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		gdb_pending_free(p, true); /* it left before being served */
		return;
	}
	p->len += (size_t)n;
	if (p->state == GDB_PEND_REFUSE) {
		if (gdb_pending_packet_done(p))
			gdb_pending_refuse(p);
	} else if (!gdb_net_first_byte_ok(p->buf[0])) {
		gdb_pending_reject(p);
	} else {
		gdb_net_admit(net, p);
	}
}

static void gdb_net_accept_all(struct gdb_net *net)
{
	for (;;) {
		char peer[64];
		int fd = gdb_net_accept(net->lfd, peer, sizeof(peer));
		struct gdb_pending *p = NULL;

		if (fd < 0)
			return;
		for (size_t i = 0; i < GDB_NET_PENDING && !p; i++)
			if (net->pend[i].state == GDB_PEND_FREE)
				p = &net->pend[i];
		if (!p) {
			static const char busy[] = "swdd: too many connections waiting; try again\r\n";

			swdd_warn("closed connection from %s: %d others are waiting to be judged", peer,
				  GDB_NET_PENDING);
			gdb_net_say_close(fd, busy, sizeof(busy) - 1);
			continue;
		}
		*p = (struct gdb_pending){ .state = GDB_PEND_HELLO,
					   .fd = fd,
					   .deadline_ms = swdd_now_ms() + net->lim->hello_ms };
		snprintf(p->peer, sizeof(p->peer), "%s", peer);
	}
}

/* Time-outs of the connections not yet served, and of a served client
 * stuck in the middle of a packet. */
static void gdb_net_timers(struct gdb_net *net)
{
	uint64_t now = swdd_now_ms();
	const struct gdb_server *s = net->s;

	for (size_t i = 0; i < GDB_NET_PENDING; i++) {
		struct gdb_pending *p = &net->pend[i];

		if (p->state == GDB_PEND_FREE || now < p->deadline_ms)
			continue;
		if (p->state == GDB_PEND_REFUSE) {
			gdb_pending_refuse(p);
			continue;
		}
		swdd_info("closed connection from %s: it sent nothing for %u ms", p->peer,
			  net->lim->hello_ms);
		gdb_pending_free(p, true);
	}
	if (net->c.fd < 0 || s->reader.state == RSP_RD_IDLE)
		return;
	if (now - net->c.last_rx_ms >= net->lim->partial_ms) {
		swdd_warn("dropped gdb client %s: a packet began and its end ('#' and checksum) did not come "
			  "within %u ms",
			  net->c.peer, net->lim->partial_ms);
		gdb_net_client_close(net);
	} else if (now - net->c.packet_start_ms >= net->lim->packet_ms) {
		swdd_warn("dropped gdb client %s: one packet took more than %u ms to arrive", net->c.peer,
			  net->lim->packet_ms);
		gdb_net_client_close(net);
	}
}

/* pfd[0] the listening socket, pfd[1] the client (fd -1 when none: poll
 * skips it), pfd[2..] the pending connections. */
static void gdb_net_pollfds(const struct gdb_net *net, struct pollfd *pfd)
{
	pfd[0] = (struct pollfd){ .fd = net->lfd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = net->c.fd, .events = POLLIN };
	for (size_t i = 0; i < GDB_NET_PENDING; i++)
		pfd[2 + i] =
			(struct pollfd){ .fd = net->pend[i].state ? net->pend[i].fd : -1, .events = POLLIN };
}

static void gdb_net_handle(struct gdb_net *net, const struct pollfd *pfd)
{
	const short in = POLLIN | POLLHUP | POLLERR;

	/* The served client first: its close must be seen before a new
	 * connection asks for the slot. */
	if (net->c.fd >= 0 && pfd[1].fd == net->c.fd && (pfd[1].revents & in))
		gdb_net_client_input(net);
	for (size_t i = 0; i < GDB_NET_PENDING; i++)
		if (net->pend[i].state && pfd[2 + i].fd == net->pend[i].fd && (pfd[2 + i].revents & in))
			gdb_pending_input(net, &net->pend[i]);
	if (pfd[0].revents & POLLIN)
		gdb_net_accept_all(net);
}

int gdb_net_serve_limits(struct gdb_server *s, int lfd, volatile sig_atomic_t *stop,
			 const struct gdb_net_limits *lim)
{
	struct gdb_net net = { .s = s, .lfd = lfd, .lim = lim, .c = { .fd = -1, .lim = lim, .stop = stop } };

	for (size_t i = 0; i < GDB_NET_PENDING; i++)
		net.pend[i] = (struct gdb_pending){ .state = GDB_PEND_FREE, .fd = -1 };
	while (!*stop) {
		struct pollfd pfd[2 + GDB_NET_PENDING];
		int timeout = gdb_server_running(s) ? GDB_NET_RUN_POLL_MS : GDB_NET_IDLE_POLL_MS;
		int n;

		gdb_net_pollfds(&net, pfd);
		n = poll(pfd, 2 + GDB_NET_PENDING, timeout);
		if (n < 0 && errno != EINTR)
			return swdd_err_set(SWDD_EIO, "poll: %s", strerror(errno));
		if (n > 0)
			gdb_net_handle(&net, pfd);
		gdb_net_timers(&net);
		if (net.c.fd >= 0 && gdb_server_running(s) && gdb_server_poll(s))
			gdb_net_client_close(&net);
	}
	if (net.c.fd >= 0)
		gdb_net_client_close(&net);
	for (size_t i = 0; i < GDB_NET_PENDING; i++)
		gdb_pending_free(&net.pend[i], true);
	return 0;
}

int gdb_net_serve(struct gdb_server *s, int lfd, volatile sig_atomic_t *stop)
{
	return gdb_net_serve_limits(s, lfd, stop, &gdb_net_limits_default);
}
