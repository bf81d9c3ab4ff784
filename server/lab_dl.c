/*
 * The lab, loaded only when asked: the swdd binary is not linked with the
 * lab (sim/) and Unicorn. Their relocated pages alone made swdd serving a
 * USB probe 8.6 MB resident, 5.3 MB of it libunicorn's (issue 15: at most
 * 8 MB). The lab is built as a shared object, libswdd-lab.so
 * (server/server.mk), and opened with dlopen() the first time swdd needs
 * it: `--probe sim` and the `--sim-*` options, nothing else.
 *
 * This file defines the lab functions swdd's own code calls (the ones of
 * sim/sim.h and sim/sim_probe.h that server/ and probe/ use), each a
 * forward to the function of that name in the shared object; the
 * prototypes come from the lab's headers, so a changed signature does not
 * compile. Tests and benchmarks link the lab statically (libswddsim.a)
 * instead of this file, as swdd-lab does.
 *
 * Where: $SWDD_LAB_LIB if set, else libswdd-lab.so beside the swdd
 * executable (the build tree), else ../lib/swdd/libswdd-lab.so from it
 * (the installed copy, scripts/install.mk, whatever the PREFIX). The CLI
 * asks sim_lab_check() first, so that a lab that cannot be opened is
 * reported once, with why, before any --sim-* word is judged. Past that,
 * the functions fail the way the lab reports errors (a message in err, or
 * a failure value) and the first failure says why on stderr.
 */
#include "sim.h"
#include "sim_probe.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LAB_SO "libswdd-lab.so"
#define LAB_INSTALLED "../lib/swdd/" LAB_SO

static void *lab_handle;
static char lab_error[512];

static void *lab_try(const char *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);

	if (!h)
		snprintf(lab_error, sizeof(lab_error),
			 "the lab (%s) could not be loaded: %s; --probe sim needs the lab built "
			 "beside swdd (make) or installed (make install)",
			 LAB_SO, dlerror());
	return h;
}

/* The directory of the running executable, with a trailing '/'. */
static int lab_exe_dir(char *dir, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", dir, len - 1);
	char *slash;

	if (n <= 0)
		return -1;
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	if (!slash)
		return -1;
	slash[1] = '\0';
	return 0;
}

static void *lab_open_once(void)
{
	const char *env = getenv("SWDD_LAB_LIB");
	char dir[PATH_MAX], path[PATH_MAX + sizeof(LAB_INSTALLED)];

	if (lab_handle || lab_error[0])
		return lab_handle;
	if (env && *env)
		return lab_handle = lab_try(env);
	if (lab_exe_dir(dir, sizeof(dir))) {
		snprintf(lab_error, sizeof(lab_error),
			 "the lab (%s) could not be found: /proc/self/exe is unreadable; set SWDD_LAB_LIB",
			 LAB_SO);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s%s", dir, LAB_SO);
	if (access(path, R_OK))
		snprintf(path, sizeof(path), "%s%s", dir, LAB_INSTALLED);
	return lab_handle = lab_try(path);
}

/* The lab's function `name`, or NULL (the reason told once on stderr). */
static void *lab_sym(const char *name)
{
	static int told;
	void *h = lab_open_once(), *fn = h ? dlsym(h, name) : NULL;

	if (h && !fn)
		snprintf(lab_error, sizeof(lab_error),
			 "the lab (%s) has no %s: rebuild swdd and the lab together", LAB_SO, name);
	if (!fn && !told++)
		fprintf(stderr, "swdd: %s\n", lab_error);
	return fn;
}

/* The lab's function `name`, looked up once (sim_probe_in/out run for
 * every USB transfer of the in-process lab). */
#define LAB_FN(name)                                                                                         \
	({                                                                                                   \
		static __typeof__(&name) fn_;                                                                \
		if (!fn_)                                                                                    \
			fn_ = (__typeof__(&name))lab_sym(#name);                                             \
		fn_;                                                                                         \
	})

static void lab_err(char *err, size_t errlen)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", lab_error);
}

/* Not forwarded: whether the lab loads at all (the CLI asks before it
 * judges any --sim-* word, so that the reason is the only message). */
int sim_lab_check(char *err, size_t errlen)
{
	if (lab_open_once())
		return 0;
	lab_err(err, errlen);
	return -1;
}

int sim_config_parse_faults(struct sim_config *cfg, const char *spec, char *err, size_t errlen)
{
	__typeof__(&sim_config_parse_faults) fn = LAB_FN(sim_config_parse_faults);

	if (!fn) {
		lab_err(err, errlen);
		return -1;
	}
	return fn(cfg, spec, err, errlen);
}

bool sim_chip_known(const char *name)
{
	__typeof__(&sim_chip_known) fn = LAB_FN(sim_chip_known);

	return fn && fn(name);
}

int sim_chip_new(const struct sim_config *cfg, sim_chip **out, char *err, size_t errlen)
{
	__typeof__(&sim_chip_new) fn = LAB_FN(sim_chip_new);

	if (!fn) {
		lab_err(err, errlen);
		return -1;
	}
	return fn(cfg, out, err, errlen);
}

/* The functions below take a chip or probe the lab made: it is loaded. */
void sim_chip_free(sim_chip *c)
{
	LAB_FN(sim_chip_free)(c);
}

void sim_board_power_cycle(sim_chip *c)
{
	LAB_FN(sim_board_power_cycle)(c);
}

uint64_t sim_chip_now_ns(const sim_chip *c)
{
	return LAB_FN(sim_chip_now_ns)(c);
}

void sim_chip_get_stats(const sim_chip *c, struct sim_chip_stats *st)
{
	LAB_FN(sim_chip_get_stats)(c, st);
}

int sim_chip_backdoor_load_flash(sim_chip *c, uint32_t addr, const void *data, size_t len)
{
	return LAB_FN(sim_chip_backdoor_load_flash)(c, addr, data, len);
}

const char *sim_probe_kind_name(enum sim_probe_kind kind)
{
	__typeof__(&sim_probe_kind_name) fn = LAB_FN(sim_probe_kind_name);

	return fn ? fn(kind) : "?";
}

int sim_probe_kind_parse(const char *name, enum sim_probe_kind *out)
{
	__typeof__(&sim_probe_kind_parse) fn = LAB_FN(sim_probe_kind_parse);

	return fn ? fn(name, out) : -1;
}

int sim_probe_new(const struct sim_probe_config *cfg, sim_chip *chip, sim_probe **out)
{
	return LAB_FN(sim_probe_new)(cfg, chip, out);
}

void sim_probe_free(sim_probe *p)
{
	LAB_FN(sim_probe_free)(p);
}

const struct sim_usb_identity *sim_probe_usb(const sim_probe *p)
{
	return LAB_FN(sim_probe_usb)(p);
}

int sim_probe_out(sim_probe *p, const uint8_t *buf, size_t len)
{
	return LAB_FN(sim_probe_out)(p, buf, len);
}

int sim_probe_in(sim_probe *p, uint8_t *buf, size_t cap, size_t *got)
{
	return LAB_FN(sim_probe_in)(p, buf, cap, got);
}
