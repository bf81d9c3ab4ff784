/*
 * The simulated Cortex-M4F core and its debug components (sim/sim_core.c,
 * sim_exc.c, sim_scs.c, sim_fpb_dwt.c), driven through sim_swd_transfer()
 * like a probe: DP/AP packets (sim_test_util.h), MEM-AP accesses to the
 * debug registers, virtual time moved with sim_chip_advance().
 *
 * Each row names the sentence of the ARMv7-M Architecture Reference Manual
 * (DDI0403E, "ARMv7-M") it checks. Most tests run build/fw/fwtest.bin
 * (test/firmware/fwtest.c); its I/O block layout is in fwtest.h.
 */
#include "harness.h"
#include "sim_test_util.h"
#include "../firmware/fwtest.h"

#include <stdlib.h>

#define DHCSR 0xE000EDF0u
#define DCRSR 0xE000EDF4u
#define DCRDR 0xE000EDF8u
#define DEMCR 0xE000EDFCu
#define DFSR 0xE000ED30u
#define AIRCR 0xE000ED0Cu
#define CPUID 0xE000ED00u
#define CFSR 0xE000ED28u
#define HFSR 0xE000ED2Cu
#define FP_CTRL 0xE0002000u
#define FP_COMP0 0xE0002008u
#define DWT_CTRL 0xE0001000u
#define DWT_CYCCNT 0xE0001004u
#define DWT_COMP(n) (0xE0001020u + 16u * (n))
#define DWT_MASK(n) (0xE0001024u + 16u * (n))
#define DWT_FUNC(n) (0xE0001028u + 16u * (n))
#define ROM_TABLE 0xE00FF000u
#define DBGMCU_IDCODE 0xE0042000u
#define DBGMCU_CR 0xE0042004u

#define KEY 0xA05F0000u
#define C_DEBUGEN 0x1u
#define C_HALT 0x2u
#define C_STEP 0x4u
#define S_REGRDY (1u << 16)
#define S_HALT (1u << 17)
#define S_SLEEP (1u << 18)
#define S_LOCKUP (1u << 19)
#define S_RETIRE_ST (1u << 24)
#define S_RESET_ST (1u << 25)
#define DFSR_HALTED 0x1u
#define DFSR_BKPT 0x2u
#define DFSR_DWTTRAP 0x4u
#define DFSR_VCATCH 0x8u
#define VC_CORERESET 0x1u
#define TRCENA (1u << 24)
#define IO(off) (FWTEST_IO_ADDR + (off))
#define US 1000ull
#define MS 1000000ull

#define OK SIM_ACK_OK
#define RD(addr, pv) CHECK_EQ(tu_mem_read32(c, (addr), (pv)), OK)
#define WR(addr, v) CHECK_EQ(tu_mem_write32(c, (addr), (v)), OK)

/* ---- helpers ------------------------------------------------------------ */

static sim_chip *c;

static uint32_t rd(uint32_t addr)
{
	return tu_rd(c, addr);
}

/* Core register read through DCRSR/DCRDR (C1.6.3): -2 if S_REGRDY never
 * comes (the transfer was refused). */
static int reg_read(uint32_t regsel, uint32_t *v)
{
	if (tu_mem_write32(c, DCRSR, regsel) != OK)
		return -1;
	for (int i = 0; i < 8; i++)
		if (rd(DHCSR) & S_REGRDY)
			return tu_mem_read32(c, DCRDR, v) == OK ? 0 : -1;
	return -2;
}

static int reg_write(uint32_t regsel, uint32_t v)
{
	if (tu_mem_write32(c, DCRDR, v) != OK || tu_mem_write32(c, DCRSR, 0x10000u | regsel) != OK)
		return -1;
	for (int i = 0; i < 8; i++)
		if (rd(DHCSR) & S_REGRDY)
			return 0;
	return -2;
}

static uint32_t reg(uint32_t regsel)
{
	uint32_t v = 0xDEADBEEFu;

	reg_read(regsel, &v);
	return v;
}

static uint8_t *fw_image(size_t *len)
{
	const char *b = getenv("SWDD_BUILD");
	char path[512];
	uint8_t *buf = malloc(1u << 20);
	FILE *f;

	snprintf(path, sizeof(path), "%s/fw/fwtest.bin", b ? b : "build");
	f = fopen(path, "rb");
	if (!f || !buf) {
		if (f)
			fclose(f);
		free(buf);
		return NULL;
	}
	*len = fread(buf, 1, 1u << 20, f);
	fclose(f);
	return buf;
}

/* A connected chip with fwtest in flash, halted at its reset vector by
 * VC_CORERESET after a SYSRESETREQ, with io.mode = mode. */
static int fw_start(const struct sim_config *cfg, uint32_t mode)
{
	size_t len = 0;
	uint8_t *img = fw_image(&len);

	if (!img)
		return test_skip_reason("build/fw/fwtest.bin missing (make build/fw/fwtest.bin)");
	c = tu_connected_chip(cfg);
	CHECK(c != NULL);
	CHECK_OK(sim_chip_backdoor_load_flash(c, 0x08000000u, img, len));
	free(img);
	WR(DHCSR, KEY | C_DEBUGEN | C_HALT);
	WR(DEMCR, VC_CORERESET | TRCENA);
	WR(AIRCR, 0x05FA0004u);
	CHECK(rd(DHCSR) & S_HALT);
	WR(DFSR, 0x1Fu);
	WR(IO(FWTEST_MODE), mode);
	return 0;
}

static void fw_stop(void)
{
	sim_chip_free(c);
	c = NULL;
}

#define START(mode)                                                                                          \
	do {                                                                                                 \
		int _rc = fw_start(NULL, (mode));                                                            \
		if (_rc)                                                                                     \
			return _rc;                                                                          \
	} while (0)

/* Resumes and lets `ns` of virtual time pass. */
static int run_for(uint64_t ns)
{
	if (tu_mem_write32(c, DHCSR, KEY | C_DEBUGEN) != OK)
		return -1;
	sim_chip_advance(c, ns);
	return 0;
}

/* A test that runs fwtest in `mode` and checks `body`. */
#define FW_TEST(name, mode, body)                                                                            \
	static int name(void)                                                                                \
	{                                                                                                    \
		START(mode);                                                                                 \
		DONE(body);                                                                                  \
	}

#define RUN(ns) CHECK_OK(run_for(ns))
#define DONE(expr)                                                                                           \
	do {                                                                                                 \
		int _r = (expr);                                                                             \
		fw_stop();                                                                                   \
		return _r;                                                                                   \
	} while (0)

/* ---- DHCSR: halt, resume, step (C1.6.2) --------------------------------- */

static int body_halt_resume(void)
{
	uint32_t t1, t2;

	RUN(1 * MS);
	CHECK(!(rd(DHCSR) & S_HALT));
	WR(DHCSR, KEY | C_DEBUGEN | C_HALT);
	CHECK(rd(DHCSR) & S_HALT);
	CHECK(rd(DFSR) & DFSR_HALTED);
	t1 = rd(IO(FWTEST_TICKS));
	sim_chip_advance(c, 1 * MS);
	CHECK_EQ(rd(IO(FWTEST_TICKS)), t1); /* halted: nothing runs */
	RUN(1 * MS);
	t2 = rd(IO(FWTEST_TICKS));
	CHECK(t2 > t1);
	return 0;
}

FW_TEST(test_halt_resume, FWTEST_MODE_LOOP, body_halt_resume())

static int body_step(void)
{
	struct sim_chip_stats s1, s2;
	uint32_t pc1, pc2;

	RUN(1 * MS);
	WR(DHCSR, KEY | C_DEBUGEN | C_HALT);
	rd(DHCSR); /* clear S_RETIRE_ST */
	pc1 = reg(0x0F);
	sim_chip_get_stats(c, &s1);
	WR(DHCSR, KEY | C_DEBUGEN | C_STEP);
	sim_chip_advance(c, 10 * US);
	CHECK(rd(DHCSR) & S_HALT);
	sim_chip_get_stats(c, &s2);
	CHECK_EQ(s2.instructions - s1.instructions, 1);
	pc2 = reg(0x0F);
	CHECK(pc2 != pc1);
	CHECK(rd(DFSR) & DFSR_HALTED);
	return 0;
}

FW_TEST(test_step, FWTEST_MODE_LOOP, body_step())

static int body_key(void)
{
	RUN(1 * MS);
	WR(DHCSR, C_DEBUGEN | C_HALT); /* no DBGKEY */
	CHECK(!(rd(DHCSR) & S_HALT));
	WR(DHCSR, 0xA05E0000u | C_DEBUGEN | C_HALT); /* wrong key */
	CHECK(!(rd(DHCSR) & S_HALT));
	WR(DHCSR, KEY | C_DEBUGEN | C_HALT);
	CHECK(rd(DHCSR) & S_HALT);
	return 0;
}

FW_TEST(test_dhcsr_needs_key, FWTEST_MODE_LOOP, body_key())

static int body_sticky(void)
{
	WR(AIRCR, 0x05FA0004u);
	CHECK(rd(DHCSR) & S_RESET_ST);
	CHECK(!(rd(DHCSR) & S_RESET_ST)); /* cleared by the read */
	RUN(100 * US);
	WR(DHCSR, KEY | C_DEBUGEN | C_HALT);
	CHECK(rd(DHCSR) & S_RETIRE_ST);
	CHECK(!(rd(DHCSR) & S_RETIRE_ST));
	return 0;
}

/* AHB-AP sub-word access (ADIv5.2 C2.6.3: data on the lanes TAR[1:0] names). */
static int ap_sized(uint32_t csw, uint32_t addr, bool write, uint32_t *v)
{
	int ack = tu_ap_write(c, TU_AP_CSW, csw);

	if (ack == OK)
		ack = tu_ap_write(c, TU_AP_TAR, addr);
	if (ack == OK)
		ack = write ? tu_ap_write(c, TU_AP_DRW, *v << ((addr & 3u) * 8u))
			    : tu_ap_read(c, TU_AP_DRW, v);
	if (!write)
		*v >>= (addr & 3u) * 8u;
	return ack == OK ? tu_ap_write(c, TU_AP_CSW, TU_CSW_32_INC) : ack;
}

static int body_subword(void)
{
	uint32_t v = 0xA05Fu;

	WR(AIRCR, 0x05FA0004u);
	CHECK_EQ(ap_sized(0x23000050u, DHCSR, false, &v), OK); /* byte 0 only */
	CHECK_EQ(v & 0xFFu, C_DEBUGEN | C_HALT);
	CHECK(rd(DHCSR) & S_RESET_ST); /* not returned, so not cleared */
	v = 0xA05Fu;
	CHECK_EQ(ap_sized(0x23000051u, DHCSR + 2u, true, &v), OK); /* key alone: ignored */
	CHECK_EQ(rd(DHCSR) & (C_DEBUGEN | S_HALT), C_DEBUGEN | S_HALT);
	return 0;
}

FW_TEST(test_dhcsr_subword, FWTEST_MODE_LOOP, body_subword())

FW_TEST(test_sticky_bits, FWTEST_MODE_LOOP, body_sticky())

/* ---- DCRSR / DCRDR (C1.6.3) --------------------------------------------- */

static int body_gprs(void)
{
	for (uint32_t r = 0; r <= 0x0E; r++)
		CHECK_OK(reg_write(r, 0x20001000u + 8u * r));
	for (uint32_t r = 0; r <= 0x0E; r++)
		CHECK_EQ(reg(r), 0x20001000u + 8u * r);
	CHECK_OK(reg_write(0x0F, 0x08000200u));
	CHECK_EQ(reg(0x0F), 0x08000200u);
	CHECK_OK(reg_write(0x11, 0x20002000u)); /* MSP */
	CHECK_OK(reg_write(0x12, 0x20003000u)); /* PSP */
	CHECK_EQ(reg(0x11), 0x20002000u);
	CHECK_EQ(reg(0x12), 0x20003000u);
	CHECK_EQ(reg(0x0D), 0x20002000u); /* SP is MSP with SPSEL = 0 */
	CHECK_OK(reg_write(0x10, 0xF1000000u));
	CHECK_EQ(reg(0x10) & 0xFF0001FFu, 0xF1000000u);
	return 0;
}

FW_TEST(test_dcrsr_core_regs, FWTEST_MODE_LOOP, body_gprs())

static int body_fpu_regs(void)
{
	for (uint32_t s = 0; s < 32; s++)
		CHECK_OK(reg_write(0x40 + s, 0x3F800000u + s));
	for (uint32_t s = 0; s < 32; s++)
		CHECK_EQ(reg(0x40 + s), 0x3F800000u + s);
	CHECK_OK(reg_write(0x21, 0x03C00000u)); /* FPSCR: DN, FZ, RMode = RZ */
	CHECK_EQ(reg(0x21), 0x03C00000u);
	return 0;
}

FW_TEST(test_dcrsr_fpu_regs, FWTEST_MODE_LOOP, body_fpu_regs())

/* The packed word, and MSP/PSP/PRIMASK still accessible with CONTROL =
 * nPRIV | SPSEL (the debugger is not subject to privilege). */
static int body_special(void)
{
	uint32_t packed = (3u << 24) | (1u << 16) | (0x40u << 8) | 1u;

	CHECK_OK(reg_write(0x11, 0x20002000u));
	CHECK_OK(reg_write(0x12, 0x20003000u));
	CHECK_OK(reg_write(0x14, packed));
	CHECK_EQ(reg(0x14) & 0x03FFFFFFu, packed);
	CHECK_EQ(reg(0x11), 0x20002000u);
	CHECK_EQ(reg(0x12), 0x20003000u);
	CHECK_EQ(reg(0x0D), 0x20003000u); /* SP is PSP with SPSEL = 1 */
	CHECK_OK(reg_write(0x11, 0x20002100u));
	CHECK_EQ(reg(0x11), 0x20002100u);
	CHECK_OK(reg_write(0x14, 0));
	CHECK_EQ(reg(0x14) & 0x03FFFFFFu, 0);
	CHECK_EQ(reg(0x0D), 0x20002100u);
	return 0;
}

FW_TEST(test_dcrsr_special_packed, FWTEST_MODE_LOOP, body_special())

static int body_refused(void)
{
	uint32_t v;

	WR(DCRDR, 0x5A5A5A5Au);
	RUN(100 * US);
	CHECK_EQ(reg_read(0x00, &v), -2);
	CHECK_EQ(rd(DCRDR), 0x5A5A5A5Au);
	return 0;
}

FW_TEST(test_dcrsr_refused_running, FWTEST_MODE_LOOP, body_refused())

/* ---- resets (C1.6.5 VC_CORERESET, B3.2.6 AIRCR) ----------------------- */

static int body_vc_corereset(void)
{
	uint32_t sp0 = rd(0x08000000u), pc0 = rd(0x08000004u);

	CHECK(rd(DFSR) == 0);
	WR(AIRCR, 0x05FA0004u);
	CHECK(rd(DHCSR) & S_HALT);
	CHECK(rd(DFSR) & DFSR_VCATCH);
	CHECK_EQ(reg(0x0F), pc0 & ~1u);
	CHECK_EQ(reg(0x11), sp0);
	CHECK_EQ(reg(0x0E), 0xFFFFFFFFu);
	CHECK_EQ(reg(0x10), 0x01000000u);
	return 0;
}

FW_TEST(test_vc_corereset, FWTEST_MODE_LOOP, body_vc_corereset())

static int body_sysreset(void)
{
	struct sim_chip_stats s1, s2;

	WR(DEMCR, TRCENA); /* no vector catch: the core runs after reset */
	sim_chip_get_stats(c, &s1);
	WR(AIRCR, 0x05FA0004u);
	sim_chip_get_stats(c, &s2);
	CHECK_EQ(s2.resets, s1.resets + 1);
	CHECK_EQ(rd(DHCSR) & (C_DEBUGEN | S_RESET_ST | S_HALT), C_DEBUGEN | S_RESET_ST);
	CHECK_EQ(rd(DEMCR), TRCENA);
	sim_chip_advance(c, 1 * MS);
	CHECK_EQ(rd(IO(FWTEST_MAGIC)), FWTEST_DONE);
	return 0;
}

FW_TEST(test_sysresetreq_keeps_debugen, FWTEST_MODE_LOOP, body_sysreset())

static int body_vectreset(void)
{
	struct sim_chip_stats s1, s2;

	RUN(1 * MS);
	sim_chip_get_stats(c, &s1);
	WR(AIRCR, 0x05FA0001u);
	sim_chip_get_stats(c, &s2);
	CHECK_EQ(s2.resets, s1.resets); /* core only, not a system reset */
	CHECK(rd(DHCSR) & S_HALT);      /* VC_CORERESET still set */
	CHECK_EQ(reg(0x0F), rd(0x08000004u) & ~1u);
	return 0;
}

FW_TEST(test_vectreset, FWTEST_MODE_LOOP, body_vectreset())

static int body_aircr_key(void)
{
	CHECK_EQ(rd(AIRCR) >> 16, 0xFA05u);
	RUN(1 * MS);
	rd(DHCSR);
	WR(AIRCR, 0x00000004u); /* no VECTKEY: ignored */
	sim_chip_advance(c, 10 * US);
	CHECK(!(rd(DHCSR) & (S_RESET_ST | S_HALT)));
	return 0;
}

FW_TEST(test_aircr_needs_key, FWTEST_MODE_LOOP, body_aircr_key())

/* ---- breakpoints (C1.4 BKPT, C1.11 FPB) --------------------------------- */

static int body_bkpt(void)
{
	RUN(1 * MS);
	CHECK(rd(DHCSR) & S_HALT);
	CHECK(rd(DFSR) & DFSR_BKPT);
	CHECK_EQ(rd(reg(0x0F) & ~3u) >> ((reg(0x0F) & 2u) * 8u) & 0xFFFFu, 0xBE42u);
	return 0;
}

FW_TEST(test_bkpt_halts, FWTEST_MODE_BKPT, body_bkpt())

static int body_bkpt_nodebug(void)
{
	WR(DHCSR, KEY); /* C_DEBUGEN = 0: leave Debug state and run */
	sim_chip_advance(c, 1 * MS);
	CHECK(!(rd(DHCSR) & S_HALT));
	CHECK_EQ(rd(IO(FWTEST_HARDFAULT)), 1);
	CHECK(rd(HFSR) & (1u << 31)); /* DEBUGEVT */
	return 0;
}

FW_TEST(test_bkpt_without_debugen_hardfaults, FWTEST_MODE_BKPT, body_bkpt_nodebug())

static uint32_t fp_comp(uint32_t addr)
{
	return (addr & 0x1FFFFFFCu) | ((addr & 2u) ? 0x80000000u : 0x40000000u) | 1u;
}

static int body_fpb(void)
{
	uint32_t pc, t;

	CHECK_EQ(rd(FP_CTRL), 0x00000260u); /* NUM_CODE 6, NUM_LIT 2, REV 0 */
	WR(FP_CTRL, 0x1u);                  /* no KEY: ignored */
	CHECK_EQ(rd(FP_CTRL) & 1u, 0);
	WR(FP_CTRL, 0x3u);
	CHECK_EQ(rd(FP_CTRL), 0x00000261u);
	RUN(1 * MS);
	WR(DHCSR, KEY | C_DEBUGEN | C_HALT);
	pc = reg(0x0F);
	WR(FP_COMP0 + 8u, fp_comp(pc));
	WR(DFSR, 0x1Fu);
	t = rd(IO(FWTEST_TICKS));
	RUN(1 * MS); /* resuming on the breakpoint halts again before it runs */
	CHECK(rd(DHCSR) & S_HALT);
	CHECK_EQ(rd(DFSR), DFSR_BKPT);
	CHECK_EQ(reg(0x0F), pc);
	CHECK_EQ(rd(IO(FWTEST_TICKS)), t);
	/* step over it with the comparator off, as a debugger does */
	WR(FP_COMP0 + 8u, 0);
	WR(DHCSR, KEY | C_DEBUGEN | C_STEP);
	sim_chip_advance(c, 10 * US);
	CHECK(reg(0x0F) != pc);
	WR(FP_COMP0 + 8u, fp_comp(pc));
	WR(DFSR, 0x1Fu);
	RUN(1 * MS); /* next turn of the loop */
	CHECK_EQ(rd(DFSR), DFSR_BKPT);
	CHECK_EQ(reg(0x0F), pc);
	CHECK(rd(IO(FWTEST_TICKS)) - t <= 1);
	return 0;
}

FW_TEST(test_fpb_breakpoint, FWTEST_MODE_LOOP, body_fpb())

/* FPB v1 compares COMP[28:2] only: code at 0x20000000 and up can't match. */
static int body_fpb_sram(void)
{
	WR(0x20000100u, 0xE7FEBF00u); /* nop; b . */
	CHECK_OK(reg_write(0x0F, 0x20000100u));
	WR(FP_CTRL, 0x3u);
	WR(FP_COMP0, 0x20000101u | 0x40000000u);
	CHECK_EQ(rd(FP_COMP0), 0x40000101u); /* bit 29 is reserved */
	RUN(1 * MS);
	CHECK(!(rd(DHCSR) & S_HALT));
	return 0;
}

FW_TEST(test_fpb_refuses_sram, FWTEST_MODE_LOOP, body_fpb_sram())

/* ---- DWT (C1.8) ----------------------------------------------------------- */

static int dwt_watch(uint32_t addr, uint32_t mask, uint32_t func)
{
	if (tu_mem_write32(c, DWT_COMP(1), addr) != OK || tu_mem_write32(c, DWT_MASK(1), mask) != OK ||
	    tu_mem_write32(c, DWT_FUNC(1), func) != OK)
		return -1;
	return 0;
}

static int body_dwt(uint32_t addr, uint32_t mask, uint32_t func, bool hit)
{
	RUN(1 * MS);
	WR(DHCSR, KEY | C_DEBUGEN | C_HALT);
	WR(DFSR, 0x1Fu);
	CHECK_OK(dwt_watch(addr, mask, func));
	RUN(1 * MS);
	if (!hit) {
		CHECK(!(rd(DHCSR) & S_HALT));
		CHECK_EQ(rd(DWT_FUNC(1)) & (1u << 24), 0);
		return 0;
	}
	CHECK(rd(DHCSR) & S_HALT);
	CHECK_EQ(rd(DFSR), DFSR_DWTTRAP);
	CHECK(rd(DWT_FUNC(1)) & (1u << 24));       /* MATCHED */
	CHECK_EQ(rd(DWT_FUNC(1)) & (1u << 24), 0); /* cleared by the read */
	return 0;
}

FW_TEST(test_dwt_write_watch, FWTEST_MODE_LOOP, body_dwt(IO(FWTEST_TICKS), 0, 6, true))

FW_TEST(test_dwt_read_watch, FWTEST_MODE_LOOP, body_dwt(IO(FWTEST_WATCH), 0, 5, true))

FW_TEST(test_dwt_write_watch_ignores_reads, FWTEST_MODE_LOOP, body_dwt(IO(FWTEST_WATCH), 0, 6, false))

/* 0x20-0x2F covers WATCH and SCRATCH */
FW_TEST(test_dwt_mask_range, FWTEST_MODE_LOOP, body_dwt(IO(0x20u), 4, 7, true))

FW_TEST(test_dwt_mask_miss, FWTEST_MODE_LOOP, body_dwt(IO(0x30u), 2, 7, false))

/* The watchpoint halts after the access: the store has completed. */
static int body_dwt_after(void)
{
	uint32_t t;

	RUN(1 * MS);
	WR(DHCSR, KEY | C_DEBUGEN | C_HALT);
	t = rd(IO(FWTEST_TICKS));
	CHECK_OK(dwt_watch(IO(FWTEST_TICKS), 0, 6));
	RUN(1 * MS);
	CHECK(rd(DHCSR) & S_HALT);
	CHECK_EQ(rd(IO(FWTEST_TICKS)), t + 1);
	return 0;
}

FW_TEST(test_dwt_halts_after_access, FWTEST_MODE_LOOP, body_dwt_after())

static int body_dwt_pc(void)
{
	uint32_t pc;

	RUN(1 * MS);
	WR(DHCSR, KEY | C_DEBUGEN | C_HALT);
	pc = reg(0x0F);
	WR(DHCSR, KEY | C_DEBUGEN | C_STEP);
	sim_chip_advance(c, 10 * US);
	CHECK_OK(dwt_watch(pc, 0, 4));
	WR(DFSR, 0x1Fu);
	RUN(1 * MS);
	CHECK(rd(DHCSR) & S_HALT);
	CHECK_EQ(rd(DFSR), DFSR_DWTTRAP);
	CHECK_EQ(reg(0x0F), pc);
	return 0;
}

FW_TEST(test_dwt_pc_match, FWTEST_MODE_LOOP, body_dwt_pc())

/* sim.h: the core executes one instruction per 16 MHz cycle. */
static int body_ipc(void)
{
	struct sim_chip_stats s1, s2;

	RUN(1 * MS);
	sim_chip_get_stats(c, &s1);
	sim_chip_advance(c, 1 * MS);
	sim_chip_get_stats(c, &s2);
	CHECK_EQ(s2.instructions - s1.instructions, 16000);
	return 0;
}

FW_TEST(test_one_instruction_per_cycle, FWTEST_MODE_LOOP, body_ipc())

static int body_cyccnt(void)
{
	uint32_t n;

	CHECK_EQ(rd(DWT_CTRL) >> 28, 4); /* NUMCOMP */
	WR(DWT_CYCCNT, 0);
	WR(DWT_CTRL, 1);
	RUN(1 * MS);
	n = rd(DWT_CYCCNT);
	CHECK(n >= 15000 && n <= 17000); /* 16 MHz HSI */
	WR(DHCSR, KEY | C_DEBUGEN | C_HALT);
	n = rd(DWT_CYCCNT);
	sim_chip_advance(c, 1 * MS);
	CHECK(rd(DWT_CYCCNT) - n < 100); /* not counting in Debug state */
	return 0;
}

FW_TEST(test_cyccnt, FWTEST_MODE_LOOP, body_cyccnt())

/* ---- sleep, faults, lockup (B1.5.14, B1.5.15, B1.5.19) ---------------- */

static int body_wfi(void)
{
	uint32_t pc;

	RUN(1 * MS);
	CHECK_EQ(rd(DHCSR) & (S_SLEEP | S_HALT), S_SLEEP);
	WR(DHCSR, KEY | C_DEBUGEN | C_HALT);
	CHECK_EQ(rd(DHCSR) & (S_SLEEP | S_HALT), S_HALT);
	pc = reg(0x0F);
	CHECK_EQ(rd((pc - 2u) & ~3u) >> (((pc - 2u) & 2u) * 8u) & 0xFFFFu, 0xBF30u);
	return 0;
}

/* Stepping WFI completes it: the step request is the wake-up event. */
static int body_wfi_step(void)
{
	uint32_t pc;

	RUN(1 * MS);
	WR(DHCSR, KEY | C_DEBUGEN | C_HALT);
	for (int i = 0; i < 2; i++) { /* b back to the WFI, then the WFI */
		WR(DHCSR, KEY | C_DEBUGEN | C_STEP);
		sim_chip_advance(c, 10 * US);
		CHECK_EQ(rd(DHCSR) & (S_SLEEP | S_HALT), S_HALT);
	}
	pc = reg(0x0F);
	CHECK_EQ(rd((pc - 2u) & ~3u) >> (((pc - 2u) & 2u) * 8u) & 0xFFFFu, 0xBF30u);
	return 0;
}

FW_TEST(test_wfi_step, FWTEST_MODE_WFI, body_wfi_step())

FW_TEST(test_wfi_sleeps, FWTEST_MODE_WFI, body_wfi())

static int body_fault(void)
{
	RUN(1 * MS);
	CHECK_EQ(rd(DHCSR) & (S_LOCKUP | S_HALT), 0);
	WR(DHCSR, KEY | C_DEBUGEN | C_HALT);
	CHECK_EQ(reg(0x10) & 0x1FFu, 3); /* in HardFault */
	CHECK_EQ(rd(IO(FWTEST_HARDFAULT)), 1);
	CHECK(rd(CFSR) & (1u << 16)); /* UNDEFINSTR */
	CHECK(rd(HFSR) & (1u << 30)); /* FORCED */
	return 0;
}

FW_TEST(test_fault_enters_hardfault, FWTEST_MODE_FAULT, body_fault())

/* VC_HARDERR: halt on the HardFault handler's first instruction. */
static int body_vc_harderr(void)
{
	WR(DEMCR, TRCENA | (1u << 10));
	RUN(1 * MS);
	CHECK(rd(DHCSR) & S_HALT);
	CHECK_EQ(rd(DFSR), DFSR_VCATCH);
	CHECK_EQ(reg(0x10) & 0x1FFu, 3);
	CHECK_EQ(reg(0x0F), rd(0x0800000Cu) & ~1u);
	CHECK_EQ(reg(0x0E), 0xFFFFFFF9u); /* EXC_RETURN: thread mode, main stack */
	CHECK_EQ(rd(IO(FWTEST_HARDFAULT)), 0);
	return 0;
}

FW_TEST(test_vc_harderr, FWTEST_MODE_FAULT, body_vc_harderr())

static int body_lockup(void)
{
	RUN(1 * MS);
	CHECK(rd(DHCSR) & S_LOCKUP);
	CHECK_EQ(rd(IO(FWTEST_HARDFAULT)), 1);
	WR(DHCSR, KEY | C_DEBUGEN | C_HALT);
	CHECK_EQ(rd(DHCSR) & (S_LOCKUP | S_HALT), S_HALT);
	CHECK_EQ(reg(0x0F), 0xFFFFFFFEu);
	return 0;
}

FW_TEST(test_lockup, FWTEST_MODE_LOCKUP, body_lockup())

static int body_svc(void)
{
	uint32_t t;

	RUN(1 * MS);
	CHECK_EQ(rd(IO(FWTEST_SVC)), 1);
	t = rd(IO(FWTEST_TICKS));
	sim_chip_advance(c, 1 * MS);
	CHECK(rd(IO(FWTEST_TICKS)) > t); /* back in main after the return */
	WR(DHCSR, KEY | C_DEBUGEN | C_HALT);
	CHECK_EQ(reg(0x10) & 0x1FFu, 0);
	return 0;
}

FW_TEST(test_svc_exception_return, FWTEST_MODE_SVC, body_svc())

/* From unprivileged thread mode on PSP: the frame goes on PSP, the handler
 * runs on MSP, EXC_RETURN 0xFFFFFFFD brings back PSP and nPRIV. */
static int body_unpriv_svc(void)
{
	uint32_t t;

	RUN(1 * MS);
	CHECK_EQ(rd(IO(FWTEST_SVC)), 1);
	t = rd(IO(FWTEST_TICKS));
	sim_chip_advance(c, 1 * MS);
	CHECK(rd(IO(FWTEST_TICKS)) > t);
	WR(DHCSR, KEY | C_DEBUGEN | C_HALT);
	CHECK_EQ(reg(0x14) >> 24 & 3u, 3u); /* nPRIV, SPSEL */
	CHECK_EQ(reg(0x10) & 0x1FFu, 0);
	CHECK_EQ(reg(0x12), FWTEST_PSP_TOP); /* the frame was popped off PSP */
	CHECK_EQ(reg(0x0D), FWTEST_PSP_TOP);
	CHECK(reg(0x11) < rd(0x08000000u) && reg(0x11) >= rd(0x08000000u) - 0x40u); /* MSP: main's frame */
	return 0;
}

FW_TEST(test_unpriv_svc, FWTEST_MODE_UNPRIV_SVC, body_unpriv_svc())

static int test_erased_flash_locks_up(void)
{
	c = tu_connected_chip(NULL);
	CHECK(c != NULL);
	sim_chip_advance(c, 1 * MS);
	DONE((rd(DHCSR) & S_LOCKUP) ? 0 : test_fail_at(__FILE__, __LINE__, "no lockup"));
}

static int knob(uint32_t fault, uint32_t bit)
{
	struct sim_config cfg = { .faults = fault };
	int rc = fw_start(&cfg, FWTEST_MODE_LOOP);

	if (rc)
		return rc;
	RUN(5 * MS);
	DONE((rd(DHCSR) & bit) ? 0 : test_fail_at(__FILE__, __LINE__, "state bit 0x%x not set", bit));
}

static int test_knob_sleep(void)
{
	return knob(SIM_FAULT_SLEEP, S_SLEEP);
}

static int test_knob_lockup(void)
{
	return knob(SIM_FAULT_LOCKUP, S_LOCKUP);
}

/* ---- EPSR.T (ARMv7-M B1.4.2, B1.5.5, C1.6.3) ------------------------------ */

/* Flash whose reset vector lacks the Thumb bit (0x08000100, even), with
 * `movs r0, #1; b .` there; halted by VC_CORERESET on that vector. */
static int invstate_start(void)
{
	static const uint32_t img[0x42] = { [0] = 0x20001000u, [1] = 0x08000100u, [0x40] = 0xE7FE2001u };

	c = tu_connected_chip(NULL);
	CHECK(c != NULL);
	CHECK_OK(sim_chip_backdoor_load_flash(c, 0x08000000u, img, sizeof(img)));
	WR(DHCSR, KEY | C_DEBUGEN | C_HALT);
	WR(DEMCR, VC_CORERESET);
	WR(AIRCR, 0x05FA0004u);
	CHECK(rd(DHCSR) & S_HALT);
	CHECK_EQ(reg(0x0F), 0x08000100u);
	return 0;
}

static int step_once(void)
{
	WR(DHCSR, KEY | C_DEBUGEN | C_STEP);
	sim_chip_advance(c, 10 * US);
	CHECK(rd(DHCSR) & S_HALT);
	return 0;
}

/* TakeReset sets EPSR.T from bit 0 of the vector (B1.5.5): xPSR reads T = 0.
 * A debugger's xPSR write sets EPSR.T (C1.6.3): with T = 1 the next step
 * executes the instruction at the written PC. A write of PC alone is the
 * DebugReturnAddress and leaves T at 0: the step takes the INVSTATE
 * UsageFault (B1.4.2), as silicon does. */
static int body_invstate(bool write_xpsr)
{
	CHECK_OK(invstate_start());
	CHECK_EQ(reg(0x10) & (1u << 24), 0);
	CHECK_OK(reg_write(0x0F, 0x08000100u));
	if (write_xpsr)
		CHECK_OK(reg_write(0x10, 1u << 24));
	CHECK_OK(step_once());
	if (!write_xpsr) {
		CHECK(rd(CFSR) & (1u << 17)); /* INVSTATE */
		return 0;
	}
	CHECK_EQ(rd(CFSR), 0);
	CHECK_EQ(reg(0x00), 1);
	CHECK_EQ(reg(0x0F), 0x08000102u);
	CHECK_EQ(reg(0x10), 1u << 24);
	/* and a write of T = 0 makes the next instruction fault */
	CHECK_OK(reg_write(0x10, 0));
	CHECK_OK(step_once());
	CHECK(rd(CFSR) & (1u << 17));
	return 0;
}

static int test_invstate_xpsr_write(void)
{
	DONE(body_invstate(true));
}

static int test_invstate_pc_write(void)
{
	DONE(body_invstate(false));
}

/* ---- firmware results ----------------------------------------------------- */

/* B3.3: SysTick counts processor cycles and pends its exception at 0. */
static int body_systick(uint32_t want_sleep)
{
	uint32_t n;

	RUN(10 * MS); /* 160000 cycles: 160 periods */
	n = rd(IO(FWTEST_SYSTICK));
	CHECK(n >= 155 && n <= 160);
	CHECK_EQ(rd(DHCSR) & S_SLEEP, want_sleep);
	CHECK(rd(IO(FWTEST_TICKS)) > 0 || want_sleep);
	WR(DHCSR, KEY | C_DEBUGEN | C_HALT);
	n = rd(IO(FWTEST_SYSTICK));
	sim_chip_advance(c, 1 * MS);
	CHECK_EQ(rd(IO(FWTEST_SYSTICK)), n); /* halted: the counter stops */
	return 0;
}

FW_TEST(test_systick, FWTEST_MODE_SYSTICK, body_systick(0))
FW_TEST(test_systick_wakes_wfi, FWTEST_MODE_SYSTICK_WFI, body_systick(S_SLEEP))

static int body_pendsv(void)
{
	RUN(1 * MS);
	CHECK_EQ(rd(IO(FWTEST_PENDSV)), 1);
	CHECK(rd(IO(FWTEST_TICKS)) > 0);
	return 0;
}

FW_TEST(test_pendsv, FWTEST_MODE_PENDSV, body_pendsv())

/* C1.6.2: C_MASKINTS keeps SysTick from being taken. */
static int body_maskints(void)
{
	uint32_t n;

	RUN(1 * MS);
	WR(DHCSR, KEY | C_DEBUGEN | C_HALT | 0x8u);
	WR(DHCSR, KEY | C_DEBUGEN | 0x8u);
	n = rd(IO(FWTEST_SYSTICK));
	sim_chip_advance(c, 1 * MS);
	CHECK_EQ(rd(IO(FWTEST_SYSTICK)), n);
	RUN(1 * MS);
	CHECK(rd(IO(FWTEST_SYSTICK)) > n);
	return 0;
}

FW_TEST(test_maskints, FWTEST_MODE_SYSTICK, body_maskints())

static int body_fwtest(void)
{
	RUN(2 * MS);
	CHECK_EQ(rd(IO(FWTEST_MAGIC)), FWTEST_DONE);
	CHECK_EQ(rd(IO(FWTEST_DATA_OK)), 1);
	CHECK_EQ(rd(IO(FWTEST_BSS_OK)), 1);
	CHECK_EQ(rd(IO(FWTEST_CALL)), 50);
	CHECK_EQ(rd(IO(FWTEST_LOOP)), 5050);
	CHECK_EQ(rd(IO(FWTEST_FPU)), FWTEST_FPU_EXPECTED);
	CHECK(rd(IO(FWTEST_TICKS)) > 100);
	return 0;
}

FW_TEST(test_fwtest_results, FWTEST_MODE_LOOP, body_fwtest())

/* ---- identification ------------------------------------------------------- */

static int body_ids(void)
{
	static const uint32_t cidr_rom[4] = { 0x0D, 0x10, 0x05, 0xB1 };

	CHECK_EQ(rd(CPUID), 0x410FC241u);
	CHECK_EQ(rd(DBGMCU_IDCODE), 0x10076413u);
	WR(DBGMCU_CR, 0x7u);
	CHECK_EQ(rd(DBGMCU_CR), 0x7u);
	CHECK_EQ(rd(ROM_TABLE), 0xFFF0F003u); /* SCS at 0xE000E000 */
	CHECK_EQ(rd(ROM_TABLE + 4), 0xFFF02003u);
	CHECK_EQ(rd(ROM_TABLE + 8), 0xFFF03003u);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(rd(ROM_TABLE + 0xFF0u + 4u * i), cidr_rom[i]);
	CHECK_EQ(rd(0xE000EFF4u), 0xE0u); /* SCS: class 0xE */
	CHECK_EQ(rd(0xE0001FF4u), 0xE0u);
	CHECK_EQ(rd(0xE0002FF4u), 0xE0u);
	WR(DFSR, 0x1Fu);
	CHECK_EQ(rd(DFSR), 0);
	return 0;
}

FW_TEST(test_ids_rom_table, FWTEST_MODE_LOOP, body_ids())

static const struct test_case tests[] = {
	{ "halt_resume", "ARMv7-M C1.6.2 DHCSR C_HALT halts, C_HALT=0 resumes", test_halt_resume },
	{ "step", "ARMv7-M C1.6.2 C_STEP executes one instruction", test_step },
	{ "dhcsr_needs_key", "ARMv7-M C1.6.2 writes without DBGKEY 0xA05F are ignored",
	  test_dhcsr_needs_key },
	{ "sticky_bits", "ARMv7-M C1.6.2 S_RESET_ST/S_RETIRE_ST clear on read", test_sticky_bits },
	{ "dhcsr_subword", "ARMv7-M C1.6.2 sub-word DHCSR writes ignored, byte reads keep sticky bits",
	  test_dhcsr_subword },
	{ "dcrsr_core_regs", "ARMv7-M C1.6.3 DCRSR REGSEL R0-R12 SP LR PC xPSR MSP PSP",
	  test_dcrsr_core_regs },
	{ "dcrsr_fpu_regs", "ARMv7-M C1.6.3 DCRSR REGSEL FPSCR 0x21, S0-S31 0x40-0x5F", test_dcrsr_fpu_regs },
	{ "dcrsr_special_packed", "ARMv7-M C1.6.3 REGSEL 0x14 CONTROL/FAULTMASK/BASEPRI/PRIMASK",
	  test_dcrsr_special_packed },
	{ "dcrsr_refused_running", "ARMv7-M C1.6.3 transfers only in Debug state",
	  test_dcrsr_refused_running },
	{ "vc_corereset", "ARMv7-M C1.6.5 VC_CORERESET halts before the first instruction",
	  test_vc_corereset },
	{ "sysresetreq_keeps_debugen", "ARMv7-M B3.2.6 SYSRESETREQ; C1.6.2 C_DEBUGEN survives local reset",
	  test_sysresetreq_keeps_debugen },
	{ "vectreset", "ARMv7-M B3.2.6 VECTRESET resets the core only", test_vectreset },
	{ "aircr_needs_key", "ARMv7-M B3.2.6 AIRCR writes need VECTKEY 0x05FA", test_aircr_needs_key },
	{ "bkpt_halts", "ARMv7-M C1.4 BKPT halts with DFSR.BKPT", test_bkpt_halts },
	{ "bkpt_without_debugen_hardfaults", "ARMv7-M C1.4 BKPT with debug disabled escalates to HardFault",
	  test_bkpt_without_debugen_hardfaults },
	{ "fpb_breakpoint", "ARMv7-M C1.11 FPB v1 comparator halts before the instruction",
	  test_fpb_breakpoint },
	{ "fpb_refuses_sram", "ARMv7-M C1.11.5 FPB v1 COMP matches 0-0x1FFFFFFF only",
	  test_fpb_refuses_sram },
	{ "dwt_write_watch", "ARMv7-M C1.8.17 FUNCTION 6 halts on a write", test_dwt_write_watch },
	{ "dwt_read_watch", "ARMv7-M C1.8.17 FUNCTION 5 halts on a read", test_dwt_read_watch },
	{ "dwt_write_watch_ignores_reads", "ARMv7-M C1.8.17 FUNCTION 6 ignores reads",
	  test_dwt_write_watch_ignores_reads },
	{ "dwt_mask_range", "ARMv7-M C1.8.16 MASK ignores low address bits", test_dwt_mask_range },
	{ "dwt_mask_miss", "ARMv7-M C1.8.16 MASK range excludes other addresses", test_dwt_mask_miss },
	{ "dwt_halts_after_access", "ARMv7-M C1.8.1 data watchpoint halts after the access",
	  test_dwt_halts_after_access },
	{ "dwt_pc_match", "ARMv7-M C1.8.17 FUNCTION 4 halts on the instruction address", test_dwt_pc_match },
	{ "one_instruction_per_cycle", "sim.h time model: 16 MHz HSI, one instruction per cycle",
	  test_one_instruction_per_cycle },
	{ "cyccnt", "ARMv7-M C1.8.8 CYCCNT counts cycles, not in Debug state", test_cyccnt },
	{ "wfi_sleeps", "ARMv7-M C1.6.2 S_SLEEP while in WFI", test_wfi_sleeps },
	{ "wfi_step", "ARMv7-M C1.6.2 C_STEP over WFI halts after it", test_wfi_step },
	{ "fault_enters_hardfault", "ARMv7-M B1.5.14 UNDEFINSTR escalates to HardFault (FORCED)",
	  test_fault_enters_hardfault },
	{ "vc_harderr", "ARMv7-M C1.6.5 VC_HARDERR halts on HardFault entry; B1.5.6 EXC_RETURN",
	  test_vc_harderr },
	{ "lockup", "ARMv7-M B1.5.15 fault in HardFault locks up, S_LOCKUP", test_lockup },
	{ "svc_exception_return", "ARMv7-M B1.5.6/B1.5.8 exception entry and return",
	  test_svc_exception_return },
	{ "unpriv_svc", "ARMv7-M B1.5.6/B1.5.8 entry from unprivileged thread on PSP and return",
	  test_unpriv_svc },
	{ "erased_flash_locks_up", "ARMv7-M B1.5.15 no handler path: lockup", test_erased_flash_locks_up },
	{ "invstate_xpsr_write",
	  "ARMv7-M C1.6.3 an xPSR write sets EPSR.T: the step after a reset vector "
	  "without the Thumb bit executes",
	  test_invstate_xpsr_write },
	{ "invstate_pc_write", "ARMv7-M B1.4.2 a PC write alone leaves EPSR.T = 0: INVSTATE",
	  test_invstate_pc_write },
	{ "knob_sleep", "issue 2 fault knob sleep: S_SLEEP", test_knob_sleep },
	{ "knob_lockup", "issue 2 fault knob lockup: S_LOCKUP", test_knob_lockup },
	{ "systick", "ARMv7-M B3.3 SysTick pends its exception when it reaches 0; stops when halted",
	  test_systick },
	{ "systick_wakes_wfi", "ARMv7-M B1.5.19 a pending exception wakes WFI", test_systick_wakes_wfi },
	{ "pendsv", "ARMv7-M B3.2.4 ICSR.PENDSVSET pends PendSV", test_pendsv },
	{ "maskints", "ARMv7-M C1.6.2 C_MASKINTS masks SysTick", test_maskints },
	{ "fwtest_results", "ARMv7-M B1.5.5 reset; .data/.bss/FPU via fwtest", test_fwtest_results },
	{ "ids_rom_table", "ARMv7-M B4.1 CPUID; C1.2 ROM table; RM0090 38.6 DBGMCU", test_ids_rom_table },
};

TEST_MAIN("test_sim_core", tests)
