/*
 * Emulated ST-LINK firmware: its own ADIv5 engine (ARM IHI 0031, ADIv5.2,
 * chapters B2-B4 and C2). ST-LINK firmware hides DP/AP traffic from the host;
 * this file is what it does on the SWD wire, one sim_probe_swd() packet at a
 * time, so the chip sees exactly what a real ST-LINK would clock out.
 *
 * Choices (docs/LAB-stlink.md):
 * - WAIT is retried inside the firmware up to STL_WAIT_RETRIES times, then
 *   the firmware abandons the transaction (DAPABORT) and the command ends
 *   with SWD_AP_WAIT / SWD_DP_WAIT. Real firmware does hand WAIT to the
 *   host (pyOCD issue 623 shows "STLink error (20): DP wait"; OpenOCD and
 *   stlink-org retry such statuses with back-off), so its own retry is
 *   bounded. The bound and the DAPABORT are ours (ADIv5.2 B2.2.1 advises
 *   DAPABORT after a long WAIT; the CMSIS-DAP reference retries 100 times).
 * - After a FAULT the firmware clears the sticky flags itself with ABORT,
 *   so hosts without WRITE_DAP_REG (before J24) are not left stuck.
 * - Block transfers set TAR at the start and again at every 1 KiB boundary,
 *   the only auto-increment range ADIv5 guarantees (C2.2.2), use posted DRW
 *   reads and collect the last read (and the last write's status) with
 *   RDBUFF.
 */
#include "sim_stlink_internal.h"

#include <string.h>

#define STL_WAIT_RETRIES 100u
#define STL_PWRUP_POLLS 100u

/* ADIv5.2 B2.2: DP registers (A[3:2]) and their fields. */
#define DP_DPIDR 0x0u
#define DP_ABORT 0x0u
#define DP_CTRLSTAT 0x4u
#define DP_SELECT 0x8u
#define DP_RDBUFF 0xCu
#define DP_ABORT_DAPABORT 0x01u
#define DP_ABORT_CLEAR_ALL 0x1Eu         /* STKCMPCLR|STKERRCLR|WDERRCLR|ORUNERRCLR */
#define DP_CTRLSTAT_PWRUPREQ 0x50000000u /* CSYSPWRUPREQ|CDBGPWRUPREQ */
#define DP_CTRLSTAT_PWRUPACK 0xA0000000u /* CSYSPWRUPACK|CDBGPWRUPACK */
#define DP_SELECT_APSEL_SHIFT 24u
#define DP_SELECT_APBANK_MASK 0xF0u
#define DP_SELECT_DPBANK_MASK 0x0Fu

/* ADIv5.2 C2.6: MEM-AP registers and CSW fields. */
#define AP_CSW 0x00u
#define AP_TAR 0x04u
#define AP_DRW 0x0Cu
#define AP_CSW_ADDRINC_SINGLE 0x10u
#define AP_TAR_INC_BLOCK 0x400u /* ADIv5.2 C2.2.2: 10 bits guaranteed */

/* After WAIT for longer than it retries, the firmware abandons the stalled
 * AP transaction with ABORT.DAPABORT, as ADIv5.2 B2.2.1 advises, so the next
 * command starts clean (an ABORT write is always accepted, B4.2.2). */
static void stl_dapabort(struct sim_probe *p)
{
	struct sim_swd_packet pkt = { .request = sim_swd_request(false, false, DP_ABORT),
				      .data = DP_ABORT_DAPABORT,
				      .parity = sim_parity32(DP_ABORT_DAPABORT) };

	(void)sim_probe_swd(p, &pkt);
}

enum stl_ack stl_swd(struct sim_probe *p, bool ap, bool read, uint8_t addr, uint32_t *val)
{
	struct sim_swd_packet pkt;

	for (unsigned i = 0; i <= STL_WAIT_RETRIES; i++) {
		pkt.request = sim_swd_request(ap, read, addr);
		pkt.data = read ? 0 : *val;
		pkt.parity = read ? 0 : sim_parity32(*val);
		int ack = sim_probe_swd(p, &pkt);
		if (ack == SIM_ACK_WAIT)
			continue;
		if (ack == SIM_ACK_FAULT)
			return STL_ACK_FAULT;
		if (ack != SIM_ACK_OK)
			return STL_ACK_NONE;
		if (read && pkt.parity != sim_parity32(pkt.data))
			return STL_ACK_PARITY;
		if (read)
			*val = pkt.data;
		return STL_ACK_OK;
	}
	stl_dapabort(p);
	return STL_ACK_WAIT;
}

uint8_t stl_ack_status(enum stl_ack ack, bool ap)
{
	static const uint8_t ap_codes[] = {
		[STL_ACK_OK] = STL_OK,
		[STL_ACK_WAIT] = STL_SWD_AP_WAIT,
		[STL_ACK_FAULT] = STL_SWD_AP_FAULT,
		[STL_ACK_NONE] = STL_SWD_AP_ERROR,
		[STL_ACK_PARITY] = STL_SWD_AP_PARITY_ERROR,
	};
	static const uint8_t dp_codes[] = {
		[STL_ACK_OK] = STL_OK,
		[STL_ACK_WAIT] = STL_SWD_DP_WAIT,
		[STL_ACK_FAULT] = STL_SWD_DP_FAULT,
		[STL_ACK_NONE] = STL_SWD_DP_ERROR,
		[STL_ACK_PARITY] = STL_SWD_DP_PARITY_ERROR,
	};
	return ap ? ap_codes[ack] : dp_codes[ack];
}

void stl_abort(struct sim_probe *p)
{
	uint32_t v = DP_ABORT_CLEAR_ALL;

	(void)stl_swd(p, false, false, DP_ABORT, &v);
}

static enum stl_ack stl_select(struct sim_probe *p, uint32_t sel)
{
	struct stl_fw *fw = stl_fw(p);
	enum stl_ack ack;

	if (fw->select_valid && fw->select == sel)
		return STL_ACK_OK;
	ack = stl_swd(p, false, false, DP_SELECT, &sel);
	fw->select_valid = ack == STL_ACK_OK;
	fw->select = sel;
	return ack;
}

/* JTAG-to-SWD: 56 ones, 0xE79E LSB first, 56 ones (a line reset), 8 idle
 * cycles: 136 bits as OpenOCD sends (ARM IHI0031 B5.2.2). */
static void stl_jtag_to_swd(struct sim_probe *p)
{
	static const uint8_t seq[] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x9E, 0xE7,
				       0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00 };

	sim_probe_swj_sequence(p, seq, (unsigned)sizeof(seq) * 8u);
}

uint8_t stl_read_dpidr(struct sim_probe *p, uint32_t *idcode)
{
	*idcode = 0;
	if (stl_swd(p, false, true, DP_DPIDR, idcode) != STL_ACK_OK)
		return STL_JTAG_GET_IDCODE_ERROR;
	return STL_OK;
}

static uint8_t stl_power_up(struct sim_probe *p)
{
	uint32_t v = DP_CTRLSTAT_PWRUPREQ;

	if (stl_swd(p, false, false, DP_CTRLSTAT, &v) != STL_ACK_OK)
		return STL_JTAG_DBG_POWER_ERROR;
	for (unsigned i = 0; i < STL_PWRUP_POLLS; i++) {
		if (stl_swd(p, false, true, DP_CTRLSTAT, &v) != STL_ACK_OK)
			return STL_JTAG_DBG_POWER_ERROR;
		if ((v & DP_CTRLSTAT_PWRUPACK) == DP_CTRLSTAT_PWRUPACK)
			return STL_OK;
	}
	return STL_JTAG_DBG_POWER_ERROR;
}

/* The connect sequence of ADIv5.2 B4.3.3 / B5.2: after a line reset the
 * first access must be a DPIDR read; then clear sticky errors, select bank
 * 0 of AP0 and request debug + system power. */
uint8_t stl_dp_connect(struct sim_probe *p)
{
	struct stl_fw *fw = stl_fw(p);
	uint32_t idcode;
	uint8_t st;

	fw->connected = false;
	fw->select_valid = false;
	fw->csw_valid = false;
	stl_jtag_to_swd(p);
	st = stl_read_dpidr(p, &idcode);
	if (st != STL_OK)
		return st;
	stl_abort(p);
	if (stl_select(p, 0) != STL_ACK_OK)
		return STL_JTAG_DBG_POWER_ERROR;
	st = stl_power_up(p);
	if (st != STL_OK)
		return st;
	fw->connected = true;
	fw->ap_open[0] = true;
	return STL_OK;
}

/* SELECT for DP register `addr`: DPBANKSEL matters only for address 0x4,
 * and only firmware with banked DP support (J32 / V3J2) sets it. */
static enum stl_ack stl_dp_bank(struct sim_probe *p, uint16_t addr)
{
	struct stl_fw *fw = stl_fw(p);
	uint32_t bank = stl_has_csw_field(p) ? (addr >> 4) & DP_SELECT_DPBANK_MASK : 0;
	uint32_t sel = fw->select_valid ? fw->select : 0;

	if ((addr & 0xCu) != DP_CTRLSTAT)
		return STL_ACK_OK;
	return stl_select(p, (sel & ~DP_SELECT_DPBANK_MASK) | bank);
}

uint8_t stl_dp_read(struct sim_probe *p, uint16_t addr, uint32_t *val)
{
	enum stl_ack ack = stl_dp_bank(p, addr);

	if (ack == STL_ACK_OK)
		ack = stl_swd(p, false, true, (uint8_t)(addr & 0xCu), val);
	if (ack == STL_ACK_FAULT)
		stl_abort(p);
	return stl_ack_status(ack, false);
}

uint8_t stl_dp_write(struct sim_probe *p, uint16_t addr, uint32_t val)
{
	struct stl_fw *fw = stl_fw(p);
	enum stl_ack ack = stl_dp_bank(p, addr);

	if (ack == STL_ACK_OK)
		ack = stl_swd(p, false, false, (uint8_t)(addr & 0xCu), &val);
	if ((addr & 0xCu) == DP_SELECT) {
		/* the host moved SELECT behind the firmware's back */
		fw->select_valid = ack == STL_ACK_OK;
		fw->select = val;
	}
	if (ack == STL_ACK_FAULT)
		stl_abort(p);
	return stl_ack_status(ack, false);
}

static enum stl_ack stl_ap_select(struct sim_probe *p, uint8_t ap, uint8_t addr)
{
	return stl_select(p, (uint32_t)ap << DP_SELECT_APSEL_SHIFT | (addr & DP_SELECT_APBANK_MASK));
}

/* An AP read is posted (ADIv5.2 B4.1.4): the value arrives with the next
 * AP read or with RDBUFF. */
static enum stl_ack stl_ap_read_raw(struct sim_probe *p, uint8_t ap, uint8_t addr, uint32_t *val)
{
	enum stl_ack ack = stl_ap_select(p, ap, addr);
	uint32_t dummy;

	if (ack == STL_ACK_OK)
		ack = stl_swd(p, true, true, addr & 0xCu, &dummy);
	if (ack == STL_ACK_OK)
		ack = stl_swd(p, false, true, DP_RDBUFF, val);
	return ack;
}

static enum stl_ack stl_ap_write_raw(struct sim_probe *p, uint8_t ap, uint8_t addr, uint32_t val)
{
	enum stl_ack ack = stl_ap_select(p, ap, addr);

	if (ack == STL_ACK_OK)
		ack = stl_swd(p, true, false, addr & 0xCu, &val);
	return ack;
}

uint8_t stl_ap_read(struct sim_probe *p, uint8_t ap, uint8_t addr, uint32_t *val)
{
	enum stl_ack ack = stl_ap_read_raw(p, ap, addr, val);

	if (ack == STL_ACK_FAULT)
		stl_abort(p);
	return stl_ack_status(ack, true);
}

/* A host write to an AP register: posted, so RDBUFF collects its ACK. The
 * CSW cache is dropped because the host may have changed CSW. */
uint8_t stl_ap_write(struct sim_probe *p, uint8_t ap, uint8_t addr, uint32_t val)
{
	struct stl_fw *fw = stl_fw(p);
	enum stl_ack ack = stl_ap_write_raw(p, ap, addr, val);
	uint32_t dummy;

	fw->csw_valid = false;
	if (ack == STL_ACK_OK)
		ack = stl_swd(p, false, true, DP_RDBUFF, &dummy);
	if (ack == STL_ACK_FAULT)
		stl_abort(p);
	return stl_ack_status(ack, true);
}

static enum stl_ack stl_set_csw(struct sim_probe *p, uint8_t ap, uint32_t csw)
{
	struct stl_fw *fw = stl_fw(p);
	enum stl_ack ack;

	if (fw->csw_valid && fw->csw_ap == ap && fw->csw == csw)
		return STL_ACK_OK;
	ack = stl_ap_write_raw(p, ap, AP_CSW, csw);
	fw->csw_valid = ack == STL_ACK_OK;
	fw->csw_ap = ap;
	fw->csw = csw;
	return ack;
}

static uint32_t stl_lane_get(const uint8_t *d, unsigned size)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)d[i] << (8 * i);
	return v;
}

static void stl_lane_put(uint8_t *d, unsigned size, uint32_t v)
{
	for (unsigned i = 0; i < size; i++)
		d[i] = (uint8_t)(v >> (8 * i));
}

/* One block that stays inside a TAR auto-increment range. Byte and
 * halfword data travel on the byte lanes given by the address (ADIv5.2
 * C2.6.6). *k is the index of the packet that failed (n = the RDBUFF). */
struct stl_chunk {
	uint8_t ap;
	uint32_t addr;
	unsigned size;
	size_t n;
	bool inc, write;
	uint8_t *data;
};

static uint32_t stl_chunk_addr(const struct stl_chunk *c, size_t j)
{
	return c->inc ? c->addr + (uint32_t)(j * c->size) : c->addr;
}

static void stl_chunk_store(const struct stl_chunk *c, size_t j, uint32_t v)
{
	unsigned lane = (stl_chunk_addr(c, j) & 3u) * 8u;

	stl_lane_put(c->data + j * c->size, c->size, v >> lane);
}

static enum stl_ack stl_chunk_run(struct sim_probe *p, const struct stl_chunk *c, size_t *k)
{
	enum stl_ack ack = stl_ap_write_raw(p, c->ap, AP_TAR, c->addr);
	uint32_t v;

	*k = 0;
	for (size_t j = 0; ack == STL_ACK_OK && j < c->n; j++) {
		*k = j;
		if (c->write) {
			unsigned lane = (stl_chunk_addr(c, j) & 3u) * 8u;
			v = stl_lane_get(c->data + j * c->size, c->size) << lane;
			ack = stl_swd(p, true, false, AP_DRW, &v);
		} else {
			ack = stl_swd(p, true, true, AP_DRW, &v);
			if (ack == STL_ACK_OK && j > 0)
				stl_chunk_store(c, j - 1, v);
		}
	}
	if (ack != STL_ACK_OK)
		return ack;
	*k = c->n;
	ack = stl_swd(p, false, true, DP_RDBUFF, &v);
	if (ack == STL_ACK_OK && !c->write)
		stl_chunk_store(c, c->n - 1, v);
	return ack;
}

/* Which access failed. A FAULT ACK is reported on the packet after the
 * failed (posted) access, so the firmware asks the AP: after ABORT it reads
 * TAR back, which does not advance past a failed access (ADIv5.2 C2.2.2).
 * If that read fails or points outside the block, it assumes the access
 * before the failed packet. */
static uint32_t stl_chunk_fault_addr(struct sim_probe *p, const struct stl_chunk *c, size_t k,
				     enum stl_ack ack)
{
	size_t guess = k > 0 ? k - 1 : 0;
	uint32_t tar;

	if (guess >= c->n)
		guess = c->n - 1;
	if (ack != STL_ACK_FAULT)
		return stl_chunk_addr(c, guess);
	stl_abort(p);
	if (stl_ap_read_raw(p, c->ap, AP_TAR, &tar) == STL_ACK_OK) {
		uint32_t last = stl_chunk_addr(c, c->n - 1);
		if (tar >= c->addr && tar <= last)
			return tar;
	}
	return stl_chunk_addr(c, guess);
}

static unsigned stl_size_code(unsigned size)
{
	return size == 4 ? 2u : size == 2 ? 1u : 0u;
}

uint8_t stl_mem_xfer(struct sim_probe *p, uint8_t ap, uint32_t csw, uint32_t addr, unsigned size,
		     size_t count, bool inc, bool write, uint8_t *data, uint32_t *fault_addr)
{
	uint32_t csw_full = (csw & ~0xFFu) | (inc ? AP_CSW_ADDRINC_SINGLE : 0) | stl_size_code(size);
	struct stl_chunk c = { .ap = ap, .size = size, .inc = inc, .write = write };
	enum stl_ack ack = stl_set_csw(p, ap, csw_full);
	size_t done = 0, k;

	*fault_addr = addr;
	if (ack != STL_ACK_OK) {
		if (ack == STL_ACK_FAULT)
			stl_abort(p);
		return stl_ack_status(ack, true);
	}
	while (done < count) {
		c.addr = inc ? addr + (uint32_t)(done * size) : addr;
		c.n = count - done;
		if (inc && c.n > (AP_TAR_INC_BLOCK - (c.addr & (AP_TAR_INC_BLOCK - 1u))) / size)
			c.n = (AP_TAR_INC_BLOCK - (c.addr & (AP_TAR_INC_BLOCK - 1u))) / size;
		c.data = data + done * size;
		ack = stl_chunk_run(p, &c, &k);
		if (ack != STL_ACK_OK) {
			*fault_addr = stl_chunk_fault_addr(p, &c, k, ack);
			return stl_ack_status(ack, true);
		}
		done += c.n;
	}
	return STL_OK;
}

uint8_t stl_mem_read32(struct sim_probe *p, uint32_t addr, uint32_t *val)
{
	uint8_t b[4] = { 0 };
	uint32_t fa;
	uint8_t st = stl_mem_xfer(p, 0, STL_CSW_DEFAULT, addr, 4, 1, true, false, b, &fa);

	*val = stl_le32(b);
	return st;
}

uint8_t stl_mem_write32(struct sim_probe *p, uint32_t addr, uint32_t val)
{
	uint8_t b[4];
	uint32_t fa;

	stl_put32(b, val);
	return stl_mem_xfer(p, 0, STL_CSW_DEFAULT, addr, 4, 1, true, true, b, &fa);
}
