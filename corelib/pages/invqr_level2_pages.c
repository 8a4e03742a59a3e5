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
#include <apr_time.h>

#include "invqr_code.h"
#include "invqr_crypto.h"
#include "invqr_fields.h"
#include "invqr_form.h"
#include "invqr_html.h"
#include "invqr_level2.h"
#include "invqr_level2_pages.h"
#include "invqr_operator_pages.h"
#include "invqr_verify_pages.h"
#include "invqr_when.h"

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

/* The consent code's field, built here rather than with invqr_field_add:
 * digits only (a numeric keypad on phones, the SMS's code offered by the
 * browser), no forced capitals, and one error message beside the field,
 * with the attempts left in it (error NULL: none). */
static void otp_field(invqr_el_t *form, const invqr_request_t *req, const char *error, int left,
                      apr_pool_t *p)
{
    invqr_el_t *div, *in, *err;

    div = invqr_html_set(invqr_html_add(form, "div", NULL), "class",
                         error != NULL ? "field field-error" : "field");
    invqr_html_set(invqr_html_add(div, "label", MSG(L2_OTP)), "for", "otp");
    invqr_html_set(invqr_html_set(invqr_html_add(div, "p", MSG(L2_OTP_HINT)), "id", "otp-hint"),
                   "class", "hint");
    if (error != NULL) {
        err = invqr_html_set(invqr_html_set(invqr_html_add(div, "p", error), "id", "otp-error"),
                             "class", "error-message");
        invqr_html_text(err, " ");
        invqr_html_set(invqr_html_add(err, "strong", apr_itoa(p, left)), "data-field", "attempts_left");
    }
    in = invqr_html_add(div, "input", NULL);
    invqr_html_set(in, "id", "otp");
    invqr_html_set(in, "name", "otp");
    invqr_html_set(in, "type", "text");
    invqr_html_set(in, "inputmode", "numeric");
    invqr_html_set(in, "autocomplete", "one-time-code");
    invqr_html_set(in, "required", "required");
    invqr_html_set(in, "maxlength", apr_itoa(p, INVQR_OTP_DIGITS + 2));  /* blanks around it */
    invqr_html_set(in, "spellcheck", "false");
    invqr_html_set(in, "class", "input-otp");
    invqr_html_set(in, "aria-describedby", error != NULL ? "otp-hint otp-error" : "otp-hint");
    if (error != NULL)
        invqr_html_set(in, "aria-invalid", "true");
}

static void otp_form(invqr_page_t *pg, invqr_el_t *parent, const invqr_request_t *req,
                     const char *code, const char *challenge, const char *error, int left)
{
    apr_pool_t *p = invqr_page_pool(pg);
    invqr_el_t *form = invqr_page_post_form(pg, parent, apr_pstrcat(p, "/v/", code, "/level2", NULL));
    invqr_el_t *hidden = invqr_html_add(form, "input", NULL);

    invqr_html_set(hidden, "type", "hidden");
    invqr_html_set(hidden, "name", "challenge");
    invqr_html_set(hidden, "value", challenge);
    otp_field(form, req, error, left, p);
    invqr_field_submit(form, MSG(L2_SHOW));
}

/* A form of one button posting to /v/CODE/<action>. */
static void action_button(invqr_page_t *pg, invqr_el_t *parent, const char *code, const char *action,
                          const char *text, const char *cls)
{
    invqr_el_t *form = invqr_page_post_form(pg, parent, apr_pstrcat(invqr_page_pool(pg), "/v/", code,
                                                                   "/", action, NULL));

    invqr_html_set(invqr_html_set(invqr_html_add(form, "button", text), "type", "submit"), "class", cls);
}

/* Under the code's form: send a new code (within the SMS limit), or call
 * the request off. */
static void resend_and_cancel(invqr_page_t *pg, invqr_el_t *main, const invqr_request_t *req,
                              const char *code)
{
    invqr_el_t *sec = invqr_html_set(invqr_html_add(main, "section", NULL), "aria-labelledby", "l2-resend");

    invqr_html_set(invqr_html_add(sec, "h2", MSG(L2_RESEND_H2)), "id", "l2-resend");
    invqr_html_add(sec, "p", MSG(L2_RESEND_TEXT));
    action_button(pg, sec, code, "otp", MSG(L2_RESEND), "btn-secondary");
    action_button(pg, sec, code, "cancel", MSG(L2_CANCEL), "btn-secondary");
}

/* A page of the second level that cannot go on as asked: what happened, and
 * the ways on that work from here. With code: ask for a new consent code (a
 * button: the first-level match of this session still stands) and verify
 * the QR code again. */
static void l2_problem(const invqr_request_t *req, invqr_response_t *resp, int status,
                       invqr_msg_t title, invqr_msg_t text, const char *code, apr_pool_t *p)
{
    invqr_page_t *pg;
    invqr_el_t *main, *ul;

    pg = invqr_operator_page(req, title, status, code != NULL, &main, p);
    invqr_html_set(invqr_html_add(main, "p", invqr_msg(req->page.lang, text)), "class",
                   "alert alert-warning");
    if (code != NULL)
        action_button(pg, main, code, "otp", MSG(L2_RESEND), "btn-primary");
    ul = invqr_html_set(invqr_html_add(main, "ul", NULL), "class", "next-steps");
    if (code != NULL)
        invqr_html_link(invqr_html_add(ul, "li", NULL), invqr_page_url(pg, apr_pstrcat(p, "/v/", code, NULL)),
                        MSG(L2_VERIFY_AGAIN));
    invqr_html_link(invqr_html_add(ul, "li", NULL), invqr_page_url(pg, "/operator"), MSG(L2_NEXT));
    invqr_app_page(resp, status, pg, p);
}

/* The consent SMS limit for the code is reached: the code sent last still
 * works, the form for it is one link away. */
static void limited_page(const invqr_request_t *req, invqr_response_t *resp, const char *code,
                         apr_pool_t *p)
{
    invqr_page_t *pg;
    invqr_el_t *main, *ul, *p1;
    int mins = (INVQR_OTP_SMS_WINDOW + 59) / 60;

    apr_table_setn(resp->headers, "Retry-After", apr_itoa(p, INVQR_OTP_SMS_WINDOW));
    pg = invqr_operator_page(req, INVQR_MSG_L2_LIMITED_TITLE, 429, 0, &main, p);
    p1 = invqr_html_set(invqr_html_add(main, "div", NULL), "class", "alert alert-warning");
    invqr_html_add(p1, "p", MSG(L2_LIMITED));
    invqr_html_addf(p1, "p", "%s %d %s.", MSG(L2_LIMITED_WAIT), mins,
                    mins == 1 ? MSG(OP_WAIT_MINUTE) : MSG(OP_WAIT_MINUTES));
    ul = invqr_html_set(invqr_html_add(main, "ul", NULL), "class", "next-steps");
    invqr_html_link(invqr_html_add(ul, "li", NULL),
                    invqr_page_url(pg, apr_pstrcat(p, "/v/", code, "/level2", NULL)), MSG(L2_BACK_TO_CODE));
    invqr_html_link(invqr_html_add(ul, "li", NULL), invqr_page_url(pg, "/operator"), MSG(L2_NEXT));
    invqr_app_page(resp, 429, pg, p);
}

/* The page after the consent SMS went out: where it went, until when the
 * code is valid, the form for it, and the ways to send another or stop. */
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
    otp_form(pg, main, req, code, ch->challenge, NULL, left);
    resend_and_cancel(pg, main, req, code);
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
        l2_problem(req, resp, 409, INVQR_MSG_L2_NO_MOBILE_TITLE, INVQR_MSG_L2_NO_MOBILE, NULL, p);
        return;
    case INVQR_L2_LIMITED:
        limited_page(req, resp, code, p);
        return;
    case INVQR_L2_GATEWAY:
        /* the service is unavailable for a while, not broken: the page
         * says so, and when to try again (the failed SMS cost nothing) */
        apr_table_setn(resp->headers, "Retry-After", apr_itoa(p, INVQR_L2_GATEWAY_RETRY));
        l2_problem(req, resp, 503, INVQR_MSG_L2_GATEWAY_TITLE, INVQR_MSG_L2_GATEWAY, code, p);
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

void invqr_otp_cancel_route(invqr_app_t *app, const invqr_request_t *req, invqr_response_t *resp,
                            apr_pool_t *p)
{
    char code[INVQR_CODE_LEN + 1];
    unsigned char sess[INVQR_SHA256_LEN];
    invqr_l2_actor_t actor;
    invqr_db_t *db = invqr_app_db(app);
    int cancelled = 0;

    if (req->operator_id <= 0) {
        invqr_app_error(req, resp, 401, NULL, p);
        return;
    }
    if (req->arg == NULL || invqr_code_parse(code, req->arg, strlen(req->arg)) != 0) {
        no_such_code(app, req, resp, "otp_cancel", p);
        return;
    }
    if (db == NULL) {
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    actor_of(&actor, sess, req);
    if (invqr_level2_cancel(&cancelled, db, &actor, code) != INVQR_L2_OK) {
        invqr_app_db_failed(app);
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    /* on to the next verification, with word that the code is void */
    invqr_app_redirect(req, resp, cancelled ? "/operator?done=cancelled" : "/operator", p);
}

/* "YYYY-MM-DD" as people of the page's language read a date: dd/mm/yyyy, or
 * dd.mm.yyyy in German (as invqr_page_date() writes it). */
static const char *local_date(const invqr_page_t *pg, const char *iso, apr_pool_t *p)
{
    char sep = invqr_page_ctx(pg)->lang == INVQR_LANG_DE ? '.' : '/';

    if (strlen(iso) != 10 || iso[4] != '-' || iso[7] != '-')
        return iso;
    return apr_psprintf(p, "%.2s%c%.2s%c%.4s", iso + 8, sep, iso + 5, sep, iso);
}

static void row(invqr_el_t *dl, const char *label, const char *field, const char *value)
{
    invqr_html_add(dl, "dt", label);
    invqr_html_set(invqr_html_add(invqr_html_add(dl, "dd", NULL), "span", value), "data-field", field);
}

/* A date row: the local form shown, the ISO day in datetime. */
static invqr_el_t *date_row(invqr_page_t *pg, invqr_el_t *dl, const char *label, const char *field,
                            const char *iso)
{
    invqr_el_t *dd;

    invqr_html_add(dl, "dt", label);
    dd = invqr_html_add(dl, "dd", NULL);
    invqr_html_set(invqr_page_date(pg, dd, iso), "data-field", field);
    return dd;
}

static void level2_page(const invqr_request_t *req, invqr_response_t *resp,
                        const invqr_status_t *st, const char *code, long long reference,
                        apr_pool_t *p)
{
    invqr_page_t *pg;
    invqr_el_t *main, *panel = NULL, *dl, *span, *dd, *meta, *ul;
    const char *bval, *btext;
    invqr_level1_t v;
    char today[11], minute[17];
    long long now = (long long)apr_time_sec(apr_time_now());

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
    if (st->invalidity_percent >= 0) {
        /* "75%" to read, the number alone for machines */
        invqr_html_add(dl, "dt", MSG(FIELD_INVALIDITY_PERCENT));
        span = invqr_html_add(invqr_html_add(dl, "dd", NULL), "span",
                              apr_psprintf(p, "%d%%", st->invalidity_percent));
        invqr_html_set(span, "data-field", "invalidity_percent");
        invqr_html_set(span, "data-value", apr_itoa(p, st->invalidity_percent));
    }
    else {
        row(dl, MSG(FIELD_INVALIDITY_PERCENT), "invalidity_percent", MSG(NOT_STATED));
    }
    switch (st->civil_blindness) {
    case INVQR_BLIND_ABSOLUTE: bval = "absolute"; btext = MSG(BLIND_ABSOLUTE); break;
    case INVQR_BLIND_PARTIAL: bval = "partial"; btext = MSG(BLIND_PARTIAL); break;
    default: bval = "none"; btext = MSG(BLIND_NONE); break;
    }
    invqr_html_add(dl, "dt", MSG(FIELD_BLINDNESS_DEGREE));
    span = invqr_html_add(invqr_html_add(dl, "dd", NULL), "span", btext);
    invqr_html_set(span, "data-field", "blindness_degree");
    invqr_html_set(span, "data-value", bval);
    date_row(pg, dl, MSG(FIELD_JUDGMENT_DATE), "judgment_date", st->judgment_date);
    if (st->review_date[0] != '\0') {
        dd = date_row(pg, dl, MSG(FIELD_REVIEW_DATE), "review_date", st->review_date);
        invqr_when_day(today, now);
        /* by law the status holds until the review's outcome is recorded */
        if (strcmp(st->review_date, today) < 0)
            invqr_html_set(invqr_html_set(invqr_html_add(dd, "p", MSG(L2_REVIEW_PAST)), "class", "note"),
                           "data-field", "review_past");
    }
    else {
        row(dl, MSG(FIELD_REVIEW_DATE), "review_date", MSG(NO_REVIEW));
    }
    invqr_html_add(dl, "dt", MSG(FIELD_MEDICAL_JUDGMENT));
    invqr_html_set(invqr_html_set(invqr_html_add(invqr_html_add(dl, "dd", NULL), "p", st->medical_judgment),
                                  "data-field", "medical_judgment"), "class", "judgment");

    /* when, and the reference the agency finds in its audit log */
    meta = invqr_html_set(invqr_html_add(panel, "p", NULL), "class", "check-meta");
    invqr_when_minute(minute, now);
    invqr_html_text(meta, MSG(L2_CHECKED_AT));
    invqr_html_text(meta, " ");
    {
        char iso[32];
        apr_time_exp_t tm;

        apr_time_exp_gmt(&tm, apr_time_from_sec(now));
        apr_snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        minute[10] = '\0';
        invqr_html_set(invqr_html_set(invqr_html_add(meta, "time", apr_pstrcat(p, local_date(pg, minute, p), " ",
                                                                             MSG(L2_AT_TIME), " ",
                                                                             minute + 11, NULL)),
                                      "datetime", iso), "data-field", "checked_at");
    }
    invqr_html_text(meta, ". ");
    invqr_html_text(meta, MSG(L2_REFERENCE));
    invqr_html_text(meta, " ");
    invqr_html_set(invqr_html_add(meta, "strong", apr_psprintf(p, "%" APR_INT64_T_FMT, (apr_int64_t)reference)),
                   "data-field", "reference");
    invqr_html_add(panel, "p", MSG(L2_KEEP_REFERENCE));
    invqr_html_set(invqr_html_add(panel, "p", MSG(RESULT_ID_HINT)), "class", "alert alert-info");

    /* on to the next verification */
    ul = invqr_html_set(invqr_html_add(main, "ul", NULL), "class", "next-steps");
    invqr_html_set(invqr_html_link(invqr_html_add(ul, "li", NULL), invqr_page_url(pg, "/operator"),
                                   MSG(L2_NEXT)), "data-action", "next");
    invqr_operator_help_link(pg, main, req);
    (void)code;
    invqr_app_page(resp, 200, pg, p);
}

/* The code's form again, after a wrong or malformed code, with the one
 * error beside the field. */
static void otp_again(const invqr_request_t *req, invqr_response_t *resp, int status,
                      const char *code, const char *challenge, invqr_msg_t why, int left,
                      apr_pool_t *p)
{
    invqr_page_t *pg;
    invqr_el_t *main;

    pg = invqr_operator_page(req, INVQR_MSG_L2_SENT_TITLE, status, 1, &main, p);
    otp_form(pg, main, req, code, challenge, invqr_msg(req->page.lang, why), left);
    resend_and_cancel(pg, main, req, code);
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
            l2_problem(req, resp, 410, INVQR_MSG_L2_SENT_TITLE, INVQR_MSG_L2_NONE_PENDING, code, p);
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
        level2_page(req, resp, st, code, (long long)invqr_db_insert_id(db), p);
        return;
    case INVQR_L2_OTP_MALFORMED:
        otp_again(req, resp, 400, code, challenge, INVQR_MSG_L2_MALFORMED, left, p);
        return;
    case INVQR_L2_OTP_INVALID:
        if (left > 0) {
            otp_again(req, resp, 403, code, challenge, INVQR_MSG_L2_WRONG, left, p);
            return;
        }
        /* a reload of the result lands here too (the code was used):
         * say so, and offer only what works */
        l2_problem(req, resp, 403, left < 0 ? INVQR_MSG_L2_SPENT_TITLE : INVQR_MSG_L2_SENT_TITLE,
                   left < 0 ? INVQR_MSG_L2_SPENT : INVQR_MSG_L2_INVALID, code, p);
        return;
    case INVQR_L2_OTP_EXPIRED:
        l2_problem(req, resp, 410, INVQR_MSG_L2_SENT_TITLE, INVQR_MSG_L2_EXPIRED, code, p);
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
