/*
 * STM32H7 option bytes (RM0433 4.4 "FLASH option bytes", 4.5 protection,
 * 4.9.7-4.9.18 option registers; RM0468 4.9.8 and 4.9.33-34 for the
 * H723/725/730/733/735): the option registers and fields as rows, the
 * change sequence (option_write), and the host's view of read and write
 * protection and of the bank swap (rdp_level, wrp_mask, bank_swapped).
 *
 * Every *_CUR register holds the value in effect; a change is written to
 * the *_PRG registers and started with OPTCR.OPTSTART; the values are in
 * effect when OPTSR_CUR.OPT_BUSY falls, except SWAP_BANK_OPT, whose remap
 * waits for the next system reset (RM0433 4.3.13, OPTCR.SWAP_BANK shows
 * the swap in effect). All of it is register reads through the MEM-AP:
 * no halt and no reset needed, so it works in attach (hot-plug) mode.
 */
#include "h7_internal.h"
#include "option.h"

#include "swdd_err.h"
#include "swdd_le.h"
#include "target.h"

#include <stdio.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define H7_FLASH_OPTKEYR (H7_FLASH_BASE + 0x08U) /* RM0433 4.9.3 */
#define H7_FLASH_OPTCR (H7_FLASH_BASE + 0x18U)   /* RM0433 4.9.7 */
#define H7_FLASH_OPTCCR (H7_FLASH_BASE + 0x24U)  /* RM0433 4.9.10 */
#define H7_FLASH_PRAR (H7_FLASH_BASE + 0x28U)    /* RM0433 4.9.11 PRAR_CUR1 (4.9.12 _PRG1) */
#define H7_FLASH_SCAR (H7_FLASH_BASE + 0x30U)    /* RM0433 4.9.13 SCAR_CUR1 (4.9.14 _PRG1) */
#define H7_FLASH_WPSN (H7_FLASH_BASE + 0x38U)    /* RM0433 4.9.15 WPSN_CUR1 (4.9.16 _PRG1) */
#define H7_FLASH_BOOT (H7_FLASH_BASE + 0x40U)    /* RM0433 4.9.17 BOOT_CUR (4.9.18 _PRG) */
#define H7_FLASH_OPTSR2 (H7_FLASH_BASE + 0x70U)  /* RM0468 4.9.33 OPTSR2_CUR (4.9.34 _PRG) */

/* RM0433 4.9.3 / 4.4.3: OPTKEYR unlock keys. */
#define H7_OPTKEY1 0x08192A3BU
#define H7_OPTKEY2 0x4C5D6E7FU

/* RM0433 4.9.7 FLASH_OPTCR. */
#define H7_OPTCR_OPTLOCK (1U << 0)
#define H7_OPTCR_OPTSTART (1U << 1)
#define H7_OPTCR_SWAP_BANK (1U << 31) /* the swap in effect since the last reset */

/* RM0433 4.9.8 FLASH_OPTSR_CUR status bits; 4.9.10 OPTCCR. */
#define H7_OPTSR_OPT_BUSY (1U << 0)
#define H7_OPTSR_RDP(v) (((v) >> 8) & 0xFFU)
#define H7_OPTSR_OPTCHANGEERR (1U << 30)
#define H7_OPTCCR_CLR_OPTCHANGEERR (1U << 30)
#define H7_WPSN_SECTORS 0xFFU /* RM0433 4.9.15: bit n = 1, sector n not protected */

/* The row indexes of h7_opt_regs, for the fields and the hooks. */
enum {
	H7_R_OPTSR,
	H7_R_OPTCR,
	H7_R_BOOT,
	H7_R_WPSN1,
	H7_R_PRAR1,
	H7_R_SCAR1,
	H7_R_WPSN2,
	H7_R_PRAR2,
	H7_R_SCAR2,
	H7_R_OPTSR2
};

/* No datasheet figure for an option change (docs/LAB-h7-flash.md: about
 * 300 ms); the bound is a hundred times that, in wall time, for a host or
 * link that polls slowly (the lab's chip advances only as it is polled:
 * on a loaded 2-core host 300 ms of STLINK-V3 polling took over 10 s). An
 * RDP regression adds a mass erase: DS12110 "Flash memory programming"
 * tME, the family's mass_erase_ms, waited twice as the flash engine does. */
#define H7_OPT_TIMEOUT_MS 30000U

const struct stm32_opt_reg h7_opt_regs[] = {
	[H7_R_OPTSR] = { "OPTSR", H7_FLASH_OPTSR, H7_FLASH_OPTSR + 4U, 0, 0 },
	[H7_R_OPTCR] = { "OPTCR", H7_FLASH_OPTCR, 0, 0, 0 }, /* read only here: SWAP_BANK in effect */
	[H7_R_BOOT] = { "BOOT", H7_FLASH_BOOT, H7_FLASH_BOOT + 4U, 0, 0 },
	[H7_R_WPSN1] = { "WPSN1", H7_FLASH_WPSN, H7_FLASH_WPSN + 4U, 0, 0 },
	[H7_R_PRAR1] = { "PRAR1", H7_FLASH_PRAR, H7_FLASH_PRAR + 4U, 0, 0 },
	[H7_R_SCAR1] = { "SCAR1", H7_FLASH_SCAR, H7_FLASH_SCAR + 4U, 0, 0 },
	[H7_R_WPSN2] = { "WPSN2", H7_FLASH_WPSN + H7_FLASH_BANK2, H7_FLASH_WPSN + H7_FLASH_BANK2 + 4U, 0, 1 },
	[H7_R_PRAR2] = { "PRAR2", H7_FLASH_PRAR + H7_FLASH_BANK2, H7_FLASH_PRAR + H7_FLASH_BANK2 + 4U, 0, 1 },
	[H7_R_SCAR2] = { "SCAR2", H7_FLASH_SCAR + H7_FLASH_BANK2, H7_FLASH_SCAR + H7_FLASH_BANK2 + 4U, 0, 1 },
	[H7_R_OPTSR2] = { "OPTSR2", H7_FLASH_OPTSR2, H7_FLASH_OPTSR2 + 4U, 0x483, 0 },
};

/* Where a boot address may point besides the part's flash and its
 * DTCM/ITCM/AXI SRAM rows (RM0433 2.3.2, 2.6): system memory (both banks'
 * copies), SRAM1-3, SRAM4. */
static const struct stm32_opt_range h7_boot_ok[] = {
	{ 0x1FF00000U, 0x80000U },
	{ 0x30000000U, 0x48000U },
	{ 0x38000000U, 0x10000U },
};

#define H7_WHY_HSLV                                                                                          \
	"the I/Os' high-speed-at-low-voltage mode must not be enabled above 2.7 V (it can damage the chip)"
#define H7_WHY_WRP                                                                                           \
	"write-protects sectors: their erase and program fail with WRPERR until the bits are set again"
#define H7_WHY_PCROP                                                                                         \
	"a PCROP area: code there runs but can never be read, by the debugger neither, and only an RDP "     \
	"1 -> 0 regression with DMEP set removes it"
#define H7_WHY_SEC                                                                                           \
	"a secure-only area: with SECURITY set it runs at reset, closed to the debugger, and only an RDP "   \
	"regression with DMES set removes it"
#define H7_WHY_DM "the area would survive an RDP regression: nothing would ever remove it"
#define H7_WHY_BOOT                                                                                          \
	"the core fetches its vector table there at reset: nothing runs; connect under reset to recover"

/* Short names for the rows below. */
#define H7_ROW STM32_OPT_BANKED_ROW
#define H7_NUM STM32_OPT_NUM
#define H7_CHANGE STM32_OPT_RISK_CHANGE
/* BOOT_ADD0/1: the boot address, bits [31:16], with BOOT0 low/high
 * (RM0433 4.9.17, 2.6 table 7). */
#define H7_BOOT_ROW(n, s, boot0)                                                                             \
	{                                                                                                    \
		.name = (n), .reg = H7_R_BOOT, .shift = (s), .width = 16, .kind = STM32_OPT_ADDR,            \
		.risk = STM32_OPT_RISK_ADDR, .why = H7_WHY_BOOT, .ok = h7_boot_ok,                           \
		.num_ok = ARRAY_LEN(h7_boot_ok), .effect = "at the next reset with BOOT0 " boot0,            \
		.meaning = "boot address with BOOT0 " boot0                                                  \
	}
/* WPSN, PRAR and SCAR of bank b (RM0433 4.9.11, 4.9.13, 4.9.15). */
#define H7_BANK_ROWS(b, wpsn, prar, scar, b2)                                                                \
	H7_ROW("WPSN" b, wpsn, 0, 8, STM32_OPT_MASK, STM32_OPT_RISK_CLEAR, b2, H7_WHY_WRP,                   \
	       "bank " b " sectors 0-7, bit 1 = not write-protected"),                                       \
		H7_ROW("PROT_AREA_START" b, prar, 0, 12, H7_NUM, H7_CHANGE, b2, H7_WHY_PCROP,                \
		       "PCROP area start, 256-byte units from the bank start (start > end: no area)"),       \
		H7_ROW("PROT_AREA_END" b, prar, 16, 12, H7_NUM, H7_CHANGE, b2, H7_WHY_PCROP,                 \
		       "PCROP area end (inclusive), 256-byte units"),                                        \
		H7_ROW("DMEP" b, prar, 31, 1, STM32_OPT_BOOL, STM32_OPT_RISK_CLEAR, b2, H7_WHY_DM,           \
		       "1: an RDP regression erases the PCROP area"),                                        \
		H7_ROW("SEC_AREA_START" b, scar, 0, 12, H7_NUM, H7_CHANGE, b2, H7_WHY_SEC,                   \
		       "secure-only area start, 256-byte units (start > end: no area)"),                     \
		H7_ROW("SEC_AREA_END" b, scar, 16, 12, H7_NUM, H7_CHANGE, b2, H7_WHY_SEC,                    \
		       "secure-only area end (inclusive), 256-byte units"),                                  \
		H7_ROW("DMES" b, scar, 31, 1, STM32_OPT_BOOL, STM32_OPT_RISK_CLEAR, b2, H7_WHY_DM,           \
		       "1: an RDP regression erases the secure area")

/* RM0433 4.9.8 (OPTSR), 4.9.7 (OPTCR), 4.9.17 (BOOT), 4.9.11/13/15
 * (PRAR, SCAR, WPSN per bank); RM0468 4.9.8 (VDDMMC_HSLV bit 16), 4.9.33
 * (OPTSR2). */
const struct stm32_opt_field h7_opt_fields[] = {
	STM32_OPT_RO_ROW("OPT_BUSY", H7_R_OPTSR, 0, "an option change is running"),
	STM32_OPT_ROW("BOR_LEV", H7_R_OPTSR, 2, 2, H7_NUM, H7_CHANGE,
		      "a supply below the new brown-out threshold holds the chip in reset",
		      "brown-out reset: 0 off, 1 2.1 V, 2 2.4 V, 3 2.7 V"),
	STM32_OPT_ROW("IWDG1_SW", H7_R_OPTSR, 4, 1, STM32_OPT_BOOL, STM32_OPT_RISK_CLEAR,
		      "0 starts IWDG1 by hardware at every reset: firmware that does not refresh it is reset "
		      "every watchdog period",
		      "1: IWDG1 started by software, 0: by hardware at reset"),
	STM32_OPT_BOOL_ROW("NRST_STOP_D1", H7_R_OPTSR, 6,
			   "0: entering D1 Stop resets the chip, 1: it does not"),
	STM32_OPT_BOOL_ROW("NRST_STBY_D1", H7_R_OPTSR, 7,
			   "0: entering D1 Standby resets the chip, 1: it does not"),
	STM32_OPT_RDP_ROW(H7_R_OPTSR, 8),
	{ .name = "VDDMMC_HSLV",
	  .reg = H7_R_OPTSR,
	  .shift = 16,
	  .width = 1,
	  .kind = STM32_OPT_BOOL,
	  .risk = STM32_OPT_RISK_SET,
	  .dev_id = 0x483,
	  .why = H7_WHY_HSLV,
	  .meaning = "VDDMMC I/Os at high speed below 2.7 V" },
	STM32_OPT_BOOL_ROW("FZ_IWDG_STOP", H7_R_OPTSR, 17, "0: IWDG1 frozen in Stop mode, 1: it runs"),
	STM32_OPT_BOOL_ROW("FZ_IWDG_SDBY", H7_R_OPTSR, 18, "0: IWDG1 frozen in Standby mode, 1: it runs"),
	{ .name = "ST_RAM_SIZE",
	  .reg = H7_R_OPTSR,
	  .shift = 19,
	  .width = 2,
	  .risk = STM32_OPT_RISK_CHANGE,
	  .dev_id = 0x450,
	  .why = "reserves RAM for ST's secure library, which firmware then cannot use",
	  .meaning = "RAM kept for ST's secure library: 0 2 KiB, 1 4 KiB, 2 8 KiB, 3 16 KiB" },
	STM32_OPT_ROW(
		"SECURITY", H7_R_OPTSR, 21, 1, STM32_OPT_BOOL, STM32_OPT_RISK_SET,
		"secure access mode: ST's secure boot and the secure area run at every reset, closed to "
		"the debugger",
		"1: secure access mode"),
	STM32_OPT_ROW("IO_HSLV", H7_R_OPTSR, 29, 1, STM32_OPT_BOOL, STM32_OPT_RISK_SET, H7_WHY_HSLV,
		      "I/Os at high speed below 2.7 V"),
	STM32_OPT_RO_ROW("OPTCHANGEERR", H7_R_OPTSR, 30, "the last option change failed"),
	{ .name = "SWAP_BANK",
	  .reg = H7_R_OPTSR,
	  .shift = 31,
	  .width = 1,
	  .kind = STM32_OPT_BOOL,
	  .bank2 = 1,
	  .swap = 1,
	  .effect = "at the next system reset",
	  .meaning = "OPTSR.SWAP_BANK_OPT: 1 = bank 2 at 0x08000000 from the next reset" },
	{ .name = "SWAP_BANK_NOW",
	  .reg = H7_R_OPTCR,
	  .shift = 31,
	  .width = 1,
	  .ro = 1,
	  .bank2 = 1,
	  .meaning = "OPTCR.SWAP_BANK: the banks are swapped now (since the last reset)" },
	H7_BOOT_ROW("BOOT_ADD0", 0, "low"),
	H7_BOOT_ROW("BOOT_ADD1", 16, "high"),
	H7_BANK_ROWS("1", H7_R_WPSN1, H7_R_PRAR1, H7_R_SCAR1, 0),
	H7_BANK_ROWS("2", H7_R_WPSN2, H7_R_PRAR2, H7_R_SCAR2, 1),
	{ .name = "TCM_AXI_SHARED",
	  .reg = H7_R_OPTSR2,
	  .shift = 0,
	  .width = 2,
	  .dev_id = 0x483,
	  .risk = STM32_OPT_RISK_CHANGE,
	  .why = "moves RAM between ITCM and AXI SRAM: firmware linked for the other split crashes",
	  .effect = "at the next reset",
	  .meaning = "ITCM/AXI split: 0 64K ITCM, 1 128K, 2 192K, 3 256K (taken from AXI SRAM)" },
	STM32_OPT_BOOL_ROW("CPUFREQ_BOOST", H7_R_OPTSR2, 2, "1: the core may run at 550 MHz"),
};

int h7_rdp_level(struct swdd_target *t, int *level)
{
	uint32_t optsr;
	int rc = h7_read32(t, H7_FLASH_OPTSR, &optsr);

	if (!rc)
		*level = stm32_option_rdp_level(H7_OPTSR_RDP(optsr));
	return rc;
}

/* Bit n = bank 1 sector n, bit 8 + n = bank 2 sector n (WPSN: 1 = not
 * protected, RM0433 4.9.15). */
int h7_wrp_mask(struct swdd_target *t, uint64_t *mask)
{
	uint32_t w1, w2 = H7_WPSN_SECTORS;
	int rc = h7_read32(t, H7_FLASH_WPSN, &w1);

	if (!rc && h7_has_bank2(t))
		rc = h7_read32(t, H7_FLASH_WPSN + H7_FLASH_BANK2, &w2);
	if (!rc)
		*mask = (~w1 & H7_WPSN_SECTORS) | (uint64_t)(~w2 & H7_WPSN_SECTORS) << 8;
	return rc;
}

/* RM0433 4.3.13: OPTCR.SWAP_BANK shows the swap in effect since the last
 * reset (OPTSR_CUR.SWAP_BANK_OPT is the programmed one). */
int h7_bank_swapped(struct swdd_target *t, int *swapped)
{
	uint32_t optcr;
	int rc = h7_read32(t, H7_FLASH_OPTCR, &optcr);

	if (!rc)
		*swapped = !!(optcr & H7_OPTCR_SWAP_BANK);
	return rc;
}

static int h7_write32(struct swdd_target *t, uint32_t addr, uint32_t v)
{
	uint8_t b[4];

	swdd_put_le32(b, v);
	return swdd_target_mem_write(t, addr, b, 4);
}

/* RM0433 4.4.3 / 4.9.3: the OPTKEYR sequence clears OPTCR.OPTLOCK (a
 * wrong sequence locks it until the next reset). */
static int h7_opt_unlock(struct swdd_target *t)
{
	uint32_t optcr;
	int rc = h7_read32(t, H7_FLASH_OPTCR, &optcr);

	if (rc || !(optcr & H7_OPTCR_OPTLOCK))
		return rc;
	rc = h7_write32(t, H7_FLASH_OPTKEYR, H7_OPTKEY1);
	if (!rc)
		rc = h7_write32(t, H7_FLASH_OPTKEYR, H7_OPTKEY2);
	if (!rc)
		rc = h7_read32(t, H7_FLASH_OPTCR, &optcr);
	if (!rc && (optcr & H7_OPTCR_OPTLOCK))
		return swdd_err_set(SWDD_EPROTECTED,
				    "FLASH_OPTCR stayed locked after the OPTKEYR sequence "
				    "(a wrong key earlier locks it until a reset): reset the "
				    "chip and retry");
	return rc;
}

/* Polls OPTSR_CUR until OPT_BUSY falls (RM0433 4.4.3), at most timeout_ms. */
static int h7_opt_wait(struct swdd_target *t, uint32_t timeout_ms, uint32_t *optsr)
{
	return stm32_option_wait(t, H7_FLASH_OPTSR, H7_OPTSR_OPT_BUSY, timeout_ms, "OPTSR_CUR.OPT_BUSY",
				 optsr);
}

static int h7_opt_program(struct swdd_target *t, const uint32_t *val, uint32_t changed, uint32_t bound)
{
	uint32_t optsr;
	int rc = h7_opt_wait(t, bound, &optsr); /* a change still running refuses OPTSTART */

	for (size_t i = 0; !rc && i < H7_NUM_OPT_REGS; i++) {
		/* OPTSR_PRG's bits 0 and 30 are reserved (RM0433 4.9.9): the
		 * status bits of OPTSR_CUR are not written back */
		uint32_t v = i == H7_R_OPTSR ? val[i] & ~(H7_OPTSR_OPT_BUSY | H7_OPTSR_OPTCHANGEERR) : val[i];

		if ((changed >> i & 1U) && h7_opt_regs[i].prg)
			rc = h7_write32(t, h7_opt_regs[i].prg, v);
	}
	if (!rc)
		rc = h7_write32(t, H7_FLASH_OPTCCR, H7_OPTCCR_CLR_OPTCHANGEERR);
	if (!rc)
		rc = h7_write32(t, H7_FLASH_OPTCR, H7_OPTCR_OPTSTART);
	if (!rc)
		rc = h7_opt_wait(t, bound, &optsr);
	if (!rc && (optsr & H7_OPTSR_OPTCHANGEERR))
		rc = swdd_err_set(SWDD_EFLASH,
				  "OPTCHANGEERR: the controller refused the option change (RM0433 4.4.3: RDP "
				  "level 2, a protected area that only an RDP regression may shrink, or a "
				  "program/erase running); nothing changed");
	return rc;
}

/* RM0433 4.4.3 "Option byte modification": unlock OPTCR, write the _PRG
 * registers, clear OPTCHANGEERR, OPTSTART, wait for OPT_BUSY to fall,
 * check OPTCHANGEERR, lock again. An RDP regression 1 -> 0 mass-erases
 * both banks before OPT_BUSY falls (RM0433 4.5.3). */
int h7_option_write(struct swdd_target *t, const uint32_t *val, uint32_t changed)
{
	uint32_t cur, bound = H7_OPT_TIMEOUT_MS;
	int rc = h7_read32(t, H7_FLASH_OPTSR, &cur);

	if (!rc && stm32_option_rdp_level(H7_OPTSR_RDP(cur)) == 1 &&
	    stm32_option_rdp_level(H7_OPTSR_RDP(val[H7_R_OPTSR])) == 0)
		bound += 2U * swdd_target_family(t)->mass_erase_ms;
	if (!rc)
		rc = h7_opt_unlock(t);
	if (!rc)
		rc = h7_opt_program(t, val, changed, bound);
	/* locked again whatever happened; the first error is the report */
	if (h7_write32(t, H7_FLASH_OPTCR, H7_OPTCR_OPTLOCK) && !rc)
		rc = swdd_err_set(SWDD_EFAULT, "the option change ended but OPTCR could not be locked again");
	return rc;
}
