/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - Cookie request header.
 *
 * Reads one cookie out of a Cookie header (RFC 6265 section 5.4 syntax,
 * tolerant of the spacing browsers send) without trusting any of it.
 */
#ifndef INVQR_COOKIE_H
#define INVQR_COOKIE_H

#include <apr_pools.h>

#define INVQR_COOKIE_MAX_HEADER 8192
#define INVQR_COOKIE_MAX_VALUE  256

/**
 * Find cookie name in header (may be NULL). On success *pvalue is a copy in p.
 * Returns APR_SUCCESS, APR_NOTFOUND if absent, APR_EINVAL if the cookie is
 * present more than once or its value is longer than INVQR_COOKIE_MAX_VALUE
 * or holds characters outside RFC 6265 cookie-octets (quotes around the
 * value are removed), APR_ENOSPC if the header is longer than
 * INVQR_COOKIE_MAX_HEADER. *pvalue is NULL on failure.
 *
 * Names compare exactly (case-sensitive); spaces and tabs around names and
 * values are ignored; pairs without '=' are skipped. Only the value of the
 * cookie asked for is checked, so garbage in other cookies never causes a
 * failure. An empty value is found, as "". An empty or NULL name is
 * APR_EINVAL.
 */
apr_status_t invqr_cookie_get(const char **pvalue, const char *header,
                              const char *name, apr_pool_t *p);

#endif
