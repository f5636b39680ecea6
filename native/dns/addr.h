/* Socket addresses as berth-dns takes them: IP[:PORT] and [IPv6]:PORT on the command line, the
 * nameserver lines of resolv.conf. */
#ifndef BERTH_DNS_ADDR_H
#define BERTH_DNS_ADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include "../monitor/util.h"

#define DNS_PORT 53

typedef struct {
  struct sockaddr_storage ss;
  socklen_t len;
} dns_addr;

/* "172.18.0.1", "172.18.0.1:5353", "fd00::1", "[fd00::1]:53", "fe80::1%eth0"; -1 with err filled. */
int dns_addr_parse(const char *text, uint16_t default_port, dns_addr *out, berr_t *err);
/* "IP:PORT" or "[IP]:PORT" */
const char *dns_addr_text(const dns_addr *a, char buf[80]);
bool dns_addr_eq(const dns_addr *a, const dns_addr *b);
/* The nameservers of a resolv.conf (port 53), at most max; -1 with err filled if it cannot be read. */
int dns_resolv_conf(const char *path, dns_addr *out, int max, berr_t *err);

#endif
