/*
 * In-process transport: carries the driver's packets to an emulated probe
 * of the lab (sim/sim_probe.h) without USB. The bytes are exactly those a
 * USB transport carries, so the drivers above cannot tell the difference,
 * except that nothing here ever waits: the lab is single-threaded, so a
 * reply that is not pending now never will be, and "NAK until the host
 * times out" becomes an immediate SWDD_ETIMEOUT.
 */
#include "transport.h"

#include <stdlib.h>
#include <string.h>

#include "sim_probe.h"
#include "swdd_err.h"

struct tr_sim {
	struct probe_transport base;
	struct sim_probe *sp;
	uint8_t report[1024];
};

static int tr_sim_map(int rc)
{
	switch (rc) {
	case SIM_PROBE_OK:
		return 0;
	case SIM_PROBE_EAGAIN:
		return SWDD_ETIMEOUT;
	case SIM_PROBE_ENODEV:
		return swdd_err_set(SWDD_ENODEV, "the probe was unplugged (the lab removed the device); "
						 "plug it back in and reconnect");
	default:
		return swdd_err_set(SWDD_EIO, "the lab's probe rejected the transfer (code %d)", rc);
	}
}

static int tr_sim_write(struct probe_transport *t, const uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct tr_sim *s = (struct tr_sim *)t;

	(void)timeout_ms;
	/* HID: one whole report, zero-padded, as hidapi would send it. */
	if (t->report_size) {
		if (len > t->report_size || t->report_size > sizeof(s->report))
			return swdd_err_set(SWDD_EINVAL,
					    "packet of %zu bytes does not fit a %u-byte HID report", len,
					    t->report_size);
		memset(s->report, 0, t->report_size);
		memcpy(s->report, buf, len);
		return tr_sim_map(sim_probe_out(s->sp, s->report, t->report_size));
	}
	return tr_sim_map(sim_probe_out(s->sp, buf, len));
}

static int tr_sim_read(struct probe_transport *t, uint8_t *buf, size_t cap, size_t *got, unsigned timeout_ms)
{
	struct tr_sim *s = (struct tr_sim *)t;

	(void)timeout_ms;
	return tr_sim_map(sim_probe_in(s->sp, buf, cap, got));
}

static void tr_sim_close(struct probe_transport *t)
{
	free(t);
}

static const struct probe_transport_ops tr_sim_ops = {
	.write = tr_sim_write,
	.read = tr_sim_read,
	.clear_halt = NULL,
	.close = tr_sim_close,
};

int probe_tr_sim_open(struct sim_probe *sp, struct probe_transport **out)
{
	const struct sim_usb_identity *id = sim_probe_usb(sp);
	struct tr_sim *s = calloc(1, sizeof(*s));

	if (!s)
		return swdd_err_set(SWDD_ENOMEM, "out of memory opening the lab's probe");
	s->sp = sp;
	s->base.ops = &tr_sim_ops;
	strcpy(s->base.name, "sim");
	s->base.max_packet = id->max_packet;
	s->base.report_size = id->hid ? id->report_size : 0;
	s->base.high_speed = id->high_speed;
	*out = &s->base;
	return 0;
}
