/*
 * STM32H7 core clock as RCC is configured (RM0433 8 "Reset and clock
 * control"; RM0468 8 has the same registers and fields): for the flash
 * engine's erase-time check, which counts a sector erase in core cycles
 * (DWT_CYCCNT) and needs the clock to turn them into time.
 *
 * The core runs on sys_d1cpre_ck = sys_ck / D1CPRE (RM0433 8.5, the
 * system clock tree); sys_ck is HSI, CSI, HSE or PLL1's P
 * output (RCC_CFGR.SWS), PLL1 fed by HSI, CSI or HSE (RCC_PLLCKSELR.PLLSRC)
 * through DIVM1, multiplied by DIVN1 (+ FRACN1 / 8192, below one) and
 * divided by DIVP1.
 */
#include "h7_internal.h"

#include "swdd_err.h"

#include <stdint.h>

#define H7_RCC 0x58024400U                /* RM0433 2.3.2 memory map */
#define H7_RCC_CR (H7_RCC + 0x00U)        /* RM0433 8.7 RCC_CR: HSIDIV [4:3] */
#define H7_RCC_CFGR (H7_RCC + 0x10U)      /* RM0433 8.7 RCC_CFGR: SWS [5:3] */
#define H7_RCC_D1CFGR (H7_RCC + 0x18U)    /* RM0433 8.7 RCC_D1CFGR: D1CPRE [11:8] */
#define H7_RCC_PLLCKSELR (H7_RCC + 0x28U) /* RM0433 8.7: PLLSRC [1:0], DIVM1 [9:4] */
#define H7_RCC_PLL1DIVR (H7_RCC + 0x30U)  /* RM0433 8.7: DIVN1 [8:0], DIVP1 [15:9] */

#define H7_CR_HSIDIV(v) (((v) >> 3) & 3U)
#define H7_CFGR_SWS(v) (((v) >> 3) & 7U)
#define H7_D1CFGR_D1CPRE(v) (((v) >> 8) & 0xFU)
#define H7_PLLCKSELR_PLLSRC(v) ((v)&3U)
#define H7_PLLCKSELR_DIVM1(v) (((v) >> 4) & 0x3FU)
#define H7_PLL1DIVR_N(v) (((v)&0x1FFU) + 1U)
#define H7_PLL1DIVR_P(v) ((((v) >> 9) & 0x7FU) + 1U)

/* RCC_CFGR.SWS values; PLLSRC uses the first three the same way. */
enum { H7_SRC_HSI, H7_SRC_CSI, H7_SRC_HSE, H7_SRC_PLL1 };

/* The oscillators, Hz, slowest and fastest: HSI 64 MHz and CSI 4 MHz
 * (RM0433 8.5) taken within +-25 %, far beyond their datasheet accuracy
 * (the erase check needs a bound, not a measurement); HSE whatever the
 * board has, a 4-48 MHz crystal or an external clock up to 50 MHz
 * (DS12110 "External clock source characteristics"). */
static const struct {
	uint32_t lo, hi;
} h7_osc[] = {
	[H7_SRC_HSI] = { 48000000U, 80000000U },
	[H7_SRC_CSI] = { 3000000U, 5000000U },
	[H7_SRC_HSE] = { 4000000U, 50000000U },
};

/* RCC_D1CFGR.D1CPRE: 0xxx = /1, 1000-1011 = /2-/16, 1100-1111 = /64-/512
 * (RM0433 8.7 RCC_D1CFGR; there is no /32). Returns log2 of the divider. */
static unsigned h7_d1cpre_log2(uint32_t d1cfgr)
{
	unsigned v = H7_D1CFGR_D1CPRE(d1cfgr);

	if (v < 8U)
		return 0;
	return v < 12U ? v - 7U : v - 6U;
}

/* PLL1's P output from an input of [*lo, *hi] Hz; the fraction FRACN1
 * adds less than one to N, so only the upper bound takes N + 1. */
static int h7_pll1(struct swdd_target *t, uint32_t sel, uint64_t *lo, uint64_t *hi)
{
	uint32_t div, m = H7_PLLCKSELR_DIVM1(sel);
	int rc = h7_read32(t, H7_RCC_PLL1DIVR, &div);

	if (rc)
		return rc;
	if (!m)
		return swdd_err_set(SWDD_EUNSUPPORTED,
				    "RCC_CFGR selects PLL1 but its prescaler DIVM1 is 0 (disabled): "
				    "RCC_PLLCKSELR = 0x%08X",
				    sel);
	*lo = *lo * H7_PLL1DIVR_N(div) / (m * H7_PLL1DIVR_P(div));
	*hi = *hi * (H7_PLL1DIVR_N(div) + 1U) / (m * H7_PLL1DIVR_P(div));
	return 0;
}

int h7_core_clock(struct swdd_target *t, uint32_t *lo_hz, uint32_t *hi_hz)
{
	uint32_t cr = 0, cfgr = 0, d1 = 0, sel = 0;
	uint64_t lo, hi;
	int rc = h7_read32(t, H7_RCC_CR, &cr);
	unsigned src;

	if (!rc)
		rc = h7_read32(t, H7_RCC_CFGR, &cfgr);
	if (!rc)
		rc = h7_read32(t, H7_RCC_D1CFGR, &d1);
	src = H7_CFGR_SWS(cfgr);
	if (!rc && src == H7_SRC_PLL1)
		rc = h7_read32(t, H7_RCC_PLLCKSELR, &sel);
	if (rc)
		return rc;
	if (src == H7_SRC_PLL1)
		src = H7_PLLCKSELR_PLLSRC(sel);
	if (src > H7_SRC_HSE)
		return swdd_err_set(
			SWDD_EUNSUPPORTED,
			"RCC names no core clock source: RCC_CFGR = 0x%08X, RCC_PLLCKSELR = 0x%08X", cfgr,
			sel);
	lo = h7_osc[src].lo;
	hi = h7_osc[src].hi;
	if (src == H7_SRC_HSI) {
		lo >>= H7_CR_HSIDIV(cr);
		hi >>= H7_CR_HSIDIV(cr);
	}
	if (H7_CFGR_SWS(cfgr) == H7_SRC_PLL1)
		rc = h7_pll1(t, sel, &lo, &hi);
	if (rc)
		return rc;
	lo >>= h7_d1cpre_log2(d1);
	hi >>= h7_d1cpre_log2(d1);
	*lo_hz = lo ? (uint32_t)lo : 1U;
	*hi_hz = hi > UINT32_MAX ? UINT32_MAX : (uint32_t)(hi ? hi : 1U);
	return 0;
}
