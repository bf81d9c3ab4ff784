/*
 * The buses behind the access ports. An AP names its bus (struct
 * sim_ap_desc.port):
 * - SIM_AP_SYSTEM, the core's system view (Cortex-M4 TRM 2.3.1, Cortex-M7
 *   TRM 2.1 / ARMv7-M B3.1): the Private Peripheral Bus 0xE0000000-
 *   0xE00FFFFF belongs to the core model (sim_scs.c), everything else to the
 *   chip's memory map (c->desc->soc); the vendor region above the PPB
 *   faults;
 * - SIM_AP_D3, one domain's bus (the STM32H7's AP1): the memory map decides
 *   what it reaches;
 * - SIM_AP_DEBUG_APB, the system debug APB (the STM32H7's AP2): word
 *   accesses to the chip's debug components.
 * A bus the chip declares dead (soc->port_dead: the H7's AXI while NRST is
 * low, in D1 Stop or without a valid core supply) faults every access;
 * only while NRST holds the core does the PPB still answer what the core's
 * reset domain allows (sim_scs.c).
 */
#include "sim_chip_internal.h"

#define SIM_BUS_PPB_BASE 0xE0000000u
#define SIM_BUS_PPB_LAST 0xE00FFFFFu

static bool sim_bus_is_ppb(uint32_t addr)
{
	return addr >= SIM_BUS_PPB_BASE && addr <= SIM_BUS_PPB_LAST;
}

static bool sim_bus_valid_size(unsigned size)
{
	return size == 1 || size == 2 || size == 4;
}

static bool sim_bus_dead(const sim_chip *c, enum sim_ap_port port, uint32_t addr)
{
	const struct sim_soc_ops *soc = c->desc->soc;

	if (!soc->port_dead || !soc->port_dead(c, port))
		return false;
	return !(port == SIM_AP_SYSTEM && sim_bus_is_ppb(addr) && sim_board_nrst_low(c));
}

enum sim_bus_result sim_bus_read(sim_chip *c, enum sim_ap_port port, uint32_t addr, unsigned size,
				 uint32_t *val, unsigned flags)
{
	const struct sim_soc_ops *soc = c->desc->soc;

	if (!sim_bus_valid_size(size))
		return SIM_BUS_FAULT;
	if (port == SIM_AP_DEBUG_APB) {
		if (size != 4 || !soc->apb_read || sim_bus_dead(c, port, addr))
			return SIM_BUS_FAULT;
		return soc->apb_read(c, addr, val);
	}
	if (sim_bus_dead(c, port, addr))
		return SIM_BUS_FAULT;
	if (port == SIM_AP_SYSTEM && sim_bus_is_ppb(addr))
		return sim_ppb_read(c, addr, size, val);
	if (port == SIM_AP_SYSTEM && addr > SIM_BUS_PPB_LAST)
		return SIM_BUS_FAULT;
	return sim_mem_read(c, port, addr, size, val, flags);
}

enum sim_bus_result sim_bus_write(sim_chip *c, enum sim_ap_port port, uint32_t addr, unsigned size,
				  uint32_t val, unsigned flags)
{
	const struct sim_soc_ops *soc = c->desc->soc;

	if (!sim_bus_valid_size(size))
		return SIM_BUS_FAULT;
	if (port == SIM_AP_DEBUG_APB) {
		if (size != 4 || !soc->apb_write || sim_bus_dead(c, port, addr))
			return SIM_BUS_FAULT;
		return soc->apb_write(c, addr, val);
	}
	if (sim_bus_dead(c, port, addr))
		return SIM_BUS_FAULT;
	if (port == SIM_AP_SYSTEM && sim_bus_is_ppb(addr))
		return sim_ppb_write(c, addr, size, val);
	if (port == SIM_AP_SYSTEM && addr > SIM_BUS_PPB_LAST)
		return SIM_BUS_FAULT;
	return sim_mem_write(c, port, addr, size, val, flags);
}
