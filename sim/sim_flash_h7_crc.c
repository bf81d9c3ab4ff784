/*
 * STM32H7 flash: the controller's CRC unit, after RM0433 4.3.12 "Flash CRC
 * calculation unit" and 4.9.19-4.9.22 (FLASH_CRCCR, CRCSADD, CRCEADD,
 * CRCDATA); RM0468 4.3.12 (ALL_BANK at bit 22, SR.CRCRDERR).
 *
 * With FLASH_CR.CRC_EN set, software selects what to read: the whole bank
 * (ALL_BANK), a list of sectors (CRC_BY_SECT, built with CRC_SECT +
 * ADD_SECT, emptied by CLEAN_SECT), or an address range (CRCSADD..CRCEADD,
 * bank offsets). START_CRC reads the flash words in bursts of CRC_BURST
 * (4, 16, 64 or 256 flash words): an address range is widened to whole
 * bursts. CRC_BUSY stays set while it reads; then CRCEND is set and
 * CRCDATA holds the result. CLEAN_CRC restarts the accumulation.
 *
 * The manual gives only the polynomial, 0x04C11DB7. The model feeds each
 * 32-bit little-endian word most significant bit first, no reflection, no
 * final xor. CRCDATA resets to 0 (RM0433 4.9.22) and CLEAN_CRC clears it;
 * a computation from that clean state starts from the preset 0xB6C0AE5A
 * that silicon measurements show, later ones continue from CRCDATA
 * (docs/LAB-h7-flash.md: uncertain points).
 */
#include "sim_flash_h7_internal.h"

#define H7_CRC_POLY 0x04C11DB7u
#define H7_CRC_HZ_DEFAULT 64000000u /* HSI, RM0433 8.5.2 */

struct h7_range {
	uint32_t start, end; /* bank offsets, end exclusive */
};

static unsigned h7_crc_ranges(const struct sim_flash_h7 *f, unsigned b, struct h7_range r[H7_SECTORS])
{
	const struct h7_bank *k = &f->bank[b];
	uint32_t ss = f->p->sector_size, burst, end;
	unsigned n = 0;

	if (k->crccr & (1u << f->p->crc_all_bank_bit)) {
		r[0] = (struct h7_range){ 0, f->p->bank_size };
		return 1;
	}
	if (k->crccr & H7_CRCCR_BY_SECT) {
		for (unsigned s = 0; s < H7_SECTORS; s++)
			if (k->crc_sects & (1u << s))
				r[n++] = (struct h7_range){ s * ss, (s + 1) * ss };
		return n;
	}
	burst = H7_WORD * (4u << (2 * ((k->crccr & H7_CRCCR_BURST_MASK) >> H7_CRCCR_BURST_SHIFT)));
	end = (k->crceadd | (burst - 1)) + 1;
	r[0] = (struct h7_range){ k->crcsadd & ~(burst - 1), end < f->p->bank_size ? end : f->p->bank_size };
	return k->crceadd >= k->crcsadd ? 1 : 0;
}

static void h7_crc_start(struct sim_flash_h7 *f, unsigned b)
{
	struct h7_bank *k = &f->bank[b];
	struct h7_range r[H7_SECTORS];
	unsigned n = h7_crc_ranges(f, b, r);
	uint64_t words = 0, hz = f->env.axi_hz ? f->env.axi_hz(f->env.ctx) : H7_CRC_HZ_DEFAULT;

	for (unsigned i = 0; i < n; i++)
		words += (r[i].end - r[i].start) / H7_WORD;
	k->crc_busy = true;
	k->crc_end = flash_h7_now(f) + words * f->p->crc_word_cycles * 1000000000ull / (hz ? hz : 1);
}

void flash_h7_crccr_write(struct sim_flash_h7 *f, unsigned b, uint32_t val)
{
	struct h7_bank *k = &f->bank[b];
	uint32_t keep =
		H7_CRCCR_SECT_MASK | H7_CRCCR_BY_SECT | H7_CRCCR_BURST_MASK | (1u << f->p->crc_all_bank_bit);

	if (!(k->cr & H7_CR_CRC_EN) || k->crc_busy)
		return;
	k->crccr = val & keep;
	if (val & H7_CRCCR_CLEAN_SECT)
		k->crc_sects = 0;
	if (val & H7_CRCCR_ADD_SECT)
		k->crc_sects |= (uint8_t)(1u << (val & H7_CRCCR_SECT_MASK));
	if (val & H7_CRCCR_CLEAN) {
		k->crcdata = 0;
		k->crc_clean = true;
	}
	if (val & H7_CRCCR_START)
		h7_crc_start(f, b);
}

/* One byte, most significant bit first, through the polynomial. */
static uint32_t h7_crc_byte(uint32_t crc, uint8_t byte)
{
	crc ^= (uint32_t)byte << 24;
	for (unsigned bit = 0; bit < 8; bit++)
		crc = (crc << 1) ^ ((crc & 0x80000000u) ? H7_CRC_POLY : 0);
	return crc;
}

/* A word the CRC unit may not read (PCROP / secure area) or that has a
 * double ECC error is flagged (CRCRDERR on RM0468, RDPERR on RM0433 for
 * the former; DBECCERR for the latter) and counts as zeros. */
static uint32_t h7_crc_word(struct sim_flash_h7 *f, unsigned b, uint32_t off)
{
	struct h7_bank *k = &f->bank[b];
	uint32_t boff = off % f->p->bank_size, v = 0;
	uint8_t st = f->wstate[off / H7_WORD];

	if (flash_h7_read_refusal(f, off, SIM_FLASH_H7_CORE_DATA)) {
		k->sr |= f->p->has_crcrderr ? H7_SR_CRCRDERR : H7_SR_RDPERR;
		return 0;
	}
	if (st == H7_W_ECC2) {
		if (!(k->sr & (H7_SR_SNECCERR | H7_SR_DBECCERR)))
			k->ecc_fa = boff / H7_WORD & H7_ECC_FA_MASK;
		k->sr |= H7_SR_DBECCERR;
		return 0;
	}
	for (unsigned i = 0; i < 4; i++)
		v |= (uint32_t)f->mem[off + i] << (8 * i);
	return v;
}

void flash_h7_crc_finish(struct sim_flash_h7 *f, unsigned b)
{
	struct h7_bank *k = &f->bank[b];
	struct h7_range r[H7_SECTORS];
	unsigned n = h7_crc_ranges(f, b, r);
	uint32_t base = b * f->p->bank_size, crc = k->crc_clean ? H7_CRC_PRESET : k->crcdata;

	for (unsigned i = 0; i < n; i++)
		for (uint32_t o = r[i].start; o < r[i].end; o += 4) {
			uint32_t w = h7_crc_word(f, b, base + o);

			for (int sh = 24; sh >= 0; sh -= 8)
				crc = h7_crc_byte(crc, (uint8_t)(w >> sh));
		}
	k->crcdata = crc;
	k->crc_clean = false;
	k->crc_busy = false;
	k->sr |= H7_SR_CRCEND;
}
