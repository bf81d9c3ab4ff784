/*
 * Flash Patch and Breakpoint unit and Data Watchpoint and Trace unit (DWT)
 * of the simulated Cortex-M4 (FPB v1) and Cortex-M7 (FPB v2: Cortex-M7 TRM
 * (DDI0489) 8.3: FP_CTRL.REV = 1, 8 instruction comparators, no literal
 * comparators, no remap; ARMv7-M C1.11.5 "FP_COMPn, FPB version 2":
 * BPADDR[31:1] with BE in bit 0, any address can be matched). The counts
 * come from the chip's row.
 *
 * ARMv7-M (DDI0403E) C1.11 FPB: FP_CTRL with KEY, NUM_CODE = 6, NUM_LIT = 2,
 * REV = 0 (v1); FP_COMPn COMP[28:2] with REPLACE[31:30] selecting the
 * halfword(s) to break on, so only code addresses 0x00000000-0x1FFFFFFF can
 * be matched (C1.11.5). A match halts like BKPT, before the instruction
 * executes (C1.11.1). REPLACE = 00 (remap) and the literal comparators
 * patch fetches on silicon; that is not modelled (no effect).
 *
 * C1.8 DWT: 4 comparators; FUNCTION 4 = instruction address, 5 = data
 * read, 6 = data write, 7 = data read or write (C1.8.17 table C1-14), MASK =
 * number of low address bits ignored (C1.8.16); a data match halts after
 * the access completes (imprecise, C1.8.1), sets MATCHED (bit 24, cleared
 * on read) and DFSR.DWTTRAP. CYCCNT counts processor cycles (C1.8.8). The
 * DWT only works with DEMCR.TRCENA set (C1.6.5).
 *
 * Implementation (docs/LAB-unicorn.md): one Unicorn code hook per enabled FPB
 * comparator, over its address only; for the DWT, a code hook over all
 * code and memory hooks, installed only while a comparator is active. A
 * memory hook must not stop the engine (the instruction would be left half
 * done), so it flags the match and the next instruction's code hook stops.
 */
#include "sim_core_internal.h"

#define FP_CTRL_ENABLE 1U
#define FP_CTRL_KEY 2U
#define FP_COMP_ENABLE 1U
#define FP_COMP_MASK 0xDFFFFFFDU   /* bits 29 and 1 are reserved (RAZ/WI) */
#define FP_REMAP_RMPSPT (1U << 29) /* remap supported, SRAM region */
#define DWT_CTRL_NUMCOMP (4U << 28)
#define DWT_CTRL_WRITABLE 0x007F1FFFU
#define DWT_CTRL_CYCCNTENA 1U
#define DWT_FUNC_MATCHED (1U << 24)
#define DWT_FUNC_DATAVMATCH (1U << 8)
#define DWT_FUNC_CYCMATCH (1U << 7)
#define DWT_FUNC_WRITABLE 0x000FFDAFU
#define DWT_MASK_MAX 15U

/* ---- FPB ------------------------------------------------------------------ */

void sim_fpb_reset(sim_chip *c)
{
	struct sim_fpb *f = &c->core->fpb;

	f->enable = false;
	f->remap = 0;
	for (int i = 0; i < FPB_NUM_COMP; i++)
		f->comp[i] = 0;
	f->dirty = true;
}

bool sim_fpb_read(sim_chip *c, uint32_t off, uint32_t *val)
{
	struct sim_fpb *f = &c->core->fpb;

	const struct sim_core_desc *d = &c->desc->core;

	if (off == 0x000) /* REV [31:28], NUM_CODE2 = 0, NUM_LIT [11:8], NUM_CODE1 [7:4] */
		*val = (d->fpb_rev << 28) | (d->fpb_lit << 8) | (d->fpb_code << 4) |
		       (f->enable ? FP_CTRL_ENABLE : 0);
	else if (off == 0x004) /* FPBv2: no remap (RMPSPT = 0) */
		*val = d->fpb_rev ? 0 : f->remap | FP_REMAP_RMPSPT;
	else if (off >= 0x008 && off < 0x008 + 4 * (d->fpb_code + d->fpb_lit))
		*val = f->comp[(off - 0x008) / 4];
	else
		return false;
	return true;
}

static unsigned fpb_ncode(const sim_chip *c)
{
	return c->desc->core.fpb_code;
}

bool sim_fpb_write(sim_chip *c, uint32_t off, uint32_t val)
{
	struct sim_fpb *f = &c->core->fpb;

	if (off == 0x000) {
		if (val & FP_CTRL_KEY) /* writes without KEY are ignored */
			f->enable = val & FP_CTRL_ENABLE;
	} else if (off == 0x004) {
		f->remap = val & 0x1FFFFFE0U;
	} else if (off >= 0x008 && off < 0x008 + 4 * (fpb_ncode(c) + c->desc->core.fpb_lit)) {
		f->comp[(off - 0x008) / 4] = c->desc->core.fpb_rev ? val : val & FP_COMP_MASK;
	} else {
		return false;
	}
	f->dirty = true;
	return true;
}

/* FPBv2: BPADDR[31:1], BE = bit 0 (ARMv7-M C1.11.5). */
static bool fpb2_match(const sim_chip *c, uint32_t addr)
{
	const struct sim_fpb *f = &c->core->fpb;

	for (unsigned i = 0; i < fpb_ncode(c); i++)
		if ((f->comp[i] & FP_COMP_ENABLE) && (f->comp[i] & ~1U) == (addr & ~1U))
			return true;
	return false;
}

/* Does an enabled code comparator break on the halfword at addr? */
static bool fpb_match(const sim_chip *c, uint32_t addr)
{
	const struct sim_fpb *f = &c->core->fpb;

	if (!f->enable)
		return false;
	if (c->desc->core.fpb_rev)
		return fpb2_match(c, addr);
	if (addr >= 0x20000000U)
		return false;
	for (unsigned i = 0; i < fpb_ncode(c); i++) {
		uint32_t comp = f->comp[i], replace = comp >> 30;

		if (!(comp & FP_COMP_ENABLE) || (comp & 0x1FFFFFFCU) != (addr & ~3U))
			continue;
		if (replace == 3 || (replace == 1 && !(addr & 2)) || (replace == 2 && (addr & 2)))
			return true;
	}
	return false;
}

static void hook_fpb(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	sim_chip *c = user;

	(void)uc;
	(void)size;
	if (fpb_match(c, (uint32_t)addr))
		sim_core_stop_engine(c, SIM_EV_FPB);
}

static void fpb_sync(sim_chip *c)
{
	struct sim_fpb *f = &c->core->fpb;

	for (unsigned i = 0; i < FPB_NUM_CODE; i++) {
		bool v2 = c->desc->core.fpb_rev != 0;
		uint32_t lo = f->comp[i] & (v2 ? ~3U : 0x1FFFFFFCU);
		bool want = i < fpb_ncode(c) && f->enable && (f->comp[i] & FP_COMP_ENABLE) &&
			    (v2 || (f->comp[i] >> 30));

		if (f->hooked[i]) {
			uc_hook_del(c->uc, f->hook[i]);
			uc_ctl_remove_cache(c->uc, f->hook_lo[i], f->hook_lo[i] + 4ULL);
			f->hooked[i] = false;
		}
		if (!want || uc_hook_add(c->uc, &f->hook[i], UC_HOOK_CODE, hook_fpb, c, lo, lo + 3ULL))
			continue;
		/* a hook added after translation never fires: drop the cached code */
		uc_ctl_remove_cache(c->uc, lo, lo + 4ULL);
		f->hooked[i] = true;
		f->hook_lo[i] = lo;
	}
	f->dirty = false;
}

/* ---- DWT ------------------------------------------------------------------ */

void sim_dwt_reset(sim_chip *c)
{
	struct sim_dwt *d = &c->core->dwt;

	d->ctrl = 0;
	d->cyccnt = 0;
	for (int i = 0; i < DWT_NUM_COMP; i++)
		d->comp[i] = d->mask[i] = d->function[i] = 0;
	d->data_hit = false;
	d->dirty = true;
}

void sim_dwt_count(sim_chip *c, uint64_t cycles)
{
	struct sim_dwt *d = &c->core->dwt;

	if ((c->core->demcr & DEMCR_TRCENA) && (d->ctrl & DWT_CTRL_CYCCNTENA))
		d->cyccnt += (uint32_t)cycles;
}

bool sim_dwt_read(sim_chip *c, uint32_t off, uint32_t *val)
{
	struct sim_dwt *d = &c->core->dwt;
	unsigned n = (off - 0x20U) / 16U;

	if (off == 0x000)
		*val = DWT_CTRL_NUMCOMP | d->ctrl;
	else if (off == 0x004)
		*val = d->cyccnt;
	else if (off == 0x01C) /* PCSR: 0xFFFFFFFF in Debug state (C1.8.13) */
		*val = sim_core_halted(c) ? 0xFFFFFFFFU : sim_core_reg(c, UC_ARM_REG_PC) & ~1U;
	else if (off >= 0x020 && n < DWT_NUM_COMP && (off & 0xF) == 0x0)
		*val = d->comp[n];
	else if (off >= 0x020 && n < DWT_NUM_COMP && (off & 0xF) == 0x4)
		*val = d->mask[n];
	else if (off >= 0x020 && n < DWT_NUM_COMP && (off & 0xF) == 0x8) {
		*val = d->function[n];
		d->function[n] &= ~DWT_FUNC_MATCHED; /* clear on read */
	} else {
		*val = 0;
		return false;
	}
	return true;
}

bool sim_dwt_write(sim_chip *c, uint32_t off, uint32_t val)
{
	struct sim_dwt *d = &c->core->dwt;
	unsigned n = (off - 0x20U) / 16U;

	if (off == 0x000)
		d->ctrl = val & DWT_CTRL_WRITABLE;
	else if (off == 0x004)
		d->cyccnt = val;
	else if (off >= 0x020 && n < DWT_NUM_COMP && (off & 0xF) == 0x0)
		d->comp[n] = val;
	else if (off >= 0x020 && n < DWT_NUM_COMP && (off & 0xF) == 0x4)
		d->mask[n] = (val & 0x1FU) > DWT_MASK_MAX ? DWT_MASK_MAX : val & 0x1FU;
	else if (off >= 0x020 && n < DWT_NUM_COMP && (off & 0xF) == 0x8)
		d->function[n] = (d->function[n] & DWT_FUNC_MATCHED) | (val & DWT_FUNC_WRITABLE);
	else
		return false;
	d->dirty = true;
	return true;
}

/* The comparator's function (4..7) if it watches addresses, else 0. */
static uint32_t dwt_func(const sim_chip *c, int n)
{
	uint32_t f = c->core->dwt.function[n];

	if (!(c->core->demcr & DEMCR_TRCENA) || (f & (DWT_FUNC_DATAVMATCH | DWT_FUNC_CYCMATCH)))
		return 0;
	f &= 0xFU;
	return f >= 4 && f <= 7 ? f : 0;
}

/* Does [addr, addr + size) overlap the 2^MASK bytes the comparator names? */
static bool dwt_addr_match(const struct sim_dwt *d, int n, uint32_t addr, uint32_t size)
{
	uint32_t span = 1U << d->mask[n], base = d->comp[n] & ~(span - 1U);

	return addr <= base + (span - 1U) && base <= addr + (size - 1U);
}

static void hook_dwt_mem(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value, void *user)
{
	sim_chip *c = user;
	struct sim_dwt *d = &c->core->dwt;
	uint32_t want = type == UC_MEM_WRITE ? 6 : 5;

	(void)uc;
	(void)value;
	for (int i = 0; i < DWT_NUM_COMP; i++) {
		uint32_t f = dwt_func(c, i);

		if ((f == want || f == 7) && dwt_addr_match(d, i, (uint32_t)addr, (uint32_t)size)) {
			d->function[i] |= DWT_FUNC_MATCHED;
			d->data_hit = true;
		}
	}
}

static void hook_dwt_code(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	sim_chip *c = user;
	struct sim_dwt *d = &c->core->dwt;

	(void)uc;
	(void)size;
	if (d->data_hit) {
		d->data_hit = false;
		sim_core_stop_engine(c, SIM_EV_DWT);
		return;
	}
	for (int i = 0; i < DWT_NUM_COMP; i++) {
		if (dwt_func(c, i) == 4 && dwt_addr_match(d, i, (uint32_t)addr, 2)) {
			d->function[i] |= DWT_FUNC_MATCHED;
			sim_core_stop_engine(c, SIM_EV_DWT);
		}
	}
}

static void dwt_sync(sim_chip *c)
{
	struct sim_dwt *d = &c->core->dwt;
	bool want = false;

	for (int i = 0; i < DWT_NUM_COMP; i++)
		want = want || dwt_func(c, i);
	d->dirty = false;
	if (want == d->hooks_on)
		return;
	if (want) {
		uc_hook_add(c->uc, &d->code_hook, UC_HOOK_CODE, hook_dwt_code, c, 1, 0);
		uc_hook_add(c->uc, &d->mem_hook, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, hook_dwt_mem, c, 1, 0);
	} else {
		uc_hook_del(c->uc, d->code_hook);
		uc_hook_del(c->uc, d->mem_hook);
		d->data_hit = false;
	}
	d->hooks_on = want;
	/* hooks are compiled into translated code: retranslate everything */
	uc_ctl_remove_cache(c->uc, 0, 0xFFFFFFFFULL);
}

void sim_fpb_dwt_sync(sim_chip *c)
{
	struct sim_core *k = c->core;

	if (k->fpb.dirty)
		fpb_sync(c);
	if (k->dwt.dirty)
		dwt_sync(c);
}
