/*
 * Emulated ST-LINK firmware (V2, V2-1, V3): state and the pieces shared by
 * sim_stlink.c (USB identity, command dispatch, version/mode/clock/pins),
 * sim_stlink_dap.c (the firmware's own ADIv5 engine on the SWD wire) and
 * sim_stlink_mem.c (memory, debug-register and core-register commands).
 *
 * Facts: docs/LAB-stlink.md, docs/STLINK-PROTOCOL.md, checked
 * against OpenOCD src/jtag/drivers/stlink_usb.c and stlink-org usb.c.
 * Not for use outside sim/.
 */
#ifndef SWDD_SIM_STLINK_INTERNAL_H
#define SWDD_SIM_STLINK_INTERNAL_H

#include "sim_probe_internal.h"

/* Status codes, byte 0 of a reply (docs/STLINK-PROTOCOL.md §4; OpenOCD stlink_usb.c). */
enum {
	STL_JTAG_UNKNOWN_ERROR = 0x01,
	STL_JTAG_CMD_ERROR = 0x08,
	STL_JTAG_GET_IDCODE_ERROR = 0x09,
	STL_JTAG_ALIGNMENT_ERROR = 0x0A,
	STL_JTAG_DBG_POWER_ERROR = 0x0B,
	STL_SWD_AP_WAIT = 0x10,
	STL_SWD_AP_FAULT = 0x11,
	STL_SWD_AP_ERROR = 0x12,
	STL_SWD_AP_PARITY_ERROR = 0x13,
	STL_SWD_DP_WAIT = 0x14,
	STL_SWD_DP_FAULT = 0x15,
	STL_SWD_DP_ERROR = 0x16,
	STL_SWD_DP_PARITY_ERROR = 0x17,
	STL_BAD_AP_ERROR = 0x1D,
	STL_JTAG_UNKNOWN_CMD = 0x42,
	STL_OK = 0x80,
	STL_FAULT = 0x81,
};

/* GET_CURRENT_MODE values (docs/STLINK-PROTOCOL.md §3). */
enum stl_mode { STL_MODE_DFU = 0, STL_MODE_MASS = 1, STL_MODE_DEBUG = 2 };

/* The firmware's one transfer buffer: 6144 bytes (OpenOCD STLINK_DATA_SIZE,
 * "the internal buffer size of 6144 bytes"; pyOCD and stlink-org agree). */
#define STL_DATA_SIZE 6144u
#define STL_CMD_SIZE 16u
#define STL_AP_COUNT 256u
/* The AHB-AP CSW[31:8] the firmware uses when the host gives none: HPROT
 * data + privileged, MasterType debug (ARM IHI0031 C2.6, MEM-AP CSW: 0x23000052 with size,
 * AddrInc and the read-only DeviceEn). */
#define STL_CSW_DEFAULT 0x23000000u

/* Outcome of one SWD packet after the firmware's WAIT retries. */
enum stl_ack { STL_ACK_OK, STL_ACK_WAIT, STL_ACK_FAULT, STL_ACK_NONE, STL_ACK_PARITY };

struct stl_fw {
	enum stl_mode mode;
	unsigned hw;    /* 2 or 3 */
	unsigned jtag;  /* J version */
	bool connected; /* DEBUG_ENTER succeeded: DP powered up */
	bool ap_open[STL_AP_COUNT];
	bool select_valid;
	uint32_t select; /* cached DP SELECT */
	bool csw_valid;
	uint8_t csw_ap;
	uint32_t csw; /* cached CSW of csw_ap */
	/* last memory command (GETLASTRWSTATUS / GETLASTRWSTATUS2) */
	uint8_t rw_status;
	uint32_t rw_fault_addr;
	/* pending WRITEMEM: command bytes and the data phase gathered so far */
	bool wr_pending;
	uint8_t wr_cmd[STL_CMD_SIZE];
	size_t wr_len, wr_got;
	/* pending RW_MISC_OUT data phase, and the queue's results */
	bool misc_pending;
	struct stl_misc *misc;
	uint8_t buf[STL_DATA_SIZE];
};

static inline struct stl_fw *stl_fw(struct sim_probe *p)
{
	return (struct stl_fw *)p->fw;
}

static inline uint32_t stl_le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline uint16_t stl_le16(const uint8_t *b)
{
	return (uint16_t)(b[0] | b[1] << 8);
}

static inline void stl_put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

/* Firmware feature gates (docs/STLINK-PROTOCOL.md §5; OpenOCD STLINK_F_* flags). */
bool stl_has_csw_field(struct sim_probe *p); /* AP + CSW bytes in memory commands */
bool stl_needs_init_ap(struct sim_probe *p); /* INIT_AP required for AP != 0 */

/* Replies: a bare status pair, and status + u32 value (8 bytes). */
void stl_reply_status(struct sim_probe *p, uint8_t st);
void stl_reply_value(struct sim_probe *p, uint8_t st, uint32_t v);

/* ---- sim_stlink_dap.c: ADIv5 over the SWD wire --------------------- */

/* One DP/AP register access with the firmware's bounded WAIT retries. */
enum stl_ack stl_swd(struct sim_probe *p, bool ap, bool read, uint8_t addr, uint32_t *val);
/* Status byte for a failed access of the AP or DP class. */
uint8_t stl_ack_status(enum stl_ack ack, bool ap);
/* Clears sticky errors (DP ABORT = STKCMPCLR|STKERRCLR|WDERRCLR|ORUNERRCLR). */
void stl_abort(struct sim_probe *p);
/* Line reset (JTAG-to-SWD), DPIDR, ABORT, power-up. Status byte. */
uint8_t stl_dp_connect(struct sim_probe *p);
/* DPIDR read on the wire: status byte, *idcode. */
uint8_t stl_read_dpidr(struct sim_probe *p, uint32_t *idcode);
/* DP register (addr[3:2], bank addr[7:4] selected through SELECT). */
uint8_t stl_dp_read(struct sim_probe *p, uint16_t addr, uint32_t *val);
uint8_t stl_dp_write(struct sim_probe *p, uint16_t addr, uint32_t val);
/* AP register (SELECT.APSEL/APBANKSEL then the access; reads use RDBUFF). */
uint8_t stl_ap_read(struct sim_probe *p, uint8_t ap, uint8_t addr, uint32_t *val);
uint8_t stl_ap_write(struct sim_probe *p, uint8_t ap, uint8_t addr, uint32_t val);

/* A MEM-AP block transfer: `count` accesses of `size` bytes (1/2/4) from
 * `addr` with CSW `csw` (size and AddrInc filled in here), `inc` = address
 * increment. Data are packed little-endian in `data`. Returns a status byte;
 * on failure *fault_addr is the address of the failed access. */
uint8_t stl_mem_xfer(struct sim_probe *p, uint8_t ap, uint32_t csw, uint32_t addr, unsigned size,
		     size_t count, bool inc, bool write, uint8_t *data, uint32_t *fault_addr);
/* One 32-bit access through AP0 (debug registers, DCRSR/DCRDR). */
uint8_t stl_mem_read32(struct sim_probe *p, uint32_t addr, uint32_t *val);
uint8_t stl_mem_write32(struct sim_probe *p, uint32_t addr, uint32_t val);

/* ---- sim_stlink_mem.c: memory and core commands --------------------- */

/* Starts a memory command (READMEM/WRITEMEM of any width). */
void stl_cmd_mem(struct sim_probe *p, const uint8_t *cmd);
/* Called with each OUT transfer while a WRITEMEM data phase is open. */
void stl_write_data(struct sim_probe *p, const uint8_t *buf, size_t len);
void stl_cmd_getlastrw(struct sim_probe *p, const uint8_t *cmd);
void stl_cmd_getlastrw2(struct sim_probe *p, const uint8_t *cmd);
void stl_cmd_readdebugreg(struct sim_probe *p, const uint8_t *cmd);
void stl_cmd_writedebugreg(struct sim_probe *p, const uint8_t *cmd);
void stl_cmd_readreg(struct sim_probe *p, const uint8_t *cmd);
void stl_cmd_writereg(struct sim_probe *p, const uint8_t *cmd);
void stl_cmd_readallregs(struct sim_probe *p, const uint8_t *cmd);
void stl_cmd_resetsys(struct sim_probe *p, const uint8_t *cmd);
void stl_cmd_getstatus(struct sim_probe *p, const uint8_t *cmd);
void stl_cmd_dhcsr_op(struct sim_probe *p, const uint8_t *cmd);

/* ---- sim_stlink_misc.c: the RW_MISC queue (V2J32, V3J2) ------------- */

void stl_cmd_misc_out(struct sim_probe *p, const uint8_t *cmd);
/* Called with each OUT transfer while a RW_MISC_OUT data phase is open. */
void stl_misc_data(struct sim_probe *p, const uint8_t *buf, size_t len);
void stl_cmd_misc_in(struct sim_probe *p, const uint8_t *cmd);

#endif
