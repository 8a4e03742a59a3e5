/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - loading the status store from the agency's CSV archive.
 *
 * Implements the import contract (docs/contract.md): any column order, every row
 * validated with line-numbered rejects, upserts by fiscal code in one
 * transaction with array-bound prepared statements, --strict applying
 * nothing when any row is bad, and counts of what changed.
 */
#ifndef INVQR_IMPORT_H
#define INVQR_IMPORT_H

#include <stdio.h>
#include <apr_pools.h>

#include "invqr_csv.h"
#include "invqr_db.h"

typedef struct {
    unsigned long rows;       /* data records read */
    unsigned long accepted;   /* valid rows */
    unsigned long rejected;
    unsigned long inserted;   /* new citizens */
    unsigned long updated;    /* citizens whose record changed */
    unsigned long unchanged;
    int applied;              /* whether the transaction was committed */
} invqr_import_stats_t;

typedef enum { INVQR_IMPORT_ALL = 0, INVQR_IMPORT_SOME_REJECTED = 1, INVQR_IMPORT_NOTHING = 2 } invqr_import_rc;

/**
 * Import path into the store through db (an admin connection). Each reject
 * is one line on rejects: "FILE:LINE: COLUMN: REASON". Returns the exit
 * status of the contract: 0 all applied, 1 some rows rejected (the others
 * applied), 2 nothing could be applied (with strict, any row rejected; or
 * every row rejected; or the file or the store failed). Scratch memory
 * comes from p.
 */
invqr_import_rc invqr_import_file(invqr_import_stats_t *st, invqr_db_t *db, const char *path,
                                  int strict, FILE *rejects, apr_pool_t *p);

/**
 * The next record of an import file (path, read by csv), for both imports:
 * a row that is not a record is written to rejects as "PATH:LINE: row:
 * REASON", counted in *prejected, and skipped. Every row read is counted in
 * *prows. INVQR_CSV_RECORD (in row), INVQR_CSV_EOF (the end; a last record
 * cut short, already reported, ends the file the same way) or
 * INVQR_CSV_FATAL: the input could not be read, so the rest of it is unknown
 * and nothing of it may be applied (already reported).
 */
invqr_csv_rc invqr_import_next_record(invqr_csv_t *csv, invqr_csv_row_t *row, FILE *rejects,
                                      const char *path, unsigned long *prows,
                                      unsigned long *prejected);

#endif
