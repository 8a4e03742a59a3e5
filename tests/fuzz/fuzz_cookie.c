/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - libFuzzer target for the Cookie header reader (core/invqr_cookie.c).
 *
 * The first byte of each input chooses how many of the following bytes name
 * the cookie to look for; the rest is the header. Both become NUL-terminated
 * copies in a per-input APR pool. Each header is also searched for "sid".
 * Whatever the input: a failure is one of the documented codes with no
 * value; a success is a value of at most INVQR_COOKIE_MAX_VALUE RFC 6265
 * cookie-octets; an empty name and an overlong header are always refused.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "invqr_cookie.h"

#define CHECK(cond)                                                         \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,      \
                    __LINE__, #cond);                                       \
            abort();                                                        \
        }                                                                   \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int is_cookie_octet(unsigned char c)
{
    return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
           (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

static void lookup(const char *header, const char *name, apr_pool_t *p)
{
    const char *value = "not reset", *again = NULL;
    apr_status_t rv = invqr_cookie_get(&value, header, name, p);

    if (rv != APR_SUCCESS) {
        CHECK(rv == APR_NOTFOUND || rv == APR_EINVAL || rv == APR_ENOSPC);
        CHECK(value == NULL);
    }
    if (name[0] == '\0') {
        CHECK(rv == APR_EINVAL);
        return;
    }
    if (header != NULL && strlen(header) > INVQR_COOKIE_MAX_HEADER) {
        CHECK(rv == APR_ENOSPC);
        return;
    }
    if (header == NULL || strstr(header, name) == NULL) {
        CHECK(rv == APR_NOTFOUND);
    }
    if (rv == APR_SUCCESS) {
        size_t len;

        CHECK(value != NULL);
        len = strlen(value);
        CHECK(len <= INVQR_COOKIE_MAX_VALUE);
        for (size_t i = 0; i < len; i++) {
            CHECK(is_cookie_octet((unsigned char)value[i]));
        }
        /* Looking again finds the same. */
        CHECK(invqr_cookie_get(&again, header, name, p) == APR_SUCCESS);
        CHECK(strcmp(again, value) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialized;
    apr_pool_t *p = NULL;
    const char *name, *header;
    size_t nlen = 0;

    if (!initialized) {
        CHECK(apr_initialize() == APR_SUCCESS);
        atexit(apr_terminate);
        initialized = 1;
    }
    CHECK(apr_pool_create(&p, NULL) == APR_SUCCESS);

    if (size > 0) {
        nlen = data[0] % 17;
        if (nlen > size - 1) {
            nlen = size - 1;
        }
        data++;
        size--;
    }
    name = apr_pstrmemdup(p, (const char *)data, nlen);
    header = apr_pstrmemdup(p, (const char *)data + nlen, size - nlen);

    lookup(header, name, p);
    lookup(header, "sid", p);
    lookup(NULL, "sid", p);

    apr_pool_destroy(p);
    return 0;
}
