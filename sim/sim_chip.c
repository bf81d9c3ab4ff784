/*
 * The simulated chip as a whole: identity from a const part table, creation
 * and power-on, the virtual clock and the run loop that shares time between
 * the core (sim_core.c) and the flash controller (sim_flash_f4.c).
 *
 * Time model (sim.h): 16 MHz HSI after reset (RM0090 6.2.2), one
 * instruction per cycle. sim_chip_advance() cuts the requested time into
 * slices no longer than SIM_CHIP_SLICE_CYCLES and never across the next
 * flash event, so a BSY bit falls at its exact virtual time. While the
 * flash interface is unlocked and idle the slices are shorter: an operation
 * the core starts mid-slice is timed from the slice's start, so short
 * slices keep a polled 16 us program close to 16 us.
 */
#include "sim_chip_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIM_CHIP_SLICE_CYCLES 1000u
#define SIM_CHIP_SLICE_CYCLES_FLASH 100u
#define SIM_CHIP_HSI_HZ 16000000u
#define SIM_CHIP_PS_PER_S 1000000000000ull

struct sim_chip_desc {
	const char *name;
	uint32_t dbgmcu_idcode;   /* RM0090 38.6.1: REV_ID 0x1007 (rev 2), DEV_ID 0x413 */
	uint32_t cpuid;           /* Cortex-M4 r0p1 (Cortex-M4 TRM 4.3.1) */
	uint32_t flash_base, flash_size;
	uint16_t flash_size_kib;  /* RM0090 39.2 */
	uint8_t uid[12];          /* RM0090 39.1: X/Y wafer coordinates, lot, wafer */
};

static const struct sim_chip_desc sim_chip_table[] = {
	{
		.name = "stm32f407",
		.dbgmcu_idcode = 0x10076413u,
		.cpuid = 0x410FC241u,
		.flash_base = 0x08000000u,
		.flash_size = 0x100000u,
		.flash_size_kib = 1024,
		.uid = { 0x2D, 0x00, 0x37, 0x00, 0x0A, 0x47, 0x36, 0x30, 0x33, 0x38, 0x31, 0x39 },
	},
};

static const struct sim_chip_desc *sim_chip_find(const char *name)
{
	for (size_t i = 0; i < sizeof(sim_chip_table) / sizeof(sim_chip_table[0]); i++)
		if (!name || !strcmp(name, sim_chip_table[i].name))
			return &sim_chip_table[i];
	return NULL;
}

static void sim_chip_identity(sim_chip *c, const struct sim_chip_desc *d)
{
	c->dbgmcu_idcode = d->dbgmcu_idcode;
	c->cpuid = d->cpuid;
	c->flash_base = d->flash_base;
	c->flash_size = d->flash_size;
	c->flash_size_kib = d->flash_size_kib;
	memcpy(c->uid, d->uid, sizeof(c->uid));
}

static void sim_chip_power_on(sim_chip *c);

void sim_board_power_cycle(sim_chip *c)
{
	sim_chip_power_on(c);
}

static void sim_chip_power_on(sim_chip *c)
{
	c->stats.resets++;
	sim_dp_power_on(c);
	sim_periph_reset(c);
	sim_core_reset(c, SIM_RESET_POWER_ON);
	sim_core_hold_reset(c, false); /* power-on reset completes */
	sim_board_core_left_reset(c);
}

int sim_chip_new(const struct sim_config *cfg, sim_chip **out, char *err, size_t errlen)
{
	const struct sim_chip_desc *d = sim_chip_find(cfg ? cfg->chip : NULL);
	sim_chip *c;

	*out = NULL;
	if (!d) {
		snprintf(err, errlen, "unknown chip '%s' (known: stm32f407)", cfg->chip);
		return -1;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (cfg)
		c->cfg = *cfg;
	c->core_hz = SIM_CHIP_HSI_HZ;
	sim_chip_identity(c, d);
	/* RM0090 39.1: UID[15:0] is the X coordinate on the wafer (little endian) */
	c->uid[0] = (uint8_t)(c->uid[0] + (c->cfg.board & 0xFFu));
	c->uid[1] = (uint8_t)(c->uid[1] + ((c->cfg.board >> 8) & 0xFFu));
	if (sim_dp_new(c) || sim_core_init(c, err, errlen) || sim_f407_map(c, err, errlen)) {
		if (!c->dp)
			snprintf(err, errlen, "out of memory");
		sim_chip_free(c);
		return -1;
	}
	sim_chip_power_on(c);
	*out = c;
	return 0;
}

void sim_chip_free(sim_chip *c)
{
	if (!c)
		return;
	if (c->uc)
		sim_core_free(c);
	sim_f407_free(c);
	sim_dp_free(c);
	free(c);
}

/* Every system reset reaches the chip through the NRST pin: RM0090 6.1.2
 * (figure "Simplified diagram of the reset circuit") has the internal
 * sources (SYSRESETREQ, watchdogs) drive NRST low through a pulse
 * generator. A supervisor holding NRST high push-pull (nrst-push-pull)
 * defeats that pulse, so SYSRESETREQ resets nothing; only a core reset
 * (VECTRESET) works, as in the DEV_TARGET_RESET_ERR reports. */
void sim_chip_system_reset(sim_chip *c)
{
	if (c->cfg.faults & SIM_FAULT_NRST_PUSH_PULL)
		return;
	c->stats.resets++;
	sim_periph_reset(c);
	sim_core_reset(c, SIM_RESET_SYSTEM);
	sim_board_core_left_reset(c);
}

uint64_t sim_chip_now_ns(const sim_chip *c)
{
	return c->now_ns;
}

static bool sim_chip_core_may_run(sim_chip *c)
{
	return sim_board_voltage_mv(c) > 0 && !sim_board_nrst_low(c) && !sim_flash_cpu_stalled(c);
}

/* The end of the next slice starting at c->now_ns. A core that cannot run
 * (halted, stalled, in reset, unpowered) stays so until a flash event or
 * a caller's action, so its slice reaches the next flash event. */
static uint64_t sim_chip_slice_end(sim_chip *c, uint64_t end_ns, bool core_runs)
{
	uint64_t cycles = sim_flash_unlocked(c) && !sim_flash_busy(c) ? SIM_CHIP_SLICE_CYCLES_FLASH
								     : SIM_CHIP_SLICE_CYCLES;
	uint64_t slice_ns = cycles * 1000000000ull / c->core_hz, next = sim_flash_next_event_ns(c);
	uint64_t t = core_runs ? c->now_ns + (slice_ns ? slice_ns : 1) : end_ns;

	if (next > c->now_ns && next < t)
		t = next;
	return t < end_ns ? t : end_ns;
}

/* Cycles in `dt_ns`, carrying the sub-cycle remainder in picoseconds. */
static uint64_t sim_chip_cycles(sim_chip *c, uint64_t dt_ns)
{
	uint64_t period_ps = SIM_CHIP_PS_PER_S / c->core_hz;
	uint64_t ps = dt_ns * 1000u + c->cycle_debt_ps;

	c->cycle_debt_ps = ps % period_ps;
	return ps / period_ps;
}

void sim_chip_advance(sim_chip *c, uint64_t ns)
{
	uint64_t end = c->now_ns + ns;

	sim_flash_tick(c);
	while (c->now_ns < end) {
		bool runs = sim_chip_core_may_run(c) && !sim_core_halted(c);
		uint64_t t = sim_chip_slice_end(c, end, runs), cycles = sim_chip_cycles(c, t - c->now_ns);
		uint64_t dt = t - c->now_ns;

		if (cycles && runs) {
			sim_f407_engine_running(c, true);
			sim_core_run(c, cycles);
			sim_f407_engine_running(c, false);
		}
		c->now_ns = t;
		sim_flash_tick(c);
		sim_board_tick(c, dt);
	}
}

void sim_chip_get_stats(const sim_chip *c, struct sim_chip_stats *st)
{
	*st = c->stats;
}

/* The main array and its boot alias at 0 (RM0090 2.4, BOOT0 = 0). */
static int sim_chip_flash_off(const sim_chip *c, uint32_t addr, size_t len, uint32_t *off)
{
	if (addr >= c->flash_base && addr - c->flash_base <= c->flash_size &&
	    len <= c->flash_size - (addr - c->flash_base)) {
		*off = addr - c->flash_base;
		return 0;
	}
	if (addr < c->flash_size && len <= c->flash_size - addr) {
		*off = addr;
		return 0;
	}
	return -1;
}

int sim_chip_backdoor_load_flash(sim_chip *c, uint32_t addr, const void *data, size_t len)
{
	uint32_t off;

	if (!data || sim_chip_flash_off(c, addr, len, &off))
		return -1;
	sim_flash_load(c, off, data, len);
	return 0;
}

int sim_chip_backdoor_read(sim_chip *c, uint32_t addr, void *buf, size_t len)
{
	if (!buf || (uint64_t)addr + len > 0x100000000ull)
		return -1;
	return sim_f407_peek(c, addr, buf, len);
}
