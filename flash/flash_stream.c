/*
 * The streamed write and the checksum list: the calls of a write that the
 * built-in algorithms batch (flashalgo/flm_target.h, docs/FLASH.md "The
 * streamed write"). On a full-speed probe a call costs 6-8 USB round trips
 * of about 1 ms (registers, resume, polls, the halt), during which the
 * flash idles; one call per sector erase, per page and per checksum cost
 * ~0.1 s at 64 KiB. Here the comparison and the verify are one call each,
 * and every erase and program of the image is one call that takes its
 * data from a ring in SRAM while the host fills it.
 */
#include "flash_internal.h"

#include "flm_target.h"
#include "swdd_err.h"
#include "swdd_le.h"
#include "swdd_log.h"
#include "swdd_time.h"
#include "target.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Narrows [*off, *off + *n) to the span between its first and last
 * non-erased bytes, widened to 8-byte alignment (the widest program unit of
 * the families served), so erased runs at page ends are not programmed.
 * Programming erased-value bytes would change nothing. Returns false when
 * the whole range is erased. */
static bool trim_blank(const uint8_t *p, uint32_t *off, uint32_t *n, uint8_t empty)
{
	uint32_t lo = *off, hi = *off + *n;

	while (lo < hi && p[lo] == empty)
		lo++;
	while (hi > lo && p[hi - 1] == empty)
		hi--;
	if (lo == hi)
		return false;
	lo &= ~7u;
	hi = (hi + 7u) & ~7u;
	if (hi > *off + *n)
		hi = *off + *n;
	*off = lo < *off ? *off : lo;
	*n = hi - *off;
	return true;
}

size_t flash_sector_jobs(const struct swdd_flash *f, const struct flash_sector *s, const uint8_t *want,
			 struct flash_page_job *jobs)
{
	uint32_t page = f->flm->page_size;
	size_t nj = 0;

	for (uint32_t pg = 0; pg < s->size; pg += page) {
		uint32_t off = pg, n = s->size - pg < page ? s->size - pg : page;
		if (trim_blank(want, &off, &n, f->flm->empty))
			jobs[nj++] = (struct flash_page_job){ off, n };
	}
	return nj;
}

/* ---- The checksum list ------------------------------------------------ */

/* Entries { adr, sz, crc } of 12 bytes (flm_target.h Crc32List), in the
 * first page buffer (scratch SRAM). */
#define CRC_ENTRY 12U

static int crc_list_call(struct swdd_flash *f, const uint32_t *addr, const uint32_t *len, size_t n,
			 uint32_t *crc)
{
	struct swdd_algo *a = &f->algo;
	uint8_t *list = malloc(n * CRC_ENTRY);
	uint64_t bytes = 0;
	uint32_t r = 0;
	int rc;

	if (!list)
		return SWDD_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		swdd_put_le32(list + i * CRC_ENTRY, addr[i]);
		swdd_put_le32(list + i * CRC_ENTRY + 4, len[i]);
		swdd_put_le32(list + i * CRC_ENTRY + 8, 0xFFFFFFFFu);
		bytes += len[i];
	}
	rc = swdd_target_mem_write(f->t, a->buf[0], list, n * CRC_ENTRY);
	if (!rc)
		rc = swdd_algo_call(a, SWDD_FLM_CRC32_LIST, a->buf[0], (uint32_t)n, 0, 0,
				    flash_crc_bound_ms(bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes),
				    &r);
	if (!rc)
		rc = swdd_target_mem_read(f->t, a->buf[0], list, n * CRC_ENTRY);
	for (size_t i = 0; !rc && i < n; i++)
		crc[i] = swdd_le32(list + i * CRC_ENTRY + 8);
	free(list);
	return rc;
}

int flash_crc_list(struct swdd_flash *f, const uint32_t *addr, const uint32_t *len, size_t n, uint32_t *crc)
{
	size_t per_call = f->algo.buf_size / CRC_ENTRY;
	int rc = 0;

	/* one call per range without the list (or the read-back); one range
	 * alone goes without it too, two memory transfers fewer */
	if (!f->algo.crc_list_entry || n == 1) {
		for (size_t i = 0; !rc && i < n; i++) {
			crc[i] = 0xFFFFFFFFu;
			rc = flash_crc_flushed(f, addr[i], len[i], &crc[i]);
		}
		return rc;
	}
	for (size_t i = 0; !rc && i < n; i += per_call)
		rc = crc_list_call(f, addr + i, len + i, n - i < per_call ? n - i : per_call, crc + i);
	return rc;
}

/* ---- The streamed write ------------------------------------------------ */

/* One job of the stream as the host knows it. */
struct sjob {
	const struct flash_stream_sector *ss;
	uint32_t addr, len; /* len 0: the sector's erase */
	uint32_t data_off;  /* where its data starts in the stream */
	uint64_t t_start;   /* the last time the host saw it not yet started */
};

/* Bytes written between two looks at the call: large against a round
 * trip (8 KiB take ~40 ms over a full-speed probe), small against the
 * ring (~100 KiB on an STM32F407). */
#define STREAM_CHUNK 8192U

struct stream {
	struct swdd_flash *f;
	const struct flash_stream_sector *ss;
	size_t nss;
	uint32_t crc_list; /* the verify's Crc32List entries, one per sector */
	uint64_t crc_bytes;
	bool init; /* Init runs at the start of the call */
	const struct swdd_flash_opts *o;
	struct swdd_flash_result *res;
	struct sjob *jobs;
	size_t nj;
	uint32_t ctl, ring, ring_size;
	uint32_t total;    /* data bytes in the stream */
	uint32_t wp;       /* data bytes written into the ring */
	size_t fill_job;   /* the job whose data goes next */
	uint32_t rp, step; /* what the call last published */
	uint64_t t_seen;   /* when the host last read them */
	bool wrote;        /* data went into the ring since the last look */
	uint32_t result;   /* the call's r0 once it returned */
};

static uint32_t stream_bound(const struct stream *st)
{
	size_t k = st->step / 2; /* the job running, or the next one */
	const struct sjob *j = k < st->nj ? &st->jobs[k] : NULL;

	uint32_t prog = flash_prog_bound_ms(st->f, st->f->flm->page_size), crc;

	if (j && !j->len)
		return flash_erase_bound_ms(st->f, j->ss->s->size);
	if (j)
		return prog;
	crc = flash_crc_bound_ms(st->crc_bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)st->crc_bytes);
	return crc > prog ? crc : prog; /* the verify's checksums */
}

static int stream_build(struct stream *st, const struct flash_stream_sector *ss, size_t n)
{
	struct swdd_flash *f = st->f;
	size_t cap = 0;

	for (size_t i = 0; i < n; i++)
		cap += ss[i].s->size / f->flm->page_size + 2;
	st->jobs = calloc(cap + 1, sizeof(*st->jobs));
	struct flash_page_job *pj = calloc(cap + 1, sizeof(*pj));
	if (!st->jobs || !pj) {
		free(pj);
		return SWDD_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		size_t np = flash_sector_jobs(f, ss[i].s, ss[i].want, pj);
		st->crc_bytes += ss[i].s->size;
		if (ss[i].erase)
			st->jobs[st->nj++] = (struct sjob){ &ss[i], ss[i].s->start, 0, st->total, 0 };
		for (size_t p = 0; p < np; p++) {
			st->jobs[st->nj++] =
				(struct sjob){ &ss[i], ss[i].s->start + pj[p].off, pj[p].n, st->total, 0 };
			st->total += pj[p].n;
		}
	}
	free(pj);
	return 0;
}

/* The control block, the job list and the verify's checksum list at the
 * first page buffer, the ring in the rest of the SRAM above the
 * algorithm's stack (scratch, as the page buffers are). */
static int stream_place(struct stream *st)
{
	struct swdd_flash *f = st->f;
	size_t jobs = sizeof(struct flm_stream) + st->nj * sizeof(struct flm_stream_job);
	size_t head = jobs + st->nss * CRC_ENTRY;
	uint64_t end = ((uint64_t)f->ram_base + f->ram_size) & ~7ull;
	uint8_t *b = calloc(1, head);
	int rc;

	st->ctl = f->algo.buf[0];
	st->ring = (uint32_t)((st->ctl + head + 7u) & ~7ull);
	if (!b)
		return SWDD_ENOMEM;
	if (end < (uint64_t)st->ring + 2u * f->flm->page_size) {
		free(b);
		return swdd_err_set(SWDD_ERANGE, "no SRAM for the stream's ring (%zu jobs)", st->nj);
	}
	st->ring_size = (uint32_t)(end - st->ring);
	swdd_put_le32(b + offsetof(struct flm_stream, ring), st->ring);
	swdd_put_le32(b + offsetof(struct flm_stream, ring_size), st->ring_size);
	swdd_put_le32(b + offsetof(struct flm_stream, njobs), (uint32_t)st->nj);
	swdd_put_le32(b + offsetof(struct flm_stream, flags),
		      (st->init ? FLM_STREAM_INIT : 0) | FLM_STREAM_UNINIT);
	st->crc_list = st->ctl + (uint32_t)jobs;
	swdd_put_le32(b + offsetof(struct flm_stream, crc_list), st->crc_list);
	swdd_put_le32(b + offsetof(struct flm_stream, crc_n), (uint32_t)st->nss);
	for (size_t i = 0; i < st->nss; i++) {
		swdd_put_le32(b + jobs + i * CRC_ENTRY, st->ss[i].s->start);
		swdd_put_le32(b + jobs + i * CRC_ENTRY + 4, st->ss[i].s->size);
		swdd_put_le32(b + jobs + i * CRC_ENTRY + 8, 0xFFFFFFFFu);
	}
	for (size_t k = 0; k < st->nj; k++) {
		uint8_t *j = b + sizeof(struct flm_stream) + k * sizeof(struct flm_stream_job);
		swdd_put_le32(j, st->jobs[k].addr);
		swdd_put_le32(j + 4, st->jobs[k].len);
	}
	rc = swdd_target_mem_write(f->t, st->ctl, b, head);
	free(b);
	return rc;
}

/* Writes the next piece of data into the ring when it has room: up to a
 * chunk, not past the ring's end or the job's, then the new wp. */
static int stream_fill(struct stream *st)
{
	uint32_t room = st->ring_size - (st->wp - st->rp), at = st->wp % st->ring_size, n;
	const struct sjob *j;
	uint8_t w[4];
	int rc;

	while (st->fill_job < st->nj &&
	       (!st->jobs[st->fill_job].len ||
		st->wp == st->jobs[st->fill_job].data_off + st->jobs[st->fill_job].len))
		st->fill_job++;
	if (st->fill_job == st->nj || !room)
		return 0;
	j = &st->jobs[st->fill_job];
	n = j->data_off + j->len - st->wp;
	n = n < room ? n : room;
	n = n < STREAM_CHUNK ? n : STREAM_CHUNK;
	n = n < st->ring_size - at ? n : st->ring_size - at;
	rc = swdd_target_mem_write(st->f->t, st->ring + at,
				   j->ss->want + (j->addr - j->ss->s->start) + (st->wp - j->data_off), n);
	swdd_put_le32(w, st->wp + n);
	if (!rc)
		rc = swdd_target_mem_write(st->f->t, st->ctl + offsetof(struct flm_stream, wp), w, 4);
	if (!rc) {
		st->wp += n;
		st->wrote = true;
	}
	return rc;
}

/* A job the host saw finish: counted, and an erase checked for a duration
 * the datasheet allows (measured from the last look before it started to
 * the first look after it ended: a short time is proof). */
static int stream_job_done(struct stream *st, size_t k, uint64_t now)
{
	const struct sjob *j = &st->jobs[k];
	struct swdd_flash *f = st->f;

	if (j->len) {
		st->res->bytes_programmed += j->len;
		if (k + 1 == st->nj || st->jobs[k + 1].ss != j->ss) {
			swdd_debug("flash: sector %u programmed", j->ss->s->index);
			if (st->o && st->o->progress)
				st->o->progress(st->o->progress_ctx, SWDD_FLASH_PROGRAM, j->ss->covered_after,
						j->ss->total);
		}
		return 0;
	}
	st->res->sectors_erased++;
	swdd_debug("flash: sector %u erased", j->ss->s->index);
	return flash_erase_plausible(f, j->ss->s->index, j->ss->s->start, now - j->t_start);
}

/* Takes in what the call published (rp, step): jobs that started and
 * ended since the last look, and a new time-out whenever either side moved
 * on. */
static int stream_observe(struct stream *st, uint32_t rp, uint32_t step)
{
	uint64_t now = swdd_now_ms();
	int rc = 0;

	if (st->wp - rp > st->ring_size || rp - st->rp > st->ring_size || step < st->step ||
	    step > 2 * st->nj)
		return swdd_err_set(
			SWDD_EALGO,
			"the streamed write's control block at 0x%08X reads rp %u and step %u, which "
			"the host's wp %u and %zu jobs do not allow: the algorithm or its SRAM was "
			"disturbed",
			st->ctl, rp, step, st->wp, st->nj);

	for (size_t k = st->step / 2; k < st->nj && 2 * k + 1 <= step; k++)
		if (st->step <= 2 * k)
			st->jobs[k].t_start = st->t_seen; /* job k started since the last look */
	for (size_t k = st->step / 2; !rc && k < st->nj && 2 * k + 2 <= step; k++)
		if (st->step < 2 * k + 2)
			rc = stream_job_done(st, k, now);
	if (rp != st->rp || step != st->step || st->wrote) {
		st->rp = rp;
		st->step = step;
		swdd_algo_rearm(&st->f->algo, stream_bound(st));
	}
	st->wrote = false;
	st->t_seen = now;
	return rc;
}

static int stream_read(struct stream *st)
{
	uint8_t b[8];
	int rc = swdd_target_mem_read(st->f->t, st->ctl + offsetof(struct flm_stream, rp), b, 8);

	return rc ? rc : stream_observe(st, swdd_le32(b), swdd_le32(b + 4));
}

/*
 * After a failure while the call ran (the link, a host-side check): the
 * core halted, and the flash operation in progress allowed to end, so
 * that the flash reads back and the next session finds the controller
 * idle. Unlike a per-sector call, the stream does not end by itself (it
 * waits for data). A link that just came back may first answer a stale
 * reply, hence a few tries; a link still down leaves the call `started`
 * for the unload's bounded wait. The wait for the controller is bounded
 * by the largest erase's time-out.
 */
#define STREAM_HALT_TRIES 3

static void stream_settle(struct stream *st)
{
	struct swdd_flash *f = st->f;
	uint32_t bound = 0, sr = 0;
	uint64_t end;

	for (int i = 0; i < STREAM_HALT_TRIES && f->algo.started; i++)
		(void)swdd_algo_abort(&f->algo);
	if (f->algo.started || !f->fam->flash_busy_bits)
		return;
	for (size_t k = 0; k < st->nj; k++)
		if (flash_erase_bound_ms(f, st->jobs[k].ss->s->size) > bound)
			bound = flash_erase_bound_ms(f, st->jobs[k].ss->s->size);
	end = swdd_now_ms() + bound;
	while (swdd_now_ms() < end && !f->fam->read_status(f->t, &sr) && (sr & f->fam->flash_busy_bits))
		;
}

/* Fills the ring and follows the call until it returns. */
static int stream_run(struct stream *st)
{
	bool done = false;
	int rc;

	st->t_seen = swdd_now_ms();
	rc = swdd_algo_start(&st->f->algo, SWDD_FLM_STREAM, st->ctl, 0, 0, 0, stream_bound(st));
	/* Init runs within microseconds of the start: from here UnInit is due
	 * (flash_algo_end), unless the call returns having run it */
	st->f->algo_inited = st->f->algo_inited || (st->init && !rc);
	swdd_debug("flash: stream of %zu jobs, %u bytes, ring %u bytes", st->nj, st->total, st->ring_size);
	while (!rc && !done) {
		uint64_t t0 = swdd_now_ms();

		rc = stream_fill(st);
		swdd_algo_link_time(&st->f->algo, swdd_now_ms() - t0);
		if (!rc)
			rc = swdd_algo_poll(&st->f->algo, &done, &st->result);
		t0 = swdd_now_ms();
		if (!rc)
			rc = stream_read(st);
		swdd_algo_link_time(&st->f->algo, swdd_now_ms() - t0);
	}
	if (rc)
		stream_settle(st); /* rc is the reason reported */
	return rc;
}

/* The host saw job k last, but the call may have gone on since (the link
 * failed, the chip was reset or the core halted between two looks): as
 * far as the last job whose data, and all data before it, was in the
 * ring. Said when that is a later sector. A time-out or a flash error
 * stopped the call where the host saw it. */
static int stream_reach(struct stream *st, int rc, size_t k)
{
	size_t far = k;

	if (rc == SWDD_ETIMEOUT || rc == SWDD_EFLASH || rc == SWDD_ENOMEM || rc == SWDD_EPROTECTED)
		return rc;
	while (far + 1 < st->nj && st->jobs[far].data_off + st->jobs[far].len <= st->wp)
		far++;
	if (far >= st->nj || st->jobs[far].ss == st->jobs[k < st->nj ? k : st->nj - 1].ss)
		return rc;
	return swdd_err_add(rc,
			    "the algorithm had data for as far as sector %u (0x%08X) in SRAM and may have "
			    "gone on that far (erasing, programming) before it stopped",
			    st->jobs[far].ss->s->index, st->jobs[far].ss->s->start);
}

/* What the flash holds when the call failed in job k: the sector it was
 * in, and the bytes of that sector the host saw programmed. */
static int stream_state(struct stream *st, int rc)
{
	size_t k = st->step ? (st->step - 1) / 2 : 0;
	const struct sjob *j = &st->jobs[k < st->nj ? k : st->nj - 1];
	uint64_t programmed = 0;

	for (size_t i = 0; i < st->nj; i++)
		if (st->jobs[i].ss == j->ss && st->jobs[i].len && i < k)
			programmed += st->jobs[i].len;
	if (j->len && st->rp > j->data_off)
		programmed += st->rp - j->data_off < j->len ? st->rp - j->data_off : j->len;
	if (rc == SWDD_ETIMEOUT) /* the bound is one operation's, re-armed as the call moved on */
		swdd_err_add(rc, "(the bound of %s sector %u, the operation the streamed write was in)",
			     j->len ? "programming" : "erasing", j->ss->s->index);
	rc = flash_sector_state_after(st->f, rc, j->ss->s, !j->len, programmed);
	return stream_reach(st, rc, k);
}

/* The call returned an error: the operation and its address named. */
static int stream_failed(struct stream *st)
{
	uint8_t b[12];
	char bits[512];
	uint32_t step, fail;
	const struct sjob *j;
	int rc = swdd_target_mem_read(st->f->t, st->ctl + offsetof(struct flm_stream, rp), b, 12);

	if (rc)
		return swdd_err_add(rc, "while reading where the flash algorithm failed");
	step = swdd_le32(b + 4);
	fail = swdd_le32(b + 8);
	if (!step)
		return swdd_err_set(SWDD_EFLASH,
				    "the flash algorithm's Init failed (result 0x%08X): the flash interface "
				    "stayed locked",
				    st->result);
	j = &st->jobs[step && (step - 1) / 2 < st->nj ? (step - 1) / 2 : 0];
	flash_describe_failure(st->f, st->result, bits, sizeof(bits));
	if (!j->len)
		return swdd_err_set(SWDD_EFLASH, "erasing sector %u at 0x%08X failed: %s", j->ss->s->index,
				    fail, bits);
	return swdd_err_set(SWDD_EFLASH, "programming 0x%08X (sector %u, 0x%08X) failed: %s", fail,
			    j->ss->s->index, j->ss->s->start, bits);
}

bool flash_can_stream(const struct swdd_flash *f)
{
	return f->flm->fn[SWDD_FLM_STREAM] != SWDD_FLM_NO_FN;
}

/* The verify's checksums, read after the call returned. */
static int stream_crcs(struct stream *st, uint32_t *crc)
{
	uint8_t *b = malloc(st->nss * CRC_ENTRY);
	int rc = b ? swdd_target_mem_read(st->f->t, st->crc_list, b, st->nss * CRC_ENTRY) : SWDD_ENOMEM;

	for (size_t i = 0; !rc && i < st->nss; i++)
		crc[i] = swdd_le32(b + i * CRC_ENTRY + 8);
	free(b);
	return rc;
}

int flash_stream_write(struct swdd_flash *f, const struct flash_stream_sector *ss, size_t n,
		       const struct swdd_flash_opts *o, struct swdd_flash_result *res, uint32_t *crc)
{
	struct stream st = { .f = f, .o = o, .res = res, .ss = ss, .nss = n, .init = !f->algo_inited };
	int rc = 0;

	if (!n)
		return 0;
	if (st.init)
		flash_clear_reset_flags(f);
	rc = stream_build(&st, ss, n);
	if (!rc && st.nj)
		rc = stream_place(&st);
	if (!rc && st.nj) {
		rc = stream_run(&st);
		if (!rc && st.result)
			rc = stream_failed(&st);
		if (rc)
			rc = stream_state(&st, rc);
		else
			f->algo_inited = false; /* the call ran UnInit */
	}
	if (!rc)
		rc = stream_crcs(&st, crc);
	free(st.jobs);
	return rc;
}
