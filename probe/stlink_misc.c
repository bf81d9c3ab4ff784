/*
 * ST-LINK: a queue of 32-bit AP 0 accesses as one RW_MISC exchange (F2 51
 * RW_MISC_OUT with its items, then F2 52 RW_MISC_IN for every item's value
 * and status), from V2J32 / V3J2. docs/STLINK-PROTOCOL.md §8.
 *
 * Each item has its own status in the reply, writes included, so a queued
 * DHCSR write is as checked as a WRITEDEBUGREG; only the round trips
 * differ. The items run in order inside the probe, microseconds apart on
 * the wire: a read queued after a write sees the write's effect.
 */
#include "stlink.h"

#include <string.h>

#include "swdd_err.h"

#define STLINK_DEBUG_RW_MISC_OUT 0x51U
#define STLINK_DEBUG_RW_MISC_IN 0x52U

/* Item codes (docs/STLINK-PROTOCOL.md §8). */
enum { MISC_ADDRESS = 1, MISC_WRITE = 2, MISC_READ = 3, MISC_APNUM = 5 };

/* Items per RW_MISC_OUT: 64 on V2/V2-1, 1227 on V3 (§8); swdd takes at
 * most as many as its reply buffer holds (8 bytes each). */
#define MISC_MAX_V2 64U
#define MISC_MAX_V3 1227U
#define MISC_MAX_BUF (STLINK_DATA_SIZE / 8U)

/* Long runs of consecutive reads go faster as one READMEM_32BIT. */
#define MISC_READ_RUN_MIN 16U
/* An exchange is three OUT transfers (RW_MISC_OUT, its data, RW_MISC_IN)
 * and one IN; a READ/WRITEDEBUGREG is one OUT and one IN. From three
 * accesses on, the exchange moves fewer transfers as well as fewer round
 * trips; two go as two commands. */
#define MISC_MIN_ENTRIES 3U

static size_t misc_items_of(const struct probe_qent *e)
{
	return e->dst ? 1u : 2u; /* READ, or ADDRESS + WRITE */
}

size_t stlink_misc_fit(struct swdd_probe *p, const struct probe_qent *q, size_t n)
{
	struct stlink *s = stlink_of(p);
	size_t max = s->hw >= 3 ? MISC_MAX_V3 : MISC_MAX_V2;
	size_t items = 1, k = 0; /* APNUM 0 first */

	if (max > MISC_MAX_BUF)
		max = MISC_MAX_BUF;
	if (!(s->features & STLINK_F_RW_MISC))
		return 0;
	while (k < n && items + misc_items_of(&q[k]) <= max) {
		if (stlink_read_run(s, q + k, n - k) >= MISC_READ_RUN_MIN)
			break;
		items += misc_items_of(&q[k]);
		k++;
	}
	return k >= MISC_MIN_ENTRIES ? k : 0;
}

/* Item codes, zero-padded to 4, then one u32 argument per item. */
static size_t misc_build(const struct probe_qent *q, size_t n, uint8_t *buf, size_t *items)
{
	size_t m = 1;

	for (size_t k = 0; k < n; k++)
		m += misc_items_of(&q[k]);
	size_t args = (m + 3u) & ~(size_t)3u, i = 0;

	memset(buf, 0, args);
	buf[i] = MISC_APNUM;
	swdd_put_le32(buf + args, 0);
	for (size_t k = 0; k < n; k++) {
		if (!q[k].dst) {
			buf[++i] = MISC_ADDRESS;
			swdd_put_le32(buf + args + 4 * i, q[k].addr);
		}
		buf[++i] = q[k].dst ? MISC_READ : MISC_WRITE;
		swdd_put_le32(buf + args + 4 * i, q[k].dst ? q[k].addr : q[k].val);
	}
	*items = m;
	return args + 4 * m;
}

static int misc_exchange(struct swdd_probe *p, const uint8_t *data, size_t len, size_t items)
{
	struct stlink *s = stlink_of(p);
	int rc;

	swdd_put_le32(stlink_cmd(s, STLINK_DEBUG, STLINK_DEBUG_RW_MISC_OUT) + 2, (uint32_t)items);
	rc = probe_tr_write(p->tr, s->cmd, STLINK_CMD_SIZE);
	if (!rc)
		rc = probe_tr_write(p->tr, data, len);
	if (!rc) {
		stlink_cmd(s, STLINK_DEBUG, STLINK_DEBUG_RW_MISC_IN);
		rc = stlink_xfer(p, 8 * items);
	}
	return rc;
}

/* The first item that failed: its entry, its status, and whether any item
 * after it succeeded (then the firmware went on past the failure, and
 * re-running the rest would repeat accesses that were made). */
struct misc_fail {
	size_t entry;
	uint8_t st;
	bool later_ok;
};

static bool misc_check(const uint8_t *reply, const struct probe_qent *q, size_t n, size_t items,
		       struct misc_fail *f)
{
	const uint8_t *st = reply + 4 * items;
	size_t item = 0;
	bool failed = false;

	for (size_t k = 0; k < n; k++) {
		size_t m = misc_items_of(&q[k]) + (k == 0); /* APNUM counts with entry 0 */

		for (size_t j = 0; j < m; j++, item++) {
			uint32_t v = swdd_le32(st + 4 * item);

			if (v != STLINK_STATUS_OK && !failed) {
				failed = true;
				f->st = (uint8_t)v;
				f->entry = k;
			} else if (v == STLINK_STATUS_OK && failed) {
				f->later_ok = true;
			}
		}
	}
	return failed;
}

int stlink_misc_run(struct swdd_probe *p, const struct probe_qent *q, size_t n, size_t *done)
{
	struct stlink *s = stlink_of(p);
	uint8_t data[STLINK_DATA_SIZE];
	struct misc_fail f = { .entry = n };
	size_t items, len = misc_build(q, n, data, &items);
	int rc = misc_exchange(p, data, len, items);
	bool failed;

	*done = 0;
	if (rc)
		return rc;
	failed = misc_check(s->buf, q, n, items, &f);
	/* The reads before the failed entry are done: the caller goes on
	 * after them. */
	for (size_t k = 0, item = 1; k < f.entry; item += misc_items_of(&q[k]), k++)
		if (q[k].dst)
			*q[k].dst = swdd_le32(s->buf + 4 * item);
	*done = f.entry;
	if (!failed)
		return 0;
	/* WAIT with nothing run after it: the caller runs the rest one
	 * command at a time, with its back-off. */
	if ((f.st == 0x10 || f.st == 0x14) && !f.later_ok)
		return 0;
	return stlink_word_error(p, f.st, q[f.entry].addr, !q[f.entry].dst);
}
