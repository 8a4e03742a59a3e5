/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - second-level consent by SMS and the full record.
 *
 * The OTP never touches the store in clear: only HMAC(secret, challenge id,
 * otp) is kept, so a copy of the table cannot be brute-forced without the
 * secret. Attempts are taken with a conditional UPDATE, so three is three
 * even under concurrent guesses; a right code is marked used with another
 * conditional UPDATE, so it shows the record once. A gateway failure
 * discards the challenge before the operator hears of it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <apr_strings.h>

#include "invqr_audit.h"
#include "invqr_crypto.h"
#include "invqr_holder_pref.h"
#include "invqr_level2.h"
#include "invqr_log.h"
#include "invqr_metrics.h"
#include "invqr_sms.h"
#include "invqr_when.h"

#define MATCH_VALID_SECONDS 900   /* a first-level match opens the second level this long */

void invqr_level2_mask_mobile(char out[32], const char *m)
{
    size_t n = strlen(m);

    if (n < 7 || n > 16) {
        snprintf(out, 32, "***");
        return;
    }
    snprintf(out, 32, "%.3s %.*s %s", m, (int)(n - 6), "**********", m + n - 3);
}

static void audit_detail(invqr_db_t *db, const invqr_l2_actor_t *actor, const char *code,
                         const char *fc, const char *event, const char *outcome,
                         const char *detail, apr_status_t *prv)
{
    invqr_audit_t a;

    memset(&a, 0, sizeof(a));
    a.actor = "operator";
    a.operator_id = actor->operator_id;
    a.org_id = actor->org_id;
    a.client = actor->client;
    a.code = code;
    a.fiscal_code = fc;
    a.level = 2;
    a.event = event;
    a.outcome = outcome;
    a.detail = detail;
    *prv = invqr_audit_write(db, &a);
}

static void audit(invqr_db_t *db, const invqr_l2_actor_t *actor, const char *code,
                  const char *fc, const char *event, const char *outcome, apr_status_t *prv)
{
    audit_detail(db, actor, code, fc, event, outcome, NULL, prv);
}

apr_status_t invqr_level2_note_match(invqr_db_t *db, const unsigned char *session, const char *code)
{
    invqr_binds_t in;

    invqr_binds_init(&in);
    invqr_bind_bin(&in, session, INVQR_SHA256_LEN);
    invqr_bind_str(&in, code, strlen(code));
    return invqr_db_exec(db, INVQR_SQL_SESSION_MATCH_ADD, &in, NULL, NULL, NULL, NULL);
}

int invqr_level2_new_otp(char out[INVQR_OTP_DIGITS + 1])
{
    unsigned int v;

    do {
        if (invqr_random(&v, sizeof(v)) != 0)
            return -1;
    } while (v >= 4294000000u);   /* 4294 * 10^6: the largest multiple below 2^32 */
    snprintf(out, INVQR_OTP_DIGITS + 1, "%06u", v % 1000000u);
    return 0;
}

static void otp_mac(unsigned char out[INVQR_SHA256_LEN], const invqr_conf_t *conf,
                    const char *challenge, const char *otp)
{
    invqr_hmac(out, conf->secret, INVQR_SECRET_LEN, challenge, otp);
}

/* The holder of an active, unexpired code and their mobile ("" when none):
 * 1 found; 0 no active code, or the holder is not definitive; 2 the code is
 * past the deployment's maximum lifetime; -1 the store failed. */
static int code_holder(invqr_db_t *db, const invqr_conf_t *conf, const char *code, char fc[24],
                       char mobile[24])
{
    invqr_binds_t in, res;
    unsigned long long rows = 0;
    long long definitive = 0, issued = 0;

    invqr_binds_init(&in);
    invqr_bind_str(&in, code, strlen(code));
    invqr_binds_init(&res);
    invqr_bind_out_str(&res, fc, 24);
    invqr_bind_out_str(&res, mobile, 24);
    invqr_bind_out_int(&res, &definitive);
    invqr_bind_out_int(&res, &issued);
    if (invqr_db_exec(db, INVQR_SQL_CODE_HOLDER, &in, &res, NULL, NULL, &rows) != APR_SUCCESS)
        return -1;
    if (rows == 0) {
        fc[0] = '\0';
        return 0;
    }
    if (invqr_when_expired(issued, conf->code_max_age_days, (long long)time(NULL)))
        return 2;
    return definitive ? 1 : 0;
}

/* Whether the actor's session saw a first-level match of code lately: 1
 * yes, or no session to ask about (SOAP: the call itself ran the first
 * level); 0 no; -1 the store failed. */
static int matched_in_session(invqr_db_t *db, const invqr_l2_actor_t *actor, const char *code)
{
    invqr_binds_t in, res;
    unsigned long long rows = 0;
    long long one = 0;

    if (actor->session == NULL)
        return 1;
    invqr_binds_init(&in);
    invqr_bind_bin(&in, actor->session, INVQR_SHA256_LEN);
    invqr_bind_str(&in, code, strlen(code));
    invqr_bind_int(&in, MATCH_VALID_SECONDS);
    invqr_binds_init(&res);
    invqr_bind_out_int(&res, &one);
    if (invqr_db_exec(db, INVQR_SQL_SESSION_MATCH_GET, &in, &res, NULL, NULL, &rows) != APR_SUCCESS)
        return -1;
    return rows > 0;
}

invqr_l2_rc invqr_level2_bad_code(invqr_db_t *db, const invqr_l2_actor_t *actor, const char *event)
{
    apr_status_t arv = APR_SUCCESS;

    audit_detail(db, actor, NULL, NULL, event, "bad_input", "code", &arv);
    return arv == APR_SUCCESS ? INVQR_L2_OK : INVQR_L2_UNAVAILABLE;
}

invqr_l2_rc invqr_level2_refuse(invqr_db_t *db, const invqr_l2_actor_t *actor, const char *code)
{
    apr_status_t arv = APR_SUCCESS;

    audit_detail(db, actor, code, NULL, "otp_request", "not_allowed", "no first-level match",
                 &arv);
    return arv == APR_SUCCESS ? INVQR_L2_NOT_ALLOWED : INVQR_L2_UNAVAILABLE;
}

static invqr_l2_rc request_otp(invqr_l2_challenge_t *out, invqr_db_t *db,
                               const invqr_conf_t *conf, struct invqr_sms_gateway_t *gw,
                               const invqr_l2_actor_t *actor, const char *code,
                               invqr_lang_t lang, apr_pool_t *p)
{
    invqr_binds_t in, res;
    char fc[24], mobile[24], otp[INVQR_OTP_DIGITS + 1];
    unsigned char raw[16], mac[INVQR_SHA256_LEN];
    long long expires_at = 0;
    int holder;
    const char *text = NULL, *why = NULL;
    apr_status_t arv = APR_SUCCESS;

    memset(out, 0, sizeof(*out));
    switch (matched_in_session(db, actor, code)) {
    case 1: break;
    case 0: return invqr_level2_refuse(db, actor, code);
    default: return INVQR_L2_UNAVAILABLE;
    }
    holder = code_holder(db, conf, code, fc, mobile);
    if (holder < 0)
        return INVQR_L2_UNAVAILABLE;
    if (holder != 1) {
        /* an expired code is recorded as level 1 records it: gone, because expired */
        audit_detail(db, actor, code, fc[0] != '\0' ? fc : NULL, "otp_request",
                     holder == 2 ? "revoked" : "unknown_code", holder == 2 ? "expired" : NULL, &arv);
        return arv == APR_SUCCESS ? INVQR_L2_UNKNOWN_CODE : INVQR_L2_UNAVAILABLE;
    }
    if (mobile[0] == '\0') {
        audit(db, actor, code, fc, "otp_request", "no_mobile", &arv);
        return arv == APR_SUCCESS ? INVQR_L2_NO_MOBILE : INVQR_L2_UNAVAILABLE;
    }
    {
        long long recent = 0;

        invqr_binds_init(&in);
        invqr_bind_str(&in, code, strlen(code));
        invqr_bind_int(&in, INVQR_OTP_SMS_WINDOW);
        invqr_binds_init(&res);
        invqr_bind_out_int(&res, &recent);
        if (invqr_db_exec(db, INVQR_SQL_OTP_RECENT, &in, &res, NULL, NULL, NULL) != APR_SUCCESS)
            return INVQR_L2_UNAVAILABLE;
        if (recent >= INVQR_OTP_MAX_SMS) {
            audit(db, actor, code, fc, "otp_request", "limited", &arv);
            return arv == APR_SUCCESS ? INVQR_L2_LIMITED : INVQR_L2_UNAVAILABLE;
        }
    }
    if (invqr_level2_new_otp(otp) != 0 || invqr_random(raw, sizeof(raw)) != 0)
        return INVQR_L2_UNAVAILABLE;
    invqr_b64url(out->challenge, raw, sizeof(raw));   /* 22 characters */
    otp_mac(mac, conf, out->challenge, otp);

    invqr_binds_init(&in);
    invqr_bind_int(&in, actor->operator_id);
    invqr_bind_str(&in, code, strlen(code));
    if (invqr_db_exec(db, INVQR_SQL_OTP_CLOSE_OPEN, &in, NULL, NULL, NULL, NULL) != APR_SUCCESS)
        goto unavailable;
    invqr_binds_init(&in);
    invqr_bind_str(&in, out->challenge, strlen(out->challenge));
    invqr_bind_int(&in, actor->operator_id);
    invqr_bind_str(&in, code, strlen(code));
    invqr_bind_bin(&in, mac, sizeof(mac));
    invqr_bind_int(&in, conf->otp_validity_seconds);
    if (invqr_db_exec(db, INVQR_SQL_OTP_INSERT, &in, NULL, NULL, NULL, NULL) != APR_SUCCESS)
        goto unavailable;
    /* recorded before the SMS leaves: an SMS is never unaccounted for */
    audit(db, actor, code, fc, "otp_request", "sent", &arv);
    if (arv != APR_SUCCESS)
        goto discard;
    /* The SMS speaks the holder's language, not the operator's page's. */
    if (invqr_holder_sms_lang(&lang, db, fc) != APR_SUCCESS)
        invqr_log(INVQR_LOG_WARN, "INVQR0076: cannot read the holder's SMS language: "
                  "the SMS goes in Italian");
    if (gw == NULL || invqr_sms_text(&text, lang, actor->org_name != NULL ? actor->org_name : "",
                                     otp, (conf->otp_validity_seconds + 59) / 60, p) != APR_SUCCESS
        || invqr_sms_send(gw, mobile, text, &why, p) != APR_SUCCESS) {
        invqr_metric_inc(INVQR_METRIC_SMS_FAILURES);
        invqr_log_repeat(INVQR_LOG_ERR, "INVQR0012: consent SMS not sent: %s",
                  why != NULL ? why : gw == NULL ? "no gateway configured"
                                                 : "the message could not be composed");
        audit(db, actor, code, fc, "otp_request", "gateway_failed", &arv);
        invqr_binds_init(&in);
        invqr_bind_str(&in, out->challenge, strlen(out->challenge));
        invqr_db_exec(db, INVQR_SQL_OTP_DISCARD, &in, NULL, NULL, NULL, NULL);
        memset(otp, 0, sizeof(otp));
        memset(out, 0, sizeof(*out));
        return INVQR_L2_GATEWAY;
    }
    memset(otp, 0, sizeof(otp));
    invqr_binds_init(&in);
    invqr_bind_str(&in, out->challenge, strlen(out->challenge));
    invqr_binds_init(&res);
    invqr_bind_out_str(&res, out->expires_utc, sizeof(out->expires_utc));
    invqr_bind_out_int(&res, &expires_at);
    if (invqr_db_exec(db, INVQR_SQL_OTP_EXPIRES, &in, &res, NULL, NULL, NULL) != APR_SUCCESS)
        goto unavailable;
    invqr_when_hhmm(out->expires_local, expires_at);
    invqr_level2_mask_mobile(out->masked_mobile, mobile);
    return INVQR_L2_OK;
discard:
    invqr_binds_init(&in);
    invqr_bind_str(&in, out->challenge, strlen(out->challenge));
    invqr_db_exec(db, INVQR_SQL_OTP_DISCARD, &in, NULL, NULL, NULL, NULL);
unavailable:
    memset(otp, 0, sizeof(otp));
    memset(out, 0, sizeof(*out));
    return INVQR_L2_UNAVAILABLE;
}

invqr_l2_rc invqr_level2_pending(invqr_l2_challenge_t *out, int *pleft, invqr_db_t *db,
                                 const invqr_l2_actor_t *actor, const char *code)
{
    invqr_binds_t in, res;
    unsigned long long rows = 0;
    long long expires_at = 0, attempts = 0;
    char mobile[24];

    memset(out, 0, sizeof(*out));
    *pleft = 0;
    /* shown only where the request could have been made: a session of this
     * operator that matched the code at the first level */
    switch (matched_in_session(db, actor, code)) {
    case 1: break;
    case 0: return invqr_level2_refuse(db, actor, code);
    default: return INVQR_L2_UNAVAILABLE;
    }
    invqr_binds_init(&in);
    invqr_bind_int(&in, actor->operator_id);
    invqr_bind_str(&in, code, strlen(code));
    invqr_bind_int(&in, INVQR_OTP_ATTEMPTS);
    invqr_binds_init(&res);
    invqr_bind_out_str(&res, out->challenge, sizeof(out->challenge));
    invqr_bind_out_str(&res, out->expires_utc, sizeof(out->expires_utc));
    invqr_bind_out_int(&res, &expires_at);
    invqr_bind_out_int(&res, &attempts);
    invqr_bind_out_str(&res, mobile, sizeof(mobile));
    if (invqr_db_exec(db, INVQR_SQL_OTP_PENDING, &in, &res, NULL, NULL, &rows) != APR_SUCCESS) {
        memset(out, 0, sizeof(*out));
        return INVQR_L2_UNAVAILABLE;
    }
    if (rows == 0) {
        memset(out, 0, sizeof(*out));
        return INVQR_L2_OTP_INVALID;
    }
    invqr_when_hhmm(out->expires_local, expires_at);
    invqr_level2_mask_mobile(out->masked_mobile, mobile);
    *pleft = INVQR_OTP_ATTEMPTS - (int)attempts;
    return INVQR_L2_OK;
}

static invqr_l2_rc verify_otp(invqr_status_t **pst, int *pleft, char code_out[21],
                              invqr_db_t *db, const invqr_conf_t *conf,
                              const invqr_l2_actor_t *actor, const char *code,
                              const char *challenge, const char *otp, apr_pool_t *p)
{
    invqr_binds_t in, res;
    unsigned long long rows = 0, changed = 0;
    long long id = 0, attempts = 0, used = 0, expired = 0;
    char ccode[24], fc[24], mobile[24];
    unsigned char stored[INVQR_SHA256_LEN + 1], mac[INVQR_SHA256_LEN];
    int holder;
    apr_status_t arv = APR_SUCCESS;
    size_t i, n;
    int digits;

    *pst = NULL;
    *pleft = 0;
    code_out[0] = '\0';
    /* a code read out and typed, or pasted, may come with blanks around it */
    while (*otp == ' ' || *otp == '\t')
        otp++;
    n = strlen(otp);
    while (n > 0 && (otp[n - 1] == ' ' || otp[n - 1] == '\t'))
        n--;
    digits = n == INVQR_OTP_DIGITS;
    for (i = 0; i < n && digits; i++)
        digits = otp[i] >= '0' && otp[i] <= '9';
    if (strlen(challenge) > INVQR_CHALLENGE_LEN) {
        audit(db, actor, code, NULL, "otp_verify", "unknown_challenge", &arv);
        return arv == APR_SUCCESS ? INVQR_L2_OTP_INVALID : INVQR_L2_UNAVAILABLE;
    }
    invqr_binds_init(&in);
    invqr_bind_str(&in, challenge, strlen(challenge));
    invqr_bind_int(&in, actor->operator_id);
    invqr_binds_init(&res);
    invqr_bind_out_int(&res, &id);
    invqr_bind_out_str(&res, ccode, sizeof(ccode));
    invqr_bind_out_str(&res, (char *)stored, sizeof(stored));
    invqr_bind_out_int(&res, &attempts);
    invqr_bind_out_int(&res, &used);
    invqr_bind_out_int(&res, &expired);
    if (invqr_db_exec(db, INVQR_SQL_OTP_GET, &in, &res, NULL, NULL, &rows) != APR_SUCCESS)
        return INVQR_L2_UNAVAILABLE;
    if (rows == 0 || (code != NULL && strcmp(code, ccode) != 0) || res.len[2] != INVQR_SHA256_LEN) {
        audit(db, actor, code, NULL, "otp_verify", "unknown_challenge", &arv);
        return arv == APR_SUCCESS ? INVQR_L2_OTP_INVALID : INVQR_L2_UNAVAILABLE;
    }
    memcpy(code_out, ccode, 21);
    if (used || attempts >= INVQR_OTP_ATTEMPTS) {
        *pleft = used ? -1 : 0;
        audit(db, actor, ccode, NULL, "otp_verify", used ? "reused" : "exhausted", &arv);
        return arv == APR_SUCCESS ? INVQR_L2_OTP_INVALID : INVQR_L2_UNAVAILABLE;
    }
    if (expired) {
        audit(db, actor, ccode, NULL, "otp_verify", "expired", &arv);
        return arv == APR_SUCCESS ? INVQR_L2_OTP_EXPIRED : INVQR_L2_UNAVAILABLE;
    }
    if (!digits) {
        /* a slip of the keyboard cannot be the code: it costs no attempt */
        *pleft = INVQR_OTP_ATTEMPTS - (int)attempts;
        audit(db, actor, ccode, NULL, "otp_verify", "malformed", &arv);
        return arv == APR_SUCCESS ? INVQR_L2_OTP_MALFORMED : INVQR_L2_UNAVAILABLE;
    }
    invqr_binds_init(&in);
    invqr_bind_int(&in, id);
    invqr_bind_int(&in, INVQR_OTP_ATTEMPTS);
    if (invqr_db_exec(db, INVQR_SQL_OTP_ATTEMPT, &in, NULL, NULL, NULL, &changed) != APR_SUCCESS)
        return INVQR_L2_UNAVAILABLE;
    if (changed == 0) {
        audit(db, actor, ccode, NULL, "otp_verify", "exhausted", &arv);
        return arv == APR_SUCCESS ? INVQR_L2_OTP_INVALID : INVQR_L2_UNAVAILABLE;
    }
    {
        char exact[INVQR_OTP_DIGITS + 1];

        memcpy(exact, otp, INVQR_OTP_DIGITS);
        exact[INVQR_OTP_DIGITS] = '\0';
        otp_mac(mac, conf, challenge, exact);
        memset(exact, 0, sizeof(exact));
    }
    if (!invqr_ct_equal(mac, stored, INVQR_SHA256_LEN)) {
        *pleft = INVQR_OTP_ATTEMPTS - (int)attempts - 1;
        audit(db, actor, ccode, NULL, "otp_verify", "wrong", &arv);
        return arv == APR_SUCCESS ? INVQR_L2_OTP_INVALID : INVQR_L2_UNAVAILABLE;
    }
    invqr_binds_init(&in);
    invqr_bind_int(&in, id);
    if (invqr_db_exec(db, INVQR_SQL_OTP_USE, &in, NULL, NULL, NULL, &changed) != APR_SUCCESS)
        return INVQR_L2_UNAVAILABLE;
    if (changed == 0) {
        audit(db, actor, ccode, NULL, "otp_verify", "reused", &arv);
        return arv == APR_SUCCESS ? INVQR_L2_OTP_INVALID : INVQR_L2_UNAVAILABLE;
    }
    /* the holder now: the code may have been revoked, or expired, meanwhile */
    holder = code_holder(db, conf, ccode, fc, mobile);
    if (holder < 0)
        return INVQR_L2_UNAVAILABLE;
    if (holder != 1) {
        audit_detail(db, actor, ccode, NULL, "level2", holder == 2 ? "revoked" : "unknown_code",
                     holder == 2 ? "expired" : NULL, &arv);
        return arv == APR_SUCCESS ? INVQR_L2_UNKNOWN_CODE : INVQR_L2_UNAVAILABLE;
    }
    if (invqr_status_load(pst, db, fc, p) != APR_SUCCESS)
        return INVQR_L2_UNAVAILABLE;
    audit(db, actor, ccode, fc, "level2", "shown", &arv);
    if (arv != APR_SUCCESS) {
        *pst = NULL;
        return INVQR_L2_UNAVAILABLE;
    }
    /* the last statement on db: its insert id is the check's reference */
    return INVQR_L2_OK;
}

invqr_l2_rc invqr_level2_cancel(int *pcancelled, invqr_db_t *db, const invqr_l2_actor_t *actor,
                                const char *code)
{
    invqr_binds_t in;
    unsigned long long closed = 0;
    apr_status_t arv = APR_SUCCESS;

    *pcancelled = 0;
    invqr_binds_init(&in);
    invqr_bind_int(&in, actor->operator_id);
    invqr_bind_str(&in, code, strlen(code));
    if (invqr_db_exec(db, INVQR_SQL_OTP_CLOSE_OPEN, &in, NULL, NULL, NULL, &closed) != APR_SUCCESS)
        return INVQR_L2_UNAVAILABLE;
    *pcancelled = closed > 0;
    audit(db, actor, code, NULL, "otp_cancel", closed > 0 ? "cancelled" : "none_open", &arv);
    return arv == APR_SUCCESS ? INVQR_L2_OK : INVQR_L2_UNAVAILABLE;
}

/* ---- the calls, counted by outcome (invqr_metrics.def) ---------------------- */

invqr_l2_rc invqr_level2_request(invqr_l2_challenge_t *out, invqr_db_t *db,
                                 const invqr_conf_t *conf, struct invqr_sms_gateway_t *gw,
                                 const invqr_l2_actor_t *actor, const char *code,
                                 invqr_lang_t lang, apr_pool_t *p)
{
    invqr_l2_rc rc = request_otp(out, db, conf, gw, actor, code, lang, p);

    invqr_metric_inc(rc == INVQR_L2_OK ? INVQR_METRIC_OTP_SENT
                     : rc == INVQR_L2_GATEWAY ? INVQR_METRIC_OTP_GATEWAY_FAILED
                     : rc == INVQR_L2_LIMITED ? INVQR_METRIC_OTP_LIMITED
                     : rc == INVQR_L2_UNAVAILABLE ? INVQR_METRIC_OTP_UNAVAILABLE
                                                  : INVQR_METRIC_OTP_REFUSED);
    return rc;
}

invqr_l2_rc invqr_level2_verify(invqr_status_t **pst, int *pleft, char code_out[21],
                                invqr_db_t *db, const invqr_conf_t *conf,
                                const invqr_l2_actor_t *actor, const char *code,
                                const char *challenge, const char *otp, apr_pool_t *p)
{
    invqr_l2_rc rc = verify_otp(pst, pleft, code_out, db, conf, actor, code, challenge, otp, p);

    invqr_metric_inc(rc == INVQR_L2_OK ? INVQR_METRIC_VERIFY2_SHOWN
                     : rc == INVQR_L2_OTP_INVALID ? INVQR_METRIC_VERIFY2_OTP_WRONG
                     : rc == INVQR_L2_OTP_EXPIRED ? INVQR_METRIC_VERIFY2_OTP_EXPIRED
                     : rc == INVQR_L2_OTP_MALFORMED ? INVQR_METRIC_VERIFY2_OTP_MALFORMED
                     : rc == INVQR_L2_UNAVAILABLE ? INVQR_METRIC_VERIFY2_UNAVAILABLE
                                                  : INVQR_METRIC_VERIFY2_REFUSED);
    return rc;
}
