/*
 * hidapi transport (hidapi-libusb back end): CMSIS-DAP v1 probes, one HID
 * report per packet. hidapi wants the report ID first (0: the device uses
 * none), and the report is zero-padded to its full size (CMSIS-DAP documentation, "Configure USB peripheral").
 */
#include "transport.h"

#include <hidapi.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "swdd_err.h"
#include "swdd_log.h"

#define TR_HID_MAX_REPORT 1024U

struct tr_hid {
	struct probe_transport base;
	hid_device *h;
	struct probe_usb_loc loc; /* where the probe was opened */
	uint8_t report[TR_HID_MAX_REPORT + 1];
};

/* Whether the probe is still on the bus. hidapi cannot say (its device
 * list may still hold a device that is gone), so ask libusb as
 * tr_hid_why_not does: a probe present answers the open (its interface
 * is busy: hidapi holds it), one that left fails it with ENODEV, as
 * every usbfs call does after a disconnect. */
static bool tr_hid_present(const struct tr_hid *t)
{
	struct probe_transport *tr;
	int rc = probe_tr_libusb_open(&t->loc, &tr);

	if (!rc)
		probe_tr_close(tr);
	return rc != SWDD_ENODEV;
}

/*
 * hidapi-libusb returns a plain -1 for every failure (a time-out, a STALL,
 * an I/O error, the device gone) and its hid_error() has no words for them
 * (0.13: "not implemented yet"). What tells them apart is whether the
 * probe is still on the bus: gone, it was unplugged (SWDD_ENODEV); present, a
 * write was not taken within hidapi's 1 s (SWDD_ETIMEOUT: the wrapper
 * retries once, then names the likely causes), and a read failed with the
 * probe there (hidapi's reader stopped: SWDD_EIO).
 */
static int tr_hid_io_error(struct tr_hid *t, bool out)
{
	const wchar_t *msg = hid_error(t->h);

	if (!tr_hid_present(t))
		return swdd_err_set(SWDD_ENODEV,
				    "the CMSIS-DAP probe %04x:%04x left the USB bus during a HID %s (it "
				    "was unplugged, or lost power): plug it back in and reconnect",
				    t->loc.vid, t->loc.pid, out ? "write" : "read");
	swdd_debug("probe hidapi: HID %s failed with the probe still on the bus (hidapi: %ls)",
		   out ? "write" : "read", msg ? msg : L"no detail");
	if (out)
		return SWDD_ETIMEOUT;
	return swdd_err_set(SWDD_EIO,
			    "reading the CMSIS-DAP probe's reply failed although the probe is still on the "
			    "USB bus (hidapi gives no reason): replug the probe and reconnect");
}

static int tr_hid_write(struct probe_transport *t, const uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct tr_hid *h = (struct tr_hid *)t;

	(void)timeout_ms; /* hid_write blocks for one interrupt interval at most */
	if (len > t->report_size)
		return swdd_err_set(SWDD_EINVAL, "packet of %zu bytes does not fit a %u-byte HID report", len,
				    t->report_size);
	memset(h->report, 0, (size_t)t->report_size + 1);
	memcpy(h->report + 1, buf, len);
	if (hid_write(h->h, h->report, (size_t)t->report_size + 1) < 0)
		return tr_hid_io_error(h, true);
	return 0;
}

static int tr_hid_read(struct probe_transport *t, uint8_t *buf, size_t cap, size_t *got, unsigned timeout_ms)
{
	struct tr_hid *h = (struct tr_hid *)t;
	int n = hid_read_timeout(h->h, h->report, t->report_size, (int)timeout_ms);

	if (n < 0)
		return tr_hid_io_error(h, false);
	if (n == 0)
		return SWDD_ETIMEOUT;
	*got = (size_t)n < cap ? (size_t)n : cap;
	memcpy(buf, h->report, *got);
	return 0;
}

static void tr_hid_close(struct probe_transport *t)
{
	struct tr_hid *h = (struct tr_hid *)t;

	if (h->h)
		hid_close(h->h);
	free(h);
}

static const struct probe_transport_ops tr_hid_ops = {
	.write = tr_hid_write,
	.read = tr_hid_read,
	.clear_halt = NULL,
	.close = tr_hid_close,
};

/* hidapi-libusb paths are "bus:address:interface" in hex. */
static hid_device *tr_hid_find(const struct probe_usb_loc *loc)
{
	struct hid_device_info *list = hid_enumerate(loc->vid, loc->pid), *d;
	char want[32];
	hid_device *h = NULL;

	snprintf(want, sizeof(want), "%04x:%04x:%02x", loc->bus, loc->addr, loc->iface);
	for (d = list; d && !h; d = d->next)
		if (d->path && !strcmp(d->path, want))
			h = hid_open_path(d->path);
	for (d = list; d && !h; d = d->next)
		if (d->interface_number == loc->iface)
			h = hid_open_path(d->path);
	hid_free_enumeration(list);
	return h;
}

/* hidapi-libusb 0.13 says only "NULL" when hid_open_path fails, whether the
 * node is not ours (udev rules), another program claimed the interface
 * (OpenOCD), or the probe went away. hidapi-libusb opens and claims the
 * same usbfs interface the libusb transport does, so trying that names the
 * cause with the libusb transport's sentences (EACCES, EBUSY, ENODEV). */
static int tr_hid_why_not(const struct probe_usb_loc *loc)
{
	struct probe_transport *tr;
	int rc = probe_tr_libusb_open(loc, &tr);

	if (rc)
		return rc;
	probe_tr_close(tr);
	return swdd_err_set(SWDD_EIO,
			    "hidapi could not open the HID interface of the CMSIS-DAP probe "
			    "%04x:%04x although libusb can: replug the probe and retry",
			    loc->vid, loc->pid);
}

int probe_tr_hidapi_open(const struct probe_usb_loc *loc, struct probe_transport **out)
{
	struct tr_hid *h;

	if (hid_init())
		return swdd_err_set(SWDD_EIO, "hidapi could not be initialised");
	h = calloc(1, sizeof(*h));
	if (!h)
		return swdd_err_set(SWDD_ENOMEM, "out of memory opening the probe");
	h->base.ops = &tr_hid_ops;
	strcpy(h->base.name, "hidapi");
	h->base.report_size = loc->max_packet && loc->max_packet <= TR_HID_MAX_REPORT ? loc->max_packet : 64;
	h->base.max_packet = h->base.report_size;
	h->loc = *loc;
	h->h = tr_hid_find(loc);
	if (!h->h) {
		free(h);
		return tr_hid_why_not(loc);
	}
	*out = &h->base;
	return 0;
}
