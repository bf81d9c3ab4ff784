/*
 * What `swdd` does between parsing its options and serving GDB: choosing
 * and opening the probe (USB or the lab), connecting to the chip, and the
 * `swdd probes` listing.
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
	struct inproc_lab lab;            /* chip and probe when the lab is used */
	struct swdd_probe *probe;
	struct swdd_target *target; /* NULL while the chip cannot be reached */
	struct gdb_server *server;  /* the GDB server using target, if any */
};

/* Opens the probe --probe names ("auto": the one USB probe present, else
 * the lab, and says which). Returns 0 or SWDD_E*. */
int app_open_probe(struct app *a, const struct cli_opts *o);
/* Connects to the chip (reattach: again, in attach mode, after a client
 * detached); logs a failure and its reason. Also the session's
 * gdb_target_fn for each new client. */
int app_connect(void *app, bool reattach, struct swdd_target **t);
void app_close(struct app *a);

/* `swdd probes`: prints kind, serial, firmware and voltage per probe. */
int app_list_probes(void);

#endif
