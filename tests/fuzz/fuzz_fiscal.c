/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - libFuzzer target for the fiscal code parser (core/invqr_fiscal.c).
 *
 * Feeds each input to invqr_fiscal_parse(), invqr_fiscal_parse_identity()
 * and invqr_fiscal_parse_typed() and checks what must hold whatever the
 * input: a failure leaves out empty;
 * a success is 16 upper-case characters whose check character agrees with
 * both the parser and an independent reference, that parse again to
 * themselves (also lower-cased and behind "TINIT-"); and input over
 * INVQR_FISCAL_MAX_INPUT is always refused for its length. Each input gets
 * its own APR pool, created and destroyed here.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "invqr_fiscal.h"

#define CHECK(cond)                                                         \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,      \
                    __LINE__, #cond);                                       \
            abort();                                                        \
        }                                                                   \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reference check character: odd-position values from the DM 23/12/1976
 * table, indexed by the character's place in "0-9A-Z". */
static char ref_check(const char *code)
{
    static const char chars[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    static const int odd[] = {
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21,
        2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23
    };
    int sum = 0;

    for (int i = 0; i < 15; i++) {
        int idx = (int)(strchr(chars, code[i]) - chars);

        /* even positions: digits count as themselves, A = 0 ... Z = 25 */
        sum += (i % 2 == 0) ? odd[idx] : (idx < 10 ? idx : idx - 10);
    }
    return (char)('A' + sum % 26);
}

static void check_valid(const char *out)
{
    char again[INVQR_FISCAL_LEN + 1];
    char lower[INVQR_FISCAL_LEN];

    CHECK(strlen(out) == INVQR_FISCAL_LEN);
    for (int i = 0; i < INVQR_FISCAL_LEN; i++) {
        CHECK((out[i] >= 'A' && out[i] <= 'Z') ||
              (out[i] >= '0' && out[i] <= '9'));
        lower[i] = (out[i] >= 'A' && out[i] <= 'Z') ? (char)(out[i] + 32)
                                                    : out[i];
    }
    CHECK(invqr_fiscal_check_char(out) == out[15]);
    CHECK(ref_check(out) == out[15]);
    CHECK(invqr_fiscal_parse(again, out, INVQR_FISCAL_LEN) == INVQR_FISCAL_OK);
    CHECK(strcmp(again, out) == 0);
    CHECK(invqr_fiscal_parse(again, lower, INVQR_FISCAL_LEN) ==
          INVQR_FISCAL_OK);
    CHECK(strcmp(again, out) == 0);
}

/* Does data, less leading ASCII white space, start with "TINIT-"? */
static int has_tinit(const uint8_t *data, size_t size)
{
    size_t i = 0;

    while (i < size && data[i] != '\0' && strchr(" \t\n\r\v\f", data[i])) {
        i++;
    }
    return size - i >= 6 &&
           strncasecmp((const char *)data + i, "TINIT-", 6) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialized;
    apr_pool_t *p = NULL;
    char out[INVQR_FISCAL_LEN + 1], id[INVQR_FISCAL_LEN + 1];
    const char *in = (const char *)data;
    invqr_fiscal_rc rc, rc_id;

    if (!initialized) {
        CHECK(apr_initialize() == APR_SUCCESS);
        atexit(apr_terminate);
        initialized = 1;
    }
    CHECK(apr_pool_create(&p, NULL) == APR_SUCCESS);

    memset(out, 'X', sizeof(out));
    rc = invqr_fiscal_parse(out, in, size);
    CHECK(invqr_fiscal_reason(rc) != NULL);
    if (size > INVQR_FISCAL_MAX_INPUT) {
        CHECK(rc == INVQR_FISCAL_LENGTH);
    }
    if (rc == INVQR_FISCAL_OK) {
        const char *tinit;

        check_valid(out);
        tinit = apr_pstrcat(p, " tInIt-", out, "\t", NULL);
        CHECK(invqr_fiscal_parse_identity(id, tinit, strlen(tinit)) ==
              INVQR_FISCAL_OK);
        CHECK(strcmp(id, out) == 0);
    }
    else {
        CHECK(out[0] == '\0');
    }

    memset(id, 'X', sizeof(id));
    rc_id = invqr_fiscal_parse_identity(id, in, size);
    CHECK(invqr_fiscal_reason(rc_id) != NULL);
    if (rc == INVQR_FISCAL_OK) {
        /* A plain code is never mistaken for a prefixed one. */
        CHECK(rc_id == INVQR_FISCAL_OK && strcmp(id, out) == 0);
    }
    else if (rc_id == INVQR_FISCAL_OK) {
        check_valid(id);
        CHECK(has_tinit(data, size));
    }
    else {
        CHECK(id[0] == '\0');
    }
    if (!has_tinit(data, size)) {
        CHECK(rc_id == rc);
    }

    /* Typed into a form: white space anywhere is dropped, nothing else. */
    memset(id, 'X', sizeof(id));
    rc_id = invqr_fiscal_parse_typed(id, in, size);
    CHECK(invqr_fiscal_reason(rc_id) != NULL);
    if (size > INVQR_FISCAL_MAX_INPUT) {
        CHECK(rc_id == INVQR_FISCAL_LENGTH);
    }
    if (rc == INVQR_FISCAL_OK) {
        CHECK(rc_id == INVQR_FISCAL_OK && strcmp(id, out) == 0);
    }
    if (rc_id == INVQR_FISCAL_OK) {
        check_valid(id);
    }
    else {
        CHECK(id[0] == '\0');
    }

    apr_pool_destroy(p);
    return 0;
}
