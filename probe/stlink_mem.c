/*
 * ST-LINK memory commands (docs/STLINK-PROTOCOL.md §3, §6): READMEM/WRITEMEM in 8,
 * 16 (from V2J26) and 32-bit widths. A command moves at most 6144 bytes
 * (the firmware buffer) at 16/32 bits and 64 bytes at 8 bits (512 on V3
 * from J6), and never crosses the TAR auto-increment block (1 KiB, 4 KiB
 * on Cortex-M3/M4), as OpenOCD splits. A read returns data without a
 * status: GETLASTRWSTATUS2 (from J15) then tells whether it faulted and
 * where.
 */
#include "stlink.h"

#include <string.h>
#include <unistd.h>

#include "swdd_err.h"

#define STLINK_MEM_WAIT_RETRIES 7U

static size_t chunk_len(struct stlink *s, uint32_t addr, size_t len, unsigned width)
{
	size_t n = width == 1 ? s->mem8_max : STLINK_DATA_SIZE;
	size_t to_wrap = s->tar_wrap - (addr % s->tar_wrap);

	if (n > to_wrap)
		n = to_wrap;
	return n < len ? n : len;
}

static uint8_t mem_sub(unsigned width, bool wr)
{
	if (width == 4)
		return wr ? STLINK_DEBUG_WRITEMEM_32BIT : STLINK_DEBUG_READMEM_32BIT;
	if (width == 2)
		return wr ? STLINK_DEBUG_WRITEMEM_16BIT : STLINK_DEBUG_READMEM_16BIT;
	return wr ? STLINK_DEBUG_WRITEMEM_8BIT : STLINK_DEBUG_READMEM_8BIT;
}

/* Status of the last memory command: 0x80, WAIT, or a fault with its
 * address (GETLASTRWSTATUS2: u16 status, u16 pad, u32 fault address). */
static int last_rw_status(struct swdd_probe *p, uint8_t *st, uint32_t *fault_addr)
{
	struct stlink *s = stlink_of(p);
	bool v2 = s->features & STLINK_F_RWSTATUS2;
	int rc;

	stlink_cmd(s, STLINK_DEBUG, v2 ? STLINK_DEBUG_GETLASTRWSTATUS2 : STLINK_DEBUG_GETLASTRWSTATUS);
	rc = stlink_xfer(p, v2 ? 12 : 2);
	if (rc)
		return rc;
	*st = s->buf[0];
	if (v2)
		*fault_addr = swdd_le32(s->buf + 4);
	return 0;
}

/* One command's worth. The caller's buffer takes or gives the data. */
static int mem_cmd_once(struct swdd_probe *p, uint32_t addr, uint8_t *buf, size_t n, unsigned width, bool wr,
			uint8_t *st, uint32_t *fault_addr)
{
	struct stlink *s = stlink_of(p);
	uint8_t *c = stlink_cmd(s, STLINK_DEBUG, mem_sub(width, wr));
	int rc;

	swdd_put_le32(c + 2, addr);
	c[6] = (uint8_t)n;
	c[7] = (uint8_t)(n >> 8);
	c[8] = s->mem_ap; /* honoured from J32 / V3J2 (STLINK_F_CSW) */
	if ((s->features & STLINK_F_CSW) && !s->mem_ap) {
		/* CSW[31:8]: HPROT data/privileged, MasterType debug. */
		c[11] = 0x23;
	}
	rc = probe_tr_write(p->tr, c, STLINK_CMD_SIZE);
	if (!rc && wr)
		rc = probe_tr_write(p->tr, buf, n);
	if (!rc && !wr && n == 1) {
		/* A one-byte READMEM_8BIT answers two bytes on some firmware
		 * (docs/STLINK-PROTOCOL.md §3): take whatever one transfer brings. */
		size_t got = 0;
		rc = probe_tr_read(p->tr, s->buf, 2, &got);
		if (!rc && !got)
			rc = swdd_err_set(SWDD_EIO, "the ST-LINK sent an empty reply to a 1-byte read");
		buf[0] = s->buf[0];
	} else if (!rc && !wr) {
		rc = probe_tr_read_exact(p->tr, buf, n);
	}
	*fault_addr = addr;
	return rc ? rc : last_rw_status(p, st, fault_addr);
}

static int mem_chunk(struct swdd_probe *p, uint32_t addr, uint8_t *buf, size_t n, unsigned width, bool wr)
{
	unsigned delay_ms = 1;
	uint32_t fault_addr = addr;
	uint8_t st = 0;

	for (unsigned tries = 0;; tries++) {
		int rc = mem_cmd_once(p, addr, buf, n, width, wr, &st, &fault_addr);

		if (rc)
			return rc;
		if (st == STLINK_STATUS_OK)
			return 0;
		if ((st != 0x10 && st != 0x14) || tries == STLINK_MEM_WAIT_RETRIES)
			break;
		usleep(delay_ms * 1000u);
		delay_ms *= 2;
	}
	stlink_clear_sticky(p);
	if (st == 0x10 || st == 0x14)
		return swdd_err_set(SWDD_EWAIT,
				    "%s of %zu bytes at 0x%08x: the target kept answering WAIT "
				    "through %u retries (bus stalled, e.g. by a flash operation)",
				    wr ? "write" : "read", n, addr, STLINK_MEM_WAIT_RETRIES);
	if (st == 0x11 || st == 0x15 || st == 0x19 || st == 0x18 || st == 0x01 || st == 0x81)
		return swdd_err_set(SWDD_EFAULT,
				    "memory access at 0x%08x faulted (%s of %zu bytes from 0x%08x; "
				    "unmapped or protected address - check it against the memory map)",
				    fault_addr, wr ? "write" : "read", n, addr);
	return stlink_status_error(p, st, wr ? "memory write" : "memory read");
}

static int stlink_mem(struct swdd_probe *p, uint32_t addr, uint8_t *buf, size_t len, unsigned width, bool wr);

/* The error of a failed one-word access with ST-LINK status st: a fault
 * names the address (the DP's sticky flags cleared first), anything else
 * its status. */
int stlink_word_error(struct swdd_probe *p, uint8_t st, uint32_t addr, bool wr)
{
	int rc = stlink_status_error(p, st, wr ? "32-bit write" : "32-bit read");

	if (rc != SWDD_EFAULT)
		return rc;
	stlink_clear_sticky(p);
	return swdd_err_set(rc,
			    "memory access at 0x%08x faulted (%s; unmapped or protected address - "
			    "check it against the memory map)",
			    addr, wr ? "write" : "read");
}

/* One word through READDEBUGREG / WRITEDEBUGREG (F2 36 / F2 35): any AP 0
 * address, the status in the same reply, so one round trip instead of a
 * memory command plus GETLASTRWSTATUS2. */
static int stlink_word(struct swdd_probe *p, uint32_t addr, uint32_t *val, bool wr)
{
	struct stlink *s = stlink_of(p);
	uint8_t *c = stlink_cmd(s, STLINK_DEBUG, wr ? STLINK_DEBUG_WRITEDEBUGREG : STLINK_DEBUG_READDEBUGREG);
	int rc;

	swdd_put_le32(c + 2, addr);
	if (wr)
		swdd_put_le32(c + 6, *val);
	rc = stlink_cmd_status(p, wr ? 2 : 8, wr ? "32-bit write" : "32-bit read");
	if (rc == SWDD_EFAULT)
		return stlink_word_error(p, s->buf[0], addr, wr);
	if (!rc && !wr)
		*val = swdd_le32(s->buf + 4);
	return rc;
}

size_t stlink_read_run(struct stlink *s, const struct probe_qent *q, size_t n)
{
	size_t k = 1;

	while (k < n && q[k].dst && q[0].dst && k < STLINK_DATA_SIZE / 4 && q[k].addr == q[0].addr + 4 * k &&
	       (q[0].addr % s->tar_wrap) + 4 * (k + 1) <= s->tar_wrap)
		k++;
	return k;
}

/* A run of reads of consecutive words becomes one READMEM_32BIT, a lone
 * access a READDEBUGREG/WRITEDEBUGREG. *run is the number of entries done. */
static int stlink_queue_step(struct swdd_probe *p, const struct probe_qent *q, size_t n, size_t *run)
{
	size_t k = stlink_read_run(stlink_of(p), q, n);
	int rc;

	*run = k;
	if (k == 1) {
		uint32_t v = q[0].val;
		return stlink_word(p, q[0].addr, q[0].dst ? q[0].dst : &v, !q[0].dst);
	}
	uint8_t words[STLINK_DATA_SIZE];
	rc = stlink_mem(p, q[0].addr, words, 4 * k, 4, false);
	for (size_t j = 0; j < k && !rc; j++)
		*q[j].dst = swdd_le32(words + 4 * j);
	return rc;
}

/* The queue: as RW_MISC exchanges where the firmware has them
 * (stlink_misc.c), else command by command. An entry that answered WAIT
 * inside RW_MISC is retried on its own, with stlink_cmd_status's back-off. */
int stlink_run_queue(struct swdd_probe *p, const struct probe_qent *q, size_t n, size_t *failed)
{
	for (size_t i = 0; i < n;) {
		size_t fit = stlink_misc_fit(p, q + i, n - i), done = 0;
		int rc = fit ? stlink_misc_run(p, q + i, fit, &done) : 0;

		if (!rc && fit && done == fit) {
			i += done;
			continue;
		}
		i += done;
		if (!rc)
			rc = stlink_queue_step(p, q + i, n - i, &done);
		if (rc) {
			*failed = i;
			return rc;
		}
		i += done;
	}
	return 0;
}

static int stlink_mem(struct swdd_probe *p, uint32_t addr, uint8_t *buf, size_t len, unsigned width, bool wr)
{
	struct stlink *s = stlink_of(p);

	if (width == 2 && !(s->features & STLINK_F_MEM16))
		return swdd_err_set(SWDD_EUNSUPPORTED,
				    "firmware %s has no 16-bit memory access (needs J26); "
				    "update the ST-LINK firmware",
				    p->info.firmware);
	while (len) {
		size_t n = chunk_len(s, addr, len, width);
		int rc = mem_chunk(p, addr, buf, n, width, wr);

		if (rc)
			return rc;
		addr += (uint32_t)n;
		buf += n;
		len -= n;
	}
	return 0;
}

int stlink_read_mem(struct swdd_probe *p, uint32_t addr, uint8_t *buf, size_t len, unsigned width)
{
	uint32_t v;
	int rc;

	if (width != 4 || len != 4)
		return stlink_mem(p, addr, buf, len, width, false);
	rc = stlink_word(p, addr, &v, false);
	if (!rc)
		swdd_put_le32(buf, v);
	return rc;
}

int stlink_write_mem(struct swdd_probe *p, uint32_t addr, const uint8_t *buf, size_t len, unsigned width)
{
	uint32_t v;

	if (width != 4 || len != 4)
		return stlink_mem(p, addr, (uint8_t *)(uintptr_t)buf, len, width, true);
	v = swdd_le32(buf);
	return stlink_word(p, addr, &v, true);
}

/* One word on another AP (probe_internal.h ap_word): a 32-bit memory
 * command with the AP byte (J32 / V3J2), the AP opened with INIT_AP, the
 * firmware's own CSW for that AP; older firmware with DP/AP register
 * access (J24) moves it through CSW/TAR/DRW instead. */
int stlink_ap_word(struct swdd_probe *p, unsigned ap, uint32_t addr, uint32_t *val, bool wr)
{
	struct stlink *s = stlink_of(p);
	uint8_t b[4];
	int rc;

	if (!(s->features & STLINK_F_CSW))
		return probe_ap_word_raw(p, ap, addr, val, wr);
	rc = stlink_init_ap(p, ap);
	if (rc)
		return rc;
	swdd_put_le32(b, *val);
	s->mem_ap = (uint8_t)ap;
	rc = mem_chunk(p, addr, b, 4, 4, wr);
	s->mem_ap = 0;
	if (!rc && !wr)
		*val = swdd_le32(b);
	return rc ? swdd_err_add(rc, "on AP %u", ap) : 0;
}
