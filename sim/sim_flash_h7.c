/*
 * The STM32H7 embedded flash controller: parts table, creation, reset,
 * virtual time, register decode and array reads. After RM0433 (Rev 8)
 * section 4 "Embedded flash memory (FLASH)" for the STM32H742/743/750/753
 * and RM0468 (Rev 3) section 4 for the STM32H723/725/730/733/735; timings
 * from the "Flash memory programming" tables of DS12110 (STM32H743) and
 * DS13313 (STM32H725). docs/LAB-h7-flash.md has the sources and choices.
 *
 * The array is kept in BUS order (bank mapped at 0x08000000 first): a bank
 * swap at reset exchanges the two halves of the store, so the glue's view
 * needs no remapping. Register set 1 controls the bank at 0x08000000 and
 * set 2 the one at 0x08100000 (docs: "Bank swap").
 */
#include "sim_flash_h7_internal.h"

#include <stdlib.h>
#include <string.h>

#define MS 1000000ull
#define US 1000ull

/*
 * DS12110 (STM32H743) "Flash memory programming" table, typical values by
 * parallelism: tPROG (266-bit word), tERASE128KB, tME. The table gives no
 * separate bank erase time: a bank erase is timed as the mass erase (the
 * two banks erase in parallel, RM0433 4.3.10). Option byte change: ~300 ms
 * (docs: uncertain points).
 */
static const struct sim_flash_h7_timing h7_ds12110_timing[4] = {
	[0] = { 290 * US, 2000 * MS, 13000 * MS, 13000 * MS },
	[1] = { 180 * US, 1800 * MS, 8000 * MS, 8000 * MS },
	[2] = { 130 * US, 1100 * MS, 6000 * MS, 6000 * MS },
	[3] = { 100 * US, 1000 * MS, 5000 * MS, 5000 * MS },
};

const struct sim_flash_h7_params sim_flash_h7_stm32h743 = {
	.name = "stm32h743",
	.banks = 2,
	.bank_size = 0x100000u,
	.sector_size = 0x20000u,
	.reg_base = 0x52002000u,
	.acr_reset = 0x00000037u,   /* RM0433 4.9.1 */
	.optsr_blank = 0x0BC6AAF0u, /* RDP 0xAA, BOR off, IWDG1 software, no freeze */
	.optsr_prg_mask = 0xA03EFFDCu,
	.has_optsr2 = false,
	.has_crcrderr = false,
	.crc_all_bank_bit = 7,
	.timing = h7_ds12110_timing,
	.opt_ns = 300 * MS,
	.crc_word_cycles = 4,
};

/* RM0468: one bank, OPTSR2, CRCCR.ALL_BANK at bit 22, SR.CRCRDERR. The
 * DS13313 table is taken with the DS12110 figures (docs: uncertain). */
const struct sim_flash_h7_params sim_flash_h7_stm32h725 = {
	.name = "stm32h725",
	.banks = 1,
	.bank_size = 0x100000u,
	.sector_size = 0x20000u,
	.reg_base = 0x52002000u,
	.acr_reset = 0x00000013u, /* RM0468 4.9.1 */
	.optsr_blank = 0x03C6AAF0u,
	.optsr_prg_mask = 0x2027FFDCu,
	.has_optsr2 = true,
	.has_crcrderr = true,
	.crc_all_bank_bit = 22,
	.timing = h7_ds12110_timing,
	.opt_ns = 300 * MS,
	.crc_word_cycles = 4,
};

uint64_t flash_h7_now(const struct sim_flash_h7 *f)
{
	return f->env.now_ns(f->env.ctx);
}

void flash_h7_changed(struct sim_flash_h7 *f, uint32_t off, uint32_t len)
{
	if (f->env.array_changed)
		f->env.array_changed(f->env.ctx, off, len);
}

bool flash_h7_debug_attached(const struct sim_flash_h7 *f)
{
	return f->env.debug_attached && f->env.debug_attached(f->env.ctx);
}

bool flash_h7_supply_fails(const struct sim_flash_h7 *f)
{
	return f->vcap_fault || (f->env.core_supply_ok && !f->env.core_supply_ok(f->env.ctx));
}

static bool h7_ecc_state(uint8_t st)
{
	return st == H7_W_ECC1 || st == H7_W_ECC2;
}

void flash_h7_wstate_set(struct sim_flash_h7 *f, uint32_t w, enum h7_wstate st)
{
	f->ecc_words += (uint32_t)h7_ecc_state((uint8_t)st) - (uint32_t)h7_ecc_state(f->wstate[w]);
	f->wstate[w] = (uint8_t)st;
}

/* RM0433 4.5.3: 0xAA level 0, 0xCC level 2, anything else level 1. */
unsigned flash_h7_rdp(uint32_t optsr)
{
	uint8_t rdp = (uint8_t)(optsr >> H7_OPTSR_RDP_SHIFT);

	if (rdp == H7_RDP_LEVEL0)
		return 0;
	return rdp == H7_RDP_LEVEL2 ? 2 : 1;
}

bool flash_h7_in_area(uint32_t area, uint32_t bank_off)
{
	uint32_t start = area & 0xFFFu, end = (area >> 16) & 0xFFFu, unit = bank_off / H7_AREA_UNIT;

	return start <= end && unit >= start && unit <= end;
}

int sim_flash_h7_new(const struct sim_flash_h7_params *p, const struct sim_flash_h7_env *env,
		     struct sim_flash_h7 **out)
{
	struct sim_flash_h7 *f;
	uint32_t size;

	*out = NULL;
	if (!p || !env || !env->now_ns || p->banks < 1 || p->banks > H7_MAX_BANKS || !p->timing ||
	    p->bank_size != p->sector_size * H7_SECTORS)
		return -1;
	size = p->banks * p->bank_size;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->p = p;
	f->env = *env;
	f->mem = malloc(size);
	f->wstate = calloc(size / H7_WORD, 1);
	if (!f->mem || !f->wstate) {
		sim_flash_h7_free(f);
		return -1;
	}
	memset(f->mem, 0xFF, size);
	flash_h7_opt_blank(f);
	sim_flash_h7_reset(f);
	*out = f;
	return 0;
}

void sim_flash_h7_free(struct sim_flash_h7 *f)
{
	if (!f)
		return;
	free(f->mem);
	free(f->wstate);
	free(f);
}

/* Exchanges the two banks' contents and ECC state (bus order store). */
static void h7_swap_halves(struct sim_flash_h7 *f)
{
	uint32_t bs = f->p->bank_size, ws = bs / H7_WORD;
	uint8_t tmp[4096];

	for (uint32_t o = 0; o < bs; o += sizeof(tmp)) {
		memcpy(tmp, f->mem + o, sizeof(tmp));
		memcpy(f->mem + o, f->mem + bs + o, sizeof(tmp));
		memcpy(f->mem + bs + o, tmp, sizeof(tmp));
	}
	for (uint32_t w = 0; w < ws; w++) {
		uint8_t s = f->wstate[w];

		f->wstate[w] = f->wstate[ws + w];
		f->wstate[ws + w] = s;
	}
	f->swapped = !f->swapped;
	flash_h7_changed(f, 0, 2 * bs);
}

void sim_flash_h7_reset(struct sim_flash_h7 *f)
{
	bool want;

	for (unsigned b = 0; b < f->p->banks; b++) {
		struct h7_bank *k = &f->bank[b];

		flash_h7_op_abandon(f, b);
		k->cr = H7_CR_RESET;
		k->sr = 0;
		k->ecc_fa = 0;
		k->key = (struct h7_keyseq){ 0 };
		k->wmask = 0;
		k->crccr = k->crcsadd = k->crceadd = 0;
		k->crcdata = 0; /* RM0433 4.9.22 reset value */
		k->crc_clean = true;
		k->crc_sects = 0;
		k->crc_busy = false;
	}
	flash_h7_opt_abandon(f);
	f->acr = f->p->acr_reset;
	f->optkey = (struct h7_keyseq){ 0 };
	f->optchangeerr = false;
	flash_h7_opt_load(f);
	/* RM0433 4.3.13: SWAP_BANK_OPT takes effect at reset. */
	want = f->p->banks == 2 && (f->stored.optsr & H7_OPTSR_SWAP_BANK_OPT);
	if (want != f->swapped)
		h7_swap_halves(f);
	f->optcr = H7_OPTCR_OPTLOCK | (f->swapped ? H7_OPTCR_SWAP_BANK : 0);
}

void sim_flash_h7_power_cycle(struct sim_flash_h7 *f)
{
	sim_flash_h7_reset(f);
}

/* ---- time -------------------------------------------------------------- */

uint64_t sim_flash_h7_next_event_ns(const struct sim_flash_h7 *f)
{
	uint64_t t = f->opt_busy ? f->opt_end : UINT64_MAX;

	for (unsigned b = 0; b < f->p->banks; b++) {
		if (f->bank[b].op != H7_OP_NONE && f->bank[b].op_end < t)
			t = f->bank[b].op_end;
		if (f->bank[b].crc_busy && f->bank[b].crc_end < t)
			t = f->bank[b].crc_end;
	}
	return t;
}

void sim_flash_h7_tick(struct sim_flash_h7 *f)
{
	uint64_t now = flash_h7_now(f), t;

	while ((t = sim_flash_h7_next_event_ns(f)) <= now) {
		if (f->opt_busy && f->opt_end == t) {
			flash_h7_opt_finish(f);
			continue;
		}
		for (unsigned b = 0; b < f->p->banks; b++) {
			if (f->bank[b].op != H7_OP_NONE && f->bank[b].op_end == t)
				flash_h7_op_finish(f, b);
			else if (f->bank[b].crc_busy && f->bank[b].crc_end == t)
				flash_h7_crc_finish(f, b);
		}
	}
}

bool sim_flash_h7_bank_busy(const struct sim_flash_h7 *f, uint32_t off)
{
	unsigned b = off / f->p->bank_size;

	if (f->opt_busy && f->opt_regress)
		return true;
	return b < f->p->banks && f->bank[b].op != H7_OP_NONE;
}

bool sim_flash_h7_busy(const struct sim_flash_h7 *f)
{
	return sim_flash_h7_next_event_ns(f) != UINT64_MAX;
}

bool sim_flash_h7_unlocked(const struct sim_flash_h7 *f)
{
	for (unsigned b = 0; b < f->p->banks; b++)
		if (!(f->bank[b].cr & H7_CR_LOCK))
			return true;
	return false;
}

/* ---- registers --------------------------------------------------------- */

/* Registers with one copy per bank (RM0433 4.9: FLASH_xxx1 / FLASH_xxx2). */
static bool h7_per_bank(uint32_t reg)
{
	switch (reg) {
	case H7_KEYR:
	case H7_CR:
	case H7_SR:
	case H7_CCR:
	case H7_PRAR_CUR:
	case H7_PRAR_PRG:
	case H7_SCAR_CUR:
	case H7_SCAR_PRG:
	case H7_WPSN_CUR:
	case H7_WPSN_PRG:
	case H7_CRCCR:
	case H7_CRCSADD:
	case H7_CRCEADD:
	case H7_CRCDATA:
	case H7_ECC_FA:
		return true;
	default:
		return false;
	}
}

static uint32_t h7_sr_value(const struct sim_flash_h7 *f, unsigned b)
{
	const struct h7_bank *k = &f->bank[b];
	uint32_t sr = k->sr;

	if (k->wmask)
		sr |= H7_SR_WBNE;
	if (k->op != H7_OP_NONE)
		sr |= H7_SR_BSY | H7_SR_QW;
	if (k->crc_busy)
		sr |= H7_SR_CRC_BUSY;
	return sr;
}

static uint32_t h7_bank_reg_read(const struct sim_flash_h7 *f, unsigned b, uint32_t reg)
{
	const struct h7_bank *k = &f->bank[b];

	switch (reg) {
	case H7_CR:
		return k->cr;
	case H7_SR:
		return h7_sr_value(f, b);
	case H7_CRCCR:
		return k->crccr;
	case H7_CRCSADD:
		return k->crcsadd;
	case H7_CRCEADD:
		return k->crceadd;
	case H7_CRCDATA:
		return k->crcdata;
	case H7_ECC_FA:
		return k->ecc_fa;
	default:
		break;
	}
	uint32_t v = 0;

	flash_h7_opt_reg_read(f, reg + (b ? H7_BANK2 : 0), &v);
	return v;
}

static uint32_t h7_reg_word(const struct sim_flash_h7 *f, uint32_t off)
{
	uint32_t reg = off & 0xFCu, v = 0;
	unsigned b = off >= H7_BANK2 ? 1 : 0;

	if (h7_per_bank(reg)) {
		if (b >= f->p->banks)
			return 0; /* RM0468: bank 2 registers reserved */
		return h7_bank_reg_read(f, b, reg);
	}
	if (reg == H7_ACR)
		return f->acr;
	flash_h7_opt_reg_read(f, reg, &v); /* bank 2 offsets mirror the shared ones */
	return v;
}

enum sim_bus_result sim_flash_h7_reg_read(struct sim_flash_h7 *f, uint32_t off, unsigned size, uint32_t *val)
{
	uint32_t word;

	if (off >= 0x200u || (size != 1 && size != 2 && size != 4) || (off & (size - 1)))
		return SIM_BUS_FAULT;
	word = h7_reg_word(f, off) >> (8 * (off & 3u));
	*val = size == 4 ? word : word & ((1u << (8 * size)) - 1u);
	return SIM_BUS_OK;
}

/*
 * RM0433 4.5.1 (KEYR) and 4.4.3 (OPTKEYR): KEY1 then KEY2 clears the lock
 * bit; a wrong key locks it until the next reset, and the write returns a
 * bus error. Key writes while unlocked are ignored.
 */
static enum sim_bus_result h7_key_write(struct h7_keyseq *k, uint32_t *reg, uint32_t lock_bit, uint32_t key1,
					uint32_t key2, uint32_t val)
{
	if (!(*reg & lock_bit))
		return SIM_BUS_OK;
	if (!k->dead && val == (k->step ? key2 : key1)) {
		if (++k->step == 2) {
			k->step = 0;
			*reg &= ~lock_bit;
		}
		return SIM_BUS_OK;
	}
	k->dead = true;
	return SIM_BUS_FAULT;
}

/* FLASH_CCR (RM0433 4.9.6): writing 1 clears the SR flag at that position;
 * clearing both ECC flags releases ECC_FA for the next error. */
static void h7_ccr_write(struct sim_flash_h7 *f, unsigned b, uint32_t val)
{
	struct h7_bank *k = &f->bank[b];

	k->sr &= ~(val & H7_SR_FLAGS);
	if (!(k->sr & (H7_SR_SNECCERR | H7_SR_DBECCERR)))
		k->ecc_fa = 0;
}

static enum sim_bus_result h7_bank_reg_write(struct sim_flash_h7 *f, unsigned b, uint32_t reg, uint32_t val,
					     enum sim_flash_h7_who who)
{
	struct h7_bank *k = &f->bank[b];

	switch (reg) {
	case H7_KEYR:
		return h7_key_write(&k->key, &k->cr, H7_CR_LOCK, H7_KEY1, H7_KEY2, val);
	case H7_CR:
		return flash_h7_cr_write(f, b, val, who);
	case H7_CCR:
		h7_ccr_write(f, b, val);
		return SIM_BUS_OK;
	case H7_CRCCR:
		flash_h7_crccr_write(f, b, val);
		return SIM_BUS_OK;
	case H7_CRCSADD:
	case H7_CRCEADD:
		/* RM0433 4.9.20: writable while CRC_EN is set (and not busy). */
		if ((k->cr & H7_CR_CRC_EN) && !k->crc_busy)
			*(reg == H7_CRCSADD ? &k->crcsadd : &k->crceadd) = val & H7_CRC_ADDR_MASK;
		return SIM_BUS_OK;
	default:
		return flash_h7_opt_reg_write(f, reg + (b ? H7_BANK2 : 0), val, who);
	}
}

enum sim_bus_result sim_flash_h7_reg_write(struct sim_flash_h7 *f, uint32_t off, unsigned size, uint32_t val,
					   enum sim_flash_h7_who who)
{
	uint32_t reg = off & 0xFCu;
	unsigned b = off >= H7_BANK2 ? 1 : 0;

	if (off >= 0x200u || (size != 1 && size != 2 && size != 4) || (off & (size - 1)))
		return SIM_BUS_FAULT;
	if (size != 4) {
		/* Narrow writes merge into the register (W1C registers see 0s). */
		uint32_t sh = 8 * (off & 3u), m = (size == 2 ? 0xFFFFu : 0xFFu) << sh;
		uint32_t cur = (reg == H7_CCR || reg == H7_OPTCCR) ? 0 : h7_reg_word(f, off & ~3u);

		val = (cur & ~m) | ((val << sh) & m);
	}
	if (h7_per_bank(reg)) {
		if (b >= f->p->banks)
			return SIM_BUS_OK;
		return h7_bank_reg_write(f, b, reg, val, who);
	}
	if (reg == H7_ACR) {
		f->acr = val & 0x3Fu; /* LATENCY [3:0], WRHIGHFREQ [5:4], RM0433 4.9.1 */
		return SIM_BUS_OK;
	}
	if (reg == H7_OPTKEYR)
		return h7_key_write(&f->optkey, &f->optcr, H7_OPTCR_OPTLOCK, H7_OPTKEY1, H7_OPTKEY2, val);
	return flash_h7_opt_reg_write(f, reg, val, who);
}

/* ---- array reads ------------------------------------------------------- */

uint32_t flash_h7_read_refusal(const struct sim_flash_h7 *f, uint32_t off, enum sim_flash_h7_who who)
{
	unsigned b = off / f->p->bank_size;
	uint32_t boff = off % f->p->bank_size;

	/* RM0433 4.5.3: at level 1 the debugger cannot read the user flash. */
	if (who == SIM_FLASH_H7_DEBUG && flash_h7_rdp(f->cur.optsr) != 0)
		return H7_SR_RDPERR;
	/* RM0433 4.5.5: PCROP areas are execute-only. */
	if (who != SIM_FLASH_H7_CORE_FETCH && flash_h7_in_area(f->cur.prar[b], boff))
		return H7_SR_RDPERR;
	/* RM0433 4.5.4: the secure-only area is closed once the secure
	 * library exited; the lab runs no secure library. */
	if ((f->cur.optsr & H7_OPTSR_SECURITY) && flash_h7_in_area(f->cur.scar[b], boff))
		return H7_SR_RDSERR;
	return 0;
}

/* RM0433 4.3.7 "Error correction code": a single error is corrected and
 * flagged, a double error is flagged and the read answered with a bus
 * error; ECC_FA keeps the first failing word until the flags are cleared. */
static bool h7_ecc_check(struct sim_flash_h7 *f, uint32_t off)
{
	unsigned b = off / f->p->bank_size;
	struct h7_bank *k = &f->bank[b];
	uint8_t st = f->wstate[off / H7_WORD];

	if (st != H7_W_ECC1 && st != H7_W_ECC2)
		return true;
	if (!(k->sr & (H7_SR_SNECCERR | H7_SR_DBECCERR)))
		k->ecc_fa = (off % f->p->bank_size) / H7_WORD & H7_ECC_FA_MASK;
	if (st == H7_W_ECC1) {
		k->sr |= H7_SR_SNECCERR;
		f->stats.ecc_single++;
		return true;
	}
	k->sr |= H7_SR_DBECCERR;
	f->stats.ecc_double++;
	return false;
}

static bool h7_access_ok(const struct sim_flash_h7 *f, uint32_t off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && off < sim_flash_h7_size(f) &&
	       (off % H7_WORD) + size <= H7_WORD;
}

enum sim_bus_result sim_flash_h7_array_read(struct sim_flash_h7 *f, uint32_t off, unsigned size,
					    uint32_t *val, enum sim_flash_h7_who who)
{
	uint32_t refuse, v = 0;

	if (!h7_access_ok(f, off, size))
		return SIM_BUS_FAULT;
	refuse = flash_h7_read_refusal(f, off, who);
	if (refuse) {
		f->bank[off / f->p->bank_size].sr |= refuse;
		return SIM_BUS_FAULT;
	}
	if (sim_flash_h7_bank_busy(f, off))
		return SIM_BUS_WAIT;
	if (!h7_ecc_check(f, off))
		return SIM_BUS_FAULT;
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)f->mem[off + i] << (8 * i);
	*val = v;
	return SIM_BUS_OK;
}

enum sim_bus_result sim_flash_h7_array_write(struct sim_flash_h7 *f, uint32_t off, unsigned size,
					     uint32_t val, enum sim_flash_h7_who who)
{
	if (!h7_access_ok(f, off, size))
		return SIM_BUS_FAULT;
	return flash_h7_buffer_write(f, off, size, val, who);
}

const uint8_t *sim_flash_h7_view(const struct sim_flash_h7 *f)
{
	return f->mem;
}

uint32_t sim_flash_h7_size(const struct sim_flash_h7 *f)
{
	return f->p->banks * f->p->bank_size;
}

static bool h7_area_active(uint32_t area)
{
	return (area & 0xFFFu) <= ((area >> 16) & 0xFFFu);
}

bool sim_flash_h7_read_faults(const struct sim_flash_h7 *f)
{
	bool secure = f->cur.optsr & H7_OPTSR_SECURITY;

	if (flash_h7_rdp(f->cur.optsr) != 0 || sim_flash_h7_busy(f) || f->ecc_words)
		return true;
	for (unsigned b = 0; b < f->p->banks; b++)
		if (h7_area_active(f->cur.prar[b]) || (secure && h7_area_active(f->cur.scar[b])))
			return true;
	return false;
}

/* ---- backdoor, knobs, status ------------------------------------------- */

static bool h7_range_ok(const struct sim_flash_h7 *f, uint32_t off, size_t len)
{
	return off <= sim_flash_h7_size(f) && len <= sim_flash_h7_size(f) - off;
}

int sim_flash_h7_load(struct sim_flash_h7 *f, uint32_t off, const void *data, size_t len)
{
	if (!data || !h7_range_ok(f, off, len))
		return -1;
	memcpy(f->mem + off, data, len);
	for (uint32_t w = off / H7_WORD; len && w <= (off + len - 1) / H7_WORD; w++) {
		bool blank = true;

		for (unsigned i = 0; i < H7_WORD; i++)
			blank = blank && f->mem[w * H7_WORD + i] == 0xFF;
		if (!blank && f->wstate[w] == H7_W_ERASED)
			flash_h7_wstate_set(f, w, H7_W_PROG);
	}
	flash_h7_changed(f, off, (uint32_t)len);
	return 0;
}

int sim_flash_h7_peek(const struct sim_flash_h7 *f, uint32_t off, void *buf, size_t len)
{
	if (!buf || !h7_range_ok(f, off, len))
		return -1;
	memcpy(buf, f->mem + off, len);
	return 0;
}

void sim_flash_h7_knob_fast_erase(struct sim_flash_h7 *f, bool on)
{
	f->fast_erase = on;
}

void sim_flash_h7_knob_vcap_fault(struct sim_flash_h7 *f, bool on)
{
	f->vcap_fault = on;
}

int sim_flash_h7_knob_ecc(struct sim_flash_h7 *f, uint32_t off, bool dbl)
{
	if (off >= sim_flash_h7_size(f))
		return -1;
	flash_h7_wstate_set(f, off / H7_WORD, dbl ? H7_W_ECC2 : H7_W_ECC1);
	flash_h7_changed(f, off & ~(H7_WORD - 1), H7_WORD);
	return 0;
}

void sim_flash_h7_knob_wrp(struct sim_flash_h7 *f, uint32_t sectors)
{
	for (unsigned b = 0; b < f->p->banks; b++)
		f->stored.wpsn[b] &= ~((sectors >> (H7_SECTORS * b)) & H7_WPSN_ALL);
}

void sim_flash_h7_knob_rdp1(struct sim_flash_h7 *f)
{
	f->stored.optsr = (f->stored.optsr & ~H7_OPTSR_RDP_MASK) | (0x55u << H7_OPTSR_RDP_SHIFT);
}

void sim_flash_h7_knob_bank_swap(struct sim_flash_h7 *f)
{
	if (f->p->banks == 2)
		f->stored.optsr |= H7_OPTSR_SWAP_BANK_OPT;
}

int sim_flash_h7_knob_weak_cell(struct sim_flash_h7 *f, uint32_t off)
{
	if (off >= sim_flash_h7_size(f))
		return -1;
	f->weak = true;
	f->weak_off = off;
	return 0;
}

uint32_t sim_flash_h7_optsr(const struct sim_flash_h7 *f)
{
	uint32_t v = 0;

	flash_h7_opt_reg_read(f, H7_OPTSR_CUR, &v);
	return v;
}

uint32_t sim_flash_h7_boot(const struct sim_flash_h7 *f)
{
	return f->cur.boot;
}

unsigned sim_flash_h7_rdp_level(const struct sim_flash_h7 *f)
{
	return flash_h7_rdp(f->cur.optsr);
}

bool sim_flash_h7_swapped(const struct sim_flash_h7 *f)
{
	return f->swapped;
}

void sim_flash_h7_get_stats(const struct sim_flash_h7 *f, struct sim_flash_h7_stats *st)
{
	*st = f->stats;
}
