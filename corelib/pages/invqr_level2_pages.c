/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the second level in the browser: the offer under a first-level
 * match, the consent code request, the code entry and the full record once.
 *
 * Second-level pages are never cached (Cache-Control: no-store, as every
 * invqr page) and show the record only on the answer to the right code.
 */
#include <stdio.h>
#include <string.h>

#include <apr_strings.h>

#include "invqr_code.h"
#include "invqr_crypto.h"
#include "invqr_fields.h"
#include "invqr_form.h"
#include "invqr_html.h"
#include "invqr_level2.h"
#include "invqr_level2_pages.h"
#include "invqr_operator_pages.h"
#include "invqr_verify_pages.h"

#define MSG(m) invqr_msg(req->page.lang, INVQR_MSG_##m)

/* The session hash the module passed, as bytes; 0 when there is none. */
static int session_bytes(unsigned char out[INVQR_SHA256_LEN], const invqr_request_t *req)
{
    int i;

    if (req->session == NULL || strlen(req->session) != 2 * INVQR_SHA256_LEN)
        return 0;
    for (i = 0; i < INVQR_SHA256_LEN; i++) {
        unsigned v;
        if (sscanf(req->session + 2 * i, "%2x", &v) != 1)
            return 0;
        out[i] = (unsigned char)v;
    }
    return 1;
}

void invqr_operator_offer_level2(invqr_app_t *app, const invqr_request_t *req,
                                 invqr_page_t *pg, invqr_el_t *main, const char *code)
{
    unsigned char sess[INVQR_SHA256_LEN];
    invqr_db_t *db = invqr_app_db(app);
    invqr_el_t *sec, *form;

    if (req->operator_id <= 0 || db == NULL || !session_bytes(sess, req))
        return;
    if (invqr_level2_note_match(db, sess, code) != APR_SUCCESS)
        return;   /* logged; the operator can verify again */
    sec = invqr_html_set(invqr_html_add(main, "section", NULL), "aria-labelledby", "level2");
    invqr_html_set(invqr_html_add(sec, "h2", MSG(L2_OFFER_H2)), "id", "level2");
    invqr_html_add(sec, "p", MSG(L2_OFFER_TEXT));
    form = invqr_page_post_form(pg, sec, apr_pstrcat(invqr_page_pool(pg), "/v/", code, "/otp", NULL));
    invqr_field_submit(form, MSG(L2_REQUEST));
}

static void actor_of(invqr_l2_actor_t *a, unsigned char sess[INVQR_SHA256_LEN],
                     const invqr_request_t *req)
{
    memset(a, 0, sizeof(*a));
    a->operator_id = req->operator_id;
    a->org_id = req->org_id;
    a->org_name = req->org_name;
    a->client = req->client;
    a->session = session_bytes(sess, req) ? sess : NULL;
}

static void otp_form(invqr_page_t *pg, invqr_el_t *parent, const invqr_request_t *req,
                     const char *code, const char *challenge, const char *error)
{
    invqr_el_t *form = invqr_page_post_form(pg, parent, apr_pstrcat(invqr_page_pool(pg), "/v/",
                                                                   code, "/level2", NULL));
    invqr_el_t *hidden = invqr_html_add(form, "input", NULL);
    invqr_field_t f;

    invqr_html_set(hidden, "type", "hidden");
    invqr_html_set(hidden, "name", "challenge");
    invqr_html_set(hidden, "value", challenge);
    memset(&f, 0, sizeof(f));
    f.name = "otp";
    f.label = MSG(L2_OTP);
    f.error = error;
    f.maxlength = INVQR_OTP_DIGITS;
    f.autocomplete = "one-time-code";
    f.code_like = 1;
    invqr_field_add(form, &f);
    invqr_field_submit(form, MSG(L2_SHOW));
}

static void l2_problem(const invqr_request_t *req, invqr_response_t *resp, int status,
                       invqr_msg_t title, invqr_msg_t text, apr_pool_t *p)
{
    invqr_page_t *pg;
    invqr_el_t *main;

    pg = invqr_operator_page(req, title, status, 0, &main, p);
    invqr_html_set(invqr_html_add(main, "p", invqr_msg(req->page.lang, text)), "class",
                   "alert alert-warning");
    invqr_html_link(invqr_html_add(main, "p", NULL), invqr_page_url(pg, "/operator"),
                    MSG(OP_HOME_TITLE));
    invqr_app_page(resp, status, pg, p);
}

/* The page after the consent SMS went out: where it went, until when the
 * code is valid, and the form for it. */
static void sent_page(const invqr_request_t *req, invqr_response_t *resp, const char *code,
                      const invqr_l2_challenge_t *ch, int left, apr_pool_t *p)
{
    invqr_page_t *pg;
    invqr_el_t *main, *p1;

    pg = invqr_operator_page(req, INVQR_MSG_L2_SENT_TITLE, 200, 1, &main, p);
    p1 = invqr_html_add(main, "p", MSG(L2_SENT_TEXT));
    invqr_html_text(p1, " ");
    invqr_html_set(invqr_html_add(p1, "strong", ch->masked_mobile), "data-field", "masked_mobile");
    invqr_html_add(main, "p", MSG(L2_SENT_ASK));
    p1 = invqr_html_add(main, "p", MSG(L2_EXPIRES));
    invqr_html_text(p1, " ");
    invqr_html_set(invqr_html_set(invqr_html_add(p1, "time", ch->expires_local), "datetime",
                                  ch->expires_utc), "data-field", "expires_at");
    if (left < INVQR_OTP_ATTEMPTS) {
        p1 = invqr_html_add(main, "p", MSG(L2_ATTEMPTS_LEFT));
        invqr_html_text(p1, " ");
        invqr_html_set(invqr_html_add(p1, "strong", apr_itoa(p, left)), "data-field",
                       "attempts_left");
    }
    otp_form(pg, main, req, code, ch->challenge, NULL);
    invqr_operator_help_link(pg, main, req);
    invqr_app_page(resp, 200, pg, p);
}

/* A path /v/<not a code>/...: no such page (404), but a POST to it is an
 * attempt all the same, and audited as one (event). */
static void no_such_code(invqr_app_t *app, const invqr_request_t *req, invqr_response_t *resp,
                         const char *event, apr_pool_t *p)
{
    unsigned char sess[INVQR_SHA256_LEN];
    invqr_l2_actor_t actor;
    invqr_db_t *db;

    if (strcmp(req->method, "POST") == 0) {
        db = invqr_app_db(app);
        actor_of(&actor, sess, req);
        if (db == NULL || invqr_level2_bad_code(db, &actor, event) != INVQR_L2_OK) {
            if (db != NULL)
                invqr_app_db_failed(app);
            invqr_app_error(req, resp, 503, NULL, p);
            return;
        }
    }
    invqr_app_error(req, resp, 404, NULL, p);
}

void invqr_otp_route(invqr_app_t *app, const invqr_request_t *req, invqr_response_t *resp,
                     apr_pool_t *p)
{
    char code[INVQR_CODE_LEN + 1];
    unsigned char sess[INVQR_SHA256_LEN];
    invqr_l2_actor_t actor;
    invqr_l2_challenge_t ch;
    invqr_db_t *db = invqr_app_db(app);

    if (req->operator_id <= 0) {
        invqr_app_error(req, resp, 401, NULL, p);
        return;
    }
    if (req->arg == NULL || invqr_code_parse(code, req->arg, strlen(req->arg)) != 0) {
        no_such_code(app, req, resp, "otp_request", p);
        return;
    }
    if (db == NULL) {
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    actor_of(&actor, sess, req);
    /* without its session the request could not show a first-level match:
     * refused (and audited), never treated as sessionless SOAP */
    switch (actor.session == NULL ? invqr_level2_refuse(db, &actor, code)
            : invqr_level2_request(&ch, db, app->conf, app->sms, &actor, code, req->page.lang, p)) {
    case INVQR_L2_OK:
        break;
    case INVQR_L2_NOT_ALLOWED:
        invqr_app_error(req, resp, 403, MSG(L2_NOT_ALLOWED), p);
        return;
    case INVQR_L2_UNKNOWN_CODE:
        invqr_app_error(req, resp, 410, NULL, p);
        return;
    case INVQR_L2_NO_MOBILE:
        l2_problem(req, resp, 409, INVQR_MSG_L2_NO_MOBILE_TITLE, INVQR_MSG_L2_NO_MOBILE, p);
        return;
    case INVQR_L2_LIMITED:
        apr_table_setn(resp->headers, "Retry-After", apr_itoa(p, INVQR_OTP_SMS_WINDOW));
        invqr_app_error(req, resp, 429, NULL, p);
        return;
    case INVQR_L2_GATEWAY:
        /* the service is unavailable for a while, not broken: the page
         * says so, and when to try again (the failed SMS cost nothing) */
        apr_table_setn(resp->headers, "Retry-After", apr_itoa(p, INVQR_L2_GATEWAY_RETRY));
        l2_problem(req, resp, 503, INVQR_MSG_L2_GATEWAY_TITLE, INVQR_MSG_L2_GATEWAY, p);
        return;
    default:
        invqr_app_db_failed(app);
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    /* the SMS went out: the form is a page of its own, so that reloading
     * it never sends another SMS (and voids the one the citizen holds) */
    invqr_app_redirect(req, resp, apr_pstrcat(p, "/v/", code, "/level2", NULL), p);
}

static void row(invqr_el_t *dl, const char *label, const char *field, const char *value)
{
    invqr_html_add(dl, "dt", label);
    invqr_html_set(invqr_html_add(invqr_html_add(dl, "dd", NULL), "span", value), "data-field", field);
}

static void level2_page(const invqr_request_t *req, invqr_response_t *resp,
                        const invqr_status_t *st, apr_pool_t *p)
{
    invqr_page_t *pg;
    invqr_el_t *main, *panel = NULL, *dl, *span;
    const char *bval, *btext;
    invqr_level1_t v;

    pg = invqr_operator_page(req, INVQR_MSG_L2_RESULT_TITLE, 200, 1, &main, p);
    invqr_html_set(invqr_html_add(main, "p", MSG(L2_RESULT_NOTE)), "class", "alert alert-info");
    memset(&v, 0, sizeof(v));
    apr_cpystrn(v.surname, st->surname, sizeof(v.surname));
    apr_cpystrn(v.given_name, st->given_name, sizeof(v.given_name));
    v.civil_invalidity = st->civil_invalidity;
    v.minor_invalidity = st->minor_invalidity;
    v.attendance_allowance = st->attendance_allowance;
    v.civil_blindness = st->civil_blindness != INVQR_BLIND_NONE;
    v.deafness = st->deafness;
    v.handicap = st->handicap;
    dl = invqr_verify_panel(&panel, main, req->page.lang, &v);
    row(dl, MSG(FIELD_INVALIDITY_PERCENT), "invalidity_percent",
        st->invalidity_percent >= 0 ? apr_psprintf(p, "%d%%", st->invalidity_percent) : MSG(NOT_STATED));
    switch (st->civil_blindness) {
    case INVQR_BLIND_ABSOLUTE: bval = "absolute"; btext = MSG(BLIND_ABSOLUTE); break;
    case INVQR_BLIND_PARTIAL: bval = "partial"; btext = MSG(BLIND_PARTIAL); break;
    default: bval = "none"; btext = MSG(BLIND_NONE); break;
    }
    invqr_html_add(dl, "dt", MSG(FIELD_BLINDNESS_DEGREE));
    span = invqr_html_add(invqr_html_add(dl, "dd", NULL), "span", btext);
    invqr_html_set(span, "data-field", "blindness_degree");
    invqr_html_set(span, "data-value", bval);
    row(dl, MSG(FIELD_JUDGMENT_DATE), "judgment_date", st->judgment_date);
    row(dl, MSG(FIELD_REVIEW_DATE), "review_date",
        st->review_date[0] != '\0' ? st->review_date : MSG(NO_REVIEW));
    invqr_html_add(dl, "dt", MSG(FIELD_MEDICAL_JUDGMENT));
    invqr_html_set(invqr_html_set(invqr_html_add(invqr_html_add(dl, "dd", NULL), "p", st->medical_judgment),
                                  "data-field", "medical_judgment"), "class", "judgment");
    invqr_html_set(invqr_html_add(panel, "p", MSG(RESULT_ID_HINT)), "class", "alert alert-info");
    invqr_operator_help_link(pg, main, req);
    invqr_app_page(resp, 200, pg, p);
}

/* The OTP form again, after a wrong or malformed code, with the attempts left. */
static void otp_again(const invqr_request_t *req, invqr_response_t *resp, int status,
                      const char *code, const char *challenge, invqr_msg_t why, int left,
                      apr_pool_t *p)
{
    invqr_page_t *pg;
    invqr_el_t *main, *p1;

    pg = invqr_operator_page(req, INVQR_MSG_L2_SENT_TITLE, status, 1, &main, p);
    p1 = invqr_html_set(invqr_html_set(invqr_html_add(main, "p", invqr_msg(req->page.lang, why)),
                                       "class", "alert alert-error"), "role", "alert");
    invqr_html_text(p1, " ");
    invqr_html_set(invqr_html_add(p1, "strong", apr_itoa(p, left)), "data-field", "attempts_left");
    otp_form(pg, main, req, code, challenge, invqr_msg(req->page.lang, why));
    invqr_app_page(resp, status, pg, p);
}

void invqr_level2_route(invqr_app_t *app, const invqr_request_t *req, invqr_response_t *resp,
                        apr_pool_t *p)
{
    char code[INVQR_CODE_LEN + 1], ccode[INVQR_CODE_LEN + 1];
    unsigned char sess[INVQR_SHA256_LEN];
    invqr_l2_actor_t actor;
    invqr_status_t *st = NULL;
    invqr_db_t *db = invqr_app_db(app);
    apr_table_t *form = NULL;
    const char *otp, *challenge;
    int left = 0;

    if (req->operator_id <= 0) {
        invqr_app_error(req, resp, 401, NULL, p);
        return;
    }
    if (req->arg == NULL || invqr_code_parse(code, req->arg, strlen(req->arg)) != 0) {
        no_such_code(app, req, resp, "otp_verify", p);
        return;
    }
    if (strcmp(req->method, "POST") != 0) {
        /* the form for the open challenge, after the request's 303; never
         * without the session that must have matched the code */
        invqr_l2_challenge_t ch;

        if (db == NULL) {
            invqr_app_error(req, resp, 503, NULL, p);
            return;
        }
        actor_of(&actor, sess, req);
        switch (actor.session == NULL ? invqr_level2_refuse(db, &actor, code)
                : invqr_level2_pending(&ch, &left, db, &actor, code)) {
        case INVQR_L2_OK:
            sent_page(req, resp, code, &ch, left, p);
            return;
        case INVQR_L2_NOT_ALLOWED:
            invqr_app_error(req, resp, 403, MSG(L2_NOT_ALLOWED), p);
            return;
        case INVQR_L2_OTP_INVALID:
            l2_problem(req, resp, 410, INVQR_MSG_L2_SENT_TITLE, INVQR_MSG_L2_NONE_PENDING, p);
            return;
        default:
            invqr_app_db_failed(app);
            invqr_app_error(req, resp, 503, NULL, p);
            return;
        }
    }
    if (req->body == NULL || invqr_form_parse(&form, req->body, req->body_len, p) != APR_SUCCESS) {
        invqr_app_error(req, resp, 400, NULL, p);
        return;
    }
    /* a field left out is a field left empty: refused and audited alike */
    if ((otp = apr_table_get(form, "otp")) == NULL)
        otp = "";
    if ((challenge = apr_table_get(form, "challenge")) == NULL)
        challenge = "";
    if (db == NULL) {
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    actor_of(&actor, sess, req);
    switch (invqr_level2_verify(&st, &left, ccode, db, app->conf, &actor, code, challenge, otp, p)) {
    case INVQR_L2_OK:
        level2_page(req, resp, st, p);
        return;
    case INVQR_L2_OTP_MALFORMED:
        otp_again(req, resp, 400, code, challenge, INVQR_MSG_L2_MALFORMED, left, p);
        return;
    case INVQR_L2_OTP_INVALID:
        if (left > 0) {
            otp_again(req, resp, 403, code, challenge, INVQR_MSG_L2_WRONG, left, p);
            return;
        }
        l2_problem(req, resp, 403, INVQR_MSG_L2_SENT_TITLE, INVQR_MSG_L2_INVALID, p);
        return;
    case INVQR_L2_OTP_EXPIRED:
        l2_problem(req, resp, 410, INVQR_MSG_L2_SENT_TITLE, INVQR_MSG_L2_EXPIRED, p);
        return;
    case INVQR_L2_UNKNOWN_CODE:
        invqr_app_error(req, resp, 410, NULL, p);
        return;
    default:
        invqr_app_db_failed(app);
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
}
