/*
 * SysTick and the pending system exceptions (PendSV, SysTick) of the
 * simulated Cortex-M4, so that firmware built on a tick (HAL_Delay, RTOS
 * schedulers) runs in the lab. External interrupts are not modelled: no
 * simulated peripheral raises one.
 *
 * ARMv7-M (DDI0403E) B3.3 SysTick: a 24-bit down-counter clocked by the
 * processor clock (CLKSOURCE = 1) or the implementation's reference clock
 * (RM0090 6.2: HCLK/8 on the STM32F4); reaching 0 sets COUNTFLAG and, with
 * TICKINT, pends SysTick; the next tick reloads from LOAD; LOAD = 0 stops
 * it. It does not count while the processor is halted in Debug state.
 * B1.5.4 priorities: an exception preempts when its group priority is
 * higher (numerically lower) than the current execution priority, which
 * PRIMASK, FAULTMASK and BASEPRI raise. DHCSR.C_MASKINTS masks PendSV,
 * SysTick and interrupts (C1.6.2). A pending exception wakes WFI (B1.5.19).
 */
#include "sim_core_internal.h"

#define ST_CTRL 0
#define ST_LOAD 1
#define ST_VAL 2
#define ST_ENABLE 1U
#define ST_TICKINT 2U
#define ST_CLKSOURCE 4U
#define ST_COUNTFLAG (1U << 16)
#define ST_REF_DIV 8U /* RM0090 6.2: SysTick reference clock = HCLK / 8 */
#define EXC_PENDSV 14U
#define EXC_SYSTICK 15U
#define ICSR_PENDSVSET (1U << 28)
#define ICSR_PENDSVCLR (1U << 27)
#define ICSR_PENDSTSET (1U << 26)
#define ICSR_PENDSTCLR (1U << 25)
#define PRIO_THREAD 256

static uint64_t st_div(const struct sim_core *k)
{
	return (k->systick[ST_CTRL] & ST_CLKSOURCE) ? 1 : ST_REF_DIV;
}

static bool st_running(const struct sim_core *k)
{
	return (k->systick[ST_CTRL] & ST_ENABLE) && (k->systick[ST_VAL] || k->systick[ST_LOAD]);
}

/* Core cycles until the counter next reaches 0 (UINT64_MAX if never). */
uint64_t sim_systick_cycles_to_event(const sim_chip *c)
{
	const struct sim_core *k = c->core;
	uint64_t ticks;

	if (!st_running(k))
		return UINT64_MAX;
	ticks = k->systick[ST_VAL] ? k->systick[ST_VAL] : (uint64_t)k->systick[ST_LOAD] + 1;
	return ticks * st_div(k) - k->systick_sub;
}

static void st_zero(struct sim_core *k)
{
	k->systick[ST_CTRL] |= ST_COUNTFLAG;
	if (k->systick[ST_CTRL] & ST_TICKINT)
		k->pending |= 1U << EXC_SYSTICK;
}

/* `cycles` core cycles passed outside Debug state. */
void sim_systick_advance(sim_chip *c, uint64_t cycles)
{
	struct sim_core *k = c->core;
	uint64_t ticks;

	if (!(k->systick[ST_CTRL] & ST_ENABLE))
		return;
	ticks = (k->systick_sub + cycles) / st_div(k);
	k->systick_sub = (k->systick_sub + cycles) % st_div(k);
	while (ticks && st_running(k)) {
		uint64_t step;

		if (!k->systick[ST_VAL]) { /* the tick after 0 reloads */
			k->systick[ST_VAL] = k->systick[ST_LOAD];
			ticks--;
			continue;
		}
		step = ticks < k->systick[ST_VAL] ? ticks : k->systick[ST_VAL];
		k->systick[ST_VAL] -= (uint32_t)step;
		ticks -= step;
		if (!k->systick[ST_VAL])
			st_zero(k);
		if (ticks > 2U * ((uint64_t)k->systick[ST_LOAD] + 1)) /* skip whole periods */
			ticks %= (uint64_t)k->systick[ST_LOAD] + 1;
	}
}

/* SYST_CSR/RVR/CVR (B3.3.3-B3.3.5): COUNTFLAG clears on read and on any
 * write to CVR, which also clears the counter. */
bool sim_systick_read(sim_chip *c, uint32_t addr, uint32_t *v)
{
	struct sim_core *k = c->core;

	switch (addr) {
	case 0xE000E010U:
		*v = k->systick[ST_CTRL];
		k->systick[ST_CTRL] &= ~ST_COUNTFLAG;
		return true;
	case 0xE000E014U:
		*v = k->systick[ST_LOAD];
		return true;
	case 0xE000E018U:
		*v = k->systick[ST_VAL];
		return true;
	case 0xE000E01CU:
		*v = 0x40000000U;
		return true; /* CALIB: SKEW, no TENMS */
	default:
		return false;
	}
}

bool sim_systick_write(sim_chip *c, uint32_t addr, uint32_t v)
{
	struct sim_core *k = c->core;

	switch (addr) {
	case 0xE000E010U:
		k->systick[ST_CTRL] = (k->systick[ST_CTRL] & ST_COUNTFLAG) | (v & 7U);
		return true;
	case 0xE000E014U:
		k->systick[ST_LOAD] = v & 0xFFFFFFU;
		return true;
	case 0xE000E018U:
		k->systick[ST_VAL] = 0;
		k->systick[ST_CTRL] &= ~ST_COUNTFLAG;
		return true;
	default:
		return false;
	}
}

/* ICSR (B3.2.4): VECTACTIVE, VECTPENDING and the PendSV/SysTick set and
 * clear bits. The write returns true if an exception became pending. */
uint32_t sim_icsr_read(sim_chip *c)
{
	struct sim_core *k = c->core;
	uint32_t v = sim_core_reg(c, UC_ARM_REG_IPSR) & 0x1FFU;
	uint32_t pend = (k->pending >> EXC_SYSTICK) & 1U  ? EXC_SYSTICK
			: (k->pending >> EXC_PENDSV) & 1U ? EXC_PENDSV
							  : 0;

	v |= pend << 12;
	if (k->pending & (1U << EXC_PENDSV))
		v |= ICSR_PENDSVSET;
	if (k->pending & (1U << EXC_SYSTICK))
		v |= ICSR_PENDSTSET;
	return v;
}

bool sim_icsr_write(sim_chip *c, uint32_t v)
{
	struct sim_core *k = c->core;
	uint32_t before = k->pending;

	if (v & ICSR_PENDSVCLR)
		k->pending &= ~(1U << EXC_PENDSV);
	if (v & ICSR_PENDSTCLR)
		k->pending &= ~(1U << EXC_SYSTICK);
	if (v & ICSR_PENDSVSET)
		k->pending |= 1U << EXC_PENDSV;
	if (v & ICSR_PENDSTSET)
		k->pending |= 1U << EXC_SYSTICK;
	return k->pending & ~before;
}

/* Group priority of a system exception (SHPR1-3 bytes, B3.2.10-12); the
 * subpriority bits below PRIGROUP do not take part in preemption. */
static int exc_priority(const struct sim_core *k, uint32_t n)
{
	uint32_t group = ~((2U << (k->aircr_prigroup >> 8)) - 1U) & 0xFFU;

	if (n == EXC_NMI)
		return -2;
	if (n == EXC_HARDFAULT)
		return -1;
	if (n >= 4 && n <= 15)
		return (int)(((k->shpr[(n - 4) / 4] >> (8 * (n % 4))) & 0xFFU) & group);
	return 0; /* interrupts are not modelled */
}

/* Current execution priority (B1.5.4 ExecutionPriority). */
static int exec_priority(sim_chip *c, bool with_primask)
{
	struct sim_core *k = c->core;
	uint32_t ipsr = sim_core_reg(c, UC_ARM_REG_IPSR) & 0x1FFU;
	int p = ipsr ? exc_priority(k, ipsr) : PRIO_THREAD;
	uint32_t basepri = sim_core_reg(c, UC_ARM_REG_BASEPRI) & 0xF0U;

	if (basepri && (int)basepri < p)
		p = (int)basepri;
	if (with_primask && (sim_core_reg(c, UC_ARM_REG_PRIMASK) & 1U) && p > 0)
		p = 0;
	if ((sim_core_reg(c, UC_ARM_REG_FAULTMASK) & 1U) && p > -1)
		p = -1;
	return p;
}

/* The pending exception that would be taken now, or 0. On equal priority
 * the lower exception number goes first (B1.5.4): PendSV before SysTick. */
static uint32_t pending_winner(sim_chip *c, bool with_primask)
{
	struct sim_core *k = c->core;
	uint32_t best = 0;
	int best_p = PRIO_THREAD;

	for (uint32_t n = EXC_PENDSV; n <= EXC_SYSTICK; n++) {
		if ((k->pending & (1U << n)) && exc_priority(k, n) < best_p) {
			best = n;
			best_p = exc_priority(k, n);
		}
	}
	if (!best || (k->dhcsr_ctrl & DHCSR_C_MASKINTS) || best_p >= exec_priority(c, with_primask))
		return 0;
	return best;
}

/* Takes the winning pending exception, if any. A pending exception that
 * would preempt with PRIMASK clear wakes WFI (B1.5.19), except under the
 * sleep knob, whose firmware sleeps for good. Called between slices. */
bool sim_exc_take_pending(sim_chip *c)
{
	struct sim_core *k = c->core;
	uint32_t n;

	if (!k->pending)
		return false;
	if (k->state == SIM_CORE_SLEEPING && pending_winner(c, false) &&
	    !(k->knob_fired && (c->cfg.faults & SIM_FAULT_SLEEP)))
		k->state = SIM_CORE_RUNNING;
	if (k->state != SIM_CORE_RUNNING)
		return false;
	n = pending_winner(c, true);
	if (!n)
		return false;
	k->pending &= ~(1U << n);
	sim_exc_enter(c, n, sim_core_reg(c, UC_ARM_REG_PC) & ~1U);
	return true;
}
