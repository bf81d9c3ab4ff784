/*
 * STM32H7 system peripherals as far as firmware, OpenOCD and the fault
 * knobs need them (RM0433 rev 7, RM0468 rev 3; docs/LAB-h7.md):
 * - RCC (RM0433 8.7): plain registers whose ready flags follow their
 *   enables and whose SWS follows SW, so start-up code that waits for them
 *   does not hang. RCC_AHB2ENR.SRAMxEN do not gate the D2 SRAMs: they
 *   allocate them to the CPU for the D2 domain's power modes (RM0433
 *   8.7.40), and the lab's D2 domain never leaves DRun, so the SRAMs answer
 *   whatever the bits say.
 * - PWR (RM0433 6.8): CSR1.ACTVOSRDY and D3CR.VOSRDY read 1; CR3's supply
 *   configuration is write-once after power-on (6.8.4).
 * - DBGMCU (RM0433 60.5.8): IDC, CR and the freeze registers, reset by
 *   power-on only, at 0x5C001000 (system bus) and 0xE00E1000 (debug APB).
 * - The system debug APB behind AP2 (RM0433 60.2.x): its ROM table at
 *   0xE00E0000 (PIDR part number = DEV_ID) listing DBGMCU, SWO and SWTF,
 *   whose registers other than the ID block read as zero.
 * - Supply configuration (RM0433 6.4.1 and 6.8.4, RM0468 6.4.1, AN4938
 *   section 2): PWR_CR3's supply bits may be written once after power-on;
 *   the board is wired for the LDO, so a write that selects anything else
 *   (bypass on the H743, SMPS direct on the H725: the part's row) leaves
 *   the D1 domain without a valid VCORE: the core stops and AP0/AP1 (AXI,
 *   D3 bus) never answer; the DP and AP2 (debug domain) do. Only a power
 *   cycle recovers, and it must boot something that leaves CR3 alone.
 *   supply-lock: the firmware makes such a write right after power-on with
 *   BOOT0 low; with BOOT0 high the system memory boots and does not.
 * - NRST held: the system buses are in reset, AP0 and AP1 fault; AP2
 *   answers (RM0433 60.3.x: the debug domain is reset by POR only).
 * - low-power-no-debug (RM0433 60.5.8 DBGMCU_CR, 6.6.x D1 Stop): after
 *   H7_KNOB_NS of running the firmware enters D1 Stop. With DBGSTOP_D1
 *   clear the D1 clocks stop: the core stops and AP0/AP1 FAULT until a
 *   reset (NRST, power). With DBGSTOP_D1 set the debug clocks are kept and
 *   the lab lets the firmware go on (the Stop itself is not modelled).
 * - iwdg (RM0433 45.3): after H7_KNOB_NS the firmware starts IWDG1 with its
 *   reset configuration (LSI 32 kHz, /4, reload 0xFFF: 512 ms) and refreshes
 *   it while it runs from flash. The watchdog counts while the core runs
 *   elsewhere (a flash loader in RAM) and while it is halted, unless
 *   DBGMCU_APB4FZ1.DBG_IWDG1 (bit 18) freezes it in debug halt; when it
 *   expires the chip goes through a system reset (RCC_RSR.IWDG1RSTF), which
 *   abandons a flash operation in progress. 0xAAAA written to IWDG1_KR
 *   (0x58004800, RM0433 45.4.1) by anyone (a flash algorithm, a debugger)
 *   refreshes it.
 * - RCC_RSR (RM0433 8.4.4, 8.7): the reset flags survive system resets;
 *   a power-on sets them, RMVF clears them.
 */
#include "sim_h7_internal.h"

#include <string.h>

/* RCC offsets (RM0433 8.7). */
#define RCC_CR 0x000u
#define RCC_CFGR 0x010u
#define RCC_BDCR 0x070u
#define RCC_CSR 0x074u
#define RCC_RSR 0x0D0u
/* RCC_CR ON -> RDY pairs: HSI 0/2, CSI 7/8, HSI48 12/13, HSE 16/17,
 * PLL1 24/25, PLL2 26/27, PLL3 28/29; D1CKRDY 14 and D2CKRDY 15 read 1. */
#define RCC_CR_D_CKRDY 0x0000C000u

/* PWR offsets (RM0433 6.8). */
#define PWR_CSR1 0x04u
#define PWR_CR3 0x0Cu
#define PWR_D3CR 0x18u
#define PWR_CSR1_ACTVOSRDY (1u << 13)
#define PWR_D3CR_VOSRDY (1u << 13)

/* DBGMCU offsets (RM0433 60.5.8). */
#define DBGMCU_IDC 0x00u
#define DBGMCU_CR 0x04u
#define DBGMCU_CR_RW 0x007001BFu /* DBGSLEEP/STOP/STBY D1 [2:0], D2 [5:3], D3 7-8, clocks 20-22 */
#define DBGMCU_FZ_FIRST 0x34u
#define DBGMCU_FZ_LAST 0x54u

/* The debug APB (AP2, RM0433 60.2.x figure): ROM table and components. */
#define APBD_ROM 0xE00E0000u
#define APBD_SWO 0xE00E3000u
#define APBD_SWTF 0xE00E4000u

#define H7_KNOB_NS 1000000ull        /* "soon after reset": 1 ms of running */
#define IWDG_TIMEOUT_NS 512000000ull /* 4096 x 4 / 32 kHz (RM0433 45.3.x) */
#define DBGMCU_CR_DBGSTOP_D1 (1u << 1)
#define DBGMCU_APB4FZ1 0x54u
#define DBGMCU_FZ_IWDG1 (1u << 18)
#define RCC_RSR_IWDG1RSTF (1u << 26)
#define RCC_RSR_RMVF (1u << 16)   /* RM0433 8.7 RCC_RSR: remove reset flags */
#define RCC_RSR_FLAGS 0xFFFE0000u /* CPURSTF (17) .. LPWRRSTF (30) */
#define RCC_RSR_POR 0x00FE0000u   /* the flags after power-on, as the lab reads them */
/* IWDG1 (RM0433 2.3.2: 0x58004800; 45.4.1 KR at offset 0) in the page. */
#define IWDG1_KR_OFF (SIM_H7_IWDG1_BASE & 0xFFFu)

static struct sim_h7_sys *h7_sys(const sim_chip *c)
{
	return &c->periph->sys;
}

/* The first write of the supply bits after power-on takes effect; later
 * ones are ignored (RM0433 6.8.4). */
static void pwr_cr3_write(sim_chip *c, uint32_t v)
{
	struct sim_h7_sys *s = h7_sys(c);
	const struct sim_h7_part *p = c->periph->part;

	if (s->cr3_written) {
		s->cr3 = (s->cr3 & p->cr3_supply_mask) | (v & ~p->cr3_supply_mask);
		return;
	}
	s->cr3 = v;
	s->cr3_written = true;
	if ((v & p->cr3_supply_mask) != p->cr3_board_ok)
		s->supply_locked = true;
}

void sim_h7_sys_reset(sim_chip *c, bool power_on)
{
	struct sim_h7_sys *s = h7_sys(c);

	uint32_t rsr = power_on ? RCC_RSR_POR : s->rcc[RCC_RSR / 4];

	memset(s->rcc, 0, sizeof(s->rcc));
	s->rcc[RCC_CR / 4] = 0x00000025u; /* HSION, HSIRDY, HSIDIVF (RM0433 8.7.2) */
	/* RM0433 8.4.4 / RCC_RSR: the reset flags survive system resets; only
	 * a power-on reset (or RMVF) renews them */
	s->rcc[RCC_RSR / 4] = rsr;
	memset(s->pwr, 0, sizeof(s->pwr));
	s->pwr[0] = 0xF000C000u;            /* PWR_CR1 */
	s->pwr[PWR_D3CR / 4] = 0x00004000u; /* VOS3 */
	s->iwdg_running = false;
	s->run_ns = 0;
	s->d1_stopped = false;
	if (!power_on)
		return;
	s->dbgmcu_cr = 0;
	memset(s->dbgmcu_fz, 0, sizeof(s->dbgmcu_fz));
	s->cr3 = c->periph->part->cr3_reset;
	s->cr3_written = false;
	s->supply_locked = false;
	if ((c->cfg.faults & SIM_FAULT_SUPPLY_LOCK) && !s->boot0)
		pwr_cr3_write(c, c->periph->part->cr3_wrong);
}

/* ---- RCC / PWR ------------------------------------------------------------ */

static uint32_t rcc_read(const struct sim_h7_sys *s, uint32_t off)
{
	uint32_t v = s->rcc[off / 4];

	if (off == RCC_CR)
		v |= ((v & 1u) << 2) | ((v & (1u << 7)) << 1) | ((v & 0x15011000u) << 1) | RCC_CR_D_CKRDY;
	else if (off == RCC_CFGR)
		v = (v & ~0x38u) | ((v & 7u) << 3);
	else if (off == RCC_BDCR || off == RCC_CSR)
		v |= (v & 1u) << 1;
	return v;
}

static uint32_t pwr_read(const struct sim_h7_sys *s, uint32_t off)
{
	uint32_t v = s->pwr[off / 4];

	if (off == PWR_CSR1)
		v = PWR_CSR1_ACTVOSRDY | (s->pwr[PWR_D3CR / 4] & 0xC000u);
	else if (off == PWR_CR3)
		v = s->cr3;
	else if (off == PWR_D3CR)
		v |= PWR_D3CR_VOSRDY;
	return v;
}

/* ---- DBGMCU --------------------------------------------------------------- */

static bool dbgmcu_read(const sim_chip *c, uint32_t off, uint32_t *v)
{
	const struct sim_h7_sys *s = h7_sys(c);

	if (off == DBGMCU_IDC)
		*v = c->dbgmcu_idcode;
	else if (off == DBGMCU_CR)
		*v = s->dbgmcu_cr;
	else if (off >= DBGMCU_FZ_FIRST && off <= DBGMCU_FZ_LAST && off % 8 == 4)
		*v = s->dbgmcu_fz[(off - DBGMCU_FZ_FIRST) / 8];
	else
		*v = 0;
	return off < 0x400u;
}

static bool dbgmcu_write(sim_chip *c, uint32_t off, uint32_t v)
{
	struct sim_h7_sys *s = h7_sys(c);

	if (off == DBGMCU_CR)
		s->dbgmcu_cr = v & DBGMCU_CR_RW;
	else if (off >= DBGMCU_FZ_FIRST && off <= DBGMCU_FZ_LAST && off % 8 == 4)
		s->dbgmcu_fz[(off - DBGMCU_FZ_FIRST) / 8] = v;
	return off < 0x400u;
}

/* ---- the system-bus pages --------------------------------------------------- */

static uint32_t narrow(uint32_t word, uint32_t addr, unsigned size)
{
	word >>= 8 * (addr & 3u);
	return size == 4 ? word : word & ((1u << (8 * size)) - 1u);
}

static int sys_page(uint32_t addr)
{
	if ((addr & ~0xFFFFu) == SIM_H7_APBD_SYS)
		return 3;
	switch (addr & ~0xFFFu) {
	case 0x58024000u:
		return 1;
	case 0x58004000u:
		return 2;
	default:
		return 0;
	}
}

/* AP0's view of the debug APB: 0x5C000000 + n = 0xE00E0000 + n. */
static uint32_t apbd_addr(uint32_t addr)
{
	return APBD_ROM + ((addr - SIM_H7_APBD_SYS) & ~3u);
}

enum sim_bus_result sim_h7_apb_read(sim_chip *c, uint32_t addr, uint32_t *val);
enum sim_bus_result sim_h7_apb_write(sim_chip *c, uint32_t addr, uint32_t val);

bool sim_h7_sys_read(sim_chip *c, uint32_t addr, unsigned size, uint32_t *val)
{
	const struct sim_h7_sys *s = h7_sys(c);
	uint32_t off = addr & 0xFFFu, w = 0;

	switch (sys_page(addr)) {
	case 1:
		if (off >= 0x400u && off < 0x800u)
			w = rcc_read(s, (off - 0x400u) & ~3u);
		else if (off >= 0x800u && off < 0x900u)
			w = pwr_read(s, (off - 0x800u) & ~3u);
		break;
	case 3:
		sim_h7_apb_read(c, apbd_addr(addr), &w);
		break;
	default:
		break; /* IWDG1: KR write-only, PR/RLR/SR read 0 */
	}
	*val = narrow(w, addr, size);
	return true;
}

static void merge(uint32_t *reg, uint32_t addr, unsigned size, uint32_t val)
{
	uint32_t sh = 8 * (addr & 3u), m = (size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1u) << sh;

	*reg = (*reg & ~m) | ((val << sh) & m);
}

/* RCC_RSR (RM0433 8.7): the reset flags are read-only; RMVF = 1 clears
 * them (and holds them clear until it is written 0 again). */
static void rcc_write(struct sim_h7_sys *s, uint32_t addr, unsigned size, uint32_t val)
{
	uint32_t off = ((addr & 0xFFFu) - 0x400u) & ~3u, *r = &s->rcc[off / 4], w = *r;

	merge(&w, addr, size, val);
	if (off != RCC_RSR) {
		*r = w;
		return;
	}
	*r = (*r & RCC_RSR_FLAGS) | (w & RCC_RSR_RMVF);
	if (w & RCC_RSR_RMVF)
		*r &= ~RCC_RSR_FLAGS;
}

bool sim_h7_sys_write(sim_chip *c, uint32_t addr, unsigned size, uint32_t val)
{
	struct sim_h7_sys *s = h7_sys(c);
	uint32_t off = addr & 0xFFFu;

	switch (sys_page(addr)) {
	case 1:
		if (off >= 0x400u && off < 0x800u)
			rcc_write(s, addr, size, val);
		else if ((off & ~3u) == 0x800u + PWR_CR3) {
			uint32_t w = s->cr3;

			merge(&w, addr, size, val);
			pwr_cr3_write(c, w);
		} else if (off >= 0x800u && off < 0x900u)
			merge(&s->pwr[(off - 0x800u) / 4], addr, size, val);
		break;
	case 2:
		/* IWDG1_KR (RM0433 45.4.1): 0xCCCC starts the watchdog */
		if (off == IWDG1_KR_OFF && (val & 0xFFFFu) == 0xCCCCu && !s->iwdg_running) {
			s->iwdg_running = true;
			s->iwdg_left_ns = IWDG_TIMEOUT_NS;
		} else if (off == IWDG1_KR_OFF && (val & 0xFFFFu) == 0xAAAAu) {
			s->iwdg_left_ns = IWDG_TIMEOUT_NS; /* refresh */
		}
		break;
	case 3: {
		uint32_t w = 0;

		sim_h7_apb_read(c, apbd_addr(addr), &w);
		merge(&w, addr, size, val);
		sim_h7_apb_write(c, apbd_addr(addr), w);
		break;
	}
	default:
		break;
	}
	return true;
}

/* ---- debug APB (AP2) ------------------------------------------------------- */

/* CoreSight ID block (ARM IHI0029): CIDR 0xB105x00D, PIDR as given. */
static bool apbd_id(uint32_t off, const uint8_t pidr[5], uint8_t cls, uint32_t *v)
{
	static const uint8_t cidr[4] = { 0x0D, 0x00, 0x05, 0xB1 };

	if (off == 0xFD0u)
		*v = pidr[4];
	else if (off >= 0xFE0u && off < 0xFF0u)
		*v = pidr[(off - 0xFE0u) / 4];
	else if (off >= 0xFF0u)
		*v = off == 0xFF4u ? cls : cidr[(off - 0xFF0u) / 4];
	else
		return false;
	return true;
}

static void apbd_rom(const sim_chip *c, uint32_t off, uint32_t *v)
{
	static const uint32_t entries[] = { 0x00001003u, 0x00003003u, 0x00004003u, 0 };
	uint16_t part = c->desc->core.rom_partno;
	const uint8_t pidr[5] = { (uint8_t)part, (uint8_t)(part >> 8), 0x0A, 0x00, 0x00 };

	if (apbd_id(off, pidr, 0x10, v))
		return;
	*v = off == 0xFCCu ? 0 : off / 4 < 4 ? entries[off / 4] : 0;
}

enum sim_bus_result sim_h7_apb_read(sim_chip *c, uint32_t addr, uint32_t *val)
{
	static const uint8_t swo[5] = { 0x14, 0xB9, 0x0B, 0x00, 0x04 };  /* CoreSight SWO 0x914 */
	static const uint8_t swtf[5] = { 0x08, 0xB9, 0x0B, 0x00, 0x04 }; /* funnel 0x908 */
	uint32_t off = addr & 0xFFCu;

	*val = 0;
	switch (addr & ~0xFFFu) {
	case APBD_ROM:
		apbd_rom(c, off, val);
		return SIM_BUS_OK;
	case SIM_H7_APBD_DBGMCU:
		dbgmcu_read(c, off, val);
		return SIM_BUS_OK;
	case APBD_SWO:
		apbd_id(off, swo, 0x90, val);
		return SIM_BUS_OK;
	case APBD_SWTF:
		apbd_id(off, swtf, 0x90, val);
		return SIM_BUS_OK;
	default:
		return SIM_BUS_FAULT;
	}
}

enum sim_bus_result sim_h7_apb_write(sim_chip *c, uint32_t addr, uint32_t val)
{
	switch (addr & ~0xFFFu) {
	case SIM_H7_APBD_DBGMCU:
		dbgmcu_write(c, addr & 0xFFCu, val);
		return SIM_BUS_OK;
	case APBD_ROM:
	case APBD_SWO:
	case APBD_SWTF:
		return SIM_BUS_OK;
	default:
		return SIM_BUS_FAULT;
	}
}

/* ---- board ------------------------------------------------------------------ */

bool sim_h7_port_dead(const sim_chip *c, enum sim_ap_port port)
{
	if (port == SIM_AP_DEBUG_APB)
		return false;
	return sim_board_nrst_low(c) || h7_sys(c)->supply_locked || h7_sys(c)->d1_stopped;
}

bool sim_h7_core_stopped(const sim_chip *c)
{
	return h7_sys(c)->supply_locked || h7_sys(c)->d1_stopped;
}

static bool pc_in_flash(sim_chip *c)
{
	uint32_t pc = 0;

	uc_reg_read(c->uc, UC_ARM_REG_PC, &pc);
	return pc >= c->flash_base && pc - c->flash_base < c->flash_size;
}

/* The IWDG counts `dt_ns` unless the firmware refreshes it or a debug
 * halt freezes it; 0 when it expires. */
static bool iwdg_expired(sim_chip *c, uint64_t dt_ns, bool halted)
{
	struct sim_h7_sys *s = h7_sys(c);
	bool frozen = halted && (s->dbgmcu_fz[(DBGMCU_APB4FZ1 - DBGMCU_FZ_FIRST) / 8] & DBGMCU_FZ_IWDG1);

	if (!halted && pc_in_flash(c)) {
		s->iwdg_left_ns = IWDG_TIMEOUT_NS; /* the firmware's main loop refreshes it */
		return false;
	}
	if (frozen)
		return false;
	if (s->iwdg_left_ns > dt_ns) {
		s->iwdg_left_ns -= dt_ns;
		return false;
	}
	return true;
}

void sim_h7_sys_tick(sim_chip *c, uint64_t dt_ns)
{
	struct sim_h7_sys *s = h7_sys(c);
	bool halted = sim_core_halted(c);

	if (sim_board_nrst_low(c) || sim_h7_core_stopped(c))
		return;
	if (!halted)
		s->run_ns += dt_ns;
	if ((c->cfg.faults & SIM_FAULT_LOW_POWER) && !halted && s->run_ns >= H7_KNOB_NS &&
	    !(s->dbgmcu_cr & DBGMCU_CR_DBGSTOP_D1))
		s->d1_stopped = true;
	if ((c->cfg.faults & SIM_FAULT_IWDG) && !s->iwdg_running && s->run_ns >= H7_KNOB_NS) {
		s->iwdg_running = true;
		s->iwdg_left_ns = IWDG_TIMEOUT_NS;
	}
	if (s->iwdg_running && iwdg_expired(c, dt_ns, halted)) {
		sim_chip_system_reset(c);
		if (!(s->rcc[RCC_RSR / 4] & RCC_RSR_RMVF))
			s->rcc[RCC_RSR / 4] |= RCC_RSR_IWDG1RSTF;
	}
}

void sim_h7_set_boot0(sim_chip *c, bool high)
{
	h7_sys(c)->boot0 = high;
}
