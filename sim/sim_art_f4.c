/*
 * The STM32F4 adaptive real-time memory accelerator (ART), after RM0090
 * (Rev 19) 3.4 "Read interface" and 3.5 (FLASH_ACR, RM0090 3.9.1): a data
 * cache of 8 lines x 128 bits in front of the flash array on the D-code bus.
 *
 * What the manual says and the model does:
 * - the caches are not updated by an erase or a program: a line filled
 *   before keeps the old bytes until it is reset or evicted;
 * - DCRST resets (invalidates) the data cache, and works only while the
 *   cache is disabled (DCEN = 0); with DCEN = 1 the write has no effect;
 * - a system reset clears FLASH_ACR (caches off) and, in the model, every
 *   line; a core reset (VECTRESET) leaves both (sim_flash_f4.c).
 *
 * Which reads go through it. RM0090 3.4 puts the ART between the flash and
 * the core's I-code and D-code buses; the Cortex-M4 TRM (2.3.1, "Bus
 * interfaces") says the D-code bus carries "data and debug accesses to
 * Code memory space": the AHB-AP's reads of 0x08000000 (and of the alias at
 * 0) leave the core on D-code, so they meet the data cache like a core
 * load does. That is what the user report of a verify reading "0xDE
 * instead of 0xDD" after only a core reset shows. The manual does not say
 * whether the ART tells debug accesses apart; the knob `art-debug-bypass`
 * sends the AHB-AP's reads past the cache, for a part that does.
 *
 * Model limits: the instruction cache and the prefetch buffer are kept as
 * FLASH_ACR bits only (Unicorn fetches from the core's view without a
 * hook, so fetches fill nothing, and neither has a timing effect here);
 * core loads read the view, which shows the valid data-cache lines while
 * DCEN is set, but do not fill lines themselves: lines are filled by the
 * D-code reads the lab sees, the AHB-AP's.
 */
#include "sim_chip_internal.h"

#include <stdlib.h>
#include <string.h>

/* RM0090 3.9.1 FLASH_ACR. */
#define ART_ACR_DCEN (1u << 10)
#define ART_ACR_DCRST (1u << 12)

#define ART_LINE 16u    /* 128 bits */
#define ART_DLINES 8u   /* RM0090 3.4.2: 8 lines of 128 bits */

struct art_line {
	bool valid;
	uint32_t off;       /* flash offset of the line (16-byte aligned) */
	uint8_t data[ART_LINE];
	uint64_t used;      /* LRU stamp */
};

struct sim_art {
	struct art_line d[ART_DLINES];
	uint64_t stamp;
};

struct sim_art *sim_art_new(void)
{
	return calloc(1, sizeof(struct sim_art));
}

void sim_art_free(struct sim_art *a)
{
	free(a);
}

/* Drops every line and shows the core the array again where a line was. */
static void art_invalidate(sim_chip *c, struct sim_art *a)
{
	for (unsigned i = 0; i < ART_DLINES; i++) {
		if (!a->d[i].valid)
			continue;
		a->d[i].valid = false;
		sim_f407_flash_changed(c, a->d[i].off, ART_LINE);
	}
}

void sim_art_reset(sim_chip *c, struct sim_art *a)
{
	art_invalidate(c, a);
}

/* RM0090 3.9.1: DCRST resets the data cache only while DCEN = 0. Turning
 * DCEN on or off changes what the core's view shows (the lines or the
 * array), so the lines' view is refreshed. */
void sim_art_acr_written(sim_chip *c, struct sim_art *a, uint32_t old_acr, uint32_t acr)
{
	if ((acr & ART_ACR_DCRST) && !(acr & ART_ACR_DCEN)) {
		art_invalidate(c, a);
		return;
	}
	if ((old_acr ^ acr) & ART_ACR_DCEN)
		for (unsigned i = 0; i < ART_DLINES; i++)
			if (a->d[i].valid)
				sim_f407_flash_changed(c, a->d[i].off, ART_LINE);
}

static struct art_line *art_lookup(struct sim_art *a, uint32_t line_off)
{
	for (unsigned i = 0; i < ART_DLINES; i++)
		if (a->d[i].valid && a->d[i].off == line_off)
			return &a->d[i];
	return NULL;
}

/* The least recently used line (or a free one) takes the array's bytes. */
static struct art_line *art_fill(struct sim_art *a, const uint8_t *array, uint32_t line_off)
{
	struct art_line *victim = &a->d[0];

	for (unsigned i = 0; i < ART_DLINES; i++) {
		if (!a->d[i].valid) {
			victim = &a->d[i];
			break;
		}
		if (a->d[i].used < victim->used)
			victim = &a->d[i];
	}
	victim->valid = true;
	victim->off = line_off;
	memcpy(victim->data, array + line_off, ART_LINE);
	return victim;
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
		struct art_line *l = art_lookup(a, line_off);

		if (!l)
			l = art_fill(a, array, line_off);
		l->used = ++a->stamp;
		src = l->data + (off - line_off);
	}
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)src[i] << (8 * i);
	return v;
}

/* What the core's loads see of [off, off+len): the array (already in
 * `view`), with the valid lines on top while DCEN is set. */
void sim_art_overlay(const struct sim_art *a, uint32_t acr, uint8_t *view, uint32_t off,
		     uint32_t len)
{
	if (!(acr & ART_ACR_DCEN))
		return;
	for (unsigned i = 0; i < ART_DLINES; i++) {
		const struct art_line *l = &a->d[i];

		if (l->valid && l->off < off + len && l->off + ART_LINE > off)
			memcpy(view + l->off, l->data, ART_LINE);
	}
}
