/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - application/x-www-form-urlencoded bodies and query strings.
 *
 * Splits on '&', decodes '+' and %XX, and accepts a pair only if its decoded
 * name is non-empty, unseen (compared as apr_table compares keys, that is
 * without regard to ASCII case), valid UTF-8 free of every control
 * character, and its decoded value is valid UTF-8 free of controls other
 * than TAB, CR and LF. Empty pairs ("a=1&&b=2") are skipped and a pair
 * without '=' has an empty value. Decoding goes through fixed buffers the
 * size of the limits, so an oversized field is refused before anything of it
 * is copied into the pool.
 */
#include <string.h>

#include <apr_errno.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "invqr_form.h"
#include "invqr_utf8.h"

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/*
 * Decode in[0..len) into out[0..cap), setting *pn to the decoded length.
 * APR_EINVAL for a malformed escape, APR_ENOSPC if more than cap bytes.
 */
static apr_status_t decode(char *out, size_t cap, size_t *pn,
                           const char *in, size_t len)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t i = 0, n = 0;

    *pn = 0;
    while (i < len) {
        unsigned char c = s[i];

        if (c == '%') {
            int hi, lo;

            if (len - i < 3) {
                return APR_EINVAL;
            }
            hi = hex_value(s[i + 1]);
            lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0) {
                return APR_EINVAL;
            }
            c = (unsigned char)(hi * 16 + lo);
            i += 3;
        }
        else {
            if (c == '+') {
                c = ' ';
            }
            i++;
        }
        if (n == cap) {
            return APR_ENOSPC;
        }
        out[n++] = (char)c;
    }
    *pn = n;
    return APR_SUCCESS;
}

apr_status_t invqr_form_parse(apr_table_t **pout, const char *body,
                              apr_size_t len, apr_pool_t *p)
{
    char name[INVQR_FORM_MAX_NAME + 1];   /* + NUL, for the lookup */
    char value[INVQR_FORM_MAX_VALUE];
    apr_table_t *t = NULL;
    apr_status_t rv = APR_SUCCESS;
    apr_size_t pos = 0;

    *pout = NULL;
    if (body == NULL && len > 0) {
        rv = APR_EINVAL;
        goto out;
    }
    if (len > INVQR_FORM_MAX_BODY) {
        rv = APR_ENOSPC;
        goto out;
    }
    t = apr_table_make(p, 8);
    while (pos < len) {
        const char *pair = body + pos;
        const char *amp = memchr(pair, '&', len - pos);
        apr_size_t plen = amp ? (apr_size_t)(amp - pair) : len - pos;
        const char *eq = memchr(pair, '=', plen);
        apr_size_t nraw = eq ? (apr_size_t)(eq - pair) : plen;
        size_t nlen, vlen;

        pos += plen + 1;
        if (plen == 0) {
            continue;   /* "a=1&&b=2", a leading or a trailing '&' */
        }
        if (apr_table_elts(t)->nelts >= INVQR_FORM_MAX_FIELDS) {
            rv = APR_ENOSPC;
            goto out;
        }

        rv = decode(name, INVQR_FORM_MAX_NAME, &nlen, pair, nraw);
        if (rv != APR_SUCCESS) {
            goto out;
        }
        if (nlen == 0 || invqr_utf8_count_text(name, nlen, 0) < 0 ||
            memchr(name, '\t', nlen) != NULL) {
            rv = APR_EINVAL;
            goto out;
        }
        name[nlen] = '\0';  /* no NUL inside: refused above as a control */
        if (apr_table_get(t, name) != NULL) {
            rv = APR_EINVAL;    /* duplicate field */
            goto out;
        }

        if (eq) {
            rv = decode(value, sizeof(value), &vlen, eq + 1, plen - nraw - 1);
            if (rv != APR_SUCCESS) {
                goto out;
            }
        }
        else {
            vlen = 0;
        }
        if (invqr_utf8_count_text(value, vlen, 1) < 0) {
            rv = APR_EINVAL;
            goto out;
        }

        apr_table_addn(t, apr_pstrmemdup(p, name, nlen),
                       apr_pstrmemdup(p, value, vlen));
    }
out:
    if (rv == APR_SUCCESS) {
        *pout = t;
    }
    return rv;
}

int invqr_form_return_to_ok(const char *path)
{
    const char *c, *seg;
    size_t n;

    if (path == NULL || path[0] != '/' || path[1] == '/' || path[1] == '\\')
        return 0;
    n = strlen(path);
    if (n > INVQR_FORM_MAX_RETURN_TO)
        return 0;
    for (c = path; *c != '\0'; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')
              || *c == '/' || *c == '-' || *c == '_' || *c == '.'))
            return 0;
    /* no "." or ".." segment, no empty one inside ("//") */
    for (seg = path + 1; seg <= path + n; seg = c + 1) {
        c = strchr(seg, '/');
        if (c == NULL)
            c = path + n;
        if ((c - seg == 1 && seg[0] == '.') || (c - seg == 2 && seg[0] == '.' && seg[1] == '.'))
            return 0;
        if (c - seg == 0 && c != path + n)
            return 0;
    }
    return 1;
}
