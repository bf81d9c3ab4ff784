/*
 * big: a test program whose flash image is larger than 64 KiB (issue 4,
 * judges 1, 2 and 4), so that programming it spans sectors 0-4 of an
 * STM32F407 (RM0090 3.3: 4 x 16 KiB, then 64 KiB). The table holds a
 * non-trivial pattern (never the erased value 0xFFFFFFFF everywhere), so a
 * sector that was not programmed shows up in verify.
 *
 * At run time it folds the table into a checksum it keeps in big_sum, so the
 * table is really used and the linker keeps it.
 */
#include <stdint.h>

/* Knuth's multiplicative hash of the word index. */
#define BIG_V(i) ((uint32_t)(i)*2654435761u ^ 0x5A5A5A5Au)
#define BIG_X4(b) BIG_V(b), BIG_V((b) + 1), BIG_V((b) + 2), BIG_V((b) + 3)
#define BIG_X16(b) BIG_X4(b), BIG_X4((b) + 4), BIG_X4((b) + 8), BIG_X4((b) + 12)
#define BIG_X64(b) BIG_X16(b), BIG_X16((b) + 16), BIG_X16((b) + 32), BIG_X16((b) + 48)
#define BIG_X256(b) BIG_X64(b), BIG_X64((b) + 64), BIG_X64((b) + 128), BIG_X64((b) + 192)
#define BIG_X1K(b) BIG_X256(b), BIG_X256((b) + 256), BIG_X256((b) + 512), BIG_X256((b) + 768)
#define BIG_X4K(b) BIG_X1K(b), BIG_X1K((b) + 1024), BIG_X1K((b) + 2048), BIG_X1K((b) + 3072)

/* 18 x 4096 bytes = 72 KiB of words. */
#define BIG_WORDS (18u * 1024u)

const uint32_t big_table[BIG_WORDS] = {
	BIG_X4K(0), BIG_X4K(4096), BIG_X4K(8192), BIG_X4K(12288), BIG_X1K(16384), BIG_X1K(17408),
};

/*
 * BIG_SECOND (the STM32H7 builds, firmware.mk): a second table of 16 KiB
 * in the section .second, which the H7 linker scripts place in the second
 * flash bank of the H743 (0x08100000, RM0433 4.3.3) or in the upper half
 * of the H725's bank (0x08080000, sector 4), so the image spans both banks
 * (or two distant sectors).
 */
#ifdef BIG_SECOND
#define BIG_WORDS2 (4u * 1024u)
__attribute__((section(".second"), used)) const uint32_t big_table2[BIG_WORDS2] = {
	BIG_X4K(40000),
};
#endif

volatile uint32_t big_sum;

int main(void)
{
	uint32_t sum = 0;

	for (uint32_t i = 0; i < BIG_WORDS; i++)
		sum = (sum << 1 | sum >> 31) ^ big_table[i];
#ifdef BIG_SECOND
	for (uint32_t i = 0; i < BIG_WORDS2; i++)
		sum = (sum << 1 | sum >> 31) ^ big_table2[i];
#endif
	big_sum = sum;
	for (;;)
		big_sum++;
}
