/*
 * `swdd chips` and `swdd probes`: listings that need no chip. `chips`
 * walks the STM32 part table (the family descriptors, targets/stm32/), the same rows that
 * identify a connected chip, so the list cannot disagree with what swdd
 * recognises. `probes` is the discovery of probe/probe.h.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cmd_flash.h"
#include "cmd_target.h"
#include "json_out.h"
#include "probe.h"
#include "stm32/family.h"
#include "swdd_err.h"

#define KIB 1024u

/* "4x16K 1x64K 7x128K" */
static void cmd_chips_layout(const struct stm32_part *p, char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->num_runs && len < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%ux%uK", i ? " " : "", p->sectors[i].count,
					p->sectors[i].size / KIB);
}

static void cmd_chips_json_row(struct json_out *j, const struct stm32_part *p)
{
	char hex[3][16];

	snprintf(hex[0], sizeof(hex[0]), "0x%03X", p->dev_id);
	snprintf(hex[1], sizeof(hex[1]), "0x%08X", p->flash_base);
	snprintf(hex[2], sizeof(hex[2]), "0x%08X", p->bank2_base);
	json_open(j, NULL, '{');
	json_str(j, "name", p->name);
	json_str(j, "family", p->family->name);
	json_str(j, "manual", p->family->manual);
	json_str(j, "dev_id", hex[0]);
	json_str(j, "flash_base", hex[1]);
	json_int(j, "max_flash", p->max_flash);
	if (p->bank2_base)
		json_str(j, "bank2_base", hex[2]);
	else
		json_null(j, "bank2_base");
	json_open(j, "rams", '[');
	for (size_t i = 0; i < STM32_MAX_RAMS && p->rams[i].name; i++) {
		char base[16];

		snprintf(base, sizeof(base), "0x%08X", p->rams[i].base);
		json_open(j, NULL, '{');
		json_str(j, "name", p->rams[i].name);
		json_str(j, "base", base);
		json_int(j, "size", p->rams[i].size);
		json_close(j, '}');
	}
	json_close(j, ']');
	json_open(j, "sectors", '[');
	for (size_t i = 0; i < p->num_runs; i++) {
		json_open(j, NULL, '{');
		json_int(j, "count", p->sectors[i].count);
		json_int(j, "size", p->sectors[i].size);
		json_close(j, '}');
	}
	json_close(j, ']');
	json_close(j, '}');
}

int cmd_chips_main(const struct cli_opts *o)
{
	const struct stm32_part *p;
	struct json_out j;
	char layout[128];

	if (o->json) {
		json_begin(&j, stdout);
		json_str(&j, "result", "ok");
		json_open(&j, "chips", '[');
	} else {
		printf("%-24s %-8s %-7s %-6s %-10s %-8s %s\n", "chip", "family", "manual", "DEV_ID", "flash",
		       "banks", "sectors per bank");
	}
	for (size_t i = 0; (p = stm32_part_at(i)) != NULL; i++) {
		if (o->json) {
			cmd_chips_json_row(&j, p);
			continue;
		}
		cmd_chips_layout(p, layout, sizeof(layout));
		printf("%-24s %-8s %-7s 0x%03X  %5u KiB  %-8s %s at 0x%08X\n", p->name, p->family->name,
		       p->family->manual, p->dev_id, p->max_flash / KIB, p->bank2_base ? "2" : "1", layout,
		       p->flash_base);
	}
	if (o->json) {
		json_close(&j, ']');
		json_end(&j);
	}
	return CMD_EXIT_OK;
}

static void cmd_probes_text(const struct swdd_probe_info *list, size_t n)
{
	if (n == 0)
		printf("no debug probe found on USB (swdd --probe sim uses the simulated lab)\n");
	for (size_t i = 0; i < n; i++) {
		char volt[16] = "unknown";

		if (list[i].voltage_mv >= 0)
			snprintf(volt, sizeof(volt), "%d.%02d V", list[i].voltage_mv / 1000,
				 (list[i].voltage_mv % 1000) / 10);
		printf("%-14s serial %-26s firmware %-24s target %s\n", list[i].kind, list[i].serial,
		       list[i].firmware, volt);
	}
}

static void cmd_probes_json(const struct swdd_probe_info *list, size_t n)
{
	struct json_out j;
	char id[16];

	json_begin(&j, stdout);
	json_str(&j, "result", "ok");
	json_open(&j, "probes", '[');
	for (size_t i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%04x:%04x", list[i].vid, list[i].pid);
		json_open(&j, NULL, '{');
		json_str(&j, "kind", list[i].kind);
		json_str(&j, "serial", list[i].serial);
		json_str(&j, "firmware", list[i].firmware);
		json_str(&j, "usb_id", id);
		if (list[i].voltage_mv >= 0)
			json_int(&j, "voltage_mv", list[i].voltage_mv);
		else
			json_null(&j, "voltage_mv");
		json_close(&j, '}');
	}
	json_close(&j, ']');
	json_end(&j);
}

int cmd_probes_main(const struct cli_opts *o)
{
	struct swdd_probe_info *list = NULL;
	size_t n = 0;
	int rc = swdd_probe_list(&list, &n);

	if (rc) {
		fprintf(stderr, "swdd: error: %s: %s\n", swdd_strerror(rc), swdd_err_detail());
		return CMD_EXIT_PROBE;
	}
	if (o->json)
		cmd_probes_json(list, n);
	else
		cmd_probes_text(list, n);
	free(list);
	return CMD_EXIT_OK;
}
