/*
 * Flash algorithm loader/runner; see algo_run.h. Calling convention as
 * pyOCD and probe-rs use it for CMSIS-Pack FLM files (docs/FLASH.md "The algorithm convention"; CMSIS-Pack specification, "Flash Programming Algorithms").
 */
#include "algo_run.h"

#include "swdd_cancel.h"
#include "swdd_err.h"
#include "swdd_log.h"
#include "swdd_le.h"
#include "swdd_time.h"
#include "stm32/family.h"
#include "probe.h"
#include "target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ALGO_HEADER 0xBE00BE00U /* BKPT #0; BKPT #0 (Thumb) */
#define ALGO_CANARY 0x5AFEC0DEU
/* A status poll slower than two USB time-outs (PROBE_TR_TIMEOUT_MS): the
 * link or the host stalled. */
#define ALGO_STALL_MS 2000U
#define XPSR_T 0x01000000U
#define XPSR_IPSR_MASK 0x1FFU
/* ARMv7-M C1.8.7 DWT_CTRL, C1.8.8 DWT_CYCCNT (DEMCR.TRCENA, which the
 * target layer sets at connect, C1.6.5, enables the DWT). */
#define DWT_CTRL 0xE0001000U
#define DWT_CYCCNT 0xE0001004U
#define DWT_CTRL_CYCCNTENA (1U << 0)
#define DWT_CTRL_NOCYCCNT (1U << 25)

enum { REG_R0 = 0, REG_R9 = 9, REG_SP = 13, REG_LR = 14, REG_PC = 15, REG_XPSR = 16 };

static const char *const exc_names[] = {
	"thread", "reset", "NMI", "HardFault", "MemManage", "BusFault", "UsageFault",
};

static int reg_write(struct swdd_target *t, int n, uint32_t v)
{
	uint8_t b[4];

	swdd_put_le32(b, v);
	return swdd_target_reg_write(t, (unsigned)n, b);
}

static int reg_read(struct swdd_target *t, int n, uint32_t *v)
{
	uint8_t b[8];
	int rc = swdd_target_reg_read(t, (unsigned)n, b);

	if (!rc)
		*v = swdd_le32(b);
	return rc;
}

/* Writes a register only when it holds another value: after a call
 * returns, the target's register cache holds what the core left (one
 * READALLREGS on ST-LINK), so an argument that did not change (the page
 * size of successive ProgramPage calls, often lr) costs no round trip. */
static int reg_set(struct swdd_target *t, int n, uint32_t v)
{
	uint32_t cur;

	if (!reg_read(t, n, &cur) && cur == v)
		return 0;
	return reg_write(t, n, v);
}

static int algo_layout(struct swdd_algo *a, uint32_t ram_base, uint32_t ram_size)
{
	const struct swdd_flm *flm = a->flm;
	uint32_t p = ram_base;

	a->header = p;
	a->code = p + 4;
	p = (a->code + flm->blob_size + 7u) & ~7u;
	a->crc_code = p;
	if (a->crc_routine)
		p = (p + a->crc_routine->blob_size + 7u) & ~7u;
	a->crc_entry = a->crc_list_entry = 0;
	if (flm->fn[SWDD_FLM_CRC32] != SWDD_FLM_NO_FN) {
		a->crc_entry = a->code + flm->fn[SWDD_FLM_CRC32];
		if (flm->fn[SWDD_FLM_CRC32_LIST] != SWDD_FLM_NO_FN)
			a->crc_list_entry = a->code + flm->fn[SWDD_FLM_CRC32_LIST];
	} else if (a->crc_routine) {
		a->crc_entry = a->crc_code + a->crc_routine->fn[SWDD_FLM_CRC32];
		if (a->crc_routine->fn[SWDD_FLM_CRC32_LIST] != SWDD_FLM_NO_FN)
			a->crc_list_entry = a->crc_code + a->crc_routine->fn[SWDD_FLM_CRC32_LIST];
	}
	a->canary_addr = p;
	p += 8 + ALGO_STACK_SIZE;
	a->stack_top = p;
	a->buf_size = flm->page_size;
	for (a->nbuf = 0; a->nbuf < ALGO_MAX_BUFFERS; a->nbuf++) {
		uint32_t b = p + a->nbuf * ((flm->page_size + 7u) & ~7u);
		if ((uint64_t)b + flm->page_size > (uint64_t)ram_base + ram_size)
			break;
		a->buf[a->nbuf] = b;
	}
	if (a->nbuf < 2)
		return swdd_err_set(SWDD_ERANGE,
				    "the flash algorithm (%u bytes), its stack and two %u-byte "
				    "page buffers do not fit in %u bytes of SRAM at 0x%08X",
				    flm->blob_size, flm->page_size, ram_size, ram_base);
	return 0;
}

static int algo_freeze_watchdogs(struct swdd_algo *a, uint32_t fz_addr, uint32_t fz_bits)
{
	int rc;

	a->fz_addr = fz_addr;
	a->fz_bits = fz_bits;
	if (!fz_addr)
		return 0;
	rc = swdd_target_mem_read(a->t, fz_addr, &a->fz_saved, 4);
	if (rc || (a->fz_saved & fz_bits) == fz_bits)
		return rc;
	uint32_t v = a->fz_saved | fz_bits;
	rc = swdd_target_mem_write(a->t, fz_addr, &v, 4);
	a->fz_changed = rc == 0;
	return rc;
}

/* Saves what the calls change: the core registers (r0-pc, xpsr, msp, psp:
 * one READALLREGS on ST-LINK), PRIMASK, and the SRAM [header, stack_top).
 * The FPU registers are not touched by an FLM built for soft float (the
 * CMSIS-Pack convention) and are not read, which saves 34 ST-LINK round
 * trips per session. */
static int algo_save_context(struct swdd_algo *a, bool save_ram)
{
	size_t cap = 4u * 64u;
	int rc;

	a->saved_regs = malloc(cap);
	a->saved_ram_len = save_ram ? a->stack_top - a->header : 0;
	a->saved_ram = malloc(a->saved_ram_len ? a->saved_ram_len : 1);
	if (!a->saved_regs || !a->saved_ram)
		return SWDD_ENOMEM;
	rc = swdd_target_g_regs_read(a->t, a->saved_regs, cap, &a->saved_regs_len);
	if (!rc && a->reg_primask >= 0)
		rc = reg_read(a->t, a->reg_primask, &a->saved_primask);
	if (!rc && a->saved_ram_len)
		rc = swdd_target_mem_read(a->t, a->header, a->saved_ram, a->saved_ram_len);
	return rc;
}

/* Writes back the saved core registers that differ now. */
static int algo_restore_regs(struct swdd_algo *a)
{
	size_t n = swdd_target_num_g_regs(a->t), len = 0, off = 0;
	uint8_t *now = malloc(a->saved_regs_len ? a->saved_regs_len : 1);
	int rc = now ? swdd_target_g_regs_read(a->t, now, a->saved_regs_len, &len) : SWDD_ENOMEM;

	for (unsigned i = 0; !rc && i < n && off < len; i++) {
		size_t sz = swdd_target_reg_size(a->t, i);
		if (memcmp(now + off, a->saved_regs + off, sz))
			rc = swdd_target_reg_write(a->t, i, a->saved_regs + off);
		off += sz;
	}
	free(now);
	if (!rc && a->reg_primask >= 0)
		rc = reg_write(a->t, a->reg_primask, a->saved_primask);
	return rc;
}

static int algo_restore_context(struct swdd_algo *a)
{
	int rc = 0;

	if (a->saved_ram && a->saved_ram_len)
		rc = swdd_target_mem_write(a->t, a->header, a->saved_ram, a->saved_ram_len);
	if (!rc && a->saved_regs_len && !a->regs_not_restored)
		rc = algo_restore_regs(a);
	free(a->saved_regs);
	free(a->saved_ram);
	a->saved_regs = a->saved_ram = NULL;
	a->saved_regs_len = a->saved_ram_len = 0;
	return rc;
}

/* Enables the core's cycle counter for a family whose erase-time check
 * counts in core cycles (algo_run.h count_cycles); a core without one
 * (DWT_CTRL.NOCYCCNT) leaves the check on the host's clock. */
static int algo_cycles_setup(struct swdd_algo *a)
{
	const struct stm32_family *fam = swdd_target_family(a->t);
	uint32_t on;
	int rc;

	if (!fam || !fam->core_clock || !fam->min_sector_erase_ms)
		return 0;
	rc = swdd_target_mem_read(a->t, DWT_CTRL, &a->dwt_ctrl_saved, 4);
	if (rc || (a->dwt_ctrl_saved & DWT_CTRL_NOCYCCNT))
		return rc;
	on = a->dwt_ctrl_saved | DWT_CTRL_CYCCNTENA;
	if (on != a->dwt_ctrl_saved)
		rc = swdd_target_mem_write(a->t, DWT_CTRL, &on, 4);
	a->dwt_changed = !rc && on != a->dwt_ctrl_saved;
	a->count_cycles = !rc;
	return rc;
}

/* The convention sets SP, R9 and xPSR once (they survive calls), with
 * interrupts masked. Also after a recovery reset. */
static int algo_set_call_regs(struct swdd_algo *a)
{
	int rc = reg_write(a->t, REG_SP, a->stack_top);

	/* the calls are judged by where they stop, not by DFSR */
	swdd_target_set_quiet_stops(a->t, true);
	if (!rc)
		rc = reg_write(a->t, REG_R9, a->code + a->flm->data_offset);
	if (!rc)
		rc = reg_write(a->t, REG_XPSR, XPSR_T);
	if (!rc && a->reg_primask >= 0)
		rc = reg_write(a->t, a->reg_primask, 1);
	return rc;
}

/* The header BKPTs, the algorithm, the checksum routine (when used) and
 * the canary as one memory write: they are adjacent, and each separate
 * write costs a USB round trip or more. */
static int algo_write_image(struct swdd_algo *a)
{
	uint32_t len = a->canary_addr + 4 - a->header;
	uint8_t *img = calloc(1, len);
	int rc;

	if (!img)
		return SWDD_ENOMEM;
	swdd_put_le32(img, ALGO_HEADER);
	memcpy(img + (a->code - a->header), a->flm->blob, a->flm->blob_size);
	if (a->crc_routine)
		memcpy(img + (a->crc_code - a->header), a->crc_routine->blob, a->crc_routine->blob_size);
	swdd_put_le32(img + (a->canary_addr - a->header), ALGO_CANARY);
	rc = swdd_target_mem_write(a->t, a->header, img, len);
	free(img);
	return rc;
}

int swdd_algo_load(struct swdd_target *t, const struct swdd_flm *flm, const struct swdd_flm *crc_routine,
		   uint32_t ram_base, uint32_t ram_size, uint32_t fz_addr, uint32_t fz_bits, bool save_ram,
		   struct swdd_algo *a)
{
	int rc;

	memset(a, 0, sizeof(*a));
	a->t = t;
	a->flm = flm;
	/* an algorithm with its own Crc32 does not need the routine's SRAM */
	a->crc_routine = flm->fn[SWDD_FLM_CRC32] == SWDD_FLM_NO_FN ? crc_routine : NULL;
	a->reg_primask = swdd_target_regnum(t, "primask");
	rc = algo_layout(a, ram_base, ram_size);
	if (rc && a->crc_routine) {
		/* no SRAM for the checksum routine too: the engine reads back */
		swdd_warn("flash: no SRAM for swdd's checksum routine beside the algorithm; "
			  "compare and verify read the flash back over the probe (slower)");
		a->crc_routine = NULL;
		rc = algo_layout(a, ram_base, ram_size);
	}
	if (!rc && !swdd_target_is_halted(t))
		rc = swdd_target_halt(t);
	if (!rc)
		rc = algo_save_context(a, save_ram);
	if (!rc)
		rc = algo_write_image(a);
	if (!rc)
		rc = algo_freeze_watchdogs(a, fz_addr, fz_bits);
	if (!rc)
		rc = algo_set_call_regs(a);
	if (!rc)
		rc = algo_cycles_setup(a);
	if (rc) {
		swdd_target_set_quiet_stops(t, false);
		swdd_err_add(rc, "while loading the flash algorithm into SRAM at 0x%08X", ram_base);
		free(a->saved_regs);
		free(a->saved_ram);
		a->saved_regs = a->saved_ram = NULL;
	}
	return rc;
}

int swdd_algo_unload(struct swdd_algo *a)
{
	int rc = 0;

	if (a->started) {
		uint32_t dummy;
		rc = swdd_algo_wait(a, &dummy);
	}
	swdd_target_set_quiet_stops(a->t, false);
	if (a->fz_changed) {
		int rc2 = swdd_target_mem_write(a->t, a->fz_addr, &a->fz_saved, 4);
		a->fz_changed = false;
		if (!rc)
			rc = rc2;
	}
	if (a->dwt_changed) {
		int rc2 = swdd_target_mem_write(a->t, DWT_CTRL, &a->dwt_ctrl_saved, 4);
		a->dwt_changed = false;
		if (!rc)
			rc = rc2;
	}
	if (a->lost) { /* the firmware's SRAM and registers since its reset */
		a->saved_ram_len = a->saved_regs_len = 0;
		a->lost = false;
	}
	int rc3 = algo_restore_context(a);
	return rc ? rc : rc3;
}

int swdd_algo_start(struct swdd_algo *a, enum swdd_flm_fn fn, uint32_t r0, uint32_t r1, uint32_t r2,
		    uint32_t r3, uint32_t timeout_ms)
{
	/* arguments each FLM function takes (FlashOS.h prototypes); only those
	 * registers are written, one probe command each, and only when they
	 * change */
	static const uint8_t nargs[SWDD_FLM_FN_COUNT] = {
		[SWDD_FLM_INIT] = 3,         [SWDD_FLM_UNINIT] = 1,       [SWDD_FLM_ERASE_CHIP] = 0,
		[SWDD_FLM_ERASE_SECTOR] = 1, [SWDD_FLM_PROGRAM_PAGE] = 3, [SWDD_FLM_VERIFY] = 3,
		[SWDD_FLM_BLANK_CHECK] = 3,  [SWDD_FLM_CRC32] = 3,        [SWDD_FLM_CRC32_LIST] = 2,
		[SWDD_FLM_STREAM] = 1,
	};
	const uint32_t args[4] = { r0, r1, r2, r3 };
	uint32_t off = a->flm->fn[fn], entry = off == SWDD_FLM_NO_FN ? 0 : a->code + off;
	int rc = 0;

	if (fn == SWDD_FLM_CRC32)
		entry = a->crc_entry;
	if (fn == SWDD_FLM_CRC32_LIST)
		entry = a->crc_list_entry;
	if (!entry)
		return swdd_err_set(SWDD_EUNSUPPORTED, "the flash algorithm has no such function");
	if (a->started)
		return swdd_err_set(SWDD_ESTATE, "a flash algorithm call is still running");
	if (a->lost)
		return swdd_err_set(SWDD_ESTATE,
				    "the flash algorithm is no longer in SRAM as loaded: the chip was reset "
				    "and its firmware ran meanwhile; run the operation again");
	if (fn == SWDD_FLM_ERASE_CHIP || fn == SWDD_FLM_ERASE_SECTOR || fn == SWDD_FLM_PROGRAM_PAGE ||
	    fn == SWDD_FLM_STREAM)
		a->array_changed = true;
	for (int i = 0; i < nargs[fn] && !rc; i++)
		rc = reg_set(a->t, REG_R0 + i, args[i]);
	if (!rc)
		rc = reg_set(a->t, REG_LR, a->header | 1u);
	if (!rc)
		rc = reg_set(a->t, REG_PC, entry);
	a->erase_cycles_valid = false;
	if (!rc && fn == SWDD_FLM_ERASE_SECTOR && a->count_cycles)
		rc = swdd_target_mem_read(a->t, DWT_CYCCNT, &a->cyc_start, 4);
	if (!rc)
		rc = swdd_target_resume(a->t);
	if (rc)
		return rc;
	a->started = true;
	a->calls++;
	a->resets = swdd_target_resets_seen(a->t);
	a->running_fn = fn;
	a->slowest_poll_ms = 0;
	swdd_algo_rearm(a, timeout_ms);
	return 0;
}

void swdd_algo_rearm(struct swdd_algo *a, uint32_t timeout_ms)
{
	a->running_timeout_ms = timeout_ms;
	swdd_wait_start(&a->wait, swdd_target_probe(a->t), timeout_ms);
}

void swdd_algo_link_time(struct swdd_algo *a, uint64_t ms)
{
	if (ms > a->slowest_poll_ms)
		a->slowest_poll_ms = ms;
}

int swdd_algo_abort(struct swdd_algo *a)
{
	int rc;

	if (!a->started)
		return 0;
	rc = swdd_target_halt(a->t);
	if (!rc)
		a->started = false; /* else the call still runs: unload's wait halts it at its bound */
	return rc;
}

/* Names why a call did not come back to the header BKPT. */
static int algo_diagnose(struct swdd_algo *a, const struct swdd_stop *st, uint32_t xpsr)
{
	uint32_t pc = st->pc, ipsr = xpsr & XPSR_IPSR_MASK;

	if (st->reason == SWDD_STOP_LOCKUP)
		return swdd_err_set(SWDD_EALGO, "the flash algorithm locked up the core at pc 0x%08X", pc);
	if (ipsr)
		return swdd_err_set(SWDD_EALGO,
				    "the flash algorithm faulted: the core is in exception %u (%s) "
				    "at pc 0x%08X",
				    ipsr, ipsr < 7 ? exc_names[ipsr] : "interrupt", pc);
	return swdd_err_set(SWDD_EALGO,
			    "the flash algorithm stopped at pc 0x%08X instead of returning to "
			    "0x%08X",
			    pc, a->header);
}

/*
 * After a failed call (time-out, fault, lockup) the core must be halted and
 * usable again (issue 15: `stepi` got E16 until `monitor reset halt`). A
 * time-out halts the core. A core in an exception handler or locked up
 * (ARMv7-M B1.5.15: only a reset, or an NMI/debug entry in a few cases,
 * leaves lockup) is reset and halted with the configured method, which
 * clears the active exception state too; the convention's SP, R9, xPSR and
 * PRIMASK are set again so UnInit and unload can still run. `err` (the
 * failure, its detail already set) is returned either way; a recovery that
 * fails too is added to its sentence.
 */
static int algo_recover(struct swdd_algo *a, bool reset, int err)
{
	char why[512];
	int rc;

	snprintf(why, sizeof(why), "%s", swdd_err_detail()); /* the recovery may set its own */
	rc = swdd_target_is_halted(a->t) ? 0 : swdd_target_halt(a->t);
	if (!rc && reset)
		rc = swdd_target_reset(a->t, SWDD_RESET_AUTO, true);
	if (!rc && reset)
		rc = algo_set_call_regs(a);
	swdd_err_set(err, "%s", why);
	if (rc)
		return swdd_err_add(err,
				    "and the core could not be brought back to a halt (%s): "
				    "run 'monitor reset halt' or power-cycle the board",
				    swdd_strerror(rc));
	if (reset)
		swdd_warn("flash: the core was reset and halted after the failed algorithm call");
	return err;
}

/* A call past its time-out: halted, it is either still in the algorithm
 * (a time-out) or in an exception handler the firmware's vector table
 * provides, e.g. a HardFault handler that loops (a fault). */
static int algo_timed_out(struct swdd_algo *a)
{
	struct swdd_stop st = { .reason = SWDD_STOP_HALT };
	uint32_t xpsr = 0;
	int rc = swdd_target_halt(a->t);

	if (!rc)
		rc = reg_read(a->t, REG_XPSR, &xpsr);
	if (!rc)
		rc = reg_read(a->t, REG_PC, &st.pc);
	if (!rc && (xpsr & XPSR_IPSR_MASK)) {
		rc = algo_diagnose(a, &st, xpsr);
		return algo_recover(
			a, true,
			swdd_err_add(rc, "found when the %u ms time-out ran out", a->running_timeout_ms));
	}
	return algo_recover(a, false,
			    swdd_err_set(SWDD_ETIMEOUT,
					 "the flash algorithm did not finish "
					 "within %u ms",
					 a->running_timeout_ms));
}

static int algo_check_canary(struct swdd_algo *a)
{
	uint32_t c = 0;
	int rc = swdd_target_mem_read(a->t, a->canary_addr, &c, 4);

	if (rc)
		return rc;
	if (c != ALGO_CANARY)
		return swdd_err_set(SWDD_EALGO,
				    "the flash algorithm overflowed its %u-byte stack (canary at "
				    "0x%08X reads 0x%08X)",
				    ALGO_STACK_SIZE, a->canary_addr, c);
	return 0;
}

/* A time-out during which one status poll took longer than any transfer
 * may (two USB time-outs of 1 s): the host or the probe's link was stopped,
 * not only the algorithm (issue 15: a 20 s USB stall was reported as the
 * algorithm's time-out). Says so beside the time-out. */
static int algo_link_stalled(uint64_t slowest_ms, int err)
{
	if (slowest_ms <= ALGO_STALL_MS)
		return err;
	return swdd_err_add(err,
			    "one status poll of the core took %llu ms: the probe or its USB link "
			    "(or this host) stalled meanwhile, so the time-out may be the link's, not "
			    "the algorithm's; the operation's outcome is unknown",
			    (unsigned long long)slowest_ms);
}

/* A reset swdd did not ask for (a watchdog, the firmware, NRST on the
 * board) happened while the call ran: the call was cut short wherever it
 * was, and the core now runs the firmware. The family names the cause from
 * its reset flags where it can (F4: RCC_CSR); the core is then reset and
 * halted as after a fault. The firmware ran in between and may have
 * overwritten the algorithm (its start-up code fills .data and .bss): the
 * algorithm is not called again (`lost`), and its SRAM is not restored. */
static int algo_reset_seen(struct swdd_algo *a)
{
	const struct stm32_family *fam = swdd_target_family(a->t);
	char cause[768] = "";

	a->started = false;
	a->lost = true;
	if (fam && fam->reset_cause && fam->reset_cause(a->t, cause, sizeof(cause)))
		snprintf(cause, sizeof(cause), "its reset flags could not be read (%s)", swdd_err_detail());
	return algo_recover(a, true,
			    swdd_err_set(SWDD_EALGO,
					 "the chip was reset while the flash algorithm ran, which cut the "
					 "call short%s%s",
					 *cause ? ": " : "", cause));
}

/* A call that stopped: back at the header BKPT with the canary intact, or
 * a failure named (and the core recovered). */
static int algo_finish(struct swdd_algo *a, const struct swdd_stop *st, uint32_t *result)
{
	int rc;

	if (st->pc != a->header) {
		uint32_t xpsr = 0;
		(void)reg_read(a->t, REG_XPSR, &xpsr); /* unreadable: treated as a fault, the safe side */
		rc = algo_diagnose(a, st, xpsr);
		return algo_recover(a, st->reason == SWDD_STOP_LOCKUP || (xpsr & XPSR_IPSR_MASK) || !xpsr,
				    rc);
	}
	rc = algo_check_canary(a);
	if (!rc)
		rc = reg_read(a->t, REG_R0, result);
	if (!rc && a->running_fn == SWDD_FLM_ERASE_SECTOR && a->count_cycles) {
		uint32_t now = 0;
		rc = swdd_target_mem_read(a->t, DWT_CYCCNT, &now, 4);
		a->erase_cycles = now - a->cyc_start; /* modulo 2^32: see flash_erase_plausible */
		a->erase_cycles_valid = !rc;
	}
	return rc;
}

int swdd_algo_poll(struct swdd_algo *a, bool *done, uint32_t *result)
{
	struct swdd_stop st = { 0 };
	uint64_t t0 = swdd_now_ms();
	int rc;

	*done = false;
	if (!a->started)
		return swdd_err_set(SWDD_ESTATE, "no flash algorithm call is running");
	rc = swdd_target_poll(a->t, &st);
	if (!rc && swdd_target_resets_seen(a->t) != a->resets) {
		*done = true;
		return algo_reset_seen(a);
	}
	if (rc || st.reason != SWDD_STOP_NONE) {
		a->started = false;
		*done = true;
		return rc ? rc : algo_finish(a, &st, result);
	}
	if (swdd_now_ms() - t0 > a->slowest_poll_ms)
		a->slowest_poll_ms = swdd_now_ms() - t0;
	if (swdd_cancel_requested()) {
		a->started = false;
		(void)swdd_target_halt(a->t); /* best effort: the interruption is the error to report */
		return swdd_err_set(SWDD_ECANCELED, "interrupted (SIGINT/SIGTERM) while the "
						    "flash algorithm ran; the core was halted, and the flash "
						    "range of that call is in an unknown state");
	}
	/* past the bound on the clock, and once the link carried its polls
	 * too. A poll that stalled (the link, or this host) does not end the
	 * wait early: an emulated chip runs only with the polls, so its time
	 * did not pass (on silicon it ran through the stall, and the next poll
	 * finds a call that was done). Each poll is bounded by the transfer
	 * time-outs, so the wait is too; a time-out after a stall names it. */
	if (swdd_wait_over(&a->wait)) {
		a->started = false;
		return algo_link_stalled(a->slowest_poll_ms, algo_timed_out(a));
	}
	return 0;
}

int swdd_algo_wait(struct swdd_algo *a, uint32_t *result)
{
	bool done = false;
	int rc = 0;

	while (!rc && !done)
		rc = swdd_algo_poll(a, &done, result);
	return rc;
}

int swdd_algo_call(struct swdd_algo *a, enum swdd_flm_fn fn, uint32_t r0, uint32_t r1, uint32_t r2,
		   uint32_t r3, uint32_t timeout_ms, uint32_t *result)
{
	int rc = swdd_algo_start(a, fn, r0, r1, r2, r3, timeout_ms);

	return rc ? rc : swdd_algo_wait(a, result);
}
