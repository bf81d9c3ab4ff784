/*
 * Cortex-M7 L1 caches and the debugger: the maintenance swdd does so that
 * what it writes is what the core executes and reads, and what it reads is
 * what the core wrote. ARMv7-M ARM (DDI 0403E) B2.2.7 (cache maintenance
 * operations), B3.2.8 (CCR.IC/DC), B4.8 (CLIDR, CCSIDR, CSSELR and the
 * maintenance registers at 0xE000EF50-0xE000EF78); Cortex-M7 TRM (DDI 0489)
 * chapter 4 (system control) and 5 (L1 caches: 32-byte lines).
 *
 * swdd's AHB-AP accesses are non-cacheable (CSW HPROT[3] = 0, probe/): on
 * the M7 they go to memory beside the D-cache. So:
 * - before a read of memory the D-cache may hold dirty: clean the range
 *   (DCCMVAC), so memory holds what the core wrote;
 * - before a write: clean and invalidate the range (DCCIMVAC), so a dirty
 *   line cannot later be written back over the debugger's data and the
 *   core's next load misses and sees the new data (cleaning after the
 *   write would write the stale line over it);
 * - after a write: invalidate the I-cache (ICIMVAU for a single line, as a
 *   breakpoint is, else ICIALLU: one register write either way), so the
 *   core fetches the new code.
 * Why cleaning rather than cacheable (HPROT[3] = 1) reads as OpenOCD uses
 * on the H7: it needs no probe support (ST-LINK firmware sets CSW bits only
 * from V2J32/V3J2 on), it keeps the probe layer's one CSW, and it costs
 * nothing where it is not needed: only with CCR.DC set, only for ranges in
 * the default memory map's write-back regions, one queued write per line,
 * and a whole-cache clean by set/way (sets x ways writes) for ranges
 * larger than the cache.
 *
 * Nothing is done on cores without caches (CPUID part other than 0xC27),
 * nor while CCR.IC/DC are clear, nor for ranges within a TCM the part's
 * row lists (the flash algorithm's buffers in the H7's DTCM). CCR is read
 * once per halt (it changes only when the core runs, or through a
 * debugger write of the SCB).
 */
#include "cortex_m_internal.h"
#include "probe.h"
#include "stm32/family.h"
#include "swdd_err.h"
#include "swdd_log.h"

#define SCB_CCR 0xE000ED14U /* ARMv7-M B3.2.8 */
#define SCB_CCR_DC (1U << 16)
#define SCB_CCR_IC (1U << 17)
#define SCB_CLIDR 0xE000ED78U   /* ARMv7-M B4.8.3 */
#define SCB_CCSIDR 0xE000ED80U  /* B4.8.4 */
#define SCB_CSSELR 0xE000ED84U  /* B4.8.5 */
#define SCB_ICIMVAU 0xE000EF58U /* B4.8.x, table B4-4 (maintenance) */
#define SCB_DCCMVAC 0xE000EF68U
#define SCB_DCCSW 0xE000EF6CU
#define SCB_DCCIMVAC 0xE000EF70U
#define SCB_DCCISW 0xE000EF74U
#define CLIDR_CTYPE1_I (1U << 0)                     /* B4.8.3: level 1 instruction cache */
#define CLIDR_CTYPE1_D (1U << 1)                     /* level 1 data (or unified) cache */
#define CCSIDR_LINESIZE(v) ((v)&7U)                  /* log2(words) - 2 */
#define CCSIDR_ASSOC(v) ((((v) >> 3) & 0x3FFU) + 1U) /* ways */
#define CCSIDR_SETS(v) ((((v) >> 13) & 0x7FFFU) + 1U)

/* Whether [addr, end) lies within one of the part's tightly coupled
 * memories (Cortex-M7 TRM 5.1: TCM accesses are never cached). */
static bool cm_in_tcm(const struct swdd_target *t, uint32_t addr, uint64_t end)
{
	const struct stm32_part *p = t->chip.part;

	for (size_t i = 0; p && i < STM32_MAX_RAMS && p->rams[i].name; i++)
		if (p->rams[i].tcm && addr >= p->rams[i].base &&
		    end <= (uint64_t)p->rams[i].base + p->rams[i].size)
			return true;
	return false;
}

/* ARMv7-M B3.1, default memory map: Code (write-through, never dirty),
 * SRAM 0x20000000-0x3FFFFFFF (write-back), RAM 0x60000000-0x9FFFFFFF
 * (write-back / write-through); the rest (peripherals, devices, the
 * system space) is never cached, nor are the TCMs. */
static bool cm_cache_window(const struct swdd_target *t, uint32_t addr, size_t len, bool code_too)
{
	uint64_t end = (uint64_t)addr + len;

	if (cm_in_tcm(t, addr, end))
		return false;
	if (addr < 0x40000000U && end > (code_too ? 0U : 0x20000000U))
		return true;
	return addr < 0xA0000000U && end > 0x60000000U;
}

/* Reads the L1 geometry once per connection (ARMv7-M B4.8.3-B4.8.5);
 * CSSELR is put back as found. */
static int cm_cache_probe(struct swdd_target *t)
{
	uint32_t clidr = 0, ccsidr = 0, csselr = 0;
	int rc;

	t->cache.probed = true;
	t->cache.icache = t->cache.dcache = false;
	if (t->core != CM_CORE_M7)
		return 0;
	rc = cm_read32(t, SCB_CLIDR, &clidr);
	if (rc == 0 && (clidr & CLIDR_CTYPE1_D)) {
		rc = cm_read32(t, SCB_CSSELR, &csselr);
		if (rc == 0)
			rc = cm_write32(t, SCB_CSSELR, 0); /* level 1, data */
		if (rc == 0)
			rc = cm_read32(t, SCB_CCSIDR, &ccsidr);
		if (rc == 0)
			rc = cm_write32(t, SCB_CSSELR, csselr);
	}
	if (rc) {
		t->cache.probed = false;
		return swdd_err_add(rc, "reading the Cortex-M7 cache geometry (CLIDR/CCSIDR)");
	}
	t->cache.icache = clidr & CLIDR_CTYPE1_I;
	t->cache.dcache = (clidr & CLIDR_CTYPE1_D) && ccsidr;
	t->cache.line = t->cache.dcache ? 16U << CCSIDR_LINESIZE(ccsidr) : 32U; /* TRM 5.x */
	t->cache.ways = CCSIDR_ASSOC(ccsidr);
	t->cache.sets = CCSIDR_SETS(ccsidr);
	swdd_debug("L1 caches: I %s, D %s (%u sets x %u ways x %u bytes)", t->cache.icache ? "yes" : "no",
		   t->cache.dcache ? "yes" : "no", t->cache.sets, t->cache.ways, t->cache.line);
	return 0;
}

/* CCR.IC/DC as they stand: cached while the core stays halted. */
static int cm_cache_enabled(struct swdd_target *t, uint32_t *ccr)
{
	int rc = t->cache.probed ? 0 : cm_cache_probe(t);

	*ccr = 0;
	if (rc || (!t->cache.icache && !t->cache.dcache))
		return rc;
	if (!t->halted || !t->cache.ccr_valid) {
		rc = cm_read32(t, SCB_CCR, &t->cache.ccr);
		if (rc)
			return swdd_err_add(rc, "reading CCR (are the caches on?)");
		t->cache.ccr_valid = t->halted;
	}
	*ccr = t->cache.ccr & ((t->cache.icache ? SCB_CCR_IC : 0) | (t->cache.dcache ? SCB_CCR_DC : 0));
	return 0;
}

void cm_cache_forget(struct swdd_target *t)
{
	t->cache.ccr_valid = false;
}

static unsigned cm_log2(uint32_t v)
{
	unsigned n = 0;

	while ((1U << n) < v)
		n++;
	return n;
}

/* The whole D-cache by set/way (B2.2.7: way in the top bits, set above the
 * line offset). */
static int cm_dcache_setway(struct swdd_target *t, uint32_t reg)
{
	unsigned way_shift = 32U - cm_log2(t->cache.ways), set_shift = cm_log2(t->cache.line);
	int rc = 0;

	for (uint32_t w = 0; w < t->cache.ways && rc == 0; w++)
		for (uint32_t s = 0; s < t->cache.sets && rc == 0; s++)
			rc = swdd_probe_queue_write32(
				t->probe, reg, (t->cache.ways > 1 ? w << way_shift : 0) | s << set_shift);
	return rc;
}

/* One D-cache operation over [addr, addr + len): by address, or by
 * set/way when the range has more lines than the cache. */
static int cm_dcache_range(struct swdd_target *t, uint32_t addr, size_t len, bool invalidate)
{
	uint64_t first = addr & ~(uint64_t)(t->cache.line - 1U), end = (uint64_t)addr + len;
	uint64_t lines = (end - first + t->cache.line - 1U) / t->cache.line;
	int rc = 0;

	if (lines > (uint64_t)t->cache.sets * t->cache.ways)
		rc = cm_dcache_setway(t, invalidate ? SCB_DCCISW : SCB_DCCSW);
	else
		for (uint64_t a = first; a < end && rc == 0; a += t->cache.line)
			rc = swdd_probe_queue_write32(t->probe, invalidate ? SCB_DCCIMVAC : SCB_DCCMVAC,
						      (uint32_t)a);
	if (rc == 0)
		rc = swdd_probe_flush(t->probe);
	return rc ? swdd_err_add(rc, "cleaning the Cortex-M7 D-cache") : 0;
}

/* Whether cache `bit` of CCR (DC or IC) is on for an access to
 * [addr, addr + len) that needs maintenance in the windows of
 * cm_cache_window(). */
static int cm_cache_acts(struct swdd_target *t, uint32_t addr, size_t len, bool code_too, uint32_t bit,
			 bool *on)
{
	uint32_t ccr;
	int rc;

	*on = false;
	if (t->core != CM_CORE_M7 || !cm_cache_window(t, addr, len, code_too))
		return 0;
	rc = cm_cache_enabled(t, &ccr);
	*on = rc == 0 && (ccr & bit);
	return rc;
}

/* The D-cache before a debugger access: a read needs dirty lines cleaned
 * (write-back regions only: the Code region is write-through, never
 * dirty); a write needs them cleaned and invalidated. */
static int cm_dcache_before(struct swdd_target *t, uint32_t addr, size_t len, bool write)
{
	bool on;
	int rc = cm_cache_acts(t, addr, len, write, SCB_CCR_DC, &on);

	return rc || !on ? rc : cm_dcache_range(t, addr, len, write);
}

int cm_cache_before_read(struct swdd_target *t, uint32_t addr, size_t len)
{
	return cm_dcache_before(t, addr, len, false);
}

int cm_cache_before_write(struct swdd_target *t, uint32_t addr, size_t len)
{
	return cm_dcache_before(t, addr, len, true);
}

int cm_cache_after_write(struct swdd_target *t, uint32_t addr, size_t len)
{
	bool one_line, on;
	int rc = cm_cache_acts(t, addr, len, true, SCB_CCR_IC, &on);

	if (rc || !on)
		return rc;
	one_line = len && (addr / t->cache.line) == ((addr + len - 1U) / t->cache.line);
	rc = one_line ? cm_write32(t, SCB_ICIMVAU, addr) : cm_write32(t, SCB_ICIALLU, 0);
	return rc ? swdd_err_add(rc, "invalidating the Cortex-M7 I-cache") : 0;
}

int swdd_target_mem_changed(struct swdd_target *t, uint32_t start, uint32_t end)
{
	int rc;

	if (end < start)
		return swdd_err_set(SWDD_EINVAL, "memory range [0x%08x, 0x%08x) ends before it starts", start,
				    end);
	if (end == start)
		return 0;
	rc = cm_cache_before_write(t, start, end - start);
	if (rc == 0)
		rc = cm_cache_after_write(t, start, end - start);
	return rc;
}
