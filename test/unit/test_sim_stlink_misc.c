/*
 * Emulated ST-LINK firmware: the RW_MISC queue (docs/STLINK-PROTOCOL.md
 * §8, docs/LAB-stlink.md), driven exactly as a USB host drives it:
 * RW_MISC_OUT as one 16-byte OUT, its item codes and arguments as the next
 * OUT, then RW_MISC_IN and an IN of 8 bytes per item.
 */
#include "stlink_test_util.h"

#include <string.h>

enum { I_ADDRESS = 1, I_WRITE = 2, I_READ = 3, I_APNUM = 5 };

#define MAX_ITEMS 128u

/* Sends n items; l->rsp gets n values then n statuses. */
static int misc(struct lab *l, const uint8_t *codes, const uint32_t *args, uint32_t n)
{
	uint8_t data[MAX_ITEMS + 4 * MAX_ITEMS] = { 0 };
	size_t off = (n + 3u) & ~3u;
	int rc;

	memcpy(data, codes, n);
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t b[4] = { B4(args[i]) };
		memcpy(data + off + 4 * i, b, 4);
	}
	rc = xfer(l, CMD(0xF2, 0x51, B4(n)), 16, 0);
	if (!rc)
		rc = xfer(l, data, off + 4 * n, 0);
	if (!rc)
		rc = xfer(l, CMD(0xF2, 0x52), 16, 8 * n);
	return rc;
}

static uint32_t val(struct lab *l, uint32_t i)
{
	return le32(l->rsp + 4 * i);
}

static uint32_t status(struct lab *l, uint32_t n, uint32_t i)
{
	return le32(l->rsp + 4 * n + 4 * i);
}

/* From V2J32 / V3J2 (OpenOCD STLINK_F_HAS_RW_MISC); older firmware does
 * not know the command. */
static int test_gate(void)
{
	static const struct {
		enum sim_probe_kind kind;
		unsigned j;
		bool has;
	} rows[] = { { V2, 31, false }, { V2, 32, true }, { V3, 1, false }, { V3, 2, true } };

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct lab l;

		CHECK_OK(lab_open(&l, rows[i].kind, rows[i].j, NULL));
		CHECK_OK(lab_connect(&l));
		if (rows[i].has) {
			CHECK_OK(xfer(&l, CMD(0xF2, 0x51, B4(0)), 16, 0));
		} else {
			CHECK_OK(xfer(&l, CMD(0xF2, 0x51, B4(0)), 16, 2));
			CHECK_EQ(l.rsp[0], ST_UNKNOWN_CMD);
		}
		lab_close(&l);
	}
	return 0;
}

/* Items run in order: a READ after a WRITE to the same word sees it. */
static int test_order(void)
{
	static const uint8_t codes[] = { I_APNUM, I_ADDRESS, I_WRITE, I_READ, I_READ };
	static const uint32_t args[] = { 0, SRAM + 0x100, 0xCAFEF00Du, SRAM + 0x100, CPUID };
	struct lab l;
	uint32_t v;

	CHECK_OK(lab_open(&l, V2, 0, NULL));
	CHECK_OK(lab_connect(&l));
	CHECK_OK(misc(&l, codes, args, 5));
	for (uint32_t i = 0; i < 5; i++)
		CHECK_EQ(status(&l, 5, i), ST_OK);
	CHECK_EQ(val(&l, 3), 0xCAFEF00Du);
	CHECK_EQ(val(&l, 4), M4_CPUID);
	CHECK_EQ(dbg_read(&l, SRAM + 0x100, &v), ST_OK);
	CHECK_EQ(v, 0xCAFEF00Du);
	lab_close(&l);
	return 0;
}

/* A faulting item answers SWD_AP_FAULT; the model runs nothing after it
 * (JTAG_CMD_ERROR) and leaves the DP clean for the next command. */
static int test_fault_stops(void)
{
	static const uint8_t codes[] = { I_APNUM, I_READ, I_ADDRESS, I_WRITE };
	static const uint32_t args[] = { 0, UNMAPPED, SRAM + 0x200, 0x11111111u };
	struct lab l;
	uint32_t v = 0;

	CHECK_OK(lab_open(&l, V3, 0, NULL));
	CHECK_OK(lab_connect(&l));
	CHECK_EQ(dbg_write(&l, SRAM + 0x200, 0), ST_OK);
	CHECK_OK(misc(&l, codes, args, 4));
	CHECK_EQ(status(&l, 4, 0), ST_OK);
	CHECK_EQ(status(&l, 4, 1), ST_AP_FAULT);
	CHECK_EQ(status(&l, 4, 2), ST_CMD_ERROR);
	CHECK_EQ(status(&l, 4, 3), ST_CMD_ERROR);
	CHECK_EQ(dbg_read(&l, SRAM + 0x200, &v), ST_OK);
	CHECK_EQ(v, 0);
	lab_close(&l);
	return 0;
}

/* An AP that was not opened (INIT_AP, J28+) answers BAD_AP_ERROR; an
 * unknown item code JTAG_CMD_ERROR; a misaligned address an alignment
 * error. */
static int test_bad_items(void)
{
	static const uint8_t c1[] = { I_APNUM, I_READ };
	static const uint32_t a1[] = { 7, SRAM };
	static const uint8_t c2[] = { I_APNUM, 9 };
	static const uint32_t a2[] = { 0, 0 };
	static const uint8_t c3[] = { I_APNUM, I_READ };
	static const uint32_t a3[] = { 0, SRAM + 2 };
	struct lab l;

	CHECK_OK(lab_open(&l, V2, 0, NULL));
	CHECK_OK(lab_connect(&l));
	CHECK_OK(misc(&l, c1, a1, 2));
	CHECK_EQ(status(&l, 2, 0), ST_BAD_AP);
	CHECK_OK(misc(&l, c2, a2, 2));
	CHECK_EQ(status(&l, 2, 1), ST_CMD_ERROR);
	CHECK_OK(misc(&l, c3, a3, 2));
	CHECK_EQ(status(&l, 2, 1), ST_ALIGN_ERROR);
	lab_close(&l);
	return 0;
}

/* 64 items at most on V2 (OpenOCD STLINK_V2_RW_MISC_SIZE): 65 touch
 * nothing and all answer JTAG_CMD_ERROR; V3 takes them. Outside debug
 * mode nothing runs either. */
static int test_limits(void)
{
	uint8_t codes[65];
	uint32_t args[65];
	struct lab l;

	codes[0] = I_APNUM;
	args[0] = 0;
	for (int i = 1; i < 65; i++) {
		codes[i] = I_READ;
		args[i] = CPUID;
	}
	for (int v3 = 0; v3 < 2; v3++) {
		CHECK_OK(lab_open(&l, v3 ? V3 : V2, 0, NULL));
		CHECK_OK(lab_connect(&l));
		CHECK_OK(misc(&l, codes, args, 65));
		CHECK_EQ(status(&l, 65, 64), v3 ? ST_OK : ST_CMD_ERROR);
		CHECK_EQ(val(&l, 64), v3 ? M4_CPUID : 0);
		lab_close(&l);
	}
	CHECK_OK(lab_open(&l, V2, 0, NULL));
	CHECK_OK(misc(&l, codes, args, 2));
	CHECK_EQ(status(&l, 2, 0), ST_CMD_ERROR);
	lab_close(&l);
	return 0;
}

static const struct test_case tests[] = {
	{ "gate", "docs/STLINK-PROTOCOL.md 5, 8: RW_MISC from V2J32 / V3J2", test_gate },
	{ "order", "docs/STLINK-PROTOCOL.md 8: items in order", test_order },
	{ "fault_stops", "ADIv5.2 C2.6 MEM-AP fault; docs/LAB-stlink.md RW_MISC", test_fault_stops },
	{ "bad_items", "docs/STLINK-PROTOCOL.md 4 status codes", test_bad_items },
	{ "limits", "docs/STLINK-PROTOCOL.md 8: 64 items on V2", test_limits },
};

TEST_MAIN("test_sim_stlink_misc", tests)
