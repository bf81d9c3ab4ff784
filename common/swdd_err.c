/* Error names and per-thread detail text; see swdd_err.h. */
#include "swdd_err.h"

#include <stdio.h>
#include <string.h>

static _Thread_local char err_detail[1024];

static const struct {
	int code;
	const char *text;
} err_names[] = {
	{ SWDD_OK, "success" },
	{ SWDD_EINVAL, "invalid argument" },
	{ SWDD_ENOMEM, "out of memory" },
	{ SWDD_ETIMEOUT, "timed out" },
	{ SWDD_EIO, "USB communication error with the probe" },
	{ SWDD_ENODEV, "probe not found or unplugged" },
	{ SWDD_EACCES, "permission denied on the USB device" },
	{ SWDD_EBUSY, "busy" },
	{ SWDD_ENOTARGET, "no target answered" },
	{ SWDD_EUNPOWERED, "target not powered" },
	{ SWDD_EFAULT, "memory access fault" },
	{ SWDD_EWAIT, "target kept answering WAIT" },
	{ SWDD_EPROTO, "SWD protocol error" },
	{ SWDD_EUNSUPPORTED, "not supported" },
	{ SWDD_ENOTHALTED, "core not halted" },
	{ SWDD_ELOCKUP, "core locked up" },
	{ SWDD_ERESET, "reset failed" },
	{ SWDD_EFLASH, "flash operation failed" },
	{ SWDD_EVERIFY, "verify failed" },
	{ SWDD_EPROTECTED, "memory is protected" },
	{ SWDD_EFORMAT, "bad file format" },
	{ SWDD_ERANGE, "address out of range" },
	{ SWDD_ESTATE, "not possible in the current state" },
	{ SWDD_EPROBE, "probe reported an error" },
	{ SWDD_EALGO, "flash algorithm failed" },
	{ SWDD_ECLOSED, "connection closed" },
	{ SWDD_ECANCELED, "interrupted" },
};

const char *swdd_strerror(int err)
{
	for (size_t i = 0; i < sizeof(err_names) / sizeof(err_names[0]); i++)
		if (err_names[i].code == err)
			return err_names[i].text;
	return "unknown error";
}

int swdd_err_set(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_detail, sizeof(err_detail), fmt, ap);
	va_end(ap);
	return err;
}

int swdd_err_add(int err, const char *fmt, ...)
{
	size_t n = strlen(err_detail);
	va_list ap;

	if (n && n + 2 < sizeof(err_detail)) {
		memcpy(err_detail + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(err_detail + n, sizeof(err_detail) - n, fmt, ap);
	va_end(ap);
	return err;
}

const char *swdd_err_detail(void)
{
	return err_detail;
}

void swdd_err_clear(void)
{
	err_detail[0] = '\0';
}
