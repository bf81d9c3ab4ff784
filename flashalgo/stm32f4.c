/*
 * Flash algorithm for the STM32F4 family embedded flash (RM0090 section 3,
 * "Embedded Flash memory interface"), in the CMSIS-Pack FLM convention
 * (see flm_target.h). Built by flashalgo/flashalgo.mk with arm-none-eabi-gcc into a
 * position-independent ELF with PrgCode / PrgData / DevDscr sections.
 *
 * Parallelism (CR.PSIZE) is fixed at build time, one variant per supply
 * range of RM0090 3.6 table 7: x32 (FLM_PSIZE = 2, 2.7-3.6 V, the
 * default), x16 (1, 2.1-3.6 V) and x8 (0, 1.8-3.6 V). The host picks the
 * variant from the measured (or stated) target supply
 * (flash/stm32f4_flash.c, stm32f4_variants).
 *
 * The ART accelerator (RM0090 3.4/3.5): its instruction and data caches are
 * not updated by an erase or a program. Init turns them off and resets them
 * (ICRST/DCRST work only while they are disabled) and UnInit resets them
 * again and restores FLASH_ACR, so neither the debugger's reads nor the
 * firmware that runs next see lines from before the session.
 */
#include "crc32.h"
#include "flm_target.h"

/* RM0090 3.9: flash interface registers, base 0x40023C00. */
#define FLASH_BASE 0x40023C00u
#define FLASH_ACR (*(volatile uint32_t *)(FLASH_BASE + 0x00u))
#define FLASH_KEYR (*(volatile uint32_t *)(FLASH_BASE + 0x04u))
#define FLASH_SR (*(volatile uint32_t *)(FLASH_BASE + 0x0Cu))
#define FLASH_CR (*(volatile uint32_t *)(FLASH_BASE + 0x10u))

/* RM0090 3.9.2: unlock keys. */
#define FLASH_KEY1 0x45670123u
#define FLASH_KEY2 0xCDEF89ABu

/* RM0090 3.9.1 FLASH_ACR. */
#define FLASH_ACR_ICEN (1u << 9)
#define FLASH_ACR_DCEN (1u << 10)
#define FLASH_ACR_ICRST (1u << 11)
#define FLASH_ACR_DCRST (1u << 12)

/* RM0090 3.9.4 FLASH_SR. */
#define FLASH_SR_EOP (1u << 0)
#define FLASH_SR_OPERR (1u << 1)
#define FLASH_SR_WRPERR (1u << 4)
#define FLASH_SR_PGAERR (1u << 5)
#define FLASH_SR_PGPERR (1u << 6)
#define FLASH_SR_PGSERR (1u << 7)
#define FLASH_SR_BSY (1u << 16)
#define FLASH_SR_ERRORS                                                                                      \
	(FLASH_SR_OPERR | FLASH_SR_WRPERR | FLASH_SR_PGAERR | FLASH_SR_PGPERR | FLASH_SR_PGSERR)

/* RM0090 3.9.5 FLASH_CR. */
#define FLASH_CR_PG (1u << 0)
#define FLASH_CR_SER (1u << 1)
#define FLASH_CR_MER (1u << 2)
#define FLASH_CR_SNB_SHIFT 3u
#ifndef FLM_PSIZE
#define FLM_PSIZE 2
#endif
#define FLASH_CR_PSIZE ((uint32_t)FLM_PSIZE << 8)
#define PROG_UNIT (1u << FLM_PSIZE)
#if FLM_PSIZE == 0
#define ALGO_NAME "STM32F4xx 1 MiB embedded flash, x8 (swdd)"
#elif FLM_PSIZE == 1
#define ALGO_NAME "STM32F4xx 1 MiB embedded flash, x16 (swdd)"
#else
#define ALGO_NAME "STM32F4xx 1 MiB embedded flash (swdd)"
#endif
#define FLASH_CR_MER1 (1u << 15)
#define FLASH_CR_STRT (1u << 16)
#define FLASH_CR_LOCK (1u << 31)

/* RM0090 4.4: CRC calculation unit, base 0x40023000. */
#define CRC_BASE 0x40023000u
#define CRC_DR (*(volatile uint32_t *)(CRC_BASE + 0x00u))
#define CRC_CR (*(volatile uint32_t *)(CRC_BASE + 0x08u))
#define CRC_CR_RESET (1u << 0)
#define CRC32_POLY 0x04C11DB7u
/* Below this many bytes the unit's set-up (~150 cycles) is not worth it. */
#define CRC_UNIT_MIN 64u

/* RM0090 7.3.10 (6.3.10 on F42x/43x): RCC_AHB1ENR, CRCEN is bit 12. */
#define RCC_AHB1ENR (*(volatile uint32_t *)0x40023830u)
#define RCC_AHB1ENR_CRCEN (1u << 12)

/* RM0090 21.4.1: IWDG_KR (IWDG at 0x40003000, RM0090 2.3 table 1). */
#define IWDG_KR (*(volatile uint32_t *)0x40003000u)
#define IWDG_KEY_RELOAD 0xAAAAu
#ifndef FLM_IWDG_REFRESH
#define FLM_IWDG_REFRESH 1
#endif

#define FLASH_START 0x08000000u
#define BANK2_START 0x08100000u /* F42x/43x 2 MiB parts */

/*
 * Busy-wait bounds in loop iterations, a last resort only: the host's
 * wall-clock time-out is the real bound. Each iteration takes at least 4
 * cycles, so the erase bound lasts over 100 s even at 168 MHz, beyond
 * DS8626's worst-case mass erase (32 s at x8); the program bound covers the
 * 100 us worst-case word program at 168 MHz (16800 cycles) with margin.
 */
#define WAIT_ERASE_LOOPS 0xFFFFFFFFu
#define WAIT_PROG_LOOPS 20000u

FLM_DEVDSCR const struct flm_device FlashDevice = {
	.vers = FLASH_DRV_VERS,
	.name = ALGO_NAME,
	.type = FLM_ONCHIP,
	.dev_addr = FLASH_START,
	.dev_size = 0x00100000u,
	.page_size = 0x8000u,
	.empty = 0xFFu,
	.to_prog_ms = 1000u,  /* 8192 words x 100 us max (DS8626) = 0.82 s */
	.to_erase_ms = 4000u, /* 128 KiB sector, x8 max (DS8626) */
	.sectors = {
		{ 0x04000u, 0x00000u }, /* sectors 0-3: 16 KiB */
		{ 0x10000u, 0x10000u }, /* sector 4: 64 KiB */
		{ 0x20000u, 0x20000u }, /* sectors 5-11: 128 KiB */
		{ FLM_SECTOR_END, FLM_SECTOR_END },
	},
};

/*
 * Reloads the independent watchdog, in every wait: an IWDG started by the
 * firmware (0xCCCC) or by the hardware-watchdog option (WDG_SW = 0, RM0090
 * 21.3.1) counts while the algorithm runs (DBG_IWDG_STOP holds it only in
 * halt, RM0090 38.16.4), and a 128 KiB erase (1 s typical, DS8626) outlasts
 * its reset time-out (512 ms at the reset values of IWDG_PR and IWDG_RLR,
 * RM0090 21.4.2-21.4.3, on the 32 kHz LSI). Unconditional: by
 * RM0090 21.3 and 21.4.1 only 0xCCCC (or the option bit) starts the counter,
 * 0xAAAA just reloads it from IWDG_RLR, so on a watchdog never started it
 * changes nothing. Its one side effect, closing a PR/RLR access the
 * firmware opened with 0x5555 (21.3.2), is harmless under a debugger.
 * Built with FLM_IWDG_REFRESH=0 it does not (a test variant).
 */
static inline void iwdg_refresh(void)
{
	if (FLM_IWDG_REFRESH)
		IWDG_KR = IWDG_KEY_RELOAD;
}

/* Waits for BSY to clear, refreshing the IWDG; returns the error bits (plus
 * FLM_ERR_TIMEOUT). */
static uint32_t wait_ready(uint32_t loops)
{
	while (FLASH_SR & FLASH_SR_BSY) {
		iwdg_refresh();
		if (!loops--)
			return FLM_ERR_TIMEOUT | (FLASH_SR & FLASH_SR_ERRORS);
	}
	return FLASH_SR & FLASH_SR_ERRORS;
}

/* Sector number (RM0090 table 5/6) for an address; bank 2 sectors of 2 MiB
 * parts are numbered 12-23 and encoded in SNB as 0x10 + n (RM0090 3.9.5). */
static int32_t sector_of(uint32_t adr)
{
	uint32_t off, base = 0;

	if (adr >= BANK2_START) {
		adr -= BANK2_START - FLASH_START;
		base = 0x10u;
	}
	if (adr < FLASH_START)
		return -1;
	off = adr - FLASH_START;
	if (off < 0x10000u)
		return (int32_t)(base + off / 0x4000u);
	if (off < 0x20000u)
		return (int32_t)(base + 4u);
	if (off < 0x100000u)
		return (int32_t)(base + 4u + off / 0x20000u);
	return -1;
}

/* FLASH_ACR as Init found it (PrgData: the blob stays in SRAM from Init to
 * UnInit). */
static uint32_t saved_acr;

/* Caches off, then reset (RM0090 3.9.1: ICRST/DCRST only while disabled). */
static void art_off_and_reset(uint32_t acr)
{
	acr &= ~(FLASH_ACR_ICEN | FLASH_ACR_DCEN | FLASH_ACR_ICRST | FLASH_ACR_DCRST);
	FLASH_ACR = acr;
	FLASH_ACR = acr | FLASH_ACR_ICRST | FLASH_ACR_DCRST;
	FLASH_ACR = acr;
}

FLM_EXPORT int Init(uint32_t adr, uint32_t clk, uint32_t fnc)
{
	(void)adr;
	(void)clk;
	(void)fnc;
	saved_acr = FLASH_ACR;
	art_off_and_reset(saved_acr);
	if (FLASH_CR & FLASH_CR_LOCK) {
		FLASH_KEYR = FLASH_KEY1;
		FLASH_KEYR = FLASH_KEY2;
	}
	FLASH_SR = FLASH_SR_EOP | FLASH_SR_ERRORS; /* write 1 to clear */
	return (FLASH_CR & FLASH_CR_LOCK) ? (int)FLASH_CR_LOCK : 0;
}

FLM_EXPORT int UnInit(uint32_t fnc)
{
	(void)fnc;
	FLASH_CR = FLASH_CR_LOCK;
	art_off_and_reset(saved_acr);
	FLASH_ACR = saved_acr & ~(FLASH_ACR_ICRST | FLASH_ACR_DCRST);
	return 0;
}

static int start_erase(uint32_t cr)
{
	uint32_t err = wait_ready(WAIT_ERASE_LOOPS);

	if (err)
		return (int)err;
	FLASH_SR = FLASH_SR_EOP | FLASH_SR_ERRORS;
	FLASH_CR = cr;
	FLASH_CR = cr | FLASH_CR_STRT;
	err = wait_ready(WAIT_ERASE_LOOPS);
	FLASH_CR = 0;
	return (int)err;
}

FLM_EXPORT int EraseChip(void)
{
	return start_erase(FLASH_CR_PSIZE | FLASH_CR_MER | FLASH_CR_MER1);
}

FLM_EXPORT int EraseSector(uint32_t adr)
{
	int32_t snb = sector_of(adr);

	if (snb < 0)
		return (int)FLM_ERR_ADDRESS;
	return start_erase(FLASH_CR_PSIZE | FLASH_CR_SER | ((uint32_t)snb << FLASH_CR_SNB_SHIFT));
}

/* The program unit at src (n <= PROG_UNIT bytes; the bytes above them
 * read 0xFF, which leaves those flash bits unchanged). The page buffers
 * the host fills are word-aligned, so a whole word is one load. */
static uint32_t unit_at(const uint8_t *src, uint32_t n)
{
	uint32_t w = 0xFFFFFFFFu;

	if (PROG_UNIT == 4u && n == 4u && !((uintptr_t)src & 3u))
		return *(const uint32_t *)(const void *)src;
	for (uint32_t b = 0; b < n; b++)
		w = (w & ~(0xFFu << (8 * b))) | ((uint32_t)src[b] << (8 * b));
	return w;
}

/* Writes one program unit (RM0090 3.6.2: the access width must match
 * PSIZE or the controller raises PGPERR). */
static void store_unit(uint32_t adr, uint32_t w)
{
#if PROG_UNIT == 1
	*(volatile uint8_t *)adr = (uint8_t)w;
#elif PROG_UNIT == 2
	*(volatile uint16_t *)adr = (uint16_t)w;
#else
	*(volatile uint32_t *)adr = w;
#endif
}

/* Programs whole units; a tail shorter than a unit is padded with 0xFF.
 * A unit of all ones is skipped: programming can only clear bits, so it
 * would change nothing. The next unit is fetched while the controller
 * programs the current one (16 us at x32, DS8626), so the core's own
 * cycles do not add to the flash time: at the 16 MHz HSI, assembling a
 * word after BSY cleared cost about 0.6 us per word (4 % of a page). */
FLM_EXPORT int ProgramPage(uint32_t adr, uint32_t sz, const uint8_t *buf)
{
	uint32_t err = wait_ready(WAIT_PROG_LOOPS), w;

	if (err)
		return (int)err;
	if (adr & (PROG_UNIT - 1u))
		return (int)(FLM_ERR_ADDRESS | FLASH_SR_PGAERR);
	FLASH_CR = FLASH_CR_PSIZE | FLASH_CR_PG;
	w = unit_at(buf, sz < PROG_UNIT ? sz : PROG_UNIT);
	for (uint32_t i = 0; i < sz; i += PROG_UNIT) {
		uint32_t cur = w, next = i + PROG_UNIT;

		if (cur != 0xFFFFFFFFu)
			store_unit(adr + i, cur);
		if (next < sz)
			w = unit_at(buf + next, sz - next < PROG_UNIT ? sz - next : PROG_UNIT);
		if (cur == 0xFFFFFFFFu)
			continue;
		err = wait_ready(WAIT_PROG_LOOPS);
		if (err)
			break;
	}
	FLASH_CR = 0;
	return (int)err;
}

/*
 * swdd extension (flm_target.h): the whole write in one call. Each job
 * erases a sector or programs a run of words whose data the host streams
 * through the ring; the next unit is taken from the ring while the
 * controller programs the current one, and a job follows the previous one
 * at once, so the flash idles only when the ring runs dry. The wait for
 * data has no bound of its own: the host bounds the call (it halts the
 * core when the ring stops moving past the operation's time-out).
 */
static uint32_t ring_unit(volatile struct flm_stream *s, uint32_t *rp, uint32_t *ri)
{
	const volatile uint8_t *p;
	uint32_t w;

	while (s->wp - *rp < PROG_UNIT) /* wait for the host's data */
		iwdg_refresh();
	p = (const volatile uint8_t *)(s->ring + *ri);
#if PROG_UNIT == 1
	w = 0xFFFFFF00u | *p;
#elif PROG_UNIT == 2
	w = 0xFFFF0000u | *(const volatile uint16_t *)p;
#else
	w = *(const volatile uint32_t *)p;
#endif
	*rp += PROG_UNIT;
	*ri = *ri + PROG_UNIT == s->ring_size ? 0 : *ri + PROG_UNIT;
	s->rp = *rp; /* the slot is free for the host again */
	return w;
}

/* Programs len bytes at adr from the ring. An error found while waiting
 * for a unit belongs to the unit stored before it: fail_addr names that
 * one. Units of all ones are skipped as in ProgramPage. */
static uint32_t stream_program(volatile struct flm_stream *s, uint32_t adr, uint32_t len, uint32_t *rp,
			       uint32_t *ri)
{
	uint32_t err = 0, last = adr;

	if ((adr | len) & 7u) {
		s->fail_addr = adr;
		return FLM_ERR_ADDRESS | FLASH_SR_PGAERR;
	}
	FLASH_CR = FLASH_CR_PSIZE | FLASH_CR_PG;
	for (uint32_t i = 0; i < len; i += PROG_UNIT) {
		uint32_t w = ring_unit(s, rp, ri);

		if (w == 0xFFFFFFFFu)
			continue;
		err = wait_ready(WAIT_PROG_LOOPS);
		if (err)
			break;
		last = adr + i;
		store_unit(last, w);
	}
	if (!err)
		err = wait_ready(WAIT_PROG_LOOPS);
	FLASH_CR = 0;
	if (err)
		s->fail_addr = last;
	return err;
}

FLM_EXPORT int Crc32List(uint32_t *list, uint32_t n);

FLM_EXPORT int ProgramStream(uint32_t ctl)
{
	volatile struct flm_stream *s = (volatile struct flm_stream *)ctl;
	uint32_t rp = 0, ri = 0, err = 0, n = s->njobs;

	if (s->flags & FLM_STREAM_INIT)
		err = (uint32_t)Init(0, 0, 0);
	for (uint32_t k = 0; k < n && !err; k++) {
		uint32_t adr = s->job[k].addr, len = s->job[k].len;

		s->step = 2u * k + 1u;
		if (len)
			err = stream_program(s, adr, len, &rp, &ri);
		else if ((err = (uint32_t)EraseSector(adr)) != 0)
			s->fail_addr = adr;
		if (!err)
			s->step = 2u * k + 2u;
	}
	if (err)
		return (int)err;
	Crc32List((uint32_t *)s->crc_list, s->crc_n);
	if (s->flags & FLM_STREAM_UNINIT)
		UnInit(0);
	return 0;
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

/* 0 when every byte equals pat, 1 otherwise (FLM BlankCheck). */
FLM_EXPORT int BlankCheck(uint32_t adr, uint32_t sz, uint8_t pat)
{
	const volatile uint32_t *p = (const volatile uint32_t *)adr;
	uint32_t word = pat * 0x01010101u;

	for (uint32_t i = 0; i < sz / 4; i++)
		if (p[i] != word)
			return 1;
	for (uint32_t i = sz & ~3u; i < sz; i++)
		if (((const volatile uint8_t *)adr)[i] != pat)
			return 1;
	return 0;
}

/* The software CRC: a nibble-wise table, 16 words built on the stack (the
 * algorithm has no data section, and a small stack keeps the SRAM the host
 * must save and restore small): ~15 cycles per byte. Used for short ranges
 * and when the CRC unit is not available. */
static uint32_t crc_soft(const volatile uint8_t *p, uint32_t sz, uint32_t crc)
{
	uint32_t table[16];

	for (uint32_t i = 0; i < 16; i++) {
		uint32_t c = i << 28;
		for (int k = 0; k < 4; k++)
			c = (c & 0x80000000u) ? (c << 1) ^ CRC32_POLY : c << 1;
		table[i] = c;
	}
	for (uint32_t i = 0; i < sz; i++) {
		crc ^= (uint32_t)p[i] << 24;
		crc = (crc << 4) ^ table[crc >> 28];
		crc = (crc << 4) ^ table[crc >> 28];
	}
	return crc;
}

/* The unit's step (RM0090 4.3) is S(DR ^ word), S = 32 shifts through the
 * polynomial. Each shift is invertible because the polynomial's bit 0 is
 * set: bit 0 of a shifted value tells whether the polynomial was xored in.
 * Returns S^-1(crc). */
static uint32_t crc_unshift32(uint32_t crc)
{
	for (int i = 0; i < 32; i++)
		crc = (crc & 1u) ? ((crc ^ CRC32_POLY) >> 1) | 0x80000000u : crc >> 1;
	return crc;
}

/* Puts `crc` into CRC_DR. The F4 unit has no initial-value register, only
 * RESET (DR = 0xFFFFFFFF); the one word w with S(0xFFFFFFFF ^ w) = crc
 * then lands on any value. Reads DR back: a write can be lost right after
 * RESET on the F407 (reported, not in the errata) and a unit held in
 * reset by RCC_AHB1RSTR.CRCRST ignores it. Returns 1 when DR holds crc. */
static int crc_unit_load(uint32_t crc)
{
	uint32_t w = crc_unshift32(crc) ^ 0xFFFFFFFFu;

	for (int tries = 0; tries < 2; tries++) {
		CRC_CR = CRC_CR_RESET;
		__asm__ volatile("dsb" ::: "memory");
		CRC_DR = w;
		if (CRC_DR == crc)
			return 1;
	}
	return 0;
}

/* Feeds n words; flash holds the bytes in address order, which qCRC takes
 * MSB first, so each little-endian word goes in byte-reversed. Unrolled by
 * four: ~1 instruction per byte. */
static uint32_t crc_unit_feed(const volatile uint32_t *w, uint32_t n)
{
	for (; n >= 4; n -= 4, w += 4) {
		CRC_DR = __builtin_bswap32(w[0]);
		CRC_DR = __builtin_bswap32(w[1]);
		CRC_DR = __builtin_bswap32(w[2]);
		CRC_DR = __builtin_bswap32(w[3]);
	}
	for (; n; n--, w++)
		CRC_DR = __builtin_bswap32(*w);
	return CRC_DR;
}

/* The whole words of [p, p+sz) through the CRC unit from `*crc`; returns
 * the bytes done (0 when the unit did not take the value). CRCEN and the
 * unit's DR are put back as they were, so a firmware using the unit
 * resumes its own CRC (STYLE 12). The DSB after enabling the clock is the
 * workaround of ES0182 2.1.13 ("Delay after an RCC peripheral clock
 * enabling"); a read-back of the register is reported not to suffice on
 * the F407. */
static uint32_t crc_unit(const volatile uint8_t *p, uint32_t sz, uint32_t *crc)
{
	uint32_t en = RCC_AHB1ENR, saved, done = 0;

	RCC_AHB1ENR = en | RCC_AHB1ENR_CRCEN;
	__asm__ volatile("dsb" ::: "memory");
	saved = CRC_DR;
	if (crc_unit_load(*crc)) {
		*crc = crc_unit_feed((const volatile uint32_t *)p, sz / 4u);
		done = sz & ~3u;
		crc_unit_load(saved);
	}
	RCC_AHB1ENR = en;
	return done;
}

/*
 * CRC-32 of [adr, adr+sz) continuing from `crc` (crc32.h). swdd extension
 * to the FLM set: lets the host skip unchanged sectors and verify without
 * reading flash back over the probe. The bytes before the first word
 * boundary go bit by bit, the whole words through the CRC unit (RM0090 4,
 * 4 AHB cycles per word), the last bytes bit by bit again. Short ranges
 * and a unit that does not answer take the software table.
 */
FLM_EXPORT uint32_t Crc32(uint32_t adr, uint32_t sz, uint32_t crc)
{
	const volatile uint8_t *p = (const volatile uint8_t *)adr;
	uint32_t head = (0u - adr) & 3u, done;

	if (sz < CRC_UNIT_MIN)
		return crc_soft(p, sz, crc);
	for (; head; head--, sz--)
		crc = crc32_gdb_byte(crc, *p++);
	done = crc_unit(p, sz, &crc);
	if (!done)
		return crc_soft(p, sz, crc);
	for (uint32_t i = done; i < sz; i++)
		crc = crc32_gdb_byte(crc, p[i]);
	return crc;
}

/* swdd extension (flm_target.h): Crc32 over each of n ranges in one call. */
FLM_EXPORT int Crc32List(uint32_t *list, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++, list += 3)
		list[2] = Crc32(list[0], list[1], list[2]);
	return 0;
}
