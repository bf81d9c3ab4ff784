/*
 * State of the simulated Cortex-M4F core and its debug components, shared by
 * sim_core.c (run loop, resets, register access), sim_exc.c (exception
 * entry/return, lockup), sim_scs.c (SCS, ROM table, DBGMCU, ID registers) and
 * sim_fpb_dwt.c (FPB and DWT) and sim_systick.c (SysTick, PendSV, pending
 * exceptions). Not for use outside those files.
 *
 * References: ARMv7-M Architecture Reference Manual, DDI0403E (cited as
 * "ARMv7-M"), Cortex-M4 TRM (DDI0439B), RM0090 (STM32F407).
 */
#ifndef SWDD_SIM_CORE_INTERNAL_H
#define SWDD_SIM_CORE_INTERNAL_H

#include "sim_internal.h"

/* Execution state seen through DHCSR (ARMv7-M C1.6.2). */
enum sim_core_state {
	SIM_CORE_RUNNING,
	SIM_CORE_HALTED,   /* Debug state: S_HALT */
	SIM_CORE_SLEEPING, /* WFI/WFE: S_SLEEP */
	SIM_CORE_LOCKUP,   /* unrecoverable fault: S_LOCKUP (ARMv7-M B1.5.15) */
};

/* Why a slice of uc_emu_start stopped early (set by hooks). */
enum sim_core_event {
	SIM_EV_NONE,
	SIM_EV_INTR,      /* interrupt hook: intno in ev_intno */
	SIM_EV_FPB,       /* FPB code comparator matched (before the instruction) */
	SIM_EV_DWT,       /* DWT comparator matched */
	SIM_EV_HALT_REQ,  /* the CPU wrote DHCSR.C_HALT */
	SIM_EV_SYSRESET,  /* the CPU wrote AIRCR.SYSRESETREQ */
	SIM_EV_VECTRESET, /* the CPU wrote AIRCR.VECTRESET */
	SIM_EV_PEND,      /* the CPU pended an exception (ICSR) */
	SIM_EV_BUSERR,    /* a data access got a bus error from the memory system */
	SIM_EV_RETRY,     /* a data access must wait: re-execute it later */
	SIM_EV_FETCHERR,  /* the memory system refused the fetch of the next block */
};

/* Exception numbers (ARMv7-M B1.5.2). */
#define EXC_NMI 2U
#define EXC_HARDFAULT 3U
#define EXC_MEMMANAGE 4U
#define EXC_BUSFAULT 5U
#define EXC_USAGEFAULT 6U
#define EXC_SVCALL 11U

/* DHCSR bits (ARMv7-M C1.6.2). */
#define DHCSR_KEY 0xA05F0000U
#define DHCSR_C_DEBUGEN (1U << 0)
#define DHCSR_C_HALT (1U << 1)
#define DHCSR_C_STEP (1U << 2)
#define DHCSR_C_MASKINTS (1U << 3)
#define DHCSR_C_SNAPSTALL (1U << 5)
#define DHCSR_S_REGRDY (1U << 16)
#define DHCSR_S_HALT (1U << 17)
#define DHCSR_S_SLEEP (1U << 18)
#define DHCSR_S_LOCKUP (1U << 19)
#define DHCSR_S_RETIRE_ST (1U << 24)
#define DHCSR_S_RESET_ST (1U << 25)

/* DEMCR bits (ARMv7-M C1.6.5). */
#define DEMCR_VC_CORERESET (1U << 0)
#define DEMCR_TRCENA (1U << 24)
#define DEMCR_WRITABLE 0x010F07F1U

/* DFSR bits, write one to clear (ARMv7-M C1.6.1). */
#define DFSR_HALTED (1U << 0)
#define DFSR_BKPT (1U << 1)
#define DFSR_DWTTRAP (1U << 2)
#define DFSR_VCATCH (1U << 3)
#define DFSR_EXTERNAL (1U << 4)

/* Fault status (ARMv7-M B3.2.15, B3.2.16). */
#define CFSR_IBUSERR (1U << 8)
#define CFSR_PRECISERR (1U << 9)
#define CFSR_STKERR (1U << 12)
#define CFSR_BFARVALID (1U << 15)
#define CFSR_UNDEFINSTR (1U << 16)
#define CFSR_INVSTATE (1U << 17)
#define CFSR_INVPC (1U << 18)
#define CFSR_NOCP (1U << 19)
#define CFSR_UNALIGNED (1U << 24)
#define HFSR_VECTTBL (1U << 1)
#define HFSR_FORCED (1U << 30)
#define HFSR_DEBUGEVT (1U << 31)

/* Array bounds; the chip's row gives the counts (struct sim_core_desc). */
#define FPB_NUM_CODE 8
#define FPB_NUM_COMP 10
#define DWT_NUM_COMP 4

struct sim_fpb {
	bool enable;                 /* FP_CTRL.ENABLE */
	uint32_t remap;              /* FP_REMAP */
	uint32_t comp[FPB_NUM_COMP]; /* FP_COMPn as written (reserved bits masked) */
	uc_hook hook[FPB_NUM_CODE];  /* per-comparator code hook */
	bool hooked[FPB_NUM_CODE];
	uint32_t hook_lo[FPB_NUM_CODE]; /* address the hook covers (+0..+3) */
	bool dirty;                     /* registers changed: re-install hooks */
};

struct sim_dwt {
	uint32_t ctrl; /* DWT_CTRL writable bits */
	uint32_t cyccnt;
	uint32_t comp[DWT_NUM_COMP], mask[DWT_NUM_COMP], function[DWT_NUM_COMP];
	uc_hook code_hook, mem_hook; /* installed only while a comparator is active */
	bool hooks_on;
	bool dirty;    /* registers changed: re-install hooks */
	bool data_hit; /* data match seen; stop before the next instruction */
};

/* Thumb instruction-count cache for the block hook (instructions retired). */
#define SIM_BLK_CACHE 1024
struct sim_blk_entry {
	uint32_t addr, size, n, gen;
};

struct sim_cache; /* sim_cache.c */

struct sim_core {
	enum sim_core_state state;
	struct sim_cache *cache; /* Cortex-M7 L1 caches (NULL without) */
	bool held;               /* NRST low: core in reset */
	bool boot_pending;       /* reset applied while held: fetch vectors on release */
	bool step_pending;       /* C_STEP: run one instruction, then halt */
	bool invstate_pending;   /* EPSR.T = 0: the next instruction faults (INVSTATE) */
	bool knob_fired;         /* SIM_FAULT_SLEEP/LOCKUP has taken effect */
	uint64_t boot_cycles;    /* cycles run since the core left reset */

	/* debug registers */
	uint32_t dhcsr_ctrl; /* C_* bits */
	bool s_regrdy, s_retire_st, s_reset_st;
	uint32_t dcrdr, demcr, dfsr;

	/* system control block */
	uint32_t vtor, aircr_prigroup, scr, ccr, shcsr, cfsr, hfsr, mmfar, bfar, cpacr, fpccr;
	uint32_t shpr[3];
	uint32_t systick[3];  /* CTRL, LOAD, VAL (sim_systick.c) */
	uint64_t systick_sub; /* core cycles towards the next reference tick */
	uint32_t pending;     /* bit n: exception n pending (PendSV, SysTick) */

	/* DBGMCU (RM0090 38.16) */
	uint32_t dbgmcu_cr, dbgmcu_apb1_fz, dbgmcu_apb2_fz;

	struct sim_fpb fpb;
	struct sim_dwt dwt;

	/* hooks and the current slice */
	uc_hook intr_hook, blk_hook;
	enum sim_core_event ev;
	bool stop_at_block; /* MMIO asked to stop: stop at the next block */
	uint32_t ev_intno;
	uint32_t ev_addr; /* SIM_EV_BUSERR: the faulting address */
	uint64_t slice_retired;
	uint32_t blk_addr, blk_size, blk_n;
	uint32_t blk_gen; /* bumped when code memory changes */
	struct sim_blk_entry blk_cache[SIM_BLK_CACHE];
};

/* sim_core.c: register access that hides Unicorn's privilege quirk
 * (docs/LAB-unicorn.md): works in thread mode with CONTROL.nPRIV = 1. */
uint32_t sim_core_reg(sim_chip *c, int regid);
void sim_core_set_reg(sim_chip *c, int regid, uint32_t val);
/* EPSR.T as a debugger's xPSR write sets it (ARMv7-M C1.6.3). */
void sim_core_set_epsr_t(sim_chip *c, bool t);
/* Enters Debug state for `reason` (DFSR bits). */
void sim_core_halt(sim_chip *c, uint32_t dfsr_bits);
/* Leaves Debug state (DHCSR C_HALT = 0), stepping one instruction if `step`. */
void sim_core_resume(sim_chip *c, bool step);
/* Stops the running engine before the instruction about to execute; only
 * from code and interrupt hooks. */
void sim_core_stop_engine(sim_chip *c, enum sim_core_event ev);
/* From an MMIO callback: the access completes and the engine stops at the
 * next translated block (stopping inside MMIO would re-execute the store). */
void sim_core_request_stop(sim_chip *c, enum sim_core_event ev);

/* sim_exc.c */
/* Takes a fault: picks the configurable handler or HardFault (escalation),
 * locks up when no handler path exists. `cfsr`/`hfsr` bits are recorded. */
void sim_exc_fault(sim_chip *c, uint32_t excnum, uint32_t cfsr, uint32_t hfsr, uint32_t return_pc);
/* Exception entry for a non-fault exception (SVCall). */
void sim_exc_enter(sim_chip *c, uint32_t excnum, uint32_t return_pc);
/* Exception return through EXC_RETURN (ARMv7-M B1.5.8). */
void sim_exc_return(sim_chip *c, uint32_t exc_return);
void sim_exc_lockup(sim_chip *c);

/* sim_scs.c */
void sim_scs_reset(sim_chip *c, enum sim_reset_kind kind);
uint32_t sim_scs_dhcsr_read(sim_chip *c);
uint64_t sim_ppb_mmio_read(uc_engine *uc, uint64_t off, unsigned size, void *user);
void sim_ppb_mmio_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t val, void *user);

/* sim_cache.c: Cortex-M7 L1 caches (no-ops without core.caches) */
int sim_cache_init(sim_chip *c);
void sim_cache_free(sim_chip *c);
void sim_cache_reset(sim_chip *c);
/* CCR bits the core implements beyond the M4's (DC, IC). */
uint32_t sim_cache_ccr_bits(const sim_chip *c);
/* CCR was written (old value, by the CPU or the debugger). */
void sim_cache_ccr_written(sim_chip *c, uint32_t old, bool cpu);
bool sim_cache_scs_read(sim_chip *c, uint32_t addr, uint32_t *v);
bool sim_cache_scs_write(sim_chip *c, uint32_t addr, uint32_t v);
/* Installs/removes the D-cache store hook; between slices only. */
void sim_cache_sync(sim_chip *c);
/* With the I-cache on, changed code stays as it was (true). */
bool sim_cache_keep_code(sim_chip *c, uint32_t addr, uint32_t len);

/* sim_systick.c */
uint64_t sim_systick_cycles_to_event(const sim_chip *c);
void sim_systick_advance(sim_chip *c, uint64_t cycles);
bool sim_systick_read(sim_chip *c, uint32_t addr, uint32_t *v);
bool sim_systick_write(sim_chip *c, uint32_t addr, uint32_t v);
uint32_t sim_icsr_read(sim_chip *c);
bool sim_icsr_write(sim_chip *c, uint32_t v);
bool sim_exc_take_pending(sim_chip *c);

/* sim_fpb_dwt.c */
void sim_fpb_reset(sim_chip *c);
void sim_dwt_reset(sim_chip *c);
bool sim_fpb_read(sim_chip *c, uint32_t off, uint32_t *val);
bool sim_fpb_write(sim_chip *c, uint32_t off, uint32_t val);
bool sim_dwt_read(sim_chip *c, uint32_t off, uint32_t *val);
bool sim_dwt_write(sim_chip *c, uint32_t off, uint32_t val);
/* Installs or removes the FPB/DWT hooks after their registers changed;
 * called between slices (never from inside the engine). */
void sim_fpb_dwt_sync(sim_chip *c);
/* CYCCNT: `cycles` processor cycles passed outside Debug state. */
void sim_dwt_count(sim_chip *c, uint64_t cycles);

#endif
