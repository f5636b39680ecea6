/* Forwarding: a query berth-dns does not answer goes to the upstreams, one after the other, each on
 * a socket of its own (connected: only that upstream's datagrams arrive, from a random port) under
 * a random ID; the reply must match the question. A truncated UDP reply is asked again over TCP;
 * TCP clients are forwarded over TCP. No answer from any upstream: SERVFAIL. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include "answer.h"
#include "log.h"
#include "server.h"

static uint16_t random_id(dns_server *s)
{
  if (!s->nids) {
    if (getrandom(s->ids, sizeof s->ids, GRND_NONBLOCK) != (ssize_t)sizeof s->ids) {
      uint64_t x = (uint64_t)dns_now() ^ (uint64_t)getpid() << 32 ^ (uintptr_t)s; /* no entropy yet: something */
      for (size_t k = 0; k < sizeof s->ids / sizeof s->ids[0]; k++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        s->ids[k] = (uint16_t)x;
      }
    }
    s->nids = sizeof s->ids / sizeof s->ids[0];
  }
  return s->ids[--s->nids];
}

/* The upstreams: --upstream's, or the nameservers of resolv.conf (read again when it changed;
 * none there: 127.0.0.1, as glibc does), never one of our own listen addresses. */
static void refresh_upstreams(dns_server *s)
{
  const dns_opts *o = s->o;
  dns_addr found[DNS_MAX_UPSTREAM];
  int n;
  if (o->nupstream) {
    if (s->up_fixed) return;
    s->up_fixed = true;
    memcpy(found, o->upstream, sizeof found);
    n = o->nupstream;
  } else {
    struct stat st = {0};
    if (stat(o->resolv_conf, &st) < 0) st.st_nlink = (nlink_t)-1;
    if (s->resolv_st.st_nlink && st.st_dev == s->resolv_st.st_dev && st.st_ino == s->resolv_st.st_ino &&
        st.st_size == s->resolv_st.st_size && st.st_mtim.tv_sec == s->resolv_st.st_mtim.tv_sec &&
        st.st_mtim.tv_nsec == s->resolv_st.st_mtim.tv_nsec)
      return;
    s->resolv_st = st;
    berr_t err = {0};
    n = dns_resolv_conf(o->resolv_conf, found, DNS_MAX_UPSTREAM, &err);
    if (n < 0) dns_log("%s", err.msg);
    if (n <= 0) n = dns_addr_parse("127.0.0.1", DNS_PORT, &found[0], &err) == 0;
  }
  s->nup = 0;
  for (int k = 0; k < n; k++) {
    bool ours = false;
    for (int l = 0; l < o->nlisten; l++) ours |= dns_addr_eq(&found[k], &o->listen[l]);
    if (!ours) s->up[s->nup++] = found[k];
  }
}

static void close_upstream(dns_pending *p)
{
  if (p->fd >= 0) close(p->fd);
  p->fd = -1;
  free(p->tbuf);
  p->tbuf = NULL;
  p->tgot = p->twritten = 0;
  p->sent = false;
}

/* Hand the client its reply (msg: the upstream's, or NULL for SERVFAIL) and forget the query. */
static void finish(dns_server *s, uint32_t i, uint8_t *msg, size_t len)
{
  dns_pending *p = s->pend[i];
  bool tcp_client = p->conn >= 0;
  dns_buf out = {.p = s->out + 2, .cap = dns_reply_limit(&p->q, tcp_client, DNS_MSG_MAX)};
  if (!msg) {
    dns_reply_error(&out, p->query, &p->q, DNS_R_SERVFAIL, false);
    msg = out.p, len = out.len;
  } else {
    dns_put16(msg, p->q.id);
    /* more than a UDP client takes (it came over TCP): the client asks again over TCP */
    if (!tcp_client && len > (p->q.edns_size > DNS_UDP_MIN ? p->q.edns_size : DNS_UDP_MIN)) {
      dns_reply_error(&out, p->query, &p->q, DNS_R_NOERROR, true);
      msg = out.p, len = out.len;
    }
  }
  if (tcp_client) {
    if (s->conns[p->conn] && s->conns[p->conn]->gen == p->conn_gen) {
      dns_send_tcp(s, p->conn, msg, len);
      dns_conn_done(s, p->conn, p->conn_gen);
    }
  } else {
    dns_send_udp(s, p->listener, &p->peer, p->peer_len, msg, len);
  }
  close_upstream(p);
  free(p->query);
  free(p);
  s->pend[i] = NULL;
}

/* Ask upstream p->upstream (over TCP if p->tcp); -1 if that failed at once. */
static int open_upstream(dns_server *s, uint32_t i)
{
  dns_pending *p = s->pend[i];
  close_upstream(p);
  const dns_addr *a = &s->up[p->upstream];
  int fd = socket(a->ss.ss_family, (p->tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  p->gen = ++s->gen & 0xffffff;
  struct epoll_event ev = {.events = p->tcp ? EPOLLOUT : EPOLLIN, .data.u64 = dns_ev(EV_UPSTREAM, p->gen, i)};
  if ((connect(fd, (const struct sockaddr *)&a->ss, a->len) < 0 && errno != EINPROGRESS) ||
      (!p->tcp && send(fd, p->query, p->qlen, MSG_NOSIGNAL) < 0) || epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
    close(fd);
    return -1;
  }
  p->fd = fd;
  p->deadline = dns_now() + DNS_UPSTREAM_WAIT_MS;
  return 0;
}

/* The current upstream failed (or is not to be waited for): ask the next, or SERVFAIL after all. */
static void ask_next(dns_server *s, uint32_t i, bool advance)
{
  dns_pending *p = s->pend[i];
  for (;;) {
    if (advance) {
      p->asked++;
      p->upstream = s->nup ? (p->upstream + 1) % s->nup : 0;
      p->tcp = p->conn >= 0;
    }
    advance = true;
    if (p->asked >= s->nup) {
      finish(s, i, NULL, 0);
      return;
    }
    if (open_upstream(s, i) == 0) return;
  }
}

void dns_forward(dns_server *s, const uint8_t *msg, size_t len, const dns_info *q, int listener,
                 const struct sockaddr_storage *peer, socklen_t peer_len, int conn)
{
  refresh_upstreams(s);
  int slot = -1;
  for (int k = 0; k < DNS_MAX_PENDING && slot < 0; k++)
    if (!s->pend[k]) slot = k;
  dns_pending *p = calloc(1, sizeof *p);
  if (slot < 0 || !p) { /* too many at once: SERVFAIL now */
    free(p);
    dns_buf out = {.p = s->out + 2, .cap = dns_reply_limit(q, conn >= 0, DNS_MSG_MAX)};
    dns_reply_error(&out, msg, q, DNS_R_SERVFAIL, false);
    if (conn >= 0)
      dns_send_tcp(s, conn, out.p, out.len);
    else
      dns_send_udp(s, listener, peer, peer_len, out.p, out.len);
    return;
  }
  p->fd = -1;
  p->q = *q;
  p->query = xmalloc(len);
  memcpy(p->query, msg, len);
  p->qlen = len;
  p->id = random_id(s);
  dns_put16(p->query, p->id);
  p->listener = listener;
  if (peer) memcpy(&p->peer, peer, peer_len);
  p->peer_len = peer_len;
  p->conn = conn;
  p->tcp = conn >= 0;
  if (conn >= 0) {
    p->conn_gen = s->conns[conn]->gen;
    s->conns[conn]->waiting++;
  }
  s->pend[slot] = p;
  ask_next(s, (uint32_t)slot, false);
}

/* Is msg the reply to p's query (our ID, its question; a question-less reply only for an error)? */
static bool matches(const dns_pending *p, const uint8_t *msg, size_t len)
{
  dns_info r;
  if (dns_parse(msg, len, true, &r) != DNS_OK || r.id != p->id) return false;
  if (!r.qdcount) return (r.flags & DNS_F_RCODE) != DNS_R_NOERROR;
  return r.qtype == p->q.qtype && r.qclass == p->q.qclass && dns_name_eq(r.name, r.name_len, p->q.name, p->q.name_len);
}

static void udp_event(dns_server *s, uint32_t i)
{
  dns_pending *p = s->pend[i];
  for (int round = 0; round < 8; round++) {
    ssize_t n = recv(p->fd, s->buf, sizeof s->buf, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0) { /* ECONNREFUSED and the like: nothing listens there */
      ask_next(s, i, true);
      return;
    }
    if (!matches(p, s->buf, (size_t)n)) continue;
    if ((dns_get16(s->buf + 2) & DNS_F_TC) && p->conn < 0) { /* the whole answer, over TCP */
      p->tcp = true;
      if (open_upstream(s, i) < 0) ask_next(s, i, true);
      return;
    }
    finish(s, i, s->buf, (size_t)n);
    return;
  }
}

static void tcp_event(dns_server *s, uint32_t i, uint32_t events)
{
  dns_pending *p = s->pend[i];
  if (!p->sent) {
    int e = 0;
    socklen_t elen = sizeof e;
    if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0 || e || (events & (EPOLLERR | EPOLLHUP))) {
      ask_next(s, i, true);
      return;
    }
    uint8_t hdr[2];
    dns_put16(hdr, (uint16_t)p->qlen);
    while (p->twritten < 2 + p->qlen) {
      struct iovec iov[2] = {{hdr, 2}, {p->query, p->qlen}};
      size_t skip = p->twritten;
      int first = skip >= 2 ? 1 : 0;
      iov[first].iov_base = (uint8_t *)iov[first].iov_base + (first ? skip - 2 : skip);
      iov[first].iov_len -= first ? skip - 2 : skip;
      struct msghdr mh = {.msg_iov = iov + first, .msg_iovlen = (size_t)(2 - first)};
      ssize_t n = sendmsg(p->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n <= 0) {
        ask_next(s, i, true);
        return;
      }
      p->twritten += (size_t)n;
    }
    p->sent = true;
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = dns_ev(EV_UPSTREAM, p->gen, i)};
    if (epoll_ctl(s->ep, EPOLL_CTL_MOD, p->fd, &ev) < 0) ask_next(s, i, true);
    return;
  }
  for (;;) {
    size_t need = p->tgot < 2 ? 2 : 2 + (size_t)dns_get16(p->thdr);
    uint8_t *at = p->tgot < 2 ? p->thdr + p->tgot : p->tbuf + (p->tgot - 2);
    ssize_t n = recv(p->fd, at, need - p->tgot, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) { /* closed before the whole answer, or failed */
      ask_next(s, i, true);
      return;
    }
    p->tgot += (size_t)n;
    if (p->tgot == 2) {
      size_t len = dns_get16(p->thdr);
      if (len < DNS_HEADER) {
        ask_next(s, i, true);
        return;
      }
      p->tbuf = xmalloc(len);
    } else if (p->tgot > 2 && p->tgot == need) {
      if (!matches(p, p->tbuf, need - 2)) {
        ask_next(s, i, true);
        return;
      }
      finish(s, i, p->tbuf, need - 2);
      return;
    }
  }
}

void dns_forward_event(dns_server *s, uint32_t i, uint32_t gen, uint32_t events)
{
  if (i >= DNS_MAX_PENDING || !s->pend[i] || s->pend[i]->gen != gen || s->pend[i]->fd < 0) return;
  if (s->pend[i]->tcp)
    tcp_event(s, i, events);
  else
    udp_event(s, i);
}

void dns_forward_expire(dns_server *s, int64_t now)
{
  for (uint32_t i = 0; i < DNS_MAX_PENDING; i++)
    if (s->pend[i] && s->pend[i]->deadline <= now) ask_next(s, i, true);
}

void dns_forward_cancel_all(dns_server *s)
{
  for (int i = 0; i < DNS_MAX_PENDING; i++) {
    dns_pending *p = s->pend[i];
    if (!p) continue;
    close_upstream(p);
    free(p->query);
    free(p);
    s->pend[i] = NULL;
  }
}
