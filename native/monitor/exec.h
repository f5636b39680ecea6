/* `berth-monitor exec`: run a process inside a running container. */
#ifndef BERTH_EXEC_H
#define BERTH_EXEC_H

#include <stdbool.h>
#include <sys/types.h>

typedef struct {
  pid_t pid;
  unsigned long long pid_start; /* its start time (state.json pidStartTime), 0 when unknown */
  const char *cgroup, *bundle, *cwd, *user;
  /* with --tty: a host file holding "ROWS COLS", read for the pty's size at the start and on SIGWINCH
     (for callers whose own stdin is no terminal, such as the API server) */
  const char *winsize_file;
  bool tty, detach, privileged;
  const char **env; /* extra K=V, NULL terminated */
  char **argv;
} exec_opts;

int exec_main(const exec_opts *o);
/* `berth-monitor init -- CMD...`: a minimal init for --init. */
int init_main(char **argv);

#endif
