/*
 * The lab thread: runs queued bulk/interrupt transfers and hidraw
 * reads/writes through the probe firmware (sim_probe_out/sim_probe_in), in
 * submission order, and keeps the device nodes' poll() state honest.
 *
 * A bulk or interrupt IN that finds no reply bytes stays pending, as a real
 * device NAKs until the host controller's transfer times out (USB 2.0
 * 8.5.1); it is retried after the next OUT to the same probe.
 *
 * poll(): umockdev device nodes are regular files, always "ready", which
 * makes libusb's event loop spin. Each node is replaced by a FIFO with a
 * one-page buffer that we hold open:
 *   usbfs  POLLOUT means "a URB is reapable" (kernel devio.c usbdev_poll):
 *          the FIFO is kept full while no URB of the device is reapable and
 *          drained when one is.
 *   hidraw POLLIN means "a report can be read": the FIFO holds a byte while
 *          the probe may have reply bytes, and is empty otherwise.
 */
#define _GNU_SOURCE
#include "lab.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/usbdevice_fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LAB_PIPE_BYTES 4096

struct lab lab;
static GThread *engine_thread;

/* ---- FIFOs ------------------------------------------------------------ */

int lab_pipe_create(const char *node)
{
	char *path = g_build_filename(lab.root, node, NULL);
	int fd = -1;

	unlink(path);
	if (mkfifo(path, 0666) == 0)
		fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		fprintf(stderr, "swdd-lab: cannot create FIFO %s: %s\n", path, strerror(errno));
	else
		fcntl(fd, F_SETPIPE_SZ, LAB_PIPE_BYTES);
	g_free(path);
	return fd;
}

static void pipe_fill(int fd)
{
	static const char page[LAB_PIPE_BYTES];

	while (write(fd, page, sizeof(page)) > 0)
		;
}

static void pipe_drain(int fd)
{
	char page[LAB_PIPE_BYTES];

	while (read(fd, page, sizeof(page)) > 0)
		;
}

static bool dev_has_reapable(const struct lab_dev *d)
{
	for (struct lab_client *cl = lab.clients; cl; cl = cl->next) {
		if (cl->dev != d || cl->gone || cl->hidraw)
			continue;
		for (struct lab_job *j = cl->jobs; j; j = j->next)
			if (j->state == LAB_JOB_DONE)
				return true;
	}
	return false;
}

void lab_dev_update_pipes(struct lab_dev *d)
{
	bool ready = dev_has_reapable(d);

	if (d->usb_pipe >= 0 && ready == d->usb_pipe_full) {
		if (ready)
			pipe_drain(d->usb_pipe);
		else
			pipe_fill(d->usb_pipe);
		d->usb_pipe_full = !ready;
	}
	if (d->hidraw_pipe >= 0 && d->maybe_data != d->hidraw_pipe_full) {
		if (d->maybe_data)
			(void)!write(d->hidraw_pipe, "", 1);
		else
			pipe_drain(d->hidraw_pipe);
		d->hidraw_pipe_full = d->maybe_data;
	}
}

/* ---- jobs and clients ------------------------------------------------- */

void lab_job_queue(struct lab_job *j)
{
	struct lab_job **pp = &j->cl->jobs;

	while (*pp)
		pp = &(*pp)->next;
	*pp = j;
	j->next = NULL;
	j->seq = lab.next_seq++;
	if (j->state == LAB_JOB_QUEUED)
		g_cond_signal(&lab.work);
	else
		lab_dev_update_pipes(j->cl->dev);
}

void lab_job_free(struct lab_job *j)
{
	for (struct lab_job **pp = &j->cl->jobs; *pp; pp = &(*pp)->next) {
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	}
	if (j->urb)
		g_object_unref(j->urb);
	if (j->buf)
		g_object_unref(j->buf);
	if (j->uc)
		g_object_unref(j->uc);
	g_free(j);
}

/* umockdev drops its last reference to a client when the client's socket
 * closes (close() or exit); that is our "file released". This runs inside
 * g_object_unref, possibly with lab.lock held by the caller, so it only
 * flags the client and wakes the lab thread, which cleans up. */
static void client_finalized(gpointer data, GObject *where)
{
	struct lab_client *cl = data;

	(void)where;
	g_atomic_int_set(&cl->dead, 1);
	g_cond_signal(&lab.work);
}

static struct lab_client *client_new(struct lab_dev *d, UMockdevIoctlClient *uc, bool hidraw)
{
	struct lab_client *cl = g_new0(struct lab_client, 1);

	cl->dev = d;
	cl->uc = uc;
	cl->hidraw = hidraw;
	cl->next = lab.clients;
	lab.clients = cl;
	g_object_weak_ref(G_OBJECT(uc), client_finalized, cl);
	return cl;
}

/* The client's URBs die with it (a running one is freed by the lab thread
 * when it finishes) and its claims are released. The struct stays on the
 * list, marked gone. No deferred answer can be pending: those hold a
 * reference to the client. */
static void client_gone(struct lab_client *cl)
{
	struct lab_job *j = cl->jobs, *next;

	cl->gone = true;
	for (; j; j = next) {
		next = j->next;
		if (j->state != LAB_JOB_RUNNING)
			lab_job_free(j);
	}
	for (int i = 0; i < LAB_MAX_IFACES; i++)
		if (cl->dev->claimed[i] == cl)
			cl->dev->claimed[i] = NULL;
	cl->uc = NULL;
	lab_debug("client of %s closed\n", cl->hidraw ? cl->dev->hidraw_node : cl->dev->usb_node);
	lab_dev_update_pipes(cl->dev);
}

void lab_clients_sweep(void)
{
	for (struct lab_client *cl = lab.clients; cl; cl = cl->next)
		if (!cl->gone && g_atomic_int_get(&cl->dead))
			client_gone(cl);
}

void lab_client_connected_cb(UMockdevIoctlBase *self, UMockdevIoctlClient *uc, gpointer user)
{
	struct lab_dev *d = user;
	const char *node = umockdev_ioctl_client_get_devnode(uc);
	struct lab_client *cl;

	(void)self;
	g_mutex_lock(&lab.lock);
	cl = client_new(d, uc, d->hidraw_node[0] && !strcmp(node, d->hidraw_node));
	g_mutex_unlock(&lab.lock);
	g_object_set_data(G_OBJECT(uc), "lab-client", cl);
	lab_debug("client connected to %s\n", node);
}

/* ---- the lab thread --------------------------------------------------- */

static bool job_runnable(const struct lab_job *j)
{
	if (j->state != LAB_JOB_QUEUED)
		return false;
	/* Only the debug IN endpoint carries replies; the SWO endpoint has no
	 * trace data in this lab, so its INs NAK until the host gives up. */
	if (j->kind == LAB_JOB_URB && j->in)
		return j->ep == j->cl->dev->id->ep_in && j->cl->dev->maybe_data;
	return true;
}

/* Under lab.lock: the oldest runnable job of any client. */
static struct lab_job *pick_job(void)
{
	struct lab_job *best = NULL;

	lab_clients_sweep();
	for (struct lab_client *cl = lab.clients; cl; cl = cl->next) {
		if (cl->gone)
			continue;
		for (struct lab_job *j = cl->jobs; j; j = j->next)
			if (job_runnable(j) && (!best || j->seq < best->seq))
				best = j;
	}
	return best;
}

/* What the lab thread works on outside lab.lock. */
struct transfer {
	sim_probe *probe;
	bool in;
	uint8_t *data;
	size_t len; /* OUT: bytes to send; IN: capacity */
	size_t got;
	int rc;
	enum lab_inj_fault inj; /* a fault to inject once the transfer is done */
};

/* Under lab.lock: copies what the job needs. hidraw writes carry the
 * report ID first; report 0 (unnumbered reports) is not sent on the wire
 * (HID 1.11 5.6, as the kernel's usbhid does). */
static void transfer_prepare(struct lab_job *j, struct transfer *t)
{
	UMockdevIoctlData *b = j->buf;
	size_t skip = 0;

	t->probe = j->cl->dev->probe;
	t->in = j->kind == LAB_JOB_HID_READ || (j->kind == LAB_JOB_URB && j->in);
	t->len = b ? (size_t)b->data_len : 0;
	if (j->kind == LAB_JOB_HID_WRITE && t->len && b->data[0] == 0)
		skip = 1;
	t->len -= skip;
	t->data = g_malloc(t->len ? t->len : 1);
	if (!t->in && t->len)
		memcpy(t->data, b->data + skip, t->len);
	t->got = 0;
	t->inj = LAB_INJ_NONE;
}

static int lab_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* --host-idle-net: the median of the latest pauses between an OUT and the
 * IN right after it (a command and its reply: the host only goes through
 * libusb, umockdev's preload library and this lab's dispatch in between),
 * the emulation's own cost of one transfer under the machine's current
 * load; 0 before the first sample. */
static uint64_t plumb_estimate_us(const struct lab_dev *d)
{
	uint32_t v[LAB_PLUMB_SAMPLES];

	if (!d->plumb_n)
		return 0;
	memcpy(v, d->plumb_us, d->plumb_n * sizeof(v[0]));
	qsort(v, d->plumb_n, sizeof(v[0]), lab_cmp_u32);
	return v[d->plumb_n / 2];
}

static void plumb_sample(struct lab_dev *d, uint64_t gap_us)
{
	d->plumb_us[d->plumb_next] = gap_us > UINT32_MAX ? UINT32_MAX : (uint32_t)gap_us;
	d->plumb_next = (d->plumb_next + 1) % LAB_PLUMB_SAMPLES;
	if (d->plumb_n < LAB_PLUMB_SAMPLES)
		d->plumb_n++;
}

/* Under lab.sim_lock. --host-idle: the host's pauses between transfers
 * (OpenOCD's 2 ms poll throttle, st-flash's 10 ms loader polls) are time
 * the chip runs on a real bench; without this the lab's clock only moves
 * with bus traffic. Each gap counts up to the cap, so a host that sits idle
 * for minutes does not cost minutes of core emulation. With
 * --host-idle-net each gap first loses the emulation's own per-transfer
 * cost (plumb_estimate_us): what a host on silicon would not spend. */
static void idle_advance(struct lab_dev *d, gint64 now_us, bool in)
{
	uint64_t gap_us, net_us = 0, gap;

	if (!lab.idle_cap_ns || !d->last_wall_us || now_us <= d->last_wall_us)
		return;
	gap_us = (uint64_t)(now_us - d->last_wall_us);
	if (lab.idle_net) {
		if (in && d->last_out)
			plumb_sample(d, gap_us);
		net_us = plumb_estimate_us(d);
		net_us = net_us < gap_us ? net_us : gap_us;
		d->net_ns += net_us * 1000u;
	}
	gap = (gap_us - net_us) * 1000u;
	if (gap > lab.idle_cap_ns)
		gap = lab.idle_cap_ns;
	sim_chip_advance(d->chip, gap);
	d->idle_ns += gap;
}

/* -v: one line per transfer with its first bytes and wall time. */
static void transfer_log(const struct transfer *t, gint64 t0)
{
	size_t n = t->in ? t->got : t->len;
	char hex[3 * 16 + 1] = "";

	for (size_t i = 0; i < n && i < 16; i++)
		snprintf(hex + 3 * i, 4, " %02x", t->data[i]);
	fprintf(stderr, "swdd-lab: %lld.%06lld %s %zu bytes rc %d got %zu took %lld us:%s\n",
		(long long)(t0 / 1000000), (long long)(t0 % 1000000), t->in ? "IN" : "OUT", t->len, t->rc,
		t->got, (long long)(g_get_monotonic_time() - t0), hex);
}

static void transfer_run(struct lab_dev *d, struct transfer *t)
{
	gint64 t0 = g_get_monotonic_time();

	g_mutex_lock(&lab.sim_lock);
	idle_advance(d, t0, t->in);
	if (t->in)
		t->rc = sim_probe_in(t->probe, t->data, t->len, &t->got);
	else
		t->rc = sim_probe_out(t->probe, t->data, t->len);
	if (t->rc == SIM_PROBE_OK)
		t->inj = lab_inject_check(d);
	d->last_wall_us = g_get_monotonic_time();
	d->last_out = !t->in;
	g_mutex_unlock(&lab.sim_lock);
	if (lab.verbose)
		transfer_log(t, t0);
}

static void hid_complete(struct lab_job *j, const struct transfer *t)
{
	UMockdevIoctlClient *uc = j->uc;

	if (t->rc == SIM_PROBE_ENODEV)
		umockdev_ioctl_client_complete(uc, -1, ENODEV);
	else if (!t->in)
		umockdev_ioctl_client_complete(uc, j->buf ? j->buf->data_len : 0, 0);
	else if (t->rc == SIM_PROBE_EAGAIN)
		umockdev_ioctl_client_complete(uc, -1, EAGAIN);
	else
		umockdev_ioctl_client_complete(uc, (long)t->got, 0);
	lab_job_free(j);
}

/* Under lab.lock: records the outcome of a transfer on its job. */
static void transfer_finish(struct lab_job *j, const struct transfer *t)
{
	struct lab_dev *d = j->cl->dev;

	if (!t->in && t->rc == SIM_PROBE_OK)
		d->maybe_data = true;
	if (t->in && t->rc == SIM_PROBE_EAGAIN)
		d->maybe_data = false;
	if (t->in && t->got)
		memcpy(j->buf->data, t->data, t->got);
	if (j->kind != LAB_JOB_URB) {
		hid_complete(j, t);
		return;
	}
	if (t->in && t->rc == SIM_PROBE_EAGAIN) {
		j->state = LAB_JOB_QUEUED; /* NAK: wait for the next OUT */
		return;
	}
	j->state = LAB_JOB_DONE;
	j->status = t->rc == SIM_PROBE_ENODEV ? -ENODEV : 0;
	j->actual = t->rc ? 0 : (int)(t->in ? t->got : t->len);
	lab_usbfs_wake_reaper(j->cl);
}

static gpointer engine_main(gpointer unused)
{
	(void)unused;
	g_mutex_lock(&lab.lock);
	while (!lab.stop) {
		struct lab_job *j = pick_job();
		struct lab_dev *d;
		struct transfer t;

		if (!j) {
			g_cond_wait(&lab.work, &lab.lock);
			continue;
		}
		d = j->cl->dev;
		j->state = LAB_JOB_RUNNING;
		transfer_prepare(j, &t);
		g_mutex_unlock(&lab.lock);
		transfer_run(d, &t);
		g_mutex_lock(&lab.lock);
		if (j->cl->gone)
			lab_job_free(j);
		else
			transfer_finish(j, &t);
		lab_dev_update_pipes(d);
		g_free(t.data);
		if (t.inj != LAB_INJ_NONE) { /* after the transfer completed, as on a bus */
			g_mutex_unlock(&lab.lock);
			lab_inject_apply(d, t.inj);
			g_mutex_lock(&lab.lock);
		}
	}
	g_mutex_unlock(&lab.lock);
	return NULL;
}

void lab_engine_start(void)
{
	engine_thread = g_thread_new("swdd-lab", engine_main, NULL);
}

void lab_engine_stop(void)
{
	if (!engine_thread)
		return;
	g_mutex_lock(&lab.lock);
	lab.stop = true;
	g_cond_signal(&lab.work);
	g_mutex_unlock(&lab.lock);
	g_thread_join(engine_thread);
	engine_thread = NULL;
}
