/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the SOAP API endpoint: GET /soap?wsdl and POST /soap. */
#ifndef INVQR_SOAP_ROUTE_H
#define INVQR_SOAP_ROUTE_H

#include "invqr_app.h"

/** Route "soap". Uses the same verification, authentication and OTP code as the pages. */
void invqr_soap_route(invqr_app_t *app, const invqr_request_t *req, invqr_response_t *resp,
                      apr_pool_t *p);

#endif
