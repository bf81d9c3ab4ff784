/*
 * GDB target description (GDB manual, "Target Descriptions" and "ARM
 * Features"): one document per connected core, made of the feature files
 * in targets/arm-*.xml (embedded by targets/targets.mk): m-profile and
 * m-system always, vfp when the core has an FPU. The register order is
 * the GDB numbering of cortex_m_regs.c.
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
	snprintf(t->xml, len, "%s%s%s%s%s", cm_xml_head, target_xml_arm_m_profile,
		 target_xml_arm_m_system, vfp, cm_xml_tail);
	return 0;
}
