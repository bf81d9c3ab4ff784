/*
 * Emulated CMSIS-DAP firmware (sim/sim_cmsisdap*.c), driven exactly as a
 * USB host drives a probe: sim_probe_out() with a command packet (for v1 a
 * whole zero-padded 64-byte report), sim_probe_in() for the response.
 * References: CMSIS-DAP 2.1 command descriptions ("CMSIS-DAP"), the
 * reference firmware's behaviour (DAP.c), ADIv5.2 (SW-DP, MEM-AP), RM0090
 * (STM32F407 flash interface) and USB 2.0.
 */
#include "harness.h"
#include "sim_probe.h"

#include <stdlib.h>

#define V1 SIM_PROBE_CMSIS_DAP_V1
#define V2 SIM_PROBE_CMSIS_DAP_V2

/* Transfer request bytes (CMSIS-DAP DAP_Transfer): APnDP b0, RnW b1, A[3:2] */
#define DP_W_ABORT 0x00u
#define DP_R_IDR 0x02u
#define DP_W_CTRL 0x04u
#define DP_R_CTRL 0x06u
#define DP_W_SELECT 0x08u
#define DP_R_RDBUFF 0x0Eu
#define AP_W_CSW 0x01u
#define AP_W_TAR 0x05u
#define AP_W_DRW 0x0Du
#define AP_R_DRW 0x0Fu
#define XF_MATCH_VALUE 0x10u
#define XF_MATCH_MASK 0x20u

#define ACK_OK 1u
#define ACK_WAIT 2u
#define ACK_FAULT 4u
#define ACK_NONE 7u
#define XF_MISMATCH 0x10u

#define STM32F4_DPIDR 0x2BA01477u /* ARM IHI0031 B2.2, SW-DP of M4 */
#define CSW_32_INC 0x23000052u    /* 32-bit, single increment */
#define CTRL_PWRUP_REQ 0x50000000u
#define CTRL_STICKYERR 0x20u
#define SRAM 0x20000000u
#define UNMAPPED 0x30000000u /* reserved in the RM0090 2.3 memory map */

/* RM0090 3.9: flash interface registers */
#define FLASH_KEYR 0x40023C04u
#define FLASH_CR 0x40023C10u
#define FLASH_CR_PG 0x1u
#define FLASH_CR_SER 0x2u
#define FLASH_CR_SNB(n) ((uint32_t)(n) << 3)
#define FLASH_CR_PSIZE_X32 0x200u
#define FLASH_CR_STRT 0x10000u

struct lab {
	sim_chip *chip;
	sim_probe *p;
	enum sim_probe_kind kind;
	uint8_t rsp[1024];
	size_t rn;
};

static int lab_open(struct lab *l, enum sim_probe_kind kind, const char *faults)
{
	struct sim_config cfg = { 0 };
	struct sim_probe_config pc = { .kind = kind };
	char err[256];

	memset(l, 0, sizeof(*l));
	l->kind = kind;
	if (faults && sim_config_parse_faults(&cfg, faults, err, sizeof(err)))
		return test_fail_at(__FILE__, __LINE__, "fault spec %s: %s", faults, err);
	if (sim_chip_new(&cfg, &l->chip, err, sizeof(err)))
		return test_fail_at(__FILE__, __LINE__, "sim_chip_new: %s", err);
	if (sim_probe_new(&pc, l->chip, &l->p))
		return test_fail_at(__FILE__, __LINE__, "sim_probe_new failed");
	return 0;
}

static void lab_close(struct lab *l)
{
	sim_probe_free(l->p);
	sim_chip_free(l->chip);
	l->p = NULL;
	l->chip = NULL;
}

/* Sends one packet as a host would (v1: zero-padded report). */
static int lab_send(struct lab *l, const uint8_t *req, size_t n)
{
	uint8_t report[64] = { 0 };

	if (l->kind == V1 && n <= sizeof(report)) {
		memcpy(report, req, n);
		return sim_probe_out(l->p, report, sizeof(report));
	}
	return sim_probe_out(l->p, req, n);
}

/* Reads one response (one IN transfer) into l->rsp. */
static int lab_recv(struct lab *l)
{
	return sim_probe_in(l->p, l->rsp, sizeof(l->rsp), &l->rn);
}

static int lab_xchg(struct lab *l, const uint8_t *req, size_t n)
{
	int rc = lab_send(l, req, n);

	return rc ? rc : lab_recv(l);
}

#define XCHG(l, ...)                                                                                         \
	do {                                                                                                 \
		static const uint8_t _req[] = { __VA_ARGS__ };                                               \
		CHECK_OK(lab_xchg((l), _req, sizeof(_req)));                                                 \
	} while (0)

static uint32_t rd32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* ---- DAP_Transfer builder --------------------------------------------- */

struct xfer {
	uint8_t b[1024];
	size_t n;
};

static void xf_begin(struct xfer *x)
{
	x->b[0] = 0x05; /* DAP_Transfer */
	x->b[1] = 0;    /* DAP index */
	x->b[2] = 0;    /* count */
	x->n = 3;
}

static void xf_u32(struct xfer *x, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		x->b[x->n++] = (uint8_t)(v >> (8 * i));
}

static void xf_rd(struct xfer *x, uint8_t req)
{
	x->b[2]++;
	x->b[x->n++] = req;
}

static void xf_wr(struct xfer *x, uint8_t req, uint32_t v)
{
	xf_rd(x, req);
	xf_u32(x, v);
}

/* Runs a DAP_Transfer; checks the echo byte. */
static int xf_run(struct lab *l, struct xfer *x)
{
	int rc = lab_xchg(l, x->b, x->n);

	if (rc)
		return test_fail_at(__FILE__, __LINE__, "exchange failed: %d", rc);
	if (l->rn < 3 || l->rsp[0] != 0x05)
		return test_fail_at(__FILE__, __LINE__, "bad DAP_Transfer response 0x%02x len %zu", l->rsp[0],
				    l->rn);
	return 0;
}

/* Connect, JTAG-to-SWD, DPIDR, clear errors, power up debug (waiting with
 * a value-match read), select AP 0 and set CSW to 32-bit auto-increment. */
static int swd_up(struct lab *l)
{
	struct xfer x;

	XCHG(l, 0x02, 0x01);
	CHECK_EQ(l->rsp[1], 1);
	XCHG(l, 0x04, 0x00, 0x64, 0x00, 0x64, 0x00); /* idle 0, retry 100, match retry 100 */
	XCHG(l, 0x12, 136, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x9E, 0xE7, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	     0xFF, 0xFF, 0x00);
	CHECK_EQ(l->rsp[1], 0x00);
	xf_begin(&x);
	xf_rd(&x, DP_R_IDR);
	xf_wr(&x, DP_W_ABORT, 0x1E);
	xf_wr(&x, DP_W_CTRL, CTRL_PWRUP_REQ);
	xf_wr(&x, XF_MATCH_MASK, 0xF0000000u);
	xf_wr(&x, DP_R_CTRL | XF_MATCH_VALUE, 0xF0000000u);
	xf_wr(&x, DP_W_SELECT, 0);
	xf_wr(&x, AP_W_CSW, CSW_32_INC);
	CHECK_OK(xf_run(l, &x));
	CHECK_EQ(l->rsp[2], ACK_OK);
	CHECK_EQ(l->rsp[1], 7);
	CHECK_EQ(rd32(l->rsp + 3), STM32F4_DPIDR);
	return 0;
}

/* Writes words to target memory through TAR/DRW (auto-increment). */
static int mem_write(struct lab *l, uint32_t addr, const uint32_t *w, unsigned n)
{
	struct xfer x;

	xf_begin(&x);
	xf_wr(&x, AP_W_TAR, addr);
	for (unsigned i = 0; i < n; i++)
		xf_wr(&x, AP_W_DRW, w[i]);
	CHECK_OK(xf_run(l, &x));
	CHECK_EQ(l->rsp[2], ACK_OK);
	CHECK_EQ(l->rsp[1], n + 1);
	return 0;
}

static uint64_t modelled_ns(const struct lab *l)
{
	struct sim_probe_stats st;

	sim_probe_get_stats(l->p, &st);
	return st.modelled_ns;
}

static uint64_t swd_count(const struct lab *l)
{
	struct sim_probe_stats st;

	sim_probe_get_stats(l->p, &st);
	return st.swd_transfers;
}

/* ---- Table: command -> response, on a target that is not connected ---- */

struct cmd_row {
	const char *name;
	enum sim_probe_kind kind;
	uint8_t req[16];
	size_t req_len;
	uint8_t rsp[16];
	size_t rsp_len;
};

#define ROW(nm, k, rq, rs)                                                                                   \
	{                                                                                                    \
		nm, k, rq, sizeof((uint8_t[])rq), rs, sizeof((uint8_t[])rs)                                  \
	}
#define B(...)                                                                                               \
	{                                                                                                    \
		__VA_ARGS__                                                                                  \
	}

static const struct cmd_row cmd_rows[] = {
	/* DAP_Info (CMSIS-DAP "DAP_Info"): strings count their NUL */
	ROW("info vendor", V2, B(0x00, 0x01), B(0x00, 9, 's', 'w', 'd', 'd', ' ', 'l', 'a', 'b', 0)),
	ROW("info protocol v1", V1, B(0x00, 0x04), B(0x00, 6, '1', '.', '3', '.', '0', 0)),
	ROW("info protocol v2", V2, B(0x00, 0x04), B(0x00, 6, '2', '.', '1', '.', '0', 0)),
	ROW("info caps v1", V1, B(0x00, 0xF0), B(0x00, 1, 0x11)),
	ROW("info caps v2", V2, B(0x00, 0xF0), B(0x00, 2, 0x11, 0x00)),
	ROW("info packet count v1", V1, B(0x00, 0xFE), B(0x00, 1, 4)),
	ROW("info packet count v2", V2, B(0x00, 0xFE), B(0x00, 1, 8)),
	ROW("info packet size v1", V1, B(0x00, 0xFF), B(0x00, 2, 0x40, 0x00)),
	ROW("info packet size v2", V2, B(0x00, 0xFF), B(0x00, 2, 0x00, 0x02)),
	ROW("info target name n/a", V2, B(0x00, 0x06), B(0x00, 0)),
	ROW("info timer n/a", V2, B(0x00, 0xF1), B(0x00, 0)),
	/* General commands */
	ROW("host status led", V2, B(0x01, 0x00, 0x01), B(0x01, 0x00)),
	ROW("host status bad type", V2, B(0x01, 0x02, 0x01), B(0x01, 0xFF)),
	ROW("connect default=swd", V2, B(0x02, 0x00), B(0x02, 0x01)),
	ROW("connect jtag refused", V2, B(0x02, 0x02), B(0x02, 0x00)),
	ROW("disconnect", V2, B(0x03), B(0x03, 0x00)),
	ROW("transfer configure", V2, B(0x04, 0x00, 0x64, 0x00, 0x00, 0x00), B(0x04, 0x00)),
	ROW("delay", V1, B(0x09, 0x10, 0x00), B(0x09, 0x00)),
	ROW("reset target: no sequence", V2, B(0x0A), B(0x0A, 0x00, 0x00)),
	ROW("swj clock 1 MHz", V2, B(0x11, 0x40, 0x42, 0x0F, 0x00), B(0x11, 0x00)),
	ROW("swj clock 0 refused", V2, B(0x11, 0, 0, 0, 0), B(0x11, 0xFF)),
	ROW("swj sequence", V2, B(0x12, 0x08, 0xFF), B(0x12, 0x00)),
	ROW("swd configure", V2, B(0x13, 0x00), B(0x13, 0x00)),
	ROW("swd sequence out", V2, B(0x1D, 0x01, 0x08, 0xFF), B(0x1D, 0x00)),
	/* Not connected: the reference's dummy transfer answers 0 / 0 */
	ROW("transfer unconnected", V2, B(0x05, 0x00, 0x01, 0x02), B(0x05, 0x00, 0x00)),
	ROW("block unconnected", V2, B(0x06, 0x00, 0x01, 0x00, 0x0F), B(0x06, 0x00, 0x00, 0x00)),
	ROW("write abort unconnected", V2, B(0x08, 0x00, 0x1E, 0, 0, 0), B(0x08, 0xFF)),
	/* Batching */
	ROW("execute commands", V2, B(0x7F, 0x02, 0x01, 0x00, 0x01, 0x03),
	    B(0x7F, 0x02, 0x01, 0x00, 0x03, 0x00)),
	ROW("execute nested is invalid", V2, B(0x7F, 0x01, 0x7F), B(0x7F, 0x01, 0xFF)),
	/* Unknown, unmodelled and malformed commands: a single 0xFF */
	ROW("unknown command", V2, B(0x42), B(0xFF)),
	ROW("unknown command v1", V1, B(0x42), B(0xFF)),
	ROW("vendor command", V2, B(0x80), B(0xFF)),
	ROW("jtag sequence unmodelled", V2, B(0x14, 0x01, 0x01, 0x00), B(0xFF)),
	ROW("truncated transfer configure", V2, B(0x04, 0x00), B(0xFF)),
	ROW("truncated swj sequence", V2, B(0x12, 0x10, 0xFF), B(0xFF)),
	ROW("truncated transfer", V2, B(0x05, 0x00, 0x02, 0x02), B(0xFF)),
	ROW("truncated block write", V2, B(0x06, 0x00, 0x02, 0x00, 0x0D, 1, 2, 3, 4), B(0xFF)),
	ROW("swd sequence input unmodelled", V2, B(0x1D, 0x01, 0x88), B(0xFF)),
	ROW("block read over v1 packet", V1, B(0x06, 0x00, 0x10, 0x00, 0x0F), B(0xFF)),
	ROW("block read over v2 packet", V2, B(0x06, 0x00, 0x80, 0x00, 0x0F), B(0xFF)),
};

static int run_cmd_row(const struct cmd_row *r)
{
	struct lab l;
	int rc = lab_open(&l, r->kind, NULL);

	if (rc)
		return rc;
	rc = lab_xchg(&l, r->req, r->req_len);
	if (!rc && (l.rn < r->rsp_len || memcmp(l.rsp, r->rsp, r->rsp_len)))
		rc = test_fail_at(__FILE__, __LINE__, "%s: response %02x %02x %02x (len %zu) differs",
				  r->name, l.rsp[0], l.rsp[1], l.rsp[2], l.rn);
	else if (!rc && l.rn != (r->kind == V1 ? 64u : r->rsp_len))
		rc = test_fail_at(__FILE__, __LINE__, "%s: response length %zu", r->name, l.rn);
	else if (rc)
		rc = test_fail_at(__FILE__, __LINE__, "%s: exchange returned %d", r->name, rc);
	lab_close(&l);
	return rc;
}

static int test_command_table(void)
{
	for (size_t i = 0; i < sizeof(cmd_rows) / sizeof(cmd_rows[0]); i++) {
		int rc = run_cmd_row(&cmd_rows[i]);
		if (rc)
			return rc;
	}
	return 0;
}

/* USB identity: what the host's discovery looks at (CMSIS-DAP documentation, "Configure USB peripheral"). */
static int test_usb_identity(void)
{
	struct lab l;
	const struct sim_usb_identity *u;

	CHECK_OK(lab_open(&l, V1, NULL));
	u = sim_probe_usb(l.p);
	CHECK(u->hid);
	CHECK_EQ(u->report_size, 64);
	CHECK_EQ(u->hid_interval_ms, 1);
	CHECK_STR_CONTAINS(u->product, "CMSIS-DAP");
	CHECK_EQ(strlen(u->serial), 24);
	lab_close(&l);
	CHECK_OK(lab_open(&l, V2, NULL));
	u = sim_probe_usb(l.p);
	CHECK(!u->hid);
	CHECK(!u->high_speed);
	CHECK_EQ(u->max_packet, 64);
	CHECK_STR_CONTAINS(u->interface_name, "CMSIS-DAP v2");
	XCHG(&l, 0x00, 0x03);
	CHECK_EQ(l.rsp[1], 25);
	CHECK(!memcmp(l.rsp + 2, u->serial, 25));
	lab_close(&l);
	return 0;
}

static int test_connect_reads_dpidr(void)
{
	struct lab l;

	CHECK_OK(lab_open(&l, V2, NULL));
	CHECK_OK(swd_up(&l));
	lab_close(&l);
	CHECK_OK(lab_open(&l, V1, NULL));
	CHECK_OK(swd_up(&l));
	lab_close(&l);
	return 0;
}

/* Posted AP reads are hidden: values come back in request order, and the
 * wire carries exactly the packets the reference firmware clocks. */
static int test_posted_read_order(void)
{
	static const uint32_t w[3] = { 0x11111111u, 0x22222222u, 0x33333333u };
	struct lab l;
	struct xfer x;
	uint64_t before;

	CHECK_OK(lab_open(&l, V2, NULL));
	CHECK_OK(swd_up(&l));
	CHECK_OK(mem_write(&l, SRAM, w, 3));
	xf_begin(&x);
	xf_wr(&x, AP_W_TAR, SRAM); /* 1 packet */
	xf_rd(&x, AP_R_DRW);       /* 1: posts w0 */
	xf_rd(&x, AP_R_DRW);       /* 1: returns w0, posts w1 */
	xf_rd(&x, DP_R_CTRL);      /* 2: RDBUFF returns w1, then CTRL/STAT */
	xf_rd(&x, AP_R_DRW);       /* 1: posts w2 */
	xf_wr(&x, AP_W_TAR, SRAM); /* 2: RDBUFF returns w2, then the write */
	xf_rd(&x, AP_R_DRW);       /* 1: posts w0; the end reads RDBUFF (1) */
	before = swd_count(&l);
	CHECK_OK(xf_run(&l, &x));
	CHECK_EQ(l.rsp[1], 7);
	CHECK_EQ(l.rsp[2], ACK_OK);
	CHECK_EQ(l.rn, 3 + 5 * 4);
	CHECK_EQ(rd32(l.rsp + 3), w[0]);
	CHECK_EQ(rd32(l.rsp + 7), w[1]);
	CHECK_EQ(rd32(l.rsp + 11) & 0xF0000000u, 0xF0000000u);
	CHECK_EQ(rd32(l.rsp + 15), w[2]);
	CHECK_EQ(rd32(l.rsp + 19), w[0]);
	CHECK_EQ(swd_count(&l) - before, 10);
	lab_close(&l);
	return 0;
}

/* Writes end with one RDBUFF read collecting the last posted write's ACK. */
static int test_check_write(void)
{
	struct lab l;
	struct xfer x;
	uint64_t before;

	CHECK_OK(lab_open(&l, V2, NULL));
	CHECK_OK(swd_up(&l));
	xf_begin(&x);
	xf_wr(&x, AP_W_TAR, SRAM);
	xf_wr(&x, AP_W_DRW, 0xCAFEF00Du);
	before = swd_count(&l);
	CHECK_OK(xf_run(&l, &x));
	CHECK_EQ(l.rsp[1], 2);
	CHECK_EQ(l.rsp[2], ACK_OK);
	CHECK_EQ(l.rn, 3);
	CHECK_EQ(swd_count(&l) - before, 3);
	lab_close(&l);
	return 0;
}

static int test_block_roundtrip(void)
{
	static const enum sim_probe_kind kinds[] = { V1, V2 };
	static const unsigned words[] = { 15, 127 }; /* the most each packet holds */

	for (int k = 0; k < 2; k++) {
		struct lab l;
		uint8_t req[600] = { 0x06, 0x00, (uint8_t)words[k], 0x00, AP_W_DRW };
		struct xfer x;

		CHECK_OK(lab_open(&l, kinds[k], NULL));
		CHECK_OK(swd_up(&l));
		xf_begin(&x);
		xf_wr(&x, AP_W_TAR, SRAM);
		CHECK_OK(xf_run(&l, &x));
		for (unsigned i = 0; i < words[k] && 5 + 4 * i + 3 < sizeof(req); i++)
			for (int b = 0; b < 4; b++)
				req[5 + 4 * i + b] = (uint8_t)((0xA5000000u + i) >> (8 * b));
		/* a write packet holds (size - 5) / 4 words: 14 (v1), 126 (v2) */
		unsigned written = words[k] - 1;
		req[2] = (uint8_t)written;
		CHECK_OK(lab_xchg(&l, req, 5 + 4 * written));
		CHECK_EQ(l.rsp[0], 0x06);
		CHECK_EQ(l.rsp[1] | l.rsp[2] << 8, written);
		CHECK_EQ(l.rsp[3], ACK_OK);
		req[2] = (uint8_t)(written + 1); /* one word more does not fit */
		CHECK_OK(lab_xchg(&l, req, 5 + 4 * (written + 1)));
		CHECK_EQ(l.rsp[0], 0xFF);
		CHECK_OK(xf_run(&l, &x));
		uint8_t rd[5] = { 0x06, 0x00, (uint8_t)words[k], 0x00, AP_R_DRW };
		CHECK_OK(lab_xchg(&l, rd, sizeof(rd)));
		CHECK_EQ(l.rsp[1] | l.rsp[2] << 8, words[k]);
		CHECK_EQ(l.rsp[3], ACK_OK);
		for (unsigned i = 0; i < written; i++)
			CHECK_EQ(rd32(l.rsp + 4 + 4 * i), 0xA5000000u + i);
		lab_close(&l);
	}
	return 0;
}

/* A read of unmapped memory: the AP read itself is accepted (posted), the
 * bus error shows as FAULT on the RDBUFF that collects it; STICKYERR then
 * fails every AP access until ABORT clears it (ADIv5.2 B2.2.4, B4.2.4). */
static int test_fault_unmapped(void)
{
	struct lab l;
	struct xfer x;

	CHECK_OK(lab_open(&l, V2, NULL));
	CHECK_OK(swd_up(&l));
	xf_begin(&x);
	xf_wr(&x, AP_W_TAR, UNMAPPED);
	xf_rd(&x, AP_R_DRW);
	CHECK_OK(xf_run(&l, &x));
	CHECK_EQ(l.rsp[1], 2);
	CHECK_EQ(l.rsp[2], ACK_FAULT);
	CHECK_EQ(l.rn, 3);
	/* sticky: the next AP read faults at once, nothing done */
	xf_begin(&x);
	xf_rd(&x, AP_R_DRW);
	xf_rd(&x, DP_R_IDR);
	CHECK_OK(xf_run(&l, &x));
	CHECK_EQ(l.rsp[1], 0);
	CHECK_EQ(l.rsp[2], ACK_FAULT);
	/* CTRL/STAT still reads, with STICKYERR; WriteABORT clears it */
	xf_begin(&x);
	xf_rd(&x, DP_R_CTRL);
	CHECK_OK(xf_run(&l, &x));
	CHECK_EQ(l.rsp[2], ACK_OK);
	CHECK(rd32(l.rsp + 3) & CTRL_STICKYERR);
	XCHG(&l, 0x08, 0x00, 0x1E, 0x00, 0x00, 0x00);
	CHECK_EQ(l.rsp[1], 0x00);
	CHECK_OK(xf_run(&l, &x));
	CHECK(!(rd32(l.rsp + 3) & CTRL_STICKYERR));
	/* block read of unmapped memory: count 0, FAULT */
	xf_begin(&x);
	xf_wr(&x, AP_W_TAR, UNMAPPED);
	CHECK_OK(xf_run(&l, &x));
	XCHG(&l, 0x06, 0x00, 0x04, 0x00, AP_R_DRW);
	CHECK_EQ(l.rsp[1] | l.rsp[2] << 8, 0);
	CHECK_EQ(l.rsp[3], ACK_FAULT);
	CHECK_EQ(l.rn, 4);
	XCHG(&l, 0x08, 0x00, 0x1E, 0x00, 0x00, 0x00);
	/* a posted write to unmapped memory: both writes done, the final
	 * RDBUFF check reports the FAULT */
	xf_begin(&x);
	xf_wr(&x, AP_W_TAR, UNMAPPED);
	xf_wr(&x, AP_W_DRW, 1);
	CHECK_OK(xf_run(&l, &x));
	CHECK_EQ(l.rsp[1], 2);
	CHECK_EQ(l.rsp[2], ACK_FAULT);
	lab_close(&l);
	return 0;
}

static int test_wait_storm_retry(void)
{
	struct lab l;
	struct xfer x;

	CHECK_OK(lab_open(&l, V2, "wait-storm:5"));
	CHECK_OK(swd_up(&l));
	xf_begin(&x);
	xf_wr(&x, AP_W_TAR, SRAM);
	xf_rd(&x, AP_R_DRW);
	CHECK_OK(xf_run(&l, &x));
	CHECK_EQ(l.rsp[1], 2);
	CHECK_EQ(l.rsp[2], ACK_OK);
	XCHG(&l, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00); /* retry 3: 4 tries < 6 needed */
	uint64_t before = swd_count(&l);
	xf_begin(&x);
	xf_rd(&x, AP_R_DRW);
	CHECK_OK(xf_run(&l, &x));
	CHECK_EQ(l.rsp[1], 0);
	CHECK_EQ(l.rsp[2], ACK_WAIT);
	CHECK_EQ(swd_count(&l) - before, 4);
	lab_close(&l);
	return 0;
}

/* RM0090 3.5.1: the two keys unlock FLASH_CR. */
static void xf_flash_unlock(struct xfer *x)
{
	xf_begin(x);
	xf_wr(x, AP_W_TAR, FLASH_KEYR);
	xf_wr(x, AP_W_DRW, 0x45670123u);
	xf_wr(x, AP_W_TAR, FLASH_KEYR);
	xf_wr(x, AP_W_DRW, 0xCDEF89ABu);
}

/* Flash BSY stalls the AHB: the AP answers WAIT (RM0090 3.5.4; the erase
 * time of a 16 KiB sector is 250 ms typ. in DS8626), so 100 retries at
 * 1 MHz (~1.4 ms) run out, 65535 retries (~0.9 s) outlast the erase. */
static int test_wait_flash_busy(void)
{
	struct lab l;
	struct xfer x;

	CHECK_OK(lab_open(&l, V2, NULL));
	CHECK_OK(swd_up(&l));
	xf_flash_unlock(&x);
	xf_wr(&x, AP_W_TAR, FLASH_CR);
	xf_wr(&x, AP_W_DRW, FLASH_CR_PSIZE_X32 | FLASH_CR_SER | FLASH_CR_SNB(1));
	xf_wr(&x, AP_W_TAR, FLASH_CR); /* TAR auto-incremented past CR */
	xf_wr(&x, AP_W_DRW, FLASH_CR_PSIZE_X32 | FLASH_CR_SER | FLASH_CR_SNB(1) | FLASH_CR_STRT);
	xf_wr(&x, AP_W_TAR, 0x08004000u);
	xf_rd(&x, AP_R_DRW);
	CHECK_OK(xf_run(&l, &x));
	CHECK_EQ(l.rsp[2], ACK_WAIT);
	CHECK_EQ(l.rsp[1], 10); /* the read was posted; the final RDBUFF waits */
	XCHG(&l, 0x04, 0x00, 0xFF, 0xFF, 0x00, 0x00);
	xf_begin(&x);
	xf_wr(&x, AP_W_TAR, 0x08004000u);
	xf_rd(&x, AP_R_DRW);
	CHECK_OK(xf_run(&l, &x));
	CHECK_EQ(l.rsp[2], ACK_OK);
	CHECK_EQ(rd32(l.rsp + 3), 0xFFFFFFFFu);
	lab_close(&l);
	return 0;
}

/* Word programming (RM0090 3.6.4): reading the word right after the write
 * meets BSY (16 us typ.), WAITs, and gets the new value within 100 retries. */
static int test_wait_flash_program(void)
{
	struct lab l;
	struct xfer x;

	CHECK_OK(lab_open(&l, V2, NULL));
	CHECK_OK(swd_up(&l));
	xf_flash_unlock(&x);
	xf_wr(&x, AP_W_TAR, FLASH_CR);
	xf_wr(&x, AP_W_DRW, FLASH_CR_PSIZE_X32 | FLASH_CR_PG);
	xf_wr(&x, AP_W_TAR, 0x08008000u);
	xf_wr(&x, AP_W_DRW, 0x12345678u);
	xf_wr(&x, AP_W_TAR, 0x08008000u);
	xf_rd(&x, AP_R_DRW);
	CHECK_OK(xf_run(&l, &x));
	CHECK_EQ(l.rsp[2], ACK_OK);
	CHECK_EQ(l.rsp[1], 10);
	CHECK_EQ(rd32(l.rsp + 3), 0x12345678u);
	lab_close(&l);
	return 0;
}

static int no_ack_case(const char *fault)
{
	struct lab l;
	struct xfer x;

	CHECK_OK(lab_open(&l, V2, fault));
	XCHG(&l, 0x02, 0x01);
	CHECK_EQ(l.rsp[1], 1); /* the probe cannot tell */
	xf_begin(&x);
	xf_rd(&x, DP_R_IDR);
	CHECK_OK(xf_run(&l, &x));
	CHECK_EQ(l.rsp[1], 0);
	CHECK_EQ(l.rsp[2], ACK_NONE);
	CHECK_EQ(l.rn, 3);
	XCHG(&l, 0x06, 0x00, 0x02, 0x00, DP_R_IDR);
	CHECK_EQ(l.rsp[3], ACK_NONE);
	lab_close(&l);
	return 0;
}

static int test_no_target(void)
{
	return no_ack_case("no-target");
}

static int test_unpowered(void)
{
	return no_ack_case("unpowered");
}

static int test_value_mismatch(void)
{
	struct lab l;
	struct xfer x;
	uint64_t before;

	CHECK_OK(lab_open(&l, V2, NULL));
	CHECK_OK(swd_up(&l));
	XCHG(&l, 0x04, 0x00, 0x64, 0x00, 0x02, 0x00); /* match retry 2 */
	xf_begin(&x);
	xf_wr(&x, XF_MATCH_MASK, 0xFFFFFFFFu);
	xf_wr(&x, DP_R_IDR | XF_MATCH_VALUE, 0x12345678u);
	before = swd_count(&l);
	CHECK_OK(xf_run(&l, &x));
	CHECK_EQ(l.rsp[1], 1);
	CHECK_EQ(l.rsp[2], ACK_OK | XF_MISMATCH);
	CHECK_EQ(swd_count(&l) - before, 3);
	xf_begin(&x);
	xf_wr(&x, DP_R_IDR | XF_MATCH_VALUE, STM32F4_DPIDR);
	CHECK_OK(xf_run(&l, &x));
	CHECK_EQ(l.rsp[1], 1);
	CHECK_EQ(l.rsp[2], ACK_OK);
	CHECK_EQ(l.rn, 3); /* a match read returns no data */
	lab_close(&l);
	return 0;
}

/* SWJ_Pins bit 7 drives nRESET; the input byte reads the line back. */
static int test_nrst(void)
{
	struct lab l;
	struct sim_chip_stats a, b;

	CHECK_OK(lab_open(&l, V2, NULL));
	sim_chip_get_stats(sim_probe_chip(l.p), &a);
	XCHG(&l, 0x10, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00);
	CHECK_EQ(l.rsp[1] & 0x80, 0x00);
	XCHG(&l, 0x10, 0x80, 0x80, 0x00, 0x00, 0x00, 0x00);
	CHECK_EQ(l.rsp[1] & 0x80, 0x80);
	sim_chip_get_stats(sim_probe_chip(l.p), &b);
	CHECK(b.resets > a.resets);
	/* DAP_Connect drives nRESET high (PORT_SWD_SETUP): it ends a reset
	 * asserted before it, so a host connecting under reset asserts NRST
	 * after DAP_Connect. */
	XCHG(&l, 0x10, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00);
	CHECK_EQ(l.rsp[1] & 0x80, 0x00);
	XCHG(&l, 0x02, 0x01);
	XCHG(&l, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00); /* read the pins only */
	CHECK_EQ(l.rsp[1] & 0x80, 0x80);
	lab_close(&l);
	return 0;
}

/* A supervisor drives NRST push-pull: the probe's nRESET has no effect, the
 * line reads high, and a wait for it runs the whole wait time. */
static int test_nrst_push_pull(void)
{
	struct lab l;
	struct sim_chip_stats a, b;
	uint64_t t0;

	CHECK_OK(lab_open(&l, V2, "nrst-push-pull"));
	sim_chip_get_stats(sim_probe_chip(l.p), &a);
	t0 = modelled_ns(&l);
	XCHG(&l, 0x10, 0x00, 0x80, 0xE8, 0x03, 0x00, 0x00); /* wait 1000 us */
	CHECK_EQ(l.rsp[1] & 0x80, 0x80);
	CHECK(modelled_ns(&l) - t0 >= 1000000u);
	XCHG(&l, 0x10, 0x80, 0x80, 0x00, 0x00, 0x00, 0x00);
	sim_chip_get_stats(sim_probe_chip(l.p), &b);
	CHECK_EQ(b.resets, a.resets);
	lab_close(&l);
	return 0;
}

/* QueueCommands packets wait, unanswered, until a packet of another kind
 * arrives; then each answers as ExecuteCommands, in order. */
static int test_queue_commands(void)
{
	static const uint8_t q1[] = { 0x7E, 0x01, 0x00, 0xFE };
	static const uint8_t q2[] = { 0x7E, 0x02, 0x01, 0x00, 0x01, 0x01, 0x02, 0x01 };
	static const uint8_t last[] = { 0x03 };
	static const enum sim_probe_kind kinds[] = { V1, V2 };

	for (int k = 0; k < 2; k++) {
		struct lab l;

		CHECK_OK(lab_open(&l, kinds[k], NULL));
		CHECK_OK(lab_send(&l, q1, sizeof(q1)));
		CHECK_OK(lab_send(&l, q2, sizeof(q2)));
		CHECK_EQ(lab_recv(&l), SIM_PROBE_EAGAIN);
		CHECK_OK(lab_send(&l, last, sizeof(last)));
		CHECK_OK(lab_recv(&l));
		CHECK_EQ(l.rn, kinds[k] == V1 ? 64 : 5);
		CHECK(!memcmp(l.rsp, (uint8_t[]){ 0x7F, 0x01, 0x00, 0x01, kinds[k] == V1 ? 4 : 8 }, 5));
		CHECK_OK(lab_recv(&l));
		CHECK(!memcmp(l.rsp, (uint8_t[]){ 0x7F, 0x02, 0x01, 0x00, 0x01, 0xFF }, 6));
		CHECK_OK(lab_recv(&l));
		CHECK(!memcmp(l.rsp, (uint8_t[]){ 0x03, 0x00 }, 2));
		CHECK_EQ(lab_recv(&l), SIM_PROBE_EAGAIN);
		lab_close(&l);
	}
	return 0;
}

/* TransferAbort has no response; an oversize packet answers 0xFF. */
static int test_abort_and_oversize(void)
{
	struct lab l;
	uint8_t big[600] = { 0x00, 0x04 };

	CHECK_OK(lab_open(&l, V2, NULL));
	CHECK_OK(lab_send(&l, (uint8_t[]){ 0x07 }, 1));
	CHECK_EQ(lab_recv(&l), SIM_PROBE_EAGAIN);
	CHECK_OK(lab_xchg(&l, big, 513));
	CHECK_EQ(l.rn, 1);
	CHECK_EQ(l.rsp[0], 0xFF);
	/* a queued packet still answers first */
	CHECK_OK(lab_send(&l, (uint8_t[]){ 0x7E, 0x01, 0x03 }, 3));
	CHECK_OK(lab_xchg(&l, big, 513));
	CHECK(!memcmp(l.rsp, (uint8_t[]){ 0x7F, 0x01, 0x03, 0x00 }, 4));
	CHECK_OK(lab_recv(&l));
	CHECK_EQ(l.rn, 1);
	CHECK_EQ(l.rsp[0], 0xFF);
	lab_close(&l);
	return 0;
}

/* Pipelined commands: each IN transfer returns one response, never two. */
static int test_reply_boundaries(void)
{
	struct lab l;

	CHECK_OK(lab_open(&l, V2, NULL));
	CHECK_OK(lab_send(&l, (uint8_t[]){ 0x01, 0x00, 0x01 }, 3));
	CHECK_OK(lab_send(&l, (uint8_t[]){ 0x0A }, 1));
	CHECK_OK(lab_recv(&l));
	CHECK_EQ(l.rn, 2);
	CHECK_OK(lab_recv(&l));
	CHECK_EQ(l.rn, 3);
	CHECK_EQ(l.rsp[0], 0x0A);
	lab_close(&l);
	return 0;
}

/* Timing: an HID round trip waits for the 1 ms polling interval twice
 * (USB 2.0 5.7.4); a bulk one fits in one frame; the SWD clock shortens the
 * wire time of a transfer (ADIv5.2 B4.2: 46 bits per read). */
static int test_timing(void)
{
	struct lab l;
	uint64_t t0, slow, fast;
	struct xfer x;

	CHECK_OK(lab_open(&l, V1, NULL));
	XCHG(&l, 0x01, 0x00, 0x01);
	t0 = modelled_ns(&l);
	XCHG(&l, 0x01, 0x00, 0x01);
	CHECK(modelled_ns(&l) - t0 >= 1000000u);
	CHECK(modelled_ns(&l) - t0 <= 2100000u);
	t0 = modelled_ns(&l);
	XCHG(&l, 0x09, 0xD0, 0x07); /* DAP_Delay 2000 us */
	CHECK(modelled_ns(&l) - t0 >= 2000000u);
	lab_close(&l);

	CHECK_OK(lab_open(&l, V2, NULL));
	CHECK_OK(swd_up(&l));
	xf_begin(&x);
	for (int i = 0; i < 120; i++) /* 120 reads: far more than a frame of jitter */
		xf_rd(&x, DP_R_IDR);
	t0 = modelled_ns(&l);
	CHECK_OK(xf_run(&l, &x));
	slow = modelled_ns(&l) - t0;
	CHECK(slow >= 120 * 46000u);
	XCHG(&l, 0x11, 0x00, 0x09, 0x3D, 0x00); /* 4 MHz */
	t0 = modelled_ns(&l);
	CHECK_OK(xf_run(&l, &x));
	fast = modelled_ns(&l) - t0;
	CHECK(slow - fast >= 120 * 34500u - 1000000u);
	lab_close(&l);
	return 0;
}

/* Above the wiring's clock limit the chip garbles ACKs and read data: a bad
 * ACK ends the transfer with that ACK value, bad read parity with response
 * bit 3 (SWD protocol error), count 0 (DAP.c / SW_DP.c). */
static int test_protocol_error(void)
{
	struct lab l;
	struct xfer x;
	unsigned seen_ack = 0, seen_parity = 0;

	CHECK_OK(lab_open(&l, V2, "signal-integrity:1000"));
	CHECK_OK(swd_up(&l));
	XCHG(&l, 0x11, 0x00, 0x09, 0x3D, 0x00); /* 4 MHz: too fast */
	xf_begin(&x);
	xf_rd(&x, DP_R_IDR);
	for (int i = 0; i < 6; i++) {
		CHECK_OK(xf_run(&l, &x));
		CHECK_EQ(l.rsp[1], 0);
		CHECK(l.rsp[2] != ACK_OK);
		if (l.rsp[2] == 0x08)
			seen_parity++;
		else if (l.rsp[2] != ACK_WAIT && l.rsp[2] != ACK_FAULT)
			seen_ack++;
	}
	CHECK(seen_ack > 0 && seen_parity > 0);
	XCHG(&l, 0x11, 0x40, 0x42, 0x0F, 0x00); /* back to 1 MHz */
	CHECK_OK(xf_run(&l, &x));
	CHECK_EQ(l.rsp[2], ACK_OK);
	CHECK_EQ(rd32(l.rsp + 3), STM32F4_DPIDR);
	lab_close(&l);
	return 0;
}

/* Stats count what crossed the USB and the wire. */
static int test_stats_and_unplug(void)
{
	struct lab l;
	struct sim_probe_stats a, b;

	CHECK_OK(lab_open(&l, V2, NULL));
	sim_probe_get_stats(l.p, &a);
	XCHG(&l, 0x00, 0xFF);
	sim_probe_get_stats(l.p, &b);
	CHECK_EQ(b.usb_transactions - a.usb_transactions, 2);
	CHECK_EQ(b.bytes_out - a.bytes_out, 2);
	CHECK_EQ(b.bytes_in - a.bytes_in, 4);
	CHECK_EQ(b.commands - a.commands, 1);
	CHECK(b.modelled_ns > a.modelled_ns);
	sim_probe_unplug(l.p);
	CHECK_EQ(lab_send(&l, (uint8_t[]){ 0x00, 0xFF }, 2), SIM_PROBE_ENODEV);
	CHECK_EQ(lab_recv(&l), SIM_PROBE_ENODEV);
	lab_close(&l);
	return 0;
}

/* Pipelining (DAP_Info packet count): four TransferBlock reads sent
 * before their replies are collected overlap the USB transfers with the
 * probe's execution, so they take less modelled time than the same four
 * sent one by one; the replies still arrive in order and complete. */
static int pipelined_blocks(struct lab *l, bool pipelined, uint64_t *ns)
{
	static const uint8_t tar[] = { 0x05, 0x00, 0x01, 0x05, 0x00, 0x00, 0x00, 0x20 };
	static const uint8_t blk[] = { 0x06, 0x00, 100, 0x00, 0x0F };
	uint64_t t0;

	CHECK_OK(lab_xchg(l, tar, sizeof(tar)));
	t0 = sim_chip_now_ns(l->chip);
	for (int i = 0; i < 4; i++) {
		CHECK_OK(lab_send(l, blk, sizeof(blk)));
		if (!pipelined) {
			CHECK_OK(lab_recv(l));
			CHECK_EQ(l->rsp[1] | l->rsp[2] << 8, 100);
		}
	}
	for (int i = 0; pipelined && i < 4; i++) {
		CHECK_OK(lab_recv(l));
		CHECK_EQ(l->rn, 4 + 400);
		CHECK_EQ(l->rsp[1] | l->rsp[2] << 8, 100);
		CHECK_EQ(l->rsp[3], ACK_OK);
	}
	*ns = sim_chip_now_ns(l->chip) - t0;
	return 0;
}

static int test_pipelining_overlaps(void)
{
	struct lab l;
	uint64_t seq, pip;

	CHECK_OK(lab_open(&l, V2, NULL));
	CHECK_OK(swd_up(&l));
	CHECK_OK(pipelined_blocks(&l, false, &seq));
	CHECK_OK(pipelined_blocks(&l, true, &pip));
	CHECK(pip < seq);
	lab_close(&l);
	return 0;
}

static const struct test_case tests[] = {
	{ "command_table", "CMSIS-DAP 2.1 command reference; DAP.c DAP_ProcessCommand", test_command_table },
	{ "pipelining_overlaps", "CMSIS-DAP 2.1 DAP_Info packet count; USB 2.0 5.8 bulk",
	  test_pipelining_overlaps },
	{ "usb_identity", "CMSIS-DAP 2.1 'Firmware': USB configuration v1/v2", test_usb_identity },
	{ "connect_reads_dpidr", "ADIv5.2 B4.3.2 JTAG-to-SWD, B2.2.5 DPIDR", test_connect_reads_dpidr },
	{ "posted_read_order", "ADIv5.2 B4.2.4 posted reads; DAP.c DAP_SWD_Transfer",
	  test_posted_read_order },
	{ "check_write", "DAP.c check_write; ADIv5.2 RDBUFF", test_check_write },
	{ "block_roundtrip", "CMSIS-DAP DAP_TransferBlock", test_block_roundtrip },
	{ "fault_unmapped", "ADIv5.2 B2.2.4 STICKYERR; CMSIS-DAP transfer response", test_fault_unmapped },
	{ "wait_storm_retry", "CMSIS-DAP DAP_TransferConfigure wait retry", test_wait_storm_retry },
	{ "wait_flash_busy", "RM0090 3.5.4 / DS8626 tERASE16KB; DAP_TransferConfigure",
	  test_wait_flash_busy },
	{ "wait_flash_program", "RM0090 3.6.4 word program, BSY", test_wait_flash_program },
	{ "no_target", "ADIv5.2 B4.2 no ACK (0b111)", test_no_target },
	{ "unpowered", "ADIv5.2 B4.2 no ACK (0b111)", test_unpowered },
	{ "value_mismatch", "CMSIS-DAP DAP_Transfer value match", test_value_mismatch },
	{ "nrst", "CMSIS-DAP DAP_SWJ_Pins nRESET; DAP_config.h PORT_SWD_SETUP", test_nrst },
	{ "nrst_push_pull", "CMSIS-DAP DAP_SWJ_Pins wait; RM0090 6.1.2 NRST", test_nrst_push_pull },
	{ "queue_commands", "CMSIS-DAP DAP_QueueCommands", test_queue_commands },
	{ "abort_and_oversize", "CMSIS-DAP DAP_TransferAbort; packet size", test_abort_and_oversize },
	{ "reply_boundaries", "USB 2.0 5.8.3 short packet ends a bulk transfer", test_reply_boundaries },
	{ "timing", "USB 2.0 5.7.4 interrupt polling; ADIv5.2 B4.2 bit counts", test_timing },
	{ "protocol_error", "ADIv5.2 B4.2.5 parity; CMSIS-DAP transfer response bit 3", test_protocol_error },
	{ "stats_and_unplug", "issue 3 stats structure", test_stats_and_unplug },
};

TEST_MAIN("test_sim_cmsisdap", tests)
