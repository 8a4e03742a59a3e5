/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - UTF-8 validation.
 *
 * Strict RFC 3629 validation that also counts code points, and a "text"
 * variant that refuses control characters. Import files run to hundreds of
 * megabytes of mostly ASCII, so runs of ASCII are checked eight bytes at a
 * time (for the text variant including the control-character test); only
 * multi-byte sequences and chunks holding a control byte take the byte-wise
 * path. Nothing is allocated.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "invqr_utf8.h"

#define ONES   UINT64_C(0x0101010101010101)
#define HIGHS  UINT64_C(0x8080808080808080)

static uint64_t load64(const unsigned char *p)
{
    uint64_t w;

    memcpy(&w, p, sizeof(w));
    return w;
}

/* Non-zero if some byte of w (all bytes < 0x80) is < 0x20 or == 0x7F.
 * Exact for ASCII bytes: no borrow crosses a byte whose value is >= 0x20. */
static int has_control(uint64_t w)
{
    uint64_t below_space = (w - 0x20 * ONES) & ~w & HIGHS;
    uint64_t del = w ^ (0x7F * ONES);

    del = (del - ONES) & ~del & HIGHS;
    return (below_space | del) != 0;
}

/* Controls allowed in text: TAB always, LF and CR with allow_newlines. */
static int control_allowed(unsigned char c, int allow_newlines)
{
    return c == '\t' || (allow_newlines && (c == '\n' || c == '\r'));
}

/*
 * Validate s[0..len). text: refuse controls. Returns the code point count
 * or -1. The multi-byte rules follow the table in RFC 3629 section 4.
 */
static long validate(const unsigned char *s, size_t len, int text,
                     int allow_newlines)
{
    size_t i = 0;
    long count = 0;

    if (s == NULL) {
        return len == 0 ? 0 : -1;
    }
    if (len > (size_t)LONG_MAX) {
        return -1;
    }
    while (i < len) {
        unsigned char c = s[i];
        unsigned char lo = 0x80, hi = 0xBF;
        size_t need;

        if (c < 0x80) {
            size_t stop;

            /* ASCII fast path: whole words while they stay clean. */
            while (len - i >= 8) {
                uint64_t w = load64(s + i);

                if ((w & HIGHS) != 0 || (text && has_control(w))) {
                    break;
                }
                i += 8;
                count += 8;
            }
            /* Then byte by byte, but only through the word that stopped
             * the fast path, so one newline does not end it for good. */
            stop = (len - i < 8) ? len : i + 8;
            while (i < stop && s[i] < 0x80) {
                c = s[i];
                if (text && (c < 0x20 || c == 0x7F) &&
                    !control_allowed(c, allow_newlines)) {
                    return -1;
                }
                i++;
                count++;
            }
            continue;
        }

        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
            if (text && c == 0xC2 && i + 1 < len && s[i + 1] <= 0x9F) {
                return -1; /* C1 control U+0080..U+009F */
            }
        }
        else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0) {
                lo = 0xA0;    /* overlong */
            }
            else if (c == 0xED) {
                hi = 0x9F;    /* surrogates U+D800..U+DFFF */
            }
        }
        else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0) {
                lo = 0x90;    /* overlong */
            }
            else if (c == 0xF4) {
                hi = 0x8F;    /* above U+10FFFF */
            }
        }
        else {
            return -1;        /* continuation byte, C0, C1, F5..FF */
        }

        if (len - i <= need) {
            return -1;        /* truncated */
        }
        if (s[i + 1] < lo || s[i + 1] > hi) {
            return -1;
        }
        for (size_t k = 2; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80) {
                return -1;
            }
        }
        i += need + 1;
        count++;
    }
    return count;
}

long invqr_utf8_count(const char *s, size_t len)
{
    return validate((const unsigned char *)s, len, 0, 0);
}

long invqr_utf8_count_text(const char *s, size_t len, int allow_newlines)
{
    return validate((const unsigned char *)s, len, 1, allow_newlines);
}
