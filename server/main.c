/*
 * swdd: GDB server for STM32 over SWD. Parses the command line, opens the
 * probe, connects to the chip and serves GDB until SIGINT/SIGTERM.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app_setup.h"
#include "cli.h"
#include "cmd_flash.h"
#include "cmd_option.h"
#include "cmd_target.h"
#include "compat.h"
#include "production.h"
#include "gdb_flash.h"
#include "gdb_net.h"
#include "gdb_server.h"
#include "swdd_cancel.h"
#include "swdd_err.h"
#include "swdd_log.h"
#include "target.h"
#include "version.h"

static volatile sig_atomic_t main_stop;

/* Also ends a wait inside a flash algorithm call (common/swdd_cancel.h),
 * which can last seconds, and up to its bound for a broken algorithm. */
static void main_on_signal(int sig)
{
	(void)sig;
	main_stop = 1;
	swdd_cancel_request();
}

/* No SA_RESTART: poll() must return EINTR so the loop sees main_stop. */
static void main_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = main_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* `swdd flash` and `swdd erase`: the first SIGINT/SIGTERM asks the flash
 * algorithm wait in progress (or the next one) to give up, which halts
 * the core and names the flash state (exit 5); SA_RESETHAND makes a
 * second signal end the process at once. */
static void main_on_cli_signal(int sig)
{
	(void)sig;
	swdd_cancel_request();
}

static void main_cli_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = main_on_cli_signal;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int main_fail(int rc)
{
	fprintf(stderr, "swdd: error: %s%s%s\n", swdd_strerror(rc), *swdd_err_detail() ? ": " : "",
		swdd_err_detail());
	return 1;
}

static int main_serve(const struct cli_opts *o, const struct compat *compat)
{
	struct app a;
	struct gdb_server s;
	unsigned port;
	int lfd, rc;

	rc = app_open_probe(&a, o);
	if (rc)
		return main_fail(rc);
	rc = app_connect(&a, false, &a.target);
	if (rc) /* tried again for each GDB client */
		swdd_error("cannot connect to the chip: %s: %s", swdd_strerror(rc), swdd_err_detail());
	rc = gdb_server_init(&s, a.target, NULL, NULL);
	if (!rc)
		rc = gdb_flash_set_algo_path(&s, o->flash_algo);
	if (!rc)
		rc = gdb_flash_set_host_files(&s, o->flash_algo, o->allow_files);
	if (!rc)
		rc = gdb_flash_register(&s);
	if (!rc)
		rc = compat_monitor_register();
	if (!rc)
		rc = gdb_net_listen(o->bind, o->port, &lfd, &port);
	if (rc) {
		app_close(&a);
		gdb_flash_free(&s);
		return main_fail(rc);
	}
	a.server = &s;
	s.reconnect = app_connect;
	s.reconnect_under_reset = app_connect_under_reset;
	s.reconnect_ctx = &a;
	/* A stable interface (README "Listening banner"): IDE launchers wait
	 * for this line; the compatibility modes add the other tool's. */
	printf("swdd: listening for gdb on %s:%u\n", o->bind, port);
	fflush(stdout);
	char warn[512];
	if (cli_bind_warning(o, port, warn, sizeof(warn)))
		swdd_warn("%s", warn);
	compat_banner(compat, stdout, port);
	main_signals();
	rc = gdb_net_serve(&s, lfd, &main_stop);
	close(lfd);
	app_close(&a); /* closes the flash session while its target exists */
	gdb_flash_free(&s);
	gdb_server_free(&s);
	swdd_info("stopped");
	return rc ? main_fail(rc) : 0;
}

int main(int argc, char **argv)
{
	struct cli_opts o;
	struct compat compat;
	int rc = compat_translate(argc, argv, &compat);

	if (!rc)
		rc = cli_parse(compat.argc, compat.argv, &o);
	if (rc) {
		main_fail(rc);
		return CMD_EXIT_USAGE;
	}
	if (o.verbose)
		swdd_log_set_level(SWDD_LOG_DEBUG);
	switch (o.command) {
	case CLI_HELP:
		cli_usage_topic(stdout, o.help_topic);
		return 0;
	case CLI_VERSION:
		printf("swdd %s\n", SWDD_VERSION);
		return 0;
	case CLI_PROBES:
		return cmd_probes_main(&o);
	case CLI_RESET:
		return cmd_reset_main(&o);
	case CLI_READ:
		return cmd_read_main(&o);
	case CLI_INFO:
		return cmd_info_main(&o);
	case CLI_CHIPS:
		return cmd_chips_main(&o);
	case CLI_OPTION:
		main_cli_signals();
		return cmd_option_main(&o);
	case CLI_FLASH:
		if (production_wanted(&o))
			return production_main(&o, compat.argc, compat.argv);
		main_cli_signals();
		return cmd_flash_main(&o);
	case CLI_ERASE:
		main_cli_signals();
		return cmd_erase_main(&o);
	default:
		rc = main_serve(&o, &compat);
		compat_free(&compat);
		return rc;
	}
}
