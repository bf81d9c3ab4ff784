/*
 * A cache of the flash contents while the core is halted.
 *
 * Why: GDB 13 analyses the code around pc after every stop, with about 34
 * reads of 2 or 4 bytes per `stepi` (captured with `set debug remote 1`,
 * replayed by test/bench/bench_gdb.c). Each read is one or two USB round
 * trips, about 1 ms each on a full-speed ST-LINK/V2: 80 % of a stepi.
 *
 * What: CM_FC_LINES lines of CM_FC_LINE bytes of the chip's main flash
 * (swdd_chip_info.flash_base/flash_size; not the boot alias at 0), filled by
 * reads of at most CM_FC_MAX bytes while the core is halted. Larger reads
 * (dumps, compare-sections) go to the probe unchanged, at its bandwidth.
 *
 * When the contents are dropped (cm_invalidate(), so with the register
 * cache): at every halt, step and resume (running firmware may program its
 * own flash), at every reset, and at every memory write through the target
 * layer, which is how the flash gets erased or programmed (the algorithm's
 * code, buffers and start go through swdd_target_mem_write, then a resume;
 * a debugger write to the flash controller is a memory write too). A write
 * to the SCS may have restarted the core, so after one the cache stays off
 * until the target layer sees the next halt. The breakpoint masking of
 * swdd_target_mem_read applies to cached bytes as to any others.
 */
#include "cortex_m_internal.h"
#include "probe.h"

#include <string.h>

void cm_fc_invalidate(struct swdd_target *t)
{
	for (unsigned i = 0; i < CM_FC_LINES; i++)
		t->fc[i].valid = false;
}

bool cm_fc_cacheable(const struct swdd_target *t, uint32_t addr, size_t len)
{
	uint64_t end = (uint64_t)addr + len;

	return t->halted && !t->fc_suspended && len <= CM_FC_MAX && t->chip.flash_size &&
	       addr >= t->chip.flash_base && end <= (uint64_t)t->chip.flash_base + t->chip.flash_size;
}

/* The valid line holding `base`, or a slot refilled from the probe. */
static int fc_line(struct swdd_target *t, uint32_t base, struct cm_fc_line **out)
{
	struct cm_fc_line *l;
	int rc;

	for (unsigned i = 0; i < CM_FC_LINES; i++) {
		if (t->fc[i].valid && t->fc[i].addr == base) {
			*out = &t->fc[i];
			return 0;
		}
	}
	l = &t->fc[t->fc_next];
	t->fc_next = (t->fc_next + 1) % CM_FC_LINES;
	l->valid = false;
	rc = swdd_probe_read_mem(t->probe, base, l->data, CM_FC_LINE);
	if (rc)
		return rc;
	l->addr = base;
	l->valid = true;
	*out = l;
	return 0;
}

int cm_fc_read(struct swdd_target *t, uint32_t addr, uint8_t *buf, size_t len)
{
	while (len) {
		uint32_t base = addr & ~(CM_FC_LINE - 1U);
		uint32_t off = addr - base;
		size_t n = CM_FC_LINE - off < len ? CM_FC_LINE - off : len;
		struct cm_fc_line *l;
		int rc = fc_line(t, base, &l);

		if (rc)
			return rc;
		memcpy(buf, l->data + off, n);
		buf += n;
		addr += (uint32_t)n;
		len -= n;
	}
	return 0;
}
