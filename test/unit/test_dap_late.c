/*
 * CMSIS-DAP late replies (v1 HID and v2 bulk), through the in-process lab
 * and the real driver: the host gives up on a reply (the transport times
 * out twice, SWDD_EIO) while the probe still has it queued, as a probe
 * that stalled for longer than the USB time-outs does. The probe answers
 * commands in order (CMSIS-DAP documentation, "Commands"); the late reply
 * must not be taken for the answer to the next command.
 *
 * The stall is a wrapper around the lab transport's ops: it withholds the
 * reply to one chosen command (reads return SWDD_ETIMEOUT without taking
 * it), so the reply comes, late, at the next read.
 */
#include "harness.h"
#include "lab_kinds.h"
#include "probe.h"
#include "probe_internal.h"
#include "sim_probe.h"
#include "swdd_err.h"
#include "swdd_le.h"
#include "swdd_log.h"
#include "target.h"
#include "transport.h"

#include <string.h>

#define SRAM 0x20000000U
#define SCB_MVFR0 0xE000EF40U /* ARMv7-M B3.2.20 (C1.6): read first to detect the FPU */

static const enum sim_probe_kind kinds[] = { SIM_PROBE_CMSIS_DAP_V1, SIM_PROBE_CMSIS_DAP_V2 };
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

/* The stall: armed by a word the command carries (a TAR value), or at once;
 * or, with unplug, the probe leaves the bus instead of taking the command. */
static struct {
	const struct probe_transport_ops *orig;
	struct probe_transport_ops ops;
	sim_probe *sp;
	uint32_t trigger; /* stall the reply to the command holding this word */
	bool armed_now;   /* stall the next reply */
	bool unplug;
	int stall_reads; /* reads that time out per stall (0: 2, the read and its retry) */
	int withheld;    /* reads left to time out */
	unsigned stalls;
} st;

static bool holds_word(const uint8_t *b, size_t len, uint32_t w)
{
	for (size_t i = 0; i + 4 <= len; i++)
		if (swdd_le32(b + i) == w)
			return true;
	return false;
}

static int st_write(struct probe_transport *t, const uint8_t *b, size_t len, unsigned ms)
{
	if (st.armed_now || (st.trigger && holds_word(b, len, st.trigger))) {
		st.withheld = st.stall_reads ? st.stall_reads : 2; /* the read and its one retry */
		st.armed_now = false;
		st.trigger = 0;
		st.stalls++;
		if (st.unplug)
			sim_probe_unplug(st.sp);
	}
	return st.orig->write(t, b, len, ms);
}

static int st_read(struct probe_transport *t, uint8_t *b, size_t cap, size_t *got, unsigned ms)
{
	if (st.withheld > 0) {
		st.withheld--;
		return SWDD_ETIMEOUT;
	}
	return st.orig->read(t, b, cap, got, ms);
}

struct lab {
	sim_chip *chip;
	sim_probe *sp;
	struct swdd_probe *p;
};

static char logbuf[8192];

static void log_sink(void *ctx, enum swdd_log_level lvl, const char *line)
{
	size_t n = strlen(logbuf);

	(void)ctx, (void)lvl;
	snprintf(logbuf + n, sizeof(logbuf) - n, "%s\n", line);
}

static void lab_close(struct lab *l)
{
	swdd_log_set_sink(NULL, NULL);
	swdd_log_set_level(SWDD_LOG_INFO);
	swdd_probe_close(l->p);
	sim_probe_free(l->sp);
	sim_chip_free(l->chip);
	memset(l, 0, sizeof(*l));
}

static int lab_open(struct lab *l, enum sim_probe_kind kind)
{
	struct sim_config cfg = { 0 };
	struct sim_probe_config pc = { .kind = kind };
	char err[256] = "";

	memset(l, 0, sizeof(*l));
	memset(&st, 0, sizeof(st));
	logbuf[0] = '\0';
	if (sim_chip_new(&cfg, &l->chip, err, sizeof(err)))
		return test_fail_at(__FILE__, __LINE__, "sim_chip_new: %s", err);
	if (sim_probe_new(&pc, l->chip, &l->sp) || swdd_probe_open_sim(l->sp, &l->p))
		return test_fail_at(__FILE__, __LINE__, "probe: %s", swdd_err_detail());
	st.sp = l->sp;
	st.orig = l->p->tr->ops;
	st.ops = *st.orig;
	st.ops.write = st_write;
	st.ops.read = st_read;
	l->p->tr->ops = &st.ops;
	swdd_log_set_level(SWDD_LOG_DEBUG);
	swdd_log_set_sink(log_sink, NULL);
	return 0;
}

/* A read whose reply comes late fails with the time-out; the next reads
 * get their own values, not the late one. */
static int late_read(struct lab *l, enum sim_probe_kind kind)
{
	uint32_t dpidr, v = 0;
	uint8_t w[8];

	CHECK_OK(lab_open(l, kind));
	CHECK_OK(swdd_probe_attach(l->p, &dpidr));
	swdd_put_le32(w, 0x11111111U);
	swdd_put_le32(w + 4, 0x22222222U);
	CHECK_OK(swdd_probe_write_mem(l->p, SRAM, w, sizeof(w)));
	st.armed_now = true;
	CHECK_EQ(swdd_probe_read32(l->p, SRAM, &v), SWDD_EIO);
	CHECK_STR_CONTAINS(swdd_err_detail(), "USB time-out");
	CHECK_EQ(st.stalls, 1);
	CHECK_OK(swdd_probe_read32(l->p, SRAM + 4, &v));
	CHECK_EQ(v, 0x22222222U);
	CHECK_OK(swdd_probe_read32(l->p, SRAM, &v));
	CHECK_EQ(v, 0x11111111U);
	CHECK_STR_CONTAINS(logbuf, "back in step after discarding 1 late reply");
	return 0;
}

/* A probe that stops answering for good: the command after the time-out
 * cannot resynchronise and says that the stream is lost. */
static int stream_lost(struct lab *l, enum sim_probe_kind kind)
{
	uint32_t dpidr, v = 0;

	CHECK_OK(lab_open(l, kind));
	CHECK_OK(swdd_probe_attach(l->p, &dpidr));
	st.stall_reads = 1000;
	st.armed_now = true;
	CHECK_EQ(swdd_probe_read32(l->p, SRAM, &v), SWDD_EIO);
	CHECK_EQ(swdd_probe_read32(l->p, SRAM + 4, &v), SWDD_EIO);
	CHECK_STR_CONTAINS(swdd_err_detail(), "no longer match its commands");
	CHECK_STR_CONTAINS(swdd_err_detail(), "replug the probe");
	return 0;
}

/* The probe stalls while the connect detects the FPU: the connect ends
 * with the time-out (no guess of "no FPU", no "unknown part", no walk down
 * the clock ladder or under reset), and a new connect works. */
static int late_in_connect(struct lab *l, enum sim_probe_kind kind)
{
	struct swdd_target *t = NULL;

	CHECK_OK(lab_open(l, kind));
	st.trigger = SCB_MVFR0;
	CHECK_EQ(swdd_target_connect(l->p, NULL, &t), SWDD_EIO);
	CHECK_EQ(st.stalls, 1);
	CHECK_STR_CONTAINS(swdd_err_detail(), "USB time-out");
	CHECK(!strstr(logbuf, "assuming no FPU"));
	CHECK(!strstr(logbuf, "unknown part"));
	CHECK(!strstr(logbuf, "transfers done"));
	CHECK(!strstr(logbuf, "retrying at"));
	CHECK(!strstr(logbuf, "under reset"));
	CHECK_OK(swdd_target_connect(l->p, NULL, &t));
	CHECK_STR_CONTAINS(swdd_target_chip(t)->name, "STM32F40");
	CHECK(swdd_target_chip(t)->has_fpu);
	swdd_target_free(t);
	return 0;
}

static unsigned occurrences(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (const char *s = strstr(hay, needle); s; s = strstr(s + 1, needle))
		n++;
	return n;
}

/* Unplugged while the connect detects the FPU: the connect ends at once
 * with SWDD_ENODEV, without trying lower clocks or under reset. */
static int unplug_in_connect(struct lab *l, enum sim_probe_kind kind)
{
	struct swdd_target *t = NULL;

	CHECK_OK(lab_open(l, kind));
	st.trigger = SCB_MVFR0;
	st.unplug = true;
	CHECK_EQ(swdd_target_connect(l->p, NULL, &t), SWDD_ENODEV);
	CHECK_EQ(st.stalls, 1);
	CHECK_STR_CONTAINS(swdd_err_detail(), "unplugged");
	CHECK_EQ(occurrences(logbuf, "connecting at"), 1);
	CHECK(!strstr(logbuf, "unknown part"));
	CHECK(!strstr(logbuf, "assuming no FPU"));
	return 0;
}

static int t_late_read(void)
{
	FOR_KINDS(late_read);
}

static int t_stream_lost(void)
{
	FOR_KINDS(stream_lost);
}

static int t_late_in_connect(void)
{
	FOR_KINDS(late_in_connect);
}

static int t_unplug_in_connect(void)
{
	FOR_KINDS(unplug_in_connect);
}

static const struct test_case tests[] = {
	{ "late_read", "CMSIS-DAP Commands (reply echoes the command ID, in order)", t_late_read },
	{ "stream_lost", "CMSIS-DAP Commands; probe/transport.h (time-outs)", t_stream_lost },
	{ "late_in_connect", "CMSIS-DAP DAP_Transfer; ARMv7-M B3.2.20", t_late_in_connect },
	{ "unplug_in_connect", "probe/transport.h (device gone: SWDD_ENODEV)", t_unplug_in_connect },
};

TEST_MAIN("test_dap_late", tests)
