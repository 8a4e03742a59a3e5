/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - one delegation as invqr-admin reads it (`delegation add`, each row
 * of `delegation import`): its columns and the one check of its fields.
 * Pure: no store, no pool; fuzzed through tests/fuzz/fuzz_csv.c.
 */
#ifndef INVQR_DELEGATION_ROW_H
#define INVQR_DELEGATION_ROW_H

#include <stddef.h>

#include "invqr_fiscal.h"
#include "invqr_role.h"

typedef enum {
    INVQR_DCOL_HOLDER = 0,
    INVQR_DCOL_DELEGATE,
    INVQR_DCOL_ROLE,
    INVQR_DCOL_FROM,
    INVQR_DCOL_UNTIL,
    INVQR_DCOL__COUNT
} invqr_dcol_t;

/** The column's name in the CSV header ("holder_fiscal_code", ...). */
const char *invqr_dcol_name(invqr_dcol_t col);

typedef struct {
    char holder[INVQR_FISCAL_LEN + 1];
    char delegate[INVQR_FISCAL_LEN + 1];
    invqr_role_t role;
    char from[11];    /* "" : from today for a new delegation, unchanged for a live one */
    char until[11];   /* "" : open-ended */
} invqr_delegation_row_t;

/**
 * Check the fields of one delegation (field[c], len[c] for each column c;
 * not NUL-terminated): two valid fiscal codes that differ, a role, dates
 * (valid_until not before valid_from). Fills out and returns NULL, or
 * returns a static English reason and sets *pcol to the column at fault.
 * Allocates nothing; needs no store.
 */
const char *invqr_delegation_row_check(invqr_delegation_row_t *out, invqr_dcol_t *pcol,
                                       const char *const field[INVQR_DCOL__COUNT],
                                       const size_t len[INVQR_DCOL__COUNT]);

#endif
