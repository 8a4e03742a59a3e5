/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - a QR symbol as inline SVG; see the header. */
#include <apr_strings.h>

#include "invqr_qr_svg.h"

#define QUIET 4 /* modules of light margin around the symbol */

/* "M<x> <y>h<n>v1h-<n>z" per run of dark modules, from p. */
typedef struct {
    char *d;
    apr_size_t len, cap;
} path_t;

static void add_run(void *baton, int row, int col, int len)
{
    path_t *pt = baton;

    pt->len += (apr_size_t)apr_snprintf(pt->d + pt->len, pt->cap - pt->len, "M%d %dh%dv1h-%dz",
                                        col + QUIET, row + QUIET, len, len);
}

static const char *run_path(const invqr_qr_t *qr, apr_pool_t *p)
{
    int w = invqr_qr_width(qr);
    path_t pt;

    /* at most w / 2 + 1 runs per row, each at most 32 bytes */
    pt.cap = (apr_size_t)w * (apr_size_t)(w / 2 + 1) * 32 + 1;
    pt.len = 0;
    pt.d = apr_palloc(p, pt.cap);
    if (pt.d == NULL)
        return NULL;
    invqr_qr_runs(qr, add_run, &pt);
    pt.d[pt.len] = '\0';
    return pt.d;
}

invqr_el_t *invqr_qr_svg(invqr_el_t *parent, const invqr_qr_t *qr, const char *title,
                         const char *title_id, apr_pool_t *p)
{
    int side = invqr_qr_width(qr) + 2 * QUIET;
    const char *box = apr_psprintf(p, "0 0 %d %d", side, side), *d = run_path(qr, p);
    invqr_el_t *svg, *bg;

    if (d == NULL)
        return NULL;
    svg = invqr_html_add(parent, "svg", NULL);
    invqr_html_set(svg, "xmlns", "http://www.w3.org/2000/svg");
    /* the HTML parser gives it its SVG case, viewBox */
    invqr_html_set(svg, "viewbox", box);
    invqr_html_set(svg, "role", "img");
    invqr_html_set(svg, "aria-labelledby", title_id);
    invqr_html_set(svg, "class", "qr-svg");
    invqr_html_set(svg, "shape-rendering", "crispEdges");
    invqr_html_set(invqr_html_add(svg, "title", title), "id", title_id);
    bg = invqr_html_add(svg, "rect", NULL);
    invqr_html_set(bg, "width", apr_itoa(p, side));
    invqr_html_set(bg, "height", apr_itoa(p, side));
    invqr_html_set(bg, "fill", "#fff");
    invqr_html_set(invqr_html_set(invqr_html_add(svg, "path", NULL), "fill", "#000"), "d", d);
    return svg;
}
