/*
 * The STM32F405/407 reset and clock control (RCC) as far as the core's
 * clock and the reset flags go, after RM0090 (Rev 19) section 7 "Reset and
 * clock control for STM32F405xx/07xx and STM32F415xx/17xx" (section 6 for
 * the F42x/43x has the same registers) and the DS8626 oscillator and PLL
 * characteristics:
 * - HSI, 16 MHz (7.2.2), the system clock after every reset.
 * - HSE from the board's crystal (sim_board_hse_hz(): 8 MHz), ready (HSERDY)
 *   2 ms after HSEON: DS8626 "HSE 4-26 MHz oscillator characteristics",
 *   tSU(HSE) typical.
 * - The main PLL (7.2.3, 7.3.2 RCC_PLLCFGR): VCO input = source / PLLM,
 *   VCO output = input x PLLN, PLL clock = VCO output / PLLP. Locked
 *   (PLLRDY) 100 us after PLLON, within DS8626 "Main PLL characteristics"
 *   tLOCK (75-200 us at a 100 MHz VCO, 100-300 us at 432 MHz). The configuration is taken when PLLON is set (7.3.2: the bits
 *   are written only while the PLL is off). Outside what 7.3.2 allows
 *   (PLLM >= 2, VCO input 1-2 MHz, PLLN 50-432, VCO output 100-432 MHz,
 *   PLLQ >= 2, at most 168 MHz out) the manual promises nothing: the lab's
 *   PLL then never locks, so firmware waiting for PLLRDY times out visibly.
 * - SW/SWS (7.3.3, 7.2.6 "System clock (SYSCLK) selection"): a switch takes
 *   place only when the selected source is ready, and SWS shows the source
 *   in use; a source in use cannot be stopped (its ON bit stays set).
 * - HPRE (7.3.3): HCLK = SYSCLK / 1, 2, 4 ... 512; HCLK clocks the core
 *   (c->core_hz). The APB prescalers and PLLQ clock nothing modelled.
 * - RCC_CSR (7.3.21): the reset flags are cleared only by a power-on reset
 *   or RMVF; every internal reset source drives NRST low through the pulse
 *   generator (7.1.2, "Simplified diagram of the reset circuit"), so the
 *   source's flag comes with PINRSTF. LSION is forced on while the IWDG
 *   runs (RM0090 21.3, 7.3.21).
 * The flash wait states the new HCLK needs are the flash interface's
 * business (sim_flash_latency_ok, RM0090 3.5.1).
 */
#include "sim_chip_internal.h"

#include <string.h>

/* RM0090 7.3 register offsets and bits. */
#define RCC_CR 0x00u
#define RCC_CR_HSION (1u << 0)
#define RCC_CR_HSEON (1u << 16)
#define RCC_CR_PLLON (1u << 24)
#define RCC_CR_PLLI2SON (1u << 26)
#define RCC_PLLCFGR 0x04u
#define RCC_PLLCFGR_SRC_HSE (1u << 22)
#define RCC_CFGR 0x08u
#define RCC_CFGR_SW 0x3u
#define RCC_CFGR_SWS_SHIFT 2u
#define RCC_CFGR_HPRE_SHIFT 4u
#define RCC_CSR 0x74u
#define RCC_CSR_LSION (1u << 0)
#define RCC_CSR_LSIRDY (1u << 1)
#define RCC_CSR_RMVF (1u << 24)
#define RCC_CSR_BORRSTF (1u << 25)
#define RCC_CSR_PINRSTF (1u << 26)
#define RCC_CSR_PORRSTF (1u << 27)
#define RCC_CSR_SFTRSTF (1u << 28)
#define RCC_CSR_IWDGRSTF (1u << 29)
#define RCC_CSR_FLAGS 0xFE000000u

#define RCC_HSI_HZ 16000000u          /* RM0090 7.2.2 */
#define RCC_PLL_MAX_HZ 168000000u     /* RM0090 7.3.2 PLLP: at most 168 MHz */
#define RCC_HSE_STARTUP_NS 2000000ull /* DS8626 tSU(HSE), typical */
#define RCC_PLL_LOCK_NS 100000ull     /* within DS8626 main PLL tLOCK */

enum rcc_src { RCC_SRC_HSI = 0, RCC_SRC_HSE = 1, RCC_SRC_PLL = 2 };

/* Flags each reset source leaves in RCC_CSR (7.3.21). */
static const uint32_t rcc_reset_flags[] = {
	[SIM_RST_PIN] = RCC_CSR_PINRSTF,
	[SIM_RST_POWER] = RCC_CSR_PORRSTF | RCC_CSR_PINRSTF | RCC_CSR_BORRSTF,
	[SIM_RST_SOFTWARE] = RCC_CSR_SFTRSTF | RCC_CSR_PINRSTF,
	[SIM_RST_IWDG] = RCC_CSR_IWDGRSTF | RCC_CSR_PINRSTF,
};

static uint32_t *reg(struct sim_rcc_f4 *r, uint32_t off)
{
	return &r->regs[(off & 0x3FCu) / 4];
}

void sim_rcc_f4_reset(sim_chip *c, struct sim_rcc_f4 *r, enum sim_reset_src src)
{
	uint32_t flags = src == SIM_RST_POWER ? 0 : *reg(r, RCC_CSR) & RCC_CSR_FLAGS;

	memset(r->regs, 0, sizeof(r->regs));
	*reg(r, RCC_CR) = 0x00000081u;      /* HSION, HSITRIM 16 (7.3.1) */
	*reg(r, RCC_PLLCFGR) = 0x24003010u; /* 7.3.2 */
	*reg(r, 0x30u) = 0x00100000u;       /* RCC_AHB1ENR: CCMDATARAMEN (7.3.10) */
	*reg(r, RCC_CSR) = flags | rcc_reset_flags[src];
	r->hse_ready_ns = r->pll_ready_ns = UINT64_MAX;
	r->pll_hz = 0;
	r->sws = RCC_SRC_HSI;
	c->core_hz = RCC_HSI_HZ;
}

uint32_t sim_rcc_f4_reg(const struct sim_rcc_f4 *r, uint32_t off)
{
	return r->regs[(off & 0x3FCu) / 4];
}

static bool rcc_ready(const sim_chip *c, uint64_t at_ns)
{
	return at_ns != UINT64_MAX && c->now_ns >= at_ns;
}

static bool src_ready(const sim_chip *c, const struct sim_rcc_f4 *r, unsigned src)
{
	if (src == RCC_SRC_HSI)
		return true;
	return rcc_ready(c, src == RCC_SRC_HSE ? r->hse_ready_ns : r->pll_ready_ns);
}

/* The PLL clock for RCC_PLLCFGR `cfg`, or 0 outside what RM0090 7.3.2
 * allows (the lab's PLL does not lock then). */
static uint32_t pll_output_hz(const sim_chip *c, uint32_t cfg)
{
	uint32_t m = cfg & 0x3Fu, n = (cfg >> 6) & 0x1FFu, p = 2u * (((cfg >> 16) & 3u) + 1u);
	uint32_t q = (cfg >> 24) & 0xFu;
	uint64_t in = (cfg & RCC_PLLCFGR_SRC_HSE) ? sim_board_hse_hz(c) : RCC_HSI_HZ, vco;

	if (m < 2 || n < 50 || n > 432 || q < 2 || !in)
		return 0;
	in /= m;
	vco = in * n;
	if (in < 1000000u || in > 2000000u || vco < 100000000u || vco > 432000000u ||
	    vco / p > RCC_PLL_MAX_HZ)
		return 0;
	return (uint32_t)(vco / p);
}

static uint32_t src_hz(const sim_chip *c, const struct sim_rcc_f4 *r, unsigned src)
{
	if (src == RCC_SRC_HSE)
		return sim_board_hse_hz(c);
	return src == RCC_SRC_PLL ? r->pll_hz : RCC_HSI_HZ;
}

/* HCLK = SYSCLK / HPRE (7.3.3: 0xxx = 1, 1000 = 2 ... 1011 = 16,
 * 1100 = 64 ... 1111 = 512). */
static uint32_t hclk_hz(const sim_chip *c, const struct sim_rcc_f4 *r)
{
	uint32_t hpre = (sim_rcc_f4_reg(r, RCC_CFGR) >> RCC_CFGR_HPRE_SHIFT) & 0xFu;
	unsigned shift = hpre < 8 ? 0 : hpre < 12 ? hpre - 7 : hpre - 6;

	return src_hz(c, r, r->sws) >> shift;
}

/* Follows SW once its source is ready (7.2.6); the core runs at HCLK. */
void sim_rcc_f4_tick(sim_chip *c, struct sim_rcc_f4 *r)
{
	unsigned sw = sim_rcc_f4_reg(r, RCC_CFGR) & RCC_CFGR_SW;

	if (sw != r->sws && sw != 3 && src_ready(c, r, sw))
		r->sws = sw;
	c->core_hz = hclk_hz(c, r);
}

uint32_t sim_rcc_f4_read(sim_chip *c, struct sim_rcc_f4 *r, uint32_t off)
{
	uint32_t v = sim_rcc_f4_reg(r, off);

	sim_rcc_f4_tick(c, r);
	switch (off & ~3u) {
	case RCC_CR:
		v |= (v & RCC_CR_HSION) << 1;                                 /* HSIRDY */
		v |= rcc_ready(c, r->hse_ready_ns) ? (RCC_CR_HSEON << 1) : 0; /* HSERDY */
		v |= rcc_ready(c, r->pll_ready_ns) ? (RCC_CR_PLLON << 1) : 0; /* PLLRDY */
		v |= (v & RCC_CR_PLLI2SON) << 1;                              /* PLLI2SRDY */
		return v;
	case RCC_CFGR:
		return (v & ~(3u << RCC_CFGR_SWS_SHIFT)) | (r->sws << RCC_CFGR_SWS_SHIFT);
	case RCC_CSR:
		return v | ((v & RCC_CSR_LSION) << 1); /* LSIRDY */
	default:
		return v;
	}
}

/* RCC_CR: a source in use as SYSCLK (or feeding the PLL in use) keeps its
 * ON bit; HSE and the PLL start their ready timers when switched on. */
static void cr_write(sim_chip *c, struct sim_rcc_f4 *r, uint32_t old, uint32_t v)
{
	uint32_t in_use = r->sws == RCC_SRC_HSI   ? RCC_CR_HSION
			  : r->sws == RCC_SRC_HSE ? RCC_CR_HSEON
						  : RCC_CR_PLLON;

	if (r->sws == RCC_SRC_PLL)
		in_use |=
			(sim_rcc_f4_reg(r, RCC_PLLCFGR) & RCC_PLLCFGR_SRC_HSE) ? RCC_CR_HSEON : RCC_CR_HSION;
	v |= old & in_use;
	*reg(r, RCC_CR) = v;
	if ((v & RCC_CR_HSEON) && !(old & RCC_CR_HSEON))
		r->hse_ready_ns = sim_board_hse_hz(c) ? c->now_ns + RCC_HSE_STARTUP_NS : UINT64_MAX;
	else if (!(v & RCC_CR_HSEON))
		r->hse_ready_ns = UINT64_MAX;
	if ((v & RCC_CR_PLLON) && !(old & RCC_CR_PLLON)) {
		r->pll_hz = pll_output_hz(c, sim_rcc_f4_reg(r, RCC_PLLCFGR));
		r->pll_ready_ns = r->pll_hz ? c->now_ns + RCC_PLL_LOCK_NS : UINT64_MAX;
	} else if (!(v & RCC_CR_PLLON)) {
		r->pll_ready_ns = UINT64_MAX;
	}
}

/* RCC_CSR: RMVF clears the flags; LSION stays on while the IWDG runs. */
static void csr_write(struct sim_rcc_f4 *r, uint32_t old, uint32_t v, bool lsi_forced)
{
	uint32_t flags = (v & RCC_CSR_RMVF) ? 0 : old & RCC_CSR_FLAGS;

	*reg(r, RCC_CSR) = flags | (v & RCC_CSR_LSION) | (lsi_forced ? RCC_CSR_LSION : 0);
}

void sim_rcc_f4_force_lsi(struct sim_rcc_f4 *r)
{
	*reg(r, RCC_CSR) |= RCC_CSR_LSION;
}

void sim_rcc_f4_write(sim_chip *c, struct sim_rcc_f4 *r, uint32_t off, unsigned size, uint32_t val,
		      bool lsi_forced)
{
	uint32_t sh = 8 * (off & 3u), m = (size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1u) << sh;
	uint32_t old = sim_rcc_f4_reg(r, off), v = (old & ~m) | ((val << sh) & m);

	sim_rcc_f4_tick(c, r);
	if ((off & ~3u) == RCC_CR)
		cr_write(c, r, old, v);
	else if ((off & ~3u) == RCC_CSR)
		csr_write(r, old, v, lsi_forced);
	else
		*reg(r, off) = v;
	sim_rcc_f4_tick(c, r);
}
