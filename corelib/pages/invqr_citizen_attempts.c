/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the failed attempts on the holder's codes (CITIZEN_FAILED_LOG). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <apr_strings.h>

#include "invqr_citizen_attempts.h"
#include "invqr_html.h"
#include "invqr_when.h"

#define MSG(m) invqr_page_msg(a->pg, INVQR_MSG_##m)

typedef struct {
    invqr_page_t *pg;
    invqr_el_t *tbody;
    long long at, newest;
    char org[256], detail[256];
} attempts_t;

static int attempt_row(void *baton, invqr_binds_t *out)
{
    attempts_t *a = baton;
    invqr_el_t *tr = invqr_html_add(a->tbody, "tr", NULL), *td;
    char when[17], until[6];
    long long end = 0;

    (void)out;
    if (a->at > a->newest)
        a->newest = a->at;
    invqr_when_minute(when, a->at);
    invqr_page_date(a->pg, invqr_html_set(invqr_html_add(tr, "td", NULL), "data-label",
                                          MSG(CITIZEN_LOG_WHEN)), when);
    td = invqr_html_set(invqr_html_add(tr, "td", NULL), "data-label", MSG(CITIZEN_FAILED_WHAT));
    /* "cooldown until T" (Unix seconds): this wrong guess used the last
     * try, and the code could not be verified until then (the minute as
     * the verifier was told it: rounded up) */
    if (sscanf(a->detail, "cooldown until %lld", &end) == 1 && end > 0) {
        invqr_when_hhmm(until, end + 59 - (end + 59) % 60);
        invqr_html_set(tr, "data-attempt", "cooldown");
        invqr_html_text(td, MSG(CITIZEN_FAILED_COOLDOWN));
        invqr_html_text(td, " ");
        invqr_html_add(td, "strong", until);
    }
    else {
        invqr_html_set(tr, "data-attempt", "mismatch");
        invqr_html_text(td, MSG(CITIZEN_FAILED_WRONG));
    }
    invqr_html_set(invqr_html_add(tr, "td", a->org[0] != '\0' ? a->org : MSG(CITIZEN_LOG_ANON)),
                   "data-label", MSG(CITIZEN_LOG_ORG));
    return 0;
}

apr_status_t invqr_citizen_attempts(invqr_page_t *pg, invqr_el_t *parent, invqr_el_t *alert,
                                    invqr_db_t *db, const char *fiscal_code, int has_active,
                                    int recent_days, apr_pool_t *p)
{
    attempts_t st, *a = &st;
    invqr_binds_t in, out;
    invqr_el_t *sec, *wrap, *table, *tr, *el;
    unsigned long long rows = 0;

    memset(a, 0, sizeof(*a));
    a->pg = pg;
    sec = invqr_html_set(invqr_html_add(parent, "section", NULL), "aria-labelledby",
                         "failed-attempts");
    invqr_html_set(invqr_html_add(sec, "h2", MSG(CITIZEN_FAILED_H3)), "id", "failed-attempts");
    invqr_html_add(sec, "p", MSG(CITIZEN_FAILED_TEXT));
    el = invqr_html_set(invqr_html_add(sec, "p", MSG(CITIZEN_FAILED_ADVICE)), "class",
                        "alert alert-warning");
    if (has_active) {
        invqr_html_text(el, " ");
        invqr_html_link(el, invqr_page_url(pg, "/citizen/qr/replace"), MSG(CITIZEN_REPLACE));
    }
    wrap = invqr_html_set(invqr_html_add(sec, "div", NULL), "class", "table-wrap");
    table = invqr_html_set(invqr_html_add(wrap, "table", NULL), "class", "table-stack");
    invqr_html_set(table, "data-table", "failed-attempts");
    tr = invqr_html_add(invqr_html_add(table, "thead", NULL), "tr", NULL);
    invqr_html_set(invqr_html_add(tr, "th", MSG(CITIZEN_LOG_WHEN)), "scope", "col");
    invqr_html_set(invqr_html_add(tr, "th", MSG(CITIZEN_FAILED_WHAT)), "scope", "col");
    invqr_html_set(invqr_html_add(tr, "th", MSG(CITIZEN_LOG_ORG)), "scope", "col");
    a->tbody = invqr_html_add(table, "tbody", NULL);
    invqr_binds_init(&in);
    invqr_bind_str(&in, fiscal_code, strlen(fiscal_code));
    invqr_binds_init(&out);
    invqr_bind_out_int(&out, &a->at);
    invqr_bind_out_str(&out, a->org, sizeof(a->org));
    invqr_bind_out_str(&out, a->detail, sizeof(a->detail));
    if (invqr_db_exec(db, INVQR_SQL_CITIZEN_FAILED_LOG, &in, &out, attempt_row, a, &rows)
        != APR_SUCCESS)
        return APR_EGENERAL;
    if (rows == 0) {
        invqr_html_remove(sec);
        if (alert != NULL)
            invqr_html_remove(alert);
        return APR_SUCCESS;
    }
    if (alert != NULL) {
        if (a->newest >= (long long)time(NULL) - (long long)recent_days * 86400) {
            invqr_html_set(alert, "class", "alert alert-warning");
            invqr_html_set(alert, "data-alert", "failed-attempts");
            invqr_html_text(alert, MSG(CITIZEN_FAILED_ALERT));
            invqr_html_text(alert, " ");
            invqr_html_link(alert, "#failed-attempts", MSG(CITIZEN_FAILED_SEE));
        }
        else {
            invqr_html_remove(alert);
        }
    }
    (void)p;
    return APR_SUCCESS;
}
