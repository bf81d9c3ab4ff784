/*
 * Target layer, public API: a Cortex-M core on an STM32, reached through a
 * probe (probe/probe.h). Above it, flash/ and server/ use this header and,
 * for what belongs to the chip's family (flash controller, option bytes,
 * family monitor commands), the family descriptor of stm32/family.h.
 *
 * Register numbers are GDB's, as laid out by the target description that
 * swdd_target_xml() returns: 0-15 r0-pc, 16 xpsr, then the m-system
 * registers msp, psp, primask, basepri, faultmask, control (17-22), then
 * (FPU cores) d0-d15 (23-38, 8 bytes each) and fpscr (39); the map is
 * documented in cortex_m_regs.c and is the order of the XML. Register
 * values are target-endian (little) bytes.
 *
 * All functions return 0 or a negative SWDD_E* code with a detail sentence.
 */
#ifndef SWDD_TARGET_H
#define SWDD_TARGET_H

#include "swdd_err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct swdd_probe;
struct swdd_target;
struct stm32_family;
struct stm32_part;

enum swdd_connect_mode {
	SWDD_CONNECT_NORMAL,      /* attach; halt */
	SWDD_CONNECT_UNDER_RESET, /* NRST low during attach, halt at reset vector */
	SWDD_CONNECT_ATTACH,      /* hot plug: no reset, no halt */
};

enum swdd_reset_method {
	SWDD_RESET_AUTO, /* hw, then sys, then core, each verified */
	SWDD_RESET_HW,   /* NRST */
	SWDD_RESET_SYS,  /* AIRCR.SYSRESETREQ */
	SWDD_RESET_CORE, /* AIRCR.VECTRESET (v7-M only) */
};

struct swdd_connect_opts {
	enum swdd_connect_mode mode;
	enum swdd_reset_method reset;
	unsigned speed_khz; /* requested SWD clock; 0 = 4000 */
	bool ladder;        /* on failure walk the clock ladder, then under-reset */
	int vdd_mv;         /* target supply stated by the user (--vdd-mv), used
			       * where the probe cannot measure it; 0 = not given */
};

/* Chip identification (from the family descriptors in targets/stm32/). */
struct swdd_chip_info {
	const char *name; /* "STM32F405/407/415/417" */
	const char *core; /* "Cortex-M4" */
	uint32_t cpuid;
	uint32_t dbgmcu_idcode;
	uint32_t dpidr; /* SW-DP DPIDR read at connect (ADIv5.2 B2.2.5) */
	uint16_t dev_id;
	uint16_t rev_id;
	char revision[4]; /* "A", "Z", "1"... */
	uint32_t flash_base;
	uint32_t flash_size;           /* bytes, from the flash-size register */
	uint32_t sram_base, sram_size; /* the RAM a flash algorithm runs in */
	int rdp_level;                 /* 0, 1, 2; -1 unknown */
	char unique_id[25];            /* 96-bit unique device ID, hex, lowest byte first; "" unknown */
	int voltage_mv;                /* measured by the probe; -1 unknown */
	int vdd_stated_mv;             /* swdd_connect_opts.vdd_mv (0 = not given) */
	bool has_fpu;
	unsigned num_hw_breakpoints, num_watchpoints;
	/* The part's row and, through part->family, its family descriptor
	 * (stm32/family.h); NULL for an unknown part. */
	const struct stm32_part *part;
	uint32_t flash_ctrl_base;
};

/* Why the core is stopped. */
enum swdd_stop_reason {
	SWDD_STOP_NONE, /* still running */
	SWDD_STOP_HALT, /* halt request (Ctrl-C, monitor halt, connect) */
	SWDD_STOP_STEP,
	SWDD_STOP_SWBREAK, /* BKPT instruction we inserted */
	SWDD_STOP_HWBREAK, /* FPB match */
	SWDD_STOP_WATCH,   /* DWT write watchpoint; addr valid */
	SWDD_STOP_RWATCH,
	SWDD_STOP_AWATCH,
	SWDD_STOP_VCATCH,    /* vector catch (e.g. reset) */
	SWDD_STOP_BKPT_INSN, /* a BKPT compiled into the program */
	SWDD_STOP_LOCKUP,
	SWDD_STOP_SLEEP, /* not a stop: core in WFI (reported by poll only) */
};

struct swdd_stop {
	enum swdd_stop_reason reason;
	uint32_t addr; /* watchpoint data address, breakpoint pc */
	uint32_t pc;
};

/* ---- lifecycle ---------------------------------------------------------- */

/* Connects to the chip behind `probe` (the target does not own the probe).
 * Walks the clock ladder and under-reset fallback when opts->ladder, logging
 * each step and why; the final error names the likely cause. */
SWDD_MUST_CHECK int swdd_target_connect(struct swdd_probe *probe, const struct swdd_connect_opts *opts,
					struct swdd_target **out);
/* Restores what swdd changed (breakpoints, watchpoints, DEMCR, DBGMCU) and
 * resumes the core. */
SWDD_MUST_CHECK int swdd_target_detach(struct swdd_target *t);
void swdd_target_free(struct swdd_target *t);
/* The mode the connection succeeded in: SWDD_CONNECT_UNDER_RESET also when
 * a normal connect fell back to it, which shows that the firmware stops
 * SWD (or debug) soon after it starts. */
enum swdd_connect_mode swdd_target_connected_mode(const struct swdd_target *t);

const struct swdd_chip_info *swdd_target_chip(const struct swdd_target *t);
/* The chip's family descriptor (stm32/family.h), NULL for an unknown part. */
const struct stm32_family *swdd_target_family(const struct swdd_target *t);
/* GDB register number of `name` in this target's description, or -1. */
SWDD_MUST_CHECK int swdd_target_regnum(const struct swdd_target *t, const char *name);
struct swdd_probe *swdd_target_probe(const struct swdd_target *t);
/* Target description XML (features: m-profile, m-system, vfp if FPU). */
const char *swdd_target_xml(const struct swdd_target *t);

/* ---- run control -------------------------------------------------------- */

SWDD_MUST_CHECK int swdd_target_halt(struct swdd_target *t);
/* Resumes; steps over a breakpoint at the current pc first. */
SWDD_MUST_CHECK int swdd_target_resume(struct swdd_target *t);
/* One instruction, interrupts masked (unless step_irq is set). */
SWDD_MUST_CHECK int swdd_target_step(struct swdd_target *t);
void swdd_target_set_step_irq(struct swdd_target *t, bool allow);
bool swdd_target_get_step_irq(const struct swdd_target *t);
/* Non-blocking: fills *stop (SWDD_STOP_NONE while running). */
SWDD_MUST_CHECK int swdd_target_poll(struct swdd_target *t, struct swdd_stop *stop);
/* Whether a poll saw the chip reset while the core ran (DHCSR.S_RESET_ST,
 * ARMv7-M C1.6.2) since the last call; clears the note. */
bool swdd_target_take_reset_seen(struct swdd_target *t);
/* Last stop (valid while halted). */
const struct swdd_stop *swdd_target_last_stop(const struct swdd_target *t);
bool swdd_target_is_halted(const struct swdd_target *t);

/* Resets with `method` (SWDD_RESET_AUTO = the configured default), verifies
 * through DHCSR.S_RESET_ST, falls back to the next method with a logged
 * reason. halt: stop at the reset vector (VC_CORERESET). */
SWDD_MUST_CHECK int swdd_target_reset(struct swdd_target *t, enum swdd_reset_method method, bool halt);
void swdd_target_set_reset_method(struct swdd_target *t, enum swdd_reset_method m);
enum swdd_reset_method swdd_target_get_reset_method(const struct swdd_target *t);

/* ---- registers (core halted; served from a per-halt cache) ---------------- */

size_t swdd_target_num_regs(const struct swdd_target *t);
/* Size in bytes of register n (4 or 8), 0 if no such register. */
size_t swdd_target_reg_size(const struct swdd_target *t, unsigned n);
SWDD_MUST_CHECK int swdd_target_reg_read(struct swdd_target *t, unsigned n, uint8_t *buf);
SWDD_MUST_CHECK int swdd_target_reg_write(struct swdd_target *t, unsigned n, const uint8_t *buf);
/* All registers in order, concatenated (what a flash algorithm run saves). */
SWDD_MUST_CHECK int swdd_target_regs_read(struct swdd_target *t, uint8_t *buf, size_t cap, size_t *len);
/* Registers 0..n-1 go in GDB's 'g' packet; GDB reads the rest (the FPU
 * registers) with 'p' when it needs them, so a stop does not fetch them. */
size_t swdd_target_num_g_regs(const struct swdd_target *t);
/* Registers 0..swdd_target_num_g_regs()-1 in order, concatenated. */
SWDD_MUST_CHECK int swdd_target_g_regs_read(struct swdd_target *t, uint8_t *buf, size_t cap, size_t *len);
/* buf holds every register, or only those of the 'g' packet. */
SWDD_MUST_CHECK int swdd_target_regs_write(struct swdd_target *t, const uint8_t *buf, size_t len);

/* ---- memory -------------------------------------------------------------- */

SWDD_MUST_CHECK int swdd_target_mem_read(struct swdd_target *t, uint32_t addr, void *buf, size_t len);
/* RAM and peripherals. Writes into flash go through flash.h. */
SWDD_MUST_CHECK int swdd_target_mem_write(struct swdd_target *t, uint32_t addr, const void *buf, size_t len);
/* Same with every access of width bytes (1, 2 or 4; 0: any), for
 * peripheral registers that take only one width; addr and len must be
 * multiples of width. */
SWDD_MUST_CHECK int swdd_target_mem_write_width(struct swdd_target *t, uint32_t addr, const void *buf,
						size_t len, unsigned width);
/* Memory [start, end) changed under the core by other means than the
 * calls above: the flash controller programmed or erased it (flash/ calls
 * this after a `load`, vFlashDone, or any programming that leaves the core
 * to run on without a reset), or a bus master other than the debugger
 * wrote it. Does the cache maintenance the core needs before it executes
 * or reads the range again: on a Cortex-M7 (CPUID part 0xC27) with CCR.DC
 * set, cleans and invalidates the D-cache over the range (DCCIMVAC per
 * 32-byte line, or the whole cache by set/way when the range is larger);
 * with CCR.IC set, invalidates the I-cache (ICIALLU, ICIMVAU for one line).
 * A no-op on cores without caches and with the caches off. Core halted or
 * running; start <= end (an empty range does nothing); SWDD_EINVAL if
 * end < start, else the probe's error. */
SWDD_MUST_CHECK int swdd_target_mem_changed(struct swdd_target *t, uint32_t start, uint32_t end);

/* ---- breakpoints and watchpoints --------------------------------------- */

enum swdd_bp_type { SWDD_BP_SW, SWDD_BP_HW };
enum swdd_wp_type { SWDD_WP_WRITE, SWDD_WP_READ, SWDD_WP_ACCESS };

/* SWDD_BP_SW in flash is placed in hardware automatically. kind: 2 or 4. */
SWDD_MUST_CHECK int swdd_target_bp_add(struct swdd_target *t, enum swdd_bp_type type, uint32_t addr,
				       unsigned kind);
SWDD_MUST_CHECK int swdd_target_bp_remove(struct swdd_target *t, enum swdd_bp_type type, uint32_t addr,
					  unsigned kind);
/* len must be a power of two and addr aligned to it (DWT MASK rules). */
SWDD_MUST_CHECK int swdd_target_wp_add(struct swdd_target *t, enum swdd_wp_type type, uint32_t addr,
				       uint32_t len);
SWDD_MUST_CHECK int swdd_target_wp_remove(struct swdd_target *t, enum swdd_wp_type type, uint32_t addr,
					  uint32_t len);
/* Removes every breakpoint and watchpoint. */
void swdd_target_clear_points(struct swdd_target *t);

#endif
