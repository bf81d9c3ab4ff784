/*
 * GDB target description (GDB manual, "Target Descriptions" and "ARM
 * Features"): one document per connected core, made of the feature files
 * in targets/arm-*.xml (embedded by targets/targets.mk): m-profile and
 * m-system always, vfp when the core has an FPU. The register order is
 * the GDB numbering of cortex_m_regs.c.
 *
 * The vfp feature is d0-d15 and fpscr for every FPU: GDB's
 * org.gnu.gdb.arm.vfp wants d0-d15 and builds s0-s31 from them as pseudo
 * registers. On an FPv5-D16 (Cortex-M7 with MVFR0.Double_precision = 2,
 * ARMv7-M B4.6) d<n> are the double registers the code uses; on FPv4-SP
 * (Cortex-M4) the same layout gives GDB s0-s31 (d<n> = s<2n+1>:s<2n>,
 * ARMv7-M A2.5.1), the description the F4 has always had.
 */
#include "cortex_m_internal.h"
#include "swdd_err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char cm_xml_head[] = "<?xml version=\"1.0\"?>\n"
				  "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
				  "<target version=\"1.0\">\n"
				  "<architecture>arm</architecture>\n";
static const char cm_xml_tail[] = "</target>\n";

int cm_xml_build(struct swdd_target *t)
{
	const char *vfp = t->chip.has_fpu ? target_xml_arm_vfp : "";
	size_t len = strlen(cm_xml_head) + strlen(target_xml_arm_m_profile) +
		     strlen(target_xml_arm_m_system) + strlen(vfp) + strlen(cm_xml_tail) + 1;

	free(t->xml);
	t->xml = malloc(len);
	if (!t->xml)
		return swdd_err_set(SWDD_ENOMEM, "out of memory for the target description");
	snprintf(t->xml, len, "%s%s%s%s%s", cm_xml_head, target_xml_arm_m_profile, target_xml_arm_m_system,
		 vfp, cm_xml_tail);
	return 0;
}

/* Finds <reg name="NAME" ...> in a target description and returns its GDB
 * number: the explicit regnum attribute, or one more than the previous
 * register (GDB's numbering rule for target descriptions). */
static int cm_tdesc_regnum(const char *xml, const char *name)
{
	int next = 0;

	for (const char *p = xml; (p = strstr(p, "<reg ")); p++) {
		const char *end = strchr(p, '>'), *rn = strstr(p, "regnum=\""), *nm = strstr(p, "name=\"");
		int num = next;

		if (!end)
			break;
		if (rn && rn < end)
			num = atoi(rn + 8);
		next = num + 1;
		if (nm && nm < end && !strncmp(nm + 6, name, strlen(name)) && nm[6 + strlen(name)] == '"')
			return num;
	}
	return -1;
}

int swdd_target_regnum(const struct swdd_target *t, const char *name)
{
	return cm_tdesc_regnum(swdd_target_xml(t), name);
}
