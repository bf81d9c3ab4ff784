/*
 * Memory and register monitor commands with OpenOCD's names:
 * mdw/mdh/mdb ADDR [COUNT], mww/mwh/mwb ADDR VALUE, reg [NAME [VALUE]].
 * Accesses use the width the command names (peripheral registers care:
 * RM0090 2.3 lists registers that take only word or half-word access).
 * GDB does not know about these changes: writes print the hint to flush
 * its register cache.
 */
#include <stdio.h>
#include <string.h>

#include "gdb_server.h"
#include "monitor.h"
#include "probe.h"
#include "swdd_err.h"
#include "target.h"

#define MON_MD_MAX_BYTES 4096u /* one command's output stays readable */

struct mon_width {
	char letter; /* mdw/mww: 'w' */
	unsigned bytes;
};

static const struct mon_width mon_widths[] = { { 'w', 4 }, { 'h', 2 }, { 'b', 1 } };

static const struct mon_width *mon_width_of(const char *name)
{
	for (size_t i = 0; i < sizeof(mon_widths) / sizeof(mon_widths[0]); i++)
		if (name[2] == mon_widths[i].letter)
			return &mon_widths[i];
	return &mon_widths[0];
}

static int mon_addr(const char *arg, unsigned width, uint32_t *addr)
{
	unsigned long long v;
	int rc = monitor_number(arg, 0xFFFFFFFFull, "the address", &v);

	if (!rc && (v & (width - 1)))
		rc = swdd_err_set(SWDD_EINVAL, "0x%08llx is not aligned to the %u-byte access", v, width);
	*addr = (uint32_t)v;
	return rc;
}

static uint32_t mon_le(const uint8_t *p, unsigned n)
{
	uint32_t v = 0;

	for (unsigned i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

static void mon_dump(struct gdb_server *s, uint32_t addr, const uint8_t *buf, uint32_t n, unsigned width)
{
	char line[160];
	size_t len = 0;

	for (uint32_t off = 0; off < n; off += width) {
		if (off % 16 == 0)
			len = (size_t)snprintf(line, sizeof(line), "0x%08x:", addr + off);
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %0*x", (int)width * 2,
					mon_le(buf + off, width));
		if (off % 16 == 16 - width || off + width == n)
			monitor_printf(s, "%s\n", line);
	}
}

/* mdw|mdh|mdb ADDR [COUNT] */
static int mon_md(struct gdb_server *s, int argc, char **argv)
{
	static uint8_t buf[MON_MD_MAX_BYTES];
	const struct mon_width *w = mon_width_of(argv[0]);
	unsigned long long count = 1;
	uint32_t addr;
	int rc = mon_addr(argv[1], w->bytes, &addr);

	if (!rc && argc == 3)
		rc = monitor_number(argv[2], MON_MD_MAX_BYTES / w->bytes, "COUNT", &count);
	if (!rc && count == 0)
		return 0;
	if (!rc && (uint64_t)addr + count * w->bytes > 0x100000000ull)
		rc = swdd_err_set(SWDD_ERANGE, "%llu items at 0x%08x run past 4 GiB", count, addr);
	if (!rc)
		rc = swdd_probe_read_mem_width(swdd_target_probe(s->target), addr, buf,
					       (size_t)count * w->bytes, w->bytes);
	if (!rc)
		mon_dump(s, addr, buf, (uint32_t)count * w->bytes, w->bytes);
	return rc;
}

/* mww|mwh|mwb ADDR VALUE: one access of the command's width, through
 * the target layer, which keeps its register cache and breakpoints right
 * when the write lands in the SCS or in code. */
static int mon_mw(struct gdb_server *s, int argc, char **argv)
{
	const struct mon_width *w = mon_width_of(argv[0]);
	unsigned long long v = 0;
	uint8_t buf[4];
	uint32_t addr;
	int rc = mon_addr(argv[1], w->bytes, &addr);

	(void)argc;
	if (!rc)
		rc = monitor_number(argv[2], w->bytes == 4 ? 0xFFFFFFFFull : (1ull << 8 * w->bytes) - 1,
				    "VALUE", &v);
	for (unsigned i = 0; i < 4; i++)
		buf[i] = (uint8_t)(v >> 8 * i);
	if (!rc)
		rc = swdd_target_mem_write_width(s->target, addr, buf, w->bytes, w->bytes);
	if (!rc)
		monitor_printf(s,
			       "0x%08x <- 0x%0*llx (GDB's cached memory and registers are not "
			       "refreshed: `maintenance flush register-cache`)\n",
			       addr, (int)w->bytes * 2, v);
	return rc;
}

/* GDB's register numbers and names for a Cortex-M (the target
 * description's org.gnu.gdb.arm.m-profile, m-system and vfp features;
 * targets/cortex_m_regs.c maps them to DCRSR). */
static const char *const mon_reg_names[] = {
	"r0",      "r1",        "r2",      "r3",  "r4",  "r5",  "r6",   "r7",  "r8",  "r9",
	"r10",     "r11",       "r12",     "sp",  "lr",  "pc",  "xpsr", "msp", "psp", "primask",
	"basepri", "faultmask", "control", "d0",  "d1",  "d2",  "d3",   "d4",  "d5",  "d6",
	"d7",      "d8",        "d9",      "d10", "d11", "d12", "d13",  "d14", "d15", "fpscr",
};
#define MON_NREG_NAMES (sizeof(mon_reg_names) / sizeof(mon_reg_names[0]))

static int mon_reg_find(struct gdb_server *s, const char *name, unsigned *n)
{
	size_t max = swdd_target_num_regs(s->target);

	for (unsigned i = 0; i < MON_NREG_NAMES && i < max; i++)
		if (strcmp(name, mon_reg_names[i]) == 0 || (i == 13 && !strcmp(name, "r13")) ||
		    (i == 14 && !strcmp(name, "r14")) || (i == 15 && !strcmp(name, "r15"))) {
			*n = i;
			return 0;
		}
	return swdd_err_set(SWDD_EINVAL, "no register '%s' (`monitor reg` lists them)", name);
}

static int mon_reg_show(struct gdb_server *s, unsigned n)
{
	uint8_t v[8] = { 0 };
	size_t size = swdd_target_reg_size(s->target, n);
	int rc = swdd_target_reg_read(s->target, n, v);

	if (rc)
		return rc;
	if (size == 8)
		monitor_printf(s, "%-10s 0x%08x%08x\n", mon_reg_names[n], mon_le(v + 4, 4), mon_le(v, 4));
	else
		monitor_printf(s, "%-10s 0x%08x\n", mon_reg_names[n], mon_le(v, 4));
	return 0;
}

static int mon_reg_set(struct gdb_server *s, unsigned n, const char *arg)
{
	size_t size = swdd_target_reg_size(s->target, n);
	unsigned long long v = 0;
	uint8_t buf[8];
	int rc = monitor_number(arg, size == 8 ? ~0ull : 0xFFFFFFFFull, "VALUE", &v);

	for (unsigned i = 0; i < 8; i++)
		buf[i] = (uint8_t)(v >> 8 * i);
	if (!rc)
		rc = swdd_target_reg_write(s->target, n, buf);
	if (!rc)
		rc = mon_reg_show(s, n);
	if (!rc)
		monitor_printf(s, "(GDB keeps showing its cached registers until `maintenance flush "
				  "register-cache` or the next step)\n");
	return rc;
}

/* reg [NAME [VALUE]] (the core must be halted) */
static int mon_reg(struct gdb_server *s, int argc, char **argv)
{
	unsigned n = 0;
	int rc = 0;

	if (argc == 1) {
		size_t max = swdd_target_num_regs(s->target);

		for (unsigned i = 0; i < MON_NREG_NAMES && i < max && !rc; i++)
			rc = mon_reg_show(s, i);
		return rc;
	}
	rc = mon_reg_find(s, argv[1], &n);
	if (rc)
		return rc;
	return argc == 2 ? mon_reg_show(s, n) : mon_reg_set(s, n, argv[2]);
}

const struct monitor_cmd monitor_mem_cmds[] = {
	{ "mdw", mon_md, "mdw ADDR [COUNT]", "show COUNT 32-bit words at ADDR (word accesses)", 1, 2 },
	{ "mdh", mon_md, "mdh ADDR [COUNT]", "show COUNT 16-bit half-words (half-word accesses)", 1, 2 },
	{ "mdb", mon_md, "mdb ADDR [COUNT]", "show COUNT bytes (byte accesses)", 1, 2 },
	{ "mww", mon_mw, "mww ADDR VALUE", "write a 32-bit word", 2, 2 },
	{ "mwh", mon_mw, "mwh ADDR VALUE", "write a 16-bit half-word", 2, 2 },
	{ "mwb", mon_mw, "mwb ADDR VALUE", "write a byte", 2, 2 },
	{ "reg", mon_reg, "reg [NAME [VALUE]]", "show all registers, one, or set one (core halted)", 0, 2 },
};
const size_t monitor_mem_count = sizeof(monitor_mem_cmds) / sizeof(monitor_mem_cmds[0]);
