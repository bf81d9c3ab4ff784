/*
 * The Private Peripheral Bus of the simulated Cortex-M4F (0xE0000000-
 * 0xE00FFFFF): System Control Space with the debug registers, the ROM table
 * and CoreSight ID registers, ITM/TPIU/ETM stubs and the STM32 DBGMCU.
 * FPB and DWT live in sim_fpb_dwt.c.
 *
 * The same registers answer the debugger (through the AHB-AP, sim_ppb_read/
 * sim_ppb_write) and the CPU (through Unicorn's MMIO map); `cpu` tells them
 * apart where the architecture does (DHCSR.C_DEBUGEN is debugger-only).
 *
 * References: ARMv7-M (DDI0403E) B3.2 SCB, C1.6 debug registers, D1 / ARM
 * CoreSight ID registers; Cortex-M4 TRM (DDI0439B) 3.x ROM table and
 * component IDs; RM0090 38.16 DBGMCU and 38.5 MCU ROM table; Cortex-M7 TRM
 * (DDI0489) and RM0433 60.5 for the M7 layout. Cache registers:
 * sim_cache.c.
 */
#include "sim_core_internal.h"

#define SCS_BASE 0xE000E000U
#define DBGMCU_BASE 0xE0042000U

/* ---- CoreSight identification (ARM IHI0029 / the cores' TRMs) --------- */

struct ppb_component {
	uint32_t base;
	uint8_t pidr[5]; /* PIDR0..PIDR4 */
	uint8_t cidr1;   /* class in [7:4] */
	uint32_t parent; /* ROM table listing it (0 = none) */
	bool vendor_rom; /* ST's ROM table: PIDR from the chip's rom_partno */
};

/* Cortex-M4 (Cortex-M4 TRM table 3-3; RM0090 38.5 for the STM32F4 ROM
 * table, whose PIDR carries ST's JEP106 code 0x20 and part number 0x413).
 * ROM table entries are signed offsets from the table with bits [1:0] =
 * present + 32-bit format (ARMv7-M C1.2), in this order. */
static const struct ppb_component ppb_m4[] = {
	{ .base = 0xE000E000U,
	  .pidr = { 0x0C, 0xB0, 0x0B, 0x00, 0x04 },
	  .cidr1 = 0xE0,
	  .parent = 0xE00FF000U }, /* SCS */
	{ .base = 0xE0001000U,
	  .pidr = { 0x02, 0xB0, 0x3B, 0x00, 0x04 },
	  .cidr1 = 0xE0,
	  .parent = 0xE00FF000U }, /* DWT */
	{ .base = 0xE0002000U,
	  .pidr = { 0x03, 0xB0, 0x2B, 0x00, 0x04 },
	  .cidr1 = 0xE0,
	  .parent = 0xE00FF000U }, /* FPB */
	{ .base = 0xE0000000U,
	  .pidr = { 0x01, 0xB0, 0x3B, 0x00, 0x04 },
	  .cidr1 = 0xE0,
	  .parent = 0xE00FF000U }, /* ITM */
	{ .base = 0xE0040000U,
	  .pidr = { 0xA1, 0xB9, 0x0B, 0x00, 0x04 },
	  .cidr1 = 0x90,
	  .parent = 0xE00FF000U }, /* TPIU */
	{ .base = 0xE0041000U,
	  .pidr = { 0x25, 0xB9, 0x4B, 0x00, 0x04 },
	  .cidr1 = 0x90,
	  .parent = 0xE00FF000U },                                  /* ETM */
	{ .base = 0xE00FF000U, .cidr1 = 0x10, .vendor_rom = true }, /* ROM table */
};

/* Cortex-M7 (Cortex-M7 TRM (DDI0489) 3.x and RM0433 60.5 tables 621-623):
 * the processor ROM table at 0xE00FE000, which ST gives its JEP106 code and
 * the DEV_ID as part number, lists the PPB ROM table 0xE00FF000 (SCS, DWT,
 * FPB, ITM), the ETM at 0xE0041000 and the CTI at 0xE0043000. The trace
 * port (TPIU/SWO) sits on the system debug APB (AP2), not here. ARM part
 * numbers: SCS 0x00C, DWT 0x002, FPB 0x00E (FPBv2), ITM 0x001, PPB ROM
 * table 0x4C7, ETM-M7 0x975, CTI 0x906 (TRM ID tables; the revision nibbles
 * in PIDR2 are a model choice). */
static const struct ppb_component ppb_m7[] = {
	{ .base = 0xE00FF000U,
	  .pidr = { 0xC7, 0xB4, 0x0B, 0x00, 0x04 },
	  .cidr1 = 0x10,
	  .parent = 0xE00FE000U }, /* PPB ROM */
	{ .base = 0xE0041000U,
	  .pidr = { 0x75, 0xB9, 0x0B, 0x00, 0x04 },
	  .cidr1 = 0x90,
	  .parent = 0xE00FE000U }, /* ETM */
	{ .base = 0xE0043000U,
	  .pidr = { 0x06, 0xB9, 0x0B, 0x00, 0x04 },
	  .cidr1 = 0x90,
	  .parent = 0xE00FE000U }, /* CTI */
	{ .base = 0xE000E000U,
	  .pidr = { 0x0C, 0xB0, 0x0B, 0x00, 0x04 },
	  .cidr1 = 0xE0,
	  .parent = 0xE00FF000U }, /* SCS */
	{ .base = 0xE0001000U,
	  .pidr = { 0x02, 0xB0, 0x0B, 0x00, 0x04 },
	  .cidr1 = 0xE0,
	  .parent = 0xE00FF000U }, /* DWT */
	{ .base = 0xE0002000U,
	  .pidr = { 0x0E, 0xB0, 0x0B, 0x00, 0x04 },
	  .cidr1 = 0xE0,
	  .parent = 0xE00FF000U }, /* FPB */
	{ .base = 0xE0000000U,
	  .pidr = { 0x01, 0xB0, 0x0B, 0x00, 0x04 },
	  .cidr1 = 0xE0,
	  .parent = 0xE00FF000U },                                  /* ITM */
	{ .base = 0xE00FE000U, .cidr1 = 0x10, .vendor_rom = true }, /* ST ROM */
};

static const struct ppb_component *ppb_table(const sim_chip *c, size_t *n)
{
	if (c->desc->core.uc_model == UC_CPU_ARM_CORTEX_M7) {
		*n = sizeof(ppb_m7) / sizeof(ppb_m7[0]);
		return ppb_m7;
	}
	*n = sizeof(ppb_m4) / sizeof(ppb_m4[0]);
	return ppb_m4;
}

static const struct ppb_component *component_at(const sim_chip *c, uint32_t addr)
{
	size_t n;
	const struct ppb_component *t = ppb_table(c, &n);

	for (size_t i = 0; i < n; i++)
		if ((addr & ~0xFFFU) == t[i].base)
			return &t[i];
	return NULL;
}

/* JEP106 ST (0x20, bank 0) with the chip's part number (ARM IHI0029 B2.2). */
static uint8_t vendor_pidr(const sim_chip *c, unsigned i)
{
	uint16_t part = c->desc->core.rom_partno;
	const uint8_t p[5] = { (uint8_t)part, (uint8_t)((part >> 8) & 0xFU), 0x0A, 0x00, 0x00 };

	return p[i];
}

/* PIDR4..7 at 0xFD0, PIDR0..3 at 0xFE0, CIDR0..3 at 0xFF0. */
static bool id_reg(const sim_chip *c, const struct ppb_component *comp, uint32_t off, uint32_t *val)
{
	static const uint8_t cidr[4] = { 0x0D, 0x00, 0x05, 0xB1 };

	if (off == 0xFD0U)
		*val = comp->vendor_rom ? vendor_pidr(c, 4) : comp->pidr[4];
	else if (off >= 0xFD4U && off < 0xFE0U)
		*val = 0;
	else if (off >= 0xFE0U && off < 0xFF0U)
		*val = comp->vendor_rom ? vendor_pidr(c, (off - 0xFE0U) / 4) : comp->pidr[(off - 0xFE0U) / 4];
	else if (off >= 0xFF0U)
		*val = off == 0xFF4U ? comp->cidr1 : cidr[(off - 0xFF0U) / 4];
	else
		return false;
	return true;
}

/* A ROM table: its entries in table order, then 0 (end marker). */
static bool rom_read(const sim_chip *c, uint32_t rom, uint32_t off, uint32_t *val)
{
	size_t n, k = 0;
	const struct ppb_component *t = ppb_table(c, &n);

	*val = 0;
	if (off == 0xFCCU) { /* MEMTYPE: system memory present */
		*val = 1;
		return true;
	}
	for (size_t i = 0; i < n; i++) {
		if (t[i].parent != rom)
			continue;
		if (k++ == off / 4)
			*val = ((t[i].base - rom) & ~0xFFFU) | 3U;
	}
	return off < 0xF00U;
}

/* ---- reset ------------------------------------------------------------- */

void sim_scs_reset(sim_chip *c, enum sim_reset_kind kind)
{
	struct sim_core *k = c->core;

	if (kind == SIM_RESET_POWER_ON) {
		/* debug logic: reset by power-on reset only (C1.6) */
		k->dhcsr_ctrl = 0;
		k->demcr = 0;
		k->dfsr = 0;
		k->dcrdr = 0;
		k->dbgmcu_cr = k->dbgmcu_apb1_fz = k->dbgmcu_apb2_fz = 0; /* RM0090 38.16.3: PORESET only */
		sim_fpb_reset(c);
		sim_dwt_reset(c);
	}
	/* DHCSR is reset by power-on reset only, except C_HALT, which a local
	 * reset clears: the core comes out of reset running unless a vector
	 * catch halts it (C1.6.2, C1.6.5). */
	k->dhcsr_ctrl &= ~DHCSR_C_HALT;
	k->s_regrdy = false;
	k->vtor = k->aircr_prigroup = k->scr = k->shcsr = 0;
	k->cfsr = k->hfsr = k->mmfar = k->bfar = k->cpacr = 0;
	k->ccr = 0x200U; /* STKALIGN (B3.2.8, Cortex-M4 r0p1; M7 also BP, RAO) */
	sim_cache_reset(c);
	k->fpccr = 0xC0000000U; /* ASPEN | LSPEN (B3.2.23) */
	k->shpr[0] = k->shpr[1] = k->shpr[2] = 0;
	k->systick[0] = k->systick[1] = k->systick[2] = 0;
	k->systick_sub = 0;
	k->pending = 0;
}

/* ---- DHCSR / DCRSR (C1.6.2, C1.6.3) --------------------------------------- */

uint32_t sim_scs_dhcsr_read(sim_chip *c)
{
	struct sim_core *k = c->core;
	uint32_t v = k->dhcsr_ctrl;

	if (k->state == SIM_CORE_HALTED && !k->held) {
		v |= DHCSR_S_HALT;
		if (k->s_regrdy)
			v |= DHCSR_S_REGRDY;
	}
	if (k->state == SIM_CORE_SLEEPING && !k->held)
		v |= DHCSR_S_SLEEP;
	if (k->state == SIM_CORE_LOCKUP && !k->held)
		v |= DHCSR_S_LOCKUP;
	if (k->s_retire_st)
		v |= DHCSR_S_RETIRE_ST;
	if (k->s_reset_st || k->held)
		v |= DHCSR_S_RESET_ST;
	/* the sticky bits clear on read (C1.6.2) */
	k->s_retire_st = false;
	k->s_reset_st = false;
	return v;
}

/* Writes need DBGKEY in [31:16]; the CPU cannot change C_DEBUGEN. Clearing
 * C_DEBUGEN leaves Debug state. C_HALT = 1 halts (from running, sleeping or
 * lockup); C_HALT = 0 while halted resumes, C_STEP makes it one instruction. */
static void dhcsr_write(sim_chip *c, uint32_t val, bool cpu)
{
	struct sim_core *k = c->core;
	uint32_t ctrl =
		val & (DHCSR_C_DEBUGEN | DHCSR_C_HALT | DHCSR_C_STEP | DHCSR_C_MASKINTS | DHCSR_C_SNAPSTALL);

	if ((val & 0xFFFF0000U) != DHCSR_KEY)
		return;
	if (cpu)
		ctrl = (ctrl & ~DHCSR_C_DEBUGEN) | (k->dhcsr_ctrl & DHCSR_C_DEBUGEN);
	if (!(ctrl & DHCSR_C_DEBUGEN)) {
		k->dhcsr_ctrl = 0;
		sim_core_resume(c, false);
		k->dhcsr_ctrl = 0;
		return;
	}
	k->dhcsr_ctrl = ctrl;
	if (ctrl & DHCSR_C_HALT) {
		if (k->state != SIM_CORE_HALTED) {
			if (cpu)
				sim_core_request_stop(c, SIM_EV_HALT_REQ);
			else
				sim_core_halt(c, DFSR_HALTED);
		}
	} else if (k->state == SIM_CORE_HALTED) {
		sim_core_resume(c, ctrl & DHCSR_C_STEP);
	}
}

/* REGSEL (C1.6.3 table C1-9): R0-R12, SP, LR, DebugReturnAddress, xPSR,
 * MSP, PSP, the packed special registers at 0x14, FPSCR 0x21, S0-S31
 * 0x40-0x5F. Others are reserved. */
static int regsel_to_uc(uint32_t regsel)
{
	if (regsel <= 12)
		return UC_ARM_REG_R0 + (int)regsel;
	if (regsel >= 0x40 && regsel <= 0x5F)
		return UC_ARM_REG_S0 + (int)(regsel - 0x40);
	switch (regsel) {
	case 0x0D:
		return UC_ARM_REG_SP;
	case 0x0E:
		return UC_ARM_REG_LR;
	case 0x0F:
		return UC_ARM_REG_PC;
	case 0x10:
		return UC_ARM_REG_XPSR;
	case 0x11:
		return UC_ARM_REG_MSP;
	case 0x12:
		return UC_ARM_REG_PSP;
	case 0x21:
		return UC_ARM_REG_FPSCR;
	default:
		return -1;
	}
}

/* CONTROL[31:24] | FAULTMASK[23:16] | BASEPRI[15:8] | PRIMASK[7:0]. */
static uint32_t special_read(sim_chip *c)
{
	return (sim_core_reg(c, UC_ARM_REG_CONTROL) & 7U) << 24 |
	       (sim_core_reg(c, UC_ARM_REG_FAULTMASK) & 1U) << 16 |
	       (sim_core_reg(c, UC_ARM_REG_BASEPRI) & 0xF0U) << 8 |
	       (sim_core_reg(c, UC_ARM_REG_PRIMASK) & 1U);
}

static void special_write(sim_chip *c, uint32_t v)
{
	sim_core_set_reg(c, UC_ARM_REG_PRIMASK, v & 1U);
	sim_core_set_reg(c, UC_ARM_REG_BASEPRI, (v >> 8) & 0xF0U);
	sim_core_set_reg(c, UC_ARM_REG_FAULTMASK, (v >> 16) & 1U);
	sim_core_set_reg(c, UC_ARM_REG_CONTROL, (v >> 24) & 7U); /* last: carries nPRIV */
}

/* APSR, IPSR and EPSR (ARMv7-M B1.4.2): T goes to the core's EPSR.T, not
 * to Unicorn, which only executes Thumb. */
static void xpsr_write(sim_chip *c, uint32_t v)
{
	sim_core_set_reg(c, UC_ARM_REG_XPSR_NZCVQG, (v & 0xF80F0000U) | (1U << 24));
	sim_core_set_epsr_t(c, v & (1U << 24));
	if ((v & 0x1FFU) != (sim_core_reg(c, UC_ARM_REG_XPSR) & 0x1FFU))
		sim_core_set_reg(c, UC_ARM_REG_IPSR, v & 0x1FFU);
}

/* A transfer only happens in Debug state; otherwise the request is
 * refused and S_REGRDY stays 0, so the debugger's poll times out. */
static void dcrsr_write(sim_chip *c, uint32_t val)
{
	struct sim_core *k = c->core;
	uint32_t regsel = val & 0x7FU;
	bool wr = val & (1U << 16);
	int reg = regsel_to_uc(regsel);

	k->s_regrdy = false;
	if (k->state != SIM_CORE_HALTED || k->held)
		return;
	k->s_regrdy = true;
	if (regsel == 0x14) {
		if (wr)
			special_write(c, k->dcrdr);
		else
			k->dcrdr = special_read(c);
	} else if (reg == UC_ARM_REG_XPSR && wr) {
		xpsr_write(c, k->dcrdr);
	} else if (reg >= 0) {
		if (wr)
			sim_core_set_reg(c, reg, k->dcrdr);
		else
			k->dcrdr = sim_core_reg(c, reg) & (reg == UC_ARM_REG_PC ? ~1U : ~0U);
	}
}

uint32_t sim_dbgmcu_apb1_fz(const sim_chip *c)
{
	return c->core->dbgmcu_apb1_fz;
}

/* ---- AIRCR (B3.2.6) ---------------------------------------------------- */

static void aircr_write(sim_chip *c, uint32_t val, bool cpu)
{
	if ((val >> 16) != 0x05FAU)
		return;
	c->core->aircr_prigroup = val & 0x700U;
	if (val & (1U << 2)) { /* SYSRESETREQ */
		if (cpu)
			sim_core_request_stop(c, SIM_EV_SYSRESET);
		else
			sim_chip_system_reset_by(c, SIM_RST_SOFTWARE);
	} else if (val & 1U) { /* VECTRESET: core only */
		if (cpu)
			sim_core_request_stop(c, SIM_EV_VECTRESET);
		else
			sim_core_reset(c, SIM_RESET_CORE);
	}
}

/* ---- SCS register file ------------------------------------------------- */

static bool scb_read(sim_chip *c, uint32_t addr, uint32_t *v)
{
	struct sim_core *k = c->core;

	if (sim_systick_read(c, addr, v))
		return true;
	if (sim_cache_scs_read(c, addr, v))
		return true;
	switch (addr) {
	case 0xE000E004U:
		*v = 2;
		break; /* ICTR: 96 interrupt lines (STM32F407 has 82) */
	case 0xE000ED00U:
		*v = c->cpuid;
		break;
	case 0xE000ED04U:
		*v = sim_icsr_read(c);
		break;
	case 0xE000ED08U:
		*v = k->vtor;
		break;
	case 0xE000ED0CU:
		*v = 0xFA050000U | k->aircr_prigroup;
		break;
	case 0xE000ED10U:
		*v = k->scr;
		break;
	case 0xE000ED14U:
		*v = k->ccr;
		break;
	case 0xE000ED18U:
		*v = k->shpr[0];
		break;
	case 0xE000ED1CU:
		*v = k->shpr[1];
		break;
	case 0xE000ED20U:
		*v = k->shpr[2];
		break;
	case 0xE000ED24U:
		*v = k->shcsr;
		break;
	case 0xE000ED28U:
		*v = k->cfsr;
		break;
	case 0xE000ED2CU:
		*v = k->hfsr;
		break;
	case 0xE000ED30U:
		*v = k->dfsr;
		break;
	case 0xE000ED34U:
		*v = k->mmfar;
		break;
	case 0xE000ED38U:
		*v = k->bfar;
		break;
	case 0xE000ED88U:
		*v = k->cpacr;
		break;
	case 0xE000EDF0U:
		*v = sim_scs_dhcsr_read(c);
		break;
	case 0xE000EDF8U:
		*v = k->dcrdr;
		break;
	case 0xE000EDFCU:
		*v = k->demcr;
		break;
	case 0xE000EF34U:
		*v = k->fpccr;
		break;
	case 0xE000EF40U:
		*v = c->desc->core.mvfr0;
		break; /* B4.1.3 */
	case 0xE000EF44U:
		*v = c->desc->core.mvfr1;
		break;
	case 0xE000EF48U:
		*v = c->desc->core.mvfr2;
		break;
	default:
		*v = 0;
		break; /* NVIC and the rest: RAZ */
	}
	return true;
}

static bool scb_write(sim_chip *c, uint32_t addr, uint32_t v, bool cpu)
{
	struct sim_core *k = c->core;

	if (sim_systick_write(c, addr, v) || sim_cache_scs_write(c, addr, v))
		return true;
	switch (addr) {
	case 0xE000ED04U:
		if (sim_icsr_write(c, v) && cpu)
			sim_core_request_stop(c, SIM_EV_PEND); /* take it at once */
		break;
	case 0xE000ED08U:
		k->vtor = v & 0x3FFFFF80U;
		break;
	case 0xE000ED0CU:
		aircr_write(c, v, cpu);
		break;
	case 0xE000ED10U:
		k->scr = v & 0x16U;
		break;
	case 0xE000ED14U: {
		uint32_t old = k->ccr;

		k->ccr = (v & (0x31BU | sim_cache_ccr_bits(c))) | 0x200U;
		sim_cache_ccr_written(c, old, cpu);
		break;
	}
	case 0xE000ED18U:
		k->shpr[0] = v & 0x00F0F0F0U;
		break;
	case 0xE000ED1CU:
		k->shpr[1] = v & 0xF0000000U;
		break;
	case 0xE000ED20U:
		k->shpr[2] = v & 0xF0F000F0U;
		break;
	case 0xE000ED24U:
		k->shcsr = v & 0x0007FD8BU;
		break;
	case 0xE000ED28U:
		k->cfsr &= ~v;
		break; /* write one to clear */
	case 0xE000ED2CU:
		k->hfsr &= ~v;
		break;
	case 0xE000ED30U:
		k->dfsr &= ~v;
		break;
	case 0xE000ED34U:
		k->mmfar = v;
		break;
	case 0xE000ED38U:
		k->bfar = v;
		break;
	case 0xE000ED88U:
		k->cpacr = v & 0x00F00000U;
		break; /* CP10/CP11 only */
	case 0xE000EDF0U:
		dhcsr_write(c, v, cpu);
		break;
	case 0xE000EDF4U:
		dcrsr_write(c, v);
		break;
	case 0xE000EDF8U:
		k->dcrdr = v;
		break;
	case 0xE000EDFCU:
		k->demcr = v & DEMCR_WRITABLE;
		k->dwt.dirty = true; /* TRCENA gates the DWT */
		break;
	case 0xE000EF34U:
		k->fpccr = (k->fpccr & ~0xC0000000U) | (v & 0xC0000000U);
		break;
	default:
		break; /* RAZ/WI */
	}
	return true;
}

/* ---- DBGMCU (RM0090 38.16) ---------------------------------------------- */

static bool dbgmcu_read(sim_chip *c, uint32_t off, uint32_t *v)
{
	struct sim_core *k = c->core;

	switch (off) {
	case 0x0:
		*v = c->dbgmcu_idcode ? c->dbgmcu_idcode : 0x10076413U;
		return true;
	case 0x4:
		*v = k->dbgmcu_cr;
		return true;
	case 0x8:
		*v = k->dbgmcu_apb1_fz;
		return true;
	case 0xC:
		*v = k->dbgmcu_apb2_fz;
		return true;
	default:
		return false;
	}
}

static bool dbgmcu_write(sim_chip *c, uint32_t off, uint32_t v)
{
	struct sim_core *k = c->core;

	switch (off) {
	case 0x0:
		return true; /* IDCODE is read-only */
	case 0x4:
		k->dbgmcu_cr = v & 0xE7U;
		return true;
	case 0x8:
		k->dbgmcu_apb1_fz = v & 0x06E01DFFU;
		return true;
	case 0xC:
		k->dbgmcu_apb2_fz = v & 0x00070003U;
		return true;
	default:
		return false;
	}
}

/* ---- dispatch ---------------------------------------------------------- */

/* The STM32H7's DBGMCU is not on the M7's PPB (RM0433 60.5.8: 0x5C001000
 * on the system bus, 0xE00E1000 on the debug APB: sim_h7.c). */
static bool ppb_is_m7(const sim_chip *c)
{
	return c->desc->core.uc_model == UC_CPU_ARM_CORTEX_M7;
}

/* Cortex-M7 TRM 4.x / ARMv7-M: while the core is held in reset only the
 * registers of its debug reset domain answer a debugger: CPUID, DFSR,
 * DHCSR..DEMCR and the rest of 0xE000EDF0-0xE000EEFC, MVFR0-2 and the
 * CoreSight ID block of the SCS (0xE000EFD0-0xE000EFFC); the rest of the
 * PPB (NVIC, SCB, DWT, FPB, ITM, the ROM tables) is held in reset with the
 * core and gives a bus error. The F4 model has no such window. */
static bool ppb_in_reset_window(const sim_chip *c, uint32_t addr)
{
	if (!c->desc->core.scs_reset_window || !c->core->held)
		return true;
	addr &= ~3U;
	return addr == 0xE000ED00U || addr == 0xE000ED30U || (addr >= 0xE000EDF0U && addr <= 0xE000EEFCU) ||
	       (addr >= 0xE000EF40U && addr <= 0xE000EF48U) || (addr >= 0xE000EFD0U && addr <= 0xE000EFFCU);
}

/* Word access to the PPB; false for an address nothing answers (a bus
 * error for the debugger, RAZ/WI for the CPU). */
static bool ppb_read32(sim_chip *c, uint32_t addr, uint32_t *v)
{
	const struct ppb_component *comp = component_at(c, addr);

	*v = 0;
	if ((addr & ~0xFFFU) == DBGMCU_BASE && !ppb_is_m7(c))
		return dbgmcu_read(c, addr & 0xFFFU, v);
	if (!comp)
		return false;
	if (comp->cidr1 != 0x10 && id_reg(c, comp, addr & 0xFFFU, v))
		return true;
	if (comp->cidr1 == 0x10) /* class 1: a ROM table */
		return rom_read(c, comp->base, addr & 0xFFFU, v) || id_reg(c, comp, addr & 0xFFFU, v) || true;
	switch (comp->base) {
	case SCS_BASE:
		return scb_read(c, addr, v);
	case 0xE0001000U:
		return sim_dwt_read(c, addr & 0xFFFU, v) || true;
	case 0xE0002000U:
		return sim_fpb_read(c, addr & 0xFFFU, v) || true;
	default:
		return true; /* ITM, TPIU, ETM stubs: RAZ */
	}
}

static bool ppb_write32(sim_chip *c, uint32_t addr, uint32_t v, bool cpu)
{
	const struct ppb_component *comp = component_at(c, addr);

	if ((addr & ~0xFFFU) == DBGMCU_BASE && !ppb_is_m7(c))
		return dbgmcu_write(c, addr & 0xFFFU, v);
	if (!comp)
		return false;
	switch (comp->base) {
	case SCS_BASE:
		return scb_write(c, addr, v, cpu);
	case 0xE0001000U:
		sim_dwt_write(c, addr & 0xFFFU, v);
		return true;
	case 0xE0002000U:
		sim_fpb_write(c, addr & 0xFFFU, v);
		return true;
	default:
		return true; /* ROM table and ID registers are read-only; stubs WI */
	}
}

/* Sub-word accesses. Reads take the lanes of the word; a DHCSR read that
 * leaves out byte 3 does not clear the sticky S_RETIRE_ST/S_RESET_ST it did
 * not return. Writes merge into the current word; sub-word writes to
 * DHCSR and DCRSR are UNPREDICTABLE (C1.6.2, C1.6.3) and ignored here. */
static bool ppb_access_read(sim_chip *c, uint32_t addr, unsigned size, uint32_t *val)
{
	struct sim_core *k = c->core;
	bool retire = k->s_retire_st, reset = k->s_reset_st, ok;
	unsigned sh = (addr & 3U) * 8U;
	uint32_t w;

	ok = ppb_read32(c, addr & ~3U, &w);
	*val = size == 4 ? w : (w >> sh) & (size == 2 ? 0xFFFFU : 0xFFU);
	if ((addr & ~3U) == 0xE000EDF0U && (addr & 3U) + size < 4U) {
		k->s_retire_st = retire;
		k->s_reset_st = reset;
	}
	return ok;
}

static bool ppb_access_write(sim_chip *c, uint32_t addr, unsigned size, uint32_t val, bool cpu)
{
	uint32_t w = 0, sh = (addr & 3U) * 8U, m;

	if (size == 4)
		return ppb_write32(c, addr, val, cpu);
	if ((addr & ~3U) == 0xE000EDF0U || (addr & ~3U) == 0xE000EDF4U)
		return true;
	m = (size == 2 ? 0xFFFFU : 0xFFU) << sh;
	/* write-one-to-clear registers (CFSR is byte addressable) merge with 0 */
	if ((addr & ~3U) < 0xE000ED28U || (addr & ~3U) > 0xE000ED30U)
		ppb_read32(c, addr & ~3U, &w);
	return ppb_write32(c, addr & ~3U, (w & ~m) | ((val << sh) & m), cpu);
}

enum sim_bus_result sim_ppb_read(sim_chip *c, uint32_t addr, unsigned size, uint32_t *val)
{
	*val = 0;
	if (!ppb_in_reset_window(c, addr))
		return SIM_BUS_FAULT;
	return ppb_access_read(c, addr, size, val) ? SIM_BUS_OK : SIM_BUS_FAULT;
}

enum sim_bus_result sim_ppb_write(sim_chip *c, uint32_t addr, unsigned size, uint32_t val)
{
	if (!ppb_in_reset_window(c, addr))
		return SIM_BUS_FAULT;
	return ppb_access_write(c, addr, size, val, false) ? SIM_BUS_OK : SIM_BUS_FAULT;
}

uint64_t sim_ppb_mmio_read(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
	uint32_t v = 0;

	(void)uc;
	ppb_access_read(user, 0xE0000000U + (uint32_t)off, size, &v);
	return v;
}

void sim_ppb_mmio_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t val, void *user)
{
	(void)uc;
	ppb_access_write(user, 0xE0000000U + (uint32_t)off, size, (uint32_t)val, true);
}
