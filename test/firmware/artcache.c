/*
 * The old firmware of the "verify reads 0xDE instead of 0xDD, only a core
 * reset works" report: like an ST HAL start-up (HAL_Init) it turns on the
 * ART accelerator's instruction and data caches and prefetch (RM0090 3.9.1
 * FLASH_ACR: PRFTEN bit 8, ICEN 9, DCEN 10) with the wait states of a
 * 168 MHz clock, then keeps reading a table in flash. Whoever programs
 * the flash after it finds the caches on, holding lines of this image.
 */
#include <stdint.h>

#define FLASH_ACR (*(volatile uint32_t *)0x40023C00u)
#define ACR_LATENCY_5WS 5u
#define ACR_PRFTEN (1u << 8)
#define ACR_ICEN (1u << 9)
#define ACR_DCEN (1u << 10)

static const uint32_t table[16] = {
	0xDEDEDEDEu, 0x0BADF00Du, 0xDEADBEEFu, 0x01234567u, 0x89ABCDEFu, 0x55AA55AAu,
	0x31415926u, 0x27182818u, 0xCAFEBABEu, 0xFEEDFACEu, 0x13579BDFu, 0x2468ACE0u,
	0x0F0F0F0Fu, 0xF0F0F0F0u, 0x00FF00FFu, 0xFF00FF00u,
};
volatile uint32_t art_sum;

int main(void)
{
	FLASH_ACR = ACR_LATENCY_5WS | ACR_PRFTEN | ACR_ICEN | ACR_DCEN;
	for (;;)
		for (unsigned i = 0; i < 16; i++)
			art_sum += ((const volatile uint32_t *)table)[i];
}
