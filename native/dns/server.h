/* berth-dns's event loop: UDP and TCP listeners, TCP clients, the records directory's inotify,
 * upstream queries (forward.c), one timerfd for every deadline, signals; single-threaded, and
 * asleep in epoll_wait when nothing happens. */
#ifndef BERTH_DNS_SERVER_H
#define BERTH_DNS_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include "addr.h"
#include "recdir.h"
#include "wire.h"

#define DNS_MAX_LISTEN       8
#define DNS_MAX_UPSTREAM     8
#define DNS_MAX_PENDING      256          /* queries forwarded at once; more get SERVFAIL */
#define DNS_MAX_TCP          64           /* TCP clients at once; more are closed at once */
#define DNS_TCP_QUERY_MAX    4096         /* a query over TCP (a longer one closes the connection) */
#define DNS_TCP_OUT_MAX      (256 * 1024) /* replies queued to one TCP client */
#define DNS_TCP_IDLE_MS      10000        /* an idle TCP client is closed after this */
#define DNS_UPSTREAM_WAIT_MS 2000         /* for one upstream's answer, before the next is asked */

typedef struct {
  const char *records;
  const char *pidfile;
  const char *resolv_conf; /* where the default upstreams come from */
  bool foreground;
  bool no_forward; /* an --internal network's: names not in the records are REFUSED, never forwarded */
  dns_addr listen[DNS_MAX_LISTEN];
  int nlisten;
  dns_addr upstream[DNS_MAX_UPSTREAM]; /* given with --upstream; none: resolv.conf's */
  int nupstream;
} dns_opts;

/* a TCP client */
typedef struct {
  int fd;
  uint32_t gen;
  int64_t deadline;
  uint32_t events;  /* what epoll watches for */
  bool eof;         /* the client closed its side: close once replies are out */
  unsigned waiting; /* its queries being forwarded */
  size_t in_len;
  uint8_t *out;
  size_t out_len, out_off;
  uint8_t in[2 + DNS_TCP_QUERY_MAX];
} dns_conn;

/* a query being forwarded */
typedef struct {
  uint32_t gen; /* of the upstream socket, for events that arrive after it closed */
  int fd;
  bool tcp;     /* asking the upstream over TCP */
  bool sent;    /* TCP: the query is written */
  uint16_t id;  /* the ID the upstream sees */
  int upstream; /* which one is asked */
  int asked;    /* how many have been */
  int64_t deadline;
  dns_info q; /* the client's question, to match the reply */
  /* the client: a UDP one (listener index, address) or a TCP one (conn index, gen) */
  int listener;
  struct sockaddr_storage peer;
  socklen_t peer_len;
  int conn;
  uint32_t conn_gen;
  uint8_t *query; /* as sent upstream (our ID) */
  size_t qlen;
  /* TCP from the upstream: the length, then the message */
  uint8_t thdr[2];
  size_t tgot, twritten;
  uint8_t *tbuf;
} dns_pending;

typedef struct {
  dns_opts *o;
  int ep, tfd, sfd, lock_fd;
  int udp[DNS_MAX_LISTEN], tcp[DNS_MAX_LISTEN];
  dns_recdir dir;
  dns_conn *conns[DNS_MAX_TCP];
  dns_pending *pend[DNS_MAX_PENDING];
  uint32_t gen;
  int64_t armed; /* the timerfd's deadline, 0 when disarmed */
  bool quit;
  /* upstreams in use: o->upstream, or resolv.conf's (read again when it changes) */
  dns_addr up[DNS_MAX_UPSTREAM];
  int nup;
  bool up_fixed;         /* --upstream's, set once */
  struct stat resolv_st; /* of resolv.conf when it was read */
  uint16_t ids[32];
  int nids;
  uint8_t buf[2 + DNS_MSG_MAX]; /* a message in, or an answer out (after 2 bytes for TCP's length) */
  uint8_t out[2 + DNS_MSG_MAX];
} dns_server;

/* event kinds in epoll data: kind << 56 | gen << 32 | index */
enum { EV_UDP = 1, EV_TCP_LISTEN, EV_CONN, EV_UPSTREAM, EV_INOTIFY, EV_TIMER, EV_SIGNAL };
uint64_t dns_ev(int kind, uint32_t gen, uint32_t index);

/* Set up what the server needs before it listens: the records (and their watch), epoll, timers. */
int dns_server_init(dns_server *s, dns_opts *o, int lock_fd, berr_t *err);
/* Take signals (SIGTERM, SIGINT: stop; SIGHUP: read the records again) in the process that serves. */
int dns_server_signals(dns_server *s, berr_t *err);
/* Bind the listeners (UDP and TCP on each address). */
int dns_server_listen(dns_server *s, berr_t *err);
/* Serve until told to stop or the records are gone. */
void dns_server_run(dns_server *s);

/* The pidfile (if any) holding this process's ID, written atomically; removed if it still does (a
 * responder that took over may have written its own). */
int dns_pidfile_write(const dns_opts *o, berr_t *err);
void dns_pidfile_remove(const dns_opts *o);

/* Queue or send a reply to a client (server.c). */
void dns_send_udp(dns_server *s, int listener, const struct sockaddr_storage *peer, socklen_t peer_len,
                  const uint8_t *msg, size_t len);
void dns_send_tcp(dns_server *s, int conn, const uint8_t *msg, size_t len);
void dns_conn_done(dns_server *s, int conn, uint32_t gen); /* a forwarded query of the conn finished */
int64_t dns_now(void);

/* forward.c */
void dns_forward(dns_server *s, const uint8_t *msg, size_t len, const dns_info *q, int listener,
                 const struct sockaddr_storage *peer, socklen_t peer_len, int conn);
void dns_forward_event(dns_server *s, uint32_t index, uint32_t gen, uint32_t events);
void dns_forward_expire(dns_server *s, int64_t now);
void dns_forward_cancel_all(dns_server *s);

#endif
