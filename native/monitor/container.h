/* Creating the container process: clone into new namespaces, set up the
 * root file system, and hold it before exec until released. */
#ifndef BERTH_CONTAINER_H
#define BERTH_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>
#include "cgroup.h"
#include "spec.h"

typedef struct {
  pid_t pid;
  unsigned long long start_time; /* of pid (field 22 of /proc/<pid>/stat): who that pid is, for exec */
  int out_fd;                    /* container stdout (read end), or the pty master */
  int err_fd;                    /* container stderr (read end), -1 with a tty */
  int in_fd;                     /* write end of the container's stdin, or the pty master (dup), -1 */
  int status_fd;                 /* child -> monitor status channel (read end); closes on exec */
  int start_fd;                  /* monitor -> child release pipe (write end) */
  bool tty;
} ctr_proc;

/* Clone and set up; returns once the process waits to be released. */
int container_spawn(const spec_t *s, cgroup_t *cg, bool open_stdin, ctr_proc *p, berr_t *err);
/* Release it to exec; on success the program runs. On exec failure err has
 * docker's message and status (127, 126, 125). */
int container_release(ctr_proc *p, berr_t *err);
void container_close(ctr_proc *p);
/* `berth-monitor execve STATUS_FD PATH -- ARGS...`: the last step of the container process, run from a
 * sealed copy of berth-monitor so that the program's exec never resolves /proc/self/exe to the host's file. */
int container_exec_hop(int argc, char **argv);

#endif
