/*
 * ST-LINK: SWD clock (V2 divisors, V3 COM_FREQ), core registers
 * (READREG/WRITEREG, or DCRSR/DCRDR by hand for FPU registers on firmware
 * older than J15) and raw DP/AP registers (READ/WRITE_DAP_REG).
 * docs/STLINK-PROTOCOL.md §3, §5, §7.
 */
#include "stlink.h"

#include "swdd_err.h"

/* V2/V2-1 SWD_SET_FREQ divisor -> kHz (docs/STLINK-PROTOCOL.md §7, OpenOCD and
 * stlink-org table), fastest first. */
static const struct stlink_div {
	unsigned khz;
	uint16_t div;
} stlink_swd_divs[] = {
	{ .khz = 4000, .div = 0 }, { .khz = 1800, .div = 1 }, { .khz = 1200, .div = 2 },
	{ .khz = 950, .div = 3 },  { .khz = 480, .div = 7 },  { .khz = 240, .div = 15 },
	{ .khz = 125, .div = 31 }, { .khz = 100, .div = 40 }, { .khz = 50, .div = 79 },
	{ .khz = 25, .div = 158 }, { .khz = 15, .div = 265 }, { .khz = 5, .div = 798 },
};

static int stlink_speed_v2(struct swdd_probe *p, unsigned khz, unsigned *actual)
{
	const size_t n = sizeof(stlink_swd_divs) / sizeof(stlink_swd_divs[0]);
	const struct stlink_div *d = &stlink_swd_divs[n - 1];
	uint8_t *c;
	int rc;

	if (!(stlink_of(p)->features & STLINK_F_SWD_FREQ)) {
		*actual = 1800; /* power-on default; firmware before J22 cannot change it */
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (stlink_swd_divs[i].khz <= khz) {
			d = &stlink_swd_divs[i];
			break;
		}
	}
	c = stlink_cmd(stlink_of(p), STLINK_DEBUG, STLINK_DEBUG_SWD_SET_FREQ);
	c[2] = (uint8_t)d->div;
	c[3] = (uint8_t)(d->div >> 8);
	rc = stlink_cmd_status(p, 2, "setting the SWD clock (SWD_SET_FREQ)");
	if (!rc)
		*actual = d->khz;
	return rc;
}

/* V3: the firmware lists its frequencies (GET_COM_FREQ); take the highest
 * <= khz (or the lowest), then SET_COM_FREQ returns what it set. */
static int stlink_speed_v3(struct swdd_probe *p, unsigned khz, unsigned *actual)
{
	struct stlink *s = stlink_of(p);
	uint32_t best = 0, lowest = UINT32_MAX, count;
	uint8_t *c;
	int rc;

	stlink_cmd(s, STLINK_DEBUG, STLINK_DEBUG_GET_COM_FREQ);
	rc = stlink_cmd_status(p, 52, "reading the SWD clock list (GET_COM_FREQ)");
	if (rc)
		return rc;
	count = swdd_le32(s->buf + 8);
	for (uint32_t i = 0; i < count && i < 10; i++) {
		uint32_t f = swdd_le32(s->buf + 12 + 4 * i);

		if (f && f <= khz && f > best)
			best = f;
		if (f && f < lowest)
			lowest = f;
	}
	if (!best)
		best = lowest == UINT32_MAX ? khz : lowest;
	c = stlink_cmd(s, STLINK_DEBUG, STLINK_DEBUG_SET_COM_FREQ);
	swdd_put_le32(c + 4, best);
	rc = stlink_cmd_status(p, 8, "setting the SWD clock (SET_COM_FREQ)");
	if (!rc)
		*actual = swdd_le32(s->buf + 4);
	return rc;
}

int stlink_set_speed(struct swdd_probe *p, unsigned khz, unsigned *actual)
{
	return (stlink_of(p)->features & STLINK_F_COM_FREQ) ? stlink_speed_v3(p, khz, actual)
							    : stlink_speed_v2(p, khz, actual);
}

/* ---- debug registers and core registers -------------------------------------- */

static int stlink_read_dbg(struct swdd_probe *p, uint32_t addr, uint32_t *val)
{
	uint8_t *c = stlink_cmd(stlink_of(p), STLINK_DEBUG, STLINK_DEBUG_READDEBUGREG);
	int rc;

	swdd_put_le32(c + 2, addr);
	rc = stlink_cmd_status(p, 8, "reading a debug register (READDEBUGREG)");
	if (!rc)
		*val = swdd_le32(stlink_of(p)->buf + 4);
	return rc;
}

static int stlink_write_dbg(struct swdd_probe *p, uint32_t addr, uint32_t val)
{
	uint8_t *c = stlink_cmd(stlink_of(p), STLINK_DEBUG, STLINK_DEBUG_WRITEDEBUGREG);

	swdd_put_le32(c + 2, addr);
	swdd_put_le32(c + 6, val);
	return stlink_cmd_status(p, 2, "writing a debug register (WRITEDEBUGREG)");
}

/* READREG/WRITEREG on a running core is UNPREDICTABLE (ARMv7-M C1.6.3:
 * DCRSR outside Debug state), so a register access starts with a DHCSR
 * read, unless the target layer vouches for the halt (p->halt_known,
 * swdd_probe_assume_halted). */
static int stlink_check_halted(struct swdd_probe *p)
{
	uint32_t dhcsr = 0;
	int rc = stlink_read_dbg(p, CM_DHCSR, &dhcsr);

	if (!rc && !(dhcsr & (1u << 17)))
		return swdd_err_set(SWDD_ENOTHALTED,
				    "core registers can only be accessed while the core is "
				    "halted (DHCSR = 0x%08x); halt it first",
				    dhcsr);
	return rc;
}

/* DCRSR/DCRDR by hand (ARMv7-M C1.6.3), for what READREG cannot reach. */
static int stlink_reg_by_dcrsr(struct swdd_probe *p, unsigned regsel, uint32_t *val, bool wr)
{
	uint64_t deadline = swdd_now_ms() + 100u;
	uint32_t dhcsr = 0;
	int rc = wr ? stlink_write_dbg(p, CM_DCRDR, *val) : 0;

	if (!rc)
		rc = stlink_write_dbg(p, CM_DCRSR, regsel | (wr ? CM_DCRSR_REGWNR : 0));
	while (!rc && !(dhcsr & CM_DHCSR_S_REGRDY)) {
		rc = stlink_read_dbg(p, CM_DHCSR, &dhcsr);
		if (!rc && !(dhcsr & CM_DHCSR_S_REGRDY) && swdd_now_ms() > deadline)
			return swdd_err_set(SWDD_ETIMEOUT,
					    "core register %u transfer did not complete: "
					    "DHCSR.S_REGRDY stayed 0 (DHCSR = 0x%08x)",
					    regsel, dhcsr);
	}
	if (!rc && !wr)
		rc = stlink_read_dbg(p, CM_DCRDR, val);
	return rc;
}

static bool stlink_readreg_ok(struct swdd_probe *p, unsigned regsel)
{
	return regsel <= 0x1Fu || (stlink_of(p)->features & STLINK_F_RWSTATUS2);
}

/* READALLREGS (F2 3A): status word, then REGSEL 0x00-0x12 (R0-R15, xPSR,
 * MSP, PSP) as u32 (docs/STLINK-PROTOCOL.md §3; the two words after them are not
 * documented and not used). One round trip instead of one per register. */
#define STLINK_DEBUG_READALLREGS 0x3AU
#define STLINK_ALLREGS_LAST 0x12U

static size_t stlink_allregs_count(const uint8_t *regsel, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += regsel[i] <= STLINK_ALLREGS_LAST;
	return k;
}

static int stlink_read_allregs(struct swdd_probe *p, const uint8_t *regsel, size_t n, uint32_t *vals,
			       bool *done)
{
	struct stlink *s = stlink_of(p);
	int rc;

	stlink_cmd(s, STLINK_DEBUG, STLINK_DEBUG_READALLREGS);
	rc = stlink_cmd_status(p, 88, "reading the core registers (READALLREGS)");
	for (size_t i = 0; i < n && !rc; i++) {
		done[i] = regsel[i] <= STLINK_ALLREGS_LAST;
		if (done[i])
			vals[i] = swdd_le32(s->buf + 4 + 4 * regsel[i]);
	}
	return rc;
}

int stlink_read_core_regs(struct swdd_probe *p, const uint8_t *regsel, size_t n, uint32_t *vals)
{
	struct stlink *s = stlink_of(p);
	bool done[64] = { false };
	int rc = p->halt_known ? 0 : stlink_check_halted(p);

	if (!rc && n <= 64 && stlink_allregs_count(regsel, n) >= 3)
		rc = stlink_read_allregs(p, regsel, n, vals, done);
	for (size_t i = 0; i < n && !rc; i++) {
		if (i < 64 && done[i])
			continue;
		if (!stlink_readreg_ok(p, regsel[i])) {
			rc = stlink_reg_by_dcrsr(p, regsel[i], &vals[i], false);
			continue;
		}
		stlink_cmd(s, STLINK_DEBUG, STLINK_DEBUG_READREG)[2] = regsel[i];
		rc = stlink_cmd_status(p, 8, "reading a core register (READREG)");
		if (!rc)
			vals[i] = swdd_le32(s->buf + 4);
	}
	return rc;
}

int stlink_write_core_reg(struct swdd_probe *p, unsigned regsel, uint32_t val)
{
	uint8_t *c;
	int rc = p->halt_known ? 0 : stlink_check_halted(p);

	if (rc)
		return rc;
	if (!stlink_readreg_ok(p, regsel))
		return stlink_reg_by_dcrsr(p, regsel, &val, true);
	c = stlink_cmd(stlink_of(p), STLINK_DEBUG, STLINK_DEBUG_WRITEREG);
	c[2] = (uint8_t)regsel;
	swdd_put_le32(c + 3, val);
	return stlink_cmd_status(p, 2, "writing a core register (WRITEREG)");
}

/* ---- raw DAP registers ----------------------------------------------------------- */

static int stlink_check_dap(struct swdd_probe *p, unsigned port, unsigned reg)
{
	struct stlink *s = stlink_of(p);

	if (!(s->features & STLINK_F_DAP_REG))
		return swdd_err_set(SWDD_EUNSUPPORTED,
				    "firmware %s has no DP/AP register access (needs J24); "
				    "update the ST-LINK firmware",
				    p->info.firmware);
	if (port == SWDD_PROBE_DP && (reg & 0xF0u) && !(s->features & STLINK_F_CSW))
		return swdd_err_set(SWDD_EUNSUPPORTED,
				    "firmware %s cannot reach banked DP registers (needs "
				    "V2J32 or V3J2)",
				    p->info.firmware);
	return port == SWDD_PROBE_DP ? 0 : stlink_init_ap(p, port);
}

static uint8_t *stlink_dap_cmd(struct swdd_probe *p, uint8_t sub, unsigned port, unsigned reg)
{
	uint8_t *c = stlink_cmd(stlink_of(p), STLINK_DEBUG, sub);

	c[2] = (uint8_t)port;
	c[3] = (uint8_t)(port >> 8);
	c[4] = (uint8_t)reg;
	c[5] = (uint8_t)(reg >> 8);
	return c;
}

int stlink_dap_read(struct swdd_probe *p, unsigned port, unsigned reg, uint32_t *val)
{
	int rc = stlink_check_dap(p, port, reg);

	if (rc)
		return rc;
	stlink_dap_cmd(p, STLINK_DEBUG_READ_DAP_REG, port, reg);
	rc = stlink_cmd_status(p, 8, "reading a DP/AP register (READ_DAP_REG)");
	if (!rc)
		*val = swdd_le32(stlink_of(p)->buf + 4);
	return rc;
}

int stlink_dap_write(struct swdd_probe *p, unsigned port, unsigned reg, uint32_t val)
{
	int rc = stlink_check_dap(p, port, reg);

	if (rc)
		return rc;
	swdd_put_le32(stlink_dap_cmd(p, STLINK_DEBUG_WRITE_DAP_REG, port, reg) + 6, val);
	return stlink_cmd_status(p, 2, "writing a DP/AP register (WRITE_DAP_REG)");
}
