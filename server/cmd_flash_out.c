/*
 * Progress and the JSON summary of `swdd flash`; see cmd_flash_out.h.
 */
#include "cmd_flash_out.h"

#include <stdio.h>
#include <unistd.h>

#define BAR_WIDTH 32

static const char *const phase_name[] = {
	[SWDD_FLASH_CHECK] = "check",
	[SWDD_FLASH_ERASE] = "erase",
	[SWDD_FLASH_PROGRAM] = "program",
	[SWDD_FLASH_VERIFY] = "verify",
};

void cmd_progress_init(struct cmd_progress *p)
{
	p->tty = isatty(STDERR_FILENO);
	p->phase = -1;
	p->last_pct = 0;
}

void cmd_progress_end(struct cmd_progress *p)
{
	if (p->tty && p->phase >= 0)
		fputc('\n', stderr);
	p->phase = -1;
}

static void progress_bar(struct cmd_progress *p, unsigned pct)
{
	char bar[BAR_WIDTH + 1];
	unsigned fill = pct * BAR_WIDTH / 100;

	for (unsigned i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[BAR_WIDTH] = 0;
	fprintf(stderr, "\rswdd: %-8s [%s] %3u%%", phase_name[p->phase], bar, pct);
	fflush(stderr);
}

/* Plain lines: the start of each phase, then every 25%, so that a log
 * shows progress without a line per page. */
void cmd_progress_cb(void *ctx, enum swdd_flash_phase ph, uint64_t done, uint64_t total)
{
	struct cmd_progress *p = ctx;
	unsigned pct = total ? (unsigned)(done * 100 / total) : 100;

	if (ph == SWDD_FLASH_CHECK)
		return; /* instantaneous: nothing worth a line */
	if ((int)ph != p->phase) {
		cmd_progress_end(p);
		p->phase = (int)ph;
		p->last_pct = 0;
		if (!p->tty)
			fprintf(stderr, "swdd: %s ...\n", phase_name[ph]);
	}
	if (p->tty) {
		progress_bar(p, pct);
	} else if (pct >= p->last_pct + 25) {
		p->last_pct = pct - pct % 25;
		fprintf(stderr, "swdd: %s %u%%\n", phase_name[ph], p->last_pct);
	}
}

static void json_str(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* "probe": which probe did the work (a station must be able to tell a
 * real probe from the lab: transport "sim"), or null. */
static void json_probe(const struct swdd_probe_info *p)
{
	fputs(", \"probe\": ", stdout);
	if (!p) {
		fputs("null", stdout);
		return;
	}
	fputs("{\"kind\": ", stdout);
	json_str(p->kind);
	fputs(", \"serial\": ", stdout);
	json_str(p->serial);
	fputs(", \"firmware\": ", stdout);
	json_str(p->firmware);
	fputs(", \"transport\": ", stdout);
	json_str(p->transport);
	putchar('}');
}

static void json_chip(const struct swdd_chip_info *c)
{
	fputs(", \"chip\": ", stdout);
	if (!c) {
		fputs("null", stdout);
		return;
	}
	fputs("{\"name\": ", stdout);
	json_str(c->name);
	printf(", \"dev_id\": \"0x%03x\", \"revision\": ", c->dev_id);
	json_str(c->revision);
	printf(", \"idcode\": \"0x%08x\", \"flash_kib\": %u, \"unique_id\": ", c->dbgmcu_idcode,
	       c->flash_size / 1024);
	json_str(c->unique_id[0] ? c->unique_id : NULL);
	fputc('}', stdout);
}

void cmd_print_json(const struct cmd_summary *s)
{
	const struct swdd_flash_result *r = s->res;

	fputs("{\"file\": ", stdout);
	json_str(s->file);
	printf(", \"bytes\": %llu, \"sectors_touched\": %u, \"sectors_erased\": %u, "
	       "\"sectors_skipped\": %u, \"bytes_programmed\": %llu, \"wall_seconds\": %.3f, "
	       "\"modelled_seconds\": ",
	       (unsigned long long)r->bytes, r->sectors_touched, r->sectors_erased, r->sectors_skipped,
	       (unsigned long long)r->bytes_programmed, s->wall_seconds);
	if (s->modelled_seconds < 0)
		fputs("null", stdout);
	else
		printf("%.6f", s->modelled_seconds);
	if (s->lab_stats)
		printf(", \"lab\": {\"sector_erases\": %llu, \"mass_erases\": %llu, "
		       "\"program_ops\": %llu}",
		       (unsigned long long)s->lab_sector_erases, (unsigned long long)s->lab_mass_erases,
		       (unsigned long long)s->lab_program_ops);
	json_probe(s->probe);
	json_chip(s->chip);
	printf(", \"result\": \"%s\", \"exit_code\": %d, \"error\": ", s->error ? "error" : "ok",
	       s->exit_code);
	json_str(s->error);
	fputs(", \"warning\": ", stdout);
	json_str(s->warning);
	fputs("}\n", stdout);
	fflush(stdout);
}
