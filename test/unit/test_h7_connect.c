/*
 * Connecting to the STM32H7 (issue 13 items 2, 3, 7) against the lab's
 * H743/H725 through the real probe, target and flash layers, on every
 * emulated probe kind where the probe matters:
 * - word accesses on AP2, the debug APB (RM0433 60.2), through the probe
 *   abstraction, also while NRST is held (AP0 faults then);
 * - DBGMCU_CR 0x0070003F, IWDG1 (APB4FZ1 bit 18) and WWDG1 (APB3FZ1 bit 6)
 *   frozen at connect, restored at detach (RM0433 60.5.8);
 * - connect under reset halts at the reset vector with DBGMCU set up;
 * - the clock ladder starts at the requested clock (8 MHz on STLINK-V3);
 * - the diagnosis: supply lock, low power without the debug bits, SWD
 *   disabled by the firmware;
 * - flashing refused on a running core and on a pending flash operation,
 *   and one request is exactly one download (the lab's counters).
 */
#include "flash_lab_util.h"
#include "lab_kinds.h"
#include "swdd_log.h"

#include <stdio.h>
#include <string.h>

#define DBGMCU_AP0 0x5C001000U /* RM0433 60.5.8, system bus view */
#define DBGMCU_AP2 0xE00E1000U /* RM0433 60.2, debug APB view */
#define DBGMCU_CR_OFF 0x04U
#define APB3FZ1_OFF 0x34U
#define APB4FZ1_OFF 0x54U
#define H743_IDC 0x20036450U
#define H725_IDC 0x10016483U
#define DHCSR 0xE000EDF0U
#define RESET_PC 0x08000008U
#define FLASH_KEYR1 0x52002004U /* RM0433 4.9.2 */
#define FLASH_CR1 0x5200200CU   /* RM0433 4.9.4 */
#define FLASH_CR_PG (1U << 1)

static const enum sim_probe_kind kinds[] = { SIM_PROBE_STLINK_V2, SIM_PROBE_STLINK_V21, SIM_PROBE_STLINK_V3,
					     SIM_PROBE_CMSIS_DAP_V1, SIM_PROBE_CMSIS_DAP_V2 };
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static char logbuf[32768];

static void log_sink(void *ctx, enum swdd_log_level lvl, const char *line)
{
	size_t n = strlen(logbuf);

	(void)ctx, (void)lvl;
	snprintf(logbuf + n, sizeof(logbuf) - n, "%s\n", line);
}

/* An H7 whose flash holds a vector table and a branch-to-self, powered
 * and running for run_ms (virtual) before the probe opens. */
static int lab_new(struct lab *l, const char *chip, const char *faults, enum sim_probe_kind kind,
		   unsigned run_ms)
{
	const uint32_t fw[3] = { 0x20010000U, RESET_PC | 1U, 0xE7FEE7FEU };
	struct sim_config cfg = { .chip = chip };
	struct sim_probe_config pc = { .kind = kind };
	char err[256];

	memset(l, 0, sizeof(*l));
	logbuf[0] = '\0';
	swdd_log_set_sink(log_sink, NULL);
	if (faults && sim_config_parse_faults(&cfg, faults, err, sizeof(err)))
		return test_fail_at(__FILE__, __LINE__, "fault spec: %s", err);
	if (sim_chip_new(&cfg, &l->chip, err, sizeof(err)))
		return test_fail_at(__FILE__, __LINE__, "sim_chip_new: %s", err);
	if (sim_chip_backdoor_load_flash(l->chip, 0x08000000U, fw, sizeof(fw)))
		return test_fail_at(__FILE__, __LINE__, "loading flash failed");
	sim_board_power_cycle(l->chip);
	sim_chip_advance(l->chip, (uint64_t)run_ms * 1000000U);
	if (sim_probe_new(&pc, l->chip, &l->sp) || swdd_probe_open_sim(l->sp, &l->probe))
		return test_fail_at(__FILE__, __LINE__, "probe: %s", swdd_err_detail());
	return 0;
}

static int connect(struct lab *l, enum swdd_connect_mode mode, unsigned khz)
{
	struct swdd_connect_opts co = { .mode = mode, .ladder = true, .speed_khz = khz };

	return swdd_target_connect(l->probe, &co, &l->t);
}

/* ---- AP-addressed access ------------------------------------------------- */

static int do_ap_word(struct lab *l, enum sim_probe_kind kind)
{
	uint32_t dpidr, v = 0, v0 = 0;

	CHECK_OK(lab_new(l, "stm32h743", NULL, kind, 0));
	CHECK_OK(swdd_probe_attach(l->probe, &dpidr));
	CHECK_SWDD(swdd_probe_ap_read32(l->probe, 2, DBGMCU_AP2, &v));
	CHECK_EQ(v, H743_IDC);
	/* AP2 and the AP0 alias are the same registers */
	CHECK_SWDD(swdd_probe_ap_write32(l->probe, 2, DBGMCU_AP2 + DBGMCU_CR_OFF, 0x00000007U));
	CHECK_SWDD(swdd_probe_read32(l->probe, DBGMCU_AP0 + DBGMCU_CR_OFF, &v0));
	CHECK_EQ(v0, 0x00000007U);
	/* AP0 through the same call, and AP0's cached CSW/TAR still right */
	CHECK_SWDD(swdd_probe_ap_read32(l->probe, 0, DBGMCU_AP0, &v));
	CHECK_EQ(v, H743_IDC);
	CHECK_SWDD(swdd_probe_read32(l->probe, DBGMCU_AP0 + DBGMCU_CR_OFF, &v0));
	CHECK_EQ(v0, 0x00000007U);
	/* under NRST: AP2 answers, AP0 faults outside the PPB (LAB-h7.md) */
	CHECK_OK(swdd_probe_nrst(l->probe, true));
	CHECK_SWDD(swdd_probe_ap_read32(l->probe, 2, DBGMCU_AP2, &v));
	CHECK_EQ(v, H743_IDC);
	CHECK_EQ(swdd_probe_read32(l->probe, DBGMCU_AP0, &v), SWDD_EFAULT);
	CHECK_OK(swdd_probe_nrst(l->probe, false));
	/* bad input: a clear error, nothing sent */
	CHECK_EQ(swdd_probe_ap_read32(l->probe, 256, DBGMCU_AP2, &v), SWDD_EINVAL);
	CHECK_EQ(swdd_probe_ap_read32(l->probe, 2, DBGMCU_AP2 + 2, &v), SWDD_EINVAL);
	CHECK_STR_CONTAINS(swdd_err_detail(), "unaligned");
	return 0;
}

static int test_ap_word(void)
{
	FOR_KINDS(do_ap_word);
}

/* ST-LINK/V2 firmware: from J32 the memory commands take an AP byte; J24
 * to J31 reach AP2 through raw AP registers (CSW, TAR, DRW); before J24
 * no AP can be selected, and DBGMCU is set up through its AP0 alias, with
 * the log saying why. */
static int ap_by_firmware(unsigned jtag, bool ap2)
{
	struct sim_probe_config pc = { .kind = SIM_PROBE_STLINK_V2, .fw_jtag = jtag };
	struct lab l;
	uint32_t v = 0;

	CHECK_OK(lab_new(&l, "stm32h743", NULL, SIM_PROBE_STLINK_V2, 0));
	swdd_probe_close(l.probe);
	sim_probe_free(l.sp);
	l.probe = NULL;
	CHECK(sim_probe_new(&pc, l.chip, &l.sp) == 0);
	CHECK_SWDD(swdd_probe_open_sim(l.sp, &l.probe));
	CHECK_SWDD(connect(&l, SWDD_CONNECT_NORMAL, 4000));
	CHECK_EQ(strstr(logbuf, "DBGMCU is used through AP0") == NULL, ap2);
	CHECK_EQ(swdd_probe_ap_read32(l.probe, 2, DBGMCU_AP2, &v) == 0, ap2);
	CHECK_SWDD(swdd_probe_read32(l.probe, DBGMCU_AP0 + DBGMCU_CR_OFF, &v));
	CHECK_EQ(v, 0x0070003FU);
	CHECK_SWDD(swdd_target_detach(l.t));
	CHECK_SWDD(swdd_probe_read32(l.probe, DBGMCU_AP0 + DBGMCU_CR_OFF, &v));
	CHECK_EQ(v, 0U);
	lab_close(&l);
	return 0;
}

static int test_ap_by_firmware(void)
{
	CHECK_OK(ap_by_firmware(37, true));
	CHECK_OK(ap_by_firmware(28, true));
	CHECK_OK(ap_by_firmware(22, false));
	return 0;
}

/* ---- debug set-up, under reset, detach ------------------------------------ */

static int dbgmcu_regs(struct lab *l, uint32_t *cr, uint32_t *fz3, uint32_t *fz4)
{
	CHECK_SWDD(swdd_probe_read32(l->probe, DBGMCU_AP0 + DBGMCU_CR_OFF, cr));
	CHECK_SWDD(swdd_probe_read32(l->probe, DBGMCU_AP0 + APB3FZ1_OFF, fz3));
	CHECK_SWDD(swdd_probe_read32(l->probe, DBGMCU_AP0 + APB4FZ1_OFF, fz4));
	return 0;
}

static int do_under_reset(struct lab *l, enum sim_probe_kind kind)
{
	uint32_t cr, fz3, fz4, pc = 0;

	CHECK_OK(lab_new(l, "stm32h725", NULL, kind, 5));
	/* what the firmware left: kept by swdd's set-up, given back at detach */
	CHECK_SWDD(swdd_probe_attach(l->probe, &cr));
	CHECK_SWDD(swdd_probe_write32(l->probe, DBGMCU_AP0 + DBGMCU_CR_OFF, 0x00000001U));
	CHECK_SWDD(connect(l, SWDD_CONNECT_UNDER_RESET, 4000));
	CHECK_EQ(swdd_target_chip(l->t)->dbgmcu_idcode, H725_IDC);
	CHECK(swdd_target_is_halted(l->t));
	CHECK_SWDD(swdd_probe_read_core_reg(l->probe, 15, &pc));
	CHECK_EQ(pc, RESET_PC);
	CHECK_EQ(swdd_target_last_stop(l->t)->reason, SWDD_STOP_VCATCH);
	CHECK_OK(dbgmcu_regs(l, &cr, &fz3, &fz4));
	CHECK_EQ(cr, 0x0070003FU);
	CHECK_EQ(fz3, 1U << 6);  /* WWDG1 */
	CHECK_EQ(fz4, 1U << 18); /* IWDG1 */
	CHECK_SWDD(swdd_target_detach(l->t));
	CHECK_OK(dbgmcu_regs(l, &cr, &fz3, &fz4));
	CHECK_EQ(cr, 0x00000001U);
	CHECK_EQ(fz3, 0U);
	CHECK_EQ(fz4, 0U);
	return 0;
}

static int test_under_reset(void)
{
	FOR_KINDS(do_under_reset);
}

/* The iwdg knob's firmware starts IWDG1 (512 ms); connected and halted,
 * the chip is not reset by it however long the user looks: the freeze is
 * set at connect, not only while a flash algorithm runs. */
static int test_watchdog_frozen(void)
{
	struct sim_chip_stats st0, st1;
	struct lab l;

	CHECK_OK(lab_new(&l, "stm32h743", "iwdg", SIM_PROBE_CMSIS_DAP_V2, 5));
	CHECK_SWDD(connect(&l, SWDD_CONNECT_NORMAL, 4000));
	sim_chip_get_stats(l.chip, &st0);
	sim_chip_advance(l.chip, 2000000000ULL); /* 2 s, four IWDG periods */
	sim_chip_get_stats(l.chip, &st1);
	CHECK_EQ(st1.resets, st0.resets);
	CHECK(swdd_target_is_halted(l.t));
	/* the control: without the freeze, the same wait resets the chip */
	CHECK_SWDD(swdd_probe_write32(l.probe, DBGMCU_AP0 + APB4FZ1_OFF, 0));
	sim_chip_advance(l.chip, 2000000000ULL);
	sim_chip_get_stats(l.chip, &st0);
	CHECK(st0.resets > st1.resets);
	lab_close(&l);
	return 0;
}

/* ---- the clock ladder ---------------------------------------------------- */

/* The H743 report: the connect that worked was at 8 MHz. swdd starts at
 * the requested clock (not 4 MHz), and walks the probe's own steps down. */
static int test_ladder_from_request(void)
{
	struct lab l;

	CHECK_OK(lab_new(&l, "stm32h743", NULL, SIM_PROBE_STLINK_V3, 0));
	CHECK_SWDD(connect(&l, SWDD_CONNECT_NORMAL, 8000));
	CHECK_STR_CONTAINS(logbuf, "connecting at 8000 kHz (normal)");
	CHECK(strstr(logbuf, "retrying") == NULL);
	lab_close(&l);
	CHECK_OK(lab_new(&l, "stm32h743", "signal-integrity:1000", SIM_PROBE_STLINK_V3, 0));
	CHECK_SWDD(connect(&l, SWDD_CONNECT_NORMAL, 8000));
	CHECK_STR_CONTAINS(logbuf, "at 8000 kHz failed");
	CHECK_STR_CONTAINS(logbuf, "retrying at 3300 kHz");
	CHECK_STR_CONTAINS(logbuf, "retrying at 1000 kHz");
	CHECK_STR_CONTAINS(logbuf, "connected at 1000 kHz after failing at 8000 kHz");
	lab_close(&l);
	return 0;
}

/* ---- diagnosis ------------------------------------------------------------ */

/* DP and AP2 answer, AP0 never (not under reset either): named as the
 * supply lock with the BOOT0 recovery, not as wiring. */
static int do_supply_lock(struct lab *l, enum sim_probe_kind kind)
{
	CHECK_OK(lab_new(l, "stm32h743", "supply-lock", kind, 5));
	CHECK_EQ(connect(l, SWDD_CONNECT_NORMAL, 4000), SWDD_EFAULT);
	CHECK_STR_CONTAINS(swdd_err_detail(), "STM32H742/743/750/753 (DBGMCU_IDCODE 0x20036450 through AP2)");
	CHECK_STR_CONTAINS(swdd_err_detail(), "even with NRST held");
	CHECK_STR_CONTAINS(swdd_err_detail(), "PWR_CR3");
	CHECK_STR_CONTAINS(swdd_err_detail(), "BOOT0 high and power-cycle");
	CHECK(strstr(swdd_err_detail(), "SWDIO") == NULL); /* not blamed on the SWD wiring */
	CHECK_STR_CONTAINS(logbuf, "trying under reset");
	CHECK(l->t == NULL);
	return 0;
}

static int test_supply_lock(void)
{
	FOR_KINDS(do_supply_lock);
}

/* D1 Stop without DBGSTOP_D1: AP0 faults in a normal connect; under reset
 * swdd sets DBGMCU_CR before the firmware runs, and says why it needed to. */
static int do_low_power(struct lab *l, enum sim_probe_kind kind)
{
	uint32_t cr, fz3, fz4;

	CHECK_OK(lab_new(l, "stm32h743", "low-power-no-debug", kind, 5));
	CHECK_SWDD(connect(l, SWDD_CONNECT_NORMAL, 4000));
	CHECK_EQ(swdd_target_connected_mode(l->t), SWDD_CONNECT_UNDER_RESET);
	CHECK_STR_CONTAINS(logbuf, "connected only under reset: the debug port answered");
	CHECK_STR_CONTAINS(logbuf, "low-power mode");
	CHECK_STR_CONTAINS(logbuf, "swdd set DBGMCU_CR to 0x0070003f under reset");
	CHECK(strstr(logbuf, "retrying at") == NULL); /* a FAULT is not the clock */
	CHECK_OK(dbgmcu_regs(l, &cr, &fz3, &fz4));
	CHECK_EQ(cr, 0x0070003FU);
	/* the firmware runs on with the debug bits set: AP0 stays usable */
	CHECK_SWDD(swdd_target_resume(l->t));
	sim_chip_advance(l->chip, 5000000U);
	CHECK_SWDD(swdd_target_halt(l->t));
	return 0;
}

static int test_low_power(void)
{
	FOR_KINDS(do_low_power);
}

/* The H743 report's "No STM32 target found": the firmware turns SWD off;
 * the ladder finds no clock that works, under reset does. */
static int do_swd_disabled(struct lab *l, enum sim_probe_kind kind)
{
	CHECK_OK(lab_new(l, "stm32h743", "swd-disabled-by-firmware", kind, 5));
	CHECK_SWDD(connect(l, SWDD_CONNECT_NORMAL, 8000));
	CHECK_STR_CONTAINS(logbuf, "retrying at");
	CHECK_STR_CONTAINS(logbuf, "connected only under reset: no ACK until NRST was held");
	CHECK_STR_CONTAINS(logbuf, "--connect under-reset");
	CHECK(swdd_target_is_halted(l->t));
	CHECK_EQ(swdd_target_chip(l->t)->dev_id, 0x450);
	return 0;
}

static int test_swd_disabled(void)
{
	FOR_KINDS(do_swd_disabled);
}

/* ---- hot-plug safety and one download per request ------------------------- */

static int counters(struct lab *l, uint64_t *erases, uint64_t *programs)
{
	struct sim_chip_stats st;

	sim_chip_get_stats(l->chip, &st);
	*erases = st.sector_erases + st.mass_erases;
	*programs = st.program_ops;
	return 0;
}

/* The H725 report: hot plug with the firmware running. swdd refuses (the
 * DEV_TARGET_NOT_HALTED case, explained) and touches nothing; halted, one
 * request programs each flash word once. (Blank sectors: an H7 sector
 * erase is 1-2 s of modelled time, which a loaded host stretches past the
 * engine's wall-clock bound; test/e2e/h7_connect.py counts the erase.) */
static int do_hot_plug(struct lab *l, enum sim_probe_kind kind)
{
	uint8_t *data = pattern(4096, 7);
	struct swdd_segment seg = { .addr = 0x08020000U, .len = 4096, .data = data };
	struct swdd_image img = { .seg = &seg, .n = 1 };
	struct swdd_flash_result res;
	uint64_t e0, p0, e1, p1;
	int rc;

	CHECK_OK(lab_new(l, "stm32h725", NULL, kind, 5));
	CHECK_SWDD(connect(l, SWDD_CONNECT_ATTACH, 4000));
	CHECK(!swdd_target_is_halted(l->t));
	CHECK(strstr(logbuf, "under-reset") == NULL); /* attach never resets */
	CHECK_SWDD(swdd_flash_open(l->t, NULL, &l->f));
	counters(l, &e0, &p0);
	rc = swdd_flash_write_image(l->f, &img, NULL, &res);
	counters(l, &e1, &p1);
	if (rc != SWDD_ENOTHALTED) {
		free(data);
		return test_fail_at(__FILE__, __LINE__, "flash on a running core: %s", swdd_strerror(rc));
	}
	CHECK_STR_CONTAINS(swdd_err_detail(), "the core is running");
	CHECK_STR_CONTAINS(swdd_err_detail(), "halt it first");
	CHECK_EQ(e1 - e0 + p1 - p0, 0U);
	CHECK(!swdd_target_is_halted(l->t)); /* and the firmware was not stopped */
	CHECK_SWDD(swdd_target_halt(l->t));
	rc = swdd_flash_write_image(l->f, &img, NULL, &res);
	free(data);
	CHECK_SWDD(rc);
	counters(l, &e1, &p1);
	CHECK_EQ(e1 - e0, 0U);          /* sector 1 was blank */
	CHECK_EQ(p1 - p0, 4096U / 32U); /* each 256-bit flash word once */
	return 0;
}

static int test_hot_plug(void)
{
	FOR_KINDS(do_hot_plug);
}

/* GDB's load: vFlashErase/vFlashWrite/vFlashDone make one download. */
static int test_gdb_load_once(void)
{
	uint8_t *data = pattern(8192, 3);
	struct swdd_flash_result res;
	struct lab l;
	uint64_t e0, p0, e1, p1;

	CHECK_OK(lab_new(&l, "stm32h743", NULL, SIM_PROBE_STLINK_V3, 5));
	CHECK_SWDD(connect(&l, SWDD_CONNECT_NORMAL, 4000));
	CHECK_SWDD(swdd_flash_open(l.t, NULL, &l.f));
	counters(&l, &e0, &p0);
	CHECK_SWDD(swdd_flash_gdb_erase(l.f, 0x08100000U, 128 * 1024));
	for (uint32_t off = 0; off < 8192; off += 1024)
		CHECK_SWDD(swdd_flash_gdb_write(l.f, 0x08100000U + off, data + off, 1024));
	CHECK_SWDD(swdd_flash_gdb_done(l.f, &res));
	counters(&l, &e1, &p1);
	CHECK_EQ(e1 - e0, 0U); /* blank: GDB's erase request needs no erase */
	CHECK_EQ(p1 - p0, 8192U / 32U);
	CHECK(flash_equals(&l, 0x08100000U, data, 8192));
	free(data);
	lab_close(&l);
	return 0;
}

/* Halted in the middle of a programming sequence (a partial flash word in
 * the write buffer, WBNE): refused with the pending bits named. */
static int test_pending_refused(void)
{
	uint8_t data[64] = { 1, 2, 3 };
	struct swdd_segment seg = { .addr = 0x08040000U, .len = sizeof(data), .data = data };
	struct swdd_image img = { .seg = &seg, .n = 1 };
	struct swdd_flash_result res;
	struct lab l;
	uint64_t e0, p0, e1, p1;

	CHECK_OK(lab_new(&l, "stm32h725", NULL, SIM_PROBE_CMSIS_DAP_V2, 5));
	CHECK_SWDD(connect(&l, SWDD_CONNECT_NORMAL, 4000));
	CHECK_SWDD(swdd_flash_open(l.t, NULL, &l.f));
	CHECK_SWDD(swdd_probe_write32(l.probe, FLASH_KEYR1, 0x45670123U)); /* RM0433 4.5.1 */
	CHECK_SWDD(swdd_probe_write32(l.probe, FLASH_KEYR1, 0xCDEF89ABU));
	CHECK_SWDD(swdd_probe_write32(l.probe, FLASH_CR1, FLASH_CR_PG));
	CHECK_SWDD(swdd_probe_write32(l.probe, 0x08060000U, 0x12345678U));
	counters(&l, &e0, &p0);
	CHECK_EQ(swdd_flash_write_image(l.f, &img, NULL, &res), SWDD_EFLASH);
	CHECK_STR_CONTAINS(swdd_err_detail(), "a flash operation is pending");
	CHECK_STR_CONTAINS(swdd_err_detail(), "WBNE");
	counters(&l, &e1, &p1);
	CHECK_EQ(e1 - e0 + p1 - p0, 0U);
	lab_close(&l);
	return 0;
}

static const struct test_case tests[] = {
	{ "ap_word", "ADIv5.2 C2.6 MEM-AP; RM0433 60.2 AP2 debug APB", test_ap_word },
	{ "ap_by_firmware", "RM0433 60.5.8 DBGMCU at 0x5C001000; docs/STLINK-PROTOCOL.md 5",
	  test_ap_by_firmware },
	{ "under_reset", "RM0433 60.5.8 DBGMCU_CR, APB3FZ1, APB4FZ1; ARMv7-M C1.6.3", test_under_reset },
	{ "watchdog_frozen", "RM0433 60.5.8 DBGMCU_APB4FZ1.DBG_IWDG1, 45.3", test_watchdog_frozen },
	{ "ladder_from_request", "DS12110 SWD clock; issue 13 H743 report", test_ladder_from_request },
	{ "supply_lock", "AN4938 2; RM0433 6.8.4 PWR_CR3", test_supply_lock },
	{ "low_power", "RM0433 60.5.8 DBGSTOP_D1", test_low_power },
	{ "swd_disabled", "issue 13 H743 report: No STM32 target found", test_swd_disabled },
	{ "hot_plug", "issue 13 H725 report: DEV_TARGET_NOT_HALTED", test_hot_plug },
	{ "gdb_load_once", "GDB manual vFlashDone; issue 13 H725 report", test_gdb_load_once },
	{ "pending_refused", "RM0433 4.9.5 FLASH_SR WBNE/QW/BSY", test_pending_refused },
};

TEST_MAIN("test_h7_connect", tests)
