/*
 * GDB flash support: the memory map and qCRC hooks, the vFlash packets
 * (GDB manual, "vFlashErase", "vFlashWrite", "vFlashDone") and the flash
 * monitor commands. The work is done by flash/flash.h; this file only
 * parses packets and reports.
 *
 * One flash session per server (struct gdb_flash_session in gdb_server.h)
 * for its connected target, opened on first use with the algorithm chosen
 * by --flash-algo / `monitor flash algo` (the built-in one by default).
 */
#include "gdb_flash.h"

#include "rsp.h"

#include "flash.h"
#include "gdb_server.h"
#include "monitor.h"
#include "swdd_err.h"
#include "swdd_log.h"

#include <stdlib.h>
#include <string.h>

int gdb_flash_set_algo_path(struct gdb_server *s, const char *path)
{
	char *copy = path ? strdup(path) : NULL;

	if (path && !copy)
		return SWDD_ENOMEM;
	free(s->flash.algo_path);
	s->flash.algo_path = copy;
	return 0;
}

void gdb_flash_forget(struct gdb_server *s)
{
	swdd_flash_close(s->flash.f);
	s->flash.f = NULL;
	s->flash.target = NULL;
}

void gdb_flash_free(struct gdb_server *s)
{
	gdb_flash_forget(s);
	free(s->flash.algo_path);
	s->flash.algo_path = NULL;
}

int gdb_flash_get(struct gdb_server *s, struct swdd_flash **out)
{
	int rc;

	*out = NULL;
	if (!s->target)
		return swdd_err_set(SWDD_ESTATE, "no target is connected");
	if (s->flash.f && s->flash.target == s->target) {
		*out = s->flash.f;
		return 0;
	}
	gdb_flash_forget(s);
	rc = swdd_flash_open(s->target, s->flash.algo_path, &s->flash.f);
	if (rc)
		return rc;
	s->flash.target = s->target;
	*out = s->flash.f;
	return 0;
}

static const char *hook_memory_map(struct gdb_server *s)
{
	struct swdd_flash *f;

	return gdb_flash_get(s, &f) ? NULL : swdd_flash_memory_map(f);
}

static int hook_crc(struct gdb_server *s, uint32_t addr, uint32_t len, uint32_t *crc)
{
	struct swdd_flash *f;
	int rc = gdb_flash_get(s, &f);

	return rc ? rc : swdd_flash_crc(f, addr, len, crc);
}

static const struct gdb_hooks flash_hooks = {
	.memory_map = hook_memory_map,
	.crc = hook_crc,
};

/* vFlashErase:addr,length */
static int pkt_vflash_erase(struct gdb_server *s, const char *pkt, size_t len)
{
	uint64_t addr, n;
	const char *rest;
	struct swdd_flash *f;
	int rc;

	(void)len;
	if (rsp_parse_addr_len(pkt + strlen("vFlashErase:"), &addr, &n, &rest) || *rest ||
	    addr + n > 0x100000000ull)
		return swdd_err_set(SWDD_EINVAL, "malformed vFlashErase packet");
	rc = gdb_flash_get(s, &f);
	if (!rc)
		rc = swdd_flash_gdb_erase(f, (uint32_t)addr, (uint32_t)n);
	return rc ? rc : gdb_send_str(s, "OK");
}

/* vFlashWrite:addr:XX... (binary data, already unescaped) */
static int pkt_vflash_write(struct gdb_server *s, const char *pkt, size_t len)
{
	const char *p = pkt + strlen("vFlashWrite:"), *end;
	uint64_t addr;
	struct swdd_flash *f;
	int rc;

	if (rsp_parse_hex(p, &end, &addr) || *end != ':' || addr > 0xFFFFFFFFull)
		return swdd_err_set(SWDD_EINVAL, "malformed vFlashWrite packet");
	end++;
	size_t n = len - (size_t)(end - pkt);
	rc = gdb_flash_get(s, &f);
	if (!rc)
		rc = swdd_flash_gdb_write(f, (uint32_t)addr, (const uint8_t *)end, (uint32_t)n);
	return rc ? rc : gdb_send_str(s, "OK");
}

static int pkt_vflash_done(struct gdb_server *s, const char *pkt, size_t len)
{
	struct swdd_flash_result r;
	struct swdd_flash *f;
	int rc;

	(void)pkt, (void)len;
	rc = gdb_flash_get(s, &f);
	if (!rc)
		rc = swdd_flash_gdb_done(f, &r);
	if (rc) {
		swdd_error("load failed: %s: %s", swdd_strerror(rc), swdd_err_detail());
		return rc;
	}
	swdd_info("flash: %llu bytes in %u sectors: %u erased, %u unchanged (skipped), "
		  "%llu bytes programmed and verified, %.2f s",
		  (unsigned long long)r.bytes, r.sectors_touched, r.sectors_erased,
		  r.sectors_skipped, (unsigned long long)r.bytes_programmed, r.wall_seconds);
	return gdb_send_str(s, "OK");
}

extern const struct gdb_packet gdb_packets_flash[];
extern const size_t gdb_packets_flash_count;
const struct gdb_packet gdb_packets_flash[] = {
	{ "vFlashErase:", false, pkt_vflash_erase },
	{ "vFlashWrite:", false, pkt_vflash_write },
	{ "vFlashDone", true, pkt_vflash_done },
};
const size_t gdb_packets_flash_count = sizeof(gdb_packets_flash) / sizeof(gdb_packets_flash[0]);

/* ---- monitor commands ------------------------------------------------ */

static int mon_flash_session(struct gdb_server *s, struct swdd_flash **f)
{
	return gdb_flash_get(s, f);
}

/* Runs a text report and prints it. */
static int mon_print_report(struct gdb_server *s, struct swdd_flash *f,
			    int (*report)(struct swdd_flash *f, char **text))
{
	char *text = NULL;
	int rc = report(f, &text);

	if (!rc)
		monitor_printf(s, "%s", text);
	free(text);
	return rc;
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

static int mon_flash_erase_sector(struct gdb_server *s, struct swdd_flash *f, int argc, char **argv)
{
	char *end;
	unsigned long first, last;

	if (argc < 3 || argc > 4)
		return swdd_err_set(SWDD_EINVAL, "usage: flash erase_sector FIRST [LAST]");
	first = strtoul(argv[2], &end, 0);
	if (*end)
		return swdd_err_set(SWDD_EINVAL, "'%s' is not a sector number", argv[2]);
	last = argc == 4 ? strtoul(argv[3], &end, 0) : first;
	if (*end)
		return swdd_err_set(SWDD_EINVAL, "'%s' is not a sector number", argv[3]);
	int rc = swdd_flash_erase_sectors(f, (unsigned)first, (unsigned)last);
	if (!rc)
		monitor_printf(s, "erased sectors %lu..%lu\n", first, last);
	return rc;
}

static int mon_flash(struct gdb_server *s, int argc, char **argv)
{
	struct swdd_flash *f;
	int rc;

	if (argc < 2)
		return swdd_err_set(SWDD_EINVAL, "usage: flash info | erase_sector FIRST [LAST] | "
				    "algo FILE");
	if (!strcmp(argv[1], "algo")) {
		if (argc != 3)
			return swdd_err_set(SWDD_EINVAL, "usage: flash algo FILE");
		rc = mon_flash_session(s, &f);
		if (!rc)
			rc = swdd_flash_set_algo(f, argv[2]);
		if (!rc)
			rc = gdb_flash_set_algo_path(s, argv[2]);
		if (!rc) {
			monitor_printf(s, "flash algorithm: %s\n", argv[2]);
		}
		return rc;
	}
	rc = mon_flash_session(s, &f);
	if (rc)
		return rc;
	if (!strcmp(argv[1], "info"))
		return mon_print_report(s, f, swdd_flash_info_text);
	if (!strcmp(argv[1], "erase_sector"))
		return mon_flash_erase_sector(s, f, argc, argv);
	return swdd_err_set(SWDD_EINVAL, "unknown flash subcommand '%s'", argv[1]);
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
			       level == 0 ? " (no protection)"
			       : level == 1 ? " (flash read-protected; `monitor unlock CONFIRM` "
					      "returns to level 0 and mass-erases)"
					    : " (permanent: debug access to flash is disabled)");
	return rc;
}

static int mon_unlock(struct gdb_server *s, int argc, char **argv)
{
	struct swdd_flash *f;
	int rc;

	if (argc != 2 || strcmp(argv[1], "CONFIRM"))
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

static int mon_option(struct gdb_server *s, int argc, char **argv)
{
	struct swdd_flash *f;
	int rc = mon_flash_session(s, &f);

	(void)argc, (void)argv;
	return rc ? rc : mon_print_report(s, f, swdd_flash_option_text);
}

static const struct monitor_cmd flash_monitor_cmds[] = {
	{ "erase", mon_erase, "erase", "mass-erase the flash" },
	{ "flash", mon_flash, "flash info | erase_sector FIRST [LAST] | algo FILE",
	  "flash layout, sector erase, choose a CMSIS-Pack .FLM algorithm" },
	{ "rdp", mon_rdp, "rdp", "show the read-protection level" },
	{ "unlock", mon_unlock, "unlock CONFIRM", "RDP level 1 -> 0 (mass-erases the flash)" },
	{ "option", mon_option, "option", "show the option bytes" },
};

int gdb_flash_register(struct gdb_server *s)
{
	static bool cmds_registered; /* the monitor's tables are the process's */

	s->hooks = flash_hooks;
	if (cmds_registered)
		return 0;
	cmds_registered = true;
	return monitor_register(flash_monitor_cmds,
				sizeof(flash_monitor_cmds) / sizeof(flash_monitor_cmds[0]));
}
