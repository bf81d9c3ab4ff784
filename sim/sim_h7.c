/*
 * STM32H743 and STM32H725 (RM0433 rev 7 / RM0468 rev 3, datasheets DS12110
 * and DS13313): the two rows of the chip table, their memory map (RM0433
 * 2.3.2 table 8, RM0468 2.3.2), how the three APs reach it, and the glue to
 * the flash controller module (sim_flash_h7.c, which owns everything of
 * RM0433/RM0468 section 4). RCC, PWR, DBGMCU, IWDG and the debug APB are in
 * sim_h7_sys.c. docs/LAB-h7.md documents each choice.
 *
 * Like sim_f407.c, the core sees the flash through a copy ("view") mapped
 * with uc_mem_map_ptr; a core store into it reaches the flash module through
 * the write-protect hook and the bytes Unicorn still stores into the view
 * are put back at the next fix-up point (next flash store, next flash
 * register access, end of slice). While the module says some read would
 * not simply return the view (an ECC error, a busy bank, a protected
 * area: sim_flash_h7_read_faults), a read hook sends core loads from flash
 * through it: a bus error becomes a precise BusFault (BFAR = the address),
 * a busy bank stalls the core and the load runs again when the bank is
 * free (RM0433 4.3.6: the AXI stalls). Instruction fetches always read the
 * view (a fetch from a word with an ECC error is not faulted).
 */
#include "sim_h7_internal.h"
#include "sim_soc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum h7_kind {
	H7_FLASH,   /* main array (bus order, the module handles SWAP_BANK) */
	H7_RAM,     /* TCM, SRAM, plain peripheral registers */
	H7_CACHED,  /* SRAM the M7 D-cache covers (AXI, SRAM1-4) */
	H7_ROM,     /* system memory with UID and flash size */
	H7_FLASHIF, /* flash registers 0x52002000 */
	H7_SYS,     /* RCC/PWR page, IWDG1 page, DBGMCU (sim_h7_sys.c) */
};

#define H7_ITCM 0x00000000u
#define H7_FLASH_BASE 0x08000000u
#define H7_SYSMEM 0x1FF00000u /* RM0433 2.3.2: 128 KiB, bank 2's copy at 0x1FF40000 */
#define H7_UID 0x1FF1E800u    /* RM0433 61.1 */
#define H7_FSIZE 0x1FF1E880u  /* RM0433 61.2 */
#define H7_DTCM 0x20000000u
#define H7_AXI 0x24000000u
#define H7_D2SRAM 0x30000000u
#define H7_SRAM4 0x38000000u
#define H7_BKPSRAM 0x38800000u
#define H7_FLASHIF_BASE 0x52002000u
#define H7_MAX_REGIONS 24

#define RW (UC_PROT_READ | UC_PROT_WRITE)

/* ---- the rows ------------------------------------------------------------ */

static const struct sim_h7_part h7_parts[] = {
	/* RM0433 6.8.4: CR3 resets to SCUEN | LDOEN; BYPASS (bit 0) without an
	 * external VCORE on the board leaves the core unsupplied. */
	{ .flash = &sim_flash_h7_stm32h743,
	  .axi_size = 0x80000u,
	  .sram1_size = 0x20000u,
	  .sram2_size = 0x20000u,
	  .sram3_size = 0x8000u,
	  .sram4_size = 0x10000u,
	  .cr3_reset = 0x00000006u,
	  .cr3_supply_mask = 0x3u,
	  .cr3_board_ok = 0x2u,
	  .cr3_wrong = 0x1u },
	/* RM0468 2.3.2 with OPTSR2.TCM_AXI_SHARED = 00 (as shipped): ITCM
	 * 64 KiB, AXI SRAM 128 + 192 KiB. */
	/* RM0468 6.8.4: CR3 resets to SMPSLEVEL 01 | SDEN | LDOEN (0x46); SDEN
	 * alone (SMPS direct, bit 2) on a board without the SMPS inductor
	 * leaves the core unsupplied (AN5419 / AN4938 2). */
	{ .flash = &sim_flash_h7_stm32h725,
	  .axi_size = 0x50000u,
	  .sram1_size = 0x4000u,
	  .sram2_size = 0x4000u,
	  .sram3_size = 0,
	  .sram4_size = 0x4000u,
	  .cr3_reset = 0x00000046u,
	  .cr3_supply_mask = 0x7u,
	  .cr3_board_ok = 0x2u,
	  .cr3_wrong = 0x4u },
};

/* RM0433 60.2 / RM0468 63.2: AP0 AHB-AP to the M7's AXI/AHB system, ROM
 * table at 0xE00FE000; AP1 AHB-AP into D3 (no ROM table); AP2 APB-AP on
 * the system debug bus, ROM table at 0xE00E0000. IDRs as read on silicon
 * (ARM's AHB-AP rev 8 / APB-AP rev 5). */
#define H7_APS                                                                                               \
	{                                                                                                    \
		{ .port = SIM_AP_SYSTEM,                                                                     \
		  .idr = 0x84770001u,                                                                        \
		  .base = 0xE00FE003u,                                                                       \
		  .tar_wrap = 0xFFFu,                                                                        \
		  .csw_reset = 0x03000040u },                                                                \
			{ .port = SIM_AP_D3,                                                                 \
			  .idr = 0x84770001u,                                                                \
			  .base = 0x00000002u,                                                               \
			  .tar_wrap = 0xFFFu,                                                                \
			  .csw_reset = 0x03000040u },                                                        \
			{ .port = SIM_AP_DEBUG_APB,                                                          \
			  .idr = 0x54770002u,                                                                \
			  .base = 0xE00E0003u,                                                               \
			  .tar_wrap = 0xFFFu,                                                                \
			  .csw_reset = 0x80000042u,                                                          \
			  .word_only = true },                                                               \
	}

/* Cortex-M7 with FPv5 double precision (Cortex-M7 TRM 1.x, ARMv7-M B4.1.3:
 * MVFR0 0x10110221 = single + double, MVFR1 0x12000011, MVFR2 0x00000040),
 * FPBv2 with 8 instruction comparators, 4 DWT comparators. */
#define H7_CORE(cpuid_, partno_, kib_)                                                                       \
	{                                                                                                    \
		.uc_model = UC_CPU_ARM_CORTEX_M7, .cpuid = (cpuid_), .fpb_code = 8, .fpb_lit = 0,            \
		.fpb_rev = 1, .dwt_comp = 4, .mvfr0 = 0x10110221u, .mvfr1 = 0x12000011u,                     \
		.mvfr2 = 0x00000040u, .caches = true, .icache_kib = (kib_), .dcache_kib = (kib_),            \
		.cache_lo = 0x24000000u, .cache_hi = 0x3FFFFFFFu, .scs_reset_window = true,                  \
		.rom_base = 0xE00FE000u, .rom_partno = (partno_)                                             \
	}

static const struct sim_chip_desc h7_chips[] = {
	{
		.name = "stm32h743",
		.dbgmcu_idcode = 0x20036450u, /* RM0433 60.5.8: rev V (REV_ID 0x2003), DEV_ID 0x450 */
		.flash_base = H7_FLASH_BASE,
		.flash_size = 0x200000u,
		.flash_sectors = 16,
		.flash_size_kib = 2048,
		.uid = { 0x36, 0x00, 0x41, 0x00, 0x0D, 0x51, 0x38, 0x31, 0x34, 0x39, 0x33, 0x37 },
		.core = H7_CORE(0x411FC271u, 0x450u, 16), /* r1p1; 16 + 16 KiB L1 (DS12110 3.3) */
		/* DPv2 (RM0433 60.4.4); TARGETID: TPARTNO = DEV_ID << 4,
		 * TDESIGNER ST (0x020), TREVISION 0 -- ADIv5.2 B2.2.11 */
		.dp = { .dpidr = 0x6BA02477u, .version = 2, .targetid = 0x04500041u, .dlpidr = 0x00000001u },
		.aps = H7_APS,
		.soc = &sim_h7_soc,
		.family = &h7_parts[0],
	},
	{
		.name = "stm32h725",
		.dbgmcu_idcode = 0x10016483u, /* RM0468 63.5.8: rev Z (REV_ID 0x1001), DEV_ID 0x483 */
		.flash_base = H7_FLASH_BASE,
		.flash_size = 0x100000u,
		.flash_sectors = 8,
		.flash_size_kib = 1024,
		.uid = { 0x1F, 0x00, 0x2A, 0x00, 0x11, 0x51, 0x33, 0x30, 0x38, 0x33, 0x34, 0x35 },
		.core = H7_CORE(0x411FC272u, 0x483u, 32), /* r1p2; 32 + 32 KiB L1 (DS13313 3.3) */
		.dp = { .dpidr = 0x6BA02477u, .version = 2, .targetid = 0x04830041u, .dlpidr = 0x00000001u },
		.aps = H7_APS,
		.soc = &sim_h7_soc,
		.family = &h7_parts[1],
	},
};

const struct sim_chip_desc *sim_h7_chips(size_t *n)
{
	*n = sizeof(h7_chips) / sizeof(h7_chips[0]);
	return h7_chips;
}

static const struct sim_h7_part *h7_part(const sim_chip *c)
{
	return c->desc->family;
}

/* ---- memory map ------------------------------------------------------------ */

/* The chip's regions, built once from the row (RM0433 2.3.2 table 8). */
static size_t h7_regions(const sim_chip *c, struct sim_region *r)
{
	const struct sim_h7_part *p = h7_part(c);
	size_t n = 0;

#define REG(...) (r[n++] = (struct sim_region){ __VA_ARGS__ })
	REG(.base = H7_ITCM, .size = 0x10000u, .kind = H7_RAM, .perms = UC_PROT_ALL);
	REG(.base = H7_FLASH_BASE, .size = c->flash_size, .kind = H7_FLASH,
	    .perms = UC_PROT_READ | UC_PROT_EXEC);
	REG(.base = H7_SYSMEM, .size = 0x20000u, .kind = H7_ROM, .perms = UC_PROT_READ | UC_PROT_EXEC);
	if (p->flash->banks == 2)
		REG(.base = H7_SYSMEM + 0x40000u, .size = 0x20000u, .kind = H7_ROM,
		    .perms = UC_PROT_READ | UC_PROT_EXEC);
	REG(.base = H7_DTCM, .size = 0x20000u, .kind = H7_RAM, .perms = UC_PROT_ALL);
	REG(.base = H7_AXI, .size = p->axi_size, .kind = H7_CACHED, .perms = UC_PROT_ALL);
	REG(.base = H7_D2SRAM, .size = p->sram1_size + p->sram2_size + p->sram3_size, .kind = H7_CACHED,
	    .perms = UC_PROT_ALL);
	REG(.base = H7_SRAM4, .size = p->sram4_size, .kind = H7_CACHED, .perms = UC_PROT_ALL, .d3 = true);
	REG(.base = H7_BKPSRAM, .size = 0x1000u, .kind = H7_CACHED, .perms = RW, .d3 = true);
	REG(.base = 0x40000000u, .size = 0x80000u, .kind = H7_RAM, .perms = RW, .reset_zero = true);
	REG(.base = 0x48020000u, .size = 0x3000u, .kind = H7_RAM, .perms = RW, .reset_zero = true);
	REG(.base = 0x50000000u, .size = 0x4000u, .kind = H7_RAM, .perms = RW, .reset_zero = true);
	REG(.base = 0x52000000u, .size = 0x2000u, .kind = H7_RAM, .perms = RW, .reset_zero = true);
	REG(.base = H7_FLASHIF_BASE, .size = 0x1000u, .kind = H7_FLASHIF, .perms = RW);
	REG(.base = 0x52003000u, .size = 0x6000u, .kind = H7_RAM, .perms = RW, .reset_zero = true);
	REG(.base = 0x58000000u, .size = 0x4000u, .kind = H7_RAM, .perms = RW, .d3 = true,
	    .reset_zero = true);
	REG(.base = 0x58004000u, .size = 0x1000u, .kind = H7_SYS, .perms = RW, .d3 = true);
	REG(.base = 0x58005000u, .size = 0x1F000u, .kind = H7_RAM, .perms = RW, .d3 = true,
	    .reset_zero = true);
	REG(.base = 0x58024000u, .size = 0x1000u, .kind = H7_SYS, .perms = RW, .d3 = true);
	REG(.base = 0x58025000u, .size = 0x2000u, .kind = H7_RAM, .perms = RW, .d3 = true,
	    .reset_zero = true);
	/* the system debug APB's components (DBGMCU, SWO, SWTF), also seen by
	 * AP0 at 0x5C000000 (RM0433 2.3.2 table 8) */
	REG(.base = SIM_H7_APBD_SYS, .size = 0x10000u, .kind = H7_SYS, .perms = RW);
#undef REG
	return n;
}

static bool h7_find(const sim_chip *c, uint32_t addr, unsigned size, struct sim_region *out)
{
	struct sim_region r[H7_MAX_REGIONS];
	size_t n = h7_regions(c, r);

	const struct sim_region *hit = sim_region_find(r, n, addr, size);

	if (hit)
		*out = *hit;
	return hit != NULL;
}

/* ---- the flash module's environment --------------------------------------- */

static uint64_t h7_env_now(void *ctx)
{
	return ((sim_chip *)ctx)->now_ns;
}

/* The module changed flash bus offsets [off, off+len): into the view. */
static void h7_env_changed(void *ctx, uint32_t off, uint32_t len)
{
	sim_chip *c = ctx;

	sim_view_changed(c, &c->periph->view, sim_flash_h7_view(c->periph->flash), off, len);
}

static void h7_fixup(sim_chip *c)
{
	sim_view_fixup(c, &c->periph->view, sim_flash_h7_view(c->periph->flash));
}

/* Core loads from flash while reads may fault or stall (see the top). */
static void h7_flash_load(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value, void *user)
{
	sim_chip *c = user;
	uint32_t v = 0, off = (uint32_t)addr - H7_FLASH_BASE;
	enum sim_bus_result r;

	(void)uc, (void)type, (void)value;
	if ((off & 31u) + (uint32_t)size > 32u)
		return; /* Unicorn splits it; the parts come next */
	r = sim_flash_h7_array_read(c->periph->flash, off, (unsigned)size, &v, SIM_FLASH_H7_CORE_DATA);
	if (r == SIM_BUS_FAULT) {
		sim_core_data_bus_error(c, (uint32_t)addr);
	} else if (r == SIM_BUS_WAIT) {
		c->periph->cpu_read_wait = true;
		sim_core_data_retry(c);
	}
}

static void h7_read_hook_sync(sim_chip *c)
{
	struct sim_periph *p = c->periph;
	bool want = sim_flash_h7_read_faults(p->flash);

	if (want == p->read_hooked)
		return;
	if (p->read_hooked)
		uc_hook_del(c->uc, p->read_hook);
	else if (uc_hook_add(c->uc, &p->read_hook, UC_HOOK_MEM_READ, h7_flash_load, c, H7_FLASH_BASE,
			     H7_FLASH_BASE + c->flash_size - 1u))
		return;
	p->read_hooked = want;
}

static void h7_engine_running(sim_chip *c, bool running)
{
	sim_view_running(c, &c->periph->view, running, sim_flash_h7_view(c->periph->flash));
	if (running)
		h7_read_hook_sync(c);
}

/* ---- flash controller ops for the run loop -------------------------------- */

/* A core write of a flash register the bank refused (WAIT) is retried
 * here; the core stays stalled until it is taken. */
static void h7_flash_tick(sim_chip *c)
{
	struct sim_periph *p = c->periph;

	sim_flash_h7_tick(p->flash);
	if (p->cpu_pending && sim_flash_h7_reg_write(p->flash, p->pend_off, p->pend_size, p->pend_val,
						     SIM_FLASH_H7_CORE_DATA) != SIM_BUS_WAIT)
		p->cpu_pending = false;
}

static uint64_t h7_flash_next(const sim_chip *c)
{
	return sim_flash_h7_next_event_ns(c->periph->flash);
}

static bool h7_flash_busy(const sim_chip *c)
{
	return sim_flash_h7_busy(c->periph->flash);
}

static bool h7_flash_unlocked(const sim_chip *c)
{
	return sim_flash_h7_unlocked(c->periph->flash);
}

/* The core waits for a refused register write, for a load from a busy
 * bank, or fetches from a bank that is erasing or programming (RM0433
 * 4.3.6: the AXI stalls). */
static bool h7_cpu_stalled(sim_chip *c)
{
	struct sim_periph *p = c->periph;
	uint32_t pc = 0;

	if (p->cpu_read_wait)
		p->cpu_read_wait = sim_flash_h7_busy(p->flash);
	if (p->cpu_pending || p->cpu_read_wait || sim_h7_core_stopped(c))
		return true;
	uc_reg_read(c->uc, UC_ARM_REG_PC, &pc);
	pc &= ~1u;
	return pc >= H7_FLASH_BASE && pc - H7_FLASH_BASE < c->flash_size &&
	       sim_flash_h7_bank_busy(c->periph->flash, pc - H7_FLASH_BASE);
}

/* RDP level 2 closes the debug port (RM0433 4.5.3). */
static bool h7_debug_disabled(const sim_chip *c)
{
	return sim_flash_h7_rdp_level(c->periph->flash) == 2;
}

static const struct sim_flash_ops h7_flash_ops = {
	.tick = h7_flash_tick,
	.next_event_ns = h7_flash_next,
	.busy = h7_flash_busy,
	.unlocked = h7_flash_unlocked,
	.cpu_stalled = h7_cpu_stalled,
	.debug_disabled = h7_debug_disabled,
};

/* ---- access paths ---------------------------------------------------------- */

static enum sim_bus_result h7_read(sim_chip *c, const struct sim_region *r, uint32_t addr, unsigned size,
				   uint32_t *val, unsigned flags)
{
	uint32_t v = 0;

	switch (r->kind) {
	case H7_FLASH:
		return sim_flash_h7_array_read(c->periph->flash, addr - r->base, size, val,
					       SIM_FLASH_H7_DEBUG);
	case H7_FLASHIF:
		return sim_flash_h7_reg_read(c->periph->flash, addr - r->base, size, val);
	case H7_SYS:
		return sim_h7_sys_read(c, addr, size, val) ? SIM_BUS_OK : SIM_BUS_FAULT;
	case H7_CACHED:
		if (!(flags & SIM_BUS_CACHEABLE) && sim_cache_mem_read(c, addr, size, val))
			return SIM_BUS_OK;
		/* fall through */
	default:
		if (uc_mem_read(c->uc, addr, &v, size) != UC_ERR_OK)
			return SIM_BUS_FAULT;
		*val = v;
		return SIM_BUS_OK;
	}
}

static enum sim_bus_result h7_write(sim_chip *c, const struct sim_region *r, uint32_t addr, unsigned size,
				    uint32_t val, unsigned flags)
{
	switch (r->kind) {
	case H7_FLASH:
		return sim_flash_h7_array_write(c->periph->flash, addr - r->base, size, val,
						SIM_FLASH_H7_DEBUG);
	case H7_FLASHIF:
		return sim_flash_h7_reg_write(c->periph->flash, addr - r->base, size, val,
					      SIM_FLASH_H7_DEBUG);
	case H7_SYS:
		return sim_h7_sys_write(c, addr, size, val) ? SIM_BUS_OK : SIM_BUS_FAULT;
	case H7_ROM:
		return SIM_BUS_FAULT;
	case H7_CACHED:
		if (!(flags & SIM_BUS_CACHEABLE) && sim_cache_mem_write(c, addr, size, val))
			return SIM_BUS_OK;
		/* fall through */
	default:
		if (uc_mem_write(c->uc, addr, &val, size) != UC_ERR_OK)
			return SIM_BUS_FAULT;
		if (r->perms & UC_PROT_EXEC)
			sim_core_code_changed(c, addr, size);
		return SIM_BUS_OK;
	}
}

/* AP0 reaches every region, AP1 only D3's (RM0433 2.1 figure 1). */
static enum sim_bus_result h7_mem_read(sim_chip *c, enum sim_ap_port port, uint32_t addr, unsigned size,
				       uint32_t *val, unsigned flags)
{
	struct sim_region r;

	if (!h7_find(c, addr, size, &r) || (port == SIM_AP_D3 && !r.d3))
		return SIM_BUS_FAULT;
	return h7_read(c, &r, addr, size, val, flags);
}

static enum sim_bus_result h7_mem_write(sim_chip *c, enum sim_ap_port port, uint32_t addr, unsigned size,
					uint32_t val, unsigned flags)
{
	struct sim_region r;

	if (!h7_find(c, addr, size, &r) || (port == SIM_AP_D3 && !r.d3))
		return SIM_BUS_FAULT;
	return h7_write(c, &r, addr, size, val, flags);
}

static int h7_peek(sim_chip *c, uint32_t addr, void *buf, size_t len)
{
	uint8_t *out = buf;

	for (size_t i = 0; i < len; i++) {
		struct sim_region r;
		uint32_t a = addr + (uint32_t)i, v = 0;

		if (!h7_find(c, a, 1, &r))
			return -1;
		if (r.kind == H7_FLASH)
			v = sim_flash_h7_view(c->periph->flash)[a - r.base];
		else if (r.kind == H7_FLASHIF || h7_read(c, &r, a, 1, &v, SIM_BUS_CACHEABLE) != SIM_BUS_OK)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

static int h7_load_flash(sim_chip *c, uint32_t addr, const void *data, size_t len)
{
	if (addr < H7_FLASH_BASE || addr - H7_FLASH_BASE > c->flash_size ||
	    len > c->flash_size - (addr - H7_FLASH_BASE))
		return -1;
	return sim_flash_h7_load(c->periph->flash, addr - H7_FLASH_BASE, data, len) ? -1 : 0;
}

/* ---- Unicorn side ----------------------------------------------------------- */

static uint64_t h7_flashif_mmio_read(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
	sim_chip *c = user;
	uint32_t v = 0;

	(void)uc;
	h7_fixup(c);
	sim_flash_h7_reg_read(c->periph->flash, (uint32_t)off, size, &v);
	return v;
}

static void h7_flashif_mmio_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t val, void *user)
{
	sim_chip *c = user;
	struct sim_periph *p = c->periph;

	(void)uc;
	h7_fixup(c);
	if (sim_flash_h7_reg_write(p->flash, (uint32_t)off, size, (uint32_t)val, SIM_FLASH_H7_CORE_DATA) !=
	    SIM_BUS_WAIT)
		return;
	p->cpu_pending = true;
	p->pend_off = (uint32_t)off;
	p->pend_size = size;
	p->pend_val = (uint32_t)val;
}

/* The MMIO callbacks get offsets from their mapping's base: one pair per
 * sim_h7_sys.c page. */
#define H7_SYS_MMIO(name, base)                                                                              \
	static uint64_t name##_read(uc_engine *uc, uint64_t off, unsigned size, void *user)                  \
	{                                                                                                    \
		uint32_t v = 0;                                                                              \
		(void)uc;                                                                                    \
		sim_h7_sys_read(user, (base) + (uint32_t)off, size, &v);                                     \
		return v;                                                                                    \
	}                                                                                                    \
	static void name##_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t val, void *user)       \
	{                                                                                                    \
		(void)uc;                                                                                    \
		sim_h7_sys_write(user, (base) + (uint32_t)off, size, (uint32_t)val);                         \
	}
H7_SYS_MMIO(h7_mmio_iwdg, 0x58004000u)
H7_SYS_MMIO(h7_mmio_rccpwr, 0x58024000u)
H7_SYS_MMIO(h7_mmio_apbd, SIM_H7_APBD_SYS)

/* Core stores into the flash mapping go to the module's write buffer. */
static bool h7_flash_store(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value,
			   void *user)
{
	sim_chip *c = user;
	uint32_t off = (uint32_t)address - H7_FLASH_BASE;

	(void)uc, (void)type;
	sim_view_store(c, &c->periph->view, sim_flash_h7_view(c->periph->flash), off, size);
	if (address & (uint64_t)(size - 1))
		return true; /* Unicorn reports the bytes of an unaligned store next */
	sim_flash_h7_array_write(c->periph->flash, off, (unsigned)size, (uint32_t)value,
				 SIM_FLASH_H7_CORE_DATA);
	return true;
}

/* The MMIO callbacks get offsets from their mapping's base. */
static uc_err h7_map_sys(sim_chip *c, const struct sim_region *r)
{
	if (r->base == SIM_H7_APBD_SYS)
		return uc_mmio_map(c->uc, r->base, r->size, h7_mmio_apbd_read, c, h7_mmio_apbd_write, c);
	if (r->base == 0x58004000u)
		return uc_mmio_map(c->uc, r->base, r->size, h7_mmio_iwdg_read, c, h7_mmio_iwdg_write, c);
	return uc_mmio_map(c->uc, r->base, r->size, h7_mmio_rccpwr_read, c, h7_mmio_rccpwr_write, c);
}

static uc_err h7_map_region(sim_chip *c, const struct sim_region *r)
{
	switch (r->kind) {
	case H7_FLASH:
		return uc_mem_map_ptr(c->uc, r->base, r->size, r->perms, c->periph->view.bytes);
	case H7_FLASHIF:
		return uc_mmio_map(c->uc, r->base, r->size, h7_flashif_mmio_read, c, h7_flashif_mmio_write,
				   c);
	case H7_SYS:
		return h7_map_sys(c, r);
	default:
		return uc_mem_map(c->uc, r->base, r->size, r->perms);
	}
}

/* System memory: ST's bootloader is not modelled; a vector table whose
 * reset handler is a branch-to-self, the UID and the flash size. */
static void h7_fill_rom(sim_chip *c)
{
	const uint32_t vec[2] = { 0x24001000u, H7_SYSMEM + 0x41u };
	const uint16_t loop = 0xE7FEu;

	sim_mem_fill(c, H7_SYSMEM, 0x20000u, 0xFF);
	uc_mem_write(c->uc, H7_SYSMEM, vec, sizeof(vec));
	uc_mem_write(c->uc, H7_SYSMEM + 0x40u, &loop, sizeof(loop));
	uc_mem_write(c->uc, H7_UID, c->uid, sizeof(c->uid));
	uc_mem_write(c->uc, H7_FSIZE, &c->flash_size_kib, sizeof(c->flash_size_kib));
}

static int h7_apply_knobs(sim_chip *c, char *err, size_t errlen)
{
	struct sim_flash_h7 *f = c->periph->flash;
	uint32_t f_faults = c->cfg.faults;

	if (f_faults & SIM_FAULT_RDP1)
		sim_flash_h7_knob_rdp1(f);
	if (f_faults & SIM_FAULT_WRP)
		sim_flash_h7_knob_wrp(f, c->cfg.wrp_sectors);
	if (f_faults & SIM_FAULT_VCAP)
		sim_flash_h7_knob_vcap_fault(f, true);
	if (f_faults & SIM_FAULT_FAST_ERASE)
		sim_flash_h7_knob_fast_erase(f, true);
	if (f_faults & SIM_FAULT_BANK_SWAP)
		sim_flash_h7_knob_bank_swap(f);
	/* the option-byte knobs take effect; the array knobs then name bus
	 * addresses as the chip boots with them (after a bank swap) */
	sim_flash_h7_reset(f);
	if ((f_faults & SIM_FAULT_WEAK_CELL) &&
	    sim_flash_h7_knob_weak_cell(f, c->cfg.weak_cell_addr - H7_FLASH_BASE)) {
		snprintf(err, errlen, "weak-cell:0x%08x is not in the %s's flash", c->cfg.weak_cell_addr,
			 c->desc->name);
		return -1;
	}
	if ((f_faults & SIM_FAULT_ECC) && sim_flash_h7_knob_ecc(f, c->cfg.ecc_addr - H7_FLASH_BASE, true)) {
		snprintf(err, errlen, "ecc:0x%08x is not in the %s's flash", c->cfg.ecc_addr, c->desc->name);
		return -1;
	}
	return 0;
}

static int h7_map(sim_chip *c, char *err, size_t errlen)
{
	const struct sim_flash_h7_env env = { .ctx = c,
					      .now_ns = h7_env_now,
					      .array_changed = h7_env_changed };
	struct sim_region r[H7_MAX_REGIONS];
	size_t n = h7_regions(c, r);
	uc_hook h;

	c->flash_ops = &h7_flash_ops;
	c->periph = calloc(1, sizeof(*c->periph));
	if (!c->periph || sim_view_init(&c->periph->view, c->flash_size, H7_FLASH_BASE, H7_FLASH_BASE) ||
	    sim_flash_h7_new(h7_part(c)->flash, &env, &c->periph->flash)) {
		snprintf(err, errlen, "out of memory for the flash array");
		return -1;
	}
	c->periph->part = h7_part(c);
	memcpy(c->periph->view.bytes, sim_flash_h7_view(c->periph->flash), c->flash_size);
	if (sim_regions_map(c, r, n, h7_map_region, err, errlen))
		return -1;
	if (uc_hook_add(c->uc, &h, UC_HOOK_MEM_WRITE_PROT, h7_flash_store, c, H7_FLASH_BASE,
			H7_FLASH_BASE + c->flash_size - 1u) != UC_ERR_OK) {
		snprintf(err, errlen, "cannot hook flash stores");
		return -1;
	}
	h7_fill_rom(c);
	sim_h7_sys_reset(c, true);
	return h7_apply_knobs(c, err, errlen);
}

static void h7_free(sim_chip *c)
{
	if (!c->periph)
		return;
	sim_flash_h7_free(c->periph->flash);
	sim_view_free(&c->periph->view);
	free(c->periph);
	c->periph = NULL;
}

/* System reset: the flash module reloads its option bytes (SWAP_BANK
 * applies), RCC/PWR/DBGMCU get their reset values (DBGMCU only on
 * power-on, RM0433 60.5.8), the plain peripheral space reads zero. */
static void h7_periph_reset(sim_chip *c)
{
	struct sim_region r[H7_MAX_REGIONS];
	size_t n = h7_regions(c, r);

	sim_flash_h7_reset(c->periph->flash);
	c->periph->cpu_pending = false;
	sim_h7_sys_reset(c, false);
	sim_regions_reset(c, r, n);
}

/* RM0433 2.6 table 7: BOOT0 = 0 boots at BOOT_ADD0, 1 at BOOT_ADD1 (each
 * address[31:16] in FLASH_BOOT_CUR). */
static uint32_t h7_boot_address(sim_chip *c)
{
	uint32_t boot = sim_flash_h7_boot(c->periph->flash);

	return (c->periph->sys.boot0 ? boot & 0xFFFF0000u : boot << 16);
}

/* Power-on: DBGMCU and the supply state start over; the flash keeps its
 * content (sim_flash_h7_power_cycle). */
static void h7_power_on(sim_chip *c)
{
	sim_flash_h7_power_cycle(c->periph->flash);
	sim_h7_sys_reset(c, true);
}

/* A program op is one 256-bit flash word (RM0433 4.3.8); bank and mass
 * erases both count as mass erases. */
static void h7_flash_stats(const sim_chip *c, struct sim_chip_stats *st)
{
	struct sim_flash_h7_stats fs;

	sim_flash_h7_get_stats(c->periph->flash, &fs);
	st->sector_erases = fs.sector_erases;
	st->mass_erases = fs.bank_erases + fs.mass_erases;
	st->program_ops = fs.words_programmed;
	st->bytes_programmed = fs.words_programmed * 32u;
}

const struct sim_soc_ops sim_h7_soc = {
	.flash_stats = h7_flash_stats,
	.power_on = h7_power_on,
	.set_boot0 = sim_h7_set_boot0,
	.map = h7_map,
	.free = h7_free,
	.mem_read = h7_mem_read,
	.mem_write = h7_mem_write,
	.apb_read = sim_h7_apb_read,
	.apb_write = sim_h7_apb_write,
	.periph_reset = h7_periph_reset,
	.peek = h7_peek,
	.engine_running = h7_engine_running,
	.load_flash = h7_load_flash,
	.tick = sim_h7_sys_tick,
	.port_dead = sim_h7_port_dead,
	.boot_address = h7_boot_address,
};
