/*
 * The DBGMCU block of an STM32 (RM0090 38.16 for F4, RM0433 60.5.8 for
 * H7): where swdd reaches it, and the debug set-up it keeps there while
 * attached.
 *
 * A family whose descriptor names a debug AP (stm32/family.h dbgmcu_ap:
 * the STM32H7's AP2, the debug APB at 0xE00E1000, RM0433 60.2) is reached
 * through that AP first: it answers while NRST is held and when the
 * core's bus (AP0) does not, which is what connect under reset and the
 * connect diagnosis need. Where the probe cannot select that AP (ST-LINK
 * firmware before V2J24) the AP0 view of the same registers is used.
 *
 * The set-up ORs DBGMCU_CR's debug bits and the watchdog freezes into
 * what it finds (read, OR, write back), remembers the value found and
 * writes it back at detach (STYLE point 12). Under reset it runs before
 * NRST is released, so the firmware never runs without it.
 */
#include "cortex_m_internal.h"
#include "family.h"
#include "probe.h"
#include "swdd_err.h"
#include "swdd_log.h"

#include <stdio.h>
#include <string.h>

/* The debug AP's address of the register at AP0 address addr. */
static uint32_t cm_dbgmcu_ap_addr(const struct stm32_family *f, uint32_t addr)
{
	return addr - f->dbgmcu_idcode + f->dbgmcu_ap_base;
}

/* Through the family's debug AP; SWDD_EUNSUPPORTED when it has none or
 * the probe cannot select it (then noted, so the AP0 view is used from
 * then on without asking again). */
static int cm_dbgmcu_via_ap(struct swdd_target *t, const struct stm32_family *f, uint32_t addr, uint32_t *v,
			    bool wr)
{
	uint32_t a = cm_dbgmcu_ap_addr(f, addr);
	int rc;

	if (!f->dbgmcu_ap || t->dbgmcu_ap_unusable)
		return SWDD_EUNSUPPORTED;
	rc = wr ? swdd_probe_ap_write32(t->probe, f->dbgmcu_ap, a, *v)
		: swdd_probe_ap_read32(t->probe, f->dbgmcu_ap, a, v);
	if (rc == SWDD_EUNSUPPORTED) {
		swdd_info("%s: the probe cannot reach AP%u (%s); DBGMCU is used through AP0 at 0x%08x",
			  f->name, f->dbgmcu_ap, swdd_err_detail(), f->dbgmcu_idcode);
		t->dbgmcu_ap_unusable = true;
	}
	return rc;
}

static int cm_dbgmcu_access(struct swdd_target *t, const struct stm32_family *f, uint32_t addr, uint32_t *v,
			    bool wr)
{
	int rc = cm_dbgmcu_via_ap(t, f, addr, v, wr);

	/* Only where the probe cannot select the AP: a FAULT there (no such
	 * AP: another family's chip) is the answer, not a reason to touch the
	 * AP0 address, which on that chip may be anything. */
	if (rc != SWDD_EUNSUPPORTED)
		return rc;
	return wr ? cm_write32(t, addr, *v) : cm_read32(t, addr, v);
}

int cm_dbgmcu_read(struct swdd_target *t, const struct stm32_family *f, uint32_t addr, uint32_t *v)
{
	return cm_dbgmcu_access(t, f, addr, v, false);
}

/* The registers the set-up changes, from the family descriptor. */
static void cm_dbgmcu_table(const struct stm32_family *f, struct cm_dbg_reg *r)
{
	const uint32_t addr[CM_DBG_REGS] = { f->dbgmcu_cr, f->wdg_freeze_reg, f->wdg_freeze_reg2 };
	const uint32_t set[CM_DBG_REGS] = { f->dbgmcu_cr_set, f->wdg_freeze_bits, f->wdg_freeze_bits2 };

	for (unsigned i = 0; i < CM_DBG_REGS; i++) {
		r[i].addr = set[i] ? addr[i] : 0;
		r[i].set = set[i];
	}
}

/* Reads r's register, ORs its bits in and writes it back if they were
 * not all set; r->saved once `found` holds what to give back at detach. */
static int cm_dbgmcu_set_one(struct swdd_target *t, const struct stm32_family *f, struct cm_dbg_reg *r)
{
	uint32_t v;
	int rc = cm_dbgmcu_read(t, f, r->addr, &r->found);

	v = r->found | r->set;
	if (!rc && v != r->found)
		rc = cm_dbgmcu_access(t, f, r->addr, &v, true);
	r->saved = rc == 0;
	if (!rc)
		swdd_debug("%s: DBGMCU 0x%08x was 0x%08x, now 0x%08x", f->name, r->addr, r->found, v);
	return rc;
}

void cm_dbgmcu_setup(struct swdd_target *t, const struct stm32_family *f)
{
	struct cm_dbg_reg want[CM_DBG_REGS];

	if (t->dbg_fam && t->dbg_fam != f)
		return; /* set up for another family already: keep what it found */
	t->dbg_fam = f;
	cm_dbgmcu_table(f, want);
	for (unsigned i = 0; i < CM_DBG_REGS; i++) {
		struct cm_dbg_reg *r = &t->dbg_regs[i];

		if (r->saved || !want[i].addr)
			continue; /* already set up (under reset, before NRST was released) */
		*r = want[i];
		if (cm_dbgmcu_set_one(t, f, r))
			swdd_debug("%s: DBGMCU register 0x%08x not writable: %s", f->name, r->addr,
				   swdd_err_detail());
	}
}

int cm_dbgmcu_restore(struct swdd_target *t)
{
	int rc = 0;

	for (unsigned i = 0; i < CM_DBG_REGS && t->dbg_fam; i++) {
		struct cm_dbg_reg *r = &t->dbg_regs[i];
		int rc2;

		if (!r->saved)
			continue;
		rc2 = cm_dbgmcu_access(t, t->dbg_fam, r->addr, &r->found, true);
		r->saved = rc2 != 0;
		rc = rc ? rc : rc2;
	}
	return rc;
}

bool cm_dbgmcu_changed(const struct swdd_target *t, uint32_t *cr)
{
	if (!t->dbg_regs[0].saved)
		return false;
	*cr = t->dbg_regs[0].found | t->dbg_regs[0].set;
	return true;
}

/* Only through the families' debug APs: under NRST, or when AP0 does not
 * answer, these are the only views that can. */
const struct stm32_part *cm_dbgmcu_identify_early(struct swdd_target *t, uint32_t *idcode)
{
	for (size_t i = 0; stm32_families[i]; i++) {
		const struct stm32_family *f = stm32_families[i];
		const struct stm32_part *p;
		uint32_t v = 0;

		if (!f->dbgmcu_ap || cm_dbgmcu_via_ap(t, f, f->dbgmcu_idcode, &v, false))
			continue;
		p = stm32_part_find(STM32_IDCODE_DEV_ID(v));
		if (p && p->family == f) {
			swdd_debug("%s DBGMCU_IDC 0x%08x through AP%u", p->name, v, f->dbgmcu_ap);
			if (idcode)
				*idcode = v;
			return p;
		}
	}
	swdd_err_clear();
	return NULL;
}
