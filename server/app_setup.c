/*
 * Probe choice and chip connection for swdd; see app_setup.h.
 */
#include "app_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdb_flash.h"
#include "probe.h"
#include "swdd_err.h"
#include "swdd_log.h"
#include "target.h"

static int app_open_lab(struct app *a, const struct cli_opts *o)
{
	int rc = inproc_lab_open(o, &a->lab);

	if (rc)
		return rc;
	rc = swdd_probe_open_sim(a->lab.probe, &a->probe);
	if (rc) {
		inproc_lab_close(&a->lab);
		return rc;
	}
	swdd_info("using the lab: emulated %s on a simulated %s%s%s", sim_probe_kind_name(o->sim_probe),
		  o->sim.chip ? o->sim.chip : "stm32f407", o->sim_image ? " with " : "",
		  o->sim_image ? o->sim_image : "");
	return 0;
}

/* "auto": the one probe on USB. The lab is never chosen silently (a
 * flashing station with an unplugged probe must not report success): with
 * no probe the error says what was looked for and how to ask for the lab.
 * Only the probe opened is touched (listing would claim every probe to read
 * its voltage, and take the others' away from production flashing's runs). */
static int app_open_auto(struct app *a, const struct cli_opts *o)
{
	int rc = swdd_probe_open("auto", o->serial, &a->probe);

	if (rc == SWDD_ENODEV)
		swdd_err_add(rc, "looked for ST-LINK/V2, V2-1, V3 and CMSIS-DAP v1 (HID) and v2 "
				 "(bulk) probes on USB; `--probe sim` gives the simulated chip");
	return rc;
}

int app_open_probe(struct app *a, const struct cli_opts *o)
{
	int rc;

	memset(a, 0, sizeof(*a));
	a->opts = o;
	if (strcmp(o->probe, "sim") == 0)
		return app_open_lab(a, o);
	if (strcmp(o->probe, "auto") == 0)
		rc = app_open_auto(a, o);
	else
		rc = swdd_probe_open(o->probe, o->serial, &a->probe);
	if (!rc && !a->lab.chip) {
		const struct swdd_probe_info *pi = swdd_probe_get_info(a->probe);

		swdd_info("using %s, serial %s, firmware %s", pi->kind, pi->serial, pi->firmware);
	}
	return rc;
}

static void app_drop_target(struct app *a)
{
	if (a->server)
		gdb_flash_forget(a->server); /* its session belongs to this target */
	swdd_target_free(a->target);
	a->target = NULL;
}

int app_connect(void *app, bool reattach, struct swdd_target **t)
{
	struct app *a = app;
	struct swdd_connect_opts o = a->opts->connect;
	int rc;

	if (a->target && !reattach) {
		*t = a->target;
		return 0;
	}
	if (a->target) {
		/* The chip kept running since the last client left; do not
		 * reset it, just take it over again. */
		app_drop_target(a);
		o.mode = SWDD_CONNECT_ATTACH;
	}
	*t = NULL;
	rc = swdd_target_connect(a->probe, &o, &a->target);
	if (rc) {
		a->target = NULL;
		return rc;
	}
	const struct swdd_chip_info *c = swdd_target_chip(a->target);
	swdd_info("connected: %s (%s), IDCODE 0x%08x rev %s, %u KiB flash", c->name, c->core,
		  c->dbgmcu_idcode, c->revision, c->flash_size / 1024);
	*t = a->target;
	return 0;
}

int app_connect_under_reset(void *app, struct swdd_target **t)
{
	struct app *a = app;
	struct swdd_connect_opts o = a->opts->connect;
	int rc;

	if (a->target)
		app_drop_target(a);
	o.mode = SWDD_CONNECT_UNDER_RESET;
	o.ladder = false;
	rc = swdd_target_connect(a->probe, &o, &a->target);
	if (rc)
		a->target = NULL;
	*t = a->target;
	return rc;
}

void app_close(struct app *a)
{
	if (a->target)
		app_drop_target(a);
	if (a->probe)
		swdd_probe_close(a->probe);
	inproc_lab_close(&a->lab);
	a->target = NULL;
	a->probe = NULL;
}
