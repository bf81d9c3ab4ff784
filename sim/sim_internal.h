/*
 * Internal structure of the simulated chip, shared by the sim/ modules.
 * Not for use outside sim/.
 *
 * Ownership of the address space:
 *   sim_core.c / sim_scs.c  the Unicorn engine, the core run loop, resets of
 *                           the core, and the whole Private Peripheral Bus
 *                           0xE0000000-0xE00FFFFF (ITM, DWT, FPB, SCS,
 *                           TPIU, ETM, DBGMCU at 0xE0042000, ROM table at
 *                           0xE00FF000 with CoreSight ID registers).
 *   sim_f407.c, sim_flash_f4.c  everything else: flash (+ alias at 0),
 *                           SRAM, CCM, system memory, OTP, option bytes,
 *                           peripherals (flash interface at 0x40023C00).
 *   sim_crc.c                the CRC unit at 0x40023000 (sim_f407.c maps it
 *                           and keeps its state with the RCC).
 *   sim_dp.c, sim_ap.c       SW-DP and AHB-AP; AP memory accesses go through
 *                           sim_bus_read/sim_bus_write.
 *   sim_chip.c, sim_board.c  chip creation, virtual time, NRST, supply,
 *                           fault knobs.
 */
#ifndef SWDD_SIM_INTERNAL_H
#define SWDD_SIM_INTERNAL_H

#include "sim.h"

#include <unicorn/unicorn.h>

/* Outcome of one bus access made through the AHB-AP. */
enum sim_bus_result { SIM_BUS_OK = 0, SIM_BUS_FAULT = 1, SIM_BUS_WAIT = 2 };

/* Reset kinds (ARMv7-M B1.5.5, RM0090 7.1). */
enum sim_reset_kind {
	SIM_RESET_POWER_ON, /* everything, including debug logic (DHCSR, DEMCR) */
	SIM_RESET_SYSTEM,   /* NRST or AIRCR.SYSRESETREQ: core + peripherals, not debug */
	SIM_RESET_CORE,     /* AIRCR.VECTRESET: core only (v7-M) */
};

struct sim_core; /* opaque, sim_core.c */
struct sim_flash; /* opaque, sim_flash_f4.c */
struct sim_dp;    /* opaque, sim_dp.c */
struct sim_periph; /* opaque, sim_f407.c (RCC and other MMIO state) */

struct sim_chip {
	uc_engine *uc;
	struct sim_config cfg;
	uint64_t now_ns;
	uint32_t core_hz;          /* 16 MHz HSI after reset */
	uint64_t cycle_debt_ps;    /* sub-cycle remainder of advanced time */
	struct sim_chip_stats stats;

	/* board */
	bool nrst_probe_low;       /* probe drives NRST low */
	bool nrst_supervisor_low;  /* supervisor drives it (push-pull fault) */
	unsigned swd_khz;
	uint64_t boot_ns;          /* time the core last left reset */
	bool swd_pins_remapped;    /* SIM_FAULT_SWD_DISABLED took effect */
	bool halted_since_boot;    /* core halted before the remap moment: no remap */

	/* chip identity (from the chip table) */
	uint32_t dbgmcu_idcode;    /* 0x10076413 */
	uint32_t cpuid;            /* 0x410FC241 */
	uint32_t flash_base, flash_size;
	uint16_t flash_size_kib;   /* value of the flash-size register */
	uint8_t uid[12];

	struct sim_core *core;
	struct sim_flash *flash;
	struct sim_dp *dp;
	struct sim_periph *periph;
};

/* ---- provided by sim_core.c / sim_scs.c ----------------------------- */

/* Creates c->uc (Cortex-M4 model, see SIM-NOTES.md), maps the PPB as MMIO
 * and installs the core's hooks. Called once by sim_chip_new() before
 * sim_f407_map(). Returns 0 or -1 with err filled. */
int sim_core_init(sim_chip *c, char *err, size_t errlen);
void sim_core_free(sim_chip *c);
/* Runs up to `cycles` cycles (if the core is running); returns the cycles
 * consumed (== cycles unless halted/sleeping/locked, in which case time
 * still passes: the caller always advances time by the full amount). */
uint64_t sim_core_run(sim_chip *c, uint64_t cycles);
/* Applies a reset to the core (and debug logic for POWER_ON). Sets
 * S_RESET_ST, reloads SP/PC from the vector table, honours VC_CORERESET. */
void sim_core_reset(sim_chip *c, enum sim_reset_kind kind);
/* While held (NRST low) the core does not run; on release it restarts. */
void sim_core_hold_reset(sim_chip *c, bool held);
bool sim_core_halted(const sim_chip *c);
/* Debug (AP) access to the PPB. size 1/2/4; addr within 0xE0000000-0xE00FFFFF. */
enum sim_bus_result sim_ppb_read(sim_chip *c, uint32_t addr, unsigned size, uint32_t *val);
enum sim_bus_result sim_ppb_write(sim_chip *c, uint32_t addr, unsigned size, uint32_t val);
/* Tells the core that code memory changed (flush Unicorn's code cache). */
void sim_core_code_changed(sim_chip *c, uint32_t addr, uint32_t len);

/* ---- provided by sim_f407.c / sim_flash_f4.c ------------------------ */

/* Maps the STM32F407 memory map into c->uc and creates c->flash. */
int sim_f407_map(sim_chip *c, char *err, size_t errlen);
void sim_f407_free(sim_chip *c);
/* Debug (AP) access to anything outside the PPB. */
enum sim_bus_result sim_mem_read(sim_chip *c, uint32_t addr, unsigned size, uint32_t *val);
enum sim_bus_result sim_mem_write(sim_chip *c, uint32_t addr, unsigned size, uint32_t val);
/* Resets peripherals (flash interface registers, locks) on a system reset. */
void sim_periph_reset(sim_chip *c);
/* Advances flash-controller operations to c->now_ns. */
void sim_flash_tick(sim_chip *c);
/* Earliest virtual time at which the flash controller changes state
 * (UINT64_MAX if idle), so the run loop can slice at that point. */
uint64_t sim_flash_next_event_ns(const sim_chip *c);

/* ---- provided by sim_chip.c / sim_board.c --------------------------- */

/* A system reset from any source (NRST release, SYSRESETREQ): resets
 * peripherals and the core; counts it in stats. */
void sim_chip_system_reset(sim_chip *c);

/* ---- provided by sim_bus.c ---------------------------------------------- */

/* AP-side bus access: decodes PPB vs the rest; applies RDP and stall rules. */
enum sim_bus_result sim_bus_read(sim_chip *c, uint32_t addr, unsigned size, uint32_t *val);
enum sim_bus_result sim_bus_write(sim_chip *c, uint32_t addr, unsigned size, uint32_t val);

#endif
