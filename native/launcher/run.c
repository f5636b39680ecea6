/* The run of a container whose record the launcher wrote: monitor, start, output, exit, --rm. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "launcher.h"
#include "rows.h"
#include "session.h"

static int sig_pipe[2] = {-1, -1};

static void on_sig(int sig)
{
  unsigned char b = (unsigned char)sig;
  int saved = errno;
  if (write(sig_pipe[1], &b, 1) < 0) {}
  errno = saved;
}

/* docker's sig-proxy: the signal goes to the container (no restart afterwards), as `berth kill` does. */
static void forward_signal(int sig, void *p)
{
  const ctr_t *c = p;
  char line[32], reply[256];
  monitor_command(c->run_dir, "norestart", reply, sizeof reply);
  snprintf(line, sizeof line, "kill %d", sig);
  if (monitor_command(c->run_dir, line, reply, sizeof reply) != 0) return;
  char num[16];
  snprintf(num, sizeof num, "%d", sig);
  autofree char *attrs = event_attrs_with(c->name, C.image, "signal", num);
  berr_t err = {0};
  store_event(c->store, c->id, "kill", attrs, &err);
}

static void proxy_signals(void)
{
  if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0) return;
  const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
  struct sigaction sa = {.sa_handler = on_sig, .sa_flags = SA_RESTART};
  for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++) sigaction(sigs[k], &sa, NULL);
}

/* What the engine's removeContainer does for a container that has exited; Node when a layer lost its image. */
static void remove_container(const ctr_t *c, const char *die_attrs)
{
  monitor_wait_gone(c->run_dir, 30000);
  if (!store_layers_held(c->store, c->layers, c->nlayers)) {
    /* the image was removed meanwhile (rmi -f): its layers go with the container, which is the engine's work */
    pid_t pid = fork();
    if (pid == 0) {
      char *argv[] = {"berth", "--root", (char *)C.root, "--runroot", (char *)C.runroot,
                      "rm",    "-f",     (char *)c->id,  NULL};
      orig_argv = argv;
      setenv("BERTH_NATIVE_RUN", "0", 1);
      hand_over("layers to remove");
    }
    while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
    return;
  }
  berr_t err = {0};
  if (store_remove(c->store, c->id, die_attrs, c->attrs, c->remove_events, c->nremove_events, &err) < 0)
    fprintf(stderr, "Error: %s\n", err.msg);
  remove_tree(c->dir);
  remove_tree(c->run_dir);
}

/* From a created record on: the engine's startContainer and run.ts's foreground session, as they do it. */
int run_created(const ctr_t *c, plan_t *plan, plan_values *v)
{
  const char *run_dir = c->run_dir;
  berr_t err = {0};
  const jval *doc = plan->doc;
  char num[16];
  /* the runtime directory, then the monitor */
  remove_tree(run_dir);
  if (mkdir_p(run_dir, 0700) < 0) {
    fprintf(stderr, "Error: cannot create %s: %s\n", run_dir, strerror(errno));
    if (C.rm) remove_container(c, NULL);
    return 125;
  }
  const jval *margs = json_get(doc, "monitor"), *exit_cmd = json_get(doc, "exitCommand");
  const char **args = xmalloc(sizeof(char *) * (margs->n + 2 * exit_cmd->n + 4));
  char monitor[PATH_MAX];
  const char *env_monitor = getenv("BERTH_MONITOR");
  snprintf(monitor, sizeof monitor, "%s/berth-monitor", self_dir());
  if (env_monitor && *env_monitor) snprintf(monitor, sizeof monitor, "%s", env_monitor);
  size_t n = 0;
  args[n++] = monitor;
  for (size_t k = 0; k < margs->n; k++) args[n++] = plan_fill(json_str(&margs->items[k], ""), v);
  /* only --rm needs work done at the exit (lifecycle.ts) */
  for (size_t k = 0; C.rm && k < exit_cmd->n; k++) {
    args[n++] = k ? "--exit-arg" : "--exit-command";
    args[n++] = plan_fill(json_str(&exit_cmd->items[k], ""), v);
  }
  args[n] = NULL;
  if (monitor_create(monitor, args, &err) < 0) {
    fprintf(stderr, "Error: %s\n", err.msg);
    if (C.rm) remove_container(c, NULL);
    return 125;
  }
  /* attached before the start, so all output is seen; this process removes an --rm container itself */
  int sock = -1;
  if (!C.detach && (sock = monitor_attach(run_dir, C.rm)) < 0) {
    fprintf(stderr, "Error: cannot attach: the container monitor closed the connection\n");
    if (C.rm) remove_container(c, NULL);
    return 125;
  }
  char reply[1024];
  int rc = monitor_command(run_dir, "start", reply, sizeof reply);
  if (rc != 0) {
    int code = 125;
    const char *msg = rc < 0 ? "the container monitor closed the connection" : reply + 6;
    if (rc > 0 && !strncmp(reply, "error ", 6) && atoi(reply + 6) > 0) {
      /* an exec failure: the run ended with its code (lifecycle.ts ExecError) */
      code = atoi(reply + 6);
      msg = strchr(reply + 6, ' ') ? strchr(reply + 6, ' ') + 1 : msg;
      char now[40];
      now_rfc3339nano(now);
      snprintf(num, sizeof num, "%d", code);
      autofree char *state = exec_failed_state(code, msg, now);
      autofree char *die_attrs = event_attrs_with(c->name, C.image, "exitCode", num);
      store_state(c->store, c->id, state, "die", die_attrs, &err);
    }
    fprintf(stderr, "Error: %s\n", msg);
    if (sock >= 0) close(sock);
    if (C.rm) remove_container(c, NULL);
    return code;
  }
  /* running: the state and start event, with the start time the monitor wrote */
  char path[PATH_MAX], started[40];
  now_rfc3339nano(started);
  snprintf(path, sizeof path, "%s/" BERTH_MONITOR_STATE_FILE, run_dir);
  autofree char *ms_text = read_file(path, NULL, &err);
  jval *ms = ms_text ? json_parse(ms_text, &err) : NULL;
  if (ms && json_str(json_get(ms, "startedAt"), NULL))
    snprintf(started, sizeof started, "%s", json_str(json_get(ms, "startedAt"), ""));
  if (ms) json_free(ms);
  v->started = started;
  autofree char *state = plan_fill(json_str(json_get(doc, "running"), ""), v);
  if (!state || store_started(c->store, c->id, state, c->attrs, &err) < 0)
    fprintf(stderr, "Error: %s\n", state ? err.msg : "the plan's running state");
  if (C.detach) {
    printf("%s\n", c->id);
    return 0;
  }
  signal(SIGPIPE, SIG_IGN);
  proxy_signals();
  int code = 0;
  if (!attach_pump(sock, sig_pipe[0], forward_signal, (void *)c, &code)) {
    /* the connection ended without the exit: the monitor's record says it */
    monitor_wait_gone(run_dir, 30000);
    autofree char *st_text = read_file(path, NULL, &err);
    jval *st = st_text ? json_parse(st_text, &err) : NULL;
    code = st ? (int)json_num(json_get(st, "exitCode"), 125) : 125;
    if (st) json_free(st);
  }
  close(sock);
  if (C.rm) {
    snprintf(num, sizeof num, "%d", code);
    autofree char *die_attrs = event_attrs_with(c->name, C.image, "exitCode", num);
    remove_container(c, die_attrs);
  }
  return code;
}
