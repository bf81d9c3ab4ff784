/*
 * Emulated CMSIS-DAP firmware, internal: state and helpers shared by
 * sim_cmsisdap.c (transfers, dispatch, USB side) and sim_cmsisdap_cmds.c
 * (information, configuration, pins, sequences). Not for use outside sim/.
 */
#ifndef SWDD_SIM_CMSISDAP_H
#define SWDD_SIM_CMSISDAP_H

#include "sim_probe_internal.h"

/* ---- Command and field values (CMSIS-DAP 2.1, "Commands") ------------ */
#define DAP_INFO 0x00u
#define DAP_HOST_STATUS 0x01u
#define DAP_CONNECT 0x02u
#define DAP_DISCONNECT 0x03u
#define DAP_TRANSFER_CONFIGURE 0x04u
#define DAP_TRANSFER 0x05u
#define DAP_TRANSFER_BLOCK 0x06u
#define DAP_TRANSFER_ABORT 0x07u
#define DAP_WRITE_ABORT 0x08u
#define DAP_DELAY 0x09u
#define DAP_RESET_TARGET 0x0Au
#define DAP_SWJ_PINS 0x10u
#define DAP_SWJ_CLOCK 0x11u
#define DAP_SWJ_SEQUENCE 0x12u
#define DAP_SWD_CONFIGURE 0x13u
#define DAP_SWD_SEQUENCE 0x1Du
#define DAP_QUEUE_COMMANDS 0x7Eu
#define DAP_EXECUTE_COMMANDS 0x7Fu
#define DAP_INVALID 0xFFu

#define DAP_OK 0x00u
#define DAP_ERROR 0xFFu

/* DAP_Info IDs */
#define DAP_ID_VENDOR 0x01u
#define DAP_ID_PRODUCT 0x02u
#define DAP_ID_SER_NUM 0x03u
#define DAP_ID_PROTOCOL_VER 0x04u
#define DAP_ID_PRODUCT_FW_VER 0x09u
#define DAP_ID_CAPABILITIES 0xF0u
#define DAP_ID_PACKET_COUNT 0xFEu
#define DAP_ID_PACKET_SIZE 0xFFu
/* Capabilities Info0: b0 SWD, b4 atomic commands (Execute/QueueCommands) */
#define DAP_CAP_SWD 0x01u
#define DAP_CAP_ATOMIC 0x10u

#define DAP_PORT_DISABLED 0u
#define DAP_PORT_SWD 1u

/* Transfer request byte */
#define DAP_XFER_APNDP 0x01u
#define DAP_XFER_RNW 0x02u
#define DAP_XFER_A32 0x0Cu
#define DAP_XFER_MATCH_VALUE 0x10u
#define DAP_XFER_MATCH_MASK 0x20u
/* Transfer response byte: ACK in bits 2:0, then these */
#define DAP_XFER_OK 0x01u
#define DAP_XFER_WAIT 0x02u
#define DAP_XFER_ERROR 0x08u /* SWD protocol (read parity) error */
#define DAP_XFER_MISMATCH 0x10u

/* SW-DP registers by A[3:2] (ADIv5.2 B2.2) */
#define DP_ABORT 0x00u
#define DP_RDBUFF 0x0Cu

/* SWJ pin bits (DAP_SWJ_Pins) */
#define DAP_PIN_SWCLK 0x01u
#define DAP_PIN_SWDIO 0x02u
#define DAP_PIN_TDI 0x04u
#define DAP_PIN_TDO 0x08u
#define DAP_PIN_NTRST 0x20u
#define DAP_PIN_NRESET 0x80u
#define DAP_PINS_MAX_WAIT_US 3000000u

/* ---- Model figures (docs/LAB.md) ------------------------------------- */
#define CMSISDAP_MAX_PACKET 512u
#define CMSISDAP_MAX_COUNT 8u
/* Firmware time per USB packet: endpoint interrupt, copy into the request
 * queue, wake-up of the DAP thread, dispatch. Estimate for a 48-200 MHz
 * Cortex-M probe MCU, not a measurement. */
#define CMSISDAP_FW_PACKET_NS 20000u
/* Firmware time between two SWD packets of one command (request decode,
 * retry loop, storing the data word): ~50 cycles at ~100 MHz. Estimate. */
#define CMSISDAP_FW_SWD_GAP_NS 500u
/* Bit-banged SWCLK ceiling: faster requests run at this clock. Estimate. */
#define CMSISDAP_MAX_SWD_KHZ 10000u
/* Reference firmware defaults (DAP_Setup, DAP_DEFAULT_SWJ_CLOCK). */
#define CMSISDAP_DEFAULT_KHZ 1000u
#define CMSISDAP_DEFAULT_RETRY 100u

/* USB 2.0 5.7.3 / 5.8.4: one interrupt transaction of up to 64 bytes per
 * interval; at most 19 bulk transactions of 64 bytes per FS frame. */
#define USB_FS_FRAME_NS 1000000u
#define USB_FS_BULK_BYTES_PER_FRAME (19u * 64u)

struct cmsisdap_variant {
	uint16_t vid, pid, bcd_device;
	const char *product, *interface_name, *protocol_version, *default_serial;
	bool hid;
	uint16_t packet_size;
	uint8_t packet_count;
	uint8_t caps_len; /* v1 (protocol 1.x) reports one capabilities byte */
	uint64_t bytes_per_frame;
};

struct cmsisdap {
	const struct cmsisdap_variant *v;
	uint8_t port;   /* DAP_PORT_* */
	uint16_t retry; /* WAIT retries */
	uint16_t match_retry;
	uint32_t match_mask;
	uint8_t pins_out; /* latched SWJ pin outputs */
	uint8_t queue[CMSISDAP_MAX_COUNT][CMSISDAP_MAX_PACKET];
	size_t queue_len[CMSISDAP_MAX_COUNT];
	unsigned queued;
};

/* Request reader: reads past the end give 0; handlers check lengths first. */
struct cmsisdap_req {
	const uint8_t *b;
	size_t len, pos;
};

struct cmsisdap_rsp {
	uint8_t b[CMSISDAP_MAX_PACKET];
	size_t len, cap;
};

static inline bool req_has(const struct cmsisdap_req *rq, size_t n)
{
	return rq->len - rq->pos >= n;
}

static inline uint8_t req_u8(struct cmsisdap_req *rq)
{
	return rq->pos < rq->len ? rq->b[rq->pos++] : 0;
}

static inline uint16_t req_u16(struct cmsisdap_req *rq)
{
	uint16_t lo = req_u8(rq);
	return (uint16_t)(lo | (uint16_t)req_u8(rq) << 8);
}

static inline uint32_t req_u32(struct cmsisdap_req *rq)
{
	uint32_t lo = req_u16(rq);
	return lo | (uint32_t)req_u16(rq) << 16;
}

static inline bool rsp_room(const struct cmsisdap_rsp *rs, size_t n)
{
	return rs->cap - rs->len >= n;
}

static inline void rsp_u8(struct cmsisdap_rsp *rs, uint8_t v)
{
	if (rs->len < rs->cap)
		rs->b[rs->len++] = v;
}

static inline void rsp_u32(struct cmsisdap_rsp *rs, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		rsp_u8(rs, (uint8_t)(v >> (8 * i)));
}

static inline struct cmsisdap *cmsisdap_fw(struct sim_probe *p)
{
	return p->fw;
}

/* A command handler: reads its request after the ID byte, appends its
 * response after the ID byte. Returns 0, or -1 if the request is malformed
 * (then it must not have acted: the dispatcher answers 0xFF). */
typedef int (*sim_cmsisdap_cmd_fn)(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs);

int sim_cmsisdap_cmd_info(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs);
int sim_cmsisdap_cmd_host_status(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs);
int sim_cmsisdap_cmd_connect(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs);
int sim_cmsisdap_cmd_disconnect(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs);
int sim_cmsisdap_cmd_transfer_configure(struct sim_probe *p, struct cmsisdap_req *rq,
					struct cmsisdap_rsp *rs);
int sim_cmsisdap_cmd_swd_configure(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs);
int sim_cmsisdap_cmd_delay(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs);
int sim_cmsisdap_cmd_reset_target(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs);
int sim_cmsisdap_cmd_swj_pins(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs);
int sim_cmsisdap_cmd_swj_clock(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs);
int sim_cmsisdap_cmd_swj_sequence(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs);
int sim_cmsisdap_cmd_swd_sequence(struct sim_probe *p, struct cmsisdap_req *rq, struct cmsisdap_rsp *rs);

#endif
