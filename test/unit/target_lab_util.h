/*
 * Helpers shared by the target-layer tests that run against the lab
 * through the real probe layer (test_cortex_m_lab.c, test_cortex_m7.c):
 * the lab object, register access by GDB number, and running a test body
 * once per probe kind of the test's `kinds[]`.
 */
#ifndef SWDD_TARGET_LAB_UTIL_H
#define SWDD_TARGET_LAB_UTIL_H

#include "harness.h"
#include "probe.h"
#include "sim_probe.h"
#include "swdd_le.h"
#include "target.h"
#include "lab_kinds.h"

#include <string.h>

struct lab {
	sim_chip *chip;
	sim_probe *sp;
	struct swdd_probe *probe;
	struct swdd_target *t;
};

static inline void lab_close(struct lab *l)
{
	swdd_target_free(l->t);
	swdd_probe_close(l->probe);
	sim_probe_free(l->sp);
	sim_chip_free(l->chip);
	memset(l, 0, sizeof(*l));
}

static inline uint32_t reg(struct lab *l, unsigned n)
{
	uint8_t b[8] = { 0 };

	if (swdd_target_reg_read(l->t, n, b))
		return 0xDEADDEADU;
	return swdd_le32(b);
}

static inline int set_reg(struct lab *l, unsigned n, uint32_t v)
{
	uint8_t b[4];

	swdd_put_le32(b, v);
	return swdd_target_reg_write(l->t, n, b);
}

#endif
