/*
 * The STM32H7 board and fault knobs of the lab (issue 12, docs/LAB-h7.md):
 * chip-specific knob checks, supply-lock, low-power-no-debug, iwdg, and the
 * flash knobs as the debugger sees them (bank-swap, ecc, vcap-fault); and
 * the emulated STLINK-V3 reaching every AP at its 24 MHz step.
 */
#include "harness.h"
#include "h7_test_util.h"
#include "sim_probe.h"

#define AP2_CSW 0x80000052u
#define FLASH_KEYR 0x52002004u
#define FLASH_CR 0x5200200Cu
#define FLASH_SR 0x52002010u
#define FLASH_OPTCR 0x52002018u

static sim_chip *knob_chip(const char *chip, const char *knobs)
{
	struct sim_config cfg = { .chip = chip };
	char err[256];
	sim_chip *c = NULL;

	if (knobs && sim_config_parse_faults(&cfg, knobs, err, sizeof(err)))
		return NULL;
	if (sim_chip_new(&cfg, &c, err, sizeof(err)))
		return NULL;
	return c;
}

/* A firmware that spins in flash: vector table + `b .` at 0x08000008. */
static int load_spin(sim_chip *c)
{
	const uint32_t img[3] = { 0x20010000u, 0x08000009u, 0xE7FEE7FEu };

	if (sim_chip_backdoor_load_flash(c, 0x08000000u, img, sizeof(img)))
		return -1;
	sim_board_power_cycle(c);
	return 0;
}

static int t_knob_chips(void)
{
	static const struct {
		const char *chip, *knobs;
		bool ok;
	} rows[] = {
		{ "stm32h743", "vcap-fault,bank-swap,ecc:0x08100000,low-power-no-debug,iwdg", true },
		{ "stm32h743", "supply-lock", true },
		{ "stm32h743", "wrp:15", true },
		{ "stm32h725", "wrp:8", false },
		{ "stm32h743", "ecc:0x09000000", false },
		{ "stm32f407", "vcap-fault", false },
		{ "stm32f407", "wrp:12", false },
		{ "stm32f407", "wrp:11", true },
		{ "stm32h750", NULL, false },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sim_chip *c = knob_chip(rows[i].chip, rows[i].knobs);

		if ((c != NULL) != rows[i].ok)
			return test_fail_at(__FILE__, __LINE__, "%s with %s: %s", rows[i].chip,
					    rows[i].knobs ? rows[i].knobs : "-", c ? "accepted" : "refused");
		sim_chip_free(c);
	}
	CHECK(sim_chip_known("stm32h725") && !sim_chip_known("stm32h7"));
	return 0;
}

/* The DP answers, AP0 never does, AP2 does; BOOT0 high + power cycle
 * recovers (system memory boots). */
static int t_supply_lock(void)
{
	sim_chip *c = knob_chip("stm32h743", "supply-lock");
	uint32_t v = 0;

	CHECK(c && h7_connect(c, 0) == 0);
	sim_chip_advance(c, 10000000);
	CHECK_EQ(tu_mem_read32(c, 0x24000000u, &v), SIM_ACK_FAULT);
	CHECK_EQ(tu_clear_fault(c), SIM_ACK_OK);
	CHECK_EQ(tu_mem_read32(c, 0xE000ED00u, &v), SIM_ACK_FAULT);
	CHECK_EQ(tu_clear_fault(c), SIM_ACK_OK);
	CHECK_EQ(h7_ap(c, 2, AP2_CSW), 0);
	CHECK_EQ(tu_mem_read32(c, 0xE00E1000u, &v), SIM_ACK_OK);
	sim_board_set_nrst(c, true); /* connect under reset does not help */
	sim_board_set_nrst(c, false);
	CHECK_EQ(h7_ap(c, 0, TU_CSW_32_INC), 0);
	CHECK_EQ(tu_mem_read32(c, 0x24000000u, &v), SIM_ACK_FAULT);
	sim_board_set_boot0(c, true);
	sim_board_power_cycle(c);
	CHECK(h7_connect(c, 0) == 0);
	sim_chip_advance(c, 1000000);
	CHECK_EQ(tu_mem_write32(c, H7_DHCSR, 0xA05F0003u), SIM_ACK_OK);
	CHECK_EQ(h7_reg(c, 15, &v), 0);
	CHECK_EQ(v & 0xFFF00000u, 0x1FF00000u); /* running the system memory */
	sim_chip_free(c);
	return 0;
}

/* PWR_CR3's supply bits are write-once after power-on; a configuration
 * the LDO-wired board cannot deliver (bypass on the H743) locks AP0 out
 * until a power cycle, whoever writes it. */
static int t_pwr_cr3(void)
{
	sim_chip *c = knob_chip("stm32h743", NULL);
	uint32_t v = 0;

	CHECK(c && h7_connect(c, 0) == 0);
	CHECK_EQ(tu_mem_read32(c, 0x5802480Cu, &v), SIM_ACK_OK);
	CHECK_EQ(v & 3u, 2u);                                              /* LDOEN after reset */
	CHECK_EQ(tu_mem_write32(c, 0x5802480Cu, 0x00000002u), SIM_ACK_OK); /* LDO: the board's */
	CHECK_EQ(tu_mem_write32(c, 0x5802480Cu, 0x00000001u), SIM_ACK_OK); /* ignored: written once */
	CHECK_EQ(tu_mem_read32(c, 0x24000000u, &v), SIM_ACK_OK);
	sim_board_power_cycle(c);
	CHECK(h7_connect(c, 0) == 0);
	CHECK_EQ(tu_mem_write32(c, 0x5802480Cu, 0x00000001u), SIM_ACK_OK); /* bypass */
	CHECK_EQ(tu_mem_read32(c, 0x24000000u, &v), SIM_ACK_FAULT);
	CHECK_EQ(tu_clear_fault(c), SIM_ACK_OK);
	sim_board_set_nrst(c, true);
	sim_board_set_nrst(c, false);
	CHECK_EQ(tu_mem_read32(c, 0x24000000u, &v), SIM_ACK_FAULT);
	CHECK_EQ(tu_clear_fault(c), SIM_ACK_OK);
	sim_board_power_cycle(c);
	CHECK(h7_connect(c, 0) == 0);
	CHECK_EQ(tu_mem_read32(c, 0x24000000u, &v), SIM_ACK_OK);
	sim_chip_free(c);
	return 0;
}

/* D1 Stop with DBGSTOP_D1 clear: AP0 dies until NRST; with it set (written
 * through AP2 right after power-on) AP0 keeps working. */
static int t_low_power(void)
{
	sim_chip *c = knob_chip("stm32h743", "low-power-no-debug");
	uint32_t v = 0;

	CHECK(c && load_spin(c) == 0 && h7_connect(c, 0) == 0);
	sim_chip_advance(c, 2000000);
	CHECK_EQ(tu_mem_read32(c, 0x5C001000u, &v), SIM_ACK_FAULT);
	CHECK_EQ(tu_clear_fault(c), SIM_ACK_OK);
	sim_board_set_nrst(c, true);
	CHECK_EQ(h7_ap(c, 2, AP2_CSW), 0);
	CHECK_EQ(tu_mem_write32(c, 0xE00E1004u, 0x00000002u), SIM_ACK_OK); /* DBGSTOP_D1 */
	sim_board_set_nrst(c, false);
	sim_chip_advance(c, 5000000);
	CHECK_EQ(h7_ap(c, 0, TU_CSW_32_INC), 0);
	CHECK_EQ(tu_mem_read32(c, 0x5C001000u, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x20036450u);
	sim_chip_free(c);
	return 0;
}

/* The firmware's IWDG resets the chip while a debugger keeps the core
 * halted, unless DBGMCU_APB4FZ1.DBG_IWDG1 freezes it. */
static int t_iwdg(void)
{
	sim_chip *c = knob_chip("stm32h743", "iwdg");
	struct sim_chip_stats st0, st1;
	uint32_t v = 0;

	CHECK(c && load_spin(c) == 0 && h7_connect(c, 0) == 0);
	sim_chip_advance(c, 2000000);
	sim_chip_get_stats(c, &st0);
	sim_chip_advance(c, 1000000000); /* running from flash: refreshed */
	sim_chip_get_stats(c, &st1);
	CHECK_EQ(st1.resets, st0.resets);
	CHECK_EQ(tu_mem_write32(c, 0x5C001054u, 1u << 18), SIM_ACK_OK); /* freeze IWDG1 */
	CHECK_EQ(tu_mem_write32(c, H7_DHCSR, 0xA05F0003u), SIM_ACK_OK);
	sim_chip_advance(c, 1000000000);
	sim_chip_get_stats(c, &st1);
	CHECK_EQ(st1.resets, st0.resets);
	CHECK_EQ(tu_mem_write32(c, 0x5C001054u, 0), SIM_ACK_OK);
	sim_chip_advance(c, 600000000);
	sim_chip_get_stats(c, &st1);
	CHECK_EQ(st1.resets, st0.resets + 1);
	CHECK_EQ(tu_mem_read32(c, 0x580244D0u, &v), SIM_ACK_OK); /* RCC_RSR */
	CHECK(v & (1u << 26));                                   /* IWDG1RSTF */
	/* RMVF clears the flags; they stay clear through a system reset that
	 * is not the watchdog's, and IWDG1RSTF alone comes back with it */
	CHECK_EQ(tu_mem_write32(c, 0x580244D0u, 1u << 16), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, 0x580244D0u, 0), SIM_ACK_OK);
	CHECK_EQ(tu_mem_read32(c, 0x580244D0u, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0);
	CHECK_EQ(tu_mem_write32(c, 0xE000ED0Cu, 0x05FA0004u), SIM_ACK_OK); /* SYSRESETREQ */
	sim_chip_advance(c, 1000000);
	CHECK_EQ(tu_mem_read32(c, 0x580244D0u, &v), SIM_ACK_OK);
	CHECK_EQ(v & (1u << 26), 0);
	/* the watchdog refreshed through IWDG1_KR (0x58004800, RM0433 45.4.1)
	 * by the debugger while the core is halted: no reset */
	CHECK_EQ(tu_mem_write32(c, H7_DHCSR, 0xA05F0003u), SIM_ACK_OK);
	sim_chip_get_stats(c, &st0);
	for (int i = 0; i < 4; i++) {
		sim_chip_advance(c, 300000000);
		CHECK_EQ(tu_mem_write32(c, 0x58004800u, 0xAAAAu), SIM_ACK_OK);
	}
	sim_chip_get_stats(c, &st1);
	CHECK_EQ(st1.resets, st0.resets);
	sim_chip_free(c);
	return 0;
}

static int t_flash_knobs(void)
{
	sim_chip *c = knob_chip("stm32h743", "bank-swap,ecc:0x08000040");
	uint32_t v = 0;

	CHECK(c && h7_connect(c, 0) == 0);
	CHECK_EQ(tu_mem_read32(c, FLASH_OPTCR, &v), SIM_ACK_OK);
	CHECK(v & (1u << 31)); /* SWAP_BANK in effect */
	CHECK_EQ(tu_mem_read32(c, 0x08000040u, &v), SIM_ACK_FAULT);
	CHECK_EQ(tu_clear_fault(c), SIM_ACK_OK);
	CHECK_EQ(tu_mem_read32(c, 0x08000060u, &v), SIM_ACK_OK);
	sim_chip_free(c);
	return 0;
}

/* A core load of a flash word with a double ECC error is a precise
 * BusFault (escalated to HardFault) with BFAR = the address. */
static int t_core_ecc_load(void)
{
	/* ldr r0,[pc,#4]; ldr r1,[r0]; bkpt; nop; .word 0x08000040 */
	static const uint16_t code[] = { 0x4801, 0x6801, 0xBE00, 0xBF00, 0x0040, 0x0800 };
	const uint32_t vec[4] = { 0x20010000u, 0x20000001u, 0, 0x20000101u };
	sim_chip *c = knob_chip("stm32h743", "ecc:0x08000040");
	uint32_t v = 0;

	CHECK(c && h7_connect(c, 0) == 0);
	CHECK_EQ(sim_chip_backdoor_load_flash(c, 0x08000000u, vec, sizeof(vec)), 0);
	for (unsigned i = 0; i < 6; i += 2)
		CHECK_EQ(tu_mem_write32(c, 0x20000000u + 2 * i, code[i] | (uint32_t)code[i + 1] << 16),
			 SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, 0x20000100u, 0xBE00BE00u), SIM_ACK_OK); /* HardFault: bkpt */
	CHECK_EQ(tu_mem_write32(c, H7_DHCSR, 0xA05F0003u), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, 0xE000EDFCu, 0x01000001u), SIM_ACK_OK); /* VC_CORERESET */
	sim_board_set_nrst(c, true); /* boot with the vector table just loaded */
	sim_board_set_nrst(c, false);
	CHECK_EQ(h7_run(c, 0x20000000u), 0);
	CHECK_EQ(h7_reg(c, 15, &v), 0);
	CHECK_EQ(v, 0x20000100u);
	CHECK_EQ(tu_mem_read32(c, 0xE000ED28u, &v), SIM_ACK_OK); /* CFSR */
	CHECK_EQ(v & 0x8200u, 0x8200u);                          /* PRECISERR, BFARVALID */
	CHECK_EQ(tu_mem_read32(c, 0xE000ED38u, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x08000040u);
	sim_chip_free(c);
	return 0;
}

/* Sector 0 erase through AP0 (RM0433 4.3.10); FLASH_SR once BSY/QW fell. */
static int erase_sector0(sim_chip *c, uint32_t *sr)
{
	CHECK_EQ(tu_mem_write32(c, FLASH_KEYR, 0x45670123u), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, FLASH_KEYR, 0xCDEF89ABu), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, FLASH_CR, 0x34u), SIM_ACK_OK); /* SER, PSIZE x64 */
	CHECK_EQ(tu_mem_write32(c, FLASH_CR, 0xB4u), SIM_ACK_OK); /* START */
	for (int i = 0; i < 50; i++) {
		sim_chip_advance(c, 100000000);
		CHECK_EQ(tu_mem_read32(c, FLASH_SR, sr), SIM_ACK_OK);
		if (!(*sr & 5u))
			return 0;
	}
	return test_fail_at(__FILE__, __LINE__, "erase still busy after 5 s: SR 0x%08x", *sr);
}

/* vcap-fault: a sector erase ends with OPERR. */
static int t_vcap(void)
{
	sim_chip *c = knob_chip("stm32h743", "vcap-fault");
	uint32_t v = 0;

	CHECK(c && h7_connect(c, 0) == 0);
	CHECK_EQ(erase_sector0(c, &v), 0);
	CHECK(v & (1u << 22)); /* OPERR */
	sim_chip_free(c);
	return 0;
}

/* The chip's statistics (swdd-lab --stats) count the module's erases. */
static int t_flash_stats(void)
{
	sim_chip *c = knob_chip("stm32h725", NULL);
	struct sim_chip_stats st;
	uint32_t v = 0;

	CHECK(c && h7_connect(c, 0) == 0);
	CHECK_EQ(erase_sector0(c, &v), 0);
	CHECK_EQ(v & (1u << 22), 0u);
	sim_chip_get_stats(c, &st);
	CHECK_EQ(st.sector_erases, 1u);
	sim_chip_free(c);
	return 0;
}

/* An H743 behind an emulated probe of `kind`; NULL on failure. */
static sim_probe *probe_on_h743(enum sim_probe_kind kind, sim_chip **c)
{
	struct sim_config cfg = { .chip = "stm32h743" };
	struct sim_probe_config pc = { .kind = kind };
	sim_probe *p = NULL;
	char err[128];

	if (sim_chip_new(&cfg, c, err, sizeof(err)))
		return NULL;
	if (sim_probe_new(&pc, *c, &p)) {
		sim_chip_free(*c);
		return NULL;
	}
	return p;
}

/* The STLINK-V3 firmware model at 24 MHz reaches AP2 after INIT_AP. */
static int t_stlink_v3_ap2(void)
{
	uint8_t r[64];
	size_t got = 0;
	sim_chip *c = NULL;
	sim_probe *p = probe_on_h743(SIM_PROBE_STLINK_V3, &c);
	static const uint8_t cmds[][16] = {
		{ 0xF3, 0x07 },                                           /* DFU exit */
		{ 0xF2, 0x61, 0x00, 0x00, 0xC0, 0x5D, 0x00, 0x00 },       /* SET_COM_FREQ 24000 kHz */
		{ 0xF2, 0x30, 0xA3 },                                     /* DEBUG_ENTER SWD */
		{ 0xF2, 0x4B, 0x02 },                                     /* INIT_AP 2 */
		{ 0xF2, 0x07, 0x00, 0x10, 0x0E, 0xE0, 0x04, 0x00, 0x02 }, /* READMEM_32 AP2 */
	};
	static const size_t want[] = { 0, 8, 2, 2, 4 };

	CHECK(p);
	for (size_t i = 0; i < 5; i++) {
		size_t total = 0;

		CHECK_EQ(sim_probe_out(p, cmds[i], 16), 0);
		while (total < want[i]) {
			CHECK_EQ(sim_probe_in(p, r + total, want[i] - total, &got), 0);
			CHECK(got > 0);
			total += got;
		}
		if (i == 1)
			CHECK_EQ(r[4] | r[5] << 8 | r[6] << 16, 24000u);
		if (i == 2 || i == 3)
			CHECK_EQ(r[0], 0x80u);
	}
	CHECK_EQ((uint32_t)r[0] | r[1] << 8 | r[2] << 16 | (uint32_t)r[3] << 24, 0x20036450u);
	sim_probe_free(p);
	sim_chip_free(c);
	return 0;
}

/* CMSIS-DAP v2 reaches every AP of the H743 through DP SELECT: one
 * DAP_Transfer reads DPIDR and the IDRs of AP2 and AP1. */
static int t_cmsis_dap_aps(void)
{
	static const uint8_t seq[] = { 0x12, 136,  0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x9E,
				       0xE7, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00 };
	static const uint8_t xfer[] = {
		0x05, 0x00, 7,    0x02,       /* DPIDR */
		0x00, 0x1E, 0x00, 0x00, 0x00, /* ABORT */
		0x04, 0x00, 0x00, 0x00, 0x50, /* CTRL/STAT power-up */
		0x08, 0xF0, 0x00, 0x00, 0x02, /* SELECT AP2, bank 0xF */
		0x0F,                         /* AP IDR */
		0x08, 0xF0, 0x00, 0x00, 0x01, /* SELECT AP1, bank 0xF */
		0x0F,                         /* AP IDR */
	};
	uint8_t r[512];
	size_t n = 0;
	sim_chip *c = NULL;
	sim_probe *p = probe_on_h743(SIM_PROBE_CMSIS_DAP_V2, &c);

	CHECK(p);
	CHECK_EQ(sim_probe_out(p, (const uint8_t[]){ 0x02, 0x01 }, 2), 0); /* DAP_Connect SWD */
	CHECK_EQ(sim_probe_in(p, r, sizeof(r), &n), 0);
	CHECK_EQ(sim_probe_out(p, seq, sizeof(seq)), 0);
	CHECK_EQ(sim_probe_in(p, r, sizeof(r), &n), 0);
	CHECK_EQ(sim_probe_out(p, xfer, sizeof(xfer)), 0);
	CHECK_EQ(sim_probe_in(p, r, sizeof(r), &n), 0);
	CHECK_EQ(n, 3u + 12u);
	CHECK_EQ(r[1], 7u); /* all seven transfers */
	CHECK_EQ(r[2], 1u); /* OK */
	CHECK_EQ((uint32_t)r[3] | r[4] << 8 | r[5] << 16 | (uint32_t)r[6] << 24, H7_DPIDR);
	CHECK_EQ((uint32_t)r[7] | r[8] << 8 | r[9] << 16 | (uint32_t)r[10] << 24, 0x54770002u);
	CHECK_EQ((uint32_t)r[11] | r[12] << 8 | r[13] << 16 | (uint32_t)r[14] << 24, 0x84770001u);
	sim_probe_free(p);
	sim_chip_free(c);
	return 0;
}

static const struct test_case tests[] = {
	{ "knob_chips", "docs/LAB-h7.md knobs", t_knob_chips },
	{ "supply_lock", "AN4938 2; RM0433 6.4.1", t_supply_lock },
	{ "pwr_cr3", "RM0433 6.8.4 PWR_CR3; AN4938 2", t_pwr_cr3 },
	{ "low_power", "RM0433 60.5.8 DBGSTOP_D1", t_low_power },
	{ "iwdg", "RM0433 45.3; 60.5.8 DBG_IWDG1", t_iwdg },
	{ "flash_knobs", "RM0433 4.3.13 SWAP_BANK, 4.3.9 ECC", t_flash_knobs },
	{ "vcap", "AN4938 2; RM0433 4.7 OPERR", t_vcap },
	{ "flash_stats", "RM0468 4.3.10", t_flash_stats },
	{ "core_ecc_load", "RM0433 4.3.9; ARMv7-M B3.2.15", t_core_ecc_load },
	{ "stlink_v3_ap2", "RM0433 60.2; ST-LINK model", t_stlink_v3_ap2 },
	{ "cmsis_dap_aps", "RM0433 60.2; CMSIS-DAP DAP_Transfer", t_cmsis_dap_aps },
};

int main(int argc, char **argv)
{
	return test_main("test_sim_h7_board", tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
