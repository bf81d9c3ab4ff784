/*
 * Loader/runner for flash algorithms (FLM convention) in target SRAM.
 *
 * RAM layout from ram_base upwards:
 *   [header: BKPT #0; BKPT #0][algorithm blob (PrgCode, PrgData)]
 *   [swdd's checksum routine][canary word][stack, ALGO_STACK_SIZE bytes]
 *   [page buffers, 2 to 4]
 * The checksum routine (flashalgo/swdd_crc.c) sits in SRAM that neither the
 * algorithm's code and data, nor its stack, nor the buffers use, so any
 * FLM (a vendor's has no checksum function) gets compare, verify and qCRC
 * on the target. SWDD_FLM_CRC32 calls the algorithm's own Crc32 when it
 * has one (the built-in STM32F4 one uses the CRC unit; the routine is then
 * not loaded), else the routine.
 * Each call sets r0-r3, pc, lr = header|1 (the function returns into the
 * BKPT), and on the first call also sp, r9 = static base, xPSR = T bit,
 * PRIMASK = 1. The call is finished when the core halts on the header BKPT;
 * a halt anywhere else, a non-zero IPSR, a lockup, a dead canary or a
 * timeout is an algorithm failure, named as such.
 */
#ifndef SWDD_FLASH_ALGO_RUN_H
#define SWDD_FLASH_ALGO_RUN_H

#include "flm.h"
#include "probe.h"

#include <stdbool.h>
#include <stdint.h>

struct swdd_target;

/* Stack for the algorithm calls: swdd's own use under 200 bytes (the
 * nibble CRC table is 64); 512 bytes as probe-rs gives FLM algorithms. The
 * host saves and restores this SRAM around a session, so it stays small. */
#define ALGO_STACK_SIZE 512U
/* Page buffers: two for double buffering, more when SRAM allows, so that a
 * sector erase can hide the transfer of several pages. */
#define ALGO_MAX_BUFFERS 4U

struct swdd_algo {
	struct swdd_target *t;
	const struct swdd_flm *flm;
	uint32_t header;                    /* BKPT address (= ram_base) */
	uint32_t code;                      /* blob load address */
	const struct swdd_flm *crc_routine; /* swdd's checksum routine, or NULL */
	uint32_t crc_code;                  /* its load address */
	uint32_t crc_entry;                 /* the Crc32 that SWDD_FLM_CRC32 runs; 0 = none */
	uint32_t crc_list_entry;            /* the Crc32List beside it (SWDD_FLM_CRC32_LIST); 0 = none */
	uint32_t canary_addr;
	uint32_t stack_top;
	uint32_t buf[ALGO_MAX_BUFFERS];
	unsigned nbuf; /* 2..ALGO_MAX_BUFFERS page buffers that fit */
	uint32_t buf_size;
	int reg_primask; /* GDB register numbers found in the target XML */
	bool started;    /* a call is running (start without wait) */
	unsigned calls;  /* calls started since the load (the tests count them) */
	unsigned resets; /* swdd_target_resets_seen() when the call started */
	bool lost;       /* an unexpected reset let the firmware run: the SRAM is its own now */
	uint32_t running_fn;
	uint32_t running_timeout_ms;
	/* An erase or program call started since the flash engine last
	 * maintained the core's caches (flash.c flash_flush_caches). */
	bool array_changed;
	/* The call times out when the host's clock passed its time-out AND
	 * the probe carried as many status polls as its link can in that time
	 * (probe.h swdd_wait): on hardware the clock decides; a slow host or
	 * an emulated link, where the chip runs only as fast as the probe
	 * talks to it, cannot cut the chip's time short. */
	struct swdd_wait wait;
	uint64_t slowest_poll_ms; /* the slowest status poll of the call */
	/* The core's own count of the last sector erase call (DWT_CYCCNT,
	 * ARMv7-M C1.8.8: it counts only outside Debug state, i.e. while the
	 * call runs), for a family that checks erase times
	 * (stm32_family.core_clock): the target's time, which neither a slow
	 * nor a fast host changes. count_cycles: the counter is enabled for
	 * this session (dwt_changed: by swdd, which clears CYCCNTENA again at
	 * unload). erase_cycles_valid: erase_cycles holds the last erase. */
	bool count_cycles, dwt_changed, erase_cycles_valid;
	uint32_t dwt_ctrl_saved, cyc_start, erase_cycles;
	/* what the caller had, restored by swdd_algo_unload (STYLE point 12):
	 * the core registers and the SRAM the algorithm used */
	uint8_t *saved_regs; /* the 'g' register group */
	size_t saved_regs_len;
	uint32_t saved_primask;
	uint8_t *saved_ram; /* [header, stack_top), when saved */
	uint32_t saved_ram_len;
	/* set by a caller that resets the chip after a successful session:
	 * unload leaves the registers as the calls left them (they would be
	 * written back only to be reset) */
	bool regs_not_restored;
	/* DBGMCU watchdog freeze, restored by swdd_algo_unload */
	uint32_t fz_addr, fz_bits, fz_saved;
	bool fz_changed;
};

/* Halts the core, saves what the calls will change (the core registers,
 * and with save_ram the SRAM under the code and stack: false when the
 * caller resets the chip afterwards, as `swdd flash` does, for which that
 * SRAM is scratch like the page buffers), writes the algorithm and the
 * checksum routine
 * (crc_routine from swdd_flm_crc_routine(), NULL = none: then only an
 * algorithm with its own Crc32 can checksum) into RAM [ram_base, ram_base +
 * ram_size), freezes the watchdogs (fz_addr/fz_bits: the DBGMCU register
 * and bits that stop IWDG/WWDG while halted; 0 = none). Fails with
 * SWDD_ERANGE if the algorithm, its stack and two buffers don't fit. */
int swdd_algo_load(struct swdd_target *t, const struct swdd_flm *flm, const struct swdd_flm *crc_routine,
		   uint32_t ram_base, uint32_t ram_size, uint32_t fz_addr, uint32_t fz_bits, bool save_ram,
		   struct swdd_algo *a);
/* Restores the core registers and the SRAM under the code and stack (when
 * saved), and the DBGMCU freeze bits, so a debug session (qCRC, compare-sections) continues
 * where it was. The page buffers are scratch: programming flash overwrites
 * that SRAM, as OpenOCD and pyOCD work areas do (backing it up would cost
 * more USB time than the flash writes it serves). The core stays halted. */
int swdd_algo_unload(struct swdd_algo *a);

/* Runs fn(r0, r1, r2, r3) and waits; *result = r0. timeout_ms bounds the
 * wait. */
int swdd_algo_call(struct swdd_algo *a, enum swdd_flm_fn fn, uint32_t r0, uint32_t r1, uint32_t r2,
		   uint32_t r3, uint32_t timeout_ms, uint32_t *result);
/* Split form for double buffering: start, do other probe work, then wait. */
int swdd_algo_start(struct swdd_algo *a, enum swdd_flm_fn fn, uint32_t r0, uint32_t r1, uint32_t r2,
		    uint32_t r3, uint32_t timeout_ms);
int swdd_algo_wait(struct swdd_algo *a, uint32_t *result);
/* A call that reports its progress (SWDD_FLM_STREAM) gets a new bound,
 * counted from now, each time the host sees it move on: the time-out then
 * bounds one operation (an erase, a program run), not the whole call, and
 * counts the link's polls as swdd_algo_start's does. */
void swdd_algo_rearm(struct swdd_algo *a, uint32_t timeout_ms);
/* A transfer of the host's own between two polls of a running call (the
 * stream's data and its control words) took ms: it counts for the
 * link-stall rule as a status poll does (one slower than two USB
 * time-outs ends the wait at its bound, named as the link's stall). */
void swdd_algo_link_time(struct swdd_algo *a, uint64_t ms);
/* Ends a running call from the host's side (the host failed, or it found
 * the call's work wrong, while the call ran): halts the core. The caller
 * reports its own reason; 0 when no call runs. When the halt fails (the
 * link is down), the call stays `started`, so that swdd_algo_unload's
 * bounded wait halts the core once the link answers again. */
int swdd_algo_abort(struct swdd_algo *a);
/* One status poll of the running call, for a host that has other work
 * (writing the next page) between polls: *done = false while it runs;
 * when it has stopped, *done = true and the outcome is swdd_algo_wait's
 * (result in *result, or the failure named). The time-out counts from
 * swdd_algo_start; a poll past it ends the call as swdd_algo_wait does. */
int swdd_algo_poll(struct swdd_algo *a, bool *done, uint32_t *result);

#endif
