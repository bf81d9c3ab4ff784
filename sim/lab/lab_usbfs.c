/*
 * usbfs emulation: the ioctls libusb's Linux back end issues on
 * /dev/bus/usb/BBB/DDD (linux/usbdevice_fs.h), answered on umockdev's
 * worker thread. Control transfers are answered here from the descriptors
 * (USB 2.0 9.4 standard requests, HID 1.11 7.1/7.2 class requests); bulk and
 * interrupt URBs are queued for the lab thread (lab_engine.c), which runs the
 * probe firmware and marks them reapable.
 *
 * Semantics follow the kernel's devio.c as seen from user space: SUBMITURB
 * returns at once, REAPURBNDELAY returns a completed URB or EAGAIN,
 * DISCARDURB makes a pending URB reapable with status -ENOENT (EINVAL if it
 * already completed), GETDRIVER fails with ENODATA (no kernel driver bound),
 * an interface claimed through another file descriptor is EBUSY.
 */
#include "lab.h"

#include <errno.h>
#include <linux/usb/ch9.h>
#include <linux/usbdevice_fs.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* HID 1.11 7.1: class descriptor types. */
#define HID_DT_HID_LAB 0x21u
#define HID_DT_REPORT_LAB 0x22u

#define USBFS_CAPS                                                                                           \
	(USBDEVFS_CAP_ZERO_PACKET | USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_NO_PACKET_SIZE_LIM |       \
	 USBDEVFS_CAP_REAP_AFTER_DISCONNECT | USBDEVFS_CAP_CONNINFO_EX)

struct usbfs_call {
	struct lab_dev *dev;
	struct lab_client *cl;
	UMockdevIoctlClient *uc;
	unsigned long req;
};

/* Resolves the ioctl argument as a struct of the size the request encodes
 * (or `len` if non-zero). Returns an owned reference or NULL. */
static UMockdevIoctlData *arg_resolve(const struct usbfs_call *c, size_t len)
{
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(c->uc);
	GError *err = NULL;
	UMockdevIoctlData *d;

	if (!len)
		len = _IOC_SIZE(c->req);
	d = umockdev_ioctl_data_resolve(arg, 0, len, &err);
	if (err) {
		fprintf(stderr, "swdd-lab: cannot read ioctl argument: %s\n", err->message);
		g_clear_error(&err);
	}
	return d;
}

static gboolean finish(const struct usbfs_call *c, long res, int err)
{
	umockdev_ioctl_client_complete(c->uc, res, err);
	return TRUE;
}

static gboolean fail(const struct usbfs_call *c, int err)
{
	return finish(c, -1, err);
}

/* Copies the start of the struct an ioctl argument points to into dst. */
static int arg_read(const struct usbfs_call *c, void *dst, size_t len)
{
	UMockdevIoctlData *d = arg_resolve(c, len);

	if (!d)
		return -1;
	memcpy(dst, d->data, len);
	g_object_unref(d);
	return 0;
}

/* Answers an ioctl that returns a struct: copies up to the size the
 * request encodes, completes with 0. */
static gboolean reply_arg(const struct usbfs_call *c, const void *src, size_t len)
{
	UMockdevIoctlData *d = arg_resolve(c, 0);
	size_t n = _IOC_SIZE(c->req);

	if (!d)
		return fail(c, EFAULT);
	memcpy(d->data, src, n < len ? n : len);
	g_object_unref(d);
	return finish(c, 0, 0);
}

/* ---- control transfers ------------------------------------------------ */

static int copy_out(uint8_t *data, size_t cap, const void *src, size_t len)
{
	if (len > cap)
		len = cap;
	memcpy(data, src, len);
	return (int)len;
}

/* USB 2.0 9.4.3 GET_DESCRIPTOR to the device; HID 1.11 7.1.1 to the
 * interface (HID and report descriptors). */
static int control_get_descriptor(struct lab_dev *d, const struct usb_ctrlrequest *s, uint8_t *data,
				  size_t cap)
{
	uint8_t type = (uint8_t)(s->wValue >> 8), index = (uint8_t)s->wValue;
	uint8_t tmp[256];
	int n;

	switch (type) {
	case USB_DT_DEVICE:
		return copy_out(data, cap, d->dev_desc, sizeof(d->dev_desc));
	case USB_DT_CONFIG:
		return index == 0 ? copy_out(data, cap, d->cfg_desc, d->cfg_len) : -EPIPE;
	case USB_DT_STRING:
		n = lab_desc_string(d, index, tmp, sizeof(tmp));
		return n < 0 ? -EPIPE : copy_out(data, cap, tmp, (size_t)n);
	case HID_DT_REPORT_LAB:
		return d->id->hid ? copy_out(data, cap, d->report_desc, d->report_len) : -EPIPE;
	case HID_DT_HID_LAB:
		return d->id->hid ? copy_out(data, cap, d->cfg_desc + 18, 9) : -EPIPE;
	default:
		return -EPIPE;
	}
}

/* HID 1.11 7.2: SET_IDLE / SET_PROTOCOL are acknowledged; SET_REPORT of an
 * Output report is accepted as a report (hosts without an interrupt OUT
 * endpoint use it), other class requests stall. */
static int control_hid_class(struct lab_dev *d, const struct usb_ctrlrequest *s, uint8_t *data, size_t len)
{
	switch (s->bRequest) {
	case 0x0A: /* SET_IDLE */
	case 0x0B: /* SET_PROTOCOL */
		return 0;
	case 0x09:                         /* SET_REPORT */
		if ((s->wValue >> 8) != 2) /* Output */
			return -EPIPE;
		g_mutex_lock(&lab.sim_lock);
		sim_probe_out(d->probe, data, len);
		g_mutex_unlock(&lab.sim_lock);
		d->maybe_data = true;
		return (int)len;
	default:
		return -EPIPE;
	}
}

int lab_usbfs_control(struct lab_dev *d, const uint8_t setup[8], uint8_t *data, size_t cap)
{
	struct usb_ctrlrequest s;
	uint8_t one = 1;

	memcpy(&s, setup, sizeof(s));
	if (s.wLength < cap)
		cap = s.wLength;
	if ((s.bRequestType & USB_TYPE_MASK) == USB_TYPE_CLASS && d->id->hid)
		return control_hid_class(d, &s, data, cap);
	if ((s.bRequestType & USB_TYPE_MASK) != USB_TYPE_STANDARD)
		return -EPIPE;
	switch (s.bRequest) {
	case USB_REQ_GET_DESCRIPTOR:
		return control_get_descriptor(d, &s, data, cap);
	case USB_REQ_GET_CONFIGURATION:
		return copy_out(data, cap, &one, 1);
	case USB_REQ_GET_STATUS:
		return copy_out(data, cap, "\0\0", 2);
	case USB_REQ_GET_INTERFACE:
		return copy_out(data, cap, "\0", 1);
	case USB_REQ_SET_CONFIGURATION:
	case USB_REQ_SET_INTERFACE:
	case USB_REQ_CLEAR_FEATURE:
	case USB_REQ_SET_FEATURE:
		return 0;
	default:
		return -EPIPE;
	}
}

/* ---- URBs --------------------------------------------------------------- */

static bool endpoint_exists(const struct lab_dev *d, uint8_t ep)
{
	const struct sim_usb_identity *id = d->id;

	return ep == id->ep_in || ep == id->ep_out || (id->ep_swo && ep == id->ep_swo);
}

static void control_urb(struct lab_dev *d, struct lab_job *j, struct usbdevfs_urb *u)
{
	int n = -EPIPE;

	if (j->buf && u->buffer_length >= 8)
		n = lab_usbfs_control(d, j->buf->data, j->buf->data + 8, (size_t)u->buffer_length - 8);
	j->status = n < 0 ? n : 0;
	j->actual = n < 0 ? 0 : n;
	j->state = LAB_JOB_DONE;
}

static gboolean do_submit(const struct usbfs_call *c)
{
	UMockdevIoctlData *urb = arg_resolve(c, 0);
	struct usbdevfs_urb *u;
	struct lab_job *j;
	GError *err = NULL;

	if (!urb)
		return fail(c, EFAULT);
	u = (struct usbdevfs_urb *)urb->data;
	if (u->type != USBDEVFS_URB_TYPE_CONTROL && !endpoint_exists(c->dev, u->endpoint)) {
		g_object_unref(urb);
		return fail(c, ENOENT);
	}
	j = g_new0(struct lab_job, 1);
	j->kind = LAB_JOB_URB;
	j->urb = urb;
	j->client_addr = urb->client_addr;
	j->type = u->type;
	j->ep = u->endpoint;
	j->in = (u->endpoint & USB_DIR_IN) != 0;
	if (u->buffer_length > 0)
		j->buf = umockdev_ioctl_data_resolve(urb, offsetof(struct usbdevfs_urb, buffer),
						     (size_t)u->buffer_length, &err);
	g_clear_error(&err);
	j->cl = c->cl;
	g_mutex_lock(&lab.lock);
	if (u->type == USBDEVFS_URB_TYPE_CONTROL)
		control_urb(c->dev, j, u);
	lab_job_queue(j);
	g_mutex_unlock(&lab.lock);
	return finish(c, 0, 0);
}

/* Under lab.lock: hands the first completed URB of cl to the REAP ioctl
 * whose argument (a pointer to the client's urb pointer) is `ptr`. */
static bool reap_one(struct lab_client *cl, UMockdevIoctlData *ptr)
{
	struct usbdevfs_urb *u;
	struct lab_job *j;

	for (j = cl->jobs; j; j = j->next)
		if (j->state == LAB_JOB_DONE && j->kind == LAB_JOB_URB)
			break;
	if (!j)
		return false;
	u = (struct usbdevfs_urb *)j->urb->data;
	u->status = j->status;
	u->actual_length = j->actual;
	umockdev_ioctl_data_set_ptr(ptr, 0, j->urb);
	lab_job_free(j);
	return true;
}

/* Under lab.lock, from any thread: completes a blocking REAPURB. */
void lab_usbfs_wake_reaper(struct lab_client *cl)
{
	if (cl->reap_wait && reap_one(cl, cl->reap_wait)) {
		g_object_unref(cl->reap_wait);
		cl->reap_wait = NULL;
		umockdev_ioctl_client_complete(cl->uc, 0, 0);
		g_object_unref(cl->uc); /* taken by do_reap() */
		lab_dev_update_pipes(cl->dev);
	}
}

static gboolean do_reap(const struct usbfs_call *c, bool block)
{
	UMockdevIoctlData *ptr = arg_resolve(c, sizeof(void *));
	bool got;

	if (!ptr)
		return fail(c, EFAULT);
	g_mutex_lock(&lab.lock);
	got = reap_one(c->cl, ptr);
	if (got)
		lab_dev_update_pipes(c->dev);
	else if (block && !c->cl->reap_wait) {
		c->cl->reap_wait = g_object_ref(ptr);
		g_object_ref(c->uc); /* answered later by lab_usbfs_wake_reaper() */
	}
	g_mutex_unlock(&lab.lock);
	g_object_unref(ptr);
	if (got)
		return finish(c, 0, 0);
	if (block)
		return TRUE; /* completed by lab_usbfs_wake_reaper() */
	return fail(c, EAGAIN);
}

static gboolean do_discard(const struct usbfs_call *c)
{
	unsigned long addr = *(unsigned long *)umockdev_ioctl_client_get_arg(c->uc)->data;
	struct lab_job *j;
	int err = EINVAL;

	g_mutex_lock(&lab.lock);
	for (j = c->cl->jobs; j; j = j->next) {
		if (j->kind != LAB_JOB_URB || j->client_addr != addr)
			continue;
		if (j->state == LAB_JOB_QUEUED) {
			j->state = LAB_JOB_DONE;
			j->status = -ENOENT;
			j->actual = 0;
			err = 0;
			lab_usbfs_wake_reaper(c->cl);
			lab_dev_update_pipes(c->dev);
		}
		break;
	}
	g_mutex_unlock(&lab.lock);
	return err ? fail(c, err) : finish(c, 0, 0);
}

/* ---- interfaces and device state ---------------------------------------- */

static gboolean claim(const struct usbfs_call *c, uint32_t ifno)
{
	int err = 0;

	if (ifno >= LAB_MAX_IFACES)
		return fail(c, ENOENT);
	g_mutex_lock(&lab.lock);
	lab_clients_sweep();
	if (c->dev->claimed[ifno] && c->dev->claimed[ifno] != c->cl)
		err = EBUSY;
	else
		c->dev->claimed[ifno] = c->cl;
	g_mutex_unlock(&lab.lock);
	return err ? fail(c, err) : finish(c, 0, 0);
}

/* CLAIMINTERFACE, and DISCONNECT_CLAIM (whose struct starts with the
 * interface number): no kernel driver is ever bound, so both just claim. */
static gboolean do_claim(const struct usbfs_call *c)
{
	uint32_t ifno;

	if (arg_read(c, &ifno, sizeof(ifno)))
		return fail(c, EFAULT);
	return claim(c, ifno);
}

static gboolean do_release(const struct usbfs_call *c)
{
	uint32_t ifno;
	int err = 0;

	if (arg_read(c, &ifno, sizeof(ifno)))
		return fail(c, EFAULT);
	g_mutex_lock(&lab.lock);
	if (ifno >= LAB_MAX_IFACES || c->dev->claimed[ifno] != c->cl)
		err = EINVAL;
	else
		c->dev->claimed[ifno] = NULL;
	g_mutex_unlock(&lab.lock);
	return err ? fail(c, err) : finish(c, 0, 0);
}

static gboolean do_capabilities(const struct usbfs_call *c)
{
	uint32_t caps = USBFS_CAPS;

	return reply_arg(c, &caps, sizeof(caps));
}

/* USBDEVFS_IOCTL carries driver (dis)connect requests for an interface. */
static gboolean do_usbfs_ioctl(const struct usbfs_call *c)
{
	struct usbdevfs_ioctl io;

	if (arg_read(c, &io, sizeof(io)))
		return fail(c, EFAULT);
	if ((unsigned)io.ioctl_code == (unsigned)USBDEVFS_DISCONNECT)
		return fail(c, ENODATA);
	if ((unsigned)io.ioctl_code == (unsigned)USBDEVFS_CONNECT)
		return finish(c, 0, 0);
	return fail(c, ENOTTY);
}

static uint32_t usb_speed(const struct lab_dev *d)
{
	return d->id->high_speed ? USB_SPEED_HIGH : USB_SPEED_FULL;
}

static gboolean do_conninfo_ex(const struct usbfs_call *c)
{
	struct usbdevfs_conninfo_ex ci = {
		.size = sizeof(ci),
		.busnum = 1,
		.devnum = (uint32_t)c->dev->index + 2,
		.speed = usb_speed(c->dev),
		.num_ports = 1,
		.ports = { (uint8_t)(c->dev->index + 1) },
	};

	return reply_arg(c, &ci, sizeof(ci));
}

static gboolean do_connectinfo(const struct usbfs_call *c)
{
	struct usbdevfs_connectinfo ci = { .devnum = (unsigned)c->dev->index + 2, .slow = 0 };

	return reply_arg(c, &ci, sizeof(ci));
}

/* Synchronous control transfer (USBDEVFS_CONTROL): returns the length. */
static gboolean do_control(const struct usbfs_call *c)
{
	UMockdevIoctlData *d = arg_resolve(c, 0), *buf = NULL;
	struct usbdevfs_ctrltransfer ct;
	uint8_t setup[8], scratch[1];
	GError *err = NULL;
	int n;

	if (!d)
		return fail(c, EFAULT);
	memcpy(&ct, d->data, sizeof(ct));
	if (ct.wLength)
		buf = umockdev_ioctl_data_resolve(d, offsetof(struct usbdevfs_ctrltransfer, data), ct.wLength,
						  &err);
	g_clear_error(&err);
	memcpy(setup, &ct, sizeof(setup));
	n = lab_usbfs_control(c->dev, setup, buf ? buf->data : scratch, buf ? ct.wLength : 0);
	if (buf)
		g_object_unref(buf);
	g_object_unref(d);
	return n < 0 ? fail(c, -n) : finish(c, n, 0);
}

static gboolean do_set_configuration(const struct usbfs_call *c)
{
	uint32_t v;

	if (arg_read(c, &v, sizeof(v)))
		return fail(c, EFAULT);
	return v <= 1 ? finish(c, 0, 0) : fail(c, EINVAL);
}

static gboolean do_ok(const struct usbfs_call *c)
{
	return finish(c, 0, 0);
}

static gboolean do_getdriver(const struct usbfs_call *c)
{
	return fail(c, ENODATA);
}

static gboolean do_get_speed(const struct usbfs_call *c)
{
	return finish(c, (long)usb_speed(c->dev), 0);
}

static gboolean do_reap_block(const struct usbfs_call *c)
{
	return do_reap(c, true);
}

static gboolean do_reap_nodelay(const struct usbfs_call *c)
{
	return do_reap(c, false);
}

/* Dispatch by ioctl number (_IOC_NR) of type 'U'. */
static gboolean (*const usbfs_ops[])(const struct usbfs_call *c) = {
	[_IOC_NR(USBDEVFS_CONTROL)] = do_control,
	[_IOC_NR(USBDEVFS_RESETEP)] = do_ok,
	[_IOC_NR(USBDEVFS_SETINTERFACE)] = do_ok,
	[_IOC_NR(USBDEVFS_SETCONFIGURATION)] = do_set_configuration,
	[_IOC_NR(USBDEVFS_GETDRIVER)] = do_getdriver,
	[_IOC_NR(USBDEVFS_SUBMITURB)] = do_submit,
	[_IOC_NR(USBDEVFS_DISCARDURB)] = do_discard,
	[_IOC_NR(USBDEVFS_REAPURB)] = do_reap_block,
	[_IOC_NR(USBDEVFS_REAPURBNDELAY)] = do_reap_nodelay,
	[_IOC_NR(USBDEVFS_CLAIMINTERFACE)] = do_claim,
	[_IOC_NR(USBDEVFS_RELEASEINTERFACE)] = do_release,
	[_IOC_NR(USBDEVFS_CONNECTINFO)] = do_connectinfo,
	[_IOC_NR(USBDEVFS_IOCTL)] = do_usbfs_ioctl,
	[_IOC_NR(USBDEVFS_RESET)] = do_ok,
	[_IOC_NR(USBDEVFS_CLEAR_HALT)] = do_ok,
	[_IOC_NR(USBDEVFS_GET_CAPABILITIES)] = do_capabilities,
	[_IOC_NR(USBDEVFS_DISCONNECT_CLAIM)] = do_claim,
	[_IOC_NR(USBDEVFS_GET_SPEED)] = do_get_speed,
	[_IOC_NR(USBDEVFS_CONNINFO_EX(0))] = do_conninfo_ex,
};

static gboolean usbfs_handle_ioctl(UMockdevIoctlBase *self, UMockdevIoctlClient *uc, gpointer user)
{
	struct usbfs_call c = {
		.dev = user,
		.uc = uc,
		.req = umockdev_ioctl_client_get_request(uc),
		.cl = g_object_get_data(G_OBJECT(uc), "lab-client"),
	};
	unsigned nr = _IOC_NR(c.req);

	(void)self;
	if (!c.cl)
		return fail(&c, ENODEV);
	lab_debug("%.6f usbfs %s ioctl nr %u size %u\n", (double)g_get_monotonic_time() / 1e6,
		  c.dev->usb_node, nr, (unsigned)_IOC_SIZE(c.req));
	if (_IOC_TYPE(c.req) != 'U' || nr >= G_N_ELEMENTS(usbfs_ops) || !usbfs_ops[nr])
		return fail(&c, ENOTTY);
	/* after a disconnect only the URBs already completed can be reaped */
	if (c.dev->unplugged && nr != _IOC_NR(USBDEVFS_REAPURBNDELAY) && nr != _IOC_NR(USBDEVFS_REAPURB))
		return fail(&c, ENODEV);
	return usbfs_ops[nr](&c);
}

int lab_usbfs_attach(struct lab_dev *d)
{
	UMockdevIoctlBase *h = umockdev_ioctl_base_new();
	GError *err = NULL;

	g_signal_connect(h, "handle-ioctl", G_CALLBACK(usbfs_handle_ioctl), d);
	g_signal_connect(h, "client-connected", G_CALLBACK(lab_client_connected_cb), d);
	if (!umockdev_testbed_attach_ioctl(lab.tb, d->usb_node, h, &err)) {
		fprintf(stderr, "swdd-lab: cannot attach to %s: %s\n", d->usb_node, err ? err->message : "?");
		g_clear_error(&err);
		g_object_unref(h);
		return -1;
	}
	g_object_unref(h);
	return 0;
}
