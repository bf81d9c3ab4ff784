/*
 * The simulated STM32F407's clock tree and independent watchdog
 * (sim/sim_rcc_f4.c, sim/sim_iwdg_f4.c, FLASH_ACR.LATENCY in
 * sim/sim_flash_f4.c), driven through the AHB-AP like a debugger (or as
 * firmware writes the same registers), with times in modelled time only.
 *
 * The core runs a two-instruction loop from flash (`adds r0, #1; b .-2`);
 * its speed is the instructions it retires per modelled millisecond.
 * Each row names the section of RM0090 (Rev 19) it checks.
 */
#include "harness.h"
#include "sim_test_util.h"

#define RCC_CR 0x40023800u
#define RCC_PLLCFGR 0x40023804u
#define RCC_CFGR 0x40023808u
#define RCC_CSR 0x40023874u
#define FLASH_ACR 0x40023C00u
#define IWDG_KR 0x40003000u
#define IWDG_PR 0x40003004u
#define IWDG_RLR 0x40003008u
#define DHCSR 0xE000EDF0u
#define AIRCR 0xE000ED0Cu
#define DBGMCU_APB1_FZ 0xE0042008u

#define HSEON (1u << 16)
#define HSERDY (1u << 17)
#define PLLON (1u << 24)
#define PLLRDY (1u << 25)
#define SW_PLL 2u
#define SWS(v) (((v) >> 2) & 3u)
#define CSR_PINRSTF (1u << 26)
#define CSR_SFTRSTF (1u << 28)
#define CSR_IWDGRSTF (1u << 29)
#define CSR_RMVF (1u << 24)
#define ACR_PRFTEN_ICEN_DCEN 0x700u
#define DBG_IWDG_STOP (1u << 12)
#define S_HALT (1u << 17)
#define S_LOCKUP (1u << 19)
#define MS 1000000ull

#define OK SIM_ACK_OK
#define WR(addr, v) CHECK_EQ(tu_mem_write32(c, (addr), (v)), OK)

static sim_chip *c;

static uint32_t rd(uint32_t addr)
{
	return tu_rd(c, addr);
}

/* A connected chip running the loop from flash after an NRST pulse. */
static int boot_loop(const struct sim_config *cfg)
{
	static const uint32_t img[0x41] = { [0] = 0x20020000u, [1] = 0x08000101u, [0x40] = 0xE7FD3001u };

	c = tu_connected_chip(cfg);
	CHECK(c != NULL);
	CHECK_OK(sim_chip_backdoor_load_flash(c, 0x08000000u, img, sizeof(img)));
	sim_board_set_nrst(c, true);
	sim_board_set_nrst(c, false);
	return 0;
}

/* Instructions the core retires in `ns` of modelled time. */
static uint64_t retired_in(uint64_t ns)
{
	struct sim_chip_stats a, b;

	sim_chip_get_stats(c, &a);
	sim_chip_advance(c, ns);
	sim_chip_get_stats(c, &b);
	return b.instructions - a.instructions;
}

#define DONE(expr)                                                                                           \
	do {                                                                                                 \
		int _r = (expr);                                                                             \
		sim_chip_free(c);                                                                            \
		c = NULL;                                                                                    \
		return _r;                                                                                   \
	} while (0)

/* RM0090 3.5.1 then 7.2.6: wait states first, HSE on, the PLL configured
 * and locked, then SW = PLL. 8 MHz HSE / M 4 x N 168 / P 2 = 168 MHz. */
static int pll_168(uint32_t acr)
{
	WR(FLASH_ACR, acr);
	WR(RCC_CR, rd(RCC_CR) | HSEON);
	CHECK(!(rd(RCC_CR) & HSERDY)); /* DS8626 tSU(HSE) 2 ms */
	sim_chip_advance(c, 3 * MS);
	CHECK(rd(RCC_CR) & HSERDY);
	WR(RCC_PLLCFGR, (7u << 24) | (1u << 22) | (0u << 16) | (168u << 6) | 4u);
	WR(RCC_CR, rd(RCC_CR) | PLLON);
	sim_chip_advance(c, 1 * MS);
	CHECK(rd(RCC_CR) & PLLRDY);
	WR(RCC_CFGR, SW_PLL);
	CHECK_EQ(SWS(rd(RCC_CFGR)), SW_PLL);
	return 0;
}

static int body_pll_168(void)
{
	uint64_t hsi, pll;

	CHECK_OK(boot_loop(NULL));
	hsi = retired_in(1 * MS);
	CHECK_EQ(hsi, 16000); /* RM0090 7.2.2: HSI 16 MHz after reset */
	CHECK_OK(pll_168(5u | ACR_PRFTEN_ICEN_DCEN));
	pll = retired_in(1 * MS);
	CHECK_EQ(pll, 168000);
	/* the same loop, 10.5 times faster in modelled time */
	CHECK(pll * 100 / hsi >= 1049 && pll * 100 / hsi <= 1051);
	/* a system reset returns to the HSI (RM0090 7.2.2, 7.3.3) */
	WR(AIRCR, 0x05FA0004u);
	CHECK_EQ(SWS(rd(RCC_CFGR)), 0);
	CHECK_EQ(rd(RCC_CR) & (PLLON | HSEON), 0);
	CHECK_EQ(retired_in(1 * MS), 16000);
	CHECK_EQ(rd(RCC_CSR) & (CSR_SFTRSTF | CSR_PINRSTF), CSR_SFTRSTF | CSR_PINRSTF);
	return 0;
}

static int test_pll_168(void)
{
	DONE(body_pll_168());
}

/* OpenOCD's target/stm32f4x.cfg reset-init: HSI / 8 x 128 / 4 = 64 MHz,
 * 2 wait states, APB1 / 2, SW = PLL (RM0090 7.3.2, 7.3.3). */
static int body_openocd_64(void)
{
	CHECK_OK(boot_loop(NULL));
	WR(RCC_PLLCFGR, 0x08012008u);
	WR(FLASH_ACR, 0x00000102u);
	WR(RCC_CR, rd(RCC_CR) | PLLON);
	sim_chip_advance(c, 10 * MS);
	WR(RCC_CFGR, rd(RCC_CFGR) | 0x00001000u);
	WR(RCC_CFGR, rd(RCC_CFGR) | SW_PLL);
	CHECK_EQ(SWS(rd(RCC_CFGR)), SW_PLL);
	CHECK_EQ(retired_in(1 * MS), 64000);
	return 0;
}

static int test_openocd_64(void)
{
	DONE(body_openocd_64());
}

/* RM0090 7.2.6: the switch happens when the selected source is ready. */
static int body_switch_waits(void)
{
	CHECK_OK(boot_loop(NULL));
	WR(FLASH_ACR, 2u);
	WR(RCC_PLLCFGR, 0x08012008u);
	WR(RCC_CFGR, SW_PLL);
	CHECK_EQ(SWS(rd(RCC_CFGR)), 0);
	CHECK_EQ(retired_in(1 * MS), 16000);
	WR(RCC_CR, rd(RCC_CR) | PLLON);
	CHECK_EQ(SWS(rd(RCC_CFGR)), 0); /* DS8626 tLOCK: not yet */
	sim_chip_advance(c, 1 * MS);
	CHECK_EQ(SWS(rd(RCC_CFGR)), SW_PLL);
	CHECK_EQ(retired_in(1 * MS), 64000);
	/* the PLL in use cannot be stopped */
	WR(RCC_CR, rd(RCC_CR) & ~PLLON);
	CHECK(rd(RCC_CR) & PLLRDY);
	return 0;
}

static int test_switch_waits(void)
{
	DONE(body_switch_waits());
}

/* RM0090 7.3.3 HPRE 1001: HCLK = SYSCLK / 4. */
static int body_hpre(void)
{
	CHECK_OK(boot_loop(NULL));
	WR(RCC_CFGR, 9u << 4);
	CHECK_EQ(retired_in(1 * MS), 4000);
	return 0;
}

static int test_hpre(void)
{
	DONE(body_hpre());
}

/* RM0090 7.3.2: PLLM = 1 is outside 2..63 (VCO input 16 MHz): no lock. */
static int body_pll_out_of_range(void)
{
	CHECK_OK(boot_loop(NULL));
	WR(RCC_PLLCFGR, 0x08012001u);
	WR(RCC_CR, rd(RCC_CR) | PLLON);
	sim_chip_advance(c, 10 * MS);
	CHECK_EQ(rd(RCC_CR) & PLLRDY, 0);
	WR(RCC_CFGR, SW_PLL);
	CHECK_EQ(SWS(rd(RCC_CFGR)), 0);
	return 0;
}

static int test_pll_out_of_range(void)
{
	DONE(body_pll_out_of_range());
}

/* RM0090 3.5.1 table 10: 168 MHz at 3.3 V needs 5 wait states. With 0 the
 * lab's flash reads fail: the core's next fetch is a bus error, and with
 * its handlers in flash too it locks up; the AP's read faults. */
static int body_too_few_wait_states(void)
{
	uint32_t v;

	CHECK_OK(boot_loop(NULL));
	CHECK_OK(pll_168(ACR_PRFTEN_ICEN_DCEN));
	sim_chip_advance(c, 1 * MS);
	CHECK(rd(DHCSR) & S_LOCKUP);
	CHECK_EQ(tu_mem_read32(c, 0x08000000u, &v), SIM_ACK_FAULT);
	CHECK_EQ(tu_clear_fault(c), OK);
	WR(FLASH_ACR, 5u);
	CHECK_EQ(rd(0x08000000u), 0x20020000u);
	return 0;
}

static int test_too_few_wait_states(void)
{
	DONE(body_too_few_wait_states());
}

/* ---- IWDG (RM0090 21) ---------------------------------------------------- */

/* RM0090 21.3: started by 0xCCCC, it counts 0xFFF down at LSI / 4
 * (32 kHz: 512 ms) and resets the chip with IWDGRSTF (7.3.21). */
static int body_iwdg_expires(void)
{
	struct sim_chip_stats a, b;

	CHECK_OK(boot_loop(NULL));
	WR(RCC_CSR, CSR_RMVF);
	WR(IWDG_KR, 0xCCCCu);
	CHECK(rd(RCC_CSR) & 3u); /* LSION forced, LSIRDY (7.3.21) */
	sim_chip_get_stats(c, &a);
	sim_chip_advance(c, 500 * MS);
	sim_chip_get_stats(c, &b);
	CHECK_EQ(b.resets, a.resets);
	sim_chip_advance(c, 20 * MS);
	sim_chip_get_stats(c, &b);
	CHECK_EQ(b.resets, a.resets + 1);
	CHECK_EQ(rd(RCC_CSR) & 0xFF000000u, CSR_IWDGRSTF | CSR_PINRSTF);
	/* a software watchdog stays stopped after its reset */
	sim_chip_advance(c, 600 * MS);
	sim_chip_get_stats(c, &a);
	CHECK_EQ(a.resets, b.resets);
	return 0;
}

static int test_iwdg_expires(void)
{
	DONE(body_iwdg_expires());
}

/* RM0090 21.3.2: PR and RLR take writes only after 0x5555; 0xAAAA
 * reloads. PR 0 / RLR 80: 10 ms. */
static int body_iwdg_reload(void)
{
	struct sim_chip_stats a, b;

	CHECK_OK(boot_loop(NULL));
	WR(IWDG_RLR, 80u);
	CHECK_EQ(rd(IWDG_RLR), 0xFFFu); /* write-protected */
	WR(IWDG_KR, 0x5555u);
	WR(IWDG_RLR, 80u);
	CHECK_EQ(rd(IWDG_RLR), 80u);
	WR(IWDG_KR, 0xCCCCu);
	WR(IWDG_KR, 0xAAAAu);
	sim_chip_get_stats(c, &a);
	for (int i = 0; i < 10; i++) { /* refreshed every 5 ms: no reset */
		sim_chip_advance(c, 5 * MS);
		WR(IWDG_KR, 0xAAAAu);
	}
	sim_chip_advance(c, 12 * MS);
	sim_chip_get_stats(c, &b);
	CHECK_EQ(b.resets, a.resets + 1);
	return 0;
}

static int test_iwdg_reload(void)
{
	DONE(body_iwdg_reload());
}

/* RM0090 38.16.4: DBG_IWDG_STOP stops the counter while the core is
 * halted; it counts again when the core runs (any code). */
static int body_iwdg_debug_freeze(bool freeze)
{
	struct sim_chip_stats a, b;

	CHECK_OK(boot_loop(NULL));
	WR(DHCSR, 0xA05F0003u);
	CHECK(rd(DHCSR) & S_HALT);
	if (freeze)
		WR(DBGMCU_APB1_FZ, DBG_IWDG_STOP);
	WR(IWDG_KR, 0xCCCCu);
	sim_chip_get_stats(c, &a);
	sim_chip_advance(c, 600 * MS);
	sim_chip_get_stats(c, &b);
	CHECK_EQ(b.resets, a.resets + (freeze ? 0 : 1));
	if (!freeze)
		return 0;
	WR(DHCSR, 0xA05F0001u);
	sim_chip_advance(c, 600 * MS);
	sim_chip_get_stats(c, &b);
	CHECK_EQ(b.resets, a.resets + 1);
	return 0;
}

static int test_iwdg_frozen_in_halt(void)
{
	DONE(body_iwdg_debug_freeze(true));
}

static int test_iwdg_runs_in_halt_unfrozen(void)
{
	DONE(body_iwdg_debug_freeze(false));
}

/* RM0090 21.3.1: with WDG_SW = 0 in the option bytes (3.6.1, programmed
 * through FLASH_OPTCR, 3.6.2) the IWDG starts by itself at every reset. */
static int body_iwdg_hardware(void)
{
	struct sim_chip_stats a, b;

	CHECK_OK(boot_loop(NULL));
	WR(0x40023C08u, 0x08192A3Bu); /* FLASH_OPTKEYR */
	WR(0x40023C08u, 0x4C5D6E7Fu);
	WR(0x40023C14u, (rd(0x40023C14u) & ~0x21u) | 0x2u); /* WDG_SW = 0, OPTSTRT */
	sim_chip_advance(c, 300 * MS);
	CHECK_EQ(rd(0x1FFFC000u) & 0x20u, 0);
	sim_board_set_nrst(c, true);
	sim_board_set_nrst(c, false);
	sim_chip_get_stats(c, &a);
	sim_chip_advance(c, 520 * MS);
	sim_chip_get_stats(c, &b);
	CHECK_EQ(b.resets, a.resets + 1);
	CHECK(rd(RCC_CSR) & CSR_IWDGRSTF);
	return 0;
}

static int test_iwdg_hardware(void)
{
	DONE(body_iwdg_hardware());
}

/* RM0090 21.3, 21.4.1: 0xAAAA only reloads the counter; a watchdog never
 * started (software mode, WDG_SW = 1) stays stopped, so a flash algorithm
 * may write it unconditionally. */
static int body_iwdg_reload_not_started(void)
{
	struct sim_chip_stats a, b;

	CHECK_OK(boot_loop(NULL));
	CHECK(rd(0x1FFFC000u) & 0x20u); /* WDG_SW = 1 on a blank chip */
	sim_chip_get_stats(c, &a);
	for (int i = 0; i < 3; i++) {
		WR(IWDG_KR, 0xAAAAu);
		sim_chip_advance(c, 300 * MS);
	}
	sim_chip_get_stats(c, &b);
	CHECK_EQ(b.resets, a.resets);
	CHECK_EQ(rd(RCC_CSR) & CSR_IWDGRSTF, 0);
	return 0;
}

static int test_iwdg_reload_not_started(void)
{
	DONE(body_iwdg_reload_not_started());
}

/* The knob hw-watchdog: a board whose option bytes hold WDG_SW = 0 (RM0090
 * 3.6.1). The IWDG runs from power-on (21.3.1): 512 ms at its reset values
 * while the core runs, again after its own reset; 0xCCCC does not restart
 * it from 0xFFF and 0xAAAA keeps it from expiring. Programming WDG_SW back
 * to 1 (3.6.2) gives a software watchdog from the next reset. */
static int body_iwdg_hw_knob(void)
{
	struct sim_config cfg = { .faults = SIM_FAULT_HW_WATCHDOG };
	struct sim_chip_stats a, b;

	CHECK_OK(boot_loop(&cfg));
	CHECK_EQ(rd(0x1FFFC000u) & 0x20u, 0);
	CHECK_EQ(rd(0x40023C14u) & 0x20u, 0); /* FLASH_OPTCR shows it too */
	sim_chip_get_stats(c, &a);
	sim_chip_advance(c, 500 * MS);
	sim_chip_get_stats(c, &b);
	CHECK_EQ(b.resets, a.resets);
	sim_chip_advance(c, 20 * MS);
	sim_chip_get_stats(c, &b);
	CHECK_EQ(b.resets, a.resets + 1);
	CHECK(rd(RCC_CSR) & CSR_IWDGRSTF);
	for (int i = 0; i < 4; i++) { /* refreshed every 300 ms: no reset */
		sim_chip_advance(c, 300 * MS);
		WR(IWDG_KR, 0xAAAAu);
	}
	sim_chip_get_stats(c, &a);
	CHECK_EQ(a.resets, b.resets);
	sim_chip_advance(c, 400 * MS);
	WR(IWDG_KR, 0xCCCCu); /* already running: no reload */
	sim_chip_advance(c, 150 * MS);
	sim_chip_get_stats(c, &b);
	CHECK_EQ(b.resets, a.resets + 1);
	/* back to a software watchdog: stopped from the next reset on */
	WR(0x40023C08u, 0x08192A3Bu); /* FLASH_OPTKEYR */
	WR(0x40023C08u, 0x4C5D6E7Fu);
	WR(0x40023C14u, (rd(0x40023C14u) & ~0x1u) | 0x22u); /* WDG_SW = 1, OPTSTRT */
	sim_chip_advance(c, 300 * MS);
	CHECK(rd(0x1FFFC000u) & 0x20u);
	sim_board_set_nrst(c, true);
	sim_board_set_nrst(c, false);
	sim_chip_get_stats(c, &a);
	sim_chip_advance(c, 1000 * MS);
	sim_chip_get_stats(c, &b);
	CHECK_EQ(b.resets, a.resets);
	return 0;
}

static int test_iwdg_hw_knob(void)
{
	DONE(body_iwdg_hw_knob());
}

/* The knob is the F407's: the H7 rows refuse it with a reason. */
static int test_iwdg_hw_knob_h7_refused(void)
{
	struct sim_config cfg = { .chip = "stm32h743", .faults = SIM_FAULT_HW_WATCHDOG };
	char err[256] = "";

	CHECK(sim_config_parse_faults(&cfg, "hw-watchdog:1", err, sizeof(err)) != 0);
	CHECK(strstr(err, "takes no value") != NULL);
	CHECK(sim_chip_new(&cfg, &c, err, sizeof(err)) != 0);
	CHECK(c == NULL);
	CHECK(strstr(err, "hw-watchdog exists for the STM32F407 only") != NULL);
	return 0;
}

/* The lab's injection: firmware's watchdog with about 10 ms left. */
static int body_iwdg_injected(void)
{
	struct sim_chip_stats a, b;

	CHECK_OK(boot_loop(NULL));
	CHECK_OK(sim_board_watchdog_start(c, 10));
	sim_chip_get_stats(c, &a);
	sim_chip_advance(c, 9 * MS);
	sim_chip_get_stats(c, &b);
	CHECK_EQ(b.resets, a.resets);
	sim_chip_advance(c, 2 * MS);
	sim_chip_get_stats(c, &b);
	CHECK_EQ(b.resets, a.resets + 1);
	CHECK(rd(RCC_CSR) & CSR_IWDGRSTF);
	return 0;
}

static int test_iwdg_injected(void)
{
	DONE(body_iwdg_injected());
}

static const struct test_case tests[] = {
	{ "pll_168",
	  "RM0090 7.2.3/7.3.3 HSE+PLL at 168 MHz with 5 wait states: the loop runs 10.5x faster; "
	  "a reset returns to HSI 16 MHz with SFTRSTF",
	  test_pll_168 },
	{ "openocd_64", "RM0090 7.3.2 OpenOCD's stm32f4x.cfg reset-init: HSI PLL 64 MHz", test_openocd_64 },
	{ "switch_waits", "RM0090 7.2.6 SW takes effect once the PLL is locked; the clock in use stays on",
	  test_switch_waits },
	{ "hpre", "RM0090 7.3.3 AHB prescaler /4: HCLK 4 MHz", test_hpre },
	{ "pll_out_of_range", "RM0090 7.3.2 PLLM outside 2..63: the lab's PLL never locks, no switch",
	  test_pll_out_of_range },
	{ "too_few_wait_states", "RM0090 3.5.1 table 10: 168 MHz with 0 wait states, flash reads fail",
	  test_too_few_wait_states },
	{ "iwdg_expires", "RM0090 21.3 IWDG 0xCCCC: reset after 512 ms with IWDGRSTF", test_iwdg_expires },
	{ "iwdg_reload", "RM0090 21.3.2 PR/RLR write access, 0xAAAA reload", test_iwdg_reload },
	{ "iwdg_frozen_in_halt", "RM0090 38.16.4 DBG_IWDG_STOP freezes the IWDG in halt only",
	  test_iwdg_frozen_in_halt },
	{ "iwdg_runs_in_halt_unfrozen", "RM0090 38.16.4 without DBG_IWDG_STOP the IWDG counts in halt",
	  test_iwdg_runs_in_halt_unfrozen },
	{ "iwdg_hardware", "RM0090 21.3.1 WDG_SW = 0: the IWDG starts at every reset", test_iwdg_hardware },
	{ "iwdg_reload_not_started", "RM0090 21.3/21.4.1 0xAAAA alone never starts the IWDG",
	  test_iwdg_reload_not_started },
	{ "iwdg_hw_knob",
	  "RM0090 21.3.1 knob hw-watchdog: WDG_SW = 0, the IWDG runs from reset, 0xAAAA holds it, "
	  "WDG_SW = 1 programmed stops it from the next reset",
	  test_iwdg_hw_knob },
	{ "iwdg_hw_knob_h7_refused", "knob hw-watchdog refused on the H7 with a reason",
	  test_iwdg_hw_knob_h7_refused },
	{ "iwdg_injected", "lab injection: a firmware watchdog of 10 ms resets the chip",
	  test_iwdg_injected },
};

TEST_MAIN("test_sim_f4_sys", tests)
