/*
 * Flash programming engine: erase, program and always verify, through a
 * flash algorithm running in target SRAM (algo_run.h). Used by the GDB
 * server (vFlash packets, qCRC, monitor commands) and by `swdd flash`.
 *
 * Promise: no call reports success for flash content it did not verify,
 * and a refused request (protection, out-of-range data) touches nothing.
 */
#ifndef SWDD_FLASH_H
#define SWDD_FLASH_H

#include "swdd_err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct swdd_target;
struct swdd_flash;

/* A memory image: segments at absolute addresses (image.h loads files). */
struct swdd_segment {
	uint32_t addr;
	uint32_t len;
	uint8_t *data;
};

struct swdd_image {
	struct swdd_segment *seg;
	size_t n;
};

enum swdd_flash_phase { SWDD_FLASH_CHECK, SWDD_FLASH_ERASE, SWDD_FLASH_PROGRAM, SWDD_FLASH_VERIFY };

/* Progress callback: bytes done of total in the current phase. */
typedef void (*swdd_flash_progress_fn)(void *ctx, enum swdd_flash_phase ph, uint64_t done, uint64_t total);

struct swdd_flash_opts {
	bool keep_unwritten; /* bytes of a touched sector outside the image keep
			       * their content (CLI); false = they end erased (GDB
			       * already asked to erase whole sectors) */
	bool verify_only;    /* compare only; never erase or program */
	bool reset_follows;  /* the caller resets the chip after a successful write
			       * (swdd flash): the SRAM under the algorithm is
			       * scratch, and the core registers are restored only
			       * after a failure */
	swdd_flash_progress_fn progress;
	void *progress_ctx;
};

struct swdd_flash_result {
	uint64_t bytes; /* image bytes in flash */
	unsigned sectors_touched;
	unsigned sectors_erased;
	unsigned sectors_skipped; /* already equal to the image */
	uint64_t bytes_programmed;
	double wall_seconds;
};

/* Prepares flashing for the connected target: picks the family support by
 * chip and the algorithm (algo_path = an external .FLM file, NULL = the
 * built-in one). SWDD_EUNSUPPORTED for chips without flash support. */
SWDD_MUST_CHECK int swdd_flash_open(struct swdd_target *t, const char *algo_path, struct swdd_flash **out);
void swdd_flash_close(struct swdd_flash *f);
/* Replaces the algorithm (monitor flash algo FILE). */
SWDD_MUST_CHECK int swdd_flash_set_algo(struct swdd_flash *f, const char *algo_path);

/* GDB memory map XML (flash regions with their sector sizes, RAM). */
const char *swdd_flash_memory_map(struct swdd_flash *f);

/* Writes (or with verify_only compares) an image. */
SWDD_MUST_CHECK int swdd_flash_write_image(struct swdd_flash *f, const struct swdd_image *img,
					   const struct swdd_flash_opts *opts, struct swdd_flash_result *res);
SWDD_MUST_CHECK int swdd_flash_mass_erase(struct swdd_flash *f);
/* Erases sectors first..last (numbers as in `flash info`). */
SWDD_MUST_CHECK int swdd_flash_erase_sectors(struct swdd_flash *f, unsigned first, unsigned last);
/* CRC-32 of target memory as GDB's qCRC defines it (flashalgo/crc32.h):
 * computed on the target by the algorithm for flash, read back otherwise. */
SWDD_MUST_CHECK int swdd_flash_crc(struct swdd_flash *f, uint32_t addr, uint32_t len, uint32_t *crc);

/* Text reports for monitor commands (malloc'd, caller frees). */
SWDD_MUST_CHECK int swdd_flash_info_text(struct swdd_flash *f, char **text);
SWDD_MUST_CHECK int swdd_flash_option_text(struct swdd_flash *f, char **text);
SWDD_MUST_CHECK int swdd_flash_rdp_level(struct swdd_flash *f, int *level);
/* RDP level 1 -> 0 by the family's option byte sequence; the chip
 * mass-erases the flash as it leaves level 1. */
SWDD_MUST_CHECK int swdd_flash_unlock(struct swdd_flash *f);

/* GDB vFlash buffering: erase ranges and writes are collected, committed
 * (erase only what must change, program, verify) at done. */
SWDD_MUST_CHECK int swdd_flash_gdb_erase(struct swdd_flash *f, uint32_t addr, uint32_t len);
SWDD_MUST_CHECK int swdd_flash_gdb_write(struct swdd_flash *f, uint32_t addr, const uint8_t *data,
					 uint32_t len);
SWDD_MUST_CHECK int swdd_flash_gdb_done(struct swdd_flash *f, struct swdd_flash_result *res);
void swdd_flash_gdb_abort(struct swdd_flash *f);

/* Host CRC with the same definition as the target's. */
uint32_t swdd_crc32(uint32_t crc, const uint8_t *p, size_t len);

#endif
