/*
 * Private interfaces between the chip-side modules of the lab:
 * sim_chip.c, sim_board.c, sim_dp.c, sim_ap.c, sim_bus.c, sim_f407.c,
 * sim_flash_f4.c, sim_crc.c and the H7 rows (sim_h7*.c, which add
 * sim_h7_internal.h). The core side (sim_core.c, sim_scs.c, sim_cache.c)
 * only sees sim_internal.h. Not for use outside sim/.
 *
 * Bus values: every read and write function below carries the accessed bytes
 * right-aligned in a uint32_t (size 1, 2 or 4), little-endian, like
 * Unicorn's MMIO callbacks. Byte-lane placement on the AHB-AP's DRW is
 * sim_ap.c's business.
 */
#ifndef SWDD_SIM_CHIP_INTERNAL_H
#define SWDD_SIM_CHIP_INTERNAL_H

#include "sim_internal.h"

/* ---- sim_flash_f4.c: RM0090 section 3 flash interface ---------------- */

/* Creates c->flash with an erased 1 MiB array and the option bytes of a
 * blank part (modified by the rdp1/wrp knobs). Returns 0 or -1. */
int sim_flash_new(sim_chip *c);
void sim_flash_free(sim_chip *c);
/* The array contents (c->flash_size bytes), the truth the Unicorn
 * mappings mirror. */
const uint8_t *sim_flash_array(const sim_chip *c);
/* Copies `len` bytes into the array as if programmed long ago (backdoor). */
void sim_flash_load(sim_chip *c, uint32_t off, const void *data, size_t len);
/* Flash interface registers at 0x40023C00, `off` = offset from there.
 * `cpu` tells whether the core (true) or the AHB-AP made the access: a
 * stall is then a WAIT for the AP and a stopped core for the CPU. */
enum sim_bus_result sim_flash_reg_read(sim_chip *c, uint32_t off, unsigned size, uint32_t *val);
enum sim_bus_result sim_flash_reg_write(sim_chip *c, uint32_t off, unsigned size, uint32_t val, bool cpu);
/* A write into the main array (offset from the flash base): the
 * programming path of RM0090 3.5.4. */
enum sim_bus_result sim_flash_array_write(sim_chip *c, uint32_t off, unsigned size, uint32_t val, bool cpu);
/* Read of the main array by the AHB-AP: FAULT under RDP level >= 1,
 * WAIT while BSY, else the bytes. */
enum sim_bus_result sim_flash_array_read(sim_chip *c, uint32_t off, unsigned size, uint32_t *val);
/* RDP level >= 1 with a debugger connected: the core's loads from the
 * array are bus errors (RM0090 3.7.3). */
bool sim_flash_core_loads_blocked(const sim_chip *c);
/* FLASH_ACR.LATENCY gives at least the wait states RM0090 3.5.1 requires
 * for HCLK (c->core_hz) at the board's supply; false: reads of the array
 * fail (see sim_flash_f4.c). */
bool sim_flash_latency_ok(const sim_chip *c);
/* The 16 bytes the option bytes show at 0x1FFFC000 (RM0090 3.6.1). */
void sim_flash_option_bytes(const sim_chip *c, uint8_t out[16]);
/* Flash interface reset (system reset): locks, reloads OPTCR from the
 * option bytes, abandons a running operation. */
void sim_flash_reset(sim_chip *c);
/* RDP level 2 was in force at the last reset: SWD is disabled. */
bool sim_flash_debug_disabled(const sim_chip *c);
/* The core must not run now: it waits on a stalled flash access, or it
 * executes from flash while an operation is in progress. */
bool sim_flash_cpu_stalled(sim_chip *c);
bool sim_flash_busy(const sim_chip *c);
/* FLASH_CR.LOCK is clear: firmware or a debugger may be programming. */
bool sim_flash_unlocked(const sim_chip *c);
/* Advances operations to c->now_ns; the next time the state changes. */
void sim_flash_tick(sim_chip *c);
uint64_t sim_flash_next_event_ns(const sim_chip *c);

/* Puts what the ART's data cache holds over the core's view of the array
 * [off, off+len) (called by sim_f407_flash_changed after it copied the
 * array there). */
void sim_flash_view_overlay(const sim_chip *c, uint8_t *view, uint32_t off, uint32_t len);
/* The core read [off, off+size) of the array: an instruction fetch (a
 * translated block, I-code) or a load (D-code); the ART fills its lines. */
void sim_flash_core_read(sim_chip *c, bool fetch, uint32_t off, unsigned size);

/* ---- sim_art_f4.c: RM0090 3.4/3.5 ART accelerator ------------------- */

struct sim_art;
struct sim_art *sim_art_new(void);
void sim_art_free(struct sim_art *a);
/* System reset: every line invalid. */
void sim_art_reset(sim_chip *c, struct sim_art *a);
/* FLASH_ACR went from old_acr to acr: DCRST while DCEN = 0 invalidates. */
void sim_art_acr_written(sim_chip *c, struct sim_art *a, uint32_t old_acr, uint32_t acr);
/* A D-code read of the array at flash offset off (size 1, 2, 4, aligned):
 * through the data cache when acr has DCEN (and the art-debug-bypass knob
 * is off). Returns the bytes right-aligned. */
uint32_t sim_art_dread(sim_chip *c, struct sim_art *a, uint32_t acr, uint32_t off, unsigned size);
/* A core fetch (fetch = true: a translated block) or load of flash
 * [off, off+size): fills lines of the cache acr enables for that bus. */
void sim_art_core_read(sim_chip *c, struct sim_art *a, uint32_t acr, bool fetch, uint32_t off, unsigned size);
/* The valid lines over view[off, off+len): instruction lines while ICEN,
 * data lines on top while DCEN. */
void sim_art_overlay(const struct sim_art *a, uint32_t acr, uint8_t *view, uint32_t off, uint32_t len);

/* ---- sim_crc.c: RM0090 section 4 CRC calculation unit ---------------- */

/* State of the unit at 0x40023000; lives in sim_f407.c's peripheral state,
 * which decodes the address and supplies the clock gate
 * (RCC_AHB1ENR.CRCEN). `off` below is the offset from 0x40023000. */
struct sim_crc {
	uint32_t dr; /* CRC_DR: the current CRC */
	uint8_t idr; /* CRC_IDR: 8-bit scratch */
};

/* Reset values (RM0090 4.4): DR 0xFFFFFFFF, IDR 0. */
void sim_crc_reset(struct sim_crc *crc);
/* Register reads and writes. Unclocked: reads 0, writes are ignored. */
void sim_crc_read(const struct sim_crc *crc, bool clocked, uint32_t off, unsigned size, uint32_t *val);
void sim_crc_write(struct sim_crc *crc, bool clocked, uint32_t off, unsigned size, uint32_t val);

/* ---- sim_rcc_f4.c: RM0090 section 7 reset and clock control ---------- */

/* Lives in sim_f407.c's peripheral state; `off` is the offset from
 * 0x40023800. */
struct sim_rcc_f4 {
	uint32_t regs[256];
	uint64_t hse_ready_ns, pll_ready_ns; /* UINT64_MAX: off or never ready */
	uint32_t pll_hz;                     /* taken at PLLON; 0: will not lock */
	unsigned sws;                        /* system clock in use: 0 HSI, 1 HSE, 2 PLL */
};

/* Reset values after a system reset from `src` (flags kept but on
 * power-on); the core back at 16 MHz HSI. */
void sim_rcc_f4_reset(sim_chip *c, struct sim_rcc_f4 *r, enum sim_reset_src src);
/* A register as stored (enable and reset bits of other peripherals). */
uint32_t sim_rcc_f4_reg(const struct sim_rcc_f4 *r, uint32_t off);
/* Register access, whole words read; `lsi_forced`: the IWDG runs. */
uint32_t sim_rcc_f4_read(sim_chip *c, struct sim_rcc_f4 *r, uint32_t off);
void sim_rcc_f4_write(sim_chip *c, struct sim_rcc_f4 *r, uint32_t off, unsigned size, uint32_t val,
		      bool lsi_forced);
/* The IWDG started: LSION set and kept (RM0090 7.3.21). */
void sim_rcc_f4_force_lsi(struct sim_rcc_f4 *r);
/* Time passed: a pending clock switch happens once its source is ready;
 * sets c->core_hz to HCLK. */
void sim_rcc_f4_tick(sim_chip *c, struct sim_rcc_f4 *r);

/* ---- sim_iwdg_f4.c: RM0090 section 21 independent watchdog ----------- */

/* Lives in sim_f407.c's peripheral state; `off` is the offset from
 * 0x40003000. */
struct sim_iwdg_f4 {
	bool running; /* started (KR 0xCCCC, or the hardware watchdog option) */
	bool access;  /* KR 0x5555: PR and RLR writable */
	uint32_t pr, rlr, counter;
	uint64_t sub_ns; /* LSI time towards the next count */
};

/* Reset state: stopped, or started when the option bytes select the
 * hardware watchdog (WDG_SW = 0). */
void sim_iwdg_f4_reset(sim_chip *c, struct sim_iwdg_f4 *w);
uint32_t sim_iwdg_f4_read(const struct sim_iwdg_f4 *w, uint32_t off);
void sim_iwdg_f4_write(struct sim_iwdg_f4 *w, uint32_t off, uint32_t val);
/* `dt_ns` of board time passed (frozen while the core is halted with
 * DBG_IWDG_STOP); true when the counter reached 0. */
bool sim_iwdg_f4_tick(sim_chip *c, struct sim_iwdg_f4 *w, uint64_t dt_ns);
/* Fault injection: the key and register writes of firmware that starts a
 * watchdog of about `ms`. */
void sim_iwdg_f4_firmware_start(struct sim_iwdg_f4 *w, uint32_t ms);

/* ---- sim_f407.c ------------------------------------------------------- */

/* The STM32F405/407 memory map (sim_chip_table's F407 row). */
extern const struct sim_soc_ops sim_f407_soc;

/* Copies the flash array range [off, off+len) into both Unicorn mappings
 * (0x08000000 and the boot alias at 0) and tells the core. */
void sim_f407_flash_changed(sim_chip *c, uint32_t off, uint32_t len);
/* Undoes what the last core store to flash left in the core's view of the
 * array (Unicorn performs "handled" stores to map_ptr memory); called
 * before flash register accesses and at the end of every run slice. */
void sim_f407_fixup(sim_chip *c);

/* ---- sim_h7.c -------------------------------------------------------- */

extern const struct sim_soc_ops sim_h7_soc;
/* The STM32H7 rows of the chip table (count in *n). */
const struct sim_chip_desc *sim_h7_chips(size_t *n);

/* ---- sim_ap.c: MEM-APs (ADIv5.2 C2) --------------------------------- */

struct sim_ap {
	const struct sim_ap_desc *desc; /* from the chip's row */
	uint32_t csw;
	uint32_t tar;
	unsigned pk_done; /* units of a packed transfer already on the bus */
	uint32_t pk_data; /* packed read data gathered so far */
};

void sim_ap_reset(struct sim_ap *ap, const struct sim_ap_desc *d);
/* One access to register `reg` (APBANKSEL:A[3:2], 0x00-0xFC) of AP `apsel`
 * of the array `aps` (SIM_MAX_APS entries, one per APSEL). WAIT leaves the
 * AP so that the same call can be retried. */
enum sim_bus_result sim_ap_read(sim_chip *c, struct sim_ap *aps, uint8_t apsel, uint8_t reg, uint32_t *val);
enum sim_bus_result sim_ap_write(sim_chip *c, struct sim_ap *aps, uint8_t apsel, uint8_t reg, uint32_t val);

/* ---- sim_dp.c ---------------------------------------------------------- */

int sim_dp_new(sim_chip *c);
void sim_dp_free(sim_chip *c);
/* Power-on state: JTAG selected, debug domain off, no stickies. */
void sim_dp_power_on(sim_chip *c);

/* ---- sim_board.c ------------------------------------------------------- */

/* The SWD pins reach a live SW-DP (supply on, wires connected, pins not
 * remapped by firmware, RDP 2 not in force). */
bool sim_board_swd_alive(const sim_chip *c);
/* SWCLK is above what the wiring (or the signal-integrity knob) allows. */
bool sim_board_swd_too_fast(const sim_chip *c);
/* Accounts `dt` ns of virtual time for the board (firmware remapping the
 * SWD pins after SIM_SWD_REMAP_NS of running). */
void sim_board_tick(sim_chip *c, uint64_t dt_ns);
/* Called on every reset that restarts the firmware. */
void sim_board_core_left_reset(sim_chip *c);

/* Time the firmware runs after reset before it remaps SWDIO/SWCLK
 * (swd-disabled-by-firmware knob). */
#define SIM_SWD_REMAP_NS 2000000ULL

#endif
