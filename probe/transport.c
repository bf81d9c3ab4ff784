/*
 * Transport wrappers shared by every driver (see transport.h): statistics,
 * and the one place that turns a USB timeout or STALL into a retry and then
 * into a sentence the user can act on.
 */
#include "transport.h"

#include "swdd_err.h"
#include "swdd_log.h"

/* The sentence for a transfer that failed twice. Users of other tools get
 * an opaque DEV_USB_COMM_ERR here; say what to check. */
static int tr_comm_error(struct probe_transport *t, const char *dir)
{
	return swdd_err_set(SWDD_EIO,
			    "USB time-out: the probe%s%s did not complete a USB %s transfer within %u ms, "
			    "twice (transport %s; the transfer timed out or stalled). Likely causes: a "
			    "loose or too long USB cable, an unpowered hub (plug the probe straight into "
			    "the computer), a probe that hung (replug it), or outdated probe firmware (%s; "
			    "update it with the vendor's upgrade tool)",
			    t->label[0] ? " " : "", t->label, dir, PROBE_TR_TIMEOUT_MS, t->name,
			    t->fw_version ? t->fw_version : "version not read yet");
}

/* One retry after clearing the endpoint halt (USB 2.0 9.4.5: a halted
 * endpoint stays halted until ClearFeature(ENDPOINT_HALT)). */
static int tr_recover(struct probe_transport *t, bool out)
{
	swdd_debug("probe %s: %s transfer timed out, clearing halt and retrying", t->name,
		   out ? "OUT" : "IN");
	if (t->ops->clear_halt)
		return t->ops->clear_halt(t, out);
	return 0;
}

int probe_tr_write(struct probe_transport *t, const uint8_t *buf, size_t len)
{
	int rc = t->ops->write(t, buf, len, PROBE_TR_TIMEOUT_MS);

	if (rc == SWDD_ETIMEOUT) {
		rc = tr_recover(t, true);
		if (!rc)
			rc = t->ops->write(t, buf, len, PROBE_TR_TIMEOUT_MS);
		if (rc == SWDD_ETIMEOUT)
			return tr_comm_error(t, "OUT");
	}
	if (rc)
		return rc;
	t->stats.usb_transfers++;
	t->stats.bytes_out += len;
	t->wrote_since_read = true;
	return 0;
}

int probe_tr_read(struct probe_transport *t, uint8_t *buf, size_t cap, size_t *got)
{
	int rc = t->ops->read(t, buf, cap, got, PROBE_TR_TIMEOUT_MS);

	if (rc == SWDD_ETIMEOUT) {
		rc = tr_recover(t, false);
		if (!rc)
			rc = t->ops->read(t, buf, cap, got, PROBE_TR_TIMEOUT_MS);
		if (rc == SWDD_ETIMEOUT)
			return tr_comm_error(t, "IN");
	}
	if (rc)
		return rc;
	t->stats.usb_transfers++;
	t->stats.bytes_in += *got;
	if (t->wrote_since_read)
		t->stats.usb_round_trips++;
	t->wrote_since_read = false;
	return 0;
}

int probe_tr_read_exact(struct probe_transport *t, uint8_t *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		size_t got = 0;
		int rc = probe_tr_read(t, buf + done, n - done, &got);

		if (rc)
			return rc;
		if (!got)
			return swdd_err_set(SWDD_EIO,
					    "the probe sent an empty reply where %zu bytes were expected; "
					    "update the probe firmware",
					    n - done);
		done += got;
	}
	return 0;
}

void probe_tr_close(struct probe_transport *t)
{
	if (t)
		t->ops->close(t);
}
