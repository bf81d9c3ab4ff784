/*
 * Helpers shared by the tests of the flash engine and the option bytes
 * against the lab (test_flash.c, test_h7_flash.c, test_option.c,
 * test_h7_connect.c): the probe/target/flash stack over a simulated chip,
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

/*
 * Builds the lab stack up to a connected target: a simulated `chip` (NULL =
 * the default STM32F407) with the lab `faults` spec (NULL = none), probe
 * firmware `kind`, the target connected in `mode` at 4 MHz.
 * pre (may be NULL): n bytes put in flash at 0x08000000 first; unless mode
 * is SWDD_CONNECT_UNDER_RESET the chip then powers up from them and runs
 * 2 ms (virtual) before the probe connects, as firmware would.
 * Returns 0, or 1 after printing FAIL with the cause (l left closed).
 */
static inline int flash_lab_connect(struct lab *l, const char *chip, const char *faults,
				    enum sim_probe_kind kind, enum swdd_connect_mode mode, const uint8_t *pre,
				    size_t n)
{
	struct sim_config cfg = { .chip = chip };
	struct sim_probe_config pc = { .kind = kind };
	struct swdd_connect_opts co = { .mode = mode, .speed_khz = 4000 };
	char err[256];

	memset(l, 0, sizeof(*l));
	if (faults && sim_config_parse_faults(&cfg, faults, err, sizeof(err)))
		return test_fail_at(__FILE__, __LINE__, "fault spec: %s", err);
	if (sim_chip_new(&cfg, &l->chip, err, sizeof(err)))
		return test_fail_at(__FILE__, __LINE__, "sim_chip_new: %s", err);
	if (pre)
		sim_chip_backdoor_load_flash(l->chip, 0x08000000u, pre, n);
	if (pre && mode != SWDD_CONNECT_UNDER_RESET) {
		sim_board_power_cycle(l->chip);
		sim_chip_advance(l->chip, 2000000u);
	}
	if (sim_probe_new(&pc, l->chip, &l->sp) || swdd_probe_open_sim(l->sp, &l->probe) ||
	    swdd_target_connect(l->probe, &co, &l->t)) {
		test_fail_at(__FILE__, __LINE__, "lab set-up: %s", swdd_err_detail());
		lab_close(l);
		return 1;
	}
	return 0;
}

/* flash_lab_connect() and the flash engine open on the target. */
static inline int flash_lab_open(struct lab *l, const char *chip, const char *faults,
				 enum sim_probe_kind kind, enum swdd_connect_mode mode, const uint8_t *pre,
				 size_t n)
{
	if (flash_lab_connect(l, chip, faults, kind, mode, pre, n))
		return 1;
	if (swdd_flash_open(l->t, NULL, &l->f)) {
		test_fail_at(__FILE__, __LINE__, "flash open: %s", swdd_err_detail());
		lab_close(l);
		return 1;
	}
	return 0;
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
