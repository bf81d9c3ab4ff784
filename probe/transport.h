/*
 * Probe transports: the one thing that differs between a real probe on USB
 * and an emulated probe of the lab. A transport carries packets of bytes,
 * unchanged, between a driver (stlink.c, cmsis_dap.c) and the probe
 * firmware. Implementations: transport_libusb.c (bulk endpoints),
 * transport_hidapi.c (HID reports, CMSIS-DAP v1), transport_sim.c (the
 * lab's in-process probe, sim/sim_probe.h).
 *
 * Drivers call the probe_tr_* wrappers below, never the ops directly: the
 * wrappers count statistics and turn a timeout or STALL into the single
 * retry and the "USB communication error" sentence the user sees.
 */
#ifndef SWDD_PROBE_TRANSPORT_H
#define SWDD_PROBE_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe.h"

struct probe_transport;

/*
 * Contract of a transport implementation. Every function returns 0 or a
 * negative SWDD_E* code and sets a detail sentence for anything other than
 * SWDD_ETIMEOUT (which the wrapper words itself). Error mapping every
 * implementation follows:
 *   device gone (unplugged)         -> SWDD_ENODEV
 *   no data / not accepted in time,
 *   or endpoint STALL               -> SWDD_ETIMEOUT (the wrapper then calls
 *                                      clear_halt and retries once)
 *   permission denied               -> SWDD_EACCES (points to 60-swdd.rules)
 *   anything else                   -> SWDD_EIO
 */
struct probe_transport_ops {
	/* Sends one packet (one bulk transfer or one HID report; for HID the
	 * implementation adds report ID 0 and pads to report_size). Required. */
	int (*write)(struct probe_transport *t, const uint8_t *buf, size_t len, unsigned timeout_ms);
	/* Receives one packet of at most cap bytes into buf; *got is its
	 * length. A short packet ends the transfer (USB semantics): the caller
	 * may get fewer bytes than cap. Required. */
	int (*read)(struct probe_transport *t, uint8_t *buf, size_t cap, size_t *got, unsigned timeout_ms);
	/* Clears an endpoint halt after a STALL or timeout, before the single
	 * retry. Optional (NULL: nothing to clear). out selects the endpoint. */
	int (*clear_halt)(struct probe_transport *t, bool out);
	/* Releases the device and frees t. Required; t is invalid afterwards. */
	void (*close)(struct probe_transport *t);
};

struct probe_transport {
	const struct probe_transport_ops *ops;
	char name[16];        /* "libusb", "hidapi", "sim" */
	uint16_t max_packet;  /* wMaxPacketSize of the data endpoints */
	uint16_t report_size; /* HID report size; 0 for bulk */
	bool high_speed;
	const char *fw_version; /* set by the driver once known (error text) */
	char label[128];        /* "ST-LINK/V2 serial ..." (error text; "" = unknown) */
	bool wrote_since_read;
	struct swdd_probe_stats stats;
};

/* Time-out of every USB transfer, OUT and IN, libusb and hidapi (hosts use
 * 1-3 s; docs/STLINK-PROTOCOL.md §2). A transfer that times out twice is
 * reported as a USB time-out (SWDD_EIO), so no wait on the probe is longer
 * than about 2 x this, whatever the caller's own deadline. */
#define PROBE_TR_TIMEOUT_MS 1000U

/* Wrappers for drivers: stats, one retry after clear_halt on timeout, then
 * SWDD_EIO with the likely causes. */
int probe_tr_write(struct probe_transport *t, const uint8_t *buf, size_t len);
int probe_tr_read(struct probe_transport *t, uint8_t *buf, size_t cap, size_t *got);
/* Reads exactly n bytes (several packets when n > max_packet). */
int probe_tr_read_exact(struct probe_transport *t, uint8_t *buf, size_t n);
void probe_tr_close(struct probe_transport *t);

/* Constructors. */
struct sim_probe;
int probe_tr_sim_open(struct sim_probe *sp, struct probe_transport **out);

/* Opens the USB device with this bus/address (from discovery) and claims
 * interface `iface`; ep_out/ep_in are the endpoint addresses. */
struct probe_usb_loc {
	uint8_t bus, addr, iface, ep_out, ep_in;
	uint16_t vid, pid, max_packet;
	bool high_speed;
	char serial[64];
};
int probe_tr_libusb_open(const struct probe_usb_loc *loc, struct probe_transport **out);
/* Opens the HID interface of loc (CMSIS-DAP v1) with report size 64 unless
 * loc->max_packet says otherwise. */
int probe_tr_hidapi_open(const struct probe_usb_loc *loc, struct probe_transport **out);

#endif
