/*
 * Production flashing; see production.h.
 *
 * Each board is one worker thread that runs this same program as a child
 * process, `swdd flash FILE --serial S --json` with the user's options,
 * and reads its JSON summary (chip, unique ID, result, the error
 * sentence). Processes, not threads, do the probe work: each
 * board gets the exact code path of a single `swdd flash` (USB context,
 * logging, error detail and exit status are per process), and one board's
 * crash cannot take the others down. The parent only collects the JSON.
 */
#include "production.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd_flash.h"
#include "json_out.h"
#include "probe.h"
#include "swdd_err.h"

extern char **environ;

#define PROD_MAX_ARGS 96
#define PROD_CHILD_TIMEOUT_S 900 /* a 2 MiB chip at a slow clock, with margin */

struct prod_board {
	const struct prod_run *run;
	char serial[64];
	int exit_code;
	char chip[64], uid[32], error[768];
	char bytes_programmed[24];
	double wall;
	pthread_t thread;
	bool started;
};

struct prod_run {
	const struct cli_opts *o;
	char exe[4096];
	const char *opts[PROD_MAX_ARGS]; /* the user's options, without serials and --json */
	int nopts;
	struct prod_board *boards;
	size_t n;
};

static double prod_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The value of "key" in one line of swdd's own --json output: a string
 * (unescaped only for \" and \\) or a bare number. "" when absent. */
static void prod_json_get(const char *js, const char *key, char *out, size_t cap)
{
	char pat[64];
	const char *p;
	size_t n = 0;

	out[0] = '\0';
	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	p = strstr(js, pat);
	if (!p || cap == 0)
		return;
	p += strlen(pat);
	if (*p == '"') {
		for (p++; *p && *p != '"' && n + 1 < cap; p++) {
			if (*p == '\\' && p[1])
				p++;
			out[n++] = *p;
		}
	} else {
		while (*p && *p != ',' && *p != '}' && n + 1 < cap)
			out[n++] = *p++;
	}
	out[n] = '\0';
	if (!strcmp(out, "null"))
		out[0] = '\0';
}

/* Reads a whole (small) file; NULL on failure. */
static char *prod_slurp(FILE *f)
{
	long len;
	char *buf;

	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		return NULL;
	buf = malloc((size_t)len + 1);
	if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		return NULL;
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}

/* Waits for pid at most PROD_CHILD_TIMEOUT_S; a child still running then
 * is killed and reported as a target failure. */
static int prod_wait(pid_t pid, char *err, size_t cap)
{
	double end = prod_now() + PROD_CHILD_TIMEOUT_S;
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return CMD_EXIT_PROBE;
		if (prod_now() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			snprintf(err, cap, "no result after %d s: the run was stopped", PROD_CHILD_TIMEOUT_S);
			return CMD_EXIT_TARGET;
		}
		nanosleep(&tick, NULL);
	}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	snprintf(err, cap, "the swdd run for this board died (signal %d)", WTERMSIG(st));
	return CMD_EXIT_PROBE;
}

/* Runs exe with argv, stdout captured into *out (malloc'd), stderr into a
 * file the caller does not need (the JSON carries the error sentence).
 * Returns the exit status. */
static int prod_spawn(struct prod_board *b, char **argv, char **out)
{
	FILE *fo = tmpfile(), *fe = tmpfile();
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc = CMD_EXIT_PROBE;

	*out = NULL;
	if (!fo || !fe || posix_spawn_file_actions_init(&fa)) {
		snprintf(b->error, sizeof(b->error), "cannot create temporary files: %s", strerror(errno));
		goto out;
	}
	posix_spawn_file_actions_adddup2(&fa, fileno(fo), 1);
	posix_spawn_file_actions_adddup2(&fa, fileno(fe), 2);
	if (posix_spawn(&pid, b->run->exe, &fa, NULL, argv, environ) == 0)
		rc = prod_wait(pid, b->error, sizeof(b->error));
	else
		snprintf(b->error, sizeof(b->error), "cannot start %.200s: %s", b->run->exe, strerror(errno));
	posix_spawn_file_actions_destroy(&fa);
	*out = prod_slurp(fo);
out:
	if (fo)
		fclose(fo);
	if (fe)
		fclose(fe);
	return rc;
}

/* argv = exe, the user's options, then `tail` (NULL-terminated), then
 * --serial S --json. */
static void prod_argv(const struct prod_board *b, const char *const *tail, char **argv)
{
	int n = 0;

	argv[n++] = (char *)b->run->exe;
	for (int i = 0; i < b->run->nopts; i++)
		argv[n++] = (char *)b->run->opts[i];
	for (; *tail; tail++)
		argv[n++] = (char *)*tail;
	argv[n++] = "--serial";
	argv[n++] = (char *)b->serial;
	argv[n++] = "--json";
	argv[n] = NULL;
}

static void prod_take_error(struct prod_board *b, const char *js)
{
	if (js && !b->error[0])
		prod_json_get(js, "error", b->error, sizeof(b->error));
	if (!b->error[0])
		snprintf(b->error, sizeof(b->error), "exit status %d without a JSON result", b->exit_code);
}

static void *prod_board_run(void *arg)
{
	struct prod_board *b = arg;
	const char *flash[] = { "flash", b->run->o->image, NULL };
	char *argv[PROD_MAX_ARGS + 8], *js;
	double t0 = prod_now();

	prod_argv(b, flash, argv);
	b->exit_code = prod_spawn(b, argv, &js);
	if (js) {
		prod_json_get(js, "name", b->chip, sizeof(b->chip)); /* chip.name: the only "name" key */
		prod_json_get(js, "unique_id", b->uid, sizeof(b->uid));
		prod_json_get(js, "bytes_programmed", b->bytes_programmed, sizeof(b->bytes_programmed));
	}
	if (b->exit_code)
		prod_take_error(b, js);
	free(js);
	b->wall = prod_now() - t0;
	return NULL;
}

/* The user's options for every board's run: argv without the positional
 * words (at the end after cli_parse), the serials, --all-probes and
 * --json (each run gets its own --serial and --json). */
static int prod_options(struct prod_run *r, int argc, char **argv)
{
	int end = argc - 2; /* FLASH FILE */

	for (int i = 1; i < end; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--serial")) {
			i++;
			continue;
		}
		if (!strncmp(a, "--serial=", 9) || !strcmp(a, "--all-probes") || !strcmp(a, "--json"))
			continue;
		if (r->nopts == PROD_MAX_ARGS)
			return swdd_err_set(SWDD_EINVAL, "too many options for --all-probes (at most %d)",
					    PROD_MAX_ARGS);
		r->opts[r->nopts++] = a;
	}
	return 0;
}

/* The boards: every probe on USB (--all-probes), else each --serial. */
static int prod_boards(struct prod_run *r)
{
	const struct cli_opts *o = r->o;
	struct swdd_probe_info *list = NULL;
	size_t n = o->nserials;
	int rc = 0;

	if (o->all_probes) {
		rc = swdd_probe_list(&list, &n);
		if (!rc && n == 0)
			rc = swdd_err_set(SWDD_ENODEV, "--all-probes: no debug probe found on USB");
		if (rc)
			return rc;
	}
	r->boards = calloc(n, sizeof(*r->boards));
	if (!r->boards) {
		free(list);
		return SWDD_ENOMEM;
	}
	r->n = n;
	for (size_t i = 0; i < n; i++) {
		r->boards[i].run = r;
		snprintf(r->boards[i].serial, sizeof(r->boards[i].serial), "%s",
			 list ? list[i].serial : o->serials[i]);
	}
	free(list);
	return 0;
}

static int prod_check(const struct cli_opts *o)
{
	if (o->all_probes && o->nserials)
		return swdd_err_set(SWDD_EINVAL, "give --all-probes or --serial (repeated), not both");
	if (!strcmp(o->probe, "sim"))
		return swdd_err_set(SWDD_EINVAL,
				    "--all-probes and repeated --serial program USB probes; "
				    "to try them on the lab, run swdd under swdd-lab with several "
				    "--probe options (docs/LAB-USB.md)");
	return 0;
}

static void prod_print_json(const struct prod_board *b)
{
	struct json_out j;

	json_begin(&j, stdout);
	json_str(&j, "serial", b->serial);
	json_str(&j, "chip", b->chip[0] ? b->chip : NULL);
	json_str(&j, "unique_id", b->uid[0] ? b->uid : NULL);
	json_str(&j, "result", b->exit_code ? "error" : "verified");
	json_int(&j, "exit_code", b->exit_code);
	json_str(&j, "error", b->exit_code ? b->error : NULL);
	json_int(&j, "bytes_programmed", strtoll(b->bytes_programmed, NULL, 10));
	json_int(&j, "wall_ms", (long long)(b->wall * 1000));
	json_end(&j);
}

static void prod_print_text(const struct prod_board *b)
{
	printf("%-24s %-24s %-24s %s%s\n", b->serial, b->chip[0] ? b->chip : "?", b->uid[0] ? b->uid : "?",
	       b->exit_code ? "error: " : "verified", b->exit_code ? b->error : "");
}

/* One line per board in serial order, then the totals on stderr. */
static int prod_report(const struct prod_run *r, double wall)
{
	int code = 0;
	unsigned failed = 0;

	for (size_t i = 0; i < r->n; i++) {
		const struct prod_board *b = &r->boards[i];
		if (r->o->json)
			prod_print_json(b);
		else
			prod_print_text(b);
		if (b->exit_code && !code)
			code = b->exit_code;
		failed += b->exit_code != 0;
	}
	fflush(stdout);
	fprintf(stderr, "swdd: %zu boards: %zu verified, %u failed (%.2f s wall, in parallel)\n", r->n,
		r->n - failed, failed, wall);
	return code;
}

bool production_wanted(const struct cli_opts *o)
{
	return o->all_probes || o->nserials > 1;
}

int production_main(const struct cli_opts *o, int argc, char **argv)
{
	struct prod_run r = { .o = o };
	double t0 = prod_now();
	ssize_t len = readlink("/proc/self/exe", r.exe, sizeof(r.exe) - 1);
	int rc = prod_check(o);

	if (!rc && len <= 0)
		rc = swdd_err_set(SWDD_EIO, "cannot find this program's path (/proc/self/exe)");
	if (!rc)
		rc = prod_options(&r, argc, argv);
	if (rc) {
		fprintf(stderr, "swdd: error: %s: %s\n", swdd_strerror(rc), swdd_err_detail());
		return CMD_EXIT_USAGE;
	}
	rc = prod_boards(&r);
	if (rc) {
		fprintf(stderr, "swdd: error: %s: %s\n", swdd_strerror(rc), swdd_err_detail());
		free(r.boards);
		return CMD_EXIT_PROBE;
	}
	for (size_t i = 0; i < r.n; i++) {
		struct prod_board *b = &r.boards[i];
		b->started = pthread_create(&b->thread, NULL, prod_board_run, b) == 0;
		if (!b->started)
			prod_board_run(b); /* no thread to be had: this board in turn */
	}
	for (size_t i = 0; i < r.n; i++)
		if (r.boards[i].started)
			pthread_join(r.boards[i].thread, NULL);
	rc = prod_report(&r, prod_now() - t0);
	free(r.boards);
	return rc;
}
