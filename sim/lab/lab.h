/*
 * swdd-lab internals: the emulated probes of sim/ presented as USB devices
 * to unmodified libusb / hidapi programs through umockdev's preload library.
 *
 * Threads:
 *   - umockdev's worker thread runs every ioctl/read/write handler
 *     (lab_usbfs.c, lab_hidraw.c). Handlers only queue work and answer
 *     what needs no device logic (descriptors, claims).
 *   - the lab thread (lab_engine.c) runs the firmware models: every sim_*
 *     call happens there, under lab.sim_lock.
 *   - the main thread (lab_main.c) runs the child and waits for it.
 * lab.lock guards all URB and client state; lab.sim_lock guards sim_*.
 * Lock order: lab.lock may be held while taking lab.sim_lock, never the
 * reverse.
 *
 * References: USB 2.0 chapter 9 (standard requests and descriptors), HID 1.11
 * 6.2.1/7.1 (HID and report descriptors), linux/usbdevice_fs.h (usbfs).
 */
#ifndef SWDD_LAB_H
#define SWDD_LAB_H

#include "sim.h"
#include "sim_probe.h"

#include <glib.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>
#include <umockdev.h>

#define LAB_MAX_DEVS 8
#define LAB_MAX_IFACES 1

/* One submitted URB, or one queued hidraw read/write. */
enum lab_job_kind { LAB_JOB_URB, LAB_JOB_HID_READ, LAB_JOB_HID_WRITE };
enum lab_job_state { LAB_JOB_QUEUED, LAB_JOB_RUNNING, LAB_JOB_DONE };

struct lab_client;

struct lab_job {
	struct lab_job *next; /* in the client's list, submission order */
	struct lab_client *cl;
	enum lab_job_kind kind;
	enum lab_job_state state;
	uint64_t seq;              /* global submission order */
	UMockdevIoctlClient *uc;   /* hidraw jobs: held until completed */
	UMockdevIoctlData *urb;    /* LAB_JOB_URB: the client's urb struct */
	UMockdevIoctlData *buf;    /* the transfer buffer (local copy) */
	unsigned long client_addr; /* the client's urb address (DISCARDURB) */
	uint8_t type, ep;          /* USBDEVFS_URB_TYPE_*, endpoint address */
	bool in;                   /* device-to-host */
	int status;                /* 0 or -errno when DONE */
	int actual;                /* bytes transferred when DONE */
};

struct lab_dev;

struct lab_client {
	struct lab_client *next; /* in lab.clients */
	struct lab_dev *dev;
	UMockdevIoctlClient *uc; /* not owned: referenced only while an
				       * answer is deferred (reap, hidraw) */
	bool hidraw;             /* opened the hidraw node, not usbfs */
	gint dead;               /* atomic: umockdev dropped the client */
	bool gone;               /* cleaned up after `dead` */
	struct lab_job *jobs;
	UMockdevIoctlData *reap_wait; /* blocking REAPURB waiting for a URB */
};

#define LAB_PLUMB_SAMPLES 63U

struct lab_dev {
	int index; /* 0.. ; devnum = index + 2 on bus 1 */
	sim_chip *chip;
	sim_probe *probe;
	const struct sim_usb_identity *id;
	char serial[64];

	uint8_t dev_desc[18];
	uint8_t cfg_desc[128];
	size_t cfg_len;
	uint8_t report_desc[64]; /* HID only */
	size_t report_len;

	char usb_node[48];    /* /dev/bus/usb/001/00N */
	char hidraw_node[32]; /* /dev/hidrawN (HID only) */
	int usb_pipe;         /* FIFO behind the usbfs node (ours) */
	int hidraw_pipe;
	bool usb_pipe_full;
	bool hidraw_pipe_full;
	struct lab_client *claimed[LAB_MAX_IFACES];
	bool maybe_data;     /* an IN may find reply bytes */
	gint64 last_wall_us; /* end of the last transfer (monotonic) */
	uint64_t xfers;      /* transfers completed (--inject xfer:N) */
	bool unplugged;      /* --inject unplug fired: usbfs answers ENODEV */
	uint64_t idle_ns;    /* host idle time given to the chip */
	/* --host-idle-net: the emulation's own cost per transfer, estimated
	 * from the pauses between an OUT and the IN right after it */
	bool last_out;                        /* the last transfer was OUT */
	uint32_t plumb_us[LAB_PLUMB_SAMPLES]; /* the latest such pauses */
	unsigned plumb_n, plumb_next;
	uint64_t net_ns; /* pause time not given (deducted) */
};

struct lab {
	GMutex lock;
	GCond work;
	GMutex sim_lock;
	struct lab_dev devs[LAB_MAX_DEVS];
	int ndevs;
	struct lab_client *clients;
	uint64_t next_seq;
	bool stop;
	bool verbose;
	uint64_t idle_cap_ns; /* --host-idle: max idle time per gap, 0 = off */
	bool idle_net;        /* --host-idle-net: less the emulation's own cost */
	UMockdevTestbed *tb;
	char *root; /* the testbed's root dir */
};

extern struct lab lab;

#define lab_debug(...)                                                                                       \
	do {                                                                                                 \
		if (lab.verbose)                                                                             \
			fprintf(stderr, "swdd-lab: " __VA_ARGS__);                                           \
	} while (0)

/* lab_desc.c: descriptors and the umockdev device description. */
void lab_desc_build(struct lab_dev *d);
/* Writes string descriptor `index` (0 = language IDs) into buf; returns
 * its length or -1 if the device has no such string. */
int lab_desc_string(const struct lab_dev *d, unsigned index, uint8_t *buf, size_t cap);
/* Adds the device (and for HID its interface/hid/hidraw children) to the
 * testbed; returns 0 or -1 with a message on stderr. */
int lab_desc_add_to_testbed(struct lab_dev *d);

/* lab_usbfs.c: usbfs ioctl emulation (one handler for all devices). */
int lab_usbfs_attach(struct lab_dev *d);
/* Standard and HID class control requests: fills `data` (IN) and returns
 * the data length, or -EPIPE (stall). */
int lab_usbfs_control(struct lab_dev *d, const uint8_t setup[8], uint8_t *data, size_t cap);

/* Under lab.lock, any thread: completes a waiting blocking REAPURB. */
void lab_usbfs_wake_reaper(struct lab_client *cl);

/* lab_hidraw.c: /dev/hidrawN for hidapi's hidraw back end. */
int lab_hidraw_attach(struct lab_dev *d);

/* lab_engine.c: the lab thread and shared job/pipe helpers. */
void lab_engine_start(void);
void lab_engine_stop(void);
/* Under lab.lock: appends a job to its client and wakes the lab thread. */
void lab_job_queue(struct lab_job *j);
/* Under lab.lock: unlinks and frees a job (drops its umockdev refs). */
void lab_job_free(struct lab_job *j);
/* Under lab.lock: makes the device nodes' poll() state match the jobs. */
void lab_dev_update_pipes(struct lab_dev *d);
/* Under lab.lock: cleans up clients whose fd was closed (their claims,
 * URBs and poll state), as the kernel does when a usbfs file is released. */
void lab_clients_sweep(void);
/* "client-connected" handler of both node handlers (user = the lab_dev):
 * each open() of a node is one client with its own URBs and claims. */
void lab_client_connected_cb(UMockdevIoctlBase *self, UMockdevIoctlClient *uc, gpointer user);
/* Creates the FIFO that replaces a device node; returns our fd or -1. */
int lab_pipe_create(const char *node);

/* lab_inject.c: --inject FAULT@TRIGGER:N (fault injection, board 1). */
enum lab_inj_fault {
	LAB_INJ_NONE,
	LAB_INJ_STALL,
	LAB_INJ_FREEZE,
	LAB_INJ_UNPLUG,
	LAB_INJ_POWER_OFF,
	LAB_INJ_WATCHDOG
};
enum lab_inj_trig { LAB_TRIG_ERASE, LAB_TRIG_PROGRAM, LAB_TRIG_XFER };
struct lab_inject {
	bool armed;
	bool keep_node; /* unplug: leave the node in the testbed */
	enum lab_inj_fault fault;
	enum lab_inj_trig trig;
	uint64_t n;
	unsigned stall_ms;
	unsigned watchdog_ms; /* watchdog: time left on the firmware's IWDG */
};
extern struct lab_inject lab_inj;
/* Parses FAULT@TRIGGER:N and arms it; 0 or -1 (message on stderr). */
int lab_inject_parse(const char *arg);
/* Under lab.sim_lock after each transfer of d: the fault to carry out now. */
enum lab_inj_fault lab_inject_check(struct lab_dev *d);
/* Lab thread, no lock held: carries it out (a stall sleeps here). */
void lab_inject_apply(struct lab_dev *d, enum lab_inj_fault f);

/* lab_files.c: --image and --stats. Return 0 or -1 (message on stderr). */
int lab_image_load(sim_chip *c, const char *path);
int lab_stats_write(const char *path, double wall_s, int exit_status);

#endif
