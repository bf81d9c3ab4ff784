/*
 * The region table every family's memory map is, and the core's view of
 * the flash (sim_soc.h).
 */
#include "sim_soc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct sim_region *sim_region_find(const struct sim_region *r, size_t n, uint32_t addr, unsigned size)
{
	for (size_t i = 0; i < n; i++)
		if (addr >= r[i].base && addr - r[i].base + size <= r[i].size)
			return &r[i];
	return NULL;
}

int sim_regions_map(sim_chip *c, const struct sim_region *r, size_t n, sim_region_map_fn map, char *err,
		    size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		uc_err e = map(c, &r[i]);

		if (e) {
			snprintf(err, errlen, "mapping 0x%08x: %s", r[i].base, uc_strerror(e));
			return -1;
		}
	}
	return 0;
}

void sim_regions_reset(sim_chip *c, const struct sim_region *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].reset_zero)
			sim_mem_fill(c, r[i].base, r[i].size, 0);
}

/* ---- the core's view of the flash ---------------------------------------- */

int sim_view_init(struct sim_view *v, uint32_t size, uint32_t base, uint32_t alias_base)
{
	memset(v, 0, sizeof(*v));
	v->bytes = aligned_alloc(0x1000u, size);
	v->size = size;
	v->bases[0] = base;
	v->bases[1] = alias_base;
	v->nbases = alias_base != base ? 2 : 1;
	return v->bytes ? 0 : -1;
}

void sim_view_free(struct sim_view *v)
{
	free(v->bytes);
	v->bytes = NULL;
}

void sim_view_code_changed(sim_chip *c, struct sim_view *v, uint32_t off, uint32_t len)
{
	if (!len)
		return;
	if (v->running) {
		if (v->stale_hi <= v->stale_lo || off < v->stale_lo)
			v->stale_lo = off;
		if (off + len > v->stale_hi)
			v->stale_hi = off + len;
		return;
	}
	for (unsigned i = 0; i < v->nbases; i++)
		sim_core_code_changed(c, v->bases[i] + off, len);
}

void sim_view_changed(sim_chip *c, struct sim_view *v, const uint8_t *truth, uint32_t off, uint32_t len)
{
	memcpy(v->bytes + off, truth + off, len);
	sim_view_code_changed(c, v, off, len);
}

void sim_view_fixup(sim_chip *c, struct sim_view *v, const uint8_t *truth)
{
	if (!v->fix_len)
		return;
	memcpy(v->bytes + v->fix_off, truth + v->fix_off, v->fix_len);
	sim_view_code_changed(c, v, v->fix_off, v->fix_len);
	v->fix_len = 0;
}

void sim_view_store(sim_chip *c, struct sim_view *v, const uint8_t *truth, uint32_t off, int size)
{
	sim_view_fixup(c, v, truth);
	v->fix_off = off;
	v->fix_len = off + (uint32_t)size <= v->size ? (uint32_t)size : v->size - off;
}

void sim_view_running(sim_chip *c, struct sim_view *v, bool running, const uint8_t *truth)
{
	v->running = running;
	if (running)
		return;
	sim_view_fixup(c, v, truth);
	if (v->stale_hi > v->stale_lo)
		sim_view_code_changed(c, v, v->stale_lo, v->stale_hi - v->stale_lo);
	v->stale_lo = v->stale_hi = 0;
}
