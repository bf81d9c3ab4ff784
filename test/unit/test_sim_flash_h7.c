/*
 * The STM32H7 flash controller model (sim/sim_flash_h7.h) driven directly
 * through its interface with a fake chip environment: a settable virtual
 * clock, a change counter and a debugger-attached flag. Every time asserted
 * is modelled virtual time.
 */
#include "harness.h"
#include "sim_flash_h7.h"
#include "swdd_err.h"

#include <stdlib.h>

#define KEYR 0x04u
#define OPTKEYR 0x08u
#define CR 0x0Cu
#define SR 0x10u
#define CCR 0x14u
#define OPTCR 0x18u
#define OPTSR_CUR 0x1Cu
#define OPTSR_PRG 0x20u
#define OPTCCR 0x24u
#define PRAR_PRG 0x2Cu
#define SCAR_PRG 0x34u
#define WPSN_CUR 0x38u
#define WPSN_PRG 0x3Cu
#define BOOT_CUR 0x40u
#define BOOT_PRG 0x44u
#define CRCCR 0x50u
#define CRCSADD 0x54u
#define CRCEADD 0x58u
#define CRCDATA 0x5Cu
#define ECC_FA 0x60u
#define OPTSR2_CUR 0x70u
#define OPTSR2_PRG 0x74u
#define B2 0x100u

#define CR_LOCK 0x1u
#define CR_PG 0x2u
#define CR_SER 0x4u
#define CR_BER 0x8u
#define CR_FW 0x40u
#define CR_START 0x80u
#define CR_CRC_EN 0x8000u
#define PSIZE(n) ((uint32_t)(n) << 4)
#define SNB(n) ((uint32_t)(n) << 8)
#define X32 2
#define X64 3

#define SR_BSY 0x1u
#define SR_WBNE 0x2u
#define SR_QW 0x4u
#define SR_CRC_BUSY 0x8u
#define SR_EOP (1u << 16)
#define SR_WRPERR (1u << 17)
#define SR_PGSERR (1u << 18)
#define SR_STRBERR (1u << 19)
#define SR_INCERR (1u << 21)
#define SR_OPERR (1u << 22)
#define SR_RDPERR (1u << 23)
#define SR_RDSERR (1u << 24)
#define SR_SNECCERR (1u << 25)
#define SR_DBECCERR (1u << 26)
#define SR_CRCEND (1u << 27)

#define OPTCR_OPTLOCK 0x1u
#define OPTCR_OPTSTART 0x2u
#define OPTCR_MER 0x10u
#define OPTCR_SWAP 0x80000000u
#define OPTSR_BUSY 0x1u
#define OPTSR_CHANGEERR (1u << 30)
#define OPTSR_SWAP_OPT 0x80000000u
#define OPTSR_SECURITY (1u << 21)

#define CRC_BY_SECT (1u << 8)
#define CRC_ADD_SECT (1u << 9)
#define CRC_START (1u << 16)
#define CRC_CLEAN (1u << 17)
#define CRC_BURST(n) ((uint32_t)(n) << 20)

#define DBG SIM_FLASH_H7_DEBUG
#define CORE SIM_FLASH_H7_CORE_DATA
#define FETCH SIM_FLASH_H7_CORE_FETCH
#define US 1000ull
#define MS 1000000ull
#define SECTOR 0x20000u
#define BANK 0x100000u

struct fake {
	uint64_t now;
	unsigned changes;
	uint32_t last_off, last_len;
	bool debug;
};

static struct fake fk;
/* The instance of the running test: a failing CHECK returns early, so the
 * next mk() (or main's end) frees what the failed test left. */
static struct sim_flash_h7 *live;

static uint64_t fk_now(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

static bool fk_debug(void *ctx)
{
	return ((struct fake *)ctx)->debug;
}

static void fk_changed(void *ctx, uint32_t off, uint32_t len)
{
	struct fake *k = ctx;

	k->changes++;
	k->last_off = off;
	k->last_len = len;
}

static const struct sim_flash_h7_env fk_env = {
	.ctx = &fk, .now_ns = fk_now, .debug_attached = fk_debug, .array_changed = fk_changed,
};

static struct sim_flash_h7 *mk(const struct sim_flash_h7_params *p)
{
	struct sim_flash_h7 *f = NULL;

	sim_flash_h7_free(live);
	fk = (struct fake){ 0 };
	if (sim_flash_h7_new(p, &fk_env, &f))
		abort();
	live = f;
	return f;
}

static void done(struct sim_flash_h7 *f)
{
	if (f == live)
		live = NULL;
	sim_flash_h7_free(f);
}

static uint32_t rr(struct sim_flash_h7 *f, uint32_t off)
{
	uint32_t v = 0xDEADBEEFu;

	if (sim_flash_h7_reg_read(f, off, 4, &v) != SIM_BUS_OK)
		return 0xDEADBEEFu;
	return v;
}

static enum sim_bus_result rw(struct sim_flash_h7 *f, uint32_t off, uint32_t v)
{
	return sim_flash_h7_reg_write(f, off, 4, v, DBG);
}

static void adv(struct sim_flash_h7 *f, uint64_t ns)
{
	fk.now += ns;
	sim_flash_h7_tick(f);
}

/* Runs the clock in 1 us steps until the bank's SR has none of `bits`
 * (bounded); returns the virtual time it took. */
static uint64_t wait_clear(struct sim_flash_h7 *f, uint32_t sr_off, uint32_t bits, uint64_t limit)
{
	uint64_t t0 = fk.now;
	uint64_t next;

	while ((rr(f, sr_off) & bits) && fk.now - t0 < limit) {
		next = sim_flash_h7_next_event_ns(f);
		adv(f, next != UINT64_MAX && next > fk.now ? next - fk.now : US);
	}
	return fk.now - t0;
}

static int unlock(struct sim_flash_h7 *f, uint32_t bank_off)
{
	rw(f, bank_off + KEYR, 0x45670123u);
	rw(f, bank_off + KEYR, 0xCDEF89ABu);
	return (rr(f, bank_off + CR) & CR_LOCK) ? -1 : 0;
}

static int opt_unlock(struct sim_flash_h7 *f)
{
	rw(f, OPTKEYR, 0x08192A3Bu);
	rw(f, OPTKEYR, 0x4C5D6E7Fu);
	return (rr(f, OPTCR) & OPTCR_OPTLOCK) ? -1 : 0;
}

/* Writes one flash word (8 x 32 bits) at bus offset `off`. */
static void put_word(struct sim_flash_h7 *f, uint32_t off, uint32_t seed, enum sim_flash_h7_who who)
{
	for (unsigned i = 0; i < 8; i++)
		sim_flash_h7_array_write(f, off + 4 * i, 4, seed + i, who);
}

static uint32_t cr_of(uint32_t off)
{
	return off >= BANK ? B2 + CR : CR;
}

/* Unlock, PG at PSIZE x32, one word, wait for QW to fall. */
static int program(struct sim_flash_h7 *f, uint32_t off, uint32_t seed)
{
	uint32_t cr = cr_of(off);

	if ((rr(f, cr) & CR_LOCK) && unlock(f, cr - CR))
		return -1;
	rw(f, cr, CR_PG | PSIZE(X32));
	put_word(f, off, seed, DBG);
	wait_clear(f, cr + 4, SR_QW, 10 * MS);
	rw(f, cr, PSIZE(X32));
	return 0;
}

static int erase_sector(struct sim_flash_h7 *f, uint32_t bank_off, unsigned s, uint64_t *took)
{
	if ((rr(f, bank_off + CR) & CR_LOCK) && unlock(f, bank_off))
		return -1;
	rw(f, bank_off + CR, CR_SER | SNB(s) | PSIZE(X32));
	rw(f, bank_off + CR, CR_SER | SNB(s) | PSIZE(X32) | CR_START);
	*took = wait_clear(f, bank_off + SR, SR_QW, 30000 * MS);
	return 0;
}

static uint32_t rd(struct sim_flash_h7 *f, uint32_t off, enum sim_flash_h7_who who, enum sim_bus_result *res)
{
	uint32_t v = 0xDEADBEEFu;

	*res = sim_flash_h7_array_read(f, off, 4, &v, who);
	return v;
}

/* Option change: unlock, write a PRG register, OPTSTART, wait OPT_BUSY. */
static uint64_t opt_change(struct sim_flash_h7 *f, uint32_t reg, uint32_t val)
{
	uint64_t took;

	opt_unlock(f);
	rw(f, reg, val);
	rw(f, OPTCR, OPTCR_OPTSTART);
	took = wait_clear(f, OPTSR_CUR, OPTSR_BUSY, 60000 * MS);
	rw(f, OPTCR, OPTCR_OPTLOCK);
	return took;
}

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
	CHECK_EQ(v[0x40], 0xFFu); /* the array changes when BSY falls */
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
	uint32_t want;          /* flag(s) expected in bank 1 SR */
	enum sim_bus_result bus; /* outcome of the access in act (checked via last_bus) */
};

static enum sim_bus_result last_bus;

static void k_wrp1(struct sim_flash_h7 *f) { sim_flash_h7_knob_wrp(f, 1u << 1); }
static void k_rdp1(struct sim_flash_h7 *f) { sim_flash_h7_knob_rdp1(f); }
static void k_ecc1(struct sim_flash_h7 *f) { sim_flash_h7_knob_ecc(f, 0x300, false); }
static void k_ecc2(struct sim_flash_h7 *f) { sim_flash_h7_knob_ecc(f, 0x300, true); }
static void k_vcap(struct sim_flash_h7 *f) { sim_flash_h7_knob_vcap_fault(f, true); }

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
			return test_fail_at(__FILE__, __LINE__, "%s: SR flags 0x%08x bus %d, want 0x%08x bus %d",
					    c->what, sr, (int)last_bus, c->want, (int)c->bus);
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

/* ---- CRC unit ----------------------------------------------------------- */

/* Host reference: CRC-32 polynomial 0x04C11DB7 (RM0433 4.3.12), the data as
 * 32-bit little-endian words shifted in MSB first, register preset to
 * 0xFFFFFFFF, no reflection, no final xor. */
static uint32_t host_crc(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xFFFFFFFFu;

	for (size_t o = 0; o < len; o += 4) {
		uint32_t w = (uint32_t)p[o] | (uint32_t)p[o + 1] << 8 | (uint32_t)p[o + 2] << 16 |
			     (uint32_t)p[o + 3] << 24;

		crc ^= w;
		for (int i = 0; i < 32; i++)
			crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
	}
	return crc;
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
	free(d);
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
	CHECK_EQ(sim_flash_h7_knob_ecc(f, 0x200000, true), SWDD_ERANGE);
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

static int t_bad_args(void)
{
	struct sim_flash_h7 *f = NULL;
	struct sim_flash_h7_env no_clock = { 0 };
	uint32_t v;

	CHECK_EQ(sim_flash_h7_new(&sim_flash_h7_stm32h743, &no_clock, &f), SWDD_EINVAL);
	CHECK(f == NULL);
	f = mk(&sim_flash_h7_stm32h743);
	CHECK_EQ(sim_flash_h7_reg_read(f, 0x200, 4, &v), SIM_BUS_FAULT);
	CHECK_EQ(sim_flash_h7_reg_read(f, 0x0D, 4, &v), SIM_BUS_FAULT);
	CHECK_EQ(sim_flash_h7_array_read(f, 0x1E, 4, &v, CORE), SIM_BUS_FAULT); /* crosses a word */
	CHECK_EQ(sim_flash_h7_array_read(f, 0x200000, 4, &v, CORE), SIM_BUS_FAULT);
	CHECK_EQ(sim_flash_h7_load(f, 0x1FFFFF, "ab", 2), SWDD_ERANGE);
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
	{ "crc_unit", "RM0433 4.3.12", t_crc_unit },
	{ "crc_needs_enable", "RM0433 4.9.19", t_crc_needs_enable },
	{ "option_program", "RM0433 4.4.3", t_option_program },
	{ "bank_swap", "RM0433 4.3.13", t_bank_swap },
	{ "rdp_regression", "RM0433 4.5.3", t_rdp_regression },
	{ "rdp_level2_final", "RM0433 4.5.3", t_rdp_level2_final },
	{ "opt_change_while_busy", "RM0433 4.4.3", t_opt_change_while_busy },
	{ "knobs", "AN4938 2, RM0433 4.5", t_knobs },
	{ "pcrop_fetch", "RM0433 4.5.5", t_pcrop_fetch },
	{ "h725", "RM0468 4", t_h725 },
	{ "bad_args", "", t_bad_args },
};

int main(int argc, char **argv)
{
	int rc = test_main("test_sim_flash_h7", tests, sizeof(tests) / sizeof(tests[0]), argc, argv);

	sim_flash_h7_free(live);
	return rc;
}
