/*
 * Helpers shared by the flash engine tests against the lab (test_flash.c,
 * test_h7_flash.c): the probe/target/flash stack over a simulated chip,
 * a pseudo-random image, and a backdoor comparison of the flash.
 */
#ifndef SWDD_FLASH_LAB_UTIL_H
#define SWDD_FLASH_LAB_UTIL_H

#include "flash.h"
#include "harness.h"
#include "probe.h"
#include "sim.h"
#include "sim_probe.h"
#include "swdd_err.h"
#include "target.h"

#include <stdlib.h>
#include <string.h>

/* CHECK_OK with the swdd error detail in the failure message. */
#define CHECK_SWDD(expr)                                                                                     \
	do {                                                                                                 \
		int _rc = (expr);                                                                            \
		if (_rc)                                                                                     \
			return test_fail_at(__FILE__, __LINE__, "%s: %s: %s", #expr, swdd_strerror(_rc),     \
					    swdd_err_detail());                                              \
	} while (0)

struct lab {
	sim_chip *chip;
	sim_probe *sp;
	struct swdd_probe *probe;
	struct swdd_target *t;
	struct swdd_flash *f;
};

static inline void lab_close(struct lab *l)
{
	swdd_flash_close(l->f);
	if (l->t)
		swdd_target_free(l->t);
	swdd_probe_close(l->probe);
	sim_probe_free(l->sp);
	sim_chip_free(l->chip);
	memset(l, 0, sizeof(*l));
}

static inline uint8_t *pattern(uint32_t len, uint32_t seed)
{
	uint8_t *p = malloc(len);

	for (uint32_t i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
	return p;
}

static inline int flash_equals(struct lab *l, uint32_t addr, const uint8_t *want, uint32_t len)
{
	uint8_t *got = malloc(len);
	int same = sim_chip_backdoor_read(l->chip, addr, got, len) == 0 && !memcmp(got, want, len);

	free(got);
	return same;
}

#endif
