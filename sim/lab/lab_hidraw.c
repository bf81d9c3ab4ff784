/*
 * /dev/hidrawN of an emulated CMSIS-DAP v1, for hidapi's hidraw back end
 * (Debian's OpenOCD is linked against it). Semantics of the kernel's
 * hidraw.c as user space sees them (Documentation/hid/hidraw.rst):
 *   write(): first byte is the report ID, 0 for unnumbered reports and then
 *            not sent on the wire; returns the full count.
 *   read():  one input report (no ID byte for unnumbered reports). We answer
 *            EAGAIN when the probe has nothing to send; hidapi only reads
 *            after poll() reported POLLIN, which the FIFO behind the node
 *            tracks (lab_engine.c).
 *   ioctl(): report descriptor size and contents, raw info, name, phys.
 * Reads and writes run on the lab thread like URBs, so firmware work never
 * blocks umockdev's worker thread.
 */
#include "lab.h"

#include <errno.h>
#include <linux/hidraw.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <string.h>

struct hidraw_call {
	struct lab_dev *dev;
	UMockdevIoctlClient *uc;
	unsigned long req;
};

static gboolean hid_finish(const struct hidraw_call *c, long res, int err)
{
	umockdev_ioctl_client_complete(c->uc, res, err);
	return TRUE;
}

/* Copies `len` bytes to the client's ioctl argument buffer. */
static gboolean reply_bytes(const struct hidraw_call *c, size_t off, const void *src, size_t len, long res)
{
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(c->uc);
	GError *err = NULL;
	UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, _IOC_SIZE(c->req), &err);

	g_clear_error(&err);
	if (!d)
		return hid_finish(c, -1, EFAULT);
	if (off + len > (size_t)d->data_len)
		len = off < (size_t)d->data_len ? (size_t)d->data_len - off : 0;
	memcpy(d->data + off, src, len);
	g_object_unref(d);
	return hid_finish(c, res, 0);
}

static gboolean reply_string(const struct hidraw_call *c, const char *s)
{
	size_t n = strlen(s) + 1;

	return reply_bytes(c, 0, s, n, (long)n);
}

static gboolean do_hidraw_ioctl(const struct hidraw_call *c)
{
	const struct lab_dev *d = c->dev;
	int size = (int)d->report_len;
	struct hidraw_devinfo info = { .bustype = 3 /* BUS_USB */,
				       .vendor = (__s16)d->id->vid,
				       .product = (__s16)d->id->pid };
	char name[160];

	switch (_IOC_NR(c->req)) {
	case _IOC_NR(HIDIOCGRDESCSIZE):
		return reply_bytes(c, 0, &size, sizeof(size), 0);
	case _IOC_NR(HIDIOCGRDESC):
		return reply_bytes(c, sizeof(uint32_t), d->report_desc, d->report_len, 0);
	case _IOC_NR(HIDIOCGRAWINFO):
		return reply_bytes(c, 0, &info, sizeof(info), 0);
	case _IOC_NR(HIDIOCGRAWNAME(0)):
		snprintf(name, sizeof(name), "%s %s", d->id->manufacturer, d->id->product);
		return reply_string(c, name);
	case _IOC_NR(HIDIOCGRAWPHYS(0)):
		snprintf(name, sizeof(name), "usb-lab-%d/input0", d->index + 1);
		return reply_string(c, name);
	case _IOC_NR(HIDIOCGRAWUNIQ(0)):
		return reply_string(c, d->serial);
	default:
		return hid_finish(c, -1, EINVAL); /* feature/input reports: none */
	}
}

static gboolean hidraw_handle_ioctl(UMockdevIoctlBase *self, UMockdevIoctlClient *uc, gpointer user)
{
	struct hidraw_call c = { .dev = user, .uc = uc, .req = umockdev_ioctl_client_get_request(uc) };

	(void)self;
	if (_IOC_TYPE(c.req) != 'H')
		return hid_finish(&c, -1, ENOTTY);
	return do_hidraw_ioctl(&c);
}

static gboolean queue_io(UMockdevIoctlClient *uc, enum lab_job_kind kind)
{
	struct lab_client *cl = g_object_get_data(G_OBJECT(uc), "lab-client");
	struct lab_job *j;

	if (!cl) {
		umockdev_ioctl_client_complete(uc, -1, ENODEV);
		return TRUE;
	}
	j = g_new0(struct lab_job, 1);
	j->kind = kind;
	j->cl = cl;
	j->uc = g_object_ref(uc); /* the answer comes later, from the lab thread */
	j->buf = g_object_ref(umockdev_ioctl_client_get_arg(uc));
	g_mutex_lock(&lab.lock);
	lab_job_queue(j);
	g_mutex_unlock(&lab.lock);
	return TRUE;
}

static gboolean hidraw_handle_read(UMockdevIoctlBase *self, UMockdevIoctlClient *uc, gpointer user)
{
	(void)self;
	(void)user;
	return queue_io(uc, LAB_JOB_HID_READ);
}

static gboolean hidraw_handle_write(UMockdevIoctlBase *self, UMockdevIoctlClient *uc, gpointer user)
{
	(void)self;
	(void)user;
	return queue_io(uc, LAB_JOB_HID_WRITE);
}

int lab_hidraw_attach(struct lab_dev *d)
{
	UMockdevIoctlBase *h = umockdev_ioctl_base_new();
	GError *err = NULL;
	gboolean ok;

	g_signal_connect(h, "handle-ioctl", G_CALLBACK(hidraw_handle_ioctl), d);
	g_signal_connect(h, "handle-read", G_CALLBACK(hidraw_handle_read), d);
	g_signal_connect(h, "handle-write", G_CALLBACK(hidraw_handle_write), d);
	g_signal_connect(h, "client-connected", G_CALLBACK(lab_client_connected_cb), d);
	ok = umockdev_testbed_attach_ioctl(lab.tb, d->hidraw_node, h, &err);
	if (!ok) {
		fprintf(stderr, "swdd-lab: cannot attach to %s: %s\n", d->hidraw_node,
			err ? err->message : "?");
		g_clear_error(&err);
	}
	g_object_unref(h);
	return ok ? 0 : -1;
}
