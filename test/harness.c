/* Test harness implementation; see harness.h. */
#include "harness.h"

#include <stdlib.h>

char test_fail_msg[512];
char test_skip_msg[256];

int test_main(const char *suite, const struct test_case *tests, size_t n, int argc, char **argv)
{
	int failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < n; i++) {
		const struct test_case *t = &tests[i];
		int rc;

		if (argc > 1 && !strstr(t->name, argv[1]))
			continue;
		test_fail_msg[0] = test_skip_msg[0] = '\0';
		rc = t->fn();
		if (rc == 0)
			printf("PASS %s/%s\n", suite, t->name);
		else if (rc == TEST_SKIP)
			printf("SKIP %s/%s: %s\n", suite, t->name, test_skip_msg);
		else {
			printf("FAIL %s/%s: %s [%s]\n", suite, t->name, test_fail_msg, t->ref ? t->ref : "");
			failed++;
		}
	}
	return failed ? 1 : 0;
}
