/* What berth-dns does with one query: answer it from the records, forward it, or drop it. Pure:
 * bytes in, bytes out (the fuzz target and the unit tests call it as the server does). */
#ifndef BERTH_DNS_ANSWER_H
#define BERTH_DNS_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include "records.h"
#include "wire.h"

#define DNS_TTL       5   /* seconds: short, so that answers stay current as containers come and go */
#define DNS_MAX_MATCH 256 /* records answered for one name */

typedef enum { DNS_ACT_DROP, DNS_ACT_ANSWER, DNS_ACT_FORWARD } dns_action;

/* The most a reply to q may hold: a UDP client's EDNS size (at least 512, at most DNS_UDP_MAX), or
 * a TCP message; never more than cap. */
size_t dns_reply_limit(const dns_info *q, bool tcp, size_t cap);

/* Read the query msg (into q) and decide. DNS_ACT_ANSWER: the reply is in out (out->cap is the room
 * at out->p, lowered to what the client takes; TC set when the records did not all fit).
 * DNS_ACT_FORWARD: q holds the question, for matching the upstream's reply. */
dns_action dns_answer(const dns_records *rs, const uint8_t *msg, size_t len, bool tcp, dns_buf *out, dns_info *q);

#endif
