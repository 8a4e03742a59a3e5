/* SPDX-License-Identifier: Apache-2.0 */
/* mod_invqr - a citizen's attestation PDF, sent from its copy on disk.
 *
 * GET BASE/citizen/qr/<tag>.pdf (corelib/invqr_pdf_copy.h). The copy's name
 * is derived from the signed-in citizen and the tag, so a tag of somebody
 * else's PDF names no file; the bytes were made and left by a worker. When
 * there is no copy (not made yet, made on another node, swept, left empty
 * by a crash, or not this citizen's), the answer is a redirect to BASE/citizen/qr.pdf, where a
 * worker makes the current PDF and leaves its copy for next time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <http_protocol.h>
#include <apr_buckets.h>
#include <apr_file_io.h>
#include <apr_strings.h>

#include "mod_invqr_private.h"
#include "invqr_metrics.h"
#include "invqr_pdf_copy.h"

static apr_status_t close_fd(void *data)
{
    close((int)(intptr_t)data);
    return APR_SUCCESS;
}

int invqr_pdf_copy_name_ok(const char *arg)
{
    char tag[INVQR_PDF_TAG_LEN + 1];

    if (arg == NULL || strlen(arg) != INVQR_PDF_TAG_LEN + 4
        || strcmp(arg + INVQR_PDF_TAG_LEN, ".pdf") != 0)
        return 0;
    memcpy(tag, arg, INVQR_PDF_TAG_LEN);
    tag[INVQR_PDF_TAG_LEN] = '\0';
    return invqr_pdf_tag_valid(tag);
}

/* Open the copy at path: a regular file with something in it, never
 * through a symbolic link, never blocking on anything else. */
static apr_status_t open_copy(apr_file_t **pf, apr_off_t *psize, const char *path,
                              apr_pool_t *p)
{
    struct stat st;
    apr_os_file_t fd;

    fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return APR_FROM_OS_ERROR(errno);
    /* an empty file is what a crash can leave: as good as none */
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
        close(fd);
        return APR_ENOENT;
    }
    *psize = (apr_off_t)st.st_size;
    if (apr_os_file_put(pf, &fd, APR_FOPEN_READ | APR_FOPEN_SENDFILE_ENABLED, p) != APR_SUCCESS) {
        close(fd);
        return APR_EGENERAL;
    }
    apr_pool_cleanup_register(p, (void *)(intptr_t)fd, close_fd, apr_pool_cleanup_null);
    return APR_SUCCESS;
}

int invqr_pdf_copy_handler(request_rec *r)
{
    invqr_req_t *rq = invqr_req_get(r);
    char tag[INVQR_PDF_TAG_LEN + 1], etag[INVQR_PDF_TAG_LEN + 3];
    const char *path;
    apr_file_t *f = NULL;
    apr_off_t size = 0;
    apr_bucket_brigade *bb;
    apr_status_t rv;
    int status;

    /* the name was checked when the request was routed; the fixups made
     * sure a citizen is signed in */
    memcpy(tag, rq->arg, INVQR_PDF_TAG_LEN);
    tag[INVQR_PDF_TAG_LEN] = '\0';
    path = invqr_pdf_copy_path(rq->srv->conf, rq->fiscal_code, tag, r->pool);
    rv = path != NULL ? open_copy(&f, &size, path, r->pool) : APR_ENOENT;
    if (rv != APR_SUCCESS) {
        if (rv != APR_SUCCESS && !APR_STATUS_IS_ENOENT(rv))
            ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r,
                          "INVQR0164: cannot read a PDF copy in pdf_cache_dir");
        apr_table_setn(r->headers_out, "Location",
                       apr_pstrcat(r->pool, rq->srv->base_path, "/citizen/qr.pdf", NULL));
        return HTTP_SEE_OTHER;
    }
    /* The same ETag as the worker's for this PDF. The bytes never change,
     * but they are a person's data: the browser keeps them only to ask
     * again (no-cache), so after sign-out or a revocation nobody at the
     * same computer gets them back; the answer to that question is a 304
     * from here. */
    apr_snprintf(etag, sizeof(etag), "\"%s\"", tag);
    apr_table_setn(r->headers_out, "ETag", apr_pstrdup(r->pool, etag));
    apr_table_setn(r->headers_out, "Cache-Control", "private, no-cache");
    status = ap_meets_conditions(r);
    if (status != OK)
        return status;
    apr_table_setn(r->headers_out, "Content-Disposition",
                   "attachment; filename=\"attestazione-invalidita-civile.pdf\"");
    ap_set_content_type(r, "application/pdf");
    ap_set_content_length(r, size);
    if (r->header_only)
        return OK;
    invqr_metric_inc(INVQR_METRIC_PDF_COPIES);
    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    apr_brigade_insert_file(bb, f, 0, size, r->pool);
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(bb->bucket_alloc));
    rv = ap_pass_brigade(r->output_filters, bb);
    return rv == APR_SUCCESS || r->connection->aborted ? OK : AP_FILTER_ERROR;
}
