/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - UTF-8 validation.
 *
 * Strict validation (RFC 3629): no overlong forms, no surrogates, nothing
 * above U+10FFFF. Control characters are reported separately because free
 * text may hold newlines and tabs but never NUL or other C0/C1 controls.
 */
#ifndef INVQR_UTF8_H
#define INVQR_UTF8_H

#include <stddef.h>

/**
 * Check that s[0..len) is valid UTF-8. Returns the number of code points,
 * or -1 if the bytes are not valid UTF-8. NUL is a valid code point here.
 * s may be NULL when len is 0. Allocates nothing.
 */
long invqr_utf8_count(const char *s, size_t len);

/**
 * As invqr_utf8_count(), but also refuses C0 controls (except TAB, LF and
 * CR when allow_newlines is non-zero), DEL and C1 controls (U+0080-U+009F).
 */
long invqr_utf8_count_text(const char *s, size_t len, int allow_newlines);

#endif
