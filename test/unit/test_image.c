/* Image loading: Intel HEX (Intel "Hexadecimal Object File Format"
 * Specification rev A), raw binary, ELF program headers (gABI). */
#include "file_craft.h"
#include "flash_builtin.h"
#include "harness.h"
#include "image.h"
#include "swdd_err.h"

#include <stdlib.h>

static int parse_str(const char *s, const char *name, struct swdd_image *img)
{
	return swdd_image_parse((const uint8_t *)s, strlen(s), name, SWDD_IMAGE_AUTO, 0x08000000u, img);
}

/* Type 04 sets address bits 31:16; data records then land there. */
static int hex_extended_linear(void)
{
	struct swdd_image img;
	const char *hex = ":020000040800F2\n"
			  ":0400000001020304F2\n"
			  ":0400040005060708DE\n"
			  ":00000001FF\n";

	CHECK_OK(parse_str(hex, "a.hex", &img));
	CHECK_EQ(img.n, 1);
	CHECK_EQ(img.seg[0].addr, 0x08000000u);
	CHECK_EQ(img.seg[0].len, 8);
	CHECK_EQ(img.seg[0].data[7], 0x08);
	swdd_image_free(&img);
	return 0;
}

static int hex_bad_checksum(void)
{
	struct swdd_image img;
	const char *hex = ":020000040800F2\n:0400000001020304F3\n:00000001FF\n";

	CHECK_EQ(parse_str(hex, "b.hex", &img), SWDD_EFORMAT);
	CHECK_STR_CONTAINS(swdd_err_detail(), "line 2");
	return 0;
}

static int hex_truncated(void)
{
	struct swdd_image img;

	CHECK_EQ(parse_str(":0400000001020304F2\n", "c.hex", &img), SWDD_EFORMAT);
	CHECK_STR_CONTAINS(swdd_err_detail(), "truncated");
	return 0;
}

static int hex_overlap(void)
{
	struct swdd_image img;
	const char *hex = ":0400000001020304F2\n:0400020001020304F0\n:00000001FF\n";

	CHECK_EQ(parse_str(hex, "d.hex", &img), SWDD_EFORMAT);
	CHECK_STR_CONTAINS(swdd_err_detail(), "overlaps");
	return 0;
}

static int bin_at_address(void)
{
	struct swdd_image img;
	static const uint8_t data[5] = { 1, 2, 3, 4, 5 };

	CHECK_OK(swdd_image_parse(data, 5, "fw.bin", SWDD_IMAGE_AUTO, 0x08004000u, &img));
	CHECK_EQ(img.n, 1);
	CHECK_EQ(img.seg[0].addr, 0x08004000u);
	CHECK_EQ(swdd_image_size(&img), 5);
	swdd_image_free(&img);
	return 0;
}

/* The built-in flash algorithm is an ARM ELF with PT_LOAD segments. */
static int elf_segments(void)
{
	const struct swdd_flm_builtin *b = &swdd_flm_builtins[0];
	struct swdd_image img;

	CHECK_OK(swdd_image_parse(b->elf, b->size, "algo.elf", SWDD_IMAGE_AUTO, 0, &img));
	CHECK(img.n >= 1);
	CHECK_EQ(img.seg[0].addr, 0);
	CHECK(swdd_image_size(&img) > 0x100);
	swdd_image_free(&img);
	CHECK_EQ(swdd_image_parse(b->elf, b->size / 3, "cut.elf", SWDD_IMAGE_AUTO, 0, &img), SWDD_EFORMAT);
	return 0;
}

static int elf_garbage(void)
{
	struct swdd_image img;
	static const uint8_t junk[20] = { 0x7f, 'E', 'L', 'F', 9, 9 };

	CHECK_EQ(swdd_image_parse(junk, sizeof(junk), "junk.elf", SWDD_IMAGE_AUTO, 0, &img), SWDD_EFORMAT);
	CHECK_STR_CONTAINS(swdd_err_detail(), "junk.elf");
	return 0;
}

/* A crafted ELF64 is parsed like an ELF32 where its values fit; the
 * values that do not fit a Cortex-M's 32 bits are refused, never cut. */
static int elf64_in_range(void)
{
	uint8_t buf[256];
	size_t n = craft_elf_segment(buf, 0, 0x08000000u, 16);
	struct swdd_image img;

	CHECK_OK(swdd_image_parse(buf, n, "ok64.elf", SWDD_IMAGE_AUTO, 0, &img));
	CHECK_EQ(img.n, 1);
	CHECK_EQ(img.seg[0].addr, 0x08000000u);
	CHECK_EQ(img.seg[0].data[15], 0xAF);
	swdd_image_free(&img);
	return 0;
}

/* p_offset + p_filesz wraps past 2^64 and looks small: out-of-bounds
 * read before the fix. */
static int elf64_offset_wraps(void)
{
	uint8_t buf[256];
	size_t n = craft_elf_segment(buf, 0xFFFFFFFFFFFFFF80ull, 0x08000000u, 0x100);
	struct swdd_image img;

	CHECK_EQ(swdd_image_parse(buf, n, "wrap.elf", SWDD_IMAGE_AUTO, 0, &img), SWDD_EFORMAT);
	CHECK_STR_CONTAINS(swdd_err_detail(), "wrap.elf is truncated or corrupt: segment 0");
	return 0;
}

/* p_paddr 0x108000000 was cut to 0x08000000 and written there. */
static int elf64_paddr_beyond_4g(void)
{
	static const uint64_t bad[] = { 0x108000000ull, 0xFFFFFFFFFFFFFFF8ull, 0xFFFFFFF8ull };
	uint8_t buf[256];
	struct swdd_image img;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = craft_elf_segment(buf, 0, bad[i], 16);
		CHECK_EQ(swdd_image_parse(buf, n, "high.elf", SWDD_IMAGE_AUTO, 0, &img), SWDD_EFORMAT);
		CHECK_STR_CONTAINS(swdd_err_detail(), "beyond the 32-bit address space");
	}
	return 0;
}

/* Intel HEX: an extended linear address of 0xFFFF and a record at 0xFFF8
 * of 16 bytes ends past 4 GiB. */
static int hex_wraps_4g(void)
{
	struct swdd_image img;
	const char *hex = ":02000004FFFFFC\n"
			  ":10FFF80000000000000000000000000000000000F9\n"
			  ":00000001FF\n";

	CHECK_EQ(parse_str(hex, "wrap.hex", &img), SWDD_EFORMAT);
	CHECK_STR_CONTAINS(swdd_err_detail(), "wraps past 4 GiB");
	CHECK_EQ(
		swdd_image_parse((const uint8_t *)"abcdefgh", 8, "hi.bin", SWDD_IMAGE_BIN, 0xFFFFFFFCu, &img),
		SWDD_ERANGE);
	return 0;
}

/* A FIFO blocked open() for ever (`swdd flash FIFO`); it is refused at
 * once. The alarm turns a hang into a failure. */
static int fifo_refused(void)
{
	char path[64];
	struct swdd_image img;
	int rc;

	CHECK_OK(craft_fifo(path, "fw.elf"));
	alarm(20);
	rc = swdd_image_load(path, SWDD_IMAGE_AUTO, 0, &img);
	alarm(0);
	craft_fifo_remove(path);
	CHECK_EQ(rc, SWDD_EFORMAT);
	CHECK_STR_CONTAINS(swdd_err_detail(), "not a non-empty regular file");
	return 0;
}

static int missing_file(void)
{
	struct swdd_image img;

	CHECK_EQ(swdd_image_load("/nonexistent/fw.elf", SWDD_IMAGE_AUTO, 0, &img), SWDD_EINVAL);
	CHECK_STR_CONTAINS(swdd_err_detail(), "/nonexistent/fw.elf");
	return 0;
}

static const struct test_case tests[] = {
	{ "hex_extended_linear", "Intel HEX rev A: record type 04", hex_extended_linear },
	{ "hex_bad_checksum", "Intel HEX rev A: checksum", hex_bad_checksum },
	{ "hex_truncated", "Intel HEX rev A: record type 01", hex_truncated },
	{ "hex_overlap", "", hex_overlap },
	{ "bin_at_address", "", bin_at_address },
	{ "elf_segments", "gABI program header PT_LOAD", elf_segments },
	{ "elf_garbage", "gABI ELF header", elf_garbage },
	{ "missing_file", "", missing_file },
	{ "elf64_in_range", "gABI ELF64 program header", elf64_in_range },
	{ "elf64_offset_wraps", "gABI ELF64 p_offset/p_filesz", elf64_offset_wraps },
	{ "elf64_paddr_beyond_4g", "ARMv7-M ARM B3.1 (32-bit address space)", elf64_paddr_beyond_4g },
	{ "hex_wraps_4g", "Intel HEX rev A: record type 04", hex_wraps_4g },
	{ "fifo_refused", "", fifo_refused },
};

TEST_MAIN("image", tests)
