/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the operator's pages: sign-in form, home, guide, and the second
 * level (consent code request, code entry, the full record once).
 *
 * The password itself is checked by mod_invqr; the worker only renders the
 * form. Second-level pages are never cached (Cache-Control: no-store, as
 * every invqr page) and show the record only on the answer to the right code.
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
#include "invqr_log.h"
#include "invqr_operator_pages.h"
#include "invqr_verify_pages.h"
#include "invqr_when.h"

#define MSG(m) invqr_msg(req->page.lang, INVQR_MSG_##m)

/* A page of the operator area: titled title, its main (*pmain) opened by
 * the h1; a status other than 200 is marked on main as on error pages.
 * With keep_csrf 0 the page carries no form token. */
static invqr_page_t *operator_page(const invqr_request_t *req, invqr_msg_t title, int status,
                                   int keep_csrf, invqr_el_t **pmain, apr_pool_t *p)
{
    invqr_page_ctx_t ctx = req->page;
    const char *text = invqr_msg(req->page.lang, title);
    invqr_page_t *pg;

    ctx.operator_area = 1;
    if (!keep_csrf)
        ctx.csrf = NULL;
    pg = invqr_page_new(&ctx, text, p);
    *pmain = invqr_page_main(pg);
    if (status != 200)
        invqr_html_set(*pmain, "data-status", apr_itoa(p, status));
    invqr_html_add(*pmain, "h1", text);
    return pg;
}

static void help_link(invqr_page_t *pg, invqr_el_t *main, const invqr_request_t *req)
{
    invqr_el_t *p1 = invqr_html_set(invqr_html_add(main, "p", NULL), "class", "help-link");

    invqr_html_link(p1, invqr_page_url(pg, "/operator/help"), MSG(OP_HELP_LINK));
}

void invqr_operator_login_route(invqr_app_t *app, const invqr_request_t *req,
                                invqr_response_t *resp, apr_pool_t *p)
{
    invqr_page_t *pg;
    invqr_el_t *main, *form;
    invqr_field_t f;
    int failed = req->query != NULL && strcmp(req->query, "error=1") == 0;

    pg = operator_page(req, INVQR_MSG_OP_LOGIN_TITLE, 200, 1, &main, p);
    if (failed)
        invqr_html_set(invqr_html_set(invqr_html_add(main, "p", MSG(OP_LOGIN_FAILED)), "class",
                                      "alert alert-error"), "role", "alert");
    invqr_html_add(main, "p", MSG(OP_LOGIN_INTRO));
    form = invqr_page_post_form(pg, main, "/operator/login");
    memset(&f, 0, sizeof(f));
    f.name = "username";
    f.label = MSG(OP_USERNAME);
    f.maxlength = 64;
    f.autocomplete = "username";
    invqr_field_add(form, &f);
    memset(&f, 0, sizeof(f));
    f.name = "password";
    f.label = MSG(OP_PASSWORD);
    f.maxlength = 256;
    f.autocomplete = "current-password";
    f.type = "password";
    invqr_field_add(form, &f);
    invqr_field_submit(form, MSG(OP_SIGN_IN));
    help_link(pg, main, req);
    invqr_app_page(resp, failed ? 401 : 200, pg, p);
}

typedef struct {
    invqr_el_t *tbody;
    invqr_page_t *pg;
    const invqr_request_t *req;
    char code[24], outcome[40];
    long long at, level;
} recent_t;

/* The words for an audit outcome (the raw value stays in data-value). */
static invqr_msg_t outcome_words(const char *outcome)
{
    static const struct {
        const char *raw;
        invqr_msg_t msg;
    } words[] = {
        { "match", INVQR_MSG_OUTCOME_MATCH },
        { "shown", INVQR_MSG_OUTCOME_SHOWN },
        { "mismatch", INVQR_MSG_OUTCOME_MISMATCH },
        { "unknown", INVQR_MSG_OUTCOME_UNKNOWN },
        { "revoked", INVQR_MSG_OUTCOME_REVOKED },
        { "limited", INVQR_MSG_OUTCOME_LIMITED },
    };
    size_t i;

    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcmp(outcome, words[i].raw) == 0)
            return words[i].msg;
    return INVQR_MSG_OUTCOME_OTHER;
}

static int recent_row(void *baton, invqr_binds_t *out)
{
    recent_t *r = baton;
    const invqr_request_t *req = r->req;
    invqr_el_t *tr = invqr_html_add(r->tbody, "tr", NULL);
    char grouped[INVQR_CODE_GROUPED_LEN + 1], when[17];

    invqr_when_minute(when, r->at);
    invqr_page_date(r->pg, invqr_html_set(invqr_html_add(tr, "td", NULL), "data-label",
                                          MSG(CITIZEN_LOG_WHEN)), when);
    if (strlen(r->code) == INVQR_CODE_LEN)
        invqr_code_group(grouped, r->code);
    else
        apr_cpystrn(grouped, r->code, sizeof(grouped));
    invqr_html_set(invqr_html_set(invqr_html_add(tr, "td", grouped), "data-label", MSG(OP_RECENT_CODE)),
                   "class", "code");
    invqr_html_set(invqr_html_add(tr, "td", r->level == 2 ? MSG(CITIZEN_LOG_LEVEL2) : MSG(CITIZEN_LOG_LEVEL1)),
                   "data-label", MSG(CITIZEN_LOG_LEVEL));
    invqr_html_set(invqr_html_set(invqr_html_add(tr, "td", invqr_msg(req->page.lang, outcome_words(r->outcome))),
                                  "data-label", MSG(OP_RECENT_OUTCOME)),
                   "data-value", r->outcome);
    return 0;
}

void invqr_operator_home_route(invqr_app_t *app, const invqr_request_t *req,
                               invqr_response_t *resp, apr_pool_t *p)
{
    invqr_page_t *pg;
    invqr_el_t *main, *who, *sec, *table, *tr, *wrap;
    invqr_db_t *db = invqr_app_db(app);
    invqr_binds_t in, out;
    recent_t rec;
    unsigned long long rows = 0;

    if (req->operator_id <= 0) {
        invqr_app_error(req, resp, 401, NULL, p);
        return;
    }
    if (db == NULL) {
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    pg = invqr_page_new(&req->page, MSG(OP_HOME_TITLE), p);
    main = invqr_page_main(pg);
    invqr_html_add(main, "h1", MSG(OP_HOME_TITLE));
    who = invqr_html_add(main, "p", MSG(OP_SIGNED_IN));
    invqr_html_text(who, " ");
    invqr_html_set(invqr_html_add(who, "strong", req->operator_name), "data-field", "operator");
    invqr_html_text(who, " ");
    invqr_html_text(who, MSG(OP_ORG));
    invqr_html_text(who, " ");
    invqr_html_set(invqr_html_add(who, "strong", req->org_name), "data-field", "organisation");

    sec = invqr_html_set(invqr_html_add(main, "section", NULL), "aria-labelledby", "op-verify");
    invqr_html_set(invqr_html_add(sec, "h2", MSG(OP_VERIFY_H2)), "id", "op-verify");
    invqr_html_add(sec, "p", MSG(OP_VERIFY_TEXT));
    invqr_verify_form(pg, sec, req, NULL, 1, NULL, NULL, NULL);

    sec = invqr_html_set(invqr_html_add(main, "section", NULL), "aria-labelledby", "op-recent");
    invqr_html_set(invqr_html_add(sec, "h2", MSG(OP_RECENT_H2)), "id", "op-recent");
    wrap = invqr_html_set(invqr_html_add(sec, "div", NULL), "class", "table-wrap");
    table = invqr_html_set(invqr_html_add(wrap, "table", NULL), "class", "table-stack");
    invqr_html_set(table, "data-table", "recent");
    tr = invqr_html_add(invqr_html_add(table, "thead", NULL), "tr", NULL);
    invqr_html_set(invqr_html_add(tr, "th", MSG(CITIZEN_LOG_WHEN)), "scope", "col");
    invqr_html_set(invqr_html_add(tr, "th", MSG(OP_RECENT_CODE)), "scope", "col");
    invqr_html_set(invqr_html_add(tr, "th", MSG(CITIZEN_LOG_LEVEL)), "scope", "col");
    invqr_html_set(invqr_html_add(tr, "th", MSG(OP_RECENT_OUTCOME)), "scope", "col");
    memset(&rec, 0, sizeof(rec));
    rec.req = req;
    rec.pg = pg;
    rec.tbody = invqr_html_add(table, "tbody", NULL);
    invqr_binds_init(&in);
    invqr_bind_int(&in, req->operator_id);
    invqr_binds_init(&out);
    invqr_bind_out_int(&out, &rec.at);
    invqr_bind_out_str(&out, rec.code, sizeof(rec.code));
    invqr_bind_out_int(&out, &rec.level);
    invqr_bind_out_str(&out, rec.outcome, sizeof(rec.outcome));
    if (invqr_db_exec(db, INVQR_SQL_OPERATOR_RECENT, &in, &out, recent_row, &rec, &rows) != APR_SUCCESS) {
        invqr_app_db_failed(app);
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    if (rows == 0) {
        invqr_html_remove(wrap);
        invqr_html_add(sec, "p", MSG(OP_RECENT_EMPTY));
    }
    {
        invqr_el_t *out_form = invqr_page_post_form(pg, main, "/operator/logout");
        invqr_html_set(invqr_html_set(invqr_html_add(out_form, "button", MSG(OP_SIGN_OUT)), "type",
                                      "submit"), "class", "btn-secondary");
    }
    help_link(pg, main, req);
    invqr_app_page(resp, 200, pg, p);
}

void invqr_operator_help_route(invqr_app_t *app, const invqr_request_t *req,
                               invqr_response_t *resp, apr_pool_t *p)
{
    invqr_page_t *pg;
    invqr_el_t *main, *ul;

    pg = operator_page(req, INVQR_MSG_HELP_TITLE, 200, 1, &main, p);
    invqr_html_add(main, "h2", MSG(HELP_SCAN_H2));
    invqr_html_add(main, "p", MSG(HELP_SCAN_TEXT));
    invqr_html_add(main, "h2", MSG(HELP_LEVEL1_H2));
    invqr_html_add(main, "p", MSG(HELP_LEVEL1_TEXT));
    invqr_html_add(main, "h2", MSG(HELP_LEVEL2_H2));
    invqr_html_add(main, "p", MSG(HELP_LEVEL2_TEXT));
    invqr_html_set(invqr_html_add(main, "p", MSG(HELP_REPRESENTED_TEXT)), "id", "help-represented");
    invqr_html_add(main, "h2", MSG(HELP_ERRORS_H2));
    ul = invqr_html_add(main, "ul", NULL);
    invqr_html_add(ul, "li", MSG(HELP_ERR_404));
    invqr_html_add(ul, "li", MSG(HELP_ERR_410));
    invqr_html_add(ul, "li", MSG(HELP_ERR_422));
    invqr_html_add(ul, "li", MSG(HELP_ERR_429));
    invqr_html_add(ul, "li", MSG(HELP_ERR_OTP));
    invqr_html_add(ul, "li", MSG(HELP_ERR_503));
    invqr_html_link(invqr_html_add(main, "p", NULL), invqr_page_url(pg, "/benefits"),
                    MSG(RESULT_BENEFITS));
    invqr_app_page(resp, 200, pg, p);
    (void)app;
}

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

    pg = operator_page(req, title, status, 0, &main, p);
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

    pg = operator_page(req, INVQR_MSG_L2_SENT_TITLE, 200, 1, &main, p);
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
    help_link(pg, main, req);
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

    pg = operator_page(req, INVQR_MSG_L2_RESULT_TITLE, 200, 1, &main, p);
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
    help_link(pg, main, req);
    invqr_app_page(resp, 200, pg, p);
}

/* The OTP form again, after a wrong or malformed code, with the attempts left. */
static void otp_again(const invqr_request_t *req, invqr_response_t *resp, int status,
                      const char *code, const char *challenge, invqr_msg_t why, int left,
                      apr_pool_t *p)
{
    invqr_page_t *pg;
    invqr_el_t *main, *p1;

    pg = operator_page(req, INVQR_MSG_L2_SENT_TITLE, status, 1, &main, p);
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
