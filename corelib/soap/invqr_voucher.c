/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - PDND vouchers (invqr_voucher.h).
 *
 * The compact JWS is split by hand (three parts, two dots, base64url
 * alphabet only) and each part decoded strictly; jansson parses the two
 * JSON parts with duplicate members refused; OpenSSL verifies RSASSA-
 * PKCS1-v1_5 with SHA-256 over "header.payload" with the key the JWKS file
 * holds under the header's kid. Every buffer is bounded by
 * INVQR_VOUCHER_MAX_LEN and freed before returning.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "invqr_log.h"
#include "invqr_voucher.h"

typedef struct {
    char kid[INVQR_VOUCHER_ID_MAX + 1];
    EVP_PKEY *pkey;
} vkey_t;

struct invqr_voucher_keys_s {
    size_t count;
    vkey_t key[INVQR_VOUCHER_MAX_KEYS];
};

/* ---------------------------------------------------------------------------
 * base64url
 */

static int b64url_val(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

long invqr_voucher_b64url(unsigned char *out, size_t out_size, const char *in, size_t len)
{
    size_t i, n = 0;
    unsigned acc = 0;
    int bits = 0;

    if (len % 4 == 1)
        return -1;
    for (i = 0; i < len; i++) {
        int v = b64url_val((unsigned char)in[i]);

        if (v < 0)
            return -1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n >= out_size)
                return -1;
            out[n++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    /* the unused low bits of the last character must be zero: one text for
     * one value */
    if (acc != 0)
        return -1;
    return (long)n;
}

/* ---------------------------------------------------------------------------
 * Keys
 */

/* A base64url member of a JWK decoded into a BIGNUM, or NULL. */
static BIGNUM *jwk_bn(json_t *jwk, const char *name, size_t max_bytes)
{
    const char *s = json_string_value(json_object_get(jwk, name));
    unsigned char buf[1024 + 2];
    long n;

    if (s == NULL || max_bytes > sizeof(buf) - 2)
        return NULL;
    n = invqr_voucher_b64url(buf, max_bytes, s, strlen(s));
    if (n <= 0)
        return NULL;
    return BN_bin2bn(buf, (int)n, NULL);
}

static EVP_PKEY *rsa_from_jwk(json_t *jwk)
{
    BIGNUM *n = jwk_bn(jwk, "n", 1024), *e = jwk_bn(jwk, "e", 8);
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;

    if (n == NULL || e == NULL || BN_num_bits(n) < 2048 || BN_num_bits(n) > 8192 ||
        !BN_is_odd(e) || BN_num_bits(e) < 2 || BN_num_bits(e) > 33)
        goto out;
    bld = OSSL_PARAM_BLD_new();
    if (bld == NULL || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
        goto out;
    params = OSSL_PARAM_BLD_to_param(bld);
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        pkey = NULL;
out:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    return pkey;
}

/* A printable-ASCII string member no longer than INVQR_VOUCHER_ID_MAX,
 * copied into out; 0, or -1 when absent or not such a string. */
static int id_member(char out[INVQR_VOUCHER_ID_MAX + 1], json_t *obj, const char *name)
{
    json_t *j = json_object_get(obj, name);
    const char *s = json_string_value(j);
    size_t i, len;

    if (s == NULL)
        return -1;
    len = json_string_length(j);
    if (len == 0 || len > INVQR_VOUCHER_ID_MAX)
        return -1;
    for (i = 0; i < len; i++)
        if (s[i] < 0x21 || s[i] > 0x7e)
            return -1;
    memcpy(out, s, len);
    out[len] = '\0';
    return 0;
}

void invqr_voucher_keys_free(invqr_voucher_keys_t *keys)
{
    size_t i;

    if (keys == NULL)
        return;
    for (i = 0; i < keys->count; i++)
        EVP_PKEY_free(keys->key[i].pkey);
    free(keys);
}

size_t invqr_voucher_keys_count(const invqr_voucher_keys_t *keys)
{
    return keys != NULL ? keys->count : 0;
}

int invqr_voucher_keys_parse(invqr_voucher_keys_t **pout, const char **preason,
                             const char *json, size_t len)
{
    invqr_voucher_keys_t *keys = NULL;
    json_t *root = NULL, *list, *jwk;
    size_t i, j;
    int rc = -1;

    *pout = NULL;
    *preason = NULL;
    if (len > INVQR_VOUCHER_JWKS_MAX) {
        *preason = "the JWKS is too large";
        return -1;
    }
    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL);
    list = json_object_get(root, "keys");
    if (!json_is_object(root) || !json_is_array(list)) {
        *preason = "not a JWKS (a JSON object with a keys array)";
        goto out;
    }
    keys = calloc(1, sizeof(*keys));
    if (keys == NULL) {
        *preason = "out of memory";
        goto out;
    }
    json_array_foreach(list, i, jwk) {
        const char *kty = json_string_value(json_object_get(jwk, "kty"));
        json_t *use = json_object_get(jwk, "use"), *alg = json_object_get(jwk, "alg");
        vkey_t *k;

        if (!json_is_object(jwk) || kty == NULL || strcmp(kty, "RSA") != 0)
            continue;                   /* EC and other keys: not for RS256 */
        if ((use != NULL && (!json_is_string(use) || strcmp(json_string_value(use), "sig") != 0)) ||
            (alg != NULL && (!json_is_string(alg) || strcmp(json_string_value(alg), "RS256") != 0)))
            continue;
        if (keys->count == INVQR_VOUCHER_MAX_KEYS) {
            *preason = "too many keys";
            goto out;
        }
        k = &keys->key[keys->count];
        if (id_member(k->kid, jwk, "kid") != 0) {
            *preason = "an RSA key without a usable kid";
            goto out;
        }
        for (j = 0; j < keys->count; j++)
            if (strcmp(keys->key[j].kid, k->kid) == 0) {
                *preason = "a kid twice";
                goto out;
            }
        k->pkey = rsa_from_jwk(jwk);
        if (k->pkey == NULL) {
            *preason = "an RSA key that is not 2048 to 8192 bits with a usable exponent";
            goto out;
        }
        keys->count++;
    }
    if (keys->count == 0) {
        *preason = "no RS256 signing key";
        goto out;
    }
    *pout = keys;
    keys = NULL;
    rc = 0;
out:
    invqr_voucher_keys_free(keys);
    json_decref(root);
    return rc;
}

int invqr_voucher_keys_load(invqr_voucher_keys_t **pout, const char *path)
{
    FILE *f;
    char *buf = NULL;
    size_t len = 0;
    const char *reason = "cannot be read";
    int rc = -1;

    *pout = NULL;
    f = fopen(path, "rb");
    if (f != NULL) {
        buf = malloc(INVQR_VOUCHER_JWKS_MAX + 1);
        if (buf != NULL) {
            len = fread(buf, 1, INVQR_VOUCHER_JWKS_MAX + 1, f);
            if (ferror(f))
                reason = "cannot be read";
            else if (len > INVQR_VOUCHER_JWKS_MAX)
                reason = "is too large";
            else if (invqr_voucher_keys_parse(pout, &reason, buf, len) == 0)
                rc = 0;
        }
        fclose(f);
    }
    if (rc != 0)
        invqr_log(INVQR_LOG_ERR, "INVQR0033: the PDND key set %s: %s (pdnd_jwks_file)", path,
                  reason);
    free(buf);
    return rc;
}

/* ---------------------------------------------------------------------------
 * Vouchers
 */

/* Decode part [s, s+len) and parse it as one JSON object; NULL when not. */
static json_t *json_part(const char *s, size_t len)
{
    unsigned char buf[INVQR_VOUCHER_MAX_LEN];
    long n = invqr_voucher_b64url(buf, sizeof(buf), s, len);
    json_t *j;

    if (n <= 0)
        return NULL;
    j = json_loadb((const char *)buf, (size_t)n, JSON_REJECT_DUPLICATES, NULL);
    if (j != NULL && !json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static int str_member_is(json_t *obj, const char *name, const char *want)
{
    const char *s = json_string_value(json_object_get(obj, name));

    return s != NULL && want != NULL && strcmp(s, want) == 0;
}

static int int_member(long long *out, json_t *obj, const char *name)
{
    json_t *j = json_object_get(obj, name);

    if (!json_is_integer(j))
        return -1;
    *out = (long long)json_integer_value(j);
    return 0;
}

static const char *read_claims(invqr_voucher_t *v, json_t *c, const char *issuer,
                               const char *audience, time_t now)
{
    json_t *aud = json_object_get(c, "aud");
    long long t = (long long)now;
    int aud_ok = 0;

    if (!str_member_is(c, "iss", issuer))
        return "the voucher's issuer is not the configured one";
    if (json_is_string(aud)) {
        aud_ok = str_member_is(c, "aud", audience);
    }
    else if (json_is_array(aud) && json_array_size(aud) <= 16) {
        size_t i;
        json_t *a;

        json_array_foreach(aud, i, a) {
            const char *s = json_string_value(a);

            if (s == NULL)
                return "the voucher's audience is not a list of strings";
            if (audience != NULL && strcmp(s, audience) == 0)
                aud_ok = 1;
        }
    }
    if (!aud_ok)
        return "the voucher is not for this e-service (aud)";
    if (int_member(&v->exp, c, "exp") != 0 || int_member(&v->nbf, c, "nbf") != 0 ||
        int_member(&v->iat, c, "iat") != 0)
        return "the voucher needs exp, nbf and iat as integers";
    if (v->exp <= t - INVQR_VOUCHER_SKEW)
        return "the voucher has expired";
    if (v->nbf > t + INVQR_VOUCHER_SKEW || v->iat > t + INVQR_VOUCHER_SKEW)
        return "the voucher is not valid yet";
    if (v->exp <= v->iat || v->nbf > v->exp || v->exp - v->iat > INVQR_VOUCHER_MAX_LIFE)
        return "the voucher's lifetime is not plausible";
    if (id_member(v->jti, c, "jti") != 0)
        return "the voucher needs a jti";
    if (id_member(v->purpose_id, c, "purposeId") != 0)
        return "the voucher needs a purposeId";
    if (id_member(v->client_id, c, "client_id") != 0)
        return "the voucher needs a client_id";
    return NULL;
}

apr_status_t invqr_voucher_claims(invqr_voucher_t *v, const char **preason,
                                  const char *json, size_t len, const char *issuer,
                                  const char *audience, time_t now)
{
    json_t *c;

    memset(v, 0, sizeof(*v));
    *preason = NULL;
    if (len > INVQR_VOUCHER_MAX_LEN) {
        *preason = "the voucher is too long";
        return APR_EINVAL;
    }
    c = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(c))
        *preason = "the voucher's claims are not a JSON object";
    else
        *preason = read_claims(v, c, issuer, audience, now);
    json_decref(c);
    return *preason == NULL ? APR_SUCCESS : APR_EINVAL;
}

/* Verify RS256 over input with key; 1 when it holds. */
static int rs256_ok(EVP_PKEY *key, const char *input, size_t input_len,
                    const unsigned char *sig, size_t sig_len)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = 0;

    if (md != NULL && sig_len == (size_t)EVP_PKEY_get_size(key) &&
        EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
        EVP_DigestVerify(md, sig, sig_len, (const unsigned char *)input, input_len) == 1)
        ok = 1;
    EVP_MD_CTX_free(md);
    return ok;
}

apr_status_t invqr_voucher_check(invqr_voucher_t *v, const char **preason, const char *token,
                                 size_t len, const invqr_voucher_keys_t *keys, const char *issuer,
                                 const char *audience, time_t now)
{
    const char *dot1, *dot2, *typ;
    json_t *header = NULL, *claims = NULL;
    unsigned char sig[1024];
    EVP_PKEY *key = NULL;
    long sig_len;
    size_t i;
    apr_status_t rv = APR_EINVAL;

    memset(v, 0, sizeof(*v));
    *preason = NULL;
    if (token == NULL || len == 0 || len > INVQR_VOUCHER_MAX_LEN || keys == NULL) {
        *preason = "no voucher, or one too long";
        return APR_EINVAL;
    }
    dot1 = memchr(token, '.', len);
    dot2 = dot1 != NULL ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token)) : NULL;
    if (dot1 == NULL || dot2 == NULL || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token))) {
        *preason = "the voucher is not a compact JWS";
        return APR_EINVAL;
    }
    header = json_part(token, (size_t)(dot1 - token));
    if (header == NULL) {
        *preason = "the voucher's header is not base64url JSON";
        goto out;
    }
    typ = json_string_value(json_object_get(header, "typ"));
    if (!str_member_is(header, "alg", "RS256")) {
        *preason = "the voucher is not signed RS256";
        goto out;
    }
    if (typ == NULL || (strcasecmp(typ, "at+jwt") != 0 && strcasecmp(typ, "application/at+jwt") != 0)) {
        *preason = "the voucher is not an access token (typ at+jwt)";
        goto out;
    }
    if (json_object_get(header, "crit") != NULL) {
        *preason = "the voucher has critical header parameters";
        goto out;
    }
    if (id_member(v->kid, header, "kid") != 0) {
        *preason = "the voucher names no key (kid)";
        goto out;
    }
    for (i = 0; i < keys->count && key == NULL; i++)
        if (strcmp(keys->key[i].kid, v->kid) == 0)
            key = keys->key[i].pkey;
    if (key == NULL) {
        *preason = "the voucher's key (kid) is not in the configured key set";
        goto out;
    }
    sig_len = invqr_voucher_b64url(sig, sizeof(sig), dot2 + 1, len - (size_t)(dot2 + 1 - token));
    if (sig_len <= 0 || !rs256_ok(key, token, (size_t)(dot2 - token), sig, (size_t)sig_len)) {
        *preason = "the voucher's signature does not verify";
        goto out;
    }
    claims = json_part(dot1 + 1, (size_t)(dot2 - dot1 - 1));
    if (claims == NULL) {
        *preason = "the voucher's claims are not base64url JSON";
        goto out;
    }
    {
        char kid[INVQR_VOUCHER_ID_MAX + 1];

        memcpy(kid, v->kid, sizeof(kid));
        *preason = read_claims(v, claims, issuer, audience, now);
        memcpy(v->kid, kid, sizeof(kid));
    }
    if (*preason == NULL)
        rv = APR_SUCCESS;
out:
    json_decref(header);
    json_decref(claims);
    return rv;
}
