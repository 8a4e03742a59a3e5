/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the operator's own pages (sign-in, home, guide) and the layout
 * every page of the operator area shares. */
#ifndef INVQR_OPERATOR_PAGES_H
#define INVQR_OPERATOR_PAGES_H

#include "invqr_app.h"

void invqr_operator_login_route(invqr_app_t *app, const invqr_request_t *req,
                                invqr_response_t *resp, apr_pool_t *p);
void invqr_operator_home_route(invqr_app_t *app, const invqr_request_t *req,
                               invqr_response_t *resp, apr_pool_t *p);
void invqr_operator_help_route(invqr_app_t *app, const invqr_request_t *req,
                               invqr_response_t *resp, apr_pool_t *p);

/**
 * A page of the operator area titled title, from p; *pmain is its main,
 * opened by the h1. A status other than 200 is marked on main as on error
 * pages. With keep_csrf 0 the page carries no form token.
 */
invqr_page_t *invqr_operator_page(const invqr_request_t *req, invqr_msg_t title, int status,
                                  int keep_csrf, invqr_el_t **pmain, apr_pool_t *p);

/** The link to the operator's guide, at the end of main. */
void invqr_operator_help_link(invqr_page_t *pg, invqr_el_t *main, const invqr_request_t *req);

#endif
