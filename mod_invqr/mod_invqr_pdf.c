/* SPDX-License-Identifier: Apache-2.0 */
/* mod_invqr - a citizen's attestation PDF, sent from its copy on disk.
 *
 * GET BASE/citizen/qr/<tag>-<issue date>-<code group>.pdf (corelib/pdf/invqr_pdf_copy.h). The copy's name
 * is derived from the signed-in citizen and the tag, so a tag of somebody
 * else's PDF names no file; the bytes were made and left by a worker. The
 * copy begins with the code it attests, and is sent only while the store
 * says that code is still the citizen's active one: a revocation or a
 * replacement made through any node ends every node's copies at once. When
 * there is no copy (not made yet, made on another node, swept, left empty
 * by a crash, not this citizen's, or of a code that ended), the answer is a
 * redirect to BASE/citizen/qr.pdf, where a worker makes the current PDF (or
 * says there is none) and leaves its copy for next time. Someone acting for
 * the holder (mod_invqr_delegation.c) gets the holder's copies only while
 * the store says the delegation is in effect (checked at this request), and
 * each download of theirs is audited with both fiscal codes before it is sent.
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

/* arg is <tag>-YYYY-MM-DD-XXXXX.pdf (invqr_pdf_copy.h): the issue date and
 * code group name the download as the worker names it. */
int invqr_pdf_copy_name_ok(const char *arg)
{
    char tag[INVQR_PDF_TAG_LEN + 1], issued[11], group[6];

    return invqr_pdf_copy_segment_split(arg, tag, issued, group);
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
    if (*psize <= INVQR_CODE_LEN) {
        close(fd);
        return APR_ENOENT;
    }
    if (apr_os_file_put(pf, &fd, APR_FOPEN_READ | APR_FOPEN_SENDFILE_ENABLED, p) != APR_SUCCESS) {
        close(fd);
        return APR_EGENERAL;
    }
    apr_pool_cleanup_register(p, (void *)(intptr_t)fd, close_fd, apr_pool_cleanup_null);
    return APR_SUCCESS;
}

/* Whether the code a copy begins with (into code) is still fiscal_code's
 * active one: 1 yes, 0 no (or not a code), -1 the store did not answer
 * (logged). */
static int copy_current(request_rec *r, invqr_req_t *rq, apr_file_t *f,
                        char code[INVQR_CODE_LEN + 1])
{
    char norm[INVQR_CODE_LEN + 1];
    apr_size_t n = INVQR_CODE_LEN;
    apr_off_t at = 0;
    invqr_binds_t in, out;
    invqr_db_t *db;
    long long one = 0;
    unsigned long long rows = 0;
    apr_status_t rv;

    if (apr_file_read_full(f, code, n, &n) != APR_SUCCESS || n != INVQR_CODE_LEN
        || apr_file_seek(f, APR_SET, &at) != APR_SUCCESS)
        return 0;
    code[INVQR_CODE_LEN] = '\0';
    if (invqr_code_parse(norm, code, INVQR_CODE_LEN) != 0 || strcmp(norm, code) != 0)
        return 0;
    if (invqr_store_acquire(&db, rq->srv, r) != APR_SUCCESS)
        return -1;
    invqr_binds_init(&in);
    invqr_bind_str(&in, code, INVQR_CODE_LEN);
    invqr_bind_str(&in, rq->fiscal_code, strlen(rq->fiscal_code));
    invqr_binds_init(&out);
    invqr_bind_out_int(&out, &one);
    rv = invqr_db_exec(db, INVQR_SQL_CODE_COPY_ACTIVE, &in, &out, NULL, NULL, &rows);
    invqr_store_release(rq->srv, r, rv != APR_SUCCESS);
    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r,
                      "INVQR0190: cannot ask the store whether a PDF copy is current");
        return -1;
    }
    return rows == 1 ? 1 : 0;
}

int invqr_pdf_copy_handler(request_rec *r)
{
    invqr_req_t *rq = invqr_req_get(r);
    char tag[INVQR_PDF_TAG_LEN + 1], etag[INVQR_PDF_TAG_LEN + 3], issued[11], group[6];
    char code[INVQR_CODE_LEN + 1];
    const char *path;
    apr_file_t *f = NULL;
    apr_off_t size = 0;
    apr_bucket_brigade *bb;
    apr_status_t rv;
    int status;

    /* the name was checked when the request was routed; the fixups made
     * sure a citizen is signed in */
    invqr_pdf_copy_segment_split(rq->arg, tag, issued, group);
    path = invqr_pdf_copy_path(rq->srv->conf, rq->fiscal_code, tag, r->pool);
    rv = path != NULL ? open_copy(&f, &size, path, r->pool) : APR_ENOENT;
    if (rv == APR_SUCCESS) {
        status = copy_current(r, rq, f, code);
        if (status < 0)
            return HTTP_SERVICE_UNAVAILABLE;
        if (status == 0)
            rv = APR_ENOENT;    /* a code that ended: the worker says what now */
    }
    if (rv != APR_SUCCESS) {
        if (rv != APR_SUCCESS && !APR_STATUS_IS_ENOENT(rv))
            ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r,
                          "INVQR0164: cannot read a PDF copy in pdf_copies_dir");
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
    /* the worker's name for it (the parts are digits, letters and '-') */
    apr_table_setn(r->headers_out, "Content-Disposition",
                   apr_pstrcat(r->pool, "attachment; filename=\"",
                               invqr_pdf_file_name(issued, group, r->pool), "\"", NULL));
    ap_set_content_type(r, "application/pdf");
    ap_set_content_length(r, size - INVQR_CODE_LEN);
    if (r->header_only)
        return OK;
    /* someone acting for the holder: the holder's log says they took it */
    if (invqr_delegation_audit_copy(r, rq, code) != APR_SUCCESS)
        return HTTP_SERVICE_UNAVAILABLE;
    invqr_metric_inc(INVQR_METRIC_PDF_COPIES);
    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    apr_brigade_insert_file(bb, f, INVQR_CODE_LEN, size - INVQR_CODE_LEN, r->pool);
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(bb->bucket_alloc));
    rv = ap_pass_brigade(r->output_filters, bb);
    return rv == APR_SUCCESS || r->connection->aborted ? OK : AP_FILTER_ERROR;
}
