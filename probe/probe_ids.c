/*
 * The probe table (docs/STLINK-PROTOCOL.md §1; CMSIS-DAP documentation, "Configure USB peripheral"; OpenOCD doc/usb_adapters,
 * pyOCD and probe-rs PID lists). contrib/60-swdd.rules lists the same
 * devices; test_probe checks that it does.
 */
#include "probe_ids.h"

#include <stdio.h>
#include <string.h>

const struct probe_id probe_ids[] = {
	{ .vid = 0x0483,
	  .pid = 0x3748,
	  .family = PROBE_FAMILY_STLINK,
	  .kind = "ST-LINK/V2",
	  .name = "ST-LINK/V2" },
	{ .vid = 0x0483,
	  .pid = 0x374A,
	  .family = PROBE_FAMILY_STLINK,
	  .kind = "ST-LINK/V2-1",
	  .name = "ST-LINK/V2-1 (audio)" },
	{ .vid = 0x0483,
	  .pid = 0x374B,
	  .family = PROBE_FAMILY_STLINK,
	  .kind = "ST-LINK/V2-1",
	  .name = "ST-LINK/V2-1" },
	{ .vid = 0x0483,
	  .pid = 0x3752,
	  .family = PROBE_FAMILY_STLINK,
	  .kind = "ST-LINK/V2-1",
	  .name = "ST-LINK/V2-1 (no MSC)" },
	{ .vid = 0x0483,
	  .pid = 0x374E,
	  .family = PROBE_FAMILY_STLINK,
	  .kind = "STLINK-V3",
	  .name = "STLINK-V3E/MINI" },
	{ .vid = 0x0483,
	  .pid = 0x374F,
	  .family = PROBE_FAMILY_STLINK,
	  .kind = "STLINK-V3",
	  .name = "STLINK-V3SET" },
	{ .vid = 0x0483,
	  .pid = 0x3753,
	  .family = PROBE_FAMILY_STLINK,
	  .kind = "STLINK-V3",
	  .name = "STLINK-V3 (2 VCP)" },
	{ .vid = 0x0483,
	  .pid = 0x3754,
	  .family = PROBE_FAMILY_STLINK,
	  .kind = "STLINK-V3",
	  .name = "STLINK-V3 (no MSC)" },
	{ .vid = 0x0483,
	  .pid = 0x3757,
	  .family = PROBE_FAMILY_STLINK,
	  .kind = "STLINK-V3",
	  .name = "STLINK-V3PWR" },
	/* CMSIS-DAP probes: recognised by their strings; listed for udev. */
	{ .vid = 0x0D28, .pid = 0x0204, .family = PROBE_FAMILY_CMSIS_DAP, .name = "Arm DAPLink" },
	{ .vid = 0xC251, .pid = 0x2722, .family = PROBE_FAMILY_CMSIS_DAP, .name = "Keil ULINK2" },
	{ .vid = 0xC251, .pid = 0x2723, .family = PROBE_FAMILY_CMSIS_DAP, .name = "Keil ULINK-ME" },
	{ .vid = 0xC251, .pid = 0x2750, .family = PROBE_FAMILY_CMSIS_DAP, .name = "Keil ULINKplus" },
	{ .vid = 0xC251, .pid = 0xF001, .family = PROBE_FAMILY_CMSIS_DAP, .name = "LPC-Link-II (old)" },
	{ .vid = 0xC251, .pid = 0xF002, .family = PROBE_FAMILY_CMSIS_DAP, .name = "OpenSDA CMSIS-DAP" },
	{ .vid = 0x03EB, .pid = 0x2111, .family = PROBE_FAMILY_CMSIS_DAP, .name = "Atmel EDBG" },
	{ .vid = 0x03EB, .pid = 0x2169, .family = PROBE_FAMILY_CMSIS_DAP, .name = "Atmel EDBG" },
	{ .vid = 0x04B4, .pid = 0xF155, .family = PROBE_FAMILY_CMSIS_DAP, .name = "Cypress KitProg3" },
	{ .vid = 0x1A6A, .pid = 0x2000, .family = PROBE_FAMILY_CMSIS_DAP, .name = "Spansion SK-FM4" },
	{ .vid = 0x2A86, .pid = 0x8011, .family = PROBE_FAMILY_CMSIS_DAP, .name = "WCH-Link" },
	{ .vid = 0x1FC9, .pid = 0x0090, .family = PROBE_FAMILY_CMSIS_DAP, .name = "NXP LPC-Link2" },
	{ .vid = 0x1FC9, .pid = 0x0143, .family = PROBE_FAMILY_CMSIS_DAP, .name = "NXP MCU-Link" },
	{ .vid = 0x2E8A, .pid = 0x000C, .family = PROBE_FAMILY_CMSIS_DAP, .name = "Raspberry Pi Debugprobe" },
};
const size_t probe_ids_count = sizeof(probe_ids) / sizeof(probe_ids[0]);

static bool has_cmsis_dap(const char *s)
{
	return s && strstr(s, "CMSIS-DAP");
}

enum probe_family probe_identify(uint16_t vid, uint16_t pid, const char *product, const char *iface_name,
				 bool hid, char *kind, size_t kind_len)
{
	for (size_t i = 0; i < probe_ids_count; i++) {
		const struct probe_id *id = &probe_ids[i];

		if (id->vid == vid && id->pid == pid && id->family == PROBE_FAMILY_STLINK) {
			snprintf(kind, kind_len, "%s", id->kind);
			return PROBE_FAMILY_STLINK;
		}
	}
	/* CMSIS-DAP v1: HID interface of a device whose product string says
	 * CMSIS-DAP. v2: vendor-class bulk interface whose own string does. */
	if (hid ? has_cmsis_dap(product) : has_cmsis_dap(iface_name)) {
		snprintf(kind, kind_len, "%s", hid ? "CMSIS-DAP v1" : "CMSIS-DAP v2");
		return PROBE_FAMILY_CMSIS_DAP;
	}
	return PROBE_FAMILY_NONE;
}
