/*
 * berth-monitor: the container runtime and per-container monitor of berth.
 * Subcommands: create, exec, init, version. See native/PROTOCOL.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "container.h"
#include "berth-constants.h"
#include "exec.h"
#include "monitor.h"
#include "network.h"
#include "sealed.h"

static int usage(void)
{
  fprintf(stderr, "usage: berth-monitor create --bundle DIR --state DIR --id ID [--log FILE] [--log-max-size N]\n"
                  "                            [--log-max-file N] [--stdin] [--restart POLICY] [--exit-command PATH "
                  "[--exit-arg A]...]\n"
                  "       berth-monitor exec --pid PID [--pid-start N] [--cgroup PATH] [--bundle DIR] [--tty] "
                  "[--detach] [--env K=V]...\n"
                  "                          [--cwd DIR] [--user UID:GID[:G,...]] [--privileged]\n"
                  "                          [--winsize-file FILE] -- ARG...\n"
                  "       berth-monitor net-up|net-down --pid PID --network FILE --link NAME\n"
                  "       berth-monitor init -- CMD...\n"
                  "       berth-monitor version\n");
  return 125;
}

static const char *need(int argc, char **argv, int *i)
{
  if (*i + 1 >= argc) {
    fprintf(stderr, "berth-monitor: %s needs a value\n", argv[*i]);
    exit(125);
  }
  return argv[++*i];
}

static int cmd_create(int argc, char **argv)
{
  static monitor_opts o = {.log_max_file = 1};
  static const char *exit_argv[64];
  int nexit = 0;
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--bundle"))
      o.bundle = need(argc, argv, &i);
    else if (!strcmp(a, "--state"))
      o.state_dir = need(argc, argv, &i);
    else if (!strcmp(a, "--id"))
      o.id = need(argc, argv, &i);
    else if (!strcmp(a, "--log"))
      o.log_path = need(argc, argv, &i);
    else if (!strcmp(a, "--log-max-size"))
      o.log_max_size = atoll(need(argc, argv, &i));
    else if (!strcmp(a, "--log-max-file"))
      o.log_max_file = atoi(need(argc, argv, &i));
    else if (!strcmp(a, "--stdin"))
      o.open_stdin = true;
    else if (!strcmp(a, "--network"))
      o.network = need(argc, argv, &i);
    else if (!strcmp(a, "--restart")) {
      const char *p = need(argc, argv, &i);
      if (restart_parse(p, &o.restart) < 0) {
        fprintf(stderr, "berth-monitor: invalid restart policy %s\n", p);
        return 125;
      }
    } else if (!strcmp(a, "--exit-command")) {
      nexit = 0;
      exit_argv[nexit++] = need(argc, argv, &i);
    } else if (!strcmp(a, "--exit-arg")) {
      if (nexit == 0 || nexit >= 62) return usage();
      exit_argv[nexit++] = need(argc, argv, &i);
    } else {
      fprintf(stderr, "berth-monitor: unknown option %s\n", a);
      return usage();
    }
  }
  if (!o.bundle || !o.state_dir || !o.id) return usage();
  exit_argv[nexit] = NULL;
  if (nexit) o.exit_argv = exit_argv;
  return monitor_create(&o);
}

static int cmd_exec(int argc, char **argv)
{
  static exec_opts o;
  static const char *env[256];
  int nenv = 0;
  int i = 2;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--")) {
      i++;
      break;
    }
    if (!strcmp(a, "--pid"))
      o.pid = atoi(need(argc, argv, &i));
    else if (!strcmp(a, "--pid-start"))
      o.pid_start = strtoull(need(argc, argv, &i), NULL, 10);
    else if (!strcmp(a, "--cgroup"))
      o.cgroup = need(argc, argv, &i);
    else if (!strcmp(a, "--bundle"))
      o.bundle = need(argc, argv, &i);
    else if (!strcmp(a, "--cwd"))
      o.cwd = need(argc, argv, &i);
    else if (!strcmp(a, "--user"))
      o.user = need(argc, argv, &i);
    else if (!strcmp(a, "--env")) {
      if (nenv >= 255) return usage();
      env[nenv++] = need(argc, argv, &i);
    } else if (!strcmp(a, "--tty"))
      o.tty = true;
    else if (!strcmp(a, "--detach"))
      o.detach = true;
    else if (!strcmp(a, "--privileged"))
      o.privileged = true;
    else if (!strcmp(a, "--winsize-file"))
      o.winsize_file = need(argc, argv, &i);
    else {
      fprintf(stderr, "berth-monitor: unknown option %s\n", a);
      return usage();
    }
  }
  if (o.pid <= 0 || i >= argc) return usage();
  env[nenv] = NULL;
  o.env = env;
  o.argv = argv + i;
  return exec_main(&o);
}

int main(int argc, char **argv)
{
  const char *base = strrchr(argv[0], '/');
  base = base ? base + 1 : argv[0];
  size_t bl = strlen(base);
  if (bl >= 4 && !strcmp(base + bl - 4, "init")) {
    int i = 1;
    if (i < argc && !strcmp(argv[i], "--")) i++;
    return init_main(argv + i);
  }
  if (argc < 2) return usage();
  if (!strcmp(argv[1], "version")) {
    printf("berth-monitor %s\n", BERTH_VERSION);
    return 0;
  }
  if (!strcmp(argv[1], "create")) return cmd_create(argc, argv);
  if (!strcmp(argv[1], "exec")) {
    /* what joins the container runs from a sealed copy of this program, never from its file */
    berr_t err = {0};
    if (reexec_sealed(argv, &err) < 0) {
      fprintf(stderr, "berth-monitor: %s\n", err.msg);
      return 125;
    }
    return cmd_exec(argc, argv);
  }
  if (!strcmp(argv[1], "execve")) return container_exec_hop(argc, argv);
  if (!strcmp(argv[1], "net-up") || !strcmp(argv[1], "net-down")) return net_main(argc, argv);
  if (!strcmp(argv[1], "init")) {
    int i = 2;
    if (i < argc && !strcmp(argv[i], "--")) i++;
    return init_main(argv + i);
  }
  return usage();
}
