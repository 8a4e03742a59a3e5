/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - certificate identities for ModI trust (invqr_modi_trust.h). */
#include <ctype.h>
#include <string.h>

#include <apr_strings.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "invqr_modi.h"
#include "invqr_modi_trust.h"

static time_t asn1_time(const ASN1_TIME *t)
{
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    if (ASN1_TIME_to_tm(t, &tm) != 1)
        return 0;
    return timegm(&tm);
}

const char *invqr_modi_name_text(const void *name, apr_pool_t *p)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL;
    long len;
    const char *out = NULL;

    if (bio == NULL)
        return NULL;
    if (X509_NAME_print_ex(bio, (const X509_NAME *)name, 0, XN_FLAG_RFC2253) >= 0) {
        len = BIO_get_mem_data(bio, &data);
        if (len >= 0 && len <= INVQR_MODI_NAME_MAX)
            out = apr_pstrmemdup(p, data, (apr_size_t)len);
    }
    BIO_free(bio);
    return out;
}

const char *invqr_modi_serial_text(const void *serial, apr_pool_t *p)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN((const ASN1_INTEGER *)serial, NULL);
    char *dec = bn != NULL ? BN_bn2dec(bn) : NULL;
    const char *out = NULL;

    if (dec != NULL && strlen(dec) <= INVQR_MODI_SERIAL_MAX)
        out = apr_pstrdup(p, dec);
    OPENSSL_free(dec);
    BN_free(bn);
    return out;
}

int invqr_modi_cert_ids(invqr_modi_cert_ids_t *ids, const unsigned char *data, apr_size_t len,
                        apr_pool_t *p)
{
    X509 *x = NULL;
    BIO *bio;
    unsigned char *der = NULL;
    const ASN1_OCTET_STRING *ski;
    int dlen, rc = -1;

    memset(ids, 0, sizeof(*ids));
    if (len > 1024 * 1024)
        return -1;
    bio = BIO_new_mem_buf(data, (int)len);
    if (bio == NULL)
        return -1;
    x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (x == NULL) {
        const unsigned char *q = data;

        x = d2i_X509(NULL, &q, (long)len);
        if (x == NULL || q != data + len)
            goto out;
    }
    dlen = i2d_X509(x, &der);
    if (dlen <= 0 || dlen > INVQR_MODI_MAX_CERT || X509_digest(x, EVP_sha256(), ids->fp, NULL) != 1)
        goto out;
    ids->der_b64 = apr_palloc(p, (apr_size_t)(dlen + 2) / 3 * 4 + 1);
    EVP_EncodeBlock((unsigned char *)ids->der_b64, der, dlen);
    ids->not_before = asn1_time(X509_get0_notBefore(x));
    ids->not_after = asn1_time(X509_get0_notAfter(x));
    ids->subject = invqr_modi_name_text(X509_get_subject_name(x), p);
    ids->issuer = invqr_modi_name_text(X509_get_issuer_name(x), p);
    ids->serial = invqr_modi_serial_text(X509_get0_serialNumber(x), p);
    if (ids->subject == NULL || ids->issuer == NULL || ids->serial == NULL)
        goto out;
    ski = X509_get0_subject_key_id(x);
    if (ski != NULL && ski->length > 0 && ski->length <= INVQR_MODI_SKI_MAX) {
        char *hex = apr_palloc(p, 2 * (apr_size_t)ski->length + 1);
        int i;

        for (i = 0; i < ski->length; i++)
            apr_snprintf(hex + 2 * i, 3, "%02X", ski->data[i]);
        ids->ski = hex;
    }
    ids->is_ca = X509_check_ca(x) > 0;
    rc = 0;
out:
    OPENSSL_free(der);
    X509_free(x);
    return rc;
}

/* The next significant character of an RFC 2253 name, lower-cased, with
 * blanks around separators dropped; 0 at the end. */
static int name_next(const char **ps)
{
    const char *s = *ps;
    int c;

    while (*s == ' ')
        s++;
    c = (unsigned char)*s;
    if (c == '\0') {
        *ps = s;
        return 0;
    }
    s++;
    if (c == '\\' && *s != '\0') {     /* an escaped character stands for itself */
        c = 0x100 | (unsigned char)*s;
        s++;
    }
    else if (c == ',' || c == '+' || c == '=') {
        while (*s == ' ')
            s++;
    }
    else {
        c = tolower(c);
        /* a blank before a separator does not count */
        if (*s == ' ') {
            const char *t = s;

            while (*t == ' ')
                t++;
            if (*t == ',' || *t == '+' || *t == '=' || *t == '\0')
                s = t;
        }
    }
    *ps = s;
    return c;
}

int invqr_modi_names_equal(const char *a, const char *b)
{
    int ca, cb;

    if (a == NULL || b == NULL)
        return 0;
    do {
        ca = name_next(&a);
        cb = name_next(&b);
        if (ca != cb)
            return 0;
    } while (ca != 0);
    return 1;
}
