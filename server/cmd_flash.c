/*
 * `swdd flash FILE` and `swdd erase`; see cmd_flash.h. The probe and the
 * lab come from app_setup.c exactly as for the GDB server; the flash work is
 * flash/flash.h's. Each step that can fail has its own exit status, so a
 * script can tell a missing probe from a bad file from a verify mismatch.
 */
#include "cmd_flash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app_setup.h"
#include "cmd_flash_out.h"
#include "flash.h"
#include "fw_check.h"
#include "image.h"
#include "probe.h"
#include "swdd_err.h"
#include "swdd_log.h"
#include "target.h"

#define CMD_FLASH_BASE 0x08000000u

struct cmd_run {
	const struct cli_opts *o;
	struct app a;
	bool probe_open;
	struct swdd_flash *f;
	struct swdd_image img;      /* the whole file */
	enum swdd_image_format fmt; /* what it was read as */
	struct swdd_image flash;    /* views into img: segments in flash */
	struct swdd_image ram;      /* ... and in SRAM (written, never flashed) */
	struct swdd_flash_result res;
	struct sim_chip_stats lab0;
	uint64_t lab_ns0;
	double wall0;
	int exit_code;
	char *error;
	char *warning; /* success, with something the user must know */
};

static double cmd_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Records the first failure: its exit status and its sentence. */
static int cmd_fail(struct cmd_run *r, int code, int rc)
{
	char buf[1024];

	if (r->exit_code)
		return rc;
	if (rc == SWDD_EVERIFY)
		code = CMD_EXIT_VERIFY;
	const char *what = swdd_strerror(rc), *detail = swdd_err_detail();
	/* "verify failed: verify failed at ..." says it twice */
	if (!strncmp(detail, what, strlen(what)))
		what = "";
	snprintf(buf, sizeof(buf), "%s%s%s", what, *what && *detail ? ": " : "", detail);
	r->error = strdup(buf);
	r->exit_code = code;
	return rc;
}

/* Engine errors: out-of-range data is the file's fault; a link lost
 * mid-operation is the probe's (USB time-out, unplugged) or the target's
 * (no answer, no supply), whatever step it interrupted; the rest the
 * flash's. */
static int cmd_flash_code(int rc)
{
	switch (rc) {
	case SWDD_ERANGE:
		return CMD_EXIT_INPUT;
	case SWDD_EIO:
	case SWDD_ENODEV:
	case SWDD_EACCES:
	case SWDD_EBUSY:
		return CMD_EXIT_PROBE;
	case SWDD_ENOTARGET:
	case SWDD_EUNPOWERED:
		return CMD_EXIT_TARGET;
	default:
		return CMD_EXIT_FLASH;
	}
}

static int cmd_open(struct cmd_run *r)
{
	int rc = app_open_probe(&r->a, r->o);

	if (rc)
		return cmd_fail(r, CMD_EXIT_PROBE, rc);
	r->probe_open = true;
	if (r->a.lab.chip) {
		sim_chip_get_stats(r->a.lab.chip, &r->lab0);
		r->lab_ns0 = sim_chip_now_ns(r->a.lab.chip);
	}
	rc = app_connect(&r->a, false, &r->a.target);
	if (rc)
		return cmd_fail(r, CMD_EXIT_TARGET, rc);
	rc = swdd_flash_open(r->a.target, r->o->flash_algo, &r->f);
	return rc ? cmd_fail(r, CMD_EXIT_FLASH, rc) : 0;
}

/* Nothing is written before this passes. */
static int cmd_split(struct cmd_run *r)
{
	int rc = fw_split(&r->img, swdd_target_chip(r->a.target), r->o->image, &r->flash, &r->ram);

	return rc ? cmd_fail(r, CMD_EXIT_INPUT, rc) : 0;
}

/* Read before the probe is opened, so that a bad file is reported as
 * such whatever the probe's state. Raw binaries default to 0x08000000,
 * where every STM32 maps its main flash (RM0090 2.3.1). */
static int cmd_load_file(struct cmd_run *r)
{
	uint32_t addr = r->o->image_addr_set ? r->o->image_addr : CMD_FLASH_BASE;
	int rc = swdd_image_load_as(r->o->image, r->o->image_fmt, addr, &r->img, &r->fmt);

	if (rc)
		return cmd_fail(r, CMD_EXIT_INPUT, rc);
	rc = fw_check_address_option(r->o->image, r->fmt, r->o->image_addr_set);
	return rc ? cmd_fail(r, CMD_EXIT_USAGE, rc) : 0;
}

/* Once the chip is known: a raw binary at the start of its flash must
 * look like a vector table, unless --force. */
static int cmd_check_firmware(struct cmd_run *r)
{
	int rc = fw_check_vectors(&r->img, r->fmt, swdd_target_chip(r->a.target));

	if (!rc)
		return 0;
	if (r->o->force) {
		swdd_warn("%s; writing it anyway (--force)", swdd_err_detail());
		return 0;
	}
	swdd_err_add(rc, "nothing was written (--force writes it anyway)");
	return cmd_fail(r, CMD_EXIT_INPUT, rc);
}

/* SRAM segments (code or data a RAM-linked program expects preloaded) are
 * written as GDB's `load` writes them; only after flash succeeded. */
static int cmd_write_ram(struct cmd_run *r)
{
	for (size_t i = 0; i < r->ram.n; i++) {
		const struct swdd_segment *s = &r->ram.seg[i];
		int rc = swdd_target_mem_write(r->a.target, s->addr, s->data, s->len);
		if (rc)
			return cmd_fail(r, CMD_EXIT_TARGET,
					swdd_err_add(rc, "writing SRAM at 0x%08X", s->addr));
		swdd_info("%u bytes written to SRAM at 0x%08X", s->len, s->addr);
	}
	return 0;
}

static int cmd_program(struct cmd_run *r)
{
	struct cmd_progress prog;
	struct swdd_flash_opts fo = {
		.keep_unwritten = !r->o->erase_unwritten,
		.verify_only = r->o->verify_only,
		.reset_follows = !r->o->verify_only && !r->o->no_reset, /* cmd_finish_target */
		.progress = cmd_progress_cb,
		.progress_ctx = &prog,
	};
	int rc = 0;

	cmd_progress_init(&prog);
	if (r->flash.n)
		rc = swdd_flash_write_image(r->f, &r->flash, &fo, &r->res);
	cmd_progress_end(&prog);
	if (rc)
		return cmd_fail(r, cmd_flash_code(rc), rc);
	swdd_info("%s: %llu bytes in %u sectors: %u erased, %u unchanged (skipped), %llu bytes "
		  "programmed, %s",
		  r->o->image, (unsigned long long)r->res.bytes, r->res.sectors_touched,
		  r->res.sectors_erased, r->res.sectors_skipped, (unsigned long long)r->res.bytes_programmed,
		  r->o->verify_only ? "flash matches the file" : "verified");
	return r->o->verify_only ? 0 : cmd_write_ram(r);
}

/* The reset-and-run after a verified write. Firmware that turns SWD off
 * soon after it starts (the connect had to hold NRST low) takes the debug
 * port away before the debug registers are given back: that is what this
 * firmware does, the image was verified and the chip runs it, so it is a
 * success with a warning. Any other failure keeps exit status 4. */
static int cmd_run_failed(struct cmd_run *r, int rc)
{
	char buf[768];

	if (!fw_swd_lost_after_run(rc, swdd_target_connected_mode(r->a.target)))
		return cmd_fail(r, CMD_EXIT_TARGET, rc);
	snprintf(buf, sizeof(buf),
		 "after reset the firmware disabled SWD again (swdd could connect "
		 "only under reset; then: %s: %s): the chip runs the new image; use --connect "
		 "under-reset to debug it",
		 swdd_strerror(rc), swdd_err_detail());
	swdd_warn("%s", buf);
	r->warning = strdup(buf);
	return 0;
}

/* After a write the chip runs the new program, like `program ... reset`;
 * otherwise (verify-only, --no-reset) it is left as detach leaves it. */
static int cmd_finish_target(struct cmd_run *r, bool reset)
{
	int rc = 0;

	if (reset)
		rc = swdd_target_reset(r->a.target, SWDD_RESET_AUTO, false);
	if (rc)
		return cmd_run_failed(r, rc);
	if (!reset && r->o->no_reset)
		return 0; /* stays halted: app_close frees without resuming */
	rc = swdd_target_detach(r->a.target);
	if (rc && reset)
		return cmd_run_failed(r, rc);
	return rc ? cmd_fail(r, CMD_EXIT_TARGET, rc) : 0;
}

static void cmd_report(struct cmd_run *r)
{
	struct cmd_summary s = {
		.file = r->o->image,
		.res = &r->res,
		.wall_seconds = cmd_wall() - r->wall0,
		.modelled_seconds = -1,
		.exit_code = r->exit_code,
		.error = r->error,
		.warning = r->warning,
		.probe = r->probe_open ? swdd_probe_get_info(r->a.probe) : NULL,
		.chip = r->a.target ? swdd_target_chip(r->a.target) : NULL,
	};

	if (r->error)
		fprintf(stderr, "swdd: error: %s\n", r->error);
	if (r->a.lab.chip) {
		struct sim_chip_stats st;
		sim_chip_get_stats(r->a.lab.chip, &st);
		s.modelled_seconds = (double)(sim_chip_now_ns(r->a.lab.chip) - r->lab_ns0) / 1e9;
		s.lab_stats = true;
		s.lab_sector_erases = st.sector_erases - r->lab0.sector_erases;
		s.lab_mass_erases = st.mass_erases - r->lab0.mass_erases;
		s.lab_program_ops = st.program_ops - r->lab0.program_ops;
	}
	if (r->o->json)
		cmd_print_json(&s);
}

static int cmd_close(struct cmd_run *r)
{
	int code = r->exit_code;

	swdd_flash_close(r->f);
	if (r->probe_open)
		app_close(&r->a);
	free(r->flash.seg);
	free(r->ram.seg);
	swdd_image_free(&r->img);
	free(r->error);
	free(r->warning);
	return code;
}

static void cmd_init(struct cmd_run *r, const struct cli_opts *o)
{
	memset(r, 0, sizeof(*r));
	r->o = o;
	r->wall0 = cmd_wall();
}

int cmd_flash_main(const struct cli_opts *o)
{
	struct cmd_run r;
	int rc;

	cmd_init(&r, o);
	rc = cmd_load_file(&r);
	if (!rc)
		rc = cmd_open(&r);
	if (!rc)
		rc = cmd_split(&r);
	if (!rc)
		rc = cmd_check_firmware(&r);
	if (!rc)
		rc = cmd_program(&r);
	if (!rc)
		cmd_finish_target(&r, !o->verify_only && !o->no_reset);
	cmd_report(&r);
	return cmd_close(&r);
}

/* `swdd erase`: a mass erase, or with --unlock the RDP 1 -> 0 regression
 * (RM0090 3.7.3), which the chip pairs with a mass erase. */
int cmd_erase_main(const struct cli_opts *o)
{
	struct cmd_run r;
	int rc;

	cmd_init(&r, o);
	rc = cmd_open(&r);
	if (!rc) {
		rc = o->unlock ? swdd_flash_unlock(r.f) : swdd_flash_mass_erase(r.f);
		if (rc)
			cmd_fail(&r, CMD_EXIT_FLASH, rc);
		else
			swdd_info("%s", o->unlock ? "RDP level 0 set; the flash was mass-erased"
						  : "flash mass-erased and checked blank");
	}
	if (!rc)
		cmd_finish_target(&r, false);
	cmd_report(&r);
	return cmd_close(&r);
}
