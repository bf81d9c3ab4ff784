/*
 * Internal structure of the simulated chip, shared by the sim/ modules.
 * Not for use outside sim/.
 *
 * A chip is a row of the chip table (struct sim_chip_desc below): core,
 * debug port, access ports, memory map and peripherals (struct
 * sim_soc_ops), flash controller (struct sim_flash_ops).
 *
 * Ownership of the address space:
 *   sim_core.c / sim_scs.c  the Unicorn engine, the core run loop, resets of
 *   (+ sim_cache.c, M7)     the core, and the whole Private Peripheral Bus
 *                           0xE0000000-0xE00FFFFF (ITM, DWT, FPB, SCS,
 *                           TPIU, ETM, ROM tables with CoreSight ID
 *                           registers; the F4's DBGMCU at 0xE0042000).
 *   the row's soc           everything else. STM32F407: sim_f407.c and
 *                           sim_flash_f4.c (flash + alias at 0, SRAM, CCM,
 *                           system memory, OTP, option bytes, peripherals,
 *                           flash interface at 0x40023C00), sim_crc.c (CRC
 *                           unit at 0x40023000). STM32H743/H725: sim_h7.c
 *                           (memory map, glue to sim_flash_h7*.c) and
 *                           sim_h7_sys.c (RCC, PWR, IWDG, DBGMCU, the debug
 *                           APB behind AP2). Both keep their memory map
 *                           as a sim_region table (sim_soc.c).
 *   sim_dp.c, sim_ap.c       SW-DP and MEM-APs; AP memory accesses go
 *                           through sim_bus_read/sim_bus_write (sim_bus.c).
 *   sim_chip.c, sim_board.c  chip table, creation, virtual time, NRST,
 *                           supply, BOOT0, fault knobs.
 */
#ifndef SWDD_SIM_INTERNAL_H
#define SWDD_SIM_INTERNAL_H

#include "sim.h"

#include <unicorn/unicorn.h>

/* Outcome of one bus access made through the AHB-AP. */
enum sim_bus_result { SIM_BUS_OK = 0, SIM_BUS_FAULT = 1, SIM_BUS_WAIT = 2 };

/* Reset kinds (ARMv7-M B1.5.5, RM0090 7.1). */
enum sim_reset_kind {
	SIM_RESET_POWER_ON, /* everything, including debug logic (DHCSR, DEMCR) */
	SIM_RESET_SYSTEM,   /* NRST or AIRCR.SYSRESETREQ: core + peripherals, not debug */
	SIM_RESET_CORE,     /* AIRCR.VECTRESET: core only (v7-M) */
};

/* What caused a system reset (the flags RM0090 7.3.21 RCC_CSR keeps). */
enum sim_reset_src {
	SIM_RST_PIN,      /* NRST driven low from outside */
	SIM_RST_POWER,    /* power-on */
	SIM_RST_SOFTWARE, /* AIRCR.SYSRESETREQ */
	SIM_RST_IWDG,     /* the independent watchdog expired */
};

struct sim_core;   /* opaque, sim_core.c */
struct sim_flash;  /* opaque, the chip's flash controller module */
struct sim_dp;     /* opaque, sim_dp.c */
struct sim_periph; /* opaque, the chip's memory-map module (RCC and other MMIO state) */

/* ---- a chip is data: the parts a row of sim_chip_table is made of ---- */

/* Which bus an access port drives (ADIv5.2 C2: a MEM-AP reaches one bus). */
enum sim_ap_port {
	SIM_AP_ABSENT = 0, /* no AP at this APSEL: IDR reads 0 (ADIv5.2 C1.2) */
	SIM_AP_SYSTEM,     /* AHB-AP of the core: PPB + the whole system bus */
	SIM_AP_D3,         /* AHB-AP into one domain only (STM32H7 D3, RM0433 3.1) */
	SIM_AP_DEBUG_APB,  /* APB-AP on the system debug bus (RM0433 60.2) */
};

/* Flags of one bus access made through an AP. */
#define SIM_BUS_CACHEABLE 1u /* CSW.Prot HPROT[3]: the access looks up the core's D-cache */

struct sim_ap_desc {
	enum sim_ap_port port;
	uint32_t idr, base, cfg; /* ADIv5.2 C2.6 IDR, BASE, CFG */
	uint32_t tar_wrap;       /* TAR bits that auto-increment (0xFFF: 4 KiB, C2.2.2) */
	uint32_t csw_reset;      /* CSW after power-on */
	bool word_only;          /* APB-AP: only 32-bit accesses (Size RO = 0b010) */
};

#define SIM_MAX_APS 4

/* Debug port (ADIv5.2 B2.2): DPv1 has no TARGETID/DLPIDR. */
struct sim_dp_desc {
	uint32_t dpidr;
	unsigned version;  /* DPIDR.VERSION: 1 or 2 */
	uint32_t targetid; /* DPv2 only (B2.2.11) */
	uint32_t dlpidr;   /* DPv2 only (B2.2.5) */
};

/* The core and its debug components (ARMv7-M C1, the core's TRM). */
struct sim_core_desc {
	int uc_model;                    /* UC_CPU_ARM_CORTEX_M4 / _M7 */
	uint32_t cpuid;                  /* B3.2.3 */
	unsigned fpb_code, fpb_lit;      /* FPB comparators (C1.11.3) */
	unsigned fpb_rev;                /* FP_CTRL.REV: 0 = FPBv1, 1 = FPBv2 */
	unsigned dwt_comp;               /* DWT_CTRL.NUMCOMP (C1.8.7) */
	uint32_t mvfr0, mvfr1, mvfr2;    /* B4.1.3 media and FP feature registers */
	bool caches;                     /* Cortex-M7 L1 I/D caches and their maintenance registers */
	bool scs_reset_window;           /* while the core is in reset only the M7's reset-domain
				      SCS registers answer (see sim_scs.c) */
	unsigned icache_kib, dcache_kib; /* with caches */
	uint32_t cache_lo, cache_hi;     /* D-cacheable window the store hook covers */
	uint32_t rom_base;               /* the core's ROM table (AP0 BASE) */
	uint16_t rom_partno;             /* its PIDR part number: DEV_ID on the F4 */
};

/*
 * The memory map and peripherals of a chip family (sim_f407.c, sim_h7.c).
 * Every entry is mandatory unless marked optional. All are called on the
 * lab thread with the chip's state consistent.
 */
struct sim_soc_ops {
	/* Creates c->periph and c->flash, maps the memory map into c->uc and
	 * sets c->flash_ops. Called once by sim_chip_new() after the core.
	 * Returns 0, or -1 with err filled (then free() is still called). */
	int (*map)(sim_chip *c, char *err, size_t errlen);
	void (*free)(sim_chip *c);
	/* An AP's access outside the PPB (port: SIM_AP_SYSTEM or SIM_AP_D3,
	 * flags: SIM_BUS_*). Decodes the address; FAULT for a hole. */
	enum sim_bus_result (*mem_read)(sim_chip *c, enum sim_ap_port port, uint32_t addr, unsigned size,
					uint32_t *val, unsigned flags);
	enum sim_bus_result (*mem_write)(sim_chip *c, enum sim_ap_port port, uint32_t addr, unsigned size,
					 uint32_t val, unsigned flags);
	/* Optional: the system debug APB (SIM_AP_DEBUG_APB). NULL: no such bus. */
	enum sim_bus_result (*apb_read)(sim_chip *c, uint32_t addr, uint32_t *val);
	enum sim_bus_result (*apb_write)(sim_chip *c, uint32_t addr, uint32_t val);
	/* Peripheral reset (system reset, NRST asserted). */
	void (*periph_reset)(sim_chip *c);
	/* Side-effect-free read of any mapped address outside the PPB (tests). */
	int (*peek)(sim_chip *c, uint32_t addr, void *buf, size_t len);
	/* Brackets sim_core_run (deferred code-cache work, see sim_f407.c). */
	void (*engine_running)(sim_chip *c, bool running);
	/* Backdoor: bytes into the flash at an absolute address. 0 or -1. */
	int (*load_flash)(sim_chip *c, uint32_t addr, const void *data, size_t len);
	/* Optional: `dt` ns of board time passed (family fault knobs). */
	void (*tick)(sim_chip *c, uint64_t dt_ns);
	/* Optional: the AP may not reach port's bus now (e.g. AP0 of an H7
	 * while NRST is low): its accesses fault. */
	bool (*port_dead)(const sim_chip *c, enum sim_ap_port port);
	/* Optional: where the core fetches its vector table at reset (VTOR's
	 * reset value; NULL = 0, the F4's boot alias). */
	uint32_t (*boot_address)(sim_chip *c);
	/* Optional: a power-on reset begins (before the peripheral reset). */
	void (*power_on)(sim_chip *c);
	/* Optional: the BOOT0 pin (NULL: not modelled). */
	void (*set_boot0)(sim_chip *c, bool high);
	/* Optional: fills the flash counters of *st (sector_erases,
	 * mass_erases, program_ops, bytes_programmed) from a flash module that
	 * keeps its own (NULL: the module counts in c->stats). */
	void (*flash_stats)(const sim_chip *c, struct sim_chip_stats *st);
	/* Optional (fault injection): the firmware's independent watchdog
	 * starts with about `ms` before it expires. NULL: not modelled. */
	void (*watchdog_start)(sim_chip *c, uint32_t ms);
};

/*
 * A flash controller as the run loop sees it (sim_flash_f4.c behind
 * sim_f407.c; the H7 module behind sim_h7.c). All mandatory.
 */
struct sim_flash_ops {
	void (*tick)(sim_chip *c);                    /* advance operations to c->now_ns */
	uint64_t (*next_event_ns)(const sim_chip *c); /* UINT64_MAX when idle */
	bool (*busy)(const sim_chip *c);              /* an operation is in progress */
	bool (*unlocked)(const sim_chip *c);          /* firmware or a debugger may be programming */
	bool (*cpu_stalled)(sim_chip *c);             /* the core must not run now */
	bool (*debug_disabled)(const sim_chip *c);    /* RDP level 2 in force: SWD disabled */
};

struct sim_chip_desc {
	const char *name;
	uint32_t dbgmcu_idcode; /* DBGMCU_IDCODE: REV_ID << 16 | DEV_ID */
	uint32_t flash_base, flash_size;
	uint16_t flash_size_kib; /* value of the flash-size register */
	unsigned flash_sectors;  /* sectors the wrp knob may name */
	uint8_t uid[12];         /* the 96-bit unique ID */
	struct sim_core_desc core;
	struct sim_dp_desc dp;
	struct sim_ap_desc aps[SIM_MAX_APS];
	const struct sim_soc_ops *soc;
	const void *family; /* the soc's own per-part data (e.g. struct sim_h7_part) */
};

struct sim_chip {
	uc_engine *uc;
	struct sim_config cfg;
	const struct sim_chip_desc *desc;
	uint64_t now_ns;
	uint32_t core_hz;             /* the core's clock: HCLK from the F4's RCC; 64 MHz H7 */
	enum sim_reset_src reset_src; /* source of the system reset in progress */
	uint64_t cycle_debt;          /* sub-cycle remainder of advanced time, ns x Hz */
	struct sim_chip_stats stats;

	/* board */
	bool nrst_probe_low;      /* probe drives NRST low */
	bool nrst_supervisor_low; /* supervisor drives it (push-pull fault) */
	unsigned swd_khz;
	uint64_t boot_ns;       /* time the core last left reset */
	bool swd_pins_remapped; /* SIM_FAULT_SWD_DISABLED took effect */
	bool halted_since_boot; /* core halted before the remap moment: no remap */

	/* chip identity (copied from the desc) */
	uint32_t dbgmcu_idcode;
	uint32_t cpuid;
	uint32_t flash_base, flash_size;
	uint16_t flash_size_kib;
	uint8_t uid[12];

	struct sim_core *core;
	struct sim_flash *flash;
	const struct sim_flash_ops *flash_ops;
	struct sim_dp *dp;
	struct sim_periph *periph;
};

/* ---- provided by sim_core.c / sim_scs.c ----------------------------- */

/* Creates c->uc (Cortex-M4 model, see docs/LAB-unicorn.md), maps the PPB as MMIO
 * and installs the core's hooks. Called once by sim_chip_new() before
 * sim_f407_map(). Returns 0 or -1 with err filled. */
int sim_core_init(sim_chip *c, char *err, size_t errlen);
void sim_core_free(sim_chip *c);
/* Runs up to `cycles` cycles (if the core is running); returns the cycles
 * consumed (== cycles unless halted/sleeping/locked, in which case time
 * still passes: the caller always advances time by the full amount). */
uint64_t sim_core_run(sim_chip *c, uint64_t cycles);
/* Applies a reset to the core (and debug logic for POWER_ON). Sets
 * S_RESET_ST, reloads SP/PC from the vector table, honours VC_CORERESET. */
void sim_core_reset(sim_chip *c, enum sim_reset_kind kind);
/* While held (NRST low) the core does not run; on release it restarts. */
void sim_core_hold_reset(sim_chip *c, bool held);
bool sim_core_halted(const sim_chip *c);
/* Debug (AP) access to the PPB. size 1/2/4; addr within 0xE0000000-0xE00FFFFF. */
enum sim_bus_result sim_ppb_read(sim_chip *c, uint32_t addr, unsigned size, uint32_t *val);
enum sim_bus_result sim_ppb_write(sim_chip *c, uint32_t addr, unsigned size, uint32_t val);
/* From a memory hook of the chip model: the core's data access at `addr`
 * gets a bus error (a precise BusFault with BFAR, ARMv7-M B3.2.15), or must
 * wait and be executed again later (retry; the caller keeps the core
 * stalled meanwhile). The engine stops before the next instruction. */
void sim_core_data_bus_error(sim_chip *c, uint32_t addr);
void sim_core_data_retry(sim_chip *c);
/* From a block hook: the memory system refuses the fetch of the block
 * about to run (an IBUSERR BusFault on its first instruction). */
void sim_core_fetch_bus_error(sim_chip *c);
/* Tells the core that code memory changed (flush Unicorn's code cache). */
void sim_core_code_changed(sim_chip *c, uint32_t addr, uint32_t len);

/* ---- provided by sim_chip.c (dispatch to c->desc->soc / c->flash_ops) */

enum sim_bus_result sim_mem_read(sim_chip *c, enum sim_ap_port port, uint32_t addr, unsigned size,
				 uint32_t *val, unsigned flags);
enum sim_bus_result sim_mem_write(sim_chip *c, enum sim_ap_port port, uint32_t addr, unsigned size,
				  uint32_t val, unsigned flags);
void sim_periph_reset(sim_chip *c);

/* Fills [base, base+size) of the core's memory with `byte` (reset values
 * of RAM-like peripheral space, erased system memory). sim_chip.c. */
void sim_mem_fill(sim_chip *c, uint32_t base, uint32_t size, uint8_t byte);

/* ---- provided by sim_chip.c / sim_board.c --------------------------- */

/* A system reset from any source (NRST release, SYSRESETREQ): resets
 * peripherals and the core; counts it in stats. sim_chip_system_reset is
 * a pin reset; the peripheral reset sees `src` in c->reset_src. */
void sim_chip_system_reset(sim_chip *c);
void sim_chip_system_reset_by(sim_chip *c, enum sim_reset_src src);
/* The DBGMCU_APB1_FZ register (RM0090 38.16.4; sim_scs.c). */
uint32_t sim_dbgmcu_apb1_fz(const sim_chip *c);
/* The board's HSE crystal, Hz (sim_board.c; 0: none fitted). */
uint32_t sim_board_hse_hz(const sim_chip *c);

/* ---- provided by sim_cache.c (Cortex-M7 D-cache, see there) ---------- */

/* A non-cacheable debugger access to a line the core holds dirty in its
 * D-cache reaches memory, not the core's view: these serve it from the
 * memory copy (true) or leave it to the caller (false). */
bool sim_cache_mem_read(sim_chip *c, uint32_t addr, unsigned size, uint32_t *val);
bool sim_cache_mem_write(sim_chip *c, uint32_t addr, unsigned size, uint32_t val);

/* ---- provided by sim_bus.c ---------------------------------------------- */

/* AP-side bus access: decodes PPB vs the rest; applies RDP and stall rules. */
enum sim_bus_result sim_bus_read(sim_chip *c, enum sim_ap_port port, uint32_t addr, unsigned size,
				 uint32_t *val, unsigned flags);
enum sim_bus_result sim_bus_write(sim_chip *c, enum sim_ap_port port, uint32_t addr, unsigned size,
				  uint32_t val, unsigned flags);

#endif
