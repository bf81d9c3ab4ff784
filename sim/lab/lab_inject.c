/*
 * --inject FAULT@TRIGGER: a fault injected once, at a chosen moment, into
 * board 1 (the first --probe) while a client works (docs/LAB-USB.md).
 *
 * Triggers, checked after every transfer of the board's probe (so the
 * fault lands between two USB transfers, where a real one would be seen):
 *   erase:N    the chip has started its Nth sector erase (counted from the
 *              lab's start, sim_chip_stats.sector_erases)
 *   program:N  the chip has performed its Nth program operation
 *   xfer:N     the probe has completed its Nth USB transfer
 * Faults:
 *   stall:MS   the probe completes no transfer for MS ms of wall time: the
 *              host's URBs stay pending (a NAKing, hung probe), so the
 *              host's own USB time-outs fire; then it works again
 *   unplug     the device leaves the bus: its pending URBs complete with
 *              -ESHUTDOWN and every later usbfs ioctl fails with ENODEV (as
 *              Linux usbfs does after a disconnect), and it is removed from
 *              the testbed (sysfs and node), so a rescan no longer finds it
 *   power-off  the target supply is cut (sim_board_power_off): a running
 *              erase or program is abandoned, SWD gets no answer
 *   watchdog[:MS]  the firmware's independent watchdog is running with MS
 *              ms left (default 10; sim_board_watchdog_start, STM32F407
 *              only): it counts whenever the core is not halted with
 *              DBG_IWDG_STOP set, so a flash algorithm running on the core
 *              (during the Nth erase, with erase:N) lets it expire: a
 *              system reset (RCC_CSR.IWDGRSTF) abandons the erase
 *   freeze:MS  the lab answers no ioctl for MS ms, as when the swdd-lab
 *              process is stopped (SIGSTOP): the client blocks inside the
 *              ioctl, which real usbfs never does; it shows what swdd says
 *              when a whole poll takes that long (host suspended, stopped)
 * The chip's clock does not move during a stall (no transfer runs).
 */
#include "lab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct lab_inject lab_inj;

static const char *const trig_names[] = { "erase", "program", "xfer" };

static int parse_fault(const char *s, size_t n)
{
	char *end;

	if (n == 6 && !strncmp(s, "unplug", n))
		lab_inj.fault = LAB_INJ_UNPLUG;
	else if (n == 9 && !strncmp(s, "power-off", n))
		lab_inj.fault = LAB_INJ_POWER_OFF;
	else if (n >= 8 && !strncmp(s, "watchdog", 8) && (n == 8 || s[8] == ':')) {
		lab_inj.fault = LAB_INJ_WATCHDOG;
		lab_inj.watchdog_ms = 10;
		if (n > 8)
			lab_inj.watchdog_ms = strtoul(s + 9, &end, 10);
		if (n > 8 && (end != s + n || !lab_inj.watchdog_ms || lab_inj.watchdog_ms > 30000))
			return -1;
	} else if ((n > 6 && !strncmp(s, "stall:", 6)) || (n > 7 && !strncmp(s, "freeze:", 7))) {
		lab_inj.fault = s[0] == 's' ? LAB_INJ_STALL : LAB_INJ_FREEZE;
		lab_inj.stall_ms = strtoul(strchr(s, ':') + 1, &end, 10);
		if (end != s + n || !lab_inj.stall_ms || lab_inj.stall_ms > 600000)
			return -1;
	} else
		return -1;
	return 0;
}

int lab_inject_parse(const char *arg)
{
	const char *at = strchr(arg, '@'), *colon = at ? strchr(at, ':') : NULL;
	char *end;

	if (!at || !colon || parse_fault(arg, (size_t)(at - arg)))
		goto bad;
	for (lab_inj.trig = 0; lab_inj.trig < G_N_ELEMENTS(trig_names); lab_inj.trig++)
		if ((size_t)(colon - at - 1) == strlen(trig_names[lab_inj.trig]) &&
		    !strncmp(at + 1, trig_names[lab_inj.trig], (size_t)(colon - at - 1)))
			break;
	lab_inj.n = strtoull(colon + 1, &end, 10);
	if (lab_inj.trig >= G_N_ELEMENTS(trig_names) || *end || !lab_inj.n)
		goto bad;
	lab_inj.armed = true;
	return 0;
bad:
	fprintf(stderr,
		"swdd-lab: --inject %s: expected FAULT@TRIGGER:N with FAULT stall:MS, freeze:MS, "
		"unplug, power-off or watchdog[:MS] and TRIGGER erase, program or xfer (N from 1)\n",
		arg);
	return -1;
}

/* Under lab.sim_lock, after each transfer of d: fires the fault once its
 * trigger is reached. Returns what the lab thread must do outside the
 * locks (LAB_INJ_NONE: nothing). */
enum lab_inj_fault lab_inject_check(struct lab_dev *d)
{
	struct sim_chip_stats st;
	uint64_t now;

	if (!lab_inj.armed || d->index != 0)
		return LAB_INJ_NONE;
	d->xfers++;
	sim_chip_get_stats(d->chip, &st);
	now = lab_inj.trig == LAB_TRIG_ERASE     ? st.sector_erases
	      : lab_inj.trig == LAB_TRIG_PROGRAM ? st.program_ops
						 : d->xfers;
	if (now < lab_inj.n)
		return LAB_INJ_NONE;
	lab_inj.armed = false;
	fprintf(stderr, "swdd-lab: injecting %s at %s %llu (transfer %llu, chip time %.3f s)\n",
		lab_inj.fault == LAB_INJ_STALL      ? "a USB stall"
		: lab_inj.fault == LAB_INJ_UNPLUG   ? "an unplug"
		: lab_inj.fault == LAB_INJ_FREEZE   ? "a freeze"
		: lab_inj.fault == LAB_INJ_WATCHDOG ? "a running watchdog"
						    : "a power cut",
		trig_names[lab_inj.trig], (unsigned long long)now, (unsigned long long)d->xfers,
		(double)sim_chip_now_ns(d->chip) / 1e9);
	if (lab_inj.fault == LAB_INJ_POWER_OFF)
		sim_board_power_off(d->chip);
	if (lab_inj.fault == LAB_INJ_WATCHDOG && sim_board_watchdog_start(d->chip, lab_inj.watchdog_ms))
		fprintf(stderr, "swdd-lab: this chip has no watchdog the lab can start (STM32F407 only)\n");
	return lab_inj.fault;
}

/* Under lab.lock: the device leaves the bus. */
static void unplug(struct lab_dev *d)
{
	d->unplugged = true;
	for (struct lab_client *cl = lab.clients; cl; cl = cl->next) {
		if (cl->dev != d || cl->gone)
			continue;
		for (struct lab_job *j = cl->jobs; j; j = j->next)
			if (j->kind == LAB_JOB_URB && j->state == LAB_JOB_QUEUED) {
				j->state = LAB_JOB_DONE;
				j->status = -ESHUTDOWN;
				j->actual = 0;
			}
		lab_usbfs_wake_reaper(cl);
	}
	lab_dev_update_pipes(d);
}

/* On the lab thread, no lock held: carries out what lab_inject_check
 * returned. */
void lab_inject_apply(struct lab_dev *d, enum lab_inj_fault f)
{
	char syspath[128];

	if (f == LAB_INJ_STALL) {
		g_usleep((gulong)lab_inj.stall_ms * 1000u);
		fprintf(stderr, "swdd-lab: the USB stall of %u ms is over\n", lab_inj.stall_ms);
	} else if (f == LAB_INJ_FREEZE) {
		g_mutex_lock(&lab.lock); /* every ioctl handler waits for it */
		g_usleep((gulong)lab_inj.stall_ms * 1000u);
		g_mutex_unlock(&lab.lock);
		fprintf(stderr, "swdd-lab: the freeze of %u ms is over\n", lab_inj.stall_ms);
	} else if (f == LAB_INJ_UNPLUG) {
		g_mutex_lock(&lab.lock);
		unplug(d);
		g_mutex_unlock(&lab.lock);
		snprintf(syspath, sizeof(syspath), "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-%d",
			 d->index + 1);
		if (!lab_inj.keep_node)
			umockdev_testbed_remove_device(lab.tb, syspath);
	}
}
