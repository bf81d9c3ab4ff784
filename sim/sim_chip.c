/*
 * The simulated chip as a whole: identity from a const part table, creation
 * and power-on, the virtual clock and the run loop that shares time between
 * the core (sim_core.c) and the chip's flash controller (c->flash_ops).
 *
 * Time model (sim.h): one instruction per cycle of the core's clock
 * (c->core_hz): on the F4 HCLK as RCC sets it (sim_rcc_f4.c; 16 MHz HSI
 * after reset, RM0090 7.2.2), on the H7 its 64 MHz HSI (RM0433 8.5.2),
 * which the lab's H7 keeps whatever RCC says. sim_chip_advance() cuts the requested time into
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
#define SIM_CHIP_HSI_HZ 16000000u    /* RM0090 6.2.2 */
#define SIM_CHIP_HSI_H7_HZ 64000000u /* RM0433 8.5.2 / RM0468 8.5.2: HSI 64 MHz */
#define SIM_FAULT_H7_ONLY                                                                                    \
	(SIM_FAULT_VCAP | SIM_FAULT_BANK_SWAP | SIM_FAULT_ECC | SIM_FAULT_SUPPLY_LOCK |                      \
	 SIM_FAULT_LOW_POWER | SIM_FAULT_IWDG | SIM_FAULT_FAST_ERASE)

/* The STM32F4's AHB-AP (Cortex-M4 TRM 8.1): IDR 0x24770011, ROM table at
 * 0xE00FF000 (BASE bit 0 = present, bit 1 = ADIv5 format), TAR[11:0]. */
#define SIM_AP_CM4                                                                                           \
	{                                                                                                    \
		.port = SIM_AP_SYSTEM, .idr = 0x24770011u, .base = 0xE00FF003u, .tar_wrap = 0xFFFu,          \
		.csw_reset = 0x03000040u                                                                     \
	}

/* One row per chip: core, debug topology, memory map and peripherals. The
 * H7 rows live in sim_h7.c (sim_h7_chips). */
static const struct sim_chip_desc sim_f4_chips[] = {
	{
		.name = "stm32f407",
		.dbgmcu_idcode = 0x10076413u, /* RM0090 38.6.1: REV_ID 0x1007 (rev 2), DEV_ID 0x413 */
		.flash_base = 0x08000000u,
		.flash_size = 0x100000u,
		.flash_size_kib = 1024,       /* RM0090 39.2 */
		.flash_sectors = 12,          /* RM0090 3.3 table 5 */
		/* RM0090 39.1: X/Y wafer coordinates, lot, wafer */
		.uid = { 0x2D, 0x00, 0x37, 0x00, 0x0A, 0x47, 0x36, 0x30, 0x33, 0x38, 0x31, 0x39 },
		.core = {
			.uc_model = UC_CPU_ARM_CORTEX_M4,
			.cpuid = 0x410FC241u, /* Cortex-M4 r0p1 (Cortex-M4 TRM 4.3.1) */
			.fpb_code = 6, .fpb_lit = 2, .fpb_rev = 0, /* Cortex-M4 TRM 8.3 */
			.dwt_comp = 4,
			.mvfr0 = 0x10110021u, /* single precision (ARMv7-M B4.1.3) */
			.mvfr1 = 0x11000011u,
			.rom_base = 0xE00FF000u,
			.rom_partno = 0x413u, /* RM0090 38.5: ST's MCU ROM table */
		},
		.dp = { .dpidr = 0x2BA01477u, .version = 1 }, /* RM0090 38.8.3 */
		.aps = { SIM_AP_CM4 },
		.soc = &sim_f407_soc,
	},
};

static const struct sim_chip_desc *sim_chip_find(const char *name)
{
	size_t n_h7 = 0;
	const struct sim_chip_desc *h7 = sim_h7_chips(&n_h7);

	for (size_t i = 0; i < sizeof(sim_f4_chips) / sizeof(sim_f4_chips[0]); i++)
		if (!name || !strcmp(name, sim_f4_chips[i].name))
			return &sim_f4_chips[i];
	for (size_t i = 0; name && i < n_h7; i++)
		if (!strcmp(name, h7[i].name))
			return &h7[i];
	return NULL;
}

int sim_lab_check(char *err, size_t errlen)
{
	(void)err, (void)errlen;
	return 0;
}

bool sim_chip_known(const char *name)
{
	return name && sim_chip_find(name) != NULL;
}

static void sim_chip_identity(sim_chip *c, const struct sim_chip_desc *d)
{
	c->desc = d;
	c->dbgmcu_idcode = d->dbgmcu_idcode;
	c->cpuid = d->core.cpuid;
	c->flash_base = d->flash_base;
	c->flash_size = d->flash_size;
	c->flash_size_kib = d->flash_size_kib;
	memcpy(c->uid, d->uid, sizeof(c->uid));
}

static void sim_chip_power_on(sim_chip *c);

void sim_board_set_boot0(sim_chip *c, bool high)
{
	if (c->desc->soc->set_boot0)
		c->desc->soc->set_boot0(c, high);
}

void sim_board_power_cycle(sim_chip *c)
{
	sim_chip_power_on(c);
}

static void sim_chip_power_on(sim_chip *c)
{
	c->stats.resets++;
	sim_dp_power_on(c);
	if (c->desc->soc->power_on)
		c->desc->soc->power_on(c);
	c->reset_src = SIM_RST_POWER;
	sim_periph_reset(c);
	c->reset_src = SIM_RST_PIN;
	sim_core_reset(c, SIM_RESET_POWER_ON);
	sim_core_hold_reset(c, false); /* power-on reset completes */
	sim_board_core_left_reset(c);
}

/* The knobs a chip row cannot take: 0, or -1 with the reason in err. */
static int sim_chip_check_knobs(const struct sim_config *cfg, const struct sim_chip_desc *d, char *err,
				size_t errlen)
{
	bool h7 = d->core.uc_model == UC_CPU_ARM_CORTEX_M7;

	if ((cfg->faults & SIM_FAULT_WRP) && (cfg->wrp_sectors >> d->flash_sectors)) {
		snprintf(err, errlen, "wrp: the %s has sectors 0-%u only", d->name, d->flash_sectors - 1);
		return -1;
	}
	if ((cfg->faults & SIM_FAULT_H7_ONLY) && !h7) {
		snprintf(err, errlen,
			 "fault knobs vcap-fault, bank-swap, ecc, supply-lock, low-power-no-debug, iwdg "
			 "exist for "
			 "the STM32H7 only (--sim-chip stm32h743 or stm32h725)");
		return -1;
	}
	if ((cfg->faults & SIM_FAULT_HW_WATCHDOG) && h7) {
		snprintf(err, errlen,
			 "fault knob hw-watchdog exists for the STM32F407 only (--sim-chip stm32f407)");
		return -1;
	}
	return 0;
}

int sim_chip_new(const struct sim_config *cfg, sim_chip **out, char *err, size_t errlen)
{
	const struct sim_chip_desc *d = sim_chip_find(cfg ? cfg->chip : NULL);
	sim_chip *c;

	*out = NULL;
	if (!d) {
		snprintf(err, errlen, "unknown chip '%s' (known: %s)", cfg->chip, SIM_CHIPS);
		return -1;
	}
	if (cfg && sim_chip_check_knobs(cfg, d, err, errlen))
		return -1;
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (cfg)
		c->cfg = *cfg;
	c->core_hz = d->core.uc_model == UC_CPU_ARM_CORTEX_M7 ? SIM_CHIP_HSI_H7_HZ : SIM_CHIP_HSI_HZ;
	sim_chip_identity(c, d);
	/* the unique ID's X wafer coordinate (RM0090 39.1 / RM0433 61.1: UID[15:0],
	 * little endian) differs per board */
	c->uid[0] = (uint8_t)(c->uid[0] + (c->cfg.board & 0xFFu));
	c->uid[1] = (uint8_t)(c->uid[1] + ((c->cfg.board >> 8) & 0xFFu));
	if (sim_dp_new(c) || sim_core_init(c, err, errlen) || d->soc->map(c, err, errlen)) {
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
	if (c->desc)
		c->desc->soc->free(c);
	sim_dp_free(c);
	free(c);
}

/* Every system reset reaches the chip through the NRST pin: RM0090 6.1.2
 * (figure "Simplified diagram of the reset circuit") has the internal
 * sources (SYSRESETREQ, watchdogs) drive NRST low through a pulse
 * generator. A supervisor holding NRST high push-pull (nrst-push-pull)
 * defeats that pulse, so SYSRESETREQ resets nothing; only a core reset
 * (VECTRESET) works, as in the DEV_TARGET_RESET_ERR reports. */
void sim_chip_system_reset_by(sim_chip *c, enum sim_reset_src src)
{
	if (c->cfg.faults & SIM_FAULT_NRST_PUSH_PULL)
		return;
	c->stats.resets++;
	c->reset_src = src;
	sim_periph_reset(c);
	c->reset_src = SIM_RST_PIN;
	sim_core_reset(c, SIM_RESET_SYSTEM);
	sim_board_core_left_reset(c);
}

void sim_chip_system_reset(sim_chip *c)
{
	sim_chip_system_reset_by(c, SIM_RST_PIN);
}

uint64_t sim_chip_now_ns(const sim_chip *c)
{
	return c->now_ns;
}

/* ---- dispatch to the chip's memory map and flash controller ---------- */

enum sim_bus_result sim_mem_read(sim_chip *c, enum sim_ap_port port, uint32_t addr, unsigned size,
				 uint32_t *val, unsigned flags)
{
	return c->desc->soc->mem_read(c, port, addr, size, val, flags);
}

enum sim_bus_result sim_mem_write(sim_chip *c, enum sim_ap_port port, uint32_t addr, unsigned size,
				  uint32_t val, unsigned flags)
{
	return c->desc->soc->mem_write(c, port, addr, size, val, flags);
}

void sim_periph_reset(sim_chip *c)
{
	c->desc->soc->periph_reset(c);
}

static bool sim_chip_core_may_run(sim_chip *c)
{
	return sim_board_voltage_mv(c) > 0 && !sim_board_nrst_low(c) && !c->flash_ops->cpu_stalled(c);
}

/* The end of the next slice starting at c->now_ns. A core that cannot run
 * (halted, stalled, in reset, unpowered) stays so until a flash event or
 * a caller's action, so its slice reaches the next flash event. */
static uint64_t sim_chip_slice_end(sim_chip *c, uint64_t end_ns, bool core_runs)
{
	const struct sim_flash_ops *f = c->flash_ops;
	uint64_t cycles = f->unlocked(c) && !f->busy(c) ? SIM_CHIP_SLICE_CYCLES_FLASH : SIM_CHIP_SLICE_CYCLES;
	uint64_t slice_ns = cycles * 1000000000ull / c->core_hz, next = f->next_event_ns(c);
	uint64_t t = core_runs ? c->now_ns + (slice_ns ? slice_ns : 1) : end_ns;

	if (next > c->now_ns && next < t)
		t = next;
	return t < end_ns ? t : end_ns;
}

/* Cycles in `dt_ns` at the core's clock, carrying the remainder (in
 * ns x Hz) so that no cycle is lost or gained whatever the frequency. */
static uint64_t sim_chip_cycles(sim_chip *c, uint64_t dt_ns)
{
	unsigned __int128 x = (unsigned __int128)dt_ns * c->core_hz + c->cycle_debt;

	c->cycle_debt = (uint64_t)(x % 1000000000u);
	return (uint64_t)(x / 1000000000u);
}

void sim_chip_advance(sim_chip *c, uint64_t ns)
{
	uint64_t end = c->now_ns + ns;

	c->flash_ops->tick(c);
	while (c->now_ns < end) {
		bool runs = sim_chip_core_may_run(c) && !sim_core_halted(c);
		uint64_t t = sim_chip_slice_end(c, end, runs), cycles = sim_chip_cycles(c, t - c->now_ns);
		uint64_t dt = t - c->now_ns;

		if (cycles && runs) {
			c->desc->soc->engine_running(c, true);
			sim_core_run(c, cycles);
			c->desc->soc->engine_running(c, false);
		}
		c->now_ns = t;
		c->flash_ops->tick(c);
		sim_board_tick(c, dt);
	}
}

void sim_chip_get_stats(const sim_chip *c, struct sim_chip_stats *st)
{
	*st = c->stats;
	if (c->desc->soc->flash_stats)
		c->desc->soc->flash_stats(c, st);
}

int sim_chip_backdoor_load_flash(sim_chip *c, uint32_t addr, const void *data, size_t len)
{
	if (!data)
		return -1;
	return c->desc->soc->load_flash(c, addr, data, len);
}

int sim_chip_backdoor_read(sim_chip *c, uint32_t addr, void *buf, size_t len)
{
	if (!buf || (uint64_t)addr + len > 0x100000000ull)
		return -1;
	return c->desc->soc->peek(c, addr, buf, len);
}

void sim_mem_fill(sim_chip *c, uint32_t base, uint32_t size, uint8_t byte)
{
	uint8_t chunk[0x1000];

	memset(chunk, byte, sizeof(chunk));
	for (uint32_t off = 0; off < size; off += sizeof(chunk))
		uc_mem_write(c->uc, base + off, chunk,
			     size - off < sizeof(chunk) ? size - off : sizeof(chunk));
}
