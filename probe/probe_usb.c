/*
 * USB discovery and selection: walks the bus with libusb, recognises
 * probes by VID:PID (ST-LINK) and by the CMSIS-DAP string rule
 * (probe_ids.c), and opens the one the user means (--serial), or says
 * clearly what was found.
 */
#include "probe_ids.h"
#include "probe_internal.h"

#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swdd_err.h"
#include "swdd_log.h"

#define USB_CLASS_HID 0x03U
#define USB_CLASS_VENDOR 0xFFU

struct probe_found {
	struct probe_usb_loc loc;
	enum probe_family fam;
	bool hid;
	char kind[32];
	int open_err; /* SWDD_EACCES when the strings could not be read */
};

struct probe_scan {
	struct probe_found *v;
	size_t n, cap;
};

int probe_usb_map_error(int rc, const char *what);

static void scan_add(struct probe_scan *s, const struct probe_found *f)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct probe_found *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = *f;
}

static void get_string(libusb_device_handle *h, uint8_t idx, char *out, size_t cap)
{
	out[0] = '\0';
	if (h && idx && libusb_get_string_descriptor_ascii(h, idx, (unsigned char *)out, (int)cap) < 0)
		out[0] = '\0';
}

/* First bulk (or, for HID, interrupt) OUT and IN endpoints of an
 * interface: hosts take the first pair (CMSIS-DAP documentation, "Configure USB peripheral"). */
static bool find_endpoints(const struct libusb_interface_descriptor *id, struct probe_usb_loc *loc)
{
	uint8_t want = id->bInterfaceClass == USB_CLASS_HID ? LIBUSB_TRANSFER_TYPE_INTERRUPT
							    : LIBUSB_TRANSFER_TYPE_BULK;

	loc->ep_out = loc->ep_in = 0;
	for (int e = 0; e < id->bNumEndpoints; e++) {
		const struct libusb_endpoint_descriptor *ep = &id->endpoint[e];

		if ((ep->bmAttributes & 3u) != want)
			continue;
		if ((ep->bEndpointAddress & 0x80u) && !loc->ep_in) {
			loc->ep_in = ep->bEndpointAddress;
			loc->max_packet = ep->wMaxPacketSize;
		} else if (!(ep->bEndpointAddress & 0x80u) && !loc->ep_out) {
			loc->ep_out = ep->bEndpointAddress;
		}
	}
	return loc->ep_in && loc->ep_out;
}

/* A device we may not open has unreadable strings: a table entry still
 * shows up, so the user learns about the permission, not "no probe". */
static void scan_no_access(libusb_device *dev, const struct libusb_device_descriptor *dd,
			   struct probe_found *best)
{
	for (size_t k = 0; k < probe_ids_count; k++) {
		if (probe_ids[k].vid != dd->idVendor || probe_ids[k].pid != dd->idProduct)
			continue;
		best->fam = probe_ids[k].family;
		best->loc.vid = dd->idVendor;
		best->loc.pid = dd->idProduct;
		best->loc.bus = libusb_get_bus_number(dev);
		best->loc.addr = libusb_get_device_address(dev);
		snprintf(best->kind, sizeof(best->kind), "%s", probe_ids[k].name);
	}
}

/* Looks at every interface of one device; adds at most one probe (a
 * CMSIS-DAP v2 interface wins over the v1 HID one of the same device). */
static void scan_device(libusb_device *dev, struct probe_scan *s)
{
	struct libusb_device_descriptor dd;
	struct libusb_config_descriptor *cfg;
	libusb_device_handle *h = NULL;
	struct probe_found best = { .fam = PROBE_FAMILY_NONE };
	char product[128], iface[128];
	int orc;

	if (libusb_get_device_descriptor(dev, &dd) || libusb_get_active_config_descriptor(dev, &cfg))
		return;
	orc = libusb_open(dev, &h);
	get_string(h, dd.iProduct, product, sizeof(product));
	for (int i = 0; i < cfg->bNumInterfaces; i++) {
		const struct libusb_interface_descriptor *id = &cfg->interface[i].altsetting[0];
		struct probe_found f = { .loc = { .bus = libusb_get_bus_number(dev),
						  .addr = libusb_get_device_address(dev),
						  .iface = id->bInterfaceNumber,
						  .vid = dd.idVendor,
						  .pid = dd.idProduct,
						  .high_speed = libusb_get_device_speed(dev) >=
								LIBUSB_SPEED_HIGH } };

		if (!find_endpoints(id, &f.loc))
			continue;
		get_string(h, id->iInterface, iface, sizeof(iface));
		f.hid = id->bInterfaceClass == USB_CLASS_HID;
		if (!f.hid && id->bInterfaceClass != USB_CLASS_VENDOR)
			continue;
		f.fam = probe_identify(dd.idVendor, dd.idProduct, product, iface, f.hid, f.kind,
				       sizeof(f.kind));
		if (f.fam != PROBE_FAMILY_NONE && (best.fam == PROBE_FAMILY_NONE || (best.hid && !f.hid)))
			best = f;
	}
	if (best.fam == PROBE_FAMILY_NONE && orc == LIBUSB_ERROR_ACCESS)
		scan_no_access(dev, &dd, &best);
	if (best.fam != PROBE_FAMILY_NONE) {
		get_string(h, dd.iSerialNumber, best.loc.serial, sizeof(best.loc.serial));
		best.open_err = orc == LIBUSB_ERROR_ACCESS ? SWDD_EACCES : 0;
		scan_add(s, &best);
	}
	if (h)
		libusb_close(h);
	libusb_free_config_descriptor(cfg);
}

static int probe_scan_usb(struct probe_scan *s)
{
	libusb_context *ctx;
	libusb_device **list;
	ssize_t n;
	int rc = probe_usb_map_error(libusb_init(&ctx), "libusb_init");

	if (rc)
		return rc;
	n = libusb_get_device_list(ctx, &list);
	for (ssize_t i = 0; i < n; i++)
		scan_device(list[i], s);
	if (n >= 0)
		libusb_free_device_list(list, 1);
	libusb_exit(ctx);
	return 0;
}

static int no_access_err(const struct probe_found *f)
{
	return swdd_err_set(SWDD_EACCES,
			    "permission denied on the USB device %04x:%04x (%s): install "
			    "contrib/60-swdd.rules into /etc/udev/rules.d/, run 'sudo udevadm control "
			    "--reload && sudo udevadm trigger' and replug the probe",
			    f->loc.vid, f->loc.pid, f->kind);
}

static int open_found(const struct probe_found *f, struct swdd_probe **out)
{
	struct swdd_probe_info info = { .voltage_mv = -1, .vid = f->loc.vid, .pid = f->loc.pid };
	struct probe_transport *tr;
	int rc;

	if (f->open_err)
		return no_access_err(f);
	snprintf(info.kind, sizeof(info.kind), "%s", f->kind);
	snprintf(info.serial, sizeof(info.serial), "%s", f->loc.serial);
	rc = f->hid ? probe_tr_hidapi_open(&f->loc, &tr) : probe_tr_libusb_open(&f->loc, &tr);
	if (rc)
		return rc;
	snprintf(tr->label, sizeof(tr->label), "%s serial %s", f->kind,
		 f->loc.serial[0] ? f->loc.serial : "?");
	return probe_create(tr, &info, f->fam, out);
}

int swdd_probe_list(struct swdd_probe_info **out, size_t *n)
{
	struct probe_scan s = { 0 };
	int rc = probe_scan_usb(&s);

	*out = NULL;
	*n = 0;
	if (rc)
		return rc;
	*out = calloc(s.n ? s.n : 1, sizeof(**out));
	if (!*out) {
		free(s.v);
		return swdd_err_set(SWDD_ENOMEM, "out of memory listing probes");
	}
	for (size_t i = 0; i < s.n; i++) {
		struct swdd_probe_info *pi = &(*out)[i];
		struct swdd_probe *p;

		*pi = (struct swdd_probe_info){ .voltage_mv = -1,
						.vid = s.v[i].loc.vid,
						.pid = s.v[i].loc.pid };
		snprintf(pi->kind, sizeof(pi->kind), "%s", s.v[i].kind);
		snprintf(pi->serial, sizeof(pi->serial), "%s", s.v[i].loc.serial);
		snprintf(pi->transport, sizeof(pi->transport), "%s", s.v[i].hid ? "hidapi" : "libusb");
		if (s.v[i].open_err) {
			/* Listing still succeeds (the other probes may be usable),
			 * so the fix is said here rather than as an error. */
			snprintf(pi->firmware, sizeof(pi->firmware),
				 "(no permission: contrib/60-swdd.rules)");
			(void)no_access_err(&s.v[i]); /* sets the detail the warning prints */
			swdd_warn("%s", swdd_err_detail());
			continue;
		}
		if (!open_found(&s.v[i], &p)) {
			int mv;
			snprintf(pi->firmware, sizeof(pi->firmware), "%s", p->info.firmware);
			if (!swdd_probe_voltage(p, &mv))
				pi->voltage_mv = mv;
			swdd_probe_close(p);
		}
	}
	*n = s.n;
	free(s.v);
	return 0;
}

static bool driver_matches(const char *driver, enum probe_family fam)
{
	if (!driver || !strcmp(driver, "auto"))
		return true;
	if (!strcmp(driver, "stlink"))
		return fam == PROBE_FAMILY_STLINK;
	if (!strcmp(driver, "cmsis-dap"))
		return fam == PROBE_FAMILY_CMSIS_DAP;
	return false;
}

/* "ST-LINK/V2 serial 0669FF... (bus 1 addr 4)" for each probe found. */
static void list_found(const struct probe_scan *s, char *buf, size_t cap)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->n && off + 1 < cap; i++)
		off += (size_t)snprintf(buf + off, cap - off, "%s%s serial %s (%04x:%04x, bus %u addr %u)",
					i ? "; " : "", s->v[i].kind,
					s->v[i].loc.serial[0] ? s->v[i].loc.serial : "?", s->v[i].loc.vid,
					s->v[i].loc.pid, s->v[i].loc.bus, s->v[i].loc.addr);
}

int swdd_probe_open(const char *driver, const char *serial, struct swdd_probe **out)
{
	struct probe_scan s = { 0 };
	size_t match = 0, pick = 0;
	char found[600];
	int rc;

	if (driver && !driver_matches(driver, PROBE_FAMILY_STLINK) &&
	    !driver_matches(driver, PROBE_FAMILY_CMSIS_DAP))
		return swdd_err_set(SWDD_EINVAL, "unknown probe driver \"%s\": use auto, stlink or cmsis-dap",
				    driver);
	rc = probe_scan_usb(&s);
	if (rc)
		return rc;
	for (size_t i = 0; i < s.n; i++) {
		if (!driver_matches(driver, s.v[i].fam) || (serial && strcmp(serial, s.v[i].loc.serial)))
			continue;
		pick = i;
		match++;
	}
	list_found(&s, found, sizeof(found));
	if (match == 1)
		rc = open_found(&s.v[pick], out);
	else if (!match && !s.n)
		rc = swdd_err_set(SWDD_ENODEV,
				  "no debug probe found on USB: plug in an ST-LINK or CMSIS-DAP probe "
				  "(check the cable and 'lsusb')");
	else if (!match)
		rc = swdd_err_set(SWDD_ENODEV, "no probe matches%s%s%s%s; found: %s",
				  serial ? " serial " : "", serial ? serial : "", driver ? " driver " : "",
				  driver ? driver : "", found);
	else
		rc = swdd_err_set(SWDD_EBUSY, "%zu probes found, choose one with --serial: %s", match, found);
	free(s.v);
	return rc;
}
