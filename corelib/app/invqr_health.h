/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - GET /health, for balancers and monitoring. */
#ifndef INVQR_HEALTH_H
#define INVQR_HEALTH_H

#include "invqr_app.h"

/**
 * 200 "ok" when this worker's store connection answers a trivial query,
 * 503 "unavailable" otherwise. Plain text, never cached, nothing else said.
 */
void invqr_health_route(invqr_app_t *app, const invqr_request_t *req,
                        invqr_response_t *resp, apr_pool_t *p);

#endif
