/*
 * Modelled time of 100 DAP_TransferBlock reads of 126 words from SRAM on
 * the emulated CMSIS-DAP v1 (HID, 64-byte reports) and v2 (bulk, 512-byte
 * packets), at the default 1 MHz SWCLK and at the 10 MHz ceiling. The host
 * is sequential (one command, then its response), as swdd's driver is.
 * A v1 report holds 15 words of read data (64 - 4 header bytes), so each
 * 126-word block is 8 commands of 15 words and one of 6.
 */
#include "sim_probe.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define WORDS 126u
#define ROUNDS 100u

static int xchg(sim_probe *p, bool hid, const uint8_t *req, size_t n, uint8_t *rsp, size_t *rn)
{
	uint8_t report[64] = { 0 };

	if (hid) {
		memcpy(report, req, n);
		req = report;
		n = sizeof(report);
	}
	if (sim_probe_out(p, req, n))
		return -1;
	return sim_probe_in(p, rsp, 1024, rn);
}

/* Connect, JTAG-to-SWD, power up, AP 0 CSW 32-bit auto-increment. */
static int setup(sim_probe *p, bool hid, uint32_t hz)
{
	static const uint8_t seq[] = { 0x12, 136,  0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x9E,
				       0xE7, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00 };
	static const uint8_t up[] = { 0x05, 0x00, 0x06, 0x02, 0x00, 0x1E, 0,   0, 0,
				      0x04, 0,    0,    0,    0x50, 0x08, 0,   0, 0,
				      0,    0x01, 0x52, 0x00, 0x00, 0x23, 0x06 };
	uint8_t clk[5] = { 0x11, (uint8_t)hz, (uint8_t)(hz >> 8), (uint8_t)(hz >> 16), (uint8_t)(hz >> 24) };
	uint8_t rsp[1024];
	size_t rn;

	if (xchg(p, hid, (const uint8_t[]){ 0x02, 0x01 }, 2, rsp, &rn) || rsp[1] != 1)
		return -1;
	if (xchg(p, hid, clk, sizeof(clk), rsp, &rn) || xchg(p, hid, seq, sizeof(seq), rsp, &rn))
		return -1;
	if (xchg(p, hid, up, sizeof(up), rsp, &rn) || rsp[2] != 1)
		return -1;
	return 0;
}

static int set_tar(sim_probe *p, bool hid, uint32_t addr)
{
	uint8_t req[] = { 0x05,
			  0x00,
			  0x01,
			  0x05,
			  (uint8_t)addr,
			  (uint8_t)(addr >> 8),
			  (uint8_t)(addr >> 16),
			  (uint8_t)(addr >> 24) };
	uint8_t rsp[1024];
	size_t rn;

	return xchg(p, hid, req, sizeof(req), rsp, &rn) || rsp[2] != 1 ? -1 : 0;
}

/* Returns the modelled ns spent in the block commands only. */
static int bench_kind(enum sim_probe_kind kind, uint32_t hz, uint64_t *ns, unsigned *cmds)
{
	struct sim_config cfg = { 0 };
	struct sim_probe_config pc = { .kind = kind };
	bool hid = kind == SIM_PROBE_CMSIS_DAP_V1;
	unsigned per = hid ? 15u : WORDS;
	struct sim_probe_stats a, b;
	sim_chip *chip;
	sim_probe *p;
	char err[256];
	int rc = -1;

	*ns = 0;
	*cmds = 0;
	if (sim_chip_new(&cfg, &chip, err, sizeof(err))) {
		fprintf(stderr, "sim_chip_new: %s\n", err);
		return -1;
	}
	if (sim_probe_new(&pc, chip, &p))
		goto out_chip;
	if (setup(p, hid, hz))
		goto out;
	for (unsigned r = 0; r < ROUNDS; r++) {
		if (set_tar(p, hid, 0x20000000u))
			goto out;
		for (unsigned done = 0; done < WORDS; done += per) {
			unsigned n = WORDS - done < per ? WORDS - done : per;
			uint8_t req[5] = { 0x06, 0x00, (uint8_t)n, 0x00, 0x0F };
			uint8_t rsp[1024];
			size_t rn;

			sim_probe_get_stats(p, &a);
			if (xchg(p, hid, req, sizeof(req), rsp, &rn) ||
			    (unsigned)(rsp[1] | rsp[2] << 8) != n || rsp[3] != 1)
				goto out;
			sim_probe_get_stats(p, &b);
			*ns += b.modelled_ns - a.modelled_ns;
			(*cmds)++;
		}
	}
	rc = 0;
out:
	sim_probe_free(p);
out_chip:
	sim_chip_free(chip);
	return rc;
}

int main(void)
{
	static const uint32_t clocks[] = { 1000000u, 10000000u };

	for (int c = 0; c < 2; c++) {
		for (int k = SIM_PROBE_CMSIS_DAP_V1; k <= SIM_PROBE_CMSIS_DAP_V2; k++) {
			uint64_t ns;
			unsigned cmds;

			if (bench_kind((enum sim_probe_kind)k, clocks[c], &ns, &cmds)) {
				printf("bench_sim_cmsisdap: %s failed\n",
				       sim_probe_kind_name((enum sim_probe_kind)k));
				return 1;
			}
			printf("%-13s SWCLK %5u kHz: %u x TransferBlock read of %u words in %u commands: "
			       "%.3f s modelled (%.1f KiB/s)\n",
			       sim_probe_kind_name((enum sim_probe_kind)k), clocks[c] / 1000u, ROUNDS, WORDS,
			       cmds, ns / 1e9, ROUNDS * WORDS * 4 / 1024.0 / (ns / 1e9));
		}
	}
	return 0;
}
