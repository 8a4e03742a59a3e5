/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - operator authentication, one implementation for every channel. */
#include <string.h>

#include <apr_strings.h>
#include <openssl/crypto.h>

#include "invqr_audit.h"
#include "invqr_log.h"
#include "invqr_metrics.h"
#include "invqr_operator_auth.h"
#include "invqr_password.h"

#define MAX_FAILURES 5          /* wrong passwords in a row before the lock */
#define LOCK_SECONDS 900        /* cool-down of a locked account */
#define CLIENT_MAX_FAILURES 20  /* failed sign-ins per client in the window */

static apr_status_t audit(invqr_db_t *db, const char *client, long long id, const char *outcome,
                          const char *channel)
{
    invqr_audit_t a;

    memset(&a, 0, sizeof(a));
    a.actor = "operator";
    a.operator_id = id;
    a.client = client;
    a.event = "login";
    a.outcome = outcome;
    a.detail = channel;
    return invqr_audit_write(db, &a);
}

static invqr_auth_rc authenticate(invqr_operator_t *out, invqr_db_t *db, const invqr_conf_t *conf,
                                  const char *dummy_hash, const char *client, const char *username,
                                  const invqr_auth_proof_t *proof, const char *channel)
{
    char key[80], hash[INVQR_PASSWORD_HASH_MAX + 1] = "", clear[INVQR_PASSWORD_MAX + 1];
    unsigned char sealed[INVQR_SEALED_MAX + 1];
    long long id = 0, usable = 0, failures = 0, org = 0;
    unsigned long long rows = 0;
    invqr_binds_t in, res;
    int ok = 0;

    memset(out, 0, sizeof(*out));
    if (client == NULL)
        client = "";
    apr_snprintf(key, sizeof(key), "login:%s", client);
    /* The client's try is counted first, then the count is read: a burst
     * from one client cannot all see the count before it grows. */
    invqr_binds_init(&in);
    invqr_bind_str(&in, key, strlen(key));
    if (invqr_db_exec(db, INVQR_SQL_CLIENT_FAIL, &in, NULL, NULL, NULL, NULL) != APR_SUCCESS)
        return INVQR_AUTH_UNAVAILABLE;
    invqr_binds_init(&in);
    invqr_bind_str(&in, key, strlen(key));
    invqr_bind_int(&in, INVQR_AUTH_CLIENT_WINDOW);
    invqr_binds_init(&res);
    invqr_bind_out_int(&res, &failures);
    if (invqr_db_exec(db, INVQR_SQL_CLIENT_COUNT, &in, &res, NULL, NULL, NULL) != APR_SUCCESS)
        return INVQR_AUTH_UNAVAILABLE;
    if (failures > CLIENT_MAX_FAILURES) {
        invqr_log(INVQR_LOG_NOTICE, "INVQR0013: sign-in throttled for a client");
        return audit(db, client, 0, "throttled", channel) == APR_SUCCESS ? INVQR_AUTH_THROTTLED
                                                                          : INVQR_AUTH_UNAVAILABLE;
    }
    if (username == NULL || strlen(username) > 64)
        username = "";
    invqr_binds_init(&in);
    invqr_bind_str(&in, username, strlen(username));
    invqr_binds_init(&res);
    invqr_bind_out_int(&res, &id);
    invqr_bind_out_str(&res, hash, sizeof(hash));
    invqr_bind_out_int(&res, &usable);
    invqr_bind_out_int(&res, &org);
    invqr_bind_out_str(&res, out->org_name, sizeof(out->org_name));
    invqr_bind_out_str(&res, (char *)sealed, sizeof(sealed));
    if (invqr_db_exec(db, INVQR_SQL_OPERATOR_AUTH, &in, &res, NULL, NULL, &rows) != APR_SUCCESS)
        return INVQR_AUTH_UNAVAILABLE;
    if (rows > 0) {
        /* take one of the account's tries before checking anything */
        unsigned long long took = 0;

        invqr_binds_init(&in);
        invqr_bind_int(&in, MAX_FAILURES);
        invqr_bind_int(&in, LOCK_SECONDS);
        invqr_bind_int(&in, id);
        if (invqr_db_exec(db, INVQR_SQL_OPERATOR_ATTEMPT, &in, NULL, NULL, NULL, &took) != APR_SUCCESS)
            return INVQR_AUTH_UNAVAILABLE;
        if (took == 0)
            usable = 0;   /* locked or not active: the check still runs, for timing */
    }

    if (proof->digest_ok != NULL) {
        /* PasswordDigest: the sealed copy of the password decides */
        if (rows > 0 && !invqr_binds_is_null(&res, 5)
            && invqr_password_open(clear, conf->secret, sealed, res.len[5]) == 0) {
            ok = proof->digest_ok(proof->baton, clear);
            OPENSSL_cleanse(clear, sizeof(clear));
        }
    }
    else {
        /* the hash is computed whatever the account, so timing says nothing */
        const char *pw = proof->password != NULL ? proof->password : "";
        ok = invqr_password_verify(rows > 0 ? hash : dummy_hash, pw, strlen(pw));
    }
    OPENSSL_cleanse(hash, sizeof(hash));
    OPENSSL_cleanse(sealed, sizeof(sealed));

    if (rows == 0 || !ok || !usable) {
        if (audit(db, client, rows > 0 ? id : 0,
                  rows == 0 ? "unknown" : !usable ? "locked" : "wrong_password", channel) != APR_SUCCESS)
            return INVQR_AUTH_UNAVAILABLE;
        memset(out, 0, sizeof(*out));
        return INVQR_AUTH_FAILED;
    }
    /* a right password gives back the account's and the client's tries */
    invqr_binds_init(&in);
    invqr_bind_int(&in, id);
    if (invqr_db_exec(db, INVQR_SQL_OPERATOR_LOGIN_OK, &in, NULL, NULL, NULL, NULL) != APR_SUCCESS)
        return INVQR_AUTH_UNAVAILABLE;
    invqr_binds_init(&in);
    invqr_bind_str(&in, key, strlen(key));
    if (invqr_db_exec(db, INVQR_SQL_CLIENT_REFUND, &in, NULL, NULL, NULL, NULL) != APR_SUCCESS
        || audit(db, client, id, "ok", channel) != APR_SUCCESS)
        return INVQR_AUTH_UNAVAILABLE;
    out->operator_id = id;
    out->org_id = org;
    return INVQR_AUTH_OK;
}

/* Counted by channel and outcome, in the order of invqr_auth_rc. */
_Static_assert(INVQR_METRIC_SIGNIN_WEB_UNAVAILABLE - INVQR_METRIC_SIGNIN_WEB_OK == INVQR_AUTH_UNAVAILABLE
               && INVQR_METRIC_SIGNIN_SOAP_UNAVAILABLE - INVQR_METRIC_SIGNIN_SOAP_OK
                  == INVQR_AUTH_UNAVAILABLE,
               "invqr_metrics.def lists the sign-in outcomes in invqr_auth_rc order");
invqr_auth_rc invqr_operator_auth(invqr_operator_t *out, invqr_db_t *db, const invqr_conf_t *conf,
                                  const char *dummy_hash, const char *client, const char *username,
                                  const invqr_auth_proof_t *proof, const char *channel)
{
    invqr_auth_rc rc = authenticate(out, db, conf, dummy_hash, client, username, proof, channel);
    invqr_metric_t first = channel != NULL && strcmp(channel, "soap") == 0
                           ? INVQR_METRIC_SIGNIN_SOAP_OK : INVQR_METRIC_SIGNIN_WEB_OK;

    if ((unsigned)rc <= INVQR_AUTH_UNAVAILABLE)
        invqr_metric_inc((invqr_metric_t)(first + (int)rc));
    return rc;
}
