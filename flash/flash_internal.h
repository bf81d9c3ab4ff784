/* Shared state of the flash engine files (flash.c, flash_write.c,
 * flash_vflash.c). Not for use outside flash/. */
#ifndef SWDD_FLASH_INTERNAL_H
#define SWDD_FLASH_INTERNAL_H

#include "algo_run.h"
#include "flash.h"
#include "flm.h"
#include "stm32/family.h"

struct flash_sector {
	unsigned index;
	uint32_t start, size;
};

struct swdd_flash {
	struct swdd_target *t;
	const struct stm32_family *fam; /* the chip family's descriptor */
	struct swdd_flm *flm;
	struct swdd_flm *crc_routine; /* swdd's checksum routine (flashalgo/swdd_crc.c) */
	struct swdd_algo algo;
	bool algo_loaded;
	uint32_t prog_unit; /* bytes per program operation of the algorithm (time-outs) */
	bool reset_follows; /* this session's caller resets the chip after it */
	bool algo_inited;   /* Init(algo_fnc) ran (flash_algo_ready) */
	bool caches_told;   /* the firmware's cache state was logged */
	bool rsr_cleared;   /* the family's reset flags were cleared in this session */
	uint32_t algo_fnc;
	uint32_t ram_base, ram_size;
	uint32_t base, size; /* flash window: chip size clipped to the FLM */
	struct flash_sector *sectors;
	size_t num_sectors;
	char *mmap_xml;

	/* GDB vFlash buffering over the flash window */
	uint8_t *gdb_data;  /* desired content */
	uint8_t *gdb_state; /* per byte: 0 untouched, 1 erased, 2 written */
	bool gdb_active;
};

/* Loads the algorithm unless already loaded; Init(fnc) comes later. */
int flash_algo_begin(struct swdd_flash *f, uint32_t fnc);
/* Calls Init(fnc) once per session, before the first erase or program. */
int flash_algo_ready(struct swdd_flash *f);
/* UnInit + restore; safe to call when not loaded. */
int flash_algo_end(struct swdd_flash *f, int rc);
/* Calls fn and turns a non-zero algorithm result into SWDD_EFLASH naming
 * the decoded status bits and what was being done. */
/* Fails (SWDD_EFLASH) a sector erase that the algorithm reported done
 * faster than the family's datasheet allows (elapsed_ms of host time from
 * the call to its completion): the controller did not erase. */
int flash_erase_plausible(struct swdd_flash *f, unsigned index, uint32_t start, uint64_t elapsed_ms);
int flash_algo_checked(struct swdd_flash *f, enum swdd_flm_fn fn, uint32_t r0, uint32_t r1, uint32_t r2,
		       uint32_t timeout_ms, const char *what);
/* Names why an algorithm call failed. Its result is the family's status
 * bits (swdd's algorithms); a vendor FLM returns 1 (CMSIS-Pack: "1 =
 * failed"), then the flash status register is read and decoded instead. */
void flash_describe_failure(struct swdd_flash *f, uint32_t result, char *buf, size_t len);
/* CRC of a flash range: on the target (the algorithm's Crc32, else swdd's
 * checksum routine loaded beside it), read back over the probe only when
 * no SRAM could be had for the routine; the flash caches are reset first. */
int flash_target_crc(struct swdd_flash *f, uint32_t addr, uint32_t len, uint32_t *crc);
/* Adds to the error rc (its detail set) what the chip holds that may
 * explain it (the family's verify_evidence with `what`, STM32_EVIDENCE_*);
 * returns rc. Only for failures where the target still answers. */
int flash_add_evidence(struct swdd_flash *f, int rc, unsigned what);
/* The same without resetting the flash caches first: for the second and
 * later checksums of a pass over flash that did not change meanwhile. */
int flash_crc_flushed(struct swdd_flash *f, uint32_t addr, uint32_t len, uint32_t *crc);
/* The family's flush_caches (if any), and the core's caches if the array
 * changed, before the target's flash is read. */
int flash_flush_caches(struct swdd_flash *f);
const struct flash_sector *flash_sector_of(const struct swdd_flash *f, uint32_t addr);
/* Wall-clock bounds of algorithm calls, from the family's datasheet
 * figures (flash.c): erasing one sector of sector_size bytes, programming
 * bytes (one ProgramPage), a mass erase. */
uint32_t flash_erase_bound_ms(const struct swdd_flash *f, uint32_t sector_size);
uint32_t flash_prog_bound_ms(const struct swdd_flash *f, uint32_t bytes);
uint32_t flash_mass_erase_bound_ms(const struct swdd_flash *f);
/* Names the bits of a flash status or algorithm result: the FLM
 * convention's own flags, then the family's hints. */
void flash_status_text(const struct swdd_flash *f, uint32_t bits, char *buf, size_t len);
/* Refuses RDP level 1/2 with how to recover. */
int flash_check_rdp(struct swdd_flash *f);

/* CRC bound of an on-target checksum over len bytes (flash.c). */
uint32_t flash_crc_bound_ms(uint32_t len);

/* The pages of a sector that hold data, each trimmed to its non-erased
 * span (flash_stream.c): at most size / page_size + 1 entries. */
struct flash_page_job {
	uint32_t off, n;
};
size_t flash_sector_jobs(const struct swdd_flash *f, const struct flash_sector *s, const uint8_t *want,
			 struct flash_page_job *jobs);
/* CRCs (each from 0xFFFFFFFF) of n flash ranges on the target in one
 * Crc32List call where the algorithm or swdd's routine has it, else one
 * call per range. The caller flushed the flash caches. */
int flash_crc_list(struct swdd_flash *f, const uint32_t *addr, const uint32_t *len, size_t n, uint32_t *crc);
/* Says what the flash holds after the link or the call failed in sector s
 * (erasing, or with `programmed` of its bytes done); returns rc with it. */
int flash_sector_state_after(struct swdd_flash *f, int rc, const struct flash_sector *s, bool erasing,
			     uint64_t programmed);

/* A sector the streamed write changes: its content, whether it must be
 * erased first, and the progress (bytes of the plan's sectors) reached
 * once it is written. */
struct flash_stream_sector {
	const struct flash_sector *s;
	const uint8_t *want;
	bool erase;
	uint64_t covered_after, total;
};
/* The algorithm has ProgramStream (the built-in STM32F4 one). */
bool flash_can_stream(const struct swdd_flash *f);
/* Erases (where marked) and programs the n sectors in one ProgramStream
 * call (flash_stream.c), which also runs Init before (unless it ran) and
 * UnInit after, and checksums every sector after the last job: crc[i] is
 * sector i's CRC for the verify. res gets the erases and bytes. */
int flash_stream_write(struct swdd_flash *f, const struct flash_stream_sector *ss, size_t n,
		       const struct swdd_flash_opts *o, struct swdd_flash_result *res, uint32_t *crc);
/* Before the first erase or program of a session: the chip's reset flags
 * cleared where the family can (flash.c), so that a reset during the
 * session is told apart from older ones. */
void flash_clear_reset_flags(struct swdd_flash *f);

#endif
