/* Unit tests of berth-dns's pure pieces: the wire format (reading queries, writing answers), record
 * files, the index, the answers, addresses and resolv.conf. Prints TAP; exits non-zero on failure. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "../dns/addr.h"
#include "../dns/answer.h"
#include "../dns/records.h"
#include "../dns/wire.h"

static int n, failed;

#define CHECK(cond, name)                                                                                              \
  do {                                                                                                                 \
    n++;                                                                                                               \
    if (cond)                                                                                                          \
      printf("ok %d - %s\n", n, name);                                                                                 \
    else {                                                                                                             \
      printf("not ok %d - %s (%s:%d)\n", n, name, __FILE__, __LINE__);                                                 \
      failed++;                                                                                                        \
    }                                                                                                                  \
  } while (0)

/* A query for name (presentation form) of type, with an OPT record offering edns bytes if edns. */
static size_t query(uint8_t *out, uint16_t id, const char *name, uint16_t type, uint16_t edns)
{
  memset(out, 0, DNS_HEADER);
  dns_put16(out, id);
  dns_put16(out + 2, DNS_F_RD);
  dns_put16(out + 4, 1);
  size_t len = DNS_HEADER, nl;
  dns_name_from_text(name, out + len, &nl);
  len += nl;
  dns_put16(out + len, type);
  dns_put16(out + len + 2, DNS_C_IN);
  len += 4;
  if (edns) {
    out[len] = 0;
    dns_put16(out + len + 1, DNS_T_OPT);
    dns_put16(out + len + 3, edns);
    memset(out + len + 5, 0, 6);
    len += 11;
    dns_put16(out + 10, 1);
  }
  return len;
}

/* msg placed so that its last byte is the last before an unmapped page: a read past it faults */
static uint8_t *guarded(const uint8_t *msg, size_t len)
{
  size_t page = 4096, pages = len / page + 1;
  uint8_t *map = mmap(NULL, (pages + 1) * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED) abort();
  mprotect(map + pages * page, page, PROT_NONE);
  uint8_t *at = map + pages * page - len;
  memcpy(at, msg, len);
  return at;
}

static void test_parse(void)
{
  uint8_t m[600];
  dns_info q;
  size_t len = query(m, 0x1234, "Web1.Net", DNS_T_A, 0);
  CHECK(dns_parse(m, len, false, &q) == DNS_OK, "a query parses");
  CHECK(q.id == 0x1234 && q.qtype == DNS_T_A && q.qclass == DNS_C_IN && !q.edns && q.edns_size == 512,
        "its header and question");
  CHECK(q.name_len == 10 && !memcmp(q.name, "\4web1\3net", 10), "the name in lower case wire form");
  CHECK(q.question_end == len, "the question's end");
  CHECK(dns_parse(m, len, true, &q) == DNS_DROP, "a query where a response belongs is dropped");
  CHECK(dns_parse(m, 11, false, &q) == DNS_DROP, "less than a header is dropped");
  for (size_t cut = DNS_HEADER; cut < len; cut++) {
    uint8_t *g = guarded(m, cut);
    if (dns_parse(g, cut, false, &q) != DNS_FORMERR) {
      CHECK(false, "every cut question is FORMERR, and read within bounds");
      break;
    }
    if (cut == len - 1) CHECK(true, "every cut question is FORMERR, and read within bounds");
  }
  uint8_t r[600];
  memcpy(r, m, len);
  dns_put16(r + 2, DNS_F_QR);
  CHECK(dns_parse(r, len, false, &q) == DNS_DROP, "a response sent as a query is dropped (no reply loops)");
  memcpy(r, m, len);
  dns_put16(r + 2, 2 << 11);
  CHECK(dns_parse(r, len, false, &q) == DNS_NOTIMP, "opcode STATUS: NOTIMP");
  memcpy(r, m, len);
  dns_put16(r + 4, 2);
  CHECK(dns_parse(r, len, false, &q) == DNS_FORMERR, "two questions: FORMERR");
  dns_put16(r + 4, 0);
  CHECK(dns_parse(r, len, false, &q) == DNS_FORMERR, "no question: FORMERR");

  /* labels and pointers */
  uint8_t bad[64] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  memcpy(bad + 12, "\x40", 1);
  CHECK(dns_parse(bad, 40, false, &q) == DNS_FORMERR, "label type 0x40: FORMERR");
  memcpy(bad + 12, "\xc0\x0c\0\1\0\1", 6);
  CHECK(dns_parse(bad, 18, false, &q) == DNS_FORMERR, "a pointer to itself: FORMERR");
  memcpy(bad + 12, "\xc0\x20\0\1\0\1", 6);
  CHECK(dns_parse(bad, 40, false, &q) == DNS_FORMERR, "a pointer forward: FORMERR");
  memcpy(bad + 12, "\x01\x61\xc0\x0c\0\1\0\1", 8);
  CHECK(dns_parse(bad, 20, false, &q) == DNS_FORMERR, "a pointer loop: FORMERR");
  memcpy(bad + 12, "\x01\x61\xc0\x04\0\1\0\1", 8); /* into the header: a compressed question */
  CHECK(dns_parse(bad, 20, false, &q) == DNS_FORMERR, "a compressed question: FORMERR");

  uint8_t longname[400] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  size_t at = DNS_HEADER;
  for (int k = 0; k < 5; k++) { /* 5 labels of 63: 320 bytes */
    longname[at++] = 63;
    memset(longname + at, 'a', 63);
    at += 63;
  }
  longname[at++] = 0;
  memcpy(longname + at, "\0\1\0\1", 4);
  CHECK(dns_parse(longname, at + 4, false, &q) == DNS_FORMERR, "a name over 255 bytes: FORMERR");

  /* a response's name may be compressed; a pointer backwards is followed */
  uint8_t resp[64] = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0};
  memcpy(resp + 12, "\3abc\0\0\1\0\1", 9);
  uint8_t name[DNS_NAME_MAX];
  size_t nl;
  CHECK(dns_parse(resp, 21, true, &q) == DNS_OK && q.name_len == 5, "a response's question");
  memcpy(resp + 21, "\1x\xc0\x0c", 4);
  CHECK(dns_read_name(resp, 25, 21, name, &nl) == 25 && nl == 7 && !memcmp(name, "\1x\3abc", 7),
        "a compressed name is read whole; its end is after the pointer");

  /* EDNS */
  len = query(m, 1, "a", DNS_T_A, 4096);
  CHECK(dns_parse(m, len, false, &q) == DNS_OK && q.edns && q.edns_size == 4096, "an OPT record: EDNS size");
  len = query(m, 1, "a", DNS_T_A, 100);
  CHECK(dns_parse(m, len, false, &q) == DNS_OK && q.edns_size == 512, "an EDNS size under 512 counts as 512");
  memcpy(m + len, m + len - 11, 11);
  dns_put16(m + 10, 2);
  CHECK(dns_parse(m, len + 11, false, &q) == DNS_FORMERR, "two OPT records: FORMERR");
  len = query(m, 1, "a", DNS_T_A, 1232);
  dns_put16(m + len - 2, 40); /* rdlength past the end */
  CHECK(dns_parse(m, len, false, &q) == DNS_FORMERR, "an RR longer than the message: FORMERR");
  len = query(m, 1, "a", DNS_T_A, 0);
  dns_put16(m + 10, 65535);
  CHECK(dns_parse(m, len, false, &q) == DNS_FORMERR, "65535 promised RRs that are not there: FORMERR");
}

static void test_names(void)
{
  uint8_t w[DNS_NAME_MAX];
  size_t len;
  CHECK(dns_name_from_text("web1", w, &len) == 0 && len == 6 && !memcmp(w, "\4web1", 6), "a one-label name");
  CHECK(dns_name_from_text("Web1.net.", w, &len) == 0 && len == 10 && !memcmp(w, "\4Web1\3net", 10),
        "a trailing dot is optional; case is kept");
  CHECK(dns_name_from_text("", w, &len) < 0 && dns_name_from_text(".", w, &len) < 0, "empty and root: refused");
  CHECK(dns_name_from_text("a..b", w, &len) < 0, "an empty label: refused");
  CHECK(dns_name_from_text("a b", w, &len) < 0 && dns_name_from_text("a\x7f", w, &len) < 0 &&
            dns_name_from_text("\xc3\xa9", w, &len) < 0,
        "blanks, controls and non-ASCII: refused");
  char label[70];
  memset(label, 'x', 64);
  label[64] = 0;
  CHECK(dns_name_from_text(label, w, &len) < 0, "a 64-byte label: refused");
  label[63] = 0;
  CHECK(dns_name_from_text(label, w, &len) == 0, "a 63-byte label");
  char big[300];
  for (int k = 0; k < 127; k++) big[2 * k] = 'a', big[2 * k + 1] = '.';
  big[253] = 0; /* 127 labels: 254 bytes in wire form + the root */
  CHECK(dns_name_from_text(big, w, &len) == 0 && len == 255, "a name of 255 bytes");
  big[253] = 'a', big[254] = 0;
  CHECK(dns_name_from_text(big, w, &len) < 0, "a name of 256 bytes: refused");
  CHECK(dns_name_eq((const uint8_t *)"\4WEB1", 6, (const uint8_t *)"\4web1", 6), "names compare without case");

  uint8_t a[16], rev[DNS_NAME_MAX];
  dns_name_from_text("2.0.18.172.in-addr.arpa", rev, &len);
  CHECK(dns_reverse_addr(rev, len, a) == 4 && !memcmp(a, "\xac\x12\0\2", 4), "in-addr.arpa");
  dns_name_from_text("2.0.18.in-addr.arpa", rev, &len);
  CHECK(dns_reverse_addr(rev, len, a) == 0, "three octets: no address");
  dns_name_from_text("256.0.18.172.in-addr.arpa", rev, &len);
  CHECK(dns_reverse_addr(rev, len, a) == 0, "an octet over 255: no address");
  dns_name_from_text("2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa", rev, &len);
  CHECK(dns_reverse_addr(rev, len, a) == 6 && a[0] == 0xfd && a[15] == 2, "ip6.arpa");
  dns_name_from_text("2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.g.f.ip6.arpa", rev, &len);
  CHECK(dns_reverse_addr(rev, len, a) == 0, "a nibble that is not hex: no address");
}

static dns_records make(const char **files, size_t count)
{
  dns_records rs = {0};
  berr_t err = {0};
  for (size_t k = 0; k < count; k++) {
    dns_record r;
    char name[32];
    snprintf(name, sizeof name, "c%zu.json", k);
    if (dns_record_parse(files[k], &r, &err) < 0) memset(&r, 0, sizeof r);
    dns_records_set(&rs, name, &r);
  }
  dns_records_index(&rs);
  return rs;
}

static void test_records(void)
{
  dns_record r;
  berr_t err = {0};
  CHECK(dns_record_parse("{\"names\":[\"web1\",\"alias\"],\"ipv4\":[\"172.18.0.2\"],\"ipv6\":[\"fd00::2\"]}", &r,
                         &err) == 0 &&
            r.valid && r.nnames == 2 && r.n4 == 1 && r.n6 == 1 && !memcmp(r.v4[0], "\xac\x12\0\2", 4),
        "a record file");
  dns_record_free(&r);
  CHECK(dns_record_parse("{\"names\":[\"x\"],\"ipv4\":[\"172.18.0.300\"]}", &r, &err) < 0 && strstr(err.msg, "ipv4"),
        "a bad IPv4 address: refused, named");
  CHECK(dns_record_parse("{\"names\":[\"x\"],\"ipv6\":[\"172.18.0.3\"]}", &r, &err) < 0, "IPv4 in ipv6: refused");
  CHECK(dns_record_parse("{\"names\":[1]}", &r, &err) < 0, "a name that is no string: refused");
  CHECK(dns_record_parse("{\"names\":[\"a..b\"]}", &r, &err) < 0 && strstr(err.msg, "names"),
        "a name that is not a DNS name: refused");
  CHECK(dns_record_parse("{\"names\":\"x\"}", &r, &err) < 0, "names not an array: refused");
  CHECK(dns_record_parse("[]", &r, &err) < 0 && dns_record_parse("{\"names\":[\"x\"]", &r, &err) < 0 &&
            !strstr(err.msg, "config.json"),
        "not an object, not JSON: refused (the message does not name config.json)");
  CHECK(dns_record_parse("{\"names\":[\"x\"],\"future\":{\"a\":1}}", &r, &err) == 0, "unknown keys are ignored");
  dns_record_free(&r);
  char many[8192] = "{\"names\":[";
  for (int k = 0; k < 300; k++) strcat(many, k ? ",\"n\"" : "\"n\"");
  strcat(many, "]}");
  CHECK(dns_record_parse(many, &r, &err) < 0 && strstr(err.msg, "at most"), "over 256 names: refused");

  const char *files[] = {
      "{\"names\":[\"web1\",\"shared\"],\"ipv4\":[\"172.18.0.2\"]}",
      "{\"names\":[\"DB.\",\"shared\"],\"ipv4\":[\"172.18.0.3\"],\"ipv6\":[\"fd00::3\"]}",
      "not json",
  };
  dns_records rs = make(files, 3);
  uint32_t out[8];
  uint8_t w[DNS_NAME_MAX];
  size_t len;
  dns_name_from_text("WEB1", w, &len);
  CHECK(dns_records_find(&rs, w, len, out, 8) == 1 && out[0] == 0, "found without case");
  dns_name_from_text("db", w, &len);
  CHECK(dns_records_find(&rs, w, len, out, 8) == 1 && out[0] == 1, "a name written with a trailing dot");
  dns_name_from_text("shared", w, &len);
  CHECK(dns_records_find(&rs, w, len, out, 8) == 2, "a name in two records: both");
  dns_name_from_text("nope", w, &len);
  CHECK(dns_records_find(&rs, w, len, out, 8) == 0, "an unknown name");
  CHECK(dns_records_find_addr(&rs, 6, (const uint8_t *)"\xfd\0\0\0\0\0\0\0\0\0\0\0\0\0\0\3", out, 8) == 1 &&
            out[0] == 1,
        "found by IPv6 address");
  CHECK(dns_records_find_addr(&rs, 4, (const uint8_t *)"\xfd\0\0\0", out, 8) == 0, "an address of no record");
  CHECK(rs.n == 3 && !rs.recs[2].valid, "a bad file stays as present, unusable");
  CHECK(dns_records_remove(&rs, "c0.json") && !dns_records_remove(&rs, "c0.json"), "removed once");
  dns_records_index(&rs);
  dns_name_from_text("shared", w, &len);
  CHECK(dns_records_find(&rs, w, len, out, 8) == 1, "after removal, one holds the name");
  dns_records_clear(&rs);

  /* a thousand records: each found */
  static char texts[1000][96];
  const char *many_files[1000];
  for (int k = 0; k < 1000; k++) {
    snprintf(texts[k], sizeof texts[k], "{\"names\":[\"c%d\"],\"ipv4\":[\"10.%d.%d.2\"]}", k, k / 256, k % 256);
    many_files[k] = texts[k];
  }
  rs = make(many_files, 1000);
  int found = 0;
  for (int k = 0; k < 1000; k++) {
    char name[16];
    snprintf(name, sizeof name, "C%d", k);
    dns_name_from_text(name, w, &len);
    found += dns_records_find(&rs, w, len, out, 8) == 1 && out[0] == (uint32_t)k;
  }
  CHECK(found == 1000, "1,000 records: each found by its name");
  dns_records_clear(&rs);
}

static uint16_t flags(const uint8_t *m)
{
  return dns_get16(m + 2);
}

static void test_answers(void)
{
  static char texts[100][96];
  const char *files[102] = {
      "{\"names\":[\"web1\",\"alias1\"],\"ipv4\":[\"172.18.0.2\"],\"ipv6\":[\"fd00::2\"]}",
      "{\"names\":[\"v4only\"],\"ipv4\":[\"172.18.0.3\"]}",
  };
  for (int k = 0; k < 100; k++) {
    snprintf(texts[k], sizeof texts[k], "{\"names\":[\"c%d\",\"big\"],\"ipv4\":[\"10.0.%d.2\"]}", k, k);
    files[2 + k] = texts[k];
  }
  dns_records rs = make(files, 102);
  uint8_t m[600], o[DNS_MSG_MAX];
  dns_buf out;
  dns_info q;
  size_t len;

#define ASK(name, type, edns, tcp)                                                                                     \
  (len = query(m, 0xbeef, name, type, edns), out = (dns_buf){.p = o, .cap = sizeof o},                                 \
   dns_answer(&rs, m, len, tcp, &out, &q))

  CHECK(ASK("Web1", DNS_T_A, 0, false) == DNS_ACT_ANSWER, "a name of ours: answered");
  CHECK(dns_get16(o) == 0xbeef && (flags(o) & ~DNS_F_RCODE) == (DNS_F_QR | DNS_F_AA | DNS_F_RD | DNS_F_RA),
        "ID kept; QR, AA, RD (as asked) and RA set");
  CHECK((flags(o) & DNS_F_RCODE) == 0 && dns_get16(o + 4) == 1 && dns_get16(o + 6) == 1, "NOERROR, one answer");
  CHECK(!memcmp(o + 12, "\4Web1", 5), "the question as the client wrote it (case kept)");
  CHECK(!memcmp(o + len, "\xc0\x0c\0\1\0\1\0\0\0\5\0\4\xac\x12\0\2", 16), "the A record, TTL 5");
  CHECK(ASK("alias1.", DNS_T_AAAA, 0, false) == DNS_ACT_ANSWER && dns_get16(o + 6) == 1 &&
            !memcmp(o + len + 12, "\xfd\0", 2),
        "AAAA of an alias");
  CHECK(ASK("v4only", DNS_T_AAAA, 0, false) == DNS_ACT_ANSWER && (flags(o) & DNS_F_RCODE) == DNS_R_NOERROR &&
            dns_get16(o + 6) == 0,
        "AAAA of a name with only IPv4: NOERROR, no answers (not NXDOMAIN)");
  CHECK(ASK("web1", DNS_T_ANY, 0, false) == DNS_ACT_ANSWER && dns_get16(o + 6) == 2, "ANY: A and AAAA");
  CHECK(ASK("web1", 15, 0, false) == DNS_ACT_ANSWER && dns_get16(o + 6) == 0, "MX of a name of ours: no answers");
  CHECK(ASK("example.com", DNS_T_A, 0, false) == DNS_ACT_FORWARD && q.name_len == 13, "another name: forwarded");
  CHECK(ASK("2.0.18.172.in-addr.arpa", DNS_T_PTR, 0, false) == DNS_ACT_ANSWER && dns_get16(o + 6) == 1 &&
            !memcmp(o + len + 10, "\0\6\4web1\0", 8),
        "PTR of an address of ours: the record's first name");
  CHECK(ASK("2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa", DNS_T_PTR, 0, false) ==
            DNS_ACT_ANSWER,
        "PTR of an IPv6 address of ours");
  CHECK(ASK("9.0.18.172.in-addr.arpa", DNS_T_PTR, 0, false) == DNS_ACT_FORWARD, "PTR of another address: forwarded");

  len = query(m, 7, "web1", DNS_T_A, 0);
  dns_put16(m + len - 2, 3); /* class CH */
  out = (dns_buf){.p = o, .cap = sizeof o};
  CHECK(dns_answer(&rs, m, len, false, &out, &q) == DNS_ACT_FORWARD, "class CH: forwarded");

  /* 100 addresses for one name: what fits */
  CHECK(ASK("big", DNS_T_A, 0, false) == DNS_ACT_ANSWER && (flags(o) & DNS_F_TC) && out.len <= 512 &&
            dns_get16(o + 6) == (512 - len) / 16,
        "over UDP without EDNS: 512 bytes, as many as fit, TC set");
  CHECK(ASK("big", DNS_T_A, 1232, false) == DNS_ACT_ANSWER && (flags(o) & DNS_F_TC) && out.len <= 1232 &&
            dns_get16(o + 10) == 1 && o[out.len - 11] == 0 && dns_get16(o + out.len - 10) == DNS_T_OPT,
        "with EDNS 1232: up to 1232 bytes, TC, and an OPT record last");
  CHECK(ASK("big", DNS_T_A, 0, true) == DNS_ACT_ANSWER && !(flags(o) & DNS_F_TC) && dns_get16(o + 6) == 100,
        "over TCP: every record");
  CHECK(ASK("c42", DNS_T_A, 0, false) == DNS_ACT_ANSWER && !memcmp(o + len + 12, "\x0a\0\x2a\2", 4),
        "one of 100 records");

  /* malformed */
  len = query(m, 9, "web1", DNS_T_A, 0);
  out = (dns_buf){.p = o, .cap = sizeof o};
  CHECK(dns_answer(&rs, m, len - 1, false, &out, &q) == DNS_ACT_ANSWER && (flags(o) & DNS_F_RCODE) == DNS_R_FORMERR &&
            dns_get16(o) == 9 && dns_get16(o + 4) == 0 && out.len == DNS_HEADER,
        "a cut query: FORMERR, its ID, no question");
  out = (dns_buf){.p = o, .cap = sizeof o};
  CHECK(dns_answer(&rs, m, 5, false, &out, &q) == DNS_ACT_DROP, "5 bytes: dropped");

  /* error replies */
  len = query(m, 11, "x.example", DNS_T_A, 4096);
  out = (dns_buf){.p = o, .cap = sizeof o};
  dns_answer(&rs, m, len, false, &out, &q);
  out = (dns_buf){.p = o, .cap = 512};
  dns_reply_error(&out, m, &q, DNS_R_SERVFAIL, false);
  CHECK((flags(o) & DNS_F_RCODE) == DNS_R_SERVFAIL && dns_get16(o + 4) == 1 && dns_get16(o + 10) == 1 && out.len == len,
        "SERVFAIL: the question and an OPT record");
  dns_reply_error(&out, m, &q, DNS_R_NOERROR, true);
  CHECK((flags(o) & DNS_F_TC) && dns_get16(o + 6) == 0, "a truncated stub: TC, no answers");
  CHECK(dns_reply_limit(&q, false, 65535) == 4096 && dns_reply_limit(&q, true, 65535) == 65535 &&
            dns_reply_limit(&q, false, 1000) == 1000,
        "reply limits");
  dns_records_clear(&rs);
}

static void test_addrs(void)
{
  dns_addr a;
  berr_t err = {0};
  char text[80];
  CHECK(dns_addr_parse("172.18.0.1", 53, &a, &err) == 0 && !strcmp(dns_addr_text(&a, text), "172.18.0.1:53"),
        "IPv4, default port");
  CHECK(dns_addr_parse("127.0.0.1:5353", 53, &a, &err) == 0 && !strcmp(dns_addr_text(&a, text), "127.0.0.1:5353"),
        "IPv4:PORT");
  CHECK(dns_addr_parse("fd00::1", 53, &a, &err) == 0 && !strcmp(dns_addr_text(&a, text), "[fd00::1]:53"), "bare IPv6");
  CHECK(dns_addr_parse("[::1]:5300", 53, &a, &err) == 0 && !strcmp(dns_addr_text(&a, text), "[::1]:5300"),
        "[IPv6]:PORT");
  CHECK(dns_addr_parse("1.2.3.4:0", 53, &a, &err) < 0 && dns_addr_parse("1.2.3.4:65536", 53, &a, &err) < 0 &&
            dns_addr_parse("1.2.3.4:x", 53, &a, &err) < 0,
        "bad ports: refused");
  CHECK(dns_addr_parse("web1", 53, &a, &err) < 0 && strstr(err.msg, "web1"), "not an address: refused, named");
  CHECK(dns_addr_parse("[::1", 53, &a, &err) < 0 && dns_addr_parse("1.2.3", 53, &a, &err) < 0, "malformed: refused");
  dns_addr b;
  dns_addr_parse("127.0.0.1", 53, &a, &err);
  dns_addr_parse("127.0.0.1:53", 53, &b, &err);
  CHECK(dns_addr_eq(&a, &b), "equal addresses");

  char path[] = "/tmp/berth-dns-unit-XXXXXX";
  int fd = mkstemp(path);
  const char *conf = "# comment\nsearch example.com\nnameserver 10.0.0.1\nnameserver ::1\n  nameserver   "
                     "127.0.0.53  \nnameserver bogus\noptions ndots:1\n";
  CHECK(fd >= 0 && write(fd, conf, strlen(conf)) == (ssize_t)strlen(conf), "a resolv.conf written");
  close(fd);
  dns_addr ns[8];
  int count = dns_resolv_conf(path, ns, 8, &err);
  CHECK(count == 3 && !strcmp(dns_addr_text(&ns[0], text), "10.0.0.1:53") &&
            !strcmp(dns_addr_text(&ns[1], text), "[::1]:53") && !strcmp(dns_addr_text(&ns[2], text), "127.0.0.53:53"),
        "resolv.conf: its nameservers, in order, bad ones left out");
  CHECK(dns_resolv_conf(path, ns, 2, &err) == 2, "resolv.conf: at most max");
  unlink(path);
  CHECK(dns_resolv_conf(path, ns, 8, &err) < 0 && strstr(err.msg, path), "a missing resolv.conf: the error names it");
}

int main(void)
{
  test_parse();
  test_names();
  test_records();
  test_answers();
  test_addrs();
  printf("1..%d\n", n);
  return failed ? 1 : 0;
}
