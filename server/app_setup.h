/*
 * What `swdd` does between parsing its options and serving GDB: choosing
 * and opening the probe (USB or the lab) and connecting to the chip.
 */
#ifndef SWDD_APP_SETUP_H
#define SWDD_APP_SETUP_H

#include "cli.h"
#include "inproc_lab.h"

struct gdb_server;
struct swdd_probe;
struct swdd_target;

struct app {
	const struct cli_opts *opts;
	struct inproc_lab lab; /* chip and probe when the lab is used */
	struct swdd_probe *probe;
	struct swdd_target *target; /* NULL while the chip cannot be reached */
	struct gdb_server *server;  /* the GDB server using target, if any */
};

/* Opens the probe --probe names ("auto": the one USB probe present; the
 * lab only for "sim") and says which. Returns 0 or SWDD_E* (SWDD_ENODEV
 * with what was looked for when no probe is there). */
int app_open_probe(struct app *a, const struct cli_opts *o);
/* Connects to the chip (reattach: again, in attach mode, after a client
 * detached). Also the session's reconnect for each new client. A failure
 * is returned, not logged: the caller says it once (the server's log, the
 * GDB client's refusal, the command's error line). */
int app_connect(void *app, bool reattach, struct swdd_target **t);
/* The session's reconnect_under_reset: drops the target and connects
 * under reset (NRST low while attaching, core halted at the reset
 * vector). */
int app_connect_under_reset(void *app, struct swdd_target **t);
void app_close(struct app *a);

#endif
