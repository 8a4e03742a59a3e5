/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the pages every Italian public service links from its footer
 * and ships with defaults: the privacy notice (GET /privacy, GDPR art. 13,
 * controller and DPO from invqr.conf) and the citizens' help (GET /help). */
#ifndef INVQR_INFO_PAGES_H
#define INVQR_INFO_PAGES_H

#include "invqr_app.h"

void invqr_privacy_route(invqr_app_t *app, const invqr_request_t *req, invqr_response_t *resp,
                         apr_pool_t *p);
void invqr_help_route(invqr_app_t *app, const invqr_request_t *req, invqr_response_t *resp,
                      apr_pool_t *p);

#endif
