/*
 * FLM parsing with libelf; see flm.h. Layout facts: CMSIS-Pack
 * "Flash Programming Algorithms" and FlashOS.h (struct FlashDevice,
 * interface version 1.01).
 */
#include "flm.h"

#include "file_bounds.h"
#include "flash_builtin.h"
#include "swdd_err.h"
#include "swdd_file.h"
#include "swdd_le.h"

#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* FlashDevice field offsets (FlashOS.h). */
#define FD_VERS 0U
#define FD_NAME 2U
#define FD_TYPE 130U
#define FD_DEVADR 132U
#define FD_SZDEV 136U
#define FD_SZPAGE 140U
#define FD_VALEMPTY 148U
#define FD_TOPROG 152U
#define FD_TOERASE 156U
#define FD_SECTORS 160U
#define FD_SECTOR_END 0xFFFFFFFFU
#define FD_MAX_SECTORS 512U
#define FLM_MAX_BLOB (256U * 1024U)
#define FLM_MAX_FILE (16U * 1024U * 1024U)

static const char *const fn_names[SWDD_FLM_FN_COUNT] = {
	[SWDD_FLM_INIT] = "Init",
	[SWDD_FLM_UNINIT] = "UnInit",
	[SWDD_FLM_ERASE_CHIP] = "EraseChip",
	[SWDD_FLM_ERASE_SECTOR] = "EraseSector",
	[SWDD_FLM_PROGRAM_PAGE] = "ProgramPage",
	[SWDD_FLM_VERIFY] = "Verify",
	[SWDD_FLM_BLANK_CHECK] = "BlankCheck",
	[SWDD_FLM_CRC32] = "Crc32",
	[SWDD_FLM_CRC32_LIST] = "Crc32List",
	[SWDD_FLM_STREAM] = "ProgramStream",
};

/* Copies one PrgCode/PrgData section into the blob at its address. The
 * section must lie inside the first FLM_MAX_BLOB bytes: sh_addr + sh_size
 * of an ELF64 may wrap (file_bounds.h). */
static int flm_place_section(struct swdd_flm *flm, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *d;

	if (!swdd_span_inside(sh->sh_addr, sh->sh_size, FLM_MAX_BLOB))
		return swdd_err_set(SWDD_EFORMAT,
				    "FLM section at 0x%llx of 0x%llx bytes lies outside "
				    "the %u KiB an algorithm may use (corrupt file)",
				    (unsigned long long)sh->sh_addr, (unsigned long long)sh->sh_size,
				    FLM_MAX_BLOB >> 10);
	if (sh->sh_addr + sh->sh_size > flm->blob_size) {
		uint8_t *nb = realloc(flm->blob, sh->sh_addr + sh->sh_size);
		if (!nb)
			return SWDD_ENOMEM;
		memset(nb + flm->blob_size, 0, sh->sh_addr + sh->sh_size - flm->blob_size);
		flm->blob = nb;
		flm->blob_size = (uint32_t)(sh->sh_addr + sh->sh_size);
	}
	if (sh->sh_type == SHT_NOBITS)
		return 0; /* ZI: already zero */
	d = elf_getdata(scn, NULL);
	if (!d || d->d_size != sh->sh_size || !d->d_buf)
		return swdd_err_set(SWDD_EFORMAT, "FLM section data is truncated");
	memcpy(flm->blob + sh->sh_addr, d->d_buf, d->d_size);
	return 0;
}

static int flm_parse_devdscr(struct swdd_flm *flm, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	const uint8_t *p;
	size_t n;

	if (flm->sectors)
		return swdd_err_set(SWDD_EFORMAT, "FLM has more than one DevDscr section");
	if (!d || !d->d_buf || d->d_size < FD_SECTORS + 8)
		return swdd_err_set(SWDD_EFORMAT, "FLM DevDscr section is too short (%llu bytes)",
				    (unsigned long long)sh->sh_size);
	p = d->d_buf;
	flm->version = swdd_le16(p + FD_VERS);
	memcpy(flm->name, p + FD_NAME, 128);
	flm->name[128] = '\0';
	flm->type = swdd_le16(p + FD_TYPE);
	flm->dev_addr = swdd_le32(p + FD_DEVADR);
	flm->dev_size = swdd_le32(p + FD_SZDEV);
	flm->page_size = swdd_le32(p + FD_SZPAGE);
	flm->empty = p[FD_VALEMPTY];
	flm->to_prog_ms = swdd_le32(p + FD_TOPROG);
	flm->to_erase_ms = swdd_le32(p + FD_TOERASE);
	n = (d->d_size - FD_SECTORS) / 8;
	if (n > FD_MAX_SECTORS)
		n = FD_MAX_SECTORS;
	flm->sectors = calloc(n, sizeof(*flm->sectors));
	if (!flm->sectors)
		return SWDD_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		uint32_t sz = swdd_le32(p + FD_SECTORS + 8 * i), ad = swdd_le32(p + FD_SECTORS + 8 * i + 4);
		if (sz == FD_SECTOR_END && ad == FD_SECTOR_END)
			return 0;
		if (!sz || (i && ad <= flm->sectors[i - 1].addr))
			return swdd_err_set(SWDD_EFORMAT, "FLM sector table entry %zu is invalid", i);
		flm->sectors[i].size = sz;
		flm->sectors[i].addr = ad;
		flm->num_sectors = i + 1;
	}
	return swdd_err_set(SWDD_EFORMAT, "FLM sector table has no end marker");
}

static int flm_read_symbols(struct swdd_flm *flm, Elf *e, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;

	for (size_t i = 0; d && i < n; i++) {
		GElf_Sym sym;
		const char *name;

		if (!gelf_getsym(d, (int)i, &sym))
			break;
		name = elf_strptr(e, sh->sh_link, sym.st_name);
		if (!name || GELF_ST_TYPE(sym.st_info) != STT_FUNC)
			continue;
		for (int f = 0; f < SWDD_FLM_FN_COUNT; f++) {
			if (strcmp(name, fn_names[f]))
				continue;
			if (!swdd_span_inside(sym.st_value, 0, FLM_MAX_BLOB))
				return swdd_err_set(SWDD_EFORMAT,
						    "FLM function %s at 0x%llx lies outside "
						    "the algorithm",
						    name, (unsigned long long)sym.st_value);
			flm->fn[f] = (uint32_t)sym.st_value & ~1u;
		}
	}
	return 0;
}

static int flm_walk_sections(struct swdd_flm *flm, Elf *e, bool code_only)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	int rc, have_code = 0, have_dev = 0;

	if (elf_getshdrstrndx(e, &shstrndx))
		return swdd_err_set(SWDD_EFORMAT, "FLM has no section name table");
	flm->data_offset = UINT32_MAX;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(e, shstrndx, sh.sh_name)))
			return swdd_err_set(SWDD_EFORMAT, "FLM section header is corrupt");
		rc = 0;
		if (!strcmp(name, "PrgCode")) {
			if (sh.sh_addr != 0)
				return swdd_err_set(SWDD_EFORMAT, "FLM PrgCode does not start at 0");
			have_code = 1;
			rc = flm_place_section(flm, scn, &sh);
		} else if (!strcmp(name, "PrgData")) {
			rc = flm_place_section(flm, scn, &sh);
			if (!rc && sh.sh_addr < flm->data_offset)
				flm->data_offset = (uint32_t)sh.sh_addr; /* < FLM_MAX_BLOB: placed */
		} else if (!strcmp(name, "DevDscr")) {
			have_dev = 1;
			rc = flm_parse_devdscr(flm, scn, &sh);
		} else if (sh.sh_type == SHT_SYMTAB) {
			rc = flm_read_symbols(flm, e, scn, &sh);
		}
		if (rc)
			return rc;
	}
	if (!have_code || (!have_dev && !code_only))
		return swdd_err_set(SWDD_EFORMAT, "not a flash algorithm: no %s section",
				    have_code ? "DevDscr" : "PrgCode");
	if (flm->data_offset == UINT32_MAX)
		flm->data_offset = flm->blob_size;
	return 0;
}

static int flm_check(const struct swdd_flm *flm)
{
	static const enum swdd_flm_fn required[] = { SWDD_FLM_INIT, SWDD_FLM_UNINIT, SWDD_FLM_ERASE_SECTOR,
						     SWDD_FLM_PROGRAM_PAGE };

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		uint32_t off = flm->fn[required[i]];
		if (off == SWDD_FLM_NO_FN)
			return swdd_err_set(SWDD_EFORMAT, "flash algorithm has no %s function",
					    fn_names[required[i]]);
	}
	for (int f = 0; f < SWDD_FLM_FN_COUNT; f++)
		if (flm->fn[f] != SWDD_FLM_NO_FN && flm->fn[f] >= flm->blob_size)
			return swdd_err_set(SWDD_EFORMAT, "%s lies outside the algorithm code", fn_names[f]);
	if (!flm->num_sectors || !flm->dev_size || !flm->page_size || flm->page_size > 65536)
		return swdd_err_set(SWDD_EFORMAT,
				    "FLM device descriptor is inconsistent "
				    "(size %u, page %u, %zu sector entries)",
				    flm->dev_size, flm->page_size, flm->num_sectors);
	return 0;
}

/* A routine that is not a flash algorithm (flashalgo/swdd_crc.c): PrgCode
 * and its Crc32 symbol, no descriptor. */
static int flm_check_code(const struct swdd_flm *flm)
{
	if (flm->fn[SWDD_FLM_CRC32] == SWDD_FLM_NO_FN || flm->fn[SWDD_FLM_CRC32] >= flm->blob_size)
		return swdd_err_set(SWDD_EFORMAT, "the checksum routine has no Crc32 function");
	return 0;
}

static int flm_parse_any(const void *elf, size_t size, const char *source, bool code_only,
			 struct swdd_flm **out)
{
	struct swdd_flm *flm;
	Elf *e;
	GElf_Ehdr eh;
	int rc;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return swdd_err_set(SWDD_EFORMAT, "libelf initialisation failed");
	e = elf_memory((char *)elf, size);
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh) || eh.e_machine != EM_ARM) {
		if (e)
			elf_end(e);
		return swdd_err_set(SWDD_EFORMAT, "%s is not an ARM ELF file", source);
	}
	flm = calloc(1, sizeof(*flm));
	if (!flm) {
		elf_end(e);
		return SWDD_ENOMEM;
	}
	for (int f = 0; f < SWDD_FLM_FN_COUNT; f++)
		flm->fn[f] = SWDD_FLM_NO_FN;
	snprintf(flm->source, sizeof(flm->source), "%s", source);
	rc = flm_walk_sections(flm, e, code_only);
	if (!rc)
		rc = code_only ? flm_check_code(flm) : flm_check(flm);
	elf_end(e);
	if (rc) {
		swdd_err_add(rc, "in %s", source);
		swdd_flm_free(flm);
		return rc;
	}
	*out = flm;
	return 0;
}

int swdd_flm_parse(const void *elf, size_t size, const char *source, struct swdd_flm **out)
{
	return flm_parse_any(elf, size, source, false, out);
}

int swdd_flm_load_file(const char *path, struct swdd_flm **out)
{
	uint8_t *buf;
	size_t len;
	int rc = swdd_file_read(path, FLM_MAX_FILE, "flash algorithm", &buf, &len);

	if (rc)
		return rc;
	rc = swdd_flm_parse(buf, len, path, out);
	free(buf);
	return rc;
}

static int flm_builtin_any(const char *name, bool code_only, struct swdd_flm **out)
{
	for (const struct swdd_flm_builtin *b = swdd_flm_builtins; b->name; b++) {
		if (!strcmp(b->name, name)) {
			char src[64];
			snprintf(src, sizeof(src), "built-in %s", name);
			return flm_parse_any(b->elf, b->size, src, code_only, out);
		}
	}
	return swdd_err_set(SWDD_EINVAL, "no built-in flash algorithm named %s", name);
}

int swdd_flm_builtin(const char *name, struct swdd_flm **out)
{
	return flm_builtin_any(name, false, out);
}

int swdd_flm_crc_routine(struct swdd_flm **out)
{
	return flm_builtin_any("swdd_crc", true, out);
}

void swdd_flm_free(struct swdd_flm *flm)
{
	if (!flm)
		return;
	free(flm->sectors);
	free(flm->blob);
	free(flm);
}

int swdd_flm_sector_at(const struct swdd_flm *flm, uint32_t addr, uint32_t *start, uint32_t *size)
{
	uint32_t off;

	if (addr < flm->dev_addr || addr - flm->dev_addr >= flm->dev_size)
		return SWDD_ERANGE;
	off = addr - flm->dev_addr;
	for (size_t i = flm->num_sectors; i-- > 0;) {
		const struct swdd_flm_sector *s = &flm->sectors[i];
		if (off >= s->addr) {
			uint32_t idx = (off - s->addr) / s->size;
			*start = flm->dev_addr + s->addr + idx * s->size;
			*size = s->size;
			return 0;
		}
	}
	return SWDD_ERANGE;
}
