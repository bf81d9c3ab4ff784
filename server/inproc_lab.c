/*
 * The lab for `--probe sim`; see lab.h. Uses the lab's set-up backdoor only
 * to pre-program flash (--sim-image); swdd then reaches the chip through
 * the emulated probe like any other.
 */
#include "inproc_lab.h"

#include <string.h>

#include "image.h"

#include "swdd_err.h"
#include "swdd_log.h"

/* RM0090 2.3.1 memory map: main flash starts at 0x08000000. */
#define LAB_FLASH_BASE 0x08000000U

/* Through flash/image.h, as `swdd flash` reads files: ELF segments at
 * their load addresses, Intel HEX, or a raw binary at the start of flash. */
int inproc_lab_load_image(sim_chip *chip, const char *path)
{
	struct swdd_image img;
	int rc = swdd_image_load(path, SWDD_IMAGE_AUTO, LAB_FLASH_BASE, &img);

	if (rc)
		return swdd_err_add(rc, "--sim-image");
	for (size_t i = 0; i < img.n && !rc; i++) {
		const struct swdd_segment *s = &img.seg[i];
		if (sim_chip_backdoor_load_flash(chip, s->addr, s->data, s->len))
			rc = swdd_err_set(SWDD_ERANGE,
					  "%s: %u bytes at 0x%08X are not in the chip's "
					  "flash (link the image for flash at 0x%08X)",
					  path, s->len, s->addr, LAB_FLASH_BASE);
		else
			swdd_debug("lab: %s: %u bytes at 0x%08X", path, s->len, s->addr);
	}
	swdd_image_free(&img);
	return rc;
}

int inproc_lab_open(const struct cli_opts *o, struct inproc_lab *lab)
{
	struct sim_probe_config pc = { .kind = o->sim_probe };
	char err[256];
	int rc;

	memset(lab, 0, sizeof(*lab));
	if (sim_chip_new(&o->sim, &lab->chip, err, sizeof(err)))
		return swdd_err_set(SWDD_EINVAL, "lab: %s", err);
	if (o->sim_image) {
		rc = inproc_lab_load_image(lab->chip, o->sim_image);
		if (rc) {
			inproc_lab_close(lab);
			return rc;
		}
		/* a board programmed earlier, powered up: sim_chip_new()
		 * booted from erased flash before the image was there */
		sim_board_power_cycle(lab->chip);
	}
	if (sim_probe_new(&pc, lab->chip, &lab->probe)) {
		inproc_lab_close(lab);
		return swdd_err_set(SWDD_EINVAL, "lab: cannot create the emulated %s",
				    sim_probe_kind_name(o->sim_probe));
	}
	return 0;
}

void inproc_lab_close(struct inproc_lab *lab)
{
	if (lab->probe)
		sim_probe_free(lab->probe);
	if (lab->chip)
		sim_chip_free(lab->chip);
	lab->probe = NULL;
	lab->chip = NULL;
}
