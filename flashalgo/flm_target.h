/*
 * Shared definitions for swdd's flash algorithms (target side).
 *
 * Calling convention (CMSIS-Pack FLM, FlashOS.h interface version 1.01):
 * arguments in r0-r3, static base in r9, return in r0, LR points at a BKPT
 * placed by the host. Every function returns 0 on success; on failure it
 * returns the flash controller's error bits (the SR value masked to its
 * error flags), with FLM_ERR_TIMEOUT or'ed in when a busy wait ran out, so
 * the host can name the cause instead of a bare "failed".
 *
 * The code is position independent (-fpie: data is reached PC-relative);
 * PrgData holds at most a few words (the STM32F4 one keeps FLASH_ACR from
 * Init to UnInit).
 */
#ifndef SWDD_FLASHALGO_FLM_TARGET_H
#define SWDD_FLASHALGO_FLM_TARGET_H

#include <stdint.h>

#define FLASH_DRV_VERS 0x0101U /* FlashOS.h interface version 1.01 */
#define FLM_ONCHIP 1U
#define FLM_SECTOR_END 0xFFFFFFFFU
#define FLM_MAX_SECTORS 512

/* Result flag: a busy wait inside the algorithm timed out. */
#define FLM_ERR_TIMEOUT 0x80000000U
/* Result flag: the address is not inside this device. */
#define FLM_ERR_ADDRESS 0x40000000U

struct flm_sector {
	uint32_t size; /* bytes */
	uint32_t addr; /* offset from dev_addr where sectors of this size start */
};

/* FlashOS.h struct FlashDevice layout (little endian, packed as below). */
struct flm_device {
	uint16_t vers;
	char name[128];
	uint16_t type;
	uint32_t dev_addr;
	uint32_t dev_size;
	uint32_t page_size;
	uint32_t reserved;
	uint8_t empty;
	uint8_t pad[3];
	uint32_t to_prog_ms;
	uint32_t to_erase_ms;
	struct flm_sector sectors[FLM_MAX_SECTORS];
};

/*
 * swdd extensions beside the FLM set (flash/flm.h; the host calls them only
 * when the algorithm exports them; a vendor FLM does not):
 * - Crc32List(list, n): Crc32 over n ranges in one call; list holds n
 *   entries { adr, sz, crc }, crc the initial value in and the result out.
 * - ProgramStream(ctl): erases and programs a whole job list in one call,
 *   the data coming through a ring in SRAM that the host fills while the
 *   call runs. ctl points at a struct flm_stream; the host writes it whole
 *   before the call (wp = rp = step = 0), then only appends data to the
 *   ring and advances wp; the algorithm advances rp as it takes each
 *   program unit and publishes step, so the host follows the call by
 *   reading two words instead of stopping the core (docs/FLASH.md "The
 *   streamed write"). The result is 0 or the error bits of the failed
 *   operation, whose address is in fail_addr (the sector's for an erase).
 *   A job of length 0 erases the sector at addr; any other programs len
 *   bytes at addr from the ring (addr and len multiples of 8, the ring's
 *   start and size too, so no program unit straddles its end). After the
 *   last job the call checksums crc_n ranges as Crc32List does, with the
 *   flash caches as Init left them (off and reset), so the host verifies
 *   without another call.
 */
struct flm_stream_job {
	uint32_t addr;
	uint32_t len; /* 0: erase the sector at addr */
};

struct flm_stream {
	uint32_t wp;        /* host: bytes written into the ring so far */
	uint32_t rp;        /* algorithm: bytes taken from the ring so far */
	uint32_t step;      /* algorithm: 2k+1 while job k runs, 2k+2 once it is done */
	uint32_t fail_addr; /* algorithm: where the failed operation was */
	uint32_t ring;      /* host: the ring's start */
	uint32_t ring_size; /* host: its size in bytes */
	uint32_t njobs;
	uint32_t flags;    /* host: FLM_STREAM_* */
	uint32_t crc_list; /* host: Crc32List entries checksummed after the jobs (the verify) */
	uint32_t crc_n;
	struct flm_stream_job job[];
};

/* ProgramStream flags: Init(0, 0, 0) before the first job (its failure is
 * the result, with step still 0); UnInit(0) after the verify checksums
 * when everything succeeded. */
#define FLM_STREAM_INIT 1U
#define FLM_STREAM_UNINIT 2U

#define FLM_DEVDSCR __attribute__((section("DevDscr"), used))
#define FLM_EXPORT __attribute__((used, noinline))

#endif
