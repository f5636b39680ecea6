/* A container's networking as the engine decided it (network.json, native/PROTOCOL.md "Networking"). */
#ifndef BERTH_NETWORK_H
#define BERTH_NETWORK_H

#include <stdbool.h>
#include <sys/types.h>
#include "json.h"

typedef struct {
  char *path;
  jval *doc;
  int *port_fds; /* the published host ports, held bound while the container lives */
  size_t nport_fds;
  bool up_ran; /* the "up" commands ran: "down" must run at the end */
} netspec;

/* Read (or read again: `network connect` changes it) the file. */
int net_load(netspec *n, const char *path, berr_t *err);
void net_free(netspec *n);
/* Bind the published host ports ("Bind for IP:PORT failed: port is already allocated" when one is taken). */
int net_hold_ports(netspec *n, berr_t *err);
void net_drop_ports(netspec *n);
/* The "up" commands (the published ports' forwarding), or the "down" ones. */
int net_run_up(netspec *n, berr_t *err);
void net_run_down(netspec *n);
/* Set up the interfaces of the process pid's network namespace (all, or the one named `only`). */
int net_links_up(const netspec *n, pid_t pid, const char *only, berr_t *err);
/* Delete the host ends of the veth pairs (all, or `only`); with pid, `only` is deleted inside its namespace too. */
void net_links_down(const netspec *n, pid_t pid, const char *only);
/* Remove the files the engine listed (DNS records). */
void net_unlink(const netspec *n);
/* The last exit: interfaces, forwarding, host ports, records (the state says "exited" only after this). */
void net_teardown(netspec *n);

/* `berth-monitor net-up|net-down --pid PID --network FILE --link NAME` (network connect, disconnect). */
int net_main(int argc, char **argv);

#endif
