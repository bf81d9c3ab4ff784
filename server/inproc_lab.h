/*
 * The simulated lab behind `--probe sim`: a sim chip with its fault knobs,
 * an emulated probe on it, and the firmware image already in flash.
 */
#ifndef SWDD_SERVER_INPROC_LAB_H
#define SWDD_SERVER_INPROC_LAB_H

#include "cli.h"
#include "sim.h"
#include "sim_probe.h"

struct inproc_lab {
	sim_chip *chip;
	sim_probe *probe;
};

/* Creates the chip and the probe from the --sim-* options and loads
 * --sim-image. Returns 0 or SWDD_E* with a detail sentence. */
int inproc_lab_open(const struct cli_opts *o, struct inproc_lab *lab);
void inproc_lab_close(struct inproc_lab *lab);

/* Loads an ELF (PT_LOAD segments at their physical addresses), Intel HEX
 * or a raw binary (at the start of flash, 0x08000000) into the chip's flash through
 * the lab backdoor, as a board programmed earlier. */
int inproc_lab_load_image(sim_chip *chip, const char *path);

#endif
