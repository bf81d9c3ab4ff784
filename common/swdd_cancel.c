/* See swdd_cancel.h. */
#include "swdd_cancel.h"

#include <signal.h>

static volatile sig_atomic_t cancel_flag;

void swdd_cancel_request(void)
{
	cancel_flag = 1;
}

bool swdd_cancel_requested(void)
{
	return cancel_flag != 0;
}

void swdd_cancel_clear(void)
{
	cancel_flag = 0;
}
