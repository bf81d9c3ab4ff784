/*
 * Emulated ST-LINK firmware: V2 (0483:3748), V2-1 (0483:374B) and V3
 * (0483:374F). USB identity, timing figures, command dispatch with
 * firmware-version gating, and the commands that are not memory or core
 * accesses (version, modes, voltage, clocks, NRST, IDCODE, DP/AP registers).
 *
 * Sources: docs/STLINK-PROTOCOL.md, checked against OpenOCD
 * src/jtag/drivers/stlink_usb.c (command codes, reply sizes, STLINK_F_*
 * version gates, GET_VERSION decoding) and stlink-org src/stlink-lib/usb.c;
 * wire traces in pavelrevak/pystlink issue 1 (GET_VERSION "26 04 83 04 48
 * 37" = V2J24S4, GET_TARGET_VOLTAGE "f2 05 00 00 fe 07 00 00" = 3.23 V,
 * initial mode DFU). The model and its figures: docs/LAB-stlink.md.
 */
#include "sim_stlink_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STL_VID 0x0483u
#define STL_NA 0xFFu /* command absent on this hardware */

/* Per-kind USB identity (docs/STLINK-PROTOCOL.md §1) and timing (docs/LAB-stlink.md). */
struct stl_variant {
	uint16_t pid;
	const char *product, *iface, *serial;
	uint8_t ep_out, ep_swo;
	uint16_t max_packet;
	bool high_speed;
	unsigned hw, default_j;
	uint8_t low6; /* GET_VERSION low field: S (V2) or M (V2-1) */
	uint64_t fw_overhead_ns;
	unsigned idle_cycles, khz;
};

static const struct stl_variant stl_variants[] = {
	[SIM_PROBE_STLINK_V2] = {
		.pid = 0x3748, .product = "STM32 STLink", .iface = "ST Link",
		.serial = "48FF6E065177575527251367", .ep_out = 0x02, .ep_swo = 0x83,
		.max_packet = 64, .high_speed = false, .hw = 2, .default_j = 37, .low6 = 7,
		.fw_overhead_ns = 20000, .idle_cycles = 8, .khz = 1800,
	},
	[SIM_PROBE_STLINK_V21] = {
		.pid = 0x374B, .product = "STM32 STLink", .iface = "ST-Link Debug",
		.serial = "066CFF535750877267084036", .ep_out = 0x01, .ep_swo = 0x82,
		.max_packet = 64, .high_speed = false, .hw = 2, .default_j = 37, .low6 = 26,
		.fw_overhead_ns = 20000, .idle_cycles = 8, .khz = 1800,
	},
	[SIM_PROBE_STLINK_V3] = {
		.pid = 0x374F, .product = "STLINK-V3", .iface = "ST-Link Debug",
		.serial = "002F00203133511438363431", .ep_out = 0x01, .ep_swo = 0x82,
		.max_packet = 512, .high_speed = true, .hw = 3, .default_j = 7, .low6 = 0,
		.fw_overhead_ns = 5000, .idle_cycles = 2, .khz = 1000,
	},
};

/* V3 SWD/JTAG clock lists in kHz, highest first (docs/STLINK-PROTOCOL.md §7: "a
 * plausible list"; hosts pick the highest entry <= the request). */
static const uint32_t stl_v3_swd_khz[] = { 24000, 8000, 3300, 1000, 200, 50, 5 };
static const uint32_t stl_v3_jtag_khz[] = { 21333, 16000, 12000, 8000, 1000, 500, 250 };

static const struct stl_variant *stl_variant(struct sim_probe *p)
{
	return &stl_variants[p->cfg.kind];
}

bool stl_has_csw_field(struct sim_probe *p)
{
	struct stl_fw *fw = stl_fw(p);

	return fw->hw >= 3 ? fw->jtag >= 2 : fw->jtag >= 32;
}

bool stl_needs_init_ap(struct sim_probe *p)
{
	struct stl_fw *fw = stl_fw(p);

	return fw->hw >= 3 || fw->jtag >= 28;
}

void stl_reply_status(struct sim_probe *p, uint8_t st)
{
	uint8_t r[2] = { st, 0 };

	sim_probe_reply(p, r, sizeof(r));
}

void stl_reply_value(struct sim_probe *p, uint8_t st, uint32_t v)
{
	uint8_t r[8] = { st };

	stl_put32(r + 4, v);
	sim_probe_reply(p, r, sizeof(r));
}

/* ---- version, mode, voltage ------------------------------------------- */

/* 6 bytes: a big-endian u16 [15:12] hw, [11:6] J, [5:0] S or M, then VID and
 * PID little-endian. V3 reports J = S = 0 here and the real numbers in
 * GET_VERSION_EX (OpenOCD stlink_usb_version). */
static void stl_cmd_version(struct sim_probe *p, const uint8_t *cmd)
{
	struct stl_fw *fw = stl_fw(p);
	const struct stl_variant *v = stl_variant(p);
	unsigned j = fw->hw >= 3 ? 0 : fw->jtag;
	uint16_t word = (uint16_t)(fw->hw << 12 | (j & 0x3Fu) << 6 | (v->low6 & 0x3Fu));
	uint8_t r[6] = { (uint8_t)(word >> 8),    (uint8_t)word,   (uint8_t)STL_VID,
			 (uint8_t)(STL_VID >> 8), (uint8_t)v->pid, (uint8_t)(v->pid >> 8) };

	(void)cmd;
	sim_probe_reply(p, r, sizeof(r));
}

/* 12 bytes: hw, SWIM, JTAG, MSC, bridge, power, 2 reserved, VID, PID:
 * V3J7M3B2S1 by default. */
static void stl_cmd_version_ex(struct sim_probe *p, const uint8_t *cmd)
{
	struct stl_fw *fw = stl_fw(p);
	uint16_t pid = stl_variant(p)->pid;
	uint8_t r[12] = { (uint8_t)fw->hw,
			  1,
			  (uint8_t)fw->jtag,
			  3,
			  2,
			  0,
			  0,
			  0,
			  (uint8_t)STL_VID,
			  (uint8_t)(STL_VID >> 8),
			  (uint8_t)pid,
			  (uint8_t)(pid >> 8) };

	(void)cmd;
	sim_probe_reply(p, r, sizeof(r));
}

static void stl_cmd_mode(struct sim_probe *p, const uint8_t *cmd)
{
	uint8_t r[2] = { (uint8_t)stl_fw(p)->mode, 0 };

	(void)cmd;
	sim_probe_reply(p, r, sizeof(r));
}

/* DFU_EXIT, SWIM_EXIT, DEBUG_EXIT: no reply. Leaving debug mode releases
 * the SWD lines, so the DP must be connected again afterwards. */
static void stl_cmd_exit(struct sim_probe *p, const uint8_t *cmd)
{
	struct stl_fw *fw = stl_fw(p);

	(void)cmd;
	fw->mode = STL_MODE_MASS;
	fw->connected = false;
	fw->select_valid = false;
	fw->csw_valid = false;
	memset(fw->ap_open, 0, sizeof(fw->ap_open));
}

/* Two u32: a0 = ADC reading of the 1.2 V reference, a1 = ADC reading of
 * half the target voltage; the host computes 2 * a1 * 1.2 / a0 (OpenOCD
 * stlink_usb_check_voltage). a0 = 1522 is what a V2 on a 3.23 V USB supply
 * reported in pystlink issue 1. */
#define STL_ADC_VREF 1522u

static void stl_cmd_voltage(struct sim_probe *p, const uint8_t *cmd)
{
	int mv = sim_board_voltage_mv(p->chip);
	uint32_t a1 = mv > 0 ? (uint32_t)mv * STL_ADC_VREF / 2400u : 0;
	uint8_t r[8];

	(void)cmd;
	stl_put32(r, STL_ADC_VREF);
	stl_put32(r + 4, a1);
	sim_probe_reply(p, r, sizeof(r));
}

/* ---- connection --------------------------------------------------------- */

/* DEBUG_APIV2_ENTER: A3 = SWD. The lab has no JTAG TAP, so the JTAG
 * variants find no IDCODE. */
static void stl_cmd_enter(struct sim_probe *p, const uint8_t *cmd)
{
	struct stl_fw *fw = stl_fw(p);

	memset(fw->ap_open, 0, sizeof(fw->ap_open));
	fw->mode = STL_MODE_DEBUG;
	if (cmd[2] != 0xA3) {
		fw->connected = false;
		stl_reply_status(p, STL_JTAG_GET_IDCODE_ERROR);
		return;
	}
	stl_reply_status(p, stl_dp_connect(p));
}

/* 12 bytes: status word, DPIDR at byte 4, 4 unused bytes. */
static void stl_cmd_idcodes(struct sim_probe *p, const uint8_t *cmd)
{
	uint8_t r[12] = { 0 };
	uint32_t id;

	(void)cmd;
	r[0] = stl_read_dpidr(p, &id);
	stl_put32(r + 4, id);
	sim_probe_reply(p, r, sizeof(r));
}

/* API v1 READCOREID, still answered by V2 firmware (pystlink issue 1 shows
 * it on V2J24): the DPIDR, 4 bytes, no status. */
static void stl_cmd_coreid(struct sim_probe *p, const uint8_t *cmd)
{
	uint8_t r[4];
	uint32_t id;

	(void)cmd;
	(void)stl_read_dpidr(p, &id);
	stl_put32(r, id);
	sim_probe_reply(p, r, sizeof(r));
}

/* DRIVE_NRST: 0 = drive low, 1 = release, 2 = pulse. The firmware only
 * drives the pin; it cannot tell whether the target reset, so it always
 * answers OK (a supervisor holding NRST is invisible to it). */
#define STL_NRST_PULSE_NS 1000000u

static void stl_cmd_nrst(struct sim_probe *p, const uint8_t *cmd)
{
	switch (cmd[2]) {
	case 0x00:
		sim_board_set_nrst(p->chip, true);
		break;
	case 0x01:
		sim_board_set_nrst(p->chip, false);
		break;
	case 0x02:
		sim_board_set_nrst(p->chip, true);
		sim_probe_spend(p, STL_NRST_PULSE_NS);
		sim_board_set_nrst(p->chip, false);
		break;
	default:
		stl_reply_status(p, STL_JTAG_CMD_ERROR);
		return;
	}
	stl_reply_status(p, STL_OK);
}

/* ---- clocks --------------------------------------------------------------- */

/* SWD_SET_FREQ divisor -> kHz. The divisor feeds a delay loop, so any value
 * is accepted; the known points are OpenOCD's / stlink-org's table plus
 * pyOCD's 5, 9, 10 and 25 (docs/STLINK-PROTOCOL.md §7). Between them the loop follows
 * f = 4000 / (d + 1.2) kHz, which reproduces every known point above d = 0
 * within 3 %. */
struct stl_div {
	uint16_t div;
	uint16_t khz;
};
static const struct stl_div stl_v2_divs[] = {
	{ 0, 4000 }, { 1, 1800 }, { 2, 1200 }, { 3, 950 },  { 5, 650 }, { 7, 480 },  { 9, 400 },  { 10, 360 },
	{ 15, 240 }, { 25, 150 }, { 31, 125 }, { 40, 100 }, { 79, 50 }, { 158, 25 }, { 265, 15 }, { 798, 5 },
};

static unsigned stl_div_khz(uint16_t div)
{
	for (size_t i = 0; i < sizeof(stl_v2_divs) / sizeof(stl_v2_divs[0]); i++)
		if (stl_v2_divs[i].div == div)
			return stl_v2_divs[i].khz;
	unsigned khz = 40000u / (10u * div + 12u);
	return khz ? khz : 1;
}

static void stl_cmd_swd_freq(struct sim_probe *p, const uint8_t *cmd)
{
	sim_probe_set_swd_khz(p, stl_div_khz(stl_le16(cmd + 2)));
	stl_reply_status(p, STL_OK);
}

static void stl_cmd_jtag_freq(struct sim_probe *p, const uint8_t *cmd)
{
	(void)cmd; /* no JTAG in the lab: accepted, nothing to clock */
	stl_reply_status(p, STL_OK);
}

static const uint32_t *stl_v3_list(uint8_t m, size_t *n)
{
	*n = m ? sizeof(stl_v3_jtag_khz) / 4 : sizeof(stl_v3_swd_khz) / 4;
	return m ? stl_v3_jtag_khz : stl_v3_swd_khz;
}

/* 52 bytes: status word, current kHz, entry count (u32), 10 u32 entries. */
static void stl_cmd_get_com_freq(struct sim_probe *p, const uint8_t *cmd)
{
	size_t n;
	const uint32_t *list = stl_v3_list(cmd[2], &n);
	uint8_t r[52] = { STL_OK };

	stl_put32(r + 4, cmd[2] ? list[0] : p->swd_khz);
	stl_put32(r + 8, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		stl_put32(r + 12 + 4 * i, list[i]);
	sim_probe_reply(p, r, sizeof(r));
}

/* SET_COM_FREQ takes kHz at bytes 4..7 and answers the entry it chose:
 * the highest one not above the request, else the lowest. */
static void stl_cmd_set_com_freq(struct sim_probe *p, const uint8_t *cmd)
{
	size_t n;
	const uint32_t *list = stl_v3_list(cmd[2], &n);
	uint32_t want = stl_le32(cmd + 4), got = list[n - 1];

	for (size_t i = 0; i < n; i++) {
		if (list[i] <= want) {
			got = list[i];
			break;
		}
	}
	if (!cmd[2])
		sim_probe_set_swd_khz(p, got);
	stl_reply_value(p, STL_OK, got);
}

/* ---- DP/AP registers -------------------------------------------------- */

static uint8_t stl_ap_usable(struct sim_probe *p, uint16_t port)
{
	if (port > 0xFF)
		return STL_BAD_AP_ERROR;
	if (port != 0 && stl_needs_init_ap(p) && !stl_fw(p)->ap_open[port])
		return STL_BAD_AP_ERROR;
	return STL_OK;
}

/* READ_DAP_REG: port 0xFFFF = DP, else APSEL; register address u16. */
static void stl_cmd_read_dap(struct sim_probe *p, const uint8_t *cmd)
{
	uint16_t port = stl_le16(cmd + 2), addr = stl_le16(cmd + 4);
	uint32_t v = 0;
	uint8_t st;

	if (port == 0xFFFF)
		st = stl_dp_read(p, addr, &v);
	else if ((st = stl_ap_usable(p, port)) == STL_OK)
		st = stl_ap_read(p, (uint8_t)port, (uint8_t)addr, &v);
	stl_reply_value(p, st, v);
}

static void stl_cmd_write_dap(struct sim_probe *p, const uint8_t *cmd)
{
	uint16_t port = stl_le16(cmd + 2), addr = stl_le16(cmd + 4);
	uint32_t v = stl_le32(cmd + 6);
	uint8_t st;

	if (port == 0xFFFF)
		st = stl_dp_write(p, addr, v);
	else if ((st = stl_ap_usable(p, port)) == STL_OK)
		st = stl_ap_write(p, (uint8_t)port, (uint8_t)addr, v);
	stl_reply_status(p, st);
}

/* INIT_AP: the firmware checks the AP answers with a non-zero IDR (ADIv5.2
 * C1.2: an absent AP reads IDR = 0). */
#define AP_IDR 0xFCu

static void stl_cmd_init_ap(struct sim_probe *p, const uint8_t *cmd)
{
	uint32_t idr = 0;
	uint8_t st = stl_ap_read(p, cmd[2], AP_IDR, &idr);

	if (st == STL_OK && !idr)
		st = STL_BAD_AP_ERROR;
	stl_fw(p)->ap_open[cmd[2]] = st == STL_OK;
	stl_reply_status(p, st);
}

static void stl_cmd_close_ap(struct sim_probe *p, const uint8_t *cmd)
{
	stl_fw(p)->ap_open[cmd[2]] = false;
	stl_reply_status(p, STL_OK);
}

/* SWO trace: the lab has no SWO pin, so the buffer stays empty. */
static void stl_cmd_trace(struct sim_probe *p, const uint8_t *cmd)
{
	(void)cmd;
	stl_reply_status(p, STL_OK);
}

static void stl_cmd_trace_nb(struct sim_probe *p, const uint8_t *cmd)
{
	uint8_t r[2] = { 0, 0 };

	(void)cmd;
	sim_probe_reply(p, r, sizeof(r));
}

/* ---- dispatch ------------------------------------------------------------- */

/* One command: key = class byte (0xF1...) or 0xF2 sub-command. v2_min /
 * v3_min are the first J version that has it (docs/STLINK-PROTOCOL.md §5; OpenOCD
 * STLINK_F_*), STL_NA if absent. `debug` commands need debug mode; outside
 * it they answer reply_len bytes with JTAG_CMD_ERROR. reply_len 0 = none. */
struct stl_cmd {
	uint8_t key;
	uint8_t v2_min, v3_min;
	bool debug;
	uint8_t reply_len;
	void (*fn)(struct sim_probe *p, const uint8_t *cmd);
};

static const struct stl_cmd stl_class_cmds[] = {
	{ .key = 0xF1, .fn = stl_cmd_version },
	{ .key = 0xF5, .fn = stl_cmd_mode },
	{ .key = 0xF7, .v2_min = 13, .fn = stl_cmd_voltage },
	{ .key = 0xFB, .v2_min = STL_NA, .fn = stl_cmd_version_ex },
};

static const struct stl_cmd stl_debug_cmds[] = {
	{ .key = 0x01, .debug = true, .reply_len = 2, .fn = stl_cmd_getstatus },
	{ .key = 0x02, .debug = true, .reply_len = 2, .fn = stl_cmd_dhcsr_op },
	{ .key = 0x07, .fn = stl_cmd_mem },
	{ .key = 0x08, .fn = stl_cmd_mem },
	{ .key = 0x09, .debug = true, .reply_len = 2, .fn = stl_cmd_dhcsr_op },
	{ .key = 0x0A, .debug = true, .reply_len = 2, .fn = stl_cmd_dhcsr_op },
	{ .key = 0x0C, .fn = stl_cmd_mem },
	{ .key = 0x0D, .fn = stl_cmd_mem },
	{ .key = 0x21, .fn = stl_cmd_exit },
	{ .key = 0x22, .debug = true, .reply_len = 4, .fn = stl_cmd_coreid },
	{ .key = 0x30, .fn = stl_cmd_enter },
	{ .key = 0x31, .debug = true, .reply_len = 12, .fn = stl_cmd_idcodes },
	{ .key = 0x32, .debug = true, .reply_len = 2, .fn = stl_cmd_resetsys },
	{ .key = 0x33, .debug = true, .reply_len = 8, .fn = stl_cmd_readreg },
	{ .key = 0x34, .debug = true, .reply_len = 2, .fn = stl_cmd_writereg },
	{ .key = 0x35, .debug = true, .reply_len = 2, .fn = stl_cmd_writedebugreg },
	{ .key = 0x36, .debug = true, .reply_len = 8, .fn = stl_cmd_readdebugreg },
	{ .key = 0x3A, .debug = true, .reply_len = 88, .fn = stl_cmd_readallregs },
	{ .key = 0x3B, .fn = stl_cmd_getlastrw },
	{ .key = 0x3C, .fn = stl_cmd_nrst },
	{ .key = 0x3E, .v2_min = 15, .fn = stl_cmd_getlastrw2 },
	{ .key = 0x40, .v2_min = 13, .fn = stl_cmd_trace },
	{ .key = 0x41, .v2_min = 13, .fn = stl_cmd_trace },
	{ .key = 0x42, .v2_min = 13, .fn = stl_cmd_trace_nb },
	{ .key = 0x43, .v2_min = 22, .v3_min = STL_NA, .fn = stl_cmd_swd_freq },
	{ .key = 0x44, .v2_min = 24, .v3_min = STL_NA, .fn = stl_cmd_jtag_freq },
	{ .key = 0x45, .v2_min = 24, .debug = true, .reply_len = 8, .fn = stl_cmd_read_dap },
	{ .key = 0x46, .v2_min = 24, .debug = true, .reply_len = 2, .fn = stl_cmd_write_dap },
	{ .key = 0x47, .v2_min = 26, .fn = stl_cmd_mem },
	{ .key = 0x48, .v2_min = 26, .fn = stl_cmd_mem },
	{ .key = 0x4B, .v2_min = 28, .debug = true, .reply_len = 2, .fn = stl_cmd_init_ap },
	{ .key = 0x4C, .v2_min = 28, .debug = true, .reply_len = 2, .fn = stl_cmd_close_ap },
	{ .key = 0x50, .v2_min = 26, .fn = stl_cmd_mem },
	{ .key = 0x51, .v2_min = 32, .v3_min = 2, .fn = stl_cmd_misc_out },
	{ .key = 0x52, .v2_min = 32, .v3_min = 2, .fn = stl_cmd_misc_in },
	{ .key = 0x54, .v2_min = 32, .v3_min = 2, .fn = stl_cmd_mem },
	{ .key = 0x61, .v2_min = STL_NA, .fn = stl_cmd_set_com_freq },
	{ .key = 0x62, .v2_min = STL_NA, .fn = stl_cmd_get_com_freq },
};

static const struct stl_cmd *stl_cmd_find(const struct stl_cmd *t, size_t n, uint8_t key)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].key == key)
			return &t[i];
	return NULL;
}

static bool stl_cmd_present(struct sim_probe *p, const struct stl_cmd *c)
{
	struct stl_fw *fw = stl_fw(p);
	uint8_t min = fw->hw >= 3 ? c->v3_min : c->v2_min;

	return min != STL_NA && fw->jtag >= min;
}

static void stl_run(struct sim_probe *p, const struct stl_cmd *c, const uint8_t *cmd)
{
	uint8_t r[88] = { STL_JTAG_CMD_ERROR };

	if (!c || !stl_cmd_present(p, c)) {
		stl_reply_status(p, STL_JTAG_UNKNOWN_CMD);
		return;
	}
	if (c->debug && stl_fw(p)->mode != STL_MODE_DEBUG) {
		sim_probe_reply(p, r, c->reply_len);
		return;
	}
	c->fn(p, cmd);
}

/* DFU (0xF3) and SWIM (0xF4) classes: only their EXIT is modelled. */
static void stl_dispatch(struct sim_probe *p, const uint8_t *cmd)
{
	const struct stl_cmd *c;

	if (cmd[0] == 0xF2) {
		c = stl_cmd_find(stl_debug_cmds, sizeof(stl_debug_cmds) / sizeof(stl_debug_cmds[0]), cmd[1]);
	} else if ((cmd[0] == 0xF3 && cmd[1] == 0x07) || (cmd[0] == 0xF4 && cmd[1] == 0x01)) {
		stl_cmd_exit(p, cmd);
		return;
	} else {
		c = stl_cmd_find(stl_class_cmds, sizeof(stl_class_cmds) / sizeof(stl_class_cmds[0]), cmd[0]);
	}
	stl_run(p, c, cmd);
}

/* Every command is one 16-byte OUT transfer (docs/STLINK-PROTOCOL.md §2); a shorter one
 * reads as zero-padded. While a WRITEMEM data phase is open, OUT transfers
 * are data, whatever they contain. */
static void stl_out(struct sim_probe *p, const uint8_t *buf, size_t len)
{
	struct stl_fw *fw = stl_fw(p);
	uint8_t cmd[STL_CMD_SIZE] = { 0 };

	if (fw->wr_pending) {
		stl_write_data(p, buf, len);
		return;
	}
	if (fw->misc_pending) {
		stl_misc_data(p, buf, len);
		return;
	}
	if (!len)
		return;
	memcpy(cmd, buf, len < sizeof(cmd) ? len : sizeof(cmd));
	stl_dispatch(p, cmd);
}

static void stl_free(struct sim_probe *p)
{
	if (p->fw)
		free(stl_fw(p)->misc);
	free(p->fw);
	p->fw = NULL;
}

static const struct sim_fw_ops stl_ops = { .out = stl_out, .free = stl_free };

/* ---- init ----------------------------------------------------------------- */

static bool stl_serial_ok(const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return n == 24;
}

static void stl_init_usb(struct sim_probe *p, const struct stl_variant *v)
{
	struct sim_usb_identity *u = &p->usb;

	u->vid = STL_VID;
	u->pid = v->pid;
	u->bcd_device = 0x0100;
	u->manufacturer = "STMicroelectronics";
	u->product = v->product;
	u->interface_name = v->iface;
	u->serial = p->serial;
	u->ep_out = v->ep_out;
	u->ep_in = 0x81;
	u->ep_swo = v->ep_swo;
	u->max_packet = v->max_packet;
	u->high_speed = v->high_speed;
}

/* USB 2.0 5.8.4: full speed carries at most 19 bulk packets of 64 bytes per
 * 1 ms frame, high speed 13 of 512 bytes per 125 us microframe. */
static void stl_init_timing(struct sim_probe *p, const struct stl_variant *v)
{
	p->frame_ns = v->high_speed ? 125000u : 1000000u;
	p->bytes_per_frame = v->high_speed ? 13u * 512u : 19u * 64u;
	p->fw_overhead_ns = v->fw_overhead_ns;
	p->swd_idle_cycles = v->idle_cycles;
	sim_probe_set_swd_khz(p, v->khz);
}

int sim_stlink_init(struct sim_probe *p)
{
	const struct stl_variant *v;
	struct stl_fw *fw;
	unsigned j;

	if (p->cfg.kind > SIM_PROBE_STLINK_V3)
		return SIM_PROBE_EINVAL;
	v = stl_variant(p);
	j = p->cfg.fw_jtag ? p->cfg.fw_jtag : v->default_j;
	if (j > (v->hw >= 3 ? 0xFFu : 0x3Fu))
		return SIM_PROBE_EINVAL;
	if (p->cfg.serial && !stl_serial_ok(p->cfg.serial))
		return SIM_PROBE_EINVAL;
	fw = calloc(1, sizeof(*fw));
	if (!fw)
		return SIM_PROBE_EINVAL;
	fw->hw = v->hw;
	fw->jtag = j;
	fw->mode = STL_MODE_DFU; /* what a freshly plugged V2 reports (pystlink issue 1) */
	fw->rw_status = STL_OK;
	snprintf(p->serial, sizeof(p->serial), "%s", p->cfg.serial ? p->cfg.serial : v->serial);
	p->fw = fw;
	p->ops = &stl_ops;
	stl_init_usb(p, v);
	stl_init_timing(p, v);
	return SIM_PROBE_OK;
}
