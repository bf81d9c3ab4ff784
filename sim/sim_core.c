/*
 * The simulated Cortex-M4F core: Unicorn engine set-up, the run loop, resets
 * and debug register access to the core registers.
 *
 * Follows the ARMv7-M Architecture Reference Manual (DDI0403E, "ARMv7-M")
 * and the facts measured on Debian's libunicorn 2.0.1 in docs/LAB-unicorn.md:
 * - the model is picked by uc_ctl_set_cpu_model() as the first call;
 * - there is no exception model, no reset and no PPB: sim_exc.c and
 *   sim_scs.c provide them;
 * - uc_emu_start() always runs with a count (count-limited slices);
 * - a hook that wants to stop the core stops it before an instruction, so
 *   breakpoints stop before the instruction and data watchpoints stop after
 *   the access completes (ARMv7-M C1.8.1).
 *
 * Instructions retired are counted with a block hook: every translated block
 * reports its address and size, and the Thumb instructions in it are
 * counted once and cached; when a slice stops inside a block, the
 * instructions before the stopping PC are counted.
 */
#include "sim_core_internal.h"

#include <stdio.h>
#include <stdlib.h>

/* Instructions per uc_emu_start call: small enough that halts and flash
 * events land close to their virtual time, big enough to stay fast. */
#define CORE_SLICE 4096U
/* SIM_FAULT_SLEEP/LOCKUP take effect this many cycles after boot (1 ms at
 * 16 MHz HSI): "shortly after boot", after the firmware's start-up code. */
#define CORE_KNOB_CYCLES 16000U
#define PPB_BASE 0xE0000000U
#define PPB_SIZE 0x00100000U
#define CONTROL_NPRIV 1U
#define XPSR_T (1U << 24)

/* ---- register access ----------------------------------------------------- */

static uint32_t raw_read(sim_chip *c, int regid)
{
	uint32_t v = 0;

	uc_reg_read(c->uc, regid, &v);
	return v;
}

static void raw_write(sim_chip *c, int regid, uint32_t v)
{
	uc_reg_write(c->uc, regid, &v);
}

/* Unicorn checks MRS/MSR privilege on register access (docs/LAB-unicorn.md): in
 * thread mode with CONTROL.nPRIV = 1, MSP, PRIMASK, BASEPRI and FAULTMASK
 * read 0 and writes to them and to CONTROL are ignored. A debugger is not
 * subject to this (ARMv7-M C1.6.3), so we make the core privileged for the
 * access: with IPSR != 0 the CONTROL write is accepted (SPSEL is left alone
 * in handler mode, so the banked SPs stay consistent), then IPSR goes back to
 * 0. Returns true if nPRIV must be restored afterwards. */
static bool priv_enter(sim_chip *c)
{
	uint32_t control = raw_read(c, UC_ARM_REG_CONTROL);

	if (!(control & CONTROL_NPRIV) || raw_read(c, UC_ARM_REG_IPSR) != 0)
		return false;
	raw_write(c, UC_ARM_REG_IPSR, 1);
	raw_write(c, UC_ARM_REG_CONTROL, control & ~CONTROL_NPRIV);
	raw_write(c, UC_ARM_REG_IPSR, 0);
	return true;
}

static void priv_exit(sim_chip *c)
{
	raw_write(c, UC_ARM_REG_CONTROL, raw_read(c, UC_ARM_REG_CONTROL) | CONTROL_NPRIV);
}

uint32_t sim_core_reg(sim_chip *c, int regid)
{
	bool unpriv;
	uint32_t v;

	if (regid == UC_ARM_REG_CONTROL) /* always readable, and the trick changes it */
		return raw_read(c, regid);
	unpriv = priv_enter(c);
	v = raw_read(c, regid);

	if (unpriv)
		priv_exit(c);
	/* Unicorn always executes Thumb; EPSR.T is kept in invstate_pending */
	if (regid == UC_ARM_REG_XPSR && c->core->invstate_pending)
		v &= ~XPSR_T;
	return v;
}

/* EPSR.T (ARMv7-M B1.4.2): a debugger's xPSR write sets it from bit 24
 * (C1.6.3). With T = 0 the next instruction takes the INVSTATE UsageFault,
 * whatever PC holds: a DebugReturnAddress write does not change T. */
void sim_core_set_epsr_t(sim_chip *c, bool t)
{
	c->core->invstate_pending = !t;
}

void sim_core_set_reg(sim_chip *c, int regid, uint32_t val)
{
	bool unpriv = priv_enter(c);

	if (regid == UC_ARM_REG_PC)
		val |= 1; /* Unicorn keeps the Thumb bit in PC bit 0 */
	raw_write(c, regid, val);
	/* A CONTROL write carries its own nPRIV. */
	if (unpriv && regid != UC_ARM_REG_CONTROL)
		priv_exit(c);
}

/* ---- hooks ------------------------------------------------------------- */

void sim_core_stop_engine(sim_chip *c, enum sim_core_event ev)
{
	if (c->core->ev == SIM_EV_NONE)
		c->core->ev = ev;
	uc_emu_stop(c->uc);
}

void sim_core_request_stop(sim_chip *c, enum sim_core_event ev)
{
	if (c->core->ev == SIM_EV_NONE)
		c->core->ev = ev;
	c->core->stop_at_block = true;
}

void sim_core_data_bus_error(sim_chip *c, uint32_t addr)
{
	c->core->ev_addr = addr;
	sim_core_stop_engine(c, SIM_EV_BUSERR);
}

void sim_core_fetch_bus_error(sim_chip *c)
{
	sim_core_stop_engine(c, SIM_EV_FETCHERR);
}

void sim_core_data_retry(sim_chip *c)
{
	sim_core_stop_engine(c, SIM_EV_RETRY);
}

static void hook_intr(uc_engine *uc, uint32_t intno, void *user)
{
	sim_chip *c = user;

	(void)uc;
	c->core->ev_intno = intno;
	sim_core_stop_engine(c, SIM_EV_INTR);
}

/* A 16-bit Thumb instruction unless its first halfword starts with 0b11101,
 * 0b11110 or 0b11111 (ARMv7-M A5.1). */
static uint32_t thumb_count(sim_chip *c, uint32_t addr, uint32_t size)
{
	uint8_t buf[1024];
	uint32_t n = 0, off = 0;

	if (size > sizeof(buf) || uc_mem_read(c->uc, addr, buf, size))
		return size / 2;
	while (off + 1 < size) {
		unsigned top = buf[off + 1] >> 3;

		off += (top == 0x1D || top == 0x1E || top == 0x1F) ? 4 : 2;
		n++;
	}
	return n;
}

static uint32_t block_insns(sim_chip *c, uint32_t addr, uint32_t size)
{
	struct sim_blk_entry *e = &c->core->blk_cache[(addr >> 1) % SIM_BLK_CACHE];

	if (e->addr != addr || e->size != size || e->gen != c->core->blk_gen || !e->n) {
		e->addr = addr;
		e->size = size;
		e->gen = c->core->blk_gen;
		e->n = thumb_count(c, addr, size);
	}
	return e->n;
}

static void hook_block(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	sim_chip *c = user;
	struct sim_core *k = c->core;

	k->slice_retired += k->blk_n;
	k->blk_addr = (uint32_t)addr;
	k->blk_size = size;
	k->blk_n = block_insns(c, (uint32_t)addr, size);
	if (k->stop_at_block) {
		k->stop_at_block = false;
		uc_emu_stop(uc);
	}
}

/* Instructions retired in the slice that stopped with PC at `pc`. */
static uint64_t slice_retired(sim_chip *c, uint32_t pc)
{
	struct sim_core *k = c->core;

	if (!k->blk_size && !k->blk_n)
		return k->slice_retired;
	if (pc >= k->blk_addr && pc < k->blk_addr + k->blk_size)
		return k->slice_retired + thumb_count(c, k->blk_addr, pc - k->blk_addr);
	return k->slice_retired + k->blk_n;
}

/* ---- life cycle ---------------------------------------------------------- */

int sim_core_init(sim_chip *c, char *err, size_t errlen)
{
	uc_err e;

	c->core = calloc(1, sizeof(*c->core));
	if (!c->core) {
		snprintf(err, errlen, "out of memory for the core model");
		return -1;
	}
	e = uc_open(UC_ARCH_ARM, UC_MODE_THUMB, &c->uc);
	if (!e) /* must be the first call (docs/LAB-unicorn.md) */
		e = uc_ctl_set_cpu_model(c->uc, c->desc->core.uc_model);
	if (!e)
		e = uc_mmio_map(c->uc, PPB_BASE, PPB_SIZE, sim_ppb_mmio_read, c, sim_ppb_mmio_write, c);
	if (!e)
		e = uc_hook_add(c->uc, &c->core->intr_hook, UC_HOOK_INTR, hook_intr, c, 1, 0);
	if (!e)
		e = uc_hook_add(c->uc, &c->core->blk_hook, UC_HOOK_BLOCK, hook_block, c, 1, 0);
	if (!e && sim_cache_init(c))
		e = UC_ERR_NOMEM;
	if (e) {
		snprintf(err, errlen,
			 "cannot set up the %s core in Unicorn: %s "
			 "(libunicorn-dev 2.x is required)",
			 c->desc->core.uc_model == UC_CPU_ARM_CORTEX_M7 ? "Cortex-M7" : "Cortex-M4",
			 uc_strerror(e));
		if (!c->uc) { /* sim_chip_free() only frees the core with an engine */
			free(c->core);
			c->core = NULL;
		}
		return -1;
	}
	c->core->state = SIM_CORE_HALTED;
	c->core->held = true;
	sim_scs_reset(c, SIM_RESET_POWER_ON);
	return 0;
}

void sim_core_free(sim_chip *c)
{
	sim_cache_free(c);
	if (c->uc)
		uc_close(c->uc);
	c->uc = NULL;
	free(c->core);
	c->core = NULL;
}

/* ---- reset ---------------------------------------------------------------- */

/* Puts the core registers in their reset state and fetches SP_main and the
 * reset vector from the vector table at VTOR's reset value (0 on the M4,
 * where the STM32F4's boot alias decides what is there; the boot address
 * on the STM32H7's M7, RM0433 2.6), ARMv7-M B1.5.5 TakeReset(). */
static void core_boot(sim_chip *c)
{
	struct sim_core *k = c->core;
	uint32_t vec[2];

	raw_write(c, UC_ARM_REG_IPSR, 0);
	sim_core_set_reg(c, UC_ARM_REG_CONTROL, 0);
	raw_write(c, UC_ARM_REG_PRIMASK, 0);
	raw_write(c, UC_ARM_REG_FAULTMASK, 0);
	raw_write(c, UC_ARM_REG_BASEPRI, 0);
	raw_write(c, UC_ARM_REG_LR, 0xFFFFFFFFU);
	raw_write(c, UC_ARM_REG_XPSR_NZCVQG, XPSR_T);
	raw_write(c, UC_ARM_REG_FPSCR, 0);
	k->boot_pending = false;
	k->step_pending = false;
	k->knob_fired = false;
	k->boot_cycles = 0;
	k->s_reset_st = true;
	k->vtor = c->desc->soc->boot_address ? c->desc->soc->boot_address(c) & 0xFFFFFF80U : 0;
	if (uc_mem_read(c->uc, k->vtor, vec, sizeof(vec))) {
		sim_exc_lockup(c); /* vector fetch fails: nothing mapped at 0 */
		return;
	}
	raw_write(c, UC_ARM_REG_MSP, vec[0] & ~3U);
	raw_write(c, UC_ARM_REG_PC, vec[1] | 1U);
	k->invstate_pending = !(vec[1] & 1U);
	k->state = SIM_CORE_RUNNING;
	/* Vector catch on reset: halt before the first instruction
	 * (ARMv7-M C1.6.5 VC_CORERESET). */
	if ((k->dhcsr_ctrl & DHCSR_C_DEBUGEN) && (k->demcr & DEMCR_VC_CORERESET))
		sim_core_halt(c, DFSR_VCATCH);
}

void sim_core_reset(sim_chip *c, enum sim_reset_kind kind)
{
	sim_scs_reset(c, kind);
	if (c->core->held) {
		c->core->boot_pending = true;
		c->core->s_reset_st = true;
		return;
	}
	core_boot(c);
}

/* The vector fetch happens when reset is released, so a reset applied while
 * NRST is held takes effect at release. */
void sim_core_hold_reset(sim_chip *c, bool held)
{
	struct sim_core *k = c->core;

	if (held == k->held)
		return;
	k->held = held;
	if (held) {
		k->s_reset_st = true;
		return;
	}
	core_boot(c);
}

bool sim_core_halted(const sim_chip *c)
{
	return c->core->state == SIM_CORE_HALTED;
}

void sim_core_code_changed(sim_chip *c, uint32_t addr, uint32_t len)
{
	if (!len || sim_cache_keep_code(c, addr, len))
		return;
	uc_ctl_remove_cache(c->uc, addr, (uint64_t)addr + len);
	c->core->blk_gen++;
}

/* ---- halt / resume -------------------------------------------------------- */

void sim_core_halt(sim_chip *c, uint32_t dfsr_bits)
{
	struct sim_core *k = c->core;

	k->state = SIM_CORE_HALTED;
	k->step_pending = false;
	k->s_regrdy = true; /* no register transfer pending */
	k->dhcsr_ctrl |= DHCSR_C_HALT;
	k->dfsr |= dfsr_bits;
}

void sim_core_resume(sim_chip *c, bool step)
{
	struct sim_core *k = c->core;

	if (k->state != SIM_CORE_HALTED)
		return;
	k->state = SIM_CORE_RUNNING;
	k->step_pending = step;
	k->dhcsr_ctrl &= ~DHCSR_C_HALT;
	/* No "skip the breakpoint we stand on": as on silicon, resuming on an
	 * enabled FPB comparator or a BKPT halts again at once, and the
	 * debugger steps over it with the comparator disabled (C1.11). The
	 * sleep knob's firmware goes straight back to sleep; a step still
	 * executes one instruction. */
	if (k->knob_fired && (c->cfg.faults & SIM_FAULT_SLEEP) && !step)
		k->state = SIM_CORE_SLEEPING;
}

/* ---- run loop ------------------------------------------------------------ */

static bool debug_enabled(const sim_chip *c)
{
	return c->core->dhcsr_ctrl & DHCSR_C_DEBUGEN;
}

static uint16_t half_at(sim_chip *c, uint32_t addr)
{
	uint16_t h = 0;

	uc_mem_read(c->uc, addr, &h, sizeof(h));
	return h;
}

/* BKPT halts when halting debug is enabled; otherwise the debug event
 * escalates to HardFault (ARMv7-M C1.4, B1.5.14 HFSR.DEBUGEVT). */
static void on_bkpt(sim_chip *c, uint32_t pc)
{
	if (debug_enabled(c))
		sim_core_halt(c, DFSR_BKPT);
	else
		sim_exc_fault(c, EXC_HARDFAULT, 0, HFSR_DEBUGEVT, pc);
}

/* Interrupt-hook numbers are QEMU's EXCP_* values (docs/LAB-unicorn.md). */
static void on_intr(sim_chip *c, uint32_t intno, uint32_t pc)
{
	switch (intno) {
	case 7: /* EXCP_BKPT, PC on the BKPT */
		on_bkpt(c, pc);
		break;
	case 2: /* EXCP_SWI: SVC, PC after it */
		sim_exc_enter(c, EXC_SVCALL, pc);
		break;
	case 3: /* prefetch abort: EXC_RETURN branch in handler mode, or a bad fetch */
		if (pc >= 0xFFFFFFE0U && raw_read(c, UC_ARM_REG_IPSR) != 0)
			sim_exc_return(c, pc | 1U);
		else
			sim_exc_fault(c, EXC_BUSFAULT, CFSR_IBUSERR, 0, pc);
		break;
	case 4: /* data abort */
		sim_exc_fault(c, EXC_BUSFAULT, CFSR_PRECISERR, 0, pc);
		break;
	case 17: /* EXCP_NOCP */
		sim_exc_fault(c, EXC_USAGEFAULT, CFSR_NOCP, 0, pc);
		break;
	case 18: /* EXCP_INVSTATE */
		sim_exc_fault(c, EXC_USAGEFAULT, CFSR_INVSTATE, 0, pc);
		break;
	case 22: /* EXCP_UNALIGNED */
		sim_exc_fault(c, EXC_USAGEFAULT, CFSR_UNALIGNED, 0, pc);
		break;
	default:
		sim_exc_fault(c, EXC_USAGEFAULT, CFSR_UNDEFINSTR, 0, pc);
		break;
	}
}

/* UC_ERR_INSN_INVALID covers UDF, a branch to an even address (PC already
 * at the target, T cleared) and WFE/YIELD (PC already past them). */
static void on_invalid_insn(sim_chip *c, uint32_t pc)
{
	uint16_t prev = half_at(c, pc - 2);

	if (!(raw_read(c, UC_ARM_REG_XPSR) & XPSR_T)) {
		raw_write(c, UC_ARM_REG_XPSR_NZCVQG, raw_read(c, UC_ARM_REG_XPSR) | XPSR_T);
		sim_exc_fault(c, EXC_USAGEFAULT, CFSR_INVSTATE, 0, pc);
	} else if (prev == 0xBF20) { /* WFE: no event source is modelled */
		c->core->state = SIM_CORE_SLEEPING;
	} else if (prev == 0xBF10) { /* YIELD: a hint, nothing to do */
		return;
	} else {
		sim_exc_fault(c, EXC_USAGEFAULT, CFSR_UNDEFINSTR, 0, pc);
	}
}

static void on_mem_error(sim_chip *c, uc_err e, uint32_t pc)
{
	if (e == UC_ERR_FETCH_UNMAPPED || e == UC_ERR_FETCH_PROT)
		sim_exc_fault(c, EXC_BUSFAULT, CFSR_IBUSERR, 0, pc);
	else
		sim_exc_fault(c, EXC_BUSFAULT, CFSR_PRECISERR, 0, pc);
}

/* WFI (T1 0xBF30 or T2 0xF3AF 0x8003) just before pc? */
static bool after_wfi(sim_chip *c, uint32_t pc)
{
	return pc >= 4 && (half_at(c, pc - 2) == 0xBF30 ||
			   (half_at(c, pc - 2) == 0x8003 && half_at(c, pc - 4) == 0xF3AF));
}

/* Acts on how a slice ended: hook events first, then Unicorn's error, then
 * a WFI just executed (Unicorn returns at once with PC after it, so the
 * slice ended early). */
static void slice_outcome(sim_chip *c, uc_err e, uint32_t pc, bool early)
{
	struct sim_core *k = c->core;

	switch (k->ev) {
	case SIM_EV_INTR:
		on_intr(c, k->ev_intno, pc);
		return;
	case SIM_EV_FPB:
		on_bkpt(c, pc);
		return;
	case SIM_EV_DWT:
		if (debug_enabled(c))
			sim_core_halt(c, DFSR_DWTTRAP);
		return;
	case SIM_EV_HALT_REQ:
		sim_core_halt(c, DFSR_HALTED);
		return;
	case SIM_EV_SYSRESET:
		sim_chip_system_reset_by(c, SIM_RST_SOFTWARE);
		return;
	case SIM_EV_VECTRESET:
		sim_core_reset(c, SIM_RESET_CORE);
		return;
	case SIM_EV_PEND:
		return; /* taken before the next slice */
	case SIM_EV_RETRY:
		return; /* PC stays on the access */
	case SIM_EV_FETCHERR:
		sim_exc_fault(c, EXC_BUSFAULT, CFSR_IBUSERR, 0, pc);
		return;
	case SIM_EV_BUSERR:
		k->bfar = k->ev_addr;
		sim_exc_fault(c, EXC_BUSFAULT, CFSR_PRECISERR | CFSR_BFARVALID, 0, pc);
		return;
	case SIM_EV_NONE:
		break;
	}
	if (e == UC_ERR_INSN_INVALID)
		on_invalid_insn(c, pc);
	else if (e == UC_ERR_READ_UNMAPPED || e == UC_ERR_WRITE_UNMAPPED || e == UC_ERR_FETCH_UNMAPPED ||
		 e == UC_ERR_READ_PROT || e == UC_ERR_WRITE_PROT || e == UC_ERR_FETCH_PROT)
		on_mem_error(c, e, pc);
	else if (e)
		sim_exc_fault(c, EXC_HARDFAULT, 0, HFSR_FORCED, pc);
	else if (early && after_wfi(c, pc))
		k->state = SIM_CORE_SLEEPING;
}

/* Runs at most n instructions; returns how many retired. */
static uint64_t run_slice(sim_chip *c, uint64_t n)
{
	struct sim_core *k = c->core;
	uint32_t pc = raw_read(c, UC_ARM_REG_PC) & ~1U;
	uint64_t done;
	uc_err e;

	if (k->invstate_pending) {
		k->invstate_pending = false;
		sim_exc_fault(c, EXC_USAGEFAULT, CFSR_INVSTATE, 0, pc);
		return 0;
	}
	sim_fpb_dwt_sync(c);
	sim_cache_sync(c);
	k->ev = SIM_EV_NONE;
	k->stop_at_block = false;
	k->slice_retired = 0;
	k->blk_addr = k->blk_size = k->blk_n = 0;
	e = uc_emu_start(c->uc, pc | 1U, 0xFFFFFFFFULL, 0, (size_t)n);
	pc = raw_read(c, UC_ARM_REG_PC) & ~1U;
	done = slice_retired(c, pc);
	if (done > n)
		done = n;
	slice_outcome(c, e, pc, done < n);
	if (k->dwt.data_hit && k->state == SIM_CORE_RUNNING) {
		/* the access was the slice's last instruction */
		k->dwt.data_hit = false;
		if (debug_enabled(c))
			sim_core_halt(c, DFSR_DWTTRAP);
	}
	return done;
}

/* SIM_FAULT_SLEEP / SIM_FAULT_LOCKUP: the firmware sits in WFI forever or
 * takes a fault inside its HardFault handler, shortly after boot. */
static bool knob_check(sim_chip *c)
{
	struct sim_core *k = c->core;

	if (k->knob_fired || !(c->cfg.faults & (SIM_FAULT_SLEEP | SIM_FAULT_LOCKUP)) ||
	    k->boot_cycles < CORE_KNOB_CYCLES)
		return false;
	k->knob_fired = true;
	if (c->cfg.faults & SIM_FAULT_LOCKUP) {
		raw_write(c, UC_ARM_REG_IPSR, EXC_HARDFAULT);
		sim_exc_lockup(c);
	} else {
		k->state = SIM_CORE_SLEEPING;
	}
	return true;
}

static uint64_t slice_len(const sim_chip *c, uint64_t left)
{
	uint64_t n = left < CORE_SLICE ? left : CORE_SLICE, tick = sim_systick_cycles_to_event(c);
	const struct sim_core *k = c->core;

	if (k->step_pending)
		return 1;
	if (!k->knob_fired && (c->cfg.faults & (SIM_FAULT_SLEEP | SIM_FAULT_LOCKUP)) &&
	    k->boot_cycles < CORE_KNOB_CYCLES && CORE_KNOB_CYCLES - k->boot_cycles < n)
		n = CORE_KNOB_CYCLES - k->boot_cycles;
	/* end the slice when SysTick fires, so its exception is taken on time */
	return tick < n ? tick : n;
}

/* One slice of execution; returns the cycles it took, adds the retired
 * instructions to *done. */
static uint64_t run_step(sim_chip *c, uint64_t left, uint64_t *done)
{
	struct sim_core *k = c->core;
	bool step = k->step_pending;
	uint64_t r, used;

	if (knob_check(c))
		return 0;
	r = run_slice(c, slice_len(c, left));
	*done += r;
	/* a slice that retired nothing (fault entry, halt) still costs a cycle */
	used = r ? r : 1;
	k->boot_cycles += used;
	/* a stepped WFI completes: the step is the wake-up event */
	if (step && (k->state == SIM_CORE_RUNNING || k->state == SIM_CORE_SLEEPING))
		sim_core_halt(c, DFSR_HALTED);
	return used;
}

/* Sleeping or locked up: time passes up to the next SysTick event, which
 * may wake a sleeping core. */
static uint64_t idle_for(const sim_chip *c, uint64_t left)
{
	uint64_t tick = sim_systick_cycles_to_event(c);

	return tick < left ? tick : left;
}

uint64_t sim_core_run(sim_chip *c, uint64_t cycles)
{
	struct sim_core *k = c->core;
	uint64_t done = 0, spent = 0;

	while (spent < cycles && !k->held) {
		uint64_t used;

		sim_exc_take_pending(c);
		if (k->state == SIM_CORE_RUNNING)
			used = run_step(c, cycles - spent, &done);
		else if (k->state == SIM_CORE_SLEEPING || k->state == SIM_CORE_LOCKUP)
			used = idle_for(c, cycles - spent);
		else
			break; /* halted: time passes without the core */
		spent += used;
		/* SysTick and CYCCNT count processor clock cycles outside Debug
		 * state (ARMv7-M B3.3.1, C1.8.8) */
		sim_systick_advance(c, used);
		sim_dwt_count(c, used);
	}
	if (done)
		k->s_retire_st = true;
	c->stats.instructions += done;
	return done;
}
