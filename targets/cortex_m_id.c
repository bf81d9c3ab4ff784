/*
 * Which Cortex-M core: CPUID (ARMv7-M B3.2.3; PARTNO per the Cortex-M TRMs),
 * whether it has an FPU (MVFR0, ARMv7-M B3.2.20 / C1.6; else by probing
 * CPACR, B3.2.20). Which STM32 it is, is the family descriptors' business
 * (targets/stm32/).
 */
#include "cortex_m_internal.h"
#include "probe.h"
#include "swdd_err.h"
#include "swdd_log.h"

#define SCB_CPUID_IMPLEMENTER(v) ((v) >> 24)
#define SCB_CPUID_PARTNO(v) (((v) >> 4) & 0xFFFU)
#define CPUID_IMPLEMENTER_ARM 0x41U

struct cm_core_desc {
	uint16_t partno;
	enum cm_core core;
	const char *name;
	bool v6m, v8m;
	bool fpu_possible;
};

static const struct cm_core_desc cm_cores[] = {
	{ .partno = 0xC20, .core = CM_CORE_M0, .name = "Cortex-M0", .v6m = true },
	{ .partno = 0xC60, .core = CM_CORE_M0P, .name = "Cortex-M0+", .v6m = true },
	{ .partno = 0xC23, .core = CM_CORE_M3, .name = "Cortex-M3" },
	{ .partno = 0xC24, .core = CM_CORE_M4, .name = "Cortex-M4", .fpu_possible = true },
	{ .partno = 0xC27, .core = CM_CORE_M7, .name = "Cortex-M7", .fpu_possible = true },
	{ .partno = 0xD20, .core = CM_CORE_M23, .name = "Cortex-M23", .v8m = true },
	{ .partno = 0xD21, .core = CM_CORE_M33, .name = "Cortex-M33", .v8m = true, .fpu_possible = true },
};

static const struct cm_core_desc *cm_core_find(uint32_t cpuid)
{
	if (SCB_CPUID_IMPLEMENTER(cpuid) != CPUID_IMPLEMENTER_ARM)
		return NULL;
	for (size_t i = 0; i < sizeof(cm_cores) / sizeof(cm_cores[0]); i++)
		if (cm_cores[i].partno == SCB_CPUID_PARTNO(cpuid))
			return &cm_cores[i];
	return NULL;
}

const char *cm_core_from_cpuid(uint32_t cpuid, enum cm_core *core)
{
	const struct cm_core_desc *d = cm_core_find(cpuid);

	if (core)
		*core = d ? d->core : CM_CORE_UNKNOWN;
	return d ? d->name : NULL;
}

/* CPACR probing: CP10/CP11 access bits only stick when the FPU exists
 * (ARMv7-M B3.2.20); the value found is written back. */
static int cm_fpu_by_cpacr(struct swdd_target *t, bool *fpu)
{
	uint32_t found, probe = 0;
	int rc = cm_read32(t, SCB_CPACR, &found);

	if (rc == 0)
		rc = cm_write32(t, SCB_CPACR, found | SCB_CPACR_CP10_CP11);
	if (rc == 0)
		rc = cm_read32(t, SCB_CPACR, &probe);
	if (rc == 0)
		rc = cm_write32(t, SCB_CPACR, found);
	*fpu = rc == 0 && (probe & SCB_CPACR_CP10_CP11) == SCB_CPACR_CP10_CP11;
	return rc;
}

/* MVFR0 first, CPACR where MVFR0 cannot be read (a target's fault). A
 * failed probe ends the identification: "no FPU" would be a guess that
 * hides it, and every later step would fail or read nonsense. */
static int cm_detect_fpu(struct swdd_target *t, const struct cm_core_desc *d)
{
	uint32_t mvfr0 = 0;
	int rc;

	t->chip.has_fpu = false;
	if (!d->fpu_possible)
		return 0;
	rc = cm_read32(t, SCB_MVFR0, &mvfr0);
	if (rc == 0) {
		t->chip.has_fpu = mvfr0 != 0;
		return 0;
	}
	if (!swdd_err_probe_lost(rc))
		rc = cm_fpu_by_cpacr(t, &t->chip.has_fpu);
	if (swdd_err_probe_lost(rc))
		return swdd_err_add(rc, "detecting the FPU (MVFR0, CPACR)");
	if (rc)
		swdd_debug("FPU detection failed (%s); assuming no FPU", swdd_err_detail());
	return 0;
}

int cm_identify_core(struct swdd_target *t)
{
	const struct cm_core_desc *d;
	uint32_t cpuid;
	int rc = cm_read32(t, SCB_CPUID, &cpuid);

	if (rc)
		return swdd_err_add(rc, "reading CPUID");
	d = cm_core_find(cpuid);
	if (!d)
		return swdd_err_set(
			SWDD_EPROTO,
			"CPUID reads 0x%08x, not a Cortex-M core swdd knows: the data may be corrupted "
			"(clock too high for the wiring?) or this is not an STM32",
			cpuid);
	t->core = d->core;
	t->v6m = d->v6m;
	t->v8m = d->v8m;
	t->chip.cpuid = cpuid;
	t->chip.core = d->name;
	return cm_detect_fpu(t, d);
}
