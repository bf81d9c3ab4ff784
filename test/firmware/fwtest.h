/*
 * The I/O block shared by test/firmware/fwtest.c and the lab's core tests
 * (test/unit/test_sim_core.c). It sits in .noinit at the start of SRAM, so
 * a test can set `mode` while the core is halted at the reset vector and
 * read the results without an ELF parser.
 */
#ifndef SWDD_FWTEST_H
#define SWDD_FWTEST_H

#define FWTEST_IO_ADDR 0x20000000u
#define FWTEST_DONE 0xD0E0D0E0u

/* What main() does after its checks. */
enum fwtest_mode {
	FWTEST_MODE_LOOP = 0,        /* count io.ticks forever, reading io.watch */
	FWTEST_MODE_WFI = 1,         /* sleep in WFI forever */
	FWTEST_MODE_BKPT = 2,        /* BKPT #0x42, then loop */
	FWTEST_MODE_FAULT = 3,       /* UDF: HardFault handler counts and spins */
	FWTEST_MODE_LOCKUP = 4,      /* UDF, and UDF again in the HardFault handler */
	FWTEST_MODE_SVC = 5,         /* SVC: handler counts and returns, then loop */
	FWTEST_MODE_SYSTICK = 6,     /* SysTick every 1000 core cycles, then loop */
	FWTEST_MODE_SYSTICK_WFI = 7, /* SysTick every 1000 core cycles, WFI forever */
	FWTEST_MODE_PENDSV = 8,      /* pend PendSV through ICSR, then loop */
	FWTEST_MODE_UNPRIV_SVC = 9,  /* thread mode on PSP, unprivileged, then SVC, then loop */
};

/* Word offsets in the I/O block. */
#define FWTEST_MODE 0x00u      /* in */
#define FWTEST_MAGIC 0x04u     /* FWTEST_DONE once the checks ran */
#define FWTEST_DATA_OK 0x08u   /* 1: .data held its initial value */
#define FWTEST_BSS_OK 0x0Cu    /* 1: .bss was zero */
#define FWTEST_CALL 0x10u      /* fw_madd(6, 7, 8) = 50 */
#define FWTEST_LOOP 0x14u      /* sum of 1..100 = 5050 */
#define FWTEST_FPU 0x18u       /* bits of sqrtf((1.5f * 3 + 0.5f) * 5) = 5.0f */
#define FWTEST_TICKS 0x1Cu     /* loop counter */
#define FWTEST_HARDFAULT 0x20u /* HardFault handler entries */
#define FWTEST_SVC 0x24u       /* SVCall handler entries */
#define FWTEST_WATCH 0x28u     /* read by the loop each turn */
#define FWTEST_SCRATCH 0x2Cu   /* written by the loop each turn */
#define FWTEST_SYSTICK 0x30u   /* SysTick handler entries */
#define FWTEST_PENDSV 0x34u    /* PendSV handler entries */

#define FWTEST_SYSTICK_PERIOD 1000u /* core cycles */
#define FWTEST_PSP_TOP 0x20010000u  /* process stack for FWTEST_MODE_UNPRIV_SVC */

#define FWTEST_FPU_EXPECTED 0x40A00000u /* 5.0f */

#endif
