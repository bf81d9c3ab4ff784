/*
 * The STM32F4 adaptive real-time memory accelerator (ART), after RM0090
 * (Rev 19) 3.4 "Read interface" and 3.5 (FLASH_ACR, RM0090 3.9.1): an
 * instruction cache of 64 lines and a data cache of 8 lines, 128 bits each,
 * between the flash array and the core's I-code and D-code buses.
 *
 * What the manual says and the model does:
 * - the caches are not updated by an erase or a program: a line filled
 *   before keeps the old bytes until it is reset or evicted (LRU here);
 * - ICRST / DCRST reset (invalidate) a cache, and work only while that
 *   cache is disabled (ICEN / DCEN = 0); otherwise the write has no effect;
 * - a system reset clears FLASH_ACR (caches off) and, in the model, every
 *   line; a core reset (VECTRESET) leaves both (sim_flash_f4.c).
 *
 * Which reads go through it. RM0090 3.4 puts the ART on the I-code and
 * D-code buses; the Cortex-M4 TRM (2.3.1, "Bus interfaces") says the D-code
 * bus carries "data and debug accesses to Code memory space": the AHB-AP's
 * reads of 0x08000000 (and of the alias at 0) leave the core on D-code, so
 * they meet the data cache like a core load does. That is what the user
 * report of a verify reading "0xDE instead of 0xDD" after only a core reset
 * shows. The manual does not say whether the ART tells debug accesses
 * apart; the knob `art-debug-bypass` sends the AHB-AP's reads past it.
 * Instruction fetches (Unicorn's translated blocks in flash) fill the
 * instruction cache, core loads and AP reads the data cache.
 *
 * Model limits: the core reads one view of the array (sim_f407.c), which
 * shows a valid data line while DCEN is set, else a valid instruction line
 * while ICEN is set, else the array: a load hitting only a stale
 * instruction line sees that line (silicon would read the array), a fetch
 * hitting only a stale data line sees that one. The prefetch buffer
 * (PRFTEN) has no effect: the lab keeps no wait-state timing (LATENCY only
 * decides whether the array can be read at all, sim_flash_latency_ok).
 */
#include "sim_chip_internal.h"

#include <stdlib.h>
#include <string.h>

/* RM0090 3.9.1 FLASH_ACR. */
#define ART_ACR_ICEN (1u << 9)
#define ART_ACR_DCEN (1u << 10)
#define ART_ACR_ICRST (1u << 11)
#define ART_ACR_DCRST (1u << 12)

#define ART_LINE 16u   /* 128 bits */
#define ART_ILINES 64u /* RM0090 3.4.2: instruction cache, 64 lines */
#define ART_DLINES 8u  /* RM0090 3.4.2: data cache, 8 lines */

struct art_line {
	bool valid;
	uint32_t off; /* flash offset of the line (16-byte aligned) */
	uint8_t data[ART_LINE];
	uint64_t used; /* LRU stamp */
};

/* One cache: its lines and the FLASH_ACR bits that enable and reset it. */
struct art_cache {
	struct art_line *line;
	unsigned n;
	uint32_t en, rst;
};

struct sim_art {
	struct art_line i_lines[ART_ILINES], d_lines[ART_DLINES];
	struct art_cache icache, dcache;
	uint64_t stamp;
};

struct sim_art *sim_art_new(void)
{
	struct sim_art *a = calloc(1, sizeof(struct sim_art));

	if (a) {
		a->icache = (struct art_cache){ a->i_lines, ART_ILINES, ART_ACR_ICEN, ART_ACR_ICRST };
		a->dcache = (struct art_cache){ a->d_lines, ART_DLINES, ART_ACR_DCEN, ART_ACR_DCRST };
	}
	return a;
}

void sim_art_free(struct sim_art *a)
{
	free(a);
}

/* Refreshes the core's view of every valid line of a cache (after the
 * cache's lines or its enable changed). */
static void art_refresh(sim_chip *c, const struct art_cache *k)
{
	for (unsigned i = 0; i < k->n; i++)
		if (k->line[i].valid)
			sim_f407_flash_changed(c, k->line[i].off, ART_LINE);
}

/* Drops every line of a cache; the core sees the array again there. */
static void art_invalidate(sim_chip *c, struct art_cache *k)
{
	for (unsigned i = 0; i < k->n; i++) {
		if (!k->line[i].valid)
			continue;
		k->line[i].valid = false;
		sim_f407_flash_changed(c, k->line[i].off, ART_LINE);
	}
}

void sim_art_reset(sim_chip *c, struct sim_art *a)
{
	art_invalidate(c, &a->icache);
	art_invalidate(c, &a->dcache);
}

/* RM0090 3.9.1: xCRST resets a cache only while its xCEN = 0. Turning a
 * cache on or off changes what the core's view shows (lines or array). */
static void art_cache_acr(sim_chip *c, struct art_cache *k, uint32_t old_acr, uint32_t acr)
{
	if ((acr & k->rst) && !(acr & k->en))
		art_invalidate(c, k);
	else if ((old_acr ^ acr) & k->en)
		art_refresh(c, k);
}

void sim_art_acr_written(sim_chip *c, struct sim_art *a, uint32_t old_acr, uint32_t acr)
{
	art_cache_acr(c, &a->icache, old_acr, acr);
	art_cache_acr(c, &a->dcache, old_acr, acr);
}

static struct art_line *art_lookup(const struct art_cache *k, uint32_t line_off)
{
	for (unsigned i = 0; i < k->n; i++)
		if (k->line[i].valid && k->line[i].off == line_off)
			return &k->line[i];
	return NULL;
}

/* The least recently used line (or a free one) takes the array's bytes. */
static struct art_line *art_fill(struct art_cache *k, const uint8_t *array, uint32_t line_off)
{
	struct art_line *victim = &k->line[0];

	for (unsigned i = 0; i < k->n; i++) {
		if (!k->line[i].valid) {
			victim = &k->line[i];
			break;
		}
		if (k->line[i].used < victim->used)
			victim = &k->line[i];
	}
	victim->valid = true;
	victim->off = line_off;
	memcpy(victim->data, array + line_off, ART_LINE);
	return victim;
}

/* A hit refreshes the line's LRU stamp; a miss fills one. Returns the
 * line and whether it was filled. */
static struct art_line *art_access(struct sim_art *a, struct art_cache *k, const uint8_t *array,
				   uint32_t line_off, bool *filled)
{
	struct art_line *l = art_lookup(k, line_off);

	*filled = !l;
	if (!l)
		l = art_fill(k, array, line_off);
	l->used = ++a->stamp;
	return l;
}

/* A D-code read of `size` bytes at flash offset `off` (never crossing a
 * line: AHB accesses are size-aligned). With DCEN clear the array answers;
 * otherwise a hit answers from the line, a miss fills one first. */
uint32_t sim_art_dread(sim_chip *c, struct sim_art *a, uint32_t acr, uint32_t off, unsigned size)
{
	const uint8_t *array = sim_flash_array(c), *src = array + off;
	uint32_t v = 0;

	if ((acr & ART_ACR_DCEN) && !(c->cfg.faults & SIM_FAULT_ART_DEBUG_BYPASS)) {
		uint32_t line_off = off & ~(ART_LINE - 1u);
		bool filled;
		struct art_line *l = art_access(a, &a->dcache, array, line_off, &filled);

		if (filled && art_lookup(&a->icache, line_off))
			sim_f407_flash_changed(c, line_off, ART_LINE); /* D over I in the view */
		src = l->data + (off - line_off);
	}
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)src[i] << (8 * i);
	return v;
}

/* A core fetch (a translated block, I-code) or load (D-code) of
 * [off, off+size): fills the lines of the enabled cache it goes through. A
 * fill from the array changes the view only where the other cache's line
 * was shown (see "Model limits" above). */
void sim_art_core_read(sim_chip *c, struct sim_art *a, uint32_t acr, bool fetch, uint32_t off, unsigned size)
{
	struct art_cache *k = fetch ? &a->icache : &a->dcache, *other = fetch ? &a->dcache : &a->icache;
	const uint8_t *array = sim_flash_array(c);

	if (!(acr & k->en) || !size)
		return;
	for (uint32_t lo = off & ~(ART_LINE - 1u); lo < off + size && lo < c->flash_size; lo += ART_LINE) {
		bool filled;

		art_access(a, k, array, lo, &filled);
		if (filled && (acr & other->en) && art_lookup(other, lo))
			sim_f407_flash_changed(c, lo, ART_LINE);
	}
}

static void art_overlay_cache(const struct art_cache *k, uint8_t *view, uint32_t off, uint32_t len)
{
	for (unsigned i = 0; i < k->n; i++) {
		const struct art_line *l = &k->line[i];

		if (l->valid && l->off < off + len && l->off + ART_LINE > off)
			memcpy(view + l->off, l->data, ART_LINE);
	}
}

/* What the core sees of [off, off+len): the array (already in `view`),
 * then the enabled instruction cache's lines, then the enabled data
 * cache's lines on top. */
void sim_art_overlay(const struct sim_art *a, uint32_t acr, uint8_t *view, uint32_t off, uint32_t len)
{
	if (acr & ART_ACR_ICEN)
		art_overlay_cache(&a->icache, view, off, len);
	if (acr & ART_ACR_DCEN)
		art_overlay_cache(&a->dcache, view, off, len);
}
