/*
 * Logging. Messages go to stderr by default; the GDB server installs a sink
 * that also forwards them to the GDB console (O packets) while a client is
 * attached. Level SWDD_LOG_INFO and above are shown by default, DEBUG with -v.
 */
#ifndef SWDD_LOG_H
#define SWDD_LOG_H

enum swdd_log_level { SWDD_LOG_DEBUG, SWDD_LOG_INFO, SWDD_LOG_WARN, SWDD_LOG_ERROR };

/* A sink receives each formatted line (no trailing newline). It is called
 * from the thread that logs; it must not log itself. */
typedef void (*swdd_log_sink_fn)(void *ctx, enum swdd_log_level lvl, const char *line);

void swdd_log_set_level(enum swdd_log_level min);
void swdd_log_set_sink(swdd_log_sink_fn fn, void *ctx);
void swdd_log(enum swdd_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define swdd_debug(...) swdd_log(SWDD_LOG_DEBUG, __VA_ARGS__)
#define swdd_info(...) swdd_log(SWDD_LOG_INFO, __VA_ARGS__)
#define swdd_warn(...) swdd_log(SWDD_LOG_WARN, __VA_ARGS__)
#define swdd_error(...) swdd_log(SWDD_LOG_ERROR, __VA_ARGS__)

#endif
