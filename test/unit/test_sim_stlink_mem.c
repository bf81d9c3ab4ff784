/*
 * Emulated ST-LINK firmware, memory commands (sim/sim_stlink_mem.c):
 * READMEM/WRITEMEM at every width, TAR blocks, faults and their address,
 * WAIT, size limits, streamed writes, signal integrity. Driven as a USB
 * host drives a probe (stlink_test_util.h). References as in
 * test_sim_stlink.c.
 */
#include "stlink_test_util.h"

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

static const struct test_case tests[] = {
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
};

TEST_MAIN("test_sim_stlink_mem", tests)
