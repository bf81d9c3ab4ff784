/*
 * Shared machinery of the emulated probes: reply queue, USB timing model,
 * SWD wire accounting. Firmware models (sim_stlink.c, sim_cmsisdap.c)
 * implement struct sim_fw_ops. Not for use outside sim/.
 */
#ifndef SWDD_SIM_PROBE_INTERNAL_H
#define SWDD_SIM_PROBE_INTERNAL_H

#include "sim_probe.h"

struct sim_probe;

/* Firmware model contract. */
struct sim_fw_ops {
	/* Called for every OUT transfer, with the bytes exactly as the host sent
	 * them. The model acts on the chip through sim_probe_swd()/pins and
	 * queues reply bytes with sim_probe_reply(). Required. */
	void (*out)(struct sim_probe *p, const uint8_t *buf, size_t len);
	/* Frees model state (p->fw). Optional. */
	void (*free)(struct sim_probe *p);
};

struct sim_probe {
	struct sim_probe_config cfg;
	struct sim_usb_identity usb;
	sim_chip *chip;
	const struct sim_fw_ops *ops;
	void *fw; /* firmware model state */
	bool unplugged;
	char serial[32];

	uint8_t *reply; /* pending IN bytes */
	size_t reply_len, reply_off, reply_cap;
	size_t reply_reports; /* HID: reply is a sequence of whole reports */
	/* Ends (offsets into reply) of the USB transfers queued in reply: an
	 * IN never crosses one, as a short packet ends a bulk transfer. */
	size_t *msg_end;
	uint64_t *msg_ready_ns; /* when each reply message was complete */
	size_t msg_head, msg_count, msg_cap;
	uint64_t bus_free_ns; /* end of the last transfer on the bus */

	uint64_t frame_ns;        /* 1 ms FS, 125 us HS, HID interval */
	uint64_t bytes_per_frame; /* bulk/interrupt payload capacity per frame */
	uint64_t fw_overhead_ns;  /* per command */
	unsigned swd_khz;         /* current SWCLK */
	unsigned swd_idle_cycles; /* idle cycles after each packet */
	unsigned swd_turnaround;  /* turnaround cycles (1..4) */
	bool swd_data_phase;      /* clock a dummy data phase after WAIT/FAULT */
	struct sim_probe_stats stats;
};

/* Initialisers of the firmware models: fill p->usb, p->ops, p->fw and the
 * timing parameters. Return 0 or SIM_PROBE_EINVAL. */
int sim_stlink_init(struct sim_probe *p);
int sim_cmsisdap_init(struct sim_probe *p);

/* Appends reply bytes for the host's next IN transfer(s). */
void sim_probe_reply(struct sim_probe *p, const void *buf, size_t len);
/* Ends the current reply message: the host's IN transfer that reaches it
 * stops there (a bulk transfer ends with a short packet). sim_probe_out()
 * calls it after ops->out, so a model that answers each OUT with one
 * message need not call it; a model answering one OUT with several
 * messages (CMSIS-DAP queued commands) calls it after each. */
void sim_probe_reply_end(struct sim_probe *p);
/* One SWD packet on the wire: runs it on the chip and advances virtual time
 * by its bit time (request, turnaround, ACK, data, parity, idle). Returns the
 * ACK. Counts it in the probe's stats. */
int sim_probe_swd(struct sim_probe *p, struct sim_swd_packet *pkt);
/* An SWJ sequence of nbits bits, with its bit time. */
void sim_probe_swj_sequence(struct sim_probe *p, const uint8_t *bits, unsigned nbits);
/* Firmware busy time (e.g. a DAP_Delay or an NRST pulse). */
void sim_probe_spend(struct sim_probe *p, uint64_t ns);
/* Sets SWCLK and tells the chip (signal-integrity knob). */
void sim_probe_set_swd_khz(struct sim_probe *p, unsigned khz);

/* Request byte for a DP/AP access (ADIv5.2 B4.2.1): adds start, parity,
 * stop and park to APnDP/RnW/A[3:2]. */
uint8_t sim_swd_request(bool ap, bool read, uint8_t addr);
/* Even parity of a 32-bit word. */
uint8_t sim_parity32(uint32_t v);

#endif
