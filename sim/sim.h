/*
 * The simulated lab, chip side: a simulated STM32 on a board with an NRST
 * line, a BOOT0 pin and a target supply. The STM32F407 (Cortex-M4F on
 * Unicorn, SW-DP, AHB-AP, SCS debug registers, RM0090 flash controller) is
 * the default; the STM32H743 and STM32H725 (Cortex-M7, DPv2, three APs,
 * RM0433/RM0468 flash) are the other rows (SIM_CHIPS).
 *
 * This header is the lab's public API. It depends on nothing above sim/.
 * Probe firmware models (sim_probe.h) drive the chip only through the SWD
 * wire entry points and the board pins below, exactly as a real probe can.
 * The sim_chip_backdoor_* calls exist for lab set-up (pre-programmed flash,
 * --sim-image) and for the lab's own tests; swdd's probe code never uses them.
 *
 * Threading: a sim_chip and everything attached to it is single-threaded.
 * Callers that serve several threads (swdd-lab) serialise all calls.
 *
 * Time: the lab keeps a virtual clock in nanoseconds. It only moves when a
 * caller advances it (sim_chip_advance()); probe models advance it by the
 * time the USB, the probe firmware and the SWD wire would take, and the core
 * executes instructions for that time (one instruction per cycle of its
 * clock: on the F4 HCLK as its RCC is set, 16 MHz HSI after reset; 64 MHz
 * on the H7, whatever its RCC says), so flash BSY times overlap probe
 * traffic.
 */
#ifndef SWDD_SIM_H
#define SWDD_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sim_chip sim_chip;

/* Fault knobs (issue "The lab, part 1"), combinable. */
enum sim_fault {
	SIM_FAULT_NRST_PUSH_PULL = 1u << 0,    /* supervisor drives NRST: probe NRST has no effect */
	SIM_FAULT_SWD_DISABLED = 1u << 1,      /* firmware remaps SWD pins shortly after boot */
	SIM_FAULT_SIGNAL_INTEGRITY = 1u << 2,  /* above si_max_khz: protocol errors / corrupt data */
	SIM_FAULT_UNPOWERED = 1u << 3,         /* target supply at 0 V: no ACK */
	SIM_FAULT_RDP1 = 1u << 4,              /* option bytes at RDP level 1 */
	SIM_FAULT_WRP = 1u << 5,               /* wrp_sectors are write protected (nWRP = 0) */
	SIM_FAULT_WEAK_CELL = 1u << 6,         /* byte at weak_cell_addr does not program */
	SIM_FAULT_SLEEP = 1u << 7,             /* firmware sits in WFI (S_SLEEP) */
	SIM_FAULT_LOCKUP = 1u << 8,            /* firmware locks up (S_LOCKUP) */
	SIM_FAULT_NO_TARGET = 1u << 9,         /* SWD lines not connected: no ACK, voltage present */
	SIM_FAULT_WAIT_STORM = 1u << 10,       /* each AP access answers WAIT wait_storm times first */
	SIM_FAULT_VDD = 1u << 11,              /* supply set by vdd:MV (target_mv) */
	SIM_FAULT_ART_DEBUG_BYPASS = 1u << 12, /* AHB-AP reads bypass the ART data cache */
	/* STM32H7 knobs (issue "The lab, part 4"; docs/LAB-h7.md) */
	SIM_FAULT_VCAP = 1u << 13,        /* core supply cannot carry flash operations */
	SIM_FAULT_BANK_SWAP = 1u << 14,   /* SWAP_BANK set in the option bytes */
	SIM_FAULT_ECC = 1u << 15,         /* the flash word at ecc_addr has a double ECC error */
	SIM_FAULT_SUPPLY_LOCK = 1u << 16, /* wrong SMPS/LDO set-up: DP answers, AP0 never */
	SIM_FAULT_LOW_POWER = 1u << 17,   /* firmware enters D1 Stop with DBGMCU bits clear */
	SIM_FAULT_IWDG = 1u << 18,        /* firmware starts IWDG1 (512 ms) after boot */
	SIM_FAULT_FAST_ERASE = 1u << 19,  /* an erase reports EOP after 3 ms without erasing */
	/* STM32F407 only (docs/LAB-chip.md) */
	SIM_FAULT_HW_WATCHDOG = 1u << 20, /* option bytes with WDG_SW = 0: the IWDG runs from reset */
};

struct sim_config {
	const char *chip;        /* "stm32f407" (NULL = default), "stm32h743", "stm32h725" */
	uint32_t faults;         /* enum sim_fault bits */
	unsigned si_max_khz;     /* SIM_FAULT_SIGNAL_INTEGRITY threshold */
	uint32_t wrp_sectors;    /* SIM_FAULT_WRP: bit n = sector n protected */
	uint32_t weak_cell_addr; /* SIM_FAULT_WEAK_CELL address */
	unsigned wait_storm;     /* SIM_FAULT_WAIT_STORM: WAITs before each AP access completes */
	uint32_t ecc_addr;       /* SIM_FAULT_ECC address */
	unsigned max_swd_khz;    /* highest clock the wiring tolerates (0 = 50000) */
	int target_mv;           /* supply in mV (0 = 3300; forced 0 by UNPOWERED) */
	uint32_t hse_hz;         /* the board's HSE crystal, Hz (0 = 8 MHz) */
	unsigned board;          /* 0: the sample unique ID; n: its X wafer coordinate + n,
				   * so that several lab boards have distinct IDs */
};

/* Parses one knob of the `--sim-fault NAME[,NAME]` syntax into cfg:
 * nrst-push-pull, swd-disabled-by-firmware, signal-integrity:KHZ, unpowered,
 * rdp1, wrp:SECTORS (e.g. "wrp:2" or "wrp:1-3+5"), weak-cell:ADDR, sleep,
 * lockup, no-target, wait-storm:N, vdd:MV (target supply 1700-3600 mV),
 * art-debug-bypass; for the STM32F407 also hw-watchdog; for the STM32H7 also
 * vcap-fault, bank-swap, ecc:ADDR, supply-lock, low-power-no-debug, iwdg. A
 * comma-separated list is accepted too.
 * Returns 0, or -1 with a message in err. */
int sim_config_parse_faults(struct sim_config *cfg, const char *spec, char *err, size_t errlen);

/* Whether the lab's code is there to run: 0, or -1 with the reason in err.
 * Linked in (libswddsim.a: tests, swdd-lab) it always is; swdd loads the
 * lab only for --probe sim, and its loader (server/lab_dl.c) answers
 * whether libswdd-lab.so could be loaded. */
int sim_lab_check(char *err, size_t errlen);

/* The chips the lab models (names for --sim-chip / swdd-lab --chip). */
#define SIM_CHIPS "stm32f407, stm32h743, stm32h725"
/* True if `name` is one of them. */
bool sim_chip_known(const char *name);

/* Creates a chip in its power-on state (flash erased unless an image is
 * loaded through the backdoor, core held in reset until power-on completes).
 * Returns 0 or -1 with a message in err. */
int sim_chip_new(const struct sim_config *cfg, sim_chip **out, char *err, size_t errlen);
void sim_chip_free(sim_chip *c);

/* ---- SWD wire (ADIv5.2 B4) ------------------------------------------- */

enum sim_ack { SIM_ACK_OK = 1, SIM_ACK_WAIT = 2, SIM_ACK_FAULT = 4, SIM_ACK_NONE = 7 };

/* One SWD packet. `request` is the 8-bit header as sent on the wire (start,
 * APnDP, RnW, A2, A3, parity, stop, park). For writes, `data` and `parity`
 * are what the host drives; for reads the chip fills them (a corrupted read
 * under SIM_FAULT_SIGNAL_INTEGRITY has a wrong parity bit). Returns the ACK
 * as a 3-bit value (enum sim_ack, or another value for a garbled ACK). The
 * data phase happens only for an OK ACK (overrun detection is not modelled).
 * Bad request parity or framing: the target does not answer (SIM_ACK_NONE). */
struct sim_swd_packet {
	uint8_t request;
	uint32_t data;
	uint8_t parity;
};
int sim_swd_transfer(sim_chip *c, struct sim_swd_packet *pkt);

/* Clocks `nbits` bits of SWDIO out, LSB first of bits[0] (SWJ sequences:
 * line reset = >= 50 ones then idle; JTAG-to-SWD = 0xE79E after >= 50 ones). */
void sim_swd_sequence(sim_chip *c, const uint8_t *bits, unsigned nbits);
/* Convenience: >= 50 ones + 2 idle; and the full JTAG-to-SWD switch. */
void sim_swd_line_reset(sim_chip *c);
void sim_swd_jtag_to_swd(sim_chip *c);
/* The SWCLK frequency the probe drives (signal-integrity knob). */
void sim_swd_set_clock_khz(sim_chip *c, unsigned khz);

/* ---- Board ------------------------------------------------------------- */

/* The probe drives NRST low (asserted = true) or releases it. */
void sim_board_set_nrst(sim_chip *c, bool asserted);
/* The level the probe reads back on NRST (true = low). */
bool sim_board_nrst_low(const sim_chip *c);
/* Target supply in mV, as a probe's VREF ADC would see it. */
int sim_board_voltage_mv(const sim_chip *c);
/* The board's supply goes off and on: a power-on reset of the whole chip,
 * debug logic and SW-DP included (RM0090 6.1.2); flash and option bytes
 * keep their content. Works whatever drives NRST, so a board preloaded
 * through the backdoor (--sim-image) boots its image even with the
 * nrst-push-pull knob. */
void sim_board_power_cycle(sim_chip *c);
/* The board's supply is cut and stays off (a fault injected mid-operation):
 * the core is held, a running erase or program is abandoned (its sector
 * keeps what it held; silicon leaves it undefined), SWD gets no answer and
 * the probe reads 0 V. */
void sim_board_power_off(sim_chip *c);

/* A fault injected mid-operation: the firmware's independent watchdog
 * runs, with about `ms` of unfrozen time before it resets the chip
 * (STM32F407: IWDG_KR/PR/RLR written as firmware does, RM0090 21.3.2).
 * Returns 0, or -1 on a chip whose watchdog the lab does not model for
 * this (the STM32H7 rows: their `iwdg` knob). */
int sim_board_watchdog_start(sim_chip *c, unsigned ms);

/* BOOT0 pin level (STM32H7: 1 boots system memory at the next power-on or
 * reset, RM0433 2.6); F4: not modelled (ignored). */
void sim_board_set_boot0(sim_chip *c, bool high);

/* ---- Time ------------------------------------------------------------- */

uint64_t sim_chip_now_ns(const sim_chip *c);
/* Moves virtual time forward; the core runs (if not halted, sleeping or
 * locked up) and flash operations progress. */
void sim_chip_advance(sim_chip *c, uint64_t ns);

struct sim_chip_stats {
	uint64_t swd_transfers; /* packets through sim_swd_transfer */
	uint64_t sector_erases;
	uint64_t mass_erases;
	uint64_t program_ops; /* PG writes accepted by the flash controller */
	uint64_t bytes_programmed;
	uint64_t instructions; /* instructions retired by the core */
	uint64_t resets;       /* system resets (NRST, SYSRESETREQ, power-on) */
};
void sim_chip_get_stats(const sim_chip *c, struct sim_chip_stats *st);

/* ---- Lab set-up backdoor (not for swdd code) ------------------------ */

/* Writes `len` bytes into flash at absolute address `addr` as if a previous
 * programming session had left them there (--sim-image). Returns 0 or -1. */
int sim_chip_backdoor_load_flash(sim_chip *c, uint32_t addr, const void *data, size_t len);
/* Reads any mapped memory without side effects (tests only). */
int sim_chip_backdoor_read(sim_chip *c, uint32_t addr, void *buf, size_t len);

#endif
