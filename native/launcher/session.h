/* The launcher's side of native/PROTOCOL.md: create under a new monitor, control commands, attach. */
#ifndef BERTH_SESSION_H
#define BERTH_SESSION_H

#include <stdbool.h>
#include "../monitor/util.h"

/* Run `berth-monitor create ARGS`; on failure err holds its last line of stderr. */
int monitor_create(const char *monitor, const char *const *args, berr_t *err);
/* Send one command line to STATE/ctl.sock; reply is the line after "ok" (or "error ..."): 0 ok, 1 error reply, -1 no
 * answer. */
int monitor_command(const char *state_dir, const char *line, char *reply, size_t len);
/* Connect for attach (stdout, stderr, and cleanup when this process removes the container); -1 on failure. */
int monitor_attach(const char *state_dir, bool cleanup);
/* Copy frames to fds 1 and 2 until the monitor closes; signals in sigs[] (written to sig_fd) are sent on as kill.
 * Returns 1 with *code when the exit frame came, 0 without it. */
int attach_pump(int sock, int sig_fd, void (*on_signal)(int sig, void *ctx), void *ctx, int *code);
/* Wait until the monitor recorded in STATE/state.json is gone (at most ms); one still waiting for `start` is stopped.
 */
void monitor_wait_gone(const char *state_dir, int ms);

#endif
