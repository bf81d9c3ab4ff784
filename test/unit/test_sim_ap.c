/* AHB-AP (MEM-AP) and memory map of the simulated STM32F407, through SWD. */
#include "harness.h"
#include "sim_test_util.h"

#define RAM 0x20000000u
#define CSW_SIZE8 0x0u
#define CSW_SIZE16 0x1u
#define CSW_SIZE32 0x2u
#define CSW_INC_OFF 0x00u
#define CSW_INC_SINGLE 0x10u
#define CSW_INC_PACKED 0x20u
#define CSW_TOP 0x23000000u

static int csw(sim_chip *c, uint32_t bits)
{
	return tu_ap_write(c, TU_AP_CSW, CSW_TOP | bits);
}

static int t_id_registers(void)
{
	sim_chip *c = tu_connected_chip(NULL);
	uint32_t v = 0;

	CHECK(c);
	CHECK_EQ(tu_ap_reg_read(c, 0, 0xFC, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x24770011u);
	CHECK_EQ(tu_ap_reg_read(c, 0, 0xF8, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0xE00FF003u);
	CHECK_EQ(tu_ap_reg_read(c, 0, 0xF4, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0);
	CHECK_EQ(tu_ap_reg_write(c, 0, 0xF8, 0x12345678u), SIM_ACK_OK); /* read-only */
	CHECK_EQ(tu_ap_reg_read(c, 0, 0xF8, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0xE00FF003u);
	sim_chip_free(c);
	return 0;
}

static int t_other_aps_absent(void)
{
	sim_chip *c = tu_connected_chip(NULL);
	uint32_t v = 1;

	CHECK(c);
	for (uint8_t ap = 1; ap < 4; ap++) {
		CHECK_EQ(tu_ap_reg_read(c, ap, 0xFC, &v), SIM_ACK_OK);
		CHECK_EQ(v, 0);
	}
	sim_chip_free(c);
	return 0;
}

/* Byte and half-word reads come back on the lanes of their address. */
static int t_read_lanes(void)
{
	static const struct {
		uint32_t off, size, want;
	} rows[] = {
		{ 0, CSW_SIZE8, 0x00000011u },  { 1, CSW_SIZE8, 0x00002200u },
		{ 2, CSW_SIZE8, 0x00330000u },  { 3, CSW_SIZE8, 0x44000000u },
		{ 0, CSW_SIZE16, 0x00002211u }, { 2, CSW_SIZE16, 0x44330000u },
		{ 0, CSW_SIZE32, 0x44332211u },
	};
	sim_chip *c = tu_connected_chip(NULL);
	uint32_t v = 0;

	CHECK(c);
	CHECK_EQ(tu_mem_write32(c, RAM, 0x44332211u), SIM_ACK_OK);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		CHECK_EQ(csw(c, rows[i].size | CSW_INC_OFF), SIM_ACK_OK);
		CHECK_EQ(tu_ap_write(c, TU_AP_TAR, RAM + rows[i].off), SIM_ACK_OK);
		CHECK_EQ(tu_ap_read(c, TU_AP_DRW, &v), SIM_ACK_OK);
		CHECK_EQ(v, rows[i].want);
	}
	sim_chip_free(c);
	return 0;
}

/* A byte write takes its byte from the lane of its address only. */
static int t_write_lanes(void)
{
	sim_chip *c = tu_connected_chip(NULL);
	uint32_t v = 0;

	CHECK(c);
	CHECK_EQ(tu_mem_write32(c, RAM, 0x44332211u), SIM_ACK_OK);
	CHECK_EQ(csw(c, CSW_SIZE8), SIM_ACK_OK);
	CHECK_EQ(tu_ap_write(c, TU_AP_TAR, RAM + 1), SIM_ACK_OK);
	CHECK_EQ(tu_ap_write(c, TU_AP_DRW, 0xEEEEABEEu), SIM_ACK_OK);
	CHECK_EQ(csw(c, CSW_SIZE16), SIM_ACK_OK);
	CHECK_EQ(tu_ap_write(c, TU_AP_TAR, RAM + 2), SIM_ACK_OK);
	CHECK_EQ(tu_ap_write(c, TU_AP_DRW, 0xCDEFFFFFu), SIM_ACK_OK);
	CHECK_EQ(csw(c, CSW_SIZE32), SIM_ACK_OK);
	CHECK_EQ(tu_mem_read32(c, RAM, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0xCDEFAB11u);
	sim_chip_free(c);
	return 0;
}

static int t_csw_size_reserved(void)
{
	sim_chip *c = tu_connected_chip(NULL);
	uint32_t v = 0;

	CHECK(c);
	CHECK_EQ(csw(c, CSW_SIZE16 | CSW_INC_SINGLE), SIM_ACK_OK);
	CHECK_EQ(csw(c, 0x3u | CSW_INC_SINGLE), SIM_ACK_OK); /* 64-bit: not implemented */
	CHECK_EQ(tu_ap_read(c, TU_AP_CSW, &v), SIM_ACK_OK);
	CHECK_EQ(v & 0x7u, CSW_SIZE16);
	CHECK(v & 0x40u); /* DeviceEn */
	sim_chip_free(c);
	return 0;
}

/* AddrInc: off keeps TAR, single adds the size, packed adds 4 per DRW. */
static int t_addrinc(void)
{
	static const struct {
		uint32_t bits, want_tar;
	} rows[] = {
		{ CSW_SIZE32 | CSW_INC_OFF, RAM + 0x100 },   { CSW_SIZE32 | CSW_INC_SINGLE, RAM + 0x108 },
		{ CSW_SIZE8 | CSW_INC_SINGLE, RAM + 0x102 }, { CSW_SIZE16 | CSW_INC_SINGLE, RAM + 0x104 },
		{ CSW_SIZE8 | CSW_INC_PACKED, RAM + 0x108 }, { CSW_SIZE16 | CSW_INC_PACKED, RAM + 0x108 },
	};
	sim_chip *c = tu_connected_chip(NULL);
	uint32_t v = 0;

	CHECK(c);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		CHECK_EQ(csw(c, rows[i].bits), SIM_ACK_OK);
		CHECK_EQ(tu_ap_write(c, TU_AP_TAR, RAM + 0x100), SIM_ACK_OK);
		CHECK_EQ(tu_ap_read(c, TU_AP_DRW, &v), SIM_ACK_OK);
		CHECK_EQ(tu_ap_read(c, TU_AP_DRW, &v), SIM_ACK_OK);
		CHECK_EQ(tu_ap_read(c, TU_AP_TAR, &v), SIM_ACK_OK);
		CHECK_EQ(v, rows[i].want_tar);
	}
	sim_chip_free(c);
	return 0;
}

static int t_packed_data(void)
{
	sim_chip *c = tu_connected_chip(NULL);
	uint32_t v = 0;

	CHECK(c);
	CHECK_EQ(csw(c, CSW_SIZE8 | CSW_INC_PACKED), SIM_ACK_OK);
	CHECK_EQ(tu_ap_write(c, TU_AP_TAR, RAM), SIM_ACK_OK);
	CHECK_EQ(tu_ap_write(c, TU_AP_DRW, 0x04030201u), SIM_ACK_OK);
	CHECK_EQ(csw(c, CSW_SIZE16 | CSW_INC_PACKED), SIM_ACK_OK);
	CHECK_EQ(tu_ap_write(c, TU_AP_DRW, 0x08070605u), SIM_ACK_OK);
	CHECK_EQ(tu_ap_write(c, TU_AP_TAR, RAM), SIM_ACK_OK);
	CHECK_EQ(tu_ap_read(c, TU_AP_DRW, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x04030201u);
	CHECK_EQ(csw(c, CSW_SIZE32), SIM_ACK_OK);
	CHECK_EQ(tu_mem_read32(c, RAM + 4, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x08070605u);
	sim_chip_free(c);
	return 0;
}

/* Only TAR[11:0] increments: the 4 KiB block wraps onto itself. */
static int t_tar_wrap_4k(void)
{
	sim_chip *c = tu_connected_chip(NULL);
	uint32_t v = 0;

	CHECK(c);
	CHECK_EQ(tu_mem_write32(c, RAM + 0x1000, 0xAAAAAAAAu), SIM_ACK_OK);
	CHECK_EQ(tu_ap_write(c, TU_AP_TAR, RAM + 0xFFC), SIM_ACK_OK);
	CHECK_EQ(tu_ap_write(c, TU_AP_DRW, 1u), SIM_ACK_OK);
	CHECK_EQ(tu_ap_read(c, TU_AP_TAR, &v), SIM_ACK_OK);
	CHECK_EQ(v, RAM);
	CHECK_EQ(tu_ap_write(c, TU_AP_DRW, 2u), SIM_ACK_OK);
	CHECK_EQ(tu_mem_read32(c, RAM, &v), SIM_ACK_OK);
	CHECK_EQ(v, 2u);
	CHECK_EQ(tu_mem_read32(c, RAM + 0x1000, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0xAAAAAAAAu);
	sim_chip_free(c);
	return 0;
}

static int t_banked_data(void)
{
	sim_chip *c = tu_connected_chip(NULL);
	uint32_t v = 0;

	CHECK(c);
	for (uint32_t i = 0; i < 4; i++)
		CHECK_EQ(tu_mem_write32(c, RAM + 0x10 + 4 * i, 0xB0 + i), SIM_ACK_OK);
	CHECK_EQ(tu_ap_write(c, TU_AP_TAR, RAM + 0x10), SIM_ACK_OK);
	CHECK_EQ(tu_select(c, 0, 1), SIM_ACK_OK);
	for (uint8_t i = 0; i < 4; i++) {
		CHECK_EQ(tu_ap_read(c, (uint8_t)(4 * i), &v), SIM_ACK_OK);
		CHECK_EQ(v, 0xB0u + i);
	}
	CHECK_EQ(tu_ap_write(c, 0x8, 0x55u), SIM_ACK_OK); /* BD2 */
	CHECK_EQ(tu_select(c, 0, 0), SIM_ACK_OK);
	CHECK_EQ(tu_ap_read(c, TU_AP_TAR, &v), SIM_ACK_OK);
	CHECK_EQ(v, RAM + 0x10);
	CHECK_EQ(tu_mem_read32(c, RAM + 0x18, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x55u);
	sim_chip_free(c);
	return 0;
}

/* Unmapped addresses and read-only memory answer a bus error. */
static int t_bus_errors(void)
{
	static const struct {
		uint32_t addr;
		bool write;
	} rows[] = {
		{ 0x60000000u, false }, { 0x30000000u, false }, { 0xE0100000u, false },
		{ 0x1FFF0000u, true },  { 0x1FFF7A10u, true },  { 0x20020000u, false },
	};
	sim_chip *c = tu_connected_chip(NULL);
	uint32_t v = 0;

	CHECK(c);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int ack = rows[i].write ? tu_mem_write32(c, rows[i].addr, 0)
					: tu_mem_read32(c, rows[i].addr, &v);

		CHECK_EQ(ack, SIM_ACK_FAULT);
		CHECK_EQ(tu_clear_fault(c), SIM_ACK_OK);
	}
	sim_chip_free(c);
	return 0;
}

/* The fixed identification data of the part. */
static int t_identity_memory(void)
{
	sim_chip *c = tu_connected_chip(NULL);
	uint32_t v = 0;

	CHECK(c);
	CHECK_EQ(tu_mem_read32(c, 0x1FFF7A20u, &v), SIM_ACK_OK);
	CHECK_EQ(v >> 16, 1024u); /* flash size in KiB at 0x1FFF7A22 */
	CHECK_EQ(tu_mem_read32(c, 0x1FFF7A10u, &v), SIM_ACK_OK);
	CHECK(v != 0xFFFFFFFFu && v != 0);
	CHECK_EQ(tu_mem_read32(c, 0x1FFFC000u, &v), SIM_ACK_OK);
	CHECK_EQ(v & 0xFF00u, 0xAA00u); /* RDP level 0 */
	CHECK_EQ(tu_mem_read32(c, 0x1FFFC008u, &v), SIM_ACK_OK);
	CHECK_EQ(v & 0xFFFu, 0xFFFu); /* no sector write-protected */
	CHECK_EQ(tu_mem_read32(c, 0xE0042000u, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x10076413u);
	sim_chip_free(c);
	return 0;
}

/* Flash at 0x08000000 and its boot alias at 0 are one array; CCM is RAM. */
static int t_memory_map(void)
{
	static const uint8_t img[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	sim_chip *c = tu_connected_chip(NULL);
	uint32_t v = 0;

	CHECK(c);
	CHECK_OK(sim_chip_backdoor_load_flash(c, 0x08000100u, img, sizeof(img)));
	CHECK_EQ(tu_mem_read32(c, 0x08000100u, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x04030201u);
	CHECK_EQ(tu_mem_read32(c, 0x00000104u, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x08070605u);
	CHECK_EQ(tu_mem_read32(c, 0x080FFFFCu, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0xFFFFFFFFu);
	CHECK_EQ(tu_mem_write32(c, 0x1000FFFCu, 0xC0FFEEu), SIM_ACK_OK);
	CHECK_EQ(tu_mem_read32(c, 0x1000FFFCu, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0xC0FFEEu);
	CHECK_EQ(tu_mem_write32(c, 0x2001C000u, 0x5A5A5A5Au), SIM_ACK_OK); /* SRAM2 */
	CHECK_EQ(tu_mem_read32(c, 0x2001C000u, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x5A5A5A5Au);
	CHECK_EQ(tu_mem_write32(c, 0x40020000u, 0x1234u), SIM_ACK_OK); /* GPIOA */
	CHECK_EQ(tu_mem_read32(c, 0x40020000u, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x1234u);
	sim_chip_free(c);
	return 0;
}

/* CoreSight component ID: CIDR0..3 at 0xFF0..0xFFC (bytes 0x0D, x0, 0x05, 0xB1). */
static int component_class(sim_chip *c, uint32_t base, uint32_t *cls)
{
	uint32_t cid[4];

	for (int i = 0; i < 4; i++)
		if (tu_mem_read32(c, base + 0xFF0u + 4u * (uint32_t)i, &cid[i]) != SIM_ACK_OK)
			return -1;
	if (cid[0] != 0x0Du || (cid[1] & 0x0Fu) != 0 || cid[2] != 0x05u || cid[3] != 0xB1u)
		return -1;
	*cls = cid[1] >> 4;
	return 0;
}

static int t_rom_table_walk(void)
{
	sim_chip *c = tu_connected_chip(NULL);
	uint32_t base = 0, cls = 0, entry = 0, found = 0;

	CHECK(c);
	CHECK_EQ(tu_ap_reg_read(c, 0, 0xF8, &base), SIM_ACK_OK);
	base &= ~0xFFFu;
	CHECK_OK(component_class(c, base, &cls));
	CHECK_EQ(cls, 1u); /* ROM table */
	for (uint32_t off = 0; off < 0xF00u; off += 4, found++) {
		CHECK_EQ(tu_mem_read32(c, base + off, &entry), SIM_ACK_OK);
		if (!entry)
			break;
		if (!(entry & 1u))
			continue;
		CHECK_OK(component_class(c, base + (entry & ~0xFFFu), &cls));
	}
	CHECK(found >= 3); /* at least SCS, DWT, FPB */
	sim_chip_free(c);
	return 0;
}

#define DHCSR 0xE000EDF0u
#define DCRSR 0xE000EDF4u
#define DCRDR 0xE000EDF8u

static int core_reg(sim_chip *c, uint32_t sel, uint32_t *v)
{
	if (tu_mem_write32(c, DCRSR, sel) != SIM_ACK_OK)
		return -1;
	return tu_mem_read32(c, DCRDR, v) == SIM_ACK_OK ? 0 : -1;
}

/* Code the debugger rewrites in SRAM runs in its new form: the core has no
 * stale copy of a debugger write (the lab must drop Unicorn's translation). */
static int t_sram_code_rewrite(void)
{
	const uint32_t vec[2] = { 0x20020000u, RAM | 1u };
	sim_chip *c = tu_connected_chip(NULL);
	uint32_t v = 0;

	CHECK(c);
	CHECK_OK(sim_chip_backdoor_load_flash(c, 0x08000000u, vec, sizeof(vec)));
	CHECK_EQ(tu_mem_write32(c, RAM, 0xE7FE2001u), SIM_ACK_OK); /* movs r0, #1; b . */
	sim_board_set_nrst(c, true);
	sim_board_set_nrst(c, false);
	sim_chip_advance(c, 100000);
	CHECK_EQ(tu_mem_write32(c, DHCSR, 0xA05F0003u), SIM_ACK_OK);
	CHECK_OK(core_reg(c, 0, &v));
	CHECK_EQ(v, 1u);
	CHECK_EQ(tu_mem_write32(c, RAM, 0xE7FE2002u), SIM_ACK_OK); /* movs r0, #2; b . */
	CHECK_EQ(tu_mem_write32(c, DCRDR, RAM), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, DCRSR, 0x1000Fu), SIM_ACK_OK); /* write PC */
	CHECK_EQ(tu_mem_write32(c, DHCSR, 0xA05F0001u), SIM_ACK_OK);
	sim_chip_advance(c, 100000);
	CHECK_EQ(tu_mem_write32(c, DHCSR, 0xA05F0003u), SIM_ACK_OK);
	CHECK_OK(core_reg(c, 0, &v));
	CHECK_EQ(v, 2u);
	sim_chip_free(c);
	return 0;
}

static const struct test_case tests[] = {
	{ "id_registers", "ADIv5.2 C2.6 IDR/BASE/CFG; Cortex-M4 TRM 8.1 (IDR 0x24770011)", t_id_registers },
	{ "other_aps_absent", "ADIv5.2 C1.2 IDR 0 = no AP", t_other_aps_absent },
	{ "read_lanes", "ADIv5.2 C2.2 byte lanes of DRW", t_read_lanes },
	{ "write_lanes", "ADIv5.2 C2.2 byte lanes of DRW", t_write_lanes },
	{ "csw_size_reserved", "ADIv5.2 C2.6 CSW.Size, DeviceEn", t_csw_size_reserved },
	{ "addrinc", "ADIv5.2 C2.2 CSW.AddrInc off/single/packed", t_addrinc },
	{ "packed_data", "ADIv5.2 C2.2 packed transfers", t_packed_data },
	{ "tar_wrap_4k", "ADIv5.2 C2.2 auto-increment limit; Cortex-M4 TRM 8.1 (4 KiB)", t_tar_wrap_4k },
	{ "banked_data", "ADIv5.2 C2.6 BD0-BD3", t_banked_data },
	{ "bus_errors", "RM0090 2.3 memory map; ADIv5.2 B4.2 FAULT", t_bus_errors },
	{ "identity_memory", "RM0090 39.1/39.2 UID and flash size, 3.6.1 option bytes, 38.6.1 IDCODE",
	  t_identity_memory },
	{ "memory_map", "RM0090 2.3 / 2.4 flash alias at 0, CCM, SRAM2", t_memory_map },
	{ "sram_code_rewrite", "ADIv5.2 C2 MEM-AP writes reach the system as the core sees it",
	  t_sram_code_rewrite },
	{ "rom_table_walk", "ADIv5.2 C1/D1 ROM table, CoreSight CIDR", t_rom_table_walk },
};

TEST_MAIN("test_sim_ap", tests)
