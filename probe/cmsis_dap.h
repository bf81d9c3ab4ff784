/*
 * CMSIS-DAP driver internals, shared by cmsis_dap.c (commands, info,
 * pins, clock) and cmsis_dap_xfer.c (batched, pipelined transfers).
 * Follows the Arm CMSIS-DAP reference (ARM-software/CMSIS-DAP
 * Documentation, "Commands" and "Configure USB peripheral").
 */
#ifndef SWDD_PROBE_CMSIS_DAP_H
#define SWDD_PROBE_CMSIS_DAP_H

#include "probe_internal.h"

/* Command IDs (CMSIS-DAP reference, "Commands"). */
#define DAP_CMD_INFO 0x00U
#define DAP_CMD_CONNECT 0x02U
#define DAP_CMD_DISCONNECT 0x03U
#define DAP_CMD_TRANSFER_CONFIGURE 0x04U
#define DAP_CMD_TRANSFER 0x05U
#define DAP_CMD_TRANSFER_BLOCK 0x06U
#define DAP_CMD_WRITE_ABORT 0x08U
#define DAP_CMD_SWJ_PINS 0x10U
#define DAP_CMD_SWJ_CLOCK 0x11U
#define DAP_CMD_SWJ_SEQUENCE 0x12U
#define DAP_CMD_SWD_CONFIGURE 0x13U

#define DAP_OK 0x00U
#define DAP_ERROR 0xFFU

/* Transfer response bits (DAP_Transfer, "Response"). */
#define DAP_ACK_MASK 0x07U
#define DAP_ACK_OK 0x01U
#define DAP_ACK_WAIT 0x02U
#define DAP_ACK_FAULT 0x04U
#define DAP_ACK_NONE 0x07U
#define DAP_RESP_PROTOCOL_ERROR 0x08U
#define DAP_RESP_MISMATCH 0x10U

/* WAIT retries the firmware makes before giving up on a transfer
 * (DAP_TransferConfigure; the reference default is 100). */
#define CMSIS_DAP_WAIT_RETRY 256U

#define CMSIS_DAP_MAX_PACKET 1024U
/* Packets a transfer keeps in flight at most (DAP_Info packet count is
 * bounded by this), so the most replies that can be late at once. */
#define CMSIS_DAP_MAX_IN_FLIGHT 32U

struct cmsis_dap {
	uint16_t packet_size; /* DAP_Info 0xFF, bounded by the HID report */
	uint8_t packet_count; /* DAP_Info 0xFE */
	uint8_t caps;         /* DAP_Info 0xF0 byte 0 */
	unsigned clock_khz;
	bool nrst_asserted; /* what the host last asked for nRESET */
	/* A reply may still be on its way: a command was sent and its reply
	 * not read (a USB time-out or I/O error), or a reply did not fit its
	 * command. The next command first resynchronises (cmsis_dap_sync). */
	bool desync;
	uint8_t cmd[CMSIS_DAP_MAX_PACKET];
	uint8_t resp[CMSIS_DAP_MAX_PACKET];
};

static inline struct cmsis_dap *cmsis_dap_of(struct swdd_probe *p)
{
	return p->drv;
}

/* One command/response exchange. resp must hold packet_size bytes; *rlen
 * is the reply length. A reply of 0xFF (unknown command) gives
 * SWDD_EUNSUPPORTED naming `what`. Replies that echo another command ID
 * are late ones and are discarded (a bounded number). */
int cmsis_dap_cmd(struct swdd_probe *p, const uint8_t *cmd, size_t len, uint8_t *resp, size_t *rlen,
		  const char *what);
/* Reads one reply into d->resp; exp is the longest reply expected. */
int cmsis_dap_read_reply(struct swdd_probe *p, size_t exp, size_t *rlen);
/* After d->desync: sends a marker command and discards every reply before
 * its own, so the next reply read answers the next command. 0 when the
 * stream is in step (or already was); SWDD_EIO naming the probe when the
 * marker's reply does not come (each read bounded by the transport's
 * time-out); SWDD_ENODEV when the probe is gone. */
int cmsis_dap_sync(struct swdd_probe *p);
int cmsis_dap_write_abort(struct swdd_probe *p, uint32_t val);
int cmsis_dap_transfer(struct swdd_probe *p, const struct dap_xfer *x, size_t n, size_t *done);

#endif
