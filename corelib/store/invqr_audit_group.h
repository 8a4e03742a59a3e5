/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - audit rows of concurrent requests written in one statement.
 *
 * Under load many worker threads audit at the same moment, and one INSERT
 * each costs the store a round trip, a statement and a commit apiece. Here
 * the rows queue and the first thread that finds no write in progress
 * becomes the writer: it takes every queued row (its own among them), sends
 * them as one array-bound INSERT on its own connection and wakes their
 * threads with the outcome. A caller returns only once its row is in the
 * store, or with the error, exactly as with invqr_audit_write(): "audited
 * before answered" holds. A thread alone waits for nobody.
 */
#ifndef INVQR_AUDIT_GROUP_H
#define INVQR_AUDIT_GROUP_H

#include <apr_pools.h>

#include "invqr_audit.h"
#include "invqr_db.h"

typedef struct invqr_audit_group_t invqr_audit_group_t;

/** A group shared by the threads of one process, allocated from p (which
 * must outlive them). NULL when out of memory. */
invqr_audit_group_t *invqr_audit_group_create(apr_pool_t *p);

/**
 * Append row a and return once it is in the store: APR_SUCCESS, or
 * APR_EGENERAL (logged) when the store refused it. db is the caller's own
 * connection, used if this thread becomes the writer. With g NULL it is
 * invqr_audit_write(db, a).
 */
apr_status_t invqr_audit_group_write(invqr_audit_group_t *g, invqr_db_t *db,
                                     const invqr_audit_t *a);

#endif
