/*
 * The batched calls of the flash engine (flash/flash_stream.c,
 * flashalgo/stm32f4.c ProgramStream and Crc32List) against the simulated
 * STM32F407: how many algorithm calls a multi-sector write takes, its
 * modelled time against the DS8626 bound, and the failures in the middle
 * of a streamed write (an SR error named with its address, a reset, a
 * ring that stops moving).
 */
#include "algo_run.h"
#include "flash.h"
#include "flash_internal.h"
#include "flash_lab_util.h"
#include "flm.h"
#include "flm_target.h"
#include "harness.h"
#include "swdd_le.h"
#include "swdd_log.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The lab with the flash engine, connected under reset; pre: what the
 * chip's flash holds before (NULL = erased). */
static int batch_lab_open(struct lab *l, const char *faults, enum sim_probe_kind kind, const uint8_t *pre,
			  size_t n)
{
	return flash_lab_open(l, NULL, faults, kind, SWDD_CONNECT_UNDER_RESET, pre, n);
}

/* DS8626 typical at x32: 16/64/128 KiB sector erase 250/550/1000 ms,
 * 16 us per word. 256 KiB from 0x08000000: 4 x 16 + 64 + 128 KiB. */
#define BOUND_256K_NS (4ull * 250000000u + 550000000u + 1000000000u + 65536ull * 16000u)

/* A board being reprogrammed: every one of the six sectors differs and is
 * erased. Before the streamed write: 26 calls (6 checksums, Init, 6
 * erases, 10 pages, 2 verify checksums, UnInit) and 1.096x the DS8626
 * bound through ST-LINK/V2; now the comparison and the stream. */
static int calls_and_time_256k(void)
{
	struct lab l;
	struct swdd_flash_result r;
	uint8_t *a = pattern(256u * 1024u, 11), *b = pattern(256u * 1024u, 12);
	struct swdd_segment seg = { 0x08000000u, 256u * 1024u, b };
	struct swdd_image img = { &seg, 1 };
	struct swdd_flash_opts o = { .reset_follows = true };
	struct sim_chip_stats s0, s1;
	uint64_t t0, t1;

	if (batch_lab_open(&l, NULL, SIM_PROBE_STLINK_V2, a, 256u * 1024u))
		return 1;
	sim_chip_get_stats(l.chip, &s0);
	t0 = sim_chip_now_ns(l.chip);
	CHECK_SWDD(swdd_flash_write_image(l.f, &img, &o, &r));
	t1 = sim_chip_now_ns(l.chip);
	sim_chip_get_stats(l.chip, &s1);
	CHECK(flash_equals(&l, 0x08000000u, b, 256u * 1024u));
	CHECK_EQ(r.sectors_erased, 6);
	CHECK_EQ(s1.sector_erases - s0.sector_erases, 6);
	CHECK_EQ(r.bytes_programmed, 256u * 1024u);
	CHECK_EQ(l.f->algo.calls, 2); /* Crc32List (compare), ProgramStream */
	printf("INFO calls_and_time_256k: 256 KiB over another firmware, ST-LINK/V2: %.3f s modelled, "
	       "%.3fx the DS8626 bound, %u calls\n",
	       (double)(t1 - t0) / 1e9, (double)(t1 - t0) / (double)BOUND_256K_NS, l.f->algo.calls);
	CHECK(t1 - t0 <= BOUND_256K_NS * 105 / 100);
	/* the unchanged reload: one checksum call, nothing erased */
	CHECK_SWDD(swdd_flash_write_image(l.f, &img, NULL, &r));
	CHECK_EQ(l.f->algo.calls, 1);
	CHECK_EQ(r.sectors_skipped, 6);
	sim_chip_get_stats(l.chip, &s0);
	CHECK_EQ(s0.sector_erases, s1.sector_erases);
	lab_close(&l);
	free(a);
	free(b);
	return 0;
}

/* Below 2.7 V an x32 program operation fails with PGPERR (RM0090 3.6
 * table 7); CMSIS-DAP cannot measure the supply, so 3.3 V is assumed and
 * the x32 algorithm runs. Sector 1 reads erased (no erase job) and the
 * image's data there starts at 0x08004800: the failure names that
 * address, its sector and PGPERR, and the word is left unprogrammed. */
static int program_error_named(void)
{
	struct lab l;
	struct swdd_flash_result r;
	uint8_t *data = pattern(0x4000, 21), got[4];
	struct swdd_segment seg = { 0x08004000u, 0x4000, data };
	struct swdd_image img = { &seg, 1 };

	memset(data, 0xFF, 0x800);
	if (batch_lab_open(&l, "vdd:2500", SIM_PROBE_CMSIS_DAP_V2, NULL, 0))
		return 1;
	CHECK_EQ(swdd_flash_write_image(l.f, &img, NULL, &r), SWDD_EFLASH);
	CHECK_STR_CONTAINS(swdd_err_detail(), "programming 0x08004800 (sector 1, 0x08004000) failed");
	CHECK_STR_CONTAINS(swdd_err_detail(), "PGPERR");
	CHECK_OK(sim_chip_backdoor_read(l.chip, 0x08004800u, got, 4));
	CHECK_EQ(swdd_le32(got), 0xFFFFFFFFu);
	CHECK(swdd_target_is_halted(l.t));
	lab_close(&l);
	free(data);
	return 0;
}

/* The same supply, a sector that holds data: its erase job fails first. */
static int erase_error_named(void)
{
	struct lab l;
	struct swdd_flash_result r;
	uint8_t *old = pattern(0xC000, 22), *data = pattern(0x4000, 23);
	struct swdd_segment seg = { 0x08008000u, 0x4000, data };
	struct swdd_image img = { &seg, 1 };

	if (batch_lab_open(&l, "vdd:2500", SIM_PROBE_CMSIS_DAP_V2, old, 0xC000))
		return 1;
	CHECK_EQ(swdd_flash_write_image(l.f, &img, NULL, &r), SWDD_EFLASH);
	CHECK_STR_CONTAINS(swdd_err_detail(), "erasing sector 2 at 0x08008000 failed");
	CHECK_STR_CONTAINS(swdd_err_detail(), "PGPERR");
	CHECK(flash_equals(&l, 0x08008000u, old + 0x8000, 0x4000));
	lab_close(&l);
	free(old);
	free(data);
	return 0;
}

/* ProgramStream called directly: one job of 64 bytes across the end of
 * sector 0 into write-protected sector 1. The words before 0x08004000 are
 * programmed, the first one in sector 1 fails with WRPERR (RM0090 3.7.4),
 * and fail_addr names it, not the job's start. */
struct direct {
	struct swdd_flm *flm;
	struct swdd_algo a;
};

static int direct_load(struct lab *l, struct direct *d)
{
	const struct swdd_chip_info *chip = swdd_target_chip(l->t);

	memset(d, 0, sizeof(*d));
	if (swdd_flm_builtin("stm32f4", &d->flm))
		return 1;
	return swdd_algo_load(l->t, d->flm, NULL, chip->sram_base, chip->sram_size, 0, 0, true, &d->a);
}

/* The control block of one program job at buf[0], its ring at buf[1]
 * holding `wp` bytes of data. */
static int direct_ctl(struct lab *l, struct direct *d, uint32_t addr, const uint8_t *data, uint32_t len,
		      uint32_t wp)
{
	uint8_t b[sizeof(struct flm_stream) + sizeof(struct flm_stream_job)] = { 0 };

	swdd_put_le32(b + offsetof(struct flm_stream, wp), wp);
	swdd_put_le32(b + offsetof(struct flm_stream, ring), d->a.buf[1]);
	swdd_put_le32(b + offsetof(struct flm_stream, ring_size), d->a.buf_size & ~7u);
	swdd_put_le32(b + offsetof(struct flm_stream, njobs), 1);
	swdd_put_le32(b + offsetof(struct flm_stream, flags), FLM_STREAM_INIT | FLM_STREAM_UNINIT);
	swdd_put_le32(b + offsetof(struct flm_stream, crc_list), d->a.buf[0]);
	swdd_put_le32(b + sizeof(struct flm_stream), addr);
	swdd_put_le32(b + sizeof(struct flm_stream) + 4, len);
	if (swdd_target_mem_write(l->t, d->a.buf[1], data, len))
		return 1;
	return swdd_target_mem_write(l->t, d->a.buf[0], b, sizeof(b));
}

static int fail_addr_mid_job(void)
{
	struct lab l;
	struct direct d;
	uint8_t *data = pattern(64, 31), st[12];
	uint32_t res = 0;

	if (batch_lab_open(&l, "wrp:1", SIM_PROBE_STLINK_V3, NULL, 0))
		return 1;
	CHECK_SWDD(direct_load(&l, &d));
	CHECK_SWDD(direct_ctl(&l, &d, 0x08003FE0u, data, 64, 64));
	CHECK_SWDD(swdd_algo_call(&d.a, SWDD_FLM_STREAM, d.a.buf[0], 0, 0, 0, 2000, &res));
	CHECK(res & (1u << 4)); /* WRPERR */
	CHECK_SWDD(swdd_target_mem_read(l.t, d.a.buf[0] + offsetof(struct flm_stream, rp), st, 12));
	CHECK_EQ(swdd_le32(st + 8), 0x08004000u); /* fail_addr */
	CHECK_EQ(swdd_le32(st + 4), 1);           /* step: job 0 still running */
	CHECK(flash_equals(&l, 0x08003FE0u, data, 32));
	CHECK_SWDD(swdd_algo_call(&d.a, SWDD_FLM_UNINIT, 0, 0, 0, 0, 500, &res));
	CHECK_SWDD(swdd_algo_unload(&d.a));
	swdd_flm_free(d.flm);
	lab_close(&l);
	free(data);
	return 0;
}

/* A ring the host stops filling: the call waits for data without a bound
 * of its own, the host's time-out ends it, names it and leaves the core
 * halted and usable. */
static int ring_stall_bounded(void)
{
	struct lab l;
	struct direct d;
	uint8_t *data = pattern(64, 32);
	uint32_t res = 0, pc = 0;

	if (batch_lab_open(&l, NULL, SIM_PROBE_STLINK_V2, NULL, 0))
		return 1;
	CHECK_SWDD(direct_load(&l, &d));
	CHECK_SWDD(direct_ctl(&l, &d, 0x08000000u, data, 64, 32)); /* half the job's data */
	CHECK_EQ(swdd_algo_call(&d.a, SWDD_FLM_STREAM, d.a.buf[0], 0, 0, 0, 300, &res), SWDD_ETIMEOUT);
	CHECK_STR_CONTAINS(swdd_err_detail(), "did not finish within 300 ms");
	CHECK(swdd_target_is_halted(l.t));
	CHECK(!d.a.started);
	CHECK(flash_equals(&l, 0x08000000u, data, 32)); /* what it had was programmed */
	CHECK_SWDD(swdd_algo_call(&d.a, SWDD_FLM_UNINIT, 0, 0, 0, 0, 500, &res));
	CHECK_SWDD(swdd_algo_unload(&d.a));
	CHECK_SWDD(swdd_target_reg_read(l.t, 15, (uint8_t *)&pc));
	swdd_flm_free(d.flm);
	lab_close(&l);
	free(data);
	return 0;
}

/* The firmware's watchdog (started from the log line that follows the
 * stream's start) resets the chip about 300 ms into the call, while
 * sector 0 is being programmed: the call fails at once, naming the reset
 * and its cause, and says what sector 0 holds. The built-in algorithm
 * reloads the IWDG in every wait (FLASH.md "The independent watchdog"), so
 * the test runs its variant that does not, as a vendor loader would. */
#define NO_IWDG_FLM "build/flashalgo/stm32f4_no_iwdg.flm"

static sim_chip *wdg_chip;

static void wdg_sink(void *ctx, enum swdd_log_level lvl, const char *line)
{
	(void)ctx;
	(void)lvl;
	if (wdg_chip && strstr(line, "flash: stream of")) {
		sim_board_watchdog_start(wdg_chip, 300);
		wdg_chip = NULL;
	}
}

static int reset_mid_sector(void)
{
	struct lab l;
	struct swdd_flash_result r;
	uint8_t *old = pattern(0x8000, 41), *data = pattern(0x8000, 42);
	struct swdd_segment seg = { 0x08000000u, 0x8000, data };
	struct swdd_image img = { &seg, 1 };
	unsigned resets;
	uint32_t crc;
	int rc;

	/* both firmwares: a vector table whose reset handler loops (b .),
	 * which runs after the watchdog's reset (from whichever words were
	 * programmed then) until the host halts it */
	for (uint8_t *fw = old; fw; fw = fw == old ? data : NULL) {
		swdd_put_le32(fw, 0x20001000u);
		swdd_put_le32(fw + 4, 0x08000009u + (fw == data ? 4u : 0u));
		swdd_put_le32(fw + 8, 0xE7FEE7FEu);
		swdd_put_le32(fw + 12, 0xE7FEE7FEu);
	}
	if (access(NO_IWDG_FLM, R_OK)) {
		free(old);
		free(data);
		return test_skip_reason(NO_IWDG_FLM " not built (make all)");
	}
	if (batch_lab_open(&l, NULL, SIM_PROBE_STLINK_V2, old, 0x8000))
		return 1;
	CHECK_SWDD(swdd_flash_set_algo(l.f, NO_IWDG_FLM));
	resets = swdd_target_resets_seen(l.t);
	wdg_chip = l.chip;
	swdd_log_set_level(SWDD_LOG_DEBUG);
	swdd_log_set_sink(wdg_sink, NULL);
	rc = swdd_flash_write_image(l.f, &img, NULL, &r);
	swdd_log_set_sink(NULL, NULL);
	swdd_log_set_level(SWDD_LOG_INFO);
	CHECK_EQ(rc, SWDD_EALGO);
	CHECK_STR_CONTAINS(swdd_err_detail(), "the chip was reset while the flash algorithm ran");
	CHECK_STR_CONTAINS(swdd_err_detail(), "IWDGRSTF");
	CHECK_STR_CONTAINS(swdd_err_detail(), "flash state: sector 0 (0x08000000)");
	CHECK(swdd_target_resets_seen(l.t) != resets);
	CHECK(swdd_target_is_halted(l.t));
	/* the target is usable: a checksum of sector 1, which the write never
	 * reached, loads the algorithm again and answers the old content */
	crc = 0xFFFFFFFFu;
	CHECK_SWDD(swdd_flash_crc(l.f, 0x08004000u, 0x4000, &crc));
	CHECK_EQ(crc, swdd_crc32(0xFFFFFFFFu, old + 0x4000, 0x4000));
	lab_close(&l);
	free(old);
	free(data);
	return 0;
}

/* Erase-time plausibility in the stream (a family with a minimum, as the
 * STM32H7's 400 ms): each erase job is timed from the host's last look
 * before it started to its first look after it ended. A minimum no erase
 * can reach fails the write, naming the sector. */
static int stream_erase_plausibility(void)
{
	struct lab l;
	struct swdd_flash_result r;
	uint8_t *old = pattern(0x4000, 51), *data = pattern(0x4000, 52);
	struct swdd_segment seg = { 0x08000000u, 0x4000, data };
	struct swdd_image img = { &seg, 1 };
	struct stm32_family fam;
	const struct stm32_family *orig;

	if (batch_lab_open(&l, NULL, SIM_PROBE_STLINK_V3, old, 0x4000))
		return 1;
	orig = l.f->fam;
	fam = *orig;
	fam.min_sector_erase_ms = 3600000u;
	fam.typ_sector_erase_ms = 250u;
	l.f->fam = &fam;
	CHECK_EQ(swdd_flash_write_image(l.f, &img, NULL, &r), SWDD_EFLASH);
	l.f->fam = orig;
	CHECK_STR_CONTAINS(swdd_err_detail(), "sector 0 (0x08000000) erase took");
	CHECK(swdd_target_is_halted(l.t));
	lab_close(&l);
	free(old);
	free(data);
	return 0;
}

static const struct test_case tests[] = {
	{ "calls_and_time_256k", "DS8626 flash programming times; docs/FLASH.md streamed write",
	  calls_and_time_256k },
	{ "program_error_named", "RM0090 3.6 table 7 (PGPERR below 2.7 V at x32)", program_error_named },
	{ "erase_error_named", "RM0090 3.6 table 7, 3.9.4 FLASH_SR", erase_error_named },
	{ "fail_addr_mid_job", "RM0090 3.7.4 (WRPERR), flashalgo/flm_target.h ProgramStream",
	  fail_addr_mid_job },
	{ "ring_stall_bounded", "docs/FLASH.md time-outs", ring_stall_bounded },
	{ "reset_mid_sector", "RM0090 19.3 (IWDG), 7.3.21 RCC_CSR", reset_mid_sector },
	{ "stream_erase_plausibility", "DS12110 sector erase time; docs/FLASH.md plausibility",
	  stream_erase_plausibility },
};

TEST_MAIN("flash_batch", tests)
