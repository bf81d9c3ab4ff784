/*
 * `swdd reset`, `swdd read FILE` and `swdd info`; see cmd_target.h. The
 * probe and chip come from app.c as for the GDB server; connecting halts
 * the core (or with --connect attach leaves it running), and the verb
 * ends by handing the chip back as `detach` does, unless --halt asks to
 * leave it stopped.
 */
#include "cmd_target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_setup.h"
#include "cmd_flash.h"
#include "json_out.h"
#include "probe.h"
#include "swdd_err.h"
#include "swdd_log.h"
#include "target.h"

#define CMD_READ_CHUNK 4096u

int cmd_target_fail(struct cmd_target_run *r, int code, int rc)
{
	char msg[1200];

	snprintf(msg, sizeof(msg), "%s%s%s", swdd_strerror(rc), *swdd_err_detail() ? ": " : "",
		 swdd_err_detail());
	fprintf(stderr, "swdd: error: %s\n", msg);
	if (r->o->json) {
		struct json_out j;
		json_begin(&j, stdout);
		json_str(&j, "result", "error");
		json_int(&j, "exit_code", code);
		json_str(&j, "error", msg);
		json_end(&j);
	}
	r->exit_code = code;
	return code;
}

int cmd_target_open(struct cmd_target_run *r, const struct cli_opts *o)
{
	int rc;

	memset(r, 0, sizeof(*r));
	r->o = o;
	rc = app_open_probe(&r->a, o);
	if (rc)
		return cmd_target_fail(r, CMD_EXIT_PROBE, rc);
	r->open = true;
	rc = app_connect(&r->a, false, &r->a.target);
	return rc ? cmd_target_fail(r, CMD_EXIT_TARGET, rc) : 0;
}

int cmd_target_close(struct cmd_target_run *r, bool halted)
{
	int rc = 0;

	if (r->a.target && !halted && !r->exit_code)
		rc = swdd_target_detach(r->a.target);
	if (rc)
		cmd_target_fail(r, CMD_EXIT_TARGET, rc);
	if (r->open)
		app_close(&r->a);
	return r->exit_code;
}

/* ---- swdd reset ---------------------------------------------------------- */

static const char *cmd_reset_word(enum swdd_reset_method m)
{
	static const char *const w[] = { [SWDD_RESET_AUTO] = "auto",
					 [SWDD_RESET_HW] = "hw",
					 [SWDD_RESET_SYS] = "sys",
					 [SWDD_RESET_CORE] = "core" };
	return w[m];
}

int cmd_reset_main(const struct cli_opts *o)
{
	struct cmd_target_run r;
	int rc = cmd_target_open(&r, o);

	if (rc)
		return cmd_target_close(&r, false);
	rc = swdd_target_reset(r.a.target, o->connect.reset, o->halt);
	if (rc) {
		cmd_target_fail(&r, CMD_EXIT_TARGET, rc);
	} else if (o->json) {
		struct json_out j;
		json_begin(&j, stdout);
		json_str(&j, "result", "ok");
		json_str(&j, "method", cmd_reset_word(o->connect.reset));
		json_bool(&j, "halted", o->halt);
		json_int(&j, "exit_code", 0);
		json_end(&j);
	} else {
		printf("reset (%s); core %s\n", cmd_reset_word(o->connect.reset),
		       o->halt ? "halted at the reset vector" : "running");
	}
	return cmd_target_close(&r, o->halt);
}

/* ---- swdd read FILE -------------------------------------------------------- */

static int cmd_ihex_record(FILE *f, uint8_t type, uint16_t off, const uint8_t *d, size_t n)
{
	unsigned sum = (unsigned)n + (off >> 8) + (off & 0xFFu) + type;

	fprintf(f, ":%02X%04X%02X", (unsigned)n, off, type);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%02X", d[i]);
		sum += d[i];
	}
	fprintf(f, "%02X\n", (0x100u - (sum & 0xFFu)) & 0xFFu);
	return ferror(f) ? SWDD_EIO : 0;
}

int cmd_write_ihex(FILE *f, uint32_t addr, const uint8_t *data, size_t len)
{
	uint32_t upper = 0xFFFFFFFFu;
	size_t i = 0;
	int rc = 0;

	while (i < len && !rc) {
		uint32_t a = addr + (uint32_t)i;
		size_t n = len - i < 16 ? len - i : 16;
		if (n > 0x10000u - (a & 0xFFFFu)) /* a record never crosses 64 KiB */
			n = 0x10000u - (a & 0xFFFFu);
		if (a >> 16 != upper) {
			uint8_t ela[2] = { (uint8_t)(a >> 24), (uint8_t)(a >> 16) };
			upper = a >> 16;
			rc = cmd_ihex_record(f, 0x04, 0, ela, 2);
		}
		if (!rc)
			rc = cmd_ihex_record(f, 0x00, (uint16_t)(a & 0xFFFFu), data + i, n);
		i += n;
	}
	return rc ? rc : cmd_ihex_record(f, 0x01, 0, NULL, 0);
}

static bool cmd_is_hex_name(const char *path)
{
	size_t n = strlen(path);

	return n > 4 && (!strcasecmp(path + n - 4, ".hex") || (n > 5 && !strcasecmp(path + n - 5, ".ihex")));
}

static int cmd_read_check(const struct cli_opts *o)
{
	if (!o->image_addr_set || !o->read_size_set)
		return swdd_err_set(SWDD_EINVAL, "swdd read needs --address A (or --base-address) "
						 "and --size N");
	if ((uint64_t)o->image_addr + o->read_size > 0x100000000ull)
		return swdd_err_set(SWDD_EINVAL,
				    "--address 0x%08X --size %u runs past the end of "
				    "the 4 GiB address space",
				    o->image_addr, o->read_size);
	return 0;
}

/* The whole range is read before the file is created, so a failed read
 * leaves no partial dump behind. */
static int cmd_read_mem(struct cmd_target_run *r, uint8_t *buf)
{
	const struct cli_opts *o = r->o;

	for (uint32_t done = 0; done < o->read_size;) {
		uint32_t n = o->read_size - done < CMD_READ_CHUNK ? o->read_size - done : CMD_READ_CHUNK;
		int rc = swdd_target_mem_read(r->a.target, o->image_addr + done, buf + done, n);
		if (rc)
			return swdd_err_add(rc, "reading 0x%08X", o->image_addr + done);
		done += n;
	}
	return 0;
}

static int cmd_read_save(const struct cli_opts *o, const uint8_t *buf, bool hex)
{
	FILE *f = fopen(o->image, "wb");
	int rc;

	if (!f)
		return swdd_err_set(SWDD_EIO,
				    "cannot create %s: %m (check the directory and its "
				    "permissions)",
				    o->image);
	rc = hex ? cmd_write_ihex(f, o->image_addr, buf, o->read_size)
		 : (fwrite(buf, 1, o->read_size, f) == o->read_size ? 0 : SWDD_EIO);
	if (fclose(f) != 0 || rc) {
		remove(o->image);
		return swdd_err_set(SWDD_EIO, "writing %s failed (disk full?); it was removed", o->image);
	}
	return 0;
}

static void cmd_read_report(const struct cli_opts *o, bool hex)
{
	if (!o->json) {
		printf("%u bytes from 0x%08X written to %s (%s)\n", o->read_size, o->image_addr, o->image,
		       hex ? "Intel HEX" : "binary");
		return;
	}
	struct json_out j;
	char addr[16];

	snprintf(addr, sizeof(addr), "0x%08X", o->image_addr);
	json_begin(&j, stdout);
	json_str(&j, "result", "ok");
	json_str(&j, "file", o->image);
	json_str(&j, "format", hex ? "hex" : "bin");
	json_str(&j, "address", addr);
	json_int(&j, "size", o->read_size);
	json_int(&j, "exit_code", 0);
	json_end(&j);
}

int cmd_read_main(const struct cli_opts *o)
{
	struct cmd_target_run r = { .o = o };
	bool hex = o->image_fmt == SWDD_IMAGE_HEX ||
		   (o->image_fmt == SWDD_IMAGE_AUTO && cmd_is_hex_name(o->image));
	uint8_t *buf;
	int rc = cmd_read_check(o);

	if (rc)
		return cmd_target_fail(&r, CMD_EXIT_USAGE, rc);
	buf = malloc(o->read_size);
	if (!buf)
		return cmd_target_fail(&r, CMD_EXIT_USAGE,
				       swdd_err_set(SWDD_ENOMEM,
						    "--size %u: "
						    "not enough memory",
						    o->read_size));
	rc = cmd_target_open(&r, o);
	if (!rc && (rc = cmd_read_mem(&r, buf)) != 0)
		cmd_target_fail(&r, CMD_EXIT_TARGET, rc);
	else if (!rc && (rc = cmd_read_save(o, buf, hex)) != 0)
		cmd_target_fail(&r, CMD_EXIT_INPUT, rc);
	else if (!rc)
		cmd_read_report(o, hex);
	free(buf);
	return cmd_target_close(&r, false);
}

/* ---- swdd info ------------------------------------------------------------- */

static void cmd_info_text(const struct swdd_probe_info *pi, const struct swdd_chip_info *c)
{
	printf("probe:      %s, serial %s, firmware %s\n", pi->kind, pi->serial, pi->firmware);
	if (c->voltage_mv >= 0)
		printf("voltage:    %d.%02d V\n", c->voltage_mv / 1000, (c->voltage_mv % 1000) / 10);
	else
		printf("voltage:    unknown (the probe cannot measure it)\n");
	printf("DPIDR:      0x%08X\n", c->dpidr);
	printf("chip:       %s, %s%s\n", c->name, c->core, c->has_fpu ? " with FPU" : "");
	printf("IDCODE:     0x%08X (DEV_ID 0x%03X, revision %s)\n", c->dbgmcu_idcode, c->dev_id, c->revision);
	printf("flash:      %u KiB at 0x%08X\n", c->flash_size / 1024, c->flash_base);
	printf("RDP level:  %d\n", c->rdp_level);
	printf("unique ID:  %s\n", c->unique_id[0] ? c->unique_id : "unknown");
}

static void cmd_info_json(const struct swdd_probe_info *pi, const struct swdd_chip_info *c)
{
	struct json_out j;
	char hex[3][16];

	snprintf(hex[0], sizeof(hex[0]), "0x%08X", c->dpidr);
	snprintf(hex[1], sizeof(hex[1]), "0x%08X", c->dbgmcu_idcode);
	snprintf(hex[2], sizeof(hex[2]), "0x%08X", c->flash_base);
	json_begin(&j, stdout);
	json_str(&j, "result", "ok");
	json_open(&j, "probe", '{');
	json_str(&j, "kind", pi->kind);
	json_str(&j, "serial", pi->serial);
	json_str(&j, "firmware", pi->firmware);
	json_close(&j, '}');
	if (c->voltage_mv >= 0)
		json_int(&j, "voltage_mv", c->voltage_mv);
	else
		json_null(&j, "voltage_mv");
	json_str(&j, "dpidr", hex[0]);
	json_str(&j, "chip", c->name);
	json_str(&j, "core", c->core);
	json_str(&j, "idcode", hex[1]);
	json_int(&j, "dev_id", c->dev_id);
	json_str(&j, "revision", c->revision);
	json_str(&j, "flash_base", hex[2]);
	json_int(&j, "flash_size", c->flash_size);
	json_int(&j, "rdp_level", c->rdp_level);
	json_str(&j, "unique_id", c->unique_id[0] ? c->unique_id : NULL);
	json_int(&j, "exit_code", 0);
	json_end(&j);
}

int cmd_info_main(const struct cli_opts *o)
{
	struct cmd_target_run r;

	if (cmd_target_open(&r, o))
		return cmd_target_close(&r, false);
	const struct swdd_probe_info *pi = swdd_probe_get_info(r.a.probe);
	const struct swdd_chip_info *c = swdd_target_chip(r.a.target);
	if (o->json)
		cmd_info_json(pi, c);
	else
		cmd_info_text(pi, c);
	return cmd_target_close(&r, false);
}
