/* FLM parsing: CMSIS-Pack flash algorithm format (FlashOS.h 1.01). */
#include "file_craft.h"
#include "flash_builtin.h"
#include "flash.h"
#include "flm.h"
#include "../../flashalgo/crc32.h"
#include "harness.h"
#include "swdd_err.h"

#include <stdlib.h>

static int builtin_parses(void)
{
	struct swdd_flm *f;

	CHECK_OK(swdd_flm_builtin("stm32f4", &f));
	CHECK_EQ(f->version, 0x0101);
	CHECK_EQ(f->dev_addr, 0x08000000u);
	CHECK_EQ(f->dev_size, 0x100000u);
	CHECK_EQ(f->empty, 0xFF);
	CHECK_EQ(f->num_sectors, 3);
	CHECK_EQ(f->sectors[1].size, 0x10000u);
	CHECK(f->fn[SWDD_FLM_INIT] != SWDD_FLM_NO_FN);
	CHECK(f->fn[SWDD_FLM_CRC32] != SWDD_FLM_NO_FN);
	CHECK(f->fn[SWDD_FLM_PROGRAM_PAGE] < f->blob_size);
	CHECK(f->data_offset <= f->blob_size);
	swdd_flm_free(f);
	return 0;
}

/* RM0090 3.3 table 5: sector boundaries of a 1 MiB F4. */
static int sector_lookup(void)
{
	static const struct {
		uint32_t addr, start, size;
	} rows[] = {
		{ 0x08000000u, 0x08000000u, 0x4000u },  { 0x08007FFFu, 0x08004000u, 0x4000u },
		{ 0x0800C000u, 0x0800C000u, 0x4000u },  { 0x08010000u, 0x08010000u, 0x10000u },
		{ 0x0801FFFFu, 0x08010000u, 0x10000u }, { 0x08020000u, 0x08020000u, 0x20000u },
		{ 0x080E0004u, 0x080E0000u, 0x20000u },
	};
	struct swdd_flm *f;
	uint32_t s, z;

	CHECK_OK(swdd_flm_builtin("stm32f4", &f));
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		CHECK_OK(swdd_flm_sector_at(f, rows[i].addr, &s, &z));
		CHECK_EQ(s, rows[i].start);
		CHECK_EQ(z, rows[i].size);
	}
	CHECK_EQ(swdd_flm_sector_at(f, 0x08100000u, &s, &z), SWDD_ERANGE);
	CHECK_EQ(swdd_flm_sector_at(f, 0x07FFFFFFu, &s, &z), SWDD_ERANGE);
	swdd_flm_free(f);
	return 0;
}

static int rejects_garbage(void)
{
	static const unsigned char junk[64] = { 0x7f, 'E', 'L', 'F', 1, 1, 1 };
	struct swdd_flm *f = NULL;

	CHECK_EQ(swdd_flm_parse(junk, sizeof(junk), "junk", &f), SWDD_EFORMAT);
	CHECK(f == NULL);
	CHECK_STR_CONTAINS(swdd_err_detail(), "junk");
	return 0;
}

/* Every truncation of a valid FLM is rejected cleanly (no crash). */
static int rejects_truncated(void)
{
	const struct swdd_flm_builtin *b = &swdd_flm_builtins[0];
	struct swdd_flm *f;

	for (size_t n = 0; n < b->size; n += 97) {
		unsigned char *copy = malloc(n + 1);
		memcpy(copy, b->elf, n);
		int rc = swdd_flm_parse(copy, n, "truncated", &f);
		free(copy);
		if (rc == 0) {
			swdd_flm_free(f);
			/* only a cut after all sections may still parse */
			CHECK(n > b->size / 2);
		} else {
			CHECK_EQ(rc, SWDD_EFORMAT);
		}
	}
	return 0;
}

/* GDB's qCRC definition (gdb/utils.c xcrc32, init 0xffffffff): the CRC of
 * "123456789" is the CRC-32/MPEG-2 check value 0x0376E6E7. The host's
 * table-driven swdd_crc32 and the targets' step (crc32.h) agree on it. */
static int crc32_check_value(void)
{
	uint32_t step = 0xFFFFFFFFu;

	CHECK_EQ(swdd_crc32(0xFFFFFFFFu, (const uint8_t *)"123456789", 9), 0x0376E6E7u);
	CHECK_EQ(swdd_crc32(0xFFFFFFFFu, (const uint8_t *)"", 0), 0xFFFFFFFFu);
	for (const char *p = "123456789"; *p; p++)
		step = crc32_gdb_byte(step, (uint8_t)*p);
	CHECK_EQ(step, 0x0376E6E7u);
	return 0;
}

static int missing_file(void)
{
	struct swdd_flm *f;

	CHECK_EQ(swdd_flm_load_file("/nonexistent/x.FLM", &f), SWDD_EINVAL);
	CHECK_STR_CONTAINS(swdd_err_detail(), "/nonexistent/x.FLM");
	return 0;
}

/* swdd's checksum routine is code only: it parses as such (Crc32 inside
 * the blob, no descriptor) and is refused as a flash algorithm. */
static int crc_routine_parses(void)
{
	struct swdd_flm *f = NULL;

	CHECK_OK(swdd_flm_crc_routine(&f));
	CHECK(f->fn[SWDD_FLM_CRC32] < f->blob_size);
	CHECK_EQ(f->fn[SWDD_FLM_INIT], SWDD_FLM_NO_FN);
	CHECK_EQ(f->num_sectors, 0);
	swdd_flm_free(f);
	f = NULL;
	CHECK_EQ(swdd_flm_builtin("swdd_crc", &f), SWDD_EFORMAT);
	CHECK(f == NULL);
	CHECK_STR_CONTAINS(swdd_err_detail(), "DevDscr");
	return 0;
}

/* PrgData at sh_addr 2^64 - 16 with 32 bytes: sh_addr + sh_size wraps to
 * 16 and the copy wrote far outside the blob (`monitor flash algo FILE`
 * crashed the server). Also a PrgData just past the 256 KiB limit. */
static int section_wraps(void)
{
	static const uint64_t bad[] = { 0xFFFFFFFFFFFFFFF0ull, 0x3FFF0u, 0x100000000ull };
	uint8_t buf[512];
	struct swdd_flm *f = NULL;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = craft_flm_sections(buf, bad[i]);
		CHECK_EQ(swdd_flm_parse(buf, n, "wrap.flm", &f), SWDD_EFORMAT);
		CHECK(f == NULL);
		CHECK_STR_CONTAINS(swdd_err_detail(), "lies outside the 256 KiB");
	}
	/* the same file with PrgData in range parses up to the missing DevDscr */
	CHECK_EQ(swdd_flm_parse(buf, craft_flm_sections(buf, 16), "ok.flm", &f), SWDD_EFORMAT);
	CHECK_STR_CONTAINS(swdd_err_detail(), "no DevDscr section");
	return 0;
}

/* A FIFO named as the algorithm is refused without blocking. */
static int fifo_refused(void)
{
	char path[64];
	struct swdd_flm *f = NULL;
	int rc;

	CHECK_OK(craft_fifo(path, "algo.flm"));
	alarm(20);
	rc = swdd_flm_load_file(path, &f);
	alarm(0);
	craft_fifo_remove(path);
	CHECK_EQ(rc, SWDD_EFORMAT);
	CHECK_STR_CONTAINS(swdd_err_detail(), "FIFOs, sockets and devices are refused");
	return 0;
}

static const struct test_case tests[] = {
	{ "crc_routine_parses", "CMSIS-Pack FLM sections (PrgCode only)", crc_routine_parses },
	{ "builtin_parses", "FlashOS.h FlashDevice", builtin_parses },
	{ "sector_lookup", "RM0090 3.3 table 5", sector_lookup },
	{ "rejects_garbage", "ELF header", rejects_garbage },
	{ "rejects_truncated", "ELF section headers", rejects_truncated },
	{ "missing_file", "", missing_file },
	{ "section_wraps", "gABI ELF64 section header, FlashOS.h", section_wraps },
	{ "fifo_refused", "", fifo_refused },
	{ "crc32_check_value", "GDB qCRC (xcrc32), CRC-32/MPEG-2 check", crc32_check_value },
};

TEST_MAIN("flm", tests)
