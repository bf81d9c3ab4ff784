/*
 * Internal state of the STM32H7 flash controller model, shared by
 * sim_flash_h7.c (registers, array, time), sim_flash_h7_prog.c (write
 * buffer, program, erase), sim_flash_h7_opt.c (option bytes) and
 * sim_flash_h7_crc.c (CRC unit). Register facts: RM0433 4.9 / RM0468 4.9.
 */
#ifndef SWDD_SIM_FLASH_H7_INTERNAL_H
#define SWDD_SIM_FLASH_H7_INTERNAL_H

#include "sim_flash_h7.h"

/* Register offsets from 0x52002000 (RM0433 4.9.39 register map; bank 2's
 * copy of a per-bank register is at +0x100, RM0433 4.9 "bank 2"). */
#define H7_ACR 0x00u
#define H7_KEYR 0x04u
#define H7_OPTKEYR 0x08u
#define H7_CR 0x0Cu
#define H7_SR 0x10u
#define H7_CCR 0x14u
#define H7_OPTCR 0x18u
#define H7_OPTSR_CUR 0x1Cu
#define H7_OPTSR_PRG 0x20u
#define H7_OPTCCR 0x24u
#define H7_PRAR_CUR 0x28u
#define H7_PRAR_PRG 0x2Cu
#define H7_SCAR_CUR 0x30u
#define H7_SCAR_PRG 0x34u
#define H7_WPSN_CUR 0x38u
#define H7_WPSN_PRG 0x3Cu
#define H7_BOOT_CUR 0x40u
#define H7_BOOT_PRG 0x44u
#define H7_CRCCR 0x50u
#define H7_CRCSADD 0x54u
#define H7_CRCEADD 0x58u
#define H7_CRCDATA 0x5Cu
#define H7_ECC_FA 0x60u
#define H7_OPTSR2_CUR 0x70u /* RM0468 4.9.33 */
#define H7_OPTSR2_PRG 0x74u /* RM0468 4.9.34 */
#define H7_BANK2 0x100u

/* RM0433 4.5.1 / 4.4.3 (and RM0468 4.5.1): unlock keys. */
#define H7_KEY1 0x45670123u
#define H7_KEY2 0xCDEF89ABu
#define H7_OPTKEY1 0x08192A3Bu
#define H7_OPTKEY2 0x4C5D6E7Fu

/* RM0433 4.9.4 FLASH_CR1/2. */
#define H7_CR_LOCK (1u << 0)
#define H7_CR_PG (1u << 1)
#define H7_CR_SER (1u << 2)
#define H7_CR_BER (1u << 3)
#define H7_CR_PSIZE_SHIFT 4u
#define H7_CR_PSIZE_MASK (3u << 4)
#define H7_CR_FW (1u << 6)
#define H7_CR_START (1u << 7)
#define H7_CR_SNB_SHIFT 8u
#define H7_CR_SNB_MASK (7u << 8)
#define H7_CR_CRC_EN (1u << 15)
#define H7_CR_IE_MASK 0x1FEF0000u /* EOPIE 16 .. CRCRDERRIE 28, bit 20 reserved */
#define H7_CR_RESET 0x00000031u   /* LOCK, PSIZE = x64 */
#define H7_CR_RW                                                                                             \
	(H7_CR_PG | H7_CR_SER | H7_CR_BER | H7_CR_PSIZE_MASK | H7_CR_SNB_MASK | H7_CR_CRC_EN | H7_CR_IE_MASK)

/* RM0433 4.9.5 FLASH_SR1/2 (CCR uses the same positions, 4.9.6). */
#define H7_SR_BSY (1u << 0)
#define H7_SR_WBNE (1u << 1)
#define H7_SR_QW (1u << 2)
#define H7_SR_CRC_BUSY (1u << 3)
#define H7_SR_EOP (1u << 16)
#define H7_SR_WRPERR (1u << 17)
#define H7_SR_PGSERR (1u << 18)
#define H7_SR_STRBERR (1u << 19)
#define H7_SR_INCERR (1u << 21)
#define H7_SR_OPERR (1u << 22)
#define H7_SR_RDPERR (1u << 23)
#define H7_SR_RDSERR (1u << 24)
#define H7_SR_SNECCERR (1u << 25)
#define H7_SR_DBECCERR (1u << 26)
#define H7_SR_CRCEND (1u << 27)
#define H7_SR_CRCRDERR (1u << 28) /* RM0468 4.9.5 */
#define H7_SR_FLAGS 0x1FEF0000u

/* RM0433 4.9.7 FLASH_OPTCR. */
#define H7_OPTCR_OPTLOCK (1u << 0)
#define H7_OPTCR_OPTSTART (1u << 1)
#define H7_OPTCR_MER (1u << 4)
#define H7_OPTCR_CHANGEERRIE (1u << 30)
#define H7_OPTCR_SWAP_BANK (1u << 31)

/* RM0433 4.9.8 FLASH_OPTSR_CUR. */
#define H7_OPTSR_OPT_BUSY (1u << 0)
#define H7_OPTSR_RDP_SHIFT 8u
#define H7_OPTSR_RDP_MASK (0xFFu << 8)
#define H7_OPTSR_SECURITY (1u << 21)
#define H7_OPTSR_OPTCHANGEERR (1u << 30)
#define H7_OPTSR_SWAP_BANK_OPT (1u << 31)
#define H7_RDP_LEVEL0 0xAAu
#define H7_RDP_LEVEL2 0xCCu
#define H7_OPTCCR_CLR_OPTCHANGEERR (1u << 30) /* RM0433 4.9.10 */

/* RM0433 4.9.11/4.9.13: PROT_AREA_START [11:0], PROT_AREA_END [27:16],
 * DMEP 31 (SCAR: SEC_AREA_*, DMES 31), in 256-byte units from the bank
 * start; start > end means no area. Blank: start 0xFF, end 0. */
#define H7_AREA_BLANK 0x000000FFu
#define H7_AREA_MASK 0x8FFF0FFFu
#define H7_AREA_DM (1u << 31)
#define H7_AREA_UNIT 256u
/* RM0433 4.9.17: BOOT_ADD0 [15:0] = 0x0800, BOOT_ADD1 [31:16] = 0x1FF0. */
#define H7_BOOT_BLANK 0x1FF00800u
#define H7_WPSN_ALL 0xFFu

/* RM0433 4.9.19 FLASH_CRCCR (ALL_BANK's position is a parameter). */
#define H7_CRCCR_SECT_MASK 7u
#define H7_CRCCR_BY_SECT (1u << 8)
#define H7_CRCCR_ADD_SECT (1u << 9)
#define H7_CRCCR_CLEAN_SECT (1u << 10)
#define H7_CRCCR_START (1u << 16)
#define H7_CRCCR_CLEAN (1u << 17)
#define H7_CRCCR_BURST_SHIFT 20u
#define H7_CRCCR_BURST_MASK (3u << 20)
#define H7_CRC_ADDR_MASK 0x000FFFFCu /* CRCSADD/CRCEADD [19:2], RM0433 4.9.20 */
/* The accumulator a computation from a cleaned state starts from: not in
 * the manuals; measured on silicon (docs/LAB-h7-flash.md, CRC). */
#define H7_CRC_PRESET 0xB6C0AE5Au
#define H7_ECC_FA_MASK 0x7FFFu /* FAIL_ECC_ADDR [14:0], RM0433 4.9.23 */

#define H7_WORD 32u   /* 256-bit flash word, RM0433 4.3.7 */
#define H7_SECTORS 8u /* per bank */
#define H7_MAX_BANKS 2u

/* ECC state of one flash word (RM0433 4.3.7: 10 ECC bits per word). */
enum h7_wstate { H7_W_ERASED, H7_W_PROG, H7_W_ECC1, H7_W_ECC2 };

enum h7_op { H7_OP_NONE, H7_OP_PROGRAM, H7_OP_SECTOR, H7_OP_BANK, H7_OP_MASS };

struct h7_keyseq {
	uint8_t step;
	bool dead; /* wrong key: locked until reset */
};

/* Option bytes as stored in the option sector, by register set. */
struct h7_optbytes {
	uint32_t optsr, optsr2, boot;
	uint32_t wpsn[H7_MAX_BANKS], prar[H7_MAX_BANKS], scar[H7_MAX_BANKS];
};

/* One register set and the bank it controls (the bank at bus offset
 * index * bank_size: the sets follow the address map, see the doc). */
struct h7_bank {
	uint32_t cr, sr, ecc_fa;
	struct h7_keyseq key;
	uint8_t wbuf[H7_WORD];
	uint32_t wmask; /* bytes of wbuf written */
	uint32_t waddr; /* bus offset of the flash word being filled */
	enum h7_op op;
	uint64_t op_end;
	uint32_t op_off, op_len;
	uint8_t op_data[H7_WORD];
	uint32_t crccr, crcsadd, crceadd, crcdata;
	bool crc_clean;    /* CRCDATA reset/CLEAN_CRC: next run starts from the preset */
	uint8_t crc_sects; /* sector list (ADD_SECT) */
	bool crc_busy;
	uint64_t crc_end;
	uint32_t wpsn_prg, prar_prg, scar_prg;
};

struct sim_flash_h7 {
	const struct sim_flash_h7_params *p;
	struct sim_flash_h7_env env;
	uint8_t *mem;    /* bus order */
	uint8_t *wstate; /* enum h7_wstate per flash word, bus order */
	struct h7_bank bank[H7_MAX_BANKS];
	uint32_t acr, optcr, optsr_prg, optsr2_prg, boot_prg;
	bool optchangeerr;
	struct h7_keyseq optkey;
	struct h7_optbytes stored; /* option sector */
	struct h7_optbytes cur;    /* in effect (the *_CUR registers) */
	bool swapped;
	bool opt_busy, opt_regress;
	uint64_t opt_end;
	uint32_t ecc_words; /* words in H7_W_ECC1/ECC2 (sim_flash_h7_read_faults) */
	bool vcap_fault, weak, fast_erase;
	uint32_t weak_off;
	struct sim_flash_h7_stats stats;
};

/* sim_flash_h7.c */
uint64_t flash_h7_now(const struct sim_flash_h7 *f);
void flash_h7_changed(struct sim_flash_h7 *f, uint32_t off, uint32_t len);
unsigned flash_h7_rdp(uint32_t optsr);
bool flash_h7_debug_attached(const struct sim_flash_h7 *f);
/* True if a program/erase ending now fails (vcap-fault knob, or the
 * environment's core supply cannot carry it). */
bool flash_h7_supply_fails(const struct sim_flash_h7 *f);
/* Sets the ECC state of flash word `w` (index in bus order). */
void flash_h7_wstate_set(struct sim_flash_h7 *f, uint32_t w, enum h7_wstate st);
/* Whether a bank offset lies in a PRAR/SCAR area value (RM0433 4.5.4). */
bool flash_h7_in_area(uint32_t area, uint32_t bank_off);
/* SR flag that refuses a read of bus offset `off` by `who` (RDP level 1
 * for the debugger, PCROP for data reads, the secure area), or 0. */
uint32_t flash_h7_read_refusal(const struct sim_flash_h7 *f, uint32_t off, enum sim_flash_h7_who who);

/* sim_flash_h7_prog.c */
enum sim_bus_result flash_h7_cr_write(struct sim_flash_h7 *f, unsigned b, uint32_t val,
				      enum sim_flash_h7_who who);
enum sim_bus_result flash_h7_buffer_write(struct sim_flash_h7 *f, uint32_t off, unsigned size, uint32_t val,
					  enum sim_flash_h7_who who);
void flash_h7_op_finish(struct sim_flash_h7 *f, unsigned b);
void flash_h7_op_abandon(struct sim_flash_h7 *f, unsigned b);
void flash_h7_erase_range(struct sim_flash_h7 *f, uint32_t off, uint32_t len, bool fail);
void flash_h7_start_mass(struct sim_flash_h7 *f, enum sim_flash_h7_who who);
uint32_t flash_h7_erase_refusal(const struct sim_flash_h7 *f, unsigned b, unsigned first, unsigned count,
				enum sim_flash_h7_who who);

/* sim_flash_h7_opt.c */
void flash_h7_opt_load(struct sim_flash_h7 *f);
void flash_h7_opt_blank(struct sim_flash_h7 *f);
bool flash_h7_opt_reg_read(const struct sim_flash_h7 *f, uint32_t off, uint32_t *val);
enum sim_bus_result flash_h7_opt_reg_write(struct sim_flash_h7 *f, uint32_t off, uint32_t val,
					   enum sim_flash_h7_who who);
void flash_h7_opt_finish(struct sim_flash_h7 *f);
void flash_h7_opt_abandon(struct sim_flash_h7 *f);

/* sim_flash_h7_crc.c */
void flash_h7_crccr_write(struct sim_flash_h7 *f, unsigned b, uint32_t val);
void flash_h7_crc_finish(struct sim_flash_h7 *f, unsigned b);

#endif
