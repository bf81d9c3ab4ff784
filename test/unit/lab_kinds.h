/*
 * FOR_KINDS: runs a lab test body once per emulated probe kind, for the
 * lab tests with their own `struct lab` and lab_close() (target_lab_util.h,
 * flash_lab_util.h users).
 */
#ifndef SWDD_LAB_KINDS_H
#define SWDD_LAB_KINDS_H

#include "harness.h"
#include "sim_probe.h"

#include <stdio.h>
#include <string.h>

/* Runs body(&lab, kind) for each kind of kinds[] (NKINDS of them), closes
 * the lab, and names the probe kind in a failure. Needs `struct lab` and
 * lab_close() in scope. */
#define FOR_KINDS(body)                                                                                      \
	for (size_t k = 0; k < NKINDS; k++) {                                                                \
		struct lab lab;                                                                              \
		int _r = (body)(&lab, kinds[k]);                                                             \
		lab_close(&lab);                                                                             \
		if (_r) {                                                                                    \
			size_t _n = strlen(test_fail_msg);                                                   \
			snprintf(test_fail_msg + _n, sizeof(test_fail_msg) - _n, " [%s]",                    \
				 sim_probe_kind_name(kinds[k]));                                             \
			return _r;                                                                           \
		}                                                                                            \
	}                                                                                                    \
	return 0

#endif
