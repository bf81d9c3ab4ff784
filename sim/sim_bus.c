/*
 * The AHB-AP's view of the system bus (Cortex-M4 TRM 2.3.1 / ARMv7-M B3.1):
 * the Private Peripheral Bus 0xE0000000-0xE00FFFFF belongs to the core model
 * (sim_scs.c), everything else to the STM32F407 model (sim_f407.c), which
 * applies the read-protection and flash-stall rules of RM0090 section 3.
 * The vendor region above the PPB is unmapped on the F407 and faults.
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

enum sim_bus_result sim_bus_read(sim_chip *c, uint32_t addr, unsigned size, uint32_t *val)
{
	if (!sim_bus_valid_size(size))
		return SIM_BUS_FAULT;
	if (sim_bus_is_ppb(addr))
		return sim_ppb_read(c, addr, size, val);
	if (addr > SIM_BUS_PPB_LAST)
		return SIM_BUS_FAULT;
	return sim_mem_read(c, addr, size, val);
}

enum sim_bus_result sim_bus_write(sim_chip *c, uint32_t addr, unsigned size, uint32_t val)
{
	if (!sim_bus_valid_size(size))
		return SIM_BUS_FAULT;
	if (sim_bus_is_ppb(addr))
		return sim_ppb_write(c, addr, size, val);
	if (addr > SIM_BUS_PPB_LAST)
		return SIM_BUS_FAULT;
	return sim_mem_write(c, addr, size, val);
}
