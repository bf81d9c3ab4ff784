/*
 * Cortex-M run control: halt, resume, step, poll and why the core stopped.
 * ARMv7-M ARM (DDI 0403E) C1.6 (DHCSR, DFSR), C1.5 (debug events); the same
 * bits exist on v6-M (DDI 0419 C1.6) and v8-M.
 *
 * The stop reason comes from DFSR, which accumulates (write 1 to clear):
 * VCATCH, DWTTRAP (then the DWT comparator whose MATCHED bit is set says
 * which watchpoint and address), BKPT (a BKPT we inserted = swbreak, an FPB
 * comparator = hwbreak, any other = a BKPT compiled into the program) and
 * HALTED (a halt request, or the end of a step). The bits we read are
 * cleared in the next batch of writes that starts the core again. A step
 * is one batch (DFSR clear, DHCSR write, DFSR read: one DAP_Transfer, one
 * ST-LINK RW_MISC exchange from V2J32/V3J2, three commands before), then
 * the register read once the halt is proven (docs/SERVER.md "A single
 * step").
 */
#include "cortex_m_internal.h"
#include "stm32/family.h"
#include "probe.h"
#include "swdd_err.h"
#include "swdd_log.h"

#include <stdlib.h>
#include <time.h>

int cm_read32(struct swdd_target *t, uint32_t addr, uint32_t *val)
{
	return swdd_probe_read32(t->probe, addr, val);
}

int cm_write32(struct swdd_target *t, uint32_t addr, uint32_t val)
{
	return swdd_probe_write32(t->probe, addr, val);
}

int cm_read_dhcsr(struct swdd_target *t, uint32_t *dhcsr)
{
	return swdd_probe_read32(t->probe, DCB_DHCSR, dhcsr);
}

/* At least a few polls even when the host is slow (ASan, a loaded CI
 * machine): on the lab, time only moves with probe traffic. */
#define CM_MIN_POLLS 8

int cm_wait_dhcsr(struct swdd_target *t, uint32_t mask, uint32_t want, unsigned timeout_ms, uint32_t *dhcsr,
		  uint32_t *sticky)
{
	uint64_t end = swdd_now_ms() + timeout_ms;
	uint32_t v = 0;
	int rc;

	for (unsigned polls = 0;; polls++) {
		rc = cm_read_dhcsr(t, &v);
		if (rc)
			return rc;
		if (sticky)
			*sticky |= v & DCB_DHCSR_STICKY;
		if ((v & mask) == want)
			break;
		if (polls >= CM_MIN_POLLS && swdd_now_ms() > end) {
			if (dhcsr)
				*dhcsr = v;
			return SWDD_ETIMEOUT;
		}
	}
	if (dhcsr)
		*dhcsr = v;
	return 0;
}

void cm_invalidate(struct swdd_target *t)
{
	t->regs_valid = 0;
	t->halt_fresh = false;
	cm_fc_invalidate(t);
}

static void cm_set_stop(struct swdd_target *t, enum swdd_stop_reason r, uint32_t addr)
{
	t->stop.reason = r;
	t->stop.addr = addr;
	t->stop.pc = 0;
	(void)cm_reg_pc(t, &t->stop.pc);
	if (r == SWDD_STOP_SWBREAK || r == SWDD_STOP_HWBREAK || r == SWDD_STOP_BKPT_INSN)
		t->stop.addr = t->stop.pc;
}

/* Decodes DFSR into t->stop. Several bits can be set at once (a step that
 * lands on a breakpoint): the more specific one wins. */
int cm_note_halted(struct swdd_target *t, uint32_t dfsr)
{
	uint32_t pc = 0;
	int rc;

	t->halted = true;
	t->fc_suspended = false;
	swdd_probe_assume_halted(t->probe, true);
	t->lockup_logged = t->sleep_logged = false;
	t->dfsr_pending |= dfsr & SCB_DFSR_ALL;
	cm_invalidate(t);
	cm_cache_forget(t);
	t->halt_fresh = true;
	if (dfsr & SCB_DFSR_DWTTRAP) {
		rc = cm_dwt_matched(t, &t->stop);
		cm_set_stop(t, t->stop.reason, t->stop.addr);
		return rc;
	}
	if (dfsr & SCB_DFSR_VCATCH) {
		cm_set_stop(t, SWDD_STOP_VCATCH, 0);
	} else if (dfsr & SCB_DFSR_BKPT) {
		rc = cm_reg_pc(t, &pc);
		if (rc)
			return rc;
		cm_set_stop(t, cm_bp_classify(t, pc), pc);
	} else {
		cm_set_stop(t, t->stepping ? SWDD_STOP_STEP : SWDD_STOP_HALT, 0);
	}
	return 0;
}

/* Queues the DFSR clear left over from the last stop. */
static int cm_queue_dfsr_clear(struct swdd_target *t)
{
	uint32_t bits = t->dfsr_pending;

	if (!bits || t->quiet_stops)
		return 0;
	t->dfsr_pending = 0;
	return swdd_probe_queue_write32(t->probe, SCB_DFSR, bits);
}

/* Queues the DHCSR writes that start the core: C_MASKINTS may change only
 * while C_HALT stays set (ARMv7-M C1.6.2), hence a first write with C_HALT
 * when it must change. */
static int cm_queue_start(struct swdd_target *t, bool step, bool mask)
{
	uint32_t base = DCB_DHCSR_DBGKEY | DCB_DHCSR_C_DEBUGEN | (mask ? DCB_DHCSR_C_MASKINTS : 0);
	int rc = cm_queue_dfsr_clear(t);

	swdd_probe_assume_halted(t->probe, false);
	cm_cache_forget(t);
	if (rc == 0 && (int)mask != t->maskints)
		rc = swdd_probe_queue_write32(t->probe, DCB_DHCSR, base | DCB_DHCSR_C_HALT);
	if (rc == 0)
		rc = swdd_probe_queue_write32(t->probe, DCB_DHCSR, base | (step ? DCB_DHCSR_C_STEP : 0));
	t->maskints = mask;
	return rc;
}

int cm_halt_wait(struct swdd_target *t)
{
	uint32_t dhcsr, dfsr;
	int rc;

	/* Keeps C_MASKINTS as it is; an unknown state becomes 0 here, a
	 * write that sets C_HALT being the one that may change it. */
	if (t->maskints == CM_MASKINTS_UNKNOWN)
		t->maskints = 0;
	rc = cm_write32(t, DCB_DHCSR,
			DCB_DHCSR_DBGKEY | DCB_DHCSR_C_DEBUGEN | DCB_DHCSR_C_HALT |
				(t->maskints == 1 ? DCB_DHCSR_C_MASKINTS : 0));
	if (rc)
		return rc;
	rc = cm_wait_dhcsr(t, DCB_DHCSR_S_HALT, DCB_DHCSR_S_HALT, CM_TIMEOUT_MS, &dhcsr, NULL);
	if (rc == SWDD_ETIMEOUT)
		return swdd_err_set(
			SWDD_ENOTHALTED, "the core did not halt within %d ms (DHCSR 0x%08x%s): %s",
			CM_TIMEOUT_MS, dhcsr, dhcsr & DCB_DHCSR_S_LOCKUP ? ", locked up" : "",
			"the chip may be held in reset or in a low-power mode; try monitor reset halt");
	if (rc == 0)
		rc = cm_read32(t, SCB_DFSR, &dfsr);
	if (rc)
		return rc;
	t->stepping = false;
	return cm_note_halted(t, dfsr | SCB_DFSR_HALTED);
}

int swdd_target_halt(struct swdd_target *t)
{
	int rc = cm_rearm(t);

	if (rc || t->halted)
		return rc;
	return cm_halt_wait(t);
}

/* Steps one instruction and waits for the halt. A breakpoint at pc is
 * lifted for the step (an FPB match or our BKPT would stop the core before
 * the instruction executes). The batch that starts the step also reads
 * DFSR, after the DHCSR write on the wire: the step has normally finished
 * by then (one instruction against at least a few SWD packets), and a set
 * HALTED (or BKPT, DWTTRAP, VCATCH) bit, cleared earlier in the same
 * batch, proves the halt and gives the reason without a DHCSR read.
 * Otherwise DHCSR.S_HALT is polled, bounded, then DFSR read. The registers
 * are read only after that (DCRSR outside Debug state is UNPREDICTABLE,
 * ARMv7-M C1.6.3). */
static int cm_step_once(struct swdd_target *t, bool mask)
{
	uint32_t pc, dfsr = 0;
	bool had = false;
	int rc = cm_reg_pc(t, &pc);

	if (rc == 0)
		rc = cm_bp_suspend(t, pc, &had);
	if (rc)
		return rc;
	cm_invalidate(t);
	rc = cm_queue_start(t, true, mask);
	if (rc == 0)
		rc = swdd_probe_queue_read32(t->probe, SCB_DFSR, &dfsr);
	if (rc == 0)
		rc = swdd_probe_flush(t->probe);
	if (rc == 0 && !(dfsr & (SCB_DFSR_ALL & ~SCB_DFSR_EXTERNAL))) {
		rc = cm_wait_dhcsr(t, DCB_DHCSR_S_HALT, DCB_DHCSR_S_HALT, CM_TIMEOUT_MS, NULL, NULL);
		if (rc == 0)
			rc = cm_read32(t, SCB_DFSR, &dfsr);
	}
	if (had) {
		int rc2 = cm_bp_restore(t, pc);
		rc = rc ? rc : rc2;
	}
	if (rc == SWDD_ETIMEOUT)
		return swdd_err_set(SWDD_ENOTHALTED, "the core did not halt after a single step within %d ms",
				    CM_TIMEOUT_MS);
	if (rc)
		return rc;
	t->stepping = true;
	rc = cm_note_halted(t, dfsr);
	t->stepping = false;
	return rc;
}

int swdd_target_step(struct swdd_target *t)
{
	if (!t->halted)
		return swdd_err_set(SWDD_ESTATE, "cannot step: the core is running; halt it first");
	return cm_step_once(t, !t->step_irq);
}

void swdd_target_set_step_irq(struct swdd_target *t, bool allow)
{
	t->step_irq = allow;
}

bool swdd_target_get_step_irq(const struct swdd_target *t)
{
	return t->step_irq;
}

void swdd_target_set_quiet_stops(struct swdd_target *t, bool on)
{
	t->quiet_stops = on;
}

/* Runs from a breakpoint: first steps over the instruction at pc if a
 * breakpoint sits there, so the core does not stop at once again. */
int swdd_target_resume(struct swdd_target *t)
{
	uint32_t pc;
	int rc;

	if (!t->halted)
		return 0;
	rc = cm_reg_pc(t, &pc);
	if (rc)
		return rc;
	if (cm_bp_at(t, pc)) {
		rc = cm_step_once(t, true);
		if (rc)
			return rc;
		if (t->stop.reason != SWDD_STOP_STEP)
			return 0; /* the step itself hit a watchpoint: stay halted */
	}
	cm_invalidate(t);
	rc = cm_queue_start(t, false, false);
	if (rc == 0)
		rc = swdd_probe_flush(t->probe);
	if (rc)
		return rc;
	t->halted = false;
	t->stop.reason = SWDD_STOP_NONE;
	return 0;
}

/* The core locked up (ARMv7-M B1.5.15): halt it so the user can look at
 * the registers; report it even if the halt does not work. */
static int cm_poll_lockup(struct swdd_target *t, struct swdd_stop *stop)
{
	int rc;

	if (!t->lockup_logged)
		swdd_warn("the core is locked up (DHCSR.S_LOCKUP): a fault happened while handling a fault "
			  "(bad vector table or stack?); halting it");
	t->lockup_logged = true;
	rc = cm_halt_wait(t);
	t->stop.reason = SWDD_STOP_LOCKUP;
	if (rc)
		swdd_warn("halting the locked-up core failed: %s; use monitor reset", swdd_err_detail());
	*stop = t->stop;
	return 0;
}

/* One DHCSR read per poll while the core runs; DFSR only once it stopped. */
int swdd_target_poll(struct swdd_target *t, struct swdd_stop *stop)
{
	uint32_t dhcsr = 0, dfsr = 0;
	int rc;

	if (t->halted) {
		*stop = t->stop;
		return 0;
	}
	rc = cm_read_dhcsr(t, &dhcsr);
	if (rc)
		return rc;
	if (dhcsr & DCB_DHCSR_S_RESET_ST) {
		swdd_info("the target was reset while running");
		t->resets_seen++;
	}
	if (dhcsr & DCB_DHCSR_S_HALT) {
		rc = t->quiet_stops ? 0 : cm_read32(t, SCB_DFSR, &dfsr);
		if (rc == 0)
			rc = cm_note_halted(t, dfsr);
		if (t->quiet_stops)
			t->dfsr_pending |= SCB_DFSR_ALL; /* unread: cleared when quiet ends */
		*stop = t->stop;
		return rc;
	}
	if (dhcsr & DCB_DHCSR_S_LOCKUP)
		return cm_poll_lockup(t, stop);
	stop->reason = SWDD_STOP_NONE;
	stop->addr = stop->pc = 0;
	if (dhcsr & DCB_DHCSR_S_SLEEP) {
		if (!t->sleep_logged)
			swdd_debug("the core is sleeping (WFI/WFE)");
		t->sleep_logged = true;
		stop->reason = SWDD_STOP_SLEEP;
	}
	return 0;
}

unsigned swdd_target_resets_seen(const struct swdd_target *t)
{
	return t->resets_seen;
}

const struct swdd_stop *swdd_target_last_stop(const struct swdd_target *t)
{
	return &t->stop;
}

bool swdd_target_is_halted(const struct swdd_target *t)
{
	return t->halted;
}

const struct swdd_chip_info *swdd_target_chip(const struct swdd_target *t)
{
	return &t->chip;
}

const struct stm32_family *swdd_target_family(const struct swdd_target *t)
{
	return t->chip.part ? t->chip.part->family : NULL;
}

struct swdd_probe *swdd_target_probe(const struct swdd_target *t)
{
	return t->probe;
}

const char *swdd_target_xml(const struct swdd_target *t)
{
	return t->xml;
}

void swdd_target_set_reset_method(struct swdd_target *t, enum swdd_reset_method m)
{
	t->reset_method = m;
}

enum swdd_reset_method swdd_target_get_reset_method(const struct swdd_target *t)
{
	return t->reset_method;
}

static int cm_check_range(uint32_t addr, size_t len, const char *what)
{
	if ((uint64_t)addr + len <= 0x100000000ULL)
		return 0;
	return swdd_err_set(SWDD_ERANGE, "%s of %zu bytes at 0x%08x wraps past 4 GiB", what, len, addr);
}

int swdd_target_mem_read(struct swdd_target *t, uint32_t addr, void *buf, size_t len)
{
	int rc = cm_check_range(addr, len, "read");

	if (rc || len == 0)
		return rc;
	rc = cm_cache_before_read(t, addr, len);
	if (rc == 0)
		rc = cm_fc_cacheable(t, addr, len) ? cm_fc_read(t, addr, buf, len)
						   : swdd_probe_read_mem(t->probe, addr, buf, len);
	if (rc == 0)
		cm_bp_mask_read(t, addr, buf, len);
	return rc;
}

int swdd_target_mem_write(struct swdd_target *t, uint32_t addr, const void *buf, size_t len)
{
	return swdd_target_mem_write_width(t, addr, buf, len, 0);
}

int swdd_target_mem_write_width(struct swdd_target *t, uint32_t addr, const void *buf, size_t len,
				unsigned width)
{
	int rc = cm_check_range(addr, len, "write");

	if (rc || len == 0)
		return rc;
	/* A write to the debug or system control registers (DHCSR, AIRCR...)
	 * may start or reset the core behind the target layer's back. */
	if (addr <= CM_SCS_DEBUG_END && addr + len > CM_SCS_CONTROL_START) {
		swdd_probe_assume_halted(t->probe, false);
		t->fc_suspended = true;
		cm_cache_forget(t); /* CCR may be among them */
	}
	/* Cortex-M7: the D-cache must give up the range first, the I-cache
	 * forget it after (cortex_m_cache.c). */
	rc = cm_cache_before_write(t, addr, len);
	if (rc == 0)
		rc = width ? swdd_probe_write_mem_width(t->probe, addr, buf, len, width)
			   : swdd_probe_write_mem(t->probe, addr, buf, len);
	if (rc == 0)
		rc = cm_bp_after_write(t, addr, buf, len);
	if (rc == 0)
		rc = cm_cache_after_write(t, addr, len);
	/* Writes to the SCS can change registers behind the cache's back. */
	cm_invalidate(t);
	return rc;
}

void swdd_target_free(struct swdd_target *t)
{
	struct cm_swbp *b, *next;

	if (!t)
		return;
	for (b = t->swbps; b; b = next) {
		next = b->next;
		free(b);
	}
	free(t->xml);
	free(t);
}
