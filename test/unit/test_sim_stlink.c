/*
 * Emulated ST-LINK firmware (sim/sim_stlink*.c), driven exactly as a USB
 * host drives a probe: one 16-byte sim_probe_out() per command, the write
 * data phase as a separate OUT, and sim_probe_in() for exactly the reply
 * length the host asks for. References: REFERENCE.md section 1 ("REF 1.x"),
 * OpenOCD src/jtag/drivers/stlink_usb.c ("OpenOCD"), ADIv5.2, ARMv7-M ARM,
 * RM0090 (STM32F407).
 */
#include "harness.h"
#include "sim_probe.h"
#include "sim_probe_internal.h"

#include <stdlib.h>

#define V2 SIM_PROBE_STLINK_V2
#define V21 SIM_PROBE_STLINK_V21
#define V3 SIM_PROBE_STLINK_V3

#define ST_OK 0x80u
#define ST_FAULT 0x81u
#define ST_CMD_ERROR 0x08u
#define ST_IDCODE_ERROR 0x09u
#define ST_ALIGN_ERROR 0x0Au
#define ST_AP_WAIT 0x10u
#define ST_AP_FAULT 0x11u
#define ST_BAD_AP 0x1Du
#define ST_UNKNOWN_CMD 0x42u

#define STM32F4_DPIDR 0x2BA01477u /* REFERENCE 3.2 */
#define M4_CPUID 0x410FC241u      /* REFERENCE 4.3 */
#define SRAM 0x20000000u
#define SRAM_END 0x20020000u      /* RM0090 2.3: SRAM1 + SRAM2 = 128 KiB */
#define UNMAPPED 0x30000000u      /* reserved in the RM0090 2.3 memory map */
#define CPUID 0xE000ED00u
#define DHCSR 0xE000EDF0u
#define DHCSR_HALT 0xA05F0003u
#define DHCSR_S_HALT (1u << 17)

/* RM0090 3.9: flash interface registers */
#define FLASH_KEYR 0x40023C04u
#define FLASH_SR 0x40023C0Cu
#define FLASH_CR 0x40023C10u
#define FLASH_SR_BSY (1u << 16)
#define FLASH_CR_SER 0x2u
#define FLASH_CR_SNB(n) ((uint32_t)(n) << 3)
#define FLASH_CR_PSIZE_X32 0x200u
#define FLASH_CR_STRT 0x10000u

struct lab {
	sim_chip *chip;
	sim_probe *p;
	uint8_t rsp[8192];
};

static int lab_open_cfg(struct lab *l, const struct sim_probe_config *pc, const char *faults)
{
	struct sim_config cfg = { 0 };
	char err[256];

	memset(l, 0, sizeof(*l));
	if (faults && sim_config_parse_faults(&cfg, faults, err, sizeof(err)))
		return test_fail_at(__FILE__, __LINE__, "fault spec %s: %s", faults, err);
	if (sim_chip_new(&cfg, &l->chip, err, sizeof(err)))
		return test_fail_at(__FILE__, __LINE__, "sim_chip_new: %s", err);
	if (sim_probe_new(pc, l->chip, &l->p)) {
		sim_chip_free(l->chip);
		return test_fail_at(__FILE__, __LINE__, "sim_probe_new failed");
	}
	return 0;
}

static int lab_open(struct lab *l, enum sim_probe_kind kind, unsigned j, const char *faults)
{
	struct sim_probe_config pc = { .kind = kind, .fw_jtag = j };

	return lab_open_cfg(l, &pc, faults);
}

static void lab_close(struct lab *l)
{
	sim_probe_free(l->p);
	sim_chip_free(l->chip);
}

/* One transfer out, then exactly `want` bytes in (as libusb does with an
 * exact-length bulk read), then nothing more pending. Returns 0 or -line. */
static int xfer(struct lab *l, const uint8_t *out, size_t olen, size_t want)
{
	size_t total = 0, got;
	uint8_t extra[8];

	if (sim_probe_out(l->p, out, olen))
		return -__LINE__;
	while (total < want) {
		if (sim_probe_in(l->p, l->rsp + total, want - total, &got) || !got)
			return -__LINE__;
		total += got;
	}
	if (sim_probe_in(l->p, extra, sizeof(extra), &got) != SIM_PROBE_EAGAIN)
		return -__LINE__;
	return 0;
}

#define CMD(...) ((const uint8_t[16]){ __VA_ARGS__ })
#define RUN(l, want, ...) CHECK_EQ(xfer((l), CMD(__VA_ARGS__), 16, (want)), 0)

static uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

#define B4(v) (uint8_t)(v), (uint8_t)((v) >> 8), (uint8_t)((v) >> 16), (uint8_t)((v) >> 24)
#define B2(v) (uint8_t)(v), (uint8_t)((v) >> 8)

/* DEBUG_APIV2_ENTER SWD after the usual mode checks (REF 1.3 connect). */
static int lab_connect(struct lab *l)
{
	RUN(l, 0, 0xF3, 0x07);
	RUN(l, 2, 0xF2, 0x30, 0xA3);
	CHECK_EQ(l->rsp[0], ST_OK);
	return 0;
}

static int mem_read(struct lab *l, uint8_t sub, uint32_t addr, uint16_t len, size_t want)
{
	return xfer(l, CMD(0xF2, sub, B4(addr), B2(len)), 16, want);
}

/* WRITEMEM command, then the data phase as its own OUT transfer. */
static int mem_write(struct lab *l, uint8_t sub, uint32_t addr, const uint8_t *d, uint16_t len)
{
	int rc = xfer(l, CMD(0xF2, sub, B4(addr), B2(len)), 16, 0);

	return rc ? rc : xfer(l, d, len, 0);
}

/* GETLASTRWSTATUS2: status byte, fault address. */
static int rw_status(struct lab *l, uint8_t *st, uint32_t *addr)
{
	int rc = xfer(l, CMD(0xF2, 0x3E), 16, 12);

	*st = l->rsp[0];
	*addr = le32(l->rsp + 4);
	return rc;
}

static int dbg_read(struct lab *l, uint32_t addr, uint32_t *v)
{
	int rc = xfer(l, CMD(0xF2, 0x36, B4(addr)), 16, 8);

	*v = le32(l->rsp + 4);
	return rc ? rc : l->rsp[0];
}

static int dbg_write(struct lab *l, uint32_t addr, uint32_t v)
{
	int rc = xfer(l, CMD(0xF2, 0x35, B4(addr), B4(v)), 16, 2);

	return rc ? rc : l->rsp[0];
}

/* ---- identity and version ------------------------------------------------ */

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

static int test_mem_roundtrip(void)
{
	static const enum sim_probe_kind kinds[] = { V2, V21, V3 };
	uint8_t d[256], st;
	uint32_t fa;

	for (size_t i = 0; i < 256; i++)
		d[i] = (uint8_t)(i * 7 + 3);
	for (size_t k = 0; k < 3; k++) {
		struct lab l;
		CHECK_OK(lab_open(&l, kinds[k], 0, NULL));
		CHECK_OK(lab_connect(&l));
		CHECK_OK(mem_write(&l, 0x08, SRAM + 0x100, d, 256));
		CHECK_OK(rw_status(&l, &st, &fa));
		CHECK_EQ(st, ST_OK);
		CHECK_OK(mem_read(&l, 0x07, SRAM + 0x100, 256, 256));
		CHECK(!memcmp(l.rsp, d, 256));
		/* 8-bit at an odd address, 16-bit at an odd halfword */
		CHECK_OK(mem_write(&l, 0x0D, SRAM + 0x301, d, 5));
		CHECK_OK(mem_read(&l, 0x0C, SRAM + 0x301, 5, 5));
		CHECK(!memcmp(l.rsp, d, 5));
		CHECK_OK(mem_write(&l, 0x48, SRAM + 0x402, d + 8, 6));
		CHECK_OK(mem_read(&l, 0x47, SRAM + 0x402, 6, 6));
		CHECK(!memcmp(l.rsp, d + 8, 6));
		CHECK_OK(mem_read(&l, 0x07, SRAM + 0x400, 8, 8));
		CHECK_EQ(le32(l.rsp + 4) & 0xFFFFu, d[10] | d[11] << 8);
		CHECK_OK(rw_status(&l, &st, &fa));
		CHECK_EQ(st, ST_OK);
		lab_close(&l);
	}
	return 0;
}

/* A one-byte READMEM_8BIT answers two bytes (OpenOCD reads 2). */
static int test_mem8_single_byte(void)
{
	struct lab l;
	uint8_t b = 0xA5;

	CHECK_OK(lab_open(&l, V2, 0, NULL));
	CHECK_OK(lab_connect(&l));
	CHECK_OK(mem_write(&l, 0x0D, SRAM + 7, &b, 1));
	CHECK_OK(mem_read(&l, 0x0C, SRAM + 7, 1, 2));
	CHECK_EQ(l.rsp[0], 0xA5);
	lab_close(&l);
	return 0;
}

/* A write crossing a 1 KiB TAR block lands where it should (the firmware
 * re-writes TAR; ADIv5.2 C2.2.2). */
static int test_mem_cross_tar_block(void)
{
	struct lab l;
	uint8_t d[6144], back[6144];

	for (size_t i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(i ^ (i >> 8));
	CHECK_OK(lab_open(&l, V3, 0, NULL));
	CHECK_OK(lab_connect(&l));
	CHECK_OK(mem_write(&l, 0x08, SRAM + 0x3F0, d, 6144));
	CHECK_OK(mem_read(&l, 0x07, SRAM + 0x3F0, 6144, 6144));
	CHECK(!memcmp(l.rsp, d, 6144));
	CHECK_OK(sim_chip_backdoor_read(l.chip, SRAM + 0x3F0, back, sizeof(back)));
	CHECK(!memcmp(back, d, sizeof(d)));
	lab_close(&l);
	return 0;
}

/* FAULT on unmapped memory: SWD_AP_FAULT with the address of the access
 * that failed, the data before it intact, and the firmware has cleared the
 * sticky error so the next command works. */
struct fault_row {
	uint8_t sub;
	uint32_t addr;
	uint16_t len;
	uint32_t fault_addr;
};

static const struct fault_row fault_rows[] = {
	{ 0x07, UNMAPPED, 16, UNMAPPED },
	{ 0x07, SRAM_END - 8, 16, SRAM_END },
	{ 0x0C, SRAM_END - 2, 4, SRAM_END },
	{ 0x47, SRAM_END - 4, 8, SRAM_END },
};

static int test_mem_fault(void)
{
	for (size_t i = 0; i < sizeof(fault_rows) / sizeof(fault_rows[0]); i++) {
		const struct fault_row *r = &fault_rows[i];
		uint8_t st, pattern[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
		uint32_t fa;
		struct lab l;
		CHECK_OK(lab_open(&l, V2, 0, NULL));
		CHECK_OK(lab_connect(&l));
		CHECK_OK(mem_write(&l, 0x08, SRAM_END - 8, pattern, 8));
		CHECK_OK(mem_read(&l, r->sub, r->addr, r->len, r->len));
		if (r->addr < SRAM_END)
			CHECK(!memcmp(l.rsp, pattern + 8 - (SRAM_END - r->addr), SRAM_END - r->addr));
		CHECK_OK(rw_status(&l, &st, &fa));
		CHECK_EQ(st, ST_AP_FAULT);
		CHECK_EQ(fa, r->fault_addr);
		RUN(&l, 2, 0xF2, 0x3B); /* GETLASTRWSTATUS */
		CHECK_EQ(l.rsp[0], ST_AP_FAULT);
		/* a write fault too */
		CHECK_OK(mem_write(&l, 0x08, UNMAPPED, pattern, 8));
		CHECK_OK(rw_status(&l, &st, &fa));
		CHECK_EQ(st, ST_AP_FAULT);
		CHECK(fa == UNMAPPED || fa == UNMAPPED + 4);
		CHECK_OK(mem_read(&l, 0x07, SRAM_END - 8, 8, 8));
		CHECK(!memcmp(l.rsp, pattern, 8));
		CHECK_OK(rw_status(&l, &st, &fa));
		CHECK_EQ(st, ST_OK);
		uint32_t v;
		CHECK_EQ(dbg_read(&l, UNMAPPED, &v), ST_AP_FAULT);
		lab_close(&l);
	}
	return 0;
}

/* WAIT: a few WAITs are absorbed by the firmware's retry; a storm beyond
 * its bound ends the command with SWD_AP_WAIT. */
struct wait_row {
	const char *faults;
	uint8_t st;
};

static const struct wait_row wait_rows[] = {
	{ "wait-storm:5", ST_OK },
	{ "wait-storm:100", ST_OK },
	{ "wait-storm:1000", ST_AP_WAIT },
};

static int test_wait_storm(void)
{
	for (size_t i = 0; i < sizeof(wait_rows) / sizeof(wait_rows[0]); i++) {
		struct lab l;
		uint8_t st;
		uint32_t fa;
		CHECK_OK(lab_open(&l, V2, 0, wait_rows[i].faults));
		CHECK_OK(lab_connect(&l));
		CHECK_OK(mem_read(&l, 0x07, SRAM, 16, 16));
		CHECK_OK(rw_status(&l, &st, &fa));
		CHECK_EQ(st, wait_rows[i].st);
		lab_close(&l);
	}
	return 0;
}

/* RM0090 3.5.1: a flash read while BSY stalls the bus, the AHB-AP answers
 * WAIT for longer than the firmware retries: SWD_AP_WAIT; once the erase is
 * done the same read works. */
static int test_wait_flash_bsy(void)
{
	struct lab l;
	uint8_t st;
	uint32_t fa, sr = FLASH_SR_BSY;
	int polls;

	CHECK_OK(lab_open(&l, V2, 0, NULL));
	CHECK_OK(lab_connect(&l));
	CHECK_EQ(dbg_write(&l, DHCSR, DHCSR_HALT), ST_OK);
	CHECK_EQ(dbg_write(&l, FLASH_KEYR, 0x45670123u), ST_OK);
	CHECK_EQ(dbg_write(&l, FLASH_KEYR, 0xCDEF89ABu), ST_OK);
	uint32_t cr = FLASH_CR_SER | FLASH_CR_SNB(1) | FLASH_CR_PSIZE_X32;
	CHECK_EQ(dbg_write(&l, FLASH_CR, cr), ST_OK);
	CHECK_EQ(dbg_write(&l, FLASH_CR, cr | FLASH_CR_STRT), ST_OK);
	CHECK_OK(mem_read(&l, 0x07, 0x08000000u, 16, 16));
	CHECK_OK(rw_status(&l, &st, &fa));
	CHECK_EQ(st, ST_AP_WAIT);
	/* The firmware abandoned the stalled read (DAPABORT), so FLASH_SR,
	 * which does not stall, can be polled at once. */
	for (polls = 0; polls < 20000 && (sr & FLASH_SR_BSY); polls++)
		CHECK_EQ(dbg_read(&l, FLASH_SR, &sr), ST_OK);
	CHECK(polls > 1);
	CHECK(!(sr & FLASH_SR_BSY));
	CHECK_OK(mem_read(&l, 0x07, 0x08004000u, 16, 16));
	CHECK_EQ(le32(l.rsp), 0xFFFFFFFFu);
	CHECK_OK(rw_status(&l, &st, &fa));
	CHECK_EQ(st, ST_OK);
	lab_close(&l);
	return 0;
}

/* Limits: 6144 bytes for 16/32-bit, 64 (V2) / 512 (V3 >= J6) for 8-bit
 * (REF 1.6, OpenOCD STLINK_MAX_RW8). Beyond them: no target access, the
 * read still answers `len` bytes, the write still takes its data phase. */
struct size_row {
	enum sim_probe_kind kind;
	unsigned j;
	uint8_t sub;
	uint32_t addr;
	uint16_t len;
	uint8_t st;  /* read status */
	uint8_t wst; /* status of the matching write */
};

/* Writes of 16/32-bit data stream through the buffer (stlink-tools sends
 * 32 KiB in one WRITEMEM_32BIT; probe-rs up to 0xFFFC bytes). */
static const struct size_row size_rows[] = {
	{ V2, 0, 0x07, SRAM, 6144, ST_OK, ST_OK },
	{ V2, 0, 0x07, SRAM, 6148, ST_CMD_ERROR, ST_OK },
	{ V2, 0, 0x0C, SRAM, 64, ST_OK, ST_OK },
	{ V2, 0, 0x0C, SRAM, 65, ST_CMD_ERROR, ST_CMD_ERROR },
	{ V21, 0, 0x0C, SRAM, 65, ST_CMD_ERROR, ST_CMD_ERROR },
	{ V3, 0, 0x0C, SRAM, 512, ST_OK, ST_OK },
	{ V3, 0, 0x0C, SRAM, 513, ST_CMD_ERROR, ST_CMD_ERROR },
	{ V3, 5, 0x0C, SRAM, 65, ST_CMD_ERROR, ST_CMD_ERROR },
	{ V2, 0, 0x47, SRAM, 6146, ST_CMD_ERROR, ST_OK },
	{ V2, 0, 0x07, SRAM + 2, 8, ST_ALIGN_ERROR, ST_ALIGN_ERROR },
	{ V2, 0, 0x07, SRAM, 6, ST_ALIGN_ERROR, ST_ALIGN_ERROR },
	{ V2, 0, 0x47, SRAM + 1, 2, ST_ALIGN_ERROR, ST_ALIGN_ERROR },
};

static int test_size_limits(void)
{
	static uint8_t d[8192];

	for (size_t i = 0; i < sizeof(size_rows) / sizeof(size_rows[0]); i++) {
		const struct size_row *r = &size_rows[i];
		struct lab l;
		uint8_t st;
		uint32_t fa;
		CHECK_OK(lab_open(&l, r->kind, r->j, NULL));
		CHECK_OK(lab_connect(&l));
		CHECK_OK(mem_read(&l, r->sub, r->addr, r->len, r->len));
		CHECK_OK(rw_status(&l, &st, &fa));
		CHECK_EQ(st, r->st);
		/* the matching write: command, data phase, status */
		CHECK_OK(mem_write(&l, (uint8_t)(r->sub + 1), r->addr, d, r->len));
		CHECK_OK(rw_status(&l, &st, &fa));
		CHECK_EQ(st, r->wst);
		RUN(&l, 2, 0xF5); /* the probe is still in step */
		CHECK_EQ(l.rsp[0], 0x02);
		lab_close(&l);
	}
	return 0;
}

/* A data phase split over several OUT transfers, as a host with small
 * transfers sends it. */
static int test_write_split_data(void)
{
	struct lab l;
	uint8_t d[128];

	for (size_t i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(0x5A ^ i);
	CHECK_OK(lab_open(&l, V2, 0, NULL));
	CHECK_OK(lab_connect(&l));
	CHECK_OK(xfer(&l, CMD(0xF2, 0x08, B4(SRAM), B2(128)), 16, 0));
	CHECK_OK(xfer(&l, d, 64, 0));
	CHECK_OK(xfer(&l, d + 64, 64, 0));
	CHECK_OK(mem_read(&l, 0x07, SRAM, 128, 128));
	CHECK(!memcmp(l.rsp, d, 128));
	lab_close(&l);
	return 0;
}

/* A 20000-byte WRITEMEM_32BIT streams through the 6144-byte buffer and
 * lands whole (what stlink-tools does with its loader buffer). */
static int test_write_streams(void)
{
	static uint8_t d[20000];
	struct lab l;
	uint8_t st;
	uint32_t fa;

	for (size_t i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(i * 13u + (i >> 8));
	CHECK_OK(lab_open(&l, V2, 0, NULL));
	CHECK_OK(lab_connect(&l));
	CHECK_OK(mem_write(&l, 0x08, SRAM, d, sizeof(d)));
	CHECK_OK(rw_status(&l, &st, &fa));
	CHECK_EQ(st, ST_OK);
	for (uint32_t off = 0; off < sizeof(d); off += 4000) {
		CHECK_OK(mem_read(&l, 0x07, SRAM + off, 4000, 4000));
		CHECK(!memcmp(l.rsp, d + off, 4000));
	}
	lab_close(&l);
	return 0;
}

/* Above the clock the wiring tolerates the lab garbles ACKs and read data:
 * the firmware reports SWD_AP_ERROR / SWD_AP_PARITY_ERROR and never hands
 * corrupt data over with an OK status (ADIv5.2 B4.2.4 read parity). */
static int test_signal_integrity(void)
{
	struct lab l;
	uint32_t v;
	int errors = 0;
	uint8_t st;

	CHECK_OK(lab_open(&l, V2, 0, "signal-integrity:2000"));
	CHECK_OK(lab_connect(&l));
	CHECK_EQ(dbg_read(&l, CPUID, &v), ST_OK);
	CHECK_EQ(v, M4_CPUID);
	RUN(&l, 2, 0xF2, 0x43, B2(0)); /* divisor 0: 4000 kHz */
	for (int i = 0; i < 12; i++) {
		int rc = dbg_read(&l, CPUID, &v);
		CHECK(rc == ST_OK || rc == 0x12 || rc == 0x13);
		if (rc == ST_OK)
			CHECK_EQ(v, M4_CPUID);
		errors += rc != ST_OK;
	}
	CHECK(errors > 0);
	CHECK_OK(mem_read(&l, 0x07, SRAM, 64, 64));
	CHECK_OK(xfer(&l, CMD(0xF2, 0x3E), 16, 12));
	st = l.rsp[0];
	CHECK(st == 0x12 || st == 0x13);
	lab_close(&l);
	return 0;
}

/* ---- debug and core registers -------------------------------------------- */

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
static int bench_read(enum sim_probe_kind kind, const uint8_t *clk, size_t clk_len,
		      size_t clk_reply, uint64_t *ns, unsigned *khz)
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
	{ "mem_roundtrip", "REF 1.3 READMEM/WRITEMEM 8/16/32", test_mem_roundtrip },
	{ "mem8_single_byte", "OpenOCD stlink_usb_read_mem8", test_mem8_single_byte },
	{ "mem_cross_tar_block", "ADIv5.2 C2.2.2", test_mem_cross_tar_block },
	{ "mem_fault", "REF 1.3 GETLASTRWSTATUS2; ADIv5.2 B4.2.3", test_mem_fault },
	{ "wait_storm", "REF 1.4 SWD_AP_WAIT; ADIv5.2 B4.2.2", test_wait_storm },
	{ "wait_flash_bsy", "RM0090 3.5.1; REF 1.4", test_wait_flash_bsy },
	{ "size_limits", "REF 1.6; OpenOCD STLINK_MAX_RW8", test_size_limits },
	{ "write_streams", "REF 1.6 (stlink-tools, probe-rs write sizes)", test_write_streams },
	{ "write_split_data", "REF 1.2 data phase", test_write_split_data },
	{ "signal_integrity", "REF 1.4 SWD_AP_ERROR/PARITY; ADIv5.2 B4.2.4", test_signal_integrity },
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
