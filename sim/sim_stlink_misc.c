/*
 * Emulated ST-LINK firmware: the RW_MISC queue (F2 51 RW_MISC_OUT, F2 52
 * RW_MISC_IN), present from V2J32 and V3J2 (OpenOCD STLINK_F_HAS_RW_MISC,
 * the same gate as the banked DP registers). docs/STLINK-PROTOCOL.md §3,
 * §8 lists the facts this follows; docs/LAB-stlink.md the model choices.
 *
 * RW_MISC_OUT carries `items` (u32 at byte 2) and, as its data phase in
 * the following OUT transfer(s), ALIGN4(items) item codes (one byte each,
 * zero-padded to a multiple of 4) then one u32 argument per item. It has
 * no reply: the firmware runs the items on the target. RW_MISC_IN answers
 * 8 x items bytes: one u32 value per item (the data of a READ), then one
 * u32 status per item (0x80 = OK).
 *
 * Items: 5 APNUM (the MEM-AP of the items after it), 1 ADDRESS (the
 * address of the next WRITE), 2 WRITE (one 32-bit write of the argument),
 * 3 READ (one 32-bit read of the argument's address).
 */
#include "sim_stlink_internal.h"

#include <stdlib.h>
#include <string.h>

enum { MISC_ADDRESS = 1, MISC_WRITE = 2, MISC_READ = 3, MISC_APNUM = 5 };

/* Most items per RW_MISC_OUT: 64 on V2/V2-1, 1227 on V3 (OpenOCD
 * STLINK_V2_RW_MISC_SIZE / STLINK_V3_RW_MISC_SIZE; the V3 figure fills the
 * 6144-byte buffer with codes and arguments). */
#define MISC_MAX_V2 64u
#define MISC_MAX_V3 1227u

struct stl_misc {
	uint32_t items;   /* of the last RW_MISC_OUT */
	size_t need, got; /* data phase: bytes expected, bytes arrived */
	uint8_t ap;       /* APNUM in effect */
	uint32_t addr;    /* ADDRESS in effect */
	uint32_t val[MISC_MAX_V3], st[MISC_MAX_V3];
};

static uint32_t misc_max(struct sim_probe *p)
{
	return stl_fw(p)->hw >= 3 ? MISC_MAX_V3 : MISC_MAX_V2;
}

static size_t misc_align4(uint32_t n)
{
	return ((size_t)n + 3u) & ~(size_t)3u;
}

static uint8_t misc_apnum(struct sim_probe *p, struct stl_misc *m, uint32_t ap)
{
	if (ap >= STL_AP_COUNT || (ap != 0 && stl_needs_init_ap(p) && !stl_fw(p)->ap_open[ap]))
		return STL_BAD_AP_ERROR;
	m->ap = (uint8_t)ap;
	return STL_OK;
}

static uint8_t misc_word(struct sim_probe *p, struct stl_misc *m, uint32_t addr, uint32_t *v, bool wr)
{
	uint8_t b[4];
	uint32_t fa;
	uint8_t st;

	if (addr & 3u)
		return STL_JTAG_ALIGNMENT_ERROR;
	stl_put32(b, *v);
	st = stl_mem_xfer(p, m->ap, STL_CSW_DEFAULT, addr, 4, 1, true, wr, b, &fa);
	if (!wr)
		*v = stl_le32(b);
	return st;
}

/* One item; its value slot gets the data of a READ, 0 otherwise. */
static uint8_t misc_item(struct sim_probe *p, struct stl_misc *m, uint8_t code, uint32_t arg, uint32_t *val)
{
	*val = 0;
	switch (code) {
	case MISC_APNUM:
		return misc_apnum(p, m, arg);
	case MISC_ADDRESS:
		m->addr = arg;
		return STL_OK;
	case MISC_WRITE:
		return misc_word(p, m, m->addr, &arg, true);
	case MISC_READ:
		return misc_word(p, m, arg, val, false);
	default:
		return STL_JTAG_CMD_ERROR;
	}
}

/* Runs the items once the data phase is complete. Model choice: the
 * firmware stops at the first item that fails; the items after it are not
 * run and answer JTAG_CMD_ERROR (no public source says whether real
 * firmware goes on; a host that takes the first non-OK status as the
 * failure reads both the same way). Oversize queues and queues sent
 * outside debug mode never touch the target. */
static void misc_run(struct sim_probe *p, struct stl_misc *m, const uint8_t *data)
{
	uint8_t st = stl_fw(p)->mode == STL_MODE_DEBUG ? STL_OK : STL_JTAG_CMD_ERROR;
	size_t args = misc_align4(m->items);

	if (m->items > misc_max(p))
		st = STL_JTAG_CMD_ERROR;
	m->ap = 0;
	m->addr = 0;
	for (uint32_t i = 0; i < m->items && i < MISC_MAX_V3; i++) {
		m->val[i] = 0;
		if (st == STL_OK)
			st = misc_item(p, m, data[i], stl_le32(data + args + 4u * i), &m->val[i]);
		else
			st = STL_JTAG_CMD_ERROR;
		m->st[i] = st;
	}
}

static struct stl_misc *misc_state(struct sim_probe *p)
{
	struct stl_fw *fw = stl_fw(p);

	if (!fw->misc)
		fw->misc = calloc(1, sizeof(struct stl_misc));
	return fw->misc;
}

void stl_cmd_misc_out(struct sim_probe *p, const uint8_t *cmd)
{
	struct stl_fw *fw = stl_fw(p);
	struct stl_misc *m = misc_state(p);
	uint32_t items = stl_le32(cmd + 2);

	if (!m)
		return;
	m->items = items <= MISC_MAX_V3 ? items : MISC_MAX_V3 + 1u;
	m->need = misc_align4(items) + 4u * (size_t)items;
	m->got = 0;
	if (m->need > STL_DATA_SIZE)
		m->need = STL_DATA_SIZE; /* the buffer takes no more; the queue fails */
	fw->misc_pending = m->need > 0;
	if (!fw->misc_pending)
		m->items = 0;
}

/* The data phase; bytes past the announced length are dropped. */
void stl_misc_data(struct sim_probe *p, const uint8_t *buf, size_t len)
{
	struct stl_fw *fw = stl_fw(p);
	struct stl_misc *m = fw->misc;
	size_t n = m->need - m->got;

	if (n > len)
		n = len;
	memcpy(fw->buf + m->got, buf, n);
	m->got += n;
	if (m->got < m->need)
		return;
	fw->misc_pending = false;
	misc_run(p, m, fw->buf);
}

/* Values then statuses of the last queue. */
void stl_cmd_misc_in(struct sim_probe *p, const uint8_t *cmd)
{
	struct stl_misc *m = misc_state(p);
	uint32_t n = m ? m->items : 0;
	uint8_t b[4];

	(void)cmd;
	if (n > MISC_MAX_V3)
		n = MISC_MAX_V3;
	for (uint32_t i = 0; i < n; i++) {
		stl_put32(b, m->val[i]);
		sim_probe_reply(p, b, 4);
	}
	for (uint32_t i = 0; i < n; i++) {
		stl_put32(b, m->st[i]);
		sim_probe_reply(p, b, 4);
	}
}
