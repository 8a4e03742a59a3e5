/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - WS-Security UsernameToken (OASIS WSS 1.0, UsernameToken Profile 1.0).
 *
 * Reads the wsse:UsernameToken of a wsse:Security header block into a plain
 * struct: the username, the password as sent (PasswordText) or its digest
 * (PasswordDigest), the nonce decoded from Base64, and wsu:Created both as
 * sent and as UTC seconds. Checks a PasswordDigest against a clear-text
 * password - Base64(SHA-1(nonce + created + password)), compared in constant
 * time - and the freshness of Created. Remembering nonces to refuse replays
 * is the caller's job (the store); this file only exposes the nonce bytes.
 * Pure: no I/O, no global state; everything it returns lives in the pool
 * passed in.
 */
#ifndef INVQR_WSSEC_H
#define INVQR_WSSEC_H

#include <time.h>

#include <apr_errno.h>
#include <apr_pools.h>

struct _xmlNode;

#define INVQR_WSSE_NS \
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
#define INVQR_WSU_NS \
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
#define INVQR_WSSE_PASSWORD_TEXT                                                    \
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-" \
    "1.0#PasswordText"
#define INVQR_WSSE_PASSWORD_DIGEST                                                  \
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-" \
    "1.0#PasswordDigest"
#define INVQR_WSSE_BASE64                                                           \
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-" \
    "1.0#Base64Binary"

#define INVQR_WSSEC_USERNAME_MAX 128   /* bytes */
#define INVQR_WSSEC_PASSWORD_MAX 256   /* bytes, as INVQR_PASSWORD_MAX */
#define INVQR_WSSEC_NONCE_MAX    64    /* decoded bytes */
#define INVQR_WSSEC_CREATED_MAX  64    /* bytes of the xs:dateTime text */
#define INVQR_WSSEC_DIGEST_LEN   28    /* Base64 of 20 bytes of SHA-1 */
#define INVQR_WSSEC_FUTURE_SKEW  60    /* seconds Created may be ahead of now */
#define INVQR_WSSEC_DEFAULT_SKEW 300   /* a sensible max_skew_seconds */

typedef enum {
    INVQR_WSSEC_PASSWORD_NONE = 0,     /* no wsse:Password element */
    INVQR_WSSEC_PASSWORD_TEXT,         /* #PasswordText (also when Type is absent) */
    INVQR_WSSEC_PASSWORD_DIGEST        /* #PasswordDigest */
} invqr_wssec_pwtype_t;

typedef struct {
    const char *username;              /* never NULL nor "" */
    invqr_wssec_pwtype_t password_type;
    const char *password;              /* as sent (the Base64 digest for DIGEST); NULL if none */
    apr_size_t password_len;
    const unsigned char *nonce;        /* decoded bytes, NULL when absent */
    apr_size_t nonce_len;              /* 1..INVQR_WSSEC_NONCE_MAX, 0 when absent */
    const char *created;               /* wsu:Created exactly as sent, NULL when absent */
    time_t created_time;               /* Created in UTC seconds; 0 when absent */
} invqr_wssec_token_t;

/**
 * Read the UsernameToken of the wsse:Security element security (the caller
 * has checked its name and that it is meant for us). Other children of the
 * Security element (wsu:Timestamp, ...) are ignored; so are children of the
 * UsernameToken outside the wsse/wsu namespaces.
 *
 * Returns APR_SUCCESS with *pout the token allocated from p, or with *pout
 * NULL when the header carries no UsernameToken. Returns APR_EINVAL with a
 * static English reason in *preason (never quoting the input) when the token
 * is malformed: more than one UsernameToken, a missing, empty, repeated or
 * over-long Username, a repeated Password, Nonce or Created, a Password Type
 * or Nonce EncodingType it does not know, a Nonce that is not strict Base64
 * of 1..INVQR_WSSEC_NONCE_MAX bytes, a Created that is not an xs:dateTime
 * with a time zone, or a PasswordDigest that is not 28 Base64 characters.
 * APR_ENOMEM when p runs out. *pout is NULL on entry and on failure.
 */
apr_status_t invqr_wssec_parse(invqr_wssec_token_t **pout, const char **preason,
                               const struct _xmlNode *security, apr_pool_t *p);

/**
 * Whether t is a PasswordDigest token, with a Nonce and a Created, whose
 * digest equals Base64(SHA-1(nonce bytes + Created as sent + password)).
 * The comparison runs in constant time. 0 for any other token, a NULL t or
 * password, or a password longer than INVQR_WSSEC_PASSWORD_MAX. Allocates
 * nothing from any pool.
 */
int invqr_wssec_digest_ok(const invqr_wssec_token_t *t, const char *password);

/**
 * Whether t's Created lies within [now - max_skew_seconds,
 * now + INVQR_WSSEC_FUTURE_SKEW]. 0 when t is NULL, has no Created, or
 * max_skew_seconds is negative.
 */
int invqr_wssec_fresh(const invqr_wssec_token_t *t, time_t now, int max_skew_seconds);

/**
 * Parse an xs:dateTime with a time zone ("2024-05-01T12:00:00Z",
 * "...:00.123Z", "...:00+02:00"), years 1970-9999, into UTC seconds.
 * Exactly len bytes, no surrounding blanks. Returns 0, or -1 when malformed.
 */
int invqr_wssec_parse_time(time_t *pt, const char *s, apr_size_t len);

#endif
