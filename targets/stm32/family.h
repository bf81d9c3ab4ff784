/*
 * STM32 family descriptor: everything swdd knows about one STM32 family,
 * as const data plus the few hooks a family needs. One descriptor per
 * family lives in its own file (targets/stm32/f4.c follows RM0090); the
 * list of families is the one registration line per family in
 * targets/stm32/families.c. targets/ identifies a chip through it and
 * flash/ reads the flash controller facts from it; nothing else in swdd
 * knows a DEV_ID, a flash register or an option byte.
 *
 * How to add a family: docs/ARCHITECTURE.md, "Adding an STM32 family".
 * Fields marked "(H7)" are unused by F4 and exist for the families that
 * need them (a second bank with its own registers, DBGMCU behind another
 * AP, 256-bit flash words).
 *
 * Hooks take the connected target and use only target.h's memory access;
 * each returns 0 or a negative SWDD_E* code with a detail sentence.
 */
#ifndef SWDD_STM32_FAMILY_H
#define SWDD_STM32_FAMILY_H

#include <stddef.h>
#include <stdint.h>

struct swdd_target;

/* DBGMCU_IDCODE fields (RM0090 38.6.1; the same split in every STM32
 * reference manual). */
#define STM32_IDCODE_DEV_ID(v) ((uint16_t)((v)&0xFFFU))
#define STM32_IDCODE_REV_ID(v) ((uint16_t)((v) >> 16))

/* `count` consecutive sectors of `size` bytes. */
struct stm32_sector_run {
	uint16_t count;
	uint32_t size;
};

struct stm32_rev {
	uint16_t rev_id;
	const char *name; /* "A", "Z", "1" */
};

/* A RAM of a part. */
struct stm32_ram {
	const char *name; /* "SRAM1+SRAM2", "CCM" */
	uint32_t base, size;
	/* The core can fetch instructions from it (CCM on F4 is data-bus only,
	 * RM0090 2.3.1), so a flash algorithm may run there. */
	int executable;
	/* A Cortex-M7 tightly coupled memory (ITCM, DTCM): never cached
	 * (Cortex-M7 TRM 5.1), so debugger accesses need no cache
	 * maintenance (targets/cortex_m_cache.c). */
	int tcm;
};

#define STM32_MAX_RAMS 4

/* One line of a family (one DEV_ID). */
struct stm32_part {
	uint16_t dev_id;
	const char *name; /* "STM32F405/407/415/417" */
	const struct stm32_family *family;
	uint32_t flash_base;
	uint32_t max_flash;                     /* largest flash of the line, bytes */
	uint32_t bank2_base;                    /* 0: one bank; else bank 2 repeats `sectors` there */
	const struct stm32_sector_run *sectors; /* one bank, up to max_flash (per bank) */
	size_t num_runs;
	struct stm32_ram rams[STM32_MAX_RAMS]; /* name == NULL ends the list */
	unsigned algo_ram;                     /* index in rams[] the algorithm runs in */
};

/* A family monitor command (`monitor NAME ...`), listed by `monitor help`
 * after the generic ones. fn: argv[0] is the name; writes its report into
 * out (cap bytes, NUL-terminated) for the server to print; returns 0 or
 * SWDD_E* with a detail sentence. */
struct stm32_cmd {
	const char *name, *usage, *help;
	int (*fn)(struct swdd_target *t, int argc, char **argv, char *out, size_t cap);
};

/* A diagnosis hint: when a flash status or algorithm result has `bits`
 * set, `text` says what they mean and what to do. */
struct stm32_hint {
	uint32_t bits;
	const char *text;
};

/* What verify_evidence looks at: the flash controller (SR of each bank,
 * ECC failing address, bank swap), the reset-cause flags; and whether the
 * flags were cleared at the start of this session (a flag then means a
 * reset during it). */
#define STM32_EVIDENCE_FLASH 1U
#define STM32_EVIDENCE_RESET 2U
#define STM32_EVIDENCE_CLEARED 4U

/* A built-in algorithm variant and the lowest target supply it may run at
 * (program/erase parallelism, e.g. RM0090 3.6 table 7 for the F4). */
struct stm32_algo_variant {
	int min_mv;
	const char *algo;   /* name in swdd_flm_builtins (flashalgo/) */
	const char *what;   /* "x32 (2.7-3.6 V)" */
	unsigned prog_unit; /* bytes per program operation (its time-out counts them) */
};

/* One sector size's erase time from the datasheet: typical at the fastest
 * parallelism and maximum at the slowest, so that one row bounds every
 * variant of the algorithm (flash/flash.c flash_erase_bound_ms). */
struct stm32_erase_time {
	uint32_t sector_size; /* bytes */
	uint32_t typ_ms;
	uint32_t max_ms;
};

/* ---- option bytes as data (targets/stm32/option.c reads, decodes, checks
 * and changes them from these rows; a family adds rows, not code) ---- */

/* One option register: where its value in effect is read (`cur`) and where
 * a new value is written before the family's option_write starts the
 * change (`prg`: the *_PRG register on the H7, RM0433 4.9; the same
 * address as `cur` on the F4, whose FLASH_OPTCR is both, RM0090 3.9.6).
 * Rows with `dev_id` exist only on that DEV_ID; rows with `bank2` only on
 * parts of the family with a second bank (stm32_part.bank2_base). */
struct stm32_opt_reg {
	const char *name; /* "OPTSR", "WPSN2" */
	uint32_t cur, prg;
	uint16_t dev_id; /* 0: every part */
	uint8_t bank2;
};

/* How a field's value is shown and parsed. */
enum stm32_opt_kind {
	STM32_OPT_NUM,  /* a number (hex when wider than 4 bits) */
	STM32_OPT_BOOL, /* 0 or 1 */
	STM32_OPT_RDP,  /* readout protection byte: 0xAA level 0, 0xCC level 2, else 1;
			 * set as a level (0, 1, 2) or as the byte */
	STM32_OPT_ADDR, /* an address whose bits [31:16] the field holds */
	STM32_OPT_MASK, /* one bit per sector, 1 = NOT protected (nWRP, WPSN) */
};

/* What a change of the field can do to the person at the debugger, and so
 * whether `option set` asks for confirmation (`confirm` / `--yes`). */
enum stm32_opt_risk {
	STM32_OPT_SAFE,
	STM32_OPT_RISK_CHANGE, /* any change */
	STM32_OPT_RISK_CLEAR,  /* a bit going 1 -> 0 (protection added, watchdog in hardware) */
	STM32_OPT_RISK_SET,    /* a bit going 0 -> 1 */
	STM32_OPT_RISK_RDP,    /* to level 1 or 2 (lock-out), or 1 -> 0 (mass erase) */
	STM32_OPT_RISK_ADDR,   /* an address outside the part's flash, RAMs and `ok` ranges */
};

/* An address range a STM32_OPT_ADDR field may point into besides the
 * part's flash and RAMs (system memory). */
struct stm32_opt_range {
	uint32_t base, size;
};

/* One option field: bits [shift, shift + width) of register `reg` (index
 * in the family's opt_regs). `ro`: shown, never set (status bits). `why`
 * names, for a risky change, what would happen ("RDP level 1: the
 * debugger can no longer read the flash"), and is printed when the change
 * is refused without confirmation. `effect`: when the change takes effect
 * if not at once ("at the next system reset"), else NULL. */
struct stm32_opt_field {
	const char *name; /* "RDP", "SWAP_BANK" (what `option set NAME=` takes) */
	uint8_t reg, shift, width;
	uint8_t kind;                     /* enum stm32_opt_kind */
	uint8_t risk;                     /* enum stm32_opt_risk */
	uint8_t ro;                       /* read only */
	uint8_t bank2;                    /* only on parts with a second bank */
	uint8_t swap;                     /* (H7) the field that swaps the banks at the next reset
			   * (`bank-swap on|off`); at most one per family */
	uint16_t dev_id;                  /* 0: every part */
	const char *meaning;              /* "brown-out reset level: 0 off, 1 2.1 V, ..." */
	const char *why;                  /* the risk, for the confirmation refusal; NULL if SAFE */
	const char *effect;               /* NULL: in effect when option_write returns */
	const struct stm32_opt_range *ok; /* STM32_OPT_ADDR: extra valid ranges, */
	size_t num_ok;                    /* besides flash and RAMs */
};

/* Rows by position for the common cases (the others use designated
 * initializers): name, register row, shift, width, kind, risk, why,
 * meaning (BANKED: and bank2 before why); a status bit shown, never set; a
 * plain on/off field; the readout protection byte, whose values mean the
 * same on every STM32 (RM0090 3.7.3, RM0433 4.5.3). */
#define STM32_OPT_BANKED_ROW(n, r, s, w, k, rk, b2, y, m)                                                    \
	{                                                                                                    \
		.name = (n), .reg = (r), .shift = (s), .width = (w), .kind = (k), .risk = (rk),              \
		.bank2 = (b2), .why = (y), .meaning = (m)                                                    \
	}
#define STM32_OPT_ROW(n, r, s, w, k, rk, y, m) STM32_OPT_BANKED_ROW(n, r, s, w, k, rk, 0, y, m)
#define STM32_OPT_RO_ROW(n, r, s, m)                                                                         \
	{                                                                                                    \
		.name = (n), .reg = (r), .shift = (s), .width = 1, .ro = 1, .meaning = (m)                   \
	}
#define STM32_OPT_BOOL_ROW(n, r, s, m) STM32_OPT_ROW(n, r, s, 1, STM32_OPT_BOOL, STM32_OPT_SAFE, NULL, m)
#define STM32_OPT_RDP_ROW(r, s)                                                                              \
	STM32_OPT_ROW("RDP", r, s, 8, STM32_OPT_RDP, STM32_OPT_RISK_RDP,                                     \
		      "RDP level 1: the debugger can no longer read or program the flash; going back to "    \
		      "level 0 mass-erases it",                                                              \
		      "readout protection: 0xAA level 0, 0xCC level 2 (permanent), else level 1")

struct stm32_family {
	const char *name;   /* "STM32F4" */
	const char *manual; /* "RM0090": the reference manual this file follows */

	/* ---- identification ---- */
	uint32_t dbgmcu_idcode; /* DBGMCU_IDCODE address (on AP0, like every DBGMCU address below) */
	/* (H7) A MEM-AP other than AP0 that shows the DBGMCU block too (the
	 * debug APB: it answers while NRST is held and when the core's bus
	 * does not), and the block's base there: the register at AP0 address
	 * A is at A - dbgmcu_idcode + dbgmcu_ap_base on AP dbgmcu_ap. swdd
	 * uses that view first and AP0 where the probe cannot select the AP
	 * (targets/stm32/dbgmcu.c). 0 = AP0 only (F4). */
	unsigned dbgmcu_ap;
	uint32_t dbgmcu_ap_base;
	uint32_t flash_size_reg; /* u16, KiB */
	uint32_t uid_base;       /* 96-bit unique device ID (12 bytes); 0 = none */
	const struct stm32_rev *revs;
	size_t num_revs;
	const struct stm32_part *parts;
	size_t num_parts;

	/* ---- debug set-up and restore ----
	 * Set at connect (under reset: through dbgmcu_ap before NRST is
	 * released), what was found restored at detach; each register is
	 * read, the bits ORed in and written back (targets/stm32/dbgmcu.c). */
	uint32_t dbgmcu_cr;      /* DBGMCU_CR address */
	uint32_t dbgmcu_cr_set;  /* bits set while attached (debug in low-power modes) */
	uint32_t wdg_freeze_reg; /* register whose bits stop the watchdogs while halted */
	uint32_t wdg_freeze_bits;
	/* (H7) a second freeze register (watchdogs of another domain: WWDG1
	 * in APB3FZ1 beside IWDG1 in APB4FZ1); 0 = none. */
	uint32_t wdg_freeze_reg2;
	uint32_t wdg_freeze_bits2;
	/* (H7) What to tell the user when the debug port and dbgmcu_ap answer
	 * but AP0 never does, even with NRST held (the core domain has no
	 * supply): the cause and the recovery, one sentence for the connect
	 * diagnosis. NULL: a generic sentence. */
	const char *core_bus_dead_hint;

	/* ---- reset quirks ---- */
	/* Called by swdd_target_reset after a verified reset (before the halt
	 * at the reset vector is checked; a reset without halt lets the core
	 * run already): re-applies what the reset cleared that a debugger
	 * needs. Optional (F4: NULL, DBGMCU_CR is reset by power-on only,
	 * RM0090 38.16.3). */
	int (*after_reset)(struct swdd_target *t);
	/* What a core-only reset (VECTRESET, used when NRST and SYSRESETREQ did
	 * not reset the chip) leaves of the old firmware's settings on this
	 * family, for the warning; NULL: nothing to add. */
	const char *core_reset_keeps;

	/* ---- the host's view of the flash controller ---- */
	uint32_t flash_ctrl_base;
	/* The flash control register (bank 1; 0 = not checked) and the status
	 * bits that mean an operation is still pending (0 = none checked),
	 * for the engine's check before it takes the controller: a core
	 * halted by a hot plug may have stopped the firmware in the middle of
	 * programming, or the bus may return garbage (flash/flash.c). */
	uint32_t flash_cr;
	uint32_t flash_busy_bits;
	/* (H7) offset of bank 2's register set from flash_ctrl_base; 0 = one set. */
	uint32_t bank2_ctrl_offset;
	/* Smallest unit the controller programs, bytes (F4: 1 at x8; H7: 32,
	 * a 256-bit flash word). */
	uint32_t flash_word;
	const char *builtin_algo; /* name in swdd_flm_builtins (flashalgo/<name>.c) */
	/* Variants of the built-in algorithm by supply, highest min_mv first,
	 * the last one with min_mv 0. Optional (NULL: builtin_algo always). */
	const struct stm32_algo_variant *variants;
	/* Worst-case mass erase, ms (datasheet); the host waits twice that,
	 * above the algorithm's own bound, so the algorithm's report with the
	 * status bits comes first. */
	uint32_t mass_erase_ms;
	/* Sector erase times by sector size, ascending (num_erase_times rows),
	 * and the maximum time of one program operation (of the variant's
	 * prog_unit bytes, else flash_word bytes), us: the datasheet's figures from which every algorithm call's
	 * time-out is derived, whatever an .FLM's toErase/toProg say.
	 * Optional (0 rows: the FLM's values, capped at 60 s). */
	const struct stm32_erase_time *erase_times;
	size_t num_erase_times;
	uint32_t prog_max_us;
	/* Erase-time plausibility (datasheet): a sector erase that the
	 * algorithm reports done in under min_sector_erase_ms was not
	 * performed, whatever the controller's status says; the engine fails
	 * it naming typ_sector_erase_ms. 0 = no check (F4). */
	uint32_t min_sector_erase_ms;
	uint32_t typ_sector_erase_ms;
	/* The core clock as RCC is configured now, Hz: the slowest (*lo_hz)
	 * and fastest (*hi_hz) its source's tolerance allows. With it the
	 * erase-time check counts the erase on the core (DWT_CYCCNT, which
	 * runs only while the algorithm does), not on the host's clock.
	 * Called by the flash engine after each sector erase, core halted.
	 * Optional (NULL: the host's clock bounds the erase). Returns 0, or a
	 * negative SWDD_E* (RCC unreadable, or a configuration the manual
	 * does not allow). */
	int (*core_clock)(struct swdd_target *t, uint32_t *lo_hz, uint32_t *hi_hz);

	/* Read-protection level (0, 1, 2). Required. */
	int (*rdp_level)(struct swdd_target *t, int *level);
	/* Write protection: bit n set = sector n protected (bank 2's sectors
	 * follow bank 1's). Required. */
	int (*wrp_mask)(struct swdd_target *t, uint64_t *mask);
	/* The flash status register (bank 1; for reports after a failure).
	 * Required. */
	int (*read_status)(struct swdd_target *t, uint32_t *sr);
	/* RDP 1 -> 0 through the option bytes (mass-erases; the wait bounded
	 * by the datasheet's mass erase time). Optional. */
	int (*unlock_rdp)(struct swdd_target *t);
	/* Option bytes: the registers and fields (targets/stm32/option.h
	 * decodes and changes them). Optional (0 rows: no option support). */
	const struct stm32_opt_reg *opt_regs;
	size_t num_opt_regs;
	const struct stm32_opt_field *opt_fields;
	size_t num_opt_fields;
	/* Changes the option bytes. Called by stm32_option_apply with val[i]
	 * the complete new value of opt_regs[i] for every i set in `changed`
	 * (a bit per row; the others are untouched): unlocks the option
	 * registers, writes the `prg` addresses, starts the change, waits for
	 * its end (bounded: the datasheet's time, the mass erase time when RDP
	 * leaves level 1), checks the controller's error flag, locks again.
	 * Returns 0 or SWDD_E* naming the flag or the time-out. Required with
	 * opt_regs. */
	int (*option_write)(struct swdd_target *t, const uint32_t *val, uint32_t changed);
	/* Resets the flash controller's read caches (F4: the ART accelerator)
	 * so that the reads that follow (the checksum routine's loads, the
	 * debugger's read-back) see what the array holds, and leaves the cache
	 * enables as they were. Called by the engine before every compare,
	 * verify, qCRC and blank check, whatever the algorithm did. Fills
	 * `state` with what the caches were set to when enabled ("FLASH_ACR
	 * 0x00000705: ..."), else "". Optional (NULL: no such cache). */
	int (*flush_caches)(struct swdd_target *t, char *state, size_t len);
	/* (H7) Whether the banks are swapped (SWAP_BANK), so the host maps
	 * sector numbers to addresses accordingly. Optional (F4: no swap). */
	int (*bank_swapped)(struct swdd_target *t, int *swapped);
	/* (H7) Clears the chip's reset-cause flags at the start of a session
	 * that erases or programs (before the algorithm's Init), so that
	 * verify_evidence can tell a reset during it. Optional. */
	int (*reset_flags_clear)(struct swdd_target *t);
	/* (H7) After a verify mismatch or a failed flash operation: what the
	 * chip holds that may explain it, only where the evidence is present,
	 * as text starting with "; ", else "". `what`: STM32_EVIDENCE_* bits
	 * (the flash controller's state, the reset flags, whether
	 * reset_flags_clear ran in this session). Reads only; registers that
	 * cannot be read add nothing. Optional. */
	void (*verify_evidence)(struct swdd_target *t, unsigned what, char *buf, size_t len);
	/* The core's own caches (Cortex-M7 L1) are not a family matter: the
	 * flash engine calls swdd_target_mem_changed() (target.h) after the
	 * array changed, which maintains them on any core that has them. */

	/* ---- monitor commands and diagnosis ---- */
	const struct stm32_cmd *cmds;
	size_t num_cmds;
	const struct stm32_hint *hints; /* flash status bits, what they mean and what to do */
	size_t num_hints;
	/* After a reset swdd did not ask for (seen while a flash algorithm
	 * ran): the family's reset flags as text ("RCC_CSR 0x...: IWDGRSTF
	 * (...)"), naming the cause and what to do; then clears them so that
	 * the next report shows only new ones. Optional (NULL: no cause is
	 * named). Returns 0 or a negative SWDD_E* (the flags unreadable). */
	int (*reset_cause)(struct swdd_target *t, char *buf, size_t len);
};

/* NULL-terminated list of the registered families (families.c). */
extern const struct stm32_family *const stm32_families[];

/* Row i of all registered families' parts, in registration order (for
 * listings); NULL past the end. */
const struct stm32_part *stm32_part_at(size_t i);
/* The part row for a DEV_ID in any family, NULL if unknown. */
const struct stm32_part *stm32_part_find(uint16_t dev_id);
/* Revision name for a REV_ID ("?" if unknown). */
const char *stm32_rev_name(const struct stm32_family *f, uint16_t rev_id);
/* Sector containing addr in a part with flash_size bytes: index (bank 2
 * sectors follow bank 1's), start and size. SWDD_ERANGE outside flash. */
int stm32_sector_find(const struct stm32_part *p, uint32_t flash_size, uint32_t addr, unsigned *index,
		      uint32_t *start, uint32_t *size);
/* The texts of the rows of `h` whose bits are set in `bits`, comma-separated
 * (buf[0] = 0 when none); returns the length written. */
size_t stm32_bits_text(const struct stm32_hint *h, size_t nh, uint32_t bits, char *buf, size_t len);
/* Writes the names of the hint bits set in `bits` into buf (a family's
 * decode_status is usually this over its own hints). */
void stm32_hints_text(const struct stm32_family *f, uint32_t bits, char *buf, size_t len);

#endif
