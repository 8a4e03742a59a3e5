/* SPDX-License-Identifier: Apache-2.0 */
/* invqr-admin delegation add|remove|list|import (docs/contract.md, Delegates). */
#ifndef INVQR_ADMIN_DELEGATION_H
#define INVQR_ADMIN_DELEGATION_H

#include <apr_pools.h>
#include "invqr_db.h"

/** Run `delegation ARGS`; returns the exit status (0, 1, 2). */
int invqr_admin_delegation(invqr_db_t *db, int argc, char **argv, apr_pool_t *p);

#endif
