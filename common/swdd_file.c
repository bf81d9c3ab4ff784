/* Non-blocking whole-file read; see swdd_file.h. */
#include "swdd_file.h"

#include "swdd_err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads exactly len bytes: a regular file may return short reads. */
static int file_read_all(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

int swdd_file_read(const char *path, size_t max, const char *what, uint8_t **buf, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	int rc = 0;

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return swdd_err_set(SWDD_EINVAL, "cannot open %s %s: %s", what, path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > max) {
		close(fd);
		return swdd_err_set(SWDD_EFORMAT,
				    "%s %s is not a non-empty regular file of at most "
				    "%zu KiB (FIFOs, sockets and devices are refused)",
				    what, path, max >> 10);
	}
	*buf = malloc((size_t)st.st_size);
	if (!*buf)
		rc = SWDD_ENOMEM;
	else if (file_read_all(fd, *buf, (size_t)st.st_size))
		rc = swdd_err_set(SWDD_EINVAL, "cannot read %s %s: %s", what, path,
				  errno ? strerror(errno) : "the file shrank while it was read");
	close(fd);
	if (rc) {
		free(*buf);
		*buf = NULL;
		return rc;
	}
	*len = (size_t)st.st_size;
	return 0;
}
