/*
 * Public probe API (probe.h): argument checks, the parts every probe
 * shares (unaligned heads and tails, the access queue, statistics), and
 * dispatch to the memory/core level of the probe's driver
 * (probe_internal.h). The only place that picks a driver is
 * probe_create(), from the probe family found by the USB identity
 * (probe_identify(), probe_ids.c).
 */
#include "probe_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "probe_ids.h"
#include "sim_probe.h"
#include "swdd_err.h"
#include "swdd_time.h"

/* Creates the probe object around an open transport and runs the driver's
 * open (version query). On failure the transport is closed. */
int probe_create(struct probe_transport *tr, const struct swdd_probe_info *info, enum probe_family fam,
		 struct swdd_probe **out)
{
	struct swdd_probe *p = calloc(1, sizeof(*p));
	int rc;

	if (!p) {
		probe_tr_close(tr);
		return swdd_err_set(SWDD_ENOMEM, "out of memory opening the probe");
	}
	p->info = *info;
	snprintf(p->info.transport, sizeof(p->info.transport), "%s", tr->name);
	p->tr = tr;
	rc = fam == PROBE_FAMILY_STLINK ? stlink_open(p) : cmsis_dap_open(p);
	if (rc) {
		swdd_probe_close(p);
		return rc;
	}
	tr->fw_version = p->info.firmware;
	*out = p;
	return 0;
}

int swdd_probe_open_sim(struct sim_probe *sp, struct swdd_probe **out)
{
	const struct sim_usb_identity *id;
	struct swdd_probe_info info = { .voltage_mv = -1 };
	struct probe_transport *tr;
	enum probe_family fam;
	int rc;

	if (!sp || !out)
		return swdd_err_set(SWDD_EINVAL, "no lab probe given");
	id = sim_probe_usb(sp);
	fam = probe_identify(id->vid, id->pid, id->product, id->interface_name, id->hid, info.kind,
			     sizeof(info.kind));
	if (fam == PROBE_FAMILY_NONE)
		return swdd_err_set(SWDD_ENODEV,
				    "the lab's probe %04x:%04x (\"%s\") is not a supported probe", id->vid,
				    id->pid, id->product ? id->product : "");
	snprintf(info.serial, sizeof(info.serial), "%s", id->serial ? id->serial : "");
	info.vid = id->vid;
	info.pid = id->pid;
	rc = probe_tr_sim_open(sp, &tr);
	if (rc)
		return rc;
	return probe_create(tr, &info, fam, out);
}

void swdd_probe_close(struct swdd_probe *p)
{
	if (!p)
		return;
	if (p->mem && p->mem->close)
		p->mem->close(p);
	probe_tr_close(p->tr);
	free(p->queue);
	free(p);
}

const struct swdd_probe_info *swdd_probe_get_info(const struct swdd_probe *p)
{
	return &p->info;
}

unsigned swdd_probe_polls_per_ms(const struct swdd_probe *p)
{
	return p->tr && p->tr->high_speed ? 8u : 1u;
}

void swdd_wait_start(struct swdd_wait *w, const struct swdd_probe *p, uint32_t timeout_ms)
{
	w->end_ms = swdd_now_ms() + timeout_ms;
	w->polls_left = (uint64_t)timeout_ms * swdd_probe_polls_per_ms(p);
}

bool swdd_wait_over(struct swdd_wait *w)
{
	w->polls_left -= w->polls_left > 0;
	return !w->polls_left && swdd_now_ms() > w->end_ms;
}

void swdd_probe_get_stats(const struct swdd_probe *p, struct swdd_probe_stats *st)
{
	*st = p->tr->stats;
}

/* ---- connection ------------------------------------------------------- */

int swdd_probe_set_speed(struct swdd_probe *p, unsigned khz, unsigned *actual_khz)
{
	unsigned actual = 0;
	int rc;

	if (!khz)
		return swdd_err_set(SWDD_EINVAL,
				    "SWD clock of 0 kHz requested; give a frequency such as 4000");
	rc = p->mem->set_speed(p, khz, &actual);
	if (rc == 0) {
		p->speed_khz = actual;
		if (actual_khz)
			*actual_khz = actual;
	}
	return rc;
}

unsigned swdd_probe_get_speed(const struct swdd_probe *p)
{
	return p->speed_khz;
}

int swdd_probe_voltage(struct swdd_probe *p, int *mv)
{
	int rc;

	if (!p->mem->voltage)
		return swdd_err_set(SWDD_EUNSUPPORTED, "%s probes cannot measure the target voltage",
				    p->info.kind);
	rc = p->mem->voltage(p, mv);
	if (!rc)
		p->info.voltage_mv = *mv;
	return rc;
}

int swdd_probe_nrst(struct swdd_probe *p, bool asserted)
{
	return p->mem->nrst(p, asserted);
}

int swdd_probe_attach(struct swdd_probe *p, uint32_t *dpidr)
{
	uint32_t dummy;

	return p->mem->attach(p, dpidr ? dpidr : &dummy);
}

int swdd_probe_detach(struct swdd_probe *p)
{
	return p->mem->detach(p);
}

/* ---- memory ------------------------------------------------------------ */

static int probe_check_range(uint32_t addr, size_t len)
{
	if (len > 0x100000000ull - addr)
		return swdd_err_set(SWDD_ERANGE,
				    "access of %zu bytes at 0x%08x runs past the end of the "
				    "address space",
				    len, addr);
	return 0;
}

/* Splits [addr, addr+len) into an unaligned byte head, aligned words and a
 * byte tail: the memory level only sees aligned accesses of one width. */
static int probe_rw_split(struct swdd_probe *p, uint32_t addr, uint8_t *buf, size_t len, bool wr)
{
	size_t head = (4u - (addr & 3u)) & 3u, mid, tail;
	int rc = probe_check_range(addr, len);

	if (rc || !len)
		return rc;
	if (head > len)
		head = len;
	mid = (len - head) & ~(size_t)3;
	tail = len - head - mid;
	const struct {
		size_t off, n;
		unsigned w;
	} part[3] = {
		{ 0, head, 1 },
		{ head, mid, 4 },
		{ head + mid, tail, 1 },
	};
	for (int i = 0; i < 3 && !rc; i++) {
		if (!part[i].n)
			continue;
		uint32_t a = addr + (uint32_t)part[i].off;
		rc = wr ? p->mem->write_mem(p, a, buf + part[i].off, part[i].n, part[i].w)
			: p->mem->read_mem(p, a, buf + part[i].off, part[i].n, part[i].w);
	}
	return rc;
}

int swdd_probe_read_mem(struct swdd_probe *p, uint32_t addr, void *buf, size_t len)
{
	return probe_rw_split(p, addr, buf, len, false);
}

int swdd_probe_write_mem(struct swdd_probe *p, uint32_t addr, const void *buf, size_t len)
{
	return probe_rw_split(p, addr, (uint8_t *)(uintptr_t)buf, len, true);
}

static int probe_check_width(uint32_t addr, size_t len, unsigned width)
{
	if (width != 1 && width != 2 && width != 4)
		return swdd_err_set(SWDD_EINVAL, "access width %u is not 1, 2 or 4 bytes", width);
	if ((addr | len) % width)
		return swdd_err_set(SWDD_EINVAL,
				    "address 0x%08x and length %zu must be multiples of the "
				    "access width %u",
				    addr, len, width);
	return probe_check_range(addr, len);
}

int swdd_probe_read_mem_width(struct swdd_probe *p, uint32_t addr, void *buf, size_t len, unsigned width)
{
	int rc = probe_check_width(addr, len, width);

	if (rc || !len)
		return rc;
	return p->mem->read_mem(p, addr, buf, len, width);
}

int swdd_probe_write_mem_width(struct swdd_probe *p, uint32_t addr, const void *buf, size_t len,
			       unsigned width)
{
	int rc = probe_check_width(addr, len, width);

	if (rc || !len)
		return rc;
	return p->mem->write_mem(p, addr, buf, len, width);
}

int swdd_probe_read32(struct swdd_probe *p, uint32_t addr, uint32_t *val)
{
	uint8_t b[4];
	int rc = swdd_probe_read_mem_width(p, addr, b, 4, 4);

	if (!rc)
		*val = swdd_le32(b);
	return rc;
}

int swdd_probe_write32(struct swdd_probe *p, uint32_t addr, uint32_t val)
{
	uint8_t b[4];

	swdd_put_le32(b, val);
	return swdd_probe_write_mem_width(p, addr, b, 4, 4);
}

/* ---- queue ---------------------------------------------------------------- */

static int probe_queue_add(struct swdd_probe *p, uint32_t addr, uint32_t val, uint32_t *dst)
{
	if (addr & 3u)
		return swdd_err_set(SWDD_EINVAL, "queued 32-bit access at unaligned address 0x%08x", addr);
	if (p->queue_len == p->queue_cap) {
		size_t cap = p->queue_cap ? p->queue_cap * 2 : 64;
		struct probe_qent *q = realloc(p->queue, cap * sizeof(*q));

		if (!q)
			return swdd_err_set(SWDD_ENOMEM, "out of memory queueing a probe access");
		p->queue = q;
		p->queue_cap = cap;
	}
	p->queue[p->queue_len++] = (struct probe_qent){ .addr = addr, .val = val, .dst = dst };
	return 0;
}

int swdd_probe_queue_read32(struct swdd_probe *p, uint32_t addr, uint32_t *dst)
{
	if (!dst)
		return swdd_err_set(SWDD_EINVAL, "queued read without a destination");
	return probe_queue_add(p, addr, 0, dst);
}

int swdd_probe_queue_write32(struct swdd_probe *p, uint32_t addr, uint32_t val)
{
	return probe_queue_add(p, addr, val, NULL);
}

/* Fallback for drivers without a native queue: one access at a time. */
static int probe_run_queue_serial(struct swdd_probe *p, const struct probe_qent *q, size_t n, size_t *failed)
{
	for (size_t i = 0; i < n; i++) {
		int rc = q[i].dst ? swdd_probe_read32(p, q[i].addr, q[i].dst)
				  : swdd_probe_write32(p, q[i].addr, q[i].val);
		if (rc) {
			*failed = i;
			return rc;
		}
	}
	return 0;
}

int swdd_probe_flush(struct swdd_probe *p)
{
	size_t n = p->queue_len, failed = 0;
	int rc;

	if (!n)
		return 0;
	p->queue_len = 0;
	rc = p->mem->run_queue ? p->mem->run_queue(p, p->queue, n, &failed)
			       : probe_run_queue_serial(p, p->queue, n, &failed);
	if (rc && failed < n)
		swdd_err_add(rc,
			     "queued access %zu of %zu (%s 0x%08x) failed; the rest of the queue was dropped",
			     failed + 1, n, p->queue[failed].dst ? "read" : "write", p->queue[failed].addr);
	return rc;
}

/* ---- core registers ---------------------------------------------------------- */

/* DCRSR.REGSEL values this layer passes on (ARMv7-M C1.6.3, ARMv7-M ARM C1.6.3). */
static int probe_check_regsel(unsigned r)
{
	if (r <= 0x24u || (r >= 0x40u && r <= 0x5Fu))
		return 0;
	return swdd_err_set(SWDD_EINVAL,
			    "core register selector %u is not a DCRSR REGSEL value "
			    "(0-36 or 64-95)",
			    r);
}

int swdd_probe_read_core_regs(struct swdd_probe *p, const uint8_t *regsel, size_t n, uint32_t *vals)
{
	for (size_t i = 0; i < n; i++) {
		int rc = probe_check_regsel(regsel[i]);
		if (rc)
			return rc;
	}
	return n ? p->mem->read_core_regs(p, regsel, n, vals) : 0;
}

int swdd_probe_read_core_regs_halted(struct swdd_probe *p, const uint8_t *regsel, size_t n, uint32_t *vals)
{
	bool was = p->halt_known;
	int rc;

	p->halt_known = true;
	rc = swdd_probe_read_core_regs(p, regsel, n, vals);
	p->halt_known = was;
	return rc;
}

void swdd_probe_assume_halted(struct swdd_probe *p, bool halted)
{
	p->halt_known = halted;
}

int swdd_probe_read_core_reg(struct swdd_probe *p, unsigned regsel, uint32_t *val)
{
	uint8_t r = (uint8_t)regsel;
	int rc = probe_check_regsel(regsel);

	return rc ? rc : p->mem->read_core_regs(p, &r, 1, val);
}

int swdd_probe_write_core_reg(struct swdd_probe *p, unsigned regsel, uint32_t val)
{
	int rc = probe_check_regsel(regsel);

	return rc ? rc : p->mem->write_core_reg(p, regsel, val);
}

/* ---- memory on another MEM-AP ------------------------------------------------- */

/* MEM-AP registers used by the raw path (ADIv5.2 C2.6). */
#define PROBE_AP_CSW 0x00U
#define PROBE_AP_TAR 0x04U
#define PROBE_AP_DRW 0x0CU
#define PROBE_AP_IDR 0xFCU

int probe_ap_word_raw(struct swdd_probe *p, unsigned ap, uint32_t addr, uint32_t *val, bool wr)
{
	uint32_t idr = 0;
	int rc = p->mem->dap_read(p, ap, PROBE_AP_IDR, &idr);

	if (!rc && !idr)
		return swdd_err_set(SWDD_EFAULT, "there is no AP %u on this debug port (IDR reads 0)", ap);
	if (!rc)
		rc = p->mem->dap_write(p, ap, PROBE_AP_CSW, probe_ap_csw_word(idr));
	if (!rc)
		rc = p->mem->dap_write(p, ap, PROBE_AP_TAR, addr);
	if (!rc)
		rc = wr ? p->mem->dap_write(p, ap, PROBE_AP_DRW, *val)
			: p->mem->dap_read(p, ap, PROBE_AP_DRW, val);
	if (rc == SWDD_EFAULT)
		return swdd_err_set(rc, "AP %u access at 0x%08x faulted (%s)", ap, addr,
				    wr ? "write" : "read");
	return rc;
}

static int probe_ap_word(struct swdd_probe *p, unsigned ap, uint32_t addr, uint32_t *val, bool wr)
{
	if (ap > 0xFFu)
		return swdd_err_set(SWDD_EINVAL, "AP number %u is out of range (0-255)", ap);
	if (addr & 3u)
		return swdd_err_set(SWDD_EINVAL, "AP %u word access at unaligned address 0x%08x", ap, addr);
	if (ap == 0)
		return wr ? swdd_probe_write32(p, addr, *val) : swdd_probe_read32(p, addr, val);
	return p->mem->ap_word ? p->mem->ap_word(p, ap, addr, val, wr)
			       : probe_ap_word_raw(p, ap, addr, val, wr);
}

int swdd_probe_ap_read32(struct swdd_probe *p, unsigned ap, uint32_t addr, uint32_t *val)
{
	return probe_ap_word(p, ap, addr, val, false);
}

int swdd_probe_ap_write32(struct swdd_probe *p, unsigned ap, uint32_t addr, uint32_t val)
{
	return probe_ap_word(p, ap, addr, &val, true);
}

/* ---- raw DAP ------------------------------------------------------------------- */

static int probe_check_dap(unsigned port, unsigned reg)
{
	if (port != SWDD_PROBE_DP && port > 0xFFu)
		return swdd_err_set(SWDD_EINVAL, "AP number %u is out of range (0-255, or the DP)", port);
	if ((reg & 3u) || reg > 0xFFu || (port == SWDD_PROBE_DP && (reg & 0x0Fu) > 0xCu))
		return swdd_err_set(SWDD_EINVAL, "register address 0x%x is not a word register of the %s",
				    reg, port == SWDD_PROBE_DP ? "DP" : "AP");
	return 0;
}

int swdd_probe_dap_read(struct swdd_probe *p, unsigned port, unsigned reg, uint32_t *val)
{
	int rc = probe_check_dap(port, reg);

	return rc ? rc : p->mem->dap_read(p, port, reg, val);
}

int swdd_probe_dap_write(struct swdd_probe *p, unsigned port, unsigned reg, uint32_t val)
{
	int rc = probe_check_dap(port, reg);

	return rc ? rc : p->mem->dap_write(p, port, reg, val);
}
