/* DNS wire format (RFC 1035, RFC 6891 for OPT) as berth-dns needs it: messages read defensively
 * (every length checked, compression pointers bounded) and answers written into bounded buffers. */
#ifndef BERTH_DNS_WIRE_H
#define BERTH_DNS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_HEADER    12
#define DNS_NAME_MAX  255 /* a name's wire length, the root label included */
#define DNS_LABEL_MAX 63
#define DNS_UDP_MIN   512   /* what every client takes over UDP */
#define DNS_UDP_MAX   4096  /* the most berth-dns sends over UDP, whatever EDNS size a client offers */
#define DNS_EDNS_SIZE 1232  /* the UDP payload size berth-dns offers in its own OPT records */
#define DNS_MSG_MAX   65535 /* a message over TCP */

enum { DNS_T_A = 1, DNS_T_PTR = 12, DNS_T_AAAA = 28, DNS_T_OPT = 41, DNS_T_ANY = 255 };
enum { DNS_C_IN = 1, DNS_C_ANY = 255 };
enum {
  DNS_R_NOERROR = 0,
  DNS_R_FORMERR = 1,
  DNS_R_SERVFAIL = 2,
  DNS_R_NXDOMAIN = 3,
  DNS_R_NOTIMP = 4,
  DNS_R_REFUSED = 5
};

#define DNS_F_QR     0x8000
#define DNS_F_OPCODE 0x7800
#define DNS_F_AA     0x0400
#define DNS_F_TC     0x0200
#define DNS_F_RD     0x0100
#define DNS_F_RA     0x0080
#define DNS_F_RCODE  0x000f

/* What dns_parse read of a message. */
typedef struct {
  uint16_t id, flags, qdcount, ancount, nscount, arcount;
  uint16_t qtype, qclass;
  uint8_t name[DNS_NAME_MAX]; /* the question's name: uncompressed wire form, ASCII lower case */
  size_t name_len;            /* 0 when there is no question */
  size_t question_end;        /* offset just past the question (DNS_HEADER when there is none) */
  bool edns;                  /* the query has an OPT record */
  uint16_t edns_size;         /* its UDP payload size (at least DNS_UDP_MIN) */
} dns_info;

/* dns_parse's results */
#define DNS_OK      0
#define DNS_DROP    (-1) /* not a header, or the wrong direction (a response where a query belongs): no reply */
#define DNS_FORMERR (-2) /* a header but a malformed rest: reply FORMERR */
#define DNS_NOTIMP  (-3) /* a query with an opcode other than QUERY: reply NOTIMP */

/* Read a query (response false: header, the one question, OPT in the additional section) or a
 * response's header and question (response true). Never reads outside msg[0, len). */
int dns_parse(const uint8_t *msg, size_t len, bool response, dns_info *info);

/* Read the name at off into out (uncompressed wire form, lower case, at most DNS_NAME_MAX bytes).
 * Returns the offset just past the name where it sits (a pointer ends it), or -1 if malformed. */
long dns_read_name(const uint8_t *msg, size_t len, size_t off, uint8_t out[DNS_NAME_MAX], size_t *out_len);

/* A name in presentation form ("web1", "web1.net.", case kept) to wire form; -1 if it is not a
 * valid name (an empty or over-long label, a byte that is not printable ASCII, too long). */
int dns_name_from_text(const char *text, uint8_t out[DNS_NAME_MAX], size_t *out_len);

/* Do two wire-form names match, ASCII case ignored? */
bool dns_name_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* The address in a reverse name (wire form, lower case): 4.3.2.1.in-addr.arpa (family 4) or the 32
 * nibbles of ip6.arpa (family 6); returns the family, or 0 when the name is no full address. */
int dns_reverse_addr(const uint8_t *name, size_t len, uint8_t addr[16]);

/* An answer being written: at most cap bytes at p. */
typedef struct {
  uint8_t *p;
  size_t len, cap;
  bool full; /* an RR did not fit (the caller sets TC) */
} dns_buf;

/* Start a reply to the query q (read from msg): its ID, opcode and RD, QR and RA set, flags added,
 * the rcode; the question copied as the client sent it (case kept) when q has one. cap must hold
 * the header and question (DNS_UDP_MIN always does). */
void dns_reply_begin(dns_buf *b, const uint8_t *msg, const dns_info *q, uint16_t flags, int rcode);
/* Add an answer RR whose owner is the question's name (a pointer to offset 12); false if it did not fit
 * into cap - reserve bytes (then full is set and nothing is added). */
bool dns_reply_add(dns_buf *b, uint16_t type, uint32_t ttl, const uint8_t *rdata, uint16_t rdlen, size_t reserve);
/* Add an OPT record offering DNS_EDNS_SIZE (11 bytes, reserved by callers of dns_reply_add). */
void dns_reply_opt(dns_buf *b);
void dns_reply_set_tc(dns_buf *b);

/* A complete error reply (SERVFAIL, or a stub with TC set: header, question and OPT): into b. */
void dns_reply_error(dns_buf *b, const uint8_t *msg, const dns_info *q, int rcode, bool tc);

static inline uint16_t dns_get16(const uint8_t *p)
{
  return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void dns_put16(uint8_t *p, uint16_t v)
{
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

#endif
