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

static int fx_open(struct fixture *f, enum sim_probe_kind kind, const struct sim_config *cfg, unsigned fw_jtag)
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
	bool stlink_only, attach;
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

static const struct lab_case lab_cases[] = {
	{ .name = "identity", .ref = "REFERENCE 1.1, 1.5, 2.1", .fn = lc_identity },
	{ .name = "voltage", .ref = "REFERENCE 1.3 GET_TARGET_VOLTAGE", .fn = lc_voltage },
	{ .name = "no_target", .ref = "ADIv5.2 B4.2.3 no ACK", .faults = SIM_FAULT_NO_TARGET, .fn = lc_no_target },
	{ .name = "unpowered", .ref = "REFERENCE 1.3", .faults = SIM_FAULT_UNPOWERED, .fn = lc_unpowered },
	{ .name = "wait_short", .ref = "ADIv5.2 B4.2.4 WAIT", .faults = SIM_FAULT_WAIT_STORM, .wait_storm = 3,
	  .attach = true, .fn = lc_wait_short },
	{ .name = "wait_storm", .ref = "ADIv5.2 B4.2.4 WAIT", .faults = SIM_FAULT_WAIT_STORM,
	  .wait_storm = 1000000, .fn = lc_wait_storm },
	{ .name = "unplug", .ref = "transport.h", .attach = true, .fn = lc_unplug },
	{ .name = "unplug_before_attach", .ref = "transport.h", .fn = lc_unplug_before_attach },
	{ .name = "old_firmware", .ref = "REFERENCE 1.5", .fw_jtag = 25, .stlink_only = true, .attach = true,
	  .fn = lc_old_firmware },
};

static int run_lab_case(enum sim_probe_kind kind, const struct lab_case *lc)
{
	struct sim_config cfg = { .faults = lc->faults, .wait_storm = lc->wait_storm };
	struct fixture f;
	int rc;

	if (lc->stlink_only && !kind_is_stlink(kind))
		return test_skip_reason("ST-LINK firmware versions only");
	if (kind != SIM_PROBE_STLINK_V2 && lc->fw_jtag)
		return test_skip_reason("old firmware modelled on ST-LINK/V2 only");
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
