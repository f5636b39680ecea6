#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RESOLV_CONF_MAX (64 * 1024)

static int parse_port(const char *s, uint16_t *port)
{
  if (!*s || strlen(s) > 5) return -1;
  unsigned long v = 0;
  for (const char *p = s; *p; p++) {
    if (*p < '0' || *p > '9') return -1;
    v = v * 10 + (unsigned long)(*p - '0');
  }
  if (v < 1 || v > 65535) return -1;
  *port = (uint16_t)v;
  return 0;
}

static int parse_ip(const char *ip, uint16_t port, dns_addr *out)
{
  memset(out, 0, sizeof *out);
  struct sockaddr_in *v4 = (struct sockaddr_in *)&out->ss;
  if (inet_pton(AF_INET, ip, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    out->len = sizeof *v4;
    return 0;
  }
  char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  if (strlen(ip) >= sizeof buf) return -1;
  strcpy(buf, ip);
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->ss;
  char *scope = strchr(buf, '%');
  if (scope) {
    *scope++ = 0;
    uint16_t idx;
    v6->sin6_scope_id = parse_port(scope, &idx) == 0 ? idx : if_nametoindex(scope);
    if (!v6->sin6_scope_id) return -1;
  }
  if (inet_pton(AF_INET6, buf, &v6->sin6_addr) != 1) return -1;
  v6->sin6_family = AF_INET6;
  v6->sin6_port = htons(port);
  out->len = sizeof *v6;
  return 0;
}

int dns_addr_parse(const char *text, uint16_t default_port, dns_addr *out, berr_t *err)
{
  char buf[128];
  if (strlen(text) >= sizeof buf) return fail(err, EINVAL, "%.40s...: not an address", text);
  strcpy(buf, text);
  char *ip = buf, *port = NULL;
  if (buf[0] == '[') {
    char *close = strchr(buf, ']');
    if (!close || (close[1] && close[1] != ':')) return fail(err, EINVAL, "%s: not an address", text);
    *close = 0;
    ip = buf + 1;
    if (close[1]) port = close + 2;
  } else {
    char *colon = strchr(buf, ':');
    if (colon && !strchr(colon + 1, ':')) { /* one colon: IPv4:PORT; more: a bare IPv6 address */
      *colon = 0;
      port = colon + 1;
    }
  }
  uint16_t p = default_port;
  if (port && parse_port(port, &p) < 0) return fail(err, EINVAL, "%s: bad port", text);
  if (parse_ip(ip, p, out) < 0) return fail(err, EINVAL, "%s: not an IP address", text);
  return 0;
}

const char *dns_addr_text(const dns_addr *a, char buf[80])
{
  char ip[INET6_ADDRSTRLEN] = "?";
  if (a->ss.ss_family == AF_INET) {
    const struct sockaddr_in *v4 = (const struct sockaddr_in *)&a->ss;
    inet_ntop(AF_INET, &v4->sin_addr, ip, sizeof ip);
    snprintf(buf, 80, "%s:%u", ip, ntohs(v4->sin_port));
  } else {
    const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&a->ss;
    inet_ntop(AF_INET6, &v6->sin6_addr, ip, sizeof ip);
    snprintf(buf, 80, "[%s]:%u", ip, ntohs(v6->sin6_port));
  }
  return buf;
}

bool dns_addr_eq(const dns_addr *a, const dns_addr *b)
{
  if (a->ss.ss_family != b->ss.ss_family) return false;
  if (a->ss.ss_family == AF_INET) {
    const struct sockaddr_in *x = (const struct sockaddr_in *)&a->ss, *y = (const struct sockaddr_in *)&b->ss;
    return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
  }
  const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)&a->ss, *y = (const struct sockaddr_in6 *)&b->ss;
  return x->sin6_port == y->sin6_port && !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr);
}

int dns_resolv_conf(const char *path, dns_addr *out, int max, berr_t *err)
{
  autoclose int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return fail_errno(err, "open %s", path);
  autofree char *text = xmalloc(RESOLV_CONF_MAX + 1);
  size_t len = 0;
  while (len < RESOLV_CONF_MAX) {
    ssize_t r = read(fd, text + len, RESOLV_CONF_MAX - len);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return fail_errno(err, "read %s", path);
    if (r == 0) break;
    len += (size_t)r;
  }
  text[len] = 0;
  int n = 0;
  for (char *line = text, *next; line && n < max; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = 0;
    char *f[2];
    if (split_fields(line, f, 2) == 2 && !strcmp(f[0], "nameserver")) {
      berr_t ignored = {0};
      if (dns_addr_parse(f[1], DNS_PORT, &out[n], &ignored) == 0) n++;
    }
  }
  return n;
}
