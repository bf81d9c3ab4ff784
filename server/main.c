/* swdd entry point (placeholder until the GDB server lands). */
#include <stdio.h>

int main(void)
{
	fprintf(stderr, "swdd: server not built yet\n");
	return 1;
}
