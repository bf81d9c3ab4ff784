/*
 * The write pipeline: check everything that can refuse the request first
 * (range, RDP, WRP), then per touched sector compare on-target CRC with the
 * image, erase only what differs, program double-buffered, and verify
 * every programmed sector. Nothing is reported written that was not
 * verified.
 */
#include "flash_internal.h"

#include "probe.h"
#include "swdd_err.h"
#include "swdd_le.h"
#include "swdd_log.h"
#include "swdd_time.h"
#include "target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct plan_sector {
	const struct flash_sector *s;
	uint8_t *want;       /* desired content, s->size bytes */
	uint8_t *from_image; /* per byte: 1 if the image sets it */
	bool covered;        /* every byte comes from the image */
};

struct plan {
	struct plan_sector *ps;
	size_t n;
	uint64_t image_bytes;
};

static void progress(const struct swdd_flash_opts *o, enum swdd_flash_phase ph, uint64_t done, uint64_t total)
{
	if (o && o->progress)
		o->progress(o->progress_ctx, ph, done, total);
}

static void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->ps[i].want);
		free(p->ps[i].from_image);
	}
	free(p->ps);
}

/* Every segment must lie in the flash window; lists the ones that don't. */
static int plan_check_range(struct swdd_flash *f, const struct swdd_image *img)
{
	char list[512] = "";
	size_t n = 0;
	unsigned bad = 0;
	uint64_t total = 0;

	for (size_t i = 0; i < img->n; i++) {
		const struct swdd_segment *s = &img->seg[i];
		total += s->len;
		if (s->addr >= f->base && (uint64_t)s->addr + s->len <= (uint64_t)f->base + f->size)
			continue;
		bad++;
		if (n < sizeof(list) - 64)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s0x%08X-0x%08X",
					      bad > 1 ? ", " : "", s->addr, s->addr + s->len - 1);
	}
	if (total > f->size)
		return swdd_err_set(SWDD_ERANGE,
				    "the image (%llu bytes) is larger than the flash "
				    "(%u bytes at 0x%08X); nothing was written",
				    (unsigned long long)total, f->size, f->base);
	if (bad)
		return swdd_err_set(SWDD_ERANGE,
				    "%u segment(s) lie outside the flash 0x%08X-0x%08X: "
				    "%s; nothing was written",
				    bad, f->base, f->base + f->size - 1, list);
	return 0;
}

static struct plan_sector *plan_get(struct swdd_flash *f, struct plan *p, const struct flash_sector *s)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->ps[i].s == s)
			return &p->ps[i];
	struct plan_sector *nps = realloc(p->ps, (p->n + 1) * sizeof(*nps));
	if (!nps)
		return NULL;
	p->ps = nps;
	nps = &p->ps[p->n];
	nps->s = s;
	nps->covered = false;
	nps->want = malloc(s->size);
	nps->from_image = calloc(1, s->size);
	p->n++;
	if (!nps->want || !nps->from_image)
		return NULL;
	memset(nps->want, f->flm->empty, s->size);
	return nps;
}

static int plan_sort_cmp(const void *a, const void *b)
{
	const struct plan_sector *x = a, *y = b;

	return x->s->start < y->s->start ? -1 : x->s->start > y->s->start;
}

/* Builds the desired content of every touched sector; from_image marks the
 * bytes the image sets, so that keep_unwritten knows what to read back. */
static int plan_build(struct swdd_flash *f, const struct swdd_image *img, struct plan *p)
{
	for (size_t i = 0; i < img->n; i++) {
		const struct swdd_segment *sg = &img->seg[i];
		uint32_t off = 0;
		while (off < sg->len) {
			const struct flash_sector *s = flash_sector_of(f, sg->addr + off);
			struct plan_sector *ps = s ? plan_get(f, p, s) : NULL;
			if (!ps)
				return s ? SWDD_ENOMEM : SWDD_ERANGE;
			uint32_t in = sg->addr + off - s->start;
			uint32_t n = s->size - in < sg->len - off ? s->size - in : sg->len - off;
			memcpy(ps->want + in, sg->data + off, n);
			memset(ps->from_image + in, 1, n);
			off += n;
			p->image_bytes += n;
		}
	}
	for (size_t i = 0; i < p->n; i++)
		p->ps[i].covered = !memchr(p->ps[i].from_image, 0, p->ps[i].s->size);
	qsort(p->ps, p->n, sizeof(*p->ps), plan_sort_cmp);
	return 0;
}

static int plan_check_wrp(struct swdd_flash *f, const struct plan *p)
{
	uint64_t wrp;
	int rc = f->fam->wrp_mask(f->t, &wrp);

	for (size_t i = 0; !rc && i < p->n; i++) {
		unsigned idx = p->ps[i].s->index;
		if (wrp & (1ull << idx))
			return swdd_err_set(SWDD_EPROTECTED,
					    "sector %u (0x%08X-0x%08X) is write-protected in the "
					    "option bytes (`monitor option`); nothing was written. "
					    "Clear the protection in the option bytes first",
					    idx, p->ps[i].s->start, p->ps[i].s->start + p->ps[i].s->size - 1);
	}
	return rc;
}

/* Sectors only partly covered keep their other bytes (CLI semantics). */
static int plan_merge_current(struct swdd_flash *f, struct plan *p, uint8_t **scratch)
{
	for (size_t i = 0; i < p->n; i++) {
		struct plan_sector *ps = &p->ps[i];
		if (ps->covered)
			continue;
		uint8_t *cur = realloc(*scratch, ps->s->size);
		if (!cur)
			return SWDD_ENOMEM;
		*scratch = cur;
		int rc = flash_flush_caches(f);
		if (!rc)
			rc = swdd_target_mem_read(f->t, ps->s->start, cur, ps->s->size);
		if (rc)
			return rc;
		for (uint32_t b = 0; b < ps->s->size; b++)
			if (!ps->from_image[b])
				ps->want[b] = cur[b];
	}
	return 0;
}

/* ARMv7-M B3.2.8 CCR: DC (bit 16) and IC (bit 17) enable a Cortex-M7's L1
 * caches (reserved, 0, on cores without them). */
#define FLASH_SCB_CCR 0xE000ED14U
#define FLASH_CCR_CACHES (3U << 16)

/* When the core's checksum and the probe's read-back disagree, the core's
 * loads may have hit its caches: evidence only if they are on. */
static void core_cache_evidence(struct swdd_flash *f, char *buf, size_t len)
{
	uint8_t b[4];

	buf[0] = '\0';
	if (swdd_target_mem_read(f->t, FLASH_SCB_CCR, b, 4) == 0 && (swdd_le32(b) & FLASH_CCR_CACHES))
		snprintf(buf, len,
			 "; the core's caches are on (CCR = 0x%08X): the checksum routine's loads "
			 "may have hit lines cached before the flash changed (a stale cache), which "
			 "the probe's reads do not see",
			 swdd_le32(b));
}

/* A sector whose read-back matches the plan although the on-target CRC
 * said otherwise. When that CRC came from the algorithm's own Crc32, the
 * bytes over the probe and the host's CRC of them outvote it: the
 * algorithm is named, not the flash (issue 15: a lying FLM was blamed on
 * the supply voltage). */
static int report_crc_disagrees(struct swdd_flash *f, const struct plan_sector *ps, const uint8_t *cur,
				uint32_t target_crc, const char *bits)
{
	uint32_t host = swdd_crc32(0xFFFFFFFFu, cur, ps->s->size);
	char cache[200];

	if (!f->algo.crc_routine && f->flm->fn[SWDD_FLM_CRC32] != SWDD_FLM_NO_FN)
		return swdd_err_set(SWDD_EALGO,
				    "the flash algorithm's Crc32 (%s) answered 0x%08X for sector "
				    "%u, but the bytes read back over the probe match the image (CRC-32 "
				    "0x%08X): the algorithm's checksum is wrong, not the flash, and the "
				    "sector holds the image; fix or replace the algorithm (--flash-algo, "
				    "monitor flash algo)",
				    f->flm->source, target_crc, ps->s->index, host);
	core_cache_evidence(f, cache, sizeof(cache));
	return swdd_err_set(SWDD_EVERIFY,
			    "verify failed in sector %u: swdd's checksum routine answered "
			    "0x%08X but a read-back matches the image (CRC-32 0x%08X; flash status: %s)%s; "
			    "the flash or the core's reads of it may be unstable - check the supply "
			    "voltage",
			    ps->s->index, target_crc, host, bits, cache);
}

/* Finds the first differing byte of a sector for the verify report;
 * target_crc is what the on-target checksum said of it. */
static int report_mismatch(struct swdd_flash *f, const struct plan_sector *ps, uint32_t target_crc,
			   uint8_t **scratch)
{
	uint8_t *cur = realloc(*scratch, ps->s->size);
	uint32_t sr = 0;
	char bits[512], evidence[768];
	int rc;

	if (!cur)
		return SWDD_ENOMEM;
	*scratch = cur;
	rc = flash_flush_caches(f);
	if (!rc)
		rc = swdd_target_mem_read(f->t, ps->s->start, cur, ps->s->size);
	if (rc)
		return flash_add_evidence(
			f,
			swdd_err_add(rc, "while reading back sector %u after a CRC mismatch", ps->s->index),
			STM32_EVIDENCE_FLASH | STM32_EVIDENCE_RESET);
	(void)f->fam->read_status(f->t, &sr); /* sr stays 0 ("no error bits") if unreadable */
	flash_status_text(f, sr, bits, sizeof(bits));
	evidence[0] = '\0';
	if (f->fam->verify_evidence)
		f->fam->verify_evidence(f->t,
					STM32_EVIDENCE_FLASH | STM32_EVIDENCE_RESET |
						(f->rsr_cleared ? STM32_EVIDENCE_CLEARED : 0),
					evidence, sizeof(evidence));
	for (uint32_t b = 0; b < ps->s->size; b++)
		if (cur[b] != ps->want[b])
			return swdd_err_set(SWDD_EVERIFY,
					    "verify failed at 0x%08X: read 0x%02X, expected 0x%02X "
					    "(sector %u; flash status: %s%s)",
					    ps->s->start + b, cur[b], ps->want[b], ps->s->index, bits,
					    evidence);
	return report_crc_disagrees(f, ps, cur, target_crc, bits);
}

/*
 * The page pipeline of one sector. Pages go through a ring of nbuf SRAM
 * buffers: page j uses buffer j % nbuf, which is free once page j - nbuf
 * was programmed. The host writes pages into free buffers in chunks and
 * polls the running call (the sector's erase, then each ProgramPage)
 * between chunks; a page whose data is wholly in its buffer is started as
 * soon as the call before it returns. So the USB transfer of later pages
 * overlaps the erase and the programming of earlier ones, and the flash
 * idles only for the calls' own round trips (docs/FLASH.md "Speed").
 */
struct pump {
	struct swdd_flash *f;
	const struct plan_sector *ps;
	const struct flash_page_job *jobs;
	size_t nj;
	size_t filled;     /* pages wholly in their buffers */
	uint32_t fill_off; /* bytes of page `filled` written so far */
	size_t started;    /* pages whose ProgramPage was started */
	size_t completed;  /* pages the chip accepted */
	bool running;      /* a call (the erase, or page started - 1) runs */
	uint32_t result;   /* its r0 once it returned */
};

/* Bytes written between two polls of the running call: small against a
 * page's program time (32 KiB: 131 ms at x32 on STM32F4, 102 ms at x64 on
 * STM32H7; 2 KiB takes about 10 ms over a full-speed probe), large against
 * a round trip (1 ms). */
#define PUMP_CHUNK 2048U

static bool pump_can_fill(const struct pump *p)
{
	return p->filled < p->nj && p->filled < p->completed + p->f->algo.nbuf;
}

static int pump_fill_chunk(struct pump *p)
{
	const struct flash_page_job *j = &p->jobs[p->filled];
	uint32_t n = j->n - p->fill_off < PUMP_CHUNK ? j->n - p->fill_off : PUMP_CHUNK;
	uint32_t buf = p->f->algo.buf[p->filled % p->f->algo.nbuf];
	int rc = swdd_target_mem_write(p->f->t, buf + p->fill_off, p->ps->want + j->off + p->fill_off, n);

	p->fill_off += rc ? 0 : n;
	if (p->fill_off == j->n) {
		p->filled++;
		p->fill_off = 0;
	}
	return rc;
}

/* One step of the pipeline while a call runs: a chunk of the next page
 * when a buffer is free, else a wait for the call. Sets p->running false
 * when the call returned (its r0 in p->result). */
static int pump_step(struct pump *p)
{
	bool done = false;
	int rc = 0;

	if (pump_can_fill(p))
		rc = pump_fill_chunk(p);
	if (!rc)
		rc = pump_can_fill(p) ? swdd_algo_poll(&p->f->algo, &done, &p->result)
				      : swdd_algo_wait(&p->f->algo, &p->result);
	if (rc || done || !pump_can_fill(p))
		p->running = false;
	return rc;
}

/* Programs the sector's pages: each starts when its data is in its buffer
 * and the previous call returned; between, the host fills buffers. */
static int pump_program(struct pump *p, uint64_t *done)
{
	struct swdd_algo *a = &p->f->algo;
	uint32_t timeout = flash_prog_bound_ms(p->f, p->f->flm->page_size);
	int rc = 0;

	while (!rc && p->completed < p->nj) {
		size_t cur = p->started; /* == p->completed: one page runs at a time */
		uint32_t addr = p->ps->s->start + p->jobs[cur].off;

		while (!rc && p->started == p->filled)
			rc = pump_fill_chunk(p);
		if (!rc)
			rc = swdd_algo_start(a, SWDD_FLM_PROGRAM_PAGE, addr, p->jobs[cur].n,
					     a->buf[cur % a->nbuf], 0, timeout);
		p->started += rc == 0;
		p->running = rc == 0;
		swdd_debug("flash: page %zu started, %zu in buffers", cur, p->filled);
		while (!rc && p->running)
			rc = pump_step(p);
		if (rc)
			return swdd_err_add(rc, "while programming the page at 0x%08X", addr);
		if (p->result) {
			char bits[512];
			flash_describe_failure(p->f, p->result, bits, sizeof(bits));
			return swdd_err_set(SWDD_EFLASH, "programming the page at 0x%08X failed: %s", addr,
					    bits);
		}
		*done += p->jobs[p->completed++].n; /* count pages the chip accepted */
		swdd_debug("flash: page %zu programmed, %zu in buffers", cur, p->filled);
	}
	return 0;
}

/* Erases a sector while the host fills the page buffers with the sector's
 * first pages: their USB transfer hides behind the erase time. */
static int pump_erase(struct pump *p)
{
	struct swdd_algo *a = &p->f->algo;
	char what[64];
	uint64_t t0 = swdd_now_ms();
	int rc = swdd_algo_start(a, SWDD_FLM_ERASE_SECTOR, p->ps->s->start, 0, 0, 0,
				 flash_erase_bound_ms(p->f, p->ps->s->size));

	p->running = rc == 0;
	while (!rc && p->running)
		rc = pump_step(p);
	snprintf(what, sizeof(what), "erasing sector %u at 0x%08X", p->ps->s->index, p->ps->s->start);
	if (rc)
		return swdd_err_add(rc, "while %s", what);
	if (p->result) {
		char bits[512];
		flash_describe_failure(p->f, p->result, bits, sizeof(bits));
		return swdd_err_set(SWDD_EFLASH, "%s failed: %s", what, bits);
	}
	return flash_erase_plausible(p->f, p->ps->s->index, p->ps->s->start, swdd_now_ms() - t0);
}

static const uint8_t *blank_of(struct swdd_flash *f, uint32_t size, uint8_t **buf)
{
	uint8_t *b = realloc(*buf, size);

	if (b) {
		memset(b, f->flm->empty, size);
		*buf = b;
	}
	return b;
}

/* When the link to the chip fails mid-sector (a USB time-out, the probe
 * unplugged, the target unpowered, an algorithm that never returned), what
 * the flash holds is stated, not guessed: the operation that was running
 * may or may not have completed. A flash controller error (EFLASH) already
 * says what happened. */
int flash_sector_state_after(struct swdd_flash *f, int rc, const struct flash_sector *s, bool erasing,
			     uint64_t programmed)
{
	char why[1024];
	int mv = -1;

	if (rc == SWDD_EFLASH || rc == SWDD_ENOMEM || rc == SWDD_EPROTECTED)
		return rc;
	/* a target that stopped answering mid-operation: did the board lose
	 * its supply? (1.7 V: the lowest VDD of the families served). The
	 * probe may not measure it (CMSIS-DAP): the failure's sentence stays. */
	snprintf(why, sizeof(why), "%s", swdd_err_detail());
	if (rc != SWDD_EIO && rc != SWDD_ENODEV && !swdd_probe_voltage(swdd_target_probe(f->t), &mv) &&
	    mv >= 0 && mv < 1700)
		rc = SWDD_EUNPOWERED;
	swdd_err_set(rc, "%s", why);
	if (rc == SWDD_EUNPOWERED)
		swdd_err_add(rc, "the target supply now reads %d.%02d V: the board lost power", mv / 1000,
			     mv % 1000 / 10);
	if (erasing)
		return swdd_err_add(rc,
				    "flash state: the erase of sector %u (0x%08X, %u KiB) was started; "
				    "its outcome is unknown; sectors before it were written but not "
				    "verified; run again to verify and finish",
				    s->index, s->start, s->size / 1024u);
	return swdd_err_add(rc,
			    "flash state: sector %u (0x%08X) was erased and %llu bytes of it were "
			    "programmed; the page being programmed is in an unknown state, the rest of "
			    "the sector is erased; run again to verify and finish",
			    s->index, s->start, (unsigned long long)programmed);
}

/* Per sector: compare, erase if needed, program. */
/* Erases a sector (unless the target already holds it blank) and
 * programs it. cur_crc is the sector's on-target CRC. */
static int write_sector(struct swdd_flash *f, struct plan_sector *ps, uint32_t cur_crc,
			struct swdd_flash_result *res, uint64_t *done, uint8_t **scratch)
{
	const uint8_t *blank = blank_of(f, ps->s->size, scratch);
	struct flash_page_job *jobs = calloc(ps->s->size / f->flm->page_size + 2, sizeof(*jobs));
	size_t nj;
	int rc = 0;

	if (!blank || !jobs) {
		free(jobs);
		return SWDD_ENOMEM;
	}
	rc = flash_algo_ready(f);
	if (rc) {
		free(jobs);
		return rc;
	}
	nj = flash_sector_jobs(f, ps->s, ps->want, jobs);
	struct pump pump = { .f = f, .ps = ps, .jobs = jobs, .nj = nj };
	swdd_debug("flash: sector %u: %zu pages to program", ps->s->index, nj);
	if (cur_crc != swdd_crc32(0xFFFFFFFFu, blank, ps->s->size)) {
		rc = pump_erase(&pump);
		res->sectors_erased += rc == 0;
		if (rc)
			rc = flash_sector_state_after(f, rc, ps->s, true, 0);
	}
	uint64_t before = *done;
	swdd_debug("flash: sector %u erased (%zu pages prefilled)", ps->s->index, pump.filled);
	if (!rc) {
		rc = pump_program(&pump, done);
		if (rc)
			rc = flash_sector_state_after(f, rc, ps->s, false, *done - before);
	}
	swdd_debug("flash: sector %u programmed", ps->s->index);
	res->bytes_programmed += *done - before;
	free(jobs);
	return rc;
}

static uint32_t host_crc(const struct plan_sector *ps)
{
	return swdd_crc32(0xFFFFFFFFu, ps->want, ps->s->size);
}

/*
 * Compares the selected sectors with the target: the CRC of each on the
 * target, all in one call (flash_crc_list), the flash caches reset once
 * before it. Fills equal[i] and cur_crc[i] (the sector's CRC: an erased
 * sector is not erased again). An unchanged reload is one call, and so is
 * the verify after a write.
 */
static int compare_sectors(struct swdd_flash *f, const struct plan *p, const bool *select, bool *equal,
			   uint32_t *cur_crc)
{
	uint32_t *addr = calloc(p->n + 1, sizeof(uint32_t)), *len = calloc(p->n + 1, sizeof(uint32_t));
	uint32_t *crc = calloc(p->n + 1, sizeof(uint32_t));
	size_t *idx = calloc(p->n + 1, sizeof(size_t)), m = 0;
	int rc = addr && len && crc && idx ? 0 : SWDD_ENOMEM;

	for (size_t i = 0; !rc && i < p->n; i++)
		if (select[i]) {
			idx[m] = i;
			addr[m] = p->ps[i].s->start;
			len[m++] = p->ps[i].s->size;
		}
	if (!rc && m)
		rc = flash_flush_caches(f);
	if (!rc && m)
		rc = flash_crc_list(f, addr, len, m, crc);
	for (size_t k = 0; !rc && k < m; k++) {
		cur_crc[idx[k]] = crc[k];
		equal[idx[k]] = crc[k] == host_crc(&p->ps[idx[k]]);
	}
	free(addr);
	free(len);
	free(crc);
	free(idx);
	return rc ? swdd_err_add(rc, "while comparing flash with the image") : 0;
}

/* After programming (or for --verify-only): every selected sector must
 * match; the first that does not is read back for the report. */
static int verify_sectors(struct swdd_flash *f, const struct plan *p, const bool *select, uint8_t **scratch)
{
	bool *equal = calloc(p->n + 1, sizeof(bool));
	uint32_t *crc = calloc(p->n + 1, sizeof(uint32_t));
	int rc = equal && crc ? compare_sectors(f, p, select, equal, crc) : SWDD_ENOMEM;

	for (size_t i = 0; !rc && i < p->n; i++)
		if (select[i] && !equal[i])
			rc = report_mismatch(f, &p->ps[i], crc[i], scratch);
	free(equal);
	free(crc);
	return rc;
}

/* The sectors that differ, written and verified by one ProgramStream
 * call; a sector that already reads erased is not erased again. The
 * verify is the call's checksum of each written sector after the last
 * job, against the plan: a mismatch is read back and named. */
static int write_streamed(struct swdd_flash *f, const struct plan *p, const bool *equal, const uint32_t *cur,
			  const struct swdd_flash_opts *o, struct swdd_flash_result *res, uint8_t **scratch)
{
	struct flash_stream_sector *ss = calloc(p->n + 1, sizeof(*ss));
	uint32_t *crc = calloc(p->n + 1, sizeof(uint32_t));
	size_t *idx = calloc(p->n + 1, sizeof(size_t));
	uint64_t covered = 0, total = 0;
	size_t n = 0;
	int rc = ss && crc && idx ? 0 : SWDD_ENOMEM;

	for (size_t i = 0; i < p->n; i++)
		total += p->ps[i].s->size;
	for (size_t i = 0; !rc && i < p->n; i++) {
		const uint8_t *blank = blank_of(f, p->ps[i].s->size, scratch);
		covered += p->ps[i].s->size;
		if (!blank)
			rc = SWDD_ENOMEM;
		else if (equal[i])
			res->sectors_skipped++;
		else {
			idx[n] = i;
			ss[n++] = (struct flash_stream_sector){
				p->ps[i].s, p->ps[i].want,
				cur[i] != swdd_crc32(0xFFFFFFFFu, blank, p->ps[i].s->size), covered, total
			};
		}
	}
	if (!rc)
		rc = flash_stream_write(f, ss, n, o, res, crc);
	if (!rc)
		progress(o, SWDD_FLASH_PROGRAM, total, total);
	if (!rc)
		swdd_debug("flash: verifying (the stream's checksums)");
	for (size_t k = 0; !rc && k < n; k++)
		if (crc[k] != host_crc(&p->ps[idx[k]]))
			rc = report_mismatch(f, &p->ps[idx[k]], crc[k], scratch);
	free(ss);
	free(crc);
	free(idx);
	return rc;
}

static int run_plan(struct swdd_flash *f, struct plan *p, const struct swdd_flash_opts *o,
		    struct swdd_flash_result *res, uint8_t **scratch)
{
	bool *all = malloc(p->n + 1), *equal = calloc(p->n + 1, sizeof(bool));
	uint32_t *cur = calloc(p->n + 1, sizeof(uint32_t));
	uint64_t done = 0, total = 0, covered = 0;
	int rc = all && equal && cur ? 0 : SWDD_ENOMEM;

	if (!rc)
		memset(all, 1, p->n + 1);
	for (size_t i = 0; i < p->n; i++)
		total += p->ps[i].s->size;
	swdd_debug("flash: comparing %zu sectors", p->n);
	if (!rc && o->verify_only)
		rc = verify_sectors(f, p, all, scratch);
	else if (!rc)
		rc = compare_sectors(f, p, all, equal, cur);
	swdd_debug("flash: compared");
	progress(o, SWDD_FLASH_CHECK, 1, 1);
	if (!rc && !o->verify_only && flash_can_stream(f)) {
		rc = write_streamed(f, p, equal, cur, o, res, scratch);
		if (!rc)
			progress(o, SWDD_FLASH_VERIFY, 1, 1);
		goto out;
	}
	for (size_t i = 0; i < p->n && !rc && !o->verify_only; i++) {
		if (equal[i])
			res->sectors_skipped++;
		else
			rc = write_sector(f, &p->ps[i], cur[i], res, &done, scratch);
		/* progress in sectors' bytes: skipped sectors and blank pages
		 * count as done, so the total is reached */
		covered += p->ps[i].s->size;
		progress(o, SWDD_FLASH_PROGRAM, covered, total);
	}
	/* verify always follows programming: the sectors that were written */
	for (size_t i = 0; i < p->n; i++)
		equal[i] = !equal[i];
	swdd_debug("flash: verifying");
	if (!rc && !o->verify_only)
		rc = verify_sectors(f, p, equal, scratch);
	swdd_debug("flash: verified");
	if (!rc)
		progress(o, SWDD_FLASH_VERIFY, 1, 1);
out:
	free(all);
	free(equal);
	free(cur);
	return rc;
}

int swdd_flash_write_image(struct swdd_flash *f, const struct swdd_image *img,
			   const struct swdd_flash_opts *opts, struct swdd_flash_result *res)
{
	static const struct swdd_flash_opts defaults;
	const struct swdd_flash_opts *o = opts ? opts : &defaults;
	struct plan p = { 0 };
	uint8_t *scratch = NULL;
	uint64_t t0 = swdd_now_ms();
	int rc;

	memset(res, 0, sizeof(*res));
	if (!img->n)
		return 0; /* nothing to write (GDB's `vFlashErase:ADDR,0`, then vFlashDone) */
	rc = plan_check_range(f, img);
	if (!rc)
		rc = flash_check_rdp(f);
	if (!rc)
		rc = plan_build(f, img, &p);
	if (!rc && !o->verify_only)
		rc = plan_check_wrp(f, &p);
	if (!rc && o->keep_unwritten)
		rc = plan_merge_current(f, &p, &scratch);
	progress(o, SWDD_FLASH_CHECK, 1, 1);
	f->reset_follows = o->reset_follows;
	if (!rc)
		rc = flash_algo_begin(f, o->verify_only ? 3 : 2);
	if (!rc)
		rc = flash_algo_end(f, run_plan(f, &p, o, res, &scratch));
	f->reset_follows = false;
	res->bytes = p.image_bytes;
	res->sectors_touched = (unsigned)p.n;
	res->wall_seconds = (double)(swdd_now_ms() - t0) / 1e3;
	plan_free(&p);
	free(scratch);
	return rc;
}
