/*
 * Is it firmware? (server/fw_check.c, flash/image.c format choice), table-
 * driven. References: issue 10 point 4; ARMv7-M ARM B1.5.3 (vector table:
 * SP_main at offset 0, reset vector at 4 with bit 0 set), B1.5.5 (reset
 * loads SP with bits[1:0] clear), B1.5.6 (full descending stack); RM0090
 * 2.3.1 (flash at 0x08000000, SRAM at 0x20000000).
 */
#include "fw_check.h"
#include "harness.h"
#include "image.h"
#include "stm32/family.h"
#include "swdd_err.h"

static const struct swdd_chip_info f407 = {
	.name = "STM32F405/407/415/417",
	.flash_base = 0x08000000u,
	.flash_size = 1024u * 1024u,
	.sram_base = 0x20000000u,
	.sram_size = 128u * 1024u,
};

static const struct {
	uint32_t addr, sp, reset;
	enum swdd_image_format fmt;
	int rc;
	const char *detail;
} vec_rows[] = {
	{ 0x08000000u, 0x20020000u, 0x08000189u, SWDD_IMAGE_BIN, 0, NULL }, /* SP = end of SRAM */
	{ 0x08000000u, 0x20001000u, 0x080F0001u, SWDD_IMAGE_BIN, 0, NULL },
	{ 0x08000000u, 0x20020004u, 0x08000189u, SWDD_IMAGE_BIN, SWDD_EFORMAT,
	  "initial stack pointer, is 0x20020004" },
	{ 0x08000000u, 0x20000000u, 0x08000189u, SWDD_IMAGE_BIN, SWDD_EFORMAT,
	  "not a word-aligned address in SRAM" },
	{ 0x08000000u, 0x20001002u, 0x08000189u, SWDD_IMAGE_BIN, SWDD_EFORMAT, "is 0x20001002" },
	{ 0x08000000u, 0xFFFFFFFFu, 0xFFFFFFFFu, SWDD_IMAGE_BIN, SWDD_EFORMAT, "is 0xFFFFFFFF" }, /* erased */
	{ 0x08000000u, 0x20001000u, 0x08000188u, SWDD_IMAGE_BIN, SWDD_EFORMAT, "without the Thumb bit" },
	{ 0x08000000u, 0x20001000u, 0x00000189u, SWDD_IMAGE_BIN, SWDD_EFORMAT, "outside the flash" },
	{ 0x08000000u, 0x20001000u, 0x08100001u, SWDD_IMAGE_BIN, SWDD_EFORMAT, "outside the flash" },
	/* not at the start of flash, or not a raw binary: not checked */
	{ 0x08020000u, 0x00000000u, 0x00000000u, SWDD_IMAGE_BIN, 0, NULL },
	{ 0x08000000u, 0x00000000u, 0x00000000u, SWDD_IMAGE_ELF, 0, NULL },
	{ 0x08000000u, 0x00000000u, 0x00000000u, SWDD_IMAGE_HEX, 0, NULL },
};

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int test_vectors(void)
{
	for (size_t i = 0; i < sizeof(vec_rows) / sizeof(vec_rows[0]); i++) {
		uint8_t data[16] = { 0 };
		struct swdd_segment seg = { .addr = vec_rows[i].addr, .len = sizeof(data), .data = data };
		struct swdd_image img = { .seg = &seg, .n = 1 };
		int rc;

		put32(data, vec_rows[i].sp);
		put32(data + 4, vec_rows[i].reset);
		swdd_err_clear();
		rc = fw_check_vectors(&img, vec_rows[i].fmt, &f407);
		if (rc != vec_rows[i].rc)
			return test_fail_at(__FILE__, __LINE__, "row %zu: rc %d (%s)", i, rc,
					    swdd_err_detail());
		if (rc)
			CHECK_STR_CONTAINS(swdd_err_detail(), vec_rows[i].detail);
	}
	return 0;
}

/* STM32H743: the usual stack top is the end of the AXI SRAM (0x24080000,
 * RM0433 2.3.2), not the DTCM swdd runs its algorithm in (the H743 user
 * report's firmware). */
static int test_h743_axi_stack(void)
{
	struct swdd_chip_info h743 = {
		.flash_base = 0x08000000u,
		.flash_size = 2048u * 1024u,
		.sram_base = 0x20000000u,
		.sram_size = 128u * 1024u,
		.part = stm32_part_find(0x450),
	};
	uint8_t data[8];
	struct swdd_segment seg = { .addr = 0x08000000u, .len = sizeof(data), .data = data };
	struct swdd_image img = { .seg = &seg, .n = 1 };

	CHECK(h743.part != NULL);
	put32(data + 4, 0x08000299u);
	put32(data, 0x24080000u);
	CHECK_OK(fw_check_vectors(&img, SWDD_IMAGE_BIN, &h743));
	put32(data, 0x24080004u);
	CHECK_EQ(fw_check_vectors(&img, SWDD_IMAGE_BIN, &h743), SWDD_EFORMAT);
	return 0;
}

static int test_too_short(void)
{
	uint8_t data[6] = { 0 };
	struct swdd_segment seg = { .addr = 0x08000000u, .len = sizeof(data), .data = data };
	struct swdd_image img = { .seg = &seg, .n = 1 };

	CHECK_EQ(fw_check_vectors(&img, SWDD_IMAGE_BIN, &f407), SWDD_EFORMAT);
	CHECK_STR_CONTAINS(swdd_err_detail(), "too short for a vector table");
	return 0;
}

/* A raw binary only by a .bin name or an explicit format. */
static int test_format_choice(void)
{
	static const struct {
		const char *name;
		const char *content;
		enum swdd_image_format fmt, found;
		int rc;
	} rows[] = {
		{ "README.md", "# swdd\n", SWDD_IMAGE_AUTO, SWDD_IMAGE_AUTO, SWDD_EFORMAT },
		{ "fw", "\x10\x10\x10\x20", SWDD_IMAGE_AUTO, SWDD_IMAGE_AUTO, SWDD_EFORMAT },
		{ "fw.img", "\x10\x10\x10\x20", SWDD_IMAGE_AUTO, SWDD_IMAGE_AUTO, SWDD_EFORMAT },
		{ "fw.bin", "\x10\x10\x10\x20", SWDD_IMAGE_AUTO, SWDD_IMAGE_BIN, 0 },
		{ "FW.BIN", "\x10\x10\x10\x20", SWDD_IMAGE_AUTO, SWDD_IMAGE_BIN, 0 },
		{ "README.md", "# swdd\n", SWDD_IMAGE_BIN, SWDD_IMAGE_BIN, 0 },
		{ "app.hex", ":00000001FF\n", SWDD_IMAGE_AUTO, SWDD_IMAGE_HEX, SWDD_EFORMAT /* no data */ },
		{ "noext", ":0400000001020304F2\n:00000001FF\n", SWDD_IMAGE_AUTO, SWDD_IMAGE_HEX, 0 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct swdd_image img;
		enum swdd_image_format found = (enum swdd_image_format) - 1;
		int rc = swdd_image_parse_as((const uint8_t *)rows[i].content, strlen(rows[i].content),
					     rows[i].name, rows[i].fmt, 0x08000000u, &img, &found);

		if (!rc)
			swdd_image_free(&img);
		if (found != rows[i].found || (rows[i].rc == 0) != (rc == 0))
			return test_fail_at(__FILE__, __LINE__, "row %zu (%s): found %d, rc %d (%s)", i,
					    rows[i].name, (int)found, rc, swdd_err_detail());
		if (found == SWDD_IMAGE_AUTO)
			CHECK_STR_CONTAINS(swdd_err_detail(),
					   "a raw binary needs a .bin name or --format bin");
	}
	return 0;
}

static int test_address_option(void)
{
	CHECK_OK(fw_check_address_option("a.bin", SWDD_IMAGE_BIN, true));
	CHECK_OK(fw_check_address_option("a.elf", SWDD_IMAGE_ELF, false));
	CHECK_EQ(fw_check_address_option("a.elf", SWDD_IMAGE_ELF, true), SWDD_EINVAL);
	CHECK_STR_CONTAINS(swdd_err_detail(), "a.elf is ELF");
	CHECK_EQ(fw_check_address_option("a.hex", SWDD_IMAGE_HEX, true), SWDD_EINVAL);
	CHECK_STR_CONTAINS(swdd_err_detail(), "a.hex is Intel HEX");
	return 0;
}

static const struct test_case tests[] = {
	{ "vectors", "ARMv7-M B1.5.3, B1.5.5, B1.5.6; RM0090 2.3.1", test_vectors },
	{ "too_short", "ARMv7-M B1.5.3", test_too_short },
	{ "h743_axi_stack", "RM0433 2.3.2 AXI SRAM", test_h743_axi_stack },
	{ "format_choice", "issue 10 point 4", test_format_choice },
	{ "address_option", "issue 10 point 4", test_address_option },
};

TEST_MAIN("test_fw_check", tests)
