/*
 * The TCP side of the GDB server: listening socket, one client at a time,
 * the poll loop that feeds the session and polls a running target.
 * The connection model and its time-outs: docs/SERVER.md "Connections".
 */
#ifndef SWDD_GDB_NET_H
#define SWDD_GDB_NET_H

#include <signal.h>

#include "gdb_server.h"

/* Bounds of the connection handling, in milliseconds (gdb_net_limits_default
 * holds the values docs/SERVER.md gives; tests pass shorter ones). */
struct gdb_net_limits {
	/* The client's socket accepted no byte of a reply for this long (it
	 * does not read), or not all of one reply within write_total_ms:
	 * the client is dropped. */
	unsigned write_ms, write_total_ms;
	/* A packet was begun ('$') and no byte came for this long before its
	 * '#' and checksum, or the whole packet took longer than packet_ms:
	 * the client is dropped. */
	unsigned partial_ms, packet_ms;
	/* A new connection sent nothing for this long: closed. */
	unsigned hello_ms;
	/* A refused GDB gets this long to finish its first packet, which the
	 * reason answers (GDB prints an E.text reply to qSupported). */
	unsigned refuse_ms;
	/* A halted client that sent nothing for this long gives its slot to a
	 * new GDB client instead of refusing it. */
	unsigned idle_ms;
};
extern const struct gdb_net_limits gdb_net_limits_default;

/* Listens on addr:port (port 0: any free port); *actual_port gets the port.
 * Returns 0 or SWDD_E* with a detail. */
int gdb_net_listen(const char *addr, unsigned port, int *fd, unsigned *actual_port);

/* Serves clients on the listening socket until *stop becomes non-zero,
 * with gdb_net_limits_default. extended-remote sessions survive
 * disconnects: the loop goes back to accepting. Returns 0 or SWDD_E*. */
int gdb_net_serve(struct gdb_server *s, int lfd, volatile sig_atomic_t *stop);
/* The same with other bounds. */
int gdb_net_serve_limits(struct gdb_server *s, int lfd, volatile sig_atomic_t *stop,
			 const struct gdb_net_limits *lim);

#endif
