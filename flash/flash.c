/*
 * Flash engine: session set-up, memory map, algorithm calls, erase, CRC and
 * the monitor reports. The write pipeline is in flash_write.c.
 */
#include "flash_internal.h"

#include "swdd_err.h"
#include "swdd_log.h"
#include "swdd_time.h"
#include "stm32/option.h"
#include "target.h"

#include "crc32.h"
#include "flm_target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Init and UnInit only set registers (unlock, caches): a call of about ten
 * USB round trips, 10-50 ms; 500 ms is about 10x that (the wait also
 * counts polls, flash/algo_run.c). */
#define FLASH_INIT_TIMEOUT_MS 500U

uint32_t swdd_crc32(uint32_t crc, const uint8_t *p, size_t len)
{
	static uint32_t table[256];

	if (!table[1])
		for (uint32_t i = 0; i < 256; i++)
			table[i] = crc32_gdb_byte(0, (uint8_t)i); /* CRC step of byte i from 0 */
	for (size_t i = 0; i < len; i++)
		crc = (crc << 8) ^ table[(crc >> 24) ^ p[i]];
	return crc;
}

static int flash_build_sectors(struct swdd_flash *f)
{
	size_t cap = 0;
	uint32_t addr = f->base;

	while (addr < f->base + f->size) {
		uint32_t start, size;
		if (swdd_flm_sector_at(f->flm, addr, &start, &size))
			break;
		if (f->num_sectors == cap) {
			cap = cap ? cap * 2 : 16;
			struct flash_sector *ns = realloc(f->sectors, cap * sizeof(*ns));
			if (!ns)
				return SWDD_ENOMEM;
			f->sectors = ns;
		}
		f->sectors[f->num_sectors] = (struct flash_sector){ (unsigned)f->num_sectors, start, size };
		f->num_sectors++;
		addr = start + size;
	}
	if (!f->num_sectors)
		return swdd_err_set(SWDD_EFORMAT,
				    "the flash algorithm describes no sector inside "
				    "the chip's flash at 0x%08X",
				    f->base);
	f->size = addr - f->base;
	return 0;
}

/* GDB memory map (GDB manual "Memory Map Format"): one flash region per run
 * of equal-sized sectors, everything else readable/writable RAM-like space
 * so GDB does not refuse peripheral and system-memory accesses. */
static int flash_build_map(struct swdd_flash *f)
{
	size_t cap = 512 + f->num_sectors * 160, n = 0;
	char *x = malloc(cap);

	if (!x)
		return SWDD_ENOMEM;
	n += (size_t)snprintf(x + n, cap - n,
			      "<?xml version=\"1.0\"?>\n<!DOCTYPE memory-map PUBLIC "
			      "\"+//IDN gnu.org//DTD GDB Memory Map V1.0//EN\" "
			      "\"http://sourceware.org/gdb/gdb-memory-map.dtd\">\n<memory-map>\n");
	if (f->base)
		n += (size_t)snprintf(x + n, cap - n,
				      "<memory type=\"ram\" start=\"0x0\" length=\"0x%x\"/>\n", f->base);
	for (size_t i = 0; i < f->num_sectors;) {
		size_t j = i;
		while (j < f->num_sectors && f->sectors[j].size == f->sectors[i].size)
			j++;
		n += (size_t)snprintf(x + n, cap - n,
				      "<memory type=\"flash\" start=\"0x%x\" length=\"0x%x\">"
				      "<property name=\"blocksize\">0x%x</property></memory>\n",
				      f->sectors[i].start, (unsigned)(j - i) * f->sectors[i].size,
				      f->sectors[i].size);
		i = j;
	}
	uint32_t end = f->base + f->size;
	n += (size_t)snprintf(x + n, cap - n,
			      "<memory type=\"ram\" start=\"0x%x\" length=\"0x%llx\"/>\n"
			      "</memory-map>\n",
			      end, 0x100000000ull - end);
	f->mmap_xml = x;
	return 0;
}

/* FLASH_DEFAULT_MV: the supply assumed when the probe cannot measure it
 * (CMSIS-DAP has no command for it) and --vdd-mv is not given. 3.3 V, what
 * nearly every STM32F4 board runs at and what OpenOCD's and stlink-tools'
 * x32 programming assume; a board below 2.7 V then fails with PGPERR in the
 * lab (unreliable cells on silicon), and the error names --vdd-mv. */
#define FLASH_DEFAULT_MV 3300

/* The target supply for the parallelism: measured, else stated, else the
 * default; *how says which. */
static int flash_supply_mv(const struct swdd_chip_info *chip, const char **how)
{
	if (chip->voltage_mv > 0) {
		*how = "measured by the probe";
		return chip->voltage_mv;
	}
	if (chip->vdd_stated_mv > 0) {
		*how = "given with --vdd-mv";
		return chip->vdd_stated_mv;
	}
	*how = "assumed: the probe cannot measure it; give --vdd-mv for a board below 2.7 V";
	return FLASH_DEFAULT_MV;
}

/* The built-in algorithm variant the supply allows (RM0090 3.6 table 7 for
 * the F4), or the family's only one. */
static const char *flash_builtin_for_supply(struct swdd_flash *f)
{
	const struct stm32_algo_variant *v = f->fam->variants;
	const char *how;
	int mv = flash_supply_mv(swdd_target_chip(f->t), &how);

	if (!v)
		return f->fam->builtin_algo;
	while (v->min_mv > mv)
		v++;
	f->prog_unit = v->prog_unit;
	swdd_info("flash: target supply %d.%02d V (%s): %s parallelism", mv / 1000, (mv % 1000) / 10, how,
		  v->what);
	return v->algo;
}

/* An external algorithm brings its own parallelism: say so when the supply
 * is below what the family's widest one needs. */
static void flash_warn_external(struct swdd_flash *f, const char *algo_path)
{
	const char *how;
	int mv = flash_supply_mv(swdd_target_chip(f->t), &how);

	if (f->fam->variants && mv < f->fam->variants[0].min_mv)
		swdd_warn("flash: target supply %d.%02d V (%s) is below %d.%d V: %s chooses its own "
			  "parallelism (a vendor FLM usually programs at the widest one); the "
			  "built-in algorithm follows the supply",
			  mv / 1000, (mv % 1000) / 10, how, f->fam->variants[0].min_mv / 1000,
			  (f->fam->variants[0].min_mv % 1000) / 100, algo_path);
}

static int flash_load_flm(struct swdd_flash *f, const char *algo_path, struct swdd_flm **out)
{
	if (algo_path) {
		flash_warn_external(f, algo_path);
		f->prog_unit = 0; /* its own parallelism: bounded per flash_word, the safe side */
		return swdd_flm_load_file(algo_path, out);
	}
	return swdd_flm_builtin(flash_builtin_for_supply(f), out);
}

/* The algorithm's sectors are used under the chip's sector numbers (write
 * protection bits, `monitor flash erase_sector`), so a layout that differs
 * from the family descriptor's (an .FLM written for another part) is named
 * once. Not an error: the algorithm, not the table, erases the flash. */
static void flash_check_layout(struct swdd_flash *f)
{
	const struct swdd_chip_info *chip = swdd_target_chip(f->t);

	for (size_t i = 0; i < f->num_sectors; i++) {
		const struct flash_sector *s = &f->sectors[i];
		uint32_t start = 0, size = 0;
		unsigned idx = 0;

		if (stm32_sector_find(chip->part, chip->flash_size, s->start, &idx, &start, &size) == 0 &&
		    idx == s->index && start == s->start && size == s->size)
			continue;
		swdd_warn("the flash algorithm's sector %u (0x%08X, %u KiB) is not sector %u of %s "
			  "(%u KiB at 0x%08X, %s): sector numbers and write protection may not match",
			  s->index, s->start, s->size / 1024, s->index, chip->name, size / 1024, start,
			  f->fam->manual);
		return;
	}
}

static int flash_setup_geometry(struct swdd_flash *f)
{
	const struct swdd_chip_info *chip = swdd_target_chip(f->t);

	free(f->sectors);
	free(f->mmap_xml);
	f->sectors = NULL;
	f->mmap_xml = NULL;
	f->num_sectors = 0;
	f->base = f->flm->dev_addr;
	f->size = f->flm->dev_size;
	if (chip->flash_size && chip->flash_size < f->size)
		f->size = chip->flash_size;
	int rc = flash_build_sectors(f);

	if (!rc)
		flash_check_layout(f);
	return rc ? rc : flash_build_map(f);
}

int swdd_flash_open(struct swdd_target *t, const char *algo_path, struct swdd_flash **out)
{
	const struct swdd_chip_info *chip = swdd_target_chip(t);
	const struct stm32_family *fam = chip->part ? chip->part->family : NULL;
	struct swdd_flash *f;
	int rc;

	if (!fam)
		return swdd_err_set(SWDD_EUNSUPPORTED,
				    "swdd has no flash support for %s "
				    "(DEV_ID 0x%03X) yet",
				    chip->name ? chip->name : "this chip", chip->dev_id);
	f = calloc(1, sizeof(*f));
	if (!f)
		return SWDD_ENOMEM;
	f->t = t;
	f->fam = fam;
	f->ram_base = chip->sram_base;
	f->ram_size = chip->sram_size;
	rc = flash_load_flm(f, algo_path, &f->flm);
	if (!rc)
		rc = swdd_flm_crc_routine(&f->crc_routine);
	if (!rc)
		rc = flash_setup_geometry(f);
	if (rc) {
		swdd_flash_close(f);
		return rc;
	}
	*out = f;
	return 0;
}

void swdd_flash_close(struct swdd_flash *f)
{
	if (!f)
		return;
	if (f->algo_loaded)
		(void)flash_algo_end(f, 0); /* closing: nothing to report to, the session ends */
	swdd_flash_gdb_abort(f);
	swdd_flm_free(f->flm);
	swdd_flm_free(f->crc_routine);
	free(f->sectors);
	free(f->mmap_xml);
	free(f);
}

int swdd_flash_set_algo(struct swdd_flash *f, const char *algo_path)
{
	struct swdd_flm *flm, *old = f->flm;
	int rc = flash_load_flm(f, algo_path, &flm);

	if (rc)
		return rc;
	if (f->algo_loaded)
		(void)flash_algo_end(
			f, 0); /* the old algorithm leaves either way; a target problem shows at next use */
	f->flm = flm;
	rc = flash_setup_geometry(f);
	if (rc) {
		char why[256];

		/* the new algorithm's reason is the one to report, not a
		 * failure to rebuild the old geometry (which was valid) */
		snprintf(why, sizeof(why), "%s", swdd_err_detail());
		f->flm = old;
		swdd_flm_free(flm);
		(void)flash_setup_geometry(f);
		return swdd_err_set(rc, "%s", why);
	}
	swdd_flm_free(old);
	return 0;
}

const char *swdd_flash_memory_map(struct swdd_flash *f)
{
	return f->mmap_xml;
}

const struct flash_sector *flash_sector_of(const struct swdd_flash *f, uint32_t addr)
{
	for (size_t i = 0; i < f->num_sectors; i++)
		if (addr >= f->sectors[i].start && addr - f->sectors[i].start < f->sectors[i].size)
			return &f->sectors[i];
	return NULL;
}

void flash_status_text(const struct swdd_flash *f, uint32_t bits, char *buf, size_t len)
{
	uint32_t sr = bits & ~(FLM_ERR_TIMEOUT | FLM_ERR_ADDRESS);
	size_t n;

	buf[0] = '\0';
	if (sr || !bits)
		stm32_hints_text(f->fam, sr, buf, len);
	n = strlen(buf);
	if ((bits & FLM_ERR_TIMEOUT) && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%stimeout inside the flash algorithm",
				      n ? ", " : "");
	if ((bits & FLM_ERR_ADDRESS) && n < len)
		snprintf(buf + n, len - n, "%saddress outside the flash", n ? ", " : "");
}

int flash_check_rdp(struct swdd_flash *f)
{
	int level, rc = f->fam->rdp_level(f->t, &level);

	if (rc)
		return rc;
	if (level == 1)
		return swdd_err_set(SWDD_EPROTECTED,
				    "the chip is read-protected (RDP level 1): the debugger can't "
				    "read or program flash. `monitor unlock CONFIRM` (or `swdd "
				    "erase --unlock`) sets level 0, which mass-erases the flash");
	if (level == 2)
		return swdd_err_set(SWDD_EPROTECTED,
				    "the chip is at RDP level 2: debug access to "
				    "flash is permanently disabled; it cannot be reprogrammed");
	return 0;
}

/* Time-outs of algorithm calls (issue 15: never more than about 10x the
 * expected time). Each bound is the datasheet's maximum for the work (the
 * family descriptor's erase_times, prog_max_us per operation of the
 * algorithm's prog_unit, mass_erase_ms: the slowest parallelism's), which
 * on STM32F4 (DS8626) is 3.2-6.3x the typical time, plus
 * FLASH_LINK_ALLOWANCE_MS for the call's USB round trips and the host
 * (about 10 ms on a full-speed probe). No floor: a 16 KiB sector gets
 * 1.05 s (4.2x its 250 ms), a 32 KiB page at x32 1.07 s (8.2x 131 ms).
 * The wait (flash/algo_run.c) ends only when the bound has passed on the
 * host's clock and the probe carried as many status polls as its link can
 * in that time, so a slow host or an emulated link (the lab's chip runs
 * only as fast as the probe talks to it) never cuts an operation short.
 * An FLM's toErase/toProg are untrusted (0xFFFFFFFF ms is 49 days): a
 * vendor FLM's is capped at twice the family's bound
 * (flash_vendor_bound); without family figures at FLASH_UNKNOWN_CAP_MS. */
#define FLASH_LINK_ALLOWANCE_MS 250U
#define FLASH_UNKNOWN_CAP_MS 60000U

static uint32_t flash_bound(uint64_t worst_ms)
{
	uint64_t t = worst_ms + FLASH_LINK_ALLOWANCE_MS;

	return t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

static uint32_t flash_flm_bound(uint32_t flm_ms)
{
	return flash_bound(flm_ms < FLASH_UNKNOWN_CAP_MS ? flm_ms : FLASH_UNKNOWN_CAP_MS);
}

/* A vendor FLM's own figure, doubled (what swdd waited before), when it
 * is above the family's bound: capped at twice that bound. ST's
 * STM32F4xx_2048.FLM says 6 s per erase (12 s); one that says 0xFFFFFFFF
 * gets 20 s. swdd's built-in algorithms get the family's bound. */
static uint32_t flash_vendor_bound(const struct swdd_flash *f, uint32_t flm_ms, uint32_t family_ms)
{
	uint64_t want = 2ull * flm_ms;

	if (!strncmp(f->flm->source, "built-in ", 9) || want <= family_ms)
		return family_ms;
	return want < 2ull * family_ms ? (uint32_t)want : 2 * family_ms;
}

static uint32_t flash_family_erase_ms(const struct swdd_flash *f, uint32_t sector_size)
{
	const struct stm32_family *fam = f->fam;
	const struct stm32_erase_time *last;

	for (size_t i = 0; i < fam->num_erase_times; i++)
		if (sector_size <= fam->erase_times[i].sector_size)
			return flash_bound(fam->erase_times[i].max_ms);
	/* an FLM with larger sectors than the chip's: proportionally */
	last = &fam->erase_times[fam->num_erase_times - 1];
	return flash_bound((uint64_t)last->max_ms *
			   ((sector_size + last->sector_size - 1) / last->sector_size));
}

uint32_t flash_erase_bound_ms(const struct swdd_flash *f, uint32_t sector_size)
{
	if (!f->fam->num_erase_times)
		return flash_flm_bound(f->flm->to_erase_ms);
	return flash_vendor_bound(f, f->flm->to_erase_ms, flash_family_erase_ms(f, sector_size));
}

uint32_t flash_prog_bound_ms(const struct swdd_flash *f, uint32_t bytes)
{
	const struct stm32_family *fam = f->fam;
	uint32_t word = f->prog_unit ? f->prog_unit : fam->flash_word ? fam->flash_word : 1;
	uint64_t ops = ((uint64_t)bytes + word - 1) / word;

	if (!fam->prog_max_us)
		return flash_flm_bound(f->flm->to_prog_ms);
	return flash_vendor_bound(f, f->flm->to_prog_ms, flash_bound((ops * fam->prog_max_us + 999) / 1000));
}

uint32_t flash_mass_erase_bound_ms(const struct swdd_flash *f)
{
	return f->fam->mass_erase_ms ? flash_bound(f->fam->mass_erase_ms)
				     : flash_flm_bound(f->flm->to_erase_ms);
}

/* Hot-plug safety: the engine takes the flash only from a core that
 * stands halted (a normal or under-reset connect, or the user's halt),
 * never from firmware it would have to stop itself, and only when the
 * controller reads back sensibly. The H725 report shows why: a hot-plug
 * connect to running firmware, option bytes unreadable, then "download
 * complete" for a download that did not happen (and DEV_TARGET_NOT_HALTED
 * when the tool noticed). */
static int flash_check_takeover(struct swdd_flash *f)
{
	const struct stm32_family *fam = f->fam;
	uint32_t sr = 0, cr = 0;
	char bits[256];
	int rc;

	if (!swdd_target_is_halted(f->t))
		return swdd_err_set(SWDD_ENOTHALTED,
				    "the core is running (a hot-plug connect, --connect attach, leaves the "
				    "firmware running, and swdd does not program flash under it): halt it "
				    "first (GDB: Ctrl-C or `monitor halt`) or connect with --connect normal "
				    "or --connect under-reset");
	rc = fam->read_status(f->t, &sr);
	if (!rc && fam->flash_cr)
		rc = swdd_target_mem_read(f->t, fam->flash_cr, &cr, 4);
	if (rc) {
		snprintf(bits, sizeof(bits), "%s", swdd_err_detail());
		return swdd_err_set(SWDD_EFLASH,
				    "the %s flash registers are unreadable (%s): connect under reset "
				    "(--connect under-reset) and retry",
				    fam->name, bits);
	}
	if (sr == 0xFFFFFFFFU || cr == 0xFFFFFFFFU)
		return swdd_err_set(
			SWDD_EFLASH,
			"the %s flash registers read back as garbage (FLASH_SR 0x%08X, FLASH_CR "
			"0x%08X): the chip's bus is not usable in this state; connect under reset "
			"(--connect under-reset) and retry",
			fam->name, sr, cr);
	if (!(sr & fam->flash_busy_bits))
		return 0;
	flash_status_text(f, sr & fam->flash_busy_bits, bits, sizeof(bits));
	return swdd_err_set(SWDD_EFLASH,
			    "a flash operation is pending (FLASH_SR 0x%08X: %s): the firmware was stopped "
			    "in the middle of programming or erasing; reset the chip (`monitor reset halt`, "
			    "or --connect under-reset) before flashing",
			    sr, bits);
}

/* Loads the algorithm. Init(fnc) is deferred to flash_algo_ready(), that
 * is to the first erase or program: a session that only compares (an
 * unchanged reload, qCRC) runs Crc32, which needs no unlocked interface,
 * and saves the Init and UnInit calls. */
int flash_algo_begin(struct swdd_flash *f, uint32_t fnc)
{
	int rc;

	if (f->algo_loaded)
		return 0;
	rc = flash_check_takeover(f);
	if (rc)
		return rc;
	rc = swdd_algo_load(f->t, f->flm, f->crc_routine, f->ram_base, f->ram_size, f->fam->wdg_freeze_reg,
			    f->fam->wdg_freeze_bits, !f->reset_follows, &f->algo);
	if (rc)
		return flash_add_evidence(f, rc, STM32_EVIDENCE_RESET);
	f->algo_loaded = true;
	f->algo_inited = false;
	f->algo_fnc = fnc;
	return 0;
}

/* Failures after which the chip is worth asking why: the link works, the
 * chip or the algorithm did not (a USB or power failure is not). */
static bool flash_evidence_useful(int rc)
{
	switch (rc) {
	case SWDD_EFLASH:
	case SWDD_EALGO:
	case SWDD_ETIMEOUT:
	case SWDD_EFAULT:
	case SWDD_EWAIT:
	case SWDD_ENOTHALTED:
	case SWDD_ELOCKUP:
	case SWDD_EPROBE:
	case SWDD_ERESET:
		return true;
	default:
		return false;
	}
}

int flash_add_evidence(struct swdd_flash *f, int rc, unsigned what)
{
	char why[1024], evidence[512];

	if (!f->fam->verify_evidence || !flash_evidence_useful(rc))
		return rc;
	snprintf(why, sizeof(why), "%s", swdd_err_detail()); /* the reads below may set their own */
	f->fam->verify_evidence(f->t, what | (f->rsr_cleared ? STM32_EVIDENCE_CLEARED : 0), evidence,
				sizeof(evidence));
	return swdd_err_set(rc, "%s%s", why, evidence);
}

/* Before the first erase or program of a session: the chip's reset flags
 * cleared (where the family can), so that a reset during the session is
 * told apart from older ones. Not fatal: the evidence is then vaguer. */
void flash_clear_reset_flags(struct swdd_flash *f)
{
	f->rsr_cleared = false;
	if (!f->fam->reset_flags_clear)
		return;
	if (f->fam->reset_flags_clear(f->t))
		swdd_debug("flash: the reset flags could not be cleared: %s", swdd_err_detail());
	else
		f->rsr_cleared = true;
}

int flash_algo_ready(struct swdd_flash *f)
{
	uint32_t r;
	int rc;

	if (f->algo_inited)
		return 0;
	flash_clear_reset_flags(f);
	rc = swdd_algo_call(&f->algo, SWDD_FLM_INIT, f->flm->dev_addr, 0, f->algo_fnc, 0,
			    FLASH_INIT_TIMEOUT_MS, &r);
	if (!rc && r)
		rc = swdd_err_set(SWDD_EFLASH,
				  "the flash algorithm's Init failed (result "
				  "0x%08X): the flash interface stayed locked",
				  r);
	f->algo_inited = rc == 0;
	return rc;
}

/* The core's own caches (Cortex-M7 L1, targets/cortex_m_cache.c; nothing
 * on other cores or with them off) if an erase or a program ran since the
 * last time: the array changed under them, and the checksum routine and
 * the firmware that runs on after a `load` read it through them. */
static int flash_core_caches(struct swdd_flash *f)
{
	int rc;

	if (!f->algo.array_changed)
		return 0;
	rc = swdd_target_mem_changed(f->t, f->base, f->base + f->size);
	if (!rc)
		f->algo.array_changed = false;
	return rc;
}

/* Ends an algorithm session. `rc` is the operation's outcome: when it
 * failed, its sentence is the one reported (the clean-up after a lost link
 * fails too, with sentences of its own), and a clean-up that fails is
 * added to it in a few words. */
int flash_algo_end(struct swdd_flash *f, int rc)
{
	char why[1024];
	uint32_t r;
	int rc2 = 0;

	if (!f->algo_loaded)
		return rc;
	if (rc && rc != SWDD_EVERIFY) /* a verify report has its evidence already */
		rc = flash_add_evidence(f, rc, STM32_EVIDENCE_FLASH | STM32_EVIDENCE_RESET);
	if (rc)
		snprintf(why, sizeof(why), "%s", swdd_err_detail());
	f->algo_loaded = false;
	f->rsr_cleared = false;
	if (f->algo_inited && !f->algo.started && !f->algo.lost)
		rc2 = swdd_algo_call(&f->algo, SWDD_FLM_UNINIT, f->algo_fnc, 0, 0, 0, FLASH_INIT_TIMEOUT_MS,
				     &r);
	f->algo_inited = false;
	f->algo.regs_not_restored = !rc && !rc2 && f->reset_follows; /* the reset sets them */
	int rc3 = swdd_algo_unload(&f->algo);
	if (!rc3)
		rc3 = flash_core_caches(f); /* after a failure too: the array may have changed */
	if (!rc)
		return rc2 ? rc2 : rc3;
	swdd_err_set(rc, "%s", why);
	if (rc2 || rc3)
		swdd_err_add(rc,
			     "the algorithm could not be unloaded either (%s): the SRAM it used and "
			     "the core registers were not restored",
			     swdd_strerror(rc2 ? rc2 : rc3));
	return rc;
}

void flash_describe_failure(struct swdd_flash *f, uint32_t result, char *buf, size_t len)
{
	uint32_t sr = 0;
	char st[400];

	if (result != 1) {
		flash_status_text(f, result, buf, len);
		return;
	}
	if (f->fam->read_status(f->t, &sr)) {
		snprintf(buf, len, "the algorithm returned 1 (the flash status could not be read)");
		return;
	}
	flash_status_text(f, sr, st, sizeof(st));
	snprintf(buf, len,
		 "the algorithm returned 1 (failed); the flash status register now reads: "
		 "%s (an algorithm may clear the error bits before it returns)",
		 st);
}

int flash_algo_checked(struct swdd_flash *f, enum swdd_flm_fn fn, uint32_t r0, uint32_t r1, uint32_t r2,
		       uint32_t timeout_ms, const char *what)
{
	uint32_t r;
	char bits[512];
	int rc = flash_algo_ready(f);

	if (!rc)
		rc = swdd_algo_call(&f->algo, fn, r0, r1, r2, 0, timeout_ms, &r);

	if (rc)
		return swdd_err_add(rc, "while %s", what);
	if (!r)
		return 0;
	flash_describe_failure(f, r, bits, sizeof(bits));
	return swdd_err_set(SWDD_EFLASH, "%s failed: %s", what, bits);
}

/* The erase's duration as the core counted it (algo_run.h erase_cycles)
 * at the slowest clock RCC's configuration allows, rounded up: an upper
 * bound that no host, slow, loaded or fast, changes. Not when the counter
 * may have wrapped: on silicon the call lasted at most the host's time,
 * which must stay under 2^32 cycles at the fastest clock. */
static int erase_core_ms(struct swdd_flash *f, uint64_t host_ms, uint64_t *ms, uint32_t *lo_hz)
{
	uint32_t hi_hz = 0;
	int rc;

	if (!f->algo.erase_cycles_valid || !f->fam->core_clock)
		return SWDD_EUNSUPPORTED;
	rc = f->fam->core_clock(f->t, lo_hz, &hi_hz);
	if (rc)
		return rc;
	if (host_ms >= (UINT64_C(1) << 32) * 1000U / hi_hz)
		return SWDD_ERANGE;
	*ms = ((uint64_t)f->algo.erase_cycles * 1000U + *lo_hz - 1U) / *lo_hz;
	return 0;
}

/* DS12110 (H7) gives a sector erase of about a second; an erase that
 * "completes" in milliseconds did not run (a controller that reports EOP
 * without erasing, the H743 report's "erase and download in 0.2 s").
 * Counted by the core where the family knows its clock (erase_core_ms);
 * else the host's clock bounds it from above on silicon (the call, its USB
 * transfers and the prefill of the page buffers count too): a short time
 * is proof and a long one proves nothing. */
int flash_erase_plausible(struct swdd_flash *f, unsigned index, uint32_t start, uint64_t elapsed_ms)
{
	uint32_t min = f->fam->min_sector_erase_ms, lo_hz = 0;
	uint64_t ms = elapsed_ms;
	char how[96] = "on the host's clock";
	int rc = min ? erase_core_ms(f, elapsed_ms, &ms, &lo_hz) : SWDD_EUNSUPPORTED;

	if (!rc)
		snprintf(how, sizeof(how), "%u core cycles (DWT_CYCCNT) at %.1f MHz or more",
			 f->algo.erase_cycles, lo_hz / 1e6);
	swdd_debug("flash: sector %u erase took %llu ms %s (host: %llu ms)", index, (unsigned long long)ms,
		   how, (unsigned long long)elapsed_ms);
	if (!min || ms >= min)
		return 0;
	return swdd_err_set(SWDD_EFLASH,
			    "sector %u (0x%08X) erase took %llu ms, typ %u.%u s (%s datasheet; %s): "
			    "the controller reported success but the erase was not performed; "
			    "nothing programmed there can be trusted (check the flash supply, "
			    "VCAP/SMPS, AN4938, and retry)",
			    index, start, (unsigned long long)ms, f->fam->typ_sector_erase_ms / 1000U,
			    f->fam->typ_sector_erase_ms % 1000U / 100U, f->fam->name, how);
}

/* Tells once per session what the firmware left the caches at: a core
 * reset keeps it (the reset warning says so). Then the core's caches. */
int flash_flush_caches(struct swdd_flash *f)
{
	char state[160];
	int rc = f->fam->flush_caches ? f->fam->flush_caches(f->t, state, sizeof(state)) : 0;

	if (!rc && f->fam->flush_caches && state[0] && !f->caches_told) {
		swdd_info("flash: the firmware left the flash caches on (%s); swdd resets their "
			  "contents before each checksum and read-back",
			  state);
		f->caches_told = true;
	}
	return rc ? rc : flash_core_caches(f);
}

/* The CRC by reading the target's memory over the probe; for flash, after
 * resetting the flash caches so that the reads see the array. */
static int flash_readback_crc(struct swdd_flash *f, uint32_t addr, uint32_t len, uint32_t *crc, bool flash)
{
	uint8_t buf[4096];
	int rc = flash ? flash_flush_caches(f) : 0;

	for (uint32_t off = 0; !rc && off < len; off += sizeof(buf)) {
		uint32_t n = len - off < sizeof(buf) ? len - off : (uint32_t)sizeof(buf);
		rc = swdd_target_mem_read(f->t, addr + off, buf, n);
		if (!rc)
			*crc = swdd_crc32(*crc, buf, n);
	}
	return rc;
}

/* On the target when a checksum is loaded (the algorithm's or swdd's
 * routine); read back only when no SRAM could be had for the routine. The
 * flash caches must have been reset since the flash last changed
 * (flash_flush_caches): a pass of several checksums over flash that does
 * not change in between resets them once (compare, verify). */
uint32_t flash_crc_bound_ms(uint32_t len)
{
	/* ~6 cycles per byte at the 16 MHz HSI (128 KiB in ~50 ms): 2 ms per
	 * KiB covers 32 */
	return flash_bound(len / 512u + 1);
}

int flash_crc_flushed(struct swdd_flash *f, uint32_t addr, uint32_t len, uint32_t *crc)
{
	uint32_t timeout = flash_crc_bound_ms(len);

	if (!f->algo.crc_entry)
		return flash_readback_crc(f, addr, len, crc, true);
	return swdd_algo_call(&f->algo, SWDD_FLM_CRC32, addr, len, *crc, 0, timeout, crc);
}

int flash_target_crc(struct swdd_flash *f, uint32_t addr, uint32_t len, uint32_t *crc)
{
	int rc = flash_flush_caches(f);

	return rc ? rc : flash_crc_flushed(f, addr, len, crc);
}

int swdd_flash_crc(struct swdd_flash *f, uint32_t addr, uint32_t len, uint32_t *crc)
{
	bool in_flash = addr >= f->base && (uint64_t)addr + len <= (uint64_t)f->base + f->size;
	int rc = in_flash ? flash_check_rdp(f) : 0;

	/* read protection is the answer, not a CRC (RM0090 3.7.3: neither the
	 * debugger nor code it runs from SRAM can read the flash) */
	if (rc)
		return rc;
	if (in_flash && len >= 256) {
		rc = flash_algo_begin(f, 3);
		return rc ? rc : flash_algo_end(f, flash_target_crc(f, addr, len, crc));
	}
	/* RAM and short ranges: read back */
	return flash_readback_crc(f, addr, len, crc, in_flash);
}

/* Read-back of a sector that failed the blank CRC: names the first byte
 * that is not erased. */
static int flash_find_unerased(struct swdd_flash *f, const struct flash_sector *s)
{
	uint8_t buf[4096];
	int rc0 = flash_flush_caches(f);

	if (rc0)
		return rc0;

	for (uint32_t off = 0; off < s->size; off += sizeof(buf)) {
		uint32_t n = s->size - off < sizeof(buf) ? s->size - off : (uint32_t)sizeof(buf);
		int rc = swdd_target_mem_read(f->t, s->start + off, buf, n);
		if (rc)
			return swdd_err_add(rc, "while checking sector %u is blank", s->index);
		for (uint32_t i = 0; i < n; i++)
			if (buf[i] != f->flm->empty)
				return swdd_err_set(SWDD_EFLASH,
						    "sector %u is not blank after the erase: "
						    "0x%08X reads 0x%02X, expected 0x%02X",
						    s->index, s->start + off + i, buf[i], f->flm->empty);
	}
	return 0;
}

/* An erase the controller reports as finished is still checked: every
 * sector first..last must read blank (CRC against the CRC of an erased
 * sector, read-back to name the culprit). The algorithm is loaded. */
static int flash_check_blank(struct swdd_flash *f, unsigned first, unsigned last)
{
	int rc = 0;

	for (unsigned i = first; !rc && i <= last; i++) {
		const struct flash_sector *s = &f->sectors[i];
		uint8_t *blank = malloc(s->size);
		uint32_t got = 0xFFFFFFFFu, want;

		if (!blank)
			return SWDD_ENOMEM;
		memset(blank, f->flm->empty, s->size);
		want = swdd_crc32(0xFFFFFFFFu, blank, s->size);
		free(blank);
		rc = flash_target_crc(f, s->start, s->size, &got);
		if (!rc && got != want)
			rc = flash_find_unerased(f, s);
	}
	return rc;
}

static int flash_erase_range(struct swdd_flash *f, unsigned first, unsigned last)
{
	uint64_t wrp;
	int rc = f->fam->wrp_mask(f->t, &wrp);

	for (unsigned s = first; !rc && s <= last; s++)
		if (wrp & (1ull << s))
			return swdd_err_set(SWDD_EPROTECTED,
					    "sector %u (0x%08X) is write-protected in the option "
					    "bytes (`monitor option`); nothing was erased",
					    s, f->sectors[s].start);
	if (!rc)
		rc = flash_algo_begin(f, 1);
	for (unsigned s = first; !rc && s <= last; s++) {
		char what[64];
		snprintf(what, sizeof(what), "erasing sector %u at 0x%08X", s, f->sectors[s].start);
		uint64_t t0 = swdd_now_ms();
		rc = flash_algo_checked(f, SWDD_FLM_ERASE_SECTOR, f->sectors[s].start, 0, 0,
					flash_erase_bound_ms(f, f->sectors[s].size), what);
		if (!rc)
			rc = flash_erase_plausible(f, s, f->sectors[s].start, swdd_now_ms() - t0);
	}
	if (!rc)
		rc = flash_check_blank(f, first, last);
	return flash_algo_end(f, rc);
}

int swdd_flash_erase_sectors(struct swdd_flash *f, unsigned first, unsigned last)
{
	int rc = flash_check_rdp(f);

	if (rc)
		return rc;
	if (first > last || last >= f->num_sectors)
		return swdd_err_set(SWDD_ERANGE, "sectors %u..%u: this flash has sectors 0..%zu", first, last,
				    f->num_sectors - 1);
	return flash_erase_range(f, first, last);
}

int swdd_flash_mass_erase(struct swdd_flash *f)
{
	int rc = flash_check_rdp(f);

	if (rc)
		return rc;
	if (f->flm->fn[SWDD_FLM_ERASE_CHIP] == SWDD_FLM_NO_FN)
		return flash_erase_range(f, 0, (unsigned)f->num_sectors - 1);
	uint64_t wrp;
	rc = f->fam->wrp_mask(f->t, &wrp);
	if (!rc && wrp)
		return swdd_err_set(SWDD_EPROTECTED,
				    "mass erase refused: write-protected sectors "
				    "(mask 0x%llx) would make it fail",
				    (unsigned long long)wrp);
	if (!rc)
		rc = flash_algo_begin(f, 1);
	if (!rc)
		rc = flash_algo_checked(f, SWDD_FLM_ERASE_CHIP, 0, 0, 0, flash_mass_erase_bound_ms(f),
					"mass erase");
	if (!rc)
		rc = flash_check_blank(f, 0, (unsigned)f->num_sectors - 1);
	return flash_algo_end(f, rc);
}

int swdd_flash_rdp_level(struct swdd_flash *f, int *level)
{
	return f->fam->rdp_level(f->t, level);
}

int swdd_flash_unlock(struct swdd_flash *f)
{
	if (!f->fam->unlock_rdp)
		return swdd_err_set(SWDD_EUNSUPPORTED, "unlock is not supported for %s", f->fam->name);
	return f->fam->unlock_rdp(f->t);
}

/* The option report: a line per register and per field (H7: 33 fields). */
#define FLASH_OPTION_TEXT 8192

int swdd_flash_option_text(struct swdd_flash *f, char **text)
{
	char *buf = malloc(FLASH_OPTION_TEXT);
	int rc;

	if (!buf)
		return SWDD_ENOMEM;
	rc = stm32_option_text(f->t, buf, FLASH_OPTION_TEXT);
	if (rc) {
		free(buf);
		return rc;
	}
	*text = buf;
	return 0;
}

int swdd_flash_info_text(struct swdd_flash *f, char **text)
{
	size_t cap = 512 + f->num_sectors * 80, n = 0;
	char *x = malloc(cap);
	uint64_t wrp = 0;
	int level = -1;

	if (!x)
		return SWDD_ENOMEM;
	/* the report shows what could be read: no protection bits, level -1 */
	(void)f->fam->wrp_mask(f->t, &wrp);
	(void)f->fam->rdp_level(f->t, &level);
	n += (size_t)snprintf(x + n, cap - n,
			      "%s flash at 0x%08X, %u KiB, %zu sectors, RDP level %d\n"
			      "algorithm: %s (%s), page %u bytes\n",
			      f->fam->name, f->base, f->size / 1024, f->num_sectors, level, f->flm->name,
			      f->flm->source, f->flm->page_size);
	for (size_t i = 0; i < f->num_sectors; i++)
		n += (size_t)snprintf(x + n, cap - n, "  #%-2zu 0x%08X %4u KiB%s\n", i, f->sectors[i].start,
				      f->sectors[i].size / 1024, (wrp >> i) & 1 ? " write-protected" : "");
	*text = x;
	return 0;
}
