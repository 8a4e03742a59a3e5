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
#include "invqr_fields.h"
#include "invqr_form.h"
#include "invqr_html.h"
#include "invqr_log.h"
#include "invqr_level2_pages.h"
#include "invqr_scanner.h"
#include "invqr_verify.h"
#include "invqr_verify_pages.h"

#define MSG(m) invqr_msg(req->page.lang, INVQR_MSG_##m)

void invqr_verify_form(invqr_page_t *pg, invqr_el_t *parent, const invqr_request_t *req,
                       const char *code, int manual, const char *typed_code,
                       const char *code_error, const char *fc_error)
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
    f.maxlength = 32;
    f.autocomplete = "off";
    f.code_like = 1;
    invqr_field_add(form, &f);
    invqr_field_submit(form, MSG(VERIFY_SUBMIT));
}

static void form_page(const invqr_request_t *req, invqr_response_t *resp, const char *code,
                      int manual, apr_pool_t *p)
{
    invqr_page_t *pg = invqr_page_new(&req->page, MSG(VERIFY_TITLE), p);
    invqr_el_t *main = invqr_page_main(pg);

    invqr_html_add(main, "h1", MSG(VERIFY_TITLE));
    if (manual) {
        invqr_html_add(main, "p", MSG(VERIFY_MANUAL_INTRO));
    }
    else {
        char grouped[INVQR_CODE_GROUPED_LEN + 1];
        invqr_el_t *p1 = invqr_html_add(main, "p", MSG(VERIFY_CODE_INTRO));

        invqr_code_group(grouped, code);
        invqr_html_text(p1, " ");
        invqr_html_set(invqr_html_add(p1, "strong", grouped), "class", "code");
        invqr_html_add(main, "p", MSG(VERIFY_FC_INTRO));
    }
    invqr_verify_form(pg, main, req, code, manual, NULL, NULL, NULL);
    invqr_app_page(resp, 200, pg, p);
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

invqr_el_t *invqr_verify_panel(invqr_el_t **ppanel, invqr_el_t *main, invqr_lang_t lang,
                              const invqr_level1_t *v)
{
    invqr_el_t *panel, *dl, *span;
    const char *hval;
    invqr_msg_t htext;

    panel = invqr_html_set(invqr_html_add(main, "section", NULL), "class", "result match");
    invqr_html_set(panel, "aria-labelledby", "result-title");
    invqr_html_set(invqr_html_set(invqr_html_add(panel, "h2", invqr_msg(lang, INVQR_MSG_RESULT_VALID)),
                                  "id", "result-title"), "class", "result-title");
    dl = invqr_html_set(invqr_html_add(panel, "dl", NULL), "class", "result-list");
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

/* An outcome other than a match: the error page for its status, with the
 * form again where trying again makes sense. */
static void outcome_page(const invqr_request_t *req, invqr_response_t *resp,
                         const invqr_level1_t *v, const char *code, int manual,
                         const char *typed_code, apr_pool_t *p)
{
    int status = invqr_verify_http_status(v->outcome);
    invqr_page_ctx_t ctx = req->page;
    invqr_page_t *pg;
    invqr_el_t *main;

    if (v->outcome == INVQR_V_MISMATCH || v->outcome == INVQR_V_BAD_INPUT) {
        /* keep the CSRF token: the page offers the form again */
        pg = invqr_page_error(&ctx, status, NULL, p);
        main = invqr_page_main(pg);
        invqr_html_add(main, "p", MSG(VERIFY_MISMATCH_RETRY));
        invqr_verify_form(pg, main, req, code, manual, typed_code, NULL,
                    v->outcome == INVQR_V_BAD_INPUT ? MSG(ERR_FC_TYPED) : NULL);
        invqr_app_page(resp, status, pg, p);
        return;
    }
    if (v->outcome == INVQR_V_LIMITED) {
        char minutes[16];
        invqr_el_t *wait;

        apr_snprintf(minutes, sizeof(minutes), "%d", (v->retry_after + 59) / 60);
        apr_table_setn(resp->headers, "Retry-After", apr_itoa(p, v->retry_after));
        ctx.csrf = NULL;
        pg = invqr_page_error(&ctx, status, NULL, p);
        wait = invqr_html_add(invqr_page_main(pg), "p", MSG(RETRY_MINUTES));
        invqr_html_text(wait, " ");
        invqr_html_add(wait, "strong", minutes);
        invqr_app_page(resp, status, pg, p);
        return;
    }
    invqr_app_error(req, resp, status, NULL, p);
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

static void verify(invqr_app_t *app, const invqr_request_t *req, invqr_response_t *resp,
                   const char *code, const char *fiscal_code, int manual, const char *typed_code,
                   apr_pool_t *p)
{
    invqr_level1_t *v = run_verify(app, req, resp, code, fiscal_code, p);

    if (v == NULL)
        return;
    if (v->outcome == INVQR_V_MATCH)
        result_page(app, req, resp, v, code, p);
    else
        outcome_page(req, resp, v, code, manual, typed_code, p);
}

void invqr_verify_code_route(invqr_app_t *app, const invqr_request_t *req,
                             invqr_response_t *resp, apr_pool_t *p)
{
    char code[INVQR_CODE_LEN + 1];
    apr_table_t *form = NULL;
    const char *fc;

    /* The QR writes the code upper-case; people may type it any way. A path
     * that names no code is no page; a POST to it is still an attempt. */
    if (req->arg == NULL || invqr_code_parse(code, req->arg, strlen(req->arg)) != 0) {
        if (strcmp(req->method, "POST") != 0 || run_verify(app, req, resp, NULL, "", p) != NULL)
            invqr_app_error(req, resp, 404, NULL, p);
        return;
    }
    if (strcmp(req->method, "POST") != 0) {
        form_page(req, resp, code, 0, p);
        return;
    }
    if (parse_body(&form, req, p) != 0) {
        invqr_app_error(req, resp, 400, NULL, p);
        return;
    }
    fc = apr_table_get(form, "fiscal_code");
    verify(app, req, resp, code, fc != NULL ? fc : "", 0, NULL, p);
}

void invqr_verify_manual_route(invqr_app_t *app, const invqr_request_t *req,
                               invqr_response_t *resp, apr_pool_t *p)
{
    char code[INVQR_CODE_LEN + 1];
    apr_table_t *form = NULL;
    const char *typed, *fc;

    if (strcmp(req->method, "POST") != 0) {
        form_page(req, resp, NULL, 1, p);
        return;
    }
    if (parse_body(&form, req, p) != 0) {
        invqr_app_error(req, resp, 400, NULL, p);
        return;
    }
    typed = apr_table_get(form, "code");
    fc = apr_table_get(form, "fiscal_code");
    if (typed == NULL || invqr_code_parse(code, typed, strlen(typed)) != 0) {
        invqr_page_t *pg;

        if (run_verify(app, req, resp, NULL, fc != NULL ? fc : "", p) == NULL)
            return;
        pg = invqr_page_error(&req->page, 400, NULL, p);
        invqr_verify_form(pg, invqr_page_main(pg), req, NULL, 1, typed, MSG(ERR_CODE_TYPED), NULL);
        invqr_app_page(resp, 400, pg, p);
        return;
    }
    verify(app, req, resp, code, fc != NULL ? fc : "", 1, typed, p);
}
