/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - deciding whether an operator is who they say, once for every
 * channel (the browser sign-in in mod_invqr, WS-Security in the SOAP API).
 *
 * The rules: an unknown username costs the same password hash as a known
 * one and gets the same answer as a wrong password; five wrong passwords in
 * a row lock the account for a cool-down (tries are taken before the check,
 * so a burst of guesses gets five at most; sign-ins with the right password
 * at the same time wait for each other, they never lock the account);
 * locked and removed accounts cannot sign in; a client address whose
 * unknown users and wrong passwords reach INVQR_AUTH_CLIENT_MAX_FAILURES in
 * the window may only try the accounts that have signed in from it before
 * (429 with the seconds to wait for the others); every attempt is audited.
 */
#ifndef INVQR_OPERATOR_AUTH_H
#define INVQR_OPERATOR_AUTH_H

#include "invqr_conf.h"
#include "invqr_db.h"

typedef enum {
    INVQR_AUTH_OK = 0,
    INVQR_AUTH_FAILED,       /* unknown, wrong, locked or removed: one answer */
    INVQR_AUTH_THROTTLED,    /* this client failed too often */
    INVQR_AUTH_UNAVAILABLE
} invqr_auth_rc;

#define INVQR_AUTH_CLIENT_WINDOW 900          /* seconds a client's failures count */
#define INVQR_AUTH_CLIENT_MAX_FAILURES 100    /* ... before it is throttled */
#define INVQR_AUTH_KNOWN_CLIENT_DAYS 90       /* an address stays known to an operator */

/* How the password is proven: in clear (form, PasswordText), or by a
 * check of the clear password the caller supplies (PasswordDigest). */
typedef struct {
    const char *password;
    int (*digest_ok)(void *baton, const char *password);
    void *baton;
} invqr_auth_proof_t;

typedef struct {
    long long operator_id;
    long long org_id;
    char org_name[801];       /* VARCHAR(200) utf8mb4 */
    long long wait_seconds;   /* INVQR_AUTH_THROTTLED: until the client may try again */
} invqr_operator_t;

/**
 * Authenticate username with proof from client (its address). dummy_hash
 * is an argon2id hash of a random password, computed at start-up.
 * channel ("web", "soap") goes into the audit row.
 */
invqr_auth_rc invqr_operator_auth(invqr_operator_t *out, invqr_db_t *db, const invqr_conf_t *conf,
                                  const char *dummy_hash, const char *client, const char *username,
                                  const invqr_auth_proof_t *proof, const char *channel);

#endif
