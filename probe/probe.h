/*
 * Probe layer, public API: what targets/ and server/ use to reach a chip.
 *
 * Two levels inside probe/: a wire level (DP/AP register
 * transfers, batched; CMSIS-DAP) and a memory/core level (ST-LINK firmware
 * natively; the ADIv5 layer builds it on the wire level for the others).
 * This header is the memory/core level. Nothing outside probe/ switches on
 * the probe kind.
 *
 * All functions return 0 or a negative SWDD_E* code (common/swdd_err.h) and
 * set a detail sentence naming the cause and the fix. Every wait inside has
 * a timeout. Addresses are on AP 0 (the Cortex-M AHB-AP) unless a function
 * takes an `ap` argument.
 */
#ifndef SWDD_PROBE_H
#define SWDD_PROBE_H

#include "swdd_err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct swdd_probe;
struct sim_probe;

struct swdd_probe_info {
	char kind[32]; /* "ST-LINK/V2", "ST-LINK/V2-1", "STLINK-V3", "CMSIS-DAP v1", "CMSIS-DAP v2" */
	char serial[64];
	char firmware[48];  /* "V2J37S7", "V3J7M2"; CMSIS-DAP: "fw 1.0 protocol 2.1.0" */
	char transport[16]; /* "libusb", "hidapi", "sim" */
	uint16_t vid, pid;
	int voltage_mv; /* -1 if unknown (filled by swdd_probe_list when possible) */
};

/* ---- discovery and opening ------------------------------------------ */

/* Lists every supported probe on USB (VID:PID table plus the CMSIS-DAP
 * product/interface string rule). *out is malloc'd (free()). */
SWDD_MUST_CHECK int swdd_probe_list(struct swdd_probe_info **out, size_t *n);

/* Opens a USB probe. driver: "auto", "stlink" or "cmsis-dap"; serial: NULL
 * for "the only one". No probe, or several without a serial: SWDD_ENODEV /
 * SWDD_EBUSY with a detail that lists what was found. */
SWDD_MUST_CHECK int swdd_probe_open(const char *driver, const char *serial, struct swdd_probe **out);

/* Opens an emulated probe of the lab through the in-process transport. The
 * driver is chosen from the probe's USB identity, exactly as for USB. */
SWDD_MUST_CHECK int swdd_probe_open_sim(struct sim_probe *sp, struct swdd_probe **out);

void swdd_probe_close(struct swdd_probe *p);
const struct swdd_probe_info *swdd_probe_get_info(const struct swdd_probe *p);
/* The most status polls (command/response round trips) per millisecond
 * the probe's USB link carries in practice: 1 at full speed (one per 1 ms
 * frame, USB 2.0 5.3.3), 8 at high speed (125 us microframes). A wait that
 * must not end before the target had its time counts polls against this as
 * well as the clock (flash/algo_run.c). */
unsigned swdd_probe_polls_per_ms(const struct swdd_probe *p);
/* The bound of a wait on the target (a flash algorithm call, an option
 * change): over once the host's clock passed timeout_ms AND the wait made
 * as many polls as the probe's link carries in that time. On silicon the
 * clock decides (polls cannot outrun the bus); where the chip runs only as
 * fast as the probe talks to it (the lab) or the host is slower than the
 * chip, the chip still gets its time: a loaded host cannot cut it short.
 * swdd_wait_over counts one poll per call. */
struct swdd_wait {
	uint64_t end_ms;
	uint64_t polls_left;
};
void swdd_wait_start(struct swdd_wait *w, const struct swdd_probe *p, uint32_t timeout_ms);
bool swdd_wait_over(struct swdd_wait *w);

/* ---- connection ------------------------------------------------------- */

/* Sets the SWD clock: the highest supported frequency <= khz. */
SWDD_MUST_CHECK int swdd_probe_set_speed(struct swdd_probe *p, unsigned khz, unsigned *actual_khz);
/* The SWD clock last set in kHz (0 before the first set). */
unsigned swdd_probe_get_speed(const struct swdd_probe *p);
/* Target supply in mV; SWDD_EUNSUPPORTED if the probe cannot measure it. */
SWDD_MUST_CHECK int swdd_probe_voltage(struct swdd_probe *p, int *mv);
/* Drives NRST low (asserted) or releases it. */
SWDD_MUST_CHECK int swdd_probe_nrst(struct swdd_probe *p, bool asserted);

/* Brings SWD up: JTAG-to-SWD / line reset, DPIDR read, clears sticky errors,
 * DP power-up handshake, AP 0 initialised. On failure the error says which
 * step failed (no ACK, FAULT, power-up timeout) and the voltage if known. */
SWDD_MUST_CHECK int swdd_probe_attach(struct swdd_probe *p, uint32_t *dpidr);
/* Leaves debug mode on the probe (targets keep running). */
SWDD_MUST_CHECK int swdd_probe_detach(struct swdd_probe *p);

/* ---- memory (AP 0) --------------------------------------------------- */

/* Any address and length: the probe layer picks access widths, handles
 * unaligned heads/tails, splits at TAR-wrap and transfer-size limits. A
 * fault gives SWDD_EFAULT with the faulting address in the detail when the
 * probe reports it. */
SWDD_MUST_CHECK int swdd_probe_read_mem(struct swdd_probe *p, uint32_t addr, void *buf, size_t len);
SWDD_MUST_CHECK int swdd_probe_write_mem(struct swdd_probe *p, uint32_t addr, const void *buf, size_t len);
/* Forced access width (1, 2 or 4) for peripheral registers; addr and len
 * must be multiples of width. */
SWDD_MUST_CHECK int swdd_probe_read_mem_width(struct swdd_probe *p, uint32_t addr, void *buf, size_t len,
					      unsigned width);
SWDD_MUST_CHECK int swdd_probe_write_mem_width(struct swdd_probe *p, uint32_t addr, const void *buf,
					       size_t len, unsigned width);
SWDD_MUST_CHECK int swdd_probe_read32(struct swdd_probe *p, uint32_t addr, uint32_t *val);
SWDD_MUST_CHECK int swdd_probe_write32(struct swdd_probe *p, uint32_t addr, uint32_t val);

/* Queued 32-bit accesses: issued in as few USB round trips as possible.
 * A queued read's destination is valid only after a successful flush.
 * Errors are sticky inside the queue and surface only from swdd_probe_flush
 * (sticky errors live only inside the queue); after an error the rest of the queue is dropped. */
SWDD_MUST_CHECK int swdd_probe_queue_read32(struct swdd_probe *p, uint32_t addr, uint32_t *dst);
SWDD_MUST_CHECK int swdd_probe_queue_write32(struct swdd_probe *p, uint32_t addr, uint32_t val);
SWDD_MUST_CHECK int swdd_probe_flush(struct swdd_probe *p);

/* ---- core registers (core must be halted) ----------------------------- */

/* regsel: the ARMv7-M DCRSR REGSEL number (0-15 R0-R15, 16 xPSR, 17 MSP,
 * 18 PSP, 20 CONTROL/FAULTMASK/BASEPRI/PRIMASK, 33 FPSCR, 64-95 S0-S31).
 * ST-LINK uses READREG/WRITEREG; others use DCRSR/DCRDR with S_REGRDY
 * polling (with a timeout). */
SWDD_MUST_CHECK int swdd_probe_read_core_reg(struct swdd_probe *p, unsigned regsel, uint32_t *val);
SWDD_MUST_CHECK int swdd_probe_write_core_reg(struct swdd_probe *p, unsigned regsel, uint32_t val);
/* Several registers in as few round trips as possible. */
SWDD_MUST_CHECK int swdd_probe_read_core_regs(struct swdd_probe *p, const uint8_t *regsel, size_t n,
					      uint32_t *vals);
/* The target layer tells the probe that it has seen the core halted and
 * has not let it run, reset or step since (true), or that the core may run
 * (false; the default). While true, core register commands skip the DHCSR
 * check they otherwise make first (one ST-LINK round trip each). Whoever
 * writes DHCSR, AIRCR or NRST must clear it first. */
void swdd_probe_assume_halted(struct swdd_probe *p, bool halted);
/* The same, for a caller that has just seen the core halted (DHCSR.S_HALT,
 * or DFSR after a step) with nothing since that could resume it: a driver
 * that would spend a round trip on checking S_HALT first (ST-LINK) skips
 * that check. */
SWDD_MUST_CHECK int swdd_probe_read_core_regs_halted(struct swdd_probe *p, const uint8_t *regsel, size_t n,
						     uint32_t *vals);

/* ---- memory on another MEM-AP (multi-AP parts) ------------------------- */

/* One 32-bit word at addr on MEM-AP `ap` (ADIv5.2 C2.6), for debug
 * components that a part puts behind another AP than the core's AP 0: the
 * STM32H7 has its DBGMCU on the debug APB behind AP 2 (0xE00E1000, RM0433
 * 60.2), which answers while NRST is held and while the core's bus does
 * not. ap 0 is swdd_probe_read32/write32. The access is one word wide
 * (an APB-AP takes nothing else), with no address increment and the
 * AP's usual protection bits (an APB-AP: DbgSwEnable; an AHB-AP: data,
 * privileged, debug master). No cache or queue is involved: the word has
 * moved when the call returns. Errors: SWDD_EINVAL (ap > 255, addr not
 * word-aligned), SWDD_EFAULT (the AP or its bus faulted, naming ap and
 * addr), SWDD_EUNSUPPORTED (the probe's firmware cannot select an AP:
 * ST-LINK before V2J24; the caller may use another view of the same
 * registers through AP 0), or a transport error. */
SWDD_MUST_CHECK int swdd_probe_ap_read32(struct swdd_probe *p, unsigned ap, uint32_t addr, uint32_t *val);
SWDD_MUST_CHECK int swdd_probe_ap_write32(struct swdd_probe *p, unsigned ap, uint32_t addr, uint32_t val);

/* ---- raw DAP access (multi-AP parts) ------------------------------------ */

#define SWDD_PROBE_DP 0xFFFFU
/* port: SWDD_PROBE_DP or an APSEL; reg: register address (DP: with bank in
 * bits 7:4). */
SWDD_MUST_CHECK int swdd_probe_dap_read(struct swdd_probe *p, unsigned port, unsigned reg, uint32_t *val);
SWDD_MUST_CHECK int swdd_probe_dap_write(struct swdd_probe *p, unsigned port, unsigned reg, uint32_t val);

/* ---- statistics --------------------------------------------------------- */

struct swdd_probe_stats {
	uint64_t usb_round_trips; /* command/response exchanges */
	uint64_t usb_transfers;   /* OUT + IN transfers */
	uint64_t bytes_out, bytes_in;
};
void swdd_probe_get_stats(const struct swdd_probe *p, struct swdd_probe_stats *st);

#endif
