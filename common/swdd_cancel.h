/*
 * A process-wide request to give up long waits, set from a signal handler
 * (the server's SIGINT/SIGTERM) and observed by the loops that wait for
 * the target (flash/algo_run.c: a flash algorithm call may legitimately
 * run for seconds, and a broken one until its bound).
 */
#ifndef SWDD_CANCEL_H
#define SWDD_CANCEL_H

#include <stdbool.h>

/* Async-signal-safe: only stores to a volatile sig_atomic_t. */
void swdd_cancel_request(void);
bool swdd_cancel_requested(void);
/* Forgets a request (tests; a server that goes on after handling one). */
void swdd_cancel_clear(void);

#endif
