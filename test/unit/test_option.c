/*
 * Option bytes (issue 13 point 6) through the real probe and target
 * layers on the lab's STM32H743, STM32H725 and STM32F407: the family rows
 * decoded (targets/stm32/option.c, h7_option.c, f4.c), a harmless change
 * read back, the risky ones refused without confirmation, bad words named,
 * the bank swap seen at 0x08000000 only after a reset, the RDP 1 -> 0
 * regression (mass erase, modelled time), OPTCHANGEERR named, reading in
 * attach mode without halting, and the monitor commands `option` and
 * `bank-swap` (server/cmd_option.c). RM0433 4.4, 4.5.3, 4.9.7-4.9.18;
 * RM0468 4.9.8, 4.9.33; RM0090 3.7, 3.9.6.
 */
#include "cli.h"
#include "gdb_flash.h"
#include "gdb_server.h"
#include "monitor.h"
#include "stm32/option.h"
#include "swdd_err.h"
#include "flash_lab_util.h"
#include "host_clock.h"
#include "swdd_le.h"

#include <stdio.h>
#include <stdlib.h>

#define BANK2 0x08100000u
#define H7_OPTSR 0x5200201Cu /* RM0433 4.9.8 */

/* The firmware of the attach test: SP, reset vector, `b .`. */
static const uint8_t fw_loop[] = { 0x00, 0x00, 0x01, 0x20, 0x09, 0x00, 0x00, 0x08, 0xFE, 0xE7, 0xFE, 0xE7 };

static int lab_up(struct lab *l, const char *chip, const char *faults, enum swdd_connect_mode mode,
		  const uint8_t *fw, size_t n)
{
	return flash_lab_connect(l, chip, faults, SIM_PROBE_STLINK_V3, mode, fw, n);
}

static uint32_t field(const struct stm32_opt_state *st, const char *name)
{
	const struct stm32_opt_field *f = stm32_option_field(st->fam, name);

	return f && stm32_option_field_present(st, f) ? stm32_option_field_get(st, f) : 0xDEADu;
}

static bool has(const struct stm32_opt_state *st, const char *name)
{
	const struct stm32_opt_field *f = stm32_option_field(st->fam, name);

	return f && stm32_option_field_present(st, f);
}

static int plan(struct lab *l, const char *words, struct stm32_opt_change *ch)
{
	char buf[256], *w[8];
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", words);
	for (char *tok = strtok(buf, " "); tok && n < 8; tok = strtok(NULL, " "))
		w[n++] = tok;
	return stm32_option_plan(l->t, n, w, ch);
}

/* Every family's rows decode, with the part's own fields only. */
static int decode_per_part(void)
{
	struct lab l;
	struct stm32_opt_state st;

	if (lab_up(&l, "stm32h743", NULL, SWDD_CONNECT_NORMAL, NULL, 0))
		return 1;
	CHECK_SWDD(stm32_option_read(l.t, &st));
	CHECK_EQ(field(&st, "RDP"), 0xAAu);
	CHECK_EQ(field(&st, "IWDG1_SW"), 1u);
	CHECK_EQ(field(&st, "BOOT_ADD0"), 0x0800u); /* RM0433 4.9.17: address >> 16 */
	CHECK_EQ(field(&st, "WPSN2"), 0xFFu);
	CHECK(has(&st, "SWAP_BANK") && !has(&st, "VDDMMC_HSLV") && !has(&st, "TCM_AXI_SHARED"));
	lab_close(&l);
	if (lab_up(&l, "stm32h725", NULL, SWDD_CONNECT_NORMAL, NULL, 0))
		return 1;
	CHECK_SWDD(stm32_option_read(l.t, &st));
	CHECK(!has(&st, "SWAP_BANK") && !has(&st, "WPSN2") && !has(&st, "ST_RAM_SIZE"));
	CHECK(has(&st, "VDDMMC_HSLV") && has(&st, "TCM_AXI_SHARED")); /* RM0468 4.9.8, 4.9.33 */
	lab_close(&l);
	if (lab_up(&l, "stm32f407", NULL, SWDD_CONNECT_NORMAL, NULL, 0))
		return 1;
	CHECK_SWDD(stm32_option_read(l.t, &st));
	CHECK_EQ(field(&st, "RDP"), 0xAAu);
	CHECK_EQ(field(&st, "nWRP"), 0xFFFu);
	CHECK_EQ(field(&st, "BOR_LEV"), 3u); /* RM0090 3.9.6: BOR off as shipped */
	CHECK(!has(&st, "nWRP2") && !has(&st, "BFB2") && !stm32_option_swap_field(st.fam));
	lab_close(&l);
	return 0;
}

/* Hot plug: the firmware runs on; nothing halts it or resets the chip. */
static int read_in_attach(void)
{
	struct lab l;
	struct stm32_opt_state st;
	struct sim_chip_stats before, after;
	char text[8192];

	if (lab_up(&l, "stm32h725", NULL, SWDD_CONNECT_ATTACH, fw_loop, sizeof(fw_loop)))
		return 1;
	sim_chip_get_stats(l.chip, &before);
	CHECK_SWDD(stm32_option_read(l.t, &st));
	CHECK_SWDD(stm32_option_text(l.t, text, sizeof(text)));
	CHECK(strstr(text, "RDP              0xAA (level 0)") != NULL);
	CHECK(!swdd_target_is_halted(l.t));
	sim_chip_get_stats(l.chip, &after);
	CHECK_EQ(after.resets, before.resets);
	CHECK(after.instructions > before.instructions); /* it kept running */
	lab_close(&l);
	return 0;
}

/* A field that locks nobody out: written, read back, in OPTSR_CUR. */
static int set_harmless(void)
{
	static const char *const chips[] = { "stm32h743", "stm32h725" };

	for (size_t i = 0; i < 2; i++) {
		struct lab l;
		struct stm32_opt_change ch;
		uint8_t b[4];

		if (lab_up(&l, chips[i], NULL, SWDD_CONNECT_NORMAL, NULL, 0))
			return 1;
		CHECK_SWDD(plan(&l, "FZ_IWDG_STOP=0 NRST_STBY_D1=0", &ch));
		CHECK(ch.risks[0] == '\0' && ch.effects[0] == '\0');
		CHECK_SWDD(stm32_option_apply(l.t, &ch));
		CHECK_EQ(field(&ch.now, "FZ_IWDG_STOP"), 0u);
		CHECK_EQ(field(&ch.now, "NRST_STBY_D1"), 0u);
		CHECK_SWDD(swdd_target_mem_read(l.t, H7_OPTSR, b, 4));
		CHECK_EQ(swdd_le32(b) & (1u << 17 | 1u << 7), 0u); /* RM0433 4.9.8 */
		CHECK_EQ(swdd_le32(b) & 1u << 30, 0u);             /* no OPTCHANGEERR */
		lab_close(&l);
	}
	return 0;
}

/* Each lock-out risk named; harmless values of the same fields not. */
static int risks_named(void)
{
	static const struct {
		const char *chip, *words, *want; /* want NULL: no risk */
	} rows[] = {
		{ "stm32h743", "RDP=1", "debugger can no longer read" },
		{ "stm32h743", "RDP=2", "PERMANENT" },
		{ "stm32h743", "WPSN2=0x7F", "WRPERR" },
		{ "stm32h743", "WPSN1=0xFF", NULL },
		{ "stm32h743", "BOOT_ADD0=0x60000000", "0x60000000 is not in the flash" },
		{ "stm32h743", "BOOT_ADD0=0x24000000", NULL }, /* AXI SRAM */
		{ "stm32h743", "BOOT_ADD1=0x1FF00000", NULL }, /* system memory */
		{ "stm32h743", "IWDG1_SW=0", "IWDG1 by hardware" },
		{ "stm32h743", "PROT_AREA_START1=0 PROT_AREA_END1=4", "PCROP" },
		{ "stm32h743", "SECURITY=1", "secure access" },
		{ "stm32h743", "IO_HSLV=1", "2.7 V" },
		{ "stm32h743", "SWAP_BANK=1", NULL },
		{ "stm32h725", "TCM_AXI_SHARED=1", "ITCM" },
		{ "stm32f407", "WDG_SW=0", "watchdog" },
		{ "stm32f407", "nWRP=0xFFE", "WRPERR" },
		{ "stm32f407", "nRST_STOP=0", NULL },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct lab l;
		struct stm32_opt_change ch;

		if (lab_up(&l, rows[i].chip, NULL, SWDD_CONNECT_NORMAL, NULL, 0))
			return 1;
		CHECK_SWDD(plan(&l, rows[i].words, &ch));
		if (rows[i].want ? !strstr(ch.risks, rows[i].want) : ch.risks[0] != '\0')
			return test_fail_at(__FILE__, __LINE__, "%s %s: risks '%s'", rows[i].chip,
					    rows[i].words, ch.risks);
		lab_close(&l);
	}
	return 0;
}

static int bad_words(void)
{
	static const struct {
		const char *chip, *words, *want;
	} rows[] = {
		{ "stm32h743", "FOO=1", "no option field 'FOO'" },
		{ "stm32h743", "RDP", "not FIELD=VALUE" },
		{ "stm32h743", "OPT_BUSY=1", "read only" },
		{ "stm32h743", "BOR_LEV=4", "2 bits wide" },
		{ "stm32h743", "RDP=zz", "takes a number" },
		{ "stm32h743", "BOOT_ADD0=0x08000100", "64 KiB boundary" },
		{ "stm32h725", "SWAP_BANK=1", "has no SWAP_BANK: it has one flash bank" },
		{ "stm32h743", "VDDMMC_HSLV=1", "has no VDDMMC_HSLV: the field is on other parts" },
		{ "stm32f407", "nWRP2=0", "has no nWRP2: it has one flash bank" },
		{ "stm32f407", "SWAP_BANK=1", "no option field 'SWAP_BANK'" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct lab l;
		struct stm32_opt_change ch;

		if (lab_up(&l, rows[i].chip, NULL, SWDD_CONNECT_NORMAL, NULL, 0))
			return 1;
		CHECK_EQ(plan(&l, rows[i].words, &ch), SWDD_EINVAL);
		if (!strstr(swdd_err_detail(), rows[i].want))
			return test_fail_at(__FILE__, __LINE__, "%s: '%s'", rows[i].words, swdd_err_detail());
		lab_close(&l);
	}
	return 0;
}

static uint32_t word_at(struct lab *l, uint32_t addr)
{
	uint8_t b[4];

	return swdd_target_mem_read(l->t, addr, b, 4) ? 0xDEADDEADu : swdd_le32(b);
}

static int swap_to(struct lab *l, const char *word, uint32_t want_at_base)
{
	struct stm32_opt_change ch;
	int swapped = -1;

	CHECK_SWDD(plan(l, word, &ch));
	CHECK(ch.swap_changed && strstr(ch.effects, "next system reset"));
	CHECK_SWDD(stm32_option_apply(l->t, &ch));
	CHECK(word_at(l, 0x08000000u) != want_at_base); /* RM0433 4.3.13: only at the reset */
	CHECK_SWDD(swdd_target_reset(l->t, SWDD_RESET_AUTO, true));
	CHECK_EQ(word_at(l, 0x08000000u), want_at_base);
	CHECK_SWDD(swdd_target_family(l->t)->bank_swapped(l->t, &swapped));
	CHECK_EQ(swapped, !strcmp(word, "SWAP_BANK=1"));
	return 0;
}

/* SWAP_BANK: bank 2 at 0x08000000 after the reset, and back. */
static int bank_swap_after_reset(void)
{
	const uint32_t b1 = 0x11111111u, b2 = 0x22222222u;
	struct lab l;

	if (lab_up(&l, "stm32h743", NULL, SWDD_CONNECT_NORMAL, NULL, 0))
		return 1;
	CHECK_OK(sim_chip_backdoor_load_flash(l.chip, 0x08000000u, &b1, 4));
	CHECK_OK(sim_chip_backdoor_load_flash(l.chip, BANK2, &b2, 4));
	if (swap_to(&l, "SWAP_BANK=1", b2) || swap_to(&l, "SWAP_BANK=0", b1))
		return 1;
	CHECK_EQ(word_at(&l, BANK2), b2);
	lab_close(&l);
	return 0;
}

/* RDP 1 -> 0 (rdp1 knob): both banks mass-erased; OPT_BUSY lasts the
 * option change plus tME (DS12110: 5 s at x64) in modelled time. */
static int rdp_regression(void)
{
	const uint32_t d = 0x5A5A5A5Au;
	struct lab l;
	struct stm32_opt_state st;
	uint32_t got1 = 0, got2 = 0;
	uint64_t t0;

	if (lab_up(&l, "stm32h743", "rdp1", SWDD_CONNECT_NORMAL, NULL, 0))
		return 1;
	CHECK_OK(sim_chip_backdoor_load_flash(l.chip, 0x08000000u, &d, 4));
	CHECK_OK(sim_chip_backdoor_load_flash(l.chip, BANK2 + 0x20000u, &d, 4));
	t0 = sim_chip_now_ns(l.chip);
	CHECK_SWDD(swdd_target_family(l.t)->unlock_rdp(l.t));
	printf("INFO rdp_regression: RDP 1 -> 0 on the H743, %.2f s modelled\n",
	       (double)(sim_chip_now_ns(l.chip) - t0) / 1e9);
	CHECK(sim_chip_now_ns(l.chip) - t0 >= 5000000000ull);
	CHECK_SWDD(stm32_option_read(l.t, &st));
	CHECK_EQ(field(&st, "RDP"), 0xAAu);
	CHECK_OK(sim_chip_backdoor_read(l.chip, 0x08000000u, &got1, 4));
	CHECK_OK(sim_chip_backdoor_read(l.chip, BANK2 + 0x20000u, &got2, 4));
	CHECK_EQ(got1, 0xFFFFFFFFu);
	CHECK_EQ(got2, 0xFFFFFFFFu);
	lab_close(&l);
	return 0;
}

/* OPTSTART while a sector erase runs: OPTCHANGEERR (RM0433 4.4.3),
 * named, and nothing changed. */
static int optchangeerr_named(void)
{
	static const uint32_t seq[][2] = {
		{ 0x52002004u, 0x45670123u }, /* KEYR1, RM0433 4.5.1 */
		{ 0x52002004u, 0xCDEF89ABu },
		{ 0x5200200Cu, 0x34u }, /* CR1: SER, PSIZE x64, SNB 0 */
		{ 0x5200200Cu, 0xB4u }, /* START */
	};
	struct lab l;
	struct stm32_opt_change ch;

	if (lab_up(&l, "stm32h743", NULL, SWDD_CONNECT_NORMAL, NULL, 0))
		return 1;
	CHECK_SWDD(plan(&l, "NRST_STOP_D1=0", &ch));
	for (size_t i = 0; i < 4; i++) {
		uint8_t b[4];

		swdd_put_le32(b, seq[i][1]);
		CHECK_SWDD(swdd_target_mem_write(l.t, seq[i][0], b, 4));
	}
	CHECK_EQ(stm32_option_apply(l.t, &ch), SWDD_EFLASH);
	CHECK(strstr(swdd_err_detail(), "OPTCHANGEERR") != NULL);
	CHECK_SWDD(stm32_option_read(l.t, &ch.now));
	CHECK_EQ(field(&ch.now, "NRST_STOP_D1"), 1u);
	lab_close(&l);
	return 0;
}

static int option_set_one(const char *chip, const char *word, const char *name)
{
	struct lab l;
	struct stm32_opt_change ch;

	if (lab_up(&l, chip, NULL, SWDD_CONNECT_NORMAL, NULL, 0))
		return 1;
	CHECK_SWDD(plan(&l, word, &ch));
	CHECK_SWDD(stm32_option_apply(l.t, &ch));
	CHECK_EQ(field(&ch.now, name), 0u);
	lab_close(&l);
	return 0;
}

/* An option change on a host so loaded that each clock reading is 2.5 s
 * after the last: the wait for BSY / OPT_BUSY (stm32_option_wait) counts
 * the polls the link carried as well as the host's clock (probe.h
 * swdd_wait), so the lab's chip gets its time. It counted the clock only,
 * and timed out after one poll. */
static int option_set_loaded_host(void)
{
	int rc;

	host_clock_set(HOST_CLOCK_CRAWL, 2500);
	rc = option_set_one("stm32f407", "nRST_STDBY=0", "nRST_STDBY");
	if (!rc)
		rc = option_set_one("stm32h743", "NRST_STOP_D1=0", "NRST_STOP_D1");
	host_clock_set(HOST_CLOCK_REAL, 0);
	return rc;
}

/* F4: a field changed through FLASH_OPTCR and read back (RM0090 3.7.2). */
static int f4_set(void)
{
	struct lab l;
	struct stm32_opt_change ch;

	if (lab_up(&l, "stm32f407", NULL, SWDD_CONNECT_NORMAL, NULL, 0))
		return 1;
	CHECK_SWDD(plan(&l, "nRST_STDBY=0", &ch));
	CHECK_SWDD(stm32_option_apply(l.t, &ch));
	CHECK_EQ(field(&ch.now, "nRST_STDBY"), 0u);
	CHECK_EQ(field(&ch.now, "RDP"), 0xAAu);
	lab_close(&l);
	return 0;
}

/* ---- monitor commands through the server's dispatcher ---- */

struct mon_env {
	struct gdb_server s;
	char cap[65536];
	size_t len;
};

static int mon_cap(void *ctx, const void *buf, size_t len)
{
	struct mon_env *m = ctx;

	if (m->len + len >= sizeof(m->cap))
		return -1;
	memcpy(m->cap + m->len, buf, len);
	m->len += len;
	return 0;
}

/* Runs one monitor command; its console text (the O packets) in out. */
static int mon_run(struct mon_env *m, const char *line, char *out, size_t cap)
{
	bool unknown;
	size_t n = 0;
	int rc;

	m->len = 0;
	m->s.in_rcmd = true;
	rc = monitor_exec(&m->s, line, &unknown);
	m->s.in_rcmd = false;
	m->cap[m->len] = '\0';
	for (char *p = strstr(m->cap, "$O"); p; p = strstr(p, "$O"))
		for (p += 2; p[0] != '#' && p[1] && n + 1 < cap; p += 2) {
			unsigned v;

			sscanf(p, "%2x", &v);
			out[n++] = (char)v;
		}
	out[n] = '\0';
	return rc;
}

static int monitor_rows(const char *chip, const char *const rows[][3], size_t nrows)
{
	struct lab l;
	struct mon_env *m = calloc(1, sizeof(*m));
	static char out[16384];

	if (!m || lab_up(&l, chip, NULL, SWDD_CONNECT_NORMAL, NULL, 0))
		return 1;
	CHECK_SWDD(gdb_server_init(&m->s, l.t, mon_cap, m));
	CHECK_SWDD(gdb_flash_register(&m->s));
	m->s.client = true;
	for (size_t i = 0; i < nrows; i++) {
		int rc = mon_run(m, rows[i][0], out, sizeof(out));

		if ((rc == 0) != (rows[i][1][0] == 'O') || !strstr(out, rows[i][2]))
			return test_fail_at(__FILE__, __LINE__, "monitor %s: rc %d, output '%s'", rows[i][0],
					    rc, out);
	}
	gdb_server_free(&m->s);
	free(m);
	lab_close(&l);
	return 0;
}

static int monitor_h743(void)
{
	static const char *const rows[][3] = {
		{ "option", "OK", "DMES2            0" }, /* the last line: nothing cut */
		{ "option set RDP=1", "E", "refused, nothing was written: RDP: RDP level 1" },
		{ "option set RDP=1", "E", "`confirm` at the end" },
		{ "option set FZ_IWDG_SDBY=0", "OK", "FZ_IWDG_SDBY: 1 -> 0" },
		{ "option set", "E", "usage: option set FIELD=VALUE" },
		{ "option sideways", "E", "usage: option [set" },
		{ "bank-swap maybe", "E", "usage: bank-swap on|off [reset]" },
		{ "bank-swap on", "OK", "physical bank 2 answers at 0x08000000" },
		{ "bank-swap on", "OK", "`monitor reset halt`" },
		{ "option", "OK", "SWAP_BANK_NOW    0" }, /* not before the reset */
		{ "bank-swap on reset", "OK", "reset: the banks are swapped now" },
		{ "bank-swap off reset", "OK", "reset: the banks are not swapped now" },
		{ "bank-swap off", "OK", "SWAP_BANK was already off; the banks are not swapped now" },
		{ "option set WPSN1=0xFE confirm", "OK",
		  "WPSN1: 0xFF (protected: 0x00) -> 0xFE (protected: 0x01)" },
	};

	return monitor_rows("stm32h743", rows, sizeof(rows) / sizeof(rows[0]));
}

static int monitor_f4_h725(void)
{
	static const char *const f4[][3] = {
		{ "option", "OK", "nWRP             0xFFF (protected: 0x000)" },
		{ "bank-swap on", "E", "STM32F4 has no bank swap (RM0090)" },
		{ "option set nRST_STOP=0", "OK", "nRST_STOP: 1 -> 0" },
	};
	static const char *const h725[][3] = {
		{ "bank-swap on", "E", "has one flash bank: there is nothing to swap" },
		{ "option", "OK", "TCM_AXI_SHARED" },
	};

	return monitor_rows("stm32f407", f4, 3) || monitor_rows("stm32h725", h725, 2);
}

/* The rows of every registered family are consistent: fields inside
 * their registers, unique names, a why for each risky field, at most one
 * bank-swap field, the sizes option.c works with. */
static int rows_consistent(void)
{
	for (size_t i = 0; stm32_families[i]; i++) {
		const struct stm32_family *f = stm32_families[i];
		int swaps = 0;

		if (!f->num_opt_regs)
			continue;
		CHECK(f->option_write && f->num_opt_regs <= STM32_OPT_MAX_REGS && f->num_opt_fields <= 64);
		for (size_t k = 0; k < f->num_opt_fields; k++) {
			const struct stm32_opt_field *o = &f->opt_fields[k];

			CHECK(o->name && o->meaning && o->reg < f->num_opt_regs && o->width >= 1);
			CHECK(o->shift + o->width <= 32);
			CHECK(o->risk == STM32_OPT_SAFE || o->why);
			CHECK(stm32_option_field(f, o->name) == o);
			CHECK(!o->ro || f->opt_regs[o->reg].cur);
			CHECK(o->ro || f->opt_regs[o->reg].prg); /* a settable field can be written */
			swaps += o->swap;
		}
		CHECK(swaps <= 1);
	}
	return 0;
}

/* `swdd option [set FIELD=VALUE...]` on the command line. */
static int cli_words(void)
{
	char a0[] = "swdd", a1[] = "option", a2[] = "set", a3[] = "RDP=1", a4[] = "--yes", a5[] = "BOR_LEV=1",
	     a6[] = "--connect", a7[] = "normal", a8[] = "sideways";
	char *set[] = { a0, a1, a2, a3, a4, a5 }, *show[] = { a0, a1, a6, a7 }, *bad[] = { a0, a1, a8 },
	     *empty[] = { a0, a1, a2 };
	struct cli_opts o;

	CHECK_SWDD(cli_parse(6, set, &o));
	CHECK(o.command == CLI_OPTION && o.option_set && o.yes && !o.connect_set);
	CHECK_EQ(o.noption_words, 2);
	CHECK(!strcmp(o.option_words[0], "RDP=1") && !strcmp(o.option_words[1], "BOR_LEV=1"));
	CHECK_SWDD(cli_parse(4, show, &o));
	CHECK(o.command == CLI_OPTION && !o.option_set && o.connect_set);
	CHECK_EQ(cli_parse(3, bad, &o), SWDD_EINVAL);
	CHECK(strstr(swdd_err_detail(), "'sideways' is neither") != NULL);
	CHECK_EQ(cli_parse(3, empty, &o), SWDD_EINVAL);
	return 0;
}

static const struct test_case tests[] = {
	{ "cli_words", "swdd option [set FIELD=VALUE...] [--yes]", cli_words },
	{ "rows_consistent", "family.h option rows", rows_consistent },
	{ "decode_per_part", "RM0433 4.9.8-4.9.17, RM0468 4.9.33, RM0090 3.9.6", decode_per_part },
	{ "read_in_attach", "hot plug: no halt, no reset (the H725 report)", read_in_attach },
	{ "set_harmless", "RM0433 4.4.3 option change, read back", set_harmless },
	{ "risks_named", "lock-out fields need confirmation", risks_named },
	{ "bad_words", "FIELD=VALUE errors name the word", bad_words },
	{ "bank_swap_after_reset", "RM0433 4.3.13 SWAP_BANK at the next reset", bank_swap_after_reset },
	{ "rdp_regression", "RM0433 4.5.3 RDP 1 -> 0 mass erase, DS12110 tME", rdp_regression },
	{ "optchangeerr_named", "RM0433 4.4.3 OPTCHANGEERR", optchangeerr_named },
	{ "f4_set", "RM0090 3.7.2 option change", f4_set },
	{ "option_set_loaded_host", "RM0090 3.7.2, RM0433 4.4.3 (BSY / OPT_BUSY waits)",
	  option_set_loaded_host },
	{ "monitor_h743", "monitor option / bank-swap", monitor_h743 },
	{ "monitor_f4_h725", "monitor bank-swap refused where there is none", monitor_f4_h725 },
};

TEST_MAIN("option", tests)
