/*
 * ST-LINK V2 / V2-1 / V3 driver: the memory/core level natively, since
 * the firmware runs the ADIv5 protocol itself. Commands, status codes,
 * version fields and feature gating follow docs/STLINK-PROTOCOL.md §2-§7 (OpenOCD
 * stlink_usb.c, pyOCD stlink, stlink-org). Memory commands are in
 * stlink_mem.c.
 */
#include "stlink.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "swdd_err.h"
#include "swdd_log.h"

/* WAIT answers are retried with a doubling back-off, as OpenOCD does
 * (1, 2, 4 ... ms), a bounded number of times. */
#define STLINK_WAIT_RETRIES 7U

/* Minimum firmware J version per feature (docs/STLINK-PROTOCOL.md §5); 0 = never. */
static const struct stlink_gate {
	uint32_t feature;
	unsigned v2_min, v3_min;
} stlink_gates[] = {
	{ .feature = STLINK_F_VOLTAGE, .v2_min = 13, .v3_min = 1 },
	{ .feature = STLINK_F_RWSTATUS2, .v2_min = 15, .v3_min = 1 },
	{ .feature = STLINK_F_SWD_FREQ, .v2_min = 22, .v3_min = 0 },
	{ .feature = STLINK_F_DAP_REG, .v2_min = 24, .v3_min = 1 },
	{ .feature = STLINK_F_MEM16, .v2_min = 26, .v3_min = 1 },
	{ .feature = STLINK_F_INIT_AP, .v2_min = 28, .v3_min = 1 },
	{ .feature = STLINK_F_CSW, .v2_min = 32, .v3_min = 2 },
	{ .feature = STLINK_F_COM_FREQ, .v2_min = 0, .v3_min = 1 },
	{ .feature = STLINK_F_MEM8_512, .v2_min = 0, .v3_min = 6 },
	{ .feature = STLINK_F_RW_MISC, .v2_min = 32, .v3_min = 2 },
};

/* Status bytes (docs/STLINK-PROTOCOL.md §4) and what they mean to the user. */
static const struct stlink_status {
	uint8_t code;
	int err;
	const char *text;
} stlink_statuses[] = {
	{ 0x01, SWDD_EFAULT, "JTAG_UNKNOWN_ERROR (memory fault on older firmware)" },
	{ 0x05, SWDD_ENOTARGET, "NO_DEVICE_CONNECTED" },
	{ 0x08, SWDD_EPROBE, "JTAG_CMD_ERROR" },
	{ 0x09, SWDD_ENOTARGET, "JTAG_GET_IDCODE_ERROR: no target answered" },
	{ 0x0A, SWDD_EINVAL, "JTAG_ALIGNMENT_ERROR" },
	{ 0x0B, SWDD_ETIMEOUT, "JTAG_DBG_POWER_ERROR: debug power-up failed" },
	{ 0x10, SWDD_EWAIT, "SWD_AP_WAIT" },
	{ 0x11, SWDD_EFAULT, "SWD_AP_FAULT" },
	{ 0x12, SWDD_EPROTO, "SWD_AP_ERROR" },
	{ 0x13, SWDD_EPROTO, "SWD_AP_PARITY_ERROR" },
	{ 0x14, SWDD_EWAIT, "SWD_DP_WAIT" },
	{ 0x15, SWDD_EFAULT, "SWD_DP_FAULT" },
	{ 0x16, SWDD_EPROTO, "SWD_DP_ERROR" },
	{ 0x17, SWDD_EPROTO, "SWD_DP_PARITY_ERROR" },
	{ 0x18, SWDD_EFAULT, "SWD_AP_WDATA_ERROR" },
	{ 0x19, SWDD_EFAULT, "SWD_AP_STICKY_ERROR" },
	{ 0x1A, SWDD_EPROTO, "SWD_AP_STICKYORUN_ERROR" },
	{ 0x1D, SWDD_EINVAL, "BAD_AP_ERROR: AP not opened or invalid" },
	{ 0x42, SWDD_EUNSUPPORTED, "JTAG_UNKNOWN_CMD: command not supported by this firmware" },
};

uint8_t *stlink_cmd(struct stlink *s, uint8_t cls, uint8_t sub)
{
	memset(s->cmd, 0, sizeof(s->cmd));
	s->cmd[0] = cls;
	s->cmd[1] = sub;
	return s->cmd;
}

int stlink_xfer(struct swdd_probe *p, size_t rlen)
{
	struct stlink *s = stlink_of(p);
	int rc = probe_tr_write(p->tr, s->cmd, STLINK_CMD_SIZE);

	if (!rc && rlen)
		rc = probe_tr_read_exact(p->tr, s->buf, rlen);
	return rc;
}

int stlink_status_error(struct swdd_probe *p, uint8_t st, const char *what)
{
	for (size_t i = 0; i < sizeof(stlink_statuses) / sizeof(stlink_statuses[0]); i++) {
		const struct stlink_status *e = &stlink_statuses[i];

		if (e->code != st)
			continue;
		if (e->err == SWDD_EUNSUPPORTED)
			return swdd_err_set(e->err,
					    "%s: %s (firmware %s); update the ST-LINK firmware with "
					    "STM32CubeProgrammer",
					    what, e->text, p->info.firmware);
		return swdd_err_set(e->err, "%s: ST-LINK status 0x%02x %s", what, st, e->text);
	}
	return swdd_err_set(SWDD_EPROBE, "%s: ST-LINK status 0x%02x", what, st);
}

static bool stlink_is_wait(uint8_t st)
{
	return st == 0x10 || st == 0x14;
}

int stlink_cmd_status(struct swdd_probe *p, size_t rlen, const char *what)
{
	struct stlink *s = stlink_of(p);
	unsigned delay_ms = 1;

	for (unsigned tries = 0;; tries++) {
		int rc = stlink_xfer(p, rlen);

		if (rc)
			return rc;
		if (s->buf[0] == STLINK_STATUS_OK)
			return 0;
		if (!stlink_is_wait(s->buf[0]) || tries == STLINK_WAIT_RETRIES)
			break;
		usleep(delay_ms * 1000u);
		delay_ms *= 2;
	}
	if (stlink_is_wait(s->buf[0])) {
		stlink_clear_sticky(p);
		return swdd_err_set(SWDD_EWAIT,
				    "%s: the target kept answering WAIT through %u retries over %u ms "
				    "(a bus stalled by the flash controller or a clock-gated peripheral)",
				    what, STLINK_WAIT_RETRIES, (1u << STLINK_WAIT_RETRIES) - 1);
	}
	return stlink_status_error(p, s->buf[0], what);
}

void stlink_clear_sticky(struct swdd_probe *p)
{
	struct stlink *s = stlink_of(p);
	uint8_t *c;

	if (!(s->features & STLINK_F_DAP_REG))
		return;
	/* DP ABORT = STKCMPCLR|STKERRCLR|WDERRCLR|ORUNERRCLR (ADIv5.2 B2.2.1). */
	c = stlink_cmd(s, STLINK_DEBUG, STLINK_DEBUG_WRITE_DAP_REG);
	c[2] = 0xFF;
	c[3] = 0xFF;
	swdd_put_le32(c + 6, DP_ABORT_ALL_CLR);
	(void)stlink_xfer(p, 2); /* best effort: the caller reports the error that led here */
}

/* ---- version ----------------------------------------------------------------- */

static bool stlink_is_v21(uint16_t pid)
{
	return pid == 0x374A || pid == 0x374B || pid == 0x3752;
}

/* GET_VERSION: a big-endian u16 [15:12] hw, [11:6] J, [5:0] S or M;
 * hw >= 3 asks GET_VERSION_EX for the real fields (docs/STLINK-PROTOCOL.md §3). */
static int stlink_read_version(struct swdd_probe *p)
{
	struct stlink *s = stlink_of(p);
	unsigned v;
	int rc;

	stlink_cmd(s, STLINK_GET_VERSION, 0);
	rc = stlink_xfer(p, 6);
	if (rc)
		return rc;
	v = (unsigned)s->buf[0] << 8 | s->buf[1];
	s->hw = v >> 12;
	s->jtag = (v >> 6) & 0x3Fu;
	if (stlink_is_v21(p->info.pid))
		s->msc = v & 0x3Fu;
	else
		s->swim = v & 0x3Fu;
	if (s->hw < 3)
		return 0;
	stlink_cmd(s, STLINK_GET_VERSION_EX, 0);
	rc = stlink_xfer(p, 12);
	if (rc)
		return rc;
	s->hw = s->buf[0];
	s->swim = s->buf[1];
	s->jtag = s->buf[2];
	s->msc = s->buf[3];
	s->bridge = s->buf[4];
	return 0;
}

static void stlink_version_string(struct swdd_probe *p)
{
	struct stlink *s = stlink_of(p);
	char *f = p->info.firmware;
	size_t cap = sizeof(p->info.firmware);
	int n = snprintf(f, cap, "V%uJ%u", s->hw, s->jtag);

	if (s->hw >= 3) {
		if (s->msc)
			n += snprintf(f + n, cap - (size_t)n, "M%u", s->msc);
		if (s->bridge)
			n += snprintf(f + n, cap - (size_t)n, "B%u", s->bridge);
		if (s->swim)
			snprintf(f + n, cap - (size_t)n, "S%u", s->swim);
	} else {
		snprintf(f + n, cap - (size_t)n, stlink_is_v21(p->info.pid) ? "M%u" : "S%u",
			 stlink_is_v21(p->info.pid) ? s->msc : s->swim);
	}
}

static void stlink_set_features(struct stlink *s)
{
	for (size_t i = 0; i < sizeof(stlink_gates) / sizeof(stlink_gates[0]); i++) {
		unsigned min = s->hw >= 3 ? stlink_gates[i].v3_min : stlink_gates[i].v2_min;

		if (min && s->jtag >= min)
			s->features |= stlink_gates[i].feature;
	}
	s->mem8_max = (s->features & STLINK_F_MEM8_512) ? 512u : 64u;
	s->tar_wrap = 1024u;
}

/* Leaves DFU, mass-storage-only or SWIM mode, and a DEBUG session another
 * tool left open, so DEBUG_ENTER starts clean (docs/STLINK-PROTOCOL.md §3, connect
 * sequence step 2). */
static int stlink_leave_mode(struct swdd_probe *p)
{
	struct stlink *s = stlink_of(p);
	int rc;

	stlink_cmd(s, STLINK_GET_CURRENT_MODE, 0);
	rc = stlink_xfer(p, 2);
	if (rc)
		return rc;
	switch (s->buf[0]) {
	case 0x00:
		stlink_cmd(s, STLINK_DFU, STLINK_DFU_EXIT);
		return stlink_xfer(p, 0);
	case 0x02:
		stlink_cmd(s, STLINK_DEBUG, STLINK_DEBUG_EXIT);
		return stlink_xfer(p, 0);
	case 0x03:
		stlink_cmd(s, STLINK_SWIM, STLINK_SWIM_EXIT);
		return stlink_xfer(p, 0);
	default:
		return 0;
	}
}

/* ---- connection -------------------------------------------------------------- */

static int stlink_voltage(struct swdd_probe *p, int *mv)
{
	struct stlink *s = stlink_of(p);
	uint32_t a0, a1;
	int rc;

	if (!(s->features & STLINK_F_VOLTAGE))
		return swdd_err_set(SWDD_EUNSUPPORTED,
				    "firmware %s cannot measure the target voltage (needs J13)",
				    p->info.firmware);
	stlink_cmd(s, STLINK_GET_TARGET_VOLTAGE, 0);
	rc = stlink_xfer(p, 8);
	if (rc)
		return rc;
	/* Vtarget = 2 * a1 * 1.2 V / a0 (docs/STLINK-PROTOCOL.md §3). */
	a0 = swdd_le32(s->buf);
	a1 = swdd_le32(s->buf + 4);
	*mv = a0 ? (int)((uint64_t)2 * a1 * 1200u / a0) : 0;
	return 0;
}

/* No answer from the target: the voltage tells wiring from power. */
static int stlink_no_target(struct swdd_probe *p, int rc)
{
	int mv;

	if (rc != SWDD_ENOTARGET || stlink_voltage(p, &mv))
		return rc;
	if (mv < 1500)
		return swdd_err_set(SWDD_EUNPOWERED,
				    "the target does not answer and its supply reads %d.%02d V: "
				    "power the board and connect its VDD to the ST-LINK's VREF pin",
				    mv / 1000, (mv % 1000) / 10);
	return swdd_err_set(
		rc,
		"no ACK on SWD although the target supply reads %d.%02d V: check "
		"SWDIO/SWCLK/GND, lower the clock, or connect under reset if the firmware disables "
		"the SWD pins",
		mv / 1000, (mv % 1000) / 10);
}

static int stlink_nrst(struct swdd_probe *p, bool asserted);

static int stlink_attach(struct swdd_probe *p, uint32_t *dpidr)
{
	struct stlink *s = stlink_of(p);
	uint8_t *c = stlink_cmd(s, STLINK_DEBUG, STLINK_DEBUG_APIV2_ENTER);
	uint32_t cpuid = 0;
	int rc;

	c[2] = STLINK_DEBUG_ENTER_SWD;
	rc = stlink_cmd_status(p, 2, "SWD attach (DEBUG_ENTER)");
	/* Hosts drive NRST low again after DEBUG_ENTER when connecting under
	 * reset (docs/STLINK-PROTOCOL.md §3, connect sequence step 6). */
	if (!rc && s->nrst_asserted)
		rc = stlink_nrst(p, true);
	if (!rc) {
		stlink_cmd(s, STLINK_DEBUG, STLINK_DEBUG_READ_IDCODES);
		rc = stlink_cmd_status(p, 12, "SWD attach (READ_IDCODES)");
	}
	if (rc)
		return stlink_no_target(p, rc);
	*dpidr = swdd_le32(s->buf + 4);
	memset(s->ap_open, 0, sizeof(s->ap_open));
	rc = stlink_init_ap(p, 0);
	if (rc)
		return swdd_err_add(rc, "SWD attach");
	/* CPUID decides the TAR auto-increment block (docs/STLINK-PROTOCOL.md §6). */
	c = stlink_cmd(s, STLINK_DEBUG, STLINK_DEBUG_READDEBUGREG);
	swdd_put_le32(c + 2, 0xE000ED00u);
	if (!stlink_cmd_status(p, 8, "reading CPUID"))
		cpuid = swdd_le32(s->buf + 4);
	s->tar_wrap = ((cpuid >> 4) & 0xFFFu) == 0xC23u || ((cpuid >> 4) & 0xFFFu) == 0xC24u ? 4096u : 1024u;
	return 0;
}

int stlink_init_ap(struct swdd_probe *p, unsigned ap)
{
	struct stlink *s = stlink_of(p);
	int rc;

	if (!(s->features & STLINK_F_INIT_AP) || (s->ap_open[ap / 8] & (1u << (ap % 8))))
		return 0;
	stlink_cmd(s, STLINK_DEBUG, STLINK_DEBUG_INIT_AP)[2] = (uint8_t)ap;
	rc = stlink_cmd_status(p, 2, "opening the AP (INIT_AP)");
	if (!rc)
		s->ap_open[ap / 8] |= (uint8_t)(1u << (ap % 8));
	return rc;
}

static int stlink_detach(struct swdd_probe *p)
{
	stlink_cmd(stlink_of(p), STLINK_DEBUG, STLINK_DEBUG_EXIT);
	return stlink_xfer(p, 0);
}

static int stlink_nrst(struct swdd_probe *p, bool asserted)
{
	uint8_t *c = stlink_cmd(stlink_of(p), STLINK_DEBUG, STLINK_DEBUG_DRIVE_NRST);

	stlink_of(p)->nrst_asserted = asserted;
	c[2] = asserted ? 0 : 1;
	return stlink_cmd_status(p, 2, asserted ? "asserting NRST" : "releasing NRST");
}

static void stlink_close(struct swdd_probe *p)
{
	free(p->drv);
	p->drv = NULL;
}

static const struct probe_mem_ops stlink_mem_ops = {
	.attach = stlink_attach,
	.detach = stlink_detach,
	.set_speed = stlink_set_speed,
	.voltage = stlink_voltage,
	.nrst = stlink_nrst,
	.read_mem = stlink_read_mem,
	.write_mem = stlink_write_mem,
	.run_queue = stlink_run_queue,
	.read_core_regs = stlink_read_core_regs,
	.write_core_reg = stlink_write_core_reg,
	.dap_read = stlink_dap_read,
	.dap_write = stlink_dap_write,
	.ap_word = stlink_ap_word,
	.close = stlink_close,
};

int stlink_open(struct swdd_probe *p)
{
	struct stlink *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return swdd_err_set(SWDD_ENOMEM, "out of memory opening the ST-LINK");
	p->drv = s;
	p->mem = &stlink_mem_ops;
	rc = stlink_read_version(p);
	if (rc)
		return rc;
	stlink_version_string(p);
	stlink_set_features(s);
	swdd_debug("%s firmware %s", p->info.kind, p->info.firmware);
	return stlink_leave_mode(p);
}
