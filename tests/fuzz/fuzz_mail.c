/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - libFuzzer target for the e-mail address parser
 * (parse/invqr_mail_addr.c) and the encoded-word header writer
 * (services/invqr_mail_msg.c), the two ways a citizen's input reaches an
 * e-mail's header.
 *
 * What must hold whatever the input: a refused address leaves out empty;
 * a taken one is printable ASCII without white space, '<', '>', '"', ',',
 * '(' or ')', has one '@', is at most INVQR_MAIL_ADDR_MAX long, parses
 * again to itself, and is the input less surrounding white space with the
 * domain in lower case; input over INVQR_MAIL_MAX_INPUT is refused for its
 * length. A header written from the input (up to its first NUL) exists
 * exactly when that is UTF-8 text without control characters, and is ASCII lines of at most
 * 78 characters ending in CRLF. Each input gets its own APR pool.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "invqr_mail_addr.h"
#include "invqr_mail_msg.h"
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

static int is_space(char c)
{
    return c != '\0' && strchr(" \t\n\r\v\f", c) != NULL;
}

static void check_address(const char *in, size_t size)
{
    char out[INVQR_MAIL_ADDR_MAX + 1], again[INVQR_MAIL_ADDR_MAX + 1];
    invqr_mail_addr_rc rc;
    size_t start = 0, end = size, n, i, ats = 0, at = 0;

    memset(out, 'X', sizeof(out));
    rc = invqr_mail_addr_parse(out, in, size);
    CHECK(invqr_mail_addr_reason(rc) != NULL);
    if (size > INVQR_MAIL_MAX_INPUT)
        CHECK(rc == INVQR_MAIL_ADDR_LENGTH);
    if (rc != INVQR_MAIL_ADDR_OK) {
        CHECK(out[0] == '\0');
        return;
    }
    n = strlen(out);
    CHECK(n > 0 && n <= INVQR_MAIL_ADDR_MAX);
    for (i = 0; i < n; i++) {
        CHECK(out[i] > ' ' && out[i] < 0x7f);
        CHECK(strchr("<>\",()[]\\;:", out[i]) == NULL);
        if (out[i] == '@') {
            ats++;
            at = i;
        }
    }
    CHECK(ats == 1 && at > 0 && at + 1 < n);
    CHECK(invqr_mail_addr_parse(again, out, n) == INVQR_MAIL_ADDR_OK);
    CHECK(strcmp(again, out) == 0);
    while (start < end && is_space(in[start]))
        start++;
    while (end > start && is_space(in[end - 1]))
        end--;
    CHECK(end - start == n);
    CHECK(memcmp(in + start, out, at) == 0);
    CHECK(strncasecmp(in + start + at, out + at, n - at) == 0);
    for (i = at; i < n; i++)
        CHECK(!(out[i] >= 'A' && out[i] <= 'Z'));
}

static void check_header(const char *in, size_t size, apr_pool_t *p)
{
    const char *value = apr_pstrndup(p, in, size), *h, *s, *eol;
    /* the writer takes a C string: the input up to its first NUL */
    int text = invqr_utf8_count_text(value, strlen(value), 0) >= 0;

    h = invqr_mail_encoded_header("Subject", value, p);
    CHECK((h != NULL) == text);
    if (h == NULL)
        return;
    CHECK(strncmp(h, "Subject: =?UTF-8?B?", 19) == 0);
    for (s = h; *s != '\0'; s = eol + 2) {
        eol = strstr(s, "\r\n");
        CHECK(eol != NULL && eol - s <= 78);
        for (const char *c = s; c < eol; c++)
            CHECK(*c >= ' ' && *c < 0x7f);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialized;
    apr_pool_t *p = NULL;

    if (!initialized) {
        CHECK(apr_initialize() == APR_SUCCESS);
        atexit(apr_terminate);
        initialized = 1;
    }
    CHECK(apr_pool_create(&p, NULL) == APR_SUCCESS);
    check_address((const char *)data, size);
    if (size <= 4096)
        check_header((const char *)data, size, p);
    apr_pool_destroy(p);
    return 0;
}
