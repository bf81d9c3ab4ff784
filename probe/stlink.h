/*
 * ST-LINK driver internals, shared by stlink.c (version, modes, attach,
 * clock, pins, registers) and stlink_mem.c (memory commands). Facts from
 * docs/STLINK-PROTOCOL.md (OpenOCD stlink_usb.c, pyOCD, stlink-org).
 */
#ifndef SWDD_PROBE_STLINK_H
#define SWDD_PROBE_STLINK_H

#include "probe_internal.h"

#define STLINK_CMD_SIZE 16U
#define STLINK_DATA_SIZE 6144U /* firmware buffer: limit of 16/32-bit memory commands */

/* Command classes and DEBUG sub-commands (docs/STLINK-PROTOCOL.md §3). */
#define STLINK_GET_VERSION 0xF1U
#define STLINK_DEBUG 0xF2U
#define STLINK_DFU 0xF3U
#define STLINK_SWIM 0xF4U
#define STLINK_GET_CURRENT_MODE 0xF5U
#define STLINK_GET_TARGET_VOLTAGE 0xF7U
#define STLINK_GET_VERSION_EX 0xFBU
#define STLINK_DFU_EXIT 0x07U
#define STLINK_SWIM_EXIT 0x01U
#define STLINK_DEBUG_EXIT 0x21U
#define STLINK_DEBUG_APIV2_ENTER 0x30U
#define STLINK_DEBUG_ENTER_SWD 0xA3U
#define STLINK_DEBUG_READ_IDCODES 0x31U
#define STLINK_DEBUG_READREG 0x33U
#define STLINK_DEBUG_WRITEREG 0x34U
#define STLINK_DEBUG_WRITEDEBUGREG 0x35U
#define STLINK_DEBUG_READDEBUGREG 0x36U
#define STLINK_DEBUG_DRIVE_NRST 0x3CU
#define STLINK_DEBUG_GETLASTRWSTATUS 0x3BU
#define STLINK_DEBUG_GETLASTRWSTATUS2 0x3EU
#define STLINK_DEBUG_SWD_SET_FREQ 0x43U
#define STLINK_DEBUG_READ_DAP_REG 0x45U
#define STLINK_DEBUG_WRITE_DAP_REG 0x46U
#define STLINK_DEBUG_READMEM_16BIT 0x47U
#define STLINK_DEBUG_WRITEMEM_16BIT 0x48U
#define STLINK_DEBUG_INIT_AP 0x4BU
#define STLINK_DEBUG_READMEM_32BIT 0x07U
#define STLINK_DEBUG_WRITEMEM_32BIT 0x08U
#define STLINK_DEBUG_READMEM_8BIT 0x0CU
#define STLINK_DEBUG_WRITEMEM_8BIT 0x0DU
#define STLINK_DEBUG_SET_COM_FREQ 0x61U
#define STLINK_DEBUG_GET_COM_FREQ 0x62U

#define STLINK_STATUS_OK 0x80U

/* Features gated by firmware version (docs/STLINK-PROTOCOL.md §5). */
enum stlink_feature {
	STLINK_F_VOLTAGE = 1u << 0,
	STLINK_F_RWSTATUS2 = 1u << 1, /* also READREG of FPU registers */
	STLINK_F_SWD_FREQ = 1u << 2,
	STLINK_F_DAP_REG = 1u << 3,
	STLINK_F_MEM16 = 1u << 4,
	STLINK_F_INIT_AP = 1u << 5,
	STLINK_F_CSW = 1u << 6,
	STLINK_F_COM_FREQ = 1u << 7, /* V3 only */
	STLINK_F_MEM8_512 = 1u << 8, /* V3 J6: 8-bit transfers up to 512 bytes */
	STLINK_F_RW_MISC = 1u << 9,  /* V2J32 / V3J2: RW_MISC_OUT/IN queues */
};

struct stlink {
	unsigned hw, jtag, swim, msc, bridge;
	uint32_t features;
	unsigned mem8_max;
	uint32_t tar_wrap;   /* 1 KiB, or 4 KiB on Cortex-M3/M4 */
	uint8_t ap_open[32]; /* APs opened with INIT_AP (J28+), one bit each */
	bool nrst_asserted;  /* what the host last asked for NRST */
	uint8_t mem_ap;      /* AP of the memory commands: 0, or another during stlink_ap_word */
	uint8_t cmd[STLINK_CMD_SIZE];
	uint8_t buf[STLINK_DATA_SIZE + 16];
};

static inline struct stlink *stlink_of(struct swdd_probe *p)
{
	return p->drv;
}

/* Starts a command in s->cmd: zeroed, class and sub-command set. */
uint8_t *stlink_cmd(struct stlink *s, uint8_t cls, uint8_t sub);
/* Sends s->cmd and reads exactly rlen reply bytes into s->buf. */
int stlink_xfer(struct swdd_probe *p, size_t rlen);
/* Sends s->cmd, reads a reply of rlen bytes whose byte 0 is a status, and
 * retries WAIT with a bounded back-off. `what` names the command. */
int stlink_cmd_status(struct swdd_probe *p, size_t rlen, const char *what);
/* Maps a status byte to an error with a sentence. */
int stlink_status_error(struct swdd_probe *p, uint8_t st, const char *what);
/* Opens an AP with INIT_AP once per attach, where the firmware needs it. */
int stlink_init_ap(struct swdd_probe *p, unsigned ap);
/* Clears sticky errors after a FAULT (DP ABORT through WRITE_DAP_REG). */
void stlink_clear_sticky(struct swdd_probe *p);

/* stlink_regs.c: clock, core registers, raw DAP registers. */
int stlink_set_speed(struct swdd_probe *p, unsigned khz, unsigned *actual);
int stlink_read_core_regs(struct swdd_probe *p, const uint8_t *regsel, size_t n, uint32_t *vals);
int stlink_write_core_reg(struct swdd_probe *p, unsigned regsel, uint32_t val);
int stlink_dap_read(struct swdd_probe *p, unsigned port, unsigned reg, uint32_t *val);
int stlink_dap_write(struct swdd_probe *p, unsigned port, unsigned reg, uint32_t val);

/* stlink_mem.c */
int stlink_read_mem(struct swdd_probe *p, uint32_t addr, uint8_t *buf, size_t len, unsigned width);
int stlink_write_mem(struct swdd_probe *p, uint32_t addr, const uint8_t *buf, size_t len, unsigned width);
int stlink_run_queue(struct swdd_probe *p, const struct probe_qent *q, size_t n, size_t *failed);
int stlink_ap_word(struct swdd_probe *p, unsigned ap, uint32_t addr, uint32_t *val, bool wr);
/* How many entries from q[0] are reads of consecutive words that one
 * READMEM_32BIT can take (within the buffer and the TAR wrap); 1 if none. */
size_t stlink_read_run(struct stlink *s, const struct probe_qent *q, size_t n);
/* The error of a one-word access that answered status st (a fault names
 * addr, after clearing the DP's sticky flags). */
int stlink_word_error(struct swdd_probe *p, uint8_t st, uint32_t addr, bool wr);

/* stlink_misc.c: RW_MISC queues (V2J32, V3J2). */
/* How many entries from q[0] one RW_MISC exchange should take: 0 when
 * the firmware lacks it, for a lone entry, or where a long run of
 * consecutive reads (a READMEM_32BIT) starts. */
size_t stlink_misc_fit(struct swdd_probe *p, const struct probe_qent *q, size_t n);
/* Runs q[0..n) as one exchange. 0 with *done = n; or 0 with *done < n when
 * entry *done answered WAIT and nothing after it ran (the caller runs the
 * rest itself); or the error of entry *done. */
int stlink_misc_run(struct swdd_probe *p, const struct probe_qent *q, size_t n, size_t *done);

#endif
