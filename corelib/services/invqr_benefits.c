/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the benefits page, from the deployment's CSV file. */
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <apr_strings.h>

#include "invqr_benefits.h"
#include "invqr_csv.h"
#include "invqr_html.h"
#include "invqr_utf8.h"

#define MAX_BENEFITS 200
#define MAX_TEXT 400

typedef struct {
    const char *benefit[INVQR_LANG__COUNT];     /* by invqr_lang_t */
    const char *granted_by[INVQR_LANG__COUNT];
    int level;
} benefit_t;

struct invqr_benefits_t {
    benefit_t rows[MAX_BENEFITS];
    int n;
};

/* The German columns may be left out (a file from before German): German
 * pages then show the Italian texts. */
static const char *const columns[] = { "benefit_it", "benefit_en", "granted_by_it",
                                       "granted_by_en", "level", "benefit_de", "granted_by_de" };
#define REQUIRED 5
#define ALL 7

apr_status_t invqr_benefits_load(invqr_benefits_t **pout, const char **perr, const char *path,
                                 apr_pool_t *p)
{
    invqr_benefits_t *b = apr_pcalloc(p, sizeof(*b));
    invqr_csv_row_t row;
    invqr_csv_t *csv;
    const char *why = NULL;
    int fd, i, map[ALL];
    unsigned long nf;
    apr_status_t rv = APR_EINVAL;

    *pout = NULL;
    *perr = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *perr = apr_psprintf(p, "%s: cannot open", path);
        return APR_ENOENT;
    }
    csv = invqr_csv_open_fd(fd, p);
    if (invqr_csv_next(csv, &row, &why) != INVQR_CSV_RECORD
        || (row.nfields != REQUIRED && row.nfields != ALL)) {
        *perr = apr_psprintf(p, "%s:1: the header must be %s,%s,%s,%s,%s (and optionally %s,%s)",
                             path, columns[0], columns[1], columns[2], columns[3], columns[4],
                             columns[5], columns[6]);
        goto out;
    }
    nf = (unsigned long)row.nfields;
    for (i = 0; i < ALL; i++) {
        int j;
        map[i] = -1;
        for (j = 0; j < (int)nf; j++)
            if (row.len[j] == strlen(columns[i]) && memcmp(row.field[j], columns[i], row.len[j]) == 0)
                map[i] = j;
        if (map[i] < 0 && (i < REQUIRED || nf == ALL)) {
            *perr = apr_psprintf(p, "%s:1: column %s is missing", path, columns[i]);
            goto out;
        }
    }
    for (;;) {
        invqr_csv_rc r = invqr_csv_next(csv, &row, &why);
        benefit_t *bt;

        if (r == INVQR_CSV_EOF)
            break;
        if (r != INVQR_CSV_RECORD || (unsigned long)row.nfields != nf) {
            *perr = apr_psprintf(p, "%s:%lu: %s", path, row.line,
                                 why != NULL ? why : nf == ALL ? "7 fields expected" : "5 fields expected");
            goto out;
        }
        if (b->n == MAX_BENEFITS) {
            *perr = apr_psprintf(p, "%s: more than %d benefits", path, MAX_BENEFITS);
            goto out;
        }
        bt = &b->rows[b->n];
        for (i = 0; i < ALL; i++) {
            int f = map[i];
            long chars;

            if (i == 4 || f < 0)
                continue;
            chars = invqr_utf8_count_text(row.field[f], row.len[f], 0);

            if (chars < 1 || chars > MAX_TEXT) {
                *perr = apr_psprintf(p, "%s:%lu: %s must be 1 to %d characters of text", path,
                                     row.line, columns[i], MAX_TEXT);
                goto out;
            }
        }
        bt->benefit[0] = apr_pstrmemdup(p, row.field[map[0]], row.len[map[0]]);
        bt->benefit[1] = apr_pstrmemdup(p, row.field[map[1]], row.len[map[1]]);
        bt->granted_by[0] = apr_pstrmemdup(p, row.field[map[2]], row.len[map[2]]);
        bt->granted_by[1] = apr_pstrmemdup(p, row.field[map[3]], row.len[map[3]]);
        bt->benefit[2] = map[5] >= 0 ? apr_pstrmemdup(p, row.field[map[5]], row.len[map[5]])
                                     : bt->benefit[0];
        bt->granted_by[2] = map[6] >= 0 ? apr_pstrmemdup(p, row.field[map[6]], row.len[map[6]])
                                        : bt->granted_by[0];
        if (row.len[map[4]] != 1 || (row.field[map[4]][0] != '1' && row.field[map[4]][0] != '2')) {
            *perr = apr_psprintf(p, "%s:%lu: level must be 1 or 2", path, row.line);
            goto out;
        }
        bt->level = row.field[map[4]][0] - '0';
        b->n++;
    }
    *pout = b;
    rv = APR_SUCCESS;
out:
    close(fd);
    return rv;
}

void invqr_benefits_route(invqr_app_t *app, const invqr_request_t *req, invqr_response_t *resp,
                          apr_pool_t *p)
{
    const invqr_benefits_t *b = app->benefits;
    int l = (int)invqr_lang_valid((int)req->page.lang), i;
    invqr_page_t *pg = invqr_page_new(&req->page, invqr_msg(req->page.lang, INVQR_MSG_BENEFITS_TITLE), p);
    invqr_el_t *main = invqr_page_main(pg), *wrap, *table, *tr, *tbody, *levels;

    invqr_html_add(main, "h1", invqr_page_msg(pg, INVQR_MSG_BENEFITS_TITLE));
    invqr_html_set(invqr_html_add(main, "p", invqr_page_msg(pg, INVQR_MSG_BENEFITS_INTRO)), "class", "lead");
    levels = invqr_html_add(main, "dl", NULL);
    invqr_html_add(levels, "dt", invqr_page_msg(pg, INVQR_MSG_BENEFITS_LEVEL1));
    invqr_html_add(levels, "dd", invqr_page_msg(pg, INVQR_MSG_BENEFITS_LEVEL1_TEXT));
    invqr_html_add(levels, "dt", invqr_page_msg(pg, INVQR_MSG_BENEFITS_LEVEL2));
    invqr_html_add(levels, "dd", invqr_page_msg(pg, INVQR_MSG_BENEFITS_LEVEL2_TEXT));
    if (b == NULL || b->n == 0) {
        invqr_html_add(main, "p", invqr_page_msg(pg, INVQR_MSG_BENEFITS_NONE));
        invqr_app_page(resp, 200, pg, p);
        return;
    }
    wrap = invqr_html_set(invqr_html_add(main, "div", NULL), "class", "table-wrap");
    table = invqr_html_set(invqr_html_add(wrap, "table", NULL), "class", "table-stack");
    invqr_html_add(table, "caption", invqr_page_msg(pg, INVQR_MSG_BENEFITS_CAPTION));
    tr = invqr_html_add(invqr_html_add(table, "thead", NULL), "tr", NULL);
    invqr_html_set(invqr_html_add(tr, "th", invqr_page_msg(pg, INVQR_MSG_BENEFITS_COL_BENEFIT)), "scope", "col");
    invqr_html_set(invqr_html_add(tr, "th", invqr_page_msg(pg, INVQR_MSG_BENEFITS_COL_GRANTED_BY)), "scope", "col");
    invqr_html_set(invqr_html_add(tr, "th", invqr_page_msg(pg, INVQR_MSG_BENEFITS_COL_LEVEL)), "scope", "col");
    tbody = invqr_html_add(table, "tbody", NULL);
    for (i = 0; i < b->n; i++) {
        tr = invqr_html_set(invqr_html_add(tbody, "tr", NULL), "data-level", b->rows[i].level == 2 ? "2" : "1");
        invqr_html_set(invqr_html_add(tr, "td", b->rows[i].benefit[l]), "data-label",
                       invqr_page_msg(pg, INVQR_MSG_BENEFITS_COL_BENEFIT));
        invqr_html_set(invqr_html_add(tr, "td", b->rows[i].granted_by[l]), "data-label",
                       invqr_page_msg(pg, INVQR_MSG_BENEFITS_COL_GRANTED_BY));
        invqr_html_set(invqr_html_add(tr, "td", invqr_page_msg(pg, b->rows[i].level == 2
                                                                      ? INVQR_MSG_BENEFITS_LEVEL2
                                                                      : INVQR_MSG_BENEFITS_LEVEL1)),
                       "data-label", invqr_page_msg(pg, INVQR_MSG_BENEFITS_COL_LEVEL));
    }
    invqr_app_page(resp, 200, pg, p);
}
