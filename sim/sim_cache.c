/*
 * The Cortex-M7 L1 caches as a debugger meets them (Cortex-M7 TRM (DDI0489)
 * chapter 5 "Memory system"; ARMv7-M B2.2.7 cache maintenance operations,
 * B3.2.2 / B4.8 CCR.IC/DC, CLIDR, CTR, CCSIDR, CSSELR). Only chips whose row
 * has core.caches set use it (the STM32H7; sizes from the row: 16 + 16 KiB
 * on the H743, DS12110 3.3; 32 + 32 KiB on the H725, DS13313 3.3).
 *
 * What is modelled:
 * - I-cache (CCR.IC = 1): code the debugger or the flash controller
 *   changes is not seen by the core until ICIALLU or ICIMVAU covers it (or
 *   IC is cleared). Unicorn's translated blocks stand for the cached lines:
 *   their removal (sim_core_code_changed) is deferred while IC is set.
 * - D-cache (CCR.DC = 1), write-back write-allocate as the default memory
 *   map gives the SRAM region 0x20000000-0x3FFFFFFF (ARMv7-M B3.1), over the
 *   row's cacheable window (the H7's AXI SRAM, SRAM1-4; the TCMs are never
 *   cached): a core store makes its 32-byte line dirty. Unicorn's memory is
 *   the cache's view; the line's memory content is kept here. A
 *   non-cacheable debugger access (AHB-AP CSW HPROT[3] = 0) sees and
 *   updates the memory copy; a cacheable one (HPROT[3] = 1, what OpenOCD
 *   sets on the H7) sees the cache, as the M7 looks up AHBD accesses in the
 *   D-cache (TRM 5.x). DCCMVAC/DCCIMVAC/DCCSW/DCCISW clean (memory takes
 *   the line), DCIMVAC/DCISW discard it (the core sees memory again). A
 *   set that overflows its ways writes back its oldest dirty line.
 * Not modelled: clean lines (a debugger's non-cacheable write to memory a
 * clean line holds is seen by the core at once; on silicon only after an
 * invalidate), read allocation, the I-cache keeping code longer than
 * Unicorn's translation cache (which may drop a block early), dirty lines
 * surviving CCR.DC = 0 (kept dirty here, the core keeps seeing its data),
 * and the few instructions after a CPU's CCR.DC write that run before the
 * store hook is installed (end of the translated block).
 */
#include "sim_core_internal.h"

#include <stdlib.h>
#include <string.h>

#define CACHE_LINE 32U
#define CACHE_DWAYS 4U /* Cortex-M7 TRM 5.x: D-cache 4-way, I-cache 2-way */
#define CACHE_IWAYS 2U
#define CCR_DC (1U << 16) /* ARMv7-M B3.2.8 */
#define CCR_IC (1U << 17)
#define CCR_BP (1U << 18)

/* ARMv7-M B4.8 system register addresses. */
#define SCS_CLIDR 0xE000ED78U
#define SCS_CTR 0xE000ED7CU
#define SCS_CCSIDR 0xE000ED80U
#define SCS_CSSELR 0xE000ED84U
#define SCS_ICIALLU 0xE000EF50U
#define SCS_ICIMVAU 0xE000EF58U
#define SCS_DCIMVAC 0xE000EF5CU
#define SCS_DCISW 0xE000EF60U
#define SCS_DCCMVAU 0xE000EF64U
#define SCS_DCCMVAC 0xE000EF68U
#define SCS_DCCSW 0xE000EF6CU
#define SCS_DCCIMVAC 0xE000EF70U
#define SCS_DCCISW 0xE000EF74U
#define SCS_BPIALL 0xE000EF78U

struct cache_line {
	bool dirty;
	uint32_t addr;           /* line address */
	uint64_t age;            /* allocation order */
	uint8_t mem[CACHE_LINE]; /* what memory holds under the dirty line */
};

struct sim_cache {
	unsigned sets; /* D-cache sets */
	uint32_t csselr;
	uint64_t clock;
	bool hooked;
	uc_hook hook;
	struct cache_line *lines; /* sets x CACHE_DWAYS */
};

static bool cache_present(const sim_chip *c)
{
	return c->desc->core.caches && c->core->cache;
}

int sim_cache_init(sim_chip *c)
{
	struct sim_cache *k;

	if (!c->desc->core.caches)
		return 0;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -1;
	k->sets = c->desc->core.dcache_kib * 1024U / CACHE_LINE / CACHE_DWAYS;
	k->lines = calloc(k->sets * CACHE_DWAYS, sizeof(*k->lines));
	if (!k->lines) {
		free(k);
		return -1;
	}
	c->core->cache = k;
	return 0;
}

void sim_cache_free(sim_chip *c)
{
	if (!c->core || !c->core->cache)
		return;
	free(c->core->cache->lines);
	free(c->core->cache);
	c->core->cache = NULL;
}

uint32_t sim_cache_ccr_bits(const sim_chip *c)
{
	return c->desc->core.caches ? CCR_DC | CCR_IC : 0;
}

static bool dc_on(const sim_chip *c)
{
	return cache_present(c) && (c->core->ccr & CCR_DC);
}

static bool ic_on(const sim_chip *c)
{
	return cache_present(c) && (c->core->ccr & CCR_IC);
}

static struct cache_line *line_find(sim_chip *c, uint32_t addr)
{
	struct sim_cache *k = c->core->cache;
	uint32_t la = addr & ~(CACHE_LINE - 1U), set = (la / CACHE_LINE) % k->sets;

	for (unsigned w = 0; w < CACHE_DWAYS; w++) {
		struct cache_line *l = &k->lines[set * CACHE_DWAYS + w];

		if (l->dirty && l->addr == la)
			return l;
	}
	return NULL;
}

/* Discards the line's cached data: the core sees memory again. */
static void line_discard(sim_chip *c, struct cache_line *l)
{
	uc_mem_write(c->uc, l->addr, l->mem, CACHE_LINE);
	l->dirty = false;
}

/* A core store is about to hit the line of `addr` (write-allocate). */
static void line_allocate(sim_chip *c, uint32_t addr)
{
	struct sim_cache *k = c->core->cache;
	uint32_t la = addr & ~(CACHE_LINE - 1U), set = (la / CACHE_LINE) % k->sets;
	struct cache_line *victim = NULL;

	if (line_find(c, la))
		return;
	for (unsigned w = 0; w < CACHE_DWAYS; w++) {
		struct cache_line *l = &k->lines[set * CACHE_DWAYS + w];

		if (!l->dirty) {
			victim = l;
			break;
		}
		if (!victim || l->age < victim->age)
			victim = l; /* the oldest is written back: memory takes it */
	}
	if (uc_mem_read(c->uc, la, victim->mem, CACHE_LINE))
		return;
	victim->dirty = true;
	victim->addr = la;
	victim->age = ++k->clock;
}

/* UC_HOOK_MEM_WRITE runs before the store lands (measured). */
static void cache_store_hook(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
			     void *user)
{
	sim_chip *c = user;

	(void)uc, (void)type, (void)value;
	if (!dc_on(c))
		return;
	line_allocate(c, (uint32_t)addr);
	line_allocate(c, (uint32_t)addr + (uint32_t)size - 1U);
}

/* Between slices: the store hook exists only while the D-cache is on. */
void sim_cache_sync(sim_chip *c)
{
	struct sim_cache *k = cache_present(c) ? c->core->cache : NULL;
	const struct sim_core_desc *d = &c->desc->core;

	if (!k || dc_on(c) == k->hooked)
		return;
	if (k->hooked) {
		uc_hook_del(c->uc, k->hook);
		k->hooked = false;
		return;
	}
	k->hooked = !uc_hook_add(c->uc, &k->hook, UC_HOOK_MEM_WRITE, cache_store_hook, c, d->cache_lo,
				 d->cache_hi);
}

/* ---- the debugger's view ------------------------------------------------ */

bool sim_cache_mem_read(sim_chip *c, uint32_t addr, unsigned size, uint32_t *val)
{
	struct cache_line *l = cache_present(c) ? line_find(c, addr) : NULL;
	uint32_t v = 0;

	if (!l || (addr & (CACHE_LINE - 1U)) + size > CACHE_LINE)
		return false;
	memcpy(&v, l->mem + (addr & (CACHE_LINE - 1U)), size);
	*val = v;
	return true;
}

bool sim_cache_mem_write(sim_chip *c, uint32_t addr, unsigned size, uint32_t val)
{
	struct cache_line *l = cache_present(c) ? line_find(c, addr) : NULL;

	if (!l || (addr & (CACHE_LINE - 1U)) + size > CACHE_LINE)
		return false;
	memcpy(l->mem + (addr & (CACHE_LINE - 1U)), &val, size);
	return true;
}

/* ---- I-cache -------------------------------------------------------------- */

/* Code changed at [addr, addr+len): with the I-cache on, the core keeps the
 * old instructions (returns true: the caller must not drop them). */
bool sim_cache_keep_code(sim_chip *c, uint32_t addr, uint32_t len)
{
	const struct sim_core_desc *d = &c->desc->core;
	bool flash = addr >= c->flash_base && addr - c->flash_base < c->flash_size;

	(void)len;
	/* the TCMs are never cached (TRM 5.x): only flash and the SRAMs */
	return ic_on(c) && (flash || (addr >= d->cache_lo && addr <= d->cache_hi));
}

static void ic_invalidate(sim_chip *c, uint32_t addr, uint32_t len)
{
	uc_ctl_remove_cache(c->uc, addr, (uint64_t)addr + len);
	c->core->blk_gen++;
}

/* CCR.IC cleared: the core fetches from memory again, so all kept code
 * goes. CCR.DC changed by the core: stop at the end of the block so the
 * store hook follows before the next slice. */
void sim_cache_ccr_written(sim_chip *c, uint32_t old, bool cpu)
{
	uint32_t now = c->core->ccr;

	if (!cache_present(c))
		return;
	if ((old & CCR_IC) && !(now & CCR_IC))
		ic_invalidate(c, 0, 0xFFFFFFFFU);
	if (cpu && ((old ^ now) & CCR_DC))
		sim_core_request_stop(c, SIM_EV_PEND);
}

/* ---- registers ------------------------------------------------------------ */

/* CCSIDR (B4.8.3): WT WB RA WA, NumSets-1 [27:13], Associativity-1 [12:3],
 * LineSize = log2(words) - 2 = 1 for 32 bytes. */
static uint32_t ccsidr(const sim_chip *c, bool icache)
{
	unsigned kib = icache ? c->desc->core.icache_kib : c->desc->core.dcache_kib;
	unsigned ways = icache ? CACHE_IWAYS : CACHE_DWAYS;
	unsigned sets = kib * 1024U / CACHE_LINE / ways;

	return 0xF0000000U | ((sets - 1U) << 13) | ((ways - 1U) << 3) | 1U;
}

bool sim_cache_scs_read(sim_chip *c, uint32_t addr, uint32_t *v)
{
	if (!cache_present(c))
		return false;
	switch (addr) {
	case SCS_CLIDR:
		*v = 0x09000003U;
		return true; /* LoUU/LoC 1, L1 I+D (TRM 5.x) */
	case SCS_CTR:
		*v = 0x8303C003U;
		return true; /* ARMv7 format, 32-byte lines */
	case SCS_CCSIDR:
		*v = ccsidr(c, c->core->cache->csselr & 1U);
		return true;
	case SCS_CSSELR:
		*v = c->core->cache->csselr;
		return true;
	default:
		return false;
	}
}

/* Set/way operand (B4.8.x): way in [31:30] (4 ways), set from bit 5. */
static struct cache_line *line_by_setway(sim_chip *c, uint32_t v)
{
	struct sim_cache *k = c->core->cache;
	uint32_t set = (v >> 5) % k->sets, way = v >> 30;
	struct cache_line *l = &k->lines[set * CACHE_DWAYS + way];

	return l->dirty ? l : NULL;
}

static void dc_op(sim_chip *c, uint32_t addr, uint32_t v)
{
	bool setway = addr == SCS_DCISW || addr == SCS_DCCSW || addr == SCS_DCCISW;
	struct cache_line *l = setway ? line_by_setway(c, v) : line_find(c, v);

	if (!l)
		return;
	if (addr == SCS_DCIMVAC || addr == SCS_DCISW)
		line_discard(c, l);
	else
		l->dirty = false; /* cleaned (to PoU = PoC here): memory holds the line */
}

bool sim_cache_scs_write(sim_chip *c, uint32_t addr, uint32_t v)
{
	if (!cache_present(c))
		return false;
	switch (addr) {
	case SCS_CSSELR:
		c->core->cache->csselr = v & 1U;
		return true;
	case SCS_ICIALLU:
		ic_invalidate(c, 0, 0xFFFFFFFFU);
		return true;
	case SCS_ICIMVAU:
		ic_invalidate(c, v & ~(CACHE_LINE - 1U), CACHE_LINE);
		return true;
	case SCS_BPIALL:
		return true;
	case SCS_DCIMVAC:
	case SCS_DCISW:
	case SCS_DCCMVAU:
	case SCS_DCCMVAC:
	case SCS_DCCSW:
	case SCS_DCCIMVAC:
	case SCS_DCCISW:
		dc_op(c, addr, v);
		return true;
	default:
		return false;
	}
}

/* Reset: CCR.IC/DC clear (the caller resets CCR); dirty data is lost, so
 * the core's view goes back to memory. */
void sim_cache_reset(sim_chip *c)
{
	struct sim_cache *k = cache_present(c) ? c->core->cache : NULL;

	if (!k)
		return;
	for (unsigned i = 0; i < k->sets * CACHE_DWAYS; i++)
		if (k->lines[i].dirty)
			line_discard(c, &k->lines[i]);
	k->csselr = 0;
}
