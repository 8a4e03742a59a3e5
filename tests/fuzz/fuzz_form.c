/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - libFuzzer target for the form parser (core/invqr_form.c).
 *
 * Parses each input as a form body and checks what must hold whatever the
 * input: a failure is APR_EINVAL or APR_ENOSPC with no table; a success
 * respects every limit of invqr_form.h, holds no two names equal without
 * regard to case, and only valid UTF-8 without forbidden controls; and the
 * table, percent-encoded again, parses back to the same table. Every value
 * that invqr_form_return_to_ok() accepts as where a sign-in returns to is a
 * local path that needs no escaping. Each input gets its own APR pool,
 * created and destroyed here.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "invqr_form.h"
#include "invqr_utf8.h"

#define CHECK(cond)                                                         \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,      \
                    __LINE__, #cond);                                       \
            abort();                                                        \
        }                                                                   \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Percent-encode every byte but ASCII letters and digits ('+' for space). */
static char *encode(apr_pool_t *p, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t len = strlen(s), n = 0;
    char *out = apr_palloc(p, len * 3 + 1);

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9')) {
            out[n++] = (char)c;
        }
        else if (c == ' ') {
            out[n++] = '+';
        }
        else {
            out[n++] = '%';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        }
    }
    out[n] = '\0';
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialized;
    apr_pool_t *p = NULL;
    apr_table_t *t = NULL, *t2 = NULL;
    const apr_array_header_t *arr, *arr2;
    const apr_table_entry_t *e, *e2;
    const char *body = "";
    apr_status_t rv;
    size_t amps = 0;

    if (!initialized) {
        CHECK(apr_initialize() == APR_SUCCESS);
        atexit(apr_terminate);
        initialized = 1;
    }
    CHECK(apr_pool_create(&p, NULL) == APR_SUCCESS);

    rv = invqr_form_parse(&t, (const char *)data, size, p);
    if (size > INVQR_FORM_MAX_BODY) {
        CHECK(rv == APR_ENOSPC);
    }
    if (rv != APR_SUCCESS) {
        CHECK(rv == APR_EINVAL || rv == APR_ENOSPC);
        CHECK(t == NULL);
        goto out;
    }
    CHECK(t != NULL);

    for (size_t i = 0; i < size; i++) {
        amps += data[i] == '&';
    }
    arr = apr_table_elts(t);
    e = (const apr_table_entry_t *)arr->elts;
    CHECK(arr->nelts >= 0 && arr->nelts <= INVQR_FORM_MAX_FIELDS);
    CHECK((size_t)arr->nelts <= amps + 1);
    for (int i = 0; i < arr->nelts; i++) {
        size_t klen = strlen(e[i].key), vlen = strlen(e[i].val);

        CHECK(klen >= 1 && klen <= INVQR_FORM_MAX_NAME);
        CHECK(vlen <= INVQR_FORM_MAX_VALUE);
        CHECK(invqr_utf8_count_text(e[i].key, klen, 0) >= 0);
        CHECK(strchr(e[i].key, '\t') == NULL);
        CHECK(invqr_utf8_count_text(e[i].val, vlen, 1) >= 0);
        for (int j = 0; j < i; j++) {
            CHECK(strcasecmp(e[i].key, e[j].key) != 0);
        }
        if (invqr_form_return_to_ok(e[i].val)) {
            CHECK(e[i].val[0] == '/' && e[i].val[1] != '/' && vlen <= INVQR_FORM_MAX_RETURN_TO);
            CHECK(strspn(e[i].val, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "0123456789/-_.") == vlen);
            CHECK(strstr(e[i].val, "/../") == NULL && strstr(e[i].val, "//") == NULL);
        }
        body = apr_pstrcat(p, body, i ? "&" : "", encode(p, e[i].key), "=",
                           encode(p, e[i].val), NULL);
    }

    /* Encoded again, the table reads back the same (if the encoding still
     * fits the body limit). */
    if (strlen(body) <= INVQR_FORM_MAX_BODY) {
        CHECK(invqr_form_parse(&t2, body, strlen(body), p) == APR_SUCCESS);
        arr2 = apr_table_elts(t2);
        e2 = (const apr_table_entry_t *)arr2->elts;
        CHECK(arr2->nelts == arr->nelts);
        for (int i = 0; i < arr->nelts; i++) {
            CHECK(strcmp(e[i].key, e2[i].key) == 0);
            CHECK(strcmp(e[i].val, e2[i].val) == 0);
        }
    }

out:
    apr_pool_destroy(p);
    return 0;
}
