/*
 * STM32H7 flash: option bytes, after RM0433 4.4 "FLASH option bytes" and
 * 4.5 "FLASH protection mechanisms" (RM0468 4.4/4.5; OPTSR2 RM0468
 * 4.9.33-34).
 *
 * The option sector holds one value per *_PRG register (`stored`); a reset
 * copies it to the *_CUR registers (`cur`). Software unlocks OPTCR with
 * OPTKEYR, writes the *_PRG registers and sets OPTSTART: OPT_BUSY stays set
 * for the change time, then the new values are stored and in effect at
 * once, except SWAP_BANK_OPT whose remap waits for the next reset
 * (RM0433 4.3.13). Leaving RDP level 1 for level 0 first mass-erases both
 * banks (RM0433 4.5.3). Level 2 is final: any change gives OPTCHANGEERR.
 */
#include "sim_flash_h7_internal.h"

#define H7_OPTSR2_MASK 0x7u /* TCM_AXI_SHARED [1:0], CPUFREQ_BOOST 2 (RM0468 4.9.34) */

void flash_h7_opt_blank(struct sim_flash_h7 *f)
{
	struct h7_optbytes *o = &f->stored;

	o->optsr = f->p->optsr_blank;
	o->optsr2 = 0;
	o->boot = H7_BOOT_BLANK;
	for (unsigned b = 0; b < H7_MAX_BANKS; b++) {
		o->wpsn[b] = H7_WPSN_ALL;
		o->prar[b] = H7_AREA_BLANK;
		o->scar[b] = H7_AREA_BLANK;
	}
}

/* Reset: the *_CUR and *_PRG registers reload from the option sector. */
void flash_h7_opt_load(struct sim_flash_h7 *f)
{
	f->cur = f->stored;
	f->optsr_prg = f->stored.optsr;
	f->optsr2_prg = f->stored.optsr2;
	f->boot_prg = f->stored.boot;
	for (unsigned b = 0; b < f->p->banks; b++) {
		f->bank[b].wpsn_prg = f->stored.wpsn[b];
		f->bank[b].prar_prg = f->stored.prar[b];
		f->bank[b].scar_prg = f->stored.scar[b];
	}
}

static uint32_t h7_optsr_cur(const struct sim_flash_h7 *f)
{
	uint32_t v = f->cur.optsr & ~(H7_OPTSR_OPT_BUSY | H7_OPTSR_OPTCHANGEERR);

	if (f->opt_busy)
		v |= H7_OPTSR_OPT_BUSY;
	if (f->optchangeerr)
		v |= H7_OPTSR_OPTCHANGEERR;
	return v;
}

static bool h7_opt_bank_reg(const struct sim_flash_h7 *f, unsigned b, uint32_t reg, uint32_t *val)
{
	switch (reg) {
	case H7_PRAR_CUR:
		*val = f->cur.prar[b];
		return true;
	case H7_PRAR_PRG:
		*val = f->bank[b].prar_prg;
		return true;
	case H7_SCAR_CUR:
		*val = f->cur.scar[b];
		return true;
	case H7_SCAR_PRG:
		*val = f->bank[b].scar_prg;
		return true;
	case H7_WPSN_CUR:
		*val = f->cur.wpsn[b];
		return true;
	case H7_WPSN_PRG:
		*val = f->bank[b].wpsn_prg;
		return true;
	default:
		return false;
	}
}

/* Reads an option register; `off` may be a bank 2 offset (+0x100): the
 * per-bank ones pick bank 2, the shared ones are mirrors. */
bool flash_h7_opt_reg_read(const struct sim_flash_h7 *f, uint32_t off, uint32_t *val)
{
	uint32_t reg = off & 0xFCu;
	unsigned b = off >= H7_BANK2 ? 1 : 0;

	*val = 0;
	if (b < f->p->banks && h7_opt_bank_reg(f, b, reg, val))
		return true;
	switch (reg) {
	case H7_OPTCR:
		*val = f->optcr;
		return true;
	case H7_OPTSR_CUR:
		*val = h7_optsr_cur(f);
		return true;
	case H7_OPTSR_PRG:
		*val = f->optsr_prg;
		return true;
	case H7_BOOT_CUR:
		*val = f->cur.boot;
		return true;
	case H7_BOOT_PRG:
		*val = f->boot_prg;
		return true;
	case H7_OPTSR2_CUR:
		*val = f->p->has_optsr2 ? f->cur.optsr2 : 0;
		return f->p->has_optsr2;
	case H7_OPTSR2_PRG:
		*val = f->p->has_optsr2 ? f->optsr2_prg : 0;
		return f->p->has_optsr2;
	default:
		return false; /* keys, OPTCCR and reserved offsets read 0 */
	}
}

static bool h7_any_bank_busy(const struct sim_flash_h7 *f)
{
	for (unsigned b = 0; b < f->p->banks; b++)
		if (f->bank[b].op != H7_OP_NONE)
			return true;
	return false;
}

/* OPTSTART (RM0433 4.4.3). Refused with OPTCHANGEERR at level 2, or while
 * an option change or a program/erase is in progress (docs: uncertain). */
static void h7_opt_start(struct sim_flash_h7 *f)
{
	unsigned now_level = flash_h7_rdp(f->cur.optsr), next = flash_h7_rdp(f->optsr_prg);
	uint64_t ns = f->p->opt_ns;

	if (f->opt_busy || h7_any_bank_busy(f) || now_level == 2) {
		f->optchangeerr = true;
		return;
	}
	f->opt_regress = now_level == 1 && next == 0;
	if (f->opt_regress)
		ns += f->p->timing[(f->bank[0].cr & H7_CR_PSIZE_MASK) >> H7_CR_PSIZE_SHIFT].mass_ns;
	f->opt_busy = true;
	f->opt_end = flash_h7_now(f) + ns;
}

void flash_h7_opt_finish(struct sim_flash_h7 *f)
{
	struct h7_optbytes *o = &f->stored;

	if (f->opt_regress) {
		flash_h7_erase_range(f, 0, sim_flash_h7_size(f), false);
		f->stats.mass_erases++;
	}
	o->optsr = f->optsr_prg;
	o->optsr2 = f->optsr2_prg;
	o->boot = f->boot_prg;
	for (unsigned b = 0; b < f->p->banks; b++) {
		struct h7_bank *k = &f->bank[b];

		o->wpsn[b] = k->wpsn_prg;
		/* RM0433 4.5.3: the regression removes PCROP / secure areas
		 * whose DMEP / DMES bit asks for it. */
		o->prar[b] = f->opt_regress && (k->prar_prg & H7_AREA_DM) ? H7_AREA_BLANK : k->prar_prg;
		o->scar[b] = f->opt_regress && (k->scar_prg & H7_AREA_DM) ? H7_AREA_BLANK : k->scar_prg;
		k->prar_prg = o->prar[b];
		k->scar_prg = o->scar[b];
	}
	f->cur = *o;
	f->opt_busy = false;
	f->opt_regress = false;
	f->stats.option_changes++;
}

/* A reset during an option change: the option sector keeps its old
 * values; an RDP regression's mass erase is left part-way. */
void flash_h7_opt_abandon(struct sim_flash_h7 *f)
{
	if (f->opt_busy && f->opt_regress)
		flash_h7_erase_range(f, 0, sim_flash_h7_size(f), true);
	f->opt_busy = false;
	f->opt_regress = false;
}

static enum sim_bus_result h7_optcr_write(struct sim_flash_h7 *f, uint32_t val, enum sim_flash_h7_who who)
{
	if (f->optcr & H7_OPTCR_OPTLOCK)
		return SIM_BUS_OK; /* RM0433 4.9.7: write-protected while OPTLOCK */
	if ((val & H7_OPTCR_MER) && h7_any_bank_busy(f))
		return SIM_BUS_WAIT;
	f->optcr = (f->optcr & H7_OPTCR_SWAP_BANK) | (val & (H7_OPTCR_OPTLOCK | H7_OPTCR_CHANGEERRIE));
	if (val & H7_OPTCR_OPTLOCK)
		return SIM_BUS_OK;
	if (val & H7_OPTCR_MER)
		flash_h7_start_mass(f, who);
	if (val & H7_OPTCR_OPTSTART)
		h7_opt_start(f);
	return SIM_BUS_OK;
}

static void h7_prg_set(uint32_t *reg, uint32_t val, uint32_t mask)
{
	*reg = (*reg & ~mask) | (val & mask);
}

/* The *_PRG registers: writable while OPTCR is unlocked and no change is
 * running (RM0433 4.9.9 and following). */
static void h7_prg_write(struct sim_flash_h7 *f, uint32_t off, uint32_t val)
{
	uint32_t reg = off & 0xFCu;
	unsigned b = off >= H7_BANK2 ? 1 : 0;

	if ((f->optcr & H7_OPTCR_OPTLOCK) || f->opt_busy)
		return;
	if (b < f->p->banks) {
		if (reg == H7_PRAR_PRG)
			h7_prg_set(&f->bank[b].prar_prg, val, H7_AREA_MASK);
		else if (reg == H7_SCAR_PRG)
			h7_prg_set(&f->bank[b].scar_prg, val, H7_AREA_MASK);
		else if (reg == H7_WPSN_PRG)
			h7_prg_set(&f->bank[b].wpsn_prg, val, H7_WPSN_ALL);
	}
	if (reg == H7_OPTSR_PRG)
		h7_prg_set(&f->optsr_prg, val, f->p->optsr_prg_mask);
	else if (reg == H7_BOOT_PRG)
		f->boot_prg = val;
	else if (reg == H7_OPTSR2_PRG && f->p->has_optsr2)
		h7_prg_set(&f->optsr2_prg, val, H7_OPTSR2_MASK);
}

enum sim_bus_result flash_h7_opt_reg_write(struct sim_flash_h7 *f, uint32_t off, uint32_t val,
					   enum sim_flash_h7_who who)
{
	switch (off & 0xFCu) {
	case H7_OPTCR:
		return h7_optcr_write(f, val, who);
	case H7_OPTCCR:
		if (val & H7_OPTCCR_CLR_OPTCHANGEERR)
			f->optchangeerr = false;
		return SIM_BUS_OK;
	default:
		h7_prg_write(f, off, val);
		return SIM_BUS_OK;
	}
}
