/*
 * swdd error convention (docs/ARCHITECTURE.md, "Rules that hold across layers").
 *
 * Every function that can fail returns int: 0 on success, a negative SWDD_E*
 * code otherwise. swdd_strerror() names the code. A failing function may add
 * a human sentence (cause and fix) with swdd_err_set(); the caller that
 * reports the error to the user prints swdd_err_detail() after the code's
 * name. The detail is per thread and is overwritten by the next
 * swdd_err_set(), so report it before calling anything else that may fail.
 */
#ifndef SWDD_ERR_H
#define SWDD_ERR_H

#include <stdarg.h>

enum swdd_err {
	SWDD_OK = 0,
	SWDD_EINVAL = -1,        /* invalid argument or malformed input */
	SWDD_ENOMEM = -2,        /* out of memory */
	SWDD_ETIMEOUT = -3,      /* a wait ran out of time */
	SWDD_EIO = -4,           /* USB communication error with the probe */
	SWDD_ENODEV = -5,        /* no probe found, or it was unplugged */
	SWDD_EACCES = -6,        /* permission denied on the USB device */
	SWDD_EBUSY = -7,         /* resource in use (probe claimed, client connected) */
	SWDD_ENOTARGET = -8,     /* no ACK from the target (wiring, power, SWD off) */
	SWDD_EUNPOWERED = -9,    /* target voltage too low */
	SWDD_EFAULT = -10,       /* memory access faulted (AP FAULT / bus error) */
	SWDD_EWAIT = -11,        /* target kept answering WAIT */
	SWDD_EPROTO = -12,       /* SWD protocol or parity error */
	SWDD_EUNSUPPORTED = -13, /* not supported by this probe, firmware or core */
	SWDD_ENOTHALTED = -14,   /* core did not halt / must be halted */
	SWDD_ELOCKUP = -15,      /* core is locked up */
	SWDD_ERESET = -16,       /* reset did not happen or did not complete */
	SWDD_EFLASH = -17,       /* flash controller reported an error */
	SWDD_EVERIFY = -18,      /* read-back or CRC differs from the image */
	SWDD_EPROTECTED = -19,   /* read or write protection (RDP, WRP) */
	SWDD_EFORMAT = -20,      /* file is truncated or not in a known format */
	SWDD_ERANGE = -21,       /* address or size out of range */
	SWDD_ESTATE = -22,       /* operation not valid in the current state */
	SWDD_EPROBE = -23,       /* probe reported an error status */
	SWDD_EALGO = -24,        /* flash algorithm faulted or misbehaved */
	SWDD_ECLOSED = -25,      /* the peer closed the connection (GDB client gone) */
	SWDD_ECANCELED = -26,    /* a wait was given up on request (SIGINT/SIGTERM) */
};

/* On the public API: a caller that drops an error code does not compile.
 * Best-effort cleanup says so: `(void)f();` with the reason beside it.
 * C2x's [[nodiscard]] accepts that cast (the Makefile builds with
 * -std=gnu2x); GCC's older warn_unused_result would not, so a build in an
 * older C mode gets no check rather than false alarms. */
#if defined(__STDC_VERSION__) && __STDC_VERSION__ > 201710L
#define SWDD_MUST_CHECK [[nodiscard]]
#else
#define SWDD_MUST_CHECK
#endif

const char *swdd_strerror(int err);

/* Whether err says the probe's USB link failed (a time-out, an I/O error,
 * the probe unplugged) rather than the target: nothing that talks to the
 * target can work until the link does, so a caller that would otherwise
 * guess past a failed read ("assume no FPU") or try again slower returns
 * err instead. */
static inline int swdd_err_probe_lost(int err)
{
	return err == SWDD_EIO || err == SWDD_ENODEV;
}

/* Sets this thread's detail sentence (printf format). Returns err, so that
 * `return swdd_err_set(SWDD_EIO, "...")` reads naturally. */
int swdd_err_set(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends "; <text>" to the current detail. Returns err. */
int swdd_err_add(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The current detail ("" when none). */
const char *swdd_err_detail(void);
void swdd_err_clear(void);

#endif
