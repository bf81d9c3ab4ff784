/*
 * The STM32F405/407 embedded flash interface, after RM0090 (Rev 19)
 * section 3 "Embedded flash memory interface" and the "Flash memory
 * programming" characteristics table of the STM32F405xx/407xx datasheet
 * DS8626.
 *
 * Model: the array is a host buffer (the truth); sim_f407.c mirrors it into
 * Unicorn's two mappings (0x08000000 and the boot alias at 0). A program
 * write changes the array at once and keeps BSY set for tPROG; an erase
 * changes it when BSY falls. While BSY is set every read of the array and
 * every write of FLASH_CR/OPTCR stalls the AHB (RM0090 3.5.2, 3.9.7): the
 * AHB-AP answers WAIT, the core stops until the operation ends.
 */
#include "sim_chip_internal.h"
#include "sim_core_internal.h"

#include <stdlib.h>
#include <string.h>

/* Register offsets from 0x40023C00 (RM0090 3.9, Table 17 register map). */
#define FLASH_ACR 0x00u
#define FLASH_ACR_LATENCY 0x7u /* RM0090 3.9.1: wait states, 0-7 */
#define FLASH_KEYR 0x04u
#define FLASH_OPTKEYR 0x08u
#define FLASH_SR 0x0Cu
#define FLASH_CR 0x10u
#define FLASH_OPTCR 0x14u

/* RM0090 3.5.1 / 3.6.2: unlock keys. */
#define FLASH_KEYR_KEY1 0x45670123u
#define FLASH_KEYR_KEY2 0xCDEF89ABu
#define FLASH_OPTKEYR_KEY1 0x08192A3Bu
#define FLASH_OPTKEYR_KEY2 0x4C5D6E7Fu

/* RM0090 3.9.4 FLASH_SR. */
#define FLASH_SR_EOP (1u << 0)
#define FLASH_SR_OPERR (1u << 1)
#define FLASH_SR_WRPERR (1u << 4)
#define FLASH_SR_PGAERR (1u << 5)
#define FLASH_SR_PGPERR (1u << 6)
#define FLASH_SR_PGSERR (1u << 7)
#define FLASH_SR_BSY (1u << 16)
#define FLASH_SR_W1C                                                                                         \
	(FLASH_SR_EOP | FLASH_SR_OPERR | FLASH_SR_WRPERR | FLASH_SR_PGAERR | FLASH_SR_PGPERR |               \
	 FLASH_SR_PGSERR)

/* RM0090 3.9.5 FLASH_CR. */
#define FLASH_CR_PG (1u << 0)
#define FLASH_CR_SER (1u << 1)
#define FLASH_CR_MER (1u << 2)
#define FLASH_CR_SNB_SHIFT 3u
#define FLASH_CR_SNB_MASK (0xFu << 3)
#define FLASH_CR_PSIZE_SHIFT 8u
#define FLASH_CR_PSIZE_MASK (3u << 8)
#define FLASH_CR_STRT (1u << 16)
#define FLASH_CR_EOPIE (1u << 24)
#define FLASH_CR_ERRIE (1u << 25)
#define FLASH_CR_LOCK (1u << 31)
#define FLASH_CR_RW                                                                                          \
	(FLASH_CR_PG | FLASH_CR_SER | FLASH_CR_MER | FLASH_CR_SNB_MASK | FLASH_CR_PSIZE_MASK |               \
	 FLASH_CR_EOPIE | FLASH_CR_ERRIE)

/* RM0090 3.9.6 FLASH_OPTCR. */
#define FLASH_OPTCR_OPTLOCK (1u << 0)
#define FLASH_OPTCR_OPTSTRT (1u << 1)
#define FLASH_OPTCR_WDG_SW (1u << 5) /* 0: hardware watchdog (RM0090 21.3.1) */
#define FLASH_OPTCR_RDP_SHIFT 8u
#define FLASH_OPTCR_NWRP_SHIFT 16u
#define FLASH_OPTCR_NWRP_MASK (0xFFFu << 16)
/* BOR_LEV[3:2], WDG_SW 5, nRST_STOP 6, nRST_STDBY 7, RDP[15:8], nWRP[27:16] */
#define FLASH_OPTCR_OPTS 0x0FFFFFECu
/* Blank F407: RDP 0xAA (level 0), all sectors writable, BOR off, software
 * watchdog, no reset on stop/standby (RM0090 3.6.1 Table 16 defaults). */
#define FLASH_OPT_BLANK 0x0FFFAAECu

#define FLASH_RDP_LEVEL0 0xAAu
#define FLASH_RDP_LEVEL2 0xCCu

#define FLASH_ROW_BYTES 16u /* RM0090 3.5.4: 128-bit programming row */
#define FLASH_SECTORS 12u

/*
 * DS8626 Table "Flash memory programming" (tERASE16KB, tERASE64KB,
 * tERASE128KB, tME typical values; tPROG 16 us typical for word, half-word
 * and byte), indexed by CR.PSIZE (x8, x16, x32, x64). x64 needs Vpp and is
 * not in that table: it is timed as x32 here.
 */
static const struct flash_timing {
	uint64_t erase16_ns, erase64_ns, erase128_ns, mass_ns;
} flash_timings[4] = {
	[0] = { 400000000ull, 1200000000ull, 2000000000ull, 16000000000ull },
	[1] = { 300000000ull, 700000000ull, 1300000000ull, 11000000000ull },
	[2] = { 250000000ull, 550000000ull, 1000000000ull, 8000000000ull },
	[3] = { 250000000ull, 550000000ull, 1000000000ull, 8000000000ull },
};
#define FLASH_TPROG_NS 16000ull

/* Core stores that met a stalled bus, performed in order once BSY falls. */
#define FLASH_CPU_QUEUE 64u
struct flash_cpu_write {
	bool reg; /* FLASH_CR/OPTCR (true) or the array */
	uint32_t off;
	unsigned size;
	uint32_t val;
};

/* Progress of an unlock sequence; `dead` after a wrong key (until reset). */
struct flash_keyseq {
	uint8_t step;
	bool dead;
};

static const uint32_t flash_keys[2] = { FLASH_KEYR_KEY1, FLASH_KEYR_KEY2 };
static const uint32_t flash_optkeys[2] = { FLASH_OPTKEYR_KEY1, FLASH_OPTKEYR_KEY2 };

enum flash_op { FLASH_OP_NONE, FLASH_OP_PROGRAM, FLASH_OP_SECTOR, FLASH_OP_MASS, FLASH_OP_OPTION };

struct sim_flash {
	uint8_t *mem;
	uint32_t acr, cr, sr, optcr;
	uint32_t opt_stored; /* option bytes as in the option sector (OPTCR layout) */
	struct flash_keyseq key, optkey;
	enum flash_op op;
	uint64_t op_end_ns;
	unsigned op_sector;
	bool cpu_waits; /* the core waits on a stalled access */
	struct flash_cpu_write queue[FLASH_CPU_QUEUE];
	unsigned queued;
	bool debug_disabled; /* RDP 2 at the last reset */
	struct sim_art *art; /* the ART accelerator's data cache (sim_art_f4.c) */
};

static unsigned flash_rdp_level(uint32_t opt)
{
	uint8_t rdp = (uint8_t)(opt >> FLASH_OPTCR_RDP_SHIFT);

	if (rdp == FLASH_RDP_LEVEL0)
		return 0;
	return rdp == FLASH_RDP_LEVEL2 ? 2 : 1;
}

/* RM0090 3.3 Table 5: 4 x 16 KiB, 1 x 64 KiB, 7 x 128 KiB. */
static uint32_t flash_sector_start(unsigned n)
{
	if (n < 4)
		return n * 0x4000u;
	if (n == 4)
		return 0x10000u;
	return (n - 4) * 0x20000u;
}

static uint32_t flash_sector_size(unsigned n)
{
	return n < 4 ? 0x4000u : n == 4 ? 0x10000u : 0x20000u;
}

static unsigned flash_sector_of(uint32_t off)
{
	unsigned n = 0;

	while (n + 1 < FLASH_SECTORS && off >= flash_sector_start(n + 1))
		n++;
	return n;
}

static unsigned flash_psize(const struct sim_flash *f)
{
	return (f->cr & FLASH_CR_PSIZE_MASK) >> FLASH_CR_PSIZE_SHIFT;
}

/*
 * RM0090 3.6 table 7: the parallelism allowed by the supply: x32 (and x64
 * with Vpp) from 2.7 V, x16 from 2.1 V, x8 from 1.8 V. The manual names no
 * error for a PSIZE above the supply's range (silicon would program
 * unreliably); the model refuses the operation with PGPERR, the flag RM0090
 * 3.9.4 defines for a parallelism that does not fit ("programming
 * parallelism error"), for programs and erases alike.
 */
static bool flash_psize_allowed(const sim_chip *c)
{
	unsigned psize = flash_psize(c->flash);
	int mv = sim_board_voltage_mv(c);

	return psize == 0 || (psize == 1 && mv >= 2100) || mv >= 2700;
}

static uint64_t flash_erase_ns(const struct sim_flash *f, unsigned sector)
{
	const struct flash_timing *t = &flash_timings[flash_psize(f)];
	uint32_t size = flash_sector_size(sector);

	return size == 0x4000u ? t->erase16_ns : size == 0x10000u ? t->erase64_ns : t->erase128_ns;
}

int sim_flash_new(sim_chip *c)
{
	struct sim_flash *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->mem = malloc(c->flash_size);
	f->art = sim_art_new();
	if (!f->mem || !f->art) {
		free(f->mem);
		sim_art_free(f->art);
		free(f);
		return -1;
	}
	memset(f->mem, 0xFF, c->flash_size);
	f->opt_stored = FLASH_OPT_BLANK;
	if (c->cfg.faults & SIM_FAULT_RDP1)
		f->opt_stored = (f->opt_stored & ~0xFF00u) | (0x55u << FLASH_OPTCR_RDP_SHIFT);
	if (c->cfg.faults & SIM_FAULT_WRP)
		f->opt_stored &= ~((c->cfg.wrp_sectors & 0xFFFu) << FLASH_OPTCR_NWRP_SHIFT);
	if (c->cfg.faults & SIM_FAULT_HW_WATCHDOG)
		f->opt_stored &= ~FLASH_OPTCR_WDG_SW;
	c->flash = f;
	return 0;
}

void sim_flash_free(sim_chip *c)
{
	if (!c->flash)
		return;
	free(c->flash->mem);
	sim_art_free(c->flash->art);
	free(c->flash);
	c->flash = NULL;
}

const uint8_t *sim_flash_array(const sim_chip *c)
{
	return c->flash->mem;
}

void sim_flash_load(sim_chip *c, uint32_t off, const void *data, size_t len)
{
	memcpy(c->flash->mem + off, data, len);
	sim_f407_flash_changed(c, off, (uint32_t)len);
}

void sim_flash_reset(sim_chip *c)
{
	struct sim_flash *f = c->flash;

	/* RM0090 3.9.1: FLASH_ACR resets to 0 on a system reset (caches off);
	 * a core reset (VECTRESET) does not come here and leaves it. */
	f->acr = 0;
	sim_art_reset(c, f->art);
	f->cr = FLASH_CR_LOCK;
	f->sr = 0;
	f->key = f->optkey = (struct flash_keyseq){ 0 };
	/* A reset during an operation abandons it (the cells keep whatever
	 * state they reached: here, the old contents). */
	f->op = FLASH_OP_NONE;
	f->cpu_waits = false;
	f->queued = 0;
	f->optcr = (f->opt_stored & FLASH_OPTCR_OPTS) | FLASH_OPTCR_OPTLOCK;
	f->debug_disabled = flash_rdp_level(f->opt_stored) == 2;
}

bool sim_flash_debug_disabled(const sim_chip *c)
{
	return c->flash->debug_disabled;
}

bool sim_flash_busy(const sim_chip *c)
{
	return c->flash->op != FLASH_OP_NONE;
}

bool sim_flash_unlocked(const sim_chip *c)
{
	return !(c->flash->cr & FLASH_CR_LOCK);
}

uint64_t sim_flash_next_event_ns(const sim_chip *c)
{
	return c->flash->op != FLASH_OP_NONE ? c->flash->op_end_ns : UINT64_MAX;
}

static void flash_start(sim_chip *c, enum flash_op op, uint64_t ns)
{
	c->flash->op = op;
	c->flash->op_end_ns = c->now_ns + ns;
	c->flash->sr |= FLASH_SR_BSY;
}

/* RM0090 3.9.4: OPERR accompanies a refused operation only when ERRIE is
 * set; EOP is only set when EOPIE is set. */
static void flash_error(struct sim_flash *f, uint32_t bits)
{
	f->sr |= bits;
	if (f->cr & FLASH_CR_ERRIE)
		f->sr |= FLASH_SR_OPERR;
}

static void flash_erase_range(sim_chip *c, uint32_t off, uint32_t len)
{
	memset(c->flash->mem + off, 0xFF, len);
	sim_f407_flash_changed(c, off, len);
}

/* Performs the queued core stores until one starts a new operation. */
static void flash_drain(sim_chip *c)
{
	struct sim_flash *f = c->flash;
	unsigned done = 0;

	while (done < f->queued && f->op == FLASH_OP_NONE) {
		const struct flash_cpu_write *w = &f->queue[done++];

		if (w->reg)
			sim_flash_reg_write(c, w->off, w->size, w->val, false);
		else
			sim_flash_array_write(c, w->off, w->size, w->val, false);
	}
	memmove(f->queue, f->queue + done, (f->queued - done) * sizeof(f->queue[0]));
	f->queued -= done;
	f->cpu_waits = f->queued != 0;
}

static void flash_finish_option(sim_chip *c)
{
	struct sim_flash *f = c->flash;
	uint32_t next = f->optcr & FLASH_OPTCR_OPTS;

	/* RM0090 3.7.3: leaving level 1 for level 0 mass-erases the array
	 * before the new option bytes take effect. */
	if (flash_rdp_level(f->opt_stored) == 1 && flash_rdp_level(next) == 0) {
		flash_erase_range(c, 0, c->flash_size);
		c->stats.mass_erases++;
	}
	f->opt_stored = next;
	f->optcr &= ~FLASH_OPTCR_OPTSTRT;
}

static void flash_finish(sim_chip *c)
{
	struct sim_flash *f = c->flash;

	switch (f->op) {
	case FLASH_OP_SECTOR:
		flash_erase_range(c, flash_sector_start(f->op_sector), flash_sector_size(f->op_sector));
		break;
	case FLASH_OP_MASS:
		flash_erase_range(c, 0, c->flash_size);
		break;
	case FLASH_OP_OPTION:
		flash_finish_option(c);
		break;
	default:
		break;
	}
	f->op = FLASH_OP_NONE;
	f->sr &= ~FLASH_SR_BSY;
	f->cr &= ~FLASH_CR_STRT;
	if (f->cr & FLASH_CR_EOPIE)
		f->sr |= FLASH_SR_EOP;
	flash_drain(c);
}

void sim_flash_tick(sim_chip *c)
{
	if (c->flash->op != FLASH_OP_NONE && c->now_ns >= c->flash->op_end_ns)
		flash_finish(c);
}

/*
 * A stalled access. The AP answers WAIT and retries. The core's store is
 * queued and the core stops running until BSY falls and the queue drains
 * (flash_drain): stopping Unicorn inside the store would abandon the
 * instruction and replay its already-performed bytes (docs/LAB-unicorn.md). Only
 * when the queue is full is the instruction abandoned and replayed.
 */
static enum sim_bus_result flash_stall(sim_chip *c, bool cpu, bool reg, uint32_t off, unsigned size,
				       uint32_t val)
{
	struct sim_flash *f = c->flash;

	if (!cpu)
		return SIM_BUS_WAIT;
	f->cpu_waits = true;
	if (f->queued < FLASH_CPU_QUEUE)
		f->queue[f->queued++] = (struct flash_cpu_write){ reg, off, size, val };
	else
		uc_emu_stop(c->uc);
	return SIM_BUS_OK;
}

bool sim_flash_cpu_stalled(sim_chip *c)
{
	uint32_t pc = 0;

	if (c->flash->op == FLASH_OP_NONE)
		return false;
	if (c->flash->cpu_waits)
		return true;
	/* Instruction fetches from the array stall too (RM0090 3.5.2). */
	uc_reg_read(c->uc, UC_ARM_REG_PC, &pc);
	return pc < c->flash_size || (pc >= c->flash_base && pc - c->flash_base < c->flash_size);
}

/* ---- registers --------------------------------------------------------- */

enum sim_bus_result sim_flash_reg_read(sim_chip *c, uint32_t off, unsigned size, uint32_t *val)
{
	struct sim_flash *f = c->flash;
	uint32_t word = 0;

	switch (off & ~3u) {
	case FLASH_ACR:
		word = f->acr;
		break;
	case FLASH_SR:
		word = f->sr;
		break;
	case FLASH_CR:
		word = f->cr;
		break;
	case FLASH_OPTCR:
		word = f->optcr;
		break;
	default:
		word = 0;
		break; /* KEYR/OPTKEYR are write-only, read 0 */
	}
	word >>= 8 * (off & 3u);
	*val = size == 4 ? word : word & ((1u << (8 * size)) - 1u);
	return SIM_BUS_OK;
}

/*
 * RM0090 3.5.1 (KEYR, FLASH_CR.LOCK) and 3.6.2 (OPTKEYR, OPTCR.OPTLOCK):
 * KEY1 then KEY2 clears the lock bit; any other write locks the register
 * until the next reset and returns a bus error. Key writes while unlocked
 * are ignored.
 */
static enum sim_bus_result flash_key_write(struct flash_keyseq *k, uint32_t *reg, uint32_t lock_bit,
					   const uint32_t keys[2], uint32_t val)
{
	if (!(*reg & lock_bit))
		return SIM_BUS_OK;
	if (!k->dead && val == keys[k->step]) {
		if (++k->step == 2) {
			k->step = 0;
			*reg &= ~lock_bit;
		}
		return SIM_BUS_OK;
	}
	k->dead = true;
	return SIM_BUS_FAULT;
}

/* RM0090 3.5.3: STRT starts a sector erase (SER + SNB) or a mass erase
 * (MER); with both SER and MER set neither is performed. A protected
 * sector (nWRP = 0) or read protection refuses it with WRPERR. */
static void flash_start_erase(sim_chip *c)
{
	struct sim_flash *f = c->flash;
	unsigned snb = (f->cr & FLASH_CR_SNB_MASK) >> FLASH_CR_SNB_SHIFT;
	uint32_t nwrp = (f->opt_stored & FLASH_OPTCR_NWRP_MASK) >> FLASH_OPTCR_NWRP_SHIFT;
	bool ser = f->cr & FLASH_CR_SER, mer = f->cr & FLASH_CR_MER;

	if (ser == mer || (ser && snb >= FLASH_SECTORS)) {
		flash_error(f, FLASH_SR_PGSERR);
		f->cr &= ~FLASH_CR_STRT;
		return;
	}
	if (flash_rdp_level(f->opt_stored) != 0 || (ser && !(nwrp & (1u << snb))) ||
	    (mer && (nwrp & 0xFFFu) != 0xFFFu)) {
		flash_error(f, FLASH_SR_WRPERR);
		f->cr &= ~FLASH_CR_STRT;
		return;
	}
	if (!flash_psize_allowed(c)) {
		flash_error(f, FLASH_SR_PGPERR);
		f->cr &= ~FLASH_CR_STRT;
		return;
	}
	if (ser) {
		f->op_sector = snb;
		c->stats.sector_erases++;
		flash_start(c, FLASH_OP_SECTOR, flash_erase_ns(f, snb));
	} else {
		c->stats.mass_erases++;
		flash_start(c, FLASH_OP_MASS, flash_timings[flash_psize(f)].mass_ns);
	}
}

static void flash_cr_write(sim_chip *c, uint32_t val)
{
	struct sim_flash *f = c->flash;

	if (f->cr & FLASH_CR_LOCK)
		return; /* RM0090 3.9.5: CR is write-protected while LOCK = 1 */
	f->cr = (f->cr & ~FLASH_CR_RW) | (val & FLASH_CR_RW);
	if (val & FLASH_CR_LOCK)
		f->cr |= FLASH_CR_LOCK;
	if (val & FLASH_CR_STRT) {
		f->cr |= FLASH_CR_STRT;
		flash_start_erase(c);
	}
}

/*
 * Option byte programming time is not in DS8626; the option bytes live in
 * their own small sector, so the model takes the 16 KiB x32 sector erase
 * time. The 1 -> 0 RDP regression takes the mass erase time (RM0090 3.7.3).
 */
static void flash_optcr_write(sim_chip *c, uint32_t val)
{
	struct sim_flash *f = c->flash;
	uint64_t ns = flash_timings[2].erase16_ns;

	if (f->optcr & FLASH_OPTCR_OPTLOCK)
		return;
	f->optcr = (val & (FLASH_OPTCR_OPTS | FLASH_OPTCR_OPTLOCK));
	if (!(val & FLASH_OPTCR_OPTSTRT) || (val & FLASH_OPTCR_OPTLOCK))
		return;
	/* RM0090 3.7.3: level 2 is final, the option bytes are frozen. */
	if (flash_rdp_level(f->opt_stored) == 2) {
		f->optcr = (f->opt_stored & FLASH_OPTCR_OPTS);
		return;
	}
	if (flash_rdp_level(f->opt_stored) == 1 && flash_rdp_level(val) == 0)
		ns = flash_timings[flash_psize(f)].mass_ns;
	f->optcr |= FLASH_OPTCR_OPTSTRT;
	flash_start(c, FLASH_OP_OPTION, ns);
}

enum sim_bus_result sim_flash_reg_write(sim_chip *c, uint32_t off, unsigned size, uint32_t val, bool cpu)
{
	struct sim_flash *f = c->flash;

	if (size != 4 && (off & ~3u) != FLASH_SR) {
		/* Narrow writes: merge into the current register value. */
		uint32_t cur = 0, sh = 8 * (off & 3u), m = (size == 2 ? 0xFFFFu : 0xFFu) << sh;

		sim_flash_reg_read(c, off & ~3u, 4, &cur);
		val = (cur & ~m) | ((val << sh) & m);
		off &= ~3u;
	}
	switch (off & ~3u) {
	case FLASH_ACR: {
		uint32_t old = f->acr;

		f->acr = val & 0x1F07u; /* LATENCY, PRFTEN, ICEN, DCEN, ICRST, DCRST */
		sim_art_acr_written(c, f->art, old, f->acr);
		return SIM_BUS_OK;
	}
	case FLASH_KEYR:
		return flash_key_write(&f->key, &f->cr, FLASH_CR_LOCK, flash_keys, val);
	case FLASH_OPTKEYR:
		return flash_key_write(&f->optkey, &f->optcr, FLASH_OPTCR_OPTLOCK, flash_optkeys, val);
	case FLASH_SR:
		f->sr &= ~((val << (8 * (off & 3u))) & FLASH_SR_W1C);
		return SIM_BUS_OK;
	case FLASH_CR:
		if (f->op != FLASH_OP_NONE)
			return flash_stall(c, cpu, true, off, 4, val);
		flash_cr_write(c, val);
		return SIM_BUS_OK;
	case FLASH_OPTCR:
		if (f->op != FLASH_OP_NONE)
			return flash_stall(c, cpu, true, off, 4, val);
		flash_optcr_write(c, val);
		return SIM_BUS_OK;
	default:
		return SIM_BUS_OK;
	}
}

/* ---- array ------------------------------------------------------------- */

/* Programming only clears bits; the weak cell keeps its old value and
 * nothing flags it: only a verify finds it. */
static void flash_program(sim_chip *c, uint32_t off, unsigned size, uint32_t val)
{
	struct sim_flash *f = c->flash;
	uint32_t weak = c->cfg.weak_cell_addr - c->flash_base;

	for (unsigned i = 0; i < size; i++) {
		if ((c->cfg.faults & SIM_FAULT_WEAK_CELL) && off + i == weak)
			continue;
		f->mem[off + i] &= (uint8_t)(val >> (8 * i));
	}
	sim_f407_flash_changed(c, off, size);
	c->stats.program_ops++;
	c->stats.bytes_programmed += size;
	flash_start(c, FLASH_OP_PROGRAM, FLASH_TPROG_NS);
}

/* RM0090 3.5.4 "Programming errors" and 3.9.4: which write sets which flag. */
static uint32_t flash_program_error(const sim_chip *c, uint32_t off, unsigned size)
{
	const struct sim_flash *f = c->flash;
	unsigned psize = flash_psize(f), want = psize >= 2 ? 4 : 1u << psize;
	uint32_t nwrp = (f->opt_stored & FLASH_OPTCR_NWRP_MASK) >> FLASH_OPTCR_NWRP_SHIFT;

	/* SER/SNB left over from an erase do not matter: a write with PG set
	 * programs (stlink-tools sets PG on top of them and works on silicon). */
	if (!(f->cr & FLASH_CR_PG) || (f->cr & FLASH_CR_LOCK))
		return FLASH_SR_PGSERR;
	if (flash_rdp_level(f->opt_stored) != 0 || !(nwrp & (1u << flash_sector_of(off))))
		return FLASH_SR_WRPERR;
	if (off / FLASH_ROW_BYTES != (off + size - 1) / FLASH_ROW_BYTES)
		return FLASH_SR_PGAERR;
	if (size != want || !flash_psize_allowed(c))
		return FLASH_SR_PGPERR;
	return 0;
}

enum sim_bus_result sim_flash_array_write(sim_chip *c, uint32_t off, unsigned size, uint32_t val, bool cpu)
{
	uint32_t err;

	if (c->flash->op != FLASH_OP_NONE || (cpu && c->flash->queued))
		return flash_stall(c, cpu, false, off, size, val);
	err = flash_program_error(c, off, size);
	if (err)
		flash_error(c->flash, err);
	else
		flash_program(c, off, size, val);
	return SIM_BUS_OK;
}

enum sim_bus_result sim_flash_array_read(sim_chip *c, uint32_t off, unsigned size, uint32_t *val)
{
	/* RM0090 3.7.3: with RDP level 1 a debugger access to the main array
	 * is a bus error. */
	if (flash_rdp_level(c->flash->opt_stored) != 0)
		return SIM_BUS_FAULT;
	if (c->flash->op != FLASH_OP_NONE)
		return SIM_BUS_WAIT;
	if (!sim_flash_latency_ok(c))
		return SIM_BUS_FAULT;
	/* the AHB-AP's read goes out on D-code, through the ART's data cache */
	*val = sim_art_dread(c, c->flash->art, c->flash->acr, off, size);
	return SIM_BUS_OK;
}

/* RM0090 3.7.3: at level 1 "no access (read, erase, program) to Flash
 * memory is possible while the debug feature is connected"; a read is a
 * bus error, for the core's data reads too (a checksum routine run from
 * SRAM by the debugger). The model takes "connected" as DHCSR.C_DEBUGEN
 * set (a debugger enabled halting debug); instruction fetches and the
 * vector reads of exception entry are left alone (limits in LAB-chip.md). */
bool sim_flash_core_loads_blocked(const sim_chip *c)
{
	return (c->core->dhcsr_ctrl & DHCSR_C_DEBUGEN) && flash_rdp_level(c->flash->opt_stored) != 0;
}

/* RM0090 3.5.1 table 10 (STM32F405/407): one more wait state per 30 MHz of
 * HCLK at 2.7-3.6 V, per 24 MHz at 2.4-2.7 V, 22 MHz at 2.1-2.4 V, 20 MHz
 * at 1.8-2.1 V. The manual only says LATENCY "must be correctly
 * programmed" (3.5.1) for the array to be read correctly; what too few
 * wait states return is not documented. The lab makes every read of the
 * array fail then: the core's fetches and loads are bus errors (a
 * HardFault as a rule), the AHB-AP's reads FAULT. */
bool sim_flash_latency_ok(const sim_chip *c)
{
	int mv = sim_board_voltage_mv(c);
	uint32_t step = mv >= 2700 ? 30000000u : mv >= 2400 ? 24000000u : mv >= 2100 ? 22000000u : 20000000u;
	uint32_t need = c->core_hz ? (c->core_hz - 1u) / step : 0;

	return (c->flash->acr & FLASH_ACR_LATENCY) >= need;
}

void sim_flash_core_read(sim_chip *c, bool fetch, uint32_t off, unsigned size)
{
	sim_art_core_read(c, c->flash->art, c->flash->acr, fetch, off, size);
}

void sim_flash_view_overlay(const sim_chip *c, uint8_t *view, uint32_t off, uint32_t len)
{
	sim_art_overlay(c->flash->art, c->flash->acr, view, off, len);
}

/* RM0090 3.6.1 Table 16: 0x1FFFC000 holds the user byte and RDP,
 * 0x1FFFC008 nWRP[11:0]; the manual calls the bits above them reserved.
 * Model choice: they read as the complement of the low half-word, the way
 * other STM32 option sectors store each option byte. */
void sim_flash_option_bytes(const sim_chip *c, uint8_t out[16])
{
	uint32_t opt = c->flash->opt_stored;
	uint16_t user_rdp = (uint16_t)(opt & 0xFFECu), nwrp = (uint16_t)((opt >> 16) & 0x0FFFu);

	memset(out, 0xFF, 16);
	out[0] = (uint8_t)user_rdp;
	out[1] = (uint8_t)(user_rdp >> 8);
	out[2] = (uint8_t)~user_rdp;
	out[3] = (uint8_t)(~user_rdp >> 8);
	out[8] = (uint8_t)nwrp;
	out[9] = (uint8_t)(nwrp >> 8);
	out[10] = (uint8_t)~nwrp;
	out[11] = (uint8_t)(~nwrp >> 8);
}
