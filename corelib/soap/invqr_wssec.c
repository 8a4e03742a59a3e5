/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - WS-Security UsernameToken (OASIS WSS 1.0, UsernameToken Profile 1.0).
 *
 * Reads wsse:Security/wsse:UsernameToken - Username, Password with its Type,
 * Nonce with its EncodingType, wsu:Created - strictly: each at most once,
 * every length capped, Base64 without stray characters, dates with a time
 * zone. The digest check recomputes Base64(SHA-1(nonce + created +
 * password)) with OpenSSL's EVP interface and compares it with
 * CRYPTO_memcmp, so its time does not depend on where the strings differ.
 * Freshness allows INVQR_WSSEC_FUTURE_SKEW seconds of clock skew ahead and
 * the caller's window behind.
 */
#include <string.h>

#include <apr_strings.h>
#include <libxml/tree.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "invqr_soap.h"
#include "invqr_wssec.h"

/* Whether node is an element named name in namespace ns. */
static int is_el(const xmlNode *node, const char *ns, const char *name)
{
    return node->type == XML_ELEMENT_NODE && node->ns != NULL && node->ns->href != NULL &&
           strcmp((const char *)node->ns->href, ns) == 0 &&
           strcmp((const char *)node->name, name) == 0;
}

/* The value of the unqualified attribute name of el, or NULL; APR_EINVAL
 * when it is longer than max. Copied into p. */
static apr_status_t attr_value(const char **pout, const xmlNode *el, const char *name,
                               apr_size_t max, apr_pool_t *p)
{
    const xmlAttr *a;
    const xmlNode *t;
    const char *v = NULL;
    apr_size_t len;

    *pout = NULL;
    for (a = el->properties; a != NULL; a = a->next) {
        if (a->ns == NULL && strcmp((const char *)a->name, name) == 0) {
            break;
        }
    }
    if (a == NULL) {
        return APR_SUCCESS;
    }
    t = a->children;
    if (t == NULL) {
        v = "";
    }
    else if (t->type == XML_TEXT_NODE && t->next == NULL && t->content != NULL) {
        v = (const char *)t->content;
    }
    else {
        return APR_EINVAL;
    }
    len = strnlen(v, max + 1);
    if (len > max) {
        return APR_EINVAL;
    }
    *pout = apr_pstrmemdup(p, v, len);
    return APR_SUCCESS;
}

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

/* Whether s[0..len) is strict Base64: whole quartets of the standard
 * alphabet, '=' padding only at the end. Returns the decoded length, or -1. */
static long b64_check(const char *s, apr_size_t len)
{
    apr_size_t i, pad = 0;

    if (len == 0 || len % 4 != 0) {
        return -1;
    }
    if (s[len - 1] == '=') {
        pad = s[len - 2] == '=' ? 2 : 1;
    }
    for (i = 0; i < len - pad; i++) {
        if (b64_value((unsigned char)s[i]) < 0) {
            return -1;
        }
    }
    return (long)(len / 4 * 3 - pad);
}

static int two_digits(const char *s, int *pv)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9') {
        return -1;
    }
    *pv = (s[0] - '0') * 10 + (s[1] - '0');
    return 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil). */
static long long days_from_civil(int y, int m, int d)
{
    long long era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) {
        return 29;
    }
    return mdays[m - 1];
}

int invqr_wssec_parse_time(time_t *pt, const char *s, apr_size_t len)
{
    int y, c, m, d, hh, mm, ss, oh = 0, om = 0, sign = 0;
    apr_size_t i = 19;
    long long t;

    *pt = 0;
    /* YYYY-MM-DDThh:mm:ss */
    if (s == NULL || len < 20 || len > INVQR_WSSEC_CREATED_MAX) {
        return -1;
    }
    if (two_digits(s, &c) != 0 || two_digits(s + 2, &y) != 0 || s[4] != '-' ||
        two_digits(s + 5, &m) != 0 || s[7] != '-' || two_digits(s + 8, &d) != 0 ||
        s[10] != 'T' || two_digits(s + 11, &hh) != 0 || s[13] != ':' ||
        two_digits(s + 14, &mm) != 0 || s[16] != ':' || two_digits(s + 17, &ss) != 0) {
        return -1;
    }
    y += c * 100;
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m) || hh > 23 ||
        mm > 59 || ss > 59) {
        return -1;
    }
    /* optional fraction: '.' and at least one digit */
    if (s[i] == '.') {
        i++;
        if (i >= len || s[i] < '0' || s[i] > '9') {
            return -1;
        }
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
    }
    /* the time zone is required: a Created without one is ambiguous */
    if (i + 1 == len && s[i] == 'Z') {
        sign = 0;
    }
    else if (i + 6 == len && (s[i] == '+' || s[i] == '-') && two_digits(s + i + 1, &oh) == 0 &&
             s[i + 3] == ':' && two_digits(s + i + 4, &om) == 0 && oh <= 14 && om <= 59) {
        sign = s[i] == '+' ? 1 : -1;
    }
    else {
        return -1;
    }
    t = days_from_civil(y, m, d) * 86400LL + hh * 3600LL + mm * 60LL + ss;
    t -= sign * (oh * 3600LL + om * 60LL);
    if (t < 0 || (sizeof(time_t) < 8 && t > 0x7fffffffLL)) {
        return -1;
    }
    *pt = (time_t)t;
    return 0;
}

/* Read one UsernameToken element into t. Returns NULL or a static reason. */
static const char *read_token(invqr_wssec_token_t *t, const xmlNode *ut, apr_pool_t *p)
{
    const xmlNode *n, *user = NULL, *pass = NULL, *nonce = NULL, *created = NULL;
    const char *s, *type;
    apr_size_t len;
    apr_status_t rv;
    long n_len;

    for (n = ut->children; n != NULL; n = n->next) {
        const xmlNode **slot = NULL;

        if (is_el(n, INVQR_WSSE_NS, "Username")) {
            slot = &user;
        }
        else if (is_el(n, INVQR_WSSE_NS, "Password")) {
            slot = &pass;
        }
        else if (is_el(n, INVQR_WSSE_NS, "Nonce")) {
            slot = &nonce;
        }
        else if (is_el(n, INVQR_WSU_NS, "Created")) {
            slot = &created;
        }
        if (slot == NULL) {
            continue;
        }
        if (*slot != NULL) {
            return "a UsernameToken element is repeated";
        }
        *slot = n;
    }

    if (user == NULL) {
        return "UsernameToken without Username";
    }
    rv = invqr_soap_text(&t->username, &len, user, INVQR_WSSEC_USERNAME_MAX, 1, p);
    if (rv != APR_SUCCESS || len == 0) {
        return "Username is empty, too long or not text";
    }

    if (pass != NULL) {
        if (attr_value(&type, pass, "Type", 256, p) != APR_SUCCESS) {
            return "Password Type is malformed";
        }
        if (type == NULL || strcmp(type, INVQR_WSSE_PASSWORD_TEXT) == 0) {
            t->password_type = INVQR_WSSEC_PASSWORD_TEXT;
        }
        else if (strcmp(type, INVQR_WSSE_PASSWORD_DIGEST) == 0) {
            t->password_type = INVQR_WSSEC_PASSWORD_DIGEST;
        }
        else {
            return "Password Type is neither #PasswordText nor #PasswordDigest";
        }
        /* a clear-text password is taken exactly as sent, blanks included */
        rv = invqr_soap_text(&t->password, &t->password_len, pass, INVQR_WSSEC_PASSWORD_MAX,
                             t->password_type == INVQR_WSSEC_PASSWORD_DIGEST, p);
        if (rv != APR_SUCCESS) {
            return "Password is too long or not text";
        }
        if (t->password_type == INVQR_WSSEC_PASSWORD_DIGEST &&
            (t->password_len != INVQR_WSSEC_DIGEST_LEN ||
             b64_check(t->password, t->password_len) != 20)) {
            return "PasswordDigest is not the Base64 of a SHA-1 digest";
        }
    }

    if (nonce != NULL) {
        unsigned char *buf;

        if (attr_value(&type, nonce, "EncodingType", 256, p) != APR_SUCCESS ||
            (type != NULL && strcmp(type, INVQR_WSSE_BASE64) != 0)) {
            return "Nonce EncodingType is not #Base64Binary";
        }
        rv = invqr_soap_text(&s, &len, nonce, (INVQR_WSSEC_NONCE_MAX + 2) / 3 * 4, 1, p);
        if (rv != APR_SUCCESS) {
            return "Nonce is too long or not text";
        }
        n_len = b64_check(s, len);
        if (n_len < 1 || n_len > INVQR_WSSEC_NONCE_MAX) {
            return "Nonce is not Base64 of 1 to 64 bytes";
        }
        /* EVP_DecodeBlock writes whole triplets, padding included */
        buf = apr_palloc(p, len / 4 * 3 + 1);
        if (buf == NULL) {
            return "out of memory";
        }
        if (EVP_DecodeBlock(buf, (const unsigned char *)s, (int)len) != (int)(len / 4 * 3)) {
            return "Nonce is not Base64";
        }
        t->nonce = buf;
        t->nonce_len = (apr_size_t)n_len;
    }

    if (created != NULL) {
        rv = invqr_soap_text(&t->created, &len, created, INVQR_WSSEC_CREATED_MAX, 0, p);
        if (rv != APR_SUCCESS || invqr_wssec_parse_time(&t->created_time, t->created, len) != 0) {
            return "Created is not an xs:dateTime with a time zone";
        }
    }
    return NULL;
}

apr_status_t invqr_wssec_parse(invqr_wssec_token_t **pout, const char **preason,
                               const struct _xmlNode *security, apr_pool_t *p)
{
    const xmlNode *n, *ut = NULL;
    invqr_wssec_token_t *t = NULL;
    const char *reason = NULL;
    apr_status_t rv = APR_SUCCESS;

    *pout = NULL;
    *preason = NULL;
    if (security == NULL) {
        reason = "no Security element";
        rv = APR_EINVAL;
        goto out;
    }
    for (n = security->children; n != NULL; n = n->next) {
        if (!is_el(n, INVQR_WSSE_NS, "UsernameToken")) {
            continue;
        }
        if (ut != NULL) {
            reason = "more than one UsernameToken";
            rv = APR_EINVAL;
            goto out;
        }
        ut = n;
    }
    if (ut == NULL) {
        goto out;                       /* no token: the caller decides */
    }
    t = apr_pcalloc(p, sizeof(*t));
    if (t == NULL) {
        rv = APR_ENOMEM;
        reason = "out of memory";
        goto out;
    }
    reason = read_token(t, ut, p);
    if (reason != NULL) {
        rv = APR_EINVAL;
        goto out;
    }
    *pout = t;
out:
    *preason = reason;
    return rv;
}

int invqr_wssec_digest_ok(const invqr_wssec_token_t *t, const char *password)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned char b64[INVQR_WSSEC_DIGEST_LEN + 4];
    unsigned int md_len = 0;
    EVP_MD_CTX *ctx = NULL;
    apr_size_t pw_len;
    int ok = 0;

    if (t == NULL || password == NULL || t->password_type != INVQR_WSSEC_PASSWORD_DIGEST ||
        t->password == NULL || t->password_len != INVQR_WSSEC_DIGEST_LEN || t->nonce == NULL ||
        t->nonce_len == 0 || t->created == NULL) {
        goto out;
    }
    pw_len = strnlen(password, INVQR_WSSEC_PASSWORD_MAX + 1);
    if (pw_len > INVQR_WSSEC_PASSWORD_MAX) {
        goto out;
    }
    ctx = EVP_MD_CTX_new();
    if (ctx == NULL) {
        goto out;
    }
    if (EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1 ||
        EVP_DigestUpdate(ctx, t->nonce, t->nonce_len) != 1 ||
        EVP_DigestUpdate(ctx, t->created, strlen(t->created)) != 1 ||
        EVP_DigestUpdate(ctx, password, pw_len) != 1 ||
        EVP_DigestFinal_ex(ctx, md, &md_len) != 1 || md_len != 20) {
        goto out;
    }
    if (EVP_EncodeBlock(b64, md, (int)md_len) != INVQR_WSSEC_DIGEST_LEN) {
        goto out;
    }
    ok = CRYPTO_memcmp(b64, t->password, INVQR_WSSEC_DIGEST_LEN) == 0;
out:
    OPENSSL_cleanse(md, sizeof(md));
    OPENSSL_cleanse(b64, sizeof(b64));
    EVP_MD_CTX_free(ctx);
    return ok;
}

int invqr_wssec_fresh(const invqr_wssec_token_t *t, time_t now, int max_skew_seconds)
{
    long long age;

    if (t == NULL || t->created == NULL || max_skew_seconds < 0) {
        return 0;
    }
    age = (long long)now - (long long)t->created_time;
    return age <= (long long)max_skew_seconds && -age <= INVQR_WSSEC_FUTURE_SKEW;
}
