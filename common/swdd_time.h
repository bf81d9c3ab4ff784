/*
 * The host's monotonic millisecond clock, for every wall-clock bound in swdd
 * (time-outs of probe commands, core waits, flash algorithm calls). The lab
 * (sim/) keeps a virtual clock of its own and does not use this one.
 */
#ifndef SWDD_TIME_H
#define SWDD_TIME_H

#include <stdint.h>

/* Milliseconds since an arbitrary start (CLOCK_MONOTONIC: never jumps
 * with the time of day). */
uint64_t swdd_now_ms(void);

#endif
