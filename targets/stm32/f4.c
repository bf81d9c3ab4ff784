/*
 * STM32F4 family descriptor: every fact swdd uses about the F4 lines.
 *
 * Follows RM0090 (STM32F405/415, F407/417, F42x/43x reference manual):
 * 2.3 memory map, 3.3 flash organisation (table 5/6), 3.7 option bytes,
 * 3.9 flash interface registers, 38.6.1 DBGMCU_IDCODE, 38.16 DBGMCU
 * registers, 39 device electronic signature; DS8626 (STM32F405/407
 * datasheet) for the program and erase times. The other F4 lines (F401,
 * F410, F411, F412, F413/423, F446, F469/479) have their own reference
 * manuals (RM0368, RM0401, RM0383, RM0402, RM0430, RM0390, RM0386) with the
 * same registers and fewer or more 128 KiB sectors.
 *
 * STM32F2 (RM0033, DEV_ID 0x411) has a flash controller of the same design
 * but is not supported: it would be its own family file.
 *
 * The flash algorithm is flashalgo/stm32f4.c.
 */
#include "family.h"
#include "option.h"

#include "swdd_err.h"
#include "swdd_le.h"
#include "target.h"

#include <stdio.h>
#include <string.h>

#define KIB 1024U
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* RM0090 3.9: flash interface registers. */
#define F4_FLASH_BASE 0x40023C00U
#define F4_FLASH_ACR F4_FLASH_BASE               /* RM0090 3.9.1 */
#define F4_FLASH_OPTKEYR (F4_FLASH_BASE + 0x08U) /* RM0090 3.9.3 */
#define F4_FLASH_SR (F4_FLASH_BASE + 0x0CU)      /* RM0090 3.9.4 */
#define F4_FLASH_CR (F4_FLASH_BASE + 0x10U)      /* RM0090 3.9.5 */
#define F4_FLASH_OPTCR (F4_FLASH_BASE + 0x14U)   /* RM0090 3.9.6 */
#define F4_FLASH_OPTCR1 (F4_FLASH_BASE + 0x18U)  /* RM0090 3.9.7 (F42x/43x) */

/* RM0090 3.9.4 FLASH_SR bits. */
/* RM0090 3.9.1 FLASH_ACR: the ART accelerator's cache enables and resets. */
#define F4_FLASH_ACR_LATENCY 0x7U
#define F4_FLASH_ACR_PRFTEN (1U << 8)
#define F4_FLASH_ACR_ICEN (1U << 9)
#define F4_FLASH_ACR_DCEN (1U << 10)
#define F4_FLASH_ACR_ICRST (1U << 11)
#define F4_FLASH_ACR_DCRST (1U << 12)

#define F4_FLASH_SR_OPERR (1U << 1)
#define F4_FLASH_SR_WRPERR (1U << 4)
#define F4_FLASH_SR_PGAERR (1U << 5)
#define F4_FLASH_SR_PGPERR (1U << 6)
#define F4_FLASH_SR_PGSERR (1U << 7)
#define F4_FLASH_SR_BSY (1U << 16)

/* RM0090 3.9.6 FLASH_OPTCR. */
#define F4_FLASH_OPTCR_OPTLOCK (1U << 0)
#define F4_FLASH_OPTCR_OPTSTRT (1U << 1)
#define F4_FLASH_OPTCR_RDP_SHIFT 8U
#define F4_FLASH_OPTCR_RDP_MASK (0xFFU << 8)
#define F4_FLASH_OPTCR_NWRP_SHIFT 16U
#define F4_FLASH_OPTCR_NWRP_MASK (0xFFFU << 16)

/* RM0090 3.7.2 / 3.9.3: option byte unlock keys. */
#define F4_FLASH_OPTKEY1 0x08192A3BU
#define F4_FLASH_OPTKEY2 0x4C5D6E7FU

/* RM0090 38.6.1 DBGMCU_IDCODE, 38.16.3 DBGMCU_CR, 38.16.4 DBGMCU_APB1_FZ. */
#define F4_DBGMCU_IDCODE 0xE0042000U
#define F4_DBGMCU_CR 0xE0042004U
#define F4_DBGMCU_CR_LOWPOWER 0x7U /* DBG_SLEEP | DBG_STOP | DBG_STANDBY */
#define F4_DBGMCU_APB1_FZ 0xE0042008U
#define F4_DBGMCU_APB1_FZ_WDG ((1U << 11) | (1U << 12)) /* DBG_WWDG_STOP, DBG_IWDG_STOP */

/* RM0090 39.1 unique device ID (96 bits), 39.2 flash size (u16, KiB). */
#define F4_UID 0x1FFF7A10U
#define F4_FLASH_SIZE 0x1FFF7A22U

/* RM0090 2.3.1: SRAM1+SRAM2 contiguous from 0x20000000; CCM data RAM
 * (64 KiB, F405/407/415/417, F42x/43x, F469/479) on the D-bus only. */
#define F4_SRAM 0x20000000U
#define F4_CCM 0x10000000U

/* DS8626 (table "Flash memory programming", tME): a mass erase takes up to
 * 32 s at x8; the RDP 1 -> 0 regression erases the same. */
#define F4_MASS_ERASE_MS 32000U
/* DS8626 (table "Flash memory programming"): word programming time max
 * 100 us at any parallelism (typical 16 us); sector erase typical at x32
 * and maximum at x8 for the three sector sizes (RM0090 3.3 table 5). */
#define F4_PROG_MAX_US 100U
static const struct stm32_erase_time f4_erase_times[] = {
	{ .sector_size = 16U * 1024U, .typ_ms = 250U, .max_ms = 800U },
	{ .sector_size = 64U * 1024U, .typ_ms = 550U, .max_ms = 2400U },
	{ .sector_size = 128U * 1024U, .typ_ms = 1000U, .max_ms = 4000U },
};
#define F4_OPT_TIMEOUT_MS 40000U

extern const struct stm32_family stm32f4_family;

/* Revision codes shared by the F4 lines (RM0090 38.6.1). */
static const struct stm32_rev f4_revs[] = {
	{ .rev_id = 0x1000, .name = "A" }, { .rev_id = 0x1001, .name = "Z" },
	{ .rev_id = 0x1003, .name = "Y" }, { .rev_id = 0x1007, .name = "1" },
	{ .rev_id = 0x2001, .name = "3" },
};

/* 4 x 16 KiB, 1 x 64 KiB, then n x 128 KiB (RM0090 table 5). */
#define F4_SECTORS(n128)                                                                                     \
	{                                                                                                    \
		{ .count = 4, .size = 16 * KIB }, { .count = 1, .size = 64 * KIB },                          \
		{                                                                                            \
			.count = (n128), .size = 128 * KIB                                                   \
		}                                                                                            \
	}

static const struct stm32_sector_run f4_1m[] = F4_SECTORS(7);
static const struct stm32_sector_run f4_1m5[] = F4_SECTORS(11);
static const struct stm32_sector_run f4_512k[] = F4_SECTORS(3);
static const struct stm32_sector_run f4_256k[] = F4_SECTORS(1);
static const struct stm32_sector_run f4_128k[] = { { .count = 4, .size = 16 * KIB },
						   { .count = 1, .size = 64 * KIB } };

#define F4_SRAM_RAM(sram)                                                                                    \
	{                                                                                                    \
		.name = "SRAM", .base = F4_SRAM, .size = (sram), .executable = 1                             \
	}
#define F4_CCM_RAM                                                                                           \
	{                                                                                                    \
		.name = "CCM", .base = F4_CCM, .size = 64 * KIB, .executable = 0                             \
	}

#define F4_PART(id, nm, flash, bank2, layout, ...)                                                           \
	{                                                                                                    \
		.dev_id = (id), .name = (nm), .family = &stm32f4_family, .flash_base = 0x08000000U,          \
		.max_flash = (flash), .bank2_base = (bank2), .sectors = (layout),                            \
		.num_runs = ARRAY_LEN(layout), .rams = { __VA_ARGS__ }, .algo_ram = 0                        \
	}

static const struct stm32_part f4_parts[] = {
	F4_PART(0x413, "STM32F405/407/415/417", 1024 * KIB, 0, f4_1m, F4_SRAM_RAM(128 * KIB), F4_CCM_RAM),
	F4_PART(0x419, "STM32F42x/43x", 2048 * KIB, 0x08100000U, f4_1m, F4_SRAM_RAM(192 * KIB), F4_CCM_RAM),
	F4_PART(0x434, "STM32F469/479", 2048 * KIB, 0x08100000U, f4_1m, F4_SRAM_RAM(384 * KIB), F4_CCM_RAM),
	F4_PART(0x423, "STM32F401xB/C", 256 * KIB, 0, f4_256k, F4_SRAM_RAM(64 * KIB)),
	F4_PART(0x433, "STM32F401xD/E", 512 * KIB, 0, f4_512k, F4_SRAM_RAM(96 * KIB)),
	F4_PART(0x431, "STM32F411xC/E", 512 * KIB, 0, f4_512k, F4_SRAM_RAM(128 * KIB)),
	F4_PART(0x421, "STM32F446", 512 * KIB, 0, f4_512k, F4_SRAM_RAM(128 * KIB)),
	F4_PART(0x458, "STM32F410", 128 * KIB, 0, f4_128k, F4_SRAM_RAM(32 * KIB)),
	F4_PART(0x441, "STM32F412", 1024 * KIB, 0, f4_1m, F4_SRAM_RAM(256 * KIB)),
	F4_PART(0x463, "STM32F413/423", 1536 * KIB, 0, f4_1m5, F4_SRAM_RAM(320 * KIB)),
};

/* What the FLASH_SR error bits mean and what to do (RM0090 3.9.4). */
/* RM0090 3.5: the ART caches are not updated by an erase or a program, and
 * ICRST/DCRST only act while the caches are disabled. A vendor FLM need not
 * reset them (ST's Init only writes FLASH_ACR = 0, which leaves the lines
 * for the next firmware that enables the caches), so the engine does it
 * around every read of the flash: disable, reset, restore. */
static int f4_flush_caches(struct swdd_target *t, char *state, size_t len)
{
	const uint32_t en = F4_FLASH_ACR_ICEN | F4_FLASH_ACR_DCEN;
	const uint32_t rst = F4_FLASH_ACR_ICRST | F4_FLASH_ACR_DCRST;
	uint32_t acr = 0, off;
	int rc = swdd_target_mem_read(t, F4_FLASH_ACR, &acr, 4);

	state[0] = '\0';
	if (!rc && (acr & en))
		snprintf(state, len,
			 "FLASH_ACR 0x%08X: instruction cache %s, data cache %s, "
			 "prefetch %s, %u wait states",
			 acr, acr & F4_FLASH_ACR_ICEN ? "on" : "off", acr & F4_FLASH_ACR_DCEN ? "on" : "off",
			 acr & F4_FLASH_ACR_PRFTEN ? "on" : "off", acr & F4_FLASH_ACR_LATENCY);
	acr &= ~rst;
	off = acr & ~en;
	if (!rc && (acr & en)) /* the resets act only on disabled caches */
		rc = swdd_target_mem_write(t, F4_FLASH_ACR, &off, 4);
	off |= rst;
	if (!rc)
		rc = swdd_target_mem_write(t, F4_FLASH_ACR, &off, 4);
	if (!rc)
		rc = swdd_target_mem_write(t, F4_FLASH_ACR, &acr, 4);
	return rc ? swdd_err_add(rc, "while resetting the flash caches (FLASH_ACR)") : 0;
}

/* RM0090 3.6 table 7: x32 needs 2.7-3.6 V, x16 2.1-3.6 V, x8 1.8-3.6 V (x64
 * needs an external Vpp and is not offered). */
static const struct stm32_algo_variant f4_variants[] = {
	{ 2700, "stm32f4", "x32 (2.7-3.6 V)", 4 },
	{ 2100, "stm32f4_x16", "x16 (2.1-2.7 V)", 2 },
	{ 0, "stm32f4_x8", "x8 (1.8-2.1 V)", 1 },
};

static const struct stm32_hint f4_hints[] = {
	{ F4_FLASH_SR_OPERR, "OPERR (operation error)" },
	{ F4_FLASH_SR_WRPERR, "WRPERR (write protection error: the sector is write-protected "
			      "in the option bytes)" },
	{ F4_FLASH_SR_PGAERR, "PGAERR (programming alignment error)" },
	{ F4_FLASH_SR_PGPERR, "PGPERR (programming parallelism error: PSIZE does not match the "
			      "access width, or is above what the supply allows: x32 needs 2.7 V; "
			      "give the supply with --vdd-mv)" },
	{ F4_FLASH_SR_PGSERR, "PGSERR (programming sequence error)" },
	{ F4_FLASH_SR_BSY, "BSY (operation still in progress)" },
};

static int f4_read32(struct swdd_target *t, uint32_t addr, uint32_t *v)
{
	uint8_t b[4];
	int rc = swdd_target_mem_read(t, addr, b, 4);

	if (!rc)
		*v = swdd_le32(b);
	return rc;
}

static int f4_write32(struct swdd_target *t, uint32_t addr, uint32_t v)
{
	uint8_t b[4];

	swdd_put_le32(b, v);
	return swdd_target_mem_write(t, addr, b, 4);
}

/* nWRP: bit n = 1 means sector n is not protected (RM0090 3.9.6). */
static uint64_t f4_wrp_of_optcr(uint32_t optcr)
{
	return ~((optcr & F4_FLASH_OPTCR_NWRP_MASK) >> F4_FLASH_OPTCR_NWRP_SHIFT) & 0xFFFU;
}

static int f4_rdp_level(struct swdd_target *t, int *level)
{
	uint32_t optcr;
	int rc = f4_read32(t, F4_FLASH_OPTCR, &optcr);

	if (!rc)
		*level =
			stm32_option_rdp_level((optcr & F4_FLASH_OPTCR_RDP_MASK) >> F4_FLASH_OPTCR_RDP_SHIFT);
	return rc;
}

static int f4_wrp_mask(struct swdd_target *t, uint64_t *mask)
{
	uint32_t optcr;
	int rc = f4_read32(t, F4_FLASH_OPTCR, &optcr);

	if (!rc)
		*mask = f4_wrp_of_optcr(optcr);
	return rc;
}

static int f4_read_status(struct swdd_target *t, uint32_t *sr)
{
	return f4_read32(t, F4_FLASH_SR, sr);
}

/* RM0090 3.9.4: BSY stays set while the option change (and an RDP
 * regression's mass erase) runs. */
static int f4_wait_not_busy(struct swdd_target *t, uint32_t timeout_ms)
{
	uint32_t sr;

	return stm32_option_wait(t, F4_FLASH_SR, F4_FLASH_SR_BSY, timeout_ms, "FLASH_SR.BSY", &sr);
}

/* RM0090 3.7.2: the OPTKEYR sequence clears OPTLOCK. */
static int f4_unlock_options(struct swdd_target *t, uint32_t *optcr)
{
	int rc = f4_read32(t, F4_FLASH_OPTCR, optcr);

	if (rc || !(*optcr & F4_FLASH_OPTCR_OPTLOCK))
		return rc;
	rc = f4_write32(t, F4_FLASH_OPTKEYR, F4_FLASH_OPTKEY1);
	if (!rc)
		rc = f4_write32(t, F4_FLASH_OPTKEYR, F4_FLASH_OPTKEY2);
	if (!rc)
		rc = f4_read32(t, F4_FLASH_OPTCR, optcr);
	if (!rc && (*optcr & F4_FLASH_OPTCR_OPTLOCK))
		return swdd_err_set(SWDD_EPROTECTED, "the option bytes stayed locked after "
						     "the OPTKEYR sequence; reset the chip and retry");
	return rc;
}

/* The row indexes of f4_opt_regs. */
enum { F4_R_OPTCR, F4_R_OPTCR1 };

/* RM0090 3.7.2 "Programming user option bytes": unlock OPTCR, write OPTCR1 then OPTCR without the control bits,
 * OPTSTRT, wait for BSY to fall, check the status, lock again. Leaving RDP
 * level 1 mass-erases the flash before BSY falls (RM0090 3.7.3), within
 * the same bound (DS8626 tME). */
static int f4_option_write(struct swdd_target *t, const uint32_t *val, uint32_t changed)
{
	const uint32_t ctl = F4_FLASH_OPTCR_OPTLOCK | F4_FLASH_OPTCR_OPTSTRT;
	uint32_t optcr, sr = 0;
	int rc = f4_wait_not_busy(t, F4_OPT_TIMEOUT_MS);

	if (!rc)
		rc = f4_unlock_options(t, &optcr);
	if (!rc && (changed & 1U << F4_R_OPTCR1))
		rc = f4_write32(t, F4_FLASH_OPTCR1, val[1]);
	if (!rc)
		rc = f4_write32(t, F4_FLASH_OPTCR, val[0] & ~ctl);
	if (!rc)
		rc = f4_write32(t, F4_FLASH_OPTCR, (val[0] & ~ctl) | F4_FLASH_OPTCR_OPTSTRT);
	if (!rc)
		rc = f4_wait_not_busy(t, F4_OPT_TIMEOUT_MS);
	if (!rc)
		rc = f4_read32(t, F4_FLASH_SR, &sr);
	if (!rc && (sr & (F4_FLASH_SR_OPERR | F4_FLASH_SR_WRPERR | F4_FLASH_SR_PGSERR))) {
		char why[256];

		stm32_hints_text(&stm32f4_family, sr, why, sizeof(why));
		rc = swdd_err_set(SWDD_EFLASH, "the option change failed: %s", why);
	}
	/* locked again whatever happened; the first error is the report */
	if (f4_write32(t, F4_FLASH_OPTCR, (val[0] & ~ctl) | F4_FLASH_OPTCR_OPTLOCK) && !rc)
		rc = swdd_err_set(SWDD_EFAULT, "the option change ended but OPTCR could not be locked again");
	return rc;
}

/* RM0090 3.9.6 FLASH_OPTCR (one register is both in effect and written);
 * 3.9.7 FLASH_OPTCR1 on the dual-bank F42x/43x (and F469/479, RM0386). */
static const struct stm32_opt_reg f4_opt_regs[] = {
	[F4_R_OPTCR] = { "OPTCR", F4_FLASH_OPTCR, F4_FLASH_OPTCR, 0, 0 },
	[F4_R_OPTCR1] = { "OPTCR1", F4_FLASH_OPTCR1, F4_FLASH_OPTCR1, 0, 1 },
};

#define F4_WHY_WRP                                                                                           \
	"write-protects sectors: their erase and program fail with WRPERR until the bits are set again"

/* RM0090 3.7.1 table 16 / 3.9.6-3.9.7. F4 has no bank swap: BFB2 boots
 * bank 2 through the system-memory boot loader instead (RM0090 3.9.6). */
static const struct stm32_opt_field f4_opt_fields[] = {
	STM32_OPT_ROW("BOR_LEV", F4_R_OPTCR, 2, 2, STM32_OPT_NUM, STM32_OPT_RISK_CHANGE,
		      "a supply below the new brown-out threshold holds the chip in reset",
		      "brown-out reset: 3 off, 2 2.1 V, 1 2.4 V, 0 2.7 V"),
	{ .name = "BFB2",
	  .reg = F4_R_OPTCR,
	  .shift = 4,
	  .width = 1,
	  .kind = STM32_OPT_BOOL,
	  .risk = STM32_OPT_RISK_CHANGE,
	  .bank2 = 1,
	  .effect = "at the next reset",
	  .why = "the chip then boots through the system-memory boot loader, which jumps to bank 2 when it "
		 "holds a program",
	  .meaning = "1: boot from bank 2 (through the boot loader) with BOOT0 low" },
	STM32_OPT_ROW("WDG_SW", F4_R_OPTCR, 5, 1, STM32_OPT_BOOL, STM32_OPT_RISK_CLEAR,
		      "0 starts the independent watchdog by hardware at every reset: firmware that does not "
		      "refresh it is reset every watchdog period",
		      "1: IWDG started by software, 0: by hardware at reset"),
	STM32_OPT_BOOL_ROW("nRST_STOP", F4_R_OPTCR, 6, "0: entering Stop resets the chip, 1: it does not"),
	STM32_OPT_BOOL_ROW("nRST_STDBY", F4_R_OPTCR, 7,
			   "0: entering Standby resets the chip, 1: it does not"),
	STM32_OPT_RDP_ROW(F4_R_OPTCR, 8),
	STM32_OPT_ROW("nWRP", F4_R_OPTCR, 16, 12, STM32_OPT_MASK, STM32_OPT_RISK_CLEAR, F4_WHY_WRP,
		      "sectors 0-11, bit 1 = not write-protected"),
	STM32_OPT_BANKED_ROW("DB1M", F4_R_OPTCR, 30, 1, STM32_OPT_BOOL, STM32_OPT_RISK_CHANGE, 1,
			     "changes the sector layout of 1 MiB parts: sector numbers and addresses no "
			     "longer match swdd's flash map",
			     "1: a 1 MiB part is organised in two banks"),
	STM32_OPT_BANKED_ROW("SPRMOD", F4_R_OPTCR, 31, 1, STM32_OPT_BOOL, STM32_OPT_RISK_SET, 1,
			     "turns the nWRP bits into PCROP: the selected sectors can then never be "
			     "read, by the debugger neither",
			     "1: the nWRP bits select PCROP instead of write protection"),
	STM32_OPT_BANKED_ROW("nWRP2", F4_R_OPTCR1, 16, 12, STM32_OPT_MASK, STM32_OPT_RISK_CLEAR, 1,
			     F4_WHY_WRP, "sectors 12-23, bit 1 = not write-protected"),
};

/* `monitor uid`: the 96-bit unique device ID (RM0090 39.1). */
static int f4_cmd_uid(struct swdd_target *t, int argc, char **argv, char *out, size_t cap)
{
	uint8_t uid[12];
	int rc;

	(void)argv;
	if (argc != 1)
		return swdd_err_set(SWDD_EINVAL, "usage: monitor uid");
	rc = swdd_target_mem_read(t, F4_UID, uid, sizeof(uid));
	if (rc)
		return rc;
	snprintf(out, cap, "unique device ID: %08X %08X %08X\n", swdd_le32(uid + 8), swdd_le32(uid + 4),
		 swdd_le32(uid));
	return 0;
}

/* RM0090 7.3.21 RCC_CSR: the reset flags, kept until a power-on reset or
 * RMVF. Every internal source also pulls NRST (7.1.2), so PINRSTF comes
 * with the others; PORRSTF/BORRSTF stay set from the last power-on unless
 * something cleared them, so they are named only when nothing else is. */
#define F4_RCC_CSR 0x40023874U
#define F4_RCC_CSR_RMVF (1U << 24)
#define F4_RCC_CSR_PINRSTF (1U << 26)
#define F4_RCC_CSR_FLAGS 0xFE000000U

static const struct stm32_hint f4_reset_flags[] = {
	{ 1U << 29,
	  "IWDGRSTF: the independent watchdog expired; started by the firmware (or by the WDG_SW "
	  "option bit), it counts while the algorithm runs (swdd freezes it only in halt): swdd's "
	  "algorithm refreshes it, an external one (--flash-algo) must too; a watchdog the firmware "
	  "starts is kept off by --connect under-reset" },
	{ 1U << 30, "WWDGRSTF: the window watchdog expired; started by the firmware, it counts while the "
		    "algorithm runs" },
	{ 1U << 28, "SFTRSTF: a software reset (AIRCR.SYSRESETREQ)" },
	{ 1U << 31, "LPWRRSTF: a low-power management reset" },
};
static const struct stm32_hint f4_reset_flags_power[] = {
	{ 1U << 27, "PORRSTF: a power-on reset (the supply dropped?)" },
	{ 1U << 25, "BORRSTF: a brown-out reset (the supply dropped below the BOR level?)" },
	{ F4_RCC_CSR_PINRSTF, "PINRSTF: NRST was pulled low on the board" },
};

/* Names the reset flags in RCC_CSR, then clears them (RMVF). */
static int f4_reset_cause(struct swdd_target *t, char *buf, size_t len)
{
	uint32_t csr = 0;
	int rc = f4_read32(t, F4_RCC_CSR, &csr), n;

	if (rc)
		return rc;
	n = snprintf(buf, len, "RCC_CSR 0x%08X: ", csr);
	if (n < 0 || (size_t)n >= len)
		return 0;
	if (!stm32_bits_text(f4_reset_flags, ARRAY_LEN(f4_reset_flags), csr, buf + n, len - (size_t)n) &&
	    !stm32_bits_text(f4_reset_flags_power, ARRAY_LEN(f4_reset_flags_power), csr, buf + n,
			     len - (size_t)n))
		snprintf(buf + n, len - (size_t)n, "no reset flag set");
	return f4_write32(t, F4_RCC_CSR, (csr & ~F4_RCC_CSR_FLAGS) | F4_RCC_CSR_RMVF);
}

static const struct stm32_cmd f4_cmds[] = {
	{ "uid", "uid", "the chip's 96-bit unique device ID", f4_cmd_uid },
};

const struct stm32_family stm32f4_family = {
	.name = "STM32F4",
	.manual = "RM0090",
	.dbgmcu_ap = 0,
	.dbgmcu_idcode = F4_DBGMCU_IDCODE,
	.flash_size_reg = F4_FLASH_SIZE,
	.uid_base = F4_UID,
	.revs = f4_revs,
	.num_revs = ARRAY_LEN(f4_revs),
	.parts = f4_parts,
	.num_parts = ARRAY_LEN(f4_parts),
	.dbgmcu_cr = F4_DBGMCU_CR,
	.dbgmcu_cr_set = F4_DBGMCU_CR_LOWPOWER,
	.wdg_freeze_reg = F4_DBGMCU_APB1_FZ,
	.wdg_freeze_bits = F4_DBGMCU_APB1_FZ_WDG,
	/* RM0090 3.9.1: FLASH_ACR is reset by a system reset, not a core reset */
	.core_reset_keeps = "FLASH_ACR: ART caches, prefetch and wait states stay as they were; swdd "
			    "resets the caches' contents before it verifies",
	.flash_ctrl_base = F4_FLASH_BASE,
	.flash_cr = F4_FLASH_CR,
	.flash_busy_bits = F4_FLASH_SR_BSY,
	.flash_word = 1,
	.builtin_algo = "stm32f4",
	.variants = f4_variants,
	.mass_erase_ms = F4_MASS_ERASE_MS,
	.erase_times = f4_erase_times,
	.num_erase_times = sizeof(f4_erase_times) / sizeof(f4_erase_times[0]),
	.prog_max_us = F4_PROG_MAX_US,
	.rdp_level = f4_rdp_level,
	.wrp_mask = f4_wrp_mask,
	.read_status = f4_read_status,
	.unlock_rdp = stm32_option_unlock_rdp,
	.opt_regs = f4_opt_regs,
	.num_opt_regs = ARRAY_LEN(f4_opt_regs),
	.opt_fields = f4_opt_fields,
	.num_opt_fields = ARRAY_LEN(f4_opt_fields),
	.option_write = f4_option_write,
	.flush_caches = f4_flush_caches,
	.cmds = f4_cmds,
	.num_cmds = ARRAY_LEN(f4_cmds),
	.hints = f4_hints,
	.num_hints = ARRAY_LEN(f4_hints),
	.reset_cause = f4_reset_cause,
};
