/*
 * A minimal ARMv7-M exception model on top of Unicorn, which has none
 * (docs/LAB-unicorn.md): fault escalation, exception entry with the basic 8-word
 * frame, exception return through EXC_RETURN, and lockup.
 *
 * ARMv7-M (DDI0403E) B1.5.6 exception entry (PushStack, ExceptionTaken),
 * B1.5.8 exception return, B1.5.14 fault escalation and the priority of
 * HardFault/NMI, B1.5.15 unrecoverable exceptions (lockup).
 *
 * Priorities: this file needs only "a fault in NMI or HardFault locks up";
 * the preemption of SysTick by group priority (B1.5.4) is sim_systick.c's.
 * Not modelled: external interrupts, tail-chaining, and the extended (FP)
 * frame: handlers are
 * entered with the basic frame and EXC_RETURN bit 4 set, which preserves the
 * FP registers as long as handlers do not use the FPU.
 */
#include "sim_core_internal.h"

#define CONTROL_SPSEL 2U
#define XPSR_ALIGN (1U << 9) /* stacked xPSR bit 9: frame was realigned */
#define XPSR_T (1U << 24)
#define LOCKUP_PC 0xFFFFFFFEU
#define SHCSR_MEMFAULTENA (1U << 16)
#define SHCSR_BUSFAULTENA (1U << 17)
#define SHCSR_USGFAULTENA (1U << 18)

static const int frame_regs[6] = { UC_ARM_REG_R0, UC_ARM_REG_R1,  UC_ARM_REG_R2,
				   UC_ARM_REG_R3, UC_ARM_REG_R12, UC_ARM_REG_LR };

/* Lockup (B1.5.15): the core stops executing, PC reads 0xFFFFFFFE, and only
 * a reset, a debug halt or NMI gets it out. */
void sim_exc_lockup(sim_chip *c)
{
	sim_core_set_reg(c, UC_ARM_REG_PC, LOCKUP_PC);
	c->core->state = SIM_CORE_LOCKUP;
}

/* Pushes R0-R3, R12, LR, return address, xPSR on the current stack, aligned
 * to 8 bytes (CCR.STKALIGN resets to 1 on the Cortex-M4). Returns false if
 * the stack is not writable (a derived fault). */
static bool push_frame(sim_chip *c, bool psp, uint32_t return_pc)
{
	uint32_t sp = sim_core_reg(c, psp ? UC_ARM_REG_PSP : UC_ARM_REG_MSP);
	uint32_t xpsr = sim_core_reg(c, UC_ARM_REG_XPSR);
	uint32_t frame[8], fp = (sp - 0x20U) & ~7U;

	for (int i = 0; i < 6; i++)
		frame[i] = sim_core_reg(c, frame_regs[i]);
	frame[6] = return_pc & ~1U;
	frame[7] = (xpsr & ~XPSR_ALIGN) | ((sp - 0x20U) & 4U ? XPSR_ALIGN : 0);
	if (uc_mem_write(c->uc, fp, frame, sizeof(frame)))
		return false;
	sim_core_set_reg(c, psp ? UC_ARM_REG_PSP : UC_ARM_REG_MSP, fp);
	return true;
}

/* ExceptionTaken: handler mode on the main stack, LR = EXC_RETURN, PC from
 * the vector table at VTOR. Returns false if the vector cannot be read. */
static bool take(sim_chip *c, uint32_t excnum, bool from_thread, bool psp)
{
	uint32_t vec;

	if (from_thread && psp) /* switch to MSP while still in thread mode */
		sim_core_set_reg(c, UC_ARM_REG_CONTROL, sim_core_reg(c, UC_ARM_REG_CONTROL) & ~CONTROL_SPSEL);
	sim_core_set_reg(c, UC_ARM_REG_IPSR, excnum);
	sim_core_set_reg(c, UC_ARM_REG_LR, !from_thread ? 0xFFFFFFF1U : psp ? 0xFFFFFFFDU : 0xFFFFFFF9U);
	if (uc_mem_read(c->uc, c->core->vtor + 4U * excnum, &vec, sizeof(vec)))
		return false;
	sim_core_set_reg(c, UC_ARM_REG_XPSR_NZCVQG, sim_core_reg(c, UC_ARM_REG_XPSR) | XPSR_T);
	sim_core_set_reg(c, UC_ARM_REG_PC, vec & ~1U);
	/* a vector without the Thumb bit faults on its first instruction */
	c->core->invstate_pending = !(vec & 1U);
	return true;
}

/* Exception entry; false if stacking or the vector fetch failed. */
static bool enter(sim_chip *c, uint32_t excnum, uint32_t return_pc)
{
	bool thread = sim_core_reg(c, UC_ARM_REG_IPSR) == 0;
	bool psp = thread && (sim_core_reg(c, UC_ARM_REG_CONTROL) & CONTROL_SPSEL);

	if (!push_frame(c, psp, return_pc)) {
		c->core->cfsr |= CFSR_STKERR;
		return false;
	}
	return take(c, excnum, thread, psp);
}

void sim_exc_enter(sim_chip *c, uint32_t excnum, uint32_t return_pc)
{
	if (!enter(c, excnum, return_pc))
		sim_exc_fault(c, EXC_HARDFAULT, 0, HFSR_FORCED, return_pc);
}

/* Is the configurable fault handler for excnum enabled (SHCSR, B3.2.13)? */
static bool fault_enabled(const sim_chip *c, uint32_t excnum)
{
	uint32_t shcsr = c->core->shcsr;

	return (excnum == EXC_MEMMANAGE && (shcsr & SHCSR_MEMFAULTENA)) ||
	       (excnum == EXC_BUSFAULT && (shcsr & SHCSR_BUSFAULTENA)) ||
	       (excnum == EXC_USAGEFAULT && (shcsr & SHCSR_USGFAULTENA));
}

/* The DEMCR vector catch bit for a fault taken as excnum (C1.6.5). */
static uint32_t vector_catch(uint32_t excnum, uint32_t cfsr)
{
	if (excnum == EXC_HARDFAULT)
		return 1U << 10; /* VC_HARDERR */
	if (excnum == EXC_MEMMANAGE)
		return 1U << 4; /* VC_MMERR */
	if (excnum == EXC_BUSFAULT)
		return 1U << 8; /* VC_BUSERR */
	if (cfsr & CFSR_NOCP)
		return 1U << 5; /* VC_NOCPERR */
	if (cfsr & CFSR_UNALIGNED)
		return 1U << 6; /* VC_CHKERR */
	return 1U << 7;         /* VC_STATERR: UNDEFINSTR, INVSTATE, INVPC */
}

/* A fault: a disabled configurable fault, or one raised at a priority that
 * cannot preempt, escalates to HardFault (B1.5.14); a fault while in
 * HardFault or NMI, or a failure to enter the handler, locks up. With the
 * matching DEMCR vector catch the core halts on the handler's first
 * instruction (DFSR.VCATCH). */
void sim_exc_fault(sim_chip *c, uint32_t excnum, uint32_t cfsr, uint32_t hfsr, uint32_t return_pc)
{
	struct sim_core *k = c->core;
	uint32_t ipsr = sim_core_reg(c, UC_ARM_REG_IPSR);

	k->cfsr |= cfsr;
	if (excnum != EXC_HARDFAULT && (!fault_enabled(c, excnum) || (ipsr >= 2 && ipsr <= 6))) {
		excnum = EXC_HARDFAULT;
		hfsr |= HFSR_FORCED;
	}
	k->hfsr |= hfsr;
	if (ipsr == EXC_NMI || ipsr == EXC_HARDFAULT) {
		sim_exc_lockup(c);
		return;
	}
	if (!enter(c, excnum, return_pc)) {
		if (excnum == EXC_HARDFAULT)
			sim_exc_lockup(c);
		else
			sim_exc_fault(c, EXC_HARDFAULT, 0, HFSR_FORCED, return_pc);
		return;
	}
	if ((k->dhcsr_ctrl & DHCSR_C_DEBUGEN) && (k->demcr & vector_catch(excnum, cfsr)))
		sim_core_halt(c, DFSR_VCATCH);
}

static bool exc_return_valid(uint32_t v)
{
	return v == 0xFFFFFFF1U || v == 0xFFFFFFF9U || v == 0xFFFFFFFDU;
}

/* Leaves handler mode: pops the frame from the stack EXC_RETURN names and
 * restores the mode and stack selection. An invalid EXC_RETURN is an
 * INVPC UsageFault (B1.5.8). */
void sim_exc_return(sim_chip *c, uint32_t exc_return)
{
	bool psp = exc_return == 0xFFFFFFFDU, thread = exc_return != 0xFFFFFFF1U;
	uint32_t frame[8], sp;

	if (!exc_return_valid(exc_return)) {
		sim_exc_fault(c, EXC_USAGEFAULT, CFSR_INVPC, 0, sim_core_reg(c, UC_ARM_REG_PC));
		return;
	}
	sp = sim_core_reg(c, psp ? UC_ARM_REG_PSP : UC_ARM_REG_MSP);
	if (uc_mem_read(c->uc, sp, frame, sizeof(frame))) {
		sim_exc_fault(c, EXC_BUSFAULT, CFSR_PRECISERR, 0, exc_return);
		return;
	}
	sp += 0x20U + ((frame[7] & XPSR_ALIGN) ? 4U : 0U);
	/* IPSR first: with SPSEL = 0 the current SP is MSP in both modes */
	sim_core_set_reg(c, UC_ARM_REG_IPSR, thread ? 0 : frame[7] & 0x1FFU);
	sim_core_set_reg(c, psp ? UC_ARM_REG_PSP : UC_ARM_REG_MSP, sp);
	if (psp)
		sim_core_set_reg(c, UC_ARM_REG_CONTROL, sim_core_reg(c, UC_ARM_REG_CONTROL) | CONTROL_SPSEL);
	for (int i = 0; i < 6; i++)
		sim_core_set_reg(c, frame_regs[i], frame[i]);
	sim_core_set_reg(c, UC_ARM_REG_XPSR_NZCVQG, (frame[7] & 0xF80F0000U) | XPSR_T);
	sim_core_set_reg(c, UC_ARM_REG_PC, frame[6]);
}
