/*
 * Firmware image files for `swdd flash` and `--sim-image`: ELF (PT_LOAD
 * segments at their physical/load addresses, through libelf), Intel HEX
 * (record types 00, 01, 02, 03, 04, 05) and raw binary at a given address.
 */
#ifndef SWDD_FLASH_IMAGE_H
#define SWDD_FLASH_IMAGE_H

#include "flash.h"

enum swdd_image_format { SWDD_IMAGE_AUTO, SWDD_IMAGE_ELF, SWDD_IMAGE_HEX, SWDD_IMAGE_BIN };

/* Loads path. bin_addr is the load address of raw binaries. Errors name
 * the file and what is wrong (SWDD_EFORMAT with the line or offset,
 * SWDD_EINVAL when it can't be opened). Overlapping data is an error. */
SWDD_MUST_CHECK int swdd_image_load(const char *path, enum swdd_image_format fmt, uint32_t bin_addr,
				    struct swdd_image *img);
/* Same, and says which format the file was read as (*found, may be NULL;
 * SWDD_IMAGE_AUTO when it was not recognised). AUTO reads ELF and Intel
 * HEX by content; a raw binary only by a .bin name (anything else is
 * refused with SWDD_EFORMAT naming the accepted formats). */
int swdd_image_load_as(const char *path, enum swdd_image_format fmt, uint32_t bin_addr,
		       struct swdd_image *img, enum swdd_image_format *found);
/* Same from memory (tests). */
SWDD_MUST_CHECK int swdd_image_parse(const uint8_t *buf, size_t len, const char *name,
				     enum swdd_image_format fmt, uint32_t bin_addr, struct swdd_image *img);
int swdd_image_parse_as(const uint8_t *buf, size_t len, const char *name, enum swdd_image_format fmt,
			uint32_t bin_addr, struct swdd_image *img, enum swdd_image_format *found);
void swdd_image_free(struct swdd_image *img);
uint64_t swdd_image_size(const struct swdd_image *img);

#endif
