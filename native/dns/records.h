/* The records berth-dns answers from: one per file in the records directory
 * ({"names": [...], "ipv4": [...], "ipv6": [...]}), indexed in memory by name and by address
 * (open-addressing hash tables, rebuilt after each change), so a lookup costs the same with 1 or
 * 1,000 records. */
#ifndef BERTH_DNS_RECORDS_H
#define BERTH_DNS_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../monitor/util.h"
#include "wire.h"

#define DNS_RECORD_FILE_MAX (64 * 1024) /* a bigger record file is skipped */
#define DNS_RECORDS_MAX     4096        /* record files held at once */
#define DNS_RECORD_NAMES    256         /* names in one record */
#define DNS_RECORD_ADDRS    64          /* addresses of one family in one record */

typedef struct {
  char *file; /* the file's name in the directory */
  bool valid; /* false: the file is there but could not be used (it still counts as present) */
  size_t nnames, n4, n6;
  uint8_t **names;    /* wire form, case as written */
  uint8_t *name_lens; /* their lengths (at most DNS_NAME_MAX) */
  uint8_t (*v4)[4];
  uint8_t (*v6)[16];
} dns_record;

typedef struct {
  uint32_t hash;
  uint32_t rec;  /* index into recs, + 1 (0: an empty slot) */
  uint32_t item; /* the name's index; for addresses, the v4 index or n4 + the v6 index */
} dns_slot;

typedef struct {
  dns_record *recs;
  size_t n, cap;
  dns_slot *by_name, *by_addr; /* hash tables of a power-of-two size */
  size_t name_slots, addr_slots;
} dns_records;

/* Parse a record file's text into r (file left NULL); -1 with err filled when it is not valid JSON,
 * not of the record's shape, or holds a bad name or address. */
int dns_record_parse(const char *text, dns_record *r, berr_t *err);
void dns_record_free(dns_record *r);

/* Put r (taken over; its file set from file) in place of the record of that file, or add it; -1 (r
 * freed) when DNS_RECORDS_MAX are held. Call dns_records_index after changes. */
int dns_records_set(dns_records *rs, const char *file, dns_record *r);
/* Drop the record of file; false if there was none. */
bool dns_records_remove(dns_records *rs, const char *file);
void dns_records_clear(dns_records *rs);
/* Rebuild the hash tables from recs. */
void dns_records_index(dns_records *rs);

/* The records (indexes into recs) that hold a name (wire form, any case): at most max. */
size_t dns_records_find(const dns_records *rs, const uint8_t *name, size_t len, uint32_t *out, size_t max);
/* The records that hold an address (family 4 or 6): at most max. */
size_t dns_records_find_addr(const dns_records *rs, int family, const uint8_t *addr, uint32_t *out, size_t max);

#endif
