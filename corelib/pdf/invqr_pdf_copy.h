/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - copies of attestation PDFs on disk, served by the module.
 *
 * A PDF is fully determined by its cache key (invqr_pdf_cache.h): code,
 * names, fiscal code, issue and expiry dates, language, issuer. Its tag is the key's digest (the
 * ETag without quotes), and its URL below the base path is
 * /citizen/qr/<tag>-<issue date>-<code group>.pdf, which the citizen page links. When pdf_copies_dir is
 * set, the worker that makes or serves a PDF also leaves a copy there, named
 * by HMAC(secret, fiscal code, tag): only the citizen the PDF belongs to can
 * name it (the module derives the name from the signed-in citizen and the
 * tag in the URL), and nobody without the secret can guess it. A repeated
 * download is then a file the module sends itself, as fast as a static file,
 * with no worker. The copy never changes (a new code or record makes a new
 * tag), but it is a person's data: the browser is told to ask again each
 * time (no-cache), and the module answers 304.
 *
 * A copy begins with the code it attests (INVQR_CODE_LEN characters), then
 * the PDF. The module sends the PDF only once the store confirms that code
 * is still the citizen's active one: a revocation or replacement through
 * another node, which cannot remove this node's copies, ends them all the
 * same (issue 11).
 */
#ifndef INVQR_PDF_COPY_H
#define INVQR_PDF_COPY_H

#include <time.h>

#include <apr_pools.h>

#include "invqr_code.h"
#include "invqr_conf.h"

#define INVQR_PDF_TAG_LEN 32     /* lower-case hex digits */

/** The tag of the PDF made of key (NUL-terminated). */
void invqr_pdf_tag(char out[INVQR_PDF_TAG_LEN + 1], const char *key);

/** Whether s is a well-formed tag (exactly INVQR_PDF_TAG_LEN lower-case hex
 * digits, nothing else). */
int invqr_pdf_tag_valid(const char *s);

/* The name a downloaded attestation is saved under, by the worker's
 * /citizen/qr.pdf and the module's copy alike (Content-Disposition):
 * attestazione-invalidita-YYYY-MM-DD-XXXXX.pdf, the code's issue date and
 * the first group of the code, so two codes of one holder differ. The
 * module cannot work them out from the tag, so the copy's URL carries them:
 * /citizen/qr/<tag>-YYYY-MM-DD-XXXXX.pdf (a citizen who changes them names
 * only their own download). */
#define INVQR_PDF_FILE_PREFIX "attestazione-invalidita-"

/** The file name of the PDF of code (upper-case, at least 5 characters)
 * issued on issued (YYYY-MM-DD), from p; NULL when either is malformed. */
const char *invqr_pdf_file_name(const char *issued, const char *code, apr_pool_t *p);

/** The last segment of the copy's URL, from p; NULL when issued or code is
 * malformed. */
const char *invqr_pdf_copy_segment(const char *tag, const char *issued, const char *code,
                                   apr_pool_t *p);

/** Split such a segment into its tag, issue date and code group; 0 unless
 * it is exactly one (a valid tag, YYYY-MM-DD, five of 0-9 A-Z, ".pdf"). */
int invqr_pdf_copy_segment_split(const char *seg, char tag[INVQR_PDF_TAG_LEN + 1],
                                 char issued[11], char group[6]);

/** Where the copy of fiscal_code's PDF with tag lives (from p), or NULL
 * when conf has no pdf_copies_dir. */
const char *invqr_pdf_copy_path(const invqr_conf_t *conf, const char *fiscal_code,
                                const char *tag, apr_pool_t *p);

/** Leave a copy of the PDF of code (INVQR_CODE_LEN characters) at path
 * unless one is there: written aside, synced and renamed, so a reader never
 * sees half a file. *pmade says whether this call made it. APR_SUCCESS or
 * the error (logged). */
apr_status_t invqr_pdf_copy_store(const char *path, const char *code, const char *pdf,
                                  apr_size_t len, int *pmade);

/** Remove copies in dir last written before cutoff (they are made again on
 * demand), and leftovers of interrupted writes; only files named as ours.
 * Returns how many went, or -1 if dir cannot be read (logged). */
long invqr_pdf_copy_sweep(const char *dir, time_t cutoff);

#endif
