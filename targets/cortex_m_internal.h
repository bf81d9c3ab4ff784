/*
 * Cortex-M target layer, internal: the target object shared by the files of
 * targets/ (cortex_m*.c, connect.c, stm32/identify.c, target_xml.c), and the
 * debug register map.
 *
 * Register facts follow the ARMv7-M Architecture Reference Manual (ARM DDI
 * 0403E, part C1 "ARMv7-M Debug") and ARMv6-M (DDI 0419, part C1); v8-M
 * differences (DDI 0553) are noted where they matter.
 */
#ifndef SWDD_CORTEX_M_INTERNAL_H
#define SWDD_CORTEX_M_INTERNAL_H

#include "target.h"
#include "swdd_le.h"
#include "swdd_time.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Debug Control Block (ARMv7-M C1.6) ------------------------------ */
#define DCB_DHCSR 0xE000EDF0U
#define DCB_DCRSR 0xE000EDF4U
#define DCB_DCRDR 0xE000EDF8U
#define DCB_DEMCR 0xE000EDFCU

#define DCB_DHCSR_DBGKEY 0xA05F0000U
#define DCB_DHCSR_C_DEBUGEN (1U << 0)
#define DCB_DHCSR_C_HALT (1U << 1)
#define DCB_DHCSR_C_STEP (1U << 2)
#define DCB_DHCSR_C_MASKINTS (1U << 3)
#define DCB_DHCSR_S_REGRDY (1U << 16)
#define DCB_DHCSR_S_HALT (1U << 17)
#define DCB_DHCSR_S_SLEEP (1U << 18)
#define DCB_DHCSR_S_LOCKUP (1U << 19)
#define DCB_DHCSR_S_RETIRE_ST (1U << 24) /* sticky, cleared on read */
#define DCB_DHCSR_S_RESET_ST (1U << 25)  /* sticky, cleared on read */
#define DCB_DHCSR_STICKY (DCB_DHCSR_S_RETIRE_ST | DCB_DHCSR_S_RESET_ST)

/* The SCB and debug registers whose writes can run or reset the core
 * (ARMv7-M B3.2.2: 0xE000ED00 SCB .. 0xE000EDFF DCB). */
#define CM_SCS_CONTROL_START 0xE000ED00U
#define CM_SCS_DEBUG_END 0xE000EDFFU

#define DCB_DEMCR_VC_CORERESET (1U << 0)
#define DCB_DEMCR_TRCENA (1U << 24)

/* ---- System Control Block (ARMv7-M B3.2) ----------------------------- */
#define SCB_CPUID 0xE000ED00U
#define SCB_AIRCR 0xE000ED0CU
#define SCB_DFSR 0xE000ED30U
#define SCB_CPACR 0xE000ED88U
#define SCB_MVFR0 0xE000EF40U
#define SCB_ICIALLU 0xE000EF50U /* v7-M with caches (M7): invalidate I-cache */

#define SCB_AIRCR_VECTKEY 0x05FA0000U
#define SCB_AIRCR_VECTRESET (1U << 0) /* v7-M only */
#define SCB_AIRCR_SYSRESETREQ (1U << 2)

#define SCB_DFSR_HALTED (1U << 0)
#define SCB_DFSR_BKPT (1U << 1)
#define SCB_DFSR_DWTTRAP (1U << 2)
#define SCB_DFSR_VCATCH (1U << 3)
#define SCB_DFSR_EXTERNAL (1U << 4)
#define SCB_DFSR_ALL 0x1FU

#define SCB_CPACR_CP10_CP11 0x00F00000U

/* ---- FPB (ARMv7-M C1.11) and DWT (C1.8) ------------------------------ */
#define FPB_CTRL 0xE0002000U
#define FPB_COMP(n) (0xE0002008U + 4U * (n))
#define FPB_CTRL_ENABLE (1U << 0)
#define FPB_CTRL_KEY (1U << 1)
#define FPB_MAX_COMP 16U

#define DWT_CTRL 0xE0001000U
#define DWT_COMP(n) (0xE0001020U + 16U * (n))
#define DWT_MASK(n) (0xE0001024U + 16U * (n))
#define DWT_FUNCTION(n) (0xE0001028U + 16U * (n))
#define DWT_FUNCTION_MATCHED (1U << 24) /* cleared on read */
#define DWT_MAX_COMP 16U

/* ---- register cache: DCRSR REGSEL numbers (ARMv7-M C1.6.3) ----------- */
#define CM_REGSEL_XPSR 16U
#define CM_REGSEL_MSP 17U
#define CM_REGSEL_PSP 18U
#define CM_REGSEL_SPECIAL 20U /* CONTROL|FAULTMASK|BASEPRI|PRIMASK, packed */
#define CM_REGSEL_FPSCR 33U
#define CM_REGSEL_S0 64U
#define CM_REGSEL_MAX 96U

#define CM_TIMEOUT_MS 500
#define CM_MASKINTS_UNKNOWN -1

enum cm_core {
	CM_CORE_UNKNOWN,
	CM_CORE_M0,
	CM_CORE_M0P,
	CM_CORE_M3,
	CM_CORE_M4,
	CM_CORE_M7,
	CM_CORE_M23,
	CM_CORE_M33,
};

/* One FPB comparator as swdd programmed it. FPBv1 can break on both
 * halfwords of one word (REPLACE = 0b11), so a comparator holds a set of
 * halfwords rather than one address. */
struct cm_fpb_slot {
	bool used;
	uint32_t addr;   /* v1: word address; v2: halfword address */
	unsigned halves; /* v1: bit 0 lower halfword, bit 1 upper */
};

struct cm_dwt_slot {
	bool used;
	enum swdd_wp_type type;
	uint32_t addr, len;
};

struct cm_swbp {
	uint32_t addr;
	uint8_t orig[2];
	struct cm_swbp *next;
};

/* Flash contents cache (cortex_m_flashcache.c): lines of the chip's flash
 * read while the core is halted. */
#define CM_FC_LINES 8U
#define CM_FC_LINE 64U /* bytes, a power of two */
#define CM_FC_MAX 256U /* larger reads bypass the cache */

struct cm_fc_line {
	uint32_t addr;
	bool valid;
	uint8_t data[CM_FC_LINE];
};

struct swdd_target {
	struct swdd_probe *probe;
	struct swdd_chip_info chip;
	enum cm_core core;
	bool v6m, v8m;
	char name_buf[48];
	char *xml;

	/* run state */
	bool halted;
	int maskints;  /* C_MASKINTS as last written: 0, 1, or CM_MASKINTS_UNKNOWN */
	bool step_irq; /* let interrupts run during a step */
	bool stepping;
	bool lockup_logged, sleep_logged;
	bool reset_seen;       /* a poll saw S_RESET_ST (swdd_target_take_reset_seen) */
	uint32_t dfsr_pending; /* DFSR bits to clear with the next batch */
	struct swdd_stop stop;
	enum swdd_reset_method reset_method;
	enum swdd_connect_mode connected_mode; /* the mode that succeeded */

	/* register cache, valid for one halt */
	unsigned regs_valid; /* bit per register group (cortex_m_regs.c) */
	bool halt_fresh;     /* halt just seen, no register read since */
	uint32_t regs[CM_REGSEL_MAX];

	/* flash contents cache while halted (cortex_m_flashcache.c) */
	struct cm_fc_line fc[CM_FC_LINES];
	unsigned fc_next;  /* the slot the next miss refills */
	bool fc_suspended; /* an SCS write may have restarted the core */

	/* breakpoints and watchpoints */
	unsigned fpb_rev, fpb_num;
	bool fpb_enabled_at_connect;
	struct cm_fpb_slot fpb[FPB_MAX_COMP];
	unsigned dwt_num;
	unsigned dwt_max_mask;
	struct cm_dwt_slot dwt[DWT_MAX_COMP];
	struct cm_swbp *swbps;

	/* what we found at connect, restored at detach */
	uint32_t demcr_found;
	bool dhcsr_debugen_found;
	bool dbgmcu_saved;
	bool detached; /* debug state given back; re-armed on next use */
	uint32_t dbgmcu_cr_addr, dbgmcu_cr_set, dbgmcu_cr_found;

	/* L1 caches (Cortex-M7; cortex_m_cache.c) */
	struct {
		bool probed; /* geometry read (once per connection) */
		bool icache, dcache;
		unsigned line, ways, sets; /* D-cache geometry, from CCSIDR */
		bool ccr_valid;            /* ccr holds CCR for this halt */
		uint32_t ccr;
	} cache;
};

/* ---- cortex_m.c ------------------------------------------------------ */
int cm_read32(struct swdd_target *t, uint32_t addr, uint32_t *val);
int cm_write32(struct swdd_target *t, uint32_t addr, uint32_t val);
/* Reads DHCSR (one round trip). */
int cm_read_dhcsr(struct swdd_target *t, uint32_t *dhcsr);
/* Polls DHCSR until (dhcsr & mask) == want or timeout_ms passes; ORs the
 * sticky bits seen into *sticky when non-NULL. */
int cm_wait_dhcsr(struct swdd_target *t, uint32_t mask, uint32_t want, unsigned timeout_ms, uint32_t *dhcsr,
		  uint32_t *sticky);
/* Halts and waits; records the stop (reason from DFSR). */
int cm_halt_wait(struct swdd_target *t);
/* Records that the core is halted and decodes why, from DFSR. */
int cm_note_halted(struct swdd_target *t, uint32_t dfsr);
void cm_invalidate(struct swdd_target *t);

/* ---- cortex_m_regs.c --------------------------------------------------- */
int cm_regs_fill(struct swdd_target *t);
int cm_reg_pc(struct swdd_target *t, uint32_t *pc);

/* ---- cortex_m_flashcache.c --------------------------------------------- */
/* Drops every line (called by cm_invalidate). */
void cm_fc_invalidate(struct swdd_target *t);
/* True when a read of [addr, addr+len) may be served from the cache: the
 * core is known halted, the range is inside the main flash, len <= CM_FC_MAX. */
bool cm_fc_cacheable(const struct swdd_target *t, uint32_t addr, size_t len);
/* Reads through the cache (only where cm_fc_cacheable); a miss reads the
 * whole line from the probe. 0 or the probe's error. */
int cm_fc_read(struct swdd_target *t, uint32_t addr, uint8_t *buf, size_t len);

/* ---- cortex_m_bp.c ----------------------------------------------------- */
int cm_bp_init(struct swdd_target *t);
/* Encodings (pure; unit-tested). Return 0 or SWDD_EINVAL/EUNSUPPORTED. */
int cm_fpb_encode(unsigned rev, uint32_t addr, unsigned halves, uint32_t *comp);
int cm_dwt_encode(bool v8m, enum swdd_wp_type type, uint32_t addr, uint32_t len, unsigned max_mask,
		  uint32_t *mask, uint32_t *function);
/* Whether swdd has a breakpoint (software or FPB) at addr. */
bool cm_bp_at(const struct swdd_target *t, uint32_t addr);
/* Classifies a BKPT debug event at pc: swbreak, hwbreak or bkpt insn. */
enum swdd_stop_reason cm_bp_classify(struct swdd_target *t, uint32_t pc);
/* Finds the DWT comparator that matched (reads FUNCTION, MATCHED clears). */
int cm_dwt_matched(struct swdd_target *t, struct swdd_stop *stop);
/* Lifts/restores any breakpoint at addr around a step. */
int cm_bp_suspend(struct swdd_target *t, uint32_t addr, bool *had);
int cm_bp_restore(struct swdd_target *t, uint32_t addr);
/* Shows original instructions under our BKPTs in a memory read. */
void cm_bp_mask_read(struct swdd_target *t, uint32_t addr, void *buf, size_t len);
/* Keeps BKPTs in place across a memory write over them. */
int cm_bp_after_write(struct swdd_target *t, uint32_t addr, const void *buf, size_t len);
/* Writes FPB/DWT/DEMCR back as found. */
int cm_bp_restore_found(struct swdd_target *t);

/* ---- cortex_m_cache.c -------------------------------------------------- */
/* Cortex-M7 cache maintenance around the debugger's non-cacheable memory
 * accesses (no-ops on other cores and while CCR.IC/DC are clear). Before a
 * read: clean the D-cache over the range. Before a write: clean and
 * invalidate it. After a write: invalidate the I-cache. */
int cm_cache_before_read(struct swdd_target *t, uint32_t addr, size_t len);
int cm_cache_before_write(struct swdd_target *t, uint32_t addr, size_t len);
int cm_cache_after_write(struct swdd_target *t, uint32_t addr, size_t len);
/* CCR may have changed (the core ran, was reset, or the SCB was written). */
void cm_cache_forget(struct swdd_target *t);

/* ---- cortex_m_reset.c -------------------------------------------------- */
/* Catch the core at its reset vector: sets or clears DEMCR.VC_CORERESET. */
int cm_vc_corereset(struct swdd_target *t, bool on);
/* Checks that a halted core stands at the reset vector (logs if not). */
int cm_check_reset_vector(struct swdd_target *t);

/* ---- cortex_m_id.c ----------------------------------------------------- */
/* Reads CPUID, fills t->core/v6m/v8m, chip.core, chip.cpuid, chip.has_fpu.
 * An unknown CPUID is an error (corrupt data or not a Cortex-M). */
int cm_identify_core(struct swdd_target *t);

/* ---- stm32/identify.c -------------------------------------------------- */
/* Fills t->chip: core from CPUID, FPU, then the family and part whose
 * DBGMCU_IDCODE matches (targets/stm32/family.h), flash size, revision,
 * RDP, voltage, and the DBGMCU settings of t. Fails only when the core
 * cannot be read; an unknown part is debugged without flash support. */
int stm32_identify(struct swdd_target *t);
/* Core name and kind from a CPUID value; NULL if not a known Cortex-M. */
const char *cm_core_from_cpuid(uint32_t cpuid, enum cm_core *core);

/* ---- target_xml.c ------------------------------------------------------ */
/* Builds t->xml for the detected core. */
int cm_xml_build(struct swdd_target *t);
extern const char target_xml_arm_m_profile[];
extern const char target_xml_arm_m_system[];
extern const char target_xml_arm_vfp[];

/* ---- connect.c ----------------------------------------------------------- */
/* Saves DEMCR/DBGMCU, sets TRCENA; discovers FPB/DWT. */
int cm_debug_setup(struct swdd_target *t);
/* After a detach: sets the debug state up again before the target is used. */
int cm_rearm(struct swdd_target *t);

#endif
