/* The monitor: parent of one container for its whole life (restarts included). */
#ifndef BERTH_MONITOR_H
#define BERTH_MONITOR_H

#include <stdbool.h>
#include <stdint.h>
#include "attach.h"
#include "cgroup.h"
#include "container.h"
#include "logfile.h"
#include "spec.h"

#define MAX_CLIENTS 64

typedef enum { RESTART_NO, RESTART_ALWAYS, RESTART_UNLESS_STOPPED, RESTART_ON_FAILURE } restart_kind;

typedef struct {
  restart_kind kind;
  int max_retries; /* on-failure:N, 0 = no limit */
} restart_policy;

typedef struct {
  const char *bundle, *state_dir, *id, *log_path;
  int64_t log_max_size;
  int log_max_file;
  bool open_stdin;
  restart_policy restart;
  const char **exit_argv; /* NULL terminated, or NULL */
  const char *network;    /* network.json (native/PROTOCOL.md "Networking"), or NULL */
} monitor_opts;

/* Parse "no", "always", "unless-stopped", "on-failure[:N]"; -1 if invalid. */
int restart_parse(const char *s, restart_policy *out);
/* Should a container that exited with code after running ran_ms restart? */
bool restart_should(const restart_policy *p, int exit_code, int restart_count, bool stopped_by_user);
/* docker's back-off: next delay from the previous one and how long it ran. */
int64_t restart_backoff(int64_t prev_ms, int64_t ran_ms);

/* `berth-monitor create`: returns the exit status for the invoking process. */
int monitor_create(const monitor_opts *o);

#endif
