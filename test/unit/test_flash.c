/*
 * The flash engine against the simulated STM32F407 through the real probe
 * and target layers: RM0090 section 3 behaviour as swdd must handle it.
 */
#define _GNU_SOURCE /* memmem */
#include "algo_run.h"
#include "flash.h"
#include "flash_internal.h"
#include "flash_lab_util.h"
#include "flm.h"
#include "harness.h"
#include "probe.h"
#include "sim.h"
#include "sim_probe.h"
#include "swdd_cancel.h"
#include "swdd_err.h"
#include "swdd_log.h"
#include "target.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

/* img: firmware already in flash that boots and runs 2 ms (virtual) before
 * the probe connects. */
static int lab_open_fw(struct lab *l, enum sim_probe_kind kind, const uint8_t *img, size_t n)
{
	return flash_lab_open(l, NULL, NULL, kind, SWDD_CONNECT_NORMAL, img, n);
}

/* Erased flash, connected under reset. */
static int lab_open(struct lab *l, const char *faults, enum sim_probe_kind kind)
{
	return flash_lab_open(l, NULL, faults, kind, SWDD_CONNECT_UNDER_RESET, NULL, 0);
}

/* 80 KiB from 0x08000000: sectors 0-3 (16 KiB) and part of sector 4. */
#define IMG_LEN (80u * 1024u)

static int write_verify_skip(void)
{
	struct lab l;
	struct swdd_flash_result r;
	uint8_t *data = pattern(IMG_LEN, 1);
	struct swdd_segment seg = { 0x08000000u, IMG_LEN, data };
	struct swdd_image img = { &seg, 1 };
	struct sim_chip_stats st0, st1;

	if (lab_open(&l, NULL, SIM_PROBE_STLINK_V2))
		return 1;
	CHECK_SWDD(swdd_flash_write_image(l.f, &img, NULL, &r));
	CHECK(flash_equals(&l, 0x08000000u, data, IMG_LEN));
	CHECK_EQ(r.sectors_touched, 5);
	CHECK_EQ(r.sectors_skipped, 0);
	CHECK_EQ(r.bytes, IMG_LEN);
	/* unchanged reload: every sector skipped, nothing erased or programmed */
	sim_chip_get_stats(l.chip, &st0);
	CHECK_SWDD(swdd_flash_write_image(l.f, &img, NULL, &r));
	sim_chip_get_stats(l.chip, &st1);
	CHECK_EQ(r.sectors_skipped, 5);
	CHECK_EQ(st1.sector_erases, st0.sector_erases);
	CHECK_EQ(st1.program_ops, st0.program_ops);
	/* one changed byte in sector 2 (0x08008000-0x0800BFFF): only it is erased */
	data[0x8123] ^= 0x5A;
	CHECK_SWDD(swdd_flash_write_image(l.f, &img, NULL, &r));
	sim_chip_get_stats(l.chip, &st0);
	CHECK_EQ(r.sectors_erased, 1);
	CHECK_EQ(r.sectors_skipped, 4);
	CHECK_EQ(st0.sector_erases, st1.sector_erases + 1);
	CHECK(flash_equals(&l, 0x08000000u, data, IMG_LEN));
	lab_close(&l);
	free(data);
	return 0;
}

/* A cell that does not program must be caught by verify, with the address. */
static int weak_cell_caught(void)
{
	struct lab l;
	struct swdd_flash_result r;
	uint8_t *data = pattern(0x4000, 2);
	struct swdd_segment seg = { 0x08004000u, 0x4000, data };
	struct swdd_image img = { &seg, 1 };
	char want[64];

	data[0xB0] = 0x00; /* a byte that must change from 0xFF */
	if (lab_open(&l, "weak-cell:0x080040B0", SIM_PROBE_CMSIS_DAP_V2))
		return 1;
	CHECK_EQ(swdd_flash_write_image(l.f, &img, NULL, &r), SWDD_EVERIFY);
	snprintf(want, sizeof(want), "verify failed at 0x080040B0: read 0x");
	CHECK_STR_CONTAINS(swdd_err_detail(), want);
	CHECK_STR_CONTAINS(swdd_err_detail(), "expected 0x00");
	lab_close(&l);
	free(data);
	return 0;
}

/* RM0090 3.7.4: nWRP protects a sector; swdd refuses before touching flash. */
static int wrp_refused_untouched(void)
{
	struct lab l;
	struct swdd_flash_result r;
	uint8_t *data = pattern(0x10000, 3);
	struct swdd_segment seg = { 0x08000000u, 0x10000, data };
	struct swdd_image img = { &seg, 1 };
	struct sim_chip_stats st;

	if (lab_open(&l, "wrp:2", SIM_PROBE_STLINK_V3))
		return 1;
	CHECK_EQ(swdd_flash_write_image(l.f, &img, NULL, &r), SWDD_EPROTECTED);
	CHECK_STR_CONTAINS(swdd_err_detail(), "sector 2");
	CHECK_STR_CONTAINS(swdd_err_detail(), "write-protected");
	sim_chip_get_stats(l.chip, &st);
	CHECK_EQ(st.sector_erases, 0);
	CHECK_EQ(st.program_ops, 0);
	lab_close(&l);
	free(data);
	return 0;
}

/* RM0090 3.7.3: level 1 blocks debug flash access; regression mass-erases. */
static int rdp1_refused_then_unlock(void)
{
	struct lab l;
	struct swdd_flash_result r;
	uint8_t data[256] = { 1, 2, 3 };
	struct swdd_segment seg = { 0x08000000u, sizeof(data), data };
	struct swdd_image img = { &seg, 1 };
	int level = -1;

	if (lab_open(&l, "rdp1", SIM_PROBE_STLINK_V21))
		return 1;
	CHECK_EQ(swdd_flash_write_image(l.f, &img, NULL, &r), SWDD_EPROTECTED);
	CHECK_STR_CONTAINS(swdd_err_detail(), "RDP level 1");
	CHECK_STR_CONTAINS(swdd_err_detail(), "unlock");
	CHECK_SWDD(swdd_flash_unlock(l.f));
	CHECK_SWDD(swdd_flash_rdp_level(l.f, &level));
	CHECK_EQ(level, 0);
	CHECK_SWDD(swdd_flash_write_image(l.f, &img, NULL, &r));
	CHECK(flash_equals(&l, 0x08000000u, data, sizeof(data)));
	lab_close(&l);
	return 0;
}

static int outside_flash_listed(void)
{
	struct lab l;
	struct swdd_flash_result r;
	uint8_t data[16] = { 0 };
	struct swdd_segment seg[2] = { { 0x08000000u, 16, data }, { 0x30000000u, 16, data } };
	struct swdd_image img = { seg, 2 };

	if (lab_open(&l, NULL, SIM_PROBE_CMSIS_DAP_V1))
		return 1;
	CHECK_EQ(swdd_flash_write_image(l.f, &img, NULL, &r), SWDD_ERANGE);
	CHECK_STR_CONTAINS(swdd_err_detail(), "0x30000000-0x3000000F");
	lab_close(&l);
	return 0;
}

static int mass_erase_and_crc(void)
{
	struct lab l;
	struct swdd_flash_result r;
	uint8_t *data = pattern(0x800, 4), ff[0x800];
	struct swdd_segment seg = { 0x08020000u, 0x800, data };
	struct swdd_image img = { &seg, 1 };
	uint32_t crc = 0xFFFFFFFFu;

	memset(ff, 0xFF, sizeof(ff));
	if (lab_open(&l, NULL, SIM_PROBE_STLINK_V2))
		return 1;
	CHECK_SWDD(swdd_flash_write_image(l.f, &img, NULL, &r));
	CHECK_SWDD(swdd_flash_crc(l.f, 0x08020000u, 0x800, &crc));
	CHECK_EQ(crc, swdd_crc32(0xFFFFFFFFu, data, 0x800));
	CHECK_SWDD(swdd_flash_mass_erase(l.f));
	CHECK(flash_equals(&l, 0x08020000u, ff, sizeof(ff)));
	lab_close(&l);
	free(data);
	return 0;
}

/* An on-target CRC (qCRC, compare-sections) mid-session must leave the
 * program's registers and RAM as they were (STYLE point 12). */
static int crc_restores_context(void)
{
	struct lab l;
	uint8_t r0[8] = { 0x34, 0x12, 0, 0 }, pc[8] = { 0x00, 0x01, 0, 0x08 }, got[8];
	uint8_t ram[64], back[64];
	uint32_t crc = 0xFFFFFFFFu;

	for (unsigned i = 0; i < sizeof(ram); i++)
		ram[i] = (uint8_t)(0xA0 + i);
	if (lab_open(&l, NULL, SIM_PROBE_CMSIS_DAP_V2))
		return 1;
	CHECK_SWDD(swdd_target_reg_write(l.t, 0, r0));
	CHECK_SWDD(swdd_target_reg_write(l.t, 15, pc));
	CHECK_SWDD(swdd_target_mem_write(l.t, 0x20000000u, ram, sizeof(ram)));
	CHECK_SWDD(swdd_flash_crc(l.f, 0x08000000u, 0x4000u, &crc));
	CHECK_SWDD(swdd_target_reg_read(l.t, 0, got));
	CHECK_EQ(got[0] | got[1] << 8, 0x1234);
	CHECK_SWDD(swdd_target_reg_read(l.t, 15, got));
	CHECK_EQ(got[3], 0x08);
	CHECK_EQ(got[1], 0x01);
	CHECK_SWDD(swdd_target_mem_read(l.t, 0x20000000u, back, sizeof(back)));
	CHECK(!memcmp(ram, back, sizeof(ram)));
	lab_close(&l);
	return 0;
}

static const char *build_dir(void)
{
	const char *b = getenv("SWDD_BUILD");
	return b ? b : "build";
}

/* An external .FLM (the x8 variant built as a stand-alone file). */
static int external_flm(void)
{
	struct lab l;
	struct swdd_flash_result r;
	char path[512];
	uint8_t *data = pattern(0x1000, 5);
	struct swdd_segment seg = { 0x08010000u, 0x1000, data };
	struct swdd_image img = { &seg, 1 };

	snprintf(path, sizeof(path), "%s/flashalgo/stm32f4_x8.flm", build_dir());
	if (lab_open(&l, NULL, SIM_PROBE_STLINK_V3))
		return 1;
	CHECK_SWDD(swdd_flash_set_algo(l.f, path));
	CHECK_SWDD(swdd_flash_write_image(l.f, &img, NULL, &r));
	CHECK(flash_equals(&l, 0x08010000u, data, 0x1000));
	lab_close(&l);
	free(data);
	return 0;
}

/* RM0090 3.7.3: at RDP level 1 with the debugger connected the core's
 * reads of flash fault too, so a checksum routine run from SRAM cannot
 * compute the CRC of protected bytes (the lab), and swdd names the RDP
 * level instead of answering a CRC (issue 15). */
static int rdp1_no_crc_of_flash(void)
{
	struct lab l;
	struct swdd_flm *flm, *routine;
	struct swdd_algo a;
	uint32_t crc = 0xFFFFFFFFu;

	if (lab_open(&l, "rdp1", SIM_PROBE_STLINK_V21))
		return 1;
	CHECK_EQ(swdd_flash_crc(l.f, 0x08000000u, 0x1000u, &crc), SWDD_EPROTECTED);
	CHECK_STR_CONTAINS(swdd_err_detail(), "RDP level 1");
	CHECK_EQ(crc, 0xFFFFFFFFu);
	/* the lab: the routine's first load from flash is a BusFault (a lockup
	 * here: the blank chip's vector table) */
	CHECK_SWDD(swdd_flm_builtin("stm32f4", &flm));
	CHECK_SWDD(swdd_flm_crc_routine(&routine));
	flm->fn[SWDD_FLM_CRC32] = SWDD_FLM_NO_FN;
	CHECK_SWDD(swdd_algo_load(l.t, flm, routine, 0x20000000u, 0x20000u, 0, 0, true, &a));
	CHECK_EQ(swdd_algo_call(&a, SWDD_FLM_CRC32, 0x08000000u, 0x1000u, 0xFFFFFFFFu, 0, 2000, &crc),
		 SWDD_EALGO);
	CHECK_STR_CONTAINS(swdd_err_detail(),
			   "the flash algorithm"); /* faulted, or locked up: blank vectors */
	/* SRAM stays readable to the same code */
	CHECK_SWDD(swdd_algo_call(&a, SWDD_FLM_CRC32, 0x20010000u, 0x100u, 0xFFFFFFFFu, 0, 2000, &crc));
	CHECK_SWDD(swdd_algo_unload(&a));
	swdd_flm_free(flm);
	swdd_flm_free(routine);
	lab_close(&l);
	return 0;
}

/* Writes the built-in stm32f4 .FLM with its Crc32 replaced by
 * "movs r0, #0; bx lr": an algorithm whose checksum lies. */
static int lying_crc_flm(const char *out)
{
	static const uint8_t lie[4] = { 0x00, 0x20, 0x70, 0x47 };
	char in[512];
	struct swdd_flm *flm;
	uint8_t *buf = malloc(1 << 20), *hit;
	FILE *f;
	size_t n = 0;
	int rc = 1;

	snprintf(in, sizeof(in), "%s/flashalgo/stm32f4.flm", build_dir());
	if (swdd_flm_load_file(in, &flm))
		return free(buf), 1;
	f = fopen(in, "rb");
	n = f ? fread(buf, 1, 1 << 20, f) : 0;
	if (f)
		fclose(f);
	hit = n >= 64 ? memmem(buf, n, flm->blob, 64) : NULL;
	if (hit) {
		memcpy(hit + flm->fn[SWDD_FLM_CRC32], lie, sizeof(lie));
		f = fopen(out, "wb");
		rc = !f || fwrite(buf, 1, n, f) != n;
		if (f)
			fclose(f);
	}
	swdd_flm_free(flm);
	free(buf);
	return rc;
}

/* An algorithm whose Crc32 lies is named, not the supply voltage: the
 * read-back over the probe matches the image (issue 15). */
static int lying_crc_names_algorithm(void)
{
	struct lab l;
	struct swdd_flash_result r;
	char path[512];
	uint8_t *data = pattern(0x1000, 9);
	struct swdd_segment seg = { 0x08010000u, 0x1000, data };
	struct swdd_image img = { &seg, 1 };

	snprintf(path, sizeof(path), "%s/flashalgo/test_lying_crc.flm", build_dir());
	CHECK(lying_crc_flm(path) == 0);
	if (lab_open(&l, NULL, SIM_PROBE_STLINK_V3))
		return 1;
	CHECK_SWDD(swdd_flash_set_algo(l.f, path));
	CHECK_EQ(swdd_flash_write_image(l.f, &img, NULL, &r), SWDD_EALGO);
	CHECK_STR_CONTAINS(swdd_err_detail(), "test_lying_crc.flm");
	CHECK_STR_CONTAINS(swdd_err_detail(), "answered 0x00000000 for sector 4");
	CHECK_STR_CONTAINS(swdd_err_detail(), "the algorithm's checksum is wrong");
	CHECK(!strstr(swdd_err_detail(), "supply voltage"));
	CHECK(flash_equals(&l, 0x08010000u, data, 0x1000));
	lab_close(&l);
	free(data);
	return 0;
}

static char layout_warning[512];

static void layout_sink(void *ctx, enum swdd_log_level lvl, const char *line)
{
	(void)ctx;
	if (lvl == SWDD_LOG_WARN && strstr(line, "sector numbers"))
		snprintf(layout_warning, sizeof(layout_warning), "%s", line);
}

/* Writes the x8 .FLM with its first sector run patched from 16 KiB to
 * 32 KiB (FlashDevice sectors[0] = { size, addr }). */
static int patched_flm(const char *in, const char *out)
{
	static const uint8_t run0[8] = { 0x00, 0x40, 0, 0, 0, 0, 0, 0 };
	uint8_t *buf = malloc(1 << 20);
	FILE *f = fopen(in, "rb");
	size_t n = f ? fread(buf, 1, 1 << 20, f) : 0;
	int rc = 1;

	if (f)
		fclose(f);
	for (size_t i = 0; n >= 8 && i + 8 <= n; i++)
		if (!memcmp(buf + i, run0, 8) && buf[i + 9] == 0x00 && buf[i + 10] == 0x01) {
			buf[i + 1] = 0x80; /* 0x4000 -> 0x8000 */
			f = fopen(out, "wb");
			rc = !f || fwrite(buf, 1, n, f) != n;
			if (f)
				fclose(f);
			break;
		}
	free(buf);
	return rc;
}

/* An .FLM whose sectors are not the chip's (RM0090 table 5) is named,
 * and the built-in one is not. */
static int flm_layout_mismatch(void)
{
	struct lab l;
	char in[512], out[512];

	snprintf(in, sizeof(in), "%s/flashalgo/stm32f4_x8.flm", build_dir());
	snprintf(out, sizeof(out), "%s/flashalgo/test_layout_mismatch.flm", build_dir());
	CHECK(patched_flm(in, out) == 0);
	layout_warning[0] = '\0';
	swdd_log_set_sink(layout_sink, NULL);
	if (lab_open(&l, NULL, SIM_PROBE_STLINK_V3))
		return 1;
	CHECK(layout_warning[0] == '\0');
	CHECK_SWDD(swdd_flash_set_algo(l.f, out));
	swdd_log_set_sink(NULL, NULL);
	lab_close(&l);
	CHECK_STR_CONTAINS(layout_warning, "sector 0 (0x08000000, 32 KiB) is not sector 0");
	CHECK_STR_CONTAINS(layout_warning, "16 KiB at 0x08000000, RM0090");
	return 0;
}

/* After a failed call the core is halted and answers: a register read,
 * a step and a poll that reports no new stop (issue 15: stepi got E16). */
static int algo_target_usable(struct swdd_target *t)
{
	struct swdd_stop st = { 0 };
	uint8_t pc[8];

	CHECK(swdd_target_is_halted(t));
	CHECK_SWDD(swdd_target_poll(t, &st));
	CHECK_SWDD(swdd_target_reg_read(t, 15, pc));
	CHECK_SWDD(swdd_target_step(t));
	CHECK_SWDD(swdd_target_poll(t, &st));
	CHECK(swdd_target_is_halted(t));
	return 0;
}

/* Runner: an algorithm that faults or never returns is named as such, and
 * leaves the core halted and usable. */
static int algo_fault_and_timeout(void)
{
	struct lab l;
	struct swdd_flm *flm;
	struct swdd_algo a;
	uint32_t res;
	/* a firmware to step through after the failure: SP, reset vector,
	 * HardFault vector, then "b ." at 0x08000010 (ARMv7-M B1.5.3) */
	static const uint8_t fw[20] = { 0x00, 0x10, 0x00, 0x20, 0x11, 0x00, 0x00, 0x08, 0x11, 0x00,
					0x00, 0x08, 0x11, 0x00, 0x00, 0x08, 0xFE, 0xE7, 0xFE, 0xE7 };

	if (lab_open_fw(&l, SIM_PROBE_STLINK_V2, fw, sizeof(fw)))
		return 1;
	CHECK_SWDD(swdd_flm_builtin("stm32f4", &flm));
	/* EraseChip -> "b ." (0xE7FE): never returns */
	flm->blob[flm->fn[SWDD_FLM_ERASE_CHIP]] = 0xFE;
	flm->blob[flm->fn[SWDD_FLM_ERASE_CHIP] + 1] = 0xE7;
	/* BlankCheck -> "udf #0" (0xDE00): UsageFault/HardFault */
	flm->blob[flm->fn[SWDD_FLM_BLANK_CHECK]] = 0x00;
	flm->blob[flm->fn[SWDD_FLM_BLANK_CHECK] + 1] = 0xDE;
	CHECK_SWDD(swdd_algo_load(l.t, flm, NULL, 0x20000000u, 0x20000u, 0, 0, true, &a));
	CHECK_EQ(swdd_algo_call(&a, SWDD_FLM_ERASE_CHIP, 0, 0, 0, 0, 300, &res), SWDD_ETIMEOUT);
	CHECK_STR_CONTAINS(swdd_err_detail(), "did not finish within 300 ms");
	if (algo_target_usable(l.t))
		return 1;
	CHECK_EQ(swdd_algo_call(&a, SWDD_FLM_BLANK_CHECK, 0x08000000u, 4, 0xFF, 0, 1000, &res), SWDD_EALGO);
	CHECK_STR_CONTAINS(swdd_err_detail(), "flash algorithm");
	if (algo_target_usable(l.t))
		return 1;
	CHECK_SWDD(swdd_algo_unload(&a));
	if (algo_target_usable(l.t))
		return 1;
	swdd_flm_free(flm);
	lab_close(&l);
	return 0;
}

/* Crc32 through the CRC unit (RM0090 4): unaligned heads and tails and
 * any running value give swdd_crc32's result; a firmware's own use of the
 * unit (CRCEN, its DR) survives; the unit makes it ~1 instruction per
 * byte where the software table takes ~8. */
#define CRCU_DR 0x40023000u
#define CRCU_AHB1ENR 0x40023830u
#define CRCU_CRCEN (1u << 12)

static int crcu_word(struct lab *l, uint32_t addr, uint32_t *v, int write)
{
	return write ? swdd_target_mem_write(l->t, addr, v, 4) : swdd_target_mem_read(l->t, addr, v, 4);
}

static int crc_unit_edges(void)
{
	static const struct {
		uint32_t off, len, start;
	} rows[] = {
		{ 0, 0x10000u, 0xFFFFFFFFu },
		{ 1, 0x7FDu, 0xFFFFFFFFu },
		{ 3, 301, 0x12345678u },
		{ 2, 1000, 0 },
	};
	struct lab l;
	uint8_t *data = pattern(0x10004u, 6);
	uint32_t en = 0, dr = 0, feed = 0xCAFEF00Du, dr_fw;
	struct sim_chip_stats s0, s1;

	if (lab_open(&l, NULL, SIM_PROBE_STLINK_V2))
		return 1;
	CHECK(!sim_chip_backdoor_load_flash(l.chip, 0x08040000u, data, 0x10004u));
	/* the firmware had the unit clocked and a CRC in progress */
	CHECK_SWDD(crcu_word(&l, CRCU_AHB1ENR, &en, 0));
	en |= CRCU_CRCEN;
	CHECK_SWDD(crcu_word(&l, CRCU_AHB1ENR, &en, 1));
	CHECK_SWDD(crcu_word(&l, CRCU_DR, &feed, 1));
	CHECK_SWDD(crcu_word(&l, CRCU_DR, &dr_fw, 0));
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint32_t crc = rows[i].start;

		if (i == 1) { /* from here the firmware had switched the clock off */
			en &= ~CRCU_CRCEN;
			CHECK_SWDD(crcu_word(&l, CRCU_AHB1ENR, &en, 1));
		}
		sim_chip_get_stats(l.chip, &s0);
		CHECK_SWDD(swdd_flash_crc(l.f, 0x08040000u + rows[i].off, rows[i].len, &crc));
		sim_chip_get_stats(l.chip, &s1);
		CHECK_EQ(crc, swdd_crc32(rows[i].start, data + rows[i].off, rows[i].len));
		CHECK_SWDD(crcu_word(&l, CRCU_AHB1ENR, &dr, 0));
		CHECK_EQ(dr & CRCU_CRCEN, en & CRCU_CRCEN);
		if (i == 0) {
			printf("# Crc32 of 64 KiB: %.2f instructions per byte\n",
			       (double)(s1.instructions - s0.instructions) / rows[i].len);
			CHECK(s1.instructions - s0.instructions < 2u * rows[i].len);
		}
	}
	en |= CRCU_CRCEN;
	CHECK_SWDD(crcu_word(&l, CRCU_AHB1ENR, &en, 1));
	CHECK_SWDD(crcu_word(&l, CRCU_DR, &dr, 0));
	CHECK_EQ(dr, dr_fw);
	lab_close(&l);
	free(data);
	return 0;
}

/* ST's own STM32F4 algorithm (CMSIS-Pack FLM, no Crc32/Verify/BlankCheck),
 * read at run time: SWDD_VENDOR_FLM, else ../shared/test-data/flm beside
 * the repository. Returns NULL (and a skip reason) when absent. */
static const char *vendor_flm(void)
{
	const char *p = getenv("SWDD_VENDOR_FLM");

	if (!p)
		p = "../shared/test-data/flm/STM32F4xx_2048.FLM";
	return access(p, R_OK) == 0 ? p : NULL;
}

/* Issue 10 point 1: the vendor FLM programs, verifies and skips unchanged
 * sectors through swdd's checksum routine; its 2 MiB descriptor is
 * clipped to the chip's 1 MiB. */
static int vendor_flm_write_verify_skip(void)
{
	const char *path = vendor_flm();
	struct lab l;
	struct swdd_flash_result r;
	struct swdd_flash_opts vo = { .verify_only = true };
	uint8_t *data = pattern(IMG_LEN, 7);
	struct swdd_segment seg = { 0x08000000u, IMG_LEN, data };
	struct swdd_image img = { &seg, 1 };
	struct sim_chip_stats st0, st1;
	uint32_t crc = 0xFFFFFFFFu;
	char *info = NULL;

	if (!path) {
		free(data);
		return test_skip_reason("STM32F4xx_2048.FLM not found (../shared/test-data/flm or "
					"SWDD_VENDOR_FLM)");
	}
	if (lab_open(&l, NULL, SIM_PROBE_CMSIS_DAP_V2))
		return 1;
	CHECK_SWDD(swdd_flash_set_algo(l.f, path));
	CHECK_SWDD(swdd_flash_info_text(l.f, &info));
	CHECK_STR_CONTAINS(info, "1024 KiB, 12 sectors");
	free(info);
	/* the last flash region ends at the chip's 1 MiB: 7 x 128 KiB */
	CHECK_STR_CONTAINS(swdd_flash_memory_map(l.f), "start=\"0x8020000\" length=\"0xe0000\"");
	CHECK_SWDD(swdd_flash_write_image(l.f, &img, NULL, &r));
	CHECK(flash_equals(&l, 0x08000000u, data, IMG_LEN));
	CHECK_EQ(r.sectors_touched, 5);
	sim_chip_get_stats(l.chip, &st0);
	CHECK_SWDD(swdd_flash_write_image(l.f, &img, NULL, &r));
	CHECK_SWDD(swdd_flash_write_image(l.f, &img, &vo, &r));
	sim_chip_get_stats(l.chip, &st1);
	CHECK_EQ(st1.sector_erases, st0.sector_erases);
	CHECK_EQ(st1.program_ops, st0.program_ops);
	CHECK_SWDD(swdd_flash_crc(l.f, 0x08000001u, 0x5000u, &crc));
	CHECK_EQ(crc, swdd_crc32(0xFFFFFFFFu, data + 1, 0x5000u));
	data[0x4321] ^= 0x10;
	CHECK_EQ(swdd_flash_write_image(l.f, &img, &vo, &r), SWDD_EVERIFY);
	CHECK_STR_CONTAINS(swdd_err_detail(), "verify failed at 0x08004321");
	lab_close(&l);
	free(data);
	return 0;
}

/* The checksum routine beside an algorithm without Crc32 (the built-in one
 * with its extension removed): the same CRC as the host for unaligned
 * heads and tails; with no routine the call is refused as unsupported. */
static int crc_routine_any_algorithm(void)
{
	static const struct {
		uint32_t off, len, start;
	} rows[] = {
		{ 0, 0x4000u, 0xFFFFFFFFu },
		{ 1, 0x7FDu, 0xFFFFFFFFu },
		{ 3, 301, 0x12345678u },
		{ 2, 3, 0 },
	};
	struct lab l;
	struct swdd_flm *flm, *routine;
	struct swdd_algo a;
	uint8_t *data = pattern(0x4004u, 8);
	uint32_t res;

	if (lab_open(&l, NULL, SIM_PROBE_STLINK_V2))
		return 1;
	CHECK(!sim_chip_backdoor_load_flash(l.chip, 0x08008000u, data, 0x4004u));
	CHECK_SWDD(swdd_flm_builtin("stm32f4", &flm));
	CHECK_SWDD(swdd_flm_crc_routine(&routine));
	flm->fn[SWDD_FLM_CRC32] = SWDD_FLM_NO_FN;
	CHECK_SWDD(swdd_algo_load(l.t, flm, NULL, 0x20000000u, 0x20000u, 0, 0, true, &a));
	CHECK_EQ(swdd_algo_call(&a, SWDD_FLM_CRC32, 0x08008000u, 4, 0, 0, 1000, &res), SWDD_EUNSUPPORTED);
	CHECK_SWDD(swdd_algo_unload(&a));
	CHECK_SWDD(swdd_algo_load(l.t, flm, routine, 0x20000000u, 0x20000u, 0, 0, true, &a));
	CHECK(a.crc_code >= a.code + flm->blob_size && a.canary_addr >= a.crc_code + routine->blob_size);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		CHECK_SWDD(swdd_algo_call(&a, SWDD_FLM_CRC32, 0x08008000u + rows[i].off, rows[i].len,
					  rows[i].start, 0, 5000, &res));
		CHECK_EQ(res, swdd_crc32(rows[i].start, data + rows[i].off, rows[i].len));
	}
	CHECK_SWDD(swdd_algo_unload(&a));
	/* SRAM for the algorithm, its stack and two buffers but not the
	 * routine: loaded without it (the engine then reads back) */
	uint32_t tight =
		4u + ((flm->blob_size + 7u) & ~7u) + 8u + ALGO_STACK_SIZE + 2u * flm->page_size + 64u;
	CHECK_SWDD(swdd_algo_load(l.t, flm, routine, 0x20000000u, tight, 0, 0, true, &a));
	CHECK_EQ(a.crc_entry, 0);
	CHECK_EQ(swdd_algo_call(&a, SWDD_FLM_CRC32, 0x08008000u, 4, 0, 0, 1000, &res), SWDD_EUNSUPPORTED);
	CHECK_SWDD(swdd_algo_unload(&a));
	swdd_flm_free(flm);
	swdd_flm_free(routine);
	lab_close(&l);
	free(data);
	return 0;
}

/* ---- the ART accelerator (RM0090 3.4/3.5), issue 10 point 7 ---------- */

#define ART_ACR 0x40023C00u
#define ART_ON 0x705u /* LATENCY 5, PRFTEN, ICEN, DCEN (as HAL_Init) */
#define ART_DCEN 0x400u
#define ART_DCRST 0x1000u

static int art_word(struct lab *l, uint32_t addr, uint32_t *v, int write)
{
	return write ? swdd_target_mem_write(l->t, addr, v, 4) : swdd_target_mem_read(l->t, addr, v, 4);
}

/* The lab's data cache as the debugger sees it (AHB-AP on D-code, Cortex-M4
 * TRM 2.3.1): not updated by a change of the array, DCRST ignored while
 * DCEN is set; art-debug-bypass sends the AP past it. */
static int do_art_lab(const char *knob, int bypass)
{
	static const uint8_t old[16] = { [0] = 0xDE }, fresh[16] = { [0] = 0xDD };
	static const uint32_t acr_seq[] = { 0, ART_ON, ART_ON | ART_DCRST, ART_DCRST, ART_ON };
	static const uint8_t want[] = { 0xDD, 0xDE, 0xDE, 0xDD, 0xDD }; /* read after each write */
	struct lab l;
	uint32_t v, acr = ART_ON;

	if (lab_open(&l, knob, SIM_PROBE_STLINK_V21))
		return 1;
	CHECK(!sim_chip_backdoor_load_flash(l.chip, 0x080000B0u, old, 16));
	CHECK_SWDD(art_word(&l, ART_ACR, &acr, 1));
	CHECK_SWDD(art_word(&l, 0x080000B0u, &v, 0)); /* fills a line */
	CHECK_EQ(v & 0xFF, 0xDE);
	CHECK(!sim_chip_backdoor_load_flash(l.chip, 0x080000B0u, fresh, 16));
	for (size_t i = 0; i < sizeof(acr_seq) / sizeof(acr_seq[0]); i++) {
		acr = acr_seq[i];
		CHECK_SWDD(art_word(&l, ART_ACR, &acr, 1));
		CHECK_SWDD(art_word(&l, 0x080000B0u, &v, 0));
		CHECK_EQ(v & 0xFF, bypass ? 0xDD : want[i]);
	}
	lab_close(&l);
	return 0;
}

static int art_lab_model(void)
{
	int rc = do_art_lab(NULL, 0);

	return rc ? rc : do_art_lab("art-debug-bypass", 1);
}

/* The report: the old firmware left the caches on holding lines of its
 * image (here filled by the debugger's own read); the load programs,
 * verifies and reads back what the flash holds, with the built-in
 * algorithm and with ST's FLM (which does not reset the caches); the
 * caches are left enabled as the firmware had them (built-in UnInit). */
static int do_art_stale(const char *algo)
{
	struct lab l;
	struct swdd_flash_result r;
	uint8_t *data = pattern(0x400, 9), back[0x400], old[0x400];
	struct swdd_segment seg = { 0x08000000u, 0x400, data };
	struct swdd_image img = { &seg, 1 };
	uint32_t v, acr = ART_ON;

	for (unsigned i = 0; i < sizeof(old); i++)
		old[i] = (uint8_t)~data[i];
	if (lab_open(&l, "nrst-push-pull", SIM_PROBE_CMSIS_DAP_V2))
		return 1;
	CHECK(!sim_chip_backdoor_load_flash(l.chip, 0x08000000u, old, sizeof(old)));
	if (algo)
		CHECK_SWDD(swdd_flash_set_algo(l.f, algo));
	CHECK_SWDD(art_word(&l, ART_ACR, &acr, 1));
	for (uint32_t a = 0x08000080u; a < 0x08000100u; a += 16)
		CHECK_SWDD(art_word(&l, a, &v, 0));
	CHECK_SWDD(swdd_flash_write_image(l.f, &img, NULL, &r));
	CHECK(flash_equals(&l, 0x08000000u, data, 0x400));
	CHECK_SWDD(swdd_target_mem_read(l.t, 0x08000000u, back, sizeof(back)));
	CHECK(!memcmp(back, data, sizeof(back)));
	CHECK_SWDD(art_word(&l, ART_ACR, &v, 0));
	if (!algo)
		CHECK_EQ(v, ART_ON);
	/* the next firmware turns the caches on without resetting them (as
	 * HAL_Init does): no line from before the load may come back */
	acr = ART_ON;
	CHECK_SWDD(art_word(&l, ART_ACR, &acr, 1));
	CHECK_SWDD(swdd_target_mem_read(l.t, 0x08000080u, back, 0x80));
	CHECK(!memcmp(back, data + 0x80, 0x80));
	lab_close(&l);
	free(data);
	return 0;
}

/* The firmware's own loads fill the data cache (test/firmware/artcache.c
 * reads a table with the caches on): after the array changes under it, the
 * debugger reads the old table, as in the report; swdd's load over it
 * verifies and reads back what the flash holds. */
static int art_firmware_fills_lines(void)
{
	static const uint8_t sig[8] = { 0xDE, 0xDE, 0xDE, 0xDE, 0x0D, 0xF0, 0xAD, 0x0B };
	char path[512];
	struct lab l;
	struct swdd_flash_result r;
	uint8_t img[4096] = { 0 }, zero[64] = { 0 }, got[64];
	struct swdd_segment seg;
	struct swdd_image im = { &seg, 1 };
	FILE *fp;
	size_t n, table = 0;

	snprintf(path, sizeof(path), "%s/fw/artcache.bin", build_dir());
	fp = fopen(path, "rb");
	if (!fp)
		return test_skip_reason("build/fw/artcache.bin is missing (make builds it)");
	n = fread(img, 1, sizeof(img), fp);
	fclose(fp);
	while (table + sizeof(sig) <= n && memcmp(img + table, sig, sizeof(sig)))
		table += 4;
	CHECK(table + 64 <= n);
	if (lab_open_fw(&l, SIM_PROBE_STLINK_V21, img, n))
		return 1;
	/* the array changes under the lines the firmware's loads filled */
	CHECK(!sim_chip_backdoor_load_flash(l.chip, 0x08000000u + (uint32_t)table, zero, 64));
	CHECK_SWDD(swdd_target_mem_read(l.t, 0x08000000u + (uint32_t)table, got, 64));
	CHECK(!memcmp(got, img + table, 64)); /* stale, as the report's verify read */
	memset(img + table, 0x5A, 64);
	seg = (struct swdd_segment){ 0x08000000u, (uint32_t)n, img };
	CHECK_SWDD(swdd_flash_write_image(l.f, &im, NULL, &r));
	CHECK_SWDD(swdd_target_mem_read(l.t, 0x08000000u + (uint32_t)table, got, 64));
	CHECK(!memcmp(got, img + table, 64));
	lab_close(&l);
	return 0;
}

/* Runs the core for 1 ms of virtual time from where it is halted and
 * returns the word the firmware below stores at 0x20000000. */
static int art_run_once(struct lab *l, uint32_t *word)
{
	uint32_t zero = 0;
	int rc = swdd_target_mem_write(l->t, 0x20000000u, &zero, 4);

	if (!rc)
		rc = swdd_target_resume(l->t);
	sim_chip_advance(l->chip, 1000000u);
	if (!rc)
		rc = swdd_target_halt(l->t);
	return rc ? rc : swdd_target_mem_read(l->t, 0x20000000u, word, 4);
}

/* The instruction cache: the core keeps executing the instructions it
 * fetched before a change of the array until ICRST, which works only with
 * ICEN clear (RM0090 3.9.1). Firmware (Thumb): FLASH_ACR = 0x705, then
 * loop { movs r3, #0x11; str r3, [0x20000000] }. */
static int art_icache_stale_code(void)
{
	static const uint16_t code[] = { 0x4803, 0x4904, 0x6001, 0x4A04, 0x2311, 0x6013, 0xE7FC,
					 0xBF00, 0x3C00, 0x4002, 0x0705, 0x0000, 0x0000, 0x2000 };
	static const uint16_t movs22 = 0x2322;
	uint8_t img[0x40 + sizeof(code)] = { 0 };
	const uint32_t vec[2] = { 0x20001000u, 0x08000041u };
	uint32_t word = 0, acr;
	struct lab l;

	memcpy(img, vec, sizeof(vec));
	memcpy(img + 0x40, code, sizeof(code));
	if (lab_open_fw(&l, SIM_PROBE_CMSIS_DAP_V2, img, sizeof(img)))
		return 1;
	CHECK_SWDD(art_word(&l, ART_ACR, &acr, 0));
	CHECK_EQ(acr, ART_ON);
	CHECK(!sim_chip_backdoor_load_flash(l.chip, 0x08000048u, &movs22, 2));
	CHECK_SWDD(art_run_once(&l, &word));
	CHECK_EQ(word, 0x11);  /* the old instruction, from the cache */
	acr = ART_ON | 0x800u; /* ICRST with ICEN set: no effect */
	CHECK_SWDD(art_word(&l, ART_ACR, &acr, 1));
	CHECK_SWDD(art_run_once(&l, &word));
	CHECK_EQ(word, 0x11);
	acr = ART_ON & ~0x200u; /* ICEN off, then ICRST, then on again */
	CHECK_SWDD(art_word(&l, ART_ACR, &acr, 1));
	acr |= 0x800u;
	CHECK_SWDD(art_word(&l, ART_ACR, &acr, 1));
	acr = ART_ON;
	CHECK_SWDD(art_word(&l, ART_ACR, &acr, 1));
	CHECK_SWDD(art_run_once(&l, &word));
	CHECK_EQ(word, 0x22);
	lab_close(&l);
	return 0;
}

static int art_stale_lines_flash_truth(void)
{
	const char *vendor = vendor_flm();
	int rc = do_art_stale(NULL);

	if (rc || !vendor)
		return rc ? rc
			  : test_skip_reason("built-in passed; STM32F4xx_2048.FLM not found for the "
					     "vendor half (../shared/test-data/flm or SWDD_VENDOR_FLM)");
	return do_art_stale(vendor);
}

/* GDB's vFlashErase of 0 bytes, then vFlashDone: nothing to write, no
 * algorithm loaded. It passed NULL to qsort (UBSan: "null pointer passed
 * as argument 1, which is declared to never be null"). */
static int vflash_empty_erase(void)
{
	struct lab l;
	struct swdd_flash_result r;
	struct sim_chip_stats st0, st1;

	if (lab_open(&l, NULL, SIM_PROBE_STLINK_V21))
		return 1;
	sim_chip_get_stats(l.chip, &st0);
	CHECK_SWDD(swdd_flash_gdb_erase(l.f, 0x08000000u, 0));
	CHECK_SWDD(swdd_flash_gdb_done(l.f, &r));
	sim_chip_get_stats(l.chip, &st1);
	CHECK_EQ(r.sectors_touched, 0);
	CHECK_EQ(st1.sector_erases, st0.sector_erases);
	CHECK_EQ(st1.program_ops, st0.program_ops);
	lab_close(&l);
	return 0;
}

/* Every algorithm call's time-out derives from the datasheet (DS8626:
 * sector erase max at x8 for its size, 100 us per program operation at the
 * algorithm's parallelism) plus a 250 ms allowance for the link, whatever
 * the FLM's toErase says, and is never more than 10x the typical time
 * (issue 15; a 10 s floor made it 40x for a 16 KiB sector and 76x for a
 * 32 KiB page). */
static int algo_time_bounds(void)
{
	static const struct {
		uint32_t size, typ_ms, max_ms;
	} ds8626[] = {
		{ 0x4000, 250, 800 },
		{ 0x10000, 550, 2400 },
		{ 0x20000, 1000, 4000 },
	};
	struct lab l;

	if (lab_open(&l, NULL, SIM_PROBE_STLINK_V2))
		return 1;
	l.f->flm->to_erase_ms = 0xFFFFFFFFu; /* untrusted: ~49 days */
	l.f->flm->to_prog_ms = 0xFFFFFFFFu;
	for (size_t i = 0; i < sizeof(ds8626) / sizeof(ds8626[0]); i++) {
		uint32_t b = flash_erase_bound_ms(l.f, ds8626[i].size);
		CHECK_EQ(b, ds8626[i].max_ms + 250);
		CHECK(b <= 10u * ds8626[i].typ_ms);
	}
	/* an FLM's 256 KiB sector: twice the 128 KiB maximum */
	CHECK_EQ(flash_erase_bound_ms(l.f, 0x40000), 8250);
	CHECK_EQ(flash_erase_bound_ms(l.f, 0x100000), 32250);
	/* the built-in 32 KiB page at x32 (3.29 V measured): 8192 words of at
	 * most 100 us; typical 16 us each, 131 ms */
	CHECK_EQ(flash_prog_bound_ms(l.f, 0x8000), 1070);
	CHECK(flash_prog_bound_ms(l.f, 0x8000) <= 10u * 8192u * 16u / 1000u);
	CHECK_EQ(flash_prog_bound_ms(l.f, 1024), 276);
	/* DS8626 tME: 32 s max at x8, 8 s typical at x32 */
	CHECK_EQ(flash_mass_erase_bound_ms(l.f), 32250);
	/* a vendor FLM: its own figure doubled, capped at twice the bound */
	snprintf(l.f->flm->source, sizeof(l.f->flm->source), "STM32F4xx_2048.FLM");
	CHECK_EQ(flash_erase_bound_ms(l.f, 0x4000), 2100);
	CHECK_EQ(flash_prog_bound_ms(l.f, 1024), 552);
	l.f->flm->to_erase_ms = 6000; /* ST's */
	l.f->flm->to_prog_ms = 100;
	CHECK_EQ(flash_erase_bound_ms(l.f, 0x4000), 2100);
	CHECK_EQ(flash_erase_bound_ms(l.f, 0x20000), 8500);
	CHECK_EQ(flash_prog_bound_ms(l.f, 1024), 276);
	lab_close(&l);
	return 0;
}

static volatile int cancel_at_alarm;

static void cancel_on_alarm(int sig)
{
	(void)sig;
	if (cancel_at_alarm)
		swdd_cancel_request();
	else
		abort(); /* the wait was not bounded: a failure, not a hang */
}

/* An algorithm whose EraseSector never returns ("b ."), with toErase =
 * 0xFFFFFFFF: the wait ends at the datasheet bound (it lasted ~49 days),
 * and at once when a signal handler asks (SIGTERM was ignored). */
static int erase_loop_bounded_and_cancelled(int cancel, int want, const char *text)
{
	struct sigaction sa = { .sa_handler = cancel_on_alarm };
	struct itimerval it = { .it_value = { .tv_sec = cancel ? 0 : 40, .tv_usec = 300000 } };
	struct lab l;
	int rc;

	if (lab_open(&l, NULL, SIM_PROBE_STLINK_V2))
		return 1;
	l.f->flm->to_erase_ms = 0xFFFFFFFFu;
	l.f->flm->blob[l.f->flm->fn[SWDD_FLM_ERASE_SECTOR]] = 0xFE;
	l.f->flm->blob[l.f->flm->fn[SWDD_FLM_ERASE_SECTOR] + 1] = 0xE7;
	cancel_at_alarm = cancel;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL); /* without cancel: a hang becomes a failure at 40 s */
	rc = swdd_flash_erase_sectors(l.f, 0, 0);
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	swdd_cancel_clear();
	CHECK_EQ(rc, want);
	CHECK_STR_CONTAINS(swdd_err_detail(), text);
	lab_close(&l);
	return 0;
}

static int erase_loop_bounded(void)
{
	return erase_loop_bounded_and_cancelled(0, SWDD_ETIMEOUT, "did not finish within 1050 ms");
}

static int erase_loop_cancelled(void)
{
	return erase_loop_bounded_and_cancelled(1, SWDD_ECANCELED, "interrupted (SIGINT/SIGTERM)");
}

static const struct test_case tests[] = {
	{ "write_verify_skip", "RM0090 3.6 (erase/program), GDB qCRC CRC-32", write_verify_skip },
	{ "weak_cell_caught", "RM0090 3.6.2 (programming only clears bits)", weak_cell_caught },
	{ "wrp_refused_untouched", "RM0090 3.7.4 write protection", wrp_refused_untouched },
	{ "rdp1_refused_then_unlock", "RM0090 3.7.3 read protection", rdp1_refused_then_unlock },
	{ "outside_flash_listed", "", outside_flash_listed },
	{ "mass_erase_and_crc", "RM0090 3.6.3 mass erase", mass_erase_and_crc },
	{ "external_flm", "CMSIS-Pack FLM", external_flm },
	{ "flm_layout_mismatch", "RM0090 table 5 against an FLM's sectors", flm_layout_mismatch },
	{ "crc_restores_context", "GDB qCRC; STYLE 12", crc_restores_context },
	{ "rdp1_no_crc_of_flash", "RM0090 3.7.3 read protection level 1", rdp1_no_crc_of_flash },
	{ "lying_crc_names_algorithm", "docs/FLASH.md (verify), CMSIS-Pack flash algorithms",
	  lying_crc_names_algorithm },
	{ "algo_fault_and_timeout",
	  "ARMv7-M B1.5 (IPSR), docs/FLASH.md (algorithm convention), CMSIS-Pack flash algorithms",
	  algo_fault_and_timeout },
	{ "crc_unit_edges", "RM0090 4 (CRC unit), GDB qCRC", crc_unit_edges },
	{ "vendor_flm_write_verify_skip", "CMSIS-Pack FLM (ST STM32F4xx_2048)",
	  vendor_flm_write_verify_skip },
	{ "crc_routine_any_algorithm", "CMSIS-Pack FLM, GDB qCRC", crc_routine_any_algorithm },
	{ "art_lab_model", "RM0090 3.4/3.5 ART, Cortex-M4 TRM 2.3.1 D-code", art_lab_model },
	{ "art_icache_stale_code", "RM0090 3.4/3.9.1 (I-cache, ICRST only with ICEN = 0)",
	  art_icache_stale_code },
	{ "art_firmware_fills_lines", "RM0090 3.4 (D-code loads fill the data cache)",
	  art_firmware_fills_lines },
	{ "art_stale_lines_flash_truth", "RM0090 3.5 (caches not updated by program)",
	  art_stale_lines_flash_truth },
	{ "algo_time_bounds", "DS8626 flash programming times, RM0090 3.3 table 5", algo_time_bounds },
	{ "erase_loop_bounded", "DS8626 sector erase max; FlashOS.h toErase", erase_loop_bounded },
	{ "erase_loop_cancelled", "POSIX sigaction; docs/FLASH.md time-outs", erase_loop_cancelled },
	{ "vflash_empty_erase", "GDB E.4 vFlashErase/vFlashDone; C11 7.22.5 (qsort)", vflash_empty_erase },
};

TEST_MAIN("flash", tests)
