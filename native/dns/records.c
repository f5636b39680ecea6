#include "records.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "../monitor/json.h"

void dns_record_free(dns_record *r)
{
  for (size_t k = 0; k < r->nnames; k++) free(r->names[k]);
  free(r->names);
  free(r->name_lens);
  free(r->v4);
  free(r->v6);
  free(r->file);
  memset(r, 0, sizeof *r);
}

static const jval *string_array(const jval *doc, const char *key, size_t max, berr_t *err)
{
  const jval *a = json_get(doc, key);
  if (!a || a->t == J_NULL) return NULL;
  if (a->t != J_ARR) {
    fail(err, EINVAL, "\"%s\" is not an array", key);
    return a;
  }
  if (a->n > max) {
    fail(err, EINVAL, "\"%s\" has %zu entries (at most %zu)", key, a->n, max);
    return a;
  }
  for (size_t k = 0; k < a->n; k++)
    if (a->items[k].t != J_STR) {
      fail(err, EINVAL, "\"%s\"[%zu] is not a string", key, k);
      return a;
    }
  return a;
}

static int parse_addrs(const jval *a, int af, const char *key, uint8_t *out, size_t size, berr_t *err)
{
  for (size_t k = 0; a && k < a->n; k++)
    if (inet_pton(af, a->items[k].str, out + k * size) != 1)
      return fail(err, EINVAL, "\"%s\"[%zu] is not an IPv%d address", key, k, af == AF_INET ? 4 : 6);
  return 0;
}

int dns_record_parse(const char *text, dns_record *r, berr_t *err)
{
  memset(r, 0, sizeof *r);
  err->msg[0] = 0;
  jval *doc = json_parse(text, err);
  if (!doc) {
    /* json.c names config.json, which this is not */
    if (!strncmp(err->msg, "config.json: ", 13)) memmove(err->msg, err->msg + 13, strlen(err->msg + 13) + 1);
    return -1;
  }
  int ret = -1;
  if (doc->t != J_OBJ) {
    fail(err, EINVAL, "not a JSON object");
    goto out;
  }
  const jval *names = string_array(doc, "names", DNS_RECORD_NAMES, err);
  const jval *v4 = string_array(doc, "ipv4", DNS_RECORD_ADDRS, err);
  const jval *v6 = string_array(doc, "ipv6", DNS_RECORD_ADDRS, err);
  if (err->msg[0]) goto out;
  r->nnames = names ? names->n : 0;
  r->n4 = v4 ? v4->n : 0;
  r->n6 = v6 ? v6->n : 0;
  r->names = xmalloc(r->nnames * sizeof *r->names);
  r->name_lens = xmalloc(r->nnames);
  r->v4 = xmalloc(r->n4 * sizeof *r->v4);
  r->v6 = xmalloc(r->n6 * sizeof *r->v6);
  size_t kept = 0;
  for (size_t k = 0; k < r->nnames; k++) {
    uint8_t wire[DNS_NAME_MAX];
    size_t len;
    if (dns_name_from_text(names->items[k].str, wire, &len) < 0) {
      fail(err, EINVAL, "\"names\"[%zu] is not a valid DNS name", k);
      break;
    }
    r->names[kept] = xmalloc(len);
    memcpy(r->names[kept], wire, len);
    r->name_lens[kept++] = (uint8_t)len;
  }
  r->nnames = kept;
  if (err->msg[0]) goto out;
  if (parse_addrs(v4, AF_INET, "ipv4", (uint8_t *)r->v4, 4, err) < 0) goto out;
  if (parse_addrs(v6, AF_INET6, "ipv6", (uint8_t *)r->v6, 16, err) < 0) goto out;
  r->valid = true;
  ret = 0;
out:
  json_free(doc);
  if (ret < 0) dns_record_free(r);
  return ret;
}

int dns_records_set(dns_records *rs, const char *file, dns_record *r)
{
  for (size_t k = 0; k < rs->n; k++)
    if (!strcmp(rs->recs[k].file, file)) {
      dns_record_free(&rs->recs[k]);
      rs->recs[k] = *r;
      rs->recs[k].file = xstrdup(file);
      return 0;
    }
  if (rs->n == DNS_RECORDS_MAX) {
    dns_record_free(r);
    return -1;
  }
  if (rs->n == rs->cap) {
    rs->cap = rs->cap ? rs->cap * 2 : 16;
    rs->recs = xrealloc(rs->recs, rs->cap * sizeof *rs->recs);
  }
  rs->recs[rs->n] = *r;
  rs->recs[rs->n++].file = xstrdup(file);
  return 0;
}

bool dns_records_remove(dns_records *rs, const char *file)
{
  for (size_t k = 0; k < rs->n; k++)
    if (!strcmp(rs->recs[k].file, file)) {
      dns_record_free(&rs->recs[k]);
      rs->recs[k] = rs->recs[--rs->n];
      return true;
    }
  return false;
}

void dns_records_clear(dns_records *rs)
{
  for (size_t k = 0; k < rs->n; k++) dns_record_free(&rs->recs[k]);
  free(rs->recs);
  free(rs->by_name);
  free(rs->by_addr);
  memset(rs, 0, sizeof *rs);
}

/* FNV-1a, over the lower-cased bytes */
static uint32_t hash_bytes(const uint8_t *p, size_t n, bool fold)
{
  uint32_t h = 2166136261u;
  for (size_t k = 0; k < n; k++) {
    uint8_t c = p[k];
    if (fold && c >= 'A' && c <= 'Z') c = (uint8_t)(c + 32);
    h = (h ^ c) * 16777619u;
  }
  return h;
}

static uint32_t hash_addr(int family, const uint8_t *addr)
{
  return hash_bytes(addr, family == 4 ? 4 : 16, false) ^ (uint32_t)family;
}

static size_t table_size(size_t entries)
{
  size_t size = 16;
  while (size < entries * 2) size *= 2;
  return size;
}

static void insert(dns_slot *table, size_t size, uint32_t hash, uint32_t rec, uint32_t item)
{
  size_t k = hash & (size - 1);
  while (table[k].rec) k = (k + 1) & (size - 1);
  table[k] = (dns_slot){.hash = hash, .rec = rec + 1, .item = item};
}

void dns_records_index(dns_records *rs)
{
  size_t names = 0, addrs = 0;
  for (size_t k = 0; k < rs->n; k++) {
    names += rs->recs[k].nnames;
    addrs += rs->recs[k].n4 + rs->recs[k].n6;
  }
  free(rs->by_name);
  free(rs->by_addr);
  rs->name_slots = table_size(names);
  rs->addr_slots = table_size(addrs);
  rs->by_name = xmalloc(rs->name_slots * sizeof(dns_slot));
  rs->by_addr = xmalloc(rs->addr_slots * sizeof(dns_slot));
  memset(rs->by_name, 0, rs->name_slots * sizeof(dns_slot));
  memset(rs->by_addr, 0, rs->addr_slots * sizeof(dns_slot));
  for (size_t k = 0; k < rs->n; k++) {
    const dns_record *r = &rs->recs[k];
    for (size_t i = 0; i < r->nnames; i++)
      insert(rs->by_name, rs->name_slots, hash_bytes(r->names[i], r->name_lens[i], true), (uint32_t)k, (uint32_t)i);
    for (size_t i = 0; i < r->n4; i++)
      insert(rs->by_addr, rs->addr_slots, hash_addr(4, r->v4[i]), (uint32_t)k, (uint32_t)i);
    for (size_t i = 0; i < r->n6; i++)
      insert(rs->by_addr, rs->addr_slots, hash_addr(6, r->v6[i]), (uint32_t)k, (uint32_t)(r->n4 + i));
  }
}

static bool seen(const uint32_t *out, size_t n, uint32_t rec)
{
  for (size_t k = 0; k < n; k++)
    if (out[k] == rec) return true;
  return false;
}

size_t dns_records_find(const dns_records *rs, const uint8_t *name, size_t len, uint32_t *out, size_t max)
{
  if (!rs->name_slots) return 0;
  uint32_t hash = hash_bytes(name, len, true);
  size_t n = 0;
  for (size_t k = hash & (rs->name_slots - 1); rs->by_name[k].rec && n < max; k = (k + 1) & (rs->name_slots - 1)) {
    const dns_slot *s = &rs->by_name[k];
    if (s->hash != hash) continue;
    const dns_record *r = &rs->recs[s->rec - 1];
    if (dns_name_eq(r->names[s->item], r->name_lens[s->item], name, len) && !seen(out, n, s->rec - 1))
      out[n++] = s->rec - 1;
  }
  return n;
}

size_t dns_records_find_addr(const dns_records *rs, int family, const uint8_t *addr, uint32_t *out, size_t max)
{
  if (!rs->addr_slots) return 0;
  uint32_t hash = hash_addr(family, addr);
  size_t n = 0;
  for (size_t k = hash & (rs->addr_slots - 1); rs->by_addr[k].rec && n < max; k = (k + 1) & (rs->addr_slots - 1)) {
    const dns_slot *s = &rs->by_addr[k];
    if (s->hash != hash) continue;
    const dns_record *r = &rs->recs[s->rec - 1];
    bool v4 = s->item < r->n4;
    if (v4 != (family == 4)) continue;
    const uint8_t *a = v4 ? r->v4[s->item] : r->v6[s->item - r->n4];
    if (!memcmp(a, addr, v4 ? 4 : 16) && !seen(out, n, s->rec - 1)) out[n++] = s->rec - 1;
  }
  return n;
}
