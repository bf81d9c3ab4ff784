/*
 * The program `make run` users debug on the simulated STM32F407: a main
 * loop calling demo_step(), which bumps a global counter and does a little
 * FPU math. Keep the names main, demo_step and counter stable: docs and
 * end-to-end tests set breakpoints and watchpoints on them.
 */
#include <stdint.h>

volatile uint32_t counter;
volatile float demo_value;

__attribute__((noinline)) float demo_scale(float x)
{
	return x * 1.5f + 0.25f;
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
