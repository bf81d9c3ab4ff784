/*
 * The probe driver suite: cases that hold for every probe kind and need
 * nothing but an attached struct swdd_probe on an STM32F407 (the lab's
 * chip or a board). test/unit/test_probe.c runs them over every emulated
 * probe through the in-process transport, plus the lab-only fault cases.
 *
 * Entry point for other transports (swdd-lab over libusb/hidapi):
 *   probe_suite_run_on(p, "stlink-v2/libusb")
 * attaches p, halts the core, runs every case here and prints harness
 * PASS/FAIL lines; or run build/asan/test_probe with SWDD_TEST_PROBE_USB
 * set to a serial number (or "auto") to open a USB probe and do the same.
 *
 * Included by test_probe.c (the unit-test rule builds one .c per binary).
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "probe.h"
#include "sim.h"
#include "swdd_err.h"

#define PS_SRAM 0x20000000u
#define PS_DHCSR 0xE000EDF0u
#define PS_DHCSR_HALT_CMD 0xA05F0003u
#define PS_DHCSR_S_HALT (1u << 17)
#define PS_DHCSR_S_RESET_ST (1u << 25)
#define PS_F407_DPIDR 0x2BA01477u
#define PS_F4_AHB_AP_IDR 0x24770011u

struct probe_suite_env {
	struct swdd_probe *p;
	sim_chip *chip; /* NULL when the probe is not on the lab in-process */
	uint32_t dpidr;
};

struct probe_suite_case {
	const char *name, *ref;
	int (*fn)(struct probe_suite_env *e);
};

static void ps_pattern(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed * 31u + i * 7u + (i >> 8));
}

/* Halts the core (ARMv7-M C1.6.2) so core registers can be reached and
 * the core does not touch SRAM under the tests. */
static int ps_halt(struct swdd_probe *p)
{
	uint32_t v = 0;

	CHECK_OK(swdd_probe_write32(p, PS_DHCSR, PS_DHCSR_HALT_CMD));
	for (int i = 0; i < 100 && !(v & PS_DHCSR_S_HALT); i++)
		CHECK_OK(swdd_probe_read32(p, PS_DHCSR, &v));
	CHECK(v & PS_DHCSR_S_HALT);
	return 0;
}

/* Compares SRAM as the lab's backdoor sees it, when in-process. */
static int ps_backdoor_equal(struct probe_suite_env *e, uint32_t addr, const uint8_t *want, size_t n)
{
	uint8_t *got;
	int same;

	if (!e->chip)
		return 1;
	got = malloc(n);
	if (!got || sim_chip_backdoor_read(e->chip, addr, got, n)) {
		free(got);
		return 0;
	}
	same = !memcmp(got, want, n);
	free(got);
	return same;
}

static int ps_attach_ids(struct probe_suite_env *e)
{
	uint32_t v = 0;

	CHECK_EQ(e->dpidr, PS_F407_DPIDR);
	CHECK_OK(swdd_probe_read32(e->p, 0xE000ED00u, &v)); /* CPUID */
	CHECK_EQ(v, 0x410FC241u);
	return 0;
}

/* Every length 1..64 at offsets 0..3, with guard bytes on each side that
 * must survive: heads and tails are done with narrower accesses. */
static int ps_mem_all_alignments(struct probe_suite_env *e)
{
	uint8_t guard[72], data[64], back[72];

	for (unsigned off = 0; off < 4; off++) {
		for (size_t len = 1; len <= 64; len++) {
			uint32_t base = PS_SRAM + 0x100u;

			memset(guard, 0xA5, sizeof(guard));
			CHECK_OK(swdd_probe_write_mem(e->p, base, guard, sizeof(guard)));
			ps_pattern(data, len, (unsigned)(len * 4 + off));
			CHECK_OK(swdd_probe_write_mem(e->p, base + 4 + off, data, len));
			CHECK_OK(swdd_probe_read_mem(e->p, base + 4 + off, back, len));
			if (memcmp(back, data, len))
				return test_fail_at(__FILE__, __LINE__, "read-back differs: len %zu off %u",
						    len, off);
			memcpy(guard + 4 + off, data, len);
			CHECK_OK(swdd_probe_read_mem(e->p, base, back, sizeof(back)));
			if (memcmp(back, guard, sizeof(guard)))
				return test_fail_at(__FILE__, __LINE__,
						    "neighbour bytes changed: len %zu off %u", len, off);
			CHECK(ps_backdoor_equal(e, base, guard, sizeof(guard)));
		}
	}
	return 0;
}

/* Forced widths: each width reads what the others wrote. */
static int ps_mem_forced_widths(struct probe_suite_env *e)
{
	static const unsigned widths[] = { 1, 2, 4 };
	uint8_t data[48], back[48];

	for (size_t w = 0; w < 3; w++) {
		for (size_t r = 0; r < 3; r++) {
			uint32_t a = PS_SRAM + 0x400u +
				     (uint32_t)(widths[w] > widths[r] ? widths[w] : widths[r]) * 4;

			ps_pattern(data, sizeof(data), (unsigned)(w * 3 + r));
			CHECK_OK(swdd_probe_write_mem_width(e->p, a, data, sizeof(data), widths[w]));
			CHECK_OK(swdd_probe_read_mem_width(e->p, a, back, sizeof(back), widths[r]));
			CHECK(!memcmp(back, data, sizeof(data)));
		}
	}
	/* 600 bytes at 8 bits: several 8-bit commands on ST-LINK (64 bytes on
	 * V2, 512 on V3 J6+; docs/STLINK-PROTOCOL.md §6). */
	uint8_t big[600], bigback[600];
	ps_pattern(big, sizeof(big), 77);
	CHECK_OK(swdd_probe_write_mem_width(e->p, PS_SRAM + 0x1001u, big, sizeof(big), 1));
	CHECK_OK(swdd_probe_read_mem_width(e->p, PS_SRAM + 0x1001u, bigback, sizeof(bigback), 1));
	CHECK(!memcmp(big, bigback, sizeof(big)));
	CHECK(ps_backdoor_equal(e, PS_SRAM + 0x1001u, big, sizeof(big)));
	CHECK_EQ(swdd_probe_read_mem_width(e->p, PS_SRAM + 1, back, 4, 4), SWDD_EINVAL);
	CHECK_EQ(swdd_probe_read_mem_width(e->p, PS_SRAM, back, 4, 3), SWDD_EINVAL);
	return 0;
}

/* 10000 bytes from an unaligned address: crosses the 4 KiB TAR wrap
 * twice and the 6144-byte ST-LINK command limit. */
static int ps_mem_large(struct probe_suite_env *e)
{
	const size_t n = 10000;
	const uint32_t a = PS_SRAM + 0x0F03u;
	uint8_t *data = malloc(n), *back = malloc(n);
	int rc = 0;

	if (!data || !back) {
		free(data);
		free(back);
		return test_fail_at(__FILE__, __LINE__, "out of memory");
	}
	ps_pattern(data, n, 99);
	memset(back, 0, n);
	if (swdd_probe_write_mem(e->p, a, data, n) || swdd_probe_read_mem(e->p, a, back, n))
		rc = test_fail_at(__FILE__, __LINE__, "transfer failed: %s", swdd_err_detail());
	else if (memcmp(data, back, n))
		rc = test_fail_at(__FILE__, __LINE__, "10000-byte block read back differently");
	else if (!ps_backdoor_equal(e, a, data, n))
		rc = test_fail_at(__FILE__, __LINE__, "SRAM holds something else than was written");
	free(data);
	free(back);
	return rc;
}

static int ps_core_regs(struct probe_suite_env *e)
{
	uint8_t sel[14];
	uint32_t vals[14], v = 0;

	CHECK(!ps_halt(e->p));
	for (unsigned r = 0; r < 13; r++)
		CHECK_OK(swdd_probe_write_core_reg(e->p, r, 0x11110000u * (r + 1) + r));
	CHECK_OK(swdd_probe_write_core_reg(e->p, 15, 0x08000100u)); /* PC */
	for (unsigned r = 0; r < 13; r++)
		sel[r] = (uint8_t)r;
	sel[13] = 15;
	CHECK_OK(swdd_probe_read_core_regs(e->p, sel, 14, vals));
	for (unsigned r = 0; r < 13; r++)
		CHECK_EQ(vals[r], 0x11110000u * (r + 1) + r);
	CHECK_EQ(vals[13], 0x08000100u);
	CHECK_OK(swdd_probe_read_core_reg(e->p, 17, &v)); /* MSP: any value, but it must answer */
	CHECK_EQ(swdd_probe_read_core_reg(e->p, 50, &v), SWDD_EINVAL);
	return 0;
}

static uint64_t ps_trips(struct probe_suite_env *e)
{
	struct swdd_probe_stats st;

	swdd_probe_get_stats(e->p, &st);
	return st.usb_round_trips;
}

/* swdd_probe_read_core_regs_halted() reads the same values, in no more
 * round trips (one fewer on ST-LINK: no DHCSR check first); the plain
 * call still refuses a running core (DCRSR outside Debug state is
 * UNPREDICTABLE, ARMv7-M C1.6.3). The core runs a `b .` in SRAM. */
static int ps_core_regs_halted(struct probe_suite_env *e)
{
	static const uint8_t sel[] = { 0, 1, 2, 3, 15, 16, 17, 18 };
	uint32_t plain[8], fast[8];
	uint64_t a, b, c;
	int rc;

	CHECK(!ps_halt(e->p));
	CHECK_OK(swdd_probe_write32(e->p, PS_SRAM, 0xE7FEE7FEu)); /* b . ; b . */
	CHECK_OK(swdd_probe_write_core_reg(e->p, 15, PS_SRAM));
	CHECK_OK(swdd_probe_write_core_reg(e->p, 16, 0x01000000u)); /* xPSR.T */
	for (unsigned r = 0; r < 4; r++)
		CHECK_OK(swdd_probe_write_core_reg(e->p, r, 0x5A5A0000u + r));
	a = ps_trips(e);
	CHECK_OK(swdd_probe_read_core_regs(e->p, sel, 8, plain));
	b = ps_trips(e);
	CHECK_OK(swdd_probe_read_core_regs_halted(e->p, sel, 8, fast));
	c = ps_trips(e);
	CHECK(memcmp(plain, fast, sizeof(plain)) == 0);
	CHECK_EQ(fast[2], 0x5A5A0002u);
	CHECK_EQ(fast[4], PS_SRAM);
	CHECK(c - b <= b - a);
	CHECK_OK(swdd_probe_write32(e->p, PS_DHCSR, 0xA05F0001u)); /* run */
	rc = swdd_probe_read_core_regs(e->p, sel, 8, plain);
	CHECK(!ps_halt(e->p));
	CHECK_EQ(rc, SWDD_ENOTHALTED);
	return 0;
}

/* NRST low then high: the core went through reset (DHCSR.S_RESET_ST,
 * ARMv7-M C1.6.2, sticky until read). */
static int ps_nrst(struct probe_suite_env *e)
{
	uint32_t v = 0;

	CHECK_OK(swdd_probe_read32(e->p, PS_DHCSR, &v)); /* clears a stale S_RESET_ST */
	CHECK_OK(swdd_probe_nrst(e->p, true));
	CHECK_OK(swdd_probe_nrst(e->p, false));
	CHECK_OK(swdd_probe_read32(e->p, PS_DHCSR, &v));
	CHECK(v & PS_DHCSR_S_RESET_ST);
	return 0;
}

static int ps_clock(struct probe_suite_env *e)
{
	unsigned got = 0;
	uint32_t v = 0;

	CHECK_OK(swdd_probe_set_speed(e->p, 1000, &got));
	CHECK(got > 0 && got <= 1000);
	CHECK_OK(swdd_probe_read32(e->p, 0xE000ED00u, &v));
	CHECK_EQ(v, 0x410FC241u);
	CHECK_OK(swdd_probe_set_speed(e->p, 4000, &got));
	CHECK(got > 1000 && got <= 4000);
	CHECK_EQ(swdd_probe_set_speed(e->p, 0, &got), SWDD_EINVAL);
	return 0;
}

/* Raw DP/AP registers (ADIv5.2 B2.2, C2.6.7). */
static int ps_dap_raw(struct probe_suite_env *e)
{
	uint32_t v = 0;

	CHECK_OK(swdd_probe_dap_read(e->p, SWDD_PROBE_DP, 0x0, &v));
	CHECK_EQ(v, PS_F407_DPIDR);
	CHECK_OK(swdd_probe_dap_read(e->p, SWDD_PROBE_DP, 0x4, &v));
	CHECK_EQ(v & 0xF0000000u, 0xF0000000u); /* both power-up ACKs */
	CHECK_OK(swdd_probe_dap_read(e->p, 0, 0xFC, &v));
	CHECK_EQ(v, PS_F4_AHB_AP_IDR);
	CHECK_EQ(swdd_probe_dap_read(e->p, 300, 0xFC, &v), SWDD_EINVAL);
	/* Memory still works after the raw accesses moved SELECT. */
	CHECK_OK(swdd_probe_read32(e->p, 0xE000ED00u, &v));
	CHECK_EQ(v, 0x410FC241u);
	return 0;
}

static int ps_queue(struct probe_suite_env *e)
{
	uint32_t got[32] = { 0 };

	for (uint32_t i = 0; i < 32; i++)
		CHECK_OK(swdd_probe_queue_write32(e->p, PS_SRAM + 0x800u + 4 * i, 0xC0DE0000u + i));
	for (uint32_t i = 0; i < 32; i++)
		CHECK_OK(swdd_probe_queue_read32(e->p, PS_SRAM + 0x800u + 4 * (31 - i), &got[i]));
	CHECK_OK(swdd_probe_flush(e->p));
	for (uint32_t i = 0; i < 32; i++)
		CHECK_EQ(got[i], 0xC0DE0000u + 31 - i);
	/* Ascending words (one block read where the probe can) mixed with a
	 * write and a lone read. */
	uint32_t up[20] = { 0 }, lone = 0;
	for (uint32_t i = 0; i < 20; i++)
		CHECK_OK(swdd_probe_queue_read32(e->p, PS_SRAM + 0x800u + 4 * i, &up[i]));
	CHECK_OK(swdd_probe_queue_write32(e->p, PS_SRAM + 0x800u, 0xFEEDu));
	CHECK_OK(swdd_probe_queue_read32(e->p, PS_SRAM + 0x800u, &lone));
	CHECK_OK(swdd_probe_flush(e->p));
	for (uint32_t i = 0; i < 20; i++)
		CHECK_EQ(up[i], 0xC0DE0000u + i);
	CHECK_EQ(lone, 0xFEEDu);
	CHECK_OK(swdd_probe_flush(e->p)); /* empty queue */
	return 0;
}

/* A fault inside the queue is sticky: queueing still succeeds, the flush
 * returns SWDD_EFAULT and names the failing entry. */
static int ps_queue_fault(struct probe_suite_env *e)
{
	uint32_t a = 0, b = 0;

	CHECK_OK(swdd_probe_queue_write32(e->p, PS_SRAM + 0x900u, 0x1234u));
	CHECK_OK(swdd_probe_queue_read32(e->p, 0x60000000u, &a));
	CHECK_OK(swdd_probe_queue_read32(e->p, PS_SRAM + 0x900u, &b));
	CHECK_EQ(swdd_probe_flush(e->p), SWDD_EFAULT);
	CHECK_STR_CONTAINS(swdd_err_detail(), "0x60000000");
	/* The probe recovered: the next access works. */
	CHECK_OK(swdd_probe_read32(e->p, PS_SRAM + 0x900u, &b));
	CHECK_EQ(b, 0x1234u);
	return 0;
}

/* Unmapped address (FSMC bank 1, off on reset; RM0090 2.3): a fault with
 * the address, and the session goes on. */
static int ps_fault_unmapped(struct probe_suite_env *e)
{
	uint8_t buf[16];
	uint32_t v = 0;

	CHECK_EQ(swdd_probe_read_mem(e->p, 0x60000010u, buf, 16), SWDD_EFAULT);
	CHECK_STR_CONTAINS(swdd_err_detail(), "0x60000010");
	CHECK_EQ(swdd_probe_write32(e->p, 0x60000000u, 1), SWDD_EFAULT);
	/* The fault is named at the first unmapped word, not the block start:
	 * 0x50000000-0x50060FFF is USB OTG FS, then nothing. */
	CHECK_EQ(swdd_probe_read_mem(e->p, 0x50060FF0u, buf, 16), 0);
	uint8_t big[64];
	CHECK_EQ(swdd_probe_read_mem(e->p, 0x50060FF0u, big, 64), SWDD_EFAULT);
	CHECK_STR_CONTAINS(swdd_err_detail(), "0x50061000");
	/* Inside one TAR block: the probe must name the word (ST-LINK through
	 * GETLASTRWSTATUS2, CMSIS-DAP through the transfer count). The lab's
	 * OTP area ends at 0x1FFF7C00. */
	CHECK_EQ(swdd_probe_read_mem(e->p, 0x1FFF7BF0u, big, 64), SWDD_EFAULT);
	CHECK_STR_CONTAINS(swdd_err_detail(), "0x1fff7c00");
	memset(big, 0, sizeof(big));
	CHECK_EQ(swdd_probe_write_mem(e->p, 0x50060FF0u, big, 64), SWDD_EFAULT);
	CHECK_STR_CONTAINS(swdd_err_detail(), "0x50061000");
	CHECK_OK(swdd_probe_read32(e->p, 0xE000ED00u, &v));
	CHECK_EQ(v, 0x410FC241u);
	return 0;
}

/* Detach leaves debug mode; a second attach works from there. */
static int ps_detach_reattach(struct probe_suite_env *e)
{
	uint32_t dpidr = 0, v = 0;

	CHECK_OK(swdd_probe_detach(e->p));
	CHECK_OK(swdd_probe_attach(e->p, &dpidr));
	CHECK_EQ(dpidr, PS_F407_DPIDR);
	CHECK_OK(swdd_probe_read32(e->p, 0xE000ED00u, &v));
	CHECK_EQ(v, 0x410FC241u);
	return 0;
}

static int ps_stats(struct probe_suite_env *e)
{
	struct swdd_probe_stats a, b;
	uint32_t v;

	swdd_probe_get_stats(e->p, &a);
	CHECK_OK(swdd_probe_read32(e->p, PS_SRAM, &v));
	swdd_probe_get_stats(e->p, &b);
	CHECK(b.usb_round_trips > a.usb_round_trips);
	CHECK(b.usb_transfers >= a.usb_transfers + 2);
	CHECK(b.bytes_in > a.bytes_in && b.bytes_out > a.bytes_out);
	return 0;
}

static const struct probe_suite_case probe_suite_cases[] = {
	{ "attach_ids", "ADIv5.2 B2.2.5; ARMv7-M B4.1.2", ps_attach_ids },
	{ "mem_all_alignments", "ADIv5.2 C2.2.4; docs/STLINK-PROTOCOL.md §6", ps_mem_all_alignments },
	{ "mem_forced_widths", "ADIv5.2 C2.6.1 CSW.Size", ps_mem_forced_widths },
	{ "mem_large", "ADIv5.2 C2.2.2 TAR wrap; docs/STLINK-PROTOCOL.md §6", ps_mem_large },
	{ "core_regs", "ARMv7-M C1.6.3 DCRSR", ps_core_regs },
	{ "core_regs_halted", "ARMv7-M C1.6.3 DCRSR; docs/STLINK-PROTOCOL.md §3 READALLREGS",
	  ps_core_regs_halted },
	{ "nrst", "ARMv7-M C1.6.2 S_RESET_ST; RM0090 7.1.2", ps_nrst },
	{ "clock", "docs/STLINK-PROTOCOL.md §7; CMSIS-DAP DAP_SWJ_Clock", ps_clock },
	{ "dap_raw", "ADIv5.2 B2.2, C2.6.7", ps_dap_raw },
	{ "queue", "STYLE 7", ps_queue },
	{ "queue_fault", "STYLE 7; ADIv5.2 B2.2.1", ps_queue_fault },
	{ "fault_unmapped", "ADIv5.2 B4.2.4 FAULT", ps_fault_unmapped },
	{ "detach_reattach", "docs/STLINK-PROTOCOL.md §3 DEBUG_EXIT; 2.2 DAP_Disconnect",
	  ps_detach_reattach },
	{ "stats", "probe.h", ps_stats },
};
#define PROBE_SUITE_N (sizeof(probe_suite_cases) / sizeof(probe_suite_cases[0]))

/* Attaches and halts; the fixture every case above assumes. */
static int probe_suite_prepare(struct probe_suite_env *e)
{
	unsigned khz;
	int rc = swdd_probe_set_speed(e->p, 4000, &khz);

	if (!rc)
		rc = swdd_probe_attach(e->p, &e->dpidr);
	if (!rc)
		rc = ps_halt(e->p) ? SWDD_ENOTHALTED : 0;
	return rc;
}

/* Runs every case on an opened probe; prints harness lines prefixed with
 * label. Returns the number of failures. */
int probe_suite_run_on(struct swdd_probe *p, const char *label)
{
	struct probe_suite_env e = { .p = p };
	int failed = 0, rc = probe_suite_prepare(&e);

	if (rc) {
		printf("FAIL %s/attach: %s: %s\n", label, swdd_strerror(rc), swdd_err_detail());
		return 1;
	}
	for (size_t i = 0; i < PROBE_SUITE_N; i++) {
		test_fail_msg[0] = '\0';
		rc = probe_suite_cases[i].fn(&e);
		if (rc)
			failed++;
		printf("%s %s/%s%s%s\n", rc ? "FAIL" : "PASS", label, probe_suite_cases[i].name,
		       rc ? ": " : "", rc ? test_fail_msg : "");
	}
	return failed;
}
