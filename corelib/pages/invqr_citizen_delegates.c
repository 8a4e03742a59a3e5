/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the citizen area's parts about delegates (invqr_citizen_delegates.h).
 *
 * The choice of whom to act for is the module's (mod_invqr_delegation.c):
 * it checks the delegation in the store at every request and hands the
 * workers the holder as the citizen and the signed-in person as the
 * delegate. These parts only show it and offer the choice.
 */
#include <string.h>

#include <apr_strings.h>

#include "invqr_audit.h"
#include "invqr_citizen_delegates.h"
#include "invqr_delegation.h"
#include "invqr_html.h"
#include "invqr_when.h"

invqr_msg_t invqr_citizen_role_msg(invqr_role_t role)
{
    switch (role) {
    case INVQR_ROLE_PARENT:
        return INVQR_MSG_ROLE_PARENT;
    case INVQR_ROLE_GUARDIAN:
        return INVQR_MSG_ROLE_GUARDIAN;
    case INVQR_ROLE_CURATOR:
        return INVQR_MSG_ROLE_CURATOR;
    case INVQR_ROLE_SUPPORT_ADMINISTRATOR:
        return INVQR_MSG_ROLE_SUPPORT_ADMINISTRATOR;
    default:
        return INVQR_MSG_ROLE_DELEGATE;
    }
}

typedef struct {
    invqr_page_t *pg;
    invqr_el_t *fieldset;
    const char *current;     /* the holder acted for now, or "" */
    int n;
} act_as_t;

static void radio(act_as_t *a, const char *value, const char *id, const char *label,
                  const char *role)
{
    invqr_el_t *choice = invqr_html_set(invqr_html_add(a->fieldset, "div", NULL), "class", "choice");
    invqr_el_t *in = invqr_html_add(choice, "input", NULL), *lab;

    invqr_html_set(in, "type", "radio");
    invqr_html_set(in, "name", "holder");
    invqr_html_set(in, "id", id);
    invqr_html_set(in, "value", value);
    if (strcmp(value, a->current) == 0)
        invqr_html_set(in, "checked", "checked");
    lab = invqr_html_set(invqr_html_add(choice, "label", label), "for", id);
    if (role != NULL) {
        invqr_html_text(lab, " - ");
        invqr_html_text(lab, role);
    }
}

static int act_as_row(void *baton, const invqr_delegation_t *d)
{
    act_as_t *a = baton;
    apr_pool_t *p = invqr_page_pool(a->pg);
    const char *name = d->surname[0] != '\0'
                           ? apr_pstrcat(p, d->given_name, " ", d->surname, " (", d->holder, ")", NULL)
                           : d->holder;

    radio(a, d->holder, apr_psprintf(p, "holder-%d", ++a->n), name,
          invqr_page_msg(a->pg, invqr_citizen_role_msg(d->role)));
    return 0;
}

apr_status_t invqr_citizen_act_as_section(invqr_page_t *pg, invqr_el_t *main, invqr_db_t *db,
                                          const invqr_request_t *req)
{
    const char *person = req->delegate != NULL ? req->delegate : req->citizen;
    invqr_el_t *sec, *form, *legend;
    act_as_t a;

    if (req->delegation_ended)
        invqr_html_set(invqr_html_set(invqr_html_add(main, "p", invqr_page_msg(pg, INVQR_MSG_ACT_AS_ENDED)),
                                      "class", "alert alert-warning"), "role", "status");
    memset(&a, 0, sizeof(a));
    a.pg = pg;
    a.current = req->delegate != NULL ? req->citizen : "";
    sec = invqr_html_set(invqr_html_add(main, "section", NULL), "aria-labelledby", "act-as");
    invqr_html_set(sec, "class", "act-as");
    invqr_html_set(invqr_html_add(sec, "h2", invqr_page_msg(pg, INVQR_MSG_ACT_AS_H2)), "id", "act-as");
    invqr_html_add(sec, "p", invqr_page_msg(pg, INVQR_MSG_ACT_AS_TEXT));
    form = invqr_page_post_form(pg, sec, "/citizen/act-as");
    a.fieldset = invqr_html_add(form, "fieldset", NULL);
    legend = invqr_html_add(a.fieldset, "legend", invqr_page_msg(pg, INVQR_MSG_ACT_AS_LEGEND));
    (void)legend;
    radio(&a, "", "holder-self", invqr_page_msg(pg, INVQR_MSG_ACT_AS_MYSELF), NULL);
    if (invqr_delegation_for_delegate(db, person, act_as_row, &a) != APR_SUCCESS)
        return APR_EGENERAL;
    if (a.n == 0) {
        /* nobody to act for (any more): no form */
        invqr_html_remove(sec);
        return APR_SUCCESS;
    }
    invqr_html_set(invqr_html_set(invqr_html_add(form, "button", invqr_page_msg(pg, INVQR_MSG_ACT_AS_SUBMIT)),
                                  "type", "submit"), "class", "btn-secondary");
    return APR_SUCCESS;
}

/* ---- the holder's side ---------------------------------------------------- */

typedef struct {
    invqr_page_t *pg;
    invqr_el_t *tbody;
    int n;
} rows_t;

static invqr_el_t *table(invqr_page_t *pg, invqr_el_t *sec, const char *name,
                         const invqr_msg_t *cols, int ncols, invqr_el_t **pwrap)
{
    invqr_el_t *wrap = invqr_html_set(invqr_html_add(sec, "div", NULL), "class", "table-wrap");
    invqr_el_t *t = invqr_html_set(invqr_html_add(wrap, "table", NULL), "class", "table-stack");
    invqr_el_t *tr;
    int i;

    invqr_html_set(t, "data-table", name);
    tr = invqr_html_add(invqr_html_add(t, "thead", NULL), "tr", NULL);
    for (i = 0; i < ncols; i++)
        invqr_html_set(invqr_html_add(tr, "th", invqr_page_msg(pg, cols[i])), "scope", "col");
    *pwrap = wrap;
    return invqr_html_add(t, "tbody", NULL);
}

static void cell(invqr_page_t *pg, invqr_el_t *tr, invqr_msg_t label, const char *text)
{
    invqr_html_set(invqr_html_add(tr, "td", text), "data-label", invqr_page_msg(pg, label));
}

static int delegate_row(void *baton, const invqr_delegation_t *d)
{
    rows_t *r = baton;
    invqr_el_t *tr = invqr_html_add(r->tbody, "tr", NULL);

    invqr_html_set(tr, "data-delegate", d->delegate);
    cell(r->pg, tr, INVQR_MSG_DELEGATES_WHO, d->delegate);
    cell(r->pg, tr, INVQR_MSG_DELEGATES_ROLE, invqr_page_msg(r->pg, invqr_citizen_role_msg(d->role)));
    cell(r->pg, tr, INVQR_MSG_DELEGATES_UNTIL, d->valid_until[0] != '\0'
                                                   ? d->valid_until
                                                   : invqr_page_msg(r->pg, INVQR_MSG_DELEGATES_OPEN));
    r->n++;
    return 0;
}

typedef struct {
    rows_t r;
    long long at;
    char who[24], event[40], outcome[40];
} log_t;

static invqr_msg_t event_msg(const char *event, const char *outcome)
{
    if (strcmp(event, "act_as") == 0 && strcmp(outcome, "start") == 0)
        return INVQR_MSG_EVENT_ACT_AS;
    if (strcmp(event, "code_issue") == 0)
        return INVQR_MSG_EVENT_CODE_ISSUE;
    if (strcmp(event, "code_replace") == 0)
        return INVQR_MSG_EVENT_CODE_REPLACE;
    if (strcmp(event, "code_revoke") == 0)
        return INVQR_MSG_EVENT_CODE_REVOKE;
    if (strcmp(event, "pdf_download") == 0)
        return INVQR_MSG_EVENT_PDF_DOWNLOAD;
    return INVQR_MSG_EVENT_OTHER;
}

static int log_row(void *baton, invqr_binds_t *out)
{
    log_t *l = baton;
    invqr_el_t *tr;
    char when[17];

    (void)out;
    /* what the person asked for and was refused, or stopping, is no action */
    if (strcmp(l->event, "act_as") == 0 && strcmp(l->outcome, "start") != 0)
        return 0;
    tr = invqr_html_add(l->r.tbody, "tr", NULL);
    invqr_html_set(tr, "data-event", l->event);
    invqr_html_set(tr, "data-delegate", l->who);
    invqr_when_minute(when, l->at);
    cell(l->r.pg, tr, INVQR_MSG_CITIZEN_LOG_WHEN, when);
    cell(l->r.pg, tr, INVQR_MSG_DELEGATES_WHO, l->who);
    cell(l->r.pg, tr, INVQR_MSG_DELEGATE_LOG_WHAT, invqr_page_msg(l->r.pg, event_msg(l->event, l->outcome)));
    l->r.n++;
    return 0;
}

apr_status_t invqr_citizen_delegates_sections(invqr_page_t *pg, invqr_el_t *main, invqr_db_t *db,
                                              const invqr_request_t *req)
{
    static const invqr_msg_t who_cols[] = { INVQR_MSG_DELEGATES_WHO, INVQR_MSG_DELEGATES_ROLE,
                                            INVQR_MSG_DELEGATES_UNTIL };
    static const invqr_msg_t log_cols[] = { INVQR_MSG_CITIZEN_LOG_WHEN, INVQR_MSG_DELEGATES_WHO,
                                            INVQR_MSG_DELEGATE_LOG_WHAT };
    invqr_el_t *sec, *wrap;
    invqr_binds_t in, out;
    rows_t r;
    log_t l;

    memset(&r, 0, sizeof(r));
    r.pg = pg;
    sec = invqr_html_set(invqr_html_add(main, "section", NULL), "aria-labelledby", "delegates");
    invqr_html_set(invqr_html_add(sec, "h2", invqr_page_msg(pg, INVQR_MSG_DELEGATES_H2)), "id",
                   "delegates");
    r.tbody = table(pg, sec, "delegates", who_cols, 3, &wrap);
    if (invqr_delegation_of_holder(db, req->citizen, delegate_row, &r) != APR_SUCCESS)
        return APR_EGENERAL;
    if (r.n == 0) {
        /* nobody acts for this holder: the section would say nothing */
        invqr_html_remove(sec);
    }

    memset(&l, 0, sizeof(l));
    l.r.pg = pg;
    sec = invqr_html_set(invqr_html_add(main, "section", NULL), "aria-labelledby", "delegate-log");
    invqr_html_set(invqr_html_add(sec, "h2", invqr_page_msg(pg, INVQR_MSG_DELEGATE_LOG_H2)), "id",
                   "delegate-log");
    l.r.tbody = table(pg, sec, "delegate-log", log_cols, 3, &wrap);
    invqr_binds_init(&in);
    invqr_bind_str(&in, req->citizen, strlen(req->citizen));
    invqr_binds_init(&out);
    invqr_bind_out_int(&out, &l.at);
    invqr_bind_out_str(&out, l.who, sizeof(l.who));
    invqr_bind_out_str(&out, l.event, sizeof(l.event));
    invqr_bind_out_str(&out, l.outcome, sizeof(l.outcome));
    if (invqr_db_exec(db, INVQR_SQL_CITIZEN_DELEGATE_LOG, &in, &out, log_row, &l, NULL) != APR_SUCCESS)
        return APR_EGENERAL;
    if (l.r.n == 0) {
        if (r.n == 0) {
            /* nobody acts or acted for this holder: nothing to show */
            invqr_html_remove(sec);
            return APR_SUCCESS;
        }
        invqr_html_remove(wrap);
        invqr_html_add(sec, "p", invqr_page_msg(pg, INVQR_MSG_DELEGATE_LOG_EMPTY));
    }
    return APR_SUCCESS;
}

apr_status_t invqr_citizen_may_act(int *pmay, invqr_db_t *db, const invqr_request_t *req,
                                   const char *record_birth)
{
    int represented = 0;

    *pmay = 1;
    if (req->delegate != NULL)
        return APR_SUCCESS;     /* the module checked the delegation at this request */
    if (invqr_delegation_represented(&represented, db, req->citizen, record_birth) != APR_SUCCESS)
        return APR_EGENERAL;
    *pmay = !represented;
    return APR_SUCCESS;
}

apr_status_t invqr_citizen_audit_download(invqr_db_t *db, const invqr_request_t *req,
                                          const char *code)
{
    invqr_audit_t a;

    if (req->delegate == NULL)
        return APR_SUCCESS;
    memset(&a, 0, sizeof(a));
    a.actor = "citizen";
    a.client = req->client;
    a.code = code;
    a.fiscal_code = req->citizen;
    a.delegate = req->delegate;
    a.event = "pdf_download";
    a.outcome = "ok";
    return invqr_audit_write(db, &a);
}
