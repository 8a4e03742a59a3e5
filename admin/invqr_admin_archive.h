/* SPDX-License-Identifier: Apache-2.0 */
/* invqr-admin audit archive: audit-log retention by the administrator. */
#ifndef INVQR_ADMIN_ARCHIVE_H
#define INVQR_ADMIN_ARCHIVE_H

#include <apr_pools.h>

#include "invqr_db.h"

/**
 * Move the audit rows older than the day before (YYYY-MM-DD, UTC) out of
 * the store of db (the admin user's connection) into the new file out, with
 * its SHA-256 in out.sha256; the rows are removed only once the file was
 * read back and found whole. Messages go to stderr, the summary to stdout.
 * Returns the exit status: 0 done (or nothing to archive), 2 refused or
 * failed (nothing removed unless the message says how much).
 */
int invqr_admin_audit_archive(invqr_db_t *db, const char *before, const char *out,
                              apr_pool_t *p);

#endif
