/*
 * swdd-lab [options] -- CMD ARGS...
 *
 * Presents emulated probes (sim_probe.h), each wired to its own simulated
 * chip (sim.h), as USB devices under a umockdev testbed, and runs CMD with
 * umockdev's preload library so that unmodified libusb/hidapi programs
 * (OpenOCD, stlink-tools, swdd) see them. CMD runs in its own process group
 * under a limit counted in progress, not in the host's time (wait_child);
 * the group is killed and the testbed removed at the end, also on
 * SIGINT/SIGTERM/SIGHUP.
 *
 * The child also gets SWDD_LAB_PROBES="kind:serial,kind:serial..." naming
 * the probes present, in bus order.
 */
#define _GNU_SOURCE
#include "lab.h"

#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct lab_opts {
	struct sim_config cfg;
	const char *board_faults[LAB_MAX_DEVS]; /* --board-fault: this board's knobs */
	struct sim_probe_config probes[LAB_MAX_DEVS];
	char *serials[LAB_MAX_DEVS];
	int nprobes;
	const char *image;
	const char *stats;
	double timeout_s;
	int node_mode; /* --node-mode, -1 = left as created */
	char **cmd;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: swdd-lab [options] -- CMD ARGS...\n"
		   "  --probe KIND[:SERIAL]  add an emulated probe (repeatable): stlink-v2,\n"
		   "                         stlink-v21, stlink-v3, cmsis-dap-v1, cmsis-dap-v2\n"
		   "                         (default: one stlink-v2); each gets its own chip\n"
		   "  --chip NAME            simulated chip (stm32f407, stm32h743, stm32h725)\n"
		   "  --fault NAME[,NAME]    lab fault knobs (see sim.h), e.g. wrp:2 or\n"
		   "                         hw-watchdog (F407 option bytes with WDG_SW = 0)\n"
		   "  --board-fault N:NAME[,NAME]  knobs for board N only (1 = first --probe)\n"
		   "  --image FILE           raw .bin (at 0x08000000) or ELF preloaded into flash\n"
		   "  --inject FAULT@TRIGGER:N  one fault on board 1: FAULT stall:MS, freeze:MS,\n"
		   "                         unplug, power-off or watchdog[:MS]; TRIGGER\n"
		   "                         erase:N, program:N or xfer:N\n"
		   "  --timeout SEC          kill CMD once a chip's clock passed SEC s, or after SEC s\n"
		   "                         of wall time without a USB transfer (default 300)\n"
		   "  --stats FILE           write the lab's statistics as JSON at exit\n"
		   "  --host-idle MS         let the chip run through the host's pauses between\n"
		   "                         transfers, up to MS ms per pause (default 0: the\n"
		   "                         chip's clock moves with bus traffic only)\n"
		   "  --host-idle-net        count each such pause less the emulation's own\n"
		   "                         cost of a transfer (umockdev's and the lab's: the\n"
		   "                         median pause between a command's OUT and its IN)\n"
		   "  --node-mode MODE       octal permissions of the probes' device nodes\n"
		   "                         (/dev/bus/usb/001/NNN, /dev/hidrawN); also opens\n"
		   "                         the testbed to other users, so that CMD may drop\n"
		   "                         root (setpriv) and meet those permissions\n"
		   "  -v, --verbose          log USB traffic to stderr\n");
}

static int parse_probe(struct lab_opts *o, const char *arg)
{
	char *kind = g_strdup(arg), *colon = strchr(kind, ':');
	struct sim_probe_config *pc = &o->probes[o->nprobes];

	if (o->nprobes >= LAB_MAX_DEVS) {
		fprintf(stderr, "swdd-lab: at most %d probes\n", LAB_MAX_DEVS);
		g_free(kind);
		return -1;
	}
	if (colon)
		*colon++ = '\0';
	memset(pc, 0, sizeof(*pc));
	if (sim_probe_kind_parse(kind, &pc->kind)) {
		fprintf(stderr,
			"swdd-lab: unknown probe kind '%s' (stlink-v2, stlink-v21, "
			"stlink-v3, cmsis-dap-v1, cmsis-dap-v2)\n",
			kind);
		g_free(kind);
		return -1;
	}
	for (const char *c = colon; c && *c; c++) {
		if (*c < 0x21 || *c > 0x7e || *c == '"' || *c == '\\' || *c == ',') {
			fprintf(stderr,
				"swdd-lab: serial '%s': use printable ASCII without "
				"quotes, backslashes or commas\n",
				colon);
			g_free(kind);
			return -1;
		}
	}
	o->serials[o->nprobes] = colon && *colon ? g_strdup(colon) : NULL;
	pc->serial = o->serials[o->nprobes];
	o->nprobes++;
	g_free(kind);
	return 0;
}

static int parse_fault(struct lab_opts *o, const char *arg)
{
	char err[256];

	if (sim_config_parse_faults(&o->cfg, arg, err, sizeof(err))) {
		fprintf(stderr, "swdd-lab: --fault %s: %s\n", arg, err);
		return -1;
	}
	return 0;
}

/* --board-fault N:NAME[,NAME]: knobs for board N (1 = the first --probe)
 * only, on top of the --fault knobs every board has. */
static int parse_board_fault(struct lab_opts *o, const char *arg)
{
	char *end, err[256];
	long n = strtol(arg, &end, 10);
	struct sim_config scratch;

	if (end == arg || *end != ':' || n < 1 || n > LAB_MAX_DEVS || o->board_faults[n - 1]) {
		fprintf(stderr,
			"swdd-lab: --board-fault takes N:NAME[,NAME] with N from 1 to %d, "
			"once per board, not '%s'\n",
			LAB_MAX_DEVS, arg);
		return -1;
	}
	memset(&scratch, 0, sizeof(scratch));
	if (sim_config_parse_faults(&scratch, end + 1, err, sizeof(err))) {
		fprintf(stderr, "swdd-lab: --board-fault %s: %s\n", arg, err);
		return -1;
	}
	o->board_faults[n - 1] = end + 1;
	return 0;
}

static int parse_option(struct lab_opts *o, int opt, const char *arg)
{
	char *end;
	double ms;
	long mode;

	switch (opt) {
	case 'p':
		return parse_probe(o, arg);
	case 'c':
		o->cfg.chip = arg;
		return 0;
	case 'f':
		return parse_fault(o, arg);
	case 'B':
		return parse_board_fault(o, arg);
	case 'i':
		o->image = arg;
		return 0;
	case 'J':
		return lab_inject_parse(arg);
	case 's':
		o->stats = arg;
		return 0;
	case 'v':
		lab.verbose = true;
		return 0;
	case 'I':
		ms = strtod(arg, &end);
		if (*end || ms < 0 || ms > 10000) {
			fprintf(stderr, "swdd-lab: --host-idle needs 0..10000 ms\n");
			return -1;
		}
		lab.idle_cap_ns = (uint64_t)(ms * 1e6);
		return 0;
	case 'N':
		lab.idle_net = true;
		return 0;
	case 't':
		o->timeout_s = strtod(arg, &end);
		if (*end || o->timeout_s <= 0) {
			fprintf(stderr, "swdd-lab: --timeout needs a positive number of seconds\n");
			return -1;
		}
		return 0;
	case 'm':
		mode = strtol(arg, &end, 8);
		if (!*arg || *end || mode < 0 || mode > 0777) {
			fprintf(stderr, "swdd-lab: --node-mode needs an octal mode 000..777\n");
			return -1;
		}
		o->node_mode = (int)mode;
		return 0;
	case 'h':
		usage(stdout);
		exit(0);
	default:
		usage(stderr);
		return -1;
	}
}

static int parse_args(struct lab_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "probe", required_argument, NULL, 'p' },
		{ "chip", required_argument, NULL, 'c' },
		{ "fault", required_argument, NULL, 'f' },
		{ "image", required_argument, NULL, 'i' },
		{ "board-fault", required_argument, NULL, 'B' },
		{ "inject", required_argument, NULL, 'J' },
		{ "timeout", required_argument, NULL, 't' },
		{ "stats", required_argument, NULL, 's' },
		{ "host-idle", required_argument, NULL, 'I' },
		{ "host-idle-net", no_argument, NULL, 'N' },
		{ "node-mode", required_argument, NULL, 'm' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	o->timeout_s = 300;
	o->node_mode = -1;
	while ((opt = getopt_long(argc, argv, "+vh", longopts, NULL)) != -1)
		if (parse_option(o, opt, optarg))
			return -1;
	if (optind >= argc) {
		fprintf(stderr, "swdd-lab: no command given (swdd-lab [options] -- CMD ARGS...)\n");
		return -1;
	}
	o->cmd = argv + optind;
	if (!o->nprobes && parse_probe(o, "stlink-v2"))
		return -1;
	for (int i = o->nprobes; i < LAB_MAX_DEVS; i++)
		if (o->board_faults[i]) {
			fprintf(stderr, "swdd-lab: --board-fault %d: there are only %d boards\n", i + 1,
				o->nprobes);
			return -1;
		}
	return 0;
}

/* ---- lab set-up --------------------------------------------------------- */

static int create_dev(struct lab_opts *o, int i)
{
	struct lab_dev *d = &lab.devs[i];
	struct sim_config cfg = o->cfg;
	char err[256] = "";

	d->index = i;
	d->usb_pipe = d->hidraw_pipe = -1;
	cfg.board = (unsigned)i; /* each board its own unique ID */
	if (o->board_faults[i])  /* checked by parse_board_fault */
		(void)sim_config_parse_faults(&cfg, o->board_faults[i], err, sizeof(err));
	if (sim_chip_new(&cfg, &d->chip, err, sizeof(err))) {
		fprintf(stderr, "swdd-lab: cannot create the chip: %s\n", err);
		return -1;
	}
	if (o->image && lab_image_load(d->chip, o->image))
		return -1;
	if (sim_probe_new(&o->probes[i], d->chip, &d->probe)) {
		fprintf(stderr, "swdd-lab: cannot create probe %s\n", sim_probe_kind_name(o->probes[i].kind));
		return -1;
	}
	lab_desc_build(d);
	lab.ndevs = i + 1;
	if (lab_desc_add_to_testbed(d))
		return -1;
	d->usb_pipe = lab_pipe_create(d->usb_node);
	if (d->usb_pipe < 0 || lab_usbfs_attach(d))
		return -1;
	if (d->id->hid) {
		d->hidraw_pipe = lab_pipe_create(d->hidraw_node);
		if (d->hidraw_pipe < 0 || lab_hidraw_attach(d))
			return -1;
	}
	g_mutex_lock(&lab.lock);
	lab_dev_update_pipes(d);
	g_mutex_unlock(&lab.lock);
	return 0;
}

static int chmod_in_root(const char *rel, mode_t mode)
{
	char *path = g_build_filename(lab.root, rel, NULL);
	int rc = chmod(path, mode);

	if (rc)
		fprintf(stderr, "swdd-lab: cannot chmod %s: %s\n", path, strerror(errno));
	g_free(path);
	return rc;
}

/* --node-mode: the device nodes get the permissions a udev rule (or its
 * absence) would give, and they become the only gate, as on a real system.
 * The preloaded client needs the rest of the testbed whatever its user:
 * it binds its emulated uevent socket ("eventN") in the testbed root (hence
 * world-writable, sticky like /tmp) and connects to the ioctl sockets of
 * the nodes it opened (a connect needs write permission on the socket). */
static int open_testbed(int mode)
{
	int rc = chmod_in_root("", 01777) | chmod_in_root("ioctl/_default", 0666);

	for (int i = 0; i < lab.ndevs; i++) {
		const struct lab_dev *d = &lab.devs[i];
		char *sock = g_strconcat("ioctl", d->usb_node, NULL);

		rc |= chmod_in_root(d->usb_node, (mode_t)mode) | chmod_in_root(sock, 0666);
		g_free(sock);
		if (!d->id->hid)
			continue;
		sock = g_strconcat("ioctl", d->hidraw_node, NULL);
		rc |= chmod_in_root(d->hidraw_node, (mode_t)mode) | chmod_in_root(sock, 0666);
		g_free(sock);
	}
	return rc ? -1 : 0;
}

static int lab_setup(struct lab_opts *o)
{
	lab.tb = umockdev_testbed_new();
	lab.root = umockdev_testbed_get_root_dir(lab.tb);
	for (int i = 0; i < o->nprobes; i++)
		if (create_dev(o, i))
			return -1;
	if (o->node_mode >= 0 && open_testbed(o->node_mode))
		return -1;
	lab_engine_start();
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void lab_teardown(void)
{
	lab_engine_stop();
	if (lab.tb)
		g_object_unref(lab.tb);
	lab.tb = NULL;
	if (lab.root && access(lab.root, F_OK) == 0)
		nftw(lab.root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	for (int i = 0; i < lab.ndevs; i++) {
		sim_probe_free(lab.devs[i].probe);
		sim_chip_free(lab.devs[i].chip);
	}
}

/* ---- the child ------------------------------------------------------------ */

static char *probes_env(void)
{
	GString *s = g_string_new(NULL);

	for (int i = 0; i < lab.ndevs; i++)
		g_string_append_printf(s, "%s%s:%s", i ? "," : "",
				       sim_probe_kind_name(sim_probe_kind(lab.devs[i].probe)),
				       lab.devs[i].serial);
	return g_string_free(s, FALSE);
}

static void child_exec(char **cmd, const sigset_t *orig)
{
	const char *old = getenv("LD_PRELOAD");
	char *preload = old && *old ? g_strdup_printf("libumockdev-preload.so.0:%s", old)
				    : g_strdup("libumockdev-preload.so.0");
	char *probes = probes_env();

	setpgid(0, 0);
	/* umockdev's preload yields with usleep(0) after every emulated ioctl;
	 * with the default 50 us timer slack each of those sleeps costs about
	 * 0.1 ms, a third of a USB round trip. 1 ns slack makes it a yield. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	setenv("LD_PRELOAD", preload, 1);
	setenv("SWDD_LAB_PROBES", probes, 1);
	sigprocmask(SIG_SETMASK, orig, NULL);
	execvp(cmd[0], cmd);
	fprintf(stderr, "swdd-lab: cannot run %s: %s\n", cmd[0], strerror(errno));
	_exit(127);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void kill_group(pid_t pid)
{
	int status;

	kill(-pid, SIGTERM);
	for (int i = 0; i < 40; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(50000);
	}
	kill(-pid, SIGKILL);
	waitpid(pid, &status, WNOHANG);
}

/* Why the command is over its limit, or NULL: a chip's clock passed
 * timeout_s (the command kept the lab busy that long: a tool that polls
 * forever), or no USB transfer for timeout_s of wall time since the last
 * one or since `start` (a tool that hangs without talking). Neither counts
 * the host's speed: on a loaded host the lab's chips run only as fast as
 * the host drives them, and the judges' OpenOCD program step once took
 * 175 s of a 180 s wall-time limit for 24 s of modelled time. */
static const char *lab_over_limit(double start, double timeout_s)
{
	double modelled = 0, active = start;

	g_mutex_lock(&lab.sim_lock);
	for (int i = 0; i < lab.ndevs; i++) {
		double m = (double)sim_chip_now_ns(lab.devs[i].chip) / 1e9;
		double w = (double)lab.devs[i].last_wall_us / 1e6;
		modelled = m > modelled ? m : modelled;
		active = w > active ? w : active;
	}
	g_mutex_unlock(&lab.sim_lock);
	if (modelled >= timeout_s)
		return "ran past the limit on the chip's clock";
	return now_s() - active >= timeout_s ? "made no USB transfer for the limit" : NULL;
}

/* Waits for the child, a signal or the limit (lab_over_limit), checked
 * every 100 ms; returns the exit code swdd-lab should give (the child's,
 * 128+signal, or 124 on timeout). */
static int wait_child(pid_t pid, const sigset_t *set, double timeout_s)
{
	const struct timespec ts = { .tv_sec = 0, .tv_nsec = 100000000L };
	double start = now_s();
	int status;

	for (;;) {
		const char *why;
		int sig;

		if (waitpid(pid, &status, WNOHANG) == pid) {
			kill(-pid, SIGKILL); /* stragglers of the group */
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		why = lab_over_limit(start, timeout_s);
		if (why) {
			fprintf(stderr, "swdd-lab: command timed out: it %s (%.0f s), killing it\n", why,
				timeout_s);
			kill_group(pid);
			return 124;
		}
		sig = sigtimedwait(set, NULL, &ts);
		if (sig > 0 && sig != SIGCHLD) {
			kill_group(pid);
			return 128 + sig;
		}
	}
}

int main(int argc, char **argv)
{
	struct lab_opts o = { 0 };
	sigset_t set, orig;
	double t0, wall = 0;
	int rc = 1;
	pid_t pid;

	if (parse_args(&o, argc, argv))
		return 2;
	/* Block the signals we wait for before umockdev starts its threads. */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &orig);
	if (lab_setup(&o))
		goto out;
	t0 = now_s();
	pid = fork();
	if (pid == 0)
		child_exec(o.cmd, &orig);
	if (pid < 0) {
		fprintf(stderr, "swdd-lab: fork: %s\n", strerror(errno));
		goto out;
	}
	setpgid(pid, pid);
	rc = wait_child(pid, &set, o.timeout_s);
	wall = now_s() - t0;
out:
	if (o.stats && lab.ndevs && lab_stats_write(o.stats, wall, rc))
		rc = rc ? rc : 1;
	lab_teardown();
	for (int i = 0; i < o.nprobes; i++)
		g_free(o.serials[i]);
	return rc;
}
