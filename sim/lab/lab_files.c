/*
 * swdd-lab's files: the flash image preloaded into each chip (--image) and
 * the statistics written at exit (--stats).
 *
 * Images: an ELF32 file (ELF magic) contributes its PT_LOAD segments at
 * their physical (load) addresses, as a programmer would write them (ELF
 * gABI "Program Header"); anything else is a raw binary placed at the start
 * of flash (RM0090 2.3: main flash at 0x08000000).
 */
#include "lab.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LAB_FLASH_BASE 0x08000000u

static int load_segment(sim_chip *c, const uint8_t *img, size_t size, const Elf32_Phdr *ph)
{
	if (ph->p_type != PT_LOAD || ph->p_filesz == 0)
		return 0;
	if ((size_t)ph->p_offset + ph->p_filesz > size) {
		fprintf(stderr, "swdd-lab: ELF segment outside the file\n");
		return -1;
	}
	if (sim_chip_backdoor_load_flash(c, ph->p_paddr, img + ph->p_offset, ph->p_filesz)) {
		fprintf(stderr, "swdd-lab: ELF segment at 0x%08x (%u bytes) is not in flash\n", ph->p_paddr,
			ph->p_filesz);
		return -1;
	}
	return 0;
}

static int load_elf(sim_chip *c, const uint8_t *img, size_t size)
{
	const Elf32_Ehdr *eh = (const Elf32_Ehdr *)img;

	if (size < sizeof(*eh) || eh->e_ident[EI_CLASS] != ELFCLASS32 ||
	    eh->e_phentsize != sizeof(Elf32_Phdr) ||
	    (size_t)eh->e_phoff + (size_t)eh->e_phnum * sizeof(Elf32_Phdr) > size) {
		fprintf(stderr, "swdd-lab: not a usable 32-bit ELF file\n");
		return -1;
	}
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		Elf32_Phdr ph;

		memcpy(&ph, img + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		if (load_segment(c, img, size, &ph))
			return -1;
	}
	return 0;
}

int lab_image_load(sim_chip *c, const char *path)
{
	gchar *img = NULL;
	gsize size = 0;
	GError *err = NULL;
	int rc;

	if (!g_file_get_contents(path, &img, &size, &err)) {
		fprintf(stderr, "swdd-lab: cannot read image %s: %s\n", path, err->message);
		g_clear_error(&err);
		return -1;
	}
	if (size >= SELFMAG && !memcmp(img, ELFMAG, SELFMAG))
		rc = load_elf(c, (const uint8_t *)img, size);
	else
		rc = sim_chip_backdoor_load_flash(c, LAB_FLASH_BASE, img, size);
	if (rc)
		fprintf(stderr, "swdd-lab: cannot load image %s into flash\n", path);
	else
		sim_board_power_cycle(c); /* a board programmed earlier boots it */
	g_free(img);
	return rc ? -1 : 0;
}

static void stats_probe(FILE *f, const struct lab_dev *d, bool last)
{
	struct sim_probe_stats ps;
	struct sim_chip_stats cs;

	sim_probe_get_stats(d->probe, &ps);
	sim_chip_get_stats(d->chip, &cs);
	fprintf(f,
		"    {\"kind\": \"%s\", \"serial\": \"%s\", \"usb_transactions\": %llu, "
		"\"bytes_out\": %llu, \"bytes_in\": %llu, \"swd_transfers\": %llu, "
		"\"commands\": %llu, \"modelled_seconds\": %.6f, \"host_idle_seconds\": %.6f, "
		"\"emulation_seconds_not_counted\": %.6f,\n",
		sim_probe_kind_name(sim_probe_kind(d->probe)), d->serial,
		(unsigned long long)ps.usb_transactions, (unsigned long long)ps.bytes_out,
		(unsigned long long)ps.bytes_in, (unsigned long long)ps.swd_transfers,
		(unsigned long long)ps.commands, (double)ps.modelled_ns / 1e9, (double)d->idle_ns / 1e9,
		(double)d->net_ns / 1e9);
	fprintf(f,
		"     \"chip\": {\"sector_erases\": %llu, \"mass_erases\": %llu, "
		"\"program_ops\": %llu, \"bytes_programmed\": %llu, \"swd_transfers\": %llu, "
		"\"instructions\": %llu, \"resets\": %llu, \"now_seconds\": %.6f}}%s\n",
		(unsigned long long)cs.sector_erases, (unsigned long long)cs.mass_erases,
		(unsigned long long)cs.program_ops, (unsigned long long)cs.bytes_programmed,
		(unsigned long long)cs.swd_transfers, (unsigned long long)cs.instructions,
		(unsigned long long)cs.resets, (double)sim_chip_now_ns(d->chip) / 1e9, last ? "" : ",");
}

/* JSON: {"wall_seconds", "exit_status", "probes": [{..., "chip": {...}}]}.
 * Serials are hex digits or user text without quotes (checked here). */
int lab_stats_write(const char *path, double wall_s, int exit_status)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		return -1;
	}
	fprintf(f, "{\n  \"wall_seconds\": %.6f,\n  \"exit_status\": %d,\n  \"probes\": [\n", wall_s,
		exit_status);
	g_mutex_lock(&lab.sim_lock);
	for (int i = 0; i < lab.ndevs; i++)
		stats_probe(f, &lab.devs[i], i == lab.ndevs - 1);
	g_mutex_unlock(&lab.sim_lock);
	fprintf(f, "  ]\n}\n");
	return fclose(f) ? -1 : 0;
}
