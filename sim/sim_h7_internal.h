/*
 * Private interfaces of the STM32H7 chip model: sim_h7.c (rows of the chip
 * table, memory map, bus decoding, the flash module's glue) and
 * sim_h7_sys.c (RCC, PWR, DBGMCU, IWDG, the system debug APB behind AP2
 * and the H7 board knobs). Not for use outside these files.
 */
#ifndef SWDD_SIM_H7_INTERNAL_H
#define SWDD_SIM_H7_INTERNAL_H

#include "sim_chip_internal.h"
#include "sim_flash_h7.h"
#include "sim_soc.h"

/* The parts of one H7 row that only the H7 model reads. */
struct sim_h7_part {
	const struct sim_flash_h7_params *flash;
	uint32_t axi_size;                           /* AXI SRAM at 0x24000000 */
	uint32_t sram1_size, sram2_size, sram3_size; /* D2 SRAMs, contiguous at 0x30000000 */
	uint32_t sram4_size;                         /* D3 SRAM4 at 0x38000000 */
	/* PWR_CR3 supply configuration (RM0433 6.8.4 / RM0468 6.8.4): reset
	 * value, the bits that select the supply, the value the board (wired
	 * for the LDO) needs, and what the supply-lock firmware writes. */
	uint32_t cr3_reset, cr3_supply_mask, cr3_board_ok, cr3_wrong;
};

/* System peripherals (sim_h7_sys.c). */
struct sim_h7_sys {
	uint32_t rcc[256];
	uint32_t pwr[64];
	uint32_t cr3;                     /* PWR_CR3 (reset by power-on only) */
	uint32_t dbgmcu_cr, dbgmcu_fz[8]; /* CR; APB3FZ1 .. APB4FZ2 at 0x34-0x58 */
	bool iwdg_running;
	uint64_t iwdg_left_ns; /* until the watchdog resets the chip */
	uint64_t run_ns;       /* the firmware ran this long since the last reset */
	bool d1_stopped;       /* low-power-no-debug: D1 in Stop, AP0 dead until a reset */
	bool boot0;            /* BOOT0 pin high */
	bool supply_locked;    /* no valid VCORE since a PWR_CR3 write: only a power-on helps */
	bool cr3_written;      /* PWR_CR3 supply bits written once since power-on */
};

struct sim_periph {
	const struct sim_h7_part *part;
	struct sim_flash_h7 *flash;
	struct sim_view view; /* what the core sees of the flash */
	bool cpu_pending;     /* a core write of FLASH_CR waits for the bank */
	bool read_hooked;     /* core flash loads go through the module */
	uc_hook read_hook;
	bool cpu_read_wait; /* a core load of a busy bank waits */
	uint32_t pend_off, pend_val;
	unsigned pend_size;
	struct sim_h7_sys sys;
};

#define SIM_H7_RCC_BASE 0x58024400u /* RM0433 2.3.2 table 8 */
#define SIM_H7_PWR_BASE 0x58024800u
#define SIM_H7_IWDG1_BASE 0x58004800u
#define SIM_H7_APBD_SYS 0x5C000000u    /* the debug APB as AP0 sees it (RM0433 2.3.2) */
#define SIM_H7_APBD_DBGMCU 0xE00E1000u /* the same registers on AP2 */

/* sim_h7_sys.c */
void sim_h7_sys_reset(sim_chip *c, bool power_on);
/* Registers of the pages sim_h7_sys.c owns (RCC/PWR page 0x58024000,
 * IWDG1, the debug APB's view 0x5C000000-0x5C00FFFF with DBGMCU at
 * 0x5C001000); addr absolute. */
bool sim_h7_sys_read(sim_chip *c, uint32_t addr, unsigned size, uint32_t *val);
bool sim_h7_sys_write(sim_chip *c, uint32_t addr, unsigned size, uint32_t val);
enum sim_bus_result sim_h7_apb_read(sim_chip *c, uint32_t addr, uint32_t *val);
enum sim_bus_result sim_h7_apb_write(sim_chip *c, uint32_t addr, uint32_t val);
void sim_h7_sys_tick(sim_chip *c, uint64_t dt_ns);
bool sim_h7_port_dead(const sim_chip *c, enum sim_ap_port port);
/* The core cannot run: supply-lock or D1 Stop (low-power-no-debug). */
bool sim_h7_core_stopped(const sim_chip *c);
void sim_h7_set_boot0(sim_chip *c, bool high);

#endif
