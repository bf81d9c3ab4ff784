/*
 * Inside the probe layer: the memory/core level ops struct and the probe
 * object. The ST-LINK driver implements the ops
 * natively (stlink.c); the ADIv5 layer implements them on top of a wire
 * level driver (adiv5.c over dap.h). probe.c dispatches the public API
 * (probe.h) through them and does what is common to every probe: argument
 * checks, unaligned heads and tails, the access queue, statistics.
 */
#ifndef SWDD_PROBE_INTERNAL_H
#define SWDD_PROBE_INTERNAL_H

#include "dap.h"
#include "probe.h"
#include "transport.h"
#include "swdd_le.h"
#include "swdd_time.h"

/* One queued 32-bit access (swdd_probe_queue_*). */
struct probe_qent {
	uint32_t addr;
	uint32_t val;  /* value to write */
	uint32_t *dst; /* read destination; NULL for a write */
};

/*
 * Contract of the memory/core level. Called only by probe.c. Every
 * function returns 0 or a negative SWDD_E* code with a detail sentence.
 * Unless noted, a function may assume attach succeeded.
 */
struct probe_mem_ops {
	/* Brings SWD up (see swdd_probe_attach). Required. */
	int (*attach)(struct swdd_probe *p, uint32_t *dpidr);
	/* Leaves debug mode. Required. */
	int (*detach)(struct swdd_probe *p);
	/* Called before attach too. Required. */
	int (*set_speed)(struct swdd_probe *p, unsigned khz, unsigned *actual);
	/* Called before attach too. Optional (NULL: SWDD_EUNSUPPORTED). */
	int (*voltage)(struct swdd_probe *p, int *mv);
	/* Called before attach too. Required. */
	int (*nrst)(struct swdd_probe *p, bool asserted);
	/* Memory on AP 0 at a fixed width (1, 2, 4): addr and len are
	 * multiples of width (probe.c guarantees it), len > 0. The driver
	 * splits at its own limits (TAR wrap, transfer sizes). A fault gives
	 * SWDD_EFAULT naming the address. Required. */
	int (*read_mem)(struct swdd_probe *p, uint32_t addr, uint8_t *buf, size_t len, unsigned width);
	int (*write_mem)(struct swdd_probe *p, uint32_t addr, const uint8_t *buf, size_t len, unsigned width);
	/* Runs a queue of 32-bit accesses in as few round trips as possible;
	 * *failed is the index of the entry that failed. Optional (NULL:
	 * probe.c runs the entries through read_mem/write_mem). */
	int (*run_queue)(struct swdd_probe *p, const struct probe_qent *q, size_t n, size_t *failed);
	/* Core registers; the core is halted (the caller's duty). Required. */
	int (*read_core_regs)(struct swdd_probe *p, const uint8_t *regsel, size_t n, uint32_t *vals);
	int (*write_core_reg)(struct swdd_probe *p, unsigned regsel, uint32_t val);
	/* Raw DP/AP register (probe.h swdd_probe_dap_read). Required. */
	int (*dap_read)(struct swdd_probe *p, unsigned port, unsigned reg, uint32_t *val);
	int (*dap_write)(struct swdd_probe *p, unsigned port, unsigned reg, uint32_t val);
	/* One 32-bit word on MEM-AP ap (swdd_probe_ap_read32): ap is 1-255
	 * (probe.c sends AP 0 to read_mem/write_mem) and addr word-aligned
	 * (probe.c checks both); reads into *val, or writes *val when wr.
	 * SWDD_EFAULT naming ap and addr; SWDD_EUNSUPPORTED when the
	 * firmware cannot select an AP. Optional (NULL: probe.c moves the
	 * word with dap_read/dap_write, probe_ap_word_raw). */
	int (*ap_word)(struct swdd_probe *p, unsigned ap, uint32_t addr, uint32_t *val, bool wr);
	/* Frees driver state (p->drv, p->adi); the transport is closed by
	 * probe.c afterwards. Optional. */
	void (*close)(struct swdd_probe *p);
};

struct adiv5;

struct swdd_probe {
	struct swdd_probe_info info;
	struct probe_transport *tr;
	const struct probe_mem_ops *mem;
	const struct dap_wire_ops *wire; /* NULL for probes without a wire level */
	void *drv;                       /* driver state */
	struct adiv5 *adi;               /* ADIv5 state over the wire level */
	struct probe_qent *queue;
	size_t queue_len, queue_cap;
	/* Set only during a swdd_probe_read_core_regs_halted() call: the
	 * caller has just seen the core halted, read_core_regs need not check. */
	bool halt_known;
	unsigned speed_khz; /* the SWD clock last set (0: not yet) */
};

/* Driver entry points, used by probe.c when opening a probe. Each fills
 * p->mem (and p->wire, p->drv), talks to the probe to read its version
 * and fills p->info.firmware. */
int stlink_open(struct swdd_probe *p);
int cmsis_dap_open(struct swdd_probe *p);

/* An AP word through raw AP registers (IDR, CSW, TAR, DRW: four round
 * trips), for probes without a native ap_word or firmware too old for it. */
int probe_ap_word_raw(struct swdd_probe *p, unsigned ap, uint32_t addr, uint32_t *val, bool wr);

#define PROBE_IDR_TYPE(idr) ((idr)&0xFU)  /* ADIv5.2 C1.2.1 IDR.Type */
#define PROBE_IDR_TYPE_APB 0x2U           /* AMBA APB2/APB3 */
#define PROBE_CSW_DBGSWENABLE 0x80000000U /* ADIv5.2 C2.6.4 CSW.DbgSwEnable */
#define PROBE_CSW_AHB_PROT 0x23000000U    /* C2.6.4 Prot: data, privileged, MasterType debug */
#define PROBE_CSW_SIZE_WORD 0x2U          /* C2.6.4 Size 32 bits, AddrInc off */

/* CSW of a one-word access on the MEM-AP whose IDR is idr (ADIv5.2 C2.6.4,
 * C1.2.1 IDR.Type): Size 32 bits, no increment; an APB-AP (Type 2) keeps
 * DbgSwEnable, an AHB/AXI-AP gets the debugger's usual data/privileged
 * HPROT with MasterType debug. */
static inline uint32_t probe_ap_csw_word(uint32_t idr)
{
	return (PROBE_IDR_TYPE(idr) == PROBE_IDR_TYPE_APB ? PROBE_CSW_DBGSWENABLE : PROBE_CSW_AHB_PROT) |
	       PROBE_CSW_SIZE_WORD;
}

/* The ADIv5 memory/core level over p->wire (adiv5.c). */
extern const struct probe_mem_ops adiv5_mem_ops;
int adiv5_new(struct swdd_probe *p);

/* Register addresses of the Cortex-M debug block (ARMv7-M C1.6). */
#define CM_DHCSR 0xE000EDF0U
#define CM_DCRSR 0xE000EDF4U
#define CM_DCRDR 0xE000EDF8U
#define CM_DHCSR_S_REGRDY (1U << 16)
#define CM_DCRSR_REGWNR (1U << 16)

#endif
