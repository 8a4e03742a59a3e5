/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the contract between mod_invqr and the workers, written once.
 *
 * mod_invqr hands every worker request the identity it verified in FastCGI
 * parameters whose names start with INVQR_ (it strips any client-sent copy
 * first), together with a gate value derived from the shared secret, so a
 * worker refuses anything that did not come through the module. Both sides
 * take the names, the derivation and the timing decoy from here.
 */
#ifndef INVQR_WIRE_H
#define INVQR_WIRE_H

#include "invqr_conf.h"

#define INVQR_WIRE_PREFIX      "INVQR_"
#define INVQR_WIRE_GATE        "INVQR_GATE"        /* hex HMAC of the secret (below) */
#define INVQR_WIRE_ROUTE       "INVQR_ROUTE"       /* the route's name (invqr_routes.def) */
#define INVQR_WIRE_ARG         "INVQR_ARG"         /* the path segment, e.g. the code */
#define INVQR_WIRE_LANG        "INVQR_LANG"        /* it, en, ... */
#define INVQR_WIRE_BASE        "INVQR_BASE"        /* InvQRBasePath, "" for / */
#define INVQR_WIRE_PATH        "INVQR_PATH"        /* the path below the base */
#define INVQR_WIRE_CSRF        "INVQR_CSRF"        /* the token forms must send back */
#define INVQR_WIRE_CLIENT      "INVQR_CLIENT"      /* the client address httpd sees */
#define INVQR_WIRE_DEMO        "INVQR_DEMO"        /* "1" when the demo sign-in is on */
#define INVQR_WIRE_CITIZEN     "INVQR_CITIZEN"     /* the citizen the request is about: the
                                                    * signed-in one, or the holder a
                                                    * delegate acts for */
#define INVQR_WIRE_DELEGATE    "INVQR_DELEGATE"    /* the signed-in person when acting for
                                                    * INVQR_CITIZEN (checked in the store
                                                    * at this request) */
#define INVQR_WIRE_DELEGATE_ROLE "INVQR_DELEGATE_ROLE" /* their role (invqr_role_name) */
#define INVQR_WIRE_HOLDER_NAME "INVQR_HOLDER_NAME" /* the holder's name on record, or absent */
#define INVQR_WIRE_DELEGATION_ENDED "INVQR_DELEGATION_ENDED" /* "1": the session's choice
                                                    * of whom to act for just ended */
#define INVQR_WIRE_SIGNOUT     "INVQR_SIGNOUT"     /* where the signed-in citizen signs out upstream */
#define INVQR_WIRE_SESSION     "INVQR_SESSION"     /* hex SHA-256 of an operator's session */
#define INVQR_WIRE_OPERATOR_ID "INVQR_OPERATOR_ID"
#define INVQR_WIRE_OPERATOR    "INVQR_OPERATOR"    /* the operator's user name */
#define INVQR_WIRE_ORG_ID      "INVQR_ORG_ID"
#define INVQR_WIRE_ORG         "INVQR_ORG"         /* the organisation's name */
#define INVQR_WIRE_VOUCHER     "INVQR_VOUCHER"     /* SOAP only: the Bearer token of the
                                                    * Authorization header (a PDND voucher),
                                                    * "" when one was sent malformed */
#define INVQR_WIRE_VOUCHER_MAX 8192                /* bytes, as INVQR_VOUCHER_MAX_LEN */

#define INVQR_WIRE_GATE_CHARS 64

/** The gate value for secret: hex HMAC-SHA256(secret, "invqr-worker-gate"). */
void invqr_wire_gate(char out[INVQR_WIRE_GATE_CHARS + 1], const invqr_conf_t *conf);

#endif
