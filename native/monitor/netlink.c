#include "netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* One request: header, family message and attributes in a bounded buffer. */
typedef struct {
  union {
    struct nlmsghdr h;
    char buf[1024];
  };
  bool overflow;
} req_t;

static void req_init(req_t *r, int type, int flags, const void *body, size_t len)
{
  memset(r, 0, sizeof *r);
  r->h.nlmsg_type = (uint16_t)type;
  r->h.nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
  r->h.nlmsg_len = (uint32_t)NLMSG_LENGTH(len);
  memcpy(NLMSG_DATA(&r->h), body, len);
}

static struct rtattr *put(req_t *r, int type, const void *data, size_t len)
{
  size_t off = NLMSG_ALIGN(r->h.nlmsg_len);
  size_t need = off + RTA_SPACE(len);
  if (need > sizeof r->buf) {
    r->overflow = true;
    return NULL;
  }
  struct rtattr *a = (struct rtattr *)(r->buf + off);
  a->rta_type = (unsigned short)type;
  a->rta_len = (unsigned short)RTA_LENGTH(len);
  if (len) memcpy(RTA_DATA(a), data, len);
  r->h.nlmsg_len = (uint32_t)need;
  return a;
}

/* Bytes with no attribute header (the ifinfomsg that opens VETH_INFO_PEER). */
static void put_raw(req_t *r, const void *data, size_t len)
{
  size_t off = NLMSG_ALIGN(r->h.nlmsg_len);
  if (off + NLMSG_ALIGN(len) > sizeof r->buf) {
    r->overflow = true;
    return;
  }
  memcpy(r->buf + off, data, len);
  r->h.nlmsg_len = (uint32_t)(off + NLMSG_ALIGN(len));
}

static void put_str(req_t *r, int type, const char *s)
{
  put(r, type, s, strlen(s) + 1);
}

static void put_u32(req_t *r, int type, uint32_t v)
{
  put(r, type, &v, sizeof v);
}

/* A nested attribute: open it, put its members, then nest_end. */
static struct rtattr *nest(req_t *r, int type)
{
  return put(r, type, NULL, 0);
}

static void nest_end(req_t *r, struct rtattr *a)
{
  if (a) a->rta_len = (unsigned short)(r->buf + r->h.nlmsg_len - (char *)a);
}

static int parse_mac(const char *s, unsigned char out[6])
{
  unsigned v[6];
  if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6) return -1;
  for (int k = 0; k < 6; k++) out[k] = (unsigned char)v[k];
  return 0;
}

int nl_open(berr_t *err)
{
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return fail_errno(err, "open a netlink socket");
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    int e = errno;
    close(fd);
    errno = e;
    return fail_errno(err, "bind a netlink socket");
  }
  return fd;
}

/* Send the request and wait for its acknowledgement; the kernel's errno is returned in err. */
static int talk(int nl, req_t *r, berr_t *err, const char *what)
{
  if (r->overflow) return fail(err, E2BIG, "%s: the netlink request is too long", what);
  static uint32_t seq;
  r->h.nlmsg_seq = ++seq;
  struct sockaddr_nl to = {.nl_family = AF_NETLINK};
  if (sendto(nl, r->buf, r->h.nlmsg_len, 0, (struct sockaddr *)&to, sizeof to) < 0) return fail_errno(err, "%s", what);
  char reply[4096] __attribute__((aligned(4)));
  for (;;) {
    ssize_t n = recv(nl, reply, sizeof reply, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno(err, "%s", what);
    for (struct nlmsghdr *h = (struct nlmsghdr *)reply; NLMSG_OK(h, (unsigned)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != r->h.nlmsg_seq || h->nlmsg_type != NLMSG_ERROR) continue;
      int e = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
      if (!e) return 0;
      errno = e;
      return fail_errno(err, "%s", what);
    }
  }
}

int nl_veth(int nl, const char *host, int master, const char *peer, const char *mac, int mtu, int netns_fd, berr_t *err)
{
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
  req_t r;
  req_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
  put_str(&r, IFLA_IFNAME, host);
  put_u32(&r, IFLA_MTU, (uint32_t)mtu);
  if (master > 0) put_u32(&r, IFLA_MASTER, (uint32_t)master);
  struct rtattr *info = nest(&r, IFLA_LINKINFO);
  put_str(&r, IFLA_INFO_KIND, "veth");
  struct rtattr *data = nest(&r, IFLA_INFO_DATA);
  struct rtattr *peer_info = nest(&r, VETH_INFO_PEER);
  /* the peer's ifinfomsg, then its attributes; it is brought up from inside (Linux 6.x refuses ENOTCONN here) */
  struct ifinfomsg peer_ifi = {.ifi_family = AF_UNSPEC};
  put_raw(&r, &peer_ifi, sizeof peer_ifi);
  put_str(&r, IFLA_IFNAME, peer);
  put_u32(&r, IFLA_NET_NS_FD, (uint32_t)netns_fd);
  put_u32(&r, IFLA_MTU, (uint32_t)mtu);
  unsigned char hw[6];
  if (mac && *mac) {
    if (parse_mac(mac, hw) < 0) return fail(err, EINVAL, "invalid MAC address %s", mac);
    put(&r, IFLA_ADDRESS, hw, 6);
  }
  nest_end(&r, peer_info);
  nest_end(&r, data);
  nest_end(&r, info);
  char what[96];
  snprintf(what, sizeof what, "create the veth pair %s", host);
  return talk(nl, &r, err, what);
}

int nl_child(int nl, const char *kind, const char *mode, int parent, const char *name, const char *mac, int mtu,
             int netns_fd, berr_t *err)
{
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
  req_t r;
  req_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
  put_str(&r, IFLA_IFNAME, name);
  put_u32(&r, IFLA_LINK, (uint32_t)parent);
  put_u32(&r, IFLA_NET_NS_FD, (uint32_t)netns_fd);
  if (mtu > 0) put_u32(&r, IFLA_MTU, (uint32_t)mtu);
  unsigned char hw[6];
  if (mac && *mac) {
    if (parse_mac(mac, hw) < 0) return fail(err, EINVAL, "invalid MAC address %s", mac);
    put(&r, IFLA_ADDRESS, hw, 6);
  }
  struct rtattr *info = nest(&r, IFLA_LINKINFO);
  put_str(&r, IFLA_INFO_KIND, kind);
  struct rtattr *data = nest(&r, IFLA_INFO_DATA);
  if (!strcmp(kind, "macvlan")) {
    uint32_t m = !strcmp(mode, "private")    ? MACVLAN_MODE_PRIVATE
                 : !strcmp(mode, "vepa")     ? MACVLAN_MODE_VEPA
                 : !strcmp(mode, "passthru") ? MACVLAN_MODE_PASSTHRU
                                             : MACVLAN_MODE_BRIDGE;
    put_u32(&r, IFLA_MACVLAN_MODE, m);
  } else {
    uint16_t m = !strcmp(mode, "l3") ? IPVLAN_MODE_L3 : IPVLAN_MODE_L2;
    put(&r, IFLA_IPVLAN_MODE, &m, sizeof m);
  }
  nest_end(&r, data);
  nest_end(&r, info);
  char what[96];
  snprintf(what, sizeof what, "create the %s interface %s", kind, name);
  if (talk(nl, &r, err, what) == 0) return 0;
  if (err->code == EOPNOTSUPP)
    return fail(err, EOPNOTSUPP, "this kernel has no %s driver (CONFIG_%s)", kind,
                !strcmp(kind, "macvlan") ? "MACVLAN" : "IPVLAN");
  return -1;
}

int nl_up(int nl, int ifindex, berr_t *err)
{
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex, .ifi_flags = IFF_UP, .ifi_change = IFF_UP};
  req_t r;
  req_init(&r, RTM_NEWLINK, 0, &ifi, sizeof ifi);
  return talk(nl, &r, err, "bring the interface up");
}

int nl_del(int nl, const char *name, berr_t *err)
{
  struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
  req_t r;
  req_init(&r, RTM_DELLINK, 0, &ifi, sizeof ifi);
  put_str(&r, IFLA_IFNAME, name);
  char what[96];
  snprintf(what, sizeof what, "delete the interface %s", name);
  if (talk(nl, &r, err, what) == 0) return 0;
  return err->code == ENODEV ? 0 : -1;
}

/* "ADDR/PREFIX" to family, bytes and prefix length. */
static int parse_cidr(const char *cidr, int *family, unsigned char addr[16], int *prefix)
{
  char ip[64];
  const char *slash = strchr(cidr, '/');
  size_t n = slash ? (size_t)(slash - cidr) : strlen(cidr);
  if (n >= sizeof ip) return -1;
  memcpy(ip, cidr, n);
  ip[n] = 0;
  *family = strchr(ip, ':') ? AF_INET6 : AF_INET;
  if (inet_pton(*family, ip, addr) != 1) return -1;
  *prefix = slash ? atoi(slash + 1) : (*family == AF_INET ? 32 : 128);
  return 0;
}

int nl_addr(int nl, int ifindex, const char *cidr, berr_t *err)
{
  int family, prefix;
  unsigned char a[16];
  if (parse_cidr(cidr, &family, a, &prefix) < 0) return fail(err, EINVAL, "invalid address %s", cidr);
  struct ifaddrmsg ifa = {.ifa_family = (unsigned char)family,
                          .ifa_prefixlen = (unsigned char)prefix,
                          .ifa_flags = family == AF_INET6 ? IFA_F_NODAD : 0,
                          .ifa_scope = RT_SCOPE_UNIVERSE,
                          .ifa_index = (unsigned)ifindex};
  req_t r;
  req_init(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof ifa);
  size_t len = family == AF_INET ? 4 : 16;
  put(&r, IFA_LOCAL, a, len);
  put(&r, IFA_ADDRESS, a, len);
  char what[96];
  snprintf(what, sizeof what, "add the address %s", cidr);
  return talk(nl, &r, err, what);
}

int nl_route(int nl, int ifindex, const char *dst, const char *gateway, berr_t *err)
{
  int family, prefix;
  unsigned char d[16], g[16];
  if (parse_cidr(dst, &family, d, &prefix) < 0) return fail(err, EINVAL, "invalid route %s", dst);
  struct rtmsg rt = {.rtm_family = (unsigned char)family,
                     .rtm_dst_len = (unsigned char)prefix,
                     .rtm_table = RT_TABLE_MAIN,
                     .rtm_protocol = RTPROT_BOOT,
                     .rtm_scope = gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
                     .rtm_type = RTN_UNICAST};
  req_t r;
  req_init(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rt, sizeof rt);
  size_t len = family == AF_INET ? 4 : 16;
  if (prefix) put(&r, RTA_DST, d, len);
  if (gateway) {
    if (inet_pton(family, gateway, g) != 1) return fail(err, EINVAL, "invalid gateway %s", gateway);
    put(&r, RTA_GATEWAY, g, len);
  }
  put_u32(&r, RTA_OIF, (uint32_t)ifindex);
  char what[128];
  snprintf(what, sizeof what, "add the route to %s via %s", dst, gateway ? gateway : "the link");
  return talk(nl, &r, err, what);
}
