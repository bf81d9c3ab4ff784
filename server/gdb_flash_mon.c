/*
 * Flash monitor commands: erase, flash info|banks|erase_sector|algo,
 * program FILE [verify] [reset], rdp, unlock CONFIRM (option and bank-swap:
 * cmd_option.c). The work is
 * flash/flash.h's, through the session gdb_flash.c keeps per target.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flash.h"
#include "fw_check.h"
#include "gdb_flash.h"
#include "gdb_server.h"
#include "image.h"
#include "monitor.h"
#include "swdd_err.h"
#include "swdd_file.h"
#include "swdd_log.h"

/* `program` reads at most this much of a host file. */
#define MON_MAX_HOST_FILE (16u << 20)

static int mon_flash_session(struct gdb_server *s, struct swdd_flash **f)
{
	return gdb_flash_get(s, f);
}

/* Runs a text report and prints it. */
static int mon_print_report(struct gdb_server *s, int (*report)(struct swdd_flash *f, char **text))
{
	struct swdd_flash *f;
	char *text = NULL;
	int rc = mon_flash_session(s, &f);

	if (!rc)
		rc = report(f, &text);
	if (!rc)
		monitor_printf(s, "%s", text);
	free(text);
	return rc;
}

/* The one place a GDB client's words name a host file (`program FILE`,
 * `flash algo FILE`). Nothing authenticates a client, so it may name only
 * what the operator allowed when starting swdd: the --flash-algo file, or
 * files under --allow-files DIR (after resolving symbolic links and "..").
 * The file is then read by swdd_file_read(): regular files only, opened
 * non-blocking, so a FIFO or device never stalls the server. Returns 0
 * and the resolved path in resolved (PATH_MAX bytes), or SWDD_E*. */
static int mon_host_file(struct gdb_server *s, const char *path, char *resolved)
{
	const char *dir = s->flash.allow_dir, *algo = s->flash.cli_algo;
	size_t n = dir ? strlen(dir) : 0;

	if (!realpath(path, resolved))
		return swdd_err_set(SWDD_EINVAL, "cannot open %s: %s", path, strerror(errno));
	if (algo && !strcmp(resolved, algo))
		return 0;
	if (dir && !strncmp(resolved, dir, n) && (resolved[n] == '/' || !strcmp(dir, "/")))
		return 0;
	return swdd_err_set(SWDD_EACCES,
			    "%s is not a file swdd lets GDB clients open: start swdd "
			    "with --allow-files DIR to allow the files under DIR%s%s",
			    path, dir ? " (now: " : "", dir ? dir : "");
}

static int mon_read_host_file(struct gdb_server *s, const char *path, uint8_t **buf, size_t *len)
{
	char resolved[PATH_MAX];
	int rc = mon_host_file(s, path, resolved);

	return rc ? rc : swdd_file_read(resolved, MON_MAX_HOST_FILE, "image", buf, len);
}

static int mon_erase(struct gdb_server *s, int argc, char **argv)
{
	struct swdd_flash *f;
	int rc = mon_flash_session(s, &f);

	(void)argc, (void)argv;
	if (!rc)
		rc = swdd_flash_mass_erase(f);
	if (!rc)
		monitor_printf(s, "flash mass-erased and checked blank\n");
	return rc;
}

static int mon_flash_erase_sector(struct gdb_server *s, int argc, char **argv)
{
	unsigned long long first, last;
	struct swdd_flash *f;
	int rc;

	if (argc < 3 || argc > 4)
		return swdd_err_set(SWDD_EINVAL, "usage: flash erase_sector FIRST [LAST]");
	rc = monitor_number(argv[2], 0xFFFF, "FIRST (a sector number)", &first);
	last = first;
	if (!rc && argc == 4)
		rc = monitor_number(argv[3], 0xFFFF, "LAST (a sector number)", &last);
	if (!rc)
		rc = mon_flash_session(s, &f);
	if (!rc)
		rc = swdd_flash_erase_sectors(f, (unsigned)first, (unsigned)last);
	if (!rc)
		monitor_printf(s, "erased sectors %llu..%llu\n", first, last);
	return rc;
}

static int mon_flash_algo(struct gdb_server *s, int argc, char **argv)
{
	char resolved[PATH_MAX];
	struct swdd_flash *f;
	int rc;

	if (argc != 3)
		return swdd_err_set(SWDD_EINVAL, "usage: flash algo FILE");
	rc = mon_host_file(s, argv[2], resolved);
	if (!rc)
		rc = mon_flash_session(s, &f);
	if (!rc)
		rc = swdd_flash_set_algo(f, resolved);
	if (!rc)
		rc = gdb_flash_set_algo_path(s, resolved);
	if (!rc)
		monitor_printf(s, "flash algorithm: %s\n", argv[2]);
	return rc;
}

/* OpenOCD's `flash banks`: one line per bank. */
static int mon_flash_banks(struct gdb_server *s, int argc, char **argv)
{
	const struct swdd_chip_info *c = swdd_target_chip(s->target);
	const char *algo = gdb_flash_algo_path(s);

	(void)argv;
	if (argc != 2)
		return swdd_err_set(SWDD_EINVAL, "usage: flash banks");
	monitor_printf(s, "#0 : %s main flash at 0x%08x, size 0x%08x (%u KiB), algorithm %s\n", c->name,
		       c->flash_base, c->flash_size, c->flash_size / 1024, algo ? algo : "built-in");
	return 0;
}

static int mon_flash_info(struct gdb_server *s, int argc, char **argv)
{
	if (argc != 2)
		return swdd_err_set(SWDD_EINVAL, "usage: flash info");
	(void)argv;
	return mon_print_report(s, swdd_flash_info_text);
}

static const struct {
	const char *word;
	int (*fn)(struct gdb_server *s, int argc, char **argv);
} mon_flash_subs[] = {
	{ "info", mon_flash_info },
	{ "banks", mon_flash_banks },
	{ "erase_sector", mon_flash_erase_sector },
	{ "algo", mon_flash_algo },
};

static int mon_flash(struct gdb_server *s, int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(mon_flash_subs) / sizeof(mon_flash_subs[0]); i++)
		if (!strcmp(argv[1], mon_flash_subs[i].word))
			return mon_flash_subs[i].fn(s, argc, argv);
	return swdd_err_set(SWDD_EINVAL,
			    "unknown flash subcommand '%s' (info, banks, "
			    "erase_sector, algo)",
			    argv[1]);
}

static int mon_program_words(int argc, char **argv, bool *reset)
{
	*reset = false;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "reset"))
			*reset = true;
		else if (strcmp(argv[i], "verify"))
			return swdd_err_set(SWDD_EINVAL,
					    "program takes verify and reset after FILE, not "
					    "'%s'",
					    argv[i]);
	}
	return 0;
}

static int mon_write_ram(struct gdb_server *s, const struct swdd_image *ram)
{
	for (size_t i = 0; i < ram->n; i++) {
		int rc =
			swdd_target_mem_write(s->target, ram->seg[i].addr, ram->seg[i].data, ram->seg[i].len);
		if (rc)
			return swdd_err_add(rc, "writing SRAM at 0x%08X", ram->seg[i].addr);
	}
	return 0;
}

/* The checks and the compare-erase-program-verify engine of `swdd flash`
 * and of GDB's load (flash/flash.h swdd_flash_write_image). */
static int mon_program_image(struct gdb_server *s, const struct swdd_image *img, enum swdd_image_format fmt,
			     const char *path)
{
	const struct swdd_chip_info *c = swdd_target_chip(s->target);
	struct swdd_flash_opts fo = { .keep_unwritten = true };
	struct swdd_image flash = { 0 }, ram = { 0 };
	struct swdd_flash_result r;
	struct swdd_flash *f;
	int rc = fw_check_vectors(img, fmt, c);

	if (rc)
		swdd_err_add(rc, "nothing was written (`swdd flash --force` writes it anyway)");
	if (!rc)
		rc = fw_split(img, c, path, &flash, &ram);
	/* `program` takes the chip itself, as OpenOCD's does (its `reset
	 * init`): after `program ... reset` the core runs, and the engine
	 * programs only a halted core (docs/FLASH.md). */
	if (!rc && !swdd_target_is_halted(s->target))
		rc = swdd_target_halt(s->target);
	if (!rc)
		rc = mon_flash_session(s, &f);
	if (!rc && flash.n)
		rc = swdd_flash_write_image(f, &flash, &fo, &r);
	if (!rc)
		rc = mon_write_ram(s, &ram);
	if (!rc && flash.n)
		monitor_printf(s,
			       "%s: %llu bytes in %u sectors: %u erased, %u unchanged (skipped), "
			       "%llu bytes programmed, verified\n",
			       path, (unsigned long long)r.bytes, r.sectors_touched, r.sectors_erased,
			       r.sectors_skipped, (unsigned long long)r.bytes_programmed);
	free(flash.seg);
	free(ram.seg);
	return rc;
}

/* program FILE [verify] [reset]: OpenOCD's name; swdd always verifies. */
static int mon_program(struct gdb_server *s, int argc, char **argv)
{
	struct swdd_image img;
	enum swdd_image_format fmt = SWDD_IMAGE_AUTO;
	uint8_t *buf = NULL;
	size_t len = 0;
	bool reset;
	int rc = mon_program_words(argc, argv, &reset);

	if (!rc)
		rc = mon_read_host_file(s, argv[1], &buf, &len);
	if (!rc)
		rc = swdd_image_parse_as(buf, len, argv[1], SWDD_IMAGE_AUTO,
					 swdd_target_chip(s->target)->flash_base, &img, &fmt);
	free(buf);
	if (rc)
		return rc;
	rc = mon_program_image(s, &img, fmt, argv[1]);
	swdd_image_free(&img);
	if (!rc && reset)
		rc = swdd_target_reset(s->target, SWDD_RESET_AUTO, false);
	if (!rc && reset)
		monitor_printf(s, "reset; target running (GDB still shows the old state)\n");
	return rc;
}

static int mon_rdp(struct gdb_server *s, int argc, char **argv)
{
	struct swdd_flash *f;
	int level = -1, rc = mon_flash_session(s, &f);

	(void)argc, (void)argv;
	if (!rc)
		rc = swdd_flash_rdp_level(f, &level);
	if (!rc)
		monitor_printf(s, "RDP level %d%s\n", level,
			       level == 0   ? " (no protection)"
			       : level == 1 ? " (flash read-protected; `monitor unlock CONFIRM` "
					      "returns to level 0 and mass-erases)"
					    : " (permanent: debug access to flash is disabled)");
	return rc;
}

static int mon_unlock(struct gdb_server *s, int argc, char **argv)
{
	struct swdd_flash *f;
	int rc;

	(void)argc;
	if (strcmp(argv[1], "CONFIRM"))
		return swdd_err_set(SWDD_EINVAL, "`unlock CONFIRM` sets RDP level 0, which "
						 "MASS-ERASES the flash; type CONFIRM to proceed");
	rc = mon_flash_session(s, &f);
	if (!rc)
		rc = swdd_flash_unlock(f);
	if (!rc)
		monitor_printf(s, "RDP level 0 set; the flash was mass-erased. Reset the chip "
				  "(monitor reset halt) before programming\n");
	return rc;
}

const struct monitor_cmd gdb_flash_monitor_cmds[] = {
	{ "erase", mon_erase, "erase", "mass-erase the flash", 0, 0 },
	{ "flash", mon_flash, "flash info|banks|erase_sector FIRST [LAST]|algo FILE",
	  "flash layout, banks, sector erase, choose a CMSIS-Pack .FLM algorithm", 1, 3 },
	{ "program", mon_program, "program FILE [verify] [reset]",
	  "erase what differs, program and verify FILE (ELF, HEX, .bin) from the host running swdd; "
	  "reset: then run it",
	  1, 3 },
	{ "rdp", mon_rdp, "rdp", "show the read-protection level (it changes only by unlock)", 0, 0 },
	{ "unlock", mon_unlock, "unlock CONFIRM", "RDP level 1 -> 0 (mass-erases the flash)", 1, 1 },
};
const size_t gdb_flash_monitor_count = sizeof(gdb_flash_monitor_cmds) / sizeof(gdb_flash_monitor_cmds[0]);
