/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - operator authentication, one implementation for every channel. */
#include <string.h>

#include <apr_strings.h>
#include <apr_time.h>
#include <openssl/crypto.h>

#include "invqr_audit.h"
#include "invqr_log.h"
#include "invqr_metrics.h"
#include "invqr_operator_auth.h"
#include "invqr_password.h"

#define MAX_FAILURES 5          /* wrong passwords in a row before the lock */
#define LOCK_SECONDS 900        /* cool-down of a locked account */
#define WAIT_STEP 20000         /* microseconds between looks at tries in flight */
#define WAIT_STEPS 150          /* ... at most (3 s): then the try counts as refused */

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

#define BUCKETS (INVQR_AUTH_CLIENT_WINDOW / 60 + 2)   /* minute buckets in a window, at most */

typedef struct {
    long long hits, left;       /* the row being fetched */
    long long bucket_hits[BUCKETS], bucket_left[BUCKETS];
    int n;
} buckets_t;

static int bucket_row(void *baton, invqr_binds_t *out)
{
    buckets_t *b = baton;

    (void)out;
    if (b->n >= BUCKETS)
        return 1;
    b->bucket_hits[b->n] = b->hits;
    b->bucket_left[b->n] = b->left;
    b->n++;
    return 0;
}

/* The client's failed sign-ins in the window (*pfailures) and, when they
 * have reached the limit, the seconds until enough of them have left it
 * (*pwait, else 0): the buckets leave oldest first. */
static apr_status_t client_failures(long long *pfailures, long long *pwait, invqr_db_t *db,
                                    const char *key)
{
    buckets_t b;
    invqr_binds_t in, res;
    long long total = 0;
    int i;

    *pfailures = 0;
    *pwait = 0;
    memset(&b, 0, sizeof(b));
    invqr_binds_init(&in);
    invqr_bind_int(&in, INVQR_AUTH_CLIENT_WINDOW);
    invqr_bind_str(&in, key, strlen(key));
    invqr_bind_int(&in, INVQR_AUTH_CLIENT_WINDOW);
    invqr_binds_init(&res);
    invqr_bind_out_int(&res, &b.hits);
    invqr_bind_out_int(&res, &b.left);
    if (invqr_db_exec(db, INVQR_SQL_CLIENT_BUCKETS, &in, &res, bucket_row, &b, NULL) != APR_SUCCESS)
        return APR_EGENERAL;
    for (i = 0; i < b.n; i++)
        total += b.bucket_hits[i];
    *pfailures = total;
    for (i = 0; i < b.n && total >= INVQR_AUTH_CLIENT_MAX_FAILURES; i++) {
        total -= b.bucket_hits[i];
        *pwait = b.bucket_left[i];
    }
    return APR_SUCCESS;
}

static apr_status_t client_failed(invqr_db_t *db, const char *key)
{
    invqr_binds_t in;

    invqr_binds_init(&in);
    invqr_bind_str(&in, key, strlen(key));
    return invqr_db_exec(db, INVQR_SQL_CLIENT_FAIL, &in, NULL, NULL, NULL, NULL);
}

/* Take one of the account's tries (OPERATOR_ATTEMPT). None left while the
 * account is usable means tries of other sign-ins are in flight: wait for
 * them to be settled (a right password gives them back) rather than refuse.
 * *ptook is 0 when the account is locked, not active, or still busy after
 * the wait. */
static apr_status_t take_try(int *ptook, invqr_db_t *db, long long id)
{
    unsigned long long took = 0, rows = 0;
    long long usable = 0;
    invqr_binds_t in, res;
    int step;

    *ptook = 0;
    for (step = 0; step <= WAIT_STEPS; step++) {
        invqr_binds_init(&in);
        invqr_bind_int(&in, MAX_FAILURES);
        invqr_bind_int(&in, id);
        invqr_bind_int(&in, MAX_FAILURES);
        if (invqr_db_exec(db, INVQR_SQL_OPERATOR_ATTEMPT, &in, NULL, NULL, NULL, &took) != APR_SUCCESS)
            return APR_EGENERAL;
        if (took > 0) {
            *ptook = 1;
            return APR_SUCCESS;
        }
        invqr_binds_init(&in);
        invqr_bind_int(&in, id);
        invqr_binds_init(&res);
        invqr_bind_out_int(&res, &usable);
        if (invqr_db_exec(db, INVQR_SQL_OPERATOR_USABLE, &in, &res, NULL, NULL, &rows) != APR_SUCCESS)
            return APR_EGENERAL;
        if (rows == 0 || !usable)
            return APR_SUCCESS;
        apr_sleep(WAIT_STEP);
    }
    return APR_SUCCESS;
}

static invqr_auth_rc authenticate(invqr_operator_t *out, invqr_db_t *db, const invqr_conf_t *conf,
                                  const char *dummy_hash, const char *client, const char *username,
                                  const invqr_auth_proof_t *proof, const char *channel)
{
    char key[80], hash[INVQR_PASSWORD_HASH_MAX + 1] = "", clear[INVQR_PASSWORD_MAX + 1];
    unsigned char sealed[INVQR_SEALED_MAX + 1];
    long long id = 0, usable = 0, failures = 0, wait = 0, org = 0, one = 0;
    unsigned long long rows = 0, known = 0;
    invqr_binds_t in, res;
    int ok = 0, took = 0;

    memset(out, 0, sizeof(*out));
    if (client == NULL)
        client = "";
    apr_snprintf(key, sizeof(key), "login:%s", client);
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

    /* A client whose failures (unknown users, wrong passwords) reached the
     * limit is spraying passwords: it may still try the accounts that have
     * signed in from its address, so a colleague behind the same router
     * who knows their password is never kept out; nothing else is checked
     * until enough of its failures have aged out of the window. */
    if (client_failures(&failures, &wait, db, key) != APR_SUCCESS)
        return INVQR_AUTH_UNAVAILABLE;
    if (failures >= INVQR_AUTH_CLIENT_MAX_FAILURES) {
        if (rows > 0) {
            invqr_binds_init(&in);
            invqr_bind_int(&in, id);
            invqr_bind_str(&in, client, strlen(client));
            invqr_bind_int(&in, INVQR_AUTH_KNOWN_CLIENT_DAYS);
            invqr_binds_init(&res);
            invqr_bind_out_int(&res, &one);
            if (invqr_db_exec(db, INVQR_SQL_OPERATOR_CLIENT_KNOWN, &in, &res, NULL, NULL, &known)
                != APR_SUCCESS)
                return INVQR_AUTH_UNAVAILABLE;
        }
        if (known == 0) {
            OPENSSL_cleanse(hash, sizeof(hash));
            OPENSSL_cleanse(sealed, sizeof(sealed));
            memset(out, 0, sizeof(*out));
            out->wait_seconds = wait > 0 ? wait : 60;
            invqr_log(INVQR_LOG_NOTICE, "INVQR0013: sign-in throttled for a client");
            return audit(db, client, 0, "throttled", channel) == APR_SUCCESS ? INVQR_AUTH_THROTTLED
                                                                              : INVQR_AUTH_UNAVAILABLE;
        }
    }
    if (rows > 0) {
        /* take one of the account's tries before checking anything */
        if (take_try(&took, db, id) != APR_SUCCESS)
            return INVQR_AUTH_UNAVAILABLE;
        if (!took)
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
        /* a wrong password settles its try (the fifth in a row locks);
         * unknown users and wrong passwords count against the client,
         * tries on a locked account (which learn nothing) do not */
        if (rows > 0 && usable) {
            invqr_binds_init(&in);
            invqr_bind_int(&in, LOCK_SECONDS);
            invqr_bind_int(&in, id);
            invqr_bind_int(&in, MAX_FAILURES);
            if (invqr_db_exec(db, INVQR_SQL_OPERATOR_LOGIN_WRONG, &in, NULL, NULL, NULL, NULL)
                != APR_SUCCESS)
                return INVQR_AUTH_UNAVAILABLE;
        }
        if ((rows == 0 || usable) && client_failed(db, key) != APR_SUCCESS)
            return INVQR_AUTH_UNAVAILABLE;
        if (audit(db, client, rows > 0 ? id : 0,
                  rows == 0 ? "unknown" : !usable ? "locked" : "wrong_password", channel) != APR_SUCCESS)
            return INVQR_AUTH_UNAVAILABLE;
        memset(out, 0, sizeof(*out));
        return INVQR_AUTH_FAILED;
    }
    /* a right password gives back the account's tries, and its address is
     * known from now on */
    invqr_binds_init(&in);
    invqr_bind_int(&in, id);
    if (invqr_db_exec(db, INVQR_SQL_OPERATOR_LOGIN_OK, &in, NULL, NULL, NULL, NULL) != APR_SUCCESS)
        return INVQR_AUTH_UNAVAILABLE;
    invqr_binds_init(&in);
    invqr_bind_int(&in, id);
    invqr_bind_str(&in, client, strlen(client));
    if (invqr_db_exec(db, INVQR_SQL_OPERATOR_CLIENT_ADD, &in, NULL, NULL, NULL, NULL) != APR_SUCCESS
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
