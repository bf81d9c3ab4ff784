/*
 * CMSIS-DAP driver, wire level (dap.h): DAP_Info, Connect, SWJ sequences,
 * clock, nRESET. Transfers are in cmsis_dap_xfer.c. Reference: Arm
 * CMSIS-DAP documentation, "Commands". The memory/core
 * level comes from the ADIv5 layer (adiv5.c).
 */
#include "cmsis_dap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swdd_err.h"
#include "swdd_log.h"

/* DAP_Info IDs (ref_dap "DAP_Info"). */
#define DAP_INFO_PRODUCT_FW 0x09U
#define DAP_INFO_PROTOCOL 0x04U
#define DAP_INFO_CAPABILITIES 0xF0U
#define DAP_INFO_PACKET_COUNT 0xFEU
#define DAP_INFO_PACKET_SIZE 0xFFU
#define DAP_CAP_SWD 0x01U

/* SWJ pin bits (DAP_SWJ_Pins). */
#define DAP_PIN_NRESET 0x80U

int cmsis_dap_read_reply(struct swdd_probe *p, size_t exp, size_t *rlen)
{
	struct cmsis_dap *d = cmsis_dap_of(p);
	/* A HID read always takes a whole report; a bulk read asks for the
	 * longest reply expected, which a short packet may end earlier. */
	size_t cap = p->tr->report_size ? p->tr->report_size : exp;

	if (cap > sizeof(d->resp))
		cap = sizeof(d->resp);
	return probe_tr_read(p->tr, d->resp, cap, rlen);
}

/* The marker's reply: DAP_Info 0xFF answers [0x00, 2, size lo, size hi].
 * The driver sends DAP_Info 0xFF otherwise only while opening the probe,
 * before any time-out can have left a reply behind. */
static bool dap_is_marker(const uint8_t *r, size_t rlen)
{
	return rlen >= 4 && r[0] == DAP_CMD_INFO && r[1] == 2;
}

/*
 * A reply the host gave up on (USB time-out) still comes once the probe
 * answers again, and would be read as the answer to the next command: a
 * DAP_Transfer reply to a DAP_Transfer, whose ID and counts may well fit.
 * The firmware answers commands in order (CMSIS-DAP documentation,
 * "Commands"), so a marker command whose reply no other can be mistaken
 * for, and discarding every reply before the marker's, puts the stream
 * back in step. Each read is bounded by the transport's time-out.
 */
int cmsis_dap_sync(struct swdd_probe *p)
{
	static const uint8_t mark[2] = { DAP_CMD_INFO, DAP_INFO_PACKET_SIZE };
	struct cmsis_dap *d = cmsis_dap_of(p);
	size_t rlen = 0;
	unsigned late = 0;
	char why[192];
	int rc;

	if (!d->desync)
		return 0;
	rc = probe_tr_write(p->tr, mark, sizeof(mark));
	for (; !rc && late <= CMSIS_DAP_MAX_IN_FLIGHT; late++) {
		rc = cmsis_dap_read_reply(p, d->packet_size, &rlen);
		if (!rc && dap_is_marker(d->resp, rlen)) {
			d->desync = false;
			swdd_debug("%s: back in step after discarding %u late repl%s", p->info.kind, late,
				   late == 1 ? "y" : "ies");
			return 0;
		}
	}
	if (rc == SWDD_ENODEV)
		return rc;
	snprintf(why, sizeof(why), "%s", rc ? swdd_err_detail() : "too many replies");
	return swdd_err_set(SWDD_EIO,
			    "the replies of the %s probe (serial %s) no longer match its commands: after a "
			    "USB time-out, %u late repl%s came but not the answer to a resynchronising "
			    "DAP_Info (%s); replug the probe and reconnect",
			    p->info.kind, p->info.serial, late, late == 1 ? "y" : "ies", why);
}

/* Reads the reply to cmd[0], discarding late replies to earlier commands
 * (another ID in byte 0) that a resynchronisation did not catch. */
static int dap_read_own_reply(struct swdd_probe *p, uint8_t id, size_t *rlen)
{
	struct cmsis_dap *d = cmsis_dap_of(p);

	for (unsigned k = 0; k <= CMSIS_DAP_MAX_IN_FLIGHT; k++) {
		int rc = cmsis_dap_read_reply(p, d->packet_size, rlen);

		if (rc || *rlen == 0 || d->resp[0] == id || d->resp[0] == DAP_ERROR)
			return rc;
		swdd_debug("%s: discarding a late reply to command 0x%02x while waiting for 0x%02x",
			   p->info.kind, d->resp[0], id);
	}
	return swdd_err_set(SWDD_EIO,
			    "the %s probe sent more than %u replies to other commands while swdd waited "
			    "for the answer to command 0x%02x; replug the probe and reconnect",
			    p->info.kind, CMSIS_DAP_MAX_IN_FLIGHT, id);
}

int cmsis_dap_cmd(struct swdd_probe *p, const uint8_t *cmd, size_t len, uint8_t *resp, size_t *rlen,
		  const char *what)
{
	struct cmsis_dap *d = cmsis_dap_of(p);
	int rc = cmsis_dap_sync(p);

	if (!rc)
		rc = probe_tr_write(p->tr, cmd, len);
	if (!rc)
		rc = dap_read_own_reply(p, cmd[0], rlen);
	if (rc) {
		d->desync = true; /* the reply may come later */
		return rc;
	}
	if (resp != d->resp)
		memcpy(resp, d->resp, *rlen);
	if (*rlen >= 1 && d->resp[0] == DAP_ERROR && cmd[0] != DAP_ERROR)
		return swdd_err_set(SWDD_EUNSUPPORTED,
				    "the CMSIS-DAP probe does not implement %s (command 0x%02x); "
				    "update its firmware",
				    what, cmd[0]);
	if (*rlen < 2 || d->resp[0] != cmd[0])
		return swdd_err_set(SWDD_EIO,
				    "the CMSIS-DAP probe answered %s with a malformed reply "
				    "(%zu bytes, id 0x%02x)",
				    what, *rlen, *rlen ? d->resp[0] : 0);
	return 0;
}

/* Commands whose reply is the ID and a status byte. */
static int dap_cmd_status(struct swdd_probe *p, const uint8_t *cmd, size_t len, const char *what)
{
	struct cmsis_dap *d = cmsis_dap_of(p);
	size_t rlen;
	int rc = cmsis_dap_cmd(p, cmd, len, d->resp, &rlen, what);

	if (!rc && d->resp[1] != DAP_OK)
		return swdd_err_set(SWDD_EPROBE, "the CMSIS-DAP probe reported an error for %s", what);
	return rc;
}

static int dap_info(struct swdd_probe *p, uint8_t id, uint8_t *out, size_t cap, size_t *len)
{
	struct cmsis_dap *d = cmsis_dap_of(p);
	uint8_t cmd[2] = { DAP_CMD_INFO, id };
	size_t rlen;
	int rc = cmsis_dap_cmd(p, cmd, 2, d->resp, &rlen, "DAP_Info");

	if (rc)
		return rc;
	*len = d->resp[1];
	if (*len + 2 > rlen || *len > cap)
		return swdd_err_set(SWDD_EIO, "DAP_Info 0x%02x reply is truncated", id);
	memcpy(out, d->resp + 2, *len);
	return 0;
}

static void dap_info_string(struct swdd_probe *p, uint8_t id, char *out, size_t cap)
{
	size_t len = 0;

	out[0] = '\0';
	if (dap_info(p, id, (uint8_t *)out, cap - 1, &len))
		len = 0;
	out[len] = '\0';
}

/* Packet size and count decide how much one USB transfer carries and how
 * many may be in flight (ref_dap "DAP_Info", IDs 0xFE/0xFF). */
static int dap_read_limits(struct swdd_probe *p)
{
	struct cmsis_dap *d = cmsis_dap_of(p);
	uint8_t v[4];
	size_t len;
	int rc = dap_info(p, DAP_INFO_PACKET_SIZE, v, sizeof(v), &len);

	if (rc)
		return rc;
	if (len != 2 || (v[0] | v[1] << 8) < 16)
		return swdd_err_set(SWDD_EIO, "the CMSIS-DAP probe reports no usable packet size");
	d->packet_size = (uint16_t)(v[0] | v[1] << 8);
	if (p->tr->report_size && d->packet_size > p->tr->report_size)
		d->packet_size = p->tr->report_size;
	if (d->packet_size > CMSIS_DAP_MAX_PACKET)
		d->packet_size = CMSIS_DAP_MAX_PACKET;
	rc = dap_info(p, DAP_INFO_PACKET_COUNT, v, sizeof(v), &len);
	if (rc)
		return rc;
	d->packet_count = len == 1 && v[0] ? v[0] : 1;
	rc = dap_info(p, DAP_INFO_CAPABILITIES, v, sizeof(v), &len);
	if (rc)
		return rc;
	d->caps = len ? v[0] : 0;
	if (!(d->caps & DAP_CAP_SWD))
		return swdd_err_set(SWDD_EUNSUPPORTED,
				    "this CMSIS-DAP probe does not support SWD (JTAG only)");
	return 0;
}

static int cmsis_dap_nrst(struct swdd_probe *p, bool asserted);

static int cmsis_dap_swd_reset(struct swdd_probe *p)
{
	uint8_t connect[2] = { DAP_CMD_CONNECT, 1 /* SWD */ };
	uint8_t tcfg[6] = { DAP_CMD_TRANSFER_CONFIGURE, 0, CMSIS_DAP_WAIT_RETRY & 0xFFu,
			    CMSIS_DAP_WAIT_RETRY >> 8,  0, 0 };
	uint8_t swdcfg[2] = { DAP_CMD_SWD_CONFIGURE, 0 /* 1 turnaround cycle, no data phase */ };
	/* >= 50 ones, the JTAG-to-SWD code 0xE79E, >= 50 ones (line reset),
	 * then idle cycles (ADIv5.2 B5.2.2; ARM IHI0031 B4). */
	/* clang-format off */
	static const uint8_t seq[] = { DAP_CMD_SWJ_SEQUENCE, 144,
				       0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x9E, 0xE7,
				       0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00 };
	/* clang-format on */
	struct cmsis_dap *d = cmsis_dap_of(p);
	size_t rlen;
	int rc = cmsis_dap_cmd(p, connect, 2, d->resp, &rlen, "DAP_Connect");

	if (!rc && d->resp[1] != 1)
		rc = swdd_err_set(SWDD_EPROBE, "the CMSIS-DAP probe refused to switch to SWD (DAP_Connect)");
	/* DAP_Connect sets the port pins up with nRESET high (reference
	 * firmware PORT_SWD_SETUP): keep a connect-under-reset in reset. */
	if (!rc && d->nrst_asserted)
		rc = cmsis_dap_nrst(p, true);
	if (!rc)
		rc = dap_cmd_status(p, tcfg, sizeof(tcfg), "DAP_TransferConfigure");
	if (!rc)
		rc = dap_cmd_status(p, swdcfg, sizeof(swdcfg), "DAP_SWD_Configure");
	if (!rc)
		rc = dap_cmd_status(p, seq, sizeof(seq), "DAP_SWJ_Sequence (JTAG-to-SWD)");
	return rc;
}

static int cmsis_dap_set_clock(struct swdd_probe *p, unsigned khz, unsigned *actual)
{
	uint32_t hz = khz * 1000u;
	uint8_t cmd[5] = { DAP_CMD_SWJ_CLOCK, (uint8_t)hz, (uint8_t)(hz >> 8), (uint8_t)(hz >> 16),
			   (uint8_t)(hz >> 24) };
	int rc;

	if (khz > 4000000u)
		return swdd_err_set(SWDD_EINVAL, "SWD clock of %u kHz is out of range", khz);
	rc = dap_cmd_status(p, cmd, sizeof(cmd), "DAP_SWJ_Clock");
	if (rc)
		return rc;
	/* The firmware divides its clock as well as it can and does not say
	 * the result; report what was asked. */
	cmsis_dap_of(p)->clock_khz = khz;
	*actual = khz;
	return 0;
}

static int cmsis_dap_nrst(struct swdd_probe *p, bool asserted)
{
	uint8_t cmd[7] = { DAP_CMD_SWJ_PINS, asserted ? 0 : DAP_PIN_NRESET, DAP_PIN_NRESET, 0, 0, 0, 0 };
	struct cmsis_dap *d = cmsis_dap_of(p);
	size_t rlen;

	d->nrst_asserted = asserted;
	return cmsis_dap_cmd(p, cmd, sizeof(cmd), d->resp, &rlen, "DAP_SWJ_Pins (nRESET)");
}

int cmsis_dap_write_abort(struct swdd_probe *p, uint32_t val)
{
	uint8_t cmd[6] = { DAP_CMD_WRITE_ABORT, 0, (uint8_t)val, (uint8_t)(val >> 8), (uint8_t)(val >> 16),
			   (uint8_t)(val >> 24) };

	return dap_cmd_status(p, cmd, sizeof(cmd), "DAP_WriteABORT");
}

static int cmsis_dap_disconnect(struct swdd_probe *p)
{
	uint8_t cmd[1] = { DAP_CMD_DISCONNECT };

	return dap_cmd_status(p, cmd, 1, "DAP_Disconnect");
}

static const struct dap_wire_ops cmsis_dap_wire_ops = {
	.swd_reset = cmsis_dap_swd_reset,
	.transfer = cmsis_dap_transfer,
	.set_clock = cmsis_dap_set_clock,
	.nrst = cmsis_dap_nrst,
	.voltage = NULL, /* CMSIS-DAP has no command to measure the target supply */
	.disconnect = cmsis_dap_disconnect,
};

int cmsis_dap_open(struct swdd_probe *p)
{
	struct cmsis_dap *d = calloc(1, sizeof(*d));
	char fw[16], proto[16];
	int rc;

	if (!d)
		return swdd_err_set(SWDD_ENOMEM, "out of memory opening the CMSIS-DAP probe");
	p->drv = d;
	p->wire = &cmsis_dap_wire_ops;
	p->mem = &adiv5_mem_ops;
	d->packet_size = p->tr->report_size ? p->tr->report_size : 64;
	d->packet_count = 1;
	rc = dap_read_limits(p);
	if (rc)
		return rc;
	dap_info_string(p, DAP_INFO_PROTOCOL, proto, sizeof(proto));
	dap_info_string(p, DAP_INFO_PRODUCT_FW, fw, sizeof(fw));
	snprintf(p->info.firmware, sizeof(p->info.firmware), "fw %s protocol %s", fw[0] ? fw : "?",
		 proto[0] ? proto : "?");
	swdd_debug("%s: %s, packet size %u, count %u", p->info.kind, p->info.firmware, d->packet_size,
		   d->packet_count);
	return adiv5_new(p);
}
