/*
 * Cortex-M target layer, the parts that need no chip: FPB and DWT
 * encodings, the CPUID table, the STM32 part table and sector geometry,
 * the STM32 family descriptors, and the target description (checked by gdb-multiarch when
 * installed). The lab-driven tests are in test_cortex_m_lab.c.
 */
#include "cortex_m_internal.h"
#include "harness.h"
#include "flash_builtin.h"
#include "stm32/family.h"
#include "swdd_err.h"

#include <stdlib.h>
#include <unistd.h>

/* ---- FPB ------------------------------------------------------------------ */

struct fpb_row {
	const char *ref;
	unsigned rev;
	uint32_t addr;
	unsigned halves;
	int rc;
	uint32_t comp;
};

static const struct fpb_row fpb_rows[] = {
	{ "ARMv7-M C1.11.5 REPLACE=01 lower halfword", 0, 0x08000100, 1, 0, 0x48000101 },
	{ "ARMv7-M C1.11.5 REPLACE=10 upper halfword", 0, 0x08000102, 2, 0, 0x88000101 },
	{ "ARMv7-M C1.11.5 REPLACE=11 both halfwords", 0, 0x08000100, 3, 0, 0xC8000101 },
	{ "ARMv7-M C1.11.5 alias at 0", 0, 0x00000204, 1, 0, 0x40000205 },
	{ "ARMv7-M C1.11 FPBv1 code region only", 0, 0x20000000, 1, SWDD_EUNSUPPORTED, 0 },
	{ "ARMv7-M C1.11 FPBv1 code region only", 0, 0x60000000, 1, SWDD_EUNSUPPORTED, 0 },
	{ "FPBv1 empty halfword set", 0, 0x08000000, 0, SWDD_EINVAL, 0 },
	{ "FPBv2 (M7 TRM 3.3.3) BPADDR|BE", 1, 0x08000102, 1, 0, 0x08000103 },
	{ "FPBv2 any address", 1, 0x20000010, 1, 0, 0x20000011 },
};

static int test_fpb_encode(void)
{
	for (size_t i = 0; i < sizeof(fpb_rows) / sizeof(fpb_rows[0]); i++) {
		const struct fpb_row *r = &fpb_rows[i];
		uint32_t comp = 0;
		int rc = cm_fpb_encode(r->rev, r->addr, r->halves, &comp);

		if (rc != r->rc)
			return test_fail_at(__FILE__, __LINE__, "row %zu (%s): rc %d, expected %d", i, r->ref,
					    rc, r->rc);
		if (rc == 0 && comp != r->comp)
			return test_fail_at(__FILE__, __LINE__, "row %zu (%s): comp 0x%08x, expected 0x%08x",
					    i, r->ref, comp, r->comp);
	}
	return 0;
}

/* ---- DWT ------------------------------------------------------------------ */

struct dwt_row {
	const char *ref;
	bool v8m;
	enum swdd_wp_type type;
	uint32_t addr, len;
	int rc;
	uint32_t mask, function;
};

static const struct dwt_row dwt_rows[] = {
	{ "ARMv7-M C1.8.17 FUNCTION=6 write", false, SWDD_WP_WRITE, 0x20001000, 4, 0, 2, 6 },
	{ "ARMv7-M C1.8.17 FUNCTION=5 read", false, SWDD_WP_READ, 0x20001001, 1, 0, 0, 5 },
	{ "ARMv7-M C1.8.17 FUNCTION=7 access", false, SWDD_WP_ACCESS, 0x20001000, 2, 0, 1, 7 },
	{ "ARMv7-M C1.8.15 MASK=log2(len)", false, SWDD_WP_WRITE, 0x20001000, 256, 0, 8, 6 },
	{ "ARMv7-M C1.8.15 MASK above implemented", false, SWDD_WP_WRITE, 0x20000000, 65536,
	  SWDD_EUNSUPPORTED, 0, 0 },
	{ "power-of-two length", false, SWDD_WP_WRITE, 0x20001000, 3, SWDD_EINVAL, 0, 0 },
	{ "zero length", false, SWDD_WP_WRITE, 0x20001000, 0, SWDD_EINVAL, 0, 0 },
	{ "aligned to length", false, SWDD_WP_WRITE, 0x20001002, 4, SWDD_EINVAL, 0, 0 },
	{ "ARMv8-M DWT MATCH=0101 write, ACTION=01, DATAVSIZE=2", true, SWDD_WP_WRITE, 0x20001000, 4, 0, 0,
	  0x815 },
	{ "ARMv8-M DWT MATCH=0110 read, byte", true, SWDD_WP_READ, 0x20001003, 1, 0, 0, 0x16 },
	{ "ARMv8-M DWT MATCH=0100 access, halfword", true, SWDD_WP_ACCESS, 0x20001002, 2, 0, 0, 0x414 },
	{ "ARMv8-M one comparator watches <= 4 bytes", true, SWDD_WP_WRITE, 0x20001000, 8, SWDD_EUNSUPPORTED,
	  0, 0 },
};

static int test_dwt_encode(void)
{
	for (size_t i = 0; i < sizeof(dwt_rows) / sizeof(dwt_rows[0]); i++) {
		const struct dwt_row *r = &dwt_rows[i];
		uint32_t mask = 0xFF, fn = 0xFF;
		int rc = cm_dwt_encode(r->v8m, r->type, r->addr, r->len, 15, &mask, &fn);

		if (rc != r->rc)
			return test_fail_at(__FILE__, __LINE__, "row %zu (%s): rc %d, expected %d", i, r->ref,
					    rc, r->rc);
		if (rc == 0 && (mask != r->mask || fn != r->function))
			return test_fail_at(__FILE__, __LINE__,
					    "row %zu (%s): mask %u fn 0x%x, expected %u 0x%x", i, r->ref,
					    mask, fn, r->mask, r->function);
	}
	return 0;
}

/* ---- CPUID ----------------------------------------------------------------- */

struct cpuid_row {
	uint32_t cpuid;
	const char *name; /* NULL: rejected */
	enum cm_core core;
};

static const struct cpuid_row cpuid_rows[] = {
	{ 0x410CC200, "Cortex-M0", CM_CORE_M0 }, { 0x410CC601, "Cortex-M0+", CM_CORE_M0P },
	{ 0x412FC231, "Cortex-M3", CM_CORE_M3 }, { 0x410FC241, "Cortex-M4", CM_CORE_M4 },
	{ 0x411FC271, "Cortex-M7", CM_CORE_M7 }, { 0x410FD214, "Cortex-M33", CM_CORE_M33 },
	{ 0x00000000, NULL, CM_CORE_UNKNOWN }, /* no data */
	{ 0xFFFFFFFF, NULL, CM_CORE_UNKNOWN }, /* bus floating */
	{ 0x630FD241, NULL, CM_CORE_UNKNOWN }, /* not Arm-implemented */
};

static int test_cpuid(void)
{
	for (size_t i = 0; i < sizeof(cpuid_rows) / sizeof(cpuid_rows[0]); i++) {
		enum cm_core core;
		const char *name = cm_core_from_cpuid(cpuid_rows[i].cpuid, &core);

		if (!cpuid_rows[i].name) {
			CHECK(name == NULL);
			continue;
		}
		CHECK(name != NULL);
		CHECK_STR_CONTAINS(name, cpuid_rows[i].name);
		CHECK(strlen(name) == strlen(cpuid_rows[i].name));
		CHECK_EQ(core, cpuid_rows[i].core);
	}
	return 0;
}

/* ---- STM32 table ------------------------------------------------------------ */

struct part_row {
	uint16_t dev_id;
	const char *name;
	uint32_t max_flash, sram;
};

static const struct part_row part_rows[] = {
	{ 0x413, "STM32F405/407/415/417", 1024 * 1024, 128 * 1024 },
	{ 0x419, "STM32F42x/43x", 2048 * 1024, 192 * 1024 },
	{ 0x423, "STM32F401xB/C", 256 * 1024, 64 * 1024 },
	{ 0x433, "STM32F401xD/E", 512 * 1024, 96 * 1024 },
	{ 0x431, "STM32F411xC/E", 512 * 1024, 128 * 1024 },
	{ 0x421, "STM32F446", 512 * 1024, 128 * 1024 },
	{ 0x458, "STM32F410", 128 * 1024, 32 * 1024 },
	{ 0x441, "STM32F412", 1024 * 1024, 256 * 1024 },
	{ 0x463, "STM32F413/423", 1536 * 1024, 320 * 1024 },
};

static int test_part_table(void)
{
	for (size_t i = 0; i < sizeof(part_rows) / sizeof(part_rows[0]); i++) {
		const struct stm32_part *p = stm32_part_find(part_rows[i].dev_id);
		uint32_t layout = 0;

		CHECK(p != NULL);
		CHECK(strcmp(p->name, part_rows[i].name) == 0);
		CHECK_EQ(p->max_flash, part_rows[i].max_flash);
		CHECK_EQ(p->rams[p->algo_ram].size, part_rows[i].sram);
		CHECK_EQ(p->family->flash_size_reg, 0x1FFF7A22);
		CHECK_EQ(p->family->dbgmcu_idcode, 0xE0042000);
		CHECK_EQ(p->family->flash_ctrl_base, 0x40023C00);
		for (size_t r = 0; r < p->num_runs; r++)
			layout += p->sectors[r].count * p->sectors[r].size;
		/* Sectors of one bank add up to the line's flash (per bank). */
		CHECK_EQ(layout * (p->bank2_base ? 2U : 1U), p->max_flash);
	}
	CHECK(stm32_part_find(0x999) == NULL);
	return 0;
}

struct sector_row {
	uint16_t dev_id;
	uint32_t flash_size, addr;
	int rc;
	unsigned index;
	uint32_t start, size;
};

static const struct sector_row sector_rows[] = {
	/* RM0090 table 5: F405/407 sectors 0-11 */
	{ 0x413, 1024 * 1024, 0x08000000, 0, 0, 0x08000000, 16 * 1024 },
	{ 0x413, 1024 * 1024, 0x0800FFFF, 0, 3, 0x0800C000, 16 * 1024 },
	{ 0x413, 1024 * 1024, 0x08010000, 0, 4, 0x08010000, 64 * 1024 },
	{ 0x413, 1024 * 1024, 0x08020000, 0, 5, 0x08020000, 128 * 1024 },
	{ 0x413, 1024 * 1024, 0x080FFFFF, 0, 11, 0x080E0000, 128 * 1024 },
	{ 0x413, 1024 * 1024, 0x08100000, SWDD_ERANGE, 0, 0, 0 },
	{ 0x413, 512 * 1024, 0x08080000, SWDD_ERANGE, 0, 0, 0 }, /* smaller part of the line */
	/* RM0090 table 6: F42x/43x 2 MiB, bank 2 sectors 12-23 at 0x08100000 */
	{ 0x419, 2048 * 1024, 0x08100000, 0, 12, 0x08100000, 16 * 1024 },
	{ 0x419, 2048 * 1024, 0x081E0000, 0, 23, 0x081E0000, 128 * 1024 },
	{ 0x419, 1024 * 1024, 0x08100000, SWDD_ERANGE, 0, 0, 0 },
	{ 0x458, 128 * 1024, 0x08010000, 0, 4, 0x08010000, 64 * 1024 },
};

static int test_sector_find(void)
{
	for (size_t i = 0; i < sizeof(sector_rows) / sizeof(sector_rows[0]); i++) {
		const struct sector_row *r = &sector_rows[i];
		unsigned idx = 99;
		uint32_t start = 0, size = 0;
		int rc = stm32_sector_find(stm32_part_find(r->dev_id), r->flash_size, r->addr, &idx, &start,
					   &size);

		if (rc != r->rc)
			return test_fail_at(__FILE__, __LINE__, "row %zu: rc %d expected %d", i, rc, r->rc);
		if (rc == 0 && (idx != r->index || start != r->start || size != r->size))
			return test_fail_at(__FILE__, __LINE__, "row %zu: sector %u at 0x%08x size 0x%x", i,
					    idx, start, size);
	}
	return 0;
}

static int test_rev_names(void)
{
	const struct stm32_family *f = stm32_part_find(0x413)->family;

	CHECK(strcmp(stm32_rev_name(f, 0x1000), "A") == 0);
	CHECK(strcmp(stm32_rev_name(f, 0x1001), "Z") == 0);
	CHECK(strcmp(stm32_rev_name(f, 0x1007), "1") == 0);
	CHECK(strcmp(stm32_rev_name(f, 0x7777), "?") == 0);
	return 0;
}

static bool builtin_exists(const char *name)
{
	for (const struct swdd_flm_builtin *b = swdd_flm_builtins; b->name; b++)
		if (strcmp(b->name, name) == 0)
			return true;
	return false;
}

/* What every registered family descriptor must hold: the required hooks,
 * a built-in algorithm that exists, parts that point back to their family,
 * an executable RAM for the algorithm, DEV_IDs found in one family only. */
static int test_family_descriptors(void)
{
	for (size_t i = 0; stm32_families[i]; i++) {
		const struct stm32_family *f = stm32_families[i];

		CHECK(f->name && f->manual && f->rdp_level && f->wrp_mask && f->read_status);
		CHECK(f->builtin_algo && builtin_exists(f->builtin_algo));
		CHECK(f->num_parts > 0 && f->num_hints > 0 && f->flash_word > 0 && f->mass_erase_ms > 0);
		for (size_t k = 0; k < f->num_parts; k++) {
			const struct stm32_part *p = &f->parts[k];

			CHECK(p->family == f);
			CHECK(stm32_part_find(p->dev_id) == p);
			CHECK(p->algo_ram < STM32_MAX_RAMS && p->rams[p->algo_ram].name);
			CHECK(p->rams[p->algo_ram].executable);
		}
		for (size_t k = 0; k < f->num_cmds; k++)
			CHECK(f->cmds[k].name && f->cmds[k].usage && f->cmds[k].help && f->cmds[k].fn);
	}
	return 0;
}

/* ---- target description ------------------------------------------------ */

static int xml_build(bool fpu, struct swdd_target **out)
{
	struct swdd_target *t = calloc(1, sizeof(*t));

	if (!t)
		return 1;
	t->chip.has_fpu = fpu;
	*out = t;
	return cm_xml_build(t);
}

static int test_xml_features(void)
{
	struct swdd_target *t;

	CHECK_OK(xml_build(false, &t));
	CHECK_STR_CONTAINS(t->xml, "org.gnu.gdb.arm.m-profile");
	CHECK_STR_CONTAINS(t->xml, "org.gnu.gdb.arm.m-system");
	CHECK_STR_CONTAINS(t->xml, "<reg name=\"control\"");
	CHECK(strstr(t->xml, "org.gnu.gdb.arm.vfp") == NULL);
	CHECK_EQ(swdd_target_num_regs(t), 23);
	CHECK_EQ(swdd_target_reg_size(t, 16), 4);
	CHECK_EQ(swdd_target_reg_size(t, 23), 0);
	swdd_target_free(t);
	CHECK_OK(xml_build(true, &t));
	CHECK_STR_CONTAINS(t->xml, "org.gnu.gdb.arm.vfp");
	CHECK_STR_CONTAINS(t->xml, "<reg name=\"d15\" bitsize=\"64\"");
	CHECK_EQ(swdd_target_num_regs(t), 40);
	CHECK_EQ(swdd_target_reg_size(t, 23), 8);
	CHECK_EQ(swdd_target_reg_size(t, 39), 4);
	swdd_target_free(t);
	return 0;
}

/* Runs gdb-multiarch on the description; `expect` must appear in the
 * remote register map and stderr must stay empty (no warnings). */
static int gdb_check(const char *xml, const char *expect, char *msg, size_t cap)
{
	char dir[] = "/tmp/swdd-tdesc-XXXXXX", cmd[1024], line[256];
	int found = 0, errs = 0;
	FILE *f;

	if (!mkdtemp(dir))
		return snprintf(msg, cap, "mkdtemp failed"), 1;
	snprintf(cmd, sizeof(cmd), "%s/t.xml", dir);
	f = fopen(cmd, "w");
	if (!f)
		return snprintf(msg, cap, "cannot write the description in %s", dir), 1;
	fputs(xml, f);
	fclose(f);
	snprintf(
		cmd, sizeof(cmd),
		"cd %s && gdb-multiarch -nx -batch -ex 'set tdesc filename t.xml' -ex 'set architecture arm' "
		"-ex 'maint print remote-registers' 2>err.txt >out.txt; cat err.txt | sed 's/^/ERR /'; cat "
		"out.txt",
		dir);
	f = popen(cmd, "r");
	while (f && fgets(line, sizeof(line), f)) {
		errs += strncmp(line, "ERR ", 4) == 0;
		found += strstr(line, expect) != NULL;
		if (errs == 1 && strncmp(line, "ERR ", 4) == 0)
			snprintf(msg, cap, "gdb: %s", line);
	}
	if (f)
		pclose(f);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return snprintf(msg, cap, "cleanup failed"), 1;
	if (!errs && !found)
		snprintf(msg, cap, "'%s' not in gdb's register map", expect);
	return errs || !found;
}

static int test_xml_gdb_accepts(void)
{
	struct swdd_target *t;
	char msg[300] = "";
	int bad;

	if (system("gdb-multiarch --version >/dev/null 2>&1") != 0)
		return test_skip_reason("gdb-multiarch is not installed");
	for (int fpu = 0; fpu <= 1; fpu++) {
		CHECK_OK(xml_build(fpu, &t));
		/* remote numbers: xpsr 16, control 22, fpscr 39 (cortex_m_regs.c) */
		bad = gdb_check(t->xml, fpu ? " fpscr " : " control ", msg, sizeof(msg));
		swdd_target_free(t);
		if (bad)
			return test_fail_at(__FILE__, __LINE__, "fpu=%d: %s", fpu, msg);
	}
	return 0;
}

static const struct test_case tests[] = {
	{ "fpb_encode", "ARMv7-M C1.11.5, M7 TRM FPBv2", test_fpb_encode },
	{ "dwt_encode", "ARMv7-M C1.8.15-17, ARMv8-M DWT_FUNCTION", test_dwt_encode },
	{ "cpuid", "ARMv7-M B3.2.3, Cortex-M TRMs PARTNO", test_cpuid },
	{ "part_table", "RM0090 2.3/3.3/38.6.1, RM0368/0383/0390/0401/0402/0430", test_part_table },
	{ "sector_find", "RM0090 3.3 tables 5 and 6", test_sector_find },
	{ "rev_names", "RM0090 38.6.1 REV_ID", test_rev_names },
	{ "family_descriptors", "each registered STM32 family descriptor is complete",
	  test_family_descriptors },
	{ "xml_features", "GDB manual G.5.1 ARM features", test_xml_features },
	{ "xml_gdb_accepts", "GDB manual G.5.1, gdb-multiarch", test_xml_gdb_accepts },
};

TEST_MAIN("test_cortex_m", tests)
