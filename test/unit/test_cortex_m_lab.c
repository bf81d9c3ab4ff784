/*
 * Cortex-M target layer against the lab, through the real probe layer:
 * sim_chip + emulated probe + swdd_probe_open_sim + swdd_target_connect.
 * Each test runs over an ST-LINK and a CMSIS-DAP kind.
 *
 * The chip's flash holds a small test program (lab set-up through the
 * backdoor, like a board programmed earlier):
 *
 *   0x08000000  vectors: SP 0x20020000, reset 0x08000041, others -> fault
 *   0x08000040  reset: ldr r1, =0x20001000   ; 4903
 *   0x08000042         ldr r3, =0x20001004   ; 4b04
 *   0x08000044         movs r0, #0           ; 2000
 *   0x08000046  loop:  adds r0, #1           ; 3001
 *   0x08000048         str r0, [r1]          ; 6008   (writes COUNTER)
 *   0x0800004a         ldr r2, [r3]          ; 681a   (reads INPUT)
 *   0x0800004c         b loop                ; e7fb
 *   0x0800004e  fault: b fault               ; e7fe
 *   0x08000050  .word 0x20001000, 0x20001004
 *
 * The code from 0x40 is position independent; RAM tests copy it to
 * 0x20000100.
 */
#include "cortex_m_internal.h"
#include "harness.h"
#include "target_lab_util.h"
#include "probe.h"
#include "sim_probe.h"
#include "swdd_err.h"
#include "swdd_log.h"

#include <stdlib.h>

#define FLASH 0x08000000U
#define RESET_PC 0x08000040U
#define LOOP 0x08000046U
#define STR_INSN 0x08000048U
#define LDR_INSN 0x0800004AU
#define RAM_CODE 0x20000100U
#define RAM_LOOP (RAM_CODE + 6U)
#define RAM_STR (RAM_CODE + 8U)
#define COUNTER 0x20001000U
#define INPUT 0x20001004U
#define CODE_OFF 0x40U
#define CODE_LEN 0x18U

static const uint16_t prog_code[] = { 0x4903, 0x4b04, 0x2000, 0x3001, 0x6008, 0x681a,
				      0xe7fb, 0xe7fe, 0x1000, 0x2000, 0x1004, 0x2000 };

static uint8_t image[0x58];

static void image_build(void)
{
	uint32_t vec[16];

	vec[0] = 0x20020000U;
	vec[1] = RESET_PC | 1U;
	for (int i = 2; i < 16; i++)
		vec[i] = 0x0800004FU; /* fault | thumb */
	for (int i = 0; i < 16; i++)
		for (int b = 0; b < 4; b++)
			image[4 * i + b] = (uint8_t)(vec[i] >> (8 * b));
	for (size_t i = 0; i < sizeof(prog_code) / 2; i++) {
		image[CODE_OFF + 2 * i] = (uint8_t)prog_code[i];
		image[CODE_OFF + 2 * i + 1] = (uint8_t)(prog_code[i] >> 8);
	}
}

/* ---- log capture -------------------------------------------------------- */

static char logbuf[16384];

static void log_sink(void *ctx, enum swdd_log_level lvl, const char *line)
{
	size_t n = strlen(logbuf);

	(void)ctx;
	(void)lvl;
	snprintf(logbuf + n, sizeof(logbuf) - n, "%s\n", line);
}

/* ---- lab ---------------------------------------------------------------- */

static const enum sim_probe_kind kinds[] = { SIM_PROBE_STLINK_V2, SIM_PROBE_STLINK_V21, SIM_PROBE_STLINK_V3,
					     SIM_PROBE_CMSIS_DAP_V1, SIM_PROBE_CMSIS_DAP_V2 };
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

/* Creates the chip (with `faults`, the test program in flash, `run_ms` of
 * running time before the probe connects) and the probe. */
static int lab_new(struct lab *l, enum sim_probe_kind kind, const char *faults, unsigned run_ms)
{
	struct sim_config cfg = { 0 };
	struct sim_probe_config pc = { .kind = kind };
	char err[256];

	memset(l, 0, sizeof(*l));
	logbuf[0] = '\0';
	swdd_log_set_sink(log_sink, NULL);
	image_build();
	if (faults && sim_config_parse_faults(&cfg, faults, err, sizeof(err)))
		return test_fail_at(__FILE__, __LINE__, "fault spec: %s", err);
	if (sim_chip_new(&cfg, &l->chip, err, sizeof(err)))
		return test_fail_at(__FILE__, __LINE__, "sim_chip_new: %s", err);
	if (sim_chip_backdoor_load_flash(l->chip, FLASH, image, sizeof(image)))
		return test_fail_at(__FILE__, __LINE__, "loading the test program failed");
	/* The chip powered on with erased flash; power the board again so it
	 * boots the program (a board programmed earlier). */
	sim_board_power_cycle(l->chip);
	sim_chip_advance(l->chip, (uint64_t)run_ms * 1000000U);
	if (sim_probe_new(&pc, l->chip, &l->sp) || swdd_probe_open_sim(l->sp, &l->probe))
		return test_fail_at(__FILE__, __LINE__, "probe: %s", swdd_err_detail());
	return 0;
}

static int lab_open(struct lab *l, enum sim_probe_kind kind, const char *faults, enum swdd_connect_mode mode)
{
	struct swdd_connect_opts co = { .mode = mode, .ladder = true };
	int rc = lab_new(l, kind, faults, 5);

	if (rc)
		return rc;
	if (swdd_target_connect(l->probe, &co, &l->t))
		return test_fail_at(__FILE__, __LINE__, "%s: connect: %s", sim_probe_kind_name(kind),
				    swdd_err_detail());
	return 0;
}

/* Resumes and polls until the core stops (bounded). */
static int run_until_stop(struct lab *l, struct swdd_stop *st)
{
	CHECK_OK(swdd_target_resume(l->t));
	for (int i = 0; i < 200; i++) {
		CHECK_OK(swdd_target_poll(l->t, st));
		if (st->reason != SWDD_STOP_NONE && st->reason != SWDD_STOP_SLEEP)
			return 0;
	}
	return test_fail_at(__FILE__, __LINE__, "the core did not stop");
}

/* Puts the test loop in RAM and points pc at it. */
static int load_ram_code(struct lab *l)
{
	CHECK_OK(swdd_target_mem_write(l->t, RAM_CODE, image + CODE_OFF, CODE_LEN));
	CHECK_OK(set_reg(l, 15, RAM_CODE));
	CHECK_OK(set_reg(l, 16, 0x01000000U)); /* xPSR.T */
	return 0;
}

/* ---- connect and identification ------------------------------------------ */

static int do_identify(struct lab *l, enum sim_probe_kind kind)
{
	const struct swdd_chip_info *c;

	CHECK_OK(lab_open(l, kind, NULL, SWDD_CONNECT_NORMAL));
	c = swdd_target_chip(l->t);
	CHECK(strcmp(c->name, "STM32F405/407/415/417") == 0);
	CHECK(strcmp(c->core, "Cortex-M4") == 0);
	CHECK_EQ(c->cpuid, 0x410FC241);
	CHECK_EQ(c->dev_id, 0x413);
	CHECK_EQ(c->flash_size, 1024 * 1024);
	CHECK_EQ(c->flash_base, 0x08000000);
	CHECK_EQ(c->flash_ctrl_base, 0x40023C00);
	CHECK(c->part != NULL);
	CHECK(c->revision[0] != '\0' && strcmp(c->revision, "?") != 0);
	CHECK_EQ(c->rdp_level, 0);
	{
		int mv = -1;
		if (swdd_probe_voltage(l->probe, &mv) == 0)
			CHECK(c->voltage_mv > 3000);
		else
			CHECK_EQ(c->voltage_mv, -1);
	}
	CHECK(c->has_fpu);
	CHECK_EQ(c->num_hw_breakpoints, 6);
	CHECK_EQ(c->num_watchpoints, 4);
	CHECK(swdd_target_is_halted(l->t));
	CHECK_EQ(swdd_target_last_stop(l->t)->reason, SWDD_STOP_HALT);
	CHECK_STR_CONTAINS(swdd_target_xml(l->t), "org.gnu.gdb.arm.vfp");
	CHECK_STR_CONTAINS(logbuf, "STM32F405/407/415/417 rev");
	return 0;
}

static int test_identify(void)
{
	FOR_KINDS(do_identify);
}

/* ---- run control ------------------------------------------------------------ */

static int do_halt_step_resume(struct lab *l, enum sim_probe_kind kind)
{
	struct swdd_stop st;
	uint32_t pc0, r0;

	CHECK_OK(lab_open(l, kind, NULL, SWDD_CONNECT_NORMAL));
	CHECK_OK(set_reg(l, 15, LOOP));
	CHECK_OK(set_reg(l, 0, 7));
	CHECK_OK(set_reg(l, 1, COUNTER));
	CHECK_OK(set_reg(l, 3, INPUT));
	pc0 = reg(l, 15);
	CHECK_EQ(pc0, LOOP);
	CHECK_OK(swdd_target_step(l->t)); /* adds r0, #1 */
	CHECK_EQ(swdd_target_last_stop(l->t)->reason, SWDD_STOP_STEP);
	CHECK_EQ(reg(l, 15), LOOP + 2);
	CHECK_EQ(reg(l, 0), 8);
	CHECK_OK(swdd_target_step(l->t)); /* str */
	CHECK_OK(swdd_target_step(l->t)); /* ldr */
	CHECK_OK(swdd_target_step(l->t)); /* b loop */
	CHECK_EQ(reg(l, 15), LOOP);
	CHECK_OK(swdd_target_resume(l->t));
	CHECK(!swdd_target_is_halted(l->t));
	CHECK_OK(swdd_target_poll(l->t, &st));
	CHECK(st.reason == SWDD_STOP_NONE);
	CHECK_OK(swdd_target_halt(l->t));
	CHECK(swdd_target_is_halted(l->t));
	CHECK_EQ(swdd_target_last_stop(l->t)->reason, SWDD_STOP_HALT);
	r0 = reg(l, 0);
	CHECK(r0 > 8); /* it ran */
	CHECK(reg(l, 15) >= LOOP && reg(l, 15) <= LOOP + 6);
	return 0;
}

static int test_halt_step_resume(void)
{
	FOR_KINDS(do_halt_step_resume);
}

/* ---- registers -------------------------------------------------------------- */

static int do_registers(struct lab *l, enum sim_probe_kind kind)
{
	uint8_t d0[8] = { 0, 0, 0, 0, 0, 0, 0xF0, 0x3F }; /* 1.0 */
	uint8_t buf[8];
	uint32_t v;

	CHECK_OK(lab_open(l, kind, NULL, SWDD_CONNECT_NORMAL));
	CHECK_OK(set_reg(l, 5, 0x12345678));
	CHECK_EQ(reg(l, 5), 0x12345678);
	/* d0 is the pair s0 (low word) and s1 */
	CHECK_OK(swdd_target_reg_write(l->t, 23, d0));
	CHECK_OK(swdd_target_reg_read(l->t, 23, buf));
	CHECK(memcmp(buf, d0, 8) == 0);
	CHECK_OK(swdd_probe_read_core_reg(l->probe, CM_REGSEL_S0 + 1, &v));
	CHECK_EQ(v, 0x3FF00000);
	CHECK_OK(set_reg(l, 39, 0x03000000)); /* fpscr: RMode = toward zero */
	CHECK_EQ(reg(l, 39) & 0x03C00000, 0x03000000 & 0x03C00000);
	/* m-system: primask and basepri share the packed REGSEL 0x14 word */
	CHECK_OK(set_reg(l, 19, 1));
	CHECK_OK(set_reg(l, 20, 0x20));
	CHECK_EQ(reg(l, 19), 1);
	CHECK_EQ(reg(l, 20), 0x20);
	CHECK_EQ(reg(l, 21), 0);
	CHECK_OK(swdd_probe_read_core_reg(l->probe, CM_REGSEL_SPECIAL, &v));
	CHECK_EQ(v & 0xFFFF, 0x2001);
	CHECK(reg(l, 17) == reg(l, 13)); /* thread mode on msp after reset */
	CHECK(swdd_target_reg_read(l->t, 40, buf) != 0);
	return 0;
}

static int test_registers(void)
{
	FOR_KINDS(do_registers);
}

static int do_reg_cache(struct lab *l, enum sim_probe_kind kind)
{
	struct swdd_probe_stats a, b, c, d;
	uint8_t regs[512];
	size_t n;

	CHECK_OK(lab_open(l, kind, NULL, SWDD_CONNECT_NORMAL));
	swdd_probe_get_stats(l->probe, &a);
	CHECK_OK(swdd_target_step(l->t)); /* the stop reads the core group (stop pc) */
	swdd_probe_get_stats(l->probe, &b);
	CHECK_OK(swdd_target_regs_read(l->t, regs, sizeof(regs), &n)); /* + the FPU group */
	CHECK_EQ(n, 17 * 4 + 6 * 4 + 16 * 8 + 4);
	swdd_probe_get_stats(l->probe, &c);
	CHECK_OK(swdd_target_regs_read(l->t, regs, sizeof(regs), &n));
	CHECK(reg(l, 15) != 0xDEADDEAD);
	CHECK(reg(l, 30) != 0xDEADDEAD);
	swdd_probe_get_stats(l->probe, &d);
	CHECK_EQ(d.usb_round_trips, c.usb_round_trips); /* second full read: from the cache */
	printf("# %s: stepi %llu USB round trips, then every register %llu, later reads 0\n",
	       sim_probe_kind_name(kind), (unsigned long long)(b.usb_round_trips - a.usb_round_trips),
	       (unsigned long long)(c.usb_round_trips - b.usb_round_trips));
	/* r0-r12, lr, pc alias nothing: a write updates the cache in place */
	CHECK_OK(set_reg(l, 4, 0x44));
	swdd_probe_get_stats(l->probe, &a);
	CHECK_EQ(reg(l, 4), 0x44);
	swdd_probe_get_stats(l->probe, &b);
	CHECK_EQ(b.usb_round_trips, a.usb_round_trips);
	/* sp aliases msp/psp: its write drops the cache, the core is read again */
	CHECK_OK(set_reg(l, 13, reg(l, 13)));
	swdd_probe_get_stats(l->probe, &a);
	CHECK_EQ(reg(l, 4), 0x44);
	swdd_probe_get_stats(l->probe, &b);
	CHECK(b.usb_round_trips > a.usb_round_trips);
	return 0;
}

static int test_reg_cache(void)
{
	FOR_KINDS(do_reg_cache);
}

/* ---- flash contents cache (cortex_m_flashcache.c) ------------------------ */

#define F4_FLASH_KEYR 0x40023C04U /* RM0090 3.9.2 */
#define F4_FLASH_SR 0x40023C0CU   /* RM0090 3.9.4 */
#define F4_FLASH_CR 0x40023C10U   /* RM0090 3.9.5: PG bit 0, PSIZE bits 9:8 (01 = x16) */
#define BLANK 0x08000100U         /* erased in the test image */

static uint64_t trips(struct lab *l)
{
	struct swdd_probe_stats s;

	swdd_probe_get_stats(l->probe, &s);
	return s.usb_round_trips;
}

static uint16_t half_at(struct lab *l, uint32_t addr)
{
	uint8_t b[2] = { 0, 0 };

	if (swdd_target_mem_read(l->t, addr, b, 2))
		return 0xDEAD;
	return (uint16_t)(b[0] | b[1] << 8);
}

/* Changes the flash array behind the target layer's back (lab backdoor). */
static int backdoor_half(struct lab *l, uint32_t addr, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	return sim_chip_backdoor_load_flash(l->chip, addr, b, 2) ? SWDD_EINVAL : 0;
}

/* Programs one halfword through the flash controller, from the debugger. */
static int program_half(struct lab *l, uint32_t addr, uint16_t v)
{
	static const uint32_t keys[2] = { 0x45670123U, 0xCDEF89ABU }; /* RM0090 3.6.1 */
	uint32_t cr = 0x101U, sr = 1U << 16;
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	CHECK_OK(swdd_target_mem_write(l->t, F4_FLASH_KEYR, &keys[0], 4));
	CHECK_OK(swdd_target_mem_write(l->t, F4_FLASH_KEYR, &keys[1], 4));
	CHECK_OK(swdd_target_mem_write(l->t, F4_FLASH_CR, &cr, 4));
	CHECK_OK(swdd_target_mem_write_width(l->t, addr, b, 2, 2));
	for (int i = 0; i < 100 && (sr & (1U << 16)); i++) /* BSY */
		CHECK_OK(swdd_target_mem_read(l->t, F4_FLASH_SR, &sr, 4));
	CHECK_EQ(sr & 0xF2U, 0); /* no error flag */
	cr = 0;
	CHECK_OK(swdd_target_mem_write(l->t, F4_FLASH_CR, &cr, 4));
	return 0;
}

static int do_flash_cache(struct lab *l, enum sim_probe_kind kind)
{
	struct swdd_stop st;
	uint64_t t0;

	CHECK_OK(lab_open(l, kind, NULL, SWDD_CONNECT_NORMAL));
	/* halted: the second read of a line costs no round trip */
	CHECK_EQ(half_at(l, BLANK), 0xFFFF);
	t0 = trips(l);
	CHECK_EQ(half_at(l, BLANK + 2), 0xFFFF);
	CHECK_EQ(trips(l), t0);
	/* a flash write through the controller: the next read sees it */
	CHECK_OK(program_half(l, BLANK, 0x1234));
	CHECK_EQ(half_at(l, BLANK), 0x1234);
	/* a step drops the cache (the cached value proves it was used) */
	CHECK_OK(backdoor_half(l, BLANK + 2, 0x5678));
	CHECK_EQ(half_at(l, BLANK + 2), 0xFFFF);
	CHECK_OK(swdd_target_step(l->t));
	CHECK_EQ(half_at(l, BLANK + 2), 0x5678);
	/* so do a resume and a reset */
	CHECK_OK(backdoor_half(l, BLANK + 4, 0x9ABC));
	CHECK_EQ(half_at(l, BLANK + 4), 0xFFFF);
	CHECK_OK(swdd_target_bp_add(l->t, SWDD_BP_HW, STR_INSN, 2));
	CHECK_OK(run_until_stop(l, &st));
	CHECK_OK(swdd_target_bp_remove(l->t, SWDD_BP_HW, STR_INSN, 2));
	CHECK_EQ(half_at(l, BLANK + 4), 0x9ABC);
	CHECK_OK(backdoor_half(l, BLANK + 6, 0xDEF0));
	CHECK_EQ(half_at(l, BLANK + 6), 0xFFFF);
	CHECK_OK(swdd_target_reset(l->t, SWDD_RESET_AUTO, true));
	CHECK_EQ(half_at(l, BLANK + 6), 0xDEF0);
	/* any memory write drops it too (e.g. a flash algorithm's buffers) */
	CHECK_OK(backdoor_half(l, BLANK + 8, 0x4321));
	CHECK_EQ(half_at(l, BLANK + 8), 0xFFFF);
	CHECK_OK(swdd_target_mem_write(l->t, COUNTER, &t0, 4));
	CHECK_EQ(half_at(l, BLANK + 8), 0x4321);
	return 0;
}

static int test_flash_cache(void)
{
	FOR_KINDS(do_flash_cache);
}

/* ---- breakpoints and watchpoints ----------------------------------------- */

static int do_sw_bp_ram(struct lab *l, enum sim_probe_kind kind)
{
	struct swdd_stop st;
	uint8_t raw[2], seen[2];

	CHECK_OK(lab_open(l, kind, NULL, SWDD_CONNECT_NORMAL));
	CHECK_OK(load_ram_code(l));
	CHECK_OK(swdd_target_bp_add(l->t, SWDD_BP_SW, RAM_STR, 2));
	/* the BKPT is in RAM, but reads show the program */
	CHECK_OK(swdd_probe_read_mem(l->probe, RAM_STR, raw, 2));
	CHECK_EQ(raw[1], 0xBE);
	CHECK_OK(swdd_target_mem_read(l->t, RAM_STR, seen, 2));
	CHECK_EQ(seen[0] | seen[1] << 8, 0x6008);
	CHECK_OK(run_until_stop(l, &st));
	CHECK_EQ(st.reason, SWDD_STOP_SWBREAK);
	CHECK_EQ(st.pc, RAM_STR);
	CHECK_EQ(reg(l, 15), RAM_STR);
	/* resume steps over it and comes back to it one loop later */
	CHECK_OK(run_until_stop(l, &st));
	CHECK_EQ(st.reason, SWDD_STOP_SWBREAK);
	CHECK_EQ(st.pc, RAM_STR);
	CHECK_OK(swdd_target_bp_remove(l->t, SWDD_BP_SW, RAM_STR, 2));
	CHECK_OK(swdd_probe_read_mem(l->probe, RAM_STR, raw, 2));
	CHECK_EQ(raw[0] | raw[1] << 8, 0x6008);
	return 0;
}

static int test_sw_bp_ram(void)
{
	FOR_KINDS(do_sw_bp_ram);
}

static int do_hw_bp_flash(struct lab *l, enum sim_probe_kind kind)
{
	struct swdd_stop st;
	uint32_t comp;

	CHECK_OK(lab_open(l, kind, NULL, SWDD_CONNECT_NORMAL));
	CHECK_OK(set_reg(l, 15, RESET_PC));
	/* a Z0 in flash goes to the FPB */
	CHECK_OK(swdd_target_bp_add(l->t, SWDD_BP_SW, LDR_INSN, 2));
	CHECK_OK(swdd_probe_read32(l->probe, FPB_COMP(0), &comp));
	CHECK_EQ(comp, 0x88000049); /* REPLACE=10 (upper halfword), word 0x08000048 */
	CHECK_OK(run_until_stop(l, &st));
	CHECK_EQ(st.reason, SWDD_STOP_HWBREAK);
	CHECK_EQ(st.pc, LDR_INSN);
	/* the other halfword of the same word shares the comparator */
	CHECK_OK(swdd_target_bp_add(l->t, SWDD_BP_HW, STR_INSN, 2));
	CHECK_OK(swdd_probe_read32(l->probe, FPB_COMP(0), &comp));
	CHECK_EQ(comp, 0xC8000049);
	CHECK_OK(run_until_stop(l, &st));
	CHECK_EQ(st.reason, SWDD_STOP_HWBREAK);
	CHECK_EQ(st.pc, STR_INSN);
	CHECK_OK(swdd_target_bp_remove(l->t, SWDD_BP_SW, LDR_INSN, 2));
	CHECK_OK(swdd_target_bp_remove(l->t, SWDD_BP_HW, STR_INSN, 2));
	CHECK_OK(swdd_probe_read32(l->probe, FPB_COMP(0), &comp));
	CHECK_EQ(comp, 0);
	/* FPBv1 cannot break in RAM */
	CHECK_EQ(swdd_target_bp_add(l->t, SWDD_BP_HW, RAM_STR, 2), SWDD_EUNSUPPORTED);
	CHECK_STR_CONTAINS(swdd_err_detail(), "0x00000000-0x1FFFFFFF");
	return 0;
}

static int test_hw_bp_flash(void)
{
	FOR_KINDS(do_hw_bp_flash);
}

struct wp_row {
	enum swdd_wp_type type;
	uint32_t addr, len;
	enum swdd_stop_reason want;
};

static const struct wp_row wp_rows[] = {
	{ SWDD_WP_WRITE, COUNTER, 4, SWDD_STOP_WATCH },
	{ SWDD_WP_READ, INPUT, 4, SWDD_STOP_RWATCH },
	{ SWDD_WP_ACCESS, COUNTER, 2, SWDD_STOP_AWATCH },
	{ SWDD_WP_READ, INPUT & ~0xFU, 16, SWDD_STOP_RWATCH }, /* MASK = 4 covers INPUT */
	{ SWDD_WP_WRITE, COUNTER + 1, 1, SWDD_STOP_WATCH },    /* byte inside the stored word */
};

static int do_watchpoints(struct lab *l, enum sim_probe_kind kind)
{
	struct swdd_stop st;

	CHECK_OK(lab_open(l, kind, NULL, SWDD_CONNECT_NORMAL));
	CHECK_OK(set_reg(l, 15, RESET_PC));
	for (size_t i = 0; i < sizeof(wp_rows) / sizeof(wp_rows[0]); i++) {
		const struct wp_row *r = &wp_rows[i];

		CHECK_OK(swdd_target_wp_add(l->t, r->type, r->addr, r->len));
		CHECK_OK(run_until_stop(l, &st));
		if (st.reason != r->want || st.addr != r->addr)
			return test_fail_at(__FILE__, __LINE__, "row %zu: reason %d addr 0x%08x", i,
					    st.reason, st.addr);
		CHECK_OK(swdd_target_wp_remove(l->t, r->type, r->addr, r->len));
	}
	CHECK_EQ(swdd_target_wp_add(l->t, SWDD_WP_WRITE, COUNTER, 3), SWDD_EINVAL);
	CHECK_STR_CONTAINS(swdd_err_detail(), "power-of-two");
	CHECK_EQ(swdd_target_wp_add(l->t, SWDD_WP_WRITE, COUNTER + 2, 4), SWDD_EINVAL);
	for (int i = 0; i < 4; i++)
		CHECK_OK(swdd_target_wp_add(l->t, SWDD_WP_WRITE, COUNTER + 4U * (uint32_t)i, 4));
	CHECK_EQ(swdd_target_wp_add(l->t, SWDD_WP_WRITE, COUNTER + 16, 4), SWDD_EBUSY);
	return 0;
}

static int test_watchpoints(void)
{
	FOR_KINDS(do_watchpoints);
}

/* ---- resets ---------------------------------------------------------------- */

struct reset_row {
	enum swdd_reset_method method;
	bool system; /* resets the chip, not only the core */
};

static const struct reset_row reset_rows[] = {
	{ SWDD_RESET_HW, true },
	{ SWDD_RESET_SYS, true },
	{ SWDD_RESET_CORE, false },
	{ SWDD_RESET_AUTO, true },
};

static int do_resets(struct lab *l, enum sim_probe_kind kind)
{
	struct sim_chip_stats a, b;
	struct swdd_stop st;

	CHECK_OK(lab_open(l, kind, NULL, SWDD_CONNECT_NORMAL));
	for (size_t i = 0; i < sizeof(reset_rows) / sizeof(reset_rows[0]); i++) {
		sim_chip_get_stats(l->chip, &a);
		logbuf[0] = '\0';
		CHECK_OK(swdd_target_reset(l->t, reset_rows[i].method, true));
		sim_chip_get_stats(l->chip, &b);
		CHECK(swdd_target_is_halted(l->t));
		CHECK_EQ(swdd_target_last_stop(l->t)->reason, SWDD_STOP_VCATCH);
		CHECK_EQ(reg(l, 15), RESET_PC);
		CHECK_EQ(b.resets - a.resets, reset_rows[i].system ? 1 : 0);
		CHECK(strstr(logbuf, "did not reset") == NULL);
	}
	/* reset and run: the program runs and counts */
	CHECK_OK(swdd_target_reset(l->t, SWDD_RESET_SYS, false));
	CHECK(!swdd_target_is_halted(l->t));
	CHECK_OK(swdd_target_poll(l->t, &st));
	CHECK_EQ(st.reason, SWDD_STOP_NONE);
	CHECK_OK(swdd_target_halt(l->t));
	CHECK(reg(l, 0) > 0);
	return 0;
}

static int test_resets(void)
{
	FOR_KINDS(do_resets);
}

#define PUSH_PULL_MSG                                                                                        \
	"NRST was asserted but the core did not reset (S_RESET_ST stayed 0): NRST may be driven "            \
	"by a push-pull supervisor or not connected"

static int do_nrst_push_pull(struct lab *l, enum sim_probe_kind kind)
{
	CHECK_OK(lab_open(l, kind, "nrst-push-pull", SWDD_CONNECT_NORMAL));
	logbuf[0] = '\0';
	CHECK_OK(swdd_target_reset(l->t, SWDD_RESET_HW, true));
	CHECK_STR_CONTAINS(logbuf, PUSH_PULL_MSG);
	/* SYSRESETREQ goes out through NRST too (RM0090 6.1.2): core reset */
	CHECK_STR_CONTAINS(logbuf, "used VECTRESET instead");
	CHECK(swdd_target_is_halted(l->t));
	CHECK_EQ(reg(l, 15), RESET_PC);
	return 0;
}

static int test_nrst_push_pull(void)
{
	FOR_KINDS(do_nrst_push_pull);
}

static int do_reset_from_attach(struct lab *l, enum sim_probe_kind kind)
{
	CHECK_OK(lab_open(l, kind, NULL, SWDD_CONNECT_ATTACH));
	CHECK(!swdd_target_is_halted(l->t));
	CHECK_OK(swdd_target_reset(l->t, SWDD_RESET_AUTO, true));
	CHECK(swdd_target_is_halted(l->t));
	CHECK_EQ(swdd_target_last_stop(l->t)->reason, SWDD_STOP_VCATCH);
	CHECK_EQ(reg(l, 15), RESET_PC);
	return 0;
}

static int test_reset_from_attach(void)
{
	FOR_KINDS(do_reset_from_attach);
}

/* A BKPT the program itself contains is reported as such, not as one of
 * ours; stepping with interrupts allowed works too. */
static int do_bkpt_insn(struct lab *l, enum sim_probe_kind kind)
{
	const uint8_t bkpt[2] = { 0x00, 0xBE };
	struct swdd_stop st;

	CHECK_OK(lab_open(l, kind, NULL, SWDD_CONNECT_NORMAL));
	CHECK_OK(load_ram_code(l));
	CHECK_OK(swdd_target_mem_write(l->t, RAM_STR, bkpt, 2));
	swdd_target_set_step_irq(l->t, true);
	CHECK_OK(swdd_target_step(l->t));
	CHECK_EQ(swdd_target_last_stop(l->t)->reason, SWDD_STOP_STEP);
	CHECK_EQ(reg(l, 15), RAM_CODE + 2);
	CHECK_OK(run_until_stop(l, &st));
	CHECK_EQ(st.reason, SWDD_STOP_BKPT_INSN);
	CHECK_EQ(st.pc, RAM_STR);
	return 0;
}

static int test_bkpt_insn(void)
{
	FOR_KINDS(do_bkpt_insn);
}

/* ---- connect modes and the ladder --------------------------------------- */

static int do_under_reset(struct lab *l, enum sim_probe_kind kind)
{
	CHECK_OK(lab_open(l, kind, NULL, SWDD_CONNECT_UNDER_RESET));
	CHECK(swdd_target_is_halted(l->t));
	CHECK_EQ(swdd_target_last_stop(l->t)->reason, SWDD_STOP_VCATCH);
	CHECK_EQ(reg(l, 15), RESET_PC);
	CHECK(strstr(logbuf, "did not reset") == NULL);
	lab_close(l);
	/* NRST held high by a supervisor: connected, but not at the reset
	 * vector, and the log says why */
	CHECK_OK(lab_open(l, kind, "nrst-push-pull", SWDD_CONNECT_UNDER_RESET));
	CHECK(swdd_target_is_halted(l->t));
	CHECK_EQ(swdd_target_last_stop(l->t)->reason, SWDD_STOP_HALT);
	CHECK_STR_CONTAINS(logbuf, "NRST was asserted during the connect but the core did not reset");
	return 0;
}

static int test_under_reset(void)
{
	FOR_KINDS(do_under_reset);
}

static int do_attach(struct lab *l, enum sim_probe_kind kind)
{
	uint32_t c1 = 0, c2 = 0;

	CHECK_OK(lab_open(l, kind, NULL, SWDD_CONNECT_ATTACH));
	CHECK(!swdd_target_is_halted(l->t));
	CHECK_OK(swdd_target_mem_read(l->t, COUNTER, &c1, 4));
	CHECK_OK(swdd_target_mem_read(l->t, COUNTER, &c2, 4));
	CHECK(c2 != c1); /* still running */
	CHECK_OK(swdd_target_halt(l->t));
	CHECK(swdd_target_is_halted(l->t));
	return 0;
}

static int test_attach(void)
{
	FOR_KINDS(do_attach);
}

static int do_ladder(struct lab *l, enum sim_probe_kind kind)
{
	struct swdd_connect_opts co = { .mode = SWDD_CONNECT_NORMAL, .ladder = true, .speed_khz = 4000 };

	CHECK_OK(lab_new(l, kind, "signal-integrity:1000", 5));
	CHECK_OK(swdd_target_connect(l->probe, &co, &l->t));
	/* down the probe's own steps, from the clock it set for 4000 kHz:
	 * ST-LINK/V2 4000 -> 1800 -> 480, STLINK-V3 3300 -> 1000, CMSIS-DAP
	 * 4000 -> 2000 -> 1000 */
	CHECK_STR_CONTAINS(logbuf, kind == SIM_PROBE_STLINK_V3 ? "at 3300 kHz failed" : "at 4000 kHz failed");
	CHECK_STR_CONTAINS(logbuf, kind == SIM_PROBE_STLINK_V3      ? "retrying at 1000 kHz"
				   : kind >= SIM_PROBE_CMSIS_DAP_V1 ? "retrying at 2000 kHz"
								    : "retrying at 1800 kHz");
	CHECK_STR_CONTAINS(logbuf, "kHz: the clock was too high for the wiring");
	CHECK_STR_CONTAINS(logbuf, "use --speed ");
	CHECK_EQ(swdd_target_chip(l->t)->dev_id, 0x413);
	return 0;
}

static int test_ladder(void)
{
	FOR_KINDS(do_ladder);
}

static int do_swd_disabled(struct lab *l, enum sim_probe_kind kind)
{
	struct swdd_connect_opts co = { .mode = SWDD_CONNECT_NORMAL, .ladder = true };

	CHECK_OK(lab_new(l, kind, "swd-disabled-by-firmware", 200));
	if (swdd_target_connect(l->probe, &co, &l->t))
		return test_fail_at(
			__FILE__, __LINE__,
			"connect failed: %s (if this is CMSIS-DAP: the probe layer must keep nRESET "
			"asserted across DAP_Connect, which drives it high)",
			swdd_err_detail());
	CHECK_STR_CONTAINS(logbuf, "trying under reset");
	CHECK_STR_CONTAINS(logbuf, "--connect under-reset");
	CHECK(swdd_target_is_halted(l->t));
	CHECK_EQ(reg(l, 15), RESET_PC);
	return 0;
}

static int test_swd_disabled(void)
{
	FOR_KINDS(do_swd_disabled);
}

struct fail_row {
	const char *fault;
	int rc;
	const char *cause;
};

static const struct fail_row fail_rows[] = {
	{ "unpowered", SWDD_EUNPOWERED, "no target voltage" },
	{ "no-target", SWDD_ENOTARGET, "no ACK from the target (wiring or power)" },
};

/* A probe that cannot measure the target supply (CMSIS-DAP) cannot tell
 * "unpowered" from "not connected": both are no ACK (wiring or power). */
static int do_connect_fails(struct lab *l, enum sim_probe_kind kind)
{
	struct swdd_connect_opts co = { .mode = SWDD_CONNECT_NORMAL, .ladder = true };
	const struct fail_row *no_ack = &fail_rows[1];

	for (size_t i = 0; i < sizeof(fail_rows) / sizeof(fail_rows[0]); i++) {
		const struct fail_row *want = &fail_rows[i];
		int mv;

		CHECK_OK(lab_new(l, kind, want->fault, 5));
		if (swdd_probe_voltage(l->probe, &mv) != 0)
			want = no_ack;
		CHECK_EQ(swdd_target_connect(l->probe, &co, &l->t), want->rc);
		CHECK_STR_CONTAINS(swdd_err_detail(), want->cause);
		CHECK(l->t == NULL);
		lab_close(l);
	}
	return 0;
}

static int test_connect_fails(void)
{
	FOR_KINDS(do_connect_fails);
}

/* ---- detach --------------------------------------------------------------- */

static int do_detach(struct lab *l, enum sim_probe_kind kind)
{
	uint32_t demcr0, demcr, comp, fn, dhcsr;

	CHECK_OK(lab_new(l, kind, NULL, 5));
	CHECK_OK(swdd_probe_attach(l->probe, &comp));
	CHECK_OK(swdd_probe_read32(l->probe, DCB_DEMCR, &demcr0));
	{
		struct swdd_connect_opts co = { .mode = SWDD_CONNECT_NORMAL };
		CHECK_OK(swdd_target_connect(l->probe, &co, &l->t));
	}
	CHECK_OK(swdd_target_bp_add(l->t, SWDD_BP_HW, LOOP, 2));
	CHECK_OK(swdd_target_wp_add(l->t, SWDD_WP_WRITE, COUNTER, 4));
	CHECK_OK(swdd_target_detach(l->t));
	CHECK_OK(swdd_probe_read32(l->probe, FPB_COMP(0), &comp));
	CHECK_OK(swdd_probe_read32(l->probe, DWT_FUNCTION(0), &fn));
	CHECK_OK(swdd_probe_read32(l->probe, DCB_DEMCR, &demcr));
	CHECK_OK(swdd_probe_read32(l->probe, DCB_DHCSR, &dhcsr));
	CHECK_EQ(comp, 0);
	CHECK_EQ(fn & 0xF, 0);
	CHECK_EQ(demcr, demcr0);
	CHECK_EQ(dhcsr & DCB_DHCSR_S_HALT, 0);
	CHECK_OK(swdd_probe_read32(l->probe, FPB_CTRL, &comp));
	CHECK_EQ(comp & FPB_CTRL_ENABLE, 0); /* disabled, as found after power-on */
	/* the same target object can be used again: debug state is re-armed */
	{
		struct swdd_stop st;
		CHECK_OK(swdd_target_halt(l->t));
		CHECK_OK(set_reg(l, 15, RESET_PC));
		CHECK_OK(swdd_target_bp_add(l->t, SWDD_BP_HW, LDR_INSN, 2));
		CHECK_OK(run_until_stop(l, &st));
		CHECK_EQ(st.reason, SWDD_STOP_HWBREAK);
	}
	return 0;
}

static int test_detach(void)
{
	FOR_KINDS(do_detach);
}

/* ---- lockup and sleep -------------------------------------------------------- */

static int do_sleep_lockup(struct lab *l, enum sim_probe_kind kind)
{
	struct swdd_stop st = { 0 };

	CHECK_OK(lab_open(l, kind, "sleep", SWDD_CONNECT_ATTACH));
	for (int i = 0; i < 20 && st.reason != SWDD_STOP_SLEEP; i++)
		CHECK_OK(swdd_target_poll(l->t, &st));
	CHECK_EQ(st.reason, SWDD_STOP_SLEEP);
	CHECK(!swdd_target_is_halted(l->t));
	lab_close(l);
	CHECK_OK(lab_open(l, kind, "lockup", SWDD_CONNECT_ATTACH));
	st.reason = SWDD_STOP_NONE;
	for (int i = 0; i < 20 && st.reason != SWDD_STOP_LOCKUP; i++)
		CHECK_OK(swdd_target_poll(l->t, &st));
	CHECK_EQ(st.reason, SWDD_STOP_LOCKUP);
	CHECK_STR_CONTAINS(logbuf, "locked up");
	return 0;
}

static int test_sleep_lockup(void)
{
	FOR_KINDS(do_sleep_lockup);
}

static const struct test_case tests[] = {
	{ "identify", "RM0090 38.6.1, 39.1; ARMv7-M B3.2.3", test_identify },
	{ "halt_step_resume", "ARMv7-M C1.6.2 DHCSR", test_halt_step_resume },
	{ "registers", "ARMv7-M C1.6.3 DCRSR REGSEL", test_registers },
	{ "reg_cache", "ARMv7-M C1.6.3; issue 6 register cache", test_reg_cache },
	{ "flash_cache", "issue 15 flash contents cache; RM0090 3.6 programming", test_flash_cache },
	{ "sw_bp_ram", "ARMv7-M A7.7.17 BKPT, C1.6.1 DFSR.BKPT", test_sw_bp_ram },
	{ "hw_bp_flash", "ARMv7-M C1.11.5 FP_COMPn", test_hw_bp_flash },
	{ "watchpoints", "ARMv7-M C1.8.15-17 DWT", test_watchpoints },
	{ "resets", "ARMv7-M B3.2.6 AIRCR, C1.6.2 S_RESET_ST", test_resets },
	{ "nrst_push_pull", "RM0090 6.1.2 NRST", test_nrst_push_pull },
	{ "reset_from_attach", "ARMv7-M C1.6.5 VC_CORERESET needs C_DEBUGEN", test_reset_from_attach },
	{ "bkpt_insn", "ARMv7-M C1.6.1 DFSR.BKPT", test_bkpt_insn },
	{ "under_reset", "ARMv7-M C1.6.5 VC_CORERESET", test_under_reset },
	{ "attach", "issue 6 connect modes", test_attach },
	{ "ladder", "issue 6 clock ladder", test_ladder },
	{ "swd_disabled", "issue 6 connect modes", test_swd_disabled },
	{ "connect_fails", "issue 6 connect diagnosis", test_connect_fails },
	{ "detach", "detach restores DEMCR, FPB, DWT, DBGMCU", test_detach },
	{ "sleep_lockup", "ARMv7-M C1.6.2 S_SLEEP, S_LOCKUP", test_sleep_lockup },
};

TEST_MAIN("test_cortex_m_lab", tests)
