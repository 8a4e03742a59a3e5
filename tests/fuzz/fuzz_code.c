/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - libFuzzer target for typed attestation codes (core/invqr_code.c).
 *
 * Feeds each input to invqr_code_parse() and checks what must hold whatever
 * the input: a failure leaves out empty; a success is 20 Crockford
 * characters, made of exactly the 20 non-separator characters typed, none
 * of them U; it parses again to itself, and so does its grouped form; input
 * over INVQR_CODE_MAX_INPUT is always refused. Each input gets its own APR
 * pool, created and destroyed here.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "invqr_code.h"

#define CHECK(cond)                                                         \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,      \
                    __LINE__, #cond);                                       \
            abort();                                                        \
        }                                                                   \
    } while (0)

static const char CROCKFORD[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int is_separator(uint8_t c)
{
    return c == '-' || c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
           c == '\v' || c == '\f';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialized;
    apr_pool_t *p = NULL;
    char code[INVQR_CODE_LEN + 1], again[INVQR_CODE_LEN + 1];
    char grouped[INVQR_CODE_GROUPED_LEN + 1];
    char *messy;
    size_t typed = 0, i;
    int rc;

    if (!initialized) {
        CHECK(apr_initialize() == APR_SUCCESS);
        atexit(apr_terminate);
        initialized = 1;
    }
    CHECK(apr_pool_create(&p, NULL) == APR_SUCCESS);

    memset(code, 'X', sizeof(code));
    rc = invqr_code_parse(code, (const char *)data, size);
    CHECK(rc == 0 || rc == -1);
    if (size > INVQR_CODE_MAX_INPUT) {
        CHECK(rc == -1);
    }
    if (rc != 0) {
        CHECK(code[0] == '\0');
        goto out;
    }

    CHECK(strlen(code) == INVQR_CODE_LEN);
    for (i = 0; i < INVQR_CODE_LEN; i++) {
        CHECK(code[i] != '\0' && strchr(CROCKFORD, code[i]) != NULL);
    }
    for (i = 0; i < size; i++) {
        CHECK(data[i] != 'U' && data[i] != 'u');
        typed += !is_separator(data[i]);
    }
    CHECK(typed == INVQR_CODE_LEN);

    CHECK(invqr_code_parse(again, code, INVQR_CODE_LEN) == 0);
    CHECK(strcmp(again, code) == 0);

    invqr_code_group(grouped, code);
    CHECK(strlen(grouped) == INVQR_CODE_GROUPED_LEN);
    CHECK(grouped[5] == '-' && grouped[11] == '-' && grouped[17] == '-');
    CHECK(invqr_code_parse(again, grouped, strlen(grouped)) == 0);
    CHECK(strcmp(again, code) == 0);

    /* The same code with separators and in lower case. */
    messy = apr_psprintf(p, " %.5s %.5s-%.5s--%s\n", code, code + 5,
                         code + 10, code + 15);
    for (i = 0; messy[i] != '\0'; i++) {
        if (messy[i] >= 'A' && messy[i] <= 'Z') {
            messy[i] = (char)(messy[i] + 32);
        }
    }
    CHECK(invqr_code_parse(again, messy, strlen(messy)) == 0);
    CHECK(strcmp(again, code) == 0);

out:
    apr_pool_destroy(p);
    return 0;
}
