/*
 * ADIv5 layer internals, shared by adiv5.c (queue, raw access, ops),
 * adiv5_attach.c (SWD bring-up, power-up, AP discovery) and adiv5_mem.c
 * (MEM-AP transfers, core registers). Arm IHI 0031 (ADIv5.2).
 */
#ifndef SWDD_PROBE_ADIV5_H
#define SWDD_PROBE_ADIV5_H

#include "probe_internal.h"

/* MEM-AP registers (ADIv5.2 C2.6, ARM IHI0031 C2.6). */
#define MEM_AP_CSW 0x00U
#define MEM_AP_TAR 0x04U
#define MEM_AP_DRW 0x0CU
#define MEM_AP_BD0 0x10U /* BD0-BD3: 0x10-0x1C */
#define MEM_AP_BASE 0xF8U
#define MEM_AP_IDR 0xFCU
#define MEM_AP_CSW_SIZE_8 0x0U
#define MEM_AP_CSW_SIZE_16 0x1U
#define MEM_AP_CSW_SIZE_32 0x2U
#define MEM_AP_CSW_ADDRINC_SINGLE (1U << 4)
/* HPROT: data, privileged; MasterType debug (ARM IHI0031 C2.6: the usual
 * Cortex-M AHB-AP value 0x23000052 without the read-only DeviceEn). */
#define MEM_AP_CSW_PROT_DEFAULT 0x23000000U
/* Cortex-M3/M4 AHB-AP: TAR auto-increment wraps at 4 KiB, not 1 KiB. */
#define MEM_AP_IDR_CM3_CM4_AHB 0x24770011U

#define ADIV5_MAX_APS 8U
#define ADIV5_NO_ADDR 0xFFFFFFFFU
/* Queued memory per flush: bounds the scratch buffer of word values. */
#define ADIV5_CHUNK 16384U

struct adiv5 {
	struct dap_xfer *q;
	uint32_t *qaddr; /* memory address per queued transfer */
	size_t qn, qcap;
	int sticky;       /* first error while queueing */
	uint32_t scratch; /* destination of discarded reads */

	uint32_t select, csw, tar;
	bool select_valid, csw_valid, tar_valid;

	uint32_t dpidr;
	uint32_t idr[ADIV5_MAX_APS];
	unsigned n_aps;
	uint32_t tar_wrap; /* 1024 or 4096 for AP 0 */
	uint32_t words[ADIV5_CHUNK / 4];
};

void adiv5_invalidate(struct adiv5 *a);
void adiv5_q(struct adiv5 *a, uint8_t req, uint32_t data, uint32_t *dst, uint32_t addr);
void adiv5_q_dp(struct adiv5 *a, bool rd, unsigned reg, uint32_t data, uint32_t *dst);
void adiv5_q_ap(struct adiv5 *a, unsigned ap, bool rd, unsigned reg, uint32_t data, uint32_t *dst,
		uint32_t addr);
/* Runs the queue; *failed (may be NULL) is the index of the failing
 * transfer. Resets the queue and its sticky error. */
int adiv5_flush(struct swdd_probe *p, size_t *failed);

/* AP 0 memory accesses through the CSW/TAR cache. */
void adiv5_q_mem32(struct adiv5 *a, bool rd, uint32_t addr, uint32_t data, uint32_t *dst);

int adiv5_attach(struct swdd_probe *p, uint32_t *dpidr);
int adiv5_read_mem(struct swdd_probe *p, uint32_t addr, uint8_t *buf, size_t len, unsigned width);
int adiv5_write_mem(struct swdd_probe *p, uint32_t addr, const uint8_t *buf, size_t len, unsigned width);
int adiv5_run_queue(struct swdd_probe *p, const struct probe_qent *q, size_t n, size_t *failed);
int adiv5_read_core_regs(struct swdd_probe *p, const uint8_t *regsel, size_t n, uint32_t *vals);
int adiv5_write_core_reg(struct swdd_probe *p, unsigned regsel, uint32_t val);

#endif
