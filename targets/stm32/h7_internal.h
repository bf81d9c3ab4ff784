/*
 * What the STM32H7 family's files share (h7.c: the descriptor; h7_option.c:
 * the option bytes and the host's view of protection and bank swap;
 * h7_clock.c: the core clock from RCC).
 * RM0433 4.9 (bank 2's per-bank registers at +0x100); RM0468 4.9.
 */
#ifndef SWDD_STM32_H7_INTERNAL_H
#define SWDD_STM32_H7_INTERNAL_H

#include "family.h"

/* RM0433 4.9: flash registers, bank 1 set at 0x52002000. */
#define H7_FLASH_BASE 0x52002000U
#define H7_FLASH_BANK2 0x100U /* RM0433 4.9 register map */
/* RM0433 4.9.8 OPTSR_CUR (4.9.9 _PRG at +4); SWAP_BANK_OPT, bit 31, is the
 * programmed swap (OPTCR.SWAP_BANK the one in effect, 4.3.13). */
#define H7_FLASH_OPTSR (H7_FLASH_BASE + 0x1CU)
#define H7_OPTSR_SWAP_BANK_OPT(v) (((v) >> 31) & 1U)

int h7_read32(struct swdd_target *t, uint32_t addr, uint32_t *v);
/* The part has a second bank (H742/743/750/753 with 2 MiB). */
int h7_has_bank2(struct swdd_target *t);
/* h7_clock.c: the descriptor's core_clock (family.h). */
int h7_core_clock(struct swdd_target *t, uint32_t *lo_hz, uint32_t *hi_hz);

/* h7_option.c: the descriptor's option rows (sizes given here so that
 * h7.c can count them; a different number of rows does not compile) and
 * hooks. */
#define H7_NUM_OPT_REGS 10
#define H7_NUM_OPT_FIELDS 33
extern const struct stm32_opt_reg h7_opt_regs[H7_NUM_OPT_REGS];
extern const struct stm32_opt_field h7_opt_fields[H7_NUM_OPT_FIELDS];
int h7_rdp_level(struct swdd_target *t, int *level);
int h7_wrp_mask(struct swdd_target *t, uint64_t *mask);
int h7_bank_swapped(struct swdd_target *t, int *swapped);
int h7_option_write(struct swdd_target *t, const uint32_t *val, uint32_t changed);

#endif
