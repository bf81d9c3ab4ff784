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
 * vector table (ARMv7-M ARM B1.5.3; the boot maps flash at 0, RM0090
 * 2.4): word 0 the initial SP, inside SRAM; word 1 the reset handler,
 * inside flash with bit 0 (Thumb) set, else the first instruction takes
 * an INVSTATE UsageFault.
 * Other placements and formats pass. Returns 0, or SWDD_EFORMAT with a
 * sentence saying what looks wrong (the caller offers --force). */
int fw_check_vectors(const struct swdd_image *img, enum swdd_image_format fmt,
		     const struct swdd_chip_info *c);

/* --address names where a raw binary goes; ELF and HEX files carry their
 * own addresses, so giving one there is a mistake. Returns 0 or
 * SWDD_EINVAL. */
int fw_check_address_option(const char *path, enum swdd_image_format fmt, bool address_given);

/* Sorts img's segments into views: flash (those starting in it; the
 * flash engine refuses what overruns it) and SRAM (written as GDB's load
 * writes them, never flashed). Segments elsewhere are listed in the
 * SWDD_ERANGE error (nothing may be written then); an image with no data
 * is SWDD_EFORMAT. name is the file for the messages. The views point into
 * img; free their seg arrays only. */
int fw_split(const struct swdd_image *img, const struct swdd_chip_info *c, const char *name,
	     struct swdd_image *flash, struct swdd_image *ram);

/* Whether rc says the debug port stopped answering: no ACK, a protocol
 * or AP error, endless WAIT. */
bool fw_link_lost(int rc);

/* Whether a failed reset-and-run (rc) is the firmware turning SWD off
 * again: a lost debug port (no ACK, protocol or AP error, endless WAIT)
 * on a chip that could be connected only under reset. `swdd flash` then
 * succeeds with a warning (the image was verified); `monitor reset run`
 * explains instead of failing. Any other failure is a failure. */
bool fw_swd_lost_after_run(int rc, enum swdd_connect_mode connected);

#endif
