/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - what invqr-admin does with delegations: check one (the same rules
 * for `delegation add` and each row of `delegation import`), apply it under
 * INPS's limits, remove it, and import a CSV file of them with the reject
 * and exit-status contract of the status import (docs/contract.md).
 */
#ifndef INVQR_DELEGATION_ADMIN_H
#define INVQR_DELEGATION_ADMIN_H

#include <stdio.h>
#include <apr_pools.h>

#include "invqr_db.h"
#include "invqr_delegation.h"
#include "invqr_delegation_row.h"
#include "invqr_import.h"

typedef enum {
    INVQR_DELEGATION_NEW = 0,
    INVQR_DELEGATION_UPDATED,
    INVQR_DELEGATION_UNCHANGED
} invqr_delegation_change_t;

/**
 * Apply row through db (in the caller's transaction): insert it, or, when
 * a live delegation of the same two people differs, remove that one and
 * insert the new (the history stays). INPS's rules, at today's date: a minor
 * holder (record's birth date, else the fiscal code's) is represented only
 * by a parent or a guardian; a parent represents only a minor; a plain
 * delegate acts for at most INVQR_DELEGATE_MAX_HOLDERS people; valid_until
 * not in the past; the delegate is of age. Returns APR_SUCCESS with *pchange; APR_EINVAL when a rule
 * refuses it (*pcol, *preason: a static English reason); APR_EGENERAL when
 * the store failed. by is recorded as created_by.
 */
apr_status_t invqr_delegation_apply(invqr_delegation_change_t *pchange, invqr_dcol_t *pcol,
                                    const char **preason, invqr_db_t *db,
                                    const invqr_delegation_row_t *row, const char *by);

/** Remove the live delegation of delegate for holder: APR_SUCCESS,
 * APR_NOTFOUND when there is none, APR_EGENERAL. */
apr_status_t invqr_delegation_remove(invqr_db_t *db, const char *holder, const char *delegate,
                                     const char *by);

/**
 * `delegation import FILE.csv`: columns holder_fiscal_code,
 * delegate_fiscal_code, role, valid_from, valid_until in any order, each
 * once; rejects as "FILE:LINE: COLUMN: REASON" on rejects; one transaction.
 * Returns the status import's exit status (invqr_import_rc) with st's
 * counts (inserted = new, updated, unchanged).
 */
invqr_import_rc invqr_delegation_import(invqr_import_stats_t *st, invqr_db_t *db, const char *path,
                                        int strict, FILE *rejects, apr_pool_t *p);

#endif
