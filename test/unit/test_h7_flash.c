/*
 * The STM32H7 family (targets/stm32/h7.c) and its flash algorithm
 * (flashalgo/stm32h7.c) against the simulated STM32H743/H725 through the
 * real probe, target and flash layers: identification, 256-bit flash
 * words on both banks, the padded last word, reload skips, option bytes,
 * write protection, and the erase-time plausibility check (RM0433 4.3,
 * 4.9; DS12110 erase times).
 */
#include "flash_lab_util.h"
#include "flash_internal.h"
#include "host_clock.h"
#include "stm32/family.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BANK2 0x08100000u

/* Erased flash, connected normally. */
static int lab_open(struct lab *l, const char *chip, const char *faults, enum sim_probe_kind kind)
{
	return flash_lab_open(l, chip, faults, kind, SWDD_CONNECT_NORMAL, NULL, 0);
}

static int identify_h743_h725(void)
{
	static const struct {
		const char *chip;
		uint16_t dev;
		const char *name, *rev;
		uint32_t kib;
	} rows[] = {
		{ "stm32h743", 0x450, "STM32H742/743/750/753", "V", 2048 },
		{ "stm32h725", 0x483, "STM32H723/725/730/733/735", "Z", 1024 },
	};

	for (size_t i = 0; i < 2; i++) {
		struct lab l;
		const struct swdd_chip_info *c;

		if (lab_open(&l, rows[i].chip, NULL, SIM_PROBE_STLINK_V3))
			return 1;
		c = swdd_target_chip(l.t);
		CHECK_EQ(c->dev_id, rows[i].dev);
		CHECK(strcmp(c->name, rows[i].name) == 0);
		CHECK(strcmp(c->revision, rows[i].rev) == 0);
		CHECK_EQ(c->flash_size, rows[i].kib * 1024u);
		CHECK_EQ(c->sram_base, 0x20000000u); /* DTCM runs the algorithm */
		CHECK_EQ(c->rdp_level, 0);
		lab_close(&l);
	}
	return 0;
}

/* 48 KiB + 17 bytes across the bank boundary: the last flash word is
 * partial and must read 0xFF beyond the image; an unchanged reload erases
 * and programs nothing. */
static int do_both_banks(enum sim_probe_kind kind)
{
	const uint32_t start = BANK2 - 0x6000u, len = 0xC000u + 17u;
	struct lab l;
	struct swdd_flash_result r;
	struct sim_chip_stats st0, st1;
	uint8_t *data = pattern(len, 7), tail[32];
	struct swdd_segment seg = { start, len, data };
	struct swdd_image img = { &seg, 1 };

	if (lab_open(&l, "stm32h743", NULL, kind))
		return 1;
	CHECK_SWDD(swdd_flash_write_image(l.f, &img, NULL, &r));
	CHECK(flash_equals(&l, start, data, len));
	CHECK_EQ(r.sectors_touched, 2);
	CHECK_OK(sim_chip_backdoor_read(l.chip, start + len, tail, 32u - 17u));
	for (unsigned i = 0; i < 32u - 17u; i++)
		CHECK_EQ(tail[i], 0xFF);
	sim_chip_get_stats(l.chip, &st0);
	CHECK_SWDD(swdd_flash_write_image(l.f, &img, NULL, &r));
	sim_chip_get_stats(l.chip, &st1);
	CHECK_EQ(r.sectors_skipped, 2);
	CHECK_EQ(st1.sector_erases, st0.sector_erases);
	CHECK_EQ(st1.program_ops, st0.program_ops);
	/* one changed byte in bank 2: only that sector is erased, again */
	data[len - 1] ^= 0x5A;
	CHECK_SWDD(swdd_flash_write_image(l.f, &img, NULL, &r));
	sim_chip_get_stats(l.chip, &st0);
	CHECK_EQ(r.sectors_erased, 1);
	CHECK_EQ(st0.sector_erases, st1.sector_erases + 1);
	CHECK(flash_equals(&l, start, data, len));
	lab_close(&l);
	free(data);
	return 0;
}

static int both_banks_stlink_v3(void)
{
	return do_both_banks(SIM_PROBE_STLINK_V3);
}

static int both_banks_cmsis_dap_v2(void)
{
	return do_both_banks(SIM_PROBE_CMSIS_DAP_V2);
}

/* H725: one bank; bank 2's addresses are outside its flash. */
static int h725_one_bank(void)
{
	struct lab l;
	struct swdd_flash_result r;
	uint8_t *data = pattern(0x21000u, 3);
	struct swdd_segment seg = { 0x08000000u, 0x21000u, data };
	struct swdd_image img = { &seg, 1 };

	if (lab_open(&l, "stm32h725", NULL, SIM_PROBE_CMSIS_DAP_V2))
		return 1;
	CHECK_SWDD(swdd_flash_write_image(l.f, &img, NULL, &r));
	CHECK(flash_equals(&l, 0x08000000u, data, 0x21000u));
	seg.addr = BANK2;
	seg.len = 64;
	CHECK_EQ(swdd_flash_write_image(l.f, &img, NULL, &r), SWDD_ERANGE);
	lab_close(&l);
	free(data);
	return 0;
}

/* fast-erase: the controller reports EOP after 3 ms without erasing; the
 * engine must not call the download good. */
static int fast_erase_named(void)
{
	struct lab l;
	struct swdd_flash_result r;
	uint8_t *old = pattern(0x1000u, 1), *data = pattern(0x1000u, 2);
	struct swdd_segment seg = { 0x08000000u, 0x1000u, data };
	struct swdd_image img = { &seg, 1 };
	int rc;

	if (flash_lab_open(&l, "stm32h743", "fast-erase", SIM_PROBE_STLINK_V3, SWDD_CONNECT_UNDER_RESET, old,
			   0x1000u))
		return 1;
	rc = swdd_flash_write_image(l.f, &img, NULL, &r);
	CHECK_EQ(rc, SWDD_EFLASH);
	CHECK(strstr(swdd_err_detail(), "sector 0 (0x08000000) erase took") != NULL);
	CHECK(strstr(swdd_err_detail(), "not performed") != NULL);
	lab_close(&l);
	free(old);
	free(data);
	return 0;
}

/* One sector's write over old content, with or without the lab's
 * fast-erase (the controller reports an erase it did not perform). */
static int erase_once(int fast, enum sim_probe_kind kind)
{
	struct lab l;
	struct swdd_flash_result r;
	uint8_t *old = pattern(0x1000u, 3), *data = pattern(0x1000u, 4);
	struct swdd_segment seg = { 0x08000000u, 0x1000u, data };
	struct swdd_image img = { &seg, 1 };
	int rc;

	if (flash_lab_open(&l, "stm32h743", fast ? "fast-erase" : NULL, kind, SWDD_CONNECT_UNDER_RESET, old,
			   0x1000u))
		return 1;
	rc = swdd_flash_write_image(l.f, &img, NULL, &r);
	if (fast) {
		CHECK_EQ(rc, SWDD_EFLASH);
		CHECK(strstr(swdd_err_detail(), "sector 0 (0x08000000) erase took") != NULL);
		CHECK(strstr(swdd_err_detail(), "not performed") != NULL);
		CHECK(strstr(swdd_err_detail(), "core cycles (DWT_CYCCNT) at 48.0 MHz or more") != NULL);
	} else {
		CHECK_SWDD(rc);
		CHECK(flash_equals(&l, 0x08000000u, data, 0x1000u));
	}
	lab_close(&l);
	free(old);
	free(data);
	return 0;
}

static int host_speed_case(enum host_clock_mode mode, uint64_t step_ms)
{
	int rc;

	host_clock_set(mode, step_ms);
	rc = erase_once(1, SIM_PROBE_STLINK_V3);
	if (!rc)
		rc = erase_once(0, SIM_PROBE_CMSIS_DAP_V2);
	host_clock_set(HOST_CLOCK_REAL, 0);
	return rc;
}

/* The erase-time check with a host as fast or as slow as can be
 * (host_clock.h). The lab's chip runs only as fast as the probe talks to
 * it: on a loaded CI host its 3 ms fake erase took over 400 ms of host
 * time and was not named; on a fast host a genuine 1 s erase took under
 * 400 ms of host time and was called fake. The core's cycle count
 * (DWT_CYCCNT) is the chip's own time, the same for both. */
static int erase_check_fast_host(void)
{
	return host_speed_case(HOST_CLOCK_FROZEN, 0);
}

static int erase_check_loaded_host(void)
{
	return host_speed_case(HOST_CLOCK_CRAWL, 200);
}

/* Every algorithm call (erase, program, checksum) on a host so loaded
 * that each status poll seems to take over 2 s (each clock reading 2.5 s
 * after the last): the calls' time-outs pass on the host's clock at once,
 * and only the polls the link carried count the chip's time (algo_run.h
 * wait, probe.h swdd_wait). Under a load average of 14,
 * one_mib_both_banks failed with "the flash algorithm did not finish
 * within 1250 ms; one status poll of the core took 2192 ms": a stalled
 * poll ended the wait although the lab's chip had not had its time. */
static int algo_waits_loaded_host(void)
{
	int rc;

	host_clock_set(HOST_CLOCK_CRAWL, 2500);
	rc = do_both_banks(SIM_PROBE_STLINK_V3);
	host_clock_set(HOST_CLOCK_REAL, 0);
	return rc;
}

/* The core clock from RCC (h7_clock.c): HSI (HSIDIV), CSI, HSE and PLL1
 * with D1CPRE, each as the slowest and fastest the source allows. */
static int core_clock_decoded(void)
{
	static const struct {
		uint32_t cr, cfgr, d1cfgr, pllckselr, pll1divr, lo, hi;
	} rows[] = {
		{ 0x00000025u, 0, 0, 0, 0, 48000000u, 80000000u },    /* reset: HSI 64 MHz */
		{ 0x0000003Du, 0, 0x800u, 0, 0, 3000000u, 5000000u }, /* HSI/8, D1CPRE /2 */
		{ 0x00000025u, 1u, 0, 0, 0, 3000000u, 5000000u },     /* CSI */
		{ 0x00000025u, 2u, 0xC00u, 0, 0, 62500u, 781250u },   /* HSE /64 */
		/* PLL1 from HSE: /5 x160 /2 (400 MHz from a 25 MHz crystal) */
		{ 0x00000025u, 3u, 0, 0x52u, 0x0000029Fu, 64000000u, 805000000u },
		/* PLL1 from HSI: /4 x50 /2 = 400 MHz, D1CPRE /1 */
		{ 0x00000025u, 3u, 0, 0x40u, 0x00000231u, 300000000u, 510000000u },
	};
	static const uint32_t rcc = 0x58024400u;
	struct lab l;

	if (lab_open(&l, "stm32h743", NULL, SIM_PROBE_STLINK_V3))
		return 1;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const uint32_t w[][2] = { { 0x00u, rows[i].cr },
					  { 0x18u, rows[i].d1cfgr },
					  { 0x28u, rows[i].pllckselr },
					  { 0x30u, rows[i].pll1divr },
					  { 0x10u, rows[i].cfgr } };
		uint32_t lo = 0, hi = 0;

		for (size_t k = 0; k < 5; k++)
			CHECK_SWDD(swdd_target_mem_write(l.t, rcc + w[k][0], &w[k][1], 4));
		CHECK_SWDD(l.f->fam->core_clock(l.t, &lo, &hi));
		CHECK_EQ(lo, rows[i].lo);
		CHECK_EQ(hi, rows[i].hi);
	}
	lab_close(&l);
	return 0;
}

/* Option bytes decoded through the descriptor; bank-swap seen. */
static int option_text_and_swap(void)
{
	struct lab l;
	char *text = NULL;
	int swapped = -1;
	const struct stm32_family *fam;

	if (lab_open(&l, "stm32h743", "bank-swap", SIM_PROBE_STLINK_V3))
		return 1;
	CHECK_SWDD(swdd_flash_option_text(l.f, &text));
	CHECK(strstr(text, "RDP              0xAA (level 0)") != NULL);
	CHECK(strstr(text, "SWAP_BANK        1") != NULL);
	CHECK(strstr(text, "SWAP_BANK_NOW    1") != NULL);
	CHECK(strstr(text, "WPSN1            0xFF (protected: 0x00)") != NULL);
	CHECK(strstr(text, "WPSN2            0xFF (protected: 0x00)") != NULL);
	CHECK(strstr(text, "BOOT_ADD0        0x08000000") != NULL);
	free(text);
	fam = swdd_target_chip(l.t)->part->family;
	CHECK_SWDD(fam->bank_swapped(l.t, &swapped));
	CHECK_EQ(swapped, 1);
	lab_close(&l);
	return 0;
}

/* WPSN protection: refused before anything is erased, sector named. */
static int wrp_refused(void)
{
	struct lab l;
	struct swdd_flash_result r;
	uint8_t *data = pattern(0x100u, 5);
	struct swdd_segment seg = { 0x08020000u, 0x100u, data };
	struct swdd_image img = { &seg, 1 };
	uint64_t mask = 0;

	if (lab_open(&l, "stm32h743", "wrp:1", SIM_PROBE_STLINK_V3))
		return 1;
	CHECK_SWDD(swdd_target_chip(l.t)->part->family->wrp_mask(l.t, &mask));
	CHECK_EQ(mask, 2u);
	CHECK_EQ(swdd_flash_write_image(l.f, &img, NULL, &r), SWDD_EPROTECTED);
	lab_close(&l);
	free(data);
	return 0;
}

/* 1 MiB across both banks (4 sectors each): the modelled time, printed
 * beside the DS12110 bound (8 sector erases at x64 typ 1 s, 32768 flash
 * words at 100 us typ). */
static int one_mib_both_banks(void)
{
	const uint32_t len = 0x100000u, start = BANK2 - len / 2;
	struct lab l;
	struct swdd_flash_result r;
	uint8_t *data = pattern(len, 11), *old = pattern(len, 12);
	struct swdd_segment seg = { start, len, data };
	struct swdd_image img = { &seg, 1 };
	uint64_t t0;

	if (lab_open(&l, "stm32h743", NULL, SIM_PROBE_STLINK_V3))
		return 1;
	CHECK_OK(sim_chip_backdoor_load_flash(l.chip, start, old, len)); /* every sector erases */
	t0 = sim_chip_now_ns(l.chip);
	CHECK_SWDD(swdd_flash_write_image(l.f, &img, NULL, &r));
	CHECK(flash_equals(&l, start, data, len));
	printf("INFO one_mib_both_banks: 1 MiB across both banks, STLINK-V3: %.2f s modelled "
	       "(DS12110 bound %.2f s)\n",
	       (double)(sim_chip_now_ns(l.chip) - t0) / 1e9, 8 * 1.0 + 32768 * 100e-6);
	CHECK_EQ(r.sectors_erased, 8);
	lab_close(&l);
	free(data);
	free(old);
	return 0;
}

/* Hot plug (issue 13 point 6): option bytes read while the firmware runs,
 * with no reset and no halt. The firmware: SP, reset vector, `b .`. */
static int options_in_attach(void)
{
	static const uint8_t fw[] = {
		0x00, 0x00, 0x01, 0x20, 0x09, 0x00, 0x00, 0x08, 0xFE, 0xE7, 0xFE, 0xE7
	};
	struct lab l;
	char *text = NULL;
	struct sim_chip_stats st;

	if (flash_lab_open(&l, "stm32h725", NULL, SIM_PROBE_STLINK_V3, SWDD_CONNECT_ATTACH, fw, sizeof(fw)))
		return 1;
	CHECK_SWDD(swdd_flash_option_text(l.f, &text));
	CHECK(strstr(text, "RDP              0xAA (level 0)") != NULL);
	CHECK(strstr(text, "WPSN1            0xFF") != NULL);
	CHECK(strstr(text, "WPSN2") == NULL && strstr(text, "SWAP_BANK") == NULL);    /* one bank */
	CHECK(strstr(text, "OPTSR2") != NULL && strstr(text, "VDDMMC_HSLV") != NULL); /* RM0468 */
	free(text);
	sim_chip_get_stats(l.chip, &st);
	CHECK_EQ(st.sector_erases + st.program_ops + st.mass_erases, 0);
	lab_close(&l);
	return 0;
}

/* The H743 report's verify mismatch at 0x08000002 (weak-cell knob): the
 * address and bytes named; the bank swap named only when it is active. */
static int do_verify_mismatch(const char *faults, int swap)
{
	struct lab l;
	struct swdd_flash_result r;
	uint8_t *data = pattern(0x400u, 9);
	struct swdd_segment seg = { 0x08000000u, 0x400u, data };
	struct swdd_image img = { &seg, 1 };

	data[2] = 0x00; /* a weak cell cannot keep this byte's bits at 1 -> 0 */
	if (lab_open(&l, "stm32h743", faults, SIM_PROBE_STLINK_V3))
		return 1;
	CHECK_EQ(swdd_flash_write_image(l.f, &img, NULL, &r), SWDD_EVERIFY);
	CHECK(strstr(swdd_err_detail(), "verify failed at 0x08000002") != NULL);
	CHECK_EQ(strstr(swdd_err_detail(), "SWAP_BANK = 1") != NULL, swap);
	CHECK(strstr(swdd_err_detail(), "ECC_FA") == NULL); /* no ECC evidence */
	lab_close(&l);
	free(data);
	return 0;
}

static int verify_mismatch_named(void)
{
	int rc = do_verify_mismatch("weak-cell:0x08000002", 0);

	return rc ? rc : do_verify_mismatch("weak-cell:0x08000002,bank-swap", 1);
}

static const struct stm32_family *fam_of(struct lab *l)
{
	return swdd_target_chip(l->t)->part->family;
}

static void evidence(struct lab *l, unsigned what, char *buf, size_t len)
{
	fam_of(l)->verify_evidence(l->t, what, buf, len);
}

/* Issue 13 point 8: the flash controller's evidence, each piece only when
 * present: both banks' SR always; ECC_FA after a read met a double ECC
 * error (ecc knob); SWAP_BANK with the bank-swap knob. */
static int evidence_flash_present_absent(void)
{
	static const struct {
		const char *knob, *want, *absent[3];
	} rows[] = {
		{ NULL,
		  "; FLASH_SR1 = 0x00000000, FLASH_SR2 = 0x00000000",
		  { "ECC_FA", "SWAP_BANK", "RCC_RSR" } },
		{ "ecc:0x08000040",
		  "; ECC_FA1 = 0x0002 (flash word at 0x08000040: an ECC error",
		  { "SWAP_BANK", "ECC_FA2", "RCC_RSR" } },
		{ "bank-swap",
		  "; SWAP_BANK = 1: 0x08000000 is physical bank 2",
		  { "ECC_FA", "RCC_RSR", "in effect" } },
	};
	char buf[768];
	uint8_t word[32];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct lab l;

		if (lab_open(&l, "stm32h743", rows[i].knob, SIM_PROBE_STLINK_V3))
			return 1;
		if (rows[i].knob && strstr(rows[i].knob, "ecc"))
			CHECK(swdd_target_mem_read(l.t, 0x08000040u, word, 32) != 0); /* DBECCERR */
		evidence(&l, STM32_EVIDENCE_FLASH, buf, sizeof(buf));
		CHECK(strstr(buf, rows[i].want) != NULL || (printf("INFO evidence: %s\n", buf), 0));
		for (int k = 0; k < 3; k++)
			CHECK(strstr(buf, rows[i].absent[k]) == NULL);
		lab_close(&l);
	}
	return 0;
}

static int w32(struct lab *l, uint32_t addr, uint32_t v)
{
	return swdd_target_mem_write(l->t, addr, &v, 4);
}

/* SWAP_BANK_OPT programmed (RM0433 4.4.3 option change) but not yet in
 * effect (4.3.13: at the next reset): named, with where the data written
 * at 0x08000000 will answer. */
static int evidence_swap_pending(void)
{
	uint32_t optsr = 0, optcr = 0;
	char buf[768];
	struct lab l;

	if (lab_open(&l, "stm32h743", NULL, SIM_PROBE_STLINK_V3))
		return 1;
	CHECK_SWDD(w32(&l, 0x52002008u, 0x08192A3Bu)); /* OPTKEYR */
	CHECK_SWDD(w32(&l, 0x52002008u, 0x4C5D6E7Fu));
	CHECK_SWDD(swdd_target_mem_read(l.t, 0x5200201Cu, &optsr, 4));
	CHECK_SWDD(swdd_target_mem_read(l.t, 0x52002018u, &optcr, 4));
	CHECK_SWDD(w32(&l, 0x52002020u, optsr | 1u << 31));   /* OPTSR_PRG.SWAP_BANK_OPT */
	CHECK_SWDD(w32(&l, 0x52002018u, (optcr & ~1u) | 2u)); /* OPTSTART */
	sim_chip_advance(l.chip, 400000000u);
	CHECK_SWDD(swdd_target_mem_read(l.t, 0x5200201Cu, &optsr, 4));
	CHECK_EQ(optsr & 1u, 0); /* OPT_BUSY done */
	evidence(&l, STM32_EVIDENCE_FLASH, buf, sizeof(buf));
	CHECK(strstr(buf, "; SWAP_BANK_OPT = 1 in the option bytes but 0 in effect: after the next reset "
			  "0x08000000 is physical bank 2") != NULL ||
	      (printf("INFO evidence: %s\n", buf), 0));
	CHECK(strstr(buf, "SWAP_BANK = 1:") == NULL);
	lab_close(&l);
	return 0;
}

/* RCC_RSR: cleared at the session's start, a watchdog or a supply reset
 * after it is named; nothing when no reset happened; the power-on flags of
 * a session that could not clear them are not news. */
static int evidence_reset_causes(void)
{
	static const uint8_t fw[] = {
		0x00, 0x00, 0x01, 0x20, 0x09, 0x00, 0x00, 0x08, 0xFE, 0xE7, 0xFE, 0xE7
	};
	const unsigned rst = STM32_EVIDENCE_RESET | STM32_EVIDENCE_CLEARED;
	struct swdd_connect_opts co = { .mode = SWDD_CONNECT_NORMAL, .speed_khz = 4000 };
	uint32_t nofz = 0;
	char buf[768];
	struct lab l;

	if (flash_lab_open(&l, "stm32h743", "iwdg", SIM_PROBE_STLINK_V3, SWDD_CONNECT_ATTACH, fw, sizeof(fw)))
		return 1;
	evidence(&l, STM32_EVIDENCE_RESET, buf, sizeof(buf));
	CHECK(strstr(buf, "RCC_RSR") == NULL); /* power-on flags only, not cleared */
	CHECK_SWDD(fam_of(&l)->reset_flags_clear(l.t));
	evidence(&l, rst, buf, sizeof(buf));
	CHECK_EQ(buf[0], '\0');
	/* halted without the DBGMCU freeze: IWDG1 (started by the firmware) expires */
	CHECK_SWDD(swdd_target_halt(l.t));
	CHECK_SWDD(swdd_target_mem_write(l.t, 0x5C001054u, &nofz, 4));
	sim_chip_advance(l.chip, 600000000u);
	evidence(&l, rst, buf, sizeof(buf));
	CHECK(strstr(buf, "(reset during the flash operation): IWDG1RSTF: the chip was reset by its "
			  "independent watchdog") != NULL);
	CHECK(strstr(buf, "BORRSTF") == NULL);
	/* a power-on reset after the flags were cleared: the supply */
	CHECK_SWDD(fam_of(&l)->reset_flags_clear(l.t));
	swdd_flash_close(l.f);
	l.f = NULL;
	swdd_target_free(l.t);
	l.t = NULL;
	sim_board_power_cycle(l.chip);
	CHECK_SWDD(swdd_target_connect(l.probe, &co, &l.t));
	evidence(&l, rst, buf, sizeof(buf));
	CHECK(strstr(buf, "BORRSTF/PORRSTF: the supply dropped") != NULL);
	CHECK(strstr(buf, "AN4938") != NULL);
	CHECK(strstr(buf, "IWDG1RSTF") == NULL);
	lab_close(&l);
	return 0;
}

/* vcap-fault: the operation ends with OPERR; the failure names it and the
 * supply (AN4938), never a verified download. Blank flash: the first
 * flash word's program fails (100 us), no 1 s erase to wait for. */
static int vcap_fault_supply_named(void)
{
	struct lab l;
	struct swdd_flash_result r;
	uint8_t *data = pattern(0x400u, 2);
	struct swdd_segment seg = { 0x08000000u, 0x400u, data };
	struct swdd_image img = { &seg, 1 };

	if (lab_open(&l, "stm32h743", "vcap-fault", SIM_PROBE_CMSIS_DAP_V2))
		return 1;
	CHECK_EQ(swdd_flash_write_image(l.f, &img, NULL, &r), SWDD_EFLASH);
	CHECK(strstr(swdd_err_detail(), "programming the page at 0x08000000 failed: OPERR") != NULL);
	CHECK(strstr(swdd_err_detail(), "VCAP capacitors and SMPS/LDO configuration, AN4938") != NULL);
	CHECK(strstr(swdd_err_detail(), "IWDG1RSTF") == NULL);
	CHECK_EQ(r.bytes_programmed, 0);
	lab_close(&l);
	free(data);
	return 0;
}

/* iwdg: the firmware's watchdog runs. swdd's algorithm refreshes it during
 * the 1 s erase (the download verifies); an algorithm that does not
 * (stm32h7_no_iwdg.flm) is reset under it, and the failure names the
 * watchdog (RCC_RSR.IWDG1RSTF), not a time-out. */
static int iwdg_reset_named(void)
{
	static const char *flm = "build/flashalgo/stm32h7_no_iwdg.flm";
	static const uint8_t fw[] = {
		0x00, 0x00, 0x01, 0x20, 0x09, 0x00, 0x00, 0x08, 0xFE, 0xE7, 0xFE, 0xE7
	};
	uint8_t *data = pattern(0x400u, 4);
	struct swdd_segment seg = { 0x08000000u, 0x400u, data };
	struct swdd_image img = { &seg, 1 };
	struct swdd_flash_result r;
	struct lab l;
	FILE *fp = fopen(flm, "rb");

	if (!fp) {
		char why[128];

		snprintf(why, sizeof(why), "%s not built (make all)", flm);
		free(data);
		return test_skip_reason(why); /* one result line: SKIP, not SKIP then PASS */
	}
	fclose(fp);
	if (flash_lab_open(&l, "stm32h743", "iwdg", SIM_PROBE_STLINK_V3, SWDD_CONNECT_ATTACH, fw, sizeof(fw)))
		return 1;
	/* the firmware ran and started IWDG1; swdd programs only a halted core */
	CHECK_SWDD(swdd_target_halt(l.t));
	CHECK_SWDD(swdd_flash_write_image(l.f, &img, NULL, &r));
	CHECK(flash_equals(&l, 0x08000000u, data, 0x400u));
	data[0] ^= 0xFF; /* the sector must be erased again */
	CHECK_SWDD(swdd_flash_set_algo(l.f, flm));
	CHECK_EQ(swdd_flash_write_image(l.f, &img, NULL, &r), SWDD_EALGO);
	CHECK(strstr(swdd_err_detail(), "the chip was reset while the flash algorithm ran") != NULL);
	CHECK(strstr(swdd_err_detail(), "(reset during the flash operation): IWDG1RSTF") != NULL);
	CHECK(strstr(swdd_err_detail(), "did not finish within") == NULL);
	lab_close(&l);
	free(data);
	return 0;
}

/* Two segments in one 256-bit flash word, and an odd-length tail: each
 * word programmed once (RM0433 4.3.7), the gap and the tail read 0xFF. */
static int shared_flash_word(void)
{
	uint8_t *a = pattern(19, 5), *b = pattern(41, 6), got[96], want[96];
	struct swdd_segment seg[2] = { { 0x08000000u, 19, a }, { 0x08000017u, 41, b } };
	struct swdd_image img = { seg, 2 };
	struct swdd_flash_result r;
	struct sim_chip_stats st;
	struct lab l;

	memset(want, 0xFF, sizeof(want));
	memcpy(want, a, 19);
	memcpy(want + 0x17, b, 41);
	if (lab_open(&l, "stm32h743", NULL, SIM_PROBE_CMSIS_DAP_V2))
		return 1;
	CHECK_SWDD(swdd_flash_write_image(l.f, &img, NULL, &r));
	sim_chip_get_stats(l.chip, &st);
	CHECK_EQ(st.program_ops, 2); /* words 0x08000000 and 0x08000020 */
	CHECK_SWDD(swdd_target_mem_read(l.t, 0x08000000u, got, sizeof(got))); /* no ECC fault */
	CHECK(memcmp(got, want, sizeof(got)) == 0);
	lab_close(&l);
	free(a);
	free(b);
	return 0;
}

/* The firmware left the Cortex-M7's caches on (CCR.DC/IC): the algorithm
 * invalidates the lines of what it programmed (DCIMVAC over the range,
 * ICIALLU) and leaves the caches on; the download verifies. Blank flash,
 * so no 1 s erase stretches the test under load. */
static int caches_on_program(void)
{
	uint8_t *data = pattern(0x2000u, 8);
	struct swdd_segment seg = { 0x08000000u, 0x2000u, data };
	struct swdd_image img = { &seg, 1 };
	struct swdd_flash_result r;
	uint32_t ccr = 0;
	struct lab l;

	if (lab_open(&l, "stm32h743", NULL, SIM_PROBE_STLINK_V3))
		return 1;
	CHECK_SWDD(swdd_target_mem_read(l.t, 0xE000ED14u, &ccr, 4));
	CHECK_SWDD(w32(&l, 0xE000ED14u, ccr | 3u << 16));
	CHECK_SWDD(swdd_flash_write_image(l.f, &img, NULL, &r));
	CHECK(flash_equals(&l, 0x08000000u, data, 0x2000u));
	CHECK_SWDD(swdd_target_mem_read(l.t, 0xE000ED14u, &ccr, 4));
	CHECK_EQ(ccr & 3u << 16, 3u << 16);
	lab_close(&l);
	free(data);
	return 0;
}

/* Every FLASH_SR error bit the algorithm returns (RM0433 4.9.5, RM0468
 * 4.9.5 for CRCRDERR) has its name in the family's hints. */
static int sr_error_bits_named(void)
{
	static const struct {
		unsigned bit;
		const char *name;
	} bits[] = {
		{ 17, "WRPERR" },   { 18, "PGSERR" },   { 19, "STRBERR" }, { 21, "INCERR" },
		{ 22, "OPERR" },    { 23, "RDPERR" },   { 24, "RDSERR" },  { 25, "SNECCERR" },
		{ 26, "DBECCERR" }, { 28, "CRCRDERR" },
	};
	const struct stm32_part *p = stm32_part_find(0x450);
	uint32_t all = 0;
	char buf[512];

	CHECK(p != NULL);
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		stm32_hints_text(p->family, 1u << bits[i].bit, buf, sizeof(buf));
		CHECK(strncmp(buf, bits[i].name, strlen(bits[i].name)) == 0 ||
		      (printf("INFO bit %u: %s\n", bits[i].bit, buf), 0));
		all |= 1u << bits[i].bit;
	}
	CHECK_EQ(all, 0x17EE0000u); /* the algorithm's FLASH_SR_ERRORS */
	return 0;
}

static const struct test_case tests[] = {
	{ "identify_h743_h725", "RM0433 60.5.8 / RM0468 63.5.8 DBGMCU_IDC", identify_h743_h725 },
	{ "both_banks_stlink_v3", "RM0433 4.3.8 (256-bit flash word), 4.9 bank 2 registers",
	  both_banks_stlink_v3 },
	{ "both_banks_cmsis_dap_v2", "RM0433 4.3.8, 4.3.7 (one program per erase)", both_banks_cmsis_dap_v2 },
	{ "h725_one_bank", "RM0468 4.2 (one bank)", h725_one_bank },
	{ "fast_erase_named", "DS12110 sector erase time", fast_erase_named },
	{ "erase_check_fast_host", "DS12110 sector erase time; ARMv7-M C1.8.8 CYCCNT",
	  erase_check_fast_host },
	{ "erase_check_loaded_host", "DS12110 sector erase time; ARMv7-M C1.8.8 CYCCNT",
	  erase_check_loaded_host },
	{ "algo_waits_loaded_host", "DS12110 erase/program times as the calls' bounds",
	  algo_waits_loaded_host },
	{ "core_clock_decoded", "RM0433 8.7 RCC_CR/CFGR/D1CFGR/PLLCKSELR/PLL1DIVR", core_clock_decoded },
	{ "option_text_and_swap", "RM0433 4.9.7/4.9.8/4.9.15/4.9.17 option registers", option_text_and_swap },
	{ "wrp_refused", "RM0433 4.5.2 WPSN", wrp_refused },
	{ "verify_mismatch_named", "RM0433 4.3.13 bank swap, 4.9.23 ECC_FA", verify_mismatch_named },
	{ "options_in_attach", "RM0468 4.9.8/4.9.15 in hot plug", options_in_attach },
	{ "one_mib_both_banks", "DS12110 flash programming times", one_mib_both_banks },
	{ "evidence_flash_present_absent", "RM0433 4.9.5 SR1/SR2, 4.9.23 ECC_FA, 4.3.13 swap",
	  evidence_flash_present_absent },
	{ "evidence_swap_pending", "RM0433 4.3.13, 4.9.8 SWAP_BANK_OPT", evidence_swap_pending },
	{ "evidence_reset_causes", "RM0433 8.7 RCC_RSR (IWDG1RSTF, BORRSTF/PORRSTF, RMVF)",
	  evidence_reset_causes },
	{ "vcap_fault_supply_named", "RM0433 4.7 OPERR; AN4938 VCAP", vcap_fault_supply_named },
	{ "iwdg_reset_named", "RM0433 45.3 IWDG1, 45.4.1 KR refresh", iwdg_reset_named },
	{ "shared_flash_word", "RM0433 4.3.7 one program per flash word", shared_flash_word },
	{ "caches_on_program", "ARMv7-M B2.2.7 cache maintenance; Cortex-M7 TRM L1 caches",
	  caches_on_program },
	{ "sr_error_bits_named", "RM0433 4.9.5 FLASH_SR", sr_error_bits_named },
};

TEST_MAIN("h7_flash", tests)
