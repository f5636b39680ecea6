/*
 * `berth pull [-q] NAME:TAG` lines answered from a pull replay record
 * (written by the engine after a pull that found the image here through the
 * plain-HTTP HEAD: src/engine/registry/pull-record.ts says what a record
 * holds). The record for this exact line is <root>/pull-records/<FNV-1a 64
 * of the line>.json (the working directory left out); it is used only when
 *
 *   - its facts apart from the store hold (record.c: the build of berth,
 *     root, runroot, line, the files' identities or absence), stdout is a
 *     terminal or not as it was, every variable it names has the same value
 *     or is still unset, and the remembered plain-HTTP scheme has not
 *     expired and still says http;
 *   - ONE HEAD of the manifest (HTTP/1.1, Connection: close, the Accept
 *     header Node sends) answers 200 with the recorded Docker-Content-Digest;
 *   - in the store, in one transaction: the image is there, its tag and
 *     digest name still name it; then the pull event is recorded.
 *
 * Then the recorded output is printed and the launcher exits 0. Anything
 * else hands the line to Node, before anything was written: Node pulls the
 * new image, or prints its error.
 */
#include <errno.h>
#include <limits.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "launcher.h"

/* The connect and receive timeouts of the HEAD: a registry that does not answer in time goes to Node. */
#define HEAD_TIMEOUT_S 5

/* Every [name, value] (value null: unset) of the record still holds in this environment. */
static bool env_holds(const jval *env)
{
  if (!env || env->t != J_ARR) return false;
  for (size_t k = 0; k < env->n; k++) {
    const jval *p = &env->items[k], *v = json_get_at(p, 1);
    const char *name = json_str(json_get_at(p, 0), NULL), *now;
    if (!name || !v) return false;
    now = getenv(name);
    if (v->t == J_NULL ? now != NULL : (!now || strcmp(now, json_str(v, "")))) return false;
  }
  return true;
}

/* The value of a header in a response's head (NUL-terminated), trimmed, into out; false when absent. */
static bool header(const char *head, const char *name, char *out, size_t len)
{
  size_t n = strlen(name);
  for (const char *l = strstr(head, "\r\n"); l && l[2]; l = strstr(l + 2, "\r\n")) {
    const char *h = l + 2;
    if (strncasecmp(h, name, n) || h[n] != ':') continue;
    h += n + 1;
    h += strspn(h, " \t");
    size_t m = strcspn(h, "\r");
    while (m && (h[m - 1] == ' ' || h[m - 1] == '\t')) m--;
    if (m >= len) return false;
    memcpy(out, h, m);
    out[m] = 0;
    return true;
  }
  return false;
}

/* One HEAD of the manifest; 0 when it answered 200 with this digest, else -1 and err says what happened. */
static int head_manifest(const jval *doc, const char *digest, berr_t *err)
{
  const char *host = json_str(json_get(doc, "host"), NULL), *path = json_str(json_get(doc, "path"), NULL);
  const char *host_header = json_str(json_get(doc, "hostHeader"), NULL),
             *accept = json_str(json_get(doc, "accept"), NULL);
  double port = json_num(json_get(doc, "port"), 0);
  if (!host || !path || !host_header || !accept || port < 1 || port > 65535)
    return fail(err, 0, "the record is malformed");
  /* an address (the record is written only for a registry named by one): the launcher is linked statically, and
   * getaddrinfo would load glibc's NSS modules at run time */
  union {
    struct sockaddr sa;
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
  } addr = {0};
  socklen_t alen;
  if (inet_pton(AF_INET, host, &addr.v4.sin_addr) == 1) {
    addr.v4.sin_family = AF_INET;
    addr.v4.sin_port = htons((uint16_t)port);
    alen = sizeof addr.v4;
  } else if (inet_pton(AF_INET6, host, &addr.v6.sin6_addr) == 1) {
    addr.v6.sin6_family = AF_INET6;
    addr.v6.sin6_port = htons((uint16_t)port);
    alen = sizeof addr.v6;
  } else
    return fail(err, 0, "the registry is not named by an address");
  const struct timeval tv = {.tv_sec = HEAD_TIMEOUT_S};
  int fd = socket(addr.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail_errno(err, "socket");
  /* on Linux the send timeout bounds connect too */
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, &addr.sa, alen) < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return fail_errno(err, "cannot connect to %s", host_header);
  }
  char req[4096];
  int n = snprintf(req, sizeof req, "HEAD %s HTTP/1.1\r\nHost: %s\r\nAccept: %s\r\nConnection: close\r\n\r\n", path,
                   host_header, accept);
  if (n < 0 || (size_t)n >= sizeof req || write_all(fd, req, (size_t)n) < 0) {
    close(fd);
    return fail(err, 0, "cannot send the HEAD");
  }
  /* a HEAD's answer is its head alone: read to its blank line (or the end) */
  static char buf[16384];
  size_t got = 0;
  while (got < sizeof buf - 1) {
    ssize_t r = read(fd, buf + got, sizeof buf - 1 - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += (size_t)r;
    buf[got] = 0;
    if (strstr(buf, "\r\n\r\n")) break;
  }
  close(fd);
  buf[got] = 0;
  if (!strstr(buf, "\r\n\r\n")) return fail(err, 0, "the registry's answer is malformed or incomplete");
  int status = 0;
  if (sscanf(buf, "HTTP/1.%*1[01] %3d ", &status) != 1) return fail(err, 0, "the registry's answer is malformed");
  if (status != 200) return fail(err, 0, "the registry answered %d", status);
  char got_digest[128];
  if (!header(buf, "docker-content-digest", got_digest, sizeof got_digest) || strcmp(got_digest, digest))
    return fail(err, 0, "the registry names another manifest");
  return 0;
}

void pull_replay(int argc, char **argv)
{
  if (geteuid() != 0) hand_over("not root");
  char *const *args = argv + 1;
  int nargs = argc - 1;
  jval *doc = record_for_line(BERTH_LAYOUT_PULL_RECORDS, "pull", BERTH_PULL_RECORD_VERSION, "", args, nargs);
  berr_t err = {0};
  if (json_bool(json_get(doc, "stdoutTty"), false) != (isatty(1) == 1))
    hand_over("stdout is a terminal or not, unlike when recorded");
  if (!env_holds(json_get(doc, "env"))) hand_over("the environment differs from the record's");
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  if ((double)now.tv_sec * 1e3 + (double)now.tv_nsec / 1e6 >= json_num(json_get(doc, "expires"), 0))
    hand_over("the registry's scheme is remembered no longer");
  autofree char *scheme = read_file(json_str(json_get(doc, "schemeFile"), ""), NULL, &err);
  if (!scheme || strncmp(scheme, "http", 4) || strspn(scheme + 4, " \t\r\n") != strlen(scheme + 4))
    hand_over("the registry's scheme is not plain HTTP");

  const char *image = json_str(json_get(doc, "image"), NULL), *digest = json_str(json_get(doc, "digest"), NULL);
  const char *const *tags = json_strv(json_get(doc, "tags"));
  const char *const *digests = json_strv(json_get(doc, "digests"));
  if (!image || !digest || !tags || !digests) hand_over("the record is malformed");
  int ntags = 0, ndigests = 0, nevents = 0;
  for (; tags[ntags]; ntags++) {}
  for (; digests[ndigests]; ndigests++) {}
  store_ev *events = record_events(doc, &nevents);

  if (head_manifest(doc, digest, &err) < 0) hand_over(err.msg);
  store_t store = {0};
  if (store_open(&store, C.root, &err) < 0) hand_over(err.msg);
  store_replay r = {.image = image,
                    .tags = tags,
                    .ntags = ntags,
                    .digests = digests,
                    .ndigests = ndigests,
                    .events = events,
                    .nevents = nevents};
  if (store_build_replay(&store, &r, &err) != 0) hand_over(err.msg);
  store_close(&store);
  record_print_exit(doc);
}
