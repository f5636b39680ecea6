/*
 * Carrying out network.json: the engine decided every name, address, route
 * and port (src/engine/network/net-spec.ts); this file only does it, with
 * netlink, when the container's network namespace is made (and at each
 * restart), and undoes it at the end.
 */
#include "network.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "netlink.h"

int net_load(netspec *n, const char *path, berr_t *err)
{
  autofree char *text = read_file(path, NULL, err);
  if (!text) return -1;
  jval *doc = json_parse(text, err);
  if (!doc) return -1;
  if (doc->t != J_OBJ) {
    json_free(doc);
    return fail(err, EINVAL, "%s is not a network spec", path);
  }
  if (n->doc) json_free(n->doc);
  n->doc = doc;
  if (!n->path) n->path = xstrdup(path);
  return 0;
}

void net_free(netspec *n)
{
  net_drop_ports(n);
  if (n->doc) json_free(n->doc);
  free(n->path);
  memset(n, 0, sizeof *n);
}

static const jval *list(const netspec *n, const char *key)
{
  const jval *v = json_get(n->doc, key);
  return v && v->t == J_ARR ? v : NULL;
}

int net_hold_ports(netspec *n, berr_t *err)
{
  const jval *ports = list(n, "ports");
  if (!ports || !ports->n) return 0;
  n->port_fds = xmalloc(sizeof(int) * ports->n);
  for (size_t k = 0; k < ports->n; k++) {
    const jval *p = &ports->items[k];
    const char *proto = json_str(json_get(p, "proto"), "tcp"), *ip = json_str(json_get(p, "hostIp"), "");
    int port = (int)json_num(json_get(p, "hostPort"), 0);
    int type = strcmp(proto, "udp") ? SOCK_STREAM : SOCK_DGRAM;
    int fd = socket(AF_INET, type | SOCK_CLOEXEC, !strcmp(proto, "sctp") ? IPPROTO_SCTP : 0);
    if (fd < 0 && !strcmp(proto, "sctp")) continue; /* no SCTP in this kernel: nothing to hold */
    if (fd < 0) return fail_errno(err, "socket for port %d", port);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (*ip && inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
      close(fd);
      return fail(err, EINVAL, "invalid host address %s", ip);
    }
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
      int e = errno;
      close(fd);
      if (e == EADDRINUSE)
        return fail(err, e, "Bind for %s:%d failed: port is already allocated", *ip ? ip : "0.0.0.0", port);
      errno = e;
      return fail_errno(err, "bind %s:%d", *ip ? ip : "0.0.0.0", port);
    }
    n->port_fds[n->nport_fds++] = fd;
  }
  return 0;
}

void net_drop_ports(netspec *n)
{
  for (size_t k = 0; k < n->nport_fds; k++) close(n->port_fds[k]);
  free(n->port_fds);
  n->port_fds = NULL;
  n->nport_fds = 0;
}

/* Run one command; its last line on stderr becomes the error. */
static int run_cmd(const jval *argv_json, berr_t *err)
{
  autofree const char **argv = json_strv(argv_json);
  if (!argv || !argv[0]) return 0;
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0) return fail_errno(err, "pipe");
  pid_t pid = fork();
  if (pid < 0) return fail_errno(err, "fork");
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(pipefd[1], 2);
    execv(argv[0], (char *const *)argv);
    dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  close(pipefd[1]);
  char buf[1024];
  size_t len = 0;
  for (;;) {
    ssize_t r = read(pipefd[0], buf + len, sizeof buf - 1 - len);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    len += (size_t)r;
    if (len == sizeof buf - 1) len = 0; /* keep the tail */
  }
  close(pipefd[0]);
  buf[len] = 0;
  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
  while (len && buf[len - 1] == '\n') buf[--len] = 0;
  char *last = strrchr(buf, '\n');
  return fail(err, EIO, "%s: %s", argv[0], last ? last + 1 : *buf ? buf : "failed");
}

int net_run_up(netspec *n, berr_t *err)
{
  const jval *cmds = list(n, "up");
  for (size_t k = 0; cmds && k < cmds->n; k++) {
    if (run_cmd(&cmds->items[k], err) < 0) return -1;
    n->up_ran = true;
  }
  return 0;
}

void net_run_down(netspec *n)
{
  if (!n->up_ran) return;
  const jval *cmds = list(n, "down");
  for (size_t k = 0; cmds && k < cmds->n; k++) {
    berr_t err = {0};
    if (run_cmd(&cmds->items[k], &err) < 0) logmsg("%s", err.msg);
  }
  n->up_ran = false;
}

/* IPv6 off on an interface of the current namespace (its /proc/sys/net is this namespace's). */
static void no_ipv6(const char *ifname)
{
  char path[128];
  snprintf(path, sizeof path, "/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifname);
  berr_t e = {0};
  if (access(path, F_OK) == 0 && write_file(path, "1", &e) < 0) logmsg("%s", e.msg);
}

static bool wanted(const jval *link, const char *only)
{
  return !only || !strcmp(json_str(json_get(link, "name"), ""), only);
}

/* In the container's namespace: the link's addresses and routes. */
static int configure_inside(const jval *links, const char *only, berr_t *err)
{
  autoclose int nl = nl_open(err);
  if (nl < 0) return -1;
  for (size_t k = 0; k < links->n; k++) {
    const jval *l = &links->items[k];
    if (!wanted(l, only)) continue;
    const char *name = json_str(json_get(l, "name"), "");
    int idx = (int)if_nametoindex(name);
    if (!idx) return fail_errno(err, "find %s in the container", name);
    const jval *addrs = json_get(l, "addresses"), *routes = json_get(l, "routes");
    /* no IPv6 address of its own: no IPv6 at all on it (docker's default), so it sends nothing unasked
     * (router solicitations, duplicate address detection) */
    bool v6 = false;
    for (size_t a = 0; addrs && a < addrs->n; a++) v6 = v6 || strchr(json_str(&addrs->items[a], ""), ':');
    if (!v6) no_ipv6(name);
    if (nl_up(nl, idx, err) < 0) return -1;
    for (size_t a = 0; addrs && a < addrs->n; a++)
      if (nl_addr(nl, idx, json_str(&addrs->items[a], ""), err) < 0) return -1;
    for (size_t r = 0; routes && r < routes->n; r++) {
      const jval *rt = &routes->items[r];
      if (nl_route(nl, idx, json_str(json_get(rt, "dst"), ""), json_str(json_get(rt, "gateway"), NULL), err) < 0)
        return -1;
    }
  }
  return 0;
}

/* Run fn in the namespace of netns_fd, and come back. */
static int inside(int netns_fd, int (*fn)(const jval *, const char *, berr_t *), const jval *links, const char *only,
                  berr_t *err)
{
  autoclose int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (self < 0) return fail_errno(err, "open /proc/self/ns/net");
  if (setns(netns_fd, CLONE_NEWNET) < 0) return fail_errno(err, "enter the container's network namespace");
  int r = fn(links, only, err);
  if (setns(self, CLONE_NEWNET) < 0) {
    /* the monitor cannot stay in the container's namespace */
    logmsg("cannot return to the host's network namespace: %s", errno_text(errno));
    _exit(125);
  }
  return r;
}

int net_links_up(const netspec *n, pid_t pid, const char *only, berr_t *err)
{
  const jval *links = list(n, "links");
  if (!links || !links->n) return 0;
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
  autoclose int ns = open(path, O_RDONLY | O_CLOEXEC);
  if (ns < 0) return fail_errno(err, "open %s", path);
  autoclose int nl = nl_open(err);
  if (nl < 0) return -1;
  for (size_t k = 0; k < links->n; k++) {
    const jval *l = &links->items[k];
    if (!wanted(l, only)) continue;
    const char *kind = json_str(json_get(l, "kind"), ""), *name = json_str(json_get(l, "name"), "");
    const char *mac = json_str(json_get(l, "mac"), "");
    int mtu = (int)json_num(json_get(l, "mtu"), 1500);
    if (!strcmp(kind, "veth")) {
      const char *host = json_str(json_get(l, "host"), ""), *bridge = json_str(json_get(l, "bridge"), "");
      int master = (int)if_nametoindex(bridge);
      if (!master) return fail(err, ENODEV, "the bridge %s is missing", bridge);
      if (nl_del(nl, host, err) < 0 || nl_veth(nl, host, master, name, mac, mtu, ns, err) < 0) return -1;
      /* the host end is a bridge port only: no IPv6 of its own to send unasked */
      no_ipv6(host);
      if (nl_up(nl, (int)if_nametoindex(host), err) < 0) return -1;
    } else if (!strcmp(kind, "macvlan") || !strcmp(kind, "ipvlan")) {
      const char *parent = json_str(json_get(l, "parent"), "");
      int pidx = (int)if_nametoindex(parent);
      if (!pidx) return fail(err, ENODEV, "the parent interface %s is missing", parent);
      if (nl_child(nl, kind, json_str(json_get(l, "mode"), ""), pidx, name, mac, mtu, ns, err) < 0) return -1;
    } else {
      return fail(err, EINVAL, "unknown interface kind %s", kind);
    }
  }
  return inside(ns, configure_inside, links, only, err);
}

static int delete_inside(const jval *links, const char *only, berr_t *err)
{
  autoclose int nl = nl_open(err);
  return nl < 0 ? -1 : nl_del(nl, only, err);
}

void net_links_down(const netspec *n, pid_t pid, const char *only)
{
  const jval *links = list(n, "links");
  berr_t err = {0};
  autoclose int nl = nl_open(&err);
  if (nl < 0 || !links) return;
  for (size_t k = 0; k < links->n; k++) {
    const jval *l = &links->items[k];
    if (!wanted(l, only)) continue;
    if (!strcmp(json_str(json_get(l, "kind"), ""), "veth")) {
      if (nl_del(nl, json_str(json_get(l, "host"), ""), &err) < 0) logmsg("%s", err.msg);
    } else if (pid > 0 && only) {
      char path[64];
      snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
      autoclose int ns = open(path, O_RDONLY | O_CLOEXEC);
      if (ns >= 0 && inside(ns, delete_inside, links, only, &err) < 0) logmsg("%s", err.msg);
    }
  }
}

void net_unlink(const netspec *n)
{
  const jval *files = list(n, "unlink");
  for (size_t k = 0; files && k < files->n; k++) unlink(json_str(&files->items[k], ""));
}

void net_teardown(netspec *n)
{
  berr_t err = {0};
  /* connect and disconnect may have changed it since the start */
  if (n->path && net_load(n, n->path, &err) < 0) logmsg("%s", err.msg);
  net_links_down(n, 0, NULL);
  net_run_down(n);
  net_drop_ports(n);
  net_unlink(n);
}

int net_main(int argc, char **argv)
{
  pid_t pid = 0;
  const char *file = NULL, *link = NULL;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--pid"))
      pid = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--network"))
      file = argv[i + 1];
    else if (!strcmp(argv[i], "--link"))
      link = argv[i + 1];
  }
  if (pid <= 0 || !file || !link) {
    fprintf(stderr, "usage: berth-monitor net-up|net-down --pid PID --network FILE --link NAME\n");
    return 125;
  }
  netspec n = {0};
  berr_t err = {0};
  if (net_load(&n, file, &err) < 0) {
    fprintf(stderr, "berth-monitor: %s\n", err.msg);
    return 125;
  }
  int rc = 0;
  if (!strcmp(argv[1], "net-up")) {
    if (net_links_up(&n, pid, link, &err) < 0) {
      net_links_down(&n, pid, link);
      fprintf(stderr, "berth-monitor: %s\n", err.msg);
      rc = 125;
    }
  } else {
    net_links_down(&n, pid, link);
  }
  net_free(&n);
  return rc;
}
