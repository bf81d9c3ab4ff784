/*
 * Which USB devices are probes swdd drives, and with which driver: the
 * VID:PID table (ST-LINK, well-known CMSIS-DAP probes) and the CMSIS-DAP
 * string rule (docs/STLINK-PROTOCOL.md §1; CMSIS-DAP documentation, "Configure USB peripheral"). Used by USB discovery and by
 * swdd_probe_open_sim alike, so the lab's probes are recognised exactly as
 * real ones.
 */
#ifndef SWDD_PROBE_IDS_H
#define SWDD_PROBE_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct probe_transport;
struct swdd_probe;
struct swdd_probe_info;

enum probe_family { PROBE_FAMILY_NONE, PROBE_FAMILY_STLINK, PROBE_FAMILY_CMSIS_DAP };

struct probe_id {
	uint16_t vid, pid;
	enum probe_family family;
	const char *kind; /* swdd_probe_info.kind; NULL for CMSIS-DAP (by class) */
	const char *name; /* for udev comments and listings */
};

extern const struct probe_id probe_ids[];
extern const size_t probe_ids_count;

/* Decides the driver for a USB interface. hid: the interface is HID
 * class (CMSIS-DAP v1 when the product string contains "CMSIS-DAP");
 * otherwise a vendor-class interface with bulk endpoints (CMSIS-DAP v2
 * when its interface string contains "CMSIS-DAP"). ST-LINKs go by VID:PID.
 * Writes the kind name into kind. */
enum probe_family probe_identify(uint16_t vid, uint16_t pid, const char *product, const char *iface_name,
				 bool hid, char *kind, size_t kind_len);

/* probe.c: wraps an open transport into a probe and runs the driver's
 * open. Closes the transport on failure. */
int probe_create(struct probe_transport *tr, const struct swdd_probe_info *info, enum probe_family fam,
		 struct swdd_probe **out);

#endif
