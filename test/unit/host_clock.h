/*
 * A test double of the host's clock (common/swdd_time.h), for the tests
 * that prove swdd's waits and checks do not change with the host's speed:
 * this definition of swdd_now_ms() replaces libswdd's (the linker takes an
 * archive member only for a symbol still undefined). Include it in one
 * file of a test program; the program's other tests keep the real clock.
 *   HOST_CLOCK_REAL    the monotonic clock (the default)
 *   HOST_CLOCK_FROZEN  an infinitely fast host: no time between readings
 *   HOST_CLOCK_CRAWL   a loaded host: each reading host_clock_step_ms later
 */
#ifndef SWDD_TEST_HOST_CLOCK_H
#define SWDD_TEST_HOST_CLOCK_H

#include "swdd_time.h"

#include <time.h>

enum host_clock_mode { HOST_CLOCK_REAL, HOST_CLOCK_FROZEN, HOST_CLOCK_CRAWL };

static enum host_clock_mode host_clock_mode;
static uint64_t host_clock_ms, host_clock_step_ms;

static void host_clock_set(enum host_clock_mode mode, uint64_t step_ms)
{
	host_clock_mode = mode;
	host_clock_step_ms = step_ms;
	host_clock_ms = 1000000u;
}

uint64_t swdd_now_ms(void)
{
	struct timespec ts;

	if (host_clock_mode == HOST_CLOCK_CRAWL)
		host_clock_ms += host_clock_step_ms;
	if (host_clock_mode != HOST_CLOCK_REAL)
		return host_clock_ms;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000U + (uint64_t)ts.tv_nsec / 1000000U;
}

#endif
