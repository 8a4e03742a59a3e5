/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - cryptographic primitives: CSPRNG, SHA-256, HMAC, constant-time
 * comparison and base64url tokens, on top of OpenSSL libcrypto.
 *
 * SHA-256 comes from one implementation fetched once per process: OpenSSL
 * 3's one-shot SHA256() and HMAC() look the algorithm up in the provider
 * store at every call, which made the CSRF token's one HMAC a tenth of
 * httpd's CPU time for a verification. HMAC is RFC 2104 over it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "invqr_crypto.h"

int invqr_random(void *buf, size_t n)
{
    unsigned char *p = buf;

    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);

        if (got < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

#define SHA256_BLOCK 64

/* Written once, under pthread_once; read-only afterwards. */
static EVP_MD *g_sha256;
static pthread_once_t g_sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
    g_sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
}

/* out = SHA-256(a || b). Only an allocation can fail here, and no answer
 * may go out with a digest that was not computed: stop, as the pools do
 * when they run out of memory. */
static void digest2(unsigned char out[INVQR_SHA256_LEN], const void *a, size_t la,
                    const void *b, size_t lb)
{
    EVP_MD_CTX *c;
    unsigned int n = INVQR_SHA256_LEN;

    pthread_once(&g_sha256_once, sha256_fetch);
    c = EVP_MD_CTX_new();
    if (g_sha256 == NULL || c == NULL || !EVP_DigestInit_ex2(c, g_sha256, NULL)
        || !EVP_DigestUpdate(c, a, la) || (lb > 0 && !EVP_DigestUpdate(c, b, lb))
        || !EVP_DigestFinal_ex(c, out, &n) || n != INVQR_SHA256_LEN)
        abort();
    EVP_MD_CTX_free(c);
}

void invqr_sha256(unsigned char out[INVQR_SHA256_LEN], const void *data, size_t len)
{
    digest2(out, data, len, NULL, 0);
}

void invqr_hmac_raw(unsigned char out[INVQR_SHA256_LEN], const unsigned char *key, size_t keylen,
                    const void *msg, size_t len)
{
    unsigned char k0[SHA256_BLOCK], pad[SHA256_BLOCK], inner[INVQR_SHA256_LEN];
    size_t i;

    memset(k0, 0, sizeof(k0));
    if (keylen > SHA256_BLOCK)
        digest2(k0, key, keylen, NULL, 0);
    else if (keylen > 0)
        memcpy(k0, key, keylen);
    for (i = 0; i < SHA256_BLOCK; i++)
        pad[i] = (unsigned char)(k0[i] ^ 0x36);
    digest2(inner, pad, sizeof(pad), msg, len);
    for (i = 0; i < SHA256_BLOCK; i++)
        pad[i] = (unsigned char)(k0[i] ^ 0x5c);
    digest2(out, pad, sizeof(pad), inner, sizeof(inner));
    OPENSSL_cleanse(k0, sizeof(k0));
    OPENSSL_cleanse(pad, sizeof(pad));
    OPENSSL_cleanse(inner, sizeof(inner));
}

void invqr_hmac(unsigned char out[INVQR_SHA256_LEN], const unsigned char *key, size_t keylen,
                const char *a, const char *b)
{
    unsigned char msg[1024];
    size_t la = strlen(a), lb = b != NULL ? strlen(b) : 0;

    /* Inputs are short identifiers and tokens; longer ones are a bug. */
    if (la + 1 + lb > sizeof(msg)) {
        la = la > sizeof(msg) - 1 ? sizeof(msg) - 1 : la;
        lb = sizeof(msg) - 1 - la;
    }
    memcpy(msg, a, la);
    msg[la] = 0;
    if (lb > 0)
        memcpy(msg + la + 1, b, lb);
    invqr_hmac_raw(out, key, keylen, msg, la + 1 + lb);
    OPENSSL_cleanse(msg, sizeof(msg));
}

void invqr_hex(char *out, const void *data, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *d = data;
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[2 * n] = '\0';
}

int invqr_ct_equal(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

int invqr_ct_streq(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = (unsigned char)(la != lb);
    size_t i;

    /* Walk the expected length whatever the given one is. */
    for (i = 0; i < lb; i++)
        diff |= (unsigned char)(b[i] ^ (i < la ? a[i] : 0));
    return diff == 0;
}

static const char b64url_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t invqr_b64url(char *out, const unsigned char *in, size_t n)
{
    size_t i, o = 0;

    for (i = 0; i + 2 < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        out[o++] = b64url_chars[v >> 18 & 63];
        out[o++] = b64url_chars[v >> 12 & 63];
        out[o++] = b64url_chars[v >> 6 & 63];
        out[o++] = b64url_chars[v & 63];
    }
    if (n - i == 1) {
        unsigned v = (unsigned)in[i] << 16;
        out[o++] = b64url_chars[v >> 18 & 63];
        out[o++] = b64url_chars[v >> 12 & 63];
    }
    else if (n - i == 2) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8;
        out[o++] = b64url_chars[v >> 18 & 63];
        out[o++] = b64url_chars[v >> 12 & 63];
        out[o++] = b64url_chars[v >> 6 & 63];
    }
    out[o] = '\0';
    return o;
}

int invqr_token_new(char out[INVQR_TOKEN_CHARS + 1])
{
    unsigned char raw[32];

    if (invqr_random(raw, sizeof(raw)) != 0)
        return -1;
    invqr_b64url(out, raw, sizeof(raw));
    OPENSSL_cleanse(raw, sizeof(raw));
    return 0;
}

int invqr_token_valid(const char *s)
{
    size_t i;

    for (i = 0; i < INVQR_TOKEN_CHARS; i++) {
        char c = s[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
              || c == '-' || c == '_'))
            return 0;
    }
    return s[INVQR_TOKEN_CHARS] == '\0';
}
