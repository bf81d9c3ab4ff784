/*
 * The RM0090 section 4 CRC calculation unit of the simulated STM32F407,
 * driven through SWD like a debugger and by a short program the core runs
 * from SRAM. Expected values come from a bit-serial reference below (the
 * LFSR form of the CRC, not the xor-then-shift form the model uses).
 */
#include "harness.h"
#include "sim_test_util.h"

#define CRC_BASE 0x40023000u /* RM0090 2.3 table 1 */
#define CRC_DR (CRC_BASE + 0x00u)
#define CRC_IDR (CRC_BASE + 0x04u)
#define CRC_CR (CRC_BASE + 0x08u)
#define CRC_CR_RESET 0x1u
#define RCC_AHB1RSTR 0x40023810u /* RM0090 7.3.5 */
#define RCC_AHB1ENR 0x40023830u  /* RM0090 7.3.10 */
#define RCC_AHB1ENR_CCMDATARAMEN (1u << 20)
#define RCC_CRC_BIT (1u << 12) /* AHB1ENR.CRCEN, AHB1RSTR.CRCRST */
#define CSW_8_INC 0x23000050u  /* byte size, single increment */

/* CRC-32, polynomial 0x04C11DB7, one input bit at a time from the MSB. */
static uint32_t ref_word(uint32_t crc, uint32_t word)
{
	for (int i = 31; i >= 0; i--) {
		uint32_t fb = (crc >> 31) ^ ((word >> i) & 1u);

		crc <<= 1;
		if (fb)
			crc ^= 0x04C11DB7u;
	}
	return crc;
}

static uint32_t rd(sim_chip *c, uint32_t addr)
{
	uint32_t v = 0xDEADBEEFu;

	tu_mem_read32(c, addr, &v);
	return v;
}

/* A connected chip with the CRC unit clocked. */
static sim_chip *crc_chip(void)
{
	sim_chip *c = tu_connected_chip(NULL);

	if (c && tu_mem_write32(c, RCC_AHB1ENR, RCC_AHB1ENR_CCMDATARAMEN | RCC_CRC_BIT) != SIM_ACK_OK) {
		sim_chip_free(c);
		return NULL;
	}
	return c;
}

/* RM0090 4.3: each DR write combines the previous CRC with the new word;
 * a read gives the result; 4.4.1 DR starts at 0xFFFFFFFF. */
static int t_known_values(void)
{
	static const struct {
		const char *name;
		unsigned n;
		uint32_t words[4];
		uint32_t fixed; /* a published value, 0 when none */
	} rows[] = {
		{ "nothing fed", 0, { 0 }, 0xFFFFFFFFu },
		{ "one zero word", 1, { 0x00000000u }, 0 },
		{ "one 0x12345678 (ST examples)", 1, { 0x12345678u }, 0xDF8A8A2Bu },
		{ "all ones", 1, { 0xFFFFFFFFu }, 0 },
		{ "sequence", 4, { 0x00000001u, 0x80000000u, 0xA5A5A5A5u, 0x0F0F0F0Fu }, 0 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sim_chip *c = crc_chip();
		uint32_t want = 0xFFFFFFFFu;

		CHECK(c);
		for (unsigned k = 0; k < rows[i].n; k++) {
			CHECK_EQ(tu_mem_write32(c, CRC_DR, rows[i].words[k]), SIM_ACK_OK);
			want = ref_word(want, rows[i].words[k]);
		}
		if (rows[i].fixed)
			CHECK_EQ(want, rows[i].fixed); /* the reference itself */
		CHECK_EQ(rd(c, CRC_DR), want);
		sim_chip_free(c);
	}
	return 0;
}

/* RM0090 4.4.3: RESET puts DR back to 0xFFFFFFFF and clears itself;
 * 4.4.2: IDR is an 8-bit register that RESET leaves alone. */
static int t_reset_and_idr(void)
{
	sim_chip *c = crc_chip();

	CHECK(c);
	CHECK_EQ(tu_mem_write32(c, CRC_IDR, 0xAABBCCDDu), SIM_ACK_OK);
	CHECK_EQ(rd(c, CRC_IDR), 0xDDu);
	CHECK_EQ(tu_mem_write32(c, CRC_DR, 0x12345678u), SIM_ACK_OK);
	CHECK(rd(c, CRC_DR) != 0xFFFFFFFFu);
	CHECK_EQ(tu_mem_write32(c, CRC_CR, CRC_CR_RESET), SIM_ACK_OK);
	CHECK_EQ(rd(c, CRC_DR), 0xFFFFFFFFu);
	CHECK_EQ(rd(c, CRC_CR), 0);
	CHECK_EQ(rd(c, CRC_IDR), 0xDDu);
	/* CR with RESET clear does nothing */
	CHECK_EQ(tu_mem_write32(c, CRC_DR, 0u), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, CRC_CR, 0u), SIM_ACK_OK);
	CHECK_EQ(rd(c, CRC_DR), ref_word(0xFFFFFFFFu, 0u));
	sim_chip_free(c);
	return 0;
}

/* RM0090 7.3.10: CRCEN is clear after reset. Unclocked (model choice, the
 * manual is silent): writes are ignored and reads return 0, with no bus
 * error; the registers keep their values until the clock returns. */
static int t_clock_gate(void)
{
	sim_chip *c = tu_connected_chip(NULL);
	uint32_t fed = ref_word(0xFFFFFFFFu, 0x0BADF00Du);

	CHECK(c);
	CHECK_EQ(rd(c, RCC_AHB1ENR) & RCC_CRC_BIT, 0);
	CHECK_EQ(tu_mem_write32(c, CRC_DR, 0x12345678u), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, CRC_IDR, 0x55u), SIM_ACK_OK);
	CHECK_EQ(rd(c, CRC_DR), 0);
	CHECK_EQ(rd(c, CRC_IDR), 0);
	CHECK_EQ(tu_mem_write32(c, RCC_AHB1ENR, RCC_AHB1ENR_CCMDATARAMEN | RCC_CRC_BIT), SIM_ACK_OK);
	CHECK_EQ(rd(c, CRC_DR), 0xFFFFFFFFu); /* the unclocked write was lost */
	CHECK_EQ(rd(c, CRC_IDR), 0);
	CHECK_EQ(tu_mem_write32(c, CRC_DR, 0x0BADF00Du), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, RCC_AHB1ENR, RCC_AHB1ENR_CCMDATARAMEN), SIM_ACK_OK);
	CHECK_EQ(tu_mem_write32(c, CRC_CR, CRC_CR_RESET), SIM_ACK_OK); /* ignored */
	CHECK_EQ(tu_mem_write32(c, RCC_AHB1ENR, RCC_AHB1ENR_CCMDATARAMEN | RCC_CRC_BIT), SIM_ACK_OK);
	CHECK_EQ(rd(c, CRC_DR), fed);
	sim_chip_free(c);
	return 0;
}

/* RM0090 4.4 reset values after a system reset (NRST) and while
 * RCC_AHB1RSTR.CRCRST (7.3.5) holds the unit in reset. */
static int t_resets(void)
{
	static const struct {
		const char *name;
		bool nrst;
	} rows[] = {
		{ "NRST", true },
		{ "AHB1RSTR.CRCRST", false },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		sim_chip *c = crc_chip();

		CHECK(c);
		CHECK_EQ(tu_mem_write32(c, CRC_DR, 0x1u), SIM_ACK_OK);
		CHECK_EQ(tu_mem_write32(c, CRC_IDR, 0x7Eu), SIM_ACK_OK);
		if (rows[i].nrst) {
			sim_board_set_nrst(c, true);
			sim_board_set_nrst(c, false);
		} else {
			CHECK_EQ(tu_mem_write32(c, RCC_AHB1RSTR, RCC_CRC_BIT), SIM_ACK_OK);
			CHECK_EQ(tu_mem_write32(c, CRC_DR, 0x1u), SIM_ACK_OK); /* held: ignored */
			CHECK_EQ(tu_mem_write32(c, RCC_AHB1RSTR, 0), SIM_ACK_OK);
		}
		CHECK_EQ(tu_mem_write32(c, RCC_AHB1ENR, RCC_AHB1ENR_CCMDATARAMEN | RCC_CRC_BIT), SIM_ACK_OK);
		CHECK_EQ(rd(c, CRC_DR), 0xFFFFFFFFu);
		CHECK_EQ(rd(c, CRC_IDR), 0);
		sim_chip_free(c);
	}
	return 0;
}

/* RM0090 4.4: word access only. A byte store reaches the unit as its data
 * replicated on the four lanes (model choice, see sim_crc.c). Sub-word
 * reads return their lanes of DR. */
static int t_byte_access(void)
{
	sim_chip *c = crc_chip();
	uint32_t want = ref_word(0xFFFFFFFFu, 0xC1C1C1C1u), v = 0;

	CHECK(c);
	CHECK_EQ(tu_ap_write(c, TU_AP_CSW, CSW_8_INC), SIM_ACK_OK);
	CHECK_EQ(tu_ap_write(c, TU_AP_TAR, CRC_DR), SIM_ACK_OK);
	CHECK_EQ(tu_ap_write(c, TU_AP_DRW, 0xC1u), SIM_ACK_OK);
	CHECK_EQ(tu_ap_write(c, TU_AP_TAR, CRC_DR + 2), SIM_ACK_OK);
	CHECK_EQ(tu_ap_read(c, TU_AP_DRW, &v), SIM_ACK_OK);
	CHECK_EQ((v >> 16) & 0xFFu, (want >> 16) & 0xFFu);
	CHECK_EQ(tu_ap_write(c, TU_AP_CSW, TU_CSW_32_INC), SIM_ACK_OK);
	CHECK_EQ(rd(c, CRC_DR), want);
	sim_chip_free(c);
	return 0;
}

/* The core clocks the unit, feeds a word and a byte and stores DR to SRAM:
 *   ldr r0, =RCC_AHB1ENR; ldr r1, [r0]; orr r1, #0x1000; str r1, [r0]
 *   ldr r0, =CRC_DR; ldr r1, =0x12345678; str r1, [r0]; strb r1, [r0]
 *   ldr r2, [r0]; ldr r3, =0x20001000; str r2, [r3]; b . */
static int t_cpu_feed(void)
{
	static const uint32_t code[] = {
		0x68014806u, 0x5180F441u, 0x48056001u, 0x60014905u, 0x68027001u, 0x601A4B04u,
		0x0000E7FEu, RCC_AHB1ENR, CRC_DR,      0x12345678u, 0x20001000u,
	};
	uint32_t want = ref_word(ref_word(0xFFFFFFFFu, 0x12345678u), 0x78787878u);
	sim_chip *c = tu_connected_chip(NULL);

	CHECK(c);
	CHECK_OK(tu_boot_sram(c, code, sizeof(code) / sizeof(code[0])));
	sim_chip_advance(c, 20000);
	CHECK_EQ(rd(c, 0x20001000u), want);
	CHECK_EQ(rd(c, RCC_AHB1ENR) & RCC_CRC_BIT, RCC_CRC_BIT);
	sim_chip_free(c);
	return 0;
}

static const struct test_case tests[] = {
	{ "known_values", "RM0090 4.3, 4.4.1", t_known_values },
	{ "reset_and_idr", "RM0090 4.4.2, 4.4.3", t_reset_and_idr },
	{ "clock_gate", "RM0090 7.3.10 (CRCEN)", t_clock_gate },
	{ "resets", "RM0090 4.4, 7.3.5 (CRCRST)", t_resets },
	{ "byte_access", "RM0090 4.4 (word access)", t_byte_access },
	{ "cpu_feed", "RM0090 4.3", t_cpu_feed },
};

TEST_MAIN("test_sim_crc", tests)
