/*
 * Test firmware for the lab's core tests: exercises the start-up code
 * (.data/.bss), a function call, a loop and the FPU, records the results
 * in the I/O block of fwtest.h, then does what io.mode asks (WFI, BKPT,
 * a fault, lockup, SVC, SysTick, PendSV, or an endless loop).
 */
#include "fwtest.h"

#include <stdint.h>

#define IO ((volatile uint32_t *)FWTEST_IO_ADDR)
#define IO_AT(off) IO[(off) / 4u]

/* Keeps the I/O block's 64 bytes reserved at the start of SRAM. */
__attribute__((section(".noinit"), used)) static volatile uint32_t fw_io_block[16];

static volatile uint32_t fw_data_word = 0x12345678u;
static volatile uint32_t fw_bss_word;
static volatile float fw_input = 1.5f;

__attribute__((noinline)) static uint32_t fw_madd(uint32_t a, uint32_t b, uint32_t c)
{
	return a * b + c;
}

__attribute__((noinline)) static uint32_t fw_sum(uint32_t n)
{
	uint32_t s = 0;

	for (volatile uint32_t i = 1; i <= n; i++)
		s += i;
	return s;
}

__attribute__((noinline)) static float fw_fpu(float x)
{
	float y = x * 3.0f + 0.5f;

	return __builtin_sqrtf(y * 5.0f);
}

static uint32_t float_bits(float f)
{
	union {
		float f;
		uint32_t u;
	} v = { .f = f };

	return v.u;
}

void HardFault_Handler(void)
{
	IO_AT(FWTEST_HARDFAULT)++;
	if (IO_AT(FWTEST_MODE) == FWTEST_MODE_LOCKUP)
		__asm volatile("udf #2"); /* a fault in HardFault: lockup */
	for (;;)
		;
}

void SVC_Handler(void)
{
	IO_AT(FWTEST_SVC)++;
}

void SysTick_Handler(void)
{
	IO_AT(FWTEST_SYSTICK)++;
}

void PendSV_Handler(void)
{
	IO_AT(FWTEST_PENDSV)++;
}

/* SysTick from the processor clock, interrupt on (ARMv7-M B3.3.3). */
static void fw_systick_start(void)
{
	*(volatile uint32_t *)0xE000E014u = FWTEST_SYSTICK_PERIOD - 1u; /* RVR */
	*(volatile uint32_t *)0xE000E018u = 0;                          /* CVR */
	*(volatile uint32_t *)0xE000E010u = 7u;                         /* ENABLE | TICKINT | CLKSOURCE */
}

/* Thread mode on the process stack, unprivileged (ARMv7-M B1.4.4). */
static void fw_drop_privilege(void)
{
	__asm volatile("msr psp, %0\n\t"
		       "msr control, %1\n\t"
		       "isb" ::"r"(FWTEST_PSP_TOP),
		       "r"(3u)
		       : "memory");
}

static void fw_checks(void)
{
	IO_AT(FWTEST_DATA_OK) = fw_data_word == 0x12345678u;
	IO_AT(FWTEST_BSS_OK) = fw_bss_word == 0;
	IO_AT(FWTEST_CALL) = fw_madd(6, 7, 8);
	IO_AT(FWTEST_LOOP) = fw_sum(100);
	IO_AT(FWTEST_FPU) = float_bits(fw_fpu(fw_input));
	fw_bss_word = 1;
	IO_AT(FWTEST_MAGIC) = FWTEST_DONE;
}

int main(void)
{
	uint32_t mode = IO_AT(FWTEST_MODE);

	fw_checks();
	if (mode == FWTEST_MODE_SYSTICK || mode == FWTEST_MODE_SYSTICK_WFI)
		fw_systick_start();
	if (mode == FWTEST_MODE_WFI || mode == FWTEST_MODE_SYSTICK_WFI)
		for (;;)
			__asm volatile("wfi");
	if (mode == FWTEST_MODE_PENDSV)
		*(volatile uint32_t *)0xE000ED04u = 1u << 28; /* ICSR.PENDSVSET */
	if (mode == FWTEST_MODE_BKPT)
		__asm volatile("bkpt #0x42");
	if (mode == FWTEST_MODE_FAULT || mode == FWTEST_MODE_LOCKUP)
		__asm volatile("udf #1");
	if (mode == FWTEST_MODE_UNPRIV_SVC)
		fw_drop_privilege();
	if (mode == FWTEST_MODE_SVC || mode == FWTEST_MODE_UNPRIV_SVC)
		__asm volatile("svc #3" ::: "memory");
	for (;;) {
		IO_AT(FWTEST_TICKS)++;
		IO_AT(FWTEST_SCRATCH) = IO_AT(FWTEST_WATCH) + 1u;
	}
}
