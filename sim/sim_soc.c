/*
 * The region table every family's memory map is (sim_soc.h).
 */
#include "sim_soc.h"

#include <stdio.h>

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
