/* SPDX-License-Identifier: Apache-2.0 */
/* mod_invqr - response headers every invqr response carries, and cookies.
 *
 * Security headers go into err_headers_out so that error pages, proxied
 * worker responses and static files all carry them.
 */
#include <httpd.h>
#include <http_protocol.h>
#include <apr_strings.h>

#include "mod_invqr_private.h"

static const char csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

static int is_tls(request_rec *r)
{
    return strcmp(ap_http_scheme(r), "https") == 0;
}

void invqr_headers_security(request_rec *r)
{
    apr_table_t *h = r->err_headers_out;

    apr_table_setn(h, "Content-Security-Policy", csp);
    apr_table_setn(h, "X-Content-Type-Options", "nosniff");
    apr_table_setn(h, "Referrer-Policy", "no-referrer");
    apr_table_setn(h, "X-Frame-Options", "DENY");
    apr_table_setn(h, "Cross-Origin-Opener-Policy", "same-origin");
    apr_table_setn(h, "Cross-Origin-Resource-Policy", "same-origin");
    apr_table_setn(h, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    if (is_tls(r))
        apr_table_setn(h, "Strict-Transport-Security", "max-age=31536000");
}

/* The pages with the camera scanner (invqr_scanner.c: /verify and the
 * operator's home) may use the camera, from this site only; every other
 * response keeps it off (invqr_headers_security). */
void invqr_headers_camera(request_rec *r)
{
    apr_table_setn(r->err_headers_out, "Permissions-Policy",
                   "camera=(self), microphone=(), geolocation=()");
}

void invqr_headers_cookie(request_rec *r, invqr_req_t *rq, const char *name,
                          const char *value, long max_age)
{
    const char *path = rq->srv->base_path[0] != '\0' ? rq->srv->base_path : "/";
    const char *age = max_age < 0 ? "" : apr_psprintf(r->pool, "; Max-Age=%ld", max_age);

    apr_table_addn(r->err_headers_out, "Set-Cookie",
                   apr_pstrcat(r->pool, name, "=", value, "; Path=", path, age,
                               "; HttpOnly; SameSite=Lax", is_tls(r) ? "; Secure" : "",
                               NULL));
}
