/*
 * The consent HTTPS API's pure half (docs/consent.md, "HTTPS API"): which
 * endpoint a method and path name, who a bearer token is and what its
 * role may do, and the strict parsing of request bodies. Everything here
 * works on bytes and returns a verdict, so it is unit-tested without a
 * socket; src/daemon_consent_api.c serves it over libmicrohttpd.
 *
 * Tokens are never stored: the token file holds each token's SHA-256, the
 * presented token is hashed and compared with every entry in constant
 * time (CRYPTO_memcmp, no early exit), so neither the file nor the timing
 * gives a token away.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <osmocom/core/rate_ctr.h>

#include "mediation/consent/consent_parse.h"
#include "mediation/consent/consent_record.h"

#define SL_CAPI_BODY_MAX 32768	/* request body bytes; a larger body is refused (413) */
#define SL_CAPI_TOKEN_MAX 256	/* bytes of a bearer token */
#define SL_CAPI_TOKENS_MAX 1024 /* entries in a token file */

enum sl_capi_route {
	SL_CAPI_GRANT,	  /* POST /v1/consents */
	SL_CAPI_WITHDRAW, /* POST /v1/consents/{id}/withdraw */
	SL_CAPI_LIST,	  /* GET /v1/subjects/{subject}/consents */
	SL_CAPI_REPORT,	  /* GET /v1/subjects/{subject}/report */
	_SL_CAPI_ROUTE_COUNT
};
extern const char *const sl_capi_route_names[_SL_CAPI_ROUTE_COUNT]; /* grant, withdraw, list, report */

struct sl_capi_req {
	enum sl_capi_route route;
	char id[SL_CONSENT_ID_MAX + 1];	   /* WITHDRAW */
	struct sl_consent_subject subject; /* LIST, REPORT */
	const char *allow;		   /* the methods the path allows (for 405) */
};

/*
 * Resolves method and (decoded) path. 0; -ENOENT no such path (404);
 * -EOPNOTSUPP the path exists, not with this method (405, req->allow
 * set); -EINVAL the path's id or subject is malformed (400, *field set).
 */
int sl_capi_route(const char *method, const char *path, struct sl_capi_req *req, const char **field);

enum sl_capi_role {
	SL_CAPI_ROLE_SELFCARE, /* the operator's self-care app, acting for the subscriber it authenticated */
	SL_CAPI_ROLE_PARTNER,  /* a recipient's partner portal: lists, of its own recipient's records only */
	SL_CAPI_ROLE_ADMIN,    /* operator tooling: everything */
	_SL_CAPI_ROLE_COUNT
};
extern const char *const sl_capi_role_names[_SL_CAPI_ROLE_COUNT];

struct sl_capi_token {
	char name[SL_CONSENT_NAME_MAX + 1];	 /* audit actor id */
	enum sl_capi_role role;
	char recipient[SL_CONSENT_NAME_MAX + 1]; /* PARTNER only */
	uint8_t sha256[32];
};

struct sl_capi_tokens {
	struct sl_capi_token *t; /* talloc array */
	unsigned n;
};

/*
 * Parses a token file (docs/consent.md, "Tokens"): lines
 * "NAME ROLE sha256:HEX", ROLE selfcare, admin or partner:RECIPIENT;
 * blank lines and lines starting with '#' skipped. Result a talloc child
 * of ctx. 0, or -EINVAL with *err (talloc on ctx) naming the line.
 */
int sl_capi_tokens_parse(void *ctx, const char *buf, size_t len, struct sl_capi_tokens **out, char **err);
/* The entry whose hash is SHA-256 of the bearer token in an Authorization header value, or NULL. */
const struct sl_capi_token *sl_capi_tokens_find(const struct sl_capi_tokens *tk, const char *authorization);
/* Whether role may call route at all (a partner's list is further limited to its recipient). */
bool sl_capi_allowed(enum sl_capi_role role, enum sl_capi_route route);

/*
 * A grant body: a record in the record format in which "id" and "status"
 * may be left out (status, if given, must be dpv:ConsentGiven; the id is
 * then new_id) and "history" is refused (the registry writes it).
 * "valid_until" must be after now_us. 0; -EFBIG over SL_CAPI_BODY_MAX;
 * -EINVAL with *err naming the field. out->history is a talloc child of
 * ctx.
 */
int sl_capi_parse_grant(void *ctx, const char *buf, size_t len, const char *new_id, int64_t now_us,
			struct sl_consent_record *out, struct sl_consent_perr *err);
/* A withdraw body: empty, or the empty object {}. 0, -EFBIG, -EINVAL with *err. */
int sl_capi_parse_withdraw(const char *buf, size_t len, struct sl_consent_perr *err);

/* The consent_api counter group: answers by outcome (consent_api_counters.c; docs/counters.md). */
enum sl_capi_ctr {
	SL_CAPI_CTR_OK,			/* 200, 201 */
	SL_CAPI_CTR_BAD_REQUEST,	/* 400 */
	SL_CAPI_CTR_UNAUTHORIZED,	/* 401 */
	SL_CAPI_CTR_FORBIDDEN,		/* 403 */
	SL_CAPI_CTR_NOT_FOUND,		/* 404 */
	SL_CAPI_CTR_METHOD,		/* 405 */
	SL_CAPI_CTR_CONFLICT,		/* 409 */
	SL_CAPI_CTR_TOO_LARGE,		/* 413 */
	SL_CAPI_CTR_UNAVAILABLE,	/* 503, and any other status */
	SL_CAPI_CTR_CHANGES,		/* consent changes committed (grants, withdrawals) */
	_SL_CAPI_CTR_COUNT
};
extern const struct rate_ctr_group_desc sl_capi_ctrg_desc;
/* The counter an HTTP status is counted under. */
enum sl_capi_ctr sl_capi_ctr_for_status(unsigned status);
