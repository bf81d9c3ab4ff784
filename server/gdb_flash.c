/*
 * GDB flash support: the memory map and qCRC hooks and the vFlash packets
 * (GDB manual, "vFlashErase", "vFlashWrite", "vFlashDone"); the flash
 * monitor commands are in gdb_flash_mon.c. The work is done by
 * flash/flash.h; this file only parses packets and reports.
 *
 * One flash session per server (struct gdb_flash_session in gdb_server.h)
 * for its connected target, opened on first use with the algorithm chosen
 * by --flash-algo / `monitor flash algo` (the built-in one by default).
 */
#include "gdb_flash.h"

#include "rsp.h"

#include "cmd_option.h"
#include "flash.h"
#include "gdb_server.h"
#include "monitor.h"
#include "swdd_err.h"
#include "swdd_log.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int gdb_flash_set_algo_path(struct gdb_server *s, const char *path)
{
	char *copy = path ? strdup(path) : NULL;

	if (path && !copy)
		return SWDD_ENOMEM;
	free(s->flash.algo_path);
	s->flash.algo_path = copy;
	return 0;
}

/* realpath() of path into a malloc'd string (*out NULL when path is). */
static int gdb_flash_resolve(const char *path, const char *opt, char **out)
{
	*out = NULL;
	if (!path)
		return 0;
	*out = realpath(path, NULL);
	if (!*out)
		return swdd_err_set(SWDD_EINVAL, "%s %s: %s", opt, path, strerror(errno));
	return 0;
}

int gdb_flash_set_host_files(struct gdb_server *s, const char *cli_algo, const char *allow_dir)
{
	struct stat st;
	int rc = gdb_flash_resolve(cli_algo, "--flash-algo", &s->flash.cli_algo);

	if (!rc)
		rc = gdb_flash_resolve(allow_dir, "--allow-files", &s->flash.allow_dir);
	if (!rc && s->flash.allow_dir && (stat(s->flash.allow_dir, &st) || !S_ISDIR(st.st_mode)))
		rc = swdd_err_set(SWDD_EINVAL, "--allow-files %s is not a directory", allow_dir);
	return rc;
}

const char *gdb_flash_algo_path(const struct gdb_server *s)
{
	return s->flash.algo_path;
}

/* A vFlash packet failed. GDB 13 prints only its own sentence ("Error
 * erasing flash with vFlashErase packet", "Error writing data to flash",
 * "Error finishing flash operation") and reads no O packet before the
 * reply, so the reason goes (1) into the E.text reply, for GDBs that
 * print it, and (2) into the log, which GDB's console receives at the
 * next monitor command or resume (docs/SERVER.md "What GDB shows"). */
static int gdb_flash_failed(struct gdb_server *s, const char *what, int rc)
{
	char detail[512];

	snprintf(detail, sizeof(detail), "%s", swdd_err_detail());
	swdd_error("the last `load` failed%s: %s: %s", what, swdd_strerror(rc), detail);
	swdd_err_set(rc, "%s", detail);
	return gdb_send_error_text(s, "E.", rc);
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
	free(s->flash.cli_algo);
	free(s->flash.allow_dir);
	s->flash.algo_path = s->flash.cli_algo = s->flash.allow_dir = NULL;
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
	return rc ? gdb_flash_failed(s, " (vFlashErase)", rc) : gdb_send_str(s, "OK");
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
	return rc ? gdb_flash_failed(s, " (vFlashWrite)", rc) : gdb_send_str(s, "OK");
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
	if (rc)
		return gdb_flash_failed(s, "", rc);
	swdd_info("flash: %llu bytes in %u sectors: %u erased, %u unchanged (skipped), "
		  "%llu bytes programmed and verified, %.2f s",
		  (unsigned long long)r.bytes, r.sectors_touched, r.sectors_erased, r.sectors_skipped,
		  (unsigned long long)r.bytes_programmed, r.wall_seconds);
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

int gdb_flash_register(struct gdb_server *s)
{
	static bool cmds_registered; /* the monitor's tables are the process's */

	s->hooks = flash_hooks;
	if (cmds_registered)
		return 0;
	cmds_registered = true;
	int rc = monitor_register(gdb_flash_monitor_cmds, gdb_flash_monitor_count);

	return rc ? rc : monitor_register(cmd_option_monitor_cmds, cmd_option_monitor_count);
}
