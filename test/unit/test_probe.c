/*
 * Probe layer tests: the driver suite (test/probe_suite.c) and the lab's
 * fault cases, each over every emulated probe kind through the in-process
 * transport. Rows are (probe kind x case); names are "<kind>/<case>".
 *
 * With SWDD_TEST_PROBE_USB=<serial>|auto in the environment, the suite
 * instead runs on that USB probe (e.g. an emulated one under swdd-lab):
 * the same code paths over the libusb/hidapi transports.
 */
#include "probe_suite.c"

#include "probe_ids.h"
#include "transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim_probe.h"

static uint64_t probe_test_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct fixture {
	sim_chip *chip;
	sim_probe *sp;
	struct swdd_probe *p;
	enum sim_probe_kind kind;
	struct probe_suite_env e;
};

static void fx_close(struct fixture *f)
{
	swdd_probe_close(f->p);
	sim_probe_free(f->sp);
	sim_chip_free(f->chip);
	memset(f, 0, sizeof(*f));
}

static int fx_open(struct fixture *f, enum sim_probe_kind kind, const struct sim_config *cfg,
		   unsigned fw_jtag)
{
	struct sim_probe_config pc = { .kind = kind, .fw_jtag = fw_jtag };
	char err[256] = "";

	memset(f, 0, sizeof(*f));
	f->kind = kind;
	if (sim_chip_new(cfg, &f->chip, err, sizeof(err)))
		return test_fail_at(__FILE__, __LINE__, "sim_chip_new: %s", err);
	if (sim_probe_new(&pc, f->chip, &f->sp)) {
		fx_close(f);
		return test_fail_at(__FILE__, __LINE__, "sim_probe_new failed");
	}
	if (swdd_probe_open_sim(f->sp, &f->p)) {
		test_fail_at(__FILE__, __LINE__, "open: %s", swdd_err_detail());
		fx_close(f);
		return 1;
	}
	f->e.p = f->p;
	f->e.chip = f->chip;
	return 0;
}

static bool kind_is_stlink(enum sim_probe_kind k)
{
	return k == SIM_PROBE_STLINK_V2 || k == SIM_PROBE_STLINK_V21 || k == SIM_PROBE_STLINK_V3;
}

/* ---- lab-only cases: fault knobs and probe identity ------------------------ */

struct lab_case {
	const char *name, *ref;
	uint32_t faults;
	unsigned wait_storm, fw_jtag;
	bool stlink_only, cmsis_only, attach;
	int (*fn)(struct fixture *f);
};

static int lc_identity(struct fixture *f)
{
	static const char *const kinds[SIM_PROBE_KIND_COUNT] = {
		"ST-LINK/V2", "ST-LINK/V2-1", "STLINK-V3", "CMSIS-DAP v1", "CMSIS-DAP v2",
	};
	const struct swdd_probe_info *i = swdd_probe_get_info(f->p);

	CHECK_STR_CONTAINS(i->kind, kinds[f->kind]);
	CHECK(!strcmp(i->kind, kinds[f->kind]));
	CHECK(!strcmp(i->transport, "sim"));
	CHECK(i->firmware[0]);
	CHECK(i->serial[0]);
	if (kind_is_stlink(f->kind))
		CHECK(i->firmware[0] == 'V' && strchr(i->firmware, 'J'));
	return 0;
}

static int lc_voltage(struct fixture *f)
{
	int mv = 0, rc = swdd_probe_voltage(f->p, &mv);

	if (!kind_is_stlink(f->kind)) {
		CHECK_EQ(rc, SWDD_EUNSUPPORTED);
		return 0;
	}
	CHECK_OK(rc);
	CHECK(mv > 3200 && mv < 3400);
	return 0;
}

static int lc_no_target(struct fixture *f)
{
	uint32_t dpidr;

	CHECK_EQ(swdd_probe_attach(f->p, &dpidr), SWDD_ENOTARGET);
	if (kind_is_stlink(f->kind))
		CHECK_STR_CONTAINS(swdd_err_detail(), "3.");
	return 0;
}

static int lc_unpowered(struct fixture *f)
{
	uint32_t dpidr;
	int rc = swdd_probe_attach(f->p, &dpidr);

	if (kind_is_stlink(f->kind)) {
		CHECK_EQ(rc, SWDD_EUNPOWERED);
		CHECK_STR_CONTAINS(swdd_err_detail(), "0.00 V");
	} else {
		CHECK(rc == SWDD_ENOTARGET || rc == SWDD_EUNPOWERED);
	}
	return 0;
}

/* A few WAITs per AP access: retried transparently. */
static int lc_wait_short(struct fixture *f)
{
	uint8_t data[256], back[256];

	ps_pattern(data, sizeof(data), 5);
	CHECK_OK(swdd_probe_write_mem(f->p, PS_SRAM + 0x200u, data, sizeof(data)));
	CHECK_OK(swdd_probe_read_mem(f->p, PS_SRAM + 0x200u, back, sizeof(back)));
	CHECK(!memcmp(data, back, sizeof(data)));
	return 0;
}

/* WAIT on every AP access for ever: a bounded number of retries, then
 * SWDD_EWAIT naming it, in bounded time (the attach's first AP access). */
static int lc_wait_storm(struct fixture *f)
{
	uint64_t t0 = probe_test_now_ms();
	uint32_t dpidr;

	CHECK_EQ(swdd_probe_attach(f->p, &dpidr), SWDD_EWAIT);
	CHECK_STR_CONTAINS(swdd_err_detail(), "WAIT");
	CHECK(probe_test_now_ms() - t0 < 5000);
	return 0;
}

static int lc_unplug(struct fixture *f)
{
	uint8_t buf[64];
	uint32_t v;

	CHECK_OK(swdd_probe_read_mem(f->p, PS_SRAM, buf, sizeof(buf)));
	sim_probe_unplug(f->sp);
	CHECK_EQ(swdd_probe_read_mem(f->p, PS_SRAM, buf, sizeof(buf)), SWDD_ENODEV);
	CHECK_STR_CONTAINS(swdd_err_detail(), "unplugged");
	CHECK_EQ(swdd_probe_read32(f->p, PS_SRAM, &v), SWDD_ENODEV);
	CHECK_EQ(swdd_probe_nrst(f->p, true), SWDD_ENODEV);
	return 0;
}

static int lc_unplug_before_attach(struct fixture *f)
{
	uint32_t dpidr;

	sim_probe_unplug(f->sp);
	CHECK_EQ(swdd_probe_attach(f->p, &dpidr), SWDD_ENODEV);
	return 0;
}

/* Firmware V2J25: no 16-bit memory commands (J26), the rest works. */
static int lc_old_firmware(struct fixture *f)
{
	uint8_t b[8];

	CHECK_STR_CONTAINS(swdd_probe_get_info(f->p)->firmware, "J25");
	CHECK_EQ(swdd_probe_read_mem_width(f->p, PS_SRAM, b, 8, 2), SWDD_EUNSUPPORTED);
	CHECK_STR_CONTAINS(swdd_err_detail(), "J26");
	CHECK_OK(swdd_probe_read_mem(f->p, PS_SRAM + 1, b, 7));
	return 0;
}

/* CMSIS-DAP: several commands in flight (DAP_Info packet count): fewer
 * host round trips than commands for a 16 KiB read. */
static int lc_pipelining(struct fixture *f)
{
	struct sim_probe_stats a, b;
	struct swdd_probe_stats pa, pb;
	static uint8_t buf[16384];

	sim_probe_get_stats(f->sp, &a);
	swdd_probe_get_stats(f->p, &pa);
	CHECK_OK(swdd_probe_read_mem(f->p, PS_SRAM, buf, sizeof(buf)));
	sim_probe_get_stats(f->sp, &b);
	swdd_probe_get_stats(f->p, &pb);
	CHECK(b.commands - a.commands >= 8);
	CHECK(pb.usb_round_trips - pa.usb_round_trips < b.commands - a.commands);
	return 0;
}

static const struct lab_case lab_cases[] = {
	{ .name = "identity",
	  .ref = "docs/STLINK-PROTOCOL.md §1, §5; CMSIS-DAP USB configuration",
	  .fn = lc_identity },
	{ .name = "voltage", .ref = "docs/STLINK-PROTOCOL.md §3 GET_TARGET_VOLTAGE", .fn = lc_voltage },
	{ .name = "no_target",
	  .ref = "ADIv5.2 B4.2.3 no ACK",
	  .faults = SIM_FAULT_NO_TARGET,
	  .fn = lc_no_target },
	{ .name = "unpowered",
	  .ref = "docs/STLINK-PROTOCOL.md §3",
	  .faults = SIM_FAULT_UNPOWERED,
	  .fn = lc_unpowered },
	{ .name = "wait_short",
	  .ref = "ADIv5.2 B4.2.4 WAIT",
	  .faults = SIM_FAULT_WAIT_STORM,
	  .wait_storm = 3,
	  .attach = true,
	  .fn = lc_wait_short },
	{ .name = "wait_storm",
	  .ref = "ADIv5.2 B4.2.4 WAIT",
	  .faults = SIM_FAULT_WAIT_STORM,
	  .wait_storm = 1000000,
	  .fn = lc_wait_storm },
	{ .name = "unplug", .ref = "transport.h", .attach = true, .fn = lc_unplug },
	{ .name = "unplug_before_attach", .ref = "transport.h", .fn = lc_unplug_before_attach },
	{ .name = "pipelining",
	  .ref = "CMSIS-DAP DAP_Info packet count",
	  .attach = true,
	  .cmsis_only = true,
	  .fn = lc_pipelining },
	{ .name = "old_firmware",
	  .ref = "docs/STLINK-PROTOCOL.md §5",
	  .fw_jtag = 25,
	  .stlink_only = true,
	  .attach = true,
	  .fn = lc_old_firmware },
};

static int run_lab_case(enum sim_probe_kind kind, const struct lab_case *lc)
{
	struct sim_config cfg = { .faults = lc->faults, .wait_storm = lc->wait_storm };
	struct fixture f;
	int rc;

	if (lc->stlink_only && !kind_is_stlink(kind))
		return test_skip_reason("ST-LINK firmware versions only");
	if (lc->cmsis_only && kind_is_stlink(kind))
		return test_skip_reason("ST-LINK firmware runs one command at a time");
	if (kind == SIM_PROBE_STLINK_V3 && lc->fw_jtag)
		return test_skip_reason("V3 firmware numbers differ (J1 has every feature gated here)");
	rc = fx_open(&f, kind, &cfg, lc->fw_jtag);
	if (rc)
		return rc;
	if (lc->attach && probe_suite_prepare(&f.e)) {
		rc = test_fail_at(__FILE__, __LINE__, "attach: %s", swdd_err_detail());
		fx_close(&f);
		return rc;
	}
	rc = lc->fn(&f);
	fx_close(&f);
	return rc;
}

static int run_suite_case(enum sim_probe_kind kind, const struct probe_suite_case *sc)
{
	struct sim_config cfg = { 0 };
	struct fixture f;
	int rc = fx_open(&f, kind, &cfg, 0);

	if (rc)
		return rc;
	rc = probe_suite_prepare(&f.e);
	if (rc)
		rc = test_fail_at(__FILE__, __LINE__, "attach: %s: %s", swdd_strerror(rc), swdd_err_detail());
	else
		rc = sc->fn(&f.e);
	fx_close(&f);
	return rc;
}

/* ---- kind-independent rows: transport wrapper, identification, rules ------- */

/* A transport that times out a given number of times, then answers. */
struct fake_tr {
	struct probe_transport base;
	int timeouts_left, clear_halts, writes, reads;
};

static int fake_write(struct probe_transport *t, const uint8_t *b, size_t n, unsigned ms)
{
	struct fake_tr *f = (struct fake_tr *)t;

	(void)b, (void)n, (void)ms;
	f->writes++;
	return f->timeouts_left-- > 0 ? SWDD_ETIMEOUT : 0;
}

static int fake_read(struct probe_transport *t, uint8_t *b, size_t cap, size_t *got, unsigned ms)
{
	struct fake_tr *f = (struct fake_tr *)t;

	(void)ms;
	f->reads++;
	if (f->timeouts_left-- > 0)
		return SWDD_ETIMEOUT;
	memset(b, 0x80, cap);
	*got = cap;
	return 0;
}

static int fake_clear_halt(struct probe_transport *t, bool out)
{
	(void)out;
	((struct fake_tr *)t)->clear_halts++;
	return 0;
}

static const struct probe_transport_ops fake_ops = {
	.write = fake_write,
	.read = fake_read,
	.clear_halt = fake_clear_halt,
	.close = NULL,
};

/* Timeout/STALL: clear the halt, retry once; a second one is SWDD_EIO
 * with the sentence and the firmware version (issue "Probe layer"). */
static int t_transport_retry(void)
{
	static const struct {
		int timeouts;
		bool read;
		int rc, clears, calls;
	} rows[] = {
		{ 0, false, 0, 0, 1 }, { 1, false, 0, 1, 2 }, { 2, false, SWDD_EIO, 1, 2 },
		{ 0, true, 0, 0, 1 },  { 1, true, 0, 1, 2 },  { 5, true, SWDD_EIO, 1, 2 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct fake_tr f = { .base = { .ops = &fake_ops,
					       .name = "fake",
					       .fw_version = "V2J37S7",
					       .label = "ST-LINK/V2 serial 0669FF" },
				     .timeouts_left = rows[i].timeouts };
		uint8_t buf[4] = { 0 };
		size_t got = 0;
		int rc =
			rows[i].read ? probe_tr_read(&f.base, buf, 4, &got) : probe_tr_write(&f.base, buf, 4);

		CHECK_EQ(rc, rows[i].rc);
		CHECK_EQ(f.clear_halts, rows[i].clears);
		CHECK_EQ(rows[i].read ? f.reads : f.writes, rows[i].calls);
		if (rc) {
			CHECK_STR_CONTAINS(swdd_err_detail(),
					   "USB time-out: the probe ST-LINK/V2 serial 0669FF");
			CHECK_STR_CONTAINS(swdd_err_detail(), "within 1000 ms");
			CHECK_STR_CONTAINS(swdd_err_detail(), "V2J37S7");
			CHECK_STR_CONTAINS(swdd_err_detail(), "cable");
		}
	}
	return 0;
}

/* The driver decision: ST-LINK by VID:PID, CMSIS-DAP by strings
 * (docs/STLINK-PROTOCOL.md §1; CMSIS-DAP documentation, "Configure USB peripheral"). */
static int t_identify(void)
{
	static const struct {
		uint16_t vid, pid;
		const char *product, *iface;
		bool hid;
		enum probe_family fam;
		const char *kind;
	} rows[] = {
		{ 0x0483, 0x3748, "STM32 STLink", "ST Link", false, PROBE_FAMILY_STLINK, "ST-LINK/V2" },
		{ 0x0483, 0x374B, "STM32 STLink", "ST-Link Debug", false, PROBE_FAMILY_STLINK,
		  "ST-LINK/V2-1" },
		{ 0x0483, 0x374F, "STLINK-V3", "ST-Link Debug", false, PROBE_FAMILY_STLINK, "STLINK-V3" },
		{ 0x0D28, 0x0204, "DAPLink CMSIS-DAP", "CMSIS-DAP", true, PROBE_FAMILY_CMSIS_DAP,
		  "CMSIS-DAP v1" },
		{ 0x0D28, 0x0204, "DAPLink CMSIS-DAP", "CMSIS-DAP v2", false, PROBE_FAMILY_CMSIS_DAP,
		  "CMSIS-DAP v2" },
		{ 0x1234, 0x5678, "My CMSIS-DAP", "", true, PROBE_FAMILY_CMSIS_DAP, "CMSIS-DAP v1" },
		{ 0x1234, 0x5678, "Some HID keyboard", "", true, PROBE_FAMILY_NONE, "" },
		{ 0x1234, 0x5678, "CMSIS-DAP", "CDC data", false, PROBE_FAMILY_NONE, "" },
		{ 0x0483, 0x5740, "STM32 Virtual COM", "", false, PROBE_FAMILY_NONE, "" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char kind[32] = "";
		enum probe_family f = probe_identify(rows[i].vid, rows[i].pid, rows[i].product, rows[i].iface,
						     rows[i].hid, kind, sizeof(kind));
		CHECK_EQ(f, rows[i].fam);
		CHECK(!strcmp(kind, rows[i].kind));
	}
	return 0;
}

/* Every probe in the table has a udev rule (contrib/60-swdd.rules). */
static int t_udev_rules(void)
{
	FILE *fp = fopen("contrib/60-swdd.rules", "r");
	static char text[16384];
	size_t n;

	if (!fp)
		return test_skip_reason("contrib/60-swdd.rules not found (run from the source tree)");
	n = fread(text, 1, sizeof(text) - 1, fp);
	fclose(fp);
	text[n] = '\0';
	for (size_t i = 0; i < probe_ids_count; i++) {
		char rule[96];
		snprintf(rule, sizeof(rule), "ATTRS{idVendor}==\"%04x\", ATTRS{idProduct}==\"%04x\"",
			 probe_ids[i].vid, probe_ids[i].pid);
		CHECK_STR_CONTAINS(text, rule);
	}
	CHECK_STR_CONTAINS(text, "uaccess");
	CHECK_STR_CONTAINS(text, "plugdev");
	/* issue 14: the STLINK-V3 loader, and every product named CMSIS-DAP */
	CHECK_STR_CONTAINS(text, "ATTRS{idVendor}==\"0483\", ATTRS{idProduct}==\"374d\"");
	CHECK_STR_CONTAINS(text, "ATTRS{product}==\"*CMSIS-DAP*\", MODE=\"0660\", GROUP=\"plugdev\", "
				 "TAG+=\"uaccess\"");
	return 0;
}

/* Without a USB probe, opening says so and lists nothing; a bad driver
 * name is refused. */
static int t_open_no_usb(void)
{
	struct swdd_probe *p = NULL;
	int rc = swdd_probe_open("auto", NULL, &p);

	CHECK_EQ(swdd_probe_open("jlink", NULL, &p), SWDD_EINVAL);
	if (rc == 0) {
		swdd_probe_close(p);
		return test_skip_reason("a real probe is plugged in");
	}
	CHECK(rc == SWDD_ENODEV || rc == SWDD_EBUSY || rc == SWDD_EACCES || rc == SWDD_EIO);
	if (rc == SWDD_ENODEV)
		CHECK_STR_CONTAINS(swdd_err_detail(), "probe");
	return 0;
}

static const struct test_case common_cases[] = {
	{ "transport_retry", "USB 2.0 9.4.5; issue Probe layer", t_transport_retry },
	{ "identify", "docs/STLINK-PROTOCOL.md §1; CMSIS-DAP USB configuration", t_identify },
	{ "udev_rules", "contrib/60-swdd.rules", t_udev_rules },
	{ "open_no_usb", "probe.h swdd_probe_open", t_open_no_usb },
};

/* ---- runner: (kind x case), harness output format ---------------------------- */

static int report(const char *kind, const char *name, const char *ref, int rc)
{
	if (rc == 0)
		printf("PASS test_probe/%s/%s\n", kind, name);
	else if (rc == TEST_SKIP)
		printf("SKIP test_probe/%s/%s: %s\n", kind, name, test_skip_msg);
	else
		printf("FAIL test_probe/%s/%s: %s [%s]\n", kind, name, test_fail_msg, ref);
	return rc && rc != TEST_SKIP;
}

static bool selected(const char *filter, const char *kind, const char *name)
{
	char full[128];

	snprintf(full, sizeof(full), "%s/%s", kind, name);
	return !filter || strstr(full, filter);
}

static int run_usb(const char *serial)
{
	struct swdd_probe *p;
	int failed, rc = swdd_probe_open("auto", strcmp(serial, "auto") ? serial : NULL, &p);

	if (rc) {
		printf("FAIL test_probe/usb/open: %s: %s\n", swdd_strerror(rc), swdd_err_detail());
		return 1;
	}
	char label[96];
	snprintf(label, sizeof(label), "test_probe/%s/%s", swdd_probe_get_info(p)->kind,
		 swdd_probe_get_info(p)->transport);
	for (char *c = label + strlen("test_probe/"); *c; c++)
		if (*c == ' ' || (*c == '/' && strchr(c + 1, '/')))
			*c = '-'; /* "CMSIS-DAP v1/hidapi" -> "CMSIS-DAP-v1/hidapi" */
	failed = probe_suite_run_on(p, label);
	swdd_probe_close(p);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL, *usb = getenv("SWDD_TEST_PROBE_USB");
	int failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (usb && *usb)
		return run_usb(usb);
	for (size_t i = 0; i < sizeof(common_cases) / sizeof(common_cases[0]); i++) {
		if (!selected(filter, "common", common_cases[i].name))
			continue;
		test_fail_msg[0] = test_skip_msg[0] = '\0';
		failed += report("common", common_cases[i].name, common_cases[i].ref, common_cases[i].fn());
	}
	for (int k = 0; k < SIM_PROBE_KIND_COUNT; k++) {
		const char *kn = sim_probe_kind_name((enum sim_probe_kind)k);

		for (size_t i = 0; i < PROBE_SUITE_N; i++) {
			const struct probe_suite_case *sc = &probe_suite_cases[i];
			if (!selected(filter, kn, sc->name))
				continue;
			test_fail_msg[0] = test_skip_msg[0] = '\0';
			failed += report(kn, sc->name, sc->ref, run_suite_case((enum sim_probe_kind)k, sc));
		}
		for (size_t i = 0; i < sizeof(lab_cases) / sizeof(lab_cases[0]); i++) {
			const struct lab_case *lc = &lab_cases[i];
			if (!selected(filter, kn, lc->name))
				continue;
			test_fail_msg[0] = test_skip_msg[0] = '\0';
			failed += report(kn, lc->name, lc->ref, run_lab_case((enum sim_probe_kind)k, lc));
		}
	}
	return failed ? 1 : 0;
}
