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

/*
 * The core's copy of a flash array, the "view" (sim_f407.c's header says
 * why): mapped with uc_mem_map_ptr at each bus address of the flash, so
 * both follow one memcpy. A core store that the write-protect hook handled
 * still lands in the view: its bytes are noted (sim_view_store) and copied
 * back from the array at the next fix-up point (sim_view_fixup). The
 * translated code of flash that changed is dropped at once, or, while the
 * engine runs (a hook or an MMIO callback of a running slice, where
 * Unicorn's caches must not be touched: a store in progress still uses
 * them, measured: a crash), at the end of the slice.
 */
struct sim_view {
	uint8_t *bytes;
	uint32_t size;
	uint32_t bases[2];           /* the bus addresses it is mapped at */
	unsigned nbases;             /* 1 or 2 */
	uint32_t fix_off, fix_len;   /* view bytes a core store overwrote */
	bool running;                /* inside sim_core_run */
	uint32_t stale_lo, stale_hi; /* flash offsets whose code to drop at the end of the slice */
};

/* Allocates the view of a size-byte flash seen at base and, if alias_base
 * differs, there too (an F4's boot alias at 0). 0, or -1 out of memory. */
int sim_view_init(struct sim_view *v, uint32_t size, uint32_t base, uint32_t alias_base);
void sim_view_free(struct sim_view *v);
/* Drops (or defers, see above) the translated code of flash offsets
 * [off, off+len) at every base. */
void sim_view_code_changed(sim_chip *c, struct sim_view *v, uint32_t off, uint32_t len);
/* Flash offsets [off, off+len) of the array `truth` changed: into the view. */
void sim_view_changed(sim_chip *c, struct sim_view *v, const uint8_t *truth, uint32_t off, uint32_t len);
/* The fix-up point: the bytes the last core store left in the view get the
 * array's `truth` back. */
void sim_view_fixup(sim_chip *c, struct sim_view *v, const uint8_t *truth);
/* A core store of size bytes at flash offset off (the write-protect hook):
 * the previous one is fixed up, this one noted. */
void sim_view_store(sim_chip *c, struct sim_view *v, const uint8_t *truth, uint32_t off, int size);
/* The engine starts (running) or ends a slice; at the end the view is
 * fixed up and the deferred code dropped. */
void sim_view_running(sim_chip *c, struct sim_view *v, bool running, const uint8_t *truth);

#endif
