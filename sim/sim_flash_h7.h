/*
 * The STM32H7 embedded flash controller as a stand-alone lab model:
 * STM32H743 (RM0433 section 4, two banks) and STM32H725 (RM0468 section 4,
 * one bank), timed after the datasheets DS12110 and DS13313.
 * docs/LAB-h7-flash.md lists every modelled behaviour with its source.
 *
 * The model knows nothing of the chip around it. The chip glue:
 *   - picks a const parameter row (sim_flash_h7_stm32h743 / _stm32h725);
 *   - supplies an environment (struct sim_flash_h7_env): the virtual clock
 *     and a notifier for array changes;
 *   - routes bus accesses to the register block (offset from reg_base,
 *     0x52002000) and to the array (offset from 0x08000000, in BUS order:
 *     after a bank swap the model itself keeps bank 2 at offset 0, so the
 *     glue never sees SWAP_BANK);
 *   - slices virtual time at sim_flash_h7_next_event_ns() and calls
 *     sim_flash_h7_tick() after each slice (BSY, QW, CRC_BUSY and OPT_BUSY
 *     fall at their exact virtual time);
 *   - calls sim_flash_h7_reset() on every system reset (NRST, SYSRESETREQ,
 *     power-on): option bytes reload, SWAP_BANK applies, locks return, a
 *     running operation is abandoned as on silicon.
 *
 * Addresses: a "bus offset" is addr - 0x08000000 (0 .. banks * bank_size).
 * Register offsets are addr - reg_base (0 .. 0x1FF). One instance per chip;
 * not thread-safe (the lab runs one engine on one thread).
 */
#ifndef SWDD_SIM_FLASH_H7_H
#define SWDD_SIM_FLASH_H7_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_internal.h" /* enum sim_bus_result only */

/* Who makes an access: decides RDP level 1, PCROP (execute-only) and the
 * fault the caller must raise. */
enum sim_flash_h7_who {
	SIM_FLASH_H7_CORE_DATA,  /* Cortex-M7 load/store (or DMA) */
	SIM_FLASH_H7_CORE_FETCH, /* Cortex-M7 instruction fetch */
	SIM_FLASH_H7_DEBUG,      /* debugger through an AHB-AP */
};

/* Timing for one program/erase parallelism (FLASH_CR.PSIZE), in ns. */
struct sim_flash_h7_timing {
	uint64_t word_ns;   /* one 256-bit flash word (tPROG) */
	uint64_t sector_ns; /* one 128 KiB sector (tERASE128KB) */
	uint64_t bank_ns;   /* one bank (BER) */
	uint64_t mass_ns;   /* both banks (OPTCR.MER), also the RDP 1->0 erase */
};

/* One chip's flash: const data, one row per part. */
struct sim_flash_h7_params {
	const char *name;
	unsigned banks;                           /* 2 on RM0433 dual-bank parts, 1 on RM0468 */
	uint32_t bank_size;                       /* 0x100000 */
	uint32_t sector_size;                     /* 0x20000: 8 sectors per bank */
	uint32_t reg_base;                        /* 0x52002000 */
	uint32_t acr_reset;                       /* FLASH_ACR reset value */
	uint32_t optsr_blank;                     /* OPTSR as shipped (RDP level 0) */
	uint32_t optsr_prg_mask;                  /* OPTSR_PRG bits software may change */
	bool has_optsr2;                          /* FLASH_OPTSR2_CUR/PRG at 0x70/0x74 (RM0468) */
	bool has_crcrderr;                        /* SR bit 28 CRCRDERR (RM0468) */
	unsigned crc_all_bank_bit;                /* FLASH_CRCCR.ALL_BANK: 7 (RM0433), 22 (RM0468) */
	const struct sim_flash_h7_timing *timing; /* [4], by PSIZE: x8, x16, x32, x64 */
	uint64_t opt_ns;                          /* option byte change (OPTSTART to OPT_BUSY = 0) */
	uint32_t crc_word_cycles;                 /* AXI clock cycles per flash word read by the CRC unit */
};

extern const struct sim_flash_h7_params sim_flash_h7_stm32h743;
extern const struct sim_flash_h7_params sim_flash_h7_stm32h725;

/*
 * Services the chip supplies. Called only from inside the sim_flash_h7_*
 * functions, on the caller's thread.
 */
struct sim_flash_h7_env {
	void *ctx; /* passed back to every callback */
	/* Required. The chip's virtual time in ns (monotonic). Operations
	 * started by a register write are timed from this instant. */
	uint64_t (*now_ns)(void *ctx);
	/* Optional (NULL = always false). True while a debugger is attached
	 * (DHCSR.C_DEBUGEN or an active AP session): with RDP level 1 the
	 * array is then closed to program and erase by any master
	 * (RM0433 4.5.3). AP accesses themselves are always refused at
	 * level 1 whatever this says. */
	bool (*debug_attached)(void *ctx);
	/* Optional (NULL = always true). False while the core domain supply
	 * (VCAP, SMPS/LDO, VOS) cannot carry a flash operation: a program or
	 * erase that ends then fails as with the vcap-fault knob. Asked when
	 * the operation ends. */
	bool (*core_supply_ok)(void *ctx);
	/* Optional (NULL = 64000000). AXI clock in Hz, to time the CRC unit. */
	uint32_t (*axi_hz)(void *ctx);
	/* Optional. What the bus sees of [off, off+len) changed (program,
	 * erase, bank swap, ECC state): refresh Unicorn's copy from
	 * sim_flash_h7_view() and drop translated code in the range. */
	void (*array_changed)(void *ctx, uint32_t off, uint32_t len);
};

struct sim_flash_h7; /* opaque */

/* Counters for tests and reports. */
struct sim_flash_h7_stats {
	uint64_t words_programmed; /* flash words written by the controller */
	uint64_t sector_erases, bank_erases, mass_erases;
	uint64_t option_changes;         /* completed OPTSTART operations */
	uint64_t ecc_double, ecc_single; /* ECC errors reported on reads */
};

/* Creates an erased flash with blank (level 0, unprotected) option bytes
 * and applies a power-on reset. Returns 0, or -1 (bad params/env, or
 * out of memory; the lab's convention, sim/ sees nothing of swdd). */
int sim_flash_h7_new(const struct sim_flash_h7_params *p, const struct sim_flash_h7_env *env,
		     struct sim_flash_h7 **out);
void sim_flash_h7_free(struct sim_flash_h7 *f);

/* System reset (NRST, SYSRESETREQ, BOR): reload the *_CUR registers from
 * the stored option bytes, apply SWAP_BANK_OPT to the address map, lock
 * CR/OPTCR, clear SR and the write buffers. An operation in progress is
 * abandoned: a flash word being programmed, or the programmed words of a
 * sector being erased, are left with a double ECC error (RM0433 4.3.10). */
void sim_flash_h7_reset(struct sim_flash_h7 *f);
/* Power cycle: as a reset (the array and option bytes are non-volatile). */
void sim_flash_h7_power_cycle(struct sim_flash_h7 *f);

/* Register block. off < 0x200; size 1, 2 or 4 (off aligned to size).
 * Returns OK, FAULT (wrong unlock key, RM0433 4.5.1; misaligned or out of
 * range) or WAIT: a write to FLASH_CR with START or FW while that bank is
 * busy, or to OPTCR with MER while any bank is, is not taken; nothing
 * changed, the caller repeats the access after the next event (an AP
 * answers WAIT, the core stalls). Reads never wait and do not depend on
 * who reads. `who` matters for writes at RDP level 1. */
enum sim_bus_result sim_flash_h7_reg_read(struct sim_flash_h7 *f, uint32_t off, unsigned size, uint32_t *val);
enum sim_bus_result sim_flash_h7_reg_write(struct sim_flash_h7 *f, uint32_t off, unsigned size, uint32_t val,
					   enum sim_flash_h7_who who);

/* The array at a bus offset; size 1, 2 or 4 and the access must not cross
 * a 32-byte flash word. FAULT: bus error (ECC double error, RDP/PCROP/
 * secure refusal, out of range): the core takes a BusFault/HardFault, an
 * AP answers FAULT. WAIT: the bank is erasing or programming (AXI stall),
 * nothing changed, repeat later. Writes go into the bank's write buffer
 * (RM0433 4.3.8): errors are reported in FLASH_SR, not on the bus. */
enum sim_bus_result sim_flash_h7_array_read(struct sim_flash_h7 *f, uint32_t off, unsigned size,
					    uint32_t *val, enum sim_flash_h7_who who);
enum sim_bus_result sim_flash_h7_array_write(struct sim_flash_h7 *f, uint32_t off, unsigned size,
					     uint32_t val, enum sim_flash_h7_who who);

/* The array in bus order, banks * bank_size bytes, kept current: what a
 * plain read returns where sim_flash_h7_read_faults() is false. */
const uint8_t *sim_flash_h7_view(const struct sim_flash_h7 *f);
uint32_t sim_flash_h7_size(const struct sim_flash_h7 *f);
/* True if some read of the array would not simply return view[]: a word
 * with an ECC error, an active PCROP/secure area, RDP level 1, or a busy
 * bank. While false the glue may serve core reads straight from a mapping;
 * while true it must route them through sim_flash_h7_array_read(). */
bool sim_flash_h7_read_faults(const struct sim_flash_h7 *f);

/* Earliest virtual time at which the controller changes state by itself
 * (UINT64_MAX if idle). */
uint64_t sim_flash_h7_next_event_ns(const struct sim_flash_h7 *f);
/* Completes every operation whose end time is <= env->now_ns. */
void sim_flash_h7_tick(struct sim_flash_h7 *f);
/* Any bank busy (BSY/QW/CRC_BUSY/OPT_BUSY), and whether the bank holding
 * bus offset `off` is erasing or programming (its reads stall). */
bool sim_flash_h7_busy(const struct sim_flash_h7 *f);
bool sim_flash_h7_bank_busy(const struct sim_flash_h7 *f, uint32_t off);
/* Some FLASH_CR is unlocked (the glue may slice time finer). */
bool sim_flash_h7_unlocked(const struct sim_flash_h7 *f);

/* Option bytes in effect (the *_CUR registers). */
uint32_t sim_flash_h7_optsr(const struct sim_flash_h7 *f);
uint32_t sim_flash_h7_boot(const struct sim_flash_h7 *f);      /* BOOT_CUR */
unsigned sim_flash_h7_rdp_level(const struct sim_flash_h7 *f); /* 0, 1, 2 */
bool sim_flash_h7_swapped(const struct sim_flash_h7 *f);       /* OPTCR.SWAP_BANK */

/* Backdoor, for tests and preloaded images: no timing, no checks. load
 * programs bytes (words that end up not all 0xFF count as programmed once).
 * Return 0, or -1 out of range. */
int sim_flash_h7_load(struct sim_flash_h7 *f, uint32_t off, const void *data, size_t len);
int sim_flash_h7_peek(const struct sim_flash_h7 *f, uint32_t off, void *buf, size_t len);

/* Fault knobs (docs/LAB-h7-flash.md). The option-byte knobs change the
 * STORED option bytes: they take effect at the next sim_flash_h7_reset(),
 * like a part shipped that way; call them before the chip's power-on. */
/* vcap-fault: every program or erase ends with OPERR and leaves the words
 * it touched with a double ECC error (AN4938 section 2: the core domain
 * supply cannot carry the flash operation). */
void sim_flash_h7_knob_vcap_fault(struct sim_flash_h7 *f, bool on);
/* fast-erase: every erase (sector, bank, mass) ends after 3 ms with EOP
 * and leaves the array as it was: the "erase in 0.2 s" of a controller
 * that did not erase (docs/LAB-h7-flash.md). */
void sim_flash_h7_knob_fast_erase(struct sim_flash_h7 *f, bool on);
/* ecc:ADDR: the flash word holding bus offset `off` reads with a double
 * (or, with dbl false, a corrected single) ECC error. -1 if out of range. */
int sim_flash_h7_knob_ecc(struct sim_flash_h7 *f, uint32_t off, bool dbl);
/* wrp:SECTORS: bit n = global sector n (bank 2 sector s is n = 8 + s)
 * write protected (its WPSN bit cleared). */
void sim_flash_h7_knob_wrp(struct sim_flash_h7 *f, uint32_t sectors);
void sim_flash_h7_knob_rdp1(struct sim_flash_h7 *f);
/* bank-swap: SWAP_BANK_OPT set (ignored on single-bank parts). */
void sim_flash_h7_knob_bank_swap(struct sim_flash_h7 *f);
/* weak-cell: the byte at bus offset `off` never programs; nothing flags it. */
int sim_flash_h7_knob_weak_cell(struct sim_flash_h7 *f, uint32_t off);

void sim_flash_h7_get_stats(const struct sim_flash_h7 *f, struct sim_flash_h7_stats *st);

#endif
