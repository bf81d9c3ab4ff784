/* Board model of the lab: NRST, supply, fault knobs and their parser. */
#include "harness.h"
#include "sim_test_util.h"

#define DHCSR 0xE000EDF0u
#define DEMCR 0xE000EDFCu
#define DHCSR_DEBUGEN 0xA05F0001u
#define DHCSR_S_HALT (1u << 17)
#define DHCSR_S_RESET_ST (1u << 25)
#define FLASH_CR 0x40023C10u
#define FLASH_KEYR 0x40023C04u
#define MS 1000000ull

static int parse_row(const char *spec, struct sim_config *cfg)
{
	char err[300];

	*cfg = (struct sim_config){ 0 };
	return sim_config_parse_faults(cfg, spec, err, sizeof(err));
}

static int t_parse_faults(void)
{
	static const struct {
		const char *spec;
		uint32_t faults;
	} ok[] = {
		{ "nrst-push-pull", SIM_FAULT_NRST_PUSH_PULL },
		{ "swd-disabled-by-firmware", SIM_FAULT_SWD_DISABLED },
		{ "unpowered,no-target", SIM_FAULT_UNPOWERED | SIM_FAULT_NO_TARGET },
		{ "rdp1,sleep,lockup", SIM_FAULT_RDP1 | SIM_FAULT_SLEEP | SIM_FAULT_LOCKUP },
		{ "signal-integrity:4000", SIM_FAULT_SIGNAL_INTEGRITY },
		{ "wrp:1-3+5", SIM_FAULT_WRP },
		{ "weak-cell:0x08000010", SIM_FAULT_WEAK_CELL },
		{ "wait-storm:3", SIM_FAULT_WAIT_STORM },
		{ "vdd:1800", SIM_FAULT_VDD },
	};
	static const char *const bad[] = {
		"",
		"bogus",
		"wrp",
		"wrp:16",
		"wrp:3-1",
		"signal-integrity",
		"signal-integrity:0",
		"weak-cell:xyz",
		"rdp1:2",
		"wait-storm:-1",
		"sleep,,nope",
		"vdd",
		"vdd:1200",
		"vdd:5000",
	};
	struct sim_config cfg;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CHECK_OK(parse_row(ok[i].spec, &cfg));
		CHECK_EQ(cfg.faults, ok[i].faults);
	}
	CHECK_OK(parse_row("wrp:1-3+5,signal-integrity:4000,weak-cell:0x08000010,wait-storm:3", &cfg));
	CHECK_EQ(cfg.wrp_sectors, 0x2Eu);
	CHECK_EQ(cfg.si_max_khz, 4000);
	CHECK_EQ(cfg.weak_cell_addr, 0x08000010u);
	CHECK_EQ(cfg.wait_storm, 3);
	CHECK_OK(parse_row("vdd:2400", &cfg));
	CHECK_EQ(cfg.target_mv, 2400);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(parse_row(bad[i], &cfg) != 0);
	return 0;
}

static int t_supply(void)
{
	static const struct {
		uint32_t faults;
		int mv, want;
	} rows[] = {
		{ 0, 0, 3300 },
		{ 0, 1800, 1800 },
		{ SIM_FAULT_UNPOWERED, 3300, 0 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct sim_config cfg = { .faults = rows[i].faults, .target_mv = rows[i].mv };
		sim_chip *c = tu_chip(&cfg);

		CHECK(c);
		CHECK_EQ(sim_board_voltage_mv(c), rows[i].want);
		sim_chip_free(c);
	}
	return 0;
}

static int pulse_nrst(sim_chip *c)
{
	sim_board_set_nrst(c, true);
	if (!sim_board_nrst_low(c))
		return -1;
	sim_chip_advance(c, 100000);
	sim_board_set_nrst(c, false);
	return sim_board_nrst_low(c) ? -1 : 0;
}

/* NRST resets the core and the peripherals but not the debug logic. */
static int t_nrst_reset(void)
{
	sim_chip *c = tu_connected_chip(NULL);
	struct sim_chip_stats a, b;
	uint32_t v = 0;

	CHECK(c);
	CHECK_EQ(tu_mem_write32(c, DHCSR, DHCSR_DEBUGEN), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, FLASH_KEYR, 0x45670123u), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, FLASH_KEYR, 0xCDEF89ABu), SIM_ACK_OK);
	CHECK_EQ(tu_mem_read32(c, DHCSR, &v), SIM_ACK_OK); /* clears S_RESET_ST */
	sim_chip_get_stats(c, &a);
	CHECK_OK(pulse_nrst(c));
	sim_chip_get_stats(c, &b);
	CHECK_EQ(b.resets, a.resets + 1);
	CHECK_EQ(tu_mem_read32(c, DHCSR, &v), SIM_ACK_OK);
	CHECK(v & 1u); /* C_DEBUGEN survives */
	CHECK(v & DHCSR_S_RESET_ST);
	CHECK_EQ(tu_mem_read32(c, FLASH_CR, &v), SIM_ACK_OK);
	CHECK(v & 0x80000000u); /* the flash interface locked again */
	sim_chip_free(c);
	return 0;
}

/* A supervisor drives NRST push-pull: the probe cannot pull it low. */
static int t_nrst_push_pull(void)
{
	struct sim_config cfg = { .faults = SIM_FAULT_NRST_PUSH_PULL };
	sim_chip *c = tu_connected_chip(&cfg);
	struct sim_chip_stats a, b;
	uint32_t v = 0;

	CHECK(c);
	CHECK_EQ(tu_mem_write32(c, FLASH_KEYR, 0x45670123u), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, FLASH_KEYR, 0xCDEF89ABu), SIM_ACK_OK);
	sim_chip_get_stats(c, &a);
	sim_board_set_nrst(c, true);
	CHECK(!sim_board_nrst_low(c));
	sim_board_set_nrst(c, false);
	sim_chip_get_stats(c, &b);
	CHECK_EQ(b.resets, a.resets);
	CHECK_EQ(tu_mem_read32(c, FLASH_CR, &v), SIM_ACK_OK);
	CHECK_EQ(v & 0x80000000u, 0);
	sim_chip_free(c);
	return 0;
}

/* Firmware remaps SWD 2 ms after it starts: the DP goes silent until the
 * next reset. */
static int t_swd_disabled_by_firmware(void)
{
	struct sim_config cfg = { .faults = SIM_FAULT_SWD_DISABLED };
	sim_chip *c = tu_connected_chip(&cfg);
	uint32_t v = 0;

	CHECK(c);
	sim_chip_advance(c, 1 * MS);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_DPIDR, &v), SIM_ACK_OK);
	sim_chip_advance(c, 2 * MS);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_DPIDR, &v), SIM_ACK_NONE);
	sim_swd_line_reset(c);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_DPIDR, &v), SIM_ACK_NONE);
	CHECK_OK(pulse_nrst(c));
	sim_swd_line_reset(c);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_DPIDR, &v), SIM_ACK_OK);
	sim_chip_free(c);
	return 0;
}

/* Connect under reset with a reset vector catch: the core halts before the
 * firmware can remap the pins, so the debugger keeps the link. */
static int t_connect_under_reset(void)
{
	struct sim_config cfg = { .faults = SIM_FAULT_SWD_DISABLED };
	sim_chip *c = tu_chip(&cfg);
	uint32_t v = 0;

	CHECK(c);
	sim_chip_advance(c, 5 * MS);
	sim_board_set_nrst(c, true);
	CHECK_OK(tu_connect(c));
	CHECK_EQ(tu_mem_write32(c, DHCSR, DHCSR_DEBUGEN), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, DEMCR, 1u), SIM_ACK_OK); /* VC_CORERESET */
	sim_board_set_nrst(c, false);
	sim_chip_advance(c, 10 * MS);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_DPIDR, &v), SIM_ACK_OK);
	CHECK_EQ(tu_mem_read32(c, DHCSR, &v), SIM_ACK_OK);
	CHECK(v & DHCSR_S_HALT);
	sim_chip_free(c);
	return 0;
}

/* A power cycle boots what is in flash, whatever drives NRST, resets the
 * debug logic (a power-on reset: C_DEBUGEN cleared, the SW-DP back in JTAG
 * mode, so a probe must connect again) and keeps the flash content. The
 * image: vector table (SP 0x20001000, reset 0x08000009) and "b ." there. */
static int t_power_cycle(void)
{
	struct sim_config cfg = { .faults = SIM_FAULT_NRST_PUSH_PULL };
	static const uint32_t image[4] = { 0x20001000u, 0x08000009u, 0, 0xE7FEE7FEu };
	sim_chip *c = tu_chip(&cfg);
	struct sim_chip_stats a, b;
	uint32_t v = 0, dpidr = 0;

	CHECK(c);
	CHECK_OK(sim_chip_backdoor_load_flash(c, 0x08000000u, image, sizeof(image)));
	sim_chip_get_stats(c, &a);
	sim_board_power_cycle(c);
	sim_chip_advance(c, MS);
	sim_chip_get_stats(c, &b);
	CHECK_EQ(b.resets, a.resets + 1);
	CHECK(b.instructions > a.instructions); /* it runs the image, no lockup */
	/* before the JTAG-to-SWD switch the DP does not answer in SWD */
	CHECK(tu_dp_read(c, 0x0, &dpidr) != SIM_ACK_OK);
	CHECK_OK(tu_connect(c));
	CHECK_EQ(tu_mem_read32(c, DHCSR, &v), SIM_ACK_OK);
	CHECK_EQ(v & 1u, 0);         /* C_DEBUGEN cleared by power-on */
	CHECK_EQ(v & (1u << 19), 0); /* not locked up */
	CHECK_EQ(tu_mem_read32(c, 0x08000004u, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x08000009u); /* flash kept */
	sim_chip_free(c);
	return 0;
}

static const struct test_case tests[] = {
	{ "parse_faults", "issue 2 --sim-fault knob syntax", t_parse_faults },
	{ "supply", "issue 2 board: target voltage (unpowered = 0 V)", t_supply },
	{ "nrst_reset", "RM0090 6.1.2 system reset by NRST; ARMv7-M C1.6.2 DHCSR kept", t_nrst_reset },
	{ "nrst_push_pull", "issue 2 knob nrst-push-pull", t_nrst_push_pull },
	{ "swd_disabled_by_firmware", "RM0090 8.3.2 SWJ pins as GPIO (knob)", t_swd_disabled_by_firmware },
	{ "connect_under_reset", "ARMv7-M C1.6.5 VC_CORERESET; RM0090 38.3", t_connect_under_reset },
	{ "power_cycle", "RM0090 6.1.2 power reset; ADIv5.2 B4.3 (SWJ-DP starts in JTAG)", t_power_cycle },
};

TEST_MAIN("test_sim_board", tests)
