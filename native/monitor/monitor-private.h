/* The monitor's state shared by monitor.c and control.c; not part of the monitor's interface. */
#ifndef BERTH_MONITOR_PRIVATE_H
#define BERTH_MONITOR_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "monitor.h"
#include "network.h"
#include "util.h"

typedef struct {
  const monitor_opts *o;
  restart_policy restart; /* changed live by `policy` */
  spec_t spec;
  cgroup_t cg;
  bool have_cg;
  ctr_proc proc;
  bool alive;   /* the container process exists (not yet reaped) */
  bool started; /* released to exec in this run */
  int wait_status;
  bool reaped;
  int64_t reaped_at;
  logfile log;
  bool have_log;
  netspec net; /* with o->network: interfaces, published ports */
  int listen_fd, sig_fd;
  client clients[MAX_CLIENTS];
  char *stdin_buf;
  size_t stdin_len;
  bool stdin_close;
  /* state */
  const char *status;
  char started_at[40], finished_at[40], error[512];
  int exit_code, restart_count;
  bool oom, stopped_by_user, no_restart;
  bool busy; /* output went through the buffers since they were last trimmed */
  uint64_t oom_before;
  int64_t started_mono, backoff_ms, restart_at, kill_at;
} monitor;

/* monitor.c */
void monitor_write_state(monitor *m);
/* Release the created container to exec; on failure the error is recorded in m too. */
int monitor_release(monitor *m, berr_t *err);
/* Record the exit, tell the clients, run the exit command; never returns. */
void monitor_finalize(monitor *m);

/* control.c */
/* Write what is queued for the container's stdin (non-blocking); close it when asked to. */
void control_flush_stdin(monitor *m);
/* The longest command line a client may send. */
#define CONTROL_LINE_MAX 4096
/* Read from a control client: a command line, or attach frames. */
void control_client_read(monitor *m, client *c);
/* Act on what a client sent so far (c->in): its command line, then whole frames. Pure of I/O but for the
 * replies queued to the client and the container's stdin; the fuzz target feeds it. */
void control_client_input(monitor *m, client *c);
/* Listen on the control socket at path; returns the fd. */
int control_listen(const char *path, berr_t *err);

#endif
