/*
 * Is this file firmware for this chip? Checks shared by `swdd flash` and
 * `monitor program`, so that neither writes a README or a misplaced binary
 * into flash.
 */
#ifndef SWDD_FW_CHECK_H
#define SWDD_FW_CHECK_H

#include <stdbool.h>

#include "image.h"
#include "target.h"

/* A raw binary placed at the start of flash must begin with a Cortex-M
 * vector table (ARMv7-M ARM B1.5.3): word 0 the initial SP, inside SRAM;
 * word 1 the reset handler, inside flash with bit 0 (Thumb) set.
 * Other placements and formats pass. Returns 0, or SWDD_EFORMAT with a
 * sentence saying what looks wrong (the caller offers --force). */
int fw_check_vectors(const struct swdd_image *img, enum swdd_image_format fmt,
		     const struct swdd_chip_info *c);

/* --address names where a raw binary goes; ELF and HEX files carry their
 * own addresses, so giving one there is a mistake. Returns 0 or
 * SWDD_EINVAL. */
int fw_check_address_option(const char *path, enum swdd_image_format fmt, bool address_given);

#endif
