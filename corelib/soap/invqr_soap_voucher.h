/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - PDND vouchers on the SOAP endpoint: what a voucher says about the
 * caller, and whether it agrees with the rest of the request.
 *
 * invqr_soap_voucher_read() checks the voucher mod_invqr passed on (the
 * Bearer token of the Authorization header, INVQR_VOUCHER) with PDND's keys
 * and finds the organisation its purposeId is registered for.
 * invqr_soap_voucher_gate() runs once the route knows the caller's
 * organisation by other means (the ModI certificate, the operator of a
 * UsernameToken; 0 when the voucher alone names it): a voucher must belong
 * to that same organisation and, with pdnd_voucher_single_use, be new on
 * every node (its jti in the store until it expires); an organisation that
 * requires vouchers (invqr-admin org voucher ORG required) gets nothing
 * without one. Refusals are logged and audited here, and so is every
 * voucher accepted (PDND's tracing: which jti was spent, for which purpose
 * and client); the route writes the fault.
 */
#ifndef INVQR_SOAP_VOUCHER_H
#define INVQR_SOAP_VOUCHER_H

#include "invqr_app.h"
#include "invqr_voucher.h"

typedef enum {
    INVQR_SV_OK = 0,
    INVQR_SV_REFUSED,          /* AUTH_FAILED, with a reason */
    INVQR_SV_REPLAYED,         /* REPLAYED */
    INVQR_SV_UNAVAILABLE       /* the store failed */
} invqr_sv_rc;

typedef struct {
    int present;               /* a good voucher came with the request */
    long long org_id;          /* the organisation of its purposeId */
    char org_name[801];
    invqr_voucher_t v;
} invqr_soap_voucher_t;

/** Check the request's voucher, if any (none, or vouchers not configured:
 * INVQR_SV_OK with sv->present 0). *preason: static text for the fault. */
invqr_sv_rc invqr_soap_voucher_read(invqr_soap_voucher_t *sv, const char **preason,
                                    invqr_app_t *app, invqr_db_t *db,
                                    const invqr_request_t *req);

/** The voucher agrees with org_id (0: the voucher's own), is new, or the
 * organisation does not require one. An accepted voucher is audited
 * (login, ok, its purposeId, client_id and jti); p: scratch. */
invqr_sv_rc invqr_soap_voucher_gate(const invqr_soap_voucher_t *sv, const char **preason,
                                    invqr_app_t *app, invqr_db_t *db,
                                    const invqr_request_t *req, long long org_id, apr_pool_t *p);

#endif
