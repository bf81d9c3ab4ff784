/*
 * Image file loading; see image.h. Intel HEX per Intel's "Hexadecimal
 * Object File Format Specification" rev A; ELF per the System V gABI
 * (program headers, PT_LOAD, p_paddr = load address).
 */
#include "image.h"

#include "file_bounds.h"
#include "swdd_err.h"
#include "swdd_file.h"

#include <ctype.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMAGE_MAX_FILE (64U * 1024U * 1024U)

static int image_add(struct swdd_image *img, uint32_t addr, const uint8_t *data, uint32_t len)
{
	struct swdd_segment *last = img->n ? &img->seg[img->n - 1] : NULL;

	if (!len)
		return 0;
	if (!swdd_span_inside(addr, len, SWDD_ADDR_SPACE))
		return swdd_err_set(SWDD_EFORMAT, "data at 0x%08X+%u wraps past 4 GiB", addr, len);
	if (last && last->addr + last->len == addr) { /* extend the previous run */
		uint8_t *nd = realloc(last->data, last->len + len);
		if (!nd)
			return SWDD_ENOMEM;
		memcpy(nd + last->len, data, len);
		last->data = nd;
		last->len += len;
		return 0;
	}
	struct swdd_segment *ns = realloc(img->seg, (img->n + 1) * sizeof(*ns));
	if (!ns)
		return SWDD_ENOMEM;
	img->seg = ns;
	ns[img->n].data = malloc(len);
	if (!ns[img->n].data)
		return SWDD_ENOMEM;
	memcpy(ns[img->n].data, data, len);
	ns[img->n].addr = addr;
	ns[img->n].len = len;
	img->n++;
	return 0;
}

static int seg_cmp(const void *a, const void *b)
{
	const struct swdd_segment *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Sorts segments and refuses overlaps (two records for one byte). */
static int image_finish(struct swdd_image *img, const char *name)
{
	if (!img->n)
		return swdd_err_set(SWDD_EFORMAT, "%s contains no loadable data", name);
	qsort(img->seg, img->n, sizeof(*img->seg), seg_cmp);
	for (size_t i = 1; i < img->n; i++)
		if ((uint64_t)img->seg[i - 1].addr + img->seg[i - 1].len > img->seg[i].addr)
			return swdd_err_set(SWDD_EFORMAT,
					    "%s: data at 0x%08X overlaps the segment "
					    "at 0x%08X",
					    name, img->seg[i].addr, img->seg[i - 1].addr);
	return 0;
}

static int hex_byte(const char *p, uint8_t *out)
{
	if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]))
		return -1;
	char t[3] = { p[0], p[1], 0 };
	*out = (uint8_t)strtoul(t, NULL, 16);
	return 0;
}

/* Parses one record ":LLAAAATT<data>CC" into bytes; checks the checksum. */
static int hex_record(const char *line, size_t len, uint8_t *rec, size_t *n)
{
	uint8_t sum = 0;

	if (len < 11 || line[0] != ':' || (len - 1) % 2)
		return -1;
	*n = (len - 1) / 2;
	for (size_t i = 0; i < *n; i++) {
		if (hex_byte(line + 1 + 2 * i, &rec[i]))
			return -1;
		sum = (uint8_t)(sum + rec[i]);
	}
	if (sum != 0 || rec[0] + 5u != *n)
		return -1;
	return 0;
}

static int parse_hex(const uint8_t *buf, size_t len, const char *name, struct swdd_image *img)
{
	uint32_t upper = 0, lineno = 0;
	size_t pos = 0;
	int rc;

	while (pos < len) {
		const char *line = (const char *)buf + pos;
		size_t ll = 0;
		uint8_t rec[300];
		size_t n;
		while (pos + ll < len && buf[pos + ll] != '\n')
			ll++;
		pos += ll + 1;
		lineno++;
		while (ll && (line[ll - 1] == '\r' || line[ll - 1] == ' '))
			ll--;
		if (!ll)
			continue;
		if (ll > 2 * sizeof(rec) || hex_record(line, ll, rec, &n))
			return swdd_err_set(SWDD_EFORMAT,
					    "%s line %u: not a valid Intel HEX record "
					    "(bad characters, length or checksum)",
					    name, lineno);
		uint32_t addr = upper + ((uint32_t)rec[1] << 8 | rec[2]);
		switch (rec[3]) {
		case 0x00:
			rc = image_add(img, addr, rec + 4, rec[0]);
			if (rc)
				return rc;
			break;
		case 0x01:
			return image_finish(img, name);
		case 0x02:
			upper = ((uint32_t)rec[4] << 8 | rec[5]) << 4;
			break;
		case 0x04:
			upper = ((uint32_t)rec[4] << 8 | rec[5]) << 16;
			break;
		case 0x03:
		case 0x05:
			break; /* start address: not needed to program */
		default:
			return swdd_err_set(SWDD_EFORMAT, "%s line %u: unknown record type %02X", name,
					    lineno, rec[3]);
		}
	}
	return swdd_err_set(SWDD_EFORMAT, "%s is truncated: no end-of-file record", name);
}

/* A PT_LOAD segment's bytes must lie inside the file and its load address
 * range inside a Cortex-M's 32-bit address space: an ELF64 p_paddr of
 * 0x108000000 must not become 0x08000000, and p_offset + p_filesz must
 * not wrap (gABI program header; ARMv7-M ARM B3.1). */
static int elf_check_segment(const GElf_Phdr *ph, size_t len, const char *name, size_t i)
{
	if (!swdd_span_inside(ph->p_offset, ph->p_filesz, len))
		return swdd_err_set(SWDD_EFORMAT,
				    "%s is truncated or corrupt: segment %zu needs "
				    "0x%llx bytes from file offset 0x%llx, the file has %zu bytes",
				    name, i, (unsigned long long)ph->p_filesz,
				    (unsigned long long)ph->p_offset, len);
	if (!swdd_span_inside(ph->p_paddr, ph->p_filesz, SWDD_ADDR_SPACE))
		return swdd_err_set(SWDD_EFORMAT,
				    "%s: segment %zu loads 0x%llx bytes at 0x%llx, "
				    "beyond the 32-bit address space of a Cortex-M (an ELF for "
				    "another machine, or corrupt)",
				    name, i, (unsigned long long)ph->p_filesz,
				    (unsigned long long)ph->p_paddr);
	return 0;
}

static int parse_elf(const uint8_t *buf, size_t len, const char *name, struct swdd_image *img)
{
	Elf *e;
	GElf_Ehdr eh;
	size_t phnum;
	int rc = 0;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return swdd_err_set(SWDD_EFORMAT, "libelf initialisation failed");
	e = elf_memory((char *)buf, len);
	if (!e || !gelf_getehdr(e, &eh) || elf_getphdrnum(e, &phnum)) {
		if (e)
			elf_end(e);
		return swdd_err_set(SWDD_EFORMAT, "%s: corrupt ELF header", name);
	}
	if (eh.e_machine != EM_ARM)
		rc = swdd_err_set(SWDD_EFORMAT, "%s is an ELF file for machine %u, not ARM", name,
				  eh.e_machine);
	for (size_t i = 0; !rc && i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph)) {
			rc = swdd_err_set(SWDD_EFORMAT, "%s: corrupt program header %zu", name, i);
			break;
		}
		if (ph.p_type != PT_LOAD || !ph.p_filesz)
			continue;
		rc = elf_check_segment(&ph, len, name, i);
		if (!rc)
			rc = image_add(img, (uint32_t)ph.p_paddr, buf + ph.p_offset, (uint32_t)ph.p_filesz);
	}
	elf_end(e);
	return rc ? rc : image_finish(img, name);
}

static enum swdd_image_format detect(const uint8_t *buf, size_t len, const char *name)
{
	const char *dot = strrchr(name, '.');

	if (len >= 4 && !memcmp(buf,
				"\x7f"
				"ELF",
				4))
		return SWDD_IMAGE_ELF;
	if (dot && (!strcasecmp(dot, ".hex") || !strcasecmp(dot, ".ihex")))
		return SWDD_IMAGE_HEX;
	if (dot && (!strcasecmp(dot, ".elf") || !strcasecmp(dot, ".axf")))
		return SWDD_IMAGE_ELF; /* and parse_elf will say it is corrupt */
	if (len && buf[0] == ':')
		return SWDD_IMAGE_HEX;
	if (dot && !strcasecmp(dot, ".bin"))
		return SWDD_IMAGE_BIN;
	return SWDD_IMAGE_AUTO; /* not recognised: a README is not a raw binary */
}

int swdd_image_parse(const uint8_t *buf, size_t len, const char *name, enum swdd_image_format fmt,
		     uint32_t bin_addr, struct swdd_image *img)
{
	return swdd_image_parse_as(buf, len, name, fmt, bin_addr, img, NULL);
}

int swdd_image_parse_as(const uint8_t *buf, size_t len, const char *name, enum swdd_image_format fmt,
			uint32_t bin_addr, struct swdd_image *img, enum swdd_image_format *found)
{
	int rc;

	memset(img, 0, sizeof(*img));
	if (fmt == SWDD_IMAGE_AUTO)
		fmt = detect(buf, len, name);
	if (found)
		*found = fmt;
	if (fmt == SWDD_IMAGE_AUTO)
		rc = swdd_err_set(SWDD_EFORMAT,
				  "%s is neither ELF nor Intel HEX, and a raw binary needs "
				  "a .bin name or --format bin (accepted: ELF .elf/.axf, Intel HEX "
				  ".hex/.ihex, raw binary .bin)",
				  name);
	else if (fmt == SWDD_IMAGE_ELF)
		rc = parse_elf(buf, len, name, img);
	else if (fmt == SWDD_IMAGE_HEX)
		rc = parse_hex(buf, len, name, img);
	else if (!swdd_span_inside(bin_addr, len, SWDD_ADDR_SPACE))
		rc = swdd_err_set(SWDD_ERANGE, "%s does not fit below 4 GiB at 0x%08X", name, bin_addr);
	else
		rc = image_add(img, bin_addr, buf, (uint32_t)len) ?: image_finish(img, name);
	if (rc)
		swdd_image_free(img);
	return rc;
}

int swdd_image_load(const char *path, enum swdd_image_format fmt, uint32_t bin_addr, struct swdd_image *img)
{
	return swdd_image_load_as(path, fmt, bin_addr, img, NULL);
}

int swdd_image_load_as(const char *path, enum swdd_image_format fmt, uint32_t bin_addr,
		       struct swdd_image *img, enum swdd_image_format *found)
{
	uint8_t *buf;
	size_t len;
	int rc = swdd_file_read(path, IMAGE_MAX_FILE, "image", &buf, &len);

	if (rc)
		return rc;
	rc = swdd_image_parse_as(buf, len, path, fmt, bin_addr, img, found);
	free(buf);
	return rc;
}

void swdd_image_free(struct swdd_image *img)
{
	for (size_t i = 0; i < img->n; i++)
		free(img->seg[i].data);
	free(img->seg);
	img->seg = NULL;
	img->n = 0;
}

uint64_t swdd_image_size(const struct swdd_image *img)
{
	uint64_t n = 0;

	for (size_t i = 0; i < img->n; i++)
		n += img->seg[i].len;
	return n;
}
