/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the camera scanner block of /verify and the operator's home.
 *
 * Markup only: static/invqr-scan.js does the work in the browser, reading
 * its texts (in the page's language) from the block's data attributes, as
 * the Content-Security-Policy allows no inline script. Everything starts
 * hidden except the hint; typing the code stays the way that always works.
 */
#include "invqr_html.h"
#include "invqr_scanner.h"

static void button(invqr_page_t *pg, invqr_el_t *parent, const char *id, invqr_msg_t text,
                   const char *klass)
{
    invqr_el_t *b = invqr_html_add(parent, "button", invqr_page_msg(pg, text));

    invqr_html_set(b, "type", "button");
    invqr_html_set(b, "id", id);
    invqr_html_set(b, "class", klass);
    invqr_html_set(b, "hidden", "hidden");
    invqr_html_set(b, "aria-controls", "scan-video");
}

void invqr_scanner_add(invqr_page_t *pg, invqr_el_t *parent, const char *field_id,
                       const char *next_id)
{
    static const struct {
        const char *attr;
        invqr_msg_t msg;
    } texts[] = {
        { "data-msg-starting", INVQR_MSG_SCAN_STARTING },
        { "data-msg-scanning", INVQR_MSG_SCAN_SCANNING },
        { "data-msg-read", INVQR_MSG_SCAN_READ },
        { "data-msg-foreign", INVQR_MSG_SCAN_FOREIGN },
        { "data-msg-insecure", INVQR_MSG_SCAN_INSECURE },
        { "data-msg-nodevice", INVQR_MSG_SCAN_NODEVICE },
        { "data-msg-denied", INVQR_MSG_SCAN_DENIED },
        { "data-msg-unavailable", INVQR_MSG_SCAN_UNAVAILABLE },
        { "data-msg-stopped", INVQR_MSG_SCAN_STOPPED },
    };
    invqr_el_t *box, *el;
    size_t i;

    box = invqr_html_set(invqr_html_add(parent, "div", NULL), "id", "scanner");
    invqr_html_set(box, "class", "scanner");
    invqr_html_set(box, "data-field", field_id);
    invqr_html_set(box, "data-next", next_id);
    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        invqr_html_set(box, texts[i].attr, invqr_page_msg(pg, texts[i].msg));
    button(pg, box, "scan-start", INVQR_MSG_SCAN_START, "btn btn-secondary");
    button(pg, box, "scan-stop", INVQR_MSG_SCAN_STOP, "btn btn-secondary");
    el = invqr_html_add(box, "video", NULL);
    invqr_html_set(el, "id", "scan-video");
    invqr_html_set(el, "hidden", "hidden");
    invqr_html_set(el, "muted", "muted");
    invqr_html_set(el, "playsinline", "playsinline");
    invqr_html_set(el, "aria-label", invqr_page_msg(pg, INVQR_MSG_SCAN_VIDEO_LABEL));
    el = invqr_html_set(invqr_html_add(box, "p", NULL), "id", "scan-status");
    invqr_html_set(el, "role", "status");
    invqr_html_set(el, "class", "hint");
    el = invqr_html_add(box, "script", NULL);
    invqr_html_set(el, "src", invqr_page_url(pg, "/static/jsQR.js"));
    invqr_html_set(el, "defer", "defer");
    el = invqr_html_add(box, "script", NULL);
    invqr_html_set(el, "src", invqr_page_url(pg, "/static/invqr-scan.js"));
    invqr_html_set(el, "defer", "defer");
}
