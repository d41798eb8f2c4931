/*
 * A memo of SIP/tel URI normalisations.
 *
 * Every SIP message names its parties by URI (From, To, P-Asserted-Identity,
 * the Request-URI), and the messages of one dialog name the same parties
 * again and again. Turning a URI into identities (sl_party_add_uri: parse,
 * lower the host, qualify the number, recognise an IMSI) cost more than
 * parsing the message itself, so the identities a URI yields are kept in a
 * small direct-mapped table keyed by the URI's exact bytes, and a repeated
 * URI replays them. The table has a fixed number of slots (its memory does
 * not grow with the traffic); a URI landing on a taken slot replaces it.
 * Replaying gives the same party as calling sl_party_add_uri: the same
 * identities are offered to sl_party_add in the same order.
 */
#pragma once

#include "capture/identity.h"
#include "capture/str.h"

struct sl_uri_memo;

/* A memo owned by ctx; NULL when out of memory. */
struct sl_uri_memo *sl_uri_memo_alloc(void *ctx);

/*
 * sl_party_add_uri(p, n, uri), remembered. Every call on one memo must pass
 * the same numbering rules (a capture's are fixed when it is allocated).
 */
void sl_uri_memo_add(struct sl_uri_memo *memo, struct sl_party *p, const struct sl_numbering *n, struct sl_str uri);
