/* SW-DP of the simulated STM32F407, driven packet by packet. */
#include "harness.h"
#include "sim_test_util.h"

static int t_jtag_at_power_on(void)
{
	sim_chip *c = tu_chip(NULL);
	uint32_t v = 0;

	CHECK(c);
	/* SWJ-DP starts in JTAG: a line reset alone does not select SWD. */
	sim_swd_line_reset(c);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_DPIDR, &v), SIM_ACK_NONE);
	sim_swd_jtag_to_swd(c);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_DPIDR, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x2BA01477u);
	sim_chip_free(c);
	return 0;
}

static int t_line_reset_keeps_swd(void)
{
	sim_chip *c = tu_connected_chip(NULL);
	uint32_t v = 0;

	CHECK(c);
	sim_swd_line_reset(c);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_DPIDR, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x2BA01477u);
	sim_chip_free(c);
	return 0;
}

static int t_swd_to_jtag(void)
{
	static const uint8_t seq[] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x3C, 0xE7, 0xFF };
	sim_chip *c = tu_connected_chip(NULL);
	uint32_t v = 0;

	CHECK(c);
	sim_swd_sequence(c, seq, sizeof(seq) * 8);
	sim_swd_line_reset(c);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_DPIDR, &v), SIM_ACK_NONE);
	sim_chip_free(c);
	return 0;
}

static int t_dpidr_first_after_line_reset(void)
{
	sim_chip *c = tu_connected_chip(NULL);
	uint32_t v = 0;

	CHECK(c);
	sim_swd_line_reset(c);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_CTRL, &v), SIM_ACK_NONE);
	CHECK_EQ(tu_xfer(c, true, true, TU_AP_CSW, &v), SIM_ACK_NONE);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_DPIDR, &v), SIM_ACK_OK);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_CTRL, &v), SIM_ACK_OK);
	sim_chip_free(c);
	return 0;
}

static int t_request_framing(void)
{
	sim_chip *c = tu_connected_chip(NULL);
	struct sim_swd_packet p = { 0 };
	uint8_t good = tu_req(false, true, TU_DP_DPIDR);

	CHECK(c);
	p.request = good ^ 0x20u; /* parity */
	CHECK_EQ(sim_swd_transfer(c, &p), SIM_ACK_NONE);
	p.request = good | 0x40u; /* stop bit */
	CHECK_EQ(sim_swd_transfer(c, &p), SIM_ACK_NONE);
	p.request = good & ~0x01u; /* start bit */
	CHECK_EQ(sim_swd_transfer(c, &p), SIM_ACK_NONE);
	p.request = good;
	CHECK_EQ(sim_swd_transfer(c, &p), SIM_ACK_OK);
	CHECK_EQ(p.parity, tu_parity(p.data));
	sim_chip_free(c);
	return 0;
}

static int t_powerup_handshake(void)
{
	sim_chip *c = tu_chip(NULL);
	uint32_t v = 0;

	CHECK(c);
	sim_swd_jtag_to_swd(c);
	CHECK_EQ(tu_dp_read(c, TU_DP_DPIDR, &v), SIM_ACK_OK);
	CHECK_EQ(tu_dp_read(c, TU_DP_CTRL, &v), SIM_ACK_OK);
	CHECK_EQ(v & 0xF0000000u, 0);
	/* before CDBGPWRUPACK an AP access faults */
	CHECK_EQ(tu_xfer(c, true, true, TU_AP_CSW, &v), SIM_ACK_FAULT);
	CHECK_OK(tu_dp_write(c, TU_DP_ABORT, 0x1E) != SIM_ACK_OK);
	CHECK_OK(tu_dp_write(c, TU_DP_CTRL, 0x10000000u) != SIM_ACK_OK);
	CHECK_EQ(tu_dp_read(c, TU_DP_CTRL, &v), SIM_ACK_OK);
	CHECK_EQ(v & 0xF0000000u, 0x30000000u);
	/* debug domain only: AP registers answer, memory accesses fault */
	CHECK_EQ(tu_ap_read(c, TU_AP_CSW, &v), SIM_ACK_OK);
	CHECK_EQ(tu_xfer(c, true, true, TU_AP_DRW, &v), SIM_ACK_FAULT);
	CHECK_OK(tu_dp_write(c, TU_DP_ABORT, 0x1E) != SIM_ACK_OK);
	CHECK_OK(tu_dp_write(c, TU_DP_CTRL, 0x50000000u) != SIM_ACK_OK);
	CHECK_EQ(tu_dp_read(c, TU_DP_CTRL, &v), SIM_ACK_OK);
	CHECK_EQ(v & 0xF0000000u, 0xF0000000u);
	CHECK_EQ(tu_ap_reg_read(c, 0, 0xFC, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x24770011u);
	sim_chip_free(c);
	return 0;
}

static int t_sticky_fault(void)
{
	sim_chip *c = tu_connected_chip(NULL);
	uint32_t v = 0;

	CHECK(c);
	/* an unmapped address: the posted write is accepted, then FAULT */
	CHECK_EQ(tu_xfer(c, true, false, TU_AP_TAR, &(uint32_t){ 0x30000000u }), SIM_ACK_OK);
	CHECK_EQ(tu_xfer(c, true, false, TU_AP_DRW, &(uint32_t){ 1u }), SIM_ACK_OK);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_RDBUFF, &v), SIM_ACK_FAULT);
	CHECK_EQ(tu_xfer(c, true, true, TU_AP_CSW, &v), SIM_ACK_FAULT);
	CHECK_EQ(tu_xfer(c, false, false, TU_DP_SELECT, &(uint32_t){ 0 }), SIM_ACK_FAULT);
	/* DPIDR, CTRL/STAT reads and ABORT still answer */
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_DPIDR, &v), SIM_ACK_OK);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_CTRL, &v), SIM_ACK_OK);
	CHECK(v & 0x20u); /* STICKYERR */
	/* an ABORT without STKERRCLR leaves it */
	CHECK_EQ(tu_xfer(c, false, false, TU_DP_ABORT, &(uint32_t){ 0x08u }), SIM_ACK_OK);
	CHECK_EQ(tu_xfer(c, true, true, TU_AP_CSW, &v), SIM_ACK_FAULT);
	CHECK_EQ(tu_xfer(c, false, false, TU_DP_ABORT, &(uint32_t){ 0x04u }), SIM_ACK_OK);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_CTRL, &v), SIM_ACK_OK);
	CHECK_EQ(v & 0x20u, 0);
	CHECK_EQ(tu_ap_read(c, TU_AP_CSW, &v), SIM_ACK_OK);
	sim_chip_free(c);
	return 0;
}

static int t_wdata_parity(void)
{
	sim_chip *c = tu_connected_chip(NULL);
	struct sim_swd_packet p = { .request = tu_req(true, false, TU_AP_TAR), .data = 0x20000000u };
	uint32_t v = 0;

	CHECK(c);
	p.parity = (uint8_t)!tu_parity(p.data);
	CHECK_EQ(sim_swd_transfer(c, &p), SIM_ACK_OK); /* ACK precedes the data */
	CHECK_EQ(tu_xfer(c, true, true, TU_AP_TAR, &v), SIM_ACK_FAULT);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_CTRL, &v), SIM_ACK_OK);
	CHECK(v & 0x80u); /* WDATAERR */
	CHECK_EQ(tu_xfer(c, false, false, TU_DP_ABORT, &(uint32_t){ 0x08u }), SIM_ACK_OK);
	CHECK_EQ(tu_ap_read(c, TU_AP_TAR, &v), SIM_ACK_OK);
	CHECK(v != 0x20000000u); /* the bad write was discarded */
	sim_chip_free(c);
	return 0;
}

static int t_posted_reads(void)
{
	sim_chip *c = tu_connected_chip(NULL);
	uint32_t v = 0;

	CHECK(c);
	CHECK_EQ(tu_mem_write32(c, 0x20000000u, 0x11111111u), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, 0x20000004u, 0x22222222u), SIM_ACK_OK);
	CHECK_EQ(tu_ap_write(c, TU_AP_TAR, 0x20000000u), SIM_ACK_OK);
	CHECK_EQ(tu_xfer(c, true, true, TU_AP_DRW, &v), SIM_ACK_OK); /* previous result */
	CHECK_EQ(tu_xfer(c, true, true, TU_AP_DRW, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x11111111u);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_RDBUFF, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x22222222u);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_RDBUFF, &v), SIM_ACK_OK); /* no new access */
	CHECK_EQ(v, 0x22222222u);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_RESEND, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x22222222u);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_CTRL, &v), SIM_ACK_OK);
	CHECK(v & 0x40u); /* READOK */
	sim_chip_free(c);
	return 0;
}

static int t_select_dlcr(void)
{
	sim_chip *c = tu_connected_chip(NULL);
	uint32_t v = 0;

	CHECK(c);
	CHECK_EQ(tu_dp_write(c, TU_DP_SELECT, 0x1u), SIM_ACK_OK); /* DPBANKSEL 1: DLCR */
	CHECK_EQ(tu_dp_write(c, TU_DP_CTRL, 0x100u), SIM_ACK_OK);
	CHECK_EQ(tu_dp_read(c, TU_DP_CTRL, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x100u);
	CHECK_EQ(tu_dp_write(c, TU_DP_SELECT, 0x0u), SIM_ACK_OK);
	CHECK_EQ(tu_dp_read(c, TU_DP_CTRL, &v), SIM_ACK_OK);
	CHECK_EQ(v & 0xF0000000u, 0xF0000000u);
	sim_chip_free(c);
	return 0;
}

static int t_wait_storm(void)
{
	struct sim_config cfg = { .faults = SIM_FAULT_WAIT_STORM, .wait_storm = 3 };
	sim_chip *c = tu_connected_chip(&cfg);
	uint32_t v = 0;

	CHECK(c);
	CHECK_EQ(tu_select(c, 0, 0xF), SIM_ACK_OK);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(tu_xfer(c, true, true, 0xFC, &v), SIM_ACK_WAIT);
	CHECK_EQ(tu_xfer(c, true, true, 0xFC, &v), SIM_ACK_OK);
	CHECK_EQ(tu_xfer(c, false, true, TU_DP_RDBUFF, &v), SIM_ACK_OK);
	CHECK_EQ(v, 0x24770011u);
	sim_chip_free(c);
	return 0;
}

static int t_orundetect(void)
{
	struct sim_config cfg = { .faults = SIM_FAULT_WAIT_STORM, .wait_storm = 1 };
	sim_chip *c = tu_connected_chip(&cfg);
	uint32_t v = 0;

	CHECK(c);
	CHECK_EQ(tu_select(c, 0, 0xF), SIM_ACK_OK);
	CHECK_EQ(tu_dp_write(c, TU_DP_CTRL, 0x50000001u), SIM_ACK_OK);
	CHECK_EQ(tu_xfer(c, true, true, 0xFC, &v), SIM_ACK_WAIT);
	CHECK_EQ(tu_xfer(c, true, true, 0xFC, &v), SIM_ACK_FAULT);
	CHECK_EQ(tu_dp_read(c, TU_DP_CTRL, &v), SIM_ACK_OK);
	CHECK(v & 0x2u); /* STICKYORUN */
	CHECK_EQ(tu_dp_write(c, TU_DP_ABORT, 0x10u), SIM_ACK_OK);
	CHECK_EQ(tu_dp_read(c, TU_DP_CTRL, &v), SIM_ACK_OK);
	CHECK_EQ(v & 0x2u, 0);
	sim_chip_free(c);
	return 0;
}

static int t_no_ack_knobs(void)
{
	static const uint32_t knobs[] = { SIM_FAULT_UNPOWERED, SIM_FAULT_NO_TARGET };

	for (size_t i = 0; i < 2; i++) {
		struct sim_config cfg = { .faults = knobs[i] };
		sim_chip *c = tu_chip(&cfg);
		uint32_t v = 0;

		CHECK(c);
		sim_swd_jtag_to_swd(c);
		CHECK_EQ(tu_xfer(c, false, true, TU_DP_DPIDR, &v), SIM_ACK_NONE);
		CHECK_EQ(sim_board_voltage_mv(c), knobs[i] == SIM_FAULT_UNPOWERED ? 0 : 3300);
		sim_chip_free(c);
	}
	return 0;
}

static int t_signal_integrity(void)
{
	struct sim_config cfg = { .faults = SIM_FAULT_SIGNAL_INTEGRITY, .si_max_khz = 1000 };
	sim_chip *c = tu_connected_chip(&cfg);
	int bad = 0;

	CHECK(c);
	sim_swd_set_clock_khz(c, 4000);
	for (int i = 0; i < 12; i++) {
		uint32_t v = 0;
		int ack = tu_xfer(c, false, true, TU_DP_DPIDR, &v);

		bad += ack != SIM_ACK_OK || v != 0x2BA01477u;
	}
	CHECK_EQ(bad, 12);
	sim_swd_set_clock_khz(c, 1000);
	for (int i = 0; i < 12; i++) {
		uint32_t v = 0;

		CHECK_EQ(tu_xfer(c, false, true, TU_DP_DPIDR, &v), SIM_ACK_OK);
		CHECK_EQ(v, 0x2BA01477u);
	}
	sim_chip_free(c);
	return 0;
}

static int t_max_swd_khz(void)
{
	struct sim_config cfg = { .max_swd_khz = 8000 };
	sim_chip *c = tu_connected_chip(&cfg);
	uint32_t v = 0;
	int bad = 0;

	CHECK(c);
	sim_swd_set_clock_khz(c, 10000);
	for (int i = 0; i < 6; i++)
		bad += tu_xfer(c, false, true, TU_DP_DPIDR, &v) != SIM_ACK_OK;
	CHECK_EQ(bad, 6);
	sim_chip_free(c);
	return 0;
}

static const struct test_case tests[] = {
	{ "jtag_at_power_on", "ADIv5.2 B5.2 SWJ-DP select; RM0090 38.3", t_jtag_at_power_on },
	{ "line_reset_keeps_swd", "ADIv5.2 B4.3 line reset", t_line_reset_keeps_swd },
	{ "swd_to_jtag", "ADIv5.2 B5.2 SWD-to-JTAG 0xE73C", t_swd_to_jtag },
	{ "dpidr_first_after_line_reset", "ADIv5.2 B4.3; RM0090 38.8.3 reset state",
	  t_dpidr_first_after_line_reset },
	{ "request_framing", "ADIv5.2 B4.2 packet request, protocol error", t_request_framing },
	{ "powerup_handshake", "ADIv5.2 B2.2 CTRL/STAT CxxxPWRUPREQ/ACK", t_powerup_handshake },
	{ "sticky_fault", "ADIv5.2 B2.2 STICKYERR, ABORT.STKERRCLR; B4.2 FAULT", t_sticky_fault },
	{ "wdata_parity", "ADIv5.2 B4.2 write data parity, WDATAERR", t_wdata_parity },
	{ "posted_reads", "ADIv5.2 B4.2 posted AP reads, RDBUFF, RESEND; RM0090 38.8.4", t_posted_reads },
	{ "select_dlcr", "ADIv5.2 B2.2 SELECT.DPBANKSEL, DLCR", t_select_dlcr },
	{ "wait_storm", "ADIv5.2 B4.2 WAIT response (wait-storm knob)", t_wait_storm },
	{ "orundetect", "ADIv5.2 B2.2 ORUNDETECT/STICKYORUN, ABORT.ORUNERRCLR", t_orundetect },
	{ "no_ack_knobs", "ADIv5.2 B4.2 no response (unpowered, no-target)", t_no_ack_knobs },
	{ "signal_integrity", "issue 2 knob signal-integrity:KHZ", t_signal_integrity },
	{ "max_swd_khz", "issue 2 board: highest SWD clock of the wiring", t_max_swd_khz },
};

TEST_MAIN("test_sim_dp", tests)
