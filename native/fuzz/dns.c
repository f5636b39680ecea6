/* libFuzzer target: berth-dns's reading of what the network sends it and of record files. The
 * first byte picks what the rest is: a query over UDP or TCP (answered from a fixed set of records,
 * as the server does), an upstream's reply, or a record file. Whatever the bytes, nothing is read
 * or written out of bounds, nothing leaks, a reply fits the room it was given and reads back as a
 * response to the same ID and question, and a record file that parses is found by its names.
 * Build and run: scripts/fuzz.sh dns. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../dns/answer.h"
#include "../dns/records.h"
#include "../dns/wire.h"

static dns_records rs;

static void init(void)
{
  static bool done;
  if (done) return;
  done = true;
  berr_t err = {0};
  char text[160];
  for (int k = 0; k < 120; k++) {
    dns_record r;
    char file[32];
    if (k == 0)
      snprintf(text, sizeof text, "{\"names\":[\"web1\",\"Alias1\"],\"ipv4\":[\"172.18.0.2\"],\"ipv6\":[\"fd00::2\"]}");
    else
      snprintf(text, sizeof text, "{\"names\":[\"c%d\",\"big\"],\"ipv4\":[\"10.0.%d.%d\"]}", k, k / 200, k % 200);
    snprintf(file, sizeof file, "%d.json", k);
    if (dns_record_parse(text, &r, &err) < 0 || dns_records_set(&rs, file, &r) < 0) abort();
  }
  dns_records_index(&rs);
}

static void query(const uint8_t *msg, size_t len, bool tcp)
{
  size_t cap = tcp ? DNS_MSG_MAX : DNS_UDP_MAX;
  uint8_t *o = malloc(cap);
  dns_buf out = {.p = o, .cap = cap};
  dns_info q, r;
  dns_action a = dns_answer(&rs, msg, len, tcp, &out, &q);
  if (a == DNS_ACT_ANSWER) {
    if (out.len > out.cap || out.cap > cap || out.len < DNS_HEADER) abort();
    if (dns_parse(o, out.len, true, &r) != DNS_OK || r.id != q.id) abort();
    if (q.name_len && !dns_name_eq(r.name, r.name_len, q.name, q.name_len)) abort();
  } else if (a == DNS_ACT_FORWARD) {
    /* what the forwarder may send instead of the upstream's reply */
    dns_buf e = {.p = o, .cap = dns_reply_limit(&q, tcp, cap)};
    dns_reply_error(&e, msg, &q, DNS_R_SERVFAIL, false);
    if (e.len > e.cap || dns_parse(o, e.len, true, &r) != DNS_OK || r.id != q.id) abort();
    dns_reply_error(&e, msg, &q, DNS_R_NOERROR, true);
    if (e.len > e.cap) abort();
  }
  free(o);
}

static void reply(const uint8_t *msg, size_t len)
{
  dns_info r;
  dns_parse(msg, len, true, &r);
  uint8_t name[DNS_NAME_MAX], addr[16];
  size_t name_len;
  for (size_t off = 0; off < len && off < 64; off++)
    if (dns_read_name(msg, len, off, name, &name_len) >= 0) dns_reverse_addr(name, name_len, addr);
}

static void record_file(const uint8_t *data, size_t len)
{
  char *text = malloc(len + 1);
  memcpy(text, data, len);
  text[len] = 0;
  dns_record r;
  berr_t err = {0};
  if (dns_record_parse(text, &r, &err) == 0) {
    dns_records one = {0};
    dns_records_set(&one, "x.json", &r);
    dns_records_index(&one);
    const dns_record *got = &one.recs[0];
    uint32_t found[4];
    for (size_t k = 0; k < got->nnames; k++)
      if (dns_records_find(&one, got->names[k], got->name_lens[k], found, 4) != 1) abort();
    for (size_t k = 0; k < got->n4; k++)
      if (dns_records_find_addr(&one, 4, got->v4[k], found, 4) != 1) abort();
    dns_records_clear(&one);
  }
  free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  init();
  if (!size) return 0;
  int mode = data[0] % 4;
  /* a copy of exactly the message's size, so that a read past its end is caught */
  uint8_t *msg = malloc(size - 1 ? size - 1 : 1);
  memcpy(msg, data + 1, size - 1);
  switch (mode) {
    case 0: query(msg, size - 1, false); break;
    case 1: query(msg, size - 1, true); break;
    case 2: reply(msg, size - 1); break;
    case 3: record_file(msg, size - 1); break;
  }
  free(msg);
  return 0;
}
