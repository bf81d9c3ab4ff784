/*
 * The RM0090 section 3 flash interface of the simulated STM32F407, driven
 * through SWD like a debugger (and, for what only the core can do, by a
 * few instructions the core runs from SRAM).
 */
#include "harness.h"
#include "sim_test_util.h"

#include <time.h>

#define FLASH_IF 0x40023C00u
#define KEYR 0x04u
#define OPTKEYR 0x08u
#define SR 0x0Cu
#define CR 0x10u
#define OPTCR 0x14u
#define SR_EOP 0x01u
#define SR_OPERR 0x02u
#define SR_WRPERR 0x10u
#define SR_PGAERR 0x20u
#define SR_PGPERR 0x40u
#define SR_PGSERR 0x80u
#define SR_BSY 0x10000u
#define CR_PG 0x1u
#define CR_SER 0x2u
#define CR_MER 0x4u
#define CR_STRT 0x10000u
#define CR_EOPIE 0x1000000u
#define CR_ERRIE 0x2000000u
#define CR_LOCK 0x80000000u
#define PSIZE(n) ((uint32_t)(n) << 8)
#define SNB(n) ((uint32_t)(n) << 3)
#define X8 0
#define X16 1
#define X32 2
#define FLASH 0x08000000u
#define MS 1000000ull

static int fw(sim_chip *c, uint32_t off, uint32_t v)
{
	return tu_mem_write32(c, FLASH_IF + off, v);
}

static uint32_t fr(sim_chip *c, uint32_t off)
{
	uint32_t v = 0xDEADBEEFu;

	tu_mem_read32(c, FLASH_IF + off, &v);
	return v;
}

static int unlock(sim_chip *c)
{
	if (fw(c, KEYR, 0x45670123u) != SIM_ACK_OK || fw(c, KEYR, 0xCDEF89ABu) != SIM_ACK_OK)
		return -1;
	return (fr(c, CR) & CR_LOCK) ? -1 : 0;
}

/* Polls SR every 100 us of virtual time until BSY falls; returns SR and
 * the virtual time it took. */
static uint32_t wait_idle(sim_chip *c, uint64_t limit_ns, uint64_t *took)
{
	uint64_t t0 = sim_chip_now_ns(c);
	uint32_t sr = fr(c, SR);

	while ((sr & SR_BSY) && sim_chip_now_ns(c) - t0 < limit_ns) {
		sim_chip_advance(c, 100000);
		sr = fr(c, SR);
	}
	if (took)
		*took = sim_chip_now_ns(c) - t0;
	return sr;
}

static uint32_t mem(sim_chip *c, uint32_t addr)
{
	uint32_t v = 0xDEADBEEFu;

	tu_mem_read32(c, addr, &v);
	return v;
}

static sim_chip *unlocked_chip(const struct sim_config *cfg)
{
	sim_chip *c = tu_connected_chip(cfg);

	if (c && unlock(c)) {
		sim_chip_free(c);
		return NULL;
	}
	return c;
}

static int t_unlock(void)
{
	sim_chip *c = tu_connected_chip(NULL);

	CHECK(c);
	CHECK(fr(c, CR) & CR_LOCK);
	CHECK_EQ(fw(c, CR, CR_PG), SIM_ACK_OK); /* ignored while locked */
	CHECK_EQ(fr(c, CR), CR_LOCK);
	CHECK_OK(unlock(c));
	CHECK_EQ(fw(c, CR, CR_PG | PSIZE(X32)), SIM_ACK_OK);
	CHECK_EQ(fr(c, CR), CR_PG | PSIZE(X32));
	CHECK_EQ(fw(c, CR, CR_LOCK), SIM_ACK_OK);
	CHECK(fr(c, CR) & CR_LOCK);
	sim_chip_free(c);
	return 0;
}

/* A wrong key is a bus error and locks FLASH_CR until the next reset. */
static int t_wrong_key_locks(void)
{
	sim_chip *c = tu_connected_chip(NULL);

	CHECK(c);
	CHECK_EQ(fw(c, KEYR, 0x45670123u), SIM_ACK_OK);
	CHECK_EQ(fw(c, KEYR, 0x11111111u), SIM_ACK_FAULT);
	CHECK_EQ(tu_clear_fault(c), SIM_ACK_OK);
	CHECK_EQ(fw(c, KEYR, 0x45670123u), SIM_ACK_FAULT);
	CHECK_EQ(tu_clear_fault(c), SIM_ACK_OK);
	CHECK(fr(c, CR) & CR_LOCK);
	sim_board_set_nrst(c, true);
	sim_chip_advance(c, 1000);
	sim_board_set_nrst(c, false);
	CHECK_OK(unlock(c));
	sim_chip_free(c);
	return 0;
}

static int t_program_word(void)
{
	sim_chip *c = unlocked_chip(NULL);
	struct sim_chip_stats st;
	uint64_t took = 0;

	CHECK(c);
	CHECK_EQ(fw(c, CR, CR_PG | PSIZE(X32)), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, FLASH + 0x100, 0x12345678u), SIM_ACK_OK);
	CHECK_EQ(wait_idle(c, MS, &took) & ~SR_EOP, 0);
	CHECK_EQ(mem(c, FLASH + 0x100), 0x12345678u);
	CHECK_EQ(mem(c, 0x100), 0x12345678u); /* boot alias */
	sim_chip_get_stats(c, &st);
	CHECK_EQ(st.program_ops, 1);
	CHECK_EQ(st.bytes_programmed, 4);
	sim_chip_free(c);
	return 0;
}

/* Programming can only clear bits: 1s need an erase. */
static int t_program_clears_only(void)
{
	static const uint8_t old[4] = { 0xFF, 0x00, 0xFF, 0xFF };
	sim_chip *c = unlocked_chip(NULL);

	CHECK(c);
	CHECK_OK(sim_chip_backdoor_load_flash(c, FLASH + 0x200, old, 4));
	CHECK_EQ(fw(c, CR, CR_PG | PSIZE(X32)), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, FLASH + 0x200, 0x0F0F0F0Fu), SIM_ACK_OK);
	wait_idle(c, MS, NULL);
	CHECK_EQ(mem(c, FLASH + 0x200), 0x0F0F000Fu);
	sim_chip_free(c);
	return 0;
}

/* The access size must match PSIZE, else PGPERR and nothing is written. */
static int t_pgperr(void)
{
	static const struct {
		unsigned psize;
		uint32_t csw_size;
	} rows[] = {
		{ X32, 0 }, { X32, 1 }, { X8, 2 }, { X16, 2 }, { X16, 0 },
	};
	sim_chip *c = unlocked_chip(NULL);
	uint32_t v = 0;

	CHECK(c);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		CHECK_EQ(fw(c, CR, CR_PG | PSIZE(rows[i].psize)), SIM_ACK_OK);
		CHECK_EQ(tu_ap_write(c, TU_AP_CSW, 0x23000000u | rows[i].csw_size), SIM_ACK_OK);
		CHECK_EQ(tu_ap_write(c, TU_AP_TAR, FLASH + 0x300), SIM_ACK_OK);
		CHECK_EQ(tu_ap_write(c, TU_AP_DRW, 0), SIM_ACK_OK);
		CHECK_EQ(tu_ap_write(c, TU_AP_CSW, TU_CSW_32_INC), SIM_ACK_OK);
		v = fr(c, SR);
		CHECK_EQ(v, SR_PGPERR);
		CHECK_EQ(fw(c, SR, SR_PGPERR), SIM_ACK_OK); /* write 1 to clear */
		CHECK_EQ(fr(c, SR), 0);
	}
	CHECK_EQ(mem(c, FLASH + 0x300), 0xFFFFFFFFu);
	sim_chip_free(c);
	return 0;
}

/* A write to the array without PG is PGSERR; SER/SNB left from an erase
 * do not stop a PG write from programming. */
static int t_pgserr(void)
{
	sim_chip *c = unlocked_chip(NULL);

	CHECK(c);
	CHECK_EQ(fw(c, CR, PSIZE(X32)), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, FLASH + 0x400, 0), SIM_ACK_OK);
	CHECK_EQ(fr(c, SR), SR_PGSERR);
	CHECK_EQ(fw(c, SR, 0xF3u), SIM_ACK_OK);
	CHECK_EQ(fw(c, CR, CR_PG | CR_SER | SNB(3) | PSIZE(X32)), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, FLASH + 0x404, 0), SIM_ACK_OK);
	CHECK_EQ(wait_idle(c, MS, NULL), 0);
	CHECK_EQ(mem(c, FLASH + 0x404), 0);
	/* with ERRIE the refusal also raises OPERR */
	CHECK_EQ(fw(c, CR, CR_ERRIE | PSIZE(X32)), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, FLASH + 0x400, 0), SIM_ACK_OK);
	CHECK_EQ(fr(c, SR), SR_PGSERR | SR_OPERR);
	CHECK_EQ(mem(c, FLASH + 0x400), 0xFFFFFFFFu);
	sim_chip_free(c);
	return 0;
}

/* EOP is set at the end of an operation only when EOPIE is set. */
static int t_eop_needs_eopie(void)
{
	sim_chip *c = unlocked_chip(NULL);

	CHECK(c);
	CHECK_EQ(fw(c, CR, CR_PG | PSIZE(X32)), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, FLASH + 0x500, 0), SIM_ACK_OK);
	CHECK_EQ(wait_idle(c, MS, NULL), 0);
	CHECK_EQ(fw(c, CR, CR_PG | CR_EOPIE | PSIZE(X32)), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, FLASH + 0x504, 0), SIM_ACK_OK);
	CHECK_EQ(wait_idle(c, MS, NULL), SR_EOP);
	CHECK_EQ(fw(c, SR, SR_EOP), SIM_ACK_OK);
	CHECK_EQ(fr(c, SR), 0);
	sim_chip_free(c);
	return 0;
}

/* nWRP = 0: program and erase of that sector give WRPERR. */
static int t_wrperr(void)
{
	struct sim_config cfg = { .faults = SIM_FAULT_WRP, .wrp_sectors = 1u << 2 };
	sim_chip *c = unlocked_chip(&cfg);

	CHECK(c);
	CHECK_EQ(mem(c, 0x1FFFC008u) & 0xFFFu, 0xFFBu);
	CHECK_EQ(fw(c, CR, CR_PG | PSIZE(X32)), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, FLASH + 0x8000, 0), SIM_ACK_OK); /* sector 2 */
	CHECK_EQ(fr(c, SR), SR_WRPERR);
	CHECK_EQ(mem(c, FLASH + 0x8000), 0xFFFFFFFFu);
	CHECK_EQ(fw(c, SR, SR_WRPERR), SIM_ACK_OK);
	CHECK_EQ(fw(c, CR, CR_SER | SNB(2) | PSIZE(X32)), SIM_ACK_OK);
	CHECK_EQ(fw(c, CR, CR_SER | SNB(2) | PSIZE(X32) | CR_STRT), SIM_ACK_OK);
	CHECK_EQ(fr(c, SR), SR_WRPERR);
	CHECK_EQ(fw(c, SR, SR_WRPERR), SIM_ACK_OK);
	CHECK_EQ(fw(c, CR, CR_MER | PSIZE(X32) | CR_STRT), SIM_ACK_OK); /* mass erase too */
	CHECK_EQ(fr(c, SR), SR_WRPERR);
	/* sector 3 is not protected */
	CHECK_EQ(fw(c, SR, SR_WRPERR), SIM_ACK_OK);
	CHECK_EQ(fw(c, CR, CR_PG | PSIZE(X32)), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, FLASH + 0xC000, 0), SIM_ACK_OK);
	CHECK_EQ(wait_idle(c, MS, NULL), 0);
	sim_chip_free(c);
	return 0;
}

/* DS8626 "Flash memory programming" typical erase times per parallelism. */
static int t_erase_times(void)
{
	static const struct {
		unsigned snb, psize;
		uint64_t ns;
	} rows[] = {
		{ 0, X32, 250 * MS },  { 1, X16, 300 * MS },  { 3, X8, 400 * MS },
		{ 4, X32, 550 * MS },  { 4, X16, 700 * MS },  { 4, X8, 1200 * MS },
		{ 5, X32, 1000 * MS }, { 6, X16, 1300 * MS }, { 11, X8, 2000 * MS },
	};
	sim_chip *c = unlocked_chip(NULL);
	static const uint8_t zero[4] = { 0 };

	CHECK(c);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint32_t cr = CR_SER | SNB(rows[i].snb) | PSIZE(rows[i].psize), at;
		uint64_t took = 0;

		at = rows[i].snb < 4    ? 0x4000u * rows[i].snb
		     : rows[i].snb == 4 ? 0x10000u
					: 0x20000u * (rows[i].snb - 4);
		CHECK_OK(sim_chip_backdoor_load_flash(c, FLASH + at + 0x10, zero, 4));
		CHECK_EQ(fw(c, CR, cr), SIM_ACK_OK);
		CHECK_EQ(fw(c, CR, cr | CR_STRT), SIM_ACK_OK);
		CHECK(fr(c, SR) & SR_BSY);
		CHECK(fr(c, CR) & CR_STRT);
		CHECK_EQ(wait_idle(c, 3000 * MS, &took), 0);
		CHECK(took >= rows[i].ns && took <= rows[i].ns + 200000);
		CHECK_EQ(fr(c, CR) & CR_STRT, 0);
		CHECK_EQ(mem(c, FLASH + at + 0x10), 0xFFFFFFFFu);
	}
	sim_chip_free(c);
	return 0;
}

static int t_mass_erase(void)
{
	static const uint8_t zero[4] = { 0 };
	sim_chip *c = unlocked_chip(NULL);
	struct sim_chip_stats st;
	uint64_t took = 0;

	CHECK(c);
	CHECK_OK(sim_chip_backdoor_load_flash(c, FLASH + 0xFFFF0, zero, 4));
	/* SER and MER together: neither erase is performed (RM0090 3.5.3) */
	CHECK_EQ(fw(c, CR, CR_SER | CR_MER | PSIZE(X32) | CR_STRT), SIM_ACK_OK);
	CHECK_EQ(fr(c, SR) & SR_BSY, 0);
	CHECK_EQ(fw(c, SR, 0xF3u), SIM_ACK_OK);
	CHECK_EQ(fw(c, CR, CR_MER | PSIZE(X32) | CR_STRT), SIM_ACK_OK);
	CHECK_EQ(wait_idle(c, 20000 * MS, &took), 0);
	CHECK(took >= 8000 * MS && took <= 8000 * MS + 200000);
	CHECK_EQ(mem(c, FLASH + 0xFFFF0), 0xFFFFFFFFu);
	sim_chip_get_stats(c, &st);
	CHECK_EQ(st.mass_erases, 1);
	sim_chip_free(c);
	return 0;
}

/* While BSY, a flash read or a CR write stalls the AHB: the AP's next
 * access answers WAIT until the operation ends. */
static int t_stall_wait(void)
{
	sim_chip *c = unlocked_chip(NULL);
	uint32_t v = 0;

	CHECK(c);
	CHECK_EQ(fw(c, CR, CR_SER | SNB(1) | PSIZE(X32) | CR_STRT), SIM_ACK_OK);
	CHECK_EQ(tu_ap_write(c, TU_AP_TAR, FLASH + 0x4000), SIM_ACK_OK);
	CHECK_EQ(tu_xfer(c, true, true, TU_AP_DRW, &v), SIM_ACK_OK); /* posted */
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_RDBUFF, &v), SIM_ACK_WAIT);
	CHECK_EQ(tu_xfer(c, true, true, TU_AP_CSW, &v), SIM_ACK_WAIT);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_CTRL, &v), SIM_ACK_OK); /* DP still answers */
	sim_chip_advance(c, 100 * MS);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_RDBUFF, &v), SIM_ACK_WAIT);
	sim_chip_advance(c, 200 * MS);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_RDBUFF, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0xFFFFFFFFu);
	/* a CR write during BSY waits too */
	CHECK_EQ(fw(c, CR, CR_SER | SNB(1) | PSIZE(X32) | CR_STRT), SIM_ACK_OK);
	CHECK_EQ(tu_xfer(c, true, false, TU_AP_DRW, &(uint32_t){ CR_LOCK }), SIM_ACK_OK);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_RDBUFF, &v), SIM_ACK_WAIT);
	CHECK_EQ(tu_xfer(c, false, false, TU_DP_ABORT, &(uint32_t){ 1u }), SIM_ACK_OK); /* DAPABORT */
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_RDBUFF, &v), SIM_ACK_OK);
	CHECK_EQ(fr(c, CR) & CR_LOCK, 0); /* the aborted write never happened */
	sim_chip_free(c);
	return 0;
}

/* RDP level 1: debugger reads of the array fault, program/erase refused;
 * regression to level 0 mass-erases, taking the mass erase time. */
static int t_rdp1(void)
{
	struct sim_config cfg = { .faults = SIM_FAULT_RDP1 };
	static const uint8_t img[4] = { 1, 2, 3, 4 };
	sim_chip *c = unlocked_chip(&cfg);
	uint32_t v = 0;
	uint64_t took = 0;

	CHECK(c);
	CHECK_OK(sim_chip_backdoor_load_flash(c, FLASH, img, 4));
	CHECK_EQ(tu_mem_read32(c, FLASH, &v), SIM_ACK_FAULT);
	CHECK_EQ(tu_clear_fault(c), SIM_ACK_OK);
	CHECK_EQ(fw(c, CR, CR_PG | PSIZE(X32)), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, FLASH + 0x10, 0), SIM_ACK_OK);
	CHECK_EQ(fr(c, SR), SR_WRPERR);
	CHECK_EQ(fw(c, SR, SR_WRPERR), SIM_ACK_OK);
	/* option bytes: unlock, RDP = 0xAA, OPTSTRT */
	CHECK_EQ(fw(c, OPTCR, 0x0FFFAAEEu), SIM_ACK_OK); /* ignored: OPTLOCK */
	CHECK_EQ((fr(c, OPTCR) >> 8) & 0xFFu, 0x55u);
	CHECK_EQ(fw(c, OPTKEYR, 0x08192A3Bu), SIM_ACK_OK);
	CHECK_EQ(fw(c, OPTKEYR, 0x4C5D6E7Fu), SIM_ACK_OK);
	CHECK_EQ(fr(c, OPTCR) & 1u, 0);
	CHECK_EQ(fw(c, CR, PSIZE(X32)), SIM_ACK_OK);
	CHECK_EQ(fw(c, OPTCR, 0x0FFFAAEEu), SIM_ACK_OK);
	CHECK_EQ(wait_idle(c, 20000 * MS, &took), 0);
	CHECK(took >= 8000 * MS && took <= 8000 * MS + 200000);
	CHECK_EQ(mem(c, FLASH), 0xFFFFFFFFu);
	CHECK_EQ(mem(c, 0x1FFFC000u) & 0xFF00u, 0xAA00u);
	sim_chip_free(c);
	return 0;
}

/* RDP level 2 disables the debug port from the next reset on. */
static int t_rdp2_final(void)
{
	sim_chip *c = unlocked_chip(NULL);
	uint32_t v = 0;

	CHECK(c);
	CHECK_EQ(fw(c, OPTKEYR, 0x08192A3Bu), SIM_ACK_OK);
	CHECK_EQ(fw(c, OPTKEYR, 0x4C5D6E7Fu), SIM_ACK_OK);
	CHECK_EQ(fw(c, OPTCR, 0x0FFFCCEEu), SIM_ACK_OK);
	CHECK_EQ(wait_idle(c, 1000 * MS, NULL), 0);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_DPIDR, &v), SIM_ACK_OK);
	sim_board_set_nrst(c, true);
	sim_board_set_nrst(c, false);
	sim_swd_jtag_to_swd(c);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_DPIDR, &v), SIM_ACK_NONE);
	sim_chip_free(c);
	return 0;
}

/* The weak cell keeps its old value without any error flag. */
static int t_weak_cell(void)
{
	struct sim_config cfg = { .faults = SIM_FAULT_WEAK_CELL, .weak_cell_addr = FLASH + 0x611 };
	sim_chip *c = unlocked_chip(&cfg);

	CHECK(c);
	CHECK_EQ(fw(c, CR, CR_PG | PSIZE(X32)), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, FLASH + 0x610, 0x00000000u), SIM_ACK_OK);
	CHECK_EQ(wait_idle(c, MS, NULL), 0);
	CHECK_EQ(mem(c, FLASH + 0x610), 0x0000FF00u);
	sim_chip_free(c);
	return 0;
}

/* Options other than RDP change through OPTCR + OPTSTRT. */
static int t_option_nwrp(void)
{
	sim_chip *c = unlocked_chip(NULL);

	CHECK(c);
	CHECK_EQ(fw(c, OPTKEYR, 0x08192A3Bu), SIM_ACK_OK);
	CHECK_EQ(fw(c, OPTKEYR, 0x4C5D6E7Fu), SIM_ACK_OK);
	CHECK_EQ(fw(c, OPTCR, 0x0FEFAAEEu), SIM_ACK_OK); /* protect sector 4 */
	CHECK(fr(c, SR) & SR_BSY);
	CHECK_EQ(wait_idle(c, 1000 * MS, NULL), 0);
	CHECK_EQ(fr(c, OPTCR) & 2u, 0); /* OPTSTRT cleared with BSY */
	CHECK_EQ(mem(c, 0x1FFFC008u) & 0xFFFu, 0xFEFu);
	CHECK_EQ(fw(c, OPTCR, 0x0FEFAAEDu), SIM_ACK_OK); /* OPTLOCK */
	CHECK_EQ(fr(c, OPTCR) & 1u, 1u);
	sim_chip_free(c);
	return 0;
}

/* ldr r1, [pc, #4]; ldr r2, [pc, #8]; str r2, [r1]; b . ; .word addr, val */
static int cpu_store(sim_chip *c, uint32_t addr, uint32_t val, uint32_t cr)
{
	const uint32_t code[4] = { 0x4A024901u, 0xE7FE600Au, addr, val };

	if (tu_boot_sram(c, code, 4) || unlock(c) || fw(c, CR, cr) != SIM_ACK_OK)
		return -1;
	sim_chip_advance(c, 20000);
	return 0;
}

/* The core splits an unaligned store into smaller aligned transfers: at
 * x32 each piece is a parallelism error, at x8 every byte programs. */
static int t_unaligned_cpu_store(void)
{
	static const struct {
		unsigned psize;
		uint32_t sr, word0, word1;
	} rows[] = {
		{ X32, SR_PGPERR, 0xFFFFFFFFu, 0xFFFFFFFFu },
		{ X8, 0, 0x3412FFFFu, 0xFFFF7856u },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sim_chip *c = tu_connected_chip(NULL);

		CHECK(c);
		CHECK_OK(cpu_store(c, FLASH + 0x80E, 0x78563412u, CR_PG | PSIZE(rows[i].psize)));
		CHECK_EQ(wait_idle(c, MS, NULL), rows[i].sr);
		CHECK_EQ(mem(c, FLASH + 0x80C), rows[i].word0);
		CHECK_EQ(mem(c, FLASH + 0x810), rows[i].word1);
		sim_chip_free(c);
	}
	return 0;
}

static int t_program_cpu(void)
{
	sim_chip *c = tu_connected_chip(NULL);
	struct sim_chip_stats st;

	CHECK(c);
	CHECK_OK(cpu_store(c, FLASH + 0x900, 0xA5A5A5A5u, CR_PG | PSIZE(X32)));
	CHECK_EQ(wait_idle(c, MS, NULL), 0);
	CHECK_EQ(mem(c, FLASH + 0x900), 0xA5A5A5A5u);
	sim_chip_get_stats(c, &st);
	CHECK_EQ(st.program_ops, 1);
	sim_chip_free(c);
	return 0;
}

/* A refused core store must not show through to what the core fetches:
 * after a PGSERR store over the reset vector, a reset still boots from the
 * old vector. */
static int t_refused_store_invisible(void)
{
	sim_chip *c = tu_connected_chip(NULL);
	uint32_t v = 0;

	CHECK(c);
	CHECK_OK(cpu_store(c, FLASH + 4, 0, PSIZE(X32)));
	CHECK_EQ(fr(c, SR), SR_PGSERR);
	CHECK_EQ(tu_mem_write32(c, 0xE000EDF0u, 0xA05F0003u), SIM_ACK_OK); /* halt */
	CHECK_EQ(tu_mem_write32(c, 0xE000EDFCu, 1u), SIM_ACK_OK);          /* VC_CORERESET */
	sim_board_set_nrst(c, true);
	sim_board_set_nrst(c, false);
	sim_chip_advance(c, 1000);
	CHECK_EQ(tu_mem_write32(c, 0xE000EDF4u, 15u), SIM_ACK_OK); /* DCRSR: read PC */
	CHECK_EQ(tu_mem_read32(c, 0xE000EDF8u, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x20000000u);
	sim_chip_free(c);
	return 0;
}

/* ldr r1, =addr; ldr r2, =val; str r2, [r1]; str r2, [r1, #4]; b .
 * The second store meets BSY of the first: the core waits on the bus
 * and both words end up programmed, 16 us apart. */
static int t_cpu_store_stalls(void)
{
	const uint32_t code[5] = { 0x4A034902u, 0x604A600Au, 0xBF00E7FEu, FLASH + 0xA00, 0x5A5AA5A5u };
	sim_chip *c = tu_connected_chip(NULL);
	struct sim_chip_stats st;

	CHECK(c);
	CHECK_OK(tu_boot_sram(c, code, 5));
	CHECK_OK(unlock(c));
	CHECK_EQ(fw(c, CR, CR_PG | PSIZE(X32)), SIM_ACK_OK);
	sim_chip_advance(c, 20000);
	CHECK(fr(c, SR) & SR_BSY); /* 16 us on: the second program runs */
	sim_chip_advance(c, 20000);
	CHECK_EQ(fr(c, SR), 0);
	CHECK_EQ(mem(c, FLASH + 0xA00), 0x5A5AA5A5u);
	CHECK_EQ(mem(c, FLASH + 0xA04), 0x5A5AA5A5u);
	sim_chip_get_stats(c, &st);
	CHECK_EQ(st.program_ops, 2);
	sim_chip_free(c);
	return 0;
}

static double erase_timed(sim_chip *c, unsigned snb, uint64_t *took)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	fw(c, CR, CR_SER | SNB(snb) | PSIZE(X32) | CR_STRT);
	wait_idle(c, 3000 * MS, took);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

/* Figures for the closing note: one 128 KiB sector erase at x32
 * with the core running a tight loop from SRAM, then with it halted. The
 * debugger polls SR every 100 us of virtual time. */
static int t_erase_128k_figures(void)
{
	static const uint32_t loop[1] = { 0xE7FEE7FEu };
	sim_chip *c = tu_connected_chip(NULL);
	uint64_t took = 0;
	double wall;

	CHECK(c);
	CHECK_OK(tu_boot_sram(c, loop, 1));
	CHECK_OK(unlock(c));
	wall = erase_timed(c, 5, &took);
	printf("# 128 KiB sector erase (x32, core running): virtual %.3f s, wall-clock %.3f s\n",
	       (double)took / 1e9, wall);
	CHECK(took >= 1000 * MS && took <= 1000 * MS + 200000);
	CHECK_EQ(tu_mem_write32(c, 0xE000EDF0u, 0xA05F0003u), SIM_ACK_OK); /* C_HALT */
	wall = erase_timed(c, 6, &took);
	printf("# 128 KiB sector erase (x32, core halted): virtual %.3f s, wall-clock %.3f s\n",
	       (double)took / 1e9, wall);
	CHECK(took >= 1000 * MS && took <= 1000 * MS + 200000);
	sim_chip_free(c);
	return 0;
}

static const struct test_case tests[] = {
	{ "unlock", "RM0090 3.5.1 unlocking FLASH_CR; 3.9.5 LOCK", t_unlock },
	{ "wrong_key_locks", "RM0090 3.5.1 wrong sequence: bus error, locked until reset",
	  t_wrong_key_locks },
	{ "program_word", "RM0090 3.5.4 standard programming; 2.4 boot alias", t_program_word },
	{ "program_clears_only", "RM0090 3.5.4 note: programming changes 1s to 0s only",
	  t_program_clears_only },
	{ "pgperr", "RM0090 3.5.4 programming errors: PGPERR; 3.9.4 W1C", t_pgperr },
	{ "pgserr", "RM0090 3.9.4 PGSERR, OPERR with ERRIE", t_pgserr },
	{ "eop_needs_eopie", "RM0090 3.9.4 EOP set only if EOPIE", t_eop_needs_eopie },
	{ "wrperr", "RM0090 3.7.4 write protection, 3.9.4 WRPERR; 3.6.1 nWRP", t_wrperr },
	{ "erase_times", "RM0090 3.5.3 sector erase; DS8626 flash programming table", t_erase_times },
	{ "mass_erase", "RM0090 3.5.3 mass erase, MER+SER note; DS8626 tME", t_mass_erase },
	{ "stall_wait", "RM0090 3.5.2/3.9.5 bus stall while BSY; ADIv5.2 B4.2 WAIT, ABORT", t_stall_wait },
	{ "rdp1", "RM0090 3.7.3 RDP level 1 and regression to level 0", t_rdp1 },
	{ "rdp2_final", "RM0090 3.7.3 RDP level 2: debug disabled", t_rdp2_final },
	{ "weak_cell", "issue 2 knob weak-cell: verify must catch it", t_weak_cell },
	{ "option_nwrp", "RM0090 3.6.2 option byte programming, 3.9.6 OPTCR", t_option_nwrp },
	{ "unaligned_cpu_store", "RM0090 3.5.4 programming errors: PGPERR; Cortex-M4 unaligned split",
	  t_unaligned_cpu_store },
	{ "program_cpu", "RM0090 3.5.4 programming by the core", t_program_cpu },
	{ "refused_store_invisible", "RM0090 3.9.4 PGSERR: the write is not performed",
	  t_refused_store_invisible },
	{ "cpu_store_stalls", "RM0090 3.5.2 bus stall on write while BSY (core side)", t_cpu_store_stalls },
	{ "erase_128k_figures", "DS8626 tERASE128KB x32 (issue 2 closing figures)", t_erase_128k_figures },
};

TEST_MAIN("test_sim_flash", tests)
