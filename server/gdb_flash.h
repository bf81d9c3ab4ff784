/* GDB flash glue (gdb_flash.c): hooks, vFlash packets; the flash monitor
 * commands are in gdb_flash_mon.c. */
#ifndef SWDD_GDB_FLASH_H
#define SWDD_GDB_FLASH_H

#include <stddef.h>

#include "monitor.h"

struct gdb_server;
struct swdd_flash;

/* Installs the memory-map/qCRC hooks in s, and the flash monitor commands
 * (once per process). */
int gdb_flash_register(struct gdb_server *s);
/* --flash-algo FILE (NULL: built-in). */
int gdb_flash_set_algo_path(struct gdb_server *s, const char *path);
/* The host files GDB clients may name (`monitor program`, `monitor flash
 * algo`): cli_algo (--flash-algo FILE) and every regular file under
 * allow_dir (--allow-files DIR); either may be NULL. SWDD_EINVAL when
 * allow_dir is not a directory or cli_algo does not exist. */
int gdb_flash_set_host_files(struct gdb_server *s, const char *cli_algo, const char *allow_dir);
/* The current --flash-algo / `monitor flash algo` path (NULL: built-in). */
const char *gdb_flash_algo_path(const struct gdb_server *s);
/* The flash session of s's target (opened on first use). */
int gdb_flash_get(struct gdb_server *s, struct swdd_flash **out);
/* Closes the flash session (the target is going away). */
void gdb_flash_forget(struct gdb_server *s);
/* Closes the session and forgets the algorithm path (server shutdown). */
void gdb_flash_free(struct gdb_server *s);

/* The flash monitor commands (gdb_flash_mon.c). */
extern const struct monitor_cmd gdb_flash_monitor_cmds[];
extern const size_t gdb_flash_monitor_count;

/* The vFlash packet table is declared in gdb_server.h with the others. */

#endif
