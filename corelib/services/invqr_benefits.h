/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the benefits that need a verification, and which level each needs.
 *
 * A CSV file the deployment edits (benefits_file in invqr.conf): columns
 * benefit_it, benefit_en, granted_by_it, granted_by_en, level (1 or 2).
 * Loaded once per worker process; a change takes effect when the workers
 * restart.
 */
#ifndef INVQR_BENEFITS_H
#define INVQR_BENEFITS_H

#include <apr_pools.h>

#include "invqr_app.h"

typedef struct invqr_benefits_t invqr_benefits_t;

/**
 * Load path (at most 200 rows, UTF-8). On failure *perr says which line and
 * why, allocated from p.
 */
apr_status_t invqr_benefits_load(invqr_benefits_t **pout, const char **perr, const char *path,
                                 apr_pool_t *p);

/** Route "benefits": the list as a page. */
void invqr_benefits_route(invqr_app_t *app, const invqr_request_t *req, invqr_response_t *resp,
                          apr_pool_t *p);

#endif
