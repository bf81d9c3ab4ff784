/*
 * The STM32H7 flash controller model (sim/sim_flash_h7.h), part 2: the CRC
 * unit against a host CRC, option bytes, bank swap at reset, RDP level 1
 * and its regression, the fault knobs, PCROP and the single-bank STM32H725.
 */
#include "harness.h"
#include "sim_flash_h7_test_util.h"

/* ---- CRC unit ----------------------------------------------------------- */

/* Host reference: CRC-32 polynomial 0x04C11DB7 (RM0433 4.3.12), the data as
 * 32-bit little-endian words shifted in MSB first, no reflection, no final
 * xor, from `crc` (the preset for a first run after CLEAN_CRC). */
#define CRC_PRESET 0xB6C0AE5Au

static uint32_t host_crc_from(uint32_t crc, const uint8_t *p, size_t len)
{
	for (size_t o = 0; o < len; o += 4) {
		uint32_t w = (uint32_t)p[o] | (uint32_t)p[o + 1] << 8 | (uint32_t)p[o + 2] << 16 |
			     (uint32_t)p[o + 3] << 24;

		crc ^= w;
		for (int i = 0; i < 32; i++)
			crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
	}
	return crc;
}

static uint32_t host_crc(const uint8_t *p, size_t len)
{
	return host_crc_from(CRC_PRESET, p, len);
}

static uint8_t *pattern(size_t len, uint32_t seed)
{
	uint8_t *d = malloc(len);

	for (size_t i = 0; d && i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		d[i] = (uint8_t)(seed >> 16);
	}
	return d;
}

static uint32_t run_crc(struct sim_flash_h7 *f, uint32_t bank_off, uint32_t crccr, uint64_t *took)
{
	rw(f, bank_off + CRCCR, crccr | CRC_CLEAN);
	rw(f, bank_off + CRCCR, crccr | CRC_START);
	*took = wait_clear(f, bank_off + SR, SR_CRC_BUSY, 10000 * MS);
	return rr(f, bank_off + CRCDATA);
}

static int t_crc_unit(void)
{
	struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h743);
	uint8_t *d = pattern(2 * SECTOR, 7);
	uint64_t took;

	CHECK(d);
	CHECK_OK(sim_flash_h7_load(f, BANK + 2 * SECTOR, d, 2 * SECTOR));
	CHECK_OK(unlock(f, B2));
	rw(f, B2 + CR, CR_CRC_EN);
	/* by sector: 2 and 3 */
	rw(f, B2 + CRCCR, CRC_ADD_SECT | 2);
	rw(f, B2 + CRCCR, CRC_ADD_SECT | 3);
	CHECK_EQ(run_crc(f, B2, CRC_BY_SECT, &took), host_crc(d, 2 * SECTOR));
	CHECK_EQ(took, 8192u * 4 * 1000000000ull / 64000000u); /* 8192 words x 4 AXI cycles */
	CHECK(rr(f, B2 + SR) & SR_CRCEND);
	CHECK_EQ(rr(f, SR) & SR_CRCEND, 0u); /* bank 1's unit did nothing */
	/* by address: 0x40000..0x4007C with 4-word bursts is 128 bytes */
	rw(f, B2 + CRCSADD, 2 * SECTOR);
	rw(f, B2 + CRCEADD, 2 * SECTOR + 0x7C);
	CHECK_EQ(run_crc(f, B2, CRC_BURST(0), &took), host_crc(d, 128));
	/* a range widened to the burst: 16 words = 512 bytes */
	rw(f, B2 + CRCEADD, 2 * SECTOR + 0x80);
	CHECK_EQ(run_crc(f, B2, CRC_BURST(1), &took), host_crc(d, 512));
	/* whole bank: sectors 0-1 and 4-7 erased */
	{
		uint8_t *all = malloc(BANK);

		CHECK(all);
		CHECK_OK(sim_flash_h7_peek(f, BANK, all, BANK));
		CHECK_EQ(run_crc(f, B2, 1u << 7, &took), host_crc(all, BANK));
		free(all);
	}
	CHECK(host_crc(d, 128) != host_crc(d + 4, 128)); /* the check can tell */
	/* Without CLEAN_CRC a run continues from CRCDATA. */
	rw(f, B2 + CRCEADD, 2 * SECTOR + 0x7C);
	rw(f, B2 + CRCCR, CRC_BURST(0) | CRC_CLEAN);
	CHECK_EQ(rr(f, B2 + CRCDATA), 0u); /* RM0433 4.9.22 reset value */
	rw(f, B2 + CRCCR, CRC_BURST(0) | CRC_START);
	wait_clear(f, B2 + SR, SR_CRC_BUSY, MS);
	rw(f, B2 + CRCCR, CRC_BURST(0) | CRC_START);
	wait_clear(f, B2 + SR, SR_CRC_BUSY, MS);
	CHECK_EQ(rr(f, B2 + CRCDATA), host_crc_from(host_crc(d, 128), d, 128));
	free(d);
	done(f);
	return 0;
}

/* The one silicon figure known: 128 bytes of zeros, 4-word bursts, give
 * 0x11E66C62 (measured on an STM32H753, see docs/LAB-h7-flash.md). */
static int t_crc_zeros_silicon(void)
{
	struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h743);
	static const uint8_t zeros[128];
	uint64_t took;

	CHECK_OK(sim_flash_h7_load(f, 0x8000, zeros, sizeof(zeros)));
	CHECK_OK(unlock(f, 0));
	rw(f, CR, CR_CRC_EN);
	rw(f, CRCSADD, 0x8000);
	rw(f, CRCEADD, 0x807C);
	CHECK_EQ(run_crc(f, 0, CRC_BURST(0), &took), 0x11E66C62u);
	done(f);
	return 0;
}

static int t_crc_needs_enable(void)
{
	struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h743);

	CHECK_OK(unlock(f, 0));
	rw(f, CRCCR, 1u << 7 | CRC_START);
	CHECK_EQ(rr(f, SR) & SR_CRC_BUSY, 0u);
	CHECK_EQ(rr(f, CRCCR), 0u);
	done(f);
	return 0;
}

/* ---- option bytes ------------------------------------------------------- */

static int t_option_program(void)
{
	struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h743);
	uint64_t took;

	CHECK_EQ(rr(f, OPTSR_CUR) & 0xFF00u, 0xAA00u);
	CHECK_EQ(rr(f, BOOT_CUR), 0x1FF00800u);
	CHECK_EQ(rr(f, WPSN_CUR), 0xFFu);
	opt_unlock(f);
	rw(f, WPSN_PRG, 0xFEu);
	rw(f, BOOT_PRG, 0x1FF00810u);
	rw(f, OPTCR, OPTCR_OPTSTART);
	CHECK_EQ(rr(f, OPTSR_CUR) & OPTSR_BUSY, OPTSR_BUSY);
	CHECK_EQ(rr(f, WPSN_CUR), 0xFFu);
	took = wait_clear(f, OPTSR_CUR, OPTSR_BUSY, 10000 * MS);
	CHECK_EQ(took, 300 * MS);
	CHECK_EQ(rr(f, WPSN_CUR), 0xFEu);
	CHECK_EQ(rr(f, BOOT_CUR), 0x1FF00810u);
	CHECK_EQ(rr(f, B2 + WPSN_CUR), 0xFFu);
	CHECK_EQ(rr(f, B2 + BOOT_CUR), 0x1FF00810u); /* shared register mirrored */
	CHECK_OK(unlock(f, 0));
	rw(f, CR, CR_SER | SNB(0) | CR_START);
	CHECK_EQ(rr(f, SR) & SR_WRPERR, SR_WRPERR);
	sim_flash_h7_reset(f); /* stored: survives reset */
	CHECK_EQ(rr(f, WPSN_CUR), 0xFEu);
	done(f);
	return 0;
}

static int t_bank_swap(void)
{
	struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h743);
	const uint8_t *v = sim_flash_h7_view(f);
	enum sim_bus_result res;

	CHECK_OK(program(f, 0x0, 0xA0));
	CHECK_OK(program(f, BANK, 0xB0));
	opt_change(f, OPTSR_PRG, rr(f, OPTSR_PRG) | OPTSR_SWAP_OPT);
	CHECK(rr(f, OPTSR_CUR) & OPTSR_SWAP_OPT); /* programmed value shows at once */
	CHECK_EQ(rr(f, OPTCR) & OPTCR_SWAP, 0u);  /* the map changes at reset */
	CHECK_EQ(v[0], 0xA0u);
	fk.changes = 0;
	sim_flash_h7_reset(f);
	CHECK(rr(f, OPTCR) & OPTCR_SWAP);
	CHECK(sim_flash_h7_swapped(f));
	CHECK_EQ(v[0], 0xB0u);
	CHECK_EQ(v[BANK], 0xA0u);
	CHECK(fk.changes > 0);
	CHECK_EQ(rd(f, 0x0, DBG, &res), 0xB0u);
	/* FLASH_CR1 controls the bank at 0x08000000 (physical bank 2). */
	CHECK_OK(unlock(f, 0));
	rw(f, CR, CR_SER | SNB(0) | PSIZE(X32) | CR_START);
	wait_clear(f, SR, SR_QW, 30000 * MS);
	CHECK_EQ(v[0], 0xFFu);
	CHECK_EQ(v[BANK], 0xA0u);
	/* swap back */
	opt_change(f, OPTSR_PRG, rr(f, OPTSR_PRG) & ~OPTSR_SWAP_OPT);
	sim_flash_h7_reset(f);
	CHECK_EQ(v[0], 0xA0u);
	CHECK_EQ(rr(f, OPTCR) & OPTCR_SWAP, 0u);
	done(f);
	return 0;
}

static int t_rdp_regression(void)
{
	struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h743);
	struct sim_flash_h7_stats st;
	enum sim_bus_result res;
	uint64_t took;

	CHECK_OK(program(f, 0x40, 1));
	CHECK_OK(program(f, BANK + 7 * SECTOR, 2));
	sim_flash_h7_knob_rdp1(f);
	sim_flash_h7_reset(f);
	CHECK_EQ(sim_flash_h7_rdp_level(f), 1u);
	rd(f, 0x40, DBG, &res);
	CHECK_EQ(res, SIM_BUS_FAULT);
	CHECK_EQ(rd(f, 0x40, CORE, &res), 1u); /* the core still reads its flash */
	CHECK(sim_flash_h7_read_faults(f));
	opt_unlock(f);
	rw(f, OPTSR_PRG, (rr(f, OPTSR_PRG) & ~0xFF00u) | 0xAA00u);
	rw(f, OPTCR, OPTCR_OPTSTART);
	CHECK(sim_flash_h7_bank_busy(f, 0));
	took = wait_clear(f, OPTSR_CUR, OPTSR_BUSY, 60000 * MS);
	CHECK_EQ(took, 300 * MS + 5000 * MS); /* option change + tME at PSIZE x64 */
	CHECK_EQ(sim_flash_h7_rdp_level(f), 0u);
	CHECK_EQ(rd(f, 0x40, DBG, &res), 0xFFFFFFFFu);
	CHECK_EQ(res, SIM_BUS_OK);
	CHECK_EQ(rd(f, BANK + 7 * SECTOR, DBG, &res), 0xFFFFFFFFu);
	sim_flash_h7_get_stats(f, &st);
	CHECK_EQ(st.mass_erases, 1u);
	done(f);
	return 0;
}

static int t_rdp_level2_final(void)
{
	struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h743);

	opt_change(f, OPTSR_PRG, (rr(f, OPTSR_PRG) & ~0xFF00u) | 0xCC00u);
	CHECK_EQ(sim_flash_h7_rdp_level(f), 2u);
	opt_unlock(f);
	rw(f, OPTSR_PRG, (rr(f, OPTSR_PRG) & ~0xFF00u) | 0xAA00u);
	rw(f, OPTCR, OPTCR_OPTSTART);
	CHECK_EQ(rr(f, OPTSR_CUR) & (OPTSR_CHANGEERR | OPTSR_BUSY), OPTSR_CHANGEERR);
	CHECK_EQ(sim_flash_h7_rdp_level(f), 2u);
	rw(f, OPTCCR, 1u << 30);
	CHECK_EQ(rr(f, OPTSR_CUR) & OPTSR_CHANGEERR, 0u);
	done(f);
	return 0;
}

static int t_opt_change_while_busy(void)
{
	struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h743);

	CHECK_OK(unlock(f, 0));
	rw(f, CR, CR_SER | SNB(1) | CR_START);
	opt_unlock(f);
	rw(f, OPTCR, OPTCR_OPTSTART);
	CHECK_EQ(rr(f, OPTSR_CUR) & (OPTSR_CHANGEERR | OPTSR_BUSY), OPTSR_CHANGEERR);
	done(f);
	return 0;
}

/* ---- knobs -------------------------------------------------------------- */

static int t_knobs(void)
{
	struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h743);
	enum sim_bus_result res;
	uint64_t took;

	sim_flash_h7_knob_wrp(f, (1u << 0) | (1u << 9));
	sim_flash_h7_knob_bank_swap(f);
	CHECK_EQ(rr(f, WPSN_CUR), 0xFFu); /* stored: takes effect at reset */
	sim_flash_h7_reset(f);
	CHECK_EQ(rr(f, WPSN_CUR), 0xFEu);
	CHECK_EQ(rr(f, B2 + WPSN_CUR), 0xFDu);
	CHECK(sim_flash_h7_swapped(f));
	CHECK_EQ(sim_flash_h7_knob_ecc(f, 0x200000, true), -1);
	CHECK_OK(sim_flash_h7_knob_ecc(f, 0x1FFFE0, true));
	rd(f, 0x1FFFE0, DBG, &res);
	CHECK_EQ(res, SIM_BUS_FAULT);
	CHECK_EQ(rr(f, B2 + ECC_FA), 0x7FFFu);
	/* vcap-fault: an erase runs its time and ends with OPERR */
	CHECK_OK(program(f, 2 * SECTOR, 5));
	rw(f, CCR, SR_EOP);
	sim_flash_h7_knob_vcap_fault(f, true);
	CHECK_OK(erase_sector(f, 0, 2, &took));
	CHECK_EQ(took, 1100 * MS);
	CHECK_EQ(rr(f, SR) & (SR_OPERR | SR_EOP), SR_OPERR);
	rd(f, 2 * SECTOR, CORE, &res);
	CHECK_EQ(res, SIM_BUS_FAULT);
	sim_flash_h7_knob_vcap_fault(f, false);
	CHECK_OK(erase_sector(f, 0, 2, &took));
	CHECK_EQ(rd(f, 2 * SECTOR, CORE, &res), 0xFFFFFFFFu);
	/* weak cell: one byte stays 0xFF, no flag */
	rw(f, CCR, 0x1FEF0000u);
	CHECK_OK(sim_flash_h7_knob_weak_cell(f, 3 * SECTOR + 1));
	CHECK_OK(program(f, 3 * SECTOR, 0));
	CHECK_EQ(rd(f, 3 * SECTOR, DBG, &res), 0x0000FF00u);
	CHECK_EQ(rr(f, SR) & 0x1FEE0000u, 0u);
	done(f);
	return 0;
}

/* The environment's supply callback fails operations that END while it
 * says no (the program started while the supply was good). */
static int t_supply_callback(void)
{
	struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h743);
	enum sim_bus_result res;

	CHECK_OK(unlock(f, 0));
	rw(f, CR, CR_PG | PSIZE(X32));
	put_word(f, 0x400, 1, CORE);
	fk.supply_bad = true;
	CHECK_EQ(wait_clear(f, SR, SR_QW, MS), 130 * US);
	CHECK_EQ(rr(f, SR) & (SR_OPERR | SR_EOP), SR_OPERR);
	CHECK(sim_flash_h7_read_faults(f));
	rd(f, 0x400, CORE, &res);
	CHECK_EQ(res, SIM_BUS_FAULT);
	fk.supply_bad = false;
	rw(f, CCR, 0x1FEF0000u);
	rw(f, CR, PSIZE(X32));
	CHECK_OK(program(f, 0x420, 2));
	CHECK_EQ(rr(f, SR) & (SR_OPERR | SR_EOP), SR_EOP);
	done(f);
	return 0;
}

/* ---- PCROP (execute-only) ----------------------------------------------- */

static int t_pcrop_fetch(void)
{
	struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h743);
	enum sim_bus_result res;

	CHECK_OK(program(f, 0x1000, 0x77));
	opt_change(f, PRAR_PRG, (0x10u << 16) | 0x10u); /* 0x1000-0x10FF */
	CHECK_EQ(rd(f, 0x1000, FETCH, &res), 0x77u);
	CHECK_EQ(res, SIM_BUS_OK);
	rd(f, 0x1000, CORE, &res);
	CHECK_EQ(res, SIM_BUS_FAULT);
	CHECK_EQ(rd(f, 0x1100, CORE, &res), 0xFFFFFFFFu);
	CHECK_EQ(res, SIM_BUS_OK);
	CHECK_OK(unlock(f, 0));
	rw(f, CR, CR_SER | SNB(0) | CR_START); /* the sector holds the area */
	CHECK(rr(f, SR) & SR_WRPERR);
	done(f);
	return 0;
}

/* ---- the STM32H725 (RM0468) ---------------------------------------------- */

static int t_h725(void)
{
	struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h725);
	uint8_t *d = pattern(SECTOR, 3);
	enum sim_bus_result res;
	uint64_t took;

	CHECK(d);
	CHECK_EQ(sim_flash_h7_size(f), BANK);
	CHECK_EQ(rr(f, B2 + CR), 0u); /* no bank 2 registers */
	CHECK_EQ(rw(f, B2 + KEYR, 0x45670123u), SIM_BUS_OK);
	rd(f, BANK, DBG, &res);
	CHECK_EQ(res, SIM_BUS_FAULT);
	sim_flash_h7_knob_bank_swap(f); /* no swap on a single bank */
	sim_flash_h7_reset(f);
	CHECK(!sim_flash_h7_swapped(f));
	CHECK_EQ(rr(f, OPTSR2_CUR), 0u);
	opt_change(f, OPTSR2_PRG, 0x1u);
	CHECK_EQ(rr(f, OPTSR2_CUR), 0x1u);
	CHECK_OK(sim_flash_h7_load(f, 6 * SECTOR, d, SECTOR));
	CHECK_OK(unlock(f, 0));
	rw(f, CR, CR_CRC_EN);
	rw(f, CRCCR, CRC_ADD_SECT | 6);
	CHECK_EQ(run_crc(f, 0, CRC_BY_SECT, &took), host_crc(d, SECTOR));
	rw(f, CRCCR, 1u << 7 | CRC_ADD_SECT | 6); /* bit 7 is not ALL_BANK here */
	CHECK_EQ(run_crc(f, 0, CRC_BY_SECT, &took), host_crc(d, SECTOR));
	CHECK_OK(erase_sector(f, 0, 6, &took));
	CHECK_EQ(took, 1100 * MS);
	free(d);
	done(f);
	return 0;
}

static const struct test_case tests[] = {
	{ "crc_unit", "RM0433 4.3.12", t_crc_unit },
	{ "crc_zeros_silicon", "RM0433 4.3.12", t_crc_zeros_silicon },
	{ "crc_needs_enable", "RM0433 4.9.19", t_crc_needs_enable },
	{ "option_program", "RM0433 4.4.3", t_option_program },
	{ "bank_swap", "RM0433 4.3.13", t_bank_swap },
	{ "rdp_regression", "RM0433 4.5.3", t_rdp_regression },
	{ "rdp_level2_final", "RM0433 4.5.3", t_rdp_level2_final },
	{ "opt_change_while_busy", "RM0433 4.4.3", t_opt_change_while_busy },
	{ "knobs", "AN4938 2, RM0433 4.5", t_knobs },
	{ "supply_callback", "AN4938 2", t_supply_callback },
	{ "pcrop_fetch", "RM0433 4.5.5", t_pcrop_fetch },
	{ "h725", "RM0468 4", t_h725 },
};

int main(int argc, char **argv)
{
	return h7t_main("test_sim_flash_h7_opt", tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
