/*
 * The lab for `--probe sim`; see lab.h. Uses the lab's set-up backdoor only
 * to pre-program flash (--sim-image); swdd then reaches the chip through
 * the emulated probe like any other.
 */
#include "lab.h"

#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "swdd_err.h"
#include "swdd_log.h"

/* RM0090 2.3.1 memory map: main flash starts at 0x08000000. */
#define LAB_FLASH_BASE 0x08000000u

static int lab_read_file(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return swdd_err_set(SWDD_EINVAL, "cannot open %s: check the --sim-image path", path);
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return swdd_err_set(SWDD_EFORMAT, "cannot read %s", path);
	}
	*data = malloc(n ? (size_t)n : 1);
	if (!*data || fread(*data, 1, (size_t)n, f) != (size_t)n) {
		free(*data);
		fclose(f);
		return swdd_err_set(SWDD_EFORMAT, "cannot read %s", path);
	}
	fclose(f);
	*len = (size_t)n;
	return 0;
}

static int lab_load_segment(sim_chip *chip, const uint8_t *file, size_t flen, const GElf_Phdr *ph,
			    const char *path)
{
	if (ph->p_type != PT_LOAD || ph->p_filesz == 0)
		return 0;
	if (ph->p_offset + ph->p_filesz > flen)
		return swdd_err_set(SWDD_EFORMAT, "%s: segment at 0x%08llx is truncated", path,
				    (unsigned long long)ph->p_paddr);
	if (sim_chip_backdoor_load_flash(chip, (uint32_t)ph->p_paddr, file + ph->p_offset,
					 ph->p_filesz))
		return swdd_err_set(SWDD_ERANGE, "%s: segment of %llu bytes at 0x%08llx is not in the "
				    "chip's flash (link the image for flash at 0x%08x)", path,
				    (unsigned long long)ph->p_filesz, (unsigned long long)ph->p_paddr,
				    LAB_FLASH_BASE);
	swdd_debug("lab: %s: %llu bytes at 0x%08llx", path, (unsigned long long)ph->p_filesz,
		   (unsigned long long)ph->p_paddr);
	return 0;
}

static int lab_load_elf(sim_chip *chip, uint8_t *file, size_t len, const char *path)
{
	Elf *e;
	size_t n;
	int rc = 0;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return swdd_err_set(SWDD_EFORMAT, "libelf is unusable");
	e = elf_memory((char *)file, len);
	if (!e || elf_kind(e) != ELF_K_ELF || elf_getphdrnum(e, &n))
		rc = swdd_err_set(SWDD_EFORMAT, "%s: not a valid ELF file", path);
	for (size_t i = 0; !rc && i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph))
			rc = swdd_err_set(SWDD_EFORMAT, "%s: bad program header %zu", path, i);
		else
			rc = lab_load_segment(chip, file, len, &ph, path);
	}
	if (e)
		elf_end(e);
	return rc;
}

int lab_load_image(sim_chip *chip, const char *path)
{
	uint8_t *data = NULL;
	size_t len = 0;
	int rc = lab_read_file(path, &data, &len);

	if (rc)
		return rc;
	if (len >= 4 && memcmp(data, "\177ELF", 4) == 0)
		rc = lab_load_elf(chip, data, len, path);
	else if (len == 0 || sim_chip_backdoor_load_flash(chip, LAB_FLASH_BASE, data, len))
		rc = swdd_err_set(SWDD_ERANGE, "%s: %zu bytes do not fit the chip's flash", path, len);
	free(data);
	return rc;
}

/* sim_chip_new() completes the power-on reset (the vector fetch) before
 * the image is in flash, so the core would start from erased vectors and
 * lock up. A press of the board's reset button after loading gives the
 * state of a board programmed earlier and powered up. (With the
 * nrst-push-pull knob the button does nothing; the lab would need a
 * power-on with the image, see the report to the lead.) */
static void lab_press_reset(sim_chip *chip)
{
	sim_board_set_nrst(chip, true);
	sim_chip_advance(chip, 1000000);
	sim_board_set_nrst(chip, false);
}

int lab_open(const struct cli_opts *o, struct lab *lab)
{
	struct sim_probe_config pc = { .kind = o->sim_probe };
	char err[256];
	int rc;

	memset(lab, 0, sizeof(*lab));
	if (sim_chip_new(&o->sim, &lab->chip, err, sizeof(err)))
		return swdd_err_set(SWDD_EINVAL, "lab: %s", err);
	if (o->sim_image) {
		rc = lab_load_image(lab->chip, o->sim_image);
		if (rc) {
			lab_close(lab);
			return rc;
		}
		lab_press_reset(lab->chip);
	}
	if (sim_probe_new(&pc, lab->chip, &lab->probe)) {
		lab_close(lab);
		return swdd_err_set(SWDD_EINVAL, "lab: cannot create the emulated %s",
				    sim_probe_kind_name(o->sim_probe));
	}
	return 0;
}

void lab_close(struct lab *lab)
{
	if (lab->probe)
		sim_probe_free(lab->probe);
	if (lab->chip)
		sim_chip_free(lab->chip);
	lab->probe = NULL;
	lab->chip = NULL;
}
