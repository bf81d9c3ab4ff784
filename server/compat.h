/*
 * The command lines of other GDB servers, for IDE launchers that start a
 * server by its name and arguments (issue 14, "IDE launch without glue").
 * All compatibility lives in compat.c; swdd's own options stay as they are.
 *
 *   st-util:  argv[0] named st-util (e.g. the swdd-st-util link that
 *             `make install` makes) or `swdd st-util ...`: -p/--listen_port,
 *             -n/--no-reset, -u/--connect-under-reset, --hot-plug, -m/--multi,
 *             -F/--freq, --serial, -v. Banner "Listening at *:PORT...";
 *             `monitor reset` leaves the core halted, as st-util's does.
 *   pyOCD:    `swdd gdbserver ...`: --port/-p, --telnet-port/-T, --board/-b/
 *             --uid/-u, --target/-t, --pack, -O, --frequency/-f, --persist,
 *             --connect MODE. Banner "GDB server listening on port PORT".
 *   OpenOCD:  argv[0] named openocd (the swdd-openocd link) or `swdd openocd
 *             ...`: -c "gdb_port N" (and adapter speed/serial; tcl_port,
 *             telnet_port ignored; program refused), -f interface/stlink.cfg
 *             or cmsis-dap.cfg pick the driver, other -f/-s ignored. Banner
 *             "Info : Listening on port PORT for gdb connections".
 *
 * Anything else on such a line is passed on to swdd's own parser, so
 * `swdd-st-util -p 4242 --probe sim` works.
 */
#ifndef SWDD_COMPAT_H
#define SWDD_COMPAT_H

#include <stdio.h>

enum compat_kind { COMPAT_NONE, COMPAT_STUTIL, COMPAT_PYOCD, COMPAT_OPENOCD };

struct compat {
	enum compat_kind kind;
	int argc;        /* the translated command line (swdd's own options) */
	char **argv;     /* argv itself when kind is COMPAT_NONE */
	char *owned[64]; /* strings made for argv (freed by compat_free) */
	unsigned nowned;
};

/* Recognises an st-util or pyOCD gdbserver command line and translates it.
 * Returns 0 (c->kind says which; COMPAT_NONE leaves argv as is), or
 * SWDD_EINVAL naming an option swdd cannot honour. */
int compat_translate(int argc, char **argv, struct compat *c);
/* The line the IDE waits for, after swdd's own banner (stdout). */
void compat_banner(const struct compat *c, FILE *f, unsigned port);
void compat_free(struct compat *c);
/* Registers the monitor commands other servers' users send from IDE
 * launch configurations (`sleep`, `delay`), for every session. */
int compat_monitor_register(void);

#endif
