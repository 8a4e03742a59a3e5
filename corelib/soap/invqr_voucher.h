/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - PDND vouchers: the OAuth bearer JWT that PDND Interoperabilità
 * issues to a consumer for one e-service, checked by the provider.
 *
 * A voucher is a compact JWS (RFC 7515) signed RS256 by one of PDND's keys,
 * which the deployment keeps in a JWKS file (RFC 7517) named in invqr.conf.
 * invqr_voucher_check() reads it with its own strict parser - at most
 * INVQR_VOUCHER_MAX_LEN bytes, exactly three base64url parts without
 * padding, canonical encoding, JSON objects without duplicate members -
 * and checks, in this order: the header (alg RS256 and nothing else, typ
 * at+jwt, a kid, no crit); the signature, with the key the kid names in
 * the JWKS and never a key the token carries; then the claims: iss and aud
 * equal to the configured ones (aud may be a list that holds ours), exp,
 * nbf and iat with INVQR_VOUCHER_SKEW seconds of clock skew and a lifetime
 * of at most INVQR_VOUCHER_MAX_LIFE, and the jti, purposeId and client_id
 * that the caller then looks up (the purpose names the organisation; the
 * jti is remembered in the store). No claim is read before the signature
 * holds.
 *
 * OpenSSL (RSA) and jansson (JSON) only; linked into the workers and
 * invqr-admin, never into mod_invqr. No global state: the key set is read
 * once and may then be shared by threads.
 */
#ifndef INVQR_VOUCHER_H
#define INVQR_VOUCHER_H

#include <stddef.h>
#include <time.h>

#include <apr_errno.h>

#define INVQR_VOUCHER_MAX_LEN   8192    /* bytes of the compact JWS */
#define INVQR_VOUCHER_SKEW      60      /* seconds of clock skew, both ways */
#define INVQR_VOUCHER_MAX_LIFE  86400   /* exp - iat at most */
#define INVQR_VOUCHER_ID_MAX    128     /* bytes of jti, purposeId, client_id */
#define INVQR_VOUCHER_JWKS_MAX  (256 * 1024)  /* bytes of the JWKS file */
#define INVQR_VOUCHER_MAX_KEYS  64

typedef struct invqr_voucher_keys_s invqr_voucher_keys_t;

/* What a good voucher says (NUL-terminated printable ASCII). */
typedef struct {
    char jti[INVQR_VOUCHER_ID_MAX + 1];
    char purpose_id[INVQR_VOUCHER_ID_MAX + 1];
    char client_id[INVQR_VOUCHER_ID_MAX + 1];
    char kid[INVQR_VOUCHER_ID_MAX + 1];
    long long iat, nbf, exp;            /* UTC seconds */
} invqr_voucher_t;

/**
 * Parse a JWKS document: its RSA signing keys (kty RSA, use sig or absent,
 * alg RS256 or absent, a kid, a modulus of 2048 to 8192 bits); other keys
 * are skipped. 0 with *pout (malloc, invqr_voucher_keys_free), or -1 with a
 * static reason: not JSON, a kid twice, no usable key, too many keys.
 */
int invqr_voucher_keys_parse(invqr_voucher_keys_t **pout, const char **preason,
                             const char *json, size_t len);

/** Read a JWKS file (at most INVQR_VOUCHER_JWKS_MAX bytes). 0, or -1
 * (logged, INVQR0033). */
int invqr_voucher_keys_load(invqr_voucher_keys_t **pout, const char *path);

/** How many usable keys the set holds. */
size_t invqr_voucher_keys_count(const invqr_voucher_keys_t *keys);

void invqr_voucher_keys_free(invqr_voucher_keys_t *keys);

/**
 * Check token[0..len) as a voucher for audience from issuer at now.
 * APR_SUCCESS with *v filled; APR_EINVAL with a static English reason
 * (never quoting the token); APR_ENOMEM.
 */
apr_status_t invqr_voucher_check(invqr_voucher_t *v, const char **preason, const char *token,
                                 size_t len, const invqr_voucher_keys_t *keys, const char *issuer,
                                 const char *audience, time_t now);

/**
 * The claims step alone, on a payload already decoded (for the unit tests
 * and the fuzz target: a random payload never carries a good signature).
 * Same results as invqr_voucher_check().
 */
apr_status_t invqr_voucher_claims(invqr_voucher_t *v, const char **preason,
                                  const char *json, size_t len, const char *issuer,
                                  const char *audience, time_t now);

/**
 * Decode base64url without padding, strictly (canonical trailing bits).
 * Returns the number of bytes written to out (at most out_size), or -1.
 */
long invqr_voucher_b64url(unsigned char *out, size_t out_size, const char *in, size_t len);

#endif
