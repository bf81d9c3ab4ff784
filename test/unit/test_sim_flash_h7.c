/*
 * The STM32H7 flash controller model (sim/sim_flash_h7.h), part 1: unlock,
 * the write buffer and programming, every SR error flag, erase timing and
 * resets during an operation, driven directly through the module's
 * interface with a fake chip environment. Every time asserted is modelled
 * virtual time. Part 2 (CRC, option bytes, knobs, H725) is
 * test_sim_flash_h7_opt.c.
 */
#include "harness.h"
#include "sim_flash_h7_test_util.h"

/* ---- unlock ------------------------------------------------------------- */

static int t_unlock(void)
{
	struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h743);

	CHECK_EQ(rr(f, CR), 0x31u);
	CHECK_EQ(rr(f, B2 + CR), 0x31u);
	CHECK_OK(unlock(f, 0));
	CHECK(rr(f, B2 + CR) & CR_LOCK); /* bank 2 has its own key register */
	CHECK_OK(unlock(f, B2));
	rw(f, CR, CR_LOCK);
	CHECK(rr(f, CR) & CR_LOCK);
	CHECK_OK(unlock(f, 0)); /* LOCK set by software: the keys open it again */
	done(f);
	return 0;
}

static int t_wrong_key(void)
{
	struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h743);

	CHECK_EQ(rw(f, KEYR, 0x45670123u), SIM_BUS_OK);
	CHECK_EQ(rw(f, KEYR, 0x12345678u), SIM_BUS_FAULT);
	CHECK_EQ(rw(f, KEYR, 0x45670123u), SIM_BUS_FAULT);
	CHECK(unlock(f, 0) != 0);
	CHECK(rr(f, CR) & CR_LOCK);
	rw(f, CR, CR_PG); /* ignored while locked */
	CHECK_EQ(rr(f, CR), 0x31u);
	sim_flash_h7_reset(f);
	CHECK_OK(unlock(f, 0));
	done(f);
	return 0;
}

static int t_optkey(void)
{
	struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h743);

	CHECK(rr(f, OPTCR) & OPTCR_OPTLOCK);
	rw(f, WPSN_PRG, 0x0F); /* PRG writes ignored while OPTLOCK */
	CHECK_EQ(rr(f, WPSN_PRG), 0xFFu);
	CHECK_EQ(rw(f, OPTKEYR, 0x08192A3Bu), SIM_BUS_OK);
	CHECK_EQ(rw(f, OPTKEYR, 0x45670123u), SIM_BUS_FAULT);
	CHECK(opt_unlock(f) != 0);
	sim_flash_h7_reset(f);
	CHECK_OK(opt_unlock(f));
	rw(f, WPSN_PRG, 0x0F);
	CHECK_EQ(rr(f, WPSN_PRG), 0x0Fu);
	CHECK_EQ(rr(f, WPSN_CUR), 0xFFu); /* not in effect before OPTSTART */
	done(f);
	return 0;
}

/* ---- program ------------------------------------------------------------ */

static int t_program_word(void)
{
	struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h743);
	const uint8_t *v = sim_flash_h7_view(f);
	enum sim_bus_result res;

	CHECK_OK(unlock(f, 0));
	rw(f, CR, CR_PG | PSIZE(X32));
	for (unsigned i = 0; i < 7; i++)
		sim_flash_h7_array_write(f, 0x40 + 4 * i, 4, 0x11111111u * (i + 1), CORE);
	CHECK_EQ(rr(f, SR), SR_WBNE);
	sim_flash_h7_array_write(f, 0x40 + 28, 4, 0x88888888u, CORE);
	CHECK_EQ(rr(f, SR), SR_QW | SR_BSY);
	CHECK_EQ(v[0x40], 0xFFu);                          /* the array changes when BSY falls */
	CHECK_EQ(sim_flash_h7_next_event_ns(f), 130 * US); /* DS12110 tPROG x32 */
	adv(f, 130 * US - 1);
	CHECK_EQ(rr(f, SR) & SR_BSY, SR_BSY);
	CHECK_EQ(rd(f, 0x40, DBG, &res), 0xDEADBEEFu);
	CHECK_EQ(res, SIM_BUS_WAIT); /* the bank being written stalls reads */
	adv(f, 1);
	CHECK_EQ(rr(f, SR), SR_EOP);
	CHECK_EQ(rd(f, 0x40, DBG, &res), 0x11111111u);
	CHECK_EQ(rd(f, 0x5C, CORE, &res), 0x88888888u);
	CHECK_EQ(fk.last_off, 0x40u);
	CHECK_EQ(fk.last_len, 32u);
	rw(f, CCR, SR_EOP);
	CHECK_EQ(rr(f, SR), 0u);
	done(f);
	return 0;
}

/* DS12110 tPROG by PSIZE: x8 290 us, x16 180, x32 130, x64 100. */
static int t_program_time_psize(void)
{
	static const uint64_t want[4] = { 290 * US, 180 * US, 130 * US, 100 * US };

	for (unsigned ps = 0; ps < 4; ps++) {
		struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h743);

		CHECK_OK(unlock(f, B2));
		rw(f, B2 + CR, CR_PG | PSIZE(ps));
		put_word(f, BANK + 0x20 * ps, 1, CORE);
		CHECK_EQ(wait_clear(f, B2 + SR, SR_QW, 10 * MS), want[ps]);
		done(f);
	}
	return 0;
}

static int t_program_twice_ecc(void)
{
	struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h743);
	enum sim_bus_result res;
	uint64_t took;

	CHECK_OK(program(f, 0x1000, 0x100));
	CHECK(!sim_flash_h7_read_faults(f));
	CHECK_OK(program(f, 0x1000, 0x200));
	CHECK(sim_flash_h7_read_faults(f));
	rd(f, 0x1004, CORE, &res);
	CHECK_EQ(res, SIM_BUS_FAULT); /* the core's load takes a bus fault */
	CHECK(rr(f, SR) & SR_DBECCERR);
	CHECK_EQ(rr(f, ECC_FA), 0x1000u / 32);
	rd(f, 0x1008, DBG, &res);
	CHECK_EQ(res, SIM_BUS_FAULT); /* and the AP read faults */
	rd(f, 0x1020, DBG, &res);
	CHECK_EQ(res, SIM_BUS_OK); /* the next word is fine */
	rw(f, CCR, SR_DBECCERR | SR_EOP);
	CHECK_EQ(rr(f, ECC_FA), 0u);
	CHECK_OK(erase_sector(f, 0, 0, &took));
	CHECK_EQ(rd(f, 0x1004, CORE, &res), 0xFFFFFFFFu);
	CHECK_EQ(res, SIM_BUS_OK);
	CHECK(!sim_flash_h7_read_faults(f));
	done(f);
	return 0;
}

static int t_program_zero_over(void)
{
	struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h743);
	enum sim_bus_result res;

	CHECK_OK(program(f, 0x2000, 0x55));
	CHECK_OK(unlock(f, 0));
	rw(f, CR, CR_PG | PSIZE(X32));
	for (unsigned i = 0; i < 8; i++)
		sim_flash_h7_array_write(f, 0x2000 + 4 * i, 4, 0, CORE);
	wait_clear(f, SR, SR_QW, MS);
	CHECK_EQ(rd(f, 0x2000, CORE, &res), 0u);
	CHECK_EQ(res, SIM_BUS_OK);
	done(f);
	return 0;
}

static int t_force_write(void)
{
	struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h743);
	enum sim_bus_result res;

	CHECK_OK(unlock(f, 0));
	rw(f, CR, CR_PG | PSIZE(X64));
	sim_flash_h7_array_write(f, 0x100, 4, 0xAABBCCDDu, CORE);
	sim_flash_h7_array_write(f, 0x106, 2, 0x1234u, CORE);
	CHECK_EQ(rr(f, SR), SR_WBNE);
	adv(f, 10 * MS);
	CHECK_EQ(rr(f, SR), SR_WBNE); /* a partial word waits for FW */
	rw(f, CR, CR_PG | PSIZE(X64) | CR_FW);
	CHECK_EQ(rr(f, SR), SR_QW | SR_BSY);
	CHECK_EQ(rr(f, CR) & CR_FW, 0u);
	CHECK_EQ(wait_clear(f, SR, SR_QW, MS), 100 * US);
	CHECK_EQ(rd(f, 0x100, DBG, &res), 0xAABBCCDDu);
	CHECK_EQ(rd(f, 0x104, DBG, &res), 0x1234FFFFu);
	CHECK_EQ(rd(f, 0x11C, DBG, &res), 0xFFFFFFFFu);
	done(f);
	return 0;
}

/* ---- every SR error flag ------------------------------------------------ */

struct err_case {
	const char *what;
	void (*knob)(struct sim_flash_h7 *f); /* before reset, or NULL */
	void (*act)(struct sim_flash_h7 *f);
	uint32_t want;           /* flag(s) expected in bank 1 SR */
	enum sim_bus_result bus; /* outcome of the access in act (checked via last_bus) */
};

static enum sim_bus_result last_bus;

static void k_wrp1(struct sim_flash_h7 *f)
{
	sim_flash_h7_knob_wrp(f, 1u << 1);
}
static void k_rdp1(struct sim_flash_h7 *f)
{
	sim_flash_h7_knob_rdp1(f);
}
static void k_ecc1(struct sim_flash_h7 *f)
{
	sim_flash_h7_knob_ecc(f, 0x300, false);
}
static void k_ecc2(struct sim_flash_h7 *f)
{
	sim_flash_h7_knob_ecc(f, 0x300, true);
}
static void k_vcap(struct sim_flash_h7 *f)
{
	sim_flash_h7_knob_vcap_fault(f, true);
}

static void a_no_pg(struct sim_flash_h7 *f)
{
	unlock(f, 0);
	last_bus = sim_flash_h7_array_write(f, 0x0, 4, 0, CORE);
}

static void a_locked(struct sim_flash_h7 *f)
{
	last_bus = sim_flash_h7_array_write(f, 0x0, 4, 0, CORE);
}

static void a_strobe(struct sim_flash_h7 *f)
{
	unlock(f, 0);
	rw(f, CR, CR_PG);
	sim_flash_h7_array_write(f, 0x0, 4, 0, CORE);
	last_bus = sim_flash_h7_array_write(f, 0x2, 1, 0, CORE);
}

static void a_inconsistent(struct sim_flash_h7 *f)
{
	unlock(f, 0);
	rw(f, CR, CR_PG);
	sim_flash_h7_array_write(f, 0x0, 4, 0, CORE);
	last_bus = sim_flash_h7_array_write(f, 0x20, 4, 0, CORE);
}

static void a_pg_cleared(struct sim_flash_h7 *f)
{
	unlock(f, 0);
	rw(f, CR, CR_PG);
	sim_flash_h7_array_write(f, 0x0, 4, 0, CORE);
	last_bus = rw(f, CR, 0);
}

static void a_ser_ber(struct sim_flash_h7 *f)
{
	unlock(f, 0);
	last_bus = rw(f, CR, CR_SER | CR_BER | CR_START);
}

static void a_prog_wrp(struct sim_flash_h7 *f)
{
	unlock(f, 0);
	rw(f, CR, CR_PG);
	last_bus = sim_flash_h7_array_write(f, SECTOR + 0x40, 4, 0, CORE);
}

static void a_erase_wrp(struct sim_flash_h7 *f)
{
	unlock(f, 0);
	last_bus = rw(f, CR, CR_SER | SNB(1) | CR_START);
}

static void a_bank_erase_wrp(struct sim_flash_h7 *f)
{
	unlock(f, 0);
	last_bus = rw(f, CR, CR_BER | CR_START);
}

static void a_vcap_program(struct sim_flash_h7 *f)
{
	unlock(f, 0);
	rw(f, CR, CR_PG);
	put_word(f, 0x0, 7, CORE);
	wait_clear(f, SR, SR_QW, MS);
	last_bus = sim_flash_h7_array_read(f, 0x0, 4, &(uint32_t){ 0 }, CORE);
}

static void a_debug_read(struct sim_flash_h7 *f)
{
	last_bus = sim_flash_h7_array_read(f, 0x0, 4, &(uint32_t){ 0 }, DBG);
}

static void a_debug_write(struct sim_flash_h7 *f)
{
	unlock(f, 0);
	rw(f, CR, CR_PG);
	last_bus = sim_flash_h7_array_write(f, 0x0, 4, 0, DBG);
}

static void a_core_erase_attached(struct sim_flash_h7 *f)
{
	fk.debug = true;
	unlock(f, 0);
	last_bus = sim_flash_h7_reg_write(f, CR, 4, CR_SER | SNB(3) | CR_START, CORE);
}

static void a_read_300(struct sim_flash_h7 *f)
{
	last_bus = sim_flash_h7_array_read(f, 0x304, 4, &(uint32_t){ 0 }, CORE);
}

static void a_pcrop_data(struct sim_flash_h7 *f)
{
	opt_change(f, PRAR_PRG, (0x20u << 16) | 0x10u); /* 0x1000-0x20FF */
	last_bus = sim_flash_h7_array_read(f, 0x1800, 4, &(uint32_t){ 0 }, CORE);
}

static void a_secure_read(struct sim_flash_h7 *f)
{
	opt_unlock(f);
	rw(f, SCAR_PRG, (0x20u << 16) | 0x10u);
	rw(f, OPTSR_PRG, rr(f, OPTSR_PRG) | OPTSR_SECURITY);
	rw(f, OPTCR, OPTCR_OPTSTART);
	wait_clear(f, OPTSR_CUR, OPTSR_BUSY, 1000 * MS);
	last_bus = sim_flash_h7_array_read(f, 0x1000, 4, &(uint32_t){ 0 }, DBG);
}

static const struct err_case err_cases[] = {
	{ "PGSERR: write without PG", NULL, a_no_pg, SR_PGSERR, SIM_BUS_OK },
	{ "PGSERR: write while locked", NULL, a_locked, SR_PGSERR, SIM_BUS_OK },
	{ "PGSERR: PG cleared, buffer not empty", NULL, a_pg_cleared, SR_PGSERR, SIM_BUS_OK },
	{ "PGSERR: SER and BER", NULL, a_ser_ber, SR_PGSERR, SIM_BUS_OK },
	{ "STRBERR: byte written twice", NULL, a_strobe, SR_STRBERR, SIM_BUS_OK },
	{ "INCERR: other flash word", NULL, a_inconsistent, SR_INCERR, SIM_BUS_OK },
	{ "WRPERR: program protected sector", k_wrp1, a_prog_wrp, SR_WRPERR, SIM_BUS_OK },
	{ "WRPERR: erase protected sector", k_wrp1, a_erase_wrp, SR_WRPERR, SIM_BUS_OK },
	{ "WRPERR: bank erase, one sector protected", k_wrp1, a_bank_erase_wrp, SR_WRPERR, SIM_BUS_OK },
	{ "WRPERR: RDP 1, core erases with debugger", k_rdp1, a_core_erase_attached, SR_WRPERR, SIM_BUS_OK },
	{ "OPERR: vcap-fault program", k_vcap, a_vcap_program, SR_OPERR | SR_DBECCERR, SIM_BUS_FAULT },
	{ "RDPERR: RDP 1 debugger read", k_rdp1, a_debug_read, SR_RDPERR, SIM_BUS_FAULT },
	{ "RDPERR: RDP 1 debugger write", k_rdp1, a_debug_write, SR_RDPERR, SIM_BUS_FAULT },
	{ "RDPERR: PCROP data read", NULL, a_pcrop_data, SR_RDPERR, SIM_BUS_FAULT },
	{ "RDSERR: secure area read", NULL, a_secure_read, SR_RDSERR, SIM_BUS_FAULT },
	{ "SNECCERR: corrected read", k_ecc1, a_read_300, SR_SNECCERR, SIM_BUS_OK },
	{ "DBECCERR: ecc knob", k_ecc2, a_read_300, SR_DBECCERR, SIM_BUS_FAULT },
};

static int t_error_flags(void)
{
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		const struct err_case *c = &err_cases[i];
		struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h743);
		uint32_t sr;

		if (c->knob) {
			c->knob(f);
			sim_flash_h7_reset(f);
		}
		last_bus = (enum sim_bus_result)99;
		c->act(f);
		sr = rr(f, SR) & 0x1FEF0000u & ~SR_EOP;
		if (sr != c->want || last_bus != c->bus)
			return test_fail_at(__FILE__, __LINE__,
					    "%s: SR flags 0x%08x bus %d, want 0x%08x bus %d", c->what, sr,
					    (int)last_bus, c->want, (int)c->bus);
		rw(f, CCR, 0x1FEF0000u); /* CCR clears every flag */
		if (rr(f, SR) & 0x1FEF0000u)
			return test_fail_at(__FILE__, __LINE__, "%s: CCR left 0x%08x", c->what, rr(f, SR));
		done(f);
	}
	return 0;
}

/* ---- erase -------------------------------------------------------------- */

static int t_sector_erase_time(void)
{
	struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h743);
	enum sim_bus_result res;
	uint64_t took;

	CHECK_OK(program(f, 3 * SECTOR + 0x20, 9));
	CHECK_OK(program(f, 4 * SECTOR, 9));
	rw(f, CCR, SR_EOP);
	CHECK_OK(unlock(f, 0));
	rw(f, CR, CR_SER | SNB(3) | PSIZE(X32) | CR_START);
	CHECK_EQ(rr(f, SR), SR_QW | SR_BSY);
	adv(f, 1100 * MS - 1); /* DS12110 tERASE128KB x32 typ 1.1 s */
	CHECK_EQ(rr(f, SR), SR_QW | SR_BSY);
	CHECK_EQ(rd(f, BANK, DBG, &res), 0xFFFFFFFFu); /* bank 2 reads during the erase */
	CHECK_EQ(res, SIM_BUS_OK);
	adv(f, 1);
	CHECK_EQ(rr(f, SR), SR_EOP);
	CHECK_EQ(rd(f, 3 * SECTOR + 0x20, DBG, &res), 0xFFFFFFFFu);
	CHECK_EQ(rd(f, 4 * SECTOR, DBG, &res), 9u); /* sector 4 untouched */
	CHECK_OK(erase_sector(f, B2, 7, &took));
	CHECK_EQ(took, 1100 * MS);
	rw(f, CR, CR_SER | SNB(0) | PSIZE(0) | CR_START);
	CHECK_EQ(wait_clear(f, SR, SR_QW, 30000 * MS), 2000 * MS); /* x8 typ 2 s */
	done(f);
	return 0;
}

static int t_bank_and_mass_erase(void)
{
	struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h743);
	struct sim_flash_h7_stats st;
	enum sim_bus_result res;

	CHECK_OK(program(f, 0x40, 1));
	CHECK_OK(program(f, BANK + 0x40, 2));
	rw(f, CR, CR_BER | PSIZE(X32) | CR_START);
	CHECK_EQ(wait_clear(f, SR, SR_QW, 30000 * MS), 6000 * MS);
	CHECK_EQ(rd(f, 0x40, DBG, &res), 0xFFFFFFFFu);
	CHECK_EQ(rd(f, BANK + 0x40, DBG, &res), 2u); /* BER1 leaves bank 2 */
	/* Mass erase needs both CRs unlocked and OPTCR unlocked. */
	CHECK_OK(unlock(f, B2));
	CHECK_OK(opt_unlock(f));
	CHECK_EQ(rw(f, OPTCR, OPTCR_MER), SIM_BUS_OK);
	CHECK_EQ(rr(f, SR) & SR_BSY, SR_BSY);
	CHECK_EQ(rr(f, B2 + SR) & SR_BSY, SR_BSY);
	CHECK_EQ(wait_clear(f, B2 + SR, SR_QW, 60000 * MS), 6000 * MS); /* x32 tME */
	CHECK_EQ(rd(f, BANK + 0x40, DBG, &res), 0xFFFFFFFFu);
	CHECK(rr(f, SR) & SR_EOP);
	sim_flash_h7_get_stats(f, &st);
	CHECK_EQ(st.bank_erases, 1u);
	CHECK_EQ(st.mass_erases, 1u);
	done(f);
	return 0;
}

static int t_busy_wait(void)
{
	struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h743);

	CHECK_OK(unlock(f, 0));
	rw(f, CR, CR_SER | SNB(2) | CR_START);
	CHECK_EQ(rw(f, CR, CR_SER | SNB(3) | CR_START), SIM_BUS_WAIT);
	CHECK_EQ(rr(f, CR) & SNB(7), SNB(2)); /* the refused write changed nothing */
	CHECK_EQ(sim_flash_h7_array_write(f, 0x0, 4, 0, CORE), SIM_BUS_WAIT);
	CHECK(sim_flash_h7_bank_busy(f, 0));
	CHECK(!sim_flash_h7_bank_busy(f, BANK));
	done(f);
	return 0;
}

/* ---- resets mid-operation ----------------------------------------------- */

static int t_reset_mid_program(void)
{
	struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h743);
	enum sim_bus_result res;

	CHECK_OK(unlock(f, 0));
	rw(f, CR, CR_PG | PSIZE(X32));
	put_word(f, 0x80, 0x10, CORE);
	adv(f, 50 * US);
	sim_flash_h7_reset(f);
	CHECK_EQ(rr(f, CR), 0x31u);
	CHECK_EQ(rr(f, SR), 0u);
	rd(f, 0x80, DBG, &res);
	CHECK_EQ(res, SIM_BUS_FAULT);
	CHECK(rr(f, SR) & SR_DBECCERR);
	CHECK_EQ(rr(f, ECC_FA), 0x80u / 32);
	done(f);
	return 0;
}

static int t_reset_mid_erase(void)
{
	struct sim_flash_h7 *f = mk(&sim_flash_h7_stm32h743);
	enum sim_bus_result res;

	CHECK_OK(program(f, 5 * SECTOR + 0x40, 3));
	CHECK_OK(unlock(f, 0));
	rw(f, CR, CR_SER | SNB(5) | CR_START);
	adv(f, 400 * MS);
	sim_flash_h7_power_cycle(f);
	rd(f, 5 * SECTOR + 0x40, CORE, &res);
	CHECK_EQ(res, SIM_BUS_FAULT);
	CHECK_EQ(rd(f, 5 * SECTOR + 0x60, CORE, &res), 0xFFFFFFFFu); /* blank stays blank */
	CHECK_EQ(res, SIM_BUS_OK);
	done(f);
	return 0;
}

static int t_bad_args(void)
{
	struct sim_flash_h7 *f = NULL;
	struct sim_flash_h7_env no_clock = { 0 };
	uint32_t v;

	CHECK_EQ(sim_flash_h7_new(&sim_flash_h7_stm32h743, &no_clock, &f), -1);
	CHECK(f == NULL);
	f = mk(&sim_flash_h7_stm32h743);
	CHECK_EQ(sim_flash_h7_reg_read(f, 0x200, 4, &v), SIM_BUS_FAULT);
	CHECK_EQ(sim_flash_h7_reg_read(f, 0x0D, 4, &v), SIM_BUS_FAULT);
	CHECK_EQ(sim_flash_h7_array_read(f, 0x1E, 4, &v, CORE), SIM_BUS_FAULT); /* crosses a word */
	CHECK_EQ(sim_flash_h7_array_read(f, 0x200000, 4, &v, CORE), SIM_BUS_FAULT);
	CHECK_EQ(sim_flash_h7_load(f, 0x1FFFFF, "ab", 2), -1);
	CHECK_EQ(sim_flash_h7_reg_read(f, CR + 1, 1, &v), SIM_BUS_OK);
	CHECK_EQ(v, 0u);
	done(f);
	return 0;
}

static const struct test_case tests[] = {
	{ "unlock", "RM0433 4.5.1", t_unlock },
	{ "wrong_key_locks_until_reset", "RM0433 4.5.1", t_wrong_key },
	{ "optkey", "RM0433 4.4.3", t_optkey },
	{ "program_word", "RM0433 4.3.8, DS12110", t_program_word },
	{ "program_time_psize", "DS12110 flash programming", t_program_time_psize },
	{ "program_twice_ecc", "RM0433 4.3.7", t_program_twice_ecc },
	{ "program_zero_over", "RM0433 4.3.7", t_program_zero_over },
	{ "force_write", "RM0433 4.3.8", t_force_write },
	{ "error_flags", "RM0433 4.7", t_error_flags },
	{ "sector_erase_time", "RM0433 4.3.9, DS12110", t_sector_erase_time },
	{ "bank_and_mass_erase", "RM0433 4.3.9, DS12110", t_bank_and_mass_erase },
	{ "busy_wait", "RM0433 4.3.9", t_busy_wait },
	{ "reset_mid_program", "RM0433 4.3.7", t_reset_mid_program },
	{ "reset_mid_erase", "RM0433 4.3.9", t_reset_mid_erase },
	{ "bad_args", "", t_bad_args },
};

int main(int argc, char **argv)
{
	return h7t_main("test_sim_flash_h7", tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
