#include "wire.h"

#include <string.h>

static inline uint8_t lower(uint8_t c)
{
  return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* Pointers jumped while reading one name: each must point before itself, and the name holds at
 * most DNS_NAME_MAX bytes, so reading ends whatever the message; this bounds the work as well. */
#define MAX_POINTERS 16

long dns_read_name(const uint8_t *msg, size_t len, size_t off, uint8_t out[DNS_NAME_MAX], size_t *out_len)
{
  size_t n = 0, pos = off, end = 0;
  int jumps = 0;
  for (;;) {
    if (pos >= len) return -1;
    uint8_t l = msg[pos];
    if ((l & 0xc0) == 0xc0) {
      if (pos + 1 >= len) return -1;
      size_t to = (size_t)(l & 0x3f) << 8 | msg[pos + 1];
      if (to >= pos || ++jumps > MAX_POINTERS) return -1;
      if (jumps == 1) end = pos + 2;
      pos = to;
      continue;
    }
    if (l & 0xc0) return -1; /* 0x40 and 0x80: extended and reserved label types */
    if (n + 1 + l > DNS_NAME_MAX || pos + 1 + l > len) return -1;
    out[n++] = l;
    if (l == 0) {
      if (!jumps) end = pos + 1;
      break;
    }
    for (size_t k = 0; k < l; k++) out[n++] = lower(msg[pos + 1 + k]);
    pos += 1 + (size_t)l;
  }
  *out_len = n;
  return (long)end;
}

int dns_parse(const uint8_t *msg, size_t len, bool response, dns_info *q)
{
  memset(q, 0, sizeof *q);
  q->question_end = DNS_HEADER;
  q->edns_size = DNS_UDP_MIN;
  if (len < DNS_HEADER) return DNS_DROP;
  q->id = dns_get16(msg);
  q->flags = dns_get16(msg + 2);
  q->qdcount = dns_get16(msg + 4);
  q->ancount = dns_get16(msg + 6);
  q->nscount = dns_get16(msg + 8);
  q->arcount = dns_get16(msg + 10);
  if (!(q->flags & DNS_F_QR) != !response) return DNS_DROP;
  if (!response && (q->flags & DNS_F_OPCODE)) return DNS_NOTIMP;
  if (q->qdcount != 1) return response && q->qdcount == 0 ? DNS_OK : DNS_FORMERR;
  long off = dns_read_name(msg, len, DNS_HEADER, q->name, &q->name_len);
  /* a query's question must not be compressed (there is nothing before it to point to; and the
   * reply copies it as it came) */
  if (off < 0 || (size_t)off + 4 > len || (!response && (size_t)off - DNS_HEADER != q->name_len)) {
    q->name_len = 0;
    return DNS_FORMERR;
  }
  q->qtype = dns_get16(msg + off);
  q->qclass = dns_get16(msg + off + 2);
  q->question_end = (size_t)off + 4;
  if (response) return DNS_OK;
  /* the other sections, for the OPT record: each RR takes at least 11 bytes, so this ends */
  size_t pos = q->question_end;
  unsigned before_additional = (unsigned)q->ancount + q->nscount, total = before_additional + q->arcount;
  for (unsigned k = 0; k < total; k++) {
    uint8_t name[DNS_NAME_MAX];
    size_t name_len;
    long e = dns_read_name(msg, len, pos, name, &name_len);
    if (e < 0 || (size_t)e + 10 > len) return DNS_FORMERR;
    uint16_t type = dns_get16(msg + e), rdlen = dns_get16(msg + e + 8);
    if ((size_t)e + 10 + rdlen > len) return DNS_FORMERR;
    if (k >= before_additional && type == DNS_T_OPT) {
      if (q->edns || name_len != 1) return DNS_FORMERR; /* one OPT, owned by the root (RFC 6891) */
      uint16_t size = dns_get16(msg + e + 2);
      q->edns = true;
      q->edns_size = size < DNS_UDP_MIN ? DNS_UDP_MIN : size;
    }
    pos = (size_t)e + 10 + rdlen;
  }
  return DNS_OK;
}

int dns_name_from_text(const char *text, uint8_t out[DNS_NAME_MAX], size_t *out_len)
{
  size_t n = 0;
  const char *s = text;
  if (!*s) return -1;
  while (*s) {
    size_t l = 0;
    while (s[l] && s[l] != '.') l++;
    if (l == 0 || l > DNS_LABEL_MAX || n + 1 + l + 1 > DNS_NAME_MAX) return -1;
    out[n++] = (uint8_t)l;
    for (size_t k = 0; k < l; k++) {
      unsigned char c = (unsigned char)s[k];
      if (c < 0x21 || c > 0x7e) return -1;
      out[n++] = c;
    }
    s += l;
    if (*s == '.') s++;
  }
  out[n++] = 0;
  *out_len = n;
  return 0;
}

bool dns_name_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
  if (alen != blen) return false;
  for (size_t k = 0; k < alen; k++)
    if (lower(a[k]) != lower(b[k])) return false;
  return true;
}

static bool label_is(const uint8_t *label, const char *word)
{
  size_t l = strlen(word);
  return label[0] == l && !memcmp(label + 1, word, l);
}

int dns_reverse_addr(const uint8_t *name, size_t len, uint8_t addr[16])
{
  const uint8_t *labels[36];
  size_t count = 0, pos = 0;
  while (pos < len && name[pos]) {
    if (count == 36) return 0;
    labels[count++] = name + pos;
    pos += 1 + (size_t)name[pos];
  }
  memset(addr, 0, 16);
  if (count == 6 && label_is(labels[4], "in-addr") && label_is(labels[5], "arpa")) {
    for (int k = 0; k < 4; k++) {
      const uint8_t *l = labels[k];
      if (l[0] < 1 || l[0] > 3) return 0;
      unsigned v = 0;
      for (int d = 1; d <= l[0]; d++) {
        if (l[d] < '0' || l[d] > '9') return 0;
        v = v * 10 + (unsigned)(l[d] - '0');
      }
      if (v > 255) return 0;
      addr[3 - k] = (uint8_t)v;
    }
    return 4;
  }
  if (count == 34 && label_is(labels[32], "ip6") && label_is(labels[33], "arpa")) {
    for (int k = 0; k < 32; k++) {
      const uint8_t *l = labels[k];
      if (l[0] != 1) return 0;
      unsigned v;
      if (l[1] >= '0' && l[1] <= '9')
        v = (unsigned)(l[1] - '0');
      else if (l[1] >= 'a' && l[1] <= 'f')
        v = (unsigned)(l[1] - 'a' + 10);
      else
        return 0;
      addr[15 - k / 2] |= (uint8_t)(v << (4 * (k % 2)));
    }
    return 6;
  }
  return 0;
}

void dns_reply_begin(dns_buf *b, const uint8_t *msg, const dns_info *q, uint16_t flags, int rcode)
{
  uint8_t *p = b->p;
  b->full = false;
  dns_put16(p, q->id);
  dns_put16(p + 2, (uint16_t)(DNS_F_QR | (q->flags & (DNS_F_OPCODE | DNS_F_RD)) | DNS_F_RA | flags | (rcode & 0xf)));
  dns_put16(p + 4, q->name_len ? 1 : 0);
  memset(p + 6, 0, 6);
  b->len = DNS_HEADER;
  if (q->name_len) {
    size_t n = q->question_end - DNS_HEADER;
    memcpy(p + DNS_HEADER, msg + DNS_HEADER, n);
    b->len += n;
  }
}

bool dns_reply_add(dns_buf *b, uint16_t type, uint32_t ttl, const uint8_t *rdata, uint16_t rdlen, size_t reserve)
{
  size_t need = 12 + (size_t)rdlen;
  if (b->len + need + reserve > b->cap) {
    b->full = true;
    return false;
  }
  uint8_t *p = b->p + b->len;
  p[0] = 0xc0; /* the question's name, at offset 12 */
  p[1] = DNS_HEADER;
  dns_put16(p + 2, type);
  dns_put16(p + 4, DNS_C_IN);
  dns_put16(p + 6, (uint16_t)(ttl >> 16));
  dns_put16(p + 8, (uint16_t)ttl);
  dns_put16(p + 10, rdlen);
  memcpy(p + 12, rdata, rdlen);
  b->len += need;
  dns_put16(b->p + 6, (uint16_t)(dns_get16(b->p + 6) + 1));
  return true;
}

void dns_reply_opt(dns_buf *b)
{
  if (b->len + 11 > b->cap) return;
  uint8_t *p = b->p + b->len;
  p[0] = 0; /* the root */
  dns_put16(p + 1, DNS_T_OPT);
  dns_put16(p + 3, DNS_EDNS_SIZE);
  memset(p + 5, 0, 6); /* extended rcode, version 0, no flags, no options */
  b->len += 11;
  dns_put16(b->p + 10, (uint16_t)(dns_get16(b->p + 10) + 1));
}

void dns_reply_set_tc(dns_buf *b)
{
  dns_put16(b->p + 2, dns_get16(b->p + 2) | DNS_F_TC);
}

void dns_reply_error(dns_buf *b, const uint8_t *msg, const dns_info *q, int rcode, bool tc)
{
  dns_reply_begin(b, msg, q, tc ? DNS_F_TC : 0, rcode);
  if (q->edns) dns_reply_opt(b);
}
