/* The records directory: every DIR/<name>.json read into memory, kept current through inotify
 * (each changed file read again, alone), with the lock that lets one responder serve it. */
#ifndef BERTH_DNS_RECDIR_H
#define BERTH_DNS_RECDIR_H

#include <stdbool.h>
#include "records.h"

typedef struct {
  const char *path;
  int dirfd; /* O_PATH of the directory */
  int ifd;   /* inotify, non-blocking */
  bool gone; /* the directory was removed or moved away */
  dns_records rs;
} dns_recdir;

/* Watch the directory (before reading it, so no change is missed), then read every record file. */
int dns_recdir_open(dns_recdir *d, const char *path, berr_t *err);
void dns_recdir_close(dns_recdir *d);
/* Read every record file again. */
void dns_recdir_scan(dns_recdir *d);
/* Apply what inotify reported (without blocking): true if the records changed. */
bool dns_recdir_sync(dns_recdir *d);
/* Is name a record file's name (NAME.json, not hidden)? */
bool dns_record_file_name(const char *name);

#endif
