/*
 * STM32F405/407 memory map outside the PPB, after RM0090 (Rev 19) 2.3
 * "Memory map" / Table 1 and the STM32F405xx/407xx datasheet DS8626
 * section 4 "Memory mapping".
 *
 * Every region is both mapped into Unicorn (for the core) and listed in
 * f407_regions (for the AHB-AP, which must not go through Unicorn's MMIO
 * callbacks). The flash array (the truth) is kept by sim_flash_f4.c; the
 * core sees a copy, the "view", mapped with uc_mem_map_ptr at 0x08000000
 * and at its boot alias 0, so both follow one memcpy. uc_mem_write into a
 * read-only mapping costs 25-50 us in Unicorn 2.0.1 (a TLB flush), which
 * made programming 1 MiB take minutes (measured).
 *
 * The price of map_ptr: a core store that the write-protect hook
 * "handles" still lands in the view (measured). The hook therefore notes
 * the bytes, and the next fix-up point copies the truth back over them:
 * the next flash store, any core access to the flash interface (firmware
 * polls SR after a store) and the end of every run slice.
 */
#include "sim_chip_internal.h"
#include "sim_soc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum f407_kind {
	F407_FLASH,    /* main array (and alias) */
	F407_RAM,      /* SRAM, CCM, RAM-like peripheral space */
	F407_ROM,      /* system memory, OTP, UID, flash size */
	F407_OPTBYTES, /* 0x1FFFC000, reflects the stored option bytes */
	F407_RCC,      /* reset and clock control (sim_rcc_f4.c) */
	F407_IWDG,     /* independent watchdog (sim_iwdg_f4.c) */
	F407_FLASHIF,  /* flash interface registers */
	F407_CRC,      /* CRC calculation unit (sim_crc.c) */
};

#define F407_ALIAS_BASE 0x00000000u
#define F407_CCM_BASE 0x10000000u    /* 64 KiB, D-bus only: no execution */
#define F407_SYSMEM_BASE 0x1FFF0000u /* 30 KiB system memory (bootloader) */
#define F407_SYSMEM_SIZE 0x7800u
#define F407_OTP_BASE 0x1FFF7800u   /* 512 B OTP + 16 lock bytes (RM0090 3.8) */
#define F407_UID_ADDR 0x1FFF7A10u   /* RM0090 39.1 unique device ID */
#define F407_FSIZE_ADDR 0x1FFF7A22u /* RM0090 39.2 flash size register */
#define F407_OPT_BASE 0x1FFFC000u
#define F407_SRAM_BASE 0x20000000u /* SRAM1 112 KiB + SRAM2 16 KiB at 0x2001C000 */
#define F407_IWDG_BASE 0x40003000u /* RM0090 2.3 table 1, section 19 */
#define F407_CRC_BASE 0x40023000u  /* RM0090 2.3 table 1, section 4 */
#define F407_RCC_BASE 0x40023800u
#define F407_FLASHIF_BASE 0x40023C00u

/* RM0090 7.3.5 RCC_AHB1RSTR and 7.3.10 RCC_AHB1ENR (6.3.5/6.3.10 for the
 * F42x/43x): bit 12 resets / clocks the CRC unit. */
#define RCC_AHB1RSTR 0x10u
#define RCC_AHB1RSTR_CRCRST (1u << 12)
#define RCC_AHB1ENR 0x30u
#define RCC_AHB1ENR_CRCEN (1u << 12)

#define RX (UC_PROT_READ | UC_PROT_EXEC)
#define RW (UC_PROT_READ | UC_PROT_WRITE)

/* reset_zero: the peripheral space modelled as plain registers. */
static const struct sim_region f407_regions[] = {
	{ .base = F407_ALIAS_BASE, .size = 0x100000u, .kind = F407_FLASH, .perms = RX },
	{ .base = 0x08000000u, .size = 0x100000u, .kind = F407_FLASH, .perms = RX },
	{ .base = F407_CCM_BASE, .size = 0x10000u, .kind = F407_RAM, .perms = RW },
	{ .base = F407_SYSMEM_BASE, .size = F407_SYSMEM_SIZE, .kind = F407_ROM, .perms = RX },
	{ .base = F407_OTP_BASE, .size = 0x400u, .kind = F407_ROM, .perms = UC_PROT_READ },
	{ .base = F407_OPT_BASE, .size = 0x10u, .kind = F407_OPTBYTES, .perms = UC_PROT_READ },
	{ .base = F407_SRAM_BASE, .size = 0x20000u, .kind = F407_RAM, .perms = UC_PROT_ALL },
	{ .base = 0x40000000u, .size = 0x3000u, .kind = F407_RAM, .perms = RW, .reset_zero = true },
	{ .base = F407_IWDG_BASE, .size = 0x400u, .kind = F407_IWDG, .perms = RW },
	{ .base = 0x40003400u, .size = 0x1FC00u, .kind = F407_RAM, .perms = RW, .reset_zero = true },
	{ .base = F407_CRC_BASE, .size = 0x400u, .kind = F407_CRC, .perms = RW },
	{ .base = 0x40023400u, .size = 0x400u, .kind = F407_RAM, .perms = RW, .reset_zero = true },
	{ .base = F407_RCC_BASE, .size = 0x400u, .kind = F407_RCC, .perms = RW },
	{ .base = F407_FLASHIF_BASE, .size = 0x400u, .kind = F407_FLASHIF, .perms = RW },
	{ .base = 0x40024000u, .size = 0x5C000u, .kind = F407_RAM, .perms = RW, .reset_zero = true },
	{ .base = 0x50000000u, .size = 0x61000u, .kind = F407_RAM, .perms = RW, .reset_zero = true },
};
#define F407_NREGIONS (sizeof(f407_regions) / sizeof(f407_regions[0]))

static const struct sim_region *f407_find(uint32_t addr, unsigned size)
{
	return sim_region_find(f407_regions, F407_NREGIONS, addr, size);
}

/* ---- peripheral state ---------------------------------------------------- */

enum f407_flash_access {
	F407_FLASH_OPEN,     /* fetch and load */
	F407_FLASH_NO_LOADS, /* RDP 1 with a debugger: fetch only */
	F407_FLASH_NO_READS, /* too few wait states for HCLK: neither */
};

struct sim_periph {
	struct sim_rcc_f4 rcc;
	struct sim_iwdg_f4 iwdg;
	struct sim_crc crc;
	struct sim_view view;                /* what the core sees of the flash array */
	enum f407_flash_access flash_access; /* what the core may do with the flash mappings */
};

/* The CRC unit sees its bus clock and its reset line from RCC. */
static bool crc_clocked(sim_chip *c)
{
	const struct sim_rcc_f4 *r = &c->periph->rcc;

	return (sim_rcc_f4_reg(r, RCC_AHB1ENR) & RCC_AHB1ENR_CRCEN) &&
	       !(sim_rcc_f4_reg(r, RCC_AHB1RSTR) & RCC_AHB1RSTR_CRCRST);
}

/* ---- access paths ------------------------------------------------------ */

static uint32_t narrow(uint32_t word, uint32_t off, unsigned size)
{
	word >>= 8 * (off & 3u);
	return size == 4 ? word : word & ((1u << (8 * size)) - 1u);
}

static enum sim_bus_result f407_read(sim_chip *c, const struct sim_region *r, uint32_t addr, unsigned size,
				     uint32_t *val)
{
	uint32_t off = addr - r->base, v = 0;
	uint8_t ob[16];

	switch (r->kind) {
	case F407_FLASH:
		return sim_flash_array_read(c, off, size, val);
	case F407_OPTBYTES:
		sim_flash_option_bytes(c, ob);
		memcpy(&v, ob + off, size);
		*val = v;
		return SIM_BUS_OK;
	case F407_RCC:
		*val = narrow(sim_rcc_f4_read(c, &c->periph->rcc, off), off, size);
		return SIM_BUS_OK;
	case F407_IWDG:
		*val = narrow(sim_iwdg_f4_read(&c->periph->iwdg, off), off, size);
		return SIM_BUS_OK;
	case F407_FLASHIF:
		return sim_flash_reg_read(c, off, size, val);
	case F407_CRC:
		sim_crc_read(&c->periph->crc, crc_clocked(c), off, size, val);
		return SIM_BUS_OK;
	default:
		if (uc_mem_read(c->uc, addr, &v, size) != UC_ERR_OK)
			return SIM_BUS_FAULT;
		*val = v;
		return SIM_BUS_OK;
	}
}

static void rcc_write(sim_chip *c, uint32_t off, unsigned size, uint32_t val)
{
	sim_rcc_f4_write(c, &c->periph->rcc, off, size, val, c->periph->iwdg.running);
	if (sim_rcc_f4_reg(&c->periph->rcc, RCC_AHB1RSTR) & RCC_AHB1RSTR_CRCRST)
		sim_crc_reset(&c->periph->crc);
}

/* IWDG registers are 16-bit (KR) or narrower: a sub-word write at the
 * register's address carries its value. */
static void iwdg_write(sim_chip *c, uint32_t off, uint32_t val)
{
	struct sim_iwdg_f4 *w = &c->periph->iwdg;
	bool was_running = w->running;

	sim_iwdg_f4_write(w, off, val);
	if (w->running && !was_running)
		sim_rcc_f4_force_lsi(&c->periph->rcc);
}

static enum sim_bus_result f407_write(sim_chip *c, const struct sim_region *r, uint32_t addr, unsigned size,
				      uint32_t val, bool cpu)
{
	uint32_t off = addr - r->base;

	switch (r->kind) {
	case F407_FLASH:
		return sim_flash_array_write(c, off, size, val, cpu);
	case F407_RCC:
		rcc_write(c, off, size, val);
		return SIM_BUS_OK;
	case F407_IWDG:
		iwdg_write(c, off, val << (8 * (off & 3u)));
		return SIM_BUS_OK;
	case F407_FLASHIF:
		return sim_flash_reg_write(c, off, size, val, cpu);
	case F407_CRC:
		sim_crc_write(&c->periph->crc, crc_clocked(c), off, size, val);
		return SIM_BUS_OK;
	case F407_RAM:
		if (uc_mem_write(c->uc, addr, &val, size) != UC_ERR_OK)
			return SIM_BUS_FAULT;
		/* The core has no stale code after a debugger write (no
		 * I-cache on SRAM); Unicorn's translated code must go. */
		if (r->perms & UC_PROT_EXEC)
			sim_core_code_changed(c, addr, size);
		return SIM_BUS_OK;
	default:
		return SIM_BUS_FAULT; /* ROM and option bytes are not writable */
	}
}

/* The F407 has one AP on the system bus and no caches: port and flags do
 * not change what an access does. */
static enum sim_bus_result f407_mem_read(sim_chip *c, enum sim_ap_port port, uint32_t addr, unsigned size,
					 uint32_t *val, unsigned flags)
{
	const struct sim_region *r = f407_find(addr, size);

	(void)port, (void)flags;
	return r ? f407_read(c, r, addr, size, val) : SIM_BUS_FAULT;
}

static enum sim_bus_result f407_mem_write(sim_chip *c, enum sim_ap_port port, uint32_t addr, unsigned size,
					  uint32_t val, unsigned flags)
{
	const struct sim_region *r = f407_find(addr, size);

	(void)port, (void)flags;
	return r ? f407_write(c, r, addr, size, val, false) : SIM_BUS_FAULT;
}

static int f407_peek(sim_chip *c, uint32_t addr, void *buf, size_t len)
{
	uint8_t *out = buf;

	for (size_t i = 0; i < len; i++) {
		const struct sim_region *r = f407_find(addr + (uint32_t)i, 1);
		uint32_t v = 0;

		if (!r)
			return -1;
		if (r->kind == F407_FLASH)
			v = sim_flash_array(c)[(addr + i - r->base)];
		else if (f407_read(c, r, addr + (uint32_t)i, 1, &v) != SIM_BUS_OK)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

/* ---- Unicorn side ------------------------------------------------------ */

static uint64_t f407_mmio_read(uc_engine *uc, uint64_t offset, unsigned size, void *user)
{
	const struct sim_region *r = NULL;
	sim_chip *c = user;
	uint32_t v = 0;

	(void)uc;
	sim_f407_fixup(c);
	r = f407_find(F407_RCC_BASE + (uint32_t)offset, size);
	if (r)
		f407_read(c, r, F407_RCC_BASE + (uint32_t)offset, size, &v);
	return v;
}

static void f407_mmio_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *user)
{
	const struct sim_region *r = f407_find(F407_RCC_BASE + (uint32_t)offset, size);

	(void)uc;
	sim_f407_fixup(user);
	if (r)
		f407_write(user, r, F407_RCC_BASE + (uint32_t)offset, size, (uint32_t)value, true);
}

static uint64_t f407_crc_mmio_read(uc_engine *uc, uint64_t offset, unsigned size, void *user)
{
	sim_chip *c = user;
	uint32_t v = 0;

	(void)uc;
	sim_crc_read(&c->periph->crc, crc_clocked(c), (uint32_t)offset, size, &v);
	return v;
}

static void f407_crc_mmio_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *user)
{
	sim_chip *c = user;

	(void)uc;
	sim_crc_write(&c->periph->crc, crc_clocked(c), (uint32_t)offset, size, (uint32_t)value);
}

static uint64_t f407_iwdg_mmio_read(uc_engine *uc, uint64_t offset, unsigned size, void *user)
{
	sim_chip *c = user;

	(void)uc;
	return narrow(sim_iwdg_f4_read(&c->periph->iwdg, (uint32_t)offset), (uint32_t)offset, size);
}

static void f407_iwdg_mmio_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *user)
{
	(void)uc, (void)size;
	iwdg_write(user, (uint32_t)offset, (uint32_t)value << (8 * (offset & 3u)));
}

static uint64_t f407_opt_mmio_read(uc_engine *uc, uint64_t offset, unsigned size, void *user)
{
	uint8_t ob[16];
	uint32_t v = 0xFFFFFFFFu;

	(void)uc;
	sim_flash_option_bytes(user, ob);
	if (offset + size <= sizeof(ob)) {
		v = 0;
		memcpy(&v, ob + offset, size);
	}
	return v;
}

static void f407_opt_mmio_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *user)
{
	(void)uc, (void)offset, (void)size, (void)value, (void)user;
}

/* Copies the truth back over the bytes the last core store left in the
 * view (see the top of this file). */
void sim_f407_fixup(sim_chip *c)
{
	sim_view_fixup(c, &c->periph->view, sim_flash_array(c));
}

/* Loads by the core from flash fault (UC_ERR_READ_PROT: a precise
 * BusFault in sim_core.c) while the flash controller says so (RDP); the
 * mappings keep execute permission. With too few wait states for HCLK
 * fetches fail too (an IBUSERR BusFault: sim_flash_latency_ok). Checked
 * before each run slice. */
static void f407_guard_loads(sim_chip *c)
{
	enum f407_flash_access acc = !sim_flash_latency_ok(c)          ? F407_FLASH_NO_READS
				     : sim_flash_core_loads_blocked(c) ? F407_FLASH_NO_LOADS
								       : F407_FLASH_OPEN;

	if (acc == c->periph->flash_access)
		return;
	c->periph->flash_access = acc;
	for (size_t i = 0; i < F407_NREGIONS; i++)
		if (f407_regions[i].kind == F407_FLASH)
			uc_mem_protect(c->uc, f407_regions[i].base, f407_regions[i].size,
				       acc == F407_FLASH_OPEN       ? f407_regions[i].perms
				       : acc == F407_FLASH_NO_LOADS ? UC_PROT_EXEC
								    : UC_PROT_NONE);
}

static void f407_engine_running(sim_chip *c, bool running)
{
	sim_view_running(c, &c->periph->view, running, sim_flash_array(c));
	if (running)
		f407_guard_loads(c);
}

/* CPU stores into the (read+exec) flash mappings: the flash controller
 * decides (docs/LAB-unicorn.md); Unicorn's own store still lands in the view and
 * is undone at the next fix-up point. */
static bool f407_flash_store(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value,
			     void *user)
{
	sim_chip *c = user;
	uint32_t off = (uint32_t)address & (c->flash_size - 1u);

	(void)uc, (void)type;
	sim_view_store(c, &c->periph->view, sim_flash_array(c), off, size);
	/* The Cortex-M4 bus splits an unaligned store into smaller aligned
	 * transfers; Unicorn reports the whole store first, then its bytes
	 * one by one (measured): only the bytes reach the flash. */
	if (address & (uint64_t)(size - 1))
		return true;
	sim_flash_array_write(c, off, (unsigned)size, (uint32_t)value, true);
	return true;
}

static void f407_flash_load(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value,
			    void *user)
{
	sim_chip *c = user;

	(void)uc, (void)type, (void)value;
	sim_flash_core_read(c, false, (uint32_t)address & (c->flash_size - 1u), (unsigned)size);
}

/* Unicorn runs blocks it translated before without looking at the
 * mapping's permissions again: a fetch refused by the flash interface (too
 * few wait states) is raised here too. */
static void f407_flash_fetch(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
	sim_chip *c = user;

	(void)uc;
	if (c->periph->flash_access == F407_FLASH_NO_READS) {
		sim_core_fetch_bus_error(c);
		return;
	}
	sim_flash_core_read(c, true, (uint32_t)address & (c->flash_size - 1u), size);
}

void sim_f407_flash_changed(sim_chip *c, uint32_t off, uint32_t len)
{
	sim_view_changed(c, &c->periph->view, sim_flash_array(c), off, len);
	sim_flash_view_overlay(c, c->periph->view.bytes, off, len); /* the ART's lines */
}

/* System memory holds ST's bootloader; the model has a vector table whose
 * reset handler is a branch-to-self, which is enough for a boot from
 * system memory to look alive. */
static void f407_fill_rom(sim_chip *c)
{
	const uint32_t vec[2] = { 0x20002000u, F407_SYSMEM_BASE + 0x41u };
	const uint16_t loop = 0xE7FEu; /* b . */

	sim_mem_fill(c, F407_SYSMEM_BASE, F407_SYSMEM_SIZE, 0xFF);
	uc_mem_write(c->uc, F407_SYSMEM_BASE, vec, sizeof(vec));
	uc_mem_write(c->uc, F407_SYSMEM_BASE + 0x40u, &loop, sizeof(loop));
	sim_mem_fill(c, F407_OTP_BASE, 0x400u, 0xFF);
	uc_mem_write(c->uc, F407_UID_ADDR, c->uid, sizeof(c->uid));
	uc_mem_write(c->uc, F407_FSIZE_ADDR, &c->flash_size_kib, sizeof(c->flash_size_kib));
}

static uc_err f407_map_region(sim_chip *c, const struct sim_region *r)
{
	switch (r->kind) {
	case F407_OPTBYTES:
		return uc_mmio_map(c->uc, r->base, 0x400, f407_opt_mmio_read, c, f407_opt_mmio_write, c);
	case F407_RCC:
		/* RCC and the flash interface share one MMIO mapping. */
		return uc_mmio_map(c->uc, r->base, 0x800, f407_mmio_read, c, f407_mmio_write, c);
	case F407_FLASHIF:
		return 0;
	case F407_CRC:
		return uc_mmio_map(c->uc, r->base, r->size, f407_crc_mmio_read, c, f407_crc_mmio_write, c);
	case F407_IWDG:
		return uc_mmio_map(c->uc, r->base, r->size, f407_iwdg_mmio_read, c, f407_iwdg_mmio_write, c);
	case F407_FLASH:
		return uc_mem_map_ptr(c->uc, r->base, r->size, r->perms, c->periph->view.bytes);
	default:
		return uc_mem_map(c->uc, r->base, r->size, r->perms);
	}
}

static const struct sim_flash_ops f407_flash_ops = {
	.tick = sim_flash_tick,
	.next_event_ns = sim_flash_next_event_ns,
	.busy = sim_flash_busy,
	.unlocked = sim_flash_unlocked,
	.cpu_stalled = sim_flash_cpu_stalled,
	.debug_disabled = sim_flash_debug_disabled,
};

static int f407_map(sim_chip *c, char *err, size_t errlen)
{
	uc_hook h;

	c->flash_ops = &f407_flash_ops;
	c->periph = calloc(1, sizeof(*c->periph));
	if (!c->periph || sim_view_init(&c->periph->view, c->flash_size, c->flash_base, F407_ALIAS_BASE) ||
	    sim_flash_new(c)) {
		snprintf(err, errlen, "out of memory for the flash array");
		return -1;
	}
	if (sim_regions_map(c, f407_regions, F407_NREGIONS, f407_map_region, err, errlen))
		return -1;
	if (uc_hook_add(c->uc, &h, UC_HOOK_MEM_WRITE_PROT, f407_flash_store, c, F407_ALIAS_BASE,
			c->flash_base + c->flash_size - 1u) != UC_ERR_OK) {
		snprintf(err, errlen, "cannot hook flash stores");
		return -1;
	}
	/* the ART sees the core's fetches (I-code) and loads (D-code) of flash */
	if (uc_hook_add(c->uc, &h, UC_HOOK_MEM_READ, f407_flash_load, c, F407_ALIAS_BASE,
			c->flash_base + c->flash_size - 1u) != UC_ERR_OK ||
	    uc_hook_add(c->uc, &h, UC_HOOK_BLOCK, f407_flash_fetch, c, F407_ALIAS_BASE,
			c->flash_base + c->flash_size - 1u) != UC_ERR_OK) {
		snprintf(err, errlen, "cannot hook flash reads");
		return -1;
	}
	f407_fill_rom(c);
	sim_f407_flash_changed(c, 0, c->flash_size);
	return 0;
}

static void f407_free(sim_chip *c)
{
	sim_flash_free(c);
	if (c->periph)
		sim_view_free(&c->periph->view);
	free(c->periph);
	c->periph = NULL;
}

/* RCC, the IWDG, the CRC unit and the flash interface get their reset
 * values; the rest of the peripheral space, modelled as plain registers,
 * reads zero again. */
static void f407_periph_reset(sim_chip *c)
{
	sim_flash_reset(c);
	sim_rcc_f4_reset(c, &c->periph->rcc, c->reset_src);
	sim_iwdg_f4_reset(c, &c->periph->iwdg);
	if (c->periph->iwdg.running)
		sim_rcc_f4_force_lsi(&c->periph->rcc);
	sim_crc_reset(&c->periph->crc);
	sim_regions_reset(c, f407_regions, F407_NREGIONS);
}

/* The main array and its boot alias at 0 (RM0090 2.4, BOOT0 = 0). */
static int f407_load_flash(sim_chip *c, uint32_t addr, const void *data, size_t len)
{
	uint32_t off;

	if (addr >= c->flash_base && addr - c->flash_base <= c->flash_size &&
	    len <= c->flash_size - (addr - c->flash_base))
		off = addr - c->flash_base;
	else if (addr < c->flash_size && len <= c->flash_size - addr)
		off = addr;
	else
		return -1;
	sim_flash_load(c, off, data, len);
	return 0;
}

/* Board time passed: a pending clock switch (RCC) and the watchdog. */
static void f407_tick(sim_chip *c, uint64_t dt_ns)
{
	sim_rcc_f4_tick(c, &c->periph->rcc);
	if (sim_iwdg_f4_tick(c, &c->periph->iwdg, dt_ns))
		sim_chip_system_reset_by(c, SIM_RST_IWDG);
}

static void f407_watchdog_start(sim_chip *c, uint32_t ms)
{
	sim_iwdg_f4_firmware_start(&c->periph->iwdg, ms);
	sim_rcc_f4_force_lsi(&c->periph->rcc);
}

const struct sim_soc_ops sim_f407_soc = {
	.map = f407_map,
	.free = f407_free,
	.mem_read = f407_mem_read,
	.mem_write = f407_mem_write,
	.periph_reset = f407_periph_reset,
	.peek = f407_peek,
	.engine_running = f407_engine_running,
	.load_flash = f407_load_flash,
	.tick = f407_tick,
	.watchdog_start = f407_watchdog_start,
};
