/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the citizen area's parts about delegates: whom the signed-in
 * person may act for (the act-as form), who may act for the holder, what
 * they did, and whether the holder may act for themselves. */
#ifndef INVQR_CITIZEN_DELEGATES_H
#define INVQR_CITIZEN_DELEGATES_H

#include "invqr_app.h"
#include "invqr_delegation.h"

/** The role's name for people ("Genitore", "Parent"). */
invqr_msg_t invqr_citizen_role_msg(invqr_role_t role);

/**
 * The act-as form (POST /citizen/act-as, field holder) when the signed-in
 * person has delegations in effect; nothing otherwise. A notice first when
 * the session's choice has just ended. APR_EGENERAL when the store failed.
 */
apr_status_t invqr_citizen_act_as_section(invqr_page_t *pg, invqr_el_t *main, invqr_db_t *db,
                                          const invqr_request_t *req);

/**
 * Who may act for the holder (req->citizen) and what the people acting for
 * them did, newest first: the holder's side of delegation.
 */
apr_status_t invqr_citizen_delegates_sections(invqr_page_t *pg, invqr_el_t *main, invqr_db_t *db,
                                              const invqr_request_t *req);

/**
 * Whether this request may change the holder's attestation: someone acting
 * for them may; the holder themselves may unless represented (a minor, or
 * under guardianship; invqr_delegation.h). record_birth is the status
 * record's birth date or NULL. *pmay 1 or 0; APR_EGENERAL when the store
 * failed.
 */
apr_status_t invqr_citizen_may_act(int *pmay, invqr_db_t *db, const invqr_request_t *req,
                                   const char *record_birth);

/** Audit a download by someone acting for the holder (nothing otherwise). */
apr_status_t invqr_citizen_audit_download(invqr_db_t *db, const invqr_request_t *req,
                                          const char *code);

#endif
