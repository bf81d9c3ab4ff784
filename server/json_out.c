/*
 * JSON writer for the CLI verbs; see json_out.h.
 */
#include "json_out.h"

static void json_escaped(FILE *f, const char *s);

/* The separator before a member, and its key inside an object. */
static void json_key(struct json_out *j, const char *key)
{
	if (!j->first)
		fputs(", ", j->f);
	j->first = false;
	if (key) {
		json_escaped(j->f, key);
		fputs(": ", j->f);
	}
}

static void json_escaped(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void json_begin(struct json_out *j, FILE *f)
{
	j->f = f;
	j->depth = 1;
	j->first = true;
	fputc('{', f);
}

void json_str(struct json_out *j, const char *key, const char *val)
{
	json_key(j, key);
	if (val)
		json_escaped(j->f, val);
	else
		fputs("null", j->f);
}

void json_int(struct json_out *j, const char *key, long long val)
{
	json_key(j, key);
	fprintf(j->f, "%lld", val);
}

void json_bool(struct json_out *j, const char *key, bool val)
{
	json_key(j, key);
	fputs(val ? "true" : "false", j->f);
}

void json_null(struct json_out *j, const char *key)
{
	json_key(j, key);
	fputs("null", j->f);
}

void json_open(struct json_out *j, const char *key, char bracket)
{
	json_key(j, key);
	fputc(bracket, j->f);
	j->depth++;
	j->first = true;
}

void json_close(struct json_out *j, char bracket)
{
	fputc(bracket, j->f);
	j->depth--;
	j->first = false;
}

void json_end(struct json_out *j)
{
	fputs("}\n", j->f);
	fflush(j->f);
	j->depth = 0;
}
