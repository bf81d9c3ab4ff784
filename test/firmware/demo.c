/*
 * The program `make run` users debug on the simulated STM32F407: a main
 * loop calling demo_step(), which bumps a global counter and does a little
 * FPU math. Keep the names main, demo_step and counter stable: docs and
 * end-to-end tests set breakpoints and watchpoints on them.
 */
#include <stdint.h>

/*
 * DEMO_VARIANT (set by test/firmware/firmware.mk for demo_v1/demo_v2): the
 * flash tests need two images that differ in one function placed in a
 * later sector. demo_scale then goes to the section .demo_sector1, which
 * the build places at 0x08004000 (sector 1, RM0090 table 5); variant 2
 * changes its constant.
 */
#ifdef DEMO_VARIANT
#define DEMO_LATER __attribute__((noinline, section(".demo_sector1")))
#else
#define DEMO_LATER __attribute__((noinline))
#endif
#if defined(DEMO_VARIANT) && DEMO_VARIANT == 2
#define DEMO_FACTOR 2.5f
#else
#define DEMO_FACTOR 1.5f
#endif

volatile uint32_t counter;
volatile float demo_value;

DEMO_LATER float demo_scale(float x)
{
	return x * DEMO_FACTOR + 0.25f;
}

__attribute__((noinline)) void demo_step(void)
{
	counter++;
	demo_value = demo_scale((float)(counter & 0xFFu));
}

int main(void)
{
	for (;;)
		demo_step();
}
