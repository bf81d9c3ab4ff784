/*
 * Wire level of the probe layer (the wire level below the memory level): DP and AP register
 * transfers, batched. CMSIS-DAP speaks this natively (cmsis_dap.c); the
 * ADIv5 layer (adiv5.c) builds the memory/core level on it.
 *
 * Posted AP reads (ADIv5.2 B4.2.2) are the wire driver's business: a read
 * transfer delivers its own register's value, as the CMSIS-DAP firmware
 * presents it (CMSIS-DAP documentation, DAP_Transfer).
 */
#ifndef SWDD_PROBE_DAP_H
#define SWDD_PROBE_DAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct swdd_probe;

/* Request bits of one transfer; the same layout as the CMSIS-DAP transfer
 * request byte and bits 1-4 of the SWD packet header (ADIv5.2 B4.2.1). */
#define DAP_REQ_AP 0x01U
#define DAP_REQ_RD 0x02U
#define DAP_REQ_A(reg) ((reg)&0x0CU) /* A3:A2 from a register offset */

/* DP registers (ADIv5.2 B2.2, ARM IHI0031 B2.2). */
#define DP_DPIDR 0x0U
#define DP_ABORT 0x0U
#define DP_CTRL_STAT 0x4U
#define DP_SELECT 0x8U
#define DP_RDBUFF 0xCU
#define DP_ABORT_DAPABORT 0x01U
#define DP_ABORT_ALL_CLR 0x1EU /* STKCMPCLR | STKERRCLR | WDERRCLR | ORUNERRCLR */
#define DP_CTRL_STAT_STICKYERR (1U << 5)
#define DP_CTRL_STAT_CDBGPWRUPREQ (1U << 28)
#define DP_CTRL_STAT_CDBGPWRUPACK (1U << 29)
#define DP_CTRL_STAT_CSYSPWRUPREQ (1U << 30)
#define DP_CTRL_STAT_CSYSPWRUPACK (1U << 31)

/* One transfer. data: the value to write, or the match value; dst: where a
 * read stores its value (may be NULL to discard). */
struct dap_xfer {
	uint8_t req;
	uint32_t data;
	uint32_t *dst;
};

/*
 * Contract of a wire-level driver. Called by adiv5.c only. All functions
 * return 0 or a negative SWDD_E* code with a detail sentence.
 */
struct dap_wire_ops {
	/* Selects SWD on the probe (DAP_Connect or equivalent), configures
	 * transfer retries, then sends JTAG-to-SWD and a line reset
	 * (ADIv5.2 B5.2.2). The next transfer the caller makes must be a DPIDR
	 * read. Required. */
	int (*swd_reset)(struct swdd_probe *p);
	/* Runs n transfers in order, batched into as few USB packets as the
	 * probe allows. Stops at the first transfer that does not complete;
	 * *done counts the transfers that completed (reads in it have filled
	 * their dst). Errors: SWDD_EWAIT (WAIT beyond the retries; the driver
	 * has written DP ABORT.DAPABORT), SWDD_EFAULT (FAULT; the driver has
	 * cleared the sticky errors with DP ABORT), SWDD_ENOTARGET (no ACK),
	 * SWDD_EPROTO (parity), or a transport error. Required. */
	int (*transfer)(struct swdd_probe *p, const struct dap_xfer *x, size_t n, size_t *done);
	/* SWD clock: the highest frequency <= khz; *actual what was set. Required. */
	int (*set_clock)(struct swdd_probe *p, unsigned khz, unsigned *actual);
	/* Drives nRESET low (asserted) or releases it. Required. */
	int (*nrst)(struct swdd_probe *p, bool asserted);
	/* Target voltage in mV. Optional (NULL: SWDD_EUNSUPPORTED). */
	int (*voltage)(struct swdd_probe *p, int *mv);
	/* Leaves SWD (DAP_Disconnect). Optional. */
	int (*disconnect)(struct swdd_probe *p);
};

#endif
