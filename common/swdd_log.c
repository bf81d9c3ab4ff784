/* Logging with a pluggable sink; see swdd_log.h. */
#include "swdd_log.h"

#include <stdarg.h>
#include <stdio.h>

static enum swdd_log_level log_min = SWDD_LOG_INFO;
static swdd_log_sink_fn log_sink;
static void *log_sink_ctx;

void swdd_log_set_level(enum swdd_log_level min)
{
	log_min = min;
}

void swdd_log_set_sink(swdd_log_sink_fn fn, void *ctx)
{
	log_sink = fn;
	log_sink_ctx = ctx;
}

void swdd_log(enum swdd_log_level lvl, const char *fmt, ...)
{
	static const char *const prefix[] = { "debug: ", "", "warning: ", "error: " };
	char line[1024];
	va_list ap;

	if (lvl < log_min)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "swdd: %s%s\n", prefix[lvl], line);
	if (log_sink)
		log_sink(log_sink_ctx, lvl, line);
}
