/*
 * GDB's flash protocol (GDB manual, "vFlashErase", "vFlashWrite",
 * "vFlashDone"): erase and write requests are only recorded; vFlashDone
 * commits them through the write pipeline, which skips sectors that already
 * hold the requested content, erases only what must change and verifies.
 */
#include "flash_internal.h"

#include "swdd_err.h"

#include <stdlib.h>
#include <string.h>

enum { GDB_UNTOUCHED = 0, GDB_ERASED = 1, GDB_WRITTEN = 2 };

static int gdb_begin(struct swdd_flash *f)
{
	if (f->gdb_active)
		return 0;
	f->gdb_data = malloc(f->size);
	f->gdb_state = calloc(1, f->size);
	if (!f->gdb_data || !f->gdb_state) {
		swdd_flash_gdb_abort(f);
		return SWDD_ENOMEM;
	}
	f->gdb_active = true;
	return 0;
}

static int gdb_range_ok(struct swdd_flash *f, uint32_t addr, uint32_t len)
{
	if (addr < f->base || (uint64_t)addr + len > (uint64_t)f->base + f->size)
		return swdd_err_set(SWDD_ERANGE, "0x%08X-0x%08X is outside the flash 0x%08X-0x%08X", addr,
				    addr + len - 1, f->base, f->base + f->size - 1);
	return 0;
}

int swdd_flash_gdb_erase(struct swdd_flash *f, uint32_t addr, uint32_t len)
{
	int rc = gdb_range_ok(f, addr, len);

	if (!rc)
		rc = gdb_begin(f);
	if (rc)
		return rc;
	memset(f->gdb_data + (addr - f->base), f->flm->empty, len);
	memset(f->gdb_state + (addr - f->base), GDB_ERASED, len);
	return 0;
}

int swdd_flash_gdb_write(struct swdd_flash *f, uint32_t addr, const uint8_t *data, uint32_t len)
{
	int rc = gdb_range_ok(f, addr, len);

	if (!rc)
		rc = gdb_begin(f);
	if (rc)
		return rc;
	memcpy(f->gdb_data + (addr - f->base), data, len);
	memset(f->gdb_state + (addr - f->base), GDB_WRITTEN, len);
	return 0;
}

/* Turns the recorded bytes into image segments (runs of touched bytes). */
static int gdb_collect(struct swdd_flash *f, struct swdd_image *img)
{
	size_t cap = 0;

	img->seg = NULL;
	img->n = 0;
	for (uint32_t i = 0; i < f->size;) {
		if (f->gdb_state[i] == GDB_UNTOUCHED) {
			i++;
			continue;
		}
		uint32_t j = i;
		while (j < f->size && f->gdb_state[j] != GDB_UNTOUCHED)
			j++;
		if (img->n == cap) {
			cap = cap ? cap * 2 : 8;
			struct swdd_segment *ns = realloc(img->seg, cap * sizeof(*ns));
			if (!ns)
				return SWDD_ENOMEM;
			img->seg = ns;
		}
		img->seg[img->n++] = (struct swdd_segment){ f->base + i, j - i, f->gdb_data + i };
		i = j;
	}
	return 0;
}

int swdd_flash_gdb_done(struct swdd_flash *f, struct swdd_flash_result *res)
{
	struct swdd_image img;
	struct swdd_flash_opts o = { .keep_unwritten = false };
	int rc;

	memset(res, 0, sizeof(*res));
	if (!f->gdb_active)
		return 0;
	rc = gdb_collect(f, &img);
	if (!rc)
		rc = swdd_flash_write_image(f, &img, &o, res);
	free(img.seg);
	swdd_flash_gdb_abort(f);
	return rc;
}

void swdd_flash_gdb_abort(struct swdd_flash *f)
{
	free(f->gdb_data);
	free(f->gdb_state);
	f->gdb_data = f->gdb_state = NULL;
	f->gdb_active = false;
}
