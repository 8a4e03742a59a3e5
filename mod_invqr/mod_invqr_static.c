/* SPDX-License-Identifier: Apache-2.0 */
/* mod_invqr - the stylesheet and other static files, served from memory.
 *
 * The files of InvQRStaticDir are read once at start-up by the parent
 * process, so httpd children need no access to the installation directory
 * (a checkout under /root is fine), and each answer is a memory copy with a
 * strong ETag and a day of caching.
 */
#include <string.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <http_protocol.h>
#include <apr_file_io.h>
#include <apr_strings.h>
#include <apr_md5.h>

#include "mod_invqr_private.h"

#define STATIC_MAX_FILES 64
#define STATIC_MAX_BYTES (1024 * 1024)

struct invqr_static_t {
    const char *name;
    const char *type;
    const char *etag;
    const char *data;
    apr_size_t len;
    invqr_static_t *next;
};

static const char *type_of(const char *name)
{
    const char *dot = strrchr(name, '.');

    if (dot == NULL)
        return NULL;
    if (!strcmp(dot, ".css"))
        return "text/css; charset=utf-8";
    if (!strcmp(dot, ".js"))
        return "text/javascript; charset=utf-8";
    if (!strcmp(dot, ".svg"))
        return "image/svg+xml";
    if (!strcmp(dot, ".png"))
        return "image/png";
    if (!strcmp(dot, ".ico"))
        return "image/x-icon";
    if (!strcmp(dot, ".txt"))
        return "text/plain; charset=utf-8";
    if (!strcmp(dot, ".woff2"))
        return "font/woff2";
    return NULL;
}

/* The administration's logo (invqr.conf agency_logo), served as
 * agency-logo.svg or .png beside the static directory's files. */
static apr_status_t load_logo(invqr_srv_t *srv, server_rec *s, apr_pool_t *p)
{
    const char *path = srv->conf != NULL ? srv->conf->agency_logo : NULL;
    const char *name;
    apr_finfo_t fi;
    apr_file_t *fh = NULL;
    apr_size_t n;
    apr_status_t rv;
    unsigned char digest[APR_MD5_DIGESTSIZE];
    invqr_static_t *f;
    char *data;

    if (path == NULL)
        return APR_SUCCESS;
    name = strcmp(path + strlen(path) - 4, ".png") == 0 ? "agency-logo.png" : "agency-logo.svg";
    rv = apr_stat(&fi, path, APR_FINFO_SIZE | APR_FINFO_TYPE, p);
    if (rv == APR_SUCCESS && (fi.filetype != APR_REG || fi.size > STATIC_MAX_BYTES))
        rv = APR_EINVAL;
    if (rv == APR_SUCCESS) {
        n = (apr_size_t)fi.size;
        data = apr_palloc(p, n + 1);
        rv = apr_file_open(&fh, path, APR_FOPEN_READ | APR_FOPEN_BINARY, APR_OS_DEFAULT, p);
        if (rv == APR_SUCCESS) {
            rv = apr_file_read_full(fh, data, n, &n);
            apr_file_close(fh);
        }
    }
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, "INVQR0185: cannot read agency_logo %s "
                     "(a regular file of at most %d bytes)", path, STATIC_MAX_BYTES);
        return rv;
    }
    f = apr_pcalloc(p, sizeof(*f));
    f->name = name;
    f->type = type_of(name);
    f->data = data;
    f->len = n;
    apr_md5(digest, data, n);
    f->etag = apr_psprintf(p, "\"%02x%02x%02x%02x%02x%02x%02x%02x\"", digest[0], digest[1],
                           digest[2], digest[3], digest[4], digest[5], digest[6], digest[7]);
    f->next = srv->statics;
    srv->statics = f;
    return APR_SUCCESS;
}

apr_status_t invqr_static_load(invqr_srv_t *srv, server_rec *s, apr_pool_t *p)
{
    apr_dir_t *dir = NULL;
    apr_finfo_t fi;
    apr_status_t rv;
    int count = 0;

    srv->statics = NULL;
    if (srv->static_dir == NULL)
        return load_logo(srv, s, p);
    rv = apr_dir_open(&dir, srv->static_dir, p);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, "INVQR0150: cannot open InvQRStaticDir %s",
                     srv->static_dir);
        return rv;
    }
    while (apr_dir_read(&fi, APR_FINFO_NAME | APR_FINFO_TYPE | APR_FINFO_SIZE, dir) == APR_SUCCESS) {
        invqr_static_t *f;
        apr_file_t *fh = NULL;
        char *data;
        apr_size_t n;
        unsigned char digest[APR_MD5_DIGESTSIZE];
        const char *type;

        if (fi.filetype != APR_REG || fi.name[0] == '.')
            continue;
        type = type_of(fi.name);
        if (type == NULL)
            continue;
        if (fi.size > STATIC_MAX_BYTES || ++count > STATIC_MAX_FILES) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "INVQR0151: %s/%s: static files are "
                         "limited to %d files of %d bytes", srv->static_dir, fi.name,
                         STATIC_MAX_FILES, STATIC_MAX_BYTES);
            rv = APR_EINVAL;
            break;
        }
        n = (apr_size_t)fi.size;
        data = apr_palloc(p, n + 1);
        rv = apr_file_open(&fh, apr_pstrcat(p, srv->static_dir, "/", fi.name, NULL),
                           APR_FOPEN_READ | APR_FOPEN_BINARY, APR_OS_DEFAULT, p);
        if (rv == APR_SUCCESS) {
            rv = apr_file_read_full(fh, data, n, &n);
            apr_file_close(fh);
        }
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, rv, s, "INVQR0152: cannot read %s/%s",
                         srv->static_dir, fi.name);
            break;
        }
        f = apr_pcalloc(p, sizeof(*f));
        f->name = apr_pstrdup(p, fi.name);
        f->type = type;
        f->data = data;
        f->len = n;
        apr_md5(digest, data, n);
        f->etag = apr_psprintf(p, "\"%02x%02x%02x%02x%02x%02x%02x%02x\"", digest[0], digest[1],
                               digest[2], digest[3], digest[4], digest[5], digest[6], digest[7]);
        f->next = srv->statics;
        srv->statics = f;
    }
    apr_dir_close(dir);
    if (rv == APR_SUCCESS || APR_STATUS_IS_ENOENT(rv))
        rv = load_logo(srv, s, p);
    return rv;
}

int invqr_static_handler(request_rec *r)
{
    invqr_req_t *rq = invqr_req_get(r);
    const invqr_static_t *f;
    const char *inm;

    for (f = rq->srv->statics; f != NULL; f = f->next)
        if (strcmp(f->name, rq->arg) == 0)
            break;
    if (f == NULL)
        return HTTP_NOT_FOUND;
    apr_table_setn(r->headers_out, "ETag", f->etag);
    apr_table_setn(r->headers_out, "Cache-Control", "public, max-age=86400");
    inm = apr_table_get(r->headers_in, "If-None-Match");
    if (inm != NULL && strcmp(inm, f->etag) == 0)
        return HTTP_NOT_MODIFIED;
    ap_set_content_type(r, f->type);
    ap_set_content_length(r, (apr_off_t)f->len);
    if (!r->header_only)
        ap_rwrite(f->data, (int)f->len, r);
    return OK;
}
