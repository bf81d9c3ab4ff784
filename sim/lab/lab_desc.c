/*
 * USB descriptors of the emulated probes (USB 2.0 9.6, HID 1.11 6.2) and
 * the umockdev device descriptions that carry them to libusb and hidapi.
 *
 * Everything is derived from the probe's struct sim_usb_identity. Only the
 * debug interface is presented (interface 0, as ST-LINK and CMSIS-DAP hosts
 * expect); the mass-storage and VCP functions of ST-LINK V2-1/V3 are not.
 */
#include "lab.h"

#include <stdio.h>
#include <string.h>

/* USB 2.0 table 9-5 descriptor types; HID 1.11 7.1 class descriptors. */
#define DT_DEVICE 1u
#define DT_CONFIG 2u
#define DT_STRING 3u
#define DT_INTERFACE 4u
#define DT_ENDPOINT 5u
#define DT_HID 0x21u
#define DT_REPORT 0x22u
#define EP_BULK 2u
#define EP_INTERRUPT 3u

enum { STR_MANUFACTURER = 1, STR_PRODUCT = 2, STR_SERIAL = 3, STR_INTERFACE = 4 };

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* USB 2.0 9.6.1 */
static void build_device(struct lab_dev *d)
{
	const struct sim_usb_identity *id = d->id;
	uint8_t *p = d->dev_desc;

	memset(p, 0, sizeof(d->dev_desc));
	p[0] = 18;
	p[1] = DT_DEVICE;
	put16(p + 2, 0x0200); /* bcdUSB 2.00 */
	p[7] = 64;            /* bMaxPacketSize0 */
	put16(p + 8, id->vid);
	put16(p + 10, id->pid);
	put16(p + 12, id->bcd_device);
	p[14] = STR_MANUFACTURER;
	p[15] = STR_PRODUCT;
	p[16] = STR_SERIAL;
	p[17] = 1; /* bNumConfigurations */
}

static size_t put_endpoint(uint8_t *p, uint8_t addr, uint8_t attr, uint16_t mps, uint8_t interval)
{
	p[0] = 7;
	p[1] = DT_ENDPOINT;
	p[2] = addr;
	p[3] = attr;
	put16(p + 4, mps);
	p[6] = interval;
	return 7;
}

/* HID 1.11 6.2.2: a vendor-defined page with one Input, one Output and one
 * Feature report of report_size bytes (the usual CMSIS-DAP v1 layout). */
static void build_report(struct lab_dev *d)
{
	uint16_t n = d->id->report_size;
	uint8_t count[3] = { 0x96, (uint8_t)n, (uint8_t)(n >> 8) }; /* Report Count (16-bit) */
	static const uint8_t head[] = {
		0x06, 0x00, 0xFF, /* Usage Page (Vendor 0xFF00) */
		0x09, 0x01,       /* Usage (1) */
		0xA1, 0x01,       /* Collection (Application) */
		0x15, 0x00,       /* Logical Minimum (0) */
		0x26, 0xFF, 0x00, /* Logical Maximum (255) */
		0x75, 0x08,       /* Report Size (8) */
	};
	static const uint8_t items[3][4] = {
		{ 0x09, 0x01, 0x81, 0x02 }, /* Usage, Input (Data,Var,Abs) */
		{ 0x09, 0x01, 0x91, 0x02 }, /* Usage, Output (Data,Var,Abs) */
		{ 0x09, 0x01, 0xB1, 0x02 }, /* Usage, Feature (Data,Var,Abs) */
	};
	size_t len = sizeof(head);

	memcpy(d->report_desc, head, sizeof(head));
	for (int i = 0; i < 3; i++) {
		memcpy(d->report_desc + len, count, 3);
		memcpy(d->report_desc + len + 3, items[i], 4);
		len += 7;
	}
	d->report_desc[len++] = 0xC0; /* End Collection */
	d->report_len = len;
}

static size_t put_hid_class(uint8_t *p, uint16_t report_len)
{
	p[0] = 9;
	p[1] = DT_HID;
	put16(p + 2, 0x0111); /* bcdHID 1.11 */
	p[4] = 0;             /* bCountryCode */
	p[5] = 1;             /* bNumDescriptors */
	p[6] = DT_REPORT;
	put16(p + 7, report_len);
	return 9;
}

/* Endpoint order: ST-LINK firmware lists IN, OUT, SWO; the CMSIS-DAP v2
 * specification requires OUT, IN, SWO (endpoint[0] is the command OUT). */
static size_t put_endpoints(const struct lab_dev *d, uint8_t *p, bool dap)
{
	const struct sim_usb_identity *id = d->id;
	uint8_t attr = id->hid ? EP_INTERRUPT : EP_BULK;
	uint8_t ival = id->hid ? id->hid_interval_ms : 0;
	size_t n = 0;

	if (dap) {
		n += put_endpoint(p + n, id->ep_out, attr, id->max_packet, ival);
		n += put_endpoint(p + n, id->ep_in, attr, id->max_packet, ival);
	} else {
		n += put_endpoint(p + n, id->ep_in, attr, id->max_packet, ival);
		n += put_endpoint(p + n, id->ep_out, attr, id->max_packet, ival);
	}
	if (id->ep_swo)
		n += put_endpoint(p + n, id->ep_swo, EP_BULK, id->max_packet, 0);
	return n;
}

/* USB 2.0 9.6.3 / 9.6.5: configuration 1 with one interface. */
static void build_config(struct lab_dev *d)
{
	const struct sim_usb_identity *id = d->id;
	enum sim_probe_kind k = sim_probe_kind(d->probe);
	bool dap = k == SIM_PROBE_CMSIS_DAP_V1 || k == SIM_PROBE_CMSIS_DAP_V2;
	uint8_t *p = d->cfg_desc, *itf = p + 9;
	size_t len = 18;

	memset(p, 0, sizeof(d->cfg_desc));
	p[0] = 9;
	p[1] = DT_CONFIG;
	p[4] = 1;    /* bNumInterfaces */
	p[5] = 1;    /* bConfigurationValue */
	p[7] = 0x80; /* bus powered */
	p[8] = 50;   /* 100 mA */
	itf[0] = 9;
	itf[1] = DT_INTERFACE;
	itf[4] = (uint8_t)(2 + (id->ep_swo ? 1 : 0));
	itf[5] = id->hid ? 0x03 : 0xFF; /* HID or vendor specific */
	itf[6] = (k == SIM_PROBE_CMSIS_DAP_V2 || id->hid) ? 0x00 : 0xFF;
	itf[7] = (k == SIM_PROBE_CMSIS_DAP_V2 || id->hid) ? 0x00 : 0xFF;
	itf[8] = id->interface_name ? STR_INTERFACE : 0;
	if (id->hid)
		len += put_hid_class(p + len, (uint16_t)d->report_len);
	len += put_endpoints(d, p + len, dap);
	put16(p + 2, (uint16_t)len);
	d->cfg_len = len;
}

void lab_desc_build(struct lab_dev *d)
{
	d->id = sim_probe_usb(d->probe);
	snprintf(d->serial, sizeof(d->serial), "%s", d->id->serial ? d->id->serial : "");
	if (d->id->hid)
		build_report(d);
	build_device(d);
	build_config(d);
}

static const char *string_by_index(const struct lab_dev *d, unsigned index)
{
	switch (index) {
	case STR_MANUFACTURER:
		return d->id->manufacturer;
	case STR_PRODUCT:
		return d->id->product;
	case STR_SERIAL:
		return d->serial;
	case STR_INTERFACE:
		return d->id->interface_name;
	default:
		return NULL;
	}
}

/* USB 2.0 9.6.7: index 0 lists the language IDs, the others are UTF-16LE. */
int lab_desc_string(const struct lab_dev *d, unsigned index, uint8_t *buf, size_t cap)
{
	const char *s;
	size_t n;

	if (cap < 4)
		return -1;
	if (index == 0) {
		buf[0] = 4;
		buf[1] = DT_STRING;
		put16(buf + 2, 0x0409); /* English (United States) */
		return 4;
	}
	s = string_by_index(d, index);
	if (!s)
		return -1;
	n = strlen(s);
	if (n > 126)
		n = 126;
	if (2 + 2 * n > cap)
		n = (cap - 2) / 2;
	buf[0] = (uint8_t)(2 + 2 * n);
	buf[1] = DT_STRING;
	for (size_t i = 0; i < n; i++)
		put16(buf + 2 + 2 * i, (uint8_t)s[i]);
	return (int)(2 + 2 * n);
}

static void hex_append(GString *s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		g_string_append_printf(s, "%02x", p[i]);
}

/* The usb_device node, with the attributes libusb's udev/sysfs back end
 * reads (docs/LAB-USB.md). */
static void describe_usb_device(const struct lab_dev *d, GString *s, const char *syspath)
{
	const struct sim_usb_identity *id = d->id;
	int devnum = d->index + 2;

	g_string_append_printf(s, "P: %s\nN: bus/usb/001/%03d\n", syspath, devnum);
	g_string_append_printf(s,
			       "E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\n"
			       "E: DEVNAME=/dev/bus/usb/001/%03d\nE: BUSNUM=001\nE: DEVNUM=%03d\n"
			       "E: PRODUCT=%x/%x/%x\n",
			       devnum, devnum, id->vid, id->pid, id->bcd_device);
	g_string_append_printf(s,
			       "A: busnum=1\\n\nA: devnum=%d\\n\nA: speed=%s\\n\n"
			       "A: bConfigurationValue=1\\n\nA: bNumConfigurations=1\\n\n"
			       "A: bNumInterfaces= 1\\n\n"
			       "A: idVendor=%04x\\n\nA: idProduct=%04x\\n\nA: bcdDevice=%04x\\n\n"
			       "A: manufacturer=%s\\n\nA: product=%s\\n\nA: serial=%s\\n\n",
			       devnum, id->high_speed ? "480" : "12", id->vid, id->pid, id->bcd_device,
			       id->manufacturer, id->product, d->serial);
	g_string_append(s, "H: descriptors=");
	hex_append(s, d->dev_desc, sizeof(d->dev_desc));
	hex_append(s, d->cfg_desc, d->cfg_len);
	g_string_append(s, "\n\n");
}

/* For HID probes the kernel's usbhid driver would add an interface, a hid
 * device and a hidraw node below the USB device; hidapi's hidraw back end
 * (Debian's OpenOCD uses it) finds the probe through them. */
static void describe_hid_children(const struct lab_dev *d, GString *s, const char *usbpath)
{
	const struct sim_usb_identity *id = d->id;
	int n = d->index + 1;
	char intf[160], hid[200];

	snprintf(intf, sizeof(intf), "%s/1-%d:1.0", usbpath, n);
	snprintf(hid, sizeof(hid), "%s/0003:%04X:%04X.%04X", intf, id->vid, id->pid, n);
	g_string_append_printf(s,
			       "P: %s\nE: SUBSYSTEM=usb\nE: DEVTYPE=usb_interface\n"
			       "A: bInterfaceNumber=00\\n\nA: bInterfaceClass=03\\n\n\n",
			       intf);
	g_string_append_printf(s,
			       "P: %s\nE: SUBSYSTEM=hid\nE: HID_ID=0003:%08X:%08X\n"
			       "E: HID_NAME=%s %s\nE: HID_UNIQ=%s\nE: HID_PHYS=usb-lab-%d/input0\n"
			       "H: report_descriptor=",
			       hid, id->vid, id->pid, id->manufacturer, id->product, d->serial, n);
	hex_append(s, d->report_desc, d->report_len);
	g_string_append_printf(s,
			       "\n\nP: %s/hidraw/hidraw%d\nN: hidraw%d\nE: SUBSYSTEM=hidraw\n"
			       "E: DEVNAME=/dev/hidraw%d\nA: dev=241:%d\\n\n\n",
			       hid, d->index, d->index, d->index, d->index);
}

int lab_desc_add_to_testbed(struct lab_dev *d)
{
	GString *s = g_string_new(NULL);
	GError *err = NULL;
	char usbpath[128];
	gboolean ok;

	snprintf(usbpath, sizeof(usbpath), "/devices/pci0000:00/0000:00:14.0/usb1/1-%d", d->index + 1);
	describe_usb_device(d, s, usbpath);
	if (d->id->hid)
		describe_hid_children(d, s, usbpath);
	ok = umockdev_testbed_add_from_string(lab.tb, s->str, &err);
	if (!ok) {
		fprintf(stderr, "swdd-lab: cannot add device: %s\n", err ? err->message : "?");
		g_clear_error(&err);
	}
	lab_debug("device description:\n%s", s->str);
	g_string_free(s, TRUE);
	snprintf(d->usb_node, sizeof(d->usb_node), "/dev/bus/usb/001/%03d", d->index + 2);
	if (d->id->hid)
		snprintf(d->hidraw_node, sizeof(d->hidraw_node), "/dev/hidraw%d", d->index);
	return ok ? 0 : -1;
}
