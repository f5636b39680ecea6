#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include "answer.h"
#include "log.h"

uint64_t dns_ev(int kind, uint32_t gen, uint32_t index)
{
  return (uint64_t)kind << 56 | (uint64_t)(gen & 0xffffff) << 32 | index;
}

int64_t dns_now(void)
{
  return monotonic_ms();
}

static int watch(dns_server *s, int op, int fd, uint32_t events, uint64_t data)
{
  struct epoll_event ev = {.events = events, .data.u64 = data};
  return epoll_ctl(s->ep, op, fd, &ev);
}

int dns_server_init(dns_server *s, dns_opts *o, int lock_fd, berr_t *err)
{
  s->o = o;
  s->lock_fd = lock_fd;
  s->ep = s->tfd = s->sfd = -1;
  for (int k = 0; k < DNS_MAX_LISTEN; k++) s->udp[k] = s->tcp[k] = -1;
  if (dns_recdir_open(&s->dir, o->records, err) < 0) return -1;
  s->ep = epoll_create1(EPOLL_CLOEXEC);
  if (s->ep < 0) return fail_errno(err, "epoll_create1");
  s->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (s->tfd < 0) return fail_errno(err, "timerfd_create");
  /* blocked from here on, read from a signalfd once daemonized (dns_server_signals) */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigprocmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  if (watch(s, EPOLL_CTL_ADD, s->dir.ifd, EPOLLIN, dns_ev(EV_INOTIFY, 0, 0)) < 0 ||
      watch(s, EPOLL_CTL_ADD, s->tfd, EPOLLIN, dns_ev(EV_TIMER, 0, 0)) < 0)
    return fail_errno(err, "epoll_ctl");
  return 0;
}

int dns_server_signals(dns_server *s, berr_t *err)
{
  /* made by the process that reads it: epoll learns of a signalfd's signals through the signal
   * queue of the process that created it, which a fork leaves behind */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  s->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (s->sfd < 0) return fail_errno(err, "signalfd");
  if (watch(s, EPOLL_CTL_ADD, s->sfd, EPOLLIN, dns_ev(EV_SIGNAL, 0, 0)) < 0) return fail_errno(err, "epoll_ctl");
  return 0;
}

static int bind_one(dns_server *s, int k, bool tcp, berr_t *err)
{
  const dns_addr *a = &s->o->listen[k];
  char text[80];
  int fd = socket(a->ss.ss_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail_errno(err, "listen on %s (%s): socket", dns_addr_text(a, text), tcp ? "tcp" : "udp");
  int one = 1;
  /* an IPv6 address may still be tentative (duplicate address detection) on a bridge that just
   * came up; an IPv4 address must be there (a wrong one is an error, not a silent responder) */
  if (a->ss.ss_family == AF_INET6) {
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof one);
  }
  if (tcp) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0 || (tcp && listen(fd, 64) < 0) ||
      watch(s, EPOLL_CTL_ADD, fd, EPOLLIN, dns_ev(tcp ? EV_TCP_LISTEN : EV_UDP, 0, (uint32_t)k)) < 0) {
    fail_errno(err, "listen on %s (%s)", dns_addr_text(a, text), tcp ? "tcp" : "udp");
    close(fd);
    return -1;
  }
  if (tcp)
    s->tcp[k] = fd;
  else
    s->udp[k] = fd;
  return 0;
}

static void close_listeners(dns_server *s)
{
  for (int k = 0; k < DNS_MAX_LISTEN; k++) {
    if (s->udp[k] >= 0) close(s->udp[k]);
    if (s->tcp[k] >= 0) close(s->tcp[k]);
    s->udp[k] = s->tcp[k] = -1;
  }
}

int dns_server_listen(dns_server *s, berr_t *err)
{
  for (int k = 0; k < s->o->nlisten; k++)
    if (bind_one(s, k, false, err) < 0 || bind_one(s, k, true, err) < 0) {
      close_listeners(s);
      return -1;
    }
  return 0;
}

void dns_send_udp(dns_server *s, int listener, const struct sockaddr_storage *peer, socklen_t peer_len,
                  const uint8_t *msg, size_t len)
{
  if (listener < 0 || listener >= DNS_MAX_LISTEN || s->udp[listener] < 0) return;
  /* a client that does not take it loses it, as with any datagram */
  sendto(s->udp[listener], msg, len, MSG_DONTWAIT | MSG_NOSIGNAL, (const struct sockaddr *)peer, peer_len);
}

static void conn_close(dns_server *s, int k)
{
  dns_conn *c = s->conns[k];
  if (!c) return;
  close(c->fd);
  free(c->out);
  free(c);
  s->conns[k] = NULL;
}

/* Watch for what the connection waits for; close it when it is finished. */
static void conn_update(dns_server *s, int k)
{
  dns_conn *c = s->conns[k];
  bool pending_out = c->out_off < c->out_len;
  if (c->eof && !pending_out && !c->waiting) {
    conn_close(s, k);
    return;
  }
  uint32_t events = (c->eof ? 0 : EPOLLIN) | (pending_out ? EPOLLOUT : 0);
  if (events != c->events) {
    c->events = events;
    if (watch(s, EPOLL_CTL_MOD, c->fd, events, dns_ev(EV_CONN, c->gen, (uint32_t)k)) < 0) conn_close(s, k);
  }
}

static void conn_flush(dns_server *s, int k)
{
  dns_conn *c = s->conns[k];
  while (c->out_off < c->out_len) {
    ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) {
      conn_close(s, k);
      return;
    }
    c->out_off += (size_t)n;
  }
  if (c->out_off == c->out_len) { /* all out: give the memory back */
    free(c->out);
    c->out = NULL;
    c->out_off = c->out_len = 0;
  }
  conn_update(s, k);
}

void dns_send_tcp(dns_server *s, int k, const uint8_t *msg, size_t len)
{
  dns_conn *c = s->conns[k];
  size_t queued = c->out_len - c->out_off;
  if (queued + 2 + len > DNS_TCP_OUT_MAX) { /* a client that does not read its replies */
    conn_close(s, k);
    return;
  }
  if (c->out_off) {
    memmove(c->out, c->out + c->out_off, queued);
    c->out_off = 0;
    c->out_len = queued;
  }
  c->out = xrealloc(c->out, c->out_len + 2 + len);
  dns_put16(c->out + c->out_len, (uint16_t)len);
  memcpy(c->out + c->out_len + 2, msg, len);
  c->out_len += 2 + len;
  conn_flush(s, k);
}

void dns_conn_done(dns_server *s, int k, uint32_t gen)
{
  dns_conn *c = k >= 0 && k < DNS_MAX_TCP ? s->conns[k] : NULL;
  if (!c || c->gen != gen) return;
  c->waiting--;
  conn_update(s, k);
}

/* One query from a client (listener >= 0: UDP; conn >= 0: TCP). */
static void handle_query(dns_server *s, const uint8_t *msg, size_t len, int listener,
                         const struct sockaddr_storage *peer, socklen_t peer_len, int conn)
{
  /* what inotify has queued is applied first, so an answer is never older than the files */
  dns_recdir_sync(&s->dir);
  dns_info q;
  dns_buf out = {.p = s->out + 2, .cap = DNS_MSG_MAX};
  dns_action a = dns_answer(&s->dir.rs, msg, len, conn >= 0, &out, &q);
  if (a == DNS_ACT_DROP) return;
  if (a == DNS_ACT_FORWARD && !s->o->no_forward) {
    dns_forward(s, msg, len, &q, listener, peer, peer_len, conn);
    return;
  }
  if (a == DNS_ACT_FORWARD) dns_reply_error(&out, msg, &q, DNS_R_REFUSED, false);
  /* no recursion on an internal network (docker's embedded DNS says so the same way) */
  if (s->o->no_forward) dns_put16(out.p + 2, dns_get16(out.p + 2) & ~DNS_F_RA);
  if (conn >= 0)
    dns_send_tcp(s, conn, out.p, out.len);
  else
    dns_send_udp(s, listener, peer, peer_len, out.p, out.len);
}

static void udp_readable(dns_server *s, int k)
{
  for (int round = 0; round < 64; round++) {
    struct sockaddr_storage peer;
    socklen_t peer_len = sizeof peer;
    ssize_t n =
        recvfrom(s->udp[k], s->buf, sizeof s->buf, MSG_DONTWAIT | MSG_TRUNC, (struct sockaddr *)&peer, &peer_len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return;
    if ((size_t)n > sizeof s->buf) continue; /* cut: not a message we could read */
    handle_query(s, s->buf, (size_t)n, k, &peer, peer_len, -1);
    if (s->udp[k] < 0) return;
  }
}

static void tcp_accept(dns_server *s, int k)
{
  for (int round = 0; round < 16; round++) {
    int fd = accept4(s->tcp[k], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    int slot = -1;
    for (int i = 0; i < DNS_MAX_TCP && slot < 0; i++)
      if (!s->conns[i]) slot = i;
    if (slot < 0) { /* too many clients: this one is refused */
      close(fd);
      continue;
    }
    dns_conn *c = xmalloc(sizeof *c);
    memset(c, 0, offsetof(dns_conn, in));
    c->fd = fd;
    c->gen = ++s->gen & 0xffffff;
    c->deadline = dns_now() + DNS_TCP_IDLE_MS;
    c->events = EPOLLIN;
    if (watch(s, EPOLL_CTL_ADD, fd, EPOLLIN, dns_ev(EV_CONN, c->gen, (uint32_t)slot)) < 0) {
      close(fd);
      free(c);
      continue;
    }
    s->conns[slot] = c;
  }
}

static void conn_readable(dns_server *s, int k)
{
  dns_conn *c = s->conns[k];
  c->deadline = dns_now() + DNS_TCP_IDLE_MS;
  for (int round = 0; round < 16; round++) { /* then the others get their turn; epoll comes back */
    ssize_t n = recv(c->fd, c->in + c->in_len, sizeof c->in - c->in_len, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0) {
      conn_close(s, k);
      return;
    }
    if (n == 0) {
      c->eof = true;
      break;
    }
    c->in_len += (size_t)n;
    /* every whole message in the buffer (RFC 7766: clients may send several) */
    while (c->in_len >= 2) {
      size_t need = dns_get16(c->in);
      if (need < DNS_HEADER || need > DNS_TCP_QUERY_MAX) {
        conn_close(s, k);
        return;
      }
      if (c->in_len < 2 + need) break;
      handle_query(s, c->in + 2, need, -1, NULL, 0, k);
      if (!s->conns[k]) return; /* closed while replying */
      c->in_len -= 2 + need;
      memmove(c->in, c->in + 2 + need, c->in_len);
    }
  }
  conn_update(s, k);
}

static void conn_event(dns_server *s, int k, uint32_t gen, uint32_t events)
{
  if (k < 0 || k >= DNS_MAX_TCP || !s->conns[k] || s->conns[k]->gen != gen) return;
  if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN)) {
    conn_close(s, k);
    return;
  }
  if (events & EPOLLOUT) conn_flush(s, k);
  if (s->conns[k] && events & EPOLLIN) conn_readable(s, k);
}

static void on_timer(dns_server *s)
{
  uint64_t ticks;
  if (read(s->tfd, &ticks, sizeof ticks) < 0 && errno != EAGAIN) dns_log("read timerfd: %s", errno_text(errno));
  s->armed = 0;
  int64_t now = dns_now();
  dns_forward_expire(s, now);
  for (int k = 0; k < DNS_MAX_TCP; k++) {
    dns_conn *c = s->conns[k];
    if (!c || c->deadline > now) continue;
    if (c->waiting)
      c->deadline = now + DNS_TCP_IDLE_MS;
    else
      conn_close(s, k);
  }
}

/* The timerfd set to the nearest deadline, or off when there is none (idle: no wake-ups). */
static void arm_timer(dns_server *s)
{
  int64_t next = 0;
  for (int k = 0; k < DNS_MAX_PENDING; k++)
    if (s->pend[k] && (!next || s->pend[k]->deadline < next)) next = s->pend[k]->deadline;
  for (int k = 0; k < DNS_MAX_TCP; k++)
    if (s->conns[k] && (!next || s->conns[k]->deadline < next)) next = s->conns[k]->deadline;
  if (next == s->armed) return;
  struct itimerspec its = {0};
  if (next) {
    its.it_value.tv_sec = next / 1000;
    its.it_value.tv_nsec = (long)(next % 1000) * 1000000;
  }
  if (timerfd_settime(s->tfd, next ? TFD_TIMER_ABSTIME : 0, &its, NULL) == 0) s->armed = next;
}

static void on_signal(dns_server *s)
{
  struct signalfd_siginfo si;
  while (read(s->sfd, &si, sizeof si) == sizeof si) {
    if (si.ssi_signo == SIGHUP) {
      dns_log("SIGHUP: reading %s again", s->o->records);
      dns_recdir_scan(&s->dir);
    } else {
      dns_log("signal %u: exiting", si.ssi_signo);
      s->quit = true;
    }
  }
}

int dns_pidfile_write(const dns_opts *o, berr_t *err)
{
  if (!o->pidfile) return 0;
  char buf[32];
  int n = snprintf(buf, sizeof buf, "%d\n", (int)getpid());
  return write_file_atomic(o->pidfile, buf, (size_t)n, err);
}

void dns_pidfile_remove(const dns_opts *o)
{
  if (!o->pidfile) return;
  char buf[32];
  int fd = open(o->pidfile, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  buf[n > 0 ? n : 0] = 0;
  if (atoi(buf) == (int)getpid()) unlink(o->pidfile);
}

static void stop_serving(dns_server *s)
{
  close_listeners(s);
  for (int k = 0; k < DNS_MAX_TCP; k++) conn_close(s, k);
  dns_forward_cancel_all(s);
}

/* Keep serving? Not once told to stop, the directory is gone or holds no record file. The last
 * record and a new first one may cross: whoever starts a container for the new one may find this
 * responder's pidfile (or lock) and leave it to this one. So this one lets go of the sockets, the
 * pidfile and the lock, in that order, then looks again, and serves on if a record came and no
 * other responder has taken the lock meanwhile. */
static bool keep_serving(dns_server *s)
{
  if (!s->quit && !s->dir.gone && s->dir.rs.n) return true;
  stop_serving(s);
  dns_pidfile_remove(s->o);
  if (s->quit) return false;
  if (s->dir.gone) {
    dns_log("%s is gone: exiting", s->o->records);
    return false;
  }
  flock(s->lock_fd, LOCK_UN);
  dns_recdir_sync(&s->dir);
  dns_recdir_scan(&s->dir);
  if (s->dir.gone || !s->dir.rs.n) {
    dns_log("no record file left in %s: exiting", s->o->records);
    return false;
  }
  if (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0) {
    dns_log("a record file came as the last went; another responder serves it: exiting");
    return false;
  }
  berr_t err = {0};
  if (dns_server_listen(s, &err) < 0 || dns_pidfile_write(s->o, &err) < 0) {
    dns_log("%s: exiting", err.msg);
    stop_serving(s);
    return false;
  }
  dns_log("a record file came as the last went: serving on");
  return true;
}

void dns_server_run(dns_server *s)
{
  struct epoll_event evs[32];
  while (keep_serving(s)) {
    arm_timer(s);
    int n = epoll_wait(s->ep, evs, 32, -1);
    if (n < 0 && errno != EINTR) {
      dns_log("epoll_wait: %s", errno_text(errno));
      s->quit = true;
    }
    for (int k = 0; k < n; k++) {
      uint64_t d = evs[k].data.u64;
      int kind = (int)(d >> 56);
      uint32_t gen = (uint32_t)(d >> 32) & 0xffffff, index = (uint32_t)d;
      switch (kind) {
        case EV_UDP:
          if (index < DNS_MAX_LISTEN && s->udp[index] >= 0) udp_readable(s, (int)index);
          break;
        case EV_TCP_LISTEN:
          if (index < DNS_MAX_LISTEN && s->tcp[index] >= 0) tcp_accept(s, (int)index);
          break;
        case EV_CONN: conn_event(s, (int)index, gen, evs[k].events); break;
        case EV_UPSTREAM: dns_forward_event(s, index, gen, evs[k].events); break;
        case EV_INOTIFY: dns_recdir_sync(&s->dir); break;
        case EV_TIMER: on_timer(s); break;
        case EV_SIGNAL: on_signal(s); break;
      }
    }
  }
}
