/*
 * Emulated ST-LINK firmware: memory, debug-register and core-register
 * commands (docs/STLINK-PROTOCOL.md §3 and 1.6; OpenOCD stlink_usb.c, stlink-org usb.c).
 *
 * - READMEM_* answer with the raw data only; the outcome is kept for
 *   GETLASTRWSTATUS (2 bytes) / GETLASTRWSTATUS2 (12 bytes, with the fault
 *   address).
 * - WRITEMEM_* take their data in the following OUT transfer(s); the data
 *   phase ends when `len` bytes have arrived, then the write runs.
 * - A READMEM_8BIT of one byte answers two bytes: hosts read two (OpenOCD
 *   stlink_usb_read_mem8 "we need to fix read length for single bytes").
 * - Oversize or misaligned requests never touch the target. No public
 *   source says what real firmware answers (all hosts split requests
 *   first); this model keeps the USB side well-formed (a read still answers
 *   `len` bytes, zeros; a write still swallows its data phase) and reports
 *   JTAG_CMD_ERROR / JTAG_ALIGNMENT_ERROR through GETLASTRWSTATUS2.
 * - Core registers go through DCRSR/DCRDR with S_REGRDY polled by the
 *   firmware (ARMv7-M C1.6.3, C1.6.5).
 */
#include "sim_stlink_internal.h"

#include <string.h>

/* ARMv7-M C1.6: debug registers. */
#define DHCSR 0xE000EDF0u
#define DCRSR 0xE000EDF4u
#define DCRDR 0xE000EDF8u
#define AIRCR 0xE000ED0Cu
#define DHCSR_S_REGRDY (1u << 16)
#define DHCSR_S_HALT (1u << 17)
#define DHCSR_KEY 0xA05F0000u
#define DHCSR_C_DEBUGEN (1u << 0)
#define DHCSR_C_HALT (1u << 1)
#define DHCSR_C_STEP (1u << 2)
#define DHCSR_C_MASKINTS (1u << 3)
#define DCRSR_REGWNR (1u << 16)
#define AIRCR_SYSRESETREQ 0x05FA0004u /* VECTKEY + SYSRESETREQ (B3.2.6) */
#define STL_REGRDY_POLLS 10u

struct stl_memop {
	uint8_t sub;
	unsigned size;
	bool write, inc;
};

static const struct stl_memop stl_memops[] = {
	{ .sub = 0x07, .size = 4, .write = false, .inc = true },  /* READMEM_32BIT */
	{ .sub = 0x08, .size = 4, .write = true, .inc = true },   /* WRITEMEM_32BIT */
	{ .sub = 0x0C, .size = 1, .write = false, .inc = true },  /* READMEM_8BIT */
	{ .sub = 0x0D, .size = 1, .write = true, .inc = true },   /* WRITEMEM_8BIT */
	{ .sub = 0x47, .size = 2, .write = false, .inc = true },  /* APIV2_READMEM_16BIT */
	{ .sub = 0x48, .size = 2, .write = true, .inc = true },   /* APIV2_WRITEMEM_16BIT */
	{ .sub = 0x50, .size = 4, .write = true, .inc = false },  /* WRITEMEM_32BIT_NO_ADDR_INC */
	{ .sub = 0x54, .size = 4, .write = false, .inc = false }, /* READMEM_32BIT_NO_ADDR_INC */
};

static const struct stl_memop *stl_memop_find(uint8_t sub)
{
	for (size_t i = 0; i < sizeof(stl_memops) / sizeof(stl_memops[0]); i++)
		if (stl_memops[i].sub == sub)
			return &stl_memops[i];
	return NULL;
}

/* 8-bit transfers are limited to one USB packet: 64 bytes at full speed,
 * 512 on V3 from J6 (OpenOCD STLINK_MAX_RW8 / STLINKV3_MAX_RW8). 16/32-bit
 * reads are limited by the 6144-byte buffer the reply is assembled in.
 * 16/32-bit writes stream through that buffer, so their length is bounded
 * only by the 16-bit length field: stlink-tools 1.7 sends its whole flash
 * loader buffer (up to 32 KiB) in one WRITEMEM_32BIT, and probe-rs writes up
 * to 0xFFFC bytes per command, both on silicon. */
static size_t stl_max_len(struct sim_probe *p, unsigned size, bool write)
{
	struct stl_fw *fw = stl_fw(p);

	if (size != 1)
		return write ? 0xFFFCu : STL_DATA_SIZE;
	return fw->hw >= 3 && fw->jtag >= 6 ? 512u : 64u;
}

struct stl_memreq {
	const struct stl_memop *op;
	uint32_t addr, csw;
	size_t len;
	uint8_t ap;
};

static void stl_memreq_parse(struct sim_probe *p, const uint8_t *cmd, struct stl_memreq *r)
{
	uint32_t csw_hi = (uint32_t)cmd[9] | (uint32_t)cmd[10] << 8 | (uint32_t)cmd[11] << 16;

	r->op = stl_memop_find(cmd[1]);
	r->addr = stl_le32(cmd + 2);
	r->len = stl_le16(cmd + 6);
	/* AP and CSW bytes are honoured from J32 / V3J2; older firmware
	 * ignores them (docs/STLINK-PROTOCOL.md §3). */
	r->ap = stl_has_csw_field(p) ? cmd[8] : 0;
	r->csw = stl_has_csw_field(p) && csw_hi ? csw_hi << 8 : STL_CSW_DEFAULT;
}

static uint8_t stl_memreq_check(struct sim_probe *p, const struct stl_memreq *r)
{
	struct stl_fw *fw = stl_fw(p);
	unsigned sz = r->op->size;

	if (fw->mode != STL_MODE_DEBUG)
		return STL_JTAG_CMD_ERROR;
	if (r->len > stl_max_len(p, sz, r->op->write))
		return STL_JTAG_CMD_ERROR;
	if ((r->addr & (sz - 1u)) || (r->len & (sz - 1u)))
		return STL_JTAG_ALIGNMENT_ERROR;
	if (r->ap != 0 && stl_needs_init_ap(p) && !fw->ap_open[r->ap])
		return STL_BAD_AP_ERROR;
	return STL_OK;
}

static void stl_reply_zeros(struct sim_probe *p, size_t n)
{
	static const uint8_t zeros[256];

	while (n) {
		size_t k = n < sizeof(zeros) ? n : sizeof(zeros);
		sim_probe_reply(p, zeros, k);
		n -= k;
	}
}

static void stl_memreq_run(struct sim_probe *p, const struct stl_memreq *r, uint8_t *data)
{
	struct stl_fw *fw = stl_fw(p);

	fw->rw_fault_addr = r->addr;
	if (!r->len)
		return;
	fw->rw_status = stl_mem_xfer(p, r->ap, r->csw, r->addr, r->op->size, r->len / r->op->size, r->op->inc,
				     r->op->write, data, &fw->rw_fault_addr);
}

static void stl_read_mem(struct sim_probe *p, const struct stl_memreq *r)
{
	struct stl_fw *fw = stl_fw(p);
	size_t reply_len = r->len == 1 ? 2 : r->len;

	fw->rw_status = stl_memreq_check(p, r);
	fw->rw_fault_addr = fw->rw_status == STL_OK ? 0 : r->addr;
	if (fw->rw_status != STL_OK) {
		stl_reply_zeros(p, reply_len);
		return;
	}
	memset(fw->buf, 0, reply_len);
	stl_memreq_run(p, r, fw->buf);
	if (fw->rw_status == STL_OK)
		fw->rw_fault_addr = 0;
	sim_probe_reply(p, fw->buf, reply_len);
}

void stl_cmd_mem(struct sim_probe *p, const uint8_t *cmd)
{
	struct stl_fw *fw = stl_fw(p);
	struct stl_memreq r;

	stl_memreq_parse(p, cmd, &r);
	if (!r.op->write) {
		stl_read_mem(p, &r);
		return;
	}
	fw->rw_status = STL_OK;
	fw->rw_fault_addr = 0;
	if (!r.len)
		return;
	memcpy(fw->wr_cmd, cmd, STL_CMD_SIZE);
	fw->wr_pending = true;
	fw->wr_len = r.len;
	fw->wr_got = 0;
}

/* Runs one buffered chunk of a streamed write; after an error the rest of
 * the data is swallowed and the first error is what GETLASTRWSTATUS2
 * reports. */
static void stl_write_chunk(struct sim_probe *p, size_t off, size_t n)
{
	struct stl_fw *fw = stl_fw(p);
	struct stl_memreq r;

	stl_memreq_parse(p, fw->wr_cmd, &r);
	if (off == 0) {
		fw->rw_status = stl_memreq_check(p, &r);
		fw->rw_fault_addr = fw->rw_status == STL_OK ? 0 : r.addr;
	}
	if (fw->rw_status != STL_OK)
		return;
	r.addr += (uint32_t)off;
	r.len = n;
	stl_memreq_run(p, &r, fw->buf);
	if (fw->rw_status == STL_OK)
		fw->rw_fault_addr = 0;
}

/* The data phase of a WRITEMEM. Bytes past `len` in the last transfer are
 * dropped, as a real device drops what does not fit the transfer it set
 * up. Data goes to the target each time the 6144-byte buffer fills. */
void stl_write_data(struct sim_probe *p, const uint8_t *buf, size_t len)
{
	struct stl_fw *fw = stl_fw(p);

	while (len && fw->wr_pending) {
		size_t in_buf = fw->wr_got % STL_DATA_SIZE;
		size_t room = fw->wr_len - fw->wr_got;
		size_t n = STL_DATA_SIZE - in_buf;

		if (n > room)
			n = room;
		if (n > len)
			n = len;
		memcpy(fw->buf + in_buf, buf, n);
		fw->wr_got += n;
		buf += n;
		len -= n;
		if (in_buf + n == STL_DATA_SIZE || fw->wr_got == fw->wr_len)
			stl_write_chunk(p, fw->wr_got - (in_buf + n), in_buf + n);
		if (fw->wr_got == fw->wr_len)
			fw->wr_pending = false;
	}
}

void stl_cmd_getlastrw(struct sim_probe *p, const uint8_t *cmd)
{
	(void)cmd;
	stl_reply_status(p, stl_fw(p)->rw_status);
}

/* 12 bytes: u16 status, u16 pad, u32 fault address, 4 bytes unused
 * (OpenOCD reads 12, pyOCD takes the address from byte 4). */
void stl_cmd_getlastrw2(struct sim_probe *p, const uint8_t *cmd)
{
	struct stl_fw *fw = stl_fw(p);
	uint8_t r[12] = { fw->rw_status };

	(void)cmd;
	stl_put32(r + 4, fw->rw_fault_addr);
	sim_probe_reply(p, r, sizeof(r));
}

void stl_cmd_readdebugreg(struct sim_probe *p, const uint8_t *cmd)
{
	uint32_t addr = stl_le32(cmd + 2), v = 0;
	uint8_t st = addr & 3u ? STL_JTAG_ALIGNMENT_ERROR : stl_mem_read32(p, addr, &v);

	stl_reply_value(p, st, v);
}

void stl_cmd_writedebugreg(struct sim_probe *p, const uint8_t *cmd)
{
	uint32_t addr = stl_le32(cmd + 2);

	if (addr & 3u) {
		stl_reply_status(p, STL_JTAG_ALIGNMENT_ERROR);
		return;
	}
	stl_reply_status(p, stl_mem_write32(p, addr, stl_le32(cmd + 6)));
}

/* S_REGRDY is set when the DCRSR transfer has completed. The poll is
 * bounded; a core that never completes it (not halted) gives FAULT. */
static uint8_t stl_wait_regrdy(struct sim_probe *p)
{
	uint32_t dhcsr;

	for (unsigned i = 0; i < STL_REGRDY_POLLS; i++) {
		uint8_t st = stl_mem_read32(p, DHCSR, &dhcsr);
		if (st != STL_OK)
			return st;
		if (dhcsr & DHCSR_S_REGRDY)
			return STL_OK;
	}
	return STL_FAULT;
}

static uint8_t stl_core_reg_read(struct sim_probe *p, uint8_t regsel, uint32_t *val)
{
	uint8_t st = stl_mem_write32(p, DCRSR, regsel & 0x7Fu);

	*val = 0;
	if (st == STL_OK)
		st = stl_wait_regrdy(p);
	if (st == STL_OK)
		st = stl_mem_read32(p, DCRDR, val);
	return st;
}

static uint8_t stl_core_reg_write(struct sim_probe *p, uint8_t regsel, uint32_t val)
{
	uint8_t st = stl_mem_write32(p, DCRDR, val);

	if (st == STL_OK)
		st = stl_mem_write32(p, DCRSR, DCRSR_REGWNR | (regsel & 0x7Fu));
	if (st == STL_OK)
		st = stl_wait_regrdy(p);
	return st;
}

void stl_cmd_readreg(struct sim_probe *p, const uint8_t *cmd)
{
	uint32_t v;
	uint8_t st = stl_core_reg_read(p, cmd[2], &v);

	stl_reply_value(p, st, v);
}

void stl_cmd_writereg(struct sim_probe *p, const uint8_t *cmd)
{
	stl_reply_status(p, stl_core_reg_write(p, cmd[2], stl_le32(cmd + 3)));
}

/* 88 bytes: status word, R0-R15, xPSR, MSP, PSP (REGSEL 0x00-0x12), then
 * two words stlink-org calls "rw" and "rw2" (it reads them back as REGSEL
 * 19 and 20). Their meaning is not documented: this model leaves the first
 * 0 and puts the packed CONTROL/FAULTMASK/BASEPRI/PRIMASK (REGSEL 0x14) in
 * the second. */
void stl_cmd_readallregs(struct sim_probe *p, const uint8_t *cmd)
{
	uint8_t r[88] = { 0 };
	uint8_t st = STL_OK;
	uint32_t v;

	(void)cmd;
	for (uint8_t i = 0; i <= 0x12 && st == STL_OK; i++) {
		st = stl_core_reg_read(p, i, &v);
		stl_put32(r + 4 + 4 * i, v);
	}
	if (st == STL_OK) {
		st = stl_core_reg_read(p, 0x14, &v);
		stl_put32(r + 4 + 4 * 20, v);
	}
	r[0] = st;
	sim_probe_reply(p, r, sizeof(r));
}

/* A system reset through AIRCR.SYSRESETREQ (ARMv7-M B3.2.6). */
void stl_cmd_resetsys(struct sim_probe *p, const uint8_t *cmd)
{
	(void)cmd;
	stl_reply_status(p, stl_mem_write32(p, AIRCR, AIRCR_SYSRESETREQ));
}

/* Legacy GETSTATUS: 0x80 = core running, 0x81 = core halted. */
void stl_cmd_getstatus(struct sim_probe *p, const uint8_t *cmd)
{
	uint32_t dhcsr;
	uint8_t st = stl_mem_read32(p, DHCSR, &dhcsr);

	(void)cmd;
	if (st == STL_OK)
		st = dhcsr & DHCSR_S_HALT ? STL_FAULT : STL_OK;
	stl_reply_status(p, st);
}

/* Legacy FORCEDEBUG (0x02), RUNCORE (0x09), STEPCORE (0x0A): one DHCSR
 * write each, as API-v2 hosts do by hand (docs/STLINK-PROTOCOL.md §3). */
void stl_cmd_dhcsr_op(struct sim_probe *p, const uint8_t *cmd)
{
	uint32_t v = DHCSR_KEY | DHCSR_C_DEBUGEN;

	if (cmd[1] == 0x02)
		v |= DHCSR_C_HALT;
	else if (cmd[1] == 0x0A)
		v |= DHCSR_C_STEP | DHCSR_C_MASKINTS;
	stl_reply_status(p, stl_mem_write32(p, DHCSR, v));
}
