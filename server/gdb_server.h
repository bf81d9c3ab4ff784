/*
 * The GDB session: one connected client, the packet dispatcher and the
 * running-target state. No sockets here (gdb_net.c owns those): bytes come in
 * through gdb_server_input() and go out through the write callback, so the
 * unit tests drive a session with strings.
 *
 * Life of a session:
 *   gdb_server_init()        once, with the target (may be NULL: no target)
 *   gdb_server_client_begin() when a client connects (halts the target)
 *   gdb_server_input()       bytes from the client, any chunking
 *   gdb_server_poll()        while gdb_server_running(): checks for a stop
 *   gdb_server_client_end()  disconnect: removes breakpoints, resumes target
 */
#ifndef SWDD_GDB_SERVER_H
#define SWDD_GDB_SERVER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rsp.h"
#include "swdd_log.h"
#include "target.h"

struct gdb_server;
struct swdd_flash;

/* Writes all of buf to the client; returns 0, or non-zero when the
 * connection is lost (the server reports that as SWDD_ECLOSED). */
typedef int (*gdb_write_fn)(void *ctx, const void *buf, size_t len);

/* Hooks of one server, filled in by gdb_flash_register() (gdb_flash.c).
 * Both optional; called with the server whose target they work on.
 * memory_map: returns the qXfer:memory-map XML (static or owned by the
 *   flash layer, valid until the next call), or NULL for none; when set,
 *   qSupported advertises qXfer:memory-map:read+.
 * crc: on-target CRC-32 in GDB's convention (swdd_crc32, flash.h); *crc
 *   holds the initial value 0xFFFFFFFF on entry and the result on return;
 *   returns 0 or SWDD_E*. When NULL, qCRC reads memory back and computes
 *   the CRC on the host. */
struct gdb_hooks {
	const char *(*memory_map)(struct gdb_server *s);
	int (*crc)(struct gdb_server *s, uint32_t addr, uint32_t len, uint32_t *crc);
};

/* The flash session of a server's target (gdb_flash.c): opened on first
 * use, closed when the target goes away (gdb_flash_forget). */
struct gdb_flash_session {
	struct swdd_flash *f;
	struct swdd_target *target; /* the target f was opened on */
	char *algo_path;            /* --flash-algo / `monitor flash algo`; NULL: built-in */
	/* Host files a client may name (gdb_flash_mon.c mon_host_file), as
	 * realpath()s: --flash-algo's file and the --allow-files directory
	 * (NULL: none). */
	char *cli_algo, *allow_dir;
};

/* Gives the session a usable target when a client connects: connects one
 * when there is none (reattach false), or connects again without reset or
 * halt after an earlier client detached (reattach true: detach restored
 * DEMCR, FPB and DWT, so the target must be set up again). Returns 0 and
 * sets *t, or SWDD_E* with the detail sentence the client is told (*t may
 * then be NULL). */
typedef int (*gdb_target_fn)(void *ctx, bool reattach, struct swdd_target **t);

#define GDB_LOG_QUEUE 4096u

struct gdb_server {
	struct swdd_target *target;
	gdb_target_fn reconnect;
	void *reconnect_ctx;
	/* Optional (NULL: not offered). Connects again with NRST held low,
	 * for a chip whose firmware turned SWD off after a reset: frees the
	 * old target, sets *t to the new one (halted at the reset vector).
	 * Returns 0 or SWDD_E* (*t is then NULL). ctx is reconnect_ctx. */
	int (*reconnect_under_reset)(void *ctx, struct swdd_target **t);
	gdb_write_fn write;
	void *write_ctx;
	struct rsp_reader reader;
	struct rsp_gdb_features features;
	bool client;      /* a client is connected */
	bool noack;       /* QStartNoAckMode accepted */
	bool extended;    /* '!' received */
	bool running;     /* resumed; a stop reply is owed */
	bool interrupted; /* Ctrl-C seen while running */
	bool in_rcmd;     /* inside qRcmd: O packets are allowed */
	bool detached;    /* D/k: target resumed, debug state cleaned */
	bool close;       /* the session asks the connection to be closed */
	char *last;       /* last packet sent (for '-') */
	size_t last_len;
	char *reply;                   /* reply assembly buffer, RSP_BUF_SIZE */
	char log_queue[GDB_LOG_QUEUE]; /* log lines waiting for a moment when
					  GDB accepts O packets */
	size_t log_len;
	struct gdb_hooks hooks;
	struct gdb_flash_session flash;
};

int gdb_server_init(struct gdb_server *s, struct swdd_target *t, gdb_write_fn write, void *ctx);
void gdb_server_free(struct gdb_server *s);

/* A client connected: resets the protocol state, (re)connects and halts the
 * target. Returns 0, or SWDD_E* when there is no usable target (the detail
 * says why; the caller tells the client and closes). */
int gdb_server_client_begin(struct gdb_server *s);
/* The client went away (or D/k): clears breakpoints and watchpoints and
 * resumes the target unless that was done already. */
void gdb_server_client_end(struct gdb_server *s);

/* Feeds received bytes. Returns 0, or SWDD_ECLOSED when the connection
 * must close (write failed, or 'k'/'D' ended a non-extended session). */
int gdb_server_input(struct gdb_server *s, const uint8_t *buf, size_t len);
/* While running: polls the target once; sends the stop reply when it
 * stopped. Returns 0 or SWDD_ECLOSED (write failed). */
int gdb_server_poll(struct gdb_server *s);
static inline bool gdb_server_running(const struct gdb_server *s)
{
	return s->running;
}

/* Log sink (swdd_log_set_sink) forwarding log lines to GDB's console. */
void gdb_server_log_sink(void *ctx, enum swdd_log_level lvl, const char *line);

/* ---- for the packet handlers (gdb_*.c) and monitor.c ----------------- */

/* Sends a payload as one packet (escapes must already be applied). */
int gdb_send(struct gdb_server *s, const void *payload, size_t len);
int gdb_send_str(struct gdb_server *s, const char *payload);
/* "E xx" for an SWDD_E* code (GDB only shows the number). */
int gdb_send_error(struct gdb_server *s, int rc);
/* "E." + prefix + the error's words and detail sentence (GDB manual E.1
 * "Standard Replies": E.errtext), for the packets whose error text GDB
 * prints; see docs/SERVER.md "What GDB shows". */
int gdb_send_error_text(struct gdb_server *s, const char *prefix, int rc);
/* Console output through O packets (only while GDB accepts them: in a
 * monitor command or while running; queued otherwise). */
void gdb_console_write(struct gdb_server *s, const char *text);
void gdb_console_printf(struct gdb_server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void gdb_console_vprintf(struct gdb_server *s, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Sends the stop reply for the target's last stop. */
int gdb_send_stop_reply(struct gdb_server *s);

/* Dispatches one complete, unescaped packet (NUL-terminated). */
int gdb_dispatch(struct gdb_server *s, const char *pkt, size_t len);

/* The dispatch tables of the packet families (gdb_*.c). */
struct gdb_packet {
	const char *prefix;
	bool exact; /* the packet must equal prefix (otherwise starts with it) */
	/* Handles the packet and sends its reply (or none, for resumes).
	 * pkt is NUL-terminated, but binary packets (X, vFlashWrite) may hold
	 * NULs: len counts the bytes, after RLE expansion and unescaping.
	 * Returns 0, or SWDD_E* to make the dispatcher reply "E xx". */
	int (*fn)(struct gdb_server *s, const char *pkt, size_t len);
	/* The handler is fine with a detached target (D, k, vKill). Others
	 * first take the target over again (gdb_server_reattach). */
	bool detached_ok;
};
extern const struct gdb_packet gdb_packets_query[];
extern const size_t gdb_packets_query_count;
extern const struct gdb_packet gdb_packets_data[];
extern const size_t gdb_packets_data_count;
extern const struct gdb_packet gdb_packets_run[];
extern const size_t gdb_packets_run_count;
/* vFlashErase/vFlashWrite/vFlashDone, in gdb_flash.c (flash issue). */
extern const struct gdb_packet gdb_packets_flash[];
extern const size_t gdb_packets_flash_count;

/* After D/k in a session that goes on (extended-remote "run" sends k then
 * vRun), the target was handed back to the chip: set it up again. */
int gdb_server_reattach(struct gdb_server *s);

/* Resume helpers shared by c/s/vCont. */
int gdb_resume(struct gdb_server *s);
int gdb_step(struct gdb_server *s);
int gdb_reset_halt(struct gdb_server *s);

#endif
