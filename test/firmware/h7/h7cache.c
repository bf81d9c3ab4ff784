/*
 * h7cache: the STM32H743/H725 program of the GDB suite (test/e2e/gdb_h7.py)
 * that runs with the Cortex-M7 L1 caches on, so that every debugger
 * access meets them (issue 13 item 5).
 *
 * - main() turns on the I-cache and the D-cache as the ARMv7-M ARM B2.2.7
 *   and the Cortex-M7 TRM 5.x prescribe (invalidate, then CCR.IC/DC,
 *   ARMv7-M B3.2.8), after copying its RAM functions into place;
 * - demo_step() each time round: bumps `counter` (DTCM, for watchpoints),
 *   stores it into axi_line.mirror (AXI SRAM, write-back: a dirty line the
 *   debugger must clean to read), copies axi_line.cmd (the same line, which
 *   the debugger writes) into axi_seen, calls axi_func (AXI SRAM, cached
 *   code), itcm_func (ITCM, never cached) and flash_value (flash, cached
 *   code whose constant CACHE_VARIANT the v2 build changes), then
 *   demo_scale() (a breakpoint there sees every result of the round).
 * Names main, demo_step, demo_scale and counter as in demo.c, so that the
 * generic GDB checks (test/e2e/gdb_session.py) run on it unchanged.
 */
#include <stdint.h>

#ifndef CACHE_VARIANT
#define CACHE_VARIANT 1
#endif

#define REG(a) (*(volatile uint32_t *)(a))
#define SCB_CCR REG(0xE000ED14u) /* ARMv7-M B3.2.8 */
#define SCB_CCR_DC (1u << 16)
#define SCB_CCR_IC (1u << 17)
#define SCB_CCSIDR REG(0xE000ED80u)  /* ARMv7-M B4.8.3 */
#define SCB_CSSELR REG(0xE000ED84u)  /* B4.8.5 */
#define SCB_ICIALLU REG(0xE000EF50u) /* B4.8.7 table B4-4 */
#define SCB_DCISW REG(0xE000EF60u)
#define SCB_DCCMVAC REG(0xE000EF68u)
#define CCSIDR_SETS(v) ((((v) >> 13) & 0x7FFFu) + 1u)
#define CCSIDR_WAYS(v) ((((v) >> 3) & 0x3FFu) + 1u)
#define CACHE_LINE 32u /* Cortex-M7 TRM 5.x */

extern uint32_t _sitcm, _eitcm, _sitcm_lma, _saxi, _eaxi, _saxi_lma;

volatile uint32_t counter;
volatile float demo_value;
volatile uint32_t axi_seen, ram_result, itcm_result, flash_result;

/* One D-cache line in AXI SRAM: the core writes `mirror`, the debugger
 * writes `cmd`. */
struct axi_line {
	volatile uint32_t mirror;
	volatile uint32_t cmd;
	uint32_t pad[6];
};
__attribute__((section(".axi_bss"), aligned(32))) struct axi_line axi_line;

/* Functions in RAM: movs r0, #1; bx lr (the test rewrites the immediate). */
#define RAM_FUNC(sec) __attribute__((naked, noinline, long_call, section(sec)))
RAM_FUNC(".axi_text") uint32_t axi_func(void)
{
	__asm volatile("movs r0, #1\n\tbx lr");
}

RAM_FUNC(".itcm_text") uint32_t itcm_func(void)
{
	__asm volatile("movs r0, #1\n\tbx lr");
}

/* In flash sector 1, alone: the v2 build changes only that sector (a
 * `load` of v2 over v1 erases and programs it and skips sector 0), and no
 * breakpoint the tests set is near it. */
__attribute__((noipa, section(".flash_far"))) uint32_t flash_value(void)
{
	return CACHE_VARIANT;
}

static void barrier(void)
{
	__asm volatile("dsb\n\tisb" ::: "memory");
}

/* Code copied into RAM: with the D-cache on (a `load` and `continue`
 * without reset reruns this) the copy is cleaned to memory and the
 * I-cache invalidated before it runs (ARMv7-M B2.2.7). */
static void copy_code(uint32_t *dst, const uint32_t *end, const uint32_t *src)
{
	uintptr_t first = (uintptr_t)dst;

	while (dst < end)
		*dst++ = *src++;
	if (SCB_CCR & SCB_CCR_DC)
		for (uintptr_t a = first & ~(CACHE_LINE - 1u); a < (uintptr_t)end; a += CACHE_LINE)
			SCB_DCCMVAC = (uint32_t)a;
	barrier();
	SCB_ICIALLU = 0;
	barrier();
}

static void caches_on(void)
{
	uint32_t ccsidr, sets, ways;

	if (!(SCB_CCR & SCB_CCR_IC)) {
		SCB_ICIALLU = 0;
		barrier();
		SCB_CCR |= SCB_CCR_IC;
		barrier();
	}
	if (SCB_CCR & SCB_CCR_DC)
		return;
	SCB_CSSELR = 0; /* level 1 data cache */
	barrier();
	ccsidr = SCB_CCSIDR;
	sets = CCSIDR_SETS(ccsidr);
	ways = CCSIDR_WAYS(ccsidr);
	for (uint32_t w = 0; w < ways; w++) /* 4 ways: way in [31:30] */
		for (uint32_t s = 0; s < sets; s++)
			SCB_DCISW = w << 30 | s << 5;
	barrier();
	SCB_CCR |= SCB_CCR_DC;
	barrier();
}

__attribute__((noinline)) float demo_scale(float x)
{
	return x * 1.5f + 0.25f;
}

__attribute__((noinline)) void demo_step(void)
{
	counter++;
	axi_line.mirror = counter;
	axi_seen = axi_line.cmd;
	ram_result = axi_func();
	itcm_result = itcm_func();
	flash_result = flash_value();
	demo_value = demo_scale((float)(counter & 0xFFu));
}

/* One call, so that `next` from main's first line lands on the loop and
 * `step` then enters demo_step (gdb_session.py step_next_finish). */
__attribute__((noinline)) void h7_setup(void)
{
	copy_code(&_sitcm, &_eitcm, &_sitcm_lma);
	copy_code(&_saxi, &_eaxi, &_saxi_lma);
	caches_on();
}

int main(void)
{
	h7_setup();
	for (;;)
		demo_step();
}
