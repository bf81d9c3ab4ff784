/*
 * The TCP side of the GDB server: listening socket, one client at a time,
 * the poll loop that feeds the session and polls a running target.
 */
#ifndef SWDD_GDB_NET_H
#define SWDD_GDB_NET_H

#include <signal.h>

#include "gdb_server.h"

/* Listens on addr:port (port 0: any free port); *actual_port gets the port.
 * Returns 0 or SWDD_E* with a detail. */
int gdb_net_listen(const char *addr, unsigned port, int *fd, unsigned *actual_port);

/* Serves clients on the listening socket until *stop becomes non-zero.
 * extended-remote sessions survive disconnects: the loop goes back to
 * accepting. Returns 0 or SWDD_E*. */
int gdb_net_serve(struct gdb_server *s, int lfd, volatile sig_atomic_t *stop);

#endif
