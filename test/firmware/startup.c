/*
 * Start-up code shared by the test firmware programs: the vector table
 * (ARMv7-M B1.5.3), .data copy, .bss clear, FPU enable (CPACR CP10/CP11
 * full access, ARMv7-M B3.2.20) and the call of main().
 */
#include <stdint.h>

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);

void Reset_Handler(void);
void Default_Handler(void);
void NMI_Handler(void) __attribute__((weak, alias("Default_Handler")));
void HardFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void MemManage_Handler(void) __attribute__((weak, alias("Default_Handler")));
void BusFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void UsageFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SVC_Handler(void) __attribute__((weak, alias("Default_Handler")));
void DebugMon_Handler(void) __attribute__((weak, alias("Default_Handler")));
void PendSV_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SysTick_Handler(void) __attribute__((weak, alias("Default_Handler")));

#define CPACR (*(volatile uint32_t *)0xE000ED88u)
#define CPACR_CP10_CP11_FULL (0xFu << 20)

/* 16 system exceptions + the chip's interrupts: 82 on the STM32F407
 * (RM0090 12.2), 150 on the STM32H743/H725 (RM0433 21.1.2, RM0468 21.1.2;
 * the H7 build sets FW_NIRQ). */
#ifndef FW_NIRQ
#define FW_NIRQ 82
#endif
__attribute__((section(".isr_vector"), used)) void (*const fw_vectors[16 + FW_NIRQ])(void) = {
	[0] = (void (*)(void)) & _estack,
	[1] = Reset_Handler,
	[2] = NMI_Handler,
	[3] = HardFault_Handler,
	[4] = MemManage_Handler,
	[5] = BusFault_Handler,
	[6] = UsageFault_Handler,
	[11] = SVC_Handler,
	[12] = DebugMon_Handler,
	[14] = PendSV_Handler,
	[15] = SysTick_Handler,
	[16 ... 16 + FW_NIRQ - 1] = Default_Handler,
};

void Reset_Handler(void)
{
	uint32_t *src = &_sidata, *dst = &_sdata;

	while (dst < &_edata)
		*dst++ = *src++;
	for (dst = &_sbss; dst < &_ebss;)
		*dst++ = 0;
	CPACR |= CPACR_CP10_CP11_FULL;
	__asm volatile("dsb\n\tisb" ::: "memory");
	main();
	for (;;)
		;
}

void Default_Handler(void)
{
	for (;;)
		;
}
