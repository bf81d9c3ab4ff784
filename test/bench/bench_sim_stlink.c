/*
 * Modelled time of 100 READMEM_32BIT commands of 6144 bytes (the firmware's
 * buffer size) from SRAM on the emulated ST-LINK/V2 and STLINK-V3, at the
 * power-on SWD clock and at each probe's highest one. Raw ST-LINK commands
 * (docs/STLINK-PROTOCOL.md §3), as a host sends them; the status query that follows
 * each read (GETLASTRWSTATUS2) is counted separately.
 *
 * Also: one 128 KiB sector erase (RM0090 3.6.3, sector 5, x32) driven
 * through WRITEDEBUGREG/READDEBUGREG with the core halted, in modelled and
 * in wall-clock time (DS8626: 1 s typical at x32).
 */
#include "sim_probe.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define ROUNDS 100u
#define LEN 6144u

static int cmd(sim_probe *p, const uint8_t *c, uint8_t *rsp, size_t want)
{
	uint8_t pkt[16] = { 0 };
	size_t got = 0, n;

	memcpy(pkt, c, 16);
	if (sim_probe_out(p, pkt, sizeof(pkt)))
		return -1;
	while (got < want) {
		if (sim_probe_in(p, rsp + got, want - got, &n))
			return -1;
		got += n;
	}
	return 0;
}

/* Debug mode, SWD clock, AP 0: the connect sequence of docs/STLINK-PROTOCOL.md §3. */
static int setup(sim_probe *p, bool v3, bool fast)
{
	uint8_t rsp[64];
	const uint8_t enter[16] = { 0xF2, 0x30, 0xA3 }, init_ap[16] = { 0xF2, 0x4B, 0x00 };
	/* V2: SWD_SET_FREQ divisor 0 = 4000 kHz; V3: SET_COM_FREQ 24000 kHz */
	const uint8_t v2_fast[16] = { 0xF2, 0x43, 0x00, 0x00 };
	const uint8_t v3_fast[16] = { 0xF2, 0x61, 0x00, 0x00, 0xC0, 0x5D, 0x00, 0x00 };

	if (cmd(p, enter, rsp, 2) || rsp[0] != 0x80)
		return -1;
	if (fast && cmd(p, v3 ? v3_fast : v2_fast, rsp, v3 ? 8 : 2))
		return -1;
	return cmd(p, init_ap, rsp, 2) || rsp[0] != 0x80 ? -1 : 0;
}

static int bench(enum sim_probe_kind kind, bool fast)
{
	static uint8_t rsp[LEN];
	const uint8_t rd[16] = { 0xF2, 0x07, 0x00, 0x00, 0x00, 0x20, (uint8_t)LEN, (uint8_t)(LEN >> 8) };
	const uint8_t st2[16] = { 0xF2, 0x3E };
	struct sim_config cfg = { 0 };
	struct sim_probe_config pc = { .kind = kind };
	struct sim_probe_stats a, b;
	uint64_t read_ns = 0, status_ns = 0;
	sim_chip *chip;
	sim_probe *p;
	char err[256];
	int rc = -1;

	if (sim_chip_new(&cfg, &chip, err, sizeof(err)) || sim_probe_new(&pc, chip, &p))
		return -1;
	if (setup(p, kind == SIM_PROBE_STLINK_V3, fast))
		goto out;
	for (unsigned r = 0; r < ROUNDS; r++) {
		sim_probe_get_stats(p, &a);
		if (cmd(p, rd, rsp, LEN))
			goto out;
		sim_probe_get_stats(p, &b);
		read_ns += b.modelled_ns - a.modelled_ns;
		if (cmd(p, st2, rsp, 12) || rsp[0] != 0x80)
			goto out;
		sim_probe_get_stats(p, &a);
		status_ns += a.modelled_ns - b.modelled_ns;
	}
	printf("%-10s %-13s: 100 x READMEM_32BIT of 6144 bytes: %.3f s modelled (%.0f KiB/s), "
	       "plus %.3f s of GETLASTRWSTATUS2\n",
	       sim_probe_kind_name(kind), fast ? "fastest clock" : "power-on clock", (double)read_ns / 1e9,
	       ROUNDS * LEN / 1024.0 / ((double)read_ns / 1e9), (double)status_ns / 1e9);
	rc = 0;
out:
	sim_probe_free(p);
	sim_chip_free(chip);
	return rc;
}

static int dbg_write(sim_probe *p, uint32_t addr, uint32_t v)
{
	uint8_t c[16] = { 0xF2,
			  0x35,
			  (uint8_t)addr,
			  (uint8_t)(addr >> 8),
			  (uint8_t)(addr >> 16),
			  (uint8_t)(addr >> 24),
			  (uint8_t)v,
			  (uint8_t)(v >> 8),
			  (uint8_t)(v >> 16),
			  (uint8_t)(v >> 24) };
	uint8_t rsp[2];

	return cmd(p, c, rsp, 2) || rsp[0] != 0x80 ? -1 : 0;
}

static int dbg_read(sim_probe *p, uint32_t addr, uint32_t *v)
{
	uint8_t c[16] = {
		0xF2, 0x36, (uint8_t)addr, (uint8_t)(addr >> 8), (uint8_t)(addr >> 16), (uint8_t)(addr >> 24)
	};
	uint8_t rsp[8];

	if (cmd(p, c, rsp, 8) || rsp[0] != 0x80)
		return -1;
	*v = (uint32_t)rsp[4] | (uint32_t)rsp[5] << 8 | (uint32_t)rsp[6] << 16 | (uint32_t)rsp[7] << 24;
	return 0;
}

/* RM0090 3.9: KEYR 0x40023C04, SR 0x40023C0C (BSY bit 16), CR 0x40023C10
 * (SER bit 1, SNB bits 6:3, PSIZE bits 9:8, STRT bit 16). */
static int bench_erase(void)
{
	struct sim_config cfg = { 0 };
	struct sim_probe_config pc = { .kind = SIM_PROBE_STLINK_V2 };
	struct timespec w0, w1;
	uint32_t sr = 1u << 16, cr = (2u << 8) | (5u << 3) | (1u << 1);
	uint64_t t0;
	sim_chip *chip;
	sim_probe *p;
	char err[256];
	int rc = -1;

	if (sim_chip_new(&cfg, &chip, err, sizeof(err)) || sim_probe_new(&pc, chip, &p))
		return -1;
	if (setup(p, false, true) || dbg_write(p, 0xE000EDF0u, 0xA05F0003u) ||
	    dbg_write(p, 0x40023C04u, 0x45670123u) || dbg_write(p, 0x40023C04u, 0xCDEF89ABu) ||
	    dbg_write(p, 0x40023C10u, cr))
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &w0);
	t0 = sim_chip_now_ns(chip);
	if (dbg_write(p, 0x40023C10u, cr | (1u << 16)))
		goto out;
	for (unsigned polls = 0; (sr & (1u << 16)) && polls < 100000u; polls++)
		if (dbg_read(p, 0x40023C0Cu, &sr))
			goto out;
	clock_gettime(CLOCK_MONOTONIC, &w1);
	if (sr & (1u << 16))
		goto out;
	printf("128 KiB sector erase (x32, core halted, polled over ST-LINK/V2): %.3f s modelled, "
	       "%.3f s wall\n",
	       (double)(sim_chip_now_ns(chip) - t0) / 1e9,
	       (double)(w1.tv_sec - w0.tv_sec) + (double)(w1.tv_nsec - w0.tv_nsec) / 1e9);
	rc = 0;
out:
	sim_probe_free(p);
	sim_chip_free(chip);
	return rc;
}

int main(void)
{
	static const enum sim_probe_kind kinds[] = { SIM_PROBE_STLINK_V2, SIM_PROBE_STLINK_V3 };
	int failed = 0;

	for (int fast = 0; fast < 2; fast++)
		for (size_t k = 0; k < 2; k++)
			if (bench(kinds[k], fast)) {
				printf("bench_sim_stlink: %s failed\n", sim_probe_kind_name(kinds[k]));
				failed = 1;
			}
	if (bench_erase()) {
		printf("bench_sim_stlink: sector erase failed\n");
		failed = 1;
	}
	return failed;
}
