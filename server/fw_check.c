/*
 * Firmware plausibility checks; see fw_check.h.
 */
#include "fw_check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "stm32/family.h"
#include "swdd_err.h"

static uint32_t fw_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool fw_within(uint32_t a, uint32_t base, uint32_t size)
{
	return a >= base && (uint64_t)a < (uint64_t)base + size;
}

static bool fw_sp_in(uint32_t sp, uint32_t base, uint32_t size)
{
	return sp > base && (uint64_t)sp <= (uint64_t)base + size;
}

/* The initial SP may be the end of SRAM itself: the stack is full
 * descending (ARMv7-M B1.5.6, a push decrements SP first). Reset loads it
 * with bits[1:0] cleared (B1.5.5), so a linker never puts an unaligned
 * value there: one means the file is not a vector table. Any RAM of the
 * part may hold the stack: an STM32H743 firmware's is usually at the top
 * of the AXI SRAM (0x24080000, RM0433 2.3.2), not in the DTCM the flash
 * algorithm runs in. */
static bool fw_sp_ok(uint32_t sp, const struct swdd_chip_info *c)
{
	if ((sp & 3u) != 0)
		return false;
	if (fw_sp_in(sp, c->sram_base, c->sram_size))
		return true;
	for (int i = 0; c->part && i < STM32_MAX_RAMS && c->part->rams[i].name; i++)
		if (fw_sp_in(sp, c->part->rams[i].base, c->part->rams[i].size))
			return true;
	return false;
}

int fw_check_vectors(const struct swdd_image *img, enum swdd_image_format fmt, const struct swdd_chip_info *c)
{
	const struct swdd_segment *s = img->n ? &img->seg[0] : NULL;
	uint32_t sp, reset;

	if (fmt != SWDD_IMAGE_BIN || !s || s->addr != c->flash_base)
		return 0;
	if (s->len < 8)
		return swdd_err_set(SWDD_EFORMAT,
				    "the raw binary is %u bytes: too short for a vector "
				    "table at 0x%08X (initial SP, reset vector)",
				    s->len, s->addr);
	sp = fw_le32(s->data);
	reset = fw_le32(s->data + 4);
	if (!fw_sp_ok(sp, c))
		return swdd_err_set(SWDD_EFORMAT,
				    "this does not look like firmware for 0x%08X: its "
				    "first word, the initial stack pointer, is 0x%08X, not a word-aligned "
				    "address in SRAM (above 0x%08X, at most 0x%08X)",
				    s->addr, sp, c->sram_base, c->sram_base + c->sram_size);
	if (!fw_within(reset & ~1u, c->flash_base, c->flash_size) || !(reset & 1u))
		return swdd_err_set(SWDD_EFORMAT,
				    "this does not look like firmware for 0x%08X: its "
				    "second word, the reset vector, is 0x%08X, %s",
				    s->addr, reset,
				    !(reset & 1u) ? "without the Thumb bit (bit 0) a Cortex-M needs"
						  : "outside the flash");
	return 0;
}

int fw_check_address_option(const char *path, enum swdd_image_format fmt, bool address_given)
{
	if (!address_given || fmt == SWDD_IMAGE_BIN)
		return 0;
	return swdd_err_set(SWDD_EINVAL,
			    "--address is for raw binaries; %s is %s, whose records "
			    "carry their own addresses (drop --address, or relink the image)",
			    path, fmt == SWDD_IMAGE_ELF ? "ELF" : "Intel HEX");
}

bool fw_link_lost(int rc)
{
	return rc == SWDD_ENOTARGET || rc == SWDD_EPROTO || rc == SWDD_EPROBE || rc == SWDD_EWAIT;
}

bool fw_swd_lost_after_run(int rc, enum swdd_connect_mode connected)
{
	return fw_link_lost(rc) && connected == SWDD_CONNECT_UNDER_RESET;
}

static bool fw_in_range(const struct swdd_segment *s, uint32_t base, uint32_t size)
{
	return s->addr >= base && (uint64_t)s->addr + s->len <= (uint64_t)base + size;
}

static int fw_add_view(struct swdd_image *v, const struct swdd_segment *s)
{
	struct swdd_segment *n = realloc(v->seg, (v->n + 1) * sizeof(*n));

	if (!n)
		return SWDD_ENOMEM;
	v->seg = n;
	v->seg[v->n++] = *s;
	return 0;
}

int fw_split(const struct swdd_image *img, const struct swdd_chip_info *c, const char *name,
	     struct swdd_image *flash, struct swdd_image *ram)
{
	char list[512] = "";
	size_t len = 0;
	unsigned bad = 0;
	int rc = 0;

	for (size_t i = 0; i < img->n && !rc; i++) {
		const struct swdd_segment *s = &img->seg[i];
		if (s->addr >= c->flash_base && s->addr < c->flash_base + c->flash_size)
			rc = fw_add_view(flash, s);
		else if (fw_in_range(s, c->sram_base, c->sram_size))
			rc = fw_add_view(ram, s);
		else if (++bad && len < sizeof(list) - 64)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s0x%08X-0x%08X",
						bad > 1 ? ", " : "", s->addr, s->addr + s->len - 1);
	}
	if (!rc && bad)
		rc = swdd_err_set(SWDD_ERANGE,
				  "%s: %u segment(s) lie outside the flash "
				  "(0x%08X-0x%08X) and SRAM (0x%08X-0x%08X): %s; nothing was written "
				  "(check the linker script's MEMORY regions)",
				  name, bad, c->flash_base, c->flash_base + c->flash_size - 1, c->sram_base,
				  c->sram_base + c->sram_size - 1, list);
	if (!rc && !flash->n && !ram->n)
		rc = swdd_err_set(SWDD_EFORMAT, "%s holds no data to load", name);
	return rc;
}
