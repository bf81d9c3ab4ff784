/*
 * libFuzzer targets for the file parsers a user (or, with --allow-files, a
 * GDB client) hands swdd: ELF and Intel HEX images (flash/image.c) and
 * CMSIS-Pack FLM flash algorithms (flash/flm.c). One source, built three
 * times by server/server.mk with FUZZ_ELF, FUZZ_HEX or FUZZ_FLM into
 * build/fuzz_elf, build/fuzz_hex and build/fuzz_flm (clang
 * -fsanitize=fuzzer,address,undefined). Besides the sanitizers' checks,
 * each accepted result is checked against the parser's promises: segments
 * sorted, disjoint and inside the 32-bit address space; an FLM's blob
 * bounded and its functions inside it.
 */
#include <stdlib.h>

#include "flm.h"
#include "image.h"

#define FUZZ_FLM_MAX_BLOB (256u * 1024u) /* flm.c FLM_MAX_BLOB */

static void fuzz_check_image(const struct swdd_image *img)
{
	for (size_t i = 0; i < img->n; i++) {
		const struct swdd_segment *s = &img->seg[i];
		if (!s->len || (uint64_t)s->addr + s->len > (1ull << 32))
			abort();
		if (i && (uint64_t)img->seg[i - 1].addr + img->seg[i - 1].len > s->addr)
			abort();
		volatile uint8_t last = s->data[s->len - 1]; /* ASan: the data is all there */
		(void)last;
	}
}

static void fuzz_check_flm(const struct swdd_flm *flm)
{
	if (flm->blob_size > FUZZ_FLM_MAX_BLOB || flm->data_offset > flm->blob_size)
		abort();
	for (int f = 0; f < SWDD_FLM_FN_COUNT; f++)
		if (flm->fn[f] != SWDD_FLM_NO_FN && flm->fn[f] >= flm->blob_size)
			abort();
	for (size_t i = 0; i < flm->num_sectors; i++)
		if (!flm->sectors[i].size)
			abort();
}

static void fuzz_flm(const uint8_t *data, size_t size)
{
	struct swdd_flm *flm = NULL;

	if (!swdd_flm_parse(data, size, "fuzz.flm", &flm)) {
		fuzz_check_flm(flm);
		swdd_flm_free(flm);
	}
}

static void fuzz_image(const uint8_t *data, size_t size, enum swdd_image_format fmt)
{
	struct swdd_image img;

	if (!swdd_image_parse(data, size, "fuzz", fmt, 0x08000000u, &img)) {
		fuzz_check_image(&img);
		swdd_image_free(&img);
	}
}

enum { FUZZ_KIND_ELF, FUZZ_KIND_HEX, FUZZ_KIND_FLM };
#if defined(FUZZ_FLM)
#define FUZZ_KIND FUZZ_KIND_FLM
#elif defined(FUZZ_HEX)
#define FUZZ_KIND FUZZ_KIND_HEX
#else
#define FUZZ_KIND FUZZ_KIND_ELF
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (FUZZ_KIND == FUZZ_KIND_FLM)
		fuzz_flm(data, size);
	else
		fuzz_image(data, size, FUZZ_KIND == FUZZ_KIND_HEX ? SWDD_IMAGE_HEX : SWDD_IMAGE_ELF);
	return 0;
}
