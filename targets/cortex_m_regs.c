/*
 * Cortex-M registers as GDB numbers them, and the per-halt register cache.
 *
 * GDB numbers registers in the order of the target description
 * (target_xml.c, targets/arm-*.xml):
 *
 *   0-12 r0-r12, 13 sp, 14 lr, 15 pc, 16 xpsr      org.gnu.gdb.arm.m-profile
 *   17 msp, 18 psp, 19 primask, 20 basepri,
 *   21 faultmask, 22 control                        org.gnu.gdb.arm.m-system
 *   23-38 d0-d15 (64 bit), 39 fpscr                 org.gnu.gdb.arm.vfp (FPU)
 *
 * primask..control live in one packed DCRSR word (REGSEL 0x14, ARMv7-M
 * C1.6.3: CONTROL[31:24] FAULTMASK[23:16] BASEPRI[15:8] PRIMASK[7:0]) and
 * are written read-modify-write. d<n> is the pair S<2n> (low) and S<2n+1>.
 *
 * The cache is filled by swdd_probe_read_core_regs() calls the first
 * time registers are needed after a halt, so the 'g' GDB sends after a
 * stop, the expedited registers of the stop reply and later 'p' reads cost
 * no further probe round trips. It is dropped on resume, step, reset and
 * on every register write. The 'g' packet carries registers 0-18 only;
 * GDB reads primask..control, d0-d15 and fpscr with 'p' when it needs them
 * (swdd_target_num_g_regs()).
 */
#include "cortex_m_internal.h"
#include "probe.h"
#include "swdd_err.h"

#include <string.h>

#define CM_PACKED_BYTE_NONE -1

struct cm_reg_desc {
	uint8_t regsel; /* DCRSR REGSEL of the (low) word */
	int8_t packed;  /* byte of the packed special word, or NONE */
	uint8_t size;   /* 4, or 8 for d<n> (regsel, regsel + 1) */
};

#define CM_R(n) [n] = { .regsel = (n), .packed = CM_PACKED_BYTE_NONE, .size = 4 }
#define CM_D(n) [23 + (n)] = { .regsel = CM_REGSEL_S0 + 2 * (n), .packed = CM_PACKED_BYTE_NONE, .size = 8 }

static const struct cm_reg_desc cm_regs[] = {
	CM_R(0),
	CM_R(1),
	CM_R(2),
	CM_R(3),
	CM_R(4),
	CM_R(5),
	CM_R(6),
	CM_R(7),
	CM_R(8),
	CM_R(9),
	CM_R(10),
	CM_R(11),
	CM_R(12),
	CM_R(13),
	CM_R(14),
	CM_R(15),
	[16] = { .regsel = CM_REGSEL_XPSR, .packed = CM_PACKED_BYTE_NONE, .size = 4 },
	[17] = { .regsel = CM_REGSEL_MSP, .packed = CM_PACKED_BYTE_NONE, .size = 4 },
	[18] = { .regsel = CM_REGSEL_PSP, .packed = CM_PACKED_BYTE_NONE, .size = 4 },
	[19] = { .regsel = CM_REGSEL_SPECIAL, .packed = 0, .size = 4 }, /* primask */
	[20] = { .regsel = CM_REGSEL_SPECIAL, .packed = 1, .size = 4 }, /* basepri */
	[21] = { .regsel = CM_REGSEL_SPECIAL, .packed = 2, .size = 4 }, /* faultmask */
	[22] = { .regsel = CM_REGSEL_SPECIAL, .packed = 3, .size = 4 }, /* control */
	CM_D(0),
	CM_D(1),
	CM_D(2),
	CM_D(3),
	CM_D(4),
	CM_D(5),
	CM_D(6),
	CM_D(7),
	CM_D(8),
	CM_D(9),
	CM_D(10),
	CM_D(11),
	CM_D(12),
	CM_D(13),
	CM_D(14),
	CM_D(15),
	[39] = { .regsel = CM_REGSEL_FPSCR, .packed = CM_PACKED_BYTE_NONE, .size = 4 },
};

#define CM_NUM_REGS_G 19U /* r0-pc, xpsr, msp, psp: the 'g' packet */
#define CM_NUM_REGS_BASE 23U
#define CM_NUM_REGS_FPU 40U

size_t swdd_target_num_regs(const struct swdd_target *t)
{
	return t->chip.has_fpu ? CM_NUM_REGS_FPU : CM_NUM_REGS_BASE;
}

size_t swdd_target_reg_size(const struct swdd_target *t, unsigned n)
{
	if (n >= swdd_target_num_regs(t))
		return 0;
	return cm_regs[n].size;
}

/* The cache has three groups, each filled by one swdd_probe_read_core_regs()
 * call when first needed: the core group (r0-pc, xpsr, msp, psp: REGSEL
 * 0x00-0x12, what ST-LINK's READALLREGS returns in one round trip) that
 * every stop needs; the system group (the packed primask..control word,
 * and fpscr on cores with an FPU), which `info registers` shows; and
 * s0-s31, which only a full dump or an explicit read needs. On probes that
 * read registers one at a time (ST-LINK) this keeps a stepi, and a plain
 * `info registers`, cheap. */
enum cm_reg_group { CM_GROUP_CORE, CM_GROUP_SYS, CM_GROUP_FPU };

static size_t cm_regsel_list(const struct swdd_target *t, enum cm_reg_group g, uint8_t *sel)
{
	size_t n = 0;

	if (g == CM_GROUP_CORE) {
		for (unsigned i = 0; i <= CM_REGSEL_PSP; i++)
			sel[n++] = (uint8_t)i;
	} else if (g == CM_GROUP_SYS) {
		sel[n++] = CM_REGSEL_SPECIAL;
		if (t->chip.has_fpu)
			sel[n++] = CM_REGSEL_FPSCR;
	} else {
		for (unsigned i = 0; i < 32; i++)
			sel[n++] = (uint8_t)(CM_REGSEL_S0 + i);
	}
	return n;
}

static enum cm_reg_group cm_group_of(unsigned regsel)
{
	if (regsel >= CM_REGSEL_S0)
		return CM_GROUP_FPU;
	if (regsel == CM_REGSEL_SPECIAL || regsel == CM_REGSEL_FPSCR)
		return CM_GROUP_SYS;
	return CM_GROUP_CORE;
}

static int cm_require_halted(const struct swdd_target *t)
{
	if (t->halted)
		return 0;
	return swdd_err_set(SWDD_ENOTHALTED,
			    "the core is running: registers can only be accessed while it is halted; "
			    "interrupt it first (Ctrl-C or monitor halt)");
}

static int cm_group_fill(struct swdd_target *t, enum cm_reg_group g)
{
	uint8_t sel[40];
	uint32_t vals[40];
	size_t n;
	int rc;

	if (t->regs_valid & (1U << g))
		return 0;
	rc = cm_require_halted(t);
	if (rc)
		return rc;
	n = cm_regsel_list(t, g, sel);
	/* Right after the halt was seen (the stop's pc is read at once), the
	 * probe need not check it again: one ST-LINK round trip per stop. */
	if (t->halt_fresh)
		rc = swdd_probe_read_core_regs_halted(t->probe, sel, n, vals);
	else
		rc = swdd_probe_read_core_regs(t->probe, sel, n, vals);
	t->halt_fresh = false;
	if (rc)
		return swdd_err_add(rc, "reading the core registers");
	for (size_t i = 0; i < n; i++)
		t->regs[sel[i]] = vals[i];
	t->regs_valid |= 1U << g;
	return 0;
}

int cm_regs_fill(struct swdd_target *t)
{
	return cm_group_fill(t, CM_GROUP_CORE);
}

int cm_reg_pc(struct swdd_target *t, uint32_t *pc)
{
	int rc = cm_regs_fill(t);

	if (rc == 0)
		*pc = t->regs[15];
	return rc;
}

static int cm_check_regnum(const struct swdd_target *t, unsigned n)
{
	if (n < swdd_target_num_regs(t))
		return 0;
	return swdd_err_set(SWDD_EINVAL, "register %u does not exist on this core (it has %zu)", n,
			    swdd_target_num_regs(t));
}

int swdd_target_reg_read(struct swdd_target *t, unsigned n, uint8_t *buf)
{
	const struct cm_reg_desc *d;
	int rc = cm_check_regnum(t, n);

	if (rc || (rc = cm_group_fill(t, cm_group_of(cm_regs[n].regsel))))
		return rc;
	d = &cm_regs[n];
	if (d->packed != CM_PACKED_BYTE_NONE)
		swdd_put_le32(buf, (t->regs[d->regsel] >> (8 * d->packed)) & 0xFFU);
	else
		swdd_put_le32(buf, t->regs[d->regsel]);
	if (d->size == 8)
		swdd_put_le32(buf + 4, t->regs[d->regsel + 1]);
	return 0;
}

static int cm_write_packed(struct swdd_target *t, int byte, uint32_t v)
{
	uint32_t word;
	int rc = cm_group_fill(t, CM_GROUP_SYS);

	if (rc)
		return rc;
	word = t->regs[CM_REGSEL_SPECIAL];
	word &= ~(0xFFU << (8 * byte));
	word |= (v & 0xFFU) << (8 * byte);
	return swdd_probe_write_core_reg(t->probe, CM_REGSEL_SPECIAL, word);
}

int swdd_target_reg_write(struct swdd_target *t, unsigned n, const uint8_t *buf)
{
	const struct cm_reg_desc *d;
	int rc = cm_check_regnum(t, n);

	if (rc || (rc = cm_require_halted(t)))
		return rc;
	d = &cm_regs[n];
	if (d->packed != CM_PACKED_BYTE_NONE)
		rc = cm_write_packed(t, d->packed, swdd_le32(buf));
	else
		rc = swdd_probe_write_core_reg(t->probe, d->regsel, swdd_le32(buf));
	if (rc == 0 && d->size == 8)
		rc = swdd_probe_write_core_reg(t->probe, d->regsel + 1U, swdd_le32(buf + 4));
	/* r0-r12, lr and pc alias nothing, so the cache takes the new value
	 * (a flash algorithm call writes five of them, then resumes, which
	 * reads pc). Any other write may change what other registers read
	 * (sp vs msp/psp, xpsr reserved bits, the packed word): drop all. */
	if (rc == 0 && d->packed == CM_PACKED_BYTE_NONE && d->size == 4 &&
	    (d->regsel <= 12U || d->regsel == 14U || d->regsel == 15U))
		t->regs[d->regsel] = swdd_le32(buf);
	else
		t->regs_valid = 0;
	return rc;
}

/* GDB's 'g' packet carries the core group only (r0-pc, xpsr, msp, psp),
 * even on cores with an FPU. GDB (remote.c, process_g_packet) takes a short
 * 'g' reply to mean that the registers beyond it are read with 'p' when
 * needed, so a stop costs only the core group: on ST-LINK, whose firmware
 * reads the packed special word and each FPU register with its own READREG,
 * that is 34 USB round trips fewer per stepi. The length never changes
 * with the cache state: GDB shrinks its expected 'g' size to the first
 * short reply and rejects a longer one later ("reply is too long"). */
size_t swdd_target_num_g_regs(const struct swdd_target *t)
{
	size_t n = swdd_target_num_regs(t);

	return n < CM_NUM_REGS_G ? n : CM_NUM_REGS_G;
}

/* Bytes that registers 0..n-1 take in a 'g'/'G' block. */
static size_t cm_regs_span(size_t n)
{
	size_t off = 0;

	for (size_t i = 0; i < n; i++)
		off += cm_regs[i].size;
	return off;
}

static int cm_regs_read_n(struct swdd_target *t, size_t n, uint8_t *buf, size_t cap, size_t *len)
{
	size_t off = 0;
	int rc;

	if (cm_regs_span(n) > cap)
		return swdd_err_set(SWDD_ERANGE, "register buffer of %zu bytes is too small", cap);
	for (unsigned i = 0; i < n; i++) {
		rc = swdd_target_reg_read(t, i, buf + off);
		if (rc)
			return rc;
		off += cm_regs[i].size;
	}
	*len = off;
	return 0;
}

int swdd_target_regs_read(struct swdd_target *t, uint8_t *buf, size_t cap, size_t *len)
{
	return cm_regs_read_n(t, swdd_target_num_regs(t), buf, cap, len);
}

int swdd_target_g_regs_read(struct swdd_target *t, uint8_t *buf, size_t cap, size_t *len)
{
	return cm_regs_read_n(t, swdd_target_num_g_regs(t), buf, cap, len);
}

/* Writes only the registers whose value changes, so a 'G' that GDB sends
 * back unchanged but for the pc costs one register write. The block holds
 * either every register or only those of the 'g' packet (GDB's 'G' has the
 * length of the 'g' reply). */
int swdd_target_regs_write(struct swdd_target *t, const uint8_t *buf, size_t len)
{
	size_t off = 0, n = swdd_target_num_regs(t);
	uint8_t cur[8];
	int rc;

	if (len == cm_regs_span(swdd_target_num_g_regs(t)))
		n = swdd_target_num_g_regs(t);
	else if (len != cm_regs_span(n))
		return swdd_err_set(SWDD_EINVAL,
				    "register block is %zu bytes, this core has %zu "
				    "(or %zu without the FPU registers)",
				    len, cm_regs_span(n), cm_regs_span(swdd_target_num_g_regs(t)));
	for (unsigned i = 0; i < n; i++) {
		rc = swdd_target_reg_read(t, i, cur);
		if (rc == 0 && memcmp(cur, buf + off, cm_regs[i].size) != 0)
			rc = swdd_target_reg_write(t, i, buf + off);
		if (rc)
			return rc;
		off += cm_regs[i].size;
	}
	return 0;
}
