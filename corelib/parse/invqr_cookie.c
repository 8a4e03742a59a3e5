/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - Cookie request header.
 *
 * Finds one cookie in a Cookie header. Pairs are split on ';' and spaces or
 * tabs around names and values are ignored, as browsers vary; names compare
 * exactly (case-sensitive). The whole header is scanned so that a cookie
 * sent twice - how cookie tossing from a sibling domain shows - is refused
 * rather than resolved either way. Only the wanted cookie's value is
 * checked against RFC 6265 cookie-octets; other cookies are not our
 * business and their contents never cause a failure. Pairs without '=' are
 * skipped.
 */
#include <string.h>

#include <apr_errno.h>
#include <apr_strings.h>

#include "invqr_cookie.h"

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* RFC 6265 section 4.1.1 cookie-octet. */
static int is_cookie_octet(unsigned char c)
{
    return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
           (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

apr_status_t invqr_cookie_get(const char **pvalue, const char *header,
                              const char *name, apr_pool_t *p)
{
    const char *val = NULL, *s, *end;
    size_t hlen, nlen, vlen = 0, i;
    int found = 0;

    *pvalue = NULL;
    if (name == NULL || name[0] == '\0') {
        return APR_EINVAL;
    }
    if (header == NULL) {
        return APR_NOTFOUND;
    }
    hlen = strnlen(header, INVQR_COOKIE_MAX_HEADER + 1);
    if (hlen > INVQR_COOKIE_MAX_HEADER) {
        return APR_ENOSPC;
    }
    nlen = strlen(name);

    s = header;
    end = header + hlen;
    while (s < end) {
        const char *semi = memchr(s, ';', (size_t)(end - s));
        const char *pend = semi ? semi : end;
        const char *eq;

        while (s < pend && is_ows(*s)) {
            s++;
        }
        while (pend > s && is_ows(pend[-1])) {
            pend--;
        }
        eq = memchr(s, '=', (size_t)(pend - s));
        if (eq != NULL) {
            const char *nend = eq;

            while (nend > s && is_ows(nend[-1])) {
                nend--;
            }
            if ((size_t)(nend - s) == nlen && memcmp(s, name, nlen) == 0) {
                if (found) {
                    return APR_EINVAL;  /* sent twice */
                }
                found = 1;
                val = eq + 1;
                while (val < pend && is_ows(*val)) {
                    val++;
                }
                vlen = (size_t)(pend - val);
            }
        }
        if (semi == NULL) {
            break;
        }
        s = semi + 1;
    }
    if (!found) {
        return APR_NOTFOUND;
    }

    if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
        val++;
        vlen -= 2;
    }
    if (vlen > INVQR_COOKIE_MAX_VALUE) {
        return APR_EINVAL;
    }
    for (i = 0; i < vlen; i++) {
        if (!is_cookie_octet((unsigned char)val[i])) {
            return APR_EINVAL;
        }
    }
    *pvalue = apr_pstrmemdup(p, val, vlen);
    return APR_SUCCESS;
}
