/*
 * libusb transport: bulk OUT/IN on the probe's debug interface (ST-LINK,
 * CMSIS-DAP v2). Error mapping as transport.h states it.
 */
#include "transport.h"

#include <libusb.h>
#include <stdlib.h>
#include <string.h>

#include "swdd_err.h"

#define TR_USB_BOUNCE 8192U

struct tr_usb {
	struct probe_transport base;
	libusb_context *ctx;
	libusb_device_handle *h;
	uint8_t iface, ep_out, ep_in;
	uint8_t bounce[TR_USB_BOUNCE];
};

/* libusb error -> SWDD error (transport.h contract). */
int probe_usb_map_error(int rc, const char *what)
{
	switch (rc) {
	case LIBUSB_SUCCESS:
		return 0;
	case LIBUSB_ERROR_TIMEOUT:
	case LIBUSB_ERROR_PIPE:
		return SWDD_ETIMEOUT;
	case LIBUSB_ERROR_NO_DEVICE:
		return swdd_err_set(SWDD_ENODEV,
				    "the probe was unplugged (%s): plug it back in and reconnect", what);
	case LIBUSB_ERROR_ACCESS:
		return swdd_err_set(
			SWDD_EACCES,
			"permission denied on the probe's USB device (%s): install "
			"contrib/60-swdd.rules into /etc/udev/rules.d/, run 'sudo udevadm control "
			"--reload && sudo udevadm trigger' and replug the probe",
			what);
	case LIBUSB_ERROR_BUSY:
		return swdd_err_set(SWDD_EBUSY,
				    "the probe is in use by another program (%s): close OpenOCD, "
				    "st-util or STM32CubeProgrammer",
				    what);
	default:
		return swdd_err_set(SWDD_EIO, "USB communication error with the probe (%s: %s)", what,
				    libusb_error_name(rc));
	}
}

static int tr_usb_write(struct probe_transport *t, const uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct tr_usb *u = (struct tr_usb *)t;
	int done = 0;
	int rc = libusb_bulk_transfer(u->h, u->ep_out, (unsigned char *)(uintptr_t)buf, (int)len, &done,
				      timeout_ms);

	if (!rc && (size_t)done != len)
		rc = LIBUSB_ERROR_TIMEOUT;
	return probe_usb_map_error(rc, "bulk OUT");
}

/* Reads through a buffer rounded up to whole packets, so a device that
 * sends more than asked is an error we word, not a libusb overflow. */
static int tr_usb_read(struct probe_transport *t, uint8_t *buf, size_t cap, size_t *got, unsigned timeout_ms)
{
	struct tr_usb *u = (struct tr_usb *)t;
	size_t mp = t->max_packet ? t->max_packet : 64;
	size_t want = (cap + mp - 1) / mp * mp;
	int done = 0, rc;

	if (want > sizeof(u->bounce))
		want = sizeof(u->bounce) / mp * mp;
	rc = libusb_bulk_transfer(u->h, u->ep_in, u->bounce, (int)want, &done, timeout_ms);
	if (rc)
		return probe_usb_map_error(rc, "bulk IN");
	if ((size_t)done > cap)
		return swdd_err_set(SWDD_EIO,
				    "the probe sent %d bytes where at most %zu were expected; "
				    "update the probe firmware",
				    done, cap);
	memcpy(buf, u->bounce, (size_t)done);
	*got = (size_t)done;
	return 0;
}

static int tr_usb_clear_halt(struct probe_transport *t, bool out)
{
	struct tr_usb *u = (struct tr_usb *)t;

	return probe_usb_map_error(libusb_clear_halt(u->h, out ? u->ep_out : u->ep_in), "clear halt");
}

static void tr_usb_close(struct probe_transport *t)
{
	struct tr_usb *u = (struct tr_usb *)t;

	if (u->h) {
		libusb_release_interface(u->h, u->iface);
		libusb_close(u->h);
	}
	if (u->ctx)
		libusb_exit(u->ctx);
	free(u);
}

static const struct probe_transport_ops tr_usb_ops = {
	.write = tr_usb_write,
	.read = tr_usb_read,
	.clear_halt = tr_usb_clear_halt,
	.close = tr_usb_close,
};

static libusb_device *tr_usb_find(libusb_context *ctx, const struct probe_usb_loc *loc)
{
	libusb_device **list, *found = NULL;
	ssize_t n = libusb_get_device_list(ctx, &list);

	for (ssize_t i = 0; i < n && !found; i++)
		if (libusb_get_bus_number(list[i]) == loc->bus &&
		    libusb_get_device_address(list[i]) == loc->addr)
			found = libusb_ref_device(list[i]);
	if (n >= 0)
		libusb_free_device_list(list, 1);
	return found;
}

int probe_tr_libusb_open(const struct probe_usb_loc *loc, struct probe_transport **out)
{
	struct tr_usb *u = calloc(1, sizeof(*u));
	libusb_device *dev;
	int rc;

	if (!u)
		return swdd_err_set(SWDD_ENOMEM, "out of memory opening the probe");
	u->base.ops = &tr_usb_ops;
	strcpy(u->base.name, "libusb");
	u->base.max_packet = loc->max_packet;
	u->base.high_speed = loc->high_speed;
	u->iface = loc->iface;
	u->ep_out = loc->ep_out;
	u->ep_in = loc->ep_in;
	rc = probe_usb_map_error(libusb_init(&u->ctx), "libusb_init");
	dev = rc ? NULL : tr_usb_find(u->ctx, loc);
	if (!rc && !dev)
		rc = swdd_err_set(SWDD_ENODEV, "the probe %04x:%04x disappeared before it could be opened",
				  loc->vid, loc->pid);
	if (!rc) {
		rc = probe_usb_map_error(libusb_open(dev, &u->h), "open");
		libusb_unref_device(dev);
	}
	if (!rc) {
		libusb_set_auto_detach_kernel_driver(u->h, 1);
		rc = probe_usb_map_error(libusb_claim_interface(u->h, u->iface), "claim interface");
	}
	if (rc) {
		if (rc == SWDD_ETIMEOUT)
			rc = swdd_err_set(SWDD_EIO, "USB communication error while opening the probe");
		tr_usb_close(&u->base);
		return rc;
	}
	*out = &u->base;
	return 0;
}
