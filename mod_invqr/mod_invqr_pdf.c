/* SPDX-License-Identifier: Apache-2.0 */
/* mod_invqr - a citizen's attestation PDF, sent from its copy on disk.
 *
 * GET BASE/citizen/qr/<tag>.pdf (corelib/invqr_pdf_copy.h). The copy's name
 * is derived from the signed-in citizen and the tag, so a tag of somebody
 * else's PDF names no file; the bytes were made and left by a worker. When
 * there is no copy (not made yet, made on another node, swept, or not this
 * citizen's), the answer is a redirect to BASE/citizen/qr.pdf, where a
 * worker makes the current PDF and leaves its copy for next time.
 */
#include <string.h>

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <http_protocol.h>
#include <apr_buckets.h>
#include <apr_file_io.h>
#include <apr_strings.h>

#include "mod_invqr_private.h"
#include "invqr_pdf_copy.h"

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

int invqr_pdf_copy_handler(request_rec *r)
{
    invqr_req_t *rq = invqr_req_get(r);
    char tag[INVQR_PDF_TAG_LEN + 1], etag[INVQR_PDF_TAG_LEN + 3];
    const char *path, *inm;
    apr_file_t *f = NULL;
    apr_finfo_t fi;
    apr_bucket_brigade *bb;
    apr_status_t rv;

    /* the name was checked when the request was routed; the fixups made
     * sure a citizen is signed in */
    memcpy(tag, rq->arg, INVQR_PDF_TAG_LEN);
    tag[INVQR_PDF_TAG_LEN] = '\0';
    path = invqr_pdf_copy_path(rq->srv->conf, rq->fiscal_code, tag, r->pool);
    rv = path != NULL ? apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_SENDFILE_ENABLED,
                                      0, r->pool)
                      : APR_ENOENT;
    if (rv == APR_SUCCESS)
        rv = apr_file_info_get(&fi, APR_FINFO_SIZE | APR_FINFO_TYPE, f);
    if (rv != APR_SUCCESS || fi.filetype != APR_REG) {
        if (rv != APR_SUCCESS && !APR_STATUS_IS_ENOENT(rv))
            ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r,
                          "INVQR0164: cannot read a PDF copy in pdf_cache_dir");
        apr_table_setn(r->headers_out, "Location",
                       apr_pstrcat(r->pool, rq->srv->base_path, "/citizen/qr.pdf", NULL));
        return HTTP_SEE_OTHER;
    }
    /* the same ETag as the worker's for this PDF; the bytes never change,
     * so the browser may keep them (privately) */
    apr_snprintf(etag, sizeof(etag), "\"%s\"", tag);
    apr_table_setn(r->headers_out, "ETag", apr_pstrdup(r->pool, etag));
    apr_table_setn(r->headers_out, "Cache-Control", "private, max-age=86400, immutable");
    inm = apr_table_get(r->headers_in, "If-None-Match");
    if (inm != NULL && strcmp(inm, etag) == 0)
        return HTTP_NOT_MODIFIED;
    apr_table_setn(r->headers_out, "Content-Disposition",
                   "attachment; filename=\"attestazione-invalidita-civile.pdf\"");
    ap_set_content_type(r, "application/pdf");
    ap_set_content_length(r, fi.size);
    if (r->header_only)
        return OK;
    bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    apr_brigade_insert_file(bb, f, 0, fi.size, r->pool);
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(bb->bucket_alloc));
    rv = ap_pass_brigade(r->output_filters, bb);
    return rv == APR_SUCCESS || r->connection->aborted ? OK : AP_FILTER_ERROR;
}
