/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the holder's own record in the citizen area: the first level as a
 * verifier sees it, and the record's dates in the local calendar. */
#include <string.h>
#include <time.h>

#include <apr_strings.h>

#include "invqr_citizen_record.h"
#include "invqr_html.h"
#include "invqr_verify_pages.h"
#include "invqr_when.h"

#define MSG(m) invqr_page_msg(pg, INVQR_MSG_##m)

/* "YYYY-MM-DD" as people read it: "DD/MM/YYYY". */
static const char *day_of(const char *iso, apr_pool_t *p)
{
    if (strlen(iso) != 10)
        return iso;
    return apr_psprintf(p, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
}

static invqr_el_t *row(invqr_el_t *dl, const char *label)
{
    invqr_el_t *div = invqr_html_add(dl, "div", NULL);

    invqr_html_add(div, "dt", label);
    return invqr_html_add(div, "dd", NULL);
}

static void verifier_view(invqr_page_t *pg, invqr_el_t *main, const invqr_status_t *st)
{
    invqr_level1_t v;
    invqr_el_t *sec, *box, *dl;

    memset(&v, 0, sizeof(v));
    apr_cpystrn(v.surname, st->surname, sizeof(v.surname));
    apr_cpystrn(v.given_name, st->given_name, sizeof(v.given_name));
    v.civil_invalidity = st->civil_invalidity;
    v.minor_invalidity = st->minor_invalidity;
    v.attendance_allowance = st->attendance_allowance;
    v.civil_blindness = st->civil_blindness != INVQR_BLIND_NONE;
    v.deafness = st->deafness;
    v.handicap = st->handicap;
    sec = invqr_html_set(invqr_html_add(main, "section", NULL), "aria-labelledby", "verifier-view");
    invqr_html_set(sec, "data-section", "verifier-view");
    invqr_html_set(invqr_html_add(sec, "h2", MSG(CITIZEN_VIEW_H2)), "id", "verifier-view");
    invqr_html_add(sec, "p", MSG(CITIZEN_VIEW_TEXT));
    box = invqr_html_set(invqr_html_add(sec, "div", NULL), "class", "result match");
    dl = invqr_html_set(invqr_html_add(box, "dl", NULL), "class", "result-list");
    invqr_verify_categories(dl, invqr_page_ctx(pg)->lang, &v);
    invqr_html_add(sec, "p", MSG(CITIZEN_VIEW_NOT_SHOWN));
}

static void record_dates(invqr_page_t *pg, invqr_el_t *main, const invqr_status_t *st,
                         apr_pool_t *p)
{
    invqr_el_t *sec, *dl, *dd;
    char today[11], when[17];

    sec = invqr_html_set(invqr_html_add(main, "section", NULL), "aria-labelledby", "record");
    invqr_html_set(invqr_html_add(sec, "h2", MSG(CITIZEN_RECORD_H2)), "id", "record");
    dl = invqr_html_set(invqr_html_add(sec, "dl", NULL), "class", "result-list");
    dd = row(dl, MSG(CITIZEN_JUDGMENT_DATE));
    invqr_html_set(invqr_html_add(dd, "time", day_of(st->judgment_date, p)), "datetime",
                   st->judgment_date);
    invqr_html_set(dd, "data-field", "judgment_date");
    dd = row(dl, MSG(CITIZEN_REVIEW_DATE));
    invqr_html_set(dd, "data-field", "review_date");
    if (st->review_date[0] == '\0') {
        invqr_html_text(dd, MSG(CITIZEN_NO_REVIEW));
    }
    else {
        invqr_html_set(invqr_html_add(dd, "time", day_of(st->review_date, p)), "datetime",
                       st->review_date);
        invqr_when_day(today, (long long)time(NULL));
        if (strcmp(st->review_date, today) < 0)
            /* the status holds until the review's outcome is recorded */
            invqr_html_set(invqr_html_add(dd, "p", MSG(CITIZEN_REVIEW_PAST)), "class", "hint");
    }
    dd = row(dl, MSG(CITIZEN_UPDATED));
    invqr_when_minute(when, st->updated_at);    /* YYYY-MM-DD HH:MM, local */
    invqr_html_set(invqr_html_add(dd, "time", apr_pstrcat(p, day_of(apr_pstrndup(p, when, 10), p),
                                                          " ", when + 11, NULL)),
                   "datetime", apr_pstrcat(p, apr_pstrndup(p, when, 10), "T", when + 11, NULL));
    invqr_html_set(dd, "data-field", "updated_at");
    invqr_html_set(invqr_html_add(sec, "p", MSG(CITIZEN_RECORD_WRONG)), "class", "hint");
}

void invqr_citizen_record_sections(invqr_page_t *pg, invqr_el_t *main, const invqr_status_t *st,
                                   apr_pool_t *p)
{
    if (st->definitive)
        verifier_view(pg, main, st);
    record_dates(pg, main, st, p);
}
