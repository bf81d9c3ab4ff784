/*
 * STM32H7 flash: the write buffer, flash-word programming and erase, after
 * RM0433 4.3.8 "Flash program operations", 4.3.9 "Flash erase operations",
 * 4.7 "FLASH error management" (and the same sections of RM0468).
 *
 * Each bank has one 256-bit write buffer. Writes to the array fill it
 * (any width, in any order, each byte once); when its 32 bytes are all
 * written, or FLASH_CR.FW forces a partial word out (unwritten bytes stay
 * 0xFF), the word is queued (QW) and programmed (BSY) for tPROG. The array
 * changes when BSY falls. A flash word carries ECC and may be programmed
 * once per erase: a second program, or one cut short by a reset or by the
 * vcap-fault knob, leaves a word that reads with a double ECC error.
 */
#include "sim_flash_h7_internal.h"

#include <string.h>

static unsigned h7_psize(const struct h7_bank *k)
{
	return (k->cr & H7_CR_PSIZE_MASK) >> H7_CR_PSIZE_SHIFT;
}

/* The fast-erase knob's erase time (the 3 ms of the H743 user report). */
#define H7_FAST_ERASE_NS 3000000ull

static void h7_op_start(struct sim_flash_h7 *f, unsigned b, enum h7_op op, uint32_t off, uint32_t len,
			uint64_t ns)
{
	struct h7_bank *k = &f->bank[b];

	k->op = op;
	k->op_off = off;
	k->op_len = len;
	k->op_end = flash_h7_now(f) + ns;
}

/* RM0433 4.3.7: programming only clears bits. A word programmed before
 * gets a second set of ECC bits over the first: a double error, except
 * an all-zero word (whose ECC is all zero too: docs, uncertain points). */
static void h7_program_word(struct sim_flash_h7 *f, uint32_t off, const uint8_t *data, bool fail)
{
	uint32_t w = off / H7_WORD;
	uint8_t st = f->wstate[w];
	bool zero = true;

	for (unsigned i = 0; i < H7_WORD; i++) {
		zero = zero && data[i] == 0;
		if (f->weak && off + i == f->weak_off)
			continue;
		f->mem[off + i] &= data[i];
	}
	if (!fail && (st == H7_W_ERASED || (zero && st == H7_W_PROG)))
		flash_h7_wstate_set(f, w, H7_W_PROG);
	else
		flash_h7_wstate_set(f, w, H7_W_ECC2);
	f->stats.words_programmed++;
	flash_h7_changed(f, off, H7_WORD);
}

/* An erase sets every cell to 1 and clears ECC state. A failed or cut
 * erase leaves the cells part-way: the model keeps the data and marks
 * every programmed word as a double ECC error (erased words stay blank). */
void flash_h7_erase_range(struct sim_flash_h7 *f, uint32_t off, uint32_t len, bool fail)
{
	for (uint32_t w = off / H7_WORD; w < (off + len) / H7_WORD; w++) {
		if (fail) {
			if (f->wstate[w] != H7_W_ERASED)
				flash_h7_wstate_set(f, w, H7_W_ECC2);
			continue;
		}
		memset(f->mem + w * H7_WORD, 0xFF, H7_WORD);
		flash_h7_wstate_set(f, w, H7_W_ERASED);
	}
	flash_h7_changed(f, off, len);
}

void flash_h7_op_finish(struct sim_flash_h7 *f, unsigned b)
{
	struct h7_bank *k = &f->bank[b];

	bool fail = flash_h7_supply_fails(f);

	if (k->op == H7_OP_PROGRAM)
		h7_program_word(f, k->op_off, k->op_data, fail);
	else if (!f->fast_erase) /* the knob: EOP, nothing erased */
		flash_h7_erase_range(f, k->op_off, k->op_len, fail);
	k->op = H7_OP_NONE;
	/* RM0433 4.7.5: OPERR when the operation did not complete; EOP
	 * (4.9.5) only after a successful one. */
	k->sr |= fail ? H7_SR_OPERR : H7_SR_EOP;
}

void flash_h7_op_abandon(struct sim_flash_h7 *f, unsigned b)
{
	struct h7_bank *k = &f->bank[b];

	if (k->op == H7_OP_PROGRAM)
		h7_program_word(f, k->op_off, k->op_data, true);
	else if (k->op != H7_OP_NONE)
		flash_h7_erase_range(f, k->op_off, k->op_len, true);
	k->op = H7_OP_NONE;
}

/* RM0433 4.5.3: at RDP level 1 with a debugger attached, the user flash is
 * closed to program and erase (the register access from the AP itself
 * counts as attached). */
static bool h7_rdp_closed(const struct sim_flash_h7 *f, enum sim_flash_h7_who who)
{
	return flash_h7_rdp(f->cur.optsr) != 0 && (who == SIM_FLASH_H7_DEBUG || flash_h7_debug_attached(f));
}

static bool h7_area_hits(uint32_t area, uint32_t first_unit, uint32_t last_unit)
{
	uint32_t start = area & 0xFFFu, end = (area >> 16) & 0xFFFu;

	return start <= end && start <= last_unit && end >= first_unit;
}

/* RM0433 4.7.1 WRPERR: a program or erase touching a sector protected in
 * WPSN, a PCROP area or the secure area is refused. */
uint32_t flash_h7_erase_refusal(const struct sim_flash_h7 *f, unsigned b, unsigned first, unsigned count,
				enum sim_flash_h7_who who)
{
	uint32_t upc = f->p->sector_size / H7_AREA_UNIT;
	uint32_t lo = first * upc, hi = (first + count) * upc - 1;

	if (h7_rdp_closed(f, who))
		return H7_SR_WRPERR;
	for (unsigned s = first; s < first + count; s++)
		if (!(f->cur.wpsn[b] & (1u << s)))
			return H7_SR_WRPERR;
	if (h7_area_hits(f->cur.prar[b], lo, hi))
		return H7_SR_WRPERR;
	if ((f->cur.optsr & H7_OPTSR_SECURITY) && h7_area_hits(f->cur.scar[b], lo, hi))
		return H7_SR_WRPERR;
	return 0;
}

static uint32_t h7_program_refusal(const struct sim_flash_h7 *f, uint32_t off, enum sim_flash_h7_who who)
{
	unsigned b = off / f->p->bank_size;
	uint32_t boff = off % f->p->bank_size, unit = boff / H7_AREA_UNIT;
	uint32_t s = boff / f->p->sector_size;

	if (h7_rdp_closed(f, who) || !(f->cur.wpsn[b] & (1u << s)) ||
	    h7_area_hits(f->cur.prar[b], unit, unit))
		return H7_SR_WRPERR;
	if ((f->cur.optsr & H7_OPTSR_SECURITY) && h7_area_hits(f->cur.scar[b], unit, unit))
		return H7_SR_WRPERR;
	return 0;
}

/* The buffer goes to the array: QW and BSY until tPROG has passed. */
static void h7_submit(struct sim_flash_h7 *f, unsigned b)
{
	struct h7_bank *k = &f->bank[b];

	memcpy(k->op_data, k->wbuf, H7_WORD);
	k->wmask = 0;
	h7_op_start(f, b, H7_OP_PROGRAM, k->waddr, H7_WORD, f->p->timing[h7_psize(k)].word_ns);
}

/*
 * RM0433 4.3.8 and 4.7: PGSERR for a write without PG (or with CR
 * locked), WRPERR for a protected target, INCERR for a write to another
 * flash word while the buffer holds a partial one, STRBERR for a byte
 * written twice. On INCERR and STRBERR the partial word is discarded
 * (docs: uncertain points). Errors are flags, not bus errors; at RDP
 * level 1 an AP write is a bus error (RM0433 4.5.3).
 */
enum sim_bus_result flash_h7_buffer_write(struct sim_flash_h7 *f, uint32_t off, unsigned size, uint32_t val,
					  enum sim_flash_h7_who who)
{
	unsigned b = off / f->p->bank_size;
	struct h7_bank *k = &f->bank[b];
	uint32_t word = off & ~(H7_WORD - 1), m = ((1u << size) - 1u) << (off % H7_WORD), err;

	if (k->op != H7_OP_NONE || (f->opt_busy && f->opt_regress))
		return SIM_BUS_WAIT;
	if (who == SIM_FLASH_H7_DEBUG && flash_h7_rdp(f->cur.optsr) != 0) {
		k->sr |= H7_SR_RDPERR;
		return SIM_BUS_FAULT;
	}
	if ((k->cr & H7_CR_LOCK) || !(k->cr & H7_CR_PG)) {
		k->sr |= H7_SR_PGSERR;
		return SIM_BUS_OK;
	}
	err = h7_program_refusal(f, off, who);
	if (!err && k->wmask && word != k->waddr)
		err = H7_SR_INCERR;
	else if (!err && (k->wmask & m))
		err = H7_SR_STRBERR;
	if (err) {
		k->sr |= err;
		if (err != H7_SR_WRPERR)
			k->wmask = 0;
		return SIM_BUS_OK;
	}
	if (!k->wmask) {
		memset(k->wbuf, 0xFF, H7_WORD);
		k->waddr = word;
	}
	for (unsigned i = 0; i < size; i++)
		k->wbuf[off % H7_WORD + i] = (uint8_t)(val >> (8 * i));
	k->wmask |= m;
	if (k->wmask == 0xFFFFFFFFu)
		h7_submit(f, b);
	return SIM_BUS_OK;
}

/* RM0433 4.3.9: START with SER (+ SNB) erases a sector, with BER the bank.
 * Both, or a program in the making (PG set, or a partial word in the
 * buffer), is a sequence error and nothing is erased. */
static void h7_start_erase(struct sim_flash_h7 *f, unsigned b, enum sim_flash_h7_who who)
{
	struct h7_bank *k = &f->bank[b];
	bool ser = k->cr & H7_CR_SER, ber = k->cr & H7_CR_BER;
	unsigned first = ser ? (k->cr & H7_CR_SNB_MASK) >> H7_CR_SNB_SHIFT : 0, n = ser ? 1 : H7_SECTORS;
	const struct sim_flash_h7_timing *t = &f->p->timing[h7_psize(k)];
	uint32_t err;

	if (!ser && !ber)
		return;
	if ((ser && ber) || (k->cr & H7_CR_PG) || k->wmask) {
		k->sr |= H7_SR_PGSERR;
		return;
	}
	err = flash_h7_erase_refusal(f, b, first, n, who);
	if (err) {
		k->sr |= err;
		return;
	}
	if (ser)
		f->stats.sector_erases++;
	else
		f->stats.bank_erases++;
	h7_op_start(f, b, ser ? H7_OP_SECTOR : H7_OP_BANK, b * f->p->bank_size + first * f->p->sector_size,
		    n * f->p->sector_size,
		    f->fast_erase ? H7_FAST_ERASE_NS
		    : ser         ? t->sector_ns
				  : t->bank_ns);
}

/*
 * FLASH_CR (RM0433 4.9.4): writable only while unlocked; LOCK can only be
 * set. START and FW are actions and read back 0. A write with START or FW
 * while the bank is busy is not taken (WAIT): the controller has one
 * command in flight per bank. Clearing PG with a partial word in the
 * buffer is a sequence error (PGSERR) and drops it.
 */
enum sim_bus_result flash_h7_cr_write(struct sim_flash_h7 *f, unsigned b, uint32_t val,
				      enum sim_flash_h7_who who)
{
	struct h7_bank *k = &f->bank[b];
	uint32_t old = k->cr;

	if (old & H7_CR_LOCK)
		return SIM_BUS_OK;
	if ((val & (H7_CR_START | H7_CR_FW)) && k->op != H7_OP_NONE)
		return SIM_BUS_WAIT;
	k->cr = (old & ~H7_CR_RW) | (val & H7_CR_RW) | (val & H7_CR_LOCK);
	if (!(k->cr & H7_CR_CRC_EN))
		k->crc_sects = 0; /* RM0433 4.9.19: disabling CRC clears the list */
	if ((old & H7_CR_PG) && !(k->cr & H7_CR_PG) && k->wmask) {
		k->sr |= H7_SR_PGSERR;
		k->wmask = 0;
	}
	if ((val & H7_CR_FW) && k->wmask)
		h7_submit(f, b);
	if (val & H7_CR_START)
		h7_start_erase(f, b, who);
	return SIM_BUS_OK;
}

/*
 * OPTCR.MER (RM0433 4.3.9 "mass erase"): erases both banks. Both FLASH_CR
 * must be unlocked (otherwise the request is ignored); a protected sector
 * in either bank refuses it with WRPERR in both SRs. Timed with bank 1's
 * PSIZE; the banks erase in parallel.
 */
void flash_h7_start_mass(struct sim_flash_h7 *f, enum sim_flash_h7_who who)
{
	uint32_t err = 0;
	uint64_t ns = f->fast_erase ? H7_FAST_ERASE_NS : f->p->timing[h7_psize(&f->bank[0])].mass_ns;

	for (unsigned b = 0; b < f->p->banks; b++) {
		if (f->bank[b].cr & H7_CR_LOCK)
			return;
		err |= flash_h7_erase_refusal(f, b, 0, H7_SECTORS, who);
	}
	for (unsigned b = 0; b < f->p->banks; b++) {
		if (err) {
			f->bank[b].sr |= err;
			continue;
		}
		h7_op_start(f, b, H7_OP_MASS, b * f->p->bank_size, f->p->bank_size, ns);
	}
	if (!err)
		f->stats.mass_erases++;
}
