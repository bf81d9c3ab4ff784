/*
 * STM32H7 family descriptor (single-core H742/743/750/753 and
 * H723/725/730/733/735): every fact swdd uses about these lines.
 *
 * Follows RM0433 (STM32H742/743/750/753): 2.3 memory map, 4.3.7 flash
 * word and ECC, 4.3.9-4.3.10 program and erase, 4.4 option bytes, 4.9
 * flash registers (bank 2's per-bank registers at +0x100), 60.5.8 DBGMCU
 * (IDC, CR, freeze registers), 61.1 unique ID and flash size; RM0468
 * (STM32H723/725/730/733/735) has the same registers with one bank.
 * DS12110 (STM32H743) "Flash memory programming" for the erase times.
 *
 * DBGMCU is reached through AP2, the debug APB at 0xE00E1000 (RM0433
 * 60.2, 60.5.8), which answers while NRST is held, and through its AP0
 * alias at 0x5C001000 where the probe cannot select AP2.
 *
 * The flash algorithm is flashalgo/stm32h7.c.
 */
#include "h7_internal.h"
#include "option.h"

#include "swdd_err.h"
#include "swdd_le.h"
#include "target.h"

#include <stdio.h>
#include <string.h>

#define KIB 1024U
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define H7_FLASH_CR (H7_FLASH_BASE + 0x0CU)     /* RM0433 4.9.4 FLASH_CR1 */
#define H7_FLASH_SR (H7_FLASH_BASE + 0x10U)     /* RM0433 4.9.5 */
#define H7_FLASH_ECC_FA (H7_FLASH_BASE + 0x60U) /* RM0433 4.9.23 ECC_FA1 */

/* RM0433 4.9.5 FLASH_SR1/2. */
#define H7_SR_BSY (1U << 0)
#define H7_SR_WBNE (1U << 1)
#define H7_SR_QW (1U << 2)
#define H7_SR_WRPERR (1U << 17)
#define H7_SR_PGSERR (1U << 18)
#define H7_SR_STRBERR (1U << 19)
#define H7_SR_INCERR (1U << 21)
#define H7_SR_OPERR (1U << 22)
#define H7_SR_RDPERR (1U << 23)
#define H7_SR_RDSERR (1U << 24)
#define H7_SR_SNECCERR (1U << 25)
#define H7_SR_DBECCERR (1U << 26)
#define H7_SR_CRCRDERR (1U << 28) /* RM0468 4.9.5 */
#define H7_SR_ERRORS 0x17EE0000U  /* WRPERR .. DBECCERR, CRCRDERR */

/* RM0433 8.7 RCC_RSR (RCC at 0x58024400, RM0433 2.3.2): reset flags. */
#define H7_RCC_RSR 0x580244D0U
#define H7_RSR_RMVF (1U << 16)
#define H7_RSR_BORRSTF (1U << 21)
#define H7_RSR_PORRSTF (1U << 23)
#define H7_RSR_IWDG1RSTF (1U << 26)
#define H7_RSR_WWDG1RSTF (1U << 28)

#define H7_ECC_FA_MASK 0x7FFFU /* RM0433 4.9.23 FAIL_ECC_ADDR */

/* RM0433 60.5.8 DBGMCU (system bus view at 0x5C001000; RM0433 60.2: the
 * debug APB view at 0xE00E1000 behind AP2, word accesses only). */
#define H7_DBGMCU 0x5C001000U
#define H7_DBGMCU_AP 2U
#define H7_DBGMCU_APB 0xE00E1000U
#define H7_DBGMCU_IDC H7_DBGMCU
#define H7_DBGMCU_CR (H7_DBGMCU + 0x04U)
/* DBGSLEEP/STOP/STBY_D1 and _D2, D1DBGCKEN, D3DBGCKEN, TRACECLKEN. */
#define H7_DBGMCU_CR_DEBUG 0x0070003FU
#define H7_DBGMCU_APB3FZ1 (H7_DBGMCU + 0x34U) /* RM0433 60.5.8 DBGMCU_APB3FZ1 */
#define H7_DBGMCU_APB3FZ1_WWDG1 (1U << 6)     /* DBG_WWDG1 */
#define H7_DBGMCU_APB4FZ1 (H7_DBGMCU + 0x54U)
#define H7_DBGMCU_APB4FZ1_IWDG (1U << 18) /* IWDG1; IWDG2 (bit 19) on dual-core parts only */

/* AN4938 2 and RM0433 6.8.4 (PWR_CR3 is written once after power-on; a
 * setting that does not match the board's wiring leaves VCORE off until
 * the next power-on, RM0433 6.4.1): what the connect diagnosis says when
 * the DP and AP2 answer but AP0 never does, even with NRST held. */
#define H7_CORE_BUS_DEAD_HINT                                                                                \
	"the core domain (D1) has no supply: firmware wrote a supply configuration into PWR_CR3 "            \
	"(SMPS, LDO or bypass) that does not match the board's power wiring (RM0433 6.8.4, AN4938 "          \
	"section 2), which locks the chip until the next power-on, and connecting under reset does not "     \
	"help; to recover, hold BOOT0 high and power-cycle the board (the system bootloader starts and "     \
	"leaves PWR_CR3 alone), connect and load firmware whose supply configuration matches the board, "    \
	"then set BOOT0 low and power-cycle again"

/* RM0433 61.1 unique device ID, 61.2 flash size (u16, KiB). */
#define H7_UID 0x1FF1E800U
#define H7_FLASH_SIZE 0x1FF1E880U

/* RM0433 2.3.2 memory map. */
#define H7_ITCM 0x00000000U
#define H7_DTCM 0x20000000U
#define H7_AXI_SRAM 0x24000000U

/* DS12110 "Flash memory programming": mass erase up to 25 s at x8 (both
 * banks in parallel); sector erase typ 1 s (x64) to 2 s (x8), so a
 * 128 KiB sector erase below 400 ms (40 % of the fastest typical time;
 * the datasheet gives no minimum) was not performed. The host's clock
 * bounds the erase from above, so a loaded host can hide a fast erase,
 * never invent one: the higher the threshold, the less a slow host
 * hides. */
#define H7_MASS_ERASE_MS 25000U
#define H7_MIN_SECTOR_ERASE_MS 400U
#define H7_TYP_SECTOR_ERASE_MS 1100U /* x32, the middle of the table */

extern const struct stm32_family stm32h7_family;

/* RM0433 60.5.8 / RM0468 63.5.8 REV_ID. */
static const struct stm32_rev h7_revs[] = {
	{ .rev_id = 0x1000, .name = "A" }, { .rev_id = 0x1001, .name = "Z" },
	{ .rev_id = 0x1003, .name = "Y" }, { .rev_id = 0x2001, .name = "X" },
	{ .rev_id = 0x2003, .name = "V" },
};

/* RM0433 4.2 / RM0468 4.2: 8 x 128 KiB sectors per bank. */
static const struct stm32_sector_run h7_bank[] = { { .count = 8, .size = 128 * KIB } };

/* The algorithm runs in DTCM: not behind the M7's D-cache (Cortex-M7 TRM
 * 5.1: TCMs are never cached) and clocked from reset. */
#define H7_RAMS(axi)                                                                                         \
	{ .name = "DTCM", .base = H7_DTCM, .size = 128 * KIB, .executable = 1, .tcm = 1 },                   \
		{ .name = "ITCM", .base = H7_ITCM, .size = 64 * KIB, .executable = 1, .tcm = 1 },            \
	{                                                                                                    \
		.name = "AXI SRAM", .base = H7_AXI_SRAM, .size = (axi), .executable = 1                      \
	}

static const struct stm32_part h7_parts[] = {
	{ .dev_id = 0x450,
	  .name = "STM32H742/743/750/753",
	  .family = &stm32h7_family,
	  .flash_base = 0x08000000U,
	  .max_flash = 2048 * KIB,
	  .bank2_base = 0x08100000U,
	  .sectors = h7_bank,
	  .num_runs = ARRAY_LEN(h7_bank),
	  .rams = { H7_RAMS(512 * KIB) },
	  .algo_ram = 0 },
	{ .dev_id = 0x483,
	  .name = "STM32H723/725/730/733/735",
	  .family = &stm32h7_family,
	  .flash_base = 0x08000000U,
	  .max_flash = 1024 * KIB,
	  .bank2_base = 0,
	  .sectors = h7_bank,
	  .num_runs = ARRAY_LEN(h7_bank),
	  .rams = { H7_RAMS(128 * KIB) },
	  .algo_ram = 0 },
};

/* What the FLASH_SR error bits mean and what to do (RM0433 4.7, 4.9.5). */
static const struct stm32_hint h7_hints[] = {
	{ H7_SR_WRPERR, "WRPERR (write protection error: the sector is protected in WPSN, "
			"see `monitor option`)" },
	{ H7_SR_PGSERR, "PGSERR (programming sequence error: a write without PG, or PG/START "
			"while an operation was in progress)" },
	{ H7_SR_STRBERR, "STRBERR (strobe error: a byte of the write buffer was written twice)" },
	{ H7_SR_INCERR, "INCERR (inconsistency error: another flash word was written before "
			"the 256-bit buffer was complete)" },
	{ H7_SR_OPERR, "OPERR (operation error: the program or erase failed; check the core "
		       "supply, VCAP capacitors and SMPS/LDO configuration, AN4938)" },
	{ H7_SR_RDPERR, "RDPERR (read protection error: access to an RDP/PCROP-protected area)" },
	{ H7_SR_RDSERR, "RDSERR (secure error: access to a secure-only area)" },
	{ H7_SR_SNECCERR, "SNECCERR (single ECC error, corrected)" },
	{ H7_SR_DBECCERR, "DBECCERR (double ECC error: a flash word programmed twice or "
			  "interrupted; erase the sector, see ECC_FA)" },
	{ H7_SR_CRCRDERR, "CRCRDERR (CRC read error: the CRC unit read a protected area)" },
	{ H7_SR_QW | H7_SR_WBNE | H7_SR_BSY, "QW/WBNE/BSY (an operation or a partial flash "
					     "word still pending)" },
};

int h7_read32(struct swdd_target *t, uint32_t addr, uint32_t *v)
{
	uint8_t b[4];
	int rc = swdd_target_mem_read(t, addr, b, 4);

	if (!rc)
		*v = swdd_le32(b);
	return rc;
}

int h7_has_bank2(struct swdd_target *t)
{
	const struct swdd_chip_info *c = swdd_target_chip(t);

	return c->part && c->part->bank2_base && c->flash_size > 1024 * KIB;
}

static int h7_read_status(struct swdd_target *t, uint32_t *sr)
{
	return h7_read32(t, H7_FLASH_SR, sr);
}

/* RM0433 4.9.5: both banks' status registers, raw, and bank 2's error
 * bits named (bank 1's are named by the engine's "flash status"). */
static size_t h7_evidence_sr(struct swdd_target *t, char *buf, size_t len)
{
	uint32_t sr1 = 0, sr2 = 0;
	char names[400] = "";
	int n;

	if (h7_read32(t, H7_FLASH_SR, &sr1))
		return 0;
	if (!h7_has_bank2(t))
		n = snprintf(buf, len, "; FLASH_SR1 = 0x%08X", sr1);
	else if (h7_read32(t, H7_FLASH_SR + H7_FLASH_BANK2, &sr2))
		n = snprintf(buf, len, "; FLASH_SR1 = 0x%08X, FLASH_SR2 unreadable", sr1);
	else {
		if (sr2 & H7_SR_ERRORS)
			stm32_hints_text(&stm32h7_family, sr2 & H7_SR_ERRORS, names, sizeof(names));
		n = snprintf(buf, len, "; FLASH_SR1 = 0x%08X, FLASH_SR2 = 0x%08X%s%s%s", sr1, sr2,
			     names[0] ? " (bank 2: " : "", names, names[0] ? ")" : "");
	}
	return n < 0 ? 0 : (size_t)n >= len ? len - 1 : (size_t)n;
}

/* RM0433 4.3.13: a SWAP_BANK_OPT programmed since the last reset shows in
 * OPTSR_CUR at once but remaps the banks only at the next reset: what was
 * just written at 0x08000000 then answers at 0x08100000. */
static size_t h7_evidence_swap_pending(struct swdd_target *t, char *buf, size_t len)
{
	uint32_t optsr = 0;
	int swapped = 0, n;

	if (!h7_has_bank2(t) || h7_read32(t, H7_FLASH_OPTSR, &optsr) || h7_bank_swapped(t, &swapped) ||
	    (int)H7_OPTSR_SWAP_BANK_OPT(optsr) == swapped)
		return 0;
	n = snprintf(buf, len,
		     "; SWAP_BANK_OPT = %u in the option bytes but %u in effect: after the next "
		     "reset 0x08000000 is physical bank %u, and what was written there now answers "
		     "at 0x08100000",
		     H7_OPTSR_SWAP_BANK_OPT(optsr), (unsigned)swapped,
		     H7_OPTSR_SWAP_BANK_OPT(optsr) ? 2U : 1U);
	return n < 0 ? 0 : (size_t)n >= len ? len - 1 : (size_t)n;
}

/* RM0433 4.9.23: ECC_FA holds the failing flash word's index in its bank
 * (FAIL_ECC_ADDR [14:0], 32-byte words) after SNECCERR/DBECCERR; RM0433
 * 4.3.13: with SWAP_BANK the address 0x08000000 is physical bank 2. */
static size_t h7_evidence_ecc_swap(struct swdd_target *t, char *buf, size_t len)
{
	uint32_t fa1 = 0, fa2 = 0;
	int swapped = 0;
	size_t n = 0;

	if (h7_read32(t, H7_FLASH_ECC_FA, &fa1) == 0 && (fa1 & H7_ECC_FA_MASK))
		n += (size_t)snprintf(buf + n, len - n,
				      "; ECC_FA1 = 0x%04X (flash word at 0x%08X: "
				      "an ECC error, the sector must be erased)",
				      fa1 & H7_ECC_FA_MASK, 0x08000000U + (fa1 & H7_ECC_FA_MASK) * 32U);
	if (n < len && h7_has_bank2(t) && h7_read32(t, H7_FLASH_ECC_FA + H7_FLASH_BANK2, &fa2) == 0 &&
	    (fa2 & H7_ECC_FA_MASK))
		n += (size_t)snprintf(buf + n, len - n, "; ECC_FA2 = 0x%04X (flash word at 0x%08X)",
				      fa2 & H7_ECC_FA_MASK, 0x08100000U + (fa2 & H7_ECC_FA_MASK) * 32U);
	if (n < len && h7_bank_swapped(t, &swapped) == 0 && swapped)
		n += (size_t)snprintf(buf + n, len - n,
				      "; SWAP_BANK = 1: 0x08000000 is physical bank 2 and "
				      "0x08100000 bank 1 (`monitor option`)");
	if (n < len)
		n += h7_evidence_swap_pending(t, buf + n, len - n);
	return n < len ? n : len - 1;
}

/* What each reset flag of RCC_RSR says about a flash operation (RM0433
 * 8.4.4 reset sources, 8.7 RCC_RSR). */
static const struct stm32_hint h7_reset_causes[] = {
	{ H7_RSR_IWDG1RSTF, "IWDG1RSTF: the chip was reset by its independent watchdog (IWDG1); "
			    "DBGMCU freezes it only in halt, so the flash algorithm must refresh it "
			    "(swdd's built-in one does)" },
	{ H7_RSR_WWDG1RSTF, "WWDG1RSTF: the chip was reset by its window watchdog (WWDG1)" },
	{ H7_RSR_BORRSTF | H7_RSR_PORRSTF, "BORRSTF/PORRSTF: the supply dropped (brown-out or "
					   "power-on reset): check VDD, the VCAP capacitors and the "
					   "SMPS/LDO configuration (AN4938)" },
};

/* RM0433 8.7 RCC_RSR: the reset flags, cleared by RMVF at the start of the
 * session (h7_reset_flags_clear) when `cleared`. */
static size_t h7_evidence_reset(struct swdd_target *t, int cleared, char *buf, size_t len)
{
	uint32_t rsr = 0;
	size_t n = 0;

	if (h7_read32(t, H7_RCC_RSR, &rsr))
		return 0;
	for (size_t i = 0; i < ARRAY_LEN(h7_reset_causes) && n < len; i++)
		/* power-on sets BORRSTF/PORRSTF: news only once cleared */
		if ((rsr & h7_reset_causes[i].bits) &&
		    (cleared || !(h7_reset_causes[i].bits & (H7_RSR_BORRSTF | H7_RSR_PORRSTF))))
			n += (size_t)snprintf(buf + n, len - n, "; RCC_RSR = 0x%08X %s: %s", rsr,
					      cleared ? "(reset during the flash operation)"
						      : "(flags since they were last cleared)",
					      h7_reset_causes[i].text);
	return n < len ? n : len - 1;
}

static void h7_verify_evidence(struct swdd_target *t, unsigned what, char *buf, size_t len)
{
	size_t n = 0;

	/* a reset's cause first: the report's length is bounded */
	buf[0] = '\0';
	if (what & STM32_EVIDENCE_RESET)
		n += h7_evidence_reset(t, !!(what & STM32_EVIDENCE_CLEARED), buf, len);
	if (what & STM32_EVIDENCE_FLASH) {
		n += h7_evidence_sr(t, buf + n, len - n);
		h7_evidence_ecc_swap(t, buf + n, len - n);
	}
}

/* RMVF = 1 clears the reset flags and holds them clear; = 0 lets the next
 * reset set its own (RM0433 8.7 RCC_RSR). The firmware's last reset cause
 * is replaced by the session's, which is the one worth knowing when the
 * flash it runs from is rewritten. */
static int h7_reset_flags_clear(struct swdd_target *t)
{
	uint8_t b[4];
	int rc;

	swdd_put_le32(b, H7_RSR_RMVF);
	rc = swdd_target_mem_write(t, H7_RCC_RSR, b, 4);
	swdd_put_le32(b, 0);
	return rc ? rc : swdd_target_mem_write(t, H7_RCC_RSR, b, 4);
}

const struct stm32_family stm32h7_family = {
	.name = "STM32H7",
	.manual = "RM0433",
	.dbgmcu_idcode = H7_DBGMCU_IDC,
	.dbgmcu_ap = H7_DBGMCU_AP,
	.dbgmcu_ap_base = H7_DBGMCU_APB,
	.flash_size_reg = H7_FLASH_SIZE,
	.uid_base = H7_UID,
	.revs = h7_revs,
	.num_revs = ARRAY_LEN(h7_revs),
	.parts = h7_parts,
	.num_parts = ARRAY_LEN(h7_parts),
	.dbgmcu_cr = H7_DBGMCU_CR,
	.dbgmcu_cr_set = H7_DBGMCU_CR_DEBUG,
	.wdg_freeze_reg = H7_DBGMCU_APB4FZ1,
	.wdg_freeze_bits = H7_DBGMCU_APB4FZ1_IWDG,
	.wdg_freeze_reg2 = H7_DBGMCU_APB3FZ1,
	.wdg_freeze_bits2 = H7_DBGMCU_APB3FZ1_WWDG1,
	.core_bus_dead_hint = H7_CORE_BUS_DEAD_HINT,
	.flash_ctrl_base = H7_FLASH_BASE,
	.flash_cr = H7_FLASH_CR,
	.flash_busy_bits = H7_SR_BSY | H7_SR_WBNE | H7_SR_QW,
	.bank2_ctrl_offset = H7_FLASH_BANK2,
	.flash_word = 32,
	.builtin_algo = "stm32h7",
	.mass_erase_ms = H7_MASS_ERASE_MS,
	.min_sector_erase_ms = H7_MIN_SECTOR_ERASE_MS,
	.typ_sector_erase_ms = H7_TYP_SECTOR_ERASE_MS,
	.core_clock = h7_core_clock,
	.rdp_level = h7_rdp_level,
	.wrp_mask = h7_wrp_mask,
	.read_status = h7_read_status,
	.unlock_rdp = stm32_option_unlock_rdp,
	.opt_regs = h7_opt_regs,
	.num_opt_regs = ARRAY_LEN(h7_opt_regs),
	.opt_fields = h7_opt_fields,
	.num_opt_fields = ARRAY_LEN(h7_opt_fields),
	.option_write = h7_option_write,
	.bank_swapped = h7_bank_swapped,
	.verify_evidence = h7_verify_evidence,
	.reset_flags_clear = h7_reset_flags_clear,
	.hints = h7_hints,
	.num_hints = ARRAY_LEN(h7_hints),
};
