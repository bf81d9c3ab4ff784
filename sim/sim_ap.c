/*
 * MEM-APs after ARM IHI0031 (ADIv5.2) chapter C2 "The Memory Access Port".
 * Which APs exist, their IDR/BASE/CFG and the bus each drives come from the
 * chip's row (struct sim_ap_desc): on the STM32F4 one AHB-AP (Cortex-M4 TRM
 * (DDI0439) 8.1: IDR 0x24770011, BASE 0xE00FF003, TAR auto-increment
 * limited to TAR[11:0]); on the STM32H7 AP0 (AHB-AP, the M7 system), AP1
 * (AHB-AP, the D3 domain) and AP2 (APB-AP, the system debug bus), RM0433
 * 60.2 / RM0468 63.2. No AP has big-endian or large address/data support.
 *
 * A register of an APSEL without an AP reads as zero (so its IDR says "no
 * AP", ADIv5.2 C1.2) and ignores writes. An APB-AP implements word
 * accesses only: CSW.Size reads 0b010 whatever is written (C2.6).
 */
#include "sim_chip_internal.h"

/* ADIv5.2 C2.6 register offsets (APBANKSEL:A[3:2]). */
#define AP_CSW 0x00u
#define AP_TAR 0x04u
#define AP_DRW 0x0Cu
#define AP_BD0 0x10u
#define AP_BD3 0x1Cu
#define AP_CFG 0xF4u
#define AP_BASE 0xF8u
#define AP_IDR 0xFCu

/* ADIv5.2 C2.6 CSW fields. */
#define AP_CSW_SIZE_MASK 0x7u
#define AP_CSW_ADDRINC_SHIFT 4u
#define AP_CSW_ADDRINC_MASK (3u << 4)
#define AP_CSW_DEVICEEN (1u << 6)
#define AP_CSW_PROT_MASK 0x7F000000u /* HPROT[3:0], MasterType (bit 29) */
#define AP_ADDRINC_OFF 0u
#define AP_ADDRINC_SINGLE 1u
#define AP_ADDRINC_PACKED 2u

#define AP_CSW_HPROT_CACHEABLE (1u << 27) /* HPROT[3] (C2.6, AHB-AP Prot field) */
#define AP_CSW_SIZE_WORD 2u

void sim_ap_reset(struct sim_ap *ap, const struct sim_ap_desc *d)
{
	ap->desc = d;
	ap->csw = d->csw_reset;
	ap->tar = 0;
	ap->pk_done = 0;
	ap->pk_data = 0;
}

static unsigned ap_size(const struct sim_ap *ap)
{
	return 1u << (ap->csw & AP_CSW_SIZE_MASK);
}

static unsigned ap_addrinc(const struct sim_ap *ap)
{
	return (ap->csw & AP_CSW_ADDRINC_MASK) >> AP_CSW_ADDRINC_SHIFT;
}

/* ADIv5.2 C2.2.2: only the low TAR bits (at least [9:0]) take part in
 * the increment; which ones is the AP's (F4: [11:0]). */
static void ap_tar_advance(struct sim_ap *ap, unsigned by)
{
	uint32_t wrap = ap->desc->tar_wrap;

	ap->tar = (ap->tar & ~wrap) | ((ap->tar + by) & wrap);
}

/* ADIv5.2 C2.6: sizes other than byte, half-word and word are not
 * implemented by this AP and the write leaves Size unchanged; AddrInc 0b11
 * is reserved and reads back as written but increments like "off". */
static void ap_csw_write(struct sim_ap *ap, uint32_t val)
{
	uint32_t size = val & AP_CSW_SIZE_MASK;

	if (size > 2)
		size = ap->csw & AP_CSW_SIZE_MASK;
	if (ap->desc->word_only)
		size = AP_CSW_SIZE_WORD;
	ap->csw = AP_CSW_DEVICEEN | size | (val & (AP_CSW_ADDRINC_MASK | AP_CSW_PROT_MASK));
	ap->pk_done = 0;
}

/* The bus address of a unit: the AHB has no unaligned transfers, so the
 * AP drives an address aligned to the access size (TAR[1:0] still select
 * the byte lanes, ADIv5.2 C2.2). */
static uint32_t ap_bus_addr(uint32_t addr, unsigned size)
{
	return addr & ~(size - 1u);
}

/* ADIv5.2 C2.2 byte lanes: a byte or half-word at address A travels on
 * DRW bits [8*(A%4) +: 8*size]; the other lanes of a read are zero here. */
static uint32_t ap_lane_in(uint32_t bus_val, uint32_t addr, unsigned size)
{
	if (size == 4)
		return bus_val;
	return bus_val << (8u * (ap_bus_addr(addr, size) & 3u));
}

static uint32_t ap_lane_out(uint32_t drw, uint32_t addr, unsigned size)
{
	if (size == 4)
		return drw;
	return (drw >> (8u * (ap_bus_addr(addr, size) & 3u))) & ((1u << (8 * size)) - 1u);
}

/* One bus access of the AP, on the bus its descriptor names. */
static enum sim_bus_result ap_bus(sim_chip *c, const struct sim_ap *ap, bool write, uint32_t addr,
				  unsigned size, uint32_t *val)
{
	unsigned flags = (ap->csw & AP_CSW_HPROT_CACHEABLE) ? SIM_BUS_CACHEABLE : 0;

	if (write)
		return sim_bus_write(c, ap->desc->port, addr, size, *val, flags);
	return sim_bus_read(c, ap->desc->port, addr, size, val, flags);
}

/* One DRW access. Packed transfers (ADIv5.2 C2.2) make 4/size bus
 * accesses; a stall in the middle keeps the units already done so a retry
 * of the same DRW access continues where it stopped. */
static enum sim_bus_result ap_drw(sim_chip *c, struct sim_ap *ap, bool write, uint32_t *val)
{
	unsigned size = ap_size(ap), inc = ap_addrinc(ap);
	unsigned units = (inc == AP_ADDRINC_PACKED && size < 4) ? 4u / size : 1u;

	if (ap->pk_done == 0)
		ap->pk_data = 0;
	while (ap->pk_done < units) {
		uint32_t addr = ap->tar, unit = write ? ap_lane_out(*val, addr, size) : 0;
		enum sim_bus_result r = ap_bus(c, ap, write, ap_bus_addr(addr, size), size, &unit);

		if (r == SIM_BUS_WAIT)
			return r;
		if (r != SIM_BUS_OK) {
			ap->pk_done = 0;
			return r; /* ADIv5.2 C2.2: TAR is not incremented on an error */
		}
		ap->pk_data |= ap_lane_in(unit, addr, size);
		ap->pk_done++;
		if (inc == AP_ADDRINC_SINGLE || inc == AP_ADDRINC_PACKED)
			ap_tar_advance(ap, size);
	}
	ap->pk_done = 0;
	if (!write)
		*val = ap->pk_data;
	return SIM_BUS_OK;
}

/* ADIv5.2 C2.6: BDn reaches {TAR[31:4], n, TAR[1:0]} and never changes
 * TAR. */
static enum sim_bus_result ap_bd(sim_chip *c, struct sim_ap *ap, uint8_t reg, bool write, uint32_t *val)
{
	unsigned size = ap_size(ap);
	uint32_t addr = (ap->tar & ~0xFu) | (uint32_t)(reg - AP_BD0) | (ap->tar & 3u);
	uint32_t unit = write ? ap_lane_out(*val, addr, size) : 0;
	enum sim_bus_result r = ap_bus(c, ap, write, ap_bus_addr(addr, size), size, &unit);

	if (r == SIM_BUS_OK && !write)
		*val = ap_lane_in(unit, addr, size);
	return r;
}

enum sim_bus_result sim_ap_read(sim_chip *c, struct sim_ap *aps, uint8_t apsel, uint8_t reg, uint32_t *val)
{
	struct sim_ap *ap = &aps[apsel % SIM_MAX_APS];

	*val = 0;
	if (apsel >= SIM_MAX_APS || ap->desc->port == SIM_AP_ABSENT)
		return SIM_BUS_OK;
	switch (reg) {
	case AP_CSW:
		*val = ap->csw;
		return SIM_BUS_OK;
	case AP_TAR:
		*val = ap->tar;
		return SIM_BUS_OK;
	case AP_DRW:
		return ap_drw(c, ap, false, val);
	case AP_CFG:
		*val = ap->desc->cfg;
		return SIM_BUS_OK;
	case AP_BASE:
		*val = ap->desc->base;
		return SIM_BUS_OK;
	case AP_IDR:
		*val = ap->desc->idr;
		return SIM_BUS_OK;
	default:
		if (reg >= AP_BD0 && reg <= AP_BD3)
			return ap_bd(c, ap, reg, false, val);
		return SIM_BUS_OK; /* reserved: RAZ */
	}
}

enum sim_bus_result sim_ap_write(sim_chip *c, struct sim_ap *aps, uint8_t apsel, uint8_t reg, uint32_t val)
{
	struct sim_ap *ap = &aps[apsel % SIM_MAX_APS];

	if (apsel >= SIM_MAX_APS || ap->desc->port == SIM_AP_ABSENT)
		return SIM_BUS_OK;
	switch (reg) {
	case AP_CSW:
		ap_csw_write(ap, val);
		return SIM_BUS_OK;
	case AP_TAR:
		ap->tar = val;
		ap->pk_done = 0;
		return SIM_BUS_OK;
	case AP_DRW:
		return ap_drw(c, ap, true, &val);
	default:
		if (reg >= AP_BD0 && reg <= AP_BD3)
			return ap_bd(c, ap, reg, true, &val);
		return SIM_BUS_OK; /* read-only or reserved: WI */
	}
}
