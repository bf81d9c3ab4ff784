/*
 * The STM32F4 built-in flash algorithm under a running independent
 * watchdog, against the simulated STM32F407 through the real probe,
 * target and flash layers.
 *
 * The IWDG (RM0090 21) runs either from reset (option bit WDG_SW = 0,
 * the hardware watchdog of 21.3.1: lab knob hw-watchdog) or because the
 * firmware started it (0xCCCC; the lab's sim_board_watchdog_start). swdd
 * freezes it with DBG_IWDG_STOP, which holds it only while the core is
 * halted (RM0090 38.16.4): while an algorithm runs it counts. A 128 KiB
 * sector erase (1 s typical at x32, DS8626) and the 128 KiB program after
 * it (8192 words x 16 us) each outlast its 512 ms time-out, so the
 * algorithm must refresh it (flashalgo/stm32f4.c); the same source built
 * without the refresh (stm32f4_no_iwdg.flm) is reset mid-call, and swdd
 * names the reset.
 *
 * Each row prints the modelled times it measured.
 */
#include "flash_lab_util.h"

#include <stdio.h>

#define SECTOR5 0x08020000u
#define SECTOR5_SIZE 0x20000u
#define NO_IWDG_FLM "build/flashalgo/stm32f4_no_iwdg.flm"
#define MS 1000000ull

struct iwdg_row {
	const char *name;
	const char *faults; /* hw-watchdog, or NULL */
	unsigned fw_wdg_ms; /* the firmware starts the IWDG with this time-out (0: no) */
	const char *algo;   /* NULL: the built-in algorithm */
	bool want_reset;    /* the watchdog resets the chip mid-call */
};

static const struct iwdg_row rows[] = {
	{ "hw_watchdog_128k", "hw-watchdog", 0, NULL, false },
	{ "fw_watchdog_100ms_128k", NULL, 100, NULL, false },
	{ "hw_watchdog_no_refresh_named", "hw-watchdog", 0, NO_IWDG_FLM, true },
	{ "fw_watchdog_no_refresh_named", NULL, 100, NO_IWDG_FLM, true },
};

/* Firmware that spins in its reset handler (SP 0x20020000, reset vector
 * 0x08000009: `b .`), and old data in sector 5 (so it must be erased). The
 * board powers on and runs 2 ms before the probe connects and halts it:
 * a hardware watchdog has been counting since power-on; a firmware
 * watchdog is started with the core halted (swdd's freeze holds it). */
static int open_board(struct lab *l, const struct iwdg_row *row, const uint8_t *old)
{
	static const uint8_t fw[] = {
		0x00, 0x00, 0x02, 0x20, 0x09, 0x00, 0x00, 0x08, 0xFE, 0xE7, 0xFE, 0xE7
	};
	struct sim_config cfg = { 0 };
	struct sim_probe_config pc = { .kind = SIM_PROBE_STLINK_V2 };
	struct swdd_connect_opts co = { .mode = SWDD_CONNECT_NORMAL, .speed_khz = 4000 };
	char err[256];

	memset(l, 0, sizeof(*l));
	if (row->faults && sim_config_parse_faults(&cfg, row->faults, err, sizeof(err)))
		return test_fail_at(__FILE__, __LINE__, "fault spec: %s", err);
	if (sim_chip_new(&cfg, &l->chip, err, sizeof(err)))
		return test_fail_at(__FILE__, __LINE__, "sim_chip_new: %s", err);
	sim_chip_backdoor_load_flash(l->chip, 0x08000000u, fw, sizeof(fw));
	sim_chip_backdoor_load_flash(l->chip, SECTOR5, old, SECTOR5_SIZE);
	sim_board_power_cycle(l->chip);
	sim_chip_advance(l->chip, 2 * MS);
	if (sim_probe_new(&pc, l->chip, &l->sp) || swdd_probe_open_sim(l->sp, &l->probe) ||
	    swdd_target_connect(l->probe, &co, &l->t) || swdd_flash_open(l->t, row->algo, &l->f)) {
		test_fail_at(__FILE__, __LINE__, "lab set-up: %s", swdd_err_detail());
		lab_close(l);
		return 1;
	}
	/* the firmware had started its watchdog when swdd halted it */
	if (row->fw_wdg_ms && sim_board_watchdog_start(l->chip, row->fw_wdg_ms)) {
		lab_close(l);
		return test_fail_at(__FILE__, __LINE__, "the lab did not start the watchdog");
	}
	return 0;
}

static uint64_t resets(struct lab *l)
{
	struct sim_chip_stats st;

	sim_chip_get_stats(l->chip, &st);
	return st.resets;
}

/* The refreshing algorithm: the erase of sector 5 alone, then the 128 KiB
 * image, both without a reset; then the core runs unhalted and the
 * watchdog, still running, resets the chip (the row tested something). */
static int refreshed(struct lab *l, const struct iwdg_row *row, const uint8_t *data)
{
	struct swdd_segment seg = { SECTOR5, SECTOR5_SIZE, (uint8_t *)data };
	struct swdd_image img = { &seg, 1 };
	struct swdd_flash_result r;
	uint64_t n = resets(l), t0 = sim_chip_now_ns(l->chip), t1, t2;

	CHECK_SWDD(swdd_flash_erase_sectors(l->f, 5, 5));
	t1 = sim_chip_now_ns(l->chip);
	CHECK_SWDD(swdd_flash_write_image(l->f, &img, NULL, &r));
	t2 = sim_chip_now_ns(l->chip);
	CHECK_EQ(resets(l), n);
	CHECK(flash_equals(l, SECTOR5, data, SECTOR5_SIZE));
	CHECK_EQ(r.bytes_programmed, SECTOR5_SIZE);
	CHECK(t1 - t0 > 512 * MS); /* longer than the watchdog's time-out */
	printf("  %s: 128 KiB erase %.3f s, 128 KiB program+verify %.3f s modelled, no reset\n", row->name,
	       (double)(t1 - t0) / 1e9, (double)(t2 - t1) / 1e9);
	CHECK_SWDD(swdd_target_resume(l->t));
	sim_chip_advance(l->chip, 600 * MS);
	CHECK(resets(l) > n);
	return 0;
}

/* The algorithm without the refresh: reset under the erase or the
 * program, named as a watchdog reset, not a time-out. */
static int reset_named(struct lab *l, const struct iwdg_row *row, const uint8_t *data)
{
	struct swdd_segment seg = { SECTOR5, SECTOR5_SIZE, (uint8_t *)data };
	struct swdd_image img = { &seg, 1 };
	struct swdd_flash_result r;
	uint64_t n = resets(l), t0 = sim_chip_now_ns(l->chip);
	const char *where;

	CHECK_EQ(swdd_flash_write_image(l->f, &img, NULL, &r), SWDD_EALGO);
	CHECK(resets(l) > n); /* the watchdog's, then swdd's reset-and-halt */
	CHECK(strstr(swdd_err_detail(), "the chip was reset while the flash algorithm ran") != NULL);
	CHECK(strstr(swdd_err_detail(), "IWDGRSTF: the independent watchdog expired") != NULL);
	CHECK(strstr(swdd_err_detail(), "did not finish within") == NULL);
	where = strstr(swdd_err_detail(), "; while");
	printf("  %s: reset noticed %.3f s (modelled) into the write%.200s\n", row->name,
	       (double)(sim_chip_now_ns(l->chip) - t0) / 1e9, where ? where : "");
	return 0;
}

static int run_row(const struct iwdg_row *row)
{
	uint8_t *old = pattern(SECTOR5_SIZE, 7), *data = pattern(SECTOR5_SIZE, 8);
	struct lab l;
	FILE *fp = row->algo ? fopen(row->algo, "rb") : NULL;
	int rc = 1;

	if (row->algo && !fp)
		rc = test_skip_reason(NO_IWDG_FLM " not built (make all)");
	else if (!open_board(&l, row, old)) {
		rc = row->want_reset ? reset_named(&l, row, data) : refreshed(&l, row, data);
		lab_close(&l);
	}
	if (fp)
		fclose(fp);
	free(old);
	free(data);
	return rc;
}

/* The mass erase (8 s typical at x32, DS8626) is one wait of the same
 * algorithm: refreshed, no reset, the whole array erased. */
static int t_hw_mass_erase(void)
{
	uint8_t *old = pattern(SECTOR5_SIZE, 7), *blank = malloc(SECTOR5_SIZE);
	struct lab l;
	uint64_t n, t0;
	int rc = 1;

	memset(blank, 0xFF, SECTOR5_SIZE);
	if (!open_board(&l, &rows[0], old)) {
		n = resets(&l);
		t0 = sim_chip_now_ns(l.chip);
		rc = swdd_flash_mass_erase(l.f);
		if (rc)
			test_fail_at(__FILE__, __LINE__, "mass erase: %s", swdd_err_detail());
		else if (resets(&l) != n || !flash_equals(&l, SECTOR5, blank, SECTOR5_SIZE))
			rc = test_fail_at(__FILE__, __LINE__, "a reset, or sector 5 not erased");
		else
			printf("  hw_watchdog_mass_erase: %.3f s modelled, no reset\n",
			       (double)(sim_chip_now_ns(l.chip) - t0) / 1e9);
		lab_close(&l);
	}
	free(old);
	free(blank);
	return rc ? 1 : 0;
}

static int t_hw_128k(void)
{
	return run_row(&rows[0]);
}

static int t_fw_128k(void)
{
	return run_row(&rows[1]);
}

static int t_hw_no_refresh(void)
{
	return run_row(&rows[2]);
}

static int t_fw_no_refresh(void)
{
	return run_row(&rows[3]);
}

static const struct test_case tests[] = {
	{ "hw_watchdog_128k",
	  "RM0090 21.3.1 WDG_SW = 0: the built-in algorithm erases and programs a 128 KiB sector, verified",
	  t_hw_128k },
	{ "hw_watchdog_mass_erase", "RM0090 21.3.1 WDG_SW = 0: the 8 s mass erase, no reset",
	  t_hw_mass_erase },
	{ "fw_watchdog_100ms_128k", "RM0090 21.3 firmware-started IWDG of 100 ms: the same, no reset",
	  t_fw_128k },
	{ "hw_watchdog_no_refresh_named",
	  "an algorithm without the refresh is reset mid-call; swdd names IWDGRSTF (RM0090 7.3.21)",
	  t_hw_no_refresh },
	{ "fw_watchdog_no_refresh_named", "the same with the firmware's 100 ms watchdog", t_fw_no_refresh },
};

TEST_MAIN("test_f4_iwdg", tests)
