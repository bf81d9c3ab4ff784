/*
 * Shared by the unit tests of the STM32H7 flash controller model
 * (test_sim_flash_h7*.c): register offsets and bits (RM0433 4.9), a fake
 * chip environment (settable virtual clock, change counter, debugger flag)
 * and small drivers that act as software on the chip would.
 */
#ifndef SWDD_SIM_FLASH_H7_TEST_UTIL_H
#define SWDD_SIM_FLASH_H7_TEST_UTIL_H

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
	bool supply_bad; /* core supply cannot carry flash operations */
};

static struct fake fk;
/* The instance of the running test: a failing CHECK returns early, so the
 * next mk() (or main's end) frees what the failed test left. */
static struct sim_flash_h7 *live;

static inline uint64_t fk_now(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

static inline bool fk_debug(void *ctx)
{
	return ((struct fake *)ctx)->debug;
}

static inline bool fk_supply_ok(void *ctx)
{
	return !((struct fake *)ctx)->supply_bad;
}

static inline void fk_changed(void *ctx, uint32_t off, uint32_t len)
{
	struct fake *k = ctx;

	k->changes++;
	k->last_off = off;
	k->last_len = len;
}

static const struct sim_flash_h7_env fk_env = {
	.ctx = &fk,
	.now_ns = fk_now,
	.debug_attached = fk_debug,
	.array_changed = fk_changed,
	.core_supply_ok = fk_supply_ok,
};

static inline struct sim_flash_h7 *mk(const struct sim_flash_h7_params *p)
{
	struct sim_flash_h7 *f = NULL;

	sim_flash_h7_free(live);
	fk = (struct fake){ 0 };
	if (sim_flash_h7_new(p, &fk_env, &f))
		abort();
	live = f;
	return f;
}

static inline void done(struct sim_flash_h7 *f)
{
	if (f == live)
		live = NULL;
	sim_flash_h7_free(f);
}

static inline uint32_t rr(struct sim_flash_h7 *f, uint32_t off)
{
	uint32_t v = 0xDEADBEEFu;

	if (sim_flash_h7_reg_read(f, off, 4, &v) != SIM_BUS_OK)
		return 0xDEADBEEFu;
	return v;
}

static inline enum sim_bus_result rw(struct sim_flash_h7 *f, uint32_t off, uint32_t v)
{
	return sim_flash_h7_reg_write(f, off, 4, v, DBG);
}

static inline void adv(struct sim_flash_h7 *f, uint64_t ns)
{
	fk.now += ns;
	sim_flash_h7_tick(f);
}

/* Runs the clock in 1 us steps until the bank's SR has none of `bits`
 * (bounded); returns the virtual time it took. */
static inline uint64_t wait_clear(struct sim_flash_h7 *f, uint32_t sr_off, uint32_t bits, uint64_t limit)
{
	uint64_t t0 = fk.now;
	uint64_t next;

	while ((rr(f, sr_off) & bits) && fk.now - t0 < limit) {
		next = sim_flash_h7_next_event_ns(f);
		adv(f, next != UINT64_MAX && next > fk.now ? next - fk.now : US);
	}
	return fk.now - t0;
}

static inline int unlock(struct sim_flash_h7 *f, uint32_t bank_off)
{
	rw(f, bank_off + KEYR, 0x45670123u);
	rw(f, bank_off + KEYR, 0xCDEF89ABu);
	return (rr(f, bank_off + CR) & CR_LOCK) ? -1 : 0;
}

static inline int opt_unlock(struct sim_flash_h7 *f)
{
	rw(f, OPTKEYR, 0x08192A3Bu);
	rw(f, OPTKEYR, 0x4C5D6E7Fu);
	return (rr(f, OPTCR) & OPTCR_OPTLOCK) ? -1 : 0;
}

/* Writes one flash word (8 x 32 bits) at bus offset `off`. */
static inline void put_word(struct sim_flash_h7 *f, uint32_t off, uint32_t seed, enum sim_flash_h7_who who)
{
	for (unsigned i = 0; i < 8; i++)
		sim_flash_h7_array_write(f, off + 4 * i, 4, seed + i, who);
}

static inline uint32_t cr_of(uint32_t off)
{
	return off >= BANK ? B2 + CR : CR;
}

/* Unlock, PG at PSIZE x32, one word, wait for QW to fall. */
static inline int program(struct sim_flash_h7 *f, uint32_t off, uint32_t seed)
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

static inline int erase_sector(struct sim_flash_h7 *f, uint32_t bank_off, unsigned s, uint64_t *took)
{
	if ((rr(f, bank_off + CR) & CR_LOCK) && unlock(f, bank_off))
		return -1;
	rw(f, bank_off + CR, CR_SER | SNB(s) | PSIZE(X32));
	rw(f, bank_off + CR, CR_SER | SNB(s) | PSIZE(X32) | CR_START);
	*took = wait_clear(f, bank_off + SR, SR_QW, 30000 * MS);
	return 0;
}

static inline uint32_t rd(struct sim_flash_h7 *f, uint32_t off, enum sim_flash_h7_who who,
			  enum sim_bus_result *res)
{
	uint32_t v = 0xDEADBEEFu;

	*res = sim_flash_h7_array_read(f, off, 4, &v, who);
	return v;
}

/* Option change: unlock, write a PRG register, OPTSTART, wait OPT_BUSY. */
static inline uint64_t opt_change(struct sim_flash_h7 *f, uint32_t reg, uint32_t val)
{
	uint64_t took;

	opt_unlock(f);
	rw(f, reg, val);
	rw(f, OPTCR, OPTCR_OPTSTART);
	took = wait_clear(f, OPTSR_CUR, OPTSR_BUSY, 60000 * MS);
	rw(f, OPTCR, OPTCR_OPTLOCK);
	return took;
}

static inline int h7t_main(const char *suite, const struct test_case *t, size_t n, int argc, char **argv)
{
	int rc = test_main(suite, t, n, argc, argv);

	sim_flash_h7_free(live);
	return rc;
}

#endif
