/*
 * The STM32F405/407 independent watchdog (IWDG) at 0x40003000, after
 * RM0090 (Rev 19) section 21:
 * - IWDG_KR (21.4.1): 0xCCCC starts the watchdog, which counts down from
 *   0xFFF (21.3); 0xAAAA reloads the counter from IWDG_RLR and does
 *   nothing else (a watchdog never started stays stopped); 0x5555 enables
 *   writes of IWDG_PR and IWDG_RLR (21.3.2), any other key disables them
 *   again. Once started, only a reset stops it.
 * - IWDG_PR (21.4.2): the LSI divided by 4, 8 ... 256; IWDG_RLR (21.4.3):
 *   the 12-bit reload value, 0xFFF after reset. IWDG_SR (21.4.4) reads 0:
 *   the lab applies a PR or RLR write at once (silicon takes up to five
 *   LSI periods, with PVU/RVU set meanwhile).
 * - The counter runs on the LSI, about 32 kHz (RM0090 7.2.5; DS8626 LSI
 *   characteristics: 17-47 kHz, typical 32 kHz): the model uses 32 kHz,
 *   so the reset values time out after 512 ms. While it runs the LSI is
 *   forced on (RCC_CSR.LSION, RM0090 7.3.21).
 * - Reaching 0 resets the chip (a system reset with RCC_CSR.IWDGRSTF,
 *   RM0090 7.3.21), which abandons a flash operation in progress.
 * - Hardware watchdog: with the WDG_SW option bit at 0 (RM0090 3.6.1) the
 *   watchdog starts by itself at every reset (21.3.1). The bit is read
 *   from the option bytes in effect, so programming it through
 *   FLASH_OPTCR (3.6.2) takes effect at the next reset; the lab knob
 *   hw-watchdog gives a board whose option bytes already hold it at 0.
 * - Debug: with DBGMCU_APB1_FZ.DBG_IWDG_STOP (RM0090 38.16.4) the counter
 *   stops while the core is halted. It counts whenever the core runs,
 *   whatever code it runs (a debugger's flash algorithm too).
 */
#include "sim_chip_internal.h"

#include <string.h>

#define IWDG_KR 0x00u
#define IWDG_PR 0x04u
#define IWDG_RLR 0x08u
#define IWDG_KEY_START 0xCCCCu
#define IWDG_KEY_RELOAD 0xAAAAu
#define IWDG_KEY_ACCESS 0x5555u
#define IWDG_LSI_NS 31250ull                    /* 1 / 32 kHz */
#define DBGMCU_APB1_FZ_DBG_IWDG_STOP (1u << 12) /* RM0090 38.16.4 */
#define OPT_USER_WDG_SW 0x20u                   /* RM0090 3.6.1, user option byte bit 5 */

void sim_iwdg_f4_reset(sim_chip *c, struct sim_iwdg_f4 *w)
{
	uint8_t ob[16];

	memset(w, 0, sizeof(*w));
	w->rlr = 0xFFFu;
	sim_flash_option_bytes(c, ob);
	if (!(ob[0] & OPT_USER_WDG_SW)) { /* hardware watchdog */
		w->running = true;
		w->counter = 0xFFFu;
	}
}

/* LSI time of one count at the current prescaler. */
static uint64_t count_ns(const struct sim_iwdg_f4 *w)
{
	unsigned pr = w->pr < 6 ? w->pr : 6;

	return IWDG_LSI_NS * (4ull << pr);
}

static void key_write(struct sim_iwdg_f4 *w, uint32_t key)
{
	w->access = key == IWDG_KEY_ACCESS;
	if (key == IWDG_KEY_RELOAD) {
		w->counter = w->rlr;
		w->sub_ns = 0;
	} else if (key == IWDG_KEY_START && !w->running) {
		w->running = true;
		w->counter = 0xFFFu;
		w->sub_ns = 0;
	}
}

void sim_iwdg_f4_write(struct sim_iwdg_f4 *w, uint32_t off, uint32_t val)
{
	switch (off & ~3u) {
	case IWDG_KR:
		key_write(w, val & 0xFFFFu);
		break;
	case IWDG_PR:
		if (w->access)
			w->pr = val & 7u;
		break;
	case IWDG_RLR:
		if (w->access)
			w->rlr = val & 0xFFFu;
		break;
	default:
		break;
	}
}

uint32_t sim_iwdg_f4_read(const struct sim_iwdg_f4 *w, uint32_t off)
{
	switch (off & ~3u) {
	case IWDG_PR:
		return w->pr;
	case IWDG_RLR:
		return w->rlr;
	default:
		return 0; /* KR is write-only, SR: no update pending */
	}
}

/* `dt_ns` of board time passed; true when the counter reached 0 (the
 * caller resets the chip). */
bool sim_iwdg_f4_tick(sim_chip *c, struct sim_iwdg_f4 *w, uint64_t dt_ns)
{
	uint64_t n;

	if (!w->running || sim_board_voltage_mv(c) <= 0 || sim_board_nrst_low(c))
		return false;
	if (sim_core_halted(c) && (sim_dbgmcu_apb1_fz(c) & DBGMCU_APB1_FZ_DBG_IWDG_STOP))
		return false;
	w->sub_ns += dt_ns;
	n = w->sub_ns / count_ns(w);
	w->sub_ns %= count_ns(w);
	if (n < w->counter) {
		w->counter -= (uint32_t)n;
		return false;
	}
	w->counter = 0;
	return true;
}

/* What firmware does to start a watchdog of about `ms`: the smallest
 * prescaler whose 12-bit reload covers it, then reload and start
 * (RM0090 21.3.2). */
void sim_iwdg_f4_firmware_start(struct sim_iwdg_f4 *w, uint32_t ms)
{
	uint32_t pr = 0;
	uint64_t counts;

	while (pr < 6 && (uint64_t)ms * 1000000u / (IWDG_LSI_NS * (4ull << pr)) > 0xFFFu)
		pr++;
	counts = (uint64_t)ms * 1000000u / (IWDG_LSI_NS * (4ull << pr));
	sim_iwdg_f4_write(w, IWDG_KR, IWDG_KEY_ACCESS);
	sim_iwdg_f4_write(w, IWDG_PR, pr);
	sim_iwdg_f4_write(w, IWDG_RLR, counts ? (uint32_t)(counts > 0xFFFu ? 0xFFFu : counts) : 1u);
	sim_iwdg_f4_write(w, IWDG_KR, IWDG_KEY_RELOAD);
	sim_iwdg_f4_write(w, IWDG_KR, IWDG_KEY_START);
	sim_iwdg_f4_write(w, IWDG_KR, IWDG_KEY_RELOAD); /* from RLR, not 0xFFF */
}
