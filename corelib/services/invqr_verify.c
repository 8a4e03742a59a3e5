/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - first-level verification.
 *
 * One lookup, every table read by its primary key, brings the code, its
 * cool-down, the holder's first-level data and the client's failures in
 * its window (an unknown code costs one more read for the latter). The
 * guessing limit is decided in the store, so it is exact whatever node or
 * process a guess reaches: a wrong fiscal code is counted with a conditional
 * UPDATE, and the lookup is a locking read of the code's row, so a right one
 * is answered only if no guess before it used up the tries. A burst of
 * guesses thus gets no more than verify_max_failures wrong answers per
 * window, and a right guess after them is refused, while a legitimate
 * verification costs the lookup and the audit row.
 * The client's failures are counted too. Every attempt is audited before the outcome is returned,
 * and if the audit row cannot be written the outcome is "unavailable".
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "invqr_audit_group.h"
#include "invqr_crypto.h"
#include "invqr_fiscal.h"
#include "invqr_log.h"
#include "invqr_metrics.h"
#include "invqr_verify.h"
#include "invqr_when.h"
_Static_assert(INVQR_METRIC_VERIFY1_UNAVAILABLE - INVQR_METRIC_VERIFY1_MATCH == INVQR_V_UNAVAILABLE,
               "invqr_metrics.def lists the outcomes in invqr_verify_outcome order");

int invqr_verify_http_status(invqr_verify_outcome o)
{
    switch (o) {
    case INVQR_V_MATCH: return 200;
    case INVQR_V_BAD_INPUT: return 400;
    case INVQR_V_UNKNOWN: return 404;
    case INVQR_V_REVOKED: return 410;
    case INVQR_V_MISMATCH: return 422;
    case INVQR_V_LIMITED: return 429;
    case INVQR_V_UNAVAILABLE: return 503;
    }
    return 500;
}

static const char *outcome_name(invqr_verify_outcome o)
{
    switch (o) {
    case INVQR_V_MATCH: return "match";
    case INVQR_V_BAD_INPUT: return "bad_input";
    case INVQR_V_UNKNOWN: return "unknown";
    case INVQR_V_REVOKED: return "revoked";
    case INVQR_V_MISMATCH: return "mismatch";
    case INVQR_V_LIMITED: return "limited";
    case INVQR_V_UNAVAILABLE: return "unavailable";
    }
    return "error";
}

/* A wait that ends at end (Unix seconds, from the store): the instant, the
 * same on every page, and the seconds from now (at least 1). */
static void wait_until(invqr_level1_t *out, long long end)
{
    long long now = (long long)time(NULL);

    if (end <= now)
        end = now + 1;
    out->retry_at = end;
    out->retry_after = (int)(end - now);
}

/* Audit the attempt; on failure the answer becomes "unavailable". */
static void finish(invqr_level1_t *out, invqr_db_t *db, const invqr_verify_req_t *req,
                   const char *holder, const char *detail)
{
    invqr_audit_t a;

    memset(&a, 0, sizeof(a));
    a.actor = req->operator_id > 0 ? "operator" : "verifier";
    a.operator_id = req->operator_id;
    a.org_id = req->org_id;
    a.client = req->client;
    a.code = req->code;
    a.fiscal_code = holder;
    a.level = 1;
    a.event = "verify";
    a.outcome = outcome_name(out->outcome);
    a.detail = detail;
    if (invqr_audit_group_write(req->audit, db, &a) != APR_SUCCESS) {
        invqr_log(INVQR_LOG_ERR, "INVQR0011: verification not answered: the audit log refused it");
        memset(out, 0, sizeof(*out));
        out->outcome = INVQR_V_UNAVAILABLE;
    }
    if (out->outcome != INVQR_V_MATCH) {
        /* nothing about the person leaves on any other outcome: only the
         * limits, which are about the code */
        int keep_retry = out->retry_after, keep_tries = out->tries_left;
        long long keep_at = out->retry_at;
        invqr_limit_t keep_by = out->limited_by;
        invqr_verify_outcome o = out->outcome;

        memset(out, 0, sizeof(*out));
        out->outcome = o;
        out->retry_after = keep_retry;
        out->retry_at = keep_at;
        out->tries_left = o == INVQR_V_UNAVAILABLE ? -1 : keep_tries;
        out->limited_by = keep_by;
    }
}

/* One more failure of the client, in the store: every node sees it. */
static int count_client_failure(invqr_db_t *db, const invqr_conf_t *conf,
                                const invqr_verify_req_t *req)
{
    invqr_binds_t in;

    if (req->client == NULL)
        return 0;
    invqr_binds_init(&in);
    invqr_bind_str(&in, req->client, strlen(req->client));
    invqr_bind_int(&in, conf->client_window_seconds);
    invqr_bind_int(&in, conf->client_window_seconds);
    return invqr_db_exec(db, INVQR_SQL_VERIFY_CLIENT_FAIL, &in, NULL, NULL, NULL, NULL)
           == APR_SUCCESS ? 0 : -1;
}

/* The client's failures in its window and when it ends, for an unknown
 * code (the lookup brings them when the code exists). */
static int client_failures_of(long long *pn, long long *pleft, invqr_db_t *db,
                              const invqr_conf_t *conf, const char *client)
{
    invqr_binds_t in, res;

    *pn = 0;
    *pleft = 0;
    invqr_binds_init(&in);
    invqr_bind_int(&in, conf->client_window_seconds);
    invqr_bind_int(&in, conf->client_window_seconds);
    invqr_bind_str(&in, client, strlen(client));
    invqr_binds_init(&res);
    invqr_bind_out_int(&res, pn);
    invqr_bind_out_int(&res, pleft);
    return invqr_db_exec(db, INVQR_SQL_VERIFY_CLIENT_GET, &in, &res, NULL, NULL, NULL)
           == APR_SUCCESS ? 0 : -1;
}

/* After a wrong guess was counted: the tries the code has left, and when
 * none is left, the seconds until its cool-down ends. */
static int fail_state(invqr_level1_t *out, invqr_db_t *db, const invqr_conf_t *conf,
                      const invqr_verify_req_t *req)
{
    invqr_binds_t in, res;
    long long fails = 0, left = 0;
    unsigned long long rows = 0;

    invqr_binds_init(&in);
    invqr_bind_int(&in, conf->verify_window_seconds);
    invqr_bind_str(&in, req->code, strlen(req->code));
    invqr_binds_init(&res);
    invqr_bind_out_int(&res, &fails);
    invqr_bind_out_int(&res, &left);
    if (invqr_db_exec(db, INVQR_SQL_CODE_FAIL_STATE, &in, &res, NULL, NULL, &rows) != APR_SUCCESS)
        return -1;
    if (rows == 0 || fails >= conf->verify_max_failures) {
        out->tries_left = 0;
        wait_until(out, rows == 0 ? (long long)time(NULL) + conf->verify_window_seconds : left);
    }
    else {
        out->tries_left = conf->verify_max_failures - (int)fails;
    }
    return 0;
}

static void verify_code(invqr_level1_t *out, invqr_db_t *db, const invqr_conf_t *conf,
                          const invqr_verify_req_t *req)
{
    invqr_binds_t in, res;
    char holder[24], blind[16], hcap[16], typed[INVQR_FISCAL_LEN + 1];
    long long active = 0, issued = 0, limited = 0, retry = 0, definitive = 0, civ = 0, minor = 0, att = 0,
              deaf = 0, client_failures = 0, code_failures = 0, client_left = 0, code_fails = 0,
              code_window = 0, client_fails = 0, client_window = 0, now = 0;
    unsigned long long rows = 0, changed = 0;
    const char *client = req->client != NULL ? req->client : "";
    int col_code_window, col_client_window;   /* their columns, kept as they are bound */

    memset(out, 0, sizeof(*out));
    out->tries_left = -1;
    holder[0] = '\0';
    invqr_binds_init(&in);
    invqr_bind_str(&in, client, strlen(client));
    invqr_bind_str(&in, req->code, strlen(req->code));
    invqr_binds_init(&res);
    invqr_bind_out_str(&res, holder, sizeof(holder));
    invqr_bind_out_int(&res, &active);
    invqr_bind_out_int(&res, &issued);
    invqr_bind_out_int(&res, &code_fails);
    col_code_window = res.n;
    invqr_bind_out_int(&res, &code_window);
    invqr_bind_out_str(&res, out->surname, sizeof(out->surname));
    invqr_bind_out_str(&res, out->given_name, sizeof(out->given_name));
    invqr_bind_out_int(&res, &definitive);
    invqr_bind_out_int(&res, &civ);
    invqr_bind_out_int(&res, &minor);
    invqr_bind_out_int(&res, &att);
    invqr_bind_out_str(&res, blind, sizeof(blind));
    invqr_bind_out_int(&res, &deaf);
    invqr_bind_out_str(&res, hcap, sizeof(hcap));
    invqr_bind_out_int(&res, &client_fails);
    col_client_window = res.n;
    invqr_bind_out_int(&res, &client_window);
    invqr_bind_out_int(&res, &now);
    if (invqr_db_exec(db, INVQR_SQL_CODE_VERIFY_LOOKUP, &in, &res, NULL, NULL, &rows) != APR_SUCCESS
        || rows > 1
        || (rows == 0 && client_failures_of(&client_failures, &client_left, db, conf, client) != 0)) {
        memset(out, 0, sizeof(*out));
        out->outcome = INVQR_V_UNAVAILABLE;
        return;
    }
    if (rows == 0) {
        holder[0] = '\0';
    }
    else {
        /* the windows, against the store's clock; a window that never
         * started is NULL */
        int code_open = !invqr_binds_is_null(&res, col_code_window)
                        && code_window > now - conf->verify_window_seconds;

        code_failures = code_open ? code_fails : 0;
        limited = code_open && code_fails >= conf->verify_max_failures;
        retry = invqr_binds_is_null(&res, col_code_window)
                    ? 0 : code_window + conf->verify_window_seconds;
        if (!invqr_binds_is_null(&res, col_client_window)) {
            client_failures = client_window > now - conf->client_window_seconds ? client_fails : 0;
            client_left = client_window + conf->client_window_seconds;
        }
    }

    if (client_failures >= conf->client_max_failures) {
        out->outcome = INVQR_V_LIMITED;
        out->limited_by = INVQR_LIMIT_CLIENT;
        wait_until(out, client_left);
        finish(out, db, req, NULL, "client");
        return;
    }
    if (holder[0] == '\0') {
        out->outcome = INVQR_V_UNKNOWN;
        if (count_client_failure(db, conf, req) != 0)
            out->outcome = INVQR_V_UNAVAILABLE;
        finish(out, db, req, NULL, NULL);
        return;
    }
    if (!active) {
        out->outcome = INVQR_V_REVOKED;
        finish(out, db, req, holder, NULL);
        return;
    }
    if (invqr_when_expired(issued, conf->code_max_age_days, (long long)time(NULL))) {
        /* older than the deployment's maximum lifetime: gone, like a revoked code */
        out->outcome = INVQR_V_REVOKED;
        finish(out, db, req, holder, "expired");
        return;
    }
    if (limited) {
        out->outcome = INVQR_V_LIMITED;
        wait_until(out, retry);
        finish(out, db, req, holder, "code");
        return;
    }
    if (invqr_fiscal_parse(typed, req->fiscal_code, strlen(req->fiscal_code)) != INVQR_FISCAL_OK) {
        /* a slip of the keyboard costs no try */
        out->outcome = INVQR_V_BAD_INPUT;
        out->tries_left = code_failures < conf->verify_max_failures
                              ? conf->verify_max_failures - (int)code_failures : 0;
        finish(out, db, req, holder, NULL);
        return;
    }
    if (!invqr_ct_equal(typed, holder, INVQR_FISCAL_LEN) || holder[INVQR_FISCAL_LEN] != '\0') {
        invqr_binds_init(&in);
        invqr_bind_int(&in, conf->verify_window_seconds);
        invqr_bind_int(&in, conf->verify_window_seconds);
        invqr_bind_str(&in, req->code, strlen(req->code));
        invqr_bind_int(&in, conf->verify_window_seconds);
        invqr_bind_int(&in, conf->verify_max_failures);
        if (invqr_db_exec(db, INVQR_SQL_CODE_FAIL, &in, NULL, NULL, NULL, &changed) != APR_SUCCESS
            || count_client_failure(db, conf, req) != 0) {
            out->outcome = INVQR_V_UNAVAILABLE;
            finish(out, db, req, holder, NULL);
            return;
        }
        if (changed == 0) {
            /* another node's guess took the last try first */
            out->outcome = INVQR_V_LIMITED;
            if (fail_state(out, db, conf, req) != 0 || out->retry_after <= 0)
                wait_until(out, (long long)time(NULL) + conf->verify_window_seconds);
            out->tries_left = -1;
            finish(out, db, req, holder, "code");
            return;
        }
        out->outcome = INVQR_V_MISMATCH;
        if (fail_state(out, db, conf, req) != 0) {
            out->outcome = INVQR_V_UNAVAILABLE;
            finish(out, db, req, holder, NULL);
            return;
        }
        if (out->tries_left == 0) {
            /* this guess used the last try: the holder's access log says
             * the code cooled down, and until when */
            char detail[32];

            snprintf(detail, sizeof(detail), "cooldown until %lld", out->retry_at);
            finish(out, db, req, holder, detail);
            return;
        }
        finish(out, db, req, holder, NULL);
        return;
    }
    if (!definitive || out->surname[0] == '\0') {
        /* re-imported as not definitive, or removed: the code attests nothing */
        out->outcome = INVQR_V_REVOKED;
        finish(out, db, req, holder, "not definitive");
        return;
    }
    out->outcome = INVQR_V_MATCH;
    memcpy(out->fiscal_code, holder, INVQR_FISCAL_LEN + 1);
    out->civil_invalidity = civ != 0;
    out->minor_invalidity = minor != 0;
    out->attendance_allowance = att != 0;
    out->civil_blindness = strcmp(blind, "NONE") != 0;
    out->deafness = deaf != 0;
    out->handicap = strcmp(hcap, "ART3_C3") == 0   ? INVQR_HANDICAP_ART3_C3
                    : strcmp(hcap, "ART3_C1") == 0 ? INVQR_HANDICAP_ART3_C1
                                                   : INVQR_HANDICAP_NONE;
    finish(out, db, req, holder, NULL);
}

void invqr_verify_level1(invqr_level1_t *out, invqr_db_t *db, const invqr_conf_t *conf,
                         const invqr_verify_req_t *req)
{
    if (req->code == NULL) {
        /* an attempt all the same: audited, with nothing of the text kept */
        memset(out, 0, sizeof(*out));
        out->outcome = INVQR_V_BAD_INPUT;
        out->tries_left = -1;
        finish(out, db, req, NULL, "code");
        invqr_metric_inc((invqr_metric_t)(INVQR_METRIC_VERIFY1_MATCH + out->outcome));
        return;
    }
    verify_code(out, db, conf, req);
    invqr_metric_inc((invqr_metric_t)(INVQR_METRIC_VERIFY1_MATCH + out->outcome));
}

int invqr_verify_cooling(int *pretry_after, long long *pretry_at, invqr_db_t *db,
                         const invqr_conf_t *conf, const char *code)
{
    invqr_level1_t w;
    invqr_binds_t in, res;
    long long left = 0;
    unsigned long long rows = 0;

    *pretry_after = 0;
    invqr_binds_init(&in);
    invqr_bind_int(&in, conf->verify_window_seconds);
    invqr_bind_str(&in, code, strlen(code));
    invqr_bind_int(&in, conf->verify_window_seconds);
    invqr_bind_int(&in, conf->verify_max_failures);
    invqr_binds_init(&res);
    invqr_bind_out_int(&res, &left);
    if (invqr_db_exec(db, INVQR_SQL_CODE_COOLDOWN, &in, &res, NULL, NULL, &rows) != APR_SUCCESS)
        return -1;
    if (rows == 0)
        return 0;
    wait_until(&w, left);
    *pretry_after = w.retry_after;
    *pretry_at = w.retry_at;
    return 1;
}
