/*
 * Breakpoints and watchpoints: FPB comparators (ARMv7-M C1.11, v8-M FPBv2),
 * BKPT instructions in RAM, DWT data watchpoints (ARMv7-M C1.8, v8-M DWTv2).
 *
 * Placement rule: a software breakpoint (Z0) goes into RAM as a 16-bit
 * BKPT (0xBE00; also right for the first halfword of a 32-bit Thumb-2
 * instruction): the SRAM region of the default memory map (ARMv7-M B3.1,
 * 0x20000000-0x3FFFFFFF) and the executable RAMs the part's row lists
 * elsewhere (the STM32H7's ITCM at 0x00000000, RM0433 2.3.2). Flash, ROM
 * and any other address is never written (a stray bus write to flash is a
 * programming sequence error for the flash controller), so Z0 there is
 * placed in the FPB like Z1. On a Cortex-M7 the BKPT goes in and out with
 * the cache maintenance of cortex_m_cache.c (cm_write_code). FPBv1
 * (M0/M3/M4) only matches code addresses 0x00000000-0x1FFFFFFF, one
 * comparator per word with REPLACE selecting the halfword(s); FPBv2 (M7,
 * v8-M) matches any halfword address.
 */
#include "cortex_m_internal.h"
#include "probe.h"
#include "stm32/family.h"
#include "swdd_err.h"
#include "swdd_log.h"

#include <stdlib.h>
#include <string.h>

#define FPB_V1_LIMIT 0x20000000U
#define FPB_V1_REPLACE_SHIFT 30U /* COMP[31:30] REPLACE, FPBv1 */
#define FPB_V1_ADDR_MASK 0x1FFFFFFCU
#define FPB_COMP_ENABLE 1U
#define THUMB_BKPT 0xBE00U
#define DWT_V7_FUNC_READ 5U /* ARMv7-M C1.8.17, DWT_FUNCTION.FUNCTION */
#define DWT_V7_FUNC_WRITE 6U
#define DWT_V7_FUNC_ACCESS 7U
#define DWT_V8_MATCH_ACCESS 4U /* ARMv8-M DWT_FUNCTION.MATCH */
#define DWT_V8_MATCH_WRITE 5U
#define DWT_V8_MATCH_READ 6U
#define DWT_V8_ACTION_DEBUG (1U << 4)
#define DWT_V8_DATAVSIZE_SHIFT 10U

/* ---- pure encodings ------------------------------------------------------ */

int cm_fpb_encode(unsigned rev, uint32_t addr, unsigned halves, uint32_t *comp)
{
	if (rev >= 1) {
		*comp = (addr & ~1U) | FPB_COMP_ENABLE;
		return 0;
	}
	if (addr >= FPB_V1_LIMIT)
		return swdd_err_set(
			SWDD_EUNSUPPORTED,
			"FPBv1 can only break at code addresses 0x00000000-0x1FFFFFFF, not 0x%08x; "
			"use a software breakpoint (RAM)",
			addr);
	if (halves == 0 || halves > 3)
		return swdd_err_set(SWDD_EINVAL, "bad FPB halfword set %u", halves);
	*comp = (halves << FPB_V1_REPLACE_SHIFT) | (addr & FPB_V1_ADDR_MASK) | FPB_COMP_ENABLE;
	return 0;
}

static unsigned cm_log2_exact(uint32_t len)
{
	unsigned n = 0;

	while ((1U << n) < len)
		n++;
	return n;
}

static int cm_dwt_check(enum swdd_wp_type type, uint32_t addr, uint32_t len)
{
	if ((unsigned)type > SWDD_WP_ACCESS)
		return swdd_err_set(SWDD_EINVAL, "unknown watchpoint type %d", (int)type);
	if (len == 0 || (len & (len - 1)) != 0)
		return swdd_err_set(SWDD_EINVAL,
				    "a DWT watchpoint covers a power-of-two length; %u bytes is not one "
				    "(watch a smaller variable or a whole aligned block)",
				    len);
	if (addr & (len - 1))
		return swdd_err_set(SWDD_EINVAL,
				    "a %u-byte DWT watchpoint must start at a multiple of %u; 0x%08x is not",
				    len, len, addr);
	return 0;
}

int cm_dwt_encode(bool v8m, enum swdd_wp_type type, uint32_t addr, uint32_t len, unsigned max_mask,
		  uint32_t *mask, uint32_t *function)
{
	static const uint32_t v7[] = { [SWDD_WP_WRITE] = DWT_V7_FUNC_WRITE,
				       [SWDD_WP_READ] = DWT_V7_FUNC_READ,
				       [SWDD_WP_ACCESS] = DWT_V7_FUNC_ACCESS };
	static const uint32_t v8[] = { [SWDD_WP_WRITE] = DWT_V8_MATCH_WRITE,
				       [SWDD_WP_READ] = DWT_V8_MATCH_READ,
				       [SWDD_WP_ACCESS] = DWT_V8_MATCH_ACCESS };
	int rc = cm_dwt_check(type, addr, len);

	if (rc)
		return rc;
	if (v8m) {
		if (len > 4)
			return swdd_err_set(SWDD_EUNSUPPORTED,
					    "a v8-M DWT comparator watches at most 4 bytes, not %u", len);
		*mask = 0;
		*function = v8[type] | DWT_V8_ACTION_DEBUG | (cm_log2_exact(len) << DWT_V8_DATAVSIZE_SHIFT);
		return 0;
	}
	*mask = cm_log2_exact(len);
	if (*mask > max_mask)
		return swdd_err_set(SWDD_EUNSUPPORTED,
				    "this DWT watches at most %u bytes with one comparator, not %u",
				    1U << max_mask, len);
	*function = v7[type];
	return 0;
}

/* ---- discovery ------------------------------------------------------------- */

static unsigned cm_fpb_num_code(uint32_t ctrl)
{
	return ((ctrl >> 8) & 0x70U) | ((ctrl >> 4) & 0xFU); /* NUM_CODE[6:4] at [14:12] */
}

static int cm_dwt_init(struct swdd_target *t)
{
	uint32_t ctrl, m = 0;
	int rc = cm_read32(t, DWT_CTRL, &ctrl);

	if (rc)
		return rc;
	t->dwt_num = ctrl >> 28;
	if (t->dwt_num > DWT_MAX_COMP)
		t->dwt_num = DWT_MAX_COMP;
	for (unsigned i = 0; i < t->dwt_num && rc == 0; i++)
		rc = cm_write32(t, DWT_FUNCTION(i), 0);
	/* MASK implements as many bits as the largest supported region. */
	if (rc == 0 && t->dwt_num && !t->v8m) {
		rc = cm_write32(t, DWT_MASK(0), 0x1FU);
		if (rc == 0)
			rc = cm_read32(t, DWT_MASK(0), &m);
		if (rc == 0)
			rc = cm_write32(t, DWT_MASK(0), 0);
	}
	t->dwt_max_mask = t->v8m ? 2 : m & 0x1FU;
	return rc;
}

int cm_bp_init(struct swdd_target *t)
{
	uint32_t ctrl;
	int rc = cm_read32(t, FPB_CTRL, &ctrl);

	if (rc)
		return rc;
	t->fpb_rev = ctrl >> 28;
	t->fpb_num = cm_fpb_num_code(ctrl);
	if (t->fpb_num > FPB_MAX_COMP)
		t->fpb_num = FPB_MAX_COMP;
	t->fpb_enabled_at_connect = ctrl & FPB_CTRL_ENABLE;
	for (unsigned i = 0; i < t->fpb_num && rc == 0; i++)
		rc = cm_write32(t, FPB_COMP(i), 0);
	if (rc == 0)
		rc = cm_write32(t, FPB_CTRL, FPB_CTRL_KEY | FPB_CTRL_ENABLE);
	if (rc == 0)
		rc = cm_dwt_init(t);
	t->chip.num_hw_breakpoints = t->fpb_num;
	t->chip.num_watchpoints = t->dwt_num;
	swdd_debug("FPBv%u with %u comparators, DWT with %u comparators (max %u bytes)", t->fpb_rev + 1,
		   t->fpb_num, t->dwt_num, 1U << t->dwt_max_mask);
	return rc;
}

/* ---- FPB breakpoints ------------------------------------------------------ */

static uint32_t cm_fpb_key(const struct swdd_target *t, uint32_t addr, unsigned *half)
{
	*half = t->fpb_rev ? 1U : ((addr & 2U) ? 2U : 1U);
	return t->fpb_rev ? (addr & ~1U) : (addr & ~3U);
}

static int cm_fpb_find(const struct swdd_target *t, uint32_t addr, unsigned *half)
{
	uint32_t key = cm_fpb_key(t, addr, half);

	for (unsigned i = 0; i < t->fpb_num; i++)
		if (t->fpb[i].used && t->fpb[i].addr == key)
			return (int)i;
	return -1;
}

static int cm_fpb_write(struct swdd_target *t, unsigned i, unsigned halves)
{
	uint32_t comp = 0;
	int rc = 0;

	if (halves)
		rc = cm_fpb_encode(t->fpb_rev, t->fpb[i].addr, halves, &comp);
	return rc ? rc : cm_write32(t, FPB_COMP(i), comp);
}

static int cm_fpb_add(struct swdd_target *t, uint32_t addr)
{
	unsigned half, i;
	int slot = cm_fpb_find(t, addr, &half), rc;
	uint32_t comp;

	if (slot >= 0) {
		t->fpb[slot].halves |= half;
		return cm_fpb_write(t, (unsigned)slot, t->fpb[slot].halves);
	}
	rc = cm_fpb_encode(t->fpb_rev, addr, half, &comp);
	if (rc)
		return rc;
	for (i = 0; i < t->fpb_num && t->fpb[i].used; i++)
		;
	if (i == t->fpb_num)
		return swdd_err_set(
			SWDD_EBUSY,
			"all %u hardware breakpoints are in use (breakpoints in flash need one each); "
			"delete one first",
			t->fpb_num);
	t->fpb[i] = (struct cm_fpb_slot){ .used = true, .addr = cm_fpb_key(t, addr, &half), .halves = half };
	rc = cm_write32(t, FPB_COMP(i), comp);
	if (rc)
		t->fpb[i].used = false;
	return rc;
}

static int cm_fpb_remove(struct swdd_target *t, uint32_t addr)
{
	unsigned half;
	int slot = cm_fpb_find(t, addr, &half);

	if (slot < 0 || !(t->fpb[slot].halves & half))
		return 0;
	t->fpb[slot].halves &= ~half;
	if (!t->fpb[slot].halves)
		t->fpb[slot].used = false;
	return cm_fpb_write(t, (unsigned)slot, t->fpb[slot].halves);
}

static bool cm_fpb_covers(const struct swdd_target *t, uint32_t addr)
{
	unsigned half;
	int slot = cm_fpb_find(t, addr, &half);

	return slot >= 0 && (t->fpb[slot].halves & half);
}

/* ---- software breakpoints ------------------------------------------------ */

static struct cm_swbp *cm_swbp_find(const struct swdd_target *t, uint32_t addr)
{
	struct cm_swbp *b;

	for (b = t->swbps; b; b = b->next)
		if (b->addr == addr)
			return b;
	return NULL;
}

/* Writes 2 bytes of code the core may have cached: on a Cortex-M7 the
 * D-cache line is cleaned and invalidated first (a dirty line would be
 * written back over the new code), the I-cache line invalidated after
 * (cortex_m_cache.c). */
static int cm_write_code(struct swdd_target *t, uint32_t addr, const uint8_t *code)
{
	int rc = cm_cache_before_write(t, addr, 2);

	if (rc == 0)
		rc = swdd_probe_write_mem(t->probe, addr, code, 2);
	return rc ? rc : cm_cache_after_write(t, addr, 2);
}

static int cm_write_bkpt(struct swdd_target *t, uint32_t addr)
{
	const uint8_t bkpt[2] = { THUMB_BKPT & 0xFFU, THUMB_BKPT >> 8 };
	uint8_t back[2];
	int rc = cm_write_code(t, addr, bkpt);

	if (rc == 0)
		rc = swdd_probe_read_mem(t->probe, addr, back, 2);
	if (rc == 0 && memcmp(back, bkpt, 2) != 0)
		rc = swdd_err_set(SWDD_EVERIFY, "memory at 0x%08x did not take the BKPT instruction", addr);
	return rc;
}

static int cm_swbp_add(struct swdd_target *t, uint32_t addr)
{
	struct cm_swbp *b;
	int rc;

	if (cm_swbp_find(t, addr))
		return 0;
	b = calloc(1, sizeof(*b));
	if (!b)
		return swdd_err_set(SWDD_ENOMEM, "out of memory for a breakpoint");
	b->addr = addr;
	rc = cm_cache_before_read(t, addr, 2);
	if (rc == 0)
		rc = swdd_probe_read_mem(t->probe, addr, b->orig, 2);
	if (rc == 0)
		rc = cm_write_bkpt(t, addr);
	if (rc) {
		(void)cm_write_code(t, addr, b->orig); /* best effort: the error above counts */
		free(b);
		return rc;
	}
	b->next = t->swbps;
	t->swbps = b;
	return 0;
}

static int cm_swbp_remove(struct swdd_target *t, uint32_t addr)
{
	struct cm_swbp **pp, *b;
	int rc;

	for (pp = &t->swbps; *pp && (*pp)->addr != addr; pp = &(*pp)->next)
		;
	b = *pp;
	if (!b)
		return 0;
	*pp = b->next;
	rc = cm_write_code(t, addr, b->orig);
	free(b);
	return rc;
}

/* RAM is where SRAM lives on every Cortex-M (the SRAM region of the ARMv7-M
 * memory map, B3.1); below it is code memory (flash, system memory, OTP)
 * and, on some parts, RAM the part's row lists (the H7's ITCM). */
static bool cm_is_ram(const struct swdd_target *t, uint32_t addr)
{
	const struct stm32_part *p = t->chip.part;

	if (addr >= 0x20000000U && addr < 0x40000000U)
		return true;
	for (size_t i = 0; p && i < STM32_MAX_RAMS && p->rams[i].name; i++)
		if (p->rams[i].executable && addr - p->rams[i].base < p->rams[i].size)
			return true;
	return false;
}

static int cm_check_kind(uint32_t addr, unsigned kind)
{
	if (kind != 2 && kind != 3 && kind != 4)
		return swdd_err_set(SWDD_EINVAL, "breakpoint kind %u is not a Thumb kind (2, 3 or 4)", kind);
	if (addr & 1U)
		return swdd_err_set(SWDD_EINVAL, "breakpoint address 0x%08x is not halfword aligned", addr);
	return 0;
}

int swdd_target_bp_add(struct swdd_target *t, enum swdd_bp_type type, uint32_t addr, unsigned kind)
{
	int rc = cm_check_kind(addr, kind);

	if (rc || (rc = cm_rearm(t)))
		return rc;
	if (type == SWDD_BP_SW && cm_is_ram(t, addr)) {
		rc = cm_swbp_add(t, addr);
		if (rc != SWDD_EVERIFY || t->fpb_rev == 0)
			return rc;
		swdd_info("0x%08x is not writable RAM; using a hardware breakpoint", addr);
	}
	return cm_fpb_add(t, addr);
}

int swdd_target_bp_remove(struct swdd_target *t, enum swdd_bp_type type, uint32_t addr, unsigned kind)
{
	int rc = cm_check_kind(addr, kind);

	(void)type; /* a Z0 may have been placed in the FPB: look in both */
	if (rc)
		return rc;
	if (cm_swbp_find(t, addr))
		return cm_swbp_remove(t, addr);
	return cm_fpb_remove(t, addr);
}

bool cm_bp_at(const struct swdd_target *t, uint32_t addr)
{
	return cm_swbp_find(t, addr) || cm_fpb_covers(t, addr);
}

enum swdd_stop_reason cm_bp_classify(struct swdd_target *t, uint32_t pc)
{
	if (cm_swbp_find(t, pc))
		return SWDD_STOP_SWBREAK;
	if (cm_fpb_covers(t, pc))
		return SWDD_STOP_HWBREAK;
	return SWDD_STOP_BKPT_INSN;
}

int cm_bp_suspend(struct swdd_target *t, uint32_t addr, bool *had)
{
	struct cm_swbp *b = cm_swbp_find(t, addr);
	unsigned half;
	int slot;

	*had = false;
	if (b) {
		*had = true;
		return cm_write_code(t, addr, b->orig);
	}
	slot = cm_fpb_find(t, addr, &half);
	if (slot < 0 || !(t->fpb[slot].halves & half))
		return 0;
	*had = true;
	return cm_fpb_write(t, (unsigned)slot, t->fpb[slot].halves & ~half);
}

int cm_bp_restore(struct swdd_target *t, uint32_t addr)
{
	unsigned half;
	int slot;

	if (cm_swbp_find(t, addr))
		return cm_write_bkpt(t, addr);
	slot = cm_fpb_find(t, addr, &half);
	return slot < 0 ? 0 : cm_fpb_write(t, (unsigned)slot, t->fpb[slot].halves);
}

static bool cm_overlap(uint32_t a, size_t alen, uint32_t b, size_t blen, uint32_t *from, uint32_t *to)
{
	uint64_t lo = a > b ? a : b, hi_a = (uint64_t)a + alen, hi_b = (uint64_t)b + blen;
	uint64_t hi = hi_a < hi_b ? hi_a : hi_b;

	*from = (uint32_t)lo;
	*to = (uint32_t)hi;
	return lo < hi;
}

void cm_bp_mask_read(struct swdd_target *t, uint32_t addr, void *buf, size_t len)
{
	uint32_t from, to;

	for (struct cm_swbp *b = t->swbps; b; b = b->next)
		if (cm_overlap(addr, len, b->addr, 2, &from, &to))
			memcpy((uint8_t *)buf + (from - addr), b->orig + (from - b->addr), to - from);
}

int cm_bp_after_write(struct swdd_target *t, uint32_t addr, const void *buf, size_t len)
{
	uint32_t from, to;
	int rc = 0;

	for (struct cm_swbp *b = t->swbps; b && rc == 0; b = b->next) {
		if (!cm_overlap(addr, len, b->addr, 2, &from, &to))
			continue;
		memcpy(b->orig + (from - b->addr), (const uint8_t *)buf + (from - addr), to - from);
		rc = cm_write_bkpt(t, b->addr);
	}
	return rc;
}

/* ---- DWT watchpoints ------------------------------------------------------ */

static int cm_dwt_find(const struct swdd_target *t, enum swdd_wp_type type, uint32_t addr, uint32_t len)
{
	for (unsigned i = 0; i < t->dwt_num; i++)
		if (t->dwt[i].used && t->dwt[i].type == type && t->dwt[i].addr == addr &&
		    t->dwt[i].len == len)
			return (int)i;
	return -1;
}

static int cm_dwt_program(struct swdd_target *t, unsigned i, uint32_t addr, uint32_t mask, uint32_t fn)
{
	int rc = cm_write32(t, DWT_FUNCTION(i), 0);

	if (rc == 0)
		rc = cm_write32(t, DWT_COMP(i), addr);
	if (rc == 0 && !t->v8m)
		rc = cm_write32(t, DWT_MASK(i), mask);
	if (rc == 0)
		rc = cm_write32(t, DWT_FUNCTION(i), fn);
	return rc;
}

int swdd_target_wp_add(struct swdd_target *t, enum swdd_wp_type type, uint32_t addr, uint32_t len)
{
	uint32_t mask, fn;
	unsigned i;
	int rc = cm_dwt_encode(t->v8m, type, addr, len, t->dwt_max_mask, &mask, &fn);

	if (rc || (rc = cm_rearm(t)) || cm_dwt_find(t, type, addr, len) >= 0)
		return rc;
	for (i = 0; i < t->dwt_num && t->dwt[i].used; i++)
		;
	if (i == t->dwt_num)
		return swdd_err_set(SWDD_EBUSY,
				    "all %u watchpoints (DWT comparators) are in use; delete one first",
				    t->dwt_num);
	rc = cm_dwt_program(t, i, addr, mask, fn);
	if (rc == 0)
		t->dwt[i] = (struct cm_dwt_slot){ .used = true, .type = type, .addr = addr, .len = len };
	return rc;
}

int swdd_target_wp_remove(struct swdd_target *t, enum swdd_wp_type type, uint32_t addr, uint32_t len)
{
	int i = cm_dwt_find(t, type, addr, len);

	if (i < 0)
		return 0;
	t->dwt[i].used = false;
	return cm_write32(t, DWT_FUNCTION((unsigned)i), 0);
}

int cm_dwt_matched(struct swdd_target *t, struct swdd_stop *stop)
{
	static const enum swdd_stop_reason why[] = { [SWDD_WP_WRITE] = SWDD_STOP_WATCH,
						     [SWDD_WP_READ] = SWDD_STOP_RWATCH,
						     [SWDD_WP_ACCESS] = SWDD_STOP_AWATCH };
	uint32_t fn[DWT_MAX_COMP] = { 0 };
	int rc = 0;

	for (unsigned i = 0; i < t->dwt_num && rc == 0; i++)
		if (t->dwt[i].used)
			rc = swdd_probe_queue_read32(t->probe, DWT_FUNCTION(i), &fn[i]);
	if (rc == 0)
		rc = swdd_probe_flush(t->probe);
	if (rc)
		return rc;
	for (unsigned i = 0; i < t->dwt_num; i++) {
		if (t->dwt[i].used && (fn[i] & DWT_FUNCTION_MATCHED)) {
			stop->reason = why[t->dwt[i].type];
			stop->addr = t->dwt[i].addr;
			return 0;
		}
	}
	swdd_warn("DWT debug event without a matched watchpoint comparator; reporting a halt");
	stop->reason = SWDD_STOP_HALT;
	stop->addr = 0;
	return 0;
}

/* ---- clean-up ----------------------------------------------------------- */

void swdd_target_clear_points(struct swdd_target *t)
{
	while (t->swbps)
		if (cm_swbp_remove(t, t->swbps->addr))
			swdd_warn("could not restore the instruction under a breakpoint: %s",
				  swdd_err_detail());
	for (unsigned i = 0; i < t->fpb_num; i++) {
		if (t->fpb[i].used)
			(void)cm_write32(t, FPB_COMP(i), 0);
		t->fpb[i].used = false;
	}
	for (unsigned i = 0; i < t->dwt_num; i++) {
		if (t->dwt[i].used)
			(void)cm_write32(t, DWT_FUNCTION(i), 0);
		t->dwt[i].used = false;
	}
}

int cm_bp_restore_found(struct swdd_target *t)
{
	int rc = 0;

	swdd_target_clear_points(t);
	if (!t->fpb_enabled_at_connect)
		rc = cm_write32(t, FPB_CTRL, FPB_CTRL_KEY);
	return rc;
}
