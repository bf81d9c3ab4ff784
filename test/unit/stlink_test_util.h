/*
 * Host side of the emulated ST-LINK tests (test_sim_stlink*.c): a lab with
 * one chip and one probe, and commands sent exactly as a USB host sends
 * them (one 16-byte OUT per command, the data phase as its own OUT, an IN
 * of exactly the reply length).
 */
#ifndef SWDD_TEST_STLINK_UTIL_H
#define SWDD_TEST_STLINK_UTIL_H

#include "harness.h"
#include "sim_probe.h"
#include "sim_probe_internal.h"

#include <stdlib.h>

#define V2 SIM_PROBE_STLINK_V2
#define V21 SIM_PROBE_STLINK_V21
#define V3 SIM_PROBE_STLINK_V3

#define ST_OK 0x80u
#define ST_FAULT 0x81u
#define ST_CMD_ERROR 0x08u
#define ST_IDCODE_ERROR 0x09u
#define ST_ALIGN_ERROR 0x0Au
#define ST_AP_WAIT 0x10u
#define ST_AP_FAULT 0x11u
#define ST_BAD_AP 0x1Du
#define ST_UNKNOWN_CMD 0x42u

#define STM32F4_DPIDR 0x2BA01477u /* ARM IHI0031 B2.2 */
#define M4_CPUID 0x410FC241u      /* Cortex-M4 TRM 4.3.1 */
#define SRAM 0x20000000u
#define SRAM_END 0x20020000u /* RM0090 2.3: SRAM1 + SRAM2 = 128 KiB */
#define UNMAPPED 0x30000000u /* reserved in the RM0090 2.3 memory map */
#define CPUID 0xE000ED00u
#define DHCSR 0xE000EDF0u
#define DHCSR_HALT 0xA05F0003u
#define DHCSR_S_HALT (1u << 17)

/* RM0090 3.9: flash interface registers */
#define FLASH_KEYR 0x40023C04u
#define FLASH_SR 0x40023C0Cu
#define FLASH_CR 0x40023C10u
#define FLASH_SR_BSY (1u << 16)
#define FLASH_CR_SER 0x2u
#define FLASH_CR_SNB(n) ((uint32_t)(n) << 3)
#define FLASH_CR_PSIZE_X32 0x200u
#define FLASH_CR_STRT 0x10000u

struct lab {
	sim_chip *chip;
	sim_probe *p;
	uint8_t rsp[8192];
};

static inline int lab_open_cfg(struct lab *l, const struct sim_probe_config *pc, const char *faults)
{
	struct sim_config cfg = { 0 };
	char err[256];

	memset(l, 0, sizeof(*l));
	if (faults && sim_config_parse_faults(&cfg, faults, err, sizeof(err)))
		return test_fail_at(__FILE__, __LINE__, "fault spec %s: %s", faults, err);
	if (sim_chip_new(&cfg, &l->chip, err, sizeof(err)))
		return test_fail_at(__FILE__, __LINE__, "sim_chip_new: %s", err);
	if (sim_probe_new(pc, l->chip, &l->p)) {
		sim_chip_free(l->chip);
		return test_fail_at(__FILE__, __LINE__, "sim_probe_new failed");
	}
	return 0;
}

static inline int lab_open(struct lab *l, enum sim_probe_kind kind, unsigned j, const char *faults)
{
	struct sim_probe_config pc = { .kind = kind, .fw_jtag = j };

	return lab_open_cfg(l, &pc, faults);
}

static inline void lab_close(struct lab *l)
{
	sim_probe_free(l->p);
	sim_chip_free(l->chip);
}

/* One transfer out, then exactly `want` bytes in (as libusb does with an
 * exact-length bulk read), then nothing more pending. Returns 0 or -line. */
static inline int xfer(struct lab *l, const uint8_t *out, size_t olen, size_t want)
{
	size_t total = 0, got;
	uint8_t extra[8];

	if (sim_probe_out(l->p, out, olen))
		return -__LINE__;
	while (total < want) {
		if (sim_probe_in(l->p, l->rsp + total, want - total, &got) || !got)
			return -__LINE__;
		total += got;
	}
	if (sim_probe_in(l->p, extra, sizeof(extra), &got) != SIM_PROBE_EAGAIN)
		return -__LINE__;
	return 0;
}

#define CMD(...) ((const uint8_t[16]){ __VA_ARGS__ })
#define RUN(l, want, ...) CHECK_EQ(xfer((l), CMD(__VA_ARGS__), 16, (want)), 0)

static inline uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

#define B4(v) (uint8_t)(v), (uint8_t)((v) >> 8), (uint8_t)((v) >> 16), (uint8_t)((v) >> 24)
#define B2(v) (uint8_t)(v), (uint8_t)((v) >> 8)

/* DEBUG_APIV2_ENTER SWD after the usual mode checks (REF 1.3 connect). */
static inline int lab_connect(struct lab *l)
{
	RUN(l, 0, 0xF3, 0x07);
	RUN(l, 2, 0xF2, 0x30, 0xA3);
	CHECK_EQ(l->rsp[0], ST_OK);
	return 0;
}

static inline int mem_read(struct lab *l, uint8_t sub, uint32_t addr, uint16_t len, size_t want)
{
	return xfer(l, CMD(0xF2, sub, B4(addr), B2(len)), 16, want);
}

/* WRITEMEM command, then the data phase as its own OUT transfer. */
static inline int mem_write(struct lab *l, uint8_t sub, uint32_t addr, const uint8_t *d, uint16_t len)
{
	int rc = xfer(l, CMD(0xF2, sub, B4(addr), B2(len)), 16, 0);

	return rc ? rc : xfer(l, d, len, 0);
}

/* GETLASTRWSTATUS2: status byte, fault address. */
static inline int rw_status(struct lab *l, uint8_t *st, uint32_t *addr)
{
	int rc = xfer(l, CMD(0xF2, 0x3E), 16, 12);

	*st = l->rsp[0];
	*addr = le32(l->rsp + 4);
	return rc;
}

static inline int dbg_read(struct lab *l, uint32_t addr, uint32_t *v)
{
	int rc = xfer(l, CMD(0xF2, 0x36, B4(addr)), 16, 8);

	*v = le32(l->rsp + 4);
	return rc ? rc : l->rsp[0];
}

static inline int dbg_write(struct lab *l, uint32_t addr, uint32_t v)
{
	int rc = xfer(l, CMD(0xF2, 0x35, B4(addr), B4(v)), 16, 2);

	return rc ? rc : l->rsp[0];
}

/* ---- identity and version ------------------------------------------------ */

#endif
