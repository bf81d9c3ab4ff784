/*
 * Production flashing (issue 14): `swdd flash FILE --all-probes` or with
 * --serial given more than once programs the board behind each probe in
 * parallel and prints one result per board.
 */
#ifndef SWDD_PRODUCTION_H
#define SWDD_PRODUCTION_H

#include "cli.h"

/* True when o asks for several boards. */
bool production_wanted(const struct cli_opts *o);
/* argc/argv: the command line as cli_parse() left it (GNU getopt moves the
 * positional words FLASH FILE to the end); the options are passed on to
 * each board's run. Returns 0 when every board verified, else the exit
 * status (enum cmd_exit) of the first board that failed, in serial order. */
int production_main(const struct cli_opts *o, int argc, char **argv);

#endif
