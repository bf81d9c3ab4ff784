/*
 * Emulated ST-LINK firmware (sim/sim_stlink*.c), driven exactly as a USB
 * host drives a probe: one 16-byte sim_probe_out() per command, the write
 * data phase as a separate OUT, and sim_probe_in() for exactly the reply
 * length the host asks for. References: docs/STLINK-PROTOCOL.md ("§x"),
 * OpenOCD src/jtag/drivers/stlink_usb.c ("OpenOCD"), ADIv5.2, ARMv7-M ARM,
 * RM0090 (STM32F407). Memory transfers: test_sim_stlink_mem.c.
 */
#include "stlink_test_util.h"

struct id_row {
	enum sim_probe_kind kind;
	uint16_t pid;
	uint8_t ep_out, ep_in;
	uint16_t mps;
	bool hs;
	const char *product, *iface;
};

static const struct id_row id_rows[] = {
	{ V2, 0x3748, 0x02, 0x81, 64, false, "STM32 STLink", "ST Link" },
	{ V21, 0x374B, 0x01, 0x81, 64, false, "STM32 STLink", "ST-Link Debug" },
	{ V3, 0x374F, 0x01, 0x81, 512, true, "STLINK-V3", "ST-Link Debug" },
};

static int test_usb_identity(void)
{
	for (size_t i = 0; i < sizeof(id_rows) / sizeof(id_rows[0]); i++) {
		const struct id_row *r = &id_rows[i];
		struct lab l;
		CHECK_OK(lab_open(&l, r->kind, 0, NULL));
		const struct sim_usb_identity *u = sim_probe_usb(l.p);
		CHECK_EQ(u->vid, 0x0483);
		CHECK_EQ(u->pid, r->pid);
		CHECK_EQ(u->ep_out, r->ep_out);
		CHECK_EQ(u->ep_in, r->ep_in);
		CHECK_EQ(u->max_packet, r->mps);
		CHECK_EQ(u->high_speed, r->hs);
		CHECK(!strcmp(u->product, r->product));
		CHECK(!strcmp(u->interface_name, r->iface));
		CHECK_EQ(strlen(u->serial), 24);
		CHECK_EQ(strspn(u->serial, "0123456789ABCDEFabcdef"), 24);
		lab_close(&l);
	}
	return 0;
}

static int test_bad_config(void)
{
	struct sim_config cfg = { 0 };
	struct sim_probe_config pc = { .kind = V2, .serial = "1234" };
	sim_chip *chip;
	sim_probe *p;
	char err[128];

	CHECK_OK(sim_chip_new(&cfg, &chip, err, sizeof(err)));
	CHECK(sim_probe_new(&pc, chip, &p) != 0);
	pc.serial = NULL;
	pc.fw_jtag = 64; /* J is a 6-bit field on V2 */
	CHECK(sim_probe_new(&pc, chip, &p) != 0);
	pc.serial = "0123456789ABCDEF01234567";
	pc.fw_jtag = 0;
	CHECK_OK(sim_probe_new(&pc, chip, &p));
	CHECK(!strcmp(sim_probe_usb(p)->serial, pc.serial));
	sim_probe_free(p);
	sim_chip_free(chip);
	return 0;
}

/* GET_VERSION: big-endian [15:12] hw, [11:6] J, [5:0] S (V2) or M (V2-1),
 * then VID, PID little-endian (REF 1.3; OpenOCD stlink_usb_version). */
struct ver_row {
	enum sim_probe_kind kind;
	unsigned j;
	uint8_t b0, b1, pid_lo, pid_hi;
};

static const struct ver_row ver_rows[] = {
	{ V2, 0, 0x29, 0x47, 0x48, 0x37 },  /* V2J37S7 */
	{ V2, 24, 0x26, 0x07, 0x48, 0x37 }, /* V2J24S7 */
	{ V21, 0, 0x29, 0x5A, 0x4B, 0x37 }, /* V2J37M26 */
	{ V3, 0, 0x30, 0x00, 0x4F, 0x37 },  /* V3: J = S = 0, see GET_VERSION_EX */
};

static int test_get_version(void)
{
	for (size_t i = 0; i < sizeof(ver_rows) / sizeof(ver_rows[0]); i++) {
		const struct ver_row *r = &ver_rows[i];
		struct lab l;
		CHECK_OK(lab_open(&l, r->kind, r->j, NULL));
		RUN(&l, 6, 0xF1, 0x80);
		CHECK_EQ(l.rsp[0], r->b0);
		CHECK_EQ(l.rsp[1], r->b1);
		CHECK_EQ(l.rsp[2], 0x83);
		CHECK_EQ(l.rsp[3], 0x04);
		CHECK_EQ(l.rsp[4], r->pid_lo);
		CHECK_EQ(l.rsp[5], r->pid_hi);
		lab_close(&l);
	}
	return 0;
}

static int test_get_version_ex(void)
{
	struct lab l;

	CHECK_OK(lab_open(&l, V3, 0, NULL));
	RUN(&l, 12, 0xFB, 0x80);
	CHECK_EQ(l.rsp[0], 3);
	CHECK_EQ(l.rsp[2], 7); /* J7 default */
	CHECK_EQ(l.rsp[8] | l.rsp[9] << 8, 0x0483);
	CHECK_EQ(l.rsp[10] | l.rsp[11] << 8, 0x374F);
	lab_close(&l);
	CHECK_OK(lab_open(&l, V2, 0, NULL));
	RUN(&l, 2, 0xFB, 0x80);
	CHECK_EQ(l.rsp[0], ST_UNKNOWN_CMD);
	lab_close(&l);
	return 0;
}

/* GET_CURRENT_MODE: DFU after plug-in, DEBUG after DEBUG_ENTER, and the
 * exits (no reply). */
static int test_modes(void)
{
	struct lab l;

	CHECK_OK(lab_open(&l, V2, 0, NULL));
	RUN(&l, 2, 0xF5);
	CHECK_EQ(l.rsp[0], 0x00);
	RUN(&l, 0, 0xF3, 0x07);
	RUN(&l, 2, 0xF5);
	CHECK_EQ(l.rsp[0], 0x01);
	RUN(&l, 2, 0xF2, 0x30, 0xA3);
	CHECK_EQ(l.rsp[0], ST_OK);
	RUN(&l, 2, 0xF5);
	CHECK_EQ(l.rsp[0], 0x02);
	RUN(&l, 0, 0xF2, 0x21);
	RUN(&l, 2, 0xF5);
	CHECK_EQ(l.rsp[0], 0x01);
	RUN(&l, 0, 0xF4, 0x01);
	/* target commands outside debug mode are refused */
	RUN(&l, 12, 0xF2, 0x31);
	CHECK_EQ(l.rsp[0], ST_CMD_ERROR);
	lab_close(&l);
	return 0;
}

/* GET_TARGET_VOLTAGE: V = 2 * a1 * 1.2 / a0 (OpenOCD). */
struct volt_row {
	const char *faults;
	int mv_min, mv_max;
};

static const struct volt_row volt_rows[] = {
	{ NULL, 3250, 3350 },
	{ "no-target", 3250, 3350 },
	{ "unpowered", 0, 0 },
};

static int test_voltage(void)
{
	for (size_t i = 0; i < sizeof(volt_rows) / sizeof(volt_rows[0]); i++) {
		struct lab l;
		CHECK_OK(lab_open(&l, V2, 0, volt_rows[i].faults));
		RUN(&l, 8, 0xF7);
		uint32_t a0 = le32(l.rsp), a1 = le32(l.rsp + 4);
		CHECK(a0 != 0);
		int mv = (int)(2400ull * a1 / a0);
		CHECK(mv >= volt_rows[i].mv_min && mv <= volt_rows[i].mv_max);
		lab_close(&l);
	}
	return 0;
}

/* ---- connection ------------------------------------------------------------ */

struct conn_row {
	const char *faults;
	uint8_t enter_st;
};

static const struct conn_row conn_rows[] = {
	{ NULL, ST_OK },
	{ "no-target", ST_IDCODE_ERROR },
	{ "unpowered", ST_IDCODE_ERROR },
};

static int test_enter_and_idcodes(void)
{
	for (size_t i = 0; i < sizeof(conn_rows) / sizeof(conn_rows[0]); i++) {
		struct lab l;
		CHECK_OK(lab_open(&l, V2, 0, conn_rows[i].faults));
		RUN(&l, 2, 0xF2, 0x30, 0xA3);
		CHECK_EQ(l.rsp[0], conn_rows[i].enter_st);
		RUN(&l, 12, 0xF2, 0x31);
		CHECK_EQ(l.rsp[0], conn_rows[i].enter_st);
		if (conn_rows[i].enter_st == ST_OK)
			CHECK_EQ(le32(l.rsp + 4), STM32F4_DPIDR);
		lab_close(&l);
	}
	return 0;
}

static int test_jtag_enter_refused(void)
{
	struct lab l;

	CHECK_OK(lab_open(&l, V2, 0, NULL));
	RUN(&l, 2, 0xF2, 0x30, 0xA4);
	CHECK_EQ(l.rsp[0], ST_IDCODE_ERROR);
	lab_close(&l);
	return 0;
}

/* ---- DP/AP registers -------------------------------------------------------- */

static int test_dap_regs(void)
{
	struct lab l;

	CHECK_OK(lab_open(&l, V2, 0, NULL));
	CHECK_OK(lab_connect(&l));
	RUN(&l, 8, 0xF2, 0x45, B2(0xFFFF), B2(0x0));
	CHECK_EQ(l.rsp[0], ST_OK);
	CHECK_EQ(le32(l.rsp + 4), STM32F4_DPIDR);
	RUN(&l, 8, 0xF2, 0x45, B2(0xFFFF), B2(0x4)); /* CTRL/STAT: powered up */
	CHECK_EQ(le32(l.rsp + 4) & 0xF0000000u, 0xF0000000u);
	RUN(&l, 8, 0xF2, 0x45, B2(0), B2(0xFC)); /* AP0 IDR */
	CHECK_EQ(l.rsp[0], ST_OK);
	CHECK_EQ(le32(l.rsp + 4), 0x24770011u);
	RUN(&l, 2, 0xF2, 0x46, B2(0xFFFF), B2(0x0), B4(0x1Eu)); /* ABORT */
	CHECK_EQ(l.rsp[0], ST_OK);
	/* AP1 does not exist on the F407: not opened, and INIT_AP refuses it */
	RUN(&l, 8, 0xF2, 0x45, B2(1), B2(0xFC));
	CHECK_EQ(l.rsp[0], ST_BAD_AP);
	RUN(&l, 2, 0xF2, 0x4B, 1);
	CHECK_EQ(l.rsp[0], ST_BAD_AP);
	RUN(&l, 2, 0xF2, 0x4B, 0);
	CHECK_EQ(l.rsp[0], ST_OK);
	RUN(&l, 2, 0xF2, 0x4C, 0);
	CHECK_EQ(l.rsp[0], ST_OK);
	lab_close(&l);
	return 0;
}

/* ---- memory ---------------------------------------------------------------- */

static int test_debug_regs(void)
{
	struct lab l;
	uint32_t v;

	CHECK_OK(lab_open(&l, V2, 0, NULL));
	CHECK_OK(lab_connect(&l));
	CHECK_EQ(dbg_read(&l, CPUID, &v), ST_OK);
	CHECK_EQ(v, M4_CPUID);
	CHECK_EQ(dbg_write(&l, DHCSR, DHCSR_HALT), ST_OK);
	CHECK_EQ(dbg_read(&l, DHCSR, &v), ST_OK);
	CHECK(v & DHCSR_S_HALT);
	RUN(&l, 2, 0xF2, 0x01); /* GETSTATUS: 0x81 = halted */
	CHECK_EQ(l.rsp[0], 0x81);
	RUN(&l, 2, 0xF2, 0x09); /* RUNCORE */
	CHECK_EQ(l.rsp[0], ST_OK);
	CHECK_EQ(dbg_read(&l, DHCSR, &v), ST_OK);
	CHECK(!(v & DHCSR_S_HALT));
	RUN(&l, 2, 0xF2, 0x02); /* FORCEDEBUG */
	CHECK_EQ(l.rsp[0], ST_OK);
	CHECK_EQ(dbg_read(&l, DHCSR, &v), ST_OK);
	CHECK(v & DHCSR_S_HALT);
	CHECK_EQ(dbg_read(&l, CPUID + 2, &v), ST_ALIGN_ERROR);
	lab_close(&l);
	return 0;
}

static int test_core_regs(void)
{
	struct lab l;

	CHECK_OK(lab_open(&l, V3, 0, NULL));
	CHECK_OK(lab_connect(&l));
	CHECK_EQ(dbg_write(&l, DHCSR, DHCSR_HALT), ST_OK);
	RUN(&l, 2, 0xF2, 0x34, 0x00, B4(0x12345678u)); /* R0 */
	CHECK_EQ(l.rsp[0], ST_OK);
	RUN(&l, 2, 0xF2, 0x34, 0x0F, B4(0x20000100u)); /* PC */
	CHECK_EQ(l.rsp[0], ST_OK);
	RUN(&l, 2, 0xF2, 0x34, 0x40, B4(0x3F800000u)); /* S0 (FPU) */
	CHECK_EQ(l.rsp[0], ST_OK);
	RUN(&l, 8, 0xF2, 0x33, 0x00);
	CHECK_EQ(l.rsp[0], ST_OK);
	CHECK_EQ(le32(l.rsp + 4), 0x12345678u);
	RUN(&l, 8, 0xF2, 0x33, 0x40);
	CHECK_EQ(le32(l.rsp + 4), 0x3F800000u);
	RUN(&l, 88, 0xF2, 0x3A);
	CHECK_EQ(l.rsp[0], ST_OK);
	CHECK_EQ(le32(l.rsp + 4), 0x12345678u);
	CHECK_EQ(le32(l.rsp + 4 + 15 * 4), 0x20000100u);
	lab_close(&l);
	return 0;
}

/* ---- reset and NRST ---------------------------------------------------------- */

static int test_resetsys(void)
{
	struct lab l;
	struct sim_chip_stats a, b;

	CHECK_OK(lab_open(&l, V2, 0, NULL));
	CHECK_OK(lab_connect(&l));
	sim_chip_get_stats(l.chip, &a);
	RUN(&l, 2, 0xF2, 0x32);
	CHECK_EQ(l.rsp[0], ST_OK);
	sim_chip_get_stats(l.chip, &b);
	CHECK(b.resets > a.resets);
	lab_close(&l);
	return 0;
}

/* DRIVE_NRST answers OK whether or not the pin moved: the firmware only
 * drives it (nrst-push-pull: a supervisor holds the line). */
struct nrst_row {
	const char *faults;
	bool resets;
};

static const struct nrst_row nrst_rows[] = {
	{ NULL, true },
	{ "nrst-push-pull", false },
};

static int test_drive_nrst(void)
{
	for (size_t i = 0; i < sizeof(nrst_rows) / sizeof(nrst_rows[0]); i++) {
		struct lab l;
		struct sim_chip_stats a, b;
		CHECK_OK(lab_open(&l, V2, 0, nrst_rows[i].faults));
		sim_chip_get_stats(l.chip, &a);
		RUN(&l, 2, 0xF2, 0x3C, 0x00);
		CHECK_EQ(l.rsp[0], ST_OK);
		if (nrst_rows[i].resets)
			CHECK(sim_board_nrst_low(l.chip));
		RUN(&l, 2, 0xF2, 0x3C, 0x01);
		CHECK_EQ(l.rsp[0], ST_OK);
		CHECK(!sim_board_nrst_low(l.chip));
		RUN(&l, 2, 0xF2, 0x3C, 0x02);
		CHECK_EQ(l.rsp[0], ST_OK);
		sim_chip_get_stats(l.chip, &b);
		CHECK_EQ(b.resets > a.resets, nrst_rows[i].resets);
		lab_close(&l);
	}
	return 0;
}

/* ---- clocks ------------------------------------------------------------------ */

struct freq_row {
	uint16_t div;
	unsigned khz;
};

static const struct freq_row freq_rows[] = {
	{ 0, 4000 }, { 1, 1800 }, { 3, 950 }, { 15, 240 }, { 798, 5 }, { 100, 39 },
};

static int test_swd_set_freq(void)
{
	for (size_t i = 0; i < sizeof(freq_rows) / sizeof(freq_rows[0]); i++) {
		struct lab l;
		CHECK_OK(lab_open(&l, V2, 0, NULL));
		CHECK_EQ(l.p->swd_khz, 1800); /* power-on default, REF 1.7 */
		RUN(&l, 2, 0xF2, 0x43, B2(freq_rows[i].div));
		CHECK_EQ(l.rsp[0], ST_OK);
		CHECK_EQ(l.p->swd_khz, freq_rows[i].khz);
		lab_close(&l);
	}
	return 0;
}

static int test_v3_com_freq(void)
{
	struct lab l;

	CHECK_OK(lab_open(&l, V3, 0, NULL));
	RUN(&l, 52, 0xF2, 0x62, 0x00);
	CHECK_EQ(l.rsp[0], ST_OK);
	CHECK_EQ(le32(l.rsp + 8), 7);
	CHECK_EQ(le32(l.rsp + 12), 24000);
	CHECK_EQ(le32(l.rsp + 4), l.p->swd_khz);
	RUN(&l, 8, 0xF2, 0x61, 0x00, 0x00, B4(4000));
	CHECK_EQ(l.rsp[0], ST_OK);
	CHECK_EQ(le32(l.rsp + 4), 3300);
	CHECK_EQ(l.p->swd_khz, 3300);
	RUN(&l, 8, 0xF2, 0x61, 0x00, 0x00, B4(1));
	CHECK_EQ(le32(l.rsp + 4), 5);
	RUN(&l, 52, 0xF2, 0x62, 0x00);
	CHECK_EQ(le32(l.rsp + 4), 5);
	lab_close(&l);
	return 0;
}

/* ---- unknown commands and version gating ---------------------------------- */

/* JTAG_UNKNOWN_CMD as a 2-byte status for commands this firmware lacks
 * (REF 1.5; OpenOCD STLINK_F_* gates). */
struct gate_row {
	const char *name;
	enum sim_probe_kind kind;
	unsigned j;
	uint8_t c0, c1;
	size_t ok_len; /* reply length when present */
	bool present;
};

static const struct gate_row gate_rows[] = {
	{ "voltage J12", V2, 12, 0xF7, 0, 8, false },
	{ "voltage J13", V2, 13, 0xF7, 0, 8, true },
	{ "rwstatus2 J14", V2, 14, 0xF2, 0x3E, 12, false },
	{ "rwstatus2 J15", V2, 15, 0xF2, 0x3E, 12, true },
	{ "swd freq J21", V2, 21, 0xF2, 0x43, 2, false },
	{ "swd freq J22", V2, 22, 0xF2, 0x43, 2, true },
	{ "swd freq V3", V3, 0, 0xF2, 0x43, 2, false },
	{ "dap reg J23", V2, 23, 0xF2, 0x45, 8, false },
	{ "dap reg J24", V2, 24, 0xF2, 0x45, 8, true },
	{ "mem16 J25", V2, 25, 0xF2, 0x47, 0, false },
	{ "init ap J27", V2, 27, 0xF2, 0x4B, 2, false },
	{ "init ap J28", V2, 28, 0xF2, 0x4B, 2, true },
	{ "rd noinc J31", V2, 31, 0xF2, 0x54, 0, false },
	{ "rd noinc V3J1", V3, 1, 0xF2, 0x54, 0, false },
	{ "com freq V2", V2, 0, 0xF2, 0x62, 52, false },
	{ "com freq V3", V3, 0, 0xF2, 0x62, 52, true },
	{ "version ex V21", V21, 0, 0xFB, 0, 12, false },
	{ "unknown F2 FF", V2, 0, 0xF2, 0xFF, 0, false },
	{ "unknown F2 FF V3", V3, 0, 0xF2, 0xFF, 0, false },
	{ "unknown class 00", V2, 0, 0x00, 0, 0, false },
	{ "unknown class F6", V3, 0, 0xF6, 0, 0, false },
};

static int test_version_gating(void)
{
	for (size_t i = 0; i < sizeof(gate_rows) / sizeof(gate_rows[0]); i++) {
		const struct gate_row *r = &gate_rows[i];
		struct lab l;
		CHECK_OK(lab_open(&l, r->kind, r->j, NULL));
		CHECK_OK(lab_connect(&l));
		size_t want = r->present ? r->ok_len : 2;
		int rc = xfer(&l, CMD(r->c0, r->c1, 0xFF, 0xFF), 16, want);
		if (rc)
			return test_fail_at(__FILE__, __LINE__, "%s: transfer %d", r->name, rc);
		if (!r->present && l.rsp[0] != ST_UNKNOWN_CMD)
			return test_fail_at(__FILE__, __LINE__, "%s: 0x%02x", r->name, l.rsp[0]);
		if (r->present && l.rsp[0] == ST_UNKNOWN_CMD && r->c0 == 0xF2)
			return test_fail_at(__FILE__, __LINE__, "%s: refused", r->name);
		lab_close(&l);
	}
	return 0;
}

/* ---- timing ------------------------------------------------------------------ */

/* 100 READMEM_32BIT of 6144 bytes from SRAM: modelled time per kind at the
 * power-on clock and at the fastest clock. Sanity bounds: never faster than
 * the SWD wire allows (1536 words x 46 bits), never slower than 3 packets
 * per word. Printed for docs/LAB-stlink.md. */
static int bench_read(enum sim_probe_kind kind, const uint8_t *clk, size_t clk_len, size_t clk_reply,
		      uint64_t *ns, unsigned *khz)
{
	struct lab l;
	struct sim_probe_stats a, b;

	CHECK_OK(lab_open(&l, kind, 0, NULL));
	CHECK_OK(lab_connect(&l));
	if (clk)
		CHECK_OK(xfer(&l, clk, clk_len, clk_reply));
	*khz = l.p->swd_khz;
	sim_probe_get_stats(l.p, &a);
	for (int i = 0; i < 100; i++)
		CHECK_OK(mem_read(&l, 0x07, SRAM, 6144, 6144));
	sim_probe_get_stats(l.p, &b);
	*ns = b.modelled_ns - a.modelled_ns;
	lab_close(&l);
	return 0;
}

static int test_timing_readmem(void)
{
	static const uint8_t v2_fast[16] = { 0xF2, 0x43, 0x00, 0x00 };
	static const uint8_t v3_fast[16] = { 0xF2, 0x61, 0x00, 0x00, B4(24000) };
	struct {
		const char *name;
		enum sim_probe_kind kind;
		const uint8_t *clk;
		size_t reply;
	} rows[] = {
		{ "V2 default", V2, NULL, 0 },
		{ "V2 4 MHz", V2, v2_fast, 2 },
		{ "V3 default", V3, NULL, 0 },
		{ "V3 24 MHz", V3, v3_fast, 8 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint64_t ns;
		unsigned khz;
		int rc = bench_read(rows[i].kind, rows[i].clk, 16, rows[i].reply, &ns, &khz);
		if (rc)
			return rc;
		uint64_t wire_min = 100ull * 1536 * 46 * 1000000ull / khz;
		CHECK(ns >= wire_min);
		CHECK(ns <= 3 * wire_min + 100ull * 10000000ull);
		fprintf(stderr, "timing: 100 x READMEM_32BIT 6144 B, %s (%u kHz): %.3f s, %.1f KiB/s\n",
			rows[i].name, khz, ns / 1e9, 614400.0 / 1024.0 / (ns / 1e9));
	}
	return 0;
}

static const struct test_case tests[] = {
	{ "usb_identity", "REF 1.1; OpenOCD PIDs", test_usb_identity },
	{ "bad_config", "REF 1.1 (24-hex serial), 1.3 (6-bit J)", test_bad_config },
	{ "get_version", "REF 1.3 GET_VERSION; OpenOCD stlink_usb_version", test_get_version },
	{ "get_version_ex", "REF 1.3 GET_VERSION_EX", test_get_version_ex },
	{ "modes", "REF 1.3 GET_CURRENT_MODE, exits", test_modes },
	{ "voltage", "REF 1.3 GET_TARGET_VOLTAGE", test_voltage },
	{ "enter_and_idcodes", "REF 1.3/1.4; ADIv5.2 B4.3.3", test_enter_and_idcodes },
	{ "jtag_enter_refused", "REF 1.3 DEBUG_APIV2_ENTER", test_jtag_enter_refused },
	{ "dap_regs", "REF 1.3 READ/WRITE_DAP_REG, INIT_AP; ADIv5.2 C1.2", test_dap_regs },
	{ "debug_regs", "REF 1.3 READ/WRITEDEBUGREG, GETSTATUS", test_debug_regs },
	{ "core_regs", "REF 1.3 READREG/WRITEREG/READALLREGS; ARMv7-M C1.6.3", test_core_regs },
	{ "resetsys", "REF 1.3 RESETSYS; ARMv7-M B3.2.6", test_resetsys },
	{ "drive_nrst", "REF 1.3 DRIVE_NRST", test_drive_nrst },
	{ "swd_set_freq", "REF 1.7 divisor table", test_swd_set_freq },
	{ "v3_com_freq", "REF 1.3/1.7 GET/SET_COM_FREQ", test_v3_com_freq },
	{ "version_gating", "REF 1.5; OpenOCD STLINK_F_*", test_version_gating },
	{ "timing_readmem", "issue 3 closing note; USB 2.0 5.8.4", test_timing_readmem },
};

TEST_MAIN("test_sim_stlink", tests)
