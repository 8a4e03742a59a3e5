/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - application/x-www-form-urlencoded bodies and query strings.
 *
 * One parser for every form the browser sends: it decodes percent escapes
 * and '+', requires valid UTF-8 free of control characters (newlines are
 * allowed in values), and caps the number of fields and the size of names
 * and values.
 */
#ifndef INVQR_FORM_H
#define INVQR_FORM_H

#include <apr_pools.h>
#include <apr_tables.h>

#define INVQR_FORM_MAX_BODY   65536  /* bytes of a whole body */
#define INVQR_FORM_MAX_FIELDS 32
#define INVQR_FORM_MAX_NAME   64     /* decoded bytes */
#define INVQR_FORM_MAX_VALUE  4096   /* decoded bytes */

/**
 * Parse body[0..len) into a table of decoded name/value pairs allocated from
 * p. A name given twice is refused (APR_EINVAL): invqr forms never repeat a
 * field, and ambiguity is how filters are bypassed. An empty input gives an
 * empty table. Returns APR_SUCCESS, APR_EINVAL for malformed input or
 * APR_ENOSPC when a limit is exceeded; *pout is NULL on failure.
 *
 * Pairs are split on '&' only; empty pairs are skipped; a pair without '='
 * has an empty value. A name must be non-empty and free of every control
 * character (TAB, CR and LF included); a value may hold TAB, CR and LF.
 * Names are compared as apr_table compares keys, without regard to ASCII
 * case, so "a" and "A" are the same field given twice. body may be NULL
 * when len is 0; a body longer than INVQR_FORM_MAX_BODY is refused without
 * being read.
 */
apr_status_t invqr_form_parse(apr_table_t **pout, const char *body,
                              apr_size_t len, apr_pool_t *p);

#define INVQR_FORM_MAX_RETURN_TO 128

/**
 * Whether path may be where a sign-in returns to (a "next" field or query
 * value): a path below the base path of this service and nothing else. It
 * starts with one '/', not "//" nor "/\\" (another host), holds only ASCII
 * letters, digits and "/-_." (so it needs no escaping in a URL), no "."
 * or ".." segment, and at most INVQR_FORM_MAX_RETURN_TO bytes. Returns 1 or 0.
 */
int invqr_form_return_to_ok(const char *path);

#endif
