/* GDB flash glue (gdb_flash.c): hooks, vFlash packets, monitor commands. */
#ifndef SWDD_GDB_FLASH_H
#define SWDD_GDB_FLASH_H

#include <stddef.h>

#include "monitor.h"

struct swdd_target;
struct swdd_flash;

/* Installs the memory-map/qCRC hooks and the flash monitor commands. */
int gdb_flash_register(void);
/* --flash-algo FILE (NULL: built-in). */
void gdb_flash_set_algo_path(const char *path);
/* The flash session of target t (opened on first use). */
int gdb_flash_get(struct swdd_target *t, struct swdd_flash **out);
/* Closes the flash session (the target is going away). */
void gdb_flash_forget(void);

/* The current --flash-algo / `monitor flash algo` path (NULL: built-in). */
const char *gdb_flash_algo_path(void);

/* The flash monitor commands (gdb_flash_mon.c). */
extern const struct monitor_cmd gdb_flash_monitor_cmds[];
extern const size_t gdb_flash_monitor_count;

/* The vFlash packet table is declared in gdb_server.h with the others. */

#endif
