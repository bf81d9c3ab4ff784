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

#define FLM_DEVDSCR __attribute__((section("DevDscr"), used))
#define FLM_EXPORT __attribute__((used, noinline))

#endif
