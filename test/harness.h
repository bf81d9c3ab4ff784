/*
 * Minimal table-driven test harness shared by the unit tests.
 *
 * Each test binary defines a table of { name, ref, fn } and calls
 * test_main(). `ref` names the manual and section the test checks, e.g.
 * "ADIv5.2 B2.2.3" or "RM0090 3.6.4". A test function returns 0 on pass,
 * TEST_SKIP after calling test_skip_reason(), or fails through the CHECK
 * macros. The binary prints one line per test:
 *   PASS <binary>/<name>
 *   FAIL <binary>/<name>: <file>:<line>: <message>
 *   SKIP <binary>/<name>: <reason>
 * and test/run.sh counts these lines.
 */
#ifndef SWDD_TEST_HARNESS_H
#define SWDD_TEST_HARNESS_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define TEST_SKIP 77

struct test_case {
	const char *name;
	const char *ref; /* manual + section, or "" */
	int (*fn)(void);
};

extern char test_fail_msg[512];
extern char test_skip_msg[256];

static inline int test_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(test_fail_msg, sizeof(test_fail_msg), "%s:%d: ", file, line);

	va_start(ap, fmt);
	vsnprintf(test_fail_msg + n, sizeof(test_fail_msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return 1;
}

static inline int test_skip_reason(const char *why)
{
	snprintf(test_skip_msg, sizeof(test_skip_msg), "%s", why);
	return TEST_SKIP;
}

#define CHECK(cond)                                                                                          \
	do {                                                                                                 \
		if (!(cond))                                                                                 \
			return test_fail_at(__FILE__, __LINE__, "check failed: %s", #cond);                  \
	} while (0)

#define CHECK_EQ(a, b)                                                                                       \
	do {                                                                                                 \
		unsigned long long _a = (unsigned long long)(a), _b = (unsigned long long)(b);               \
		if (_a != _b)                                                                                \
			return test_fail_at(__FILE__, __LINE__, "%s == 0x%llx, expected %s == 0x%llx", #a,   \
					    _a, #b, _b);                                                     \
	} while (0)

#define CHECK_OK(expr)                                                                                       \
	do {                                                                                                 \
		long _rc = (long)(expr);                                                                     \
		if (_rc != 0)                                                                                \
			return test_fail_at(__FILE__, __LINE__, "%s returned %ld", #expr, _rc);              \
	} while (0)

#define CHECK_STR_CONTAINS(hay, needle)                                                                      \
	do {                                                                                                 \
		const char *_h = (hay);                                                                      \
		if (!_h || !strstr(_h, (needle)))                                                            \
			return test_fail_at(__FILE__, __LINE__, "\"%s\" does not contain \"%s\"",            \
					    _h ? _h : "(null)", (needle));                                   \
	} while (0)

/* Runs the table; returns the process exit status (non-zero on any failure).
 * argv[1], if given, runs only tests whose name contains it. */
int test_main(const char *suite, const struct test_case *tests, size_t n, int argc, char **argv);

#define TEST_MAIN(suite, table)                                                                              \
	int main(int argc, char **argv)                                                                      \
	{                                                                                                    \
		return test_main(suite, table, sizeof(table) / sizeof(table[0]), argc, argv);                \
	}

#endif
