#include "answer.h"

size_t dns_reply_limit(const dns_info *q, bool tcp, size_t cap)
{
  size_t limit = tcp ? DNS_MSG_MAX : q->edns_size;
  if (!tcp && limit > DNS_UDP_MAX) limit = DNS_UDP_MAX;
  if (!tcp && limit < DNS_UDP_MIN) limit = DNS_UDP_MIN;
  return limit < cap ? limit : cap;
}

static dns_action answer_names(const dns_records *rs, const uint8_t *msg, const dns_info *q, dns_buf *out)
{
  uint32_t recs[DNS_MAX_MATCH];
  size_t n = dns_records_find(rs, q->name, q->name_len, recs, DNS_MAX_MATCH);
  if (!n) return DNS_ACT_FORWARD;
  /* a name of ours: its addresses of the family asked for; none (NOERROR, no answers) for the
   * other family or another type, never NXDOMAIN */
  size_t reserve = q->edns ? 11 : 0;
  bool a = q->qtype == DNS_T_A || q->qtype == DNS_T_ANY, aaaa = q->qtype == DNS_T_AAAA || q->qtype == DNS_T_ANY;
  dns_reply_begin(out, msg, q, DNS_F_AA, DNS_R_NOERROR);
  for (size_t k = 0; k < n && !out->full; k++) {
    const dns_record *r = &rs->recs[recs[k]];
    for (size_t i = 0; a && i < r->n4 && !out->full; i++) dns_reply_add(out, DNS_T_A, DNS_TTL, r->v4[i], 4, reserve);
    for (size_t i = 0; aaaa && i < r->n6 && !out->full; i++)
      dns_reply_add(out, DNS_T_AAAA, DNS_TTL, r->v6[i], 16, reserve);
  }
  if (out->full) dns_reply_set_tc(out);
  if (q->edns) dns_reply_opt(out);
  return DNS_ACT_ANSWER;
}

static dns_action answer_reverse(const dns_records *rs, const uint8_t *msg, const dns_info *q, dns_buf *out)
{
  uint8_t addr[16];
  int family = dns_reverse_addr(q->name, q->name_len, addr);
  if (!family) return DNS_ACT_FORWARD;
  uint32_t recs[DNS_MAX_MATCH];
  size_t n = dns_records_find_addr(rs, family, addr, recs, DNS_MAX_MATCH), named = 0;
  for (size_t k = 0; k < n; k++) named += rs->recs[recs[k]].nnames > 0;
  if (!named) return DNS_ACT_FORWARD;
  size_t reserve = q->edns ? 11 : 0;
  dns_reply_begin(out, msg, q, DNS_F_AA, DNS_R_NOERROR);
  for (size_t k = 0; k < n && !out->full; k++) {
    const dns_record *r = &rs->recs[recs[k]];
    /* the record's first name: the container's name */
    if (r->nnames) dns_reply_add(out, DNS_T_PTR, DNS_TTL, r->names[0], r->name_lens[0], reserve);
  }
  if (out->full) dns_reply_set_tc(out);
  if (q->edns) dns_reply_opt(out);
  return DNS_ACT_ANSWER;
}

dns_action dns_answer(const dns_records *rs, const uint8_t *msg, size_t len, bool tcp, dns_buf *out, dns_info *q)
{
  int r = dns_parse(msg, len, false, q);
  if (r == DNS_DROP) return DNS_ACT_DROP;
  out->cap = dns_reply_limit(q, tcp, out->cap);
  if (r == DNS_FORMERR || r == DNS_NOTIMP) {
    dns_reply_error(out, msg, q, r == DNS_FORMERR ? DNS_R_FORMERR : DNS_R_NOTIMP, false);
    return DNS_ACT_ANSWER;
  }
  if (q->qclass != DNS_C_IN && q->qclass != DNS_C_ANY) return DNS_ACT_FORWARD;
  if (q->qtype == DNS_T_PTR) return answer_reverse(rs, msg, q, out);
  return answer_names(rs, msg, q, out);
}
