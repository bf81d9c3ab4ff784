/*
 * Reading a whole host file (firmware images, flash algorithms) without
 * ever blocking: the one place swdd opens such a file.
 */
#ifndef SWDD_FILE_H
#define SWDD_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Reads path into a malloc'd buffer (*buf, *len; the caller frees it).
 * Opened O_NONBLOCK and checked with fstat() on the open descriptor, so a
 * FIFO, socket or device node is refused at once instead of blocking the
 * caller (a server serving other requests, a CLI that must not hang).
 * Only non-empty regular files of at most max bytes. what names the file
 * in errors ("flash algorithm"). Errors: SWDD_EINVAL (cannot open or
 * read, with errno's words), SWDD_EFORMAT (not a regular file, empty,
 * too large), SWDD_ENOMEM. */
int swdd_file_read(const char *path, size_t max, const char *what, uint8_t **buf, size_t *len);

#endif
