/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the PDFs already made, per worker process.
 *
 * A repeated download of an unchanged attestation is a memory copy: the
 * cache is keyed by everything the PDF shows (code, name, fiscal code, issue
 * date, public URL), so any change makes a new key and the old entry simply
 * ages out. The key's digest (invqr_pdf_tag(), invqr_pdf_copy.h) is also
 * the ETag, so browsers revalidate with 304 and nothing at all is sent.
 */
#ifndef INVQR_PDF_CACHE_H
#define INVQR_PDF_CACHE_H

#include <apr_pools.h>

/** A copy in p of the cached PDF for key, or NULL. Thread-safe. */
const char *invqr_pdf_cache_get(apr_size_t *plen, const char *key, apr_pool_t *p);

/** Remember a PDF for key (copied; the oldest entry in its slot goes). Thread-safe. */
void invqr_pdf_cache_put(const char *key, const char *pdf, apr_size_t len);

#endif
