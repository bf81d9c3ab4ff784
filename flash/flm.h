/*
 * CMSIS-Pack flash algorithm (.FLM) files, parsed with libelf.
 *
 * An FLM is an ELF with a PrgCode section (position-independent code,
 * starting at address 0), PrgData (RW data and ZI, after the code, reached
 * through the static base in r9) and DevDscr (the FlashOS.h FlashDevice
 * descriptor). Entry points are found by symbol name. swdd's built-in
 * algorithms (flashalgo/) are parsed through this same path.
 */
#ifndef SWDD_FLASH_FLM_H
#define SWDD_FLASH_FLM_H

#include <stddef.h>
#include <stdint.h>

enum swdd_flm_fn {
	SWDD_FLM_INIT,
	SWDD_FLM_UNINIT,
	SWDD_FLM_ERASE_CHIP,
	SWDD_FLM_ERASE_SECTOR,
	SWDD_FLM_PROGRAM_PAGE,
	SWDD_FLM_VERIFY,
	SWDD_FLM_BLANK_CHECK,
	SWDD_FLM_CRC32, /* swdd extension: Crc32(adr, sz, crc) */
	/* swdd extensions of the built-in algorithms and the checksum routine
	 * (flashalgo/flm_target.h): Crc32List(list, n), ProgramStream(ctl) */
	SWDD_FLM_CRC32_LIST,
	SWDD_FLM_STREAM,
	SWDD_FLM_FN_COUNT
};

#define SWDD_FLM_NO_FN UINT32_MAX

struct swdd_flm_sector {
	uint32_t size;
	uint32_t addr; /* offset from dev_addr */
};

struct swdd_flm {
	char name[129];
	char source[256]; /* file name or "built-in stm32f4" */
	uint16_t version;
	uint16_t type;
	uint32_t dev_addr, dev_size, page_size;
	uint32_t to_prog_ms, to_erase_ms;
	uint8_t empty;
	struct swdd_flm_sector *sectors;
	size_t num_sectors;
	uint8_t *blob; /* PrgCode, then PrgData (ZI zero-filled) */
	uint32_t blob_size;
	uint32_t data_offset;           /* static base offset inside blob */
	uint32_t fn[SWDD_FLM_FN_COUNT]; /* offsets in blob, or SWDD_FLM_NO_FN */
};

/* Parses an FLM image held in memory. Errors: SWDD_EFORMAT naming what is
 * missing or inconsistent. */
int swdd_flm_parse(const void *elf, size_t size, const char *source, struct swdd_flm **out);
int swdd_flm_load_file(const char *path, struct swdd_flm **out);
/* A built-in algorithm by name ("stm32f4"). */
int swdd_flm_builtin(const char *name, struct swdd_flm **out);
/* swdd's own checksum routine (flashalgo/swdd_crc.c): blob and
 * fn[SWDD_FLM_CRC32] only, no descriptor (sectors, sizes are zero). */
int swdd_flm_crc_routine(struct swdd_flm **out);
void swdd_flm_free(struct swdd_flm *flm);

/* Sector containing absolute address addr: its start and size. Returns
 * SWDD_ERANGE outside the device. */
int swdd_flm_sector_at(const struct swdd_flm *flm, uint32_t addr, uint32_t *start, uint32_t *size);

#endif
