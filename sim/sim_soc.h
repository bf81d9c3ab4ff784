/*
 * The memory map of a chip family as a table of regions, and what every
 * family does with it the same way: find the region of an AP access, map
 * the table into Unicorn, clear the plain peripheral space at a system
 * reset. Used by the families' soc modules (sim_f407.c, sim_h7.c); each
 * keeps its own table and its own kinds. Not for use outside sim/.
 */
#ifndef SWDD_SIM_SOC_H
#define SWDD_SIM_SOC_H

#include "sim_internal.h"

struct sim_region {
	uint32_t base, size;
	unsigned kind;   /* the family's own enum: how the region is mapped and decoded */
	uint32_t perms;  /* Unicorn permissions of the mapping */
	bool d3;         /* also reachable through the D3 domain's AP (H7: RM0433 2.1 figure 1) */
	bool reset_zero; /* plain peripheral registers: read zero after a system reset */
};

/* The region holding all of [addr, addr+size), or NULL (a hole). */
const struct sim_region *sim_region_find(const struct sim_region *r, size_t n, uint32_t addr, unsigned size);

/*
 * Maps one region into c->uc the way its kind wants (plain memory, the
 * flash view, MMIO callbacks). Called by sim_regions_map() once per region
 * in table order; returns UC_ERR_OK or Unicorn's error.
 */
typedef uc_err (*sim_region_map_fn)(sim_chip *c, const struct sim_region *r);

/* Maps the n regions; 0, or -1 with err naming the region and Unicorn's
 * reason. */
int sim_regions_map(sim_chip *c, const struct sim_region *r, size_t n, sim_region_map_fn map, char *err,
		    size_t errlen);

/* System reset: the regions marked reset_zero read zero again. */
void sim_regions_reset(sim_chip *c, const struct sim_region *r, size_t n);

#endif
