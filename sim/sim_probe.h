/*
 * The simulated lab, probe side: emulated probe firmware (ST-LINK V2, V2-1,
 * V3; CMSIS-DAP v1 over HID reports, v2 over bulk) acting on a sim_chip.
 *
 * Each emulated probe takes the bytes a real probe takes over USB and
 * answers with the bytes real firmware would send. The transports carry
 * these bytes unchanged: the in-process transport of probe/ calls
 * sim_probe_out()/sim_probe_in() directly; swdd-lab presents them to
 * libusb/hidapi clients through umockdev.
 *
 * Time: every call advances the chip's virtual clock by what USB
 * (frames/microframes/HID polling), the firmware and the SWD wire would
 * take; see docs/LAB.md.
 *
 * Threading: as sim.h: single-threaded, callers serialise.
 */
#ifndef SWDD_SIM_PROBE_H
#define SWDD_SIM_PROBE_H

#include "sim.h"

typedef struct sim_probe sim_probe;

enum sim_probe_kind {
	SIM_PROBE_STLINK_V2,    /* 0483:3748, full speed */
	SIM_PROBE_STLINK_V21,   /* 0483:374B, full speed */
	SIM_PROBE_STLINK_V3,    /* 0483:374F, high speed */
	SIM_PROBE_CMSIS_DAP_V1, /* HID, 64-byte reports, full speed */
	SIM_PROBE_CMSIS_DAP_V2, /* vendor class bulk, 512-byte packets, full speed */
	SIM_PROBE_KIND_COUNT
};

/* "stlink-v2", "stlink-v21", "stlink-v3", "cmsis-dap-v1", "cmsis-dap-v2" */
const char *sim_probe_kind_name(enum sim_probe_kind kind);
int sim_probe_kind_parse(const char *name, enum sim_probe_kind *out);

struct sim_probe_config {
	enum sim_probe_kind kind;
	const char *serial; /* NULL: a default 24-hex-digit serial per kind */
	/* ST-LINK firmware J version (0 = default: V2 J37, V2-1 J37, V3 J7).
	 * Commands newer than this version answer JTAG_UNKNOWN_CMD. */
	unsigned fw_jtag;
};

/* What the USB descriptors of this probe say (swdd-lab builds them). */
struct sim_usb_identity {
	uint16_t vid, pid, bcd_device;
	const char *manufacturer, *product, *interface_name, *serial;
	uint8_t ep_out, ep_in; /* debug endpoints (HID: interrupt endpoints) */
	uint8_t ep_swo;        /* 0 if none */
	uint16_t max_packet;   /* wMaxPacketSize of the bulk/interrupt endpoints */
	bool high_speed;
	bool hid; /* CMSIS-DAP v1: HID class, reports of report_size */
	uint16_t report_size;
	uint8_t hid_interval_ms;
};

struct sim_probe_stats {
	uint64_t usb_transactions; /* OUT and IN transfers */
	uint64_t bytes_out, bytes_in;
	uint64_t swd_transfers; /* SWD packets this probe clocked */
	uint64_t modelled_ns;   /* virtual time spent in this probe's calls */
	uint64_t commands;      /* firmware commands executed */
};

/* Return codes of sim_probe_out/sim_probe_in. */
enum { SIM_PROBE_OK = 0, SIM_PROBE_EAGAIN = -1, SIM_PROBE_ENODEV = -2, SIM_PROBE_EINVAL = -3 };

int sim_probe_new(const struct sim_probe_config *cfg, sim_chip *chip, sim_probe **out);
void sim_probe_free(sim_probe *p);
const struct sim_usb_identity *sim_probe_usb(const sim_probe *p);
enum sim_probe_kind sim_probe_kind(const sim_probe *p);
sim_chip *sim_probe_chip(const sim_probe *p);

/* One host-to-probe transfer on ep_out (for HID: one report, without the
 * report ID byte). Returns SIM_PROBE_OK, or SIM_PROBE_ENODEV once unplugged. */
int sim_probe_out(sim_probe *p, const uint8_t *buf, size_t len);
/* One probe-to-host transfer on ep_in: copies up to `cap` bytes of pending
 * reply data (bulk: what remains stays pending for the next IN; HID: one
 * report). SIM_PROBE_EAGAIN if the probe has nothing to send (a real device
 * would NAK until the host times out). */
int sim_probe_in(sim_probe *p, uint8_t *buf, size_t cap, size_t *got);

/* The lab removes the device (tests of "probe unplugged"). */
void sim_probe_unplug(sim_probe *p);
void sim_probe_get_stats(const sim_probe *p, struct sim_probe_stats *st);

#endif
