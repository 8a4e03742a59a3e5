/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the attestation PDF sent by e-mail.
 *
 * The holder types an address twice; invqr takes one of the holder's slots
 * of the day in the store (a conditional UPDATE: the limit holds across
 * nodes), builds the message in the holder's language (invqr_mail_msg.c)
 * and hands it to the deployment's MTA (invqr_mail_send.c). Only when the
 * MTA took it is the audit row "sent" written and the holder told so; a
 * refusal gives the slot back, logs one tagged line without the address,
 * and tells the holder in plain words that nothing was sent. The address
 * is never stored nor logged: the audit keeps its HMAC under the
 * instance's secret, which tells whether two sends went to the same
 * address and nothing else.
 */
#include <string.h>

#include <apr_strings.h>

#include "invqr_audit.h"
#include "invqr_citizen.h"
#include "invqr_citizen_mail.h"
#include "invqr_code.h"
#include "invqr_crypto.h"
#include "invqr_fields.h"
#include "invqr_form.h"
#include "invqr_html.h"
#include "invqr_log.h"
#include "invqr_mail_addr.h"
#include "invqr_mail_msg.h"
#include "invqr_mail_send.h"

#define MSG(m) invqr_msg(req->page.lang, INVQR_MSG_##m)

void invqr_citizen_mail_section(invqr_page_t *pg, invqr_el_t *main, const invqr_app_t *app)
{
    invqr_el_t *sec, *form, *el;
    invqr_field_t f;

    if (app->mail == NULL)
        return;
    sec = invqr_html_set(invqr_html_add(main, "section", NULL), "aria-labelledby", "send-mail");
    invqr_html_set(sec, "class", "mail-pdf");
    invqr_html_set(invqr_html_add(sec, "h2", invqr_page_msg(pg, INVQR_MSG_CITIZEN_MAIL_H2)), "id",
                   "send-mail");
    invqr_html_add(sec, "p", invqr_page_msg(pg, INVQR_MSG_CITIZEN_MAIL_TEXT));
    el = invqr_html_set(invqr_html_add(sec, "p", invqr_page_msg(pg, INVQR_MSG_CITIZEN_MAIL_LIMIT)),
                        "class", "hint");
    invqr_html_text(el, " ");
    invqr_html_set(invqr_html_addf(el, "strong", "%d", app->conf->mail_per_day), "data-field",
                   "mail-per-day");
    form = invqr_page_post_form(pg, sec, "/citizen/mail");
    memset(&f, 0, sizeof(f));
    f.name = "email";
    f.type = "email";
    f.label = invqr_page_msg(pg, INVQR_MSG_FIELD_MAIL);
    f.hint = invqr_page_msg(pg, INVQR_MSG_FIELD_MAIL_HINT);
    f.maxlength = INVQR_MAIL_ADDR_MAX;
    f.autocomplete = "email";
    invqr_html_set(invqr_field_add(form, &f), "required", "required");
    memset(&f, 0, sizeof(f));
    f.name = "email_again";
    f.type = "email";
    f.label = invqr_page_msg(pg, INVQR_MSG_FIELD_MAIL_AGAIN);
    f.hint = invqr_page_msg(pg, INVQR_MSG_FIELD_MAIL_AGAIN_HINT);
    f.maxlength = INVQR_MAIL_ADDR_MAX;
    f.autocomplete = "off";
    invqr_html_set(invqr_field_add(form, &f), "required", "required");
    invqr_field_submit(form, invqr_page_msg(pg, INVQR_MSG_CITIZEN_MAIL_SUBMIT));
}

/* The address as the audit keeps it: 32 hex digits of its HMAC. */
static void address_mac(char out[33], const invqr_app_t *app, const char *address)
{
    unsigned char mac[INVQR_SHA256_LEN];

    invqr_hmac(mac, app->conf->secret, sizeof(app->conf->secret), "invqr mail address", address);
    invqr_hex(out, mac, 16);
}

static void audit(invqr_db_t *db, const invqr_request_t *req, const char *code,
                  const char *outcome, const char *mac, apr_pool_t *p)
{
    invqr_audit_t a;

    memset(&a, 0, sizeof(a));
    a.actor = "citizen";
    a.client = req->client;
    a.code = code;
    a.fiscal_code = req->citizen;
    a.delegate = req->delegate;     /* someone acting for the holder, or NULL */
    a.event = "pdf_mail";
    a.outcome = outcome;
    a.detail = apr_pstrcat(p, "to_hmac=", mac, NULL);
    if (invqr_audit_write(db, &a) != APR_SUCCESS)
        invqr_log(INVQR_LOG_ERR, "INVQR0231: the audit row of an attestation e-mail (%s) was "
                  "not written", outcome);
}

/* Take one of the holder's slots of the day: 1 taken, 0 none left, -1 the
 * store failed. */
static int take_slot(invqr_db_t *db, const invqr_request_t *req, int per_day)
{
    invqr_binds_t in;
    unsigned long long rows = 0;
    long long limit = per_day;

    invqr_binds_init(&in);
    invqr_bind_str(&in, req->citizen, strlen(req->citizen));
    if (invqr_db_exec(db, INVQR_SQL_MAIL_QUOTA_OPEN, &in, NULL, NULL, NULL, NULL) != APR_SUCCESS)
        return -1;
    invqr_bind_int(&in, limit);
    if (invqr_db_exec(db, INVQR_SQL_MAIL_QUOTA_TAKE, &in, NULL, NULL, NULL, &rows) != APR_SUCCESS)
        return -1;
    return rows == 1 ? 1 : 0;
}

static void give_back_slot(invqr_db_t *db, const invqr_request_t *req)
{
    invqr_binds_t in;

    invqr_binds_init(&in);
    invqr_bind_str(&in, req->citizen, strlen(req->citizen));
    if (invqr_db_exec(db, INVQR_SQL_MAIL_QUOTA_GIVE_BACK, &in, NULL, NULL, NULL, NULL) != APR_SUCCESS)
        invqr_log(INVQR_LOG_WARN, "INVQR0232: an e-mail slot the MTA did not use could not be "
                  "given back; the holder has one less today");
}

/* The message's text in the holder's language. */
static const char *mail_text(const invqr_app_t *app, const invqr_request_t *req,
                             const invqr_attestation_t *at, apr_pool_t *p)
{
    char grouped[INVQR_CODE_GROUPED_LEN + 1];
    const char *name = at->given_name[0] != '\0'
                           ? apr_pstrcat(p, at->given_name, " ", at->surname, NULL)
                           : at->surname;

    invqr_code_group(grouped, at->active.code);
    return apr_pstrcat(p, MSG(MAIL_GREETING), " ", name, ",\n\n", MSG(MAIL_BODY), "\n\n",
                       app->conf->public_base_url, "/verify\n\n", MSG(MAIL_CODE), " ", grouped,
                       "\n\n", MSG(MAIL_FOOTER), "\n\n-- \n", app->conf->issuer_name, "\n", NULL);
}

void invqr_citizen_mail_route(invqr_app_t *app, const invqr_request_t *req,
                              invqr_response_t *resp, apr_pool_t *p)
{
    char to[INVQR_MAIL_ADDR_MAX + 1], again[INVQR_MAIL_ADDR_MAX + 1], mac[33];
    apr_table_t *form = NULL;
    invqr_attestation_t at;
    invqr_mail_msg_t m;
    const char *v1, *v2, *pdf, *file, *msg, *why;
    apr_size_t pdf_len = 0, len = 0;
    invqr_db_t *db;
    apr_status_t rv;
    int slot;

    if (req->citizen == NULL) {
        invqr_app_error(req, resp, 401, NULL, p);
        return;
    }
    if (app->mail == NULL) {
        invqr_app_error(req, resp, 404, NULL, p);
        return;
    }
    if (req->body == NULL || invqr_form_parse(&form, req->body, req->body_len, p) != APR_SUCCESS) {
        invqr_app_error(req, resp, 400, NULL, p);
        return;
    }
    v1 = apr_table_get(form, "email");
    v2 = apr_table_get(form, "email_again");
    if (invqr_mail_addr_parse(to, v1, v1 != NULL ? strlen(v1) : 0) != INVQR_MAIL_ADDR_OK) {
        invqr_app_error(req, resp, 400, MSG(MAIL_ERR_INVALID), p);
        return;
    }
    if (invqr_mail_addr_parse(again, v2, v2 != NULL ? strlen(v2) : 0) != INVQR_MAIL_ADDR_OK
        || strcmp(to, again) != 0) {
        invqr_app_error(req, resp, 400, MSG(MAIL_ERR_MISMATCH), p);
        return;
    }
    db = invqr_app_db(app);
    if (db == NULL) {
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    rv = invqr_citizen_attestation(&pdf, &pdf_len, &file, &at, app, req, p);
    if (rv == APR_NOTFOUND) {
        invqr_app_error(req, resp, 409, MSG(MAIL_ERR_NO_CODE), p);
        return;
    }
    if (rv != APR_SUCCESS) {
        if (rv == APR_EGENERAL)
            invqr_app_db_failed(app);
        invqr_app_error(req, resp, rv == APR_EGENERAL ? 503 : 500, NULL, p);
        return;
    }
    address_mac(mac, app, to);
    slot = take_slot(db, req, app->conf->mail_per_day);
    if (slot < 0) {
        invqr_app_db_failed(app);
        invqr_app_error(req, resp, 503, NULL, p);
        return;
    }
    if (slot == 0) {
        audit(db, req, at.active.code, "limit", mac, p);
        invqr_app_error(req, resp, 429, MSG(MAIL_ERR_LIMIT), p);
        return;
    }
    memset(&m, 0, sizeof(m));
    m.from = app->conf->mail_from;
    m.from_name = app->conf->issuer_name;
    m.to = to;
    m.subject = MSG(MAIL_SUBJECT);
    m.text = mail_text(app, req, &at, p);
    m.file_name = file;
    m.pdf = pdf;
    m.pdf_len = pdf_len;
    m.date = apr_time_now();
    rv = invqr_mail_msg_build(&msg, &len, &m, p);
    if (rv != APR_SUCCESS) {
        give_back_slot(db, req);
        invqr_log(INVQR_LOG_ERR, "INVQR0233: cannot build the attestation e-mail (%d)", rv);
        invqr_app_error(req, resp, 500, MSG(MAIL_ERR_FAILED), p);
        return;
    }
    rv = invqr_mail_send(app->mail, app->conf->mail_from, to, msg, len, &why, p);
    if (rv != APR_SUCCESS) {
        /* nothing was sent: the slot goes back, and no row says "sent" */
        give_back_slot(db, req);
        invqr_log(INVQR_LOG_WARN, "INVQR0230: the MTA did not take an attestation e-mail: %s",
                  why != NULL ? why : "no reason given");
        audit(db, req, at.active.code, "mta_failed", mac, p);
        invqr_app_error(req, resp, 503, MSG(MAIL_ERR_FAILED), p);
        return;
    }
    audit(db, req, at.active.code, "sent", mac, p);
    invqr_app_redirect(req, resp, "/citizen?done=mailed", p);
}
