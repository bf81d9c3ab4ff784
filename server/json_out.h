/*
 * A small JSON object writer for the CLI verbs' --json output (one object
 * per line, keys in the order written). Values are escaped as RFC 8259
 * section 7 requires.
 */
#ifndef SWDD_JSON_OUT_H
#define SWDD_JSON_OUT_H

#include <stdbool.h>
#include <stdio.h>

struct json_out {
	FILE *f;
	unsigned depth; /* open objects and arrays */
	bool first;     /* no member written yet at this depth */
};

/* Opens the top-level object on f. */
void json_begin(struct json_out *j, FILE *f);
/* Members of the current object; key NULL inside an array. */
void json_str(struct json_out *j, const char *key, const char *val); /* NULL: null */
void json_int(struct json_out *j, const char *key, long long val);
void json_bool(struct json_out *j, const char *key, bool val);
void json_null(struct json_out *j, const char *key);
void json_open(struct json_out *j, const char *key, char bracket); /* '{' or '[' */
void json_close(struct json_out *j, char bracket);                 /* '}' or ']' */
/* Closes the top-level object and ends the line. */
void json_end(struct json_out *j);

#endif
