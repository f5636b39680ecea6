/* berth-dns: the DNS responder of one user-defined network (the headers in native/dns say how each
 * part works). It answers the names of the network's running containers from the
 * record files in its directory and forwards everything else to the host's resolvers. It starts
 * with the network's first running container and ends with its last, as aardvark-dns does.
 *
 *   berth-dns --records DIR --listen IP[:PORT] [--listen ...] [--upstream IP[:PORT]]... | --no-forward
 *             [--pidfile FILE] [--foreground]
 *
 * --no-forward (an --internal network's responder): names not in the records get REFUSED, as
 * docker's embedded DNS does on internal networks (CVE-2024-29018: the responder runs in the host's
 * namespace, so forwarding would be a way out of the network).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "log.h"
#include "server.h"

static dns_opts opts = {.resolv_conf = "/etc/resolv.conf"};
static dns_server server;

static void usage(FILE *f)
{
  fputs("Usage: berth-dns --records DIR --listen IP[:PORT] [--listen ...] [--upstream IP[:PORT]]... | --no-forward\n"
        "                 [--pidfile FILE] [--foreground]\n",
        f);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  fprintf(stderr, "berth-dns: %s\n", msg);
  exit(1);
}

static void parse_args(int argc, char **argv)
{
  static const struct option longs[] = {
      {"records", required_argument, NULL, 'r'},  {"listen", required_argument, NULL, 'l'},
      {"upstream", required_argument, NULL, 'u'}, {"pidfile", required_argument, NULL, 'p'},
      {"foreground", no_argument, NULL, 'f'},     {"no-forward", no_argument, NULL, 'n'},
      {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
  };
  berr_t err = {0};
  int c;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
    switch (c) {
      case 'r': opts.records = optarg; break;
      case 'p': opts.pidfile = optarg; break;
      case 'f': opts.foreground = true; break;
      case 'n': opts.no_forward = true; break;
      case 'l':
        if (opts.nlisten == DNS_MAX_LISTEN) die("at most %d --listen addresses", DNS_MAX_LISTEN);
        if (dns_addr_parse(optarg, DNS_PORT, &opts.listen[opts.nlisten++], &err) < 0) die("--listen %s", err.msg);
        break;
      case 'u':
        if (opts.nupstream == DNS_MAX_UPSTREAM) die("at most %d --upstream addresses", DNS_MAX_UPSTREAM);
        if (dns_addr_parse(optarg, DNS_PORT, &opts.upstream[opts.nupstream++], &err) < 0) die("--upstream %s", err.msg);
        break;
      case 'h': usage(stdout); exit(0);
      default: die("unknown or incomplete option %s (--help lists them)", argv[optind - 1]);
    }
  }
  if (optind < argc) die("unexpected argument %s", argv[optind]);
  if (!opts.records) die("--records DIR is required");
  if (!opts.nlisten) die("--listen IP[:PORT] is required");
  if (opts.no_forward && opts.nupstream) die("--no-forward and --upstream exclude each other");
}

/* The log beside the pidfile: FILE.pid -> FILE.log (else FILE.log appended). */
static void open_log(void)
{
  if (opts.foreground || !opts.pidfile) return;
  char path[4096];
  size_t n = strlen(opts.pidfile);
  if (n > 4 && !strcmp(opts.pidfile + n - 4, ".pid"))
    snprintf(path, sizeof path, "%.*s.log", (int)(n - 4), opts.pidfile);
  else
    snprintf(path, sizeof path, "%s.log", opts.pidfile);
  if (dns_log_open(path) < 0) die("open %s: %s", path, errno_text(errno));
}

/* Double fork and setsid; the starting process returns once the daemon wrote its pidfile (0), or
 * prints what failed (1). */
static void daemonize(void)
{
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) < 0) die("pipe: %s", errno_text(errno));
  pid_t pid = fork();
  if (pid < 0) die("fork: %s", errno_text(errno));
  if (pid > 0) {
    close(ready[1]);
    waitpid(pid, NULL, 0);
    char buf[700];
    ssize_t n;
    do n = read(ready[0], buf, sizeof buf - 1);
    while (n < 0 && errno == EINTR);
    if (n > 0 && !strncmp(buf, "ok", 2)) exit(0);
    buf[n > 0 ? n : 0] = 0;
    die("%s", n > 0 ? buf : "the responder died while starting");
  }
  close(ready[0]);
  setsid();
  pid = fork();
  if (pid < 0) _exit(1);
  if (pid > 0) _exit(0);
  if (chdir("/") < 0) _exit(1);
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull >= 0) {
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(devnull, 2);
    if (devnull > 2) close(devnull);
  }
  berr_t err = {0};
  if (dns_server_signals(&server, &err) < 0 || dns_pidfile_write(&opts, &err) < 0) {
    dns_log("%s", err.msg);
    write_all(ready[1], err.msg, strlen(err.msg));
    _exit(1);
  }
  write_all(ready[1], "ok", 2);
  close(ready[1]);
}

int main(int argc, char **argv)
{
  /* nothing a caller left open stays open in the daemon (a pipe held open would keep its reader waiting) */
  close_range(3, ~0U, 0);
  parse_args(argc, argv);
  /* one responder per directory: a second one leaves at once, the first serves */
  char lock_path[4096];
  if ((size_t)snprintf(lock_path, sizeof lock_path, "%s/.lock", opts.records) >= sizeof lock_path)
    die("%s: path too long", opts.records);
  int lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (lock_fd < 0) die("open %s: %s", lock_path, errno_text(errno));
  if (flock(lock_fd, LOCK_EX | LOCK_NB) < 0) {
    if (errno == EWOULDBLOCK) return 0;
    die("lock %s: %s", lock_path, errno_text(errno));
  }
  open_log();
  berr_t err = {0};
  if (dns_server_init(&server, &opts, lock_fd, &err) < 0) die("%s", err.msg);
  if (!server.dir.rs.n) { /* the network's last container is gone already */
    dns_log("no record file in %s: nothing to serve", opts.records);
    return 0;
  }
  if (dns_server_listen(&server, &err) < 0) die("%s", err.msg);
  if (opts.foreground) {
    if (dns_server_signals(&server, &err) < 0 || dns_pidfile_write(&opts, &err) < 0) die("%s", err.msg);
  } else {
    daemonize();
  }
  char text[80];
  dns_log("serving %zu record files of %s on %s%s", server.dir.rs.n, opts.records, dns_addr_text(&opts.listen[0], text),
          opts.nlisten > 1 ? " and more" : "");
  dns_server_run(&server);
  dns_pidfile_remove(&opts);
  return 0;
}
