/* rtnetlink, the few requests berth-monitor makes: links (veth, macvlan, ipvlan), addresses, routes. */
#ifndef BERTH_NETLINK_H
#define BERTH_NETLINK_H

#include <stdbool.h>
#include <stdint.h>
#include "util.h"

/* A NETLINK_ROUTE socket in the calling thread's network namespace (close it with close()). */
int nl_open(berr_t *err);

/* A veth pair: `host` in this namespace (a port of bridge `master`), `peer` created directly in the
 * namespace of netns_fd, with that MAC (NULL: the kernel's) and MTU; both down (nl_up them). */
int nl_veth(int nl, const char *host, int master, const char *peer, const char *mac, int mtu, int netns_fd,
            berr_t *err);
/* A macvlan (mode: bridge, private, vepa, passthru) or ipvlan (l2, l3) child of ifindex `parent`, created
 * directly in the namespace of netns_fd, named `name` (down: nl_up it there). */
int nl_child(int nl, const char *kind, const char *mode, int parent, const char *name, const char *mac, int mtu,
             int netns_fd, berr_t *err);
/* Bring a link up. */
int nl_up(int nl, int ifindex, berr_t *err);
/* Delete a link by name; a missing one is no error. */
int nl_del(int nl, const char *name, berr_t *err);
/* Add "ADDR/PREFIX" (IPv4 or IPv6, the latter without duplicate address detection) to ifindex. */
int nl_addr(int nl, int ifindex, const char *cidr, berr_t *err);
/* A route to "DST/PREFIX" through gateway (NULL: on the link) out of ifindex. */
int nl_route(int nl, int ifindex, const char *dst, const char *gateway, berr_t *err);

#endif
