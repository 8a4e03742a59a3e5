/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the verifier's pages.
 *
 * GET /v/<CODE> (what the QR opens) asks only for the holder's fiscal code;
 * GET /verify asks for the code too. POST runs invqr_verify_level1() and
 * shows either the first-level result - the name, each category as a large
 * yes/no, the time of the check and a reminder to ask for an identity
 * document - or a page that says what went wrong and what to do next,
 * without revealing anything about the person.
 */
#include <string.h>
#include <time.h>

#include <apr_strings.h>

#include "invqr_code.h"
#include "invqr_error_summary.h"
#include "invqr_fields.h"
#include "invqr_fiscal.h"
#include "invqr_form.h"
#include "invqr_html.h"
#include "invqr_log.h"
#include "invqr_level2_pages.h"
#include "invqr_scanner.h"
#include "invqr_verify.h"
#include "invqr_verify_pages.h"

#define MSG(m) invqr_msg(req->page.lang, INVQR_MSG_##m)

/* The form, with what was typed kept (typed_fc NULL: an empty field). */
static void verify_form(invqr_page_t *pg, invqr_el_t *parent, const invqr_request_t *req,
                        const char *code, int manual, const char *typed_code,
                        const char *typed_fc, const char *code_error, const char *fc_error)
{
    const char *action = manual ? "/verify" : apr_pstrcat(invqr_page_pool(pg), "/v/", code, NULL);
    invqr_el_t *form;
    invqr_field_t f;

    if (manual)
        /* the camera fills in the typed code; typing stays the fallback */
        invqr_scanner_add(pg, parent, "code", "fiscal_code");
    form = invqr_page_post_form(pg, parent, action);
    if (manual) {
        memset(&f, 0, sizeof(f));
        f.name = "code";
        f.label = MSG(FIELD_CODE);
        f.hint = MSG(FIELD_CODE_HINT);
        f.error = code_error;
        f.value = typed_code;
        f.maxlength = INVQR_CODE_MAX_INPUT;
        f.autocomplete = "off";
        f.code_like = 1;
        invqr_field_add(form, &f);
    }
    memset(&f, 0, sizeof(f));
    f.name = "fiscal_code";
    f.label = MSG(FIELD_HOLDER_FISCAL_CODE);
    f.hint = MSG(FIELD_HOLDER_FISCAL_CODE_HINT);
    f.error = fc_error;
    f.value = typed_fc;
    f.maxlength = 32;
    f.autocomplete = "off";
    f.code_like = 1;
    invqr_field_add(form, &f);
    invqr_field_submit(form, MSG(VERIFY_SUBMIT));
}

void invqr_verify_form(invqr_page_t *pg, invqr_el_t *parent, const invqr_request_t *req,
                       const char *code, int manual, const char *typed_code,
                       const char *code_error, const char *fc_error)
{
    verify_form(pg, parent, req, code, manual, typed_code, NULL, code_error, fc_error);
}

/* The form as it comes back: what was typed, what went wrong. */
typedef struct {
    int status;                 /* 200 (the empty form), 400 or 422 */
    const char *code;           /* canonical, from the path; NULL for /verify */
    int manual;
    const char *typed_code, *typed_fc;
    const char *code_error, *fc_error;
    int tries_left;             /* after a wrong fiscal code; -1: not said */
    int slip;                   /* a typing mistake, which cost no try */
} form_state_t;

/* The message for a fiscal code the parser refused, NULL for a good one. */
static const char *fc_error_of(const invqr_request_t *req, invqr_fiscal_rc rc)
{
    switch (rc) {
    case INVQR_FISCAL_OK: return NULL;
    case INVQR_FISCAL_EMPTY: return MSG(ERR_FC_EMPTY);
    case INVQR_FISCAL_LENGTH: return MSG(ERR_FC_LENGTH);
    case INVQR_FISCAL_CHARSET: return MSG(ERR_FC_CHARSET);
    case INVQR_FISCAL_FORMAT:
    case INVQR_FISCAL_DATE: return MSG(ERR_FC_FORMAT);
    case INVQR_FISCAL_CHECK: return MSG(ERR_FC_CHECK);
    }
    return MSG(ERR_FC_TYPED);
}

/* The verification form: empty, or back with what was typed, each mistake
 * beside its field and listed at the top (the GOV.UK error summary). The
 * status stays the contract's: 400 malformed input, 422 no match. */
static void form_page(const invqr_request_t *req, invqr_response_t *resp, const form_state_t *fs,
                      apr_pool_t *p)
{
    int errors = fs->code_error != NULL || fs->fc_error != NULL;
    invqr_page_t *pg = invqr_page_new(&req->page,
                                      errors ? invqr_error_title(&req->page, MSG(VERIFY_TITLE), p)
                                             : MSG(VERIFY_TITLE), p);
    invqr_el_t *main = invqr_page_main(pg);
    const char *fc_error = fs->fc_error;

    if (fs->status != 200)
        invqr_html_set(main, "data-status", apr_itoa(p, fs->status));
    if (errors) {
        invqr_error_item_t items[2];
        invqr_el_t *box;

        items[0].field = "code";
        items[0].text = fs->code_error;
        items[1].field = "fiscal_code";
        items[1].text = fs->fc_error;
        box = invqr_error_summary(pg, main, items, 2);
        if (box != NULL && fs->tries_left > 0 && fs->status == 422) {
            /* in the box that takes the focus, so it is read first */
            invqr_el_t *left = invqr_html_set(invqr_html_add(box, "p", MSG(TRIES_LEFT)), "class",
                                              "tries-left");

            invqr_html_text(left, " ");
            invqr_html_set(invqr_html_add(left, "strong", apr_itoa(p, fs->tries_left)),
                           "data-field", "attempts_left");
            invqr_html_text(left, ". ");
            invqr_html_text(left, MSG(TRIES_LEFT_WHY));
        }
    }
    invqr_html_add(main, "h1", MSG(VERIFY_TITLE));
    if (fs->manual) {
        invqr_html_add(main, "p", MSG(VERIFY_MANUAL_INTRO));
    }
    else {
        char grouped[INVQR_CODE_GROUPED_LEN + 1];
        invqr_el_t *p1 = invqr_html_add(main, "p", MSG(VERIFY_CODE_INTRO));

        invqr_code_group(grouped, fs->code);
        invqr_html_text(p1, " ");
        invqr_html_set(invqr_html_add(p1, "strong", grouped), "class", "code");
        invqr_html_add(main, "p", MSG(VERIFY_FC_INTRO));
    }
    if (fc_error != NULL && fs->slip)
        fc_error = apr_pstrcat(p, fc_error, " ", MSG(VERIFY_SLIP_FREE), NULL);
    verify_form(pg, main, req, fs->code, fs->manual, fs->typed_code, fs->typed_fc,
                fs->code_error, fc_error);
    invqr_app_page(resp, fs->status, pg, p);
}

static void empty_form_page(const invqr_request_t *req, invqr_response_t *resp, const char *code,
                            int manual, apr_pool_t *p)
{
    form_state_t fs;

    memset(&fs, 0, sizeof(fs));
    fs.status = 200;
    fs.code = code;
    fs.manual = manual;
    fs.tries_left = -1;
    form_page(req, resp, &fs, p);
}

static void yes_no(invqr_el_t *dl, invqr_lang_t lang, const char *field, invqr_msg_t label,
                   int value)
{
    invqr_el_t *span;

    invqr_html_add(dl, "dt", invqr_msg(lang, label));
    span = invqr_html_add(invqr_html_add(dl, "dd", NULL), "span",
                          invqr_msg(lang, value ? INVQR_MSG_YES : INVQR_MSG_NO));
    invqr_html_set(span, "class", value ? "yes" : "no");
    invqr_html_set(span, "data-field", field);
    invqr_html_set(span, "data-value", value ? "yes" : "no");
}

void invqr_verify_categories(invqr_el_t *dl, invqr_lang_t lang, const invqr_level1_t *v)
{
    invqr_el_t *span;
    const char *hval;
    invqr_msg_t htext;

    invqr_html_add(dl, "dt", invqr_msg(lang, INVQR_MSG_RESULT_HOLDER));
    invqr_html_set(invqr_html_addf(invqr_html_add(dl, "dd", NULL), "strong", "%s %s",
                                   v->given_name, v->surname), "data-field", "name");
    yes_no(dl, lang, "civil_invalidity", INVQR_MSG_FIELD_CIVIL_INVALIDITY, v->civil_invalidity);
    yes_no(dl, lang, "minor_invalidity", INVQR_MSG_FIELD_MINOR_INVALIDITY, v->minor_invalidity);
    yes_no(dl, lang, "attendance_allowance", INVQR_MSG_FIELD_ATTENDANCE_ALLOWANCE,
           v->attendance_allowance);
    yes_no(dl, lang, "civil_blindness", INVQR_MSG_FIELD_CIVIL_BLINDNESS, v->civil_blindness);
    yes_no(dl, lang, "deafness", INVQR_MSG_FIELD_DEAFNESS, v->deafness);
    switch (v->handicap) {
    case INVQR_HANDICAP_ART3_C3: hval = "art3_c3"; htext = INVQR_MSG_HANDICAP_ART3_C3; break;
    case INVQR_HANDICAP_ART3_C1: hval = "art3_c1"; htext = INVQR_MSG_HANDICAP_ART3_C1; break;
    default: hval = "no"; htext = INVQR_MSG_NO; break;
    }
    invqr_html_add(dl, "dt", invqr_msg(lang, INVQR_MSG_FIELD_HANDICAP));
    span = invqr_html_add(invqr_html_add(dl, "dd", NULL), "span", invqr_msg(lang, htext));
    invqr_html_set(span, "class", v->handicap == INVQR_HANDICAP_NONE ? "no" : "yes");
    invqr_html_set(span, "data-field", "handicap");
    invqr_html_set(span, "data-value", hval);
}

invqr_el_t *invqr_verify_panel(invqr_el_t **ppanel, invqr_el_t *main, invqr_lang_t lang,
                              const invqr_level1_t *v)
{
    invqr_el_t *panel, *dl;

    panel = invqr_html_set(invqr_html_add(main, "section", NULL), "class", "result match");
    invqr_html_set(panel, "aria-labelledby", "result-title");
    invqr_html_set(invqr_html_set(invqr_html_add(panel, "h2", invqr_msg(lang, INVQR_MSG_RESULT_VALID)),
                                  "id", "result-title"), "class", "result-title");
    dl = invqr_html_set(invqr_html_add(panel, "dl", NULL), "class", "result-list");
    invqr_verify_categories(dl, lang, v);
    *ppanel = panel;
    return dl;
}

static void result_page(invqr_app_t *app, const invqr_request_t *req, invqr_response_t *resp,
                        const invqr_level1_t *v, const char *code, apr_pool_t *p)
{
    invqr_page_t *pg = invqr_page_new(&req->page, MSG(RESULT_TITLE), p);
    invqr_el_t *main = invqr_page_main(pg), *panel = NULL, *when;
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;

    invqr_html_add(main, "h1", MSG(RESULT_TITLE));
    invqr_verify_panel(&panel, main, req->page.lang, v);

    /* The time of the check, in local time as the desk sees it (the worker
     * sets TZ=Europe/Rome at start-up unless told otherwise). */
    localtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%d/%m/%Y %H:%M", &tm);
    when = invqr_html_add(panel, "p", MSG(RESULT_CHECKED_AT));
    invqr_html_text(when, " ");
    invqr_html_set(invqr_html_add(when, "time", stamp), "data-field", "checked_at");
    invqr_html_set(invqr_html_add(panel, "p", MSG(RESULT_ID_HINT)), "class", "alert alert-info");
    invqr_html_set(invqr_html_add(main, "p", MSG(RESULT_ONLINE)), "class", "hint");
    {
        /* for a desk that seldom sees these words: what each category is */
        invqr_el_t *more = invqr_html_set(invqr_html_add(main, "details", NULL), "class",
                                          "categories-help");

        static const struct { invqr_msg_t term, text; } cats[] = {
            { INVQR_MSG_FIELD_CIVIL_INVALIDITY, INVQR_MSG_CAT_HELP_CIVIL_INVALIDITY },
            { INVQR_MSG_FIELD_MINOR_INVALIDITY, INVQR_MSG_CAT_HELP_MINOR_INVALIDITY },
            { INVQR_MSG_FIELD_ATTENDANCE_ALLOWANCE, INVQR_MSG_CAT_HELP_ATTENDANCE_ALLOWANCE },
            { INVQR_MSG_FIELD_CIVIL_BLINDNESS, INVQR_MSG_CAT_HELP_CIVIL_BLINDNESS },
            { INVQR_MSG_FIELD_DEAFNESS, INVQR_MSG_CAT_HELP_DEAFNESS },
            { INVQR_MSG_FIELD_HANDICAP, INVQR_MSG_CAT_HELP_HANDICAP },
        };
        invqr_el_t *dl;
        size_t i;

        invqr_html_add(more, "summary", MSG(RESULT_CATEGORIES_HELP));
        dl = invqr_html_add(more, "dl", NULL);
        for (i = 0; i < sizeof(cats) / sizeof(cats[0]); i++) {
            invqr_html_add(dl, "dt", invqr_msg(req->page.lang, cats[i].term));
            invqr_html_add(dl, "dd", invqr_msg(req->page.lang, cats[i].text));
        }
    }
    invqr_operator_offer_level2(app, req, pg, main, code);
    {
        invqr_el_t *ul = invqr_html_set(invqr_html_add(main, "ul", NULL), "class", "next-steps");
        invqr_html_link(invqr_html_add(ul, "li", NULL), invqr_page_url(pg, "/verify"),
                        MSG(VERIFY_ANOTHER));
        invqr_html_link(invqr_html_add(ul, "li", NULL), invqr_page_url(pg, "/benefits"),
                        MSG(RESULT_BENEFITS));
    }
    invqr_app_page(resp, 200, pg, p);
}

/* "You can verify again from 14:35 (in 15 minutes)": the local time (the
 * worker's TZ) when the wait is over, rounded up to the minute so that the
 * time said is never too early, with the day when it is not today. */
static void retry_when(invqr_el_t *parent, const invqr_request_t *req, int seconds,
                       long long end, apr_pool_t *p)
{
    time_t now = time(NULL), at = end > 0 ? (time_t)end : now + (seconds > 0 ? seconds : 1);
    struct tm tm_at, tm_now;
    char hhmm[8], iso[32], zone[8], day[16];
    long minutes;
    invqr_el_t *line, *t;

    if (at % 60 != 0)
        at += 60 - at % 60;
    minutes = (long)(((seconds > 0 ? seconds : 1) + 59) / 60);
    localtime_r(&at, &tm_at);
    localtime_r(&now, &tm_now);
    strftime(hhmm, sizeof(hhmm), "%H:%M", &tm_at);
    strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M", &tm_at);
    strftime(zone, sizeof(zone), "%z", &tm_at);   /* +0100 */
    line = invqr_html_set(invqr_html_add(parent, "p", MSG(RETRY_FROM)), "class", "retry-at");
    invqr_html_text(line, " ");
    t = invqr_html_add(invqr_html_add(line, "strong", NULL), "time", hhmm);
    invqr_html_set(t, "datetime", apr_psprintf(p, "%s%.3s:%.2s", iso, zone, zone + 3));
    invqr_html_set(t, "data-field", "retry_at");
    if (tm_at.tm_yday != tm_now.tm_yday || tm_at.tm_year != tm_now.tm_year) {
        strftime(day, sizeof(day), "%d/%m/%Y", &tm_at);
        invqr_html_text(line, apr_pstrcat(p, " ", MSG(RETRY_ON_DAY), " ", day, NULL));
    }
    invqr_html_text(line, apr_pstrcat(p, " (", MSG(RETRY_IN), " ", NULL));
    invqr_html_set(invqr_html_add(line, "strong", apr_psprintf(p, "%ld %s", minutes,
                                                               minutes == 1 ? MSG(UNIT_MINUTE)
                                                                            : MSG(UNIT_MINUTES))),
                   "data-field", "retry_minutes");
    invqr_html_text(line, ").");
}

/* A code (or this client) cooling down: nobody is blamed, the page says
 * exactly when verifying works again and offers only what works now. With
 * status 422 the wrong fiscal code just sent used the last try. */
static void cooldown_page(const invqr_request_t *req, invqr_response_t *resp, int status,
                          const invqr_level1_t *v, apr_pool_t *p)
{
    invqr_page_ctx_t ctx = req->page;
    invqr_page_t *pg;
    invqr_el_t *main, *alert, *ul;
    int client = status == 429 && v->limited_by == INVQR_LIMIT_CLIENT;

    ctx.csrf = NULL;     /* no form: nothing can be sent before the time said */
    pg = invqr_page_new(&ctx, status == 422 ? MSG(ERROR_422_TITLE) : MSG(COOLDOWN_TITLE), p);
    main = invqr_page_main(pg);
    invqr_html_set(main, "class", "container error-page");
    invqr_html_set(main, "data-status", apr_itoa(p, status));
    invqr_html_set(main, "data-limit", client ? "client" : "code");
    invqr_html_add(main, "h1", status == 422 ? MSG(ERROR_422_TITLE) : MSG(COOLDOWN_TITLE));
    alert = invqr_html_set(invqr_html_add(main, "div", NULL), "class", "alert alert-warning");
    if (status == 422) {
        invqr_el_t *left = invqr_html_add(alert, "p", MSG(TRIES_LEFT));

        invqr_html_text(left, " ");
        invqr_html_set(invqr_html_add(left, "strong", "0"), "data-field", "attempts_left");
        invqr_html_text(left, ".");
        invqr_html_add(alert, "p", MSG(COOLDOWN_LAST_TRY));
    }
    else {
        invqr_html_add(alert, "p", client ? MSG(COOLDOWN_CLIENT) : MSG(COOLDOWN_CODE));
    }
    retry_when(alert, req, v->retry_after, v->retry_at, p);
    if (!client) {
        invqr_html_add(main, "p", MSG(COOLDOWN_MEANWHILE));
        invqr_html_add(main, "p", MSG(COOLDOWN_HOLDER));
    }
    ul = invqr_html_set(invqr_html_add(main, "ul", NULL), "class", "next-steps");
    if (!client)
        /* other codes are not held back */
        invqr_html_link(invqr_html_add(ul, "li", NULL), invqr_page_url(pg, "/verify"),
                        MSG(ERROR_VERIFY_ANOTHER));
    invqr_html_link(invqr_html_add(ul, "li", NULL), invqr_page_url(pg, "/citizen"),
                    MSG(NAV_CITIZEN));
    invqr_html_link(invqr_html_add(ul, "li", NULL), invqr_page_url(pg, "/"),
                    MSG(ERROR_BACK_HOME));
    if (status == 429)
        apr_table_setn(resp->headers, "Retry-After", apr_itoa(p, v->retry_after > 0 ? v->retry_after : 1));
    invqr_app_page(resp, status, pg, p);
}

/* An outcome other than a match: a mistake in what was typed comes back on
 * the form; a cool-down says until when; the rest is the error page of its
 * status. */
static void outcome_page(const invqr_request_t *req, invqr_response_t *resp,
                         const invqr_level1_t *v, const form_state_t *typed, apr_pool_t *p)
{
    form_state_t fs = *typed;
    char canon[INVQR_FISCAL_LEN + 1];

    switch (v->outcome) {
    case INVQR_V_BAD_INPUT:
        fs.status = 400;
        fs.fc_error = fc_error_of(req, invqr_fiscal_parse_typed(canon, fs.typed_fc != NULL ? fs.typed_fc : "",
                                                                fs.typed_fc != NULL ? strlen(fs.typed_fc) : 0));
        if (fs.fc_error == NULL)
            fs.fc_error = MSG(ERR_FC_TYPED);
        fs.slip = 1;
        fs.tries_left = v->tries_left;
        form_page(req, resp, &fs, p);
        return;
    case INVQR_V_MISMATCH:
        if (v->tries_left == 0) {
            cooldown_page(req, resp, 422, v, p);
            return;
        }
        fs.status = 422;
        fs.fc_error = MSG(ERR_FC_MISMATCH);
        fs.tries_left = v->tries_left;
        form_page(req, resp, &fs, p);
        return;
    case INVQR_V_LIMITED:
        cooldown_page(req, resp, 429, v, p);
        return;
    default:
        invqr_app_error(req, resp, invqr_verify_http_status(v->outcome), NULL, p);
        return;
    }
}

static int parse_body(apr_table_t **pform, const invqr_request_t *req, apr_pool_t *p)
{
    if (req->body == NULL) {
        *pform = apr_table_make(p, 1);
        return 0;
    }
    return invqr_form_parse(pform, req->body, req->body_len, p) == APR_SUCCESS ? 0 : -1;
}

/* Run the verification: code NULL when what was typed is no code (the
 * attempt is audited all the same). NULL when the store failed (the 503
 * page is already in resp). */
static invqr_level1_t *run_verify(invqr_app_t *app, const invqr_request_t *req,
                                  invqr_response_t *resp, const char *code,
                                  const char *fiscal_code, apr_pool_t *p)
{
    invqr_db_t *db = invqr_app_db(app);
    invqr_verify_req_t vr;
    invqr_level1_t *v = apr_pcalloc(p, sizeof(*v));

    if (db == NULL) {
        invqr_app_error(req, resp, 503, NULL, p);
        return NULL;
    }
    memset(&vr, 0, sizeof(vr));
    vr.code = code;
    vr.fiscal_code = fiscal_code;
    vr.client = req->client;
    vr.operator_id = req->operator_id;
    vr.org_id = req->org_id;
    vr.audit = app->audit;
    invqr_verify_level1(v, db, app->conf, &vr);
    if (v->outcome == INVQR_V_UNAVAILABLE) {
        invqr_app_db_failed(app);
        invqr_app_error(req, resp, 503, NULL, p);
        return NULL;
    }
    return v;
}

/* Verify what was typed: the fiscal code with its spaces taken out (people
 * copy it in groups); a text that is no fiscal code is passed on as it was,
 * for the verification to refuse and audit. */
static void verify(invqr_app_t *app, const invqr_request_t *req, invqr_response_t *resp,
                   const form_state_t *typed, apr_pool_t *p)
{
    char canon[INVQR_FISCAL_LEN + 1];
    const char *fc = typed->typed_fc != NULL ? typed->typed_fc : "";
    invqr_level1_t *v;

    if (invqr_fiscal_parse_typed(canon, fc, strlen(fc)) == INVQR_FISCAL_OK)
        fc = canon;
    v = run_verify(app, req, resp, typed->code, fc, p);
    if (v == NULL)
        return;
    if (v->outcome == INVQR_V_MATCH)
        result_page(app, req, resp, v, typed->code, p);
    else
        outcome_page(req, resp, v, typed, p);
}

void invqr_verify_code_route(invqr_app_t *app, const invqr_request_t *req,
                             invqr_response_t *resp, apr_pool_t *p)
{
    char code[INVQR_CODE_LEN + 1];
    apr_table_t *form = NULL;
    form_state_t fs;

    /* The QR writes the code upper-case; people may type it any way. A path
     * that names no code is no page; a POST to it is still an attempt. */
    if (req->arg == NULL || invqr_code_parse(code, req->arg, strlen(req->arg)) != 0) {
        if (strcmp(req->method, "POST") != 0 || run_verify(app, req, resp, NULL, "", p) != NULL)
            invqr_app_error(req, resp, 404, NULL, p);
        return;
    }
    if (strcmp(req->method, "POST") != 0) {
        invqr_db_t *db = invqr_app_db(app);
        invqr_level1_t v;

        /* a code cooling down: say until when, rather than ask in vain */
        memset(&v, 0, sizeof(v));
        v.outcome = INVQR_V_LIMITED;
        v.limited_by = INVQR_LIMIT_CODE;
        switch (db != NULL ? invqr_verify_cooling(&v.retry_after, &v.retry_at, db, app->conf, code) : 0) {
        case 1:
            cooldown_page(req, resp, 429, &v, p);
            return;
        case -1:
            invqr_app_db_failed(app);
            break;
        default:
            break;
        }
        empty_form_page(req, resp, code, 0, p);
        return;
    }
    if (parse_body(&form, req, p) != 0) {
        invqr_app_error(req, resp, 400, NULL, p);
        return;
    }
    memset(&fs, 0, sizeof(fs));
    fs.code = code;
    fs.typed_fc = apr_table_get(form, "fiscal_code");
    fs.tries_left = -1;
    verify(app, req, resp, &fs, p);
}

void invqr_verify_manual_route(invqr_app_t *app, const invqr_request_t *req,
                               invqr_response_t *resp, apr_pool_t *p)
{
    char code[INVQR_CODE_LEN + 1], canon[INVQR_FISCAL_LEN + 1];
    apr_table_t *form = NULL;
    form_state_t fs;

    if (strcmp(req->method, "POST") != 0) {
        empty_form_page(req, resp, NULL, 1, p);
        return;
    }
    if (parse_body(&form, req, p) != 0) {
        invqr_app_error(req, resp, 400, NULL, p);
        return;
    }
    memset(&fs, 0, sizeof(fs));
    fs.manual = 1;
    fs.typed_code = apr_table_get(form, "code");
    fs.typed_fc = apr_table_get(form, "fiscal_code");
    fs.tries_left = -1;
    if (fs.typed_code == NULL || invqr_code_parse(code, fs.typed_code, strlen(fs.typed_code)) != 0) {
        const char *t = fs.typed_fc != NULL ? fs.typed_fc : "";

        /* an attempt all the same (audited); both fields are checked, so
         * one answer lists every mistake */
        if (run_verify(app, req, resp, NULL, t, p) == NULL)
            return;
        fs.status = 400;
        fs.code_error = fs.typed_code == NULL || fs.typed_code[strspn(fs.typed_code, " \t-")] == '\0'
                            ? MSG(ERR_CODE_EMPTY) : MSG(ERR_CODE_TYPED);
        fs.fc_error = fc_error_of(req, invqr_fiscal_parse_typed(canon, t, strlen(t)));
        form_page(req, resp, &fs, p);
        return;
    }
    fs.code = code;
    verify(app, req, resp, &fs, p);
}
