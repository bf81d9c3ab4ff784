/*
 * Flash algorithm for the STM32H7 embedded flash (RM0433 section 4 for the
 * H742/743/750/753, RM0468 section 4 for the H723/725/730/733/735), in the
 * CMSIS-Pack FLM convention (see flm_target.h). Built by
 * flashalgo/flashalgo.mk into a position-independent ELF.
 *
 * - Each bank has its own register set (RM0433 4.9: bank 2's KEYR, CR, SR
 *   and CCR at +0x100). The set is chosen by bus address: set 1 for
 *   0x08000000-0x080FFFFF and set 2 for 0x08100000 upward; with SWAP_BANK
 *   the physical banks exchange addresses and their register sets with
 *   them (RM0433 4.3.13), so the address rule still holds.
 * - Programming goes through the 256-bit write buffer (RM0433 4.3.9): eight
 *   32-bit writes to one 32-byte-aligned flash word, then QW until the word
 *   is in the array. A word is programmed once per erase (ECC, RM0433
 *   4.3.7), so a partial last word is padded with 0xFF and written whole,
 *   never left for a later program; a word of all 0xFF is skipped (it reads
 *   erased).
 * - Every SR error bit is returned (RM0433 4.9.5); the host names them
 *   through the family's hints (targets/stm32/h7.c).
 * - An erase takes over a second (DS12110 "Flash memory programming"):
 *   longer than the IWDG1 reset time-out (512 ms at its reset settings,
 *   RM0433 45.3), and DBGMCU's freeze acts only while the core is halted,
 *   so every wait refreshes IWDG1 (KR = 0xAAAA, RM0433 45.4.1: harmless
 *   when the watchdog is not running). Built with FLM_IWDG_REFRESH=0 it
 *   does not (a test variant: a loader that lets the watchdog expire).
 * - Caches: the embedded flash has none on the AXI side (FLASH_ACR holds
 *   only the latency, RM0433 4.9.1). The Cortex-M7's L1 caches may hold
 *   lines of the range just erased or programmed when the firmware turned
 *   them on (CCR.DC/IC): the D-cache lines of the range are invalidated
 *   (DCIMVAC) and the I-cache as a whole (ICIALLU), so the checksum
 *   routine's loads and the next firmware see the array (ARMv7-M B2.2.7).
 * - No Crc32: swdd's own checksum routine is loaded beside it (see
 *   docs/FLASH.md for why not the controller's CRC unit).
 * - PSIZE x64 always: RM0433 4.9.4 ties PSIZE to no supply range (the
 *   F4's RM0090 3.6 table 7 does); docs/FLASH.md.
 */
#include "flm_target.h"

/* RM0433 4.9: flash registers, bank 1 set at 0x52002000. */
#define FLASH_BASE 0x52002000u
#define FLASH_BANK2_REGS 0x100u
#define FLASH_KEYR(b) (*(volatile uint32_t *)(FLASH_BASE + (b) + 0x04u)) /* RM0433 4.9.2 */
#define FLASH_CR(b) (*(volatile uint32_t *)(FLASH_BASE + (b) + 0x0Cu))   /* RM0433 4.9.4 */
#define FLASH_SR(b) (*(volatile uint32_t *)(FLASH_BASE + (b) + 0x10u))   /* RM0433 4.9.5 */
#define FLASH_CCR(b) (*(volatile uint32_t *)(FLASH_BASE + (b) + 0x14u))  /* RM0433 4.9.6 */

/* RM0433 4.5.1: unlock keys. */
#define FLASH_KEY1 0x45670123u
#define FLASH_KEY2 0xCDEF89ABu

/* RM0433 4.9.4 FLASH_CR. PSIZE x64 (3): the widest parallelism, the
 * fastest erase (DS12110); the supply range of VOS is met at reset. */
#define FLASH_CR_LOCK (1u << 0)
#define FLASH_CR_PG (1u << 1)
#define FLASH_CR_SER (1u << 2)
#define FLASH_CR_BER (1u << 3)
#define FLASH_CR_PSIZE (3u << 4)
#define FLASH_CR_START (1u << 7)
#define FLASH_CR_SNB_SHIFT 8u

/* RM0433 4.9.5 FLASH_SR (CCR clears the same positions, 4.9.6). */
#define FLASH_SR_BSY (1u << 0)
#define FLASH_SR_WBNE (1u << 1)
#define FLASH_SR_QW (1u << 2)
#define FLASH_SR_EOP (1u << 16)
/* WRPERR 17, PGSERR 18, STRBERR 19, INCERR 21, OPERR 22, RDPERR 23,
 * RDSERR 24, SNECCERR 25, DBECCERR 26, CRCRDERR 28 (RM0468). */
#define FLASH_SR_ERRORS 0x17EE0000u

/* RM0433 61.2: flash size in KiB; above 1 MiB the part has bank 2. */
#define FLASH_SIZE_KIB (*(volatile uint16_t *)0x1FF1E880u)

/* RM0433 45.4.1: IWDG1_KR (IWDG1 at 0x58004800, RM0433 2.3.2). */
#define IWDG1_KR (*(volatile uint32_t *)0x58004800u)
#define IWDG_KEY_REFRESH 0xAAAAu
#ifndef FLM_IWDG_REFRESH
#define FLM_IWDG_REFRESH 1
#endif

/* ARMv7-M B3.2.8 CCR (DC bit 16, IC bit 17), B3.2.20 cache maintenance:
 * ICIALLU, DCIMVAC; Cortex-M7 TRM: 32-byte lines. */
#define SCB_CCR (*(volatile uint32_t *)0xE000ED14u)
#define SCB_CCR_DC (1u << 16)
#define SCB_CCR_IC (1u << 17)
#define SCB_ICIALLU (*(volatile uint32_t *)0xE000EF50u)
#define SCB_DCIMVAC (*(volatile uint32_t *)0xE000EF5Cu)
#define CACHE_LINE 32u

#define FLASH_START 0x08000000u
#define BANK_SIZE 0x00100000u
#define SECTOR_SIZE 0x20000u
#define WORD_BYTES 32u

/*
 * Busy-wait bounds in loop iterations, a last resort only (the host's
 * wall-clock time-out is the real bound): each iteration takes well over 4
 * cycles, so the erase bound lasts minutes at 480 MHz, beyond DS12110's
 * worst-case mass erase; the program bound covers a 256-bit word program
 * (under 1 ms) with margin.
 */
#define WAIT_ERASE_LOOPS 0xFFFFFFFFu
#define WAIT_PROG_LOOPS 400000u

FLM_DEVDSCR const struct flm_device FlashDevice = {
	.vers = FLASH_DRV_VERS,
	.name = "STM32H7xx 2 MiB dual-bank embedded flash (swdd)",
	.type = FLM_ONCHIP,
	.dev_addr = FLASH_START,
	.dev_size = 2u * BANK_SIZE,
	.page_size = 0x8000u,
	.empty = 0xFFu,
	.to_prog_ms = 1000u,  /* 1024 words x 290 us max at x8 = 0.3 s */
	.to_erase_ms = 4000u, /* 128 KiB sector, x8 max (DS12110) */
	.sectors = {
		{ SECTOR_SIZE, 0x00000u }, /* 8 per bank */
		{ FLM_SECTOR_END, FLM_SECTOR_END },
	},
};

static int dual_bank(void)
{
	return FLASH_SIZE_KIB > BANK_SIZE / 1024u;
}

/* Register set offset for an address; -1 outside the flash. */
static int32_t regs_of(uint32_t adr)
{
	if (adr < FLASH_START)
		return -1;
	if (adr < FLASH_START + BANK_SIZE)
		return 0;
	if (dual_bank() && adr < FLASH_START + 2u * BANK_SIZE)
		return (int32_t)FLASH_BANK2_REGS;
	return -1;
}

/* Waits until nothing is queued or running in a bank (QW, BSY; WBNE
 * when a write was left in the buffer), refreshing IWDG1; returns the
 * error bits (plus FLM_ERR_TIMEOUT). */
static uint32_t wait_ready(uint32_t b, uint32_t loops)
{
	while (FLASH_SR(b) & (FLASH_SR_QW | FLASH_SR_BSY)) {
		if (FLM_IWDG_REFRESH)
			IWDG1_KR = IWDG_KEY_REFRESH;
		if (!loops--)
			return FLM_ERR_TIMEOUT | (FLASH_SR(b) & FLASH_SR_ERRORS);
	}
	return FLASH_SR(b) & FLASH_SR_ERRORS;
}

/* The core's caches forget [adr, adr + sz) (see the header). */
static void caches_forget(uint32_t adr, uint32_t sz)
{
	uint32_t ccr = SCB_CCR;

	if (ccr & SCB_CCR_DC)
		for (uint32_t a = adr & ~(CACHE_LINE - 1u); a < adr + sz; a += CACHE_LINE)
			SCB_DCIMVAC = a;
	if (ccr & SCB_CCR_IC)
		SCB_ICIALLU = 0;
	__asm volatile("dsb 0xF\n\tisb 0xF" ::: "memory");
}

static uint32_t unlock(uint32_t b)
{
	if (FLASH_CR(b) & FLASH_CR_LOCK) {
		FLASH_KEYR(b) = FLASH_KEY1;
		FLASH_KEYR(b) = FLASH_KEY2;
	}
	FLASH_CCR(b) = FLASH_SR_EOP | FLASH_SR_ERRORS;
	return FLASH_CR(b) & FLASH_CR_LOCK;
}

FLM_EXPORT int Init(uint32_t adr, uint32_t clk, uint32_t fnc)
{
	uint32_t locked;

	(void)adr;
	(void)clk;
	(void)fnc;
	locked = unlock(0);
	if (dual_bank())
		locked |= unlock(FLASH_BANK2_REGS);
	return (int)locked;
}

FLM_EXPORT int UnInit(uint32_t fnc)
{
	(void)fnc;
	FLASH_CR(0) = FLASH_CR_LOCK;
	if (dual_bank())
		FLASH_CR(FLASH_BANK2_REGS) = FLASH_CR_LOCK;
	return 0;
}

static uint32_t start_erase(uint32_t b, uint32_t cr)
{
	uint32_t err = wait_ready(b, WAIT_ERASE_LOOPS);

	if (err)
		return err;
	FLASH_CCR(b) = FLASH_SR_EOP | FLASH_SR_ERRORS;
	FLASH_CR(b) = cr;
	FLASH_CR(b) = cr | FLASH_CR_START;
	return 0;
}

static uint32_t finish(uint32_t b, uint32_t loops)
{
	uint32_t err = wait_ready(b, loops);

	FLASH_CR(b) = 0;
	return err;
}

/* Bank erase (BER) of each bank; with two banks both run at once. */
FLM_EXPORT int EraseChip(void)
{
	uint32_t err = start_erase(0, FLASH_CR_PSIZE | FLASH_CR_BER);

	if (!err && dual_bank())
		err = start_erase(FLASH_BANK2_REGS, FLASH_CR_PSIZE | FLASH_CR_BER);
	err |= finish(0, WAIT_ERASE_LOOPS);
	if (dual_bank())
		err |= finish(FLASH_BANK2_REGS, WAIT_ERASE_LOOPS);
	caches_forget(FLASH_START, dual_bank() ? 2u * BANK_SIZE : BANK_SIZE);
	return (int)err;
}

FLM_EXPORT int EraseSector(uint32_t adr)
{
	int32_t b = regs_of(adr);
	uint32_t snb, err;

	if (b < 0)
		return (int)FLM_ERR_ADDRESS;
	snb = ((adr - FLASH_START) % BANK_SIZE) / SECTOR_SIZE;
	err = start_erase((uint32_t)b, FLASH_CR_PSIZE | FLASH_CR_SER | (snb << FLASH_CR_SNB_SHIFT));
	if (err)
		return (int)err;
	err = finish((uint32_t)b, WAIT_ERASE_LOOPS);
	caches_forget(adr & ~(SECTOR_SIZE - 1u), SECTOR_SIZE);
	return (int)err;
}

/* One flash word from src (n <= 32 bytes, the rest 0xFF) into the write
 * buffer as eight 32-bit writes. Returns 0 when the word is all 0xFF and
 * nothing was written. */
static int program_word(uint32_t adr, const uint8_t *src, uint32_t n)
{
	uint32_t w[WORD_BYTES / 4], all = 0xFFFFFFFFu;

	for (uint32_t i = 0; i < WORD_BYTES / 4; i++) {
		w[i] = 0;
		for (uint32_t k = 0; k < 4; k++) {
			uint32_t at = 4 * i + k;
			w[i] |= (uint32_t)(at < n ? src[at] : 0xFFu) << (8 * k);
		}
		all &= w[i];
	}
	if (all == 0xFFFFFFFFu)
		return 0;
	for (uint32_t i = 0; i < WORD_BYTES / 4; i++)
		((volatile uint32_t *)adr)[i] = w[i];
	return 1;
}

FLM_EXPORT int ProgramPage(uint32_t adr, uint32_t sz, const uint8_t *buf)
{
	int32_t b = regs_of(adr);
	uint32_t err;

	if (b < 0 || (adr & (WORD_BYTES - 1u)) || regs_of(adr + sz - 1u) != b)
		return (int)FLM_ERR_ADDRESS;
	err = wait_ready((uint32_t)b, WAIT_PROG_LOOPS);
	if (err)
		return (int)err;
	FLASH_CR(b) = FLASH_CR_PSIZE | FLASH_CR_PG;
	for (uint32_t i = 0; i < sz && !err; i += WORD_BYTES) {
		uint32_t n = sz - i < WORD_BYTES ? sz - i : WORD_BYTES;

		if (program_word(adr + i, buf + i, n))
			err = wait_ready((uint32_t)b, WAIT_PROG_LOOPS);
	}
	if (!err && (FLASH_SR(b) & FLASH_SR_WBNE)) /* a word left half-written */
		err = FLASH_SR(b) | FLM_ERR_TIMEOUT;
	FLASH_CR(b) = 0;
	caches_forget(adr, sz);
	return (int)err;
}

/* Returns adr + sz when flash equals buf, else the first differing address
 * (FLM Verify convention). */
FLM_EXPORT uint32_t Verify(uint32_t adr, uint32_t sz, const uint8_t *buf)
{
	const volatile uint8_t *p = (const volatile uint8_t *)adr;

	for (uint32_t i = 0; i < sz; i++)
		if (p[i] != buf[i])
			return adr + i;
	return adr + sz;
}
