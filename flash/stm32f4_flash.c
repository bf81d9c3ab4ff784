/*
 * STM32F2/F4 flash family support (RM0090 section 3: embedded flash
 * interface; RM0090 38.16.4 DBGMCU_APB1_FZ).
 */
#include "flash_family.h"

#include "swdd_err.h"
#include "target.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* RM0090 3.9: flash interface registers. */
#define STM32F4_FLASH_SR 0x40023C0Cu
#define STM32F4_FLASH_OPTKEYR 0x40023C08u
#define STM32F4_FLASH_OPTCR 0x40023C14u
#define STM32F4_FLASH_OPTCR1 0x40023C18u

/* RM0090 3.9.1 FLASH_ACR: the ART accelerator's cache enables and resets. */
#define STM32F4_FLASH_ACR 0x40023C00u
#define STM32F4_ACR_LATENCY 0x7u
#define STM32F4_ACR_PRFTEN (1u << 8)
#define STM32F4_ACR_ICEN (1u << 9)
#define STM32F4_ACR_DCEN (1u << 10)
#define STM32F4_ACR_ICRST (1u << 11)
#define STM32F4_ACR_DCRST (1u << 12)

/* RM0090 3.9.4 FLASH_SR bits. */
#define STM32F4_SR_EOP (1u << 0)
#define STM32F4_SR_OPERR (1u << 1)
#define STM32F4_SR_WRPERR (1u << 4)
#define STM32F4_SR_PGAERR (1u << 5)
#define STM32F4_SR_PGPERR (1u << 6)
#define STM32F4_SR_PGSERR (1u << 7)
#define STM32F4_SR_BSY (1u << 16)

/* RM0090 3.9.6 FLASH_OPTCR. */
#define STM32F4_OPTCR_OPTLOCK (1u << 0)
#define STM32F4_OPTCR_OPTSTRT (1u << 1)
#define STM32F4_OPTCR_RDP_SHIFT 8u
#define STM32F4_OPTCR_RDP_MASK (0xFFu << 8)
#define STM32F4_OPTCR_NWRP_SHIFT 16u
#define STM32F4_OPTCR_NWRP_MASK (0xFFFu << 16)
#define STM32F4_RDP_LEVEL0 0xAAu
#define STM32F4_RDP_LEVEL2 0xCCu

/* RM0090 3.6.2: option byte keys. */
#define STM32F4_OPTKEY1 0x08192A3Bu
#define STM32F4_OPTKEY2 0x4C5D6E7Fu

/* RM0090 38.16.4: DBGMCU_APB1_FZ, DBG_WWDG_STOP bit 11, DBG_IWDG_STOP 12. */
#define STM32F4_DBGMCU_APB1_FZ 0xE0042008u
#define STM32F4_FZ_WDG ((1u << 11) | (1u << 12))

/* Algorithm result flags (flashalgo/flm.h). */
#define FLM_ERR_TIMEOUT 0x80000000u
#define FLM_ERR_ADDRESS 0x40000000u

/* DS8626 mass erase max at x8 is 32 s; the RDP regression erases the same. */
#define STM32F4_OPT_TIMEOUT_MS 40000u

static int stm32f4_read32(struct swdd_target *t, uint32_t addr, uint32_t *v)
{
	return swdd_target_mem_read(t, addr, v, 4);
}

static int stm32f4_rdp_level(struct swdd_target *t, int *level)
{
	uint32_t optcr;
	int rc = stm32f4_read32(t, STM32F4_FLASH_OPTCR, &optcr);
	uint32_t rdp = (optcr & STM32F4_OPTCR_RDP_MASK) >> STM32F4_OPTCR_RDP_SHIFT;

	if (rc)
		return rc;
	*level = rdp == STM32F4_RDP_LEVEL0 ? 0 : rdp == STM32F4_RDP_LEVEL2 ? 2 : 1;
	return 0;
}

static int stm32f4_wrp_mask(struct swdd_target *t, uint64_t *mask)
{
	uint32_t optcr;
	int rc = stm32f4_read32(t, STM32F4_FLASH_OPTCR, &optcr);

	if (rc)
		return rc;
	/* nWRP: 1 = not protected (RM0090 3.9.6) */
	*mask = ~((optcr & STM32F4_OPTCR_NWRP_MASK) >> STM32F4_OPTCR_NWRP_SHIFT) & 0xFFFu;
	return 0;
}

static int stm32f4_read_status(struct swdd_target *t, uint32_t *sr)
{
	return stm32f4_read32(t, STM32F4_FLASH_SR, sr);
}

static const struct {
	uint32_t bit;
	const char *text;
} stm32f4_sr_names[] = {
	{ STM32F4_SR_OPERR, "OPERR (operation error)" },
	{ STM32F4_SR_WRPERR, "WRPERR (write protection error: the sector is write-protected "
			     "in the option bytes)" },
	{ STM32F4_SR_PGAERR, "PGAERR (programming alignment error)" },
	{ STM32F4_SR_PGPERR, "PGPERR (programming parallelism error: PSIZE does not match the "
			     "access width, or is above what the supply allows: x32 needs 2.7 V; "
			     "give the supply with --vdd-mv)" },
	{ STM32F4_SR_PGSERR, "PGSERR (programming sequence error)" },
	{ STM32F4_SR_BSY, "BSY (operation still in progress)" },
	{ FLM_ERR_TIMEOUT, "timeout inside the flash algorithm" },
	{ FLM_ERR_ADDRESS, "address outside the flash" },
};

static void stm32f4_decode_status(uint32_t bits, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(stm32f4_sr_names) / sizeof(stm32f4_sr_names[0]); i++) {
		if (!(bits & stm32f4_sr_names[i].bit) || n >= len)
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "",
				      stm32f4_sr_names[i].text);
	}
	if (!n)
		snprintf(buf, len, "no error bits set (SR = 0x%08X)", bits);
}

static uint64_t stm32f4_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int stm32f4_wait_not_busy(struct swdd_target *t, uint32_t timeout_ms)
{
	uint64_t deadline = stm32f4_now_ms() + timeout_ms;
	uint32_t sr;
	int rc;

	do {
		rc = stm32f4_read32(t, STM32F4_FLASH_SR, &sr);
		if (rc || !(sr & STM32F4_SR_BSY))
			return rc;
	} while (stm32f4_now_ms() < deadline);
	return swdd_err_set(SWDD_ETIMEOUT, "the option byte change did not finish within %u ms",
			    timeout_ms);
}

/* RM0090 3.6.2 / 3.7.3: unlock OPTCR, write RDP = 0xAA, OPTSTRT, wait. The
 * regression from level 1 mass-erases the flash before BSY clears. */
static int stm32f4_unlock_rdp(struct swdd_target *t)
{
	uint32_t optcr, k1 = STM32F4_OPTKEY1, k2 = STM32F4_OPTKEY2;
	int rc = stm32f4_read32(t, STM32F4_FLASH_OPTCR, &optcr);

	if (!rc && (optcr & STM32F4_OPTCR_OPTLOCK)) {
		rc = swdd_target_mem_write(t, STM32F4_FLASH_OPTKEYR, &k1, 4);
		if (!rc)
			rc = swdd_target_mem_write(t, STM32F4_FLASH_OPTKEYR, &k2, 4);
		if (!rc)
			rc = stm32f4_read32(t, STM32F4_FLASH_OPTCR, &optcr);
		if (!rc && (optcr & STM32F4_OPTCR_OPTLOCK))
			return swdd_err_set(SWDD_EPROTECTED, "the option bytes stayed locked after "
					    "the OPTKEYR sequence; reset the chip and retry");
	}
	if (rc)
		return rc;
	optcr = (optcr & ~STM32F4_OPTCR_RDP_MASK) | (STM32F4_RDP_LEVEL0 << STM32F4_OPTCR_RDP_SHIFT);
	rc = swdd_target_mem_write(t, STM32F4_FLASH_OPTCR, &optcr, 4);
	optcr |= STM32F4_OPTCR_OPTSTRT;
	if (!rc)
		rc = swdd_target_mem_write(t, STM32F4_FLASH_OPTCR, &optcr, 4);
	if (!rc)
		rc = stm32f4_wait_not_busy(t, STM32F4_OPT_TIMEOUT_MS);
	optcr = (optcr & ~STM32F4_OPTCR_OPTSTRT) | STM32F4_OPTCR_OPTLOCK;
	if (!rc)
		rc = swdd_target_mem_write(t, STM32F4_FLASH_OPTCR, &optcr, 4);
	return rc;
}

/* RM0090 3.5: the ART caches are not updated by an erase or a program, and
 * ICRST/DCRST only act while the caches are disabled. A vendor FLM need not
 * reset them (ST's Init only writes FLASH_ACR = 0, which leaves the lines
 * for the next firmware that enables the caches), so the engine does it
 * around every read of the flash: disable, reset, restore. */
static int stm32f4_flush_caches(struct swdd_target *t, char *state, size_t len)
{
	const uint32_t en = STM32F4_ACR_ICEN | STM32F4_ACR_DCEN;
	const uint32_t rst = STM32F4_ACR_ICRST | STM32F4_ACR_DCRST;
	uint32_t acr = 0, off;
	int rc = stm32f4_read32(t, STM32F4_FLASH_ACR, &acr);

	state[0] = '\0';
	if (!rc && (acr & en))
		snprintf(state, len, "FLASH_ACR 0x%08X: instruction cache %s, data cache %s, "
			 "prefetch %s, %u wait states", acr, acr & STM32F4_ACR_ICEN ? "on" : "off",
			 acr & STM32F4_ACR_DCEN ? "on" : "off", acr & STM32F4_ACR_PRFTEN ? "on" : "off",
			 acr & STM32F4_ACR_LATENCY);
	acr &= ~rst;
	off = acr & ~en;
	if (!rc && (acr & en)) /* the resets act only on disabled caches */
		rc = swdd_target_mem_write(t, STM32F4_FLASH_ACR, &off, 4);
	off |= rst;
	if (!rc)
		rc = swdd_target_mem_write(t, STM32F4_FLASH_ACR, &off, 4);
	if (!rc)
		rc = swdd_target_mem_write(t, STM32F4_FLASH_ACR, &acr, 4);
	return rc ? swdd_err_add(rc, "while resetting the flash caches (FLASH_ACR)") : 0;
}

static int stm32f4_option_text(struct swdd_target *t, char *buf, size_t len)
{
	uint32_t optcr;
	int rc = stm32f4_read32(t, STM32F4_FLASH_OPTCR, &optcr);
	uint32_t rdp = (optcr >> STM32F4_OPTCR_RDP_SHIFT) & 0xFFu;
	uint32_t nwrp = (optcr & STM32F4_OPTCR_NWRP_MASK) >> STM32F4_OPTCR_NWRP_SHIFT;

	if (rc)
		return rc;
	snprintf(buf, len,
		 "FLASH_OPTCR = 0x%08X\n"
		 "  RDP       = 0x%02X (level %d)\n"
		 "  nWRP      = 0x%03X (write-protected sectors: 0x%03X)\n"
		 "  BOR_LEV   = %u\n"
		 "  WDG_SW    = %u (%s watchdog)\n"
		 "  nRST_STOP = %u, nRST_STDBY = %u\n",
		 optcr, rdp, rdp == STM32F4_RDP_LEVEL0 ? 0 : rdp == STM32F4_RDP_LEVEL2 ? 2 : 1,
		 nwrp, ~nwrp & 0xFFFu, (optcr >> 2) & 3u, (optcr >> 5) & 1u,
		 (optcr >> 5) & 1u ? "software" : "hardware", (optcr >> 6) & 1u,
		 (optcr >> 7) & 1u);
	return 0;
}

/* REFERENCE.md 5.1 / RM0090 38.6.1: F405/407/415/417, F42x/43x, F401,
 * F411, F446, F410, F412, F413/423 share this controller. */
static const uint16_t stm32f4_dev_ids[] = { 0x413, 0x419, 0x423, 0x433, 0x431, 0x421,
					    0x458, 0x441, 0x463, 0x434, 0x411, 0 };

/* RM0090 3.6 table 7: x32 needs 2.7-3.6 V, x16 2.1-3.6 V, x8 1.8-3.6 V (x64
 * needs an external Vpp and is not offered). */
static const struct swdd_flash_variant stm32f4_variants[] = {
	{ 2700, "stm32f4", "x32 (2.7-3.6 V)" },
	{ 2100, "stm32f4_x16", "x16 (2.1-2.7 V)" },
	{ 0, "stm32f4_x8", "x8 (1.8-2.1 V)" },
};

const struct swdd_flash_family stm32f4_flash_family = {
	.name = "STM32F2/F4",
	.dev_ids = stm32f4_dev_ids,
	.builtin_algo = "stm32f4",
	.variants = stm32f4_variants,
	.dbgmcu_fz_addr = STM32F4_DBGMCU_APB1_FZ,
	.dbgmcu_fz_bits = STM32F4_FZ_WDG,
	.rdp_level = stm32f4_rdp_level,
	.wrp_mask = stm32f4_wrp_mask,
	.read_status = stm32f4_read_status,
	.decode_status = stm32f4_decode_status,
	.unlock_rdp = stm32f4_unlock_rdp,
	.flush_caches = stm32f4_flush_caches,
	.option_text = stm32f4_option_text,
};

static const struct swdd_flash_family *const flash_families[] = { &stm32f4_flash_family };

const struct swdd_flash_family *swdd_flash_family_find(uint16_t dev_id)
{
	for (size_t i = 0; i < sizeof(flash_families) / sizeof(flash_families[0]); i++)
		for (const uint16_t *id = flash_families[i]->dev_ids; *id; id++)
			if (*id == dev_id)
				return flash_families[i];
	return NULL;
}
