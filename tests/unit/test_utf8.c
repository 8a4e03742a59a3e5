/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - unit tests of UTF-8 validation (core/invqr_utf8.c).
 *
 * Besides the classic malformed sequences, every one- and two-byte input,
 * every three-byte input and every four-byte input with a valid lead byte
 * is compared with a reference decoder written below the slow, obvious way;
 * and the ASCII fast path is checked at every offset of its eight-byte
 * words. Inputs live in exactly-sized heap buffers so that an overread shows
 * under AddressSanitizer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "invqr_utf8.h"

/* ---- helpers ------------------------------------------------------------- */

static long count_bytes(const char *bytes, size_t len)
{
    char *copy = malloc(len ? len : 1);
    long n;

    assert_non_null(copy);
    memcpy(copy, bytes, len);
    n = invqr_utf8_count(copy, len);
    free(copy);
    return n;
}

static long text_bytes(const char *bytes, size_t len, int allow_newlines)
{
    char *copy = malloc(len ? len : 1);
    long n;

    assert_non_null(copy);
    memcpy(copy, bytes, len);
    n = invqr_utf8_count_text(copy, len, allow_newlines);
    free(copy);
    return n;
}

#define COUNT(lit) count_bytes(lit, sizeof(lit) - 1)
#define TEXT(lit, nl) text_bytes(lit, sizeof(lit) - 1, nl)

/*
 * Reference: decode one sequence the textbook way (value first, then the
 * rules). Returns its length, or 0 if s[0..len) does not start with a valid
 * sequence; *pcp receives the code point.
 */
static size_t ref_decode(const unsigned char *s, size_t len, uint32_t *pcp)
{
    static const uint32_t min_for_len[] = { 0, 0, 0x80, 0x800, 0x10000 };
    size_t n;
    uint32_t cp;

    if (len == 0) {
        return 0;
    }
    if (s[0] < 0x80) {
        *pcp = s[0];
        return 1;
    }
    else if ((s[0] & 0xE0) == 0xC0) {
        n = 2;
        cp = s[0] & 0x1F;
    }
    else if ((s[0] & 0xF0) == 0xE0) {
        n = 3;
        cp = s[0] & 0x0F;
    }
    else if ((s[0] & 0xF8) == 0xF0) {
        n = 4;
        cp = s[0] & 0x07;
    }
    else {
        return 0;
    }
    if (len < n) {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min_for_len[n] || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0;
    }
    *pcp = cp;
    return n;
}

static int ref_is_text(uint32_t cp, int allow_newlines)
{
    if (cp == '\t' || (allow_newlines && (cp == '\n' || cp == '\r'))) {
        return 1;
    }
    return !(cp < 0x20 || (cp >= 0x7F && cp <= 0x9F));
}

/* Reference count (text: also refuse controls), -1 if invalid. */
static long ref_count(const unsigned char *s, size_t len, int text,
                      int allow_newlines)
{
    long count = 0;
    size_t i = 0;

    while (i < len) {
        uint32_t cp = 0;
        size_t n = ref_decode(s + i, len - i, &cp);

        if (n == 0 || (text && !ref_is_text(cp, allow_newlines))) {
            return -1;
        }
        i += n;
        count++;
    }
    return count;
}

static void check_against_ref(const unsigned char *s, size_t len)
{
    assert_int_equal(invqr_utf8_count((const char *)s, len),
                     ref_count(s, len, 0, 0));
    assert_int_equal(invqr_utf8_count_text((const char *)s, len, 0),
                     ref_count(s, len, 1, 0));
    assert_int_equal(invqr_utf8_count_text((const char *)s, len, 1),
                     ref_count(s, len, 1, 1));
}

static size_t encode(unsigned char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* ---- tests --------------------------------------------------------------- */

static void test_empty(void **state)
{
    (void)state;
    assert_int_equal(invqr_utf8_count("", 0), 0);
    assert_int_equal(invqr_utf8_count(NULL, 0), 0);
    assert_int_equal(invqr_utf8_count(NULL, 1), -1);
    assert_int_equal(invqr_utf8_count_text(NULL, 0, 0), 0);
    assert_int_equal(invqr_utf8_count_text(NULL, 3, 1), -1);
}

static void test_valid(void **state)
{
    (void)state;
    assert_int_equal(COUNT("hello"), 5);
    assert_int_equal(COUNT("\xc3\xa9"), 1);                 /* é */
    assert_int_equal(COUNT("\xe2\x82\xac"), 1);             /* € */
    assert_int_equal(COUNT("\xf0\x9f\x98\x80"), 1);         /* U+1F600 */
    assert_int_equal(COUNT("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z"), 5);
    assert_int_equal(COUNT("\xc2\x80"), 1);                 /* U+0080 */
    assert_int_equal(COUNT("\xdf\xbf"), 1);                 /* U+07FF */
    assert_int_equal(COUNT("\xe0\xa0\x80"), 1);             /* U+0800 */
    assert_int_equal(COUNT("\xed\x9f\xbf"), 1);             /* U+D7FF */
    assert_int_equal(COUNT("\xee\x80\x80"), 1);             /* U+E000 */
    assert_int_equal(COUNT("\xef\xbf\xbf"), 1);             /* U+FFFF */
    assert_int_equal(COUNT("\xef\xbb\xbf"), 1);             /* BOM */
    assert_int_equal(COUNT("\xf0\x90\x80\x80"), 1);         /* U+10000 */
    assert_int_equal(COUNT("\xf4\x8f\xbf\xbf"), 1);         /* U+10FFFF */
    assert_int_equal(COUNT("Citt\xc3\xa0 di Forl\xc3\xac"), 14);
    /* NUL is valid UTF-8, if not valid text. */
    assert_int_equal(COUNT("a\0b"), 3);
}

static void test_overlong(void **state)
{
    (void)state;
    assert_int_equal(COUNT("\xc0\x80"), -1);
    assert_int_equal(COUNT("\xc0\xaf"), -1);
    assert_int_equal(COUNT("\xc1\xbf"), -1);
    assert_int_equal(COUNT("\xe0\x80\x80"), -1);
    assert_int_equal(COUNT("\xe0\x80\xaf"), -1);
    assert_int_equal(COUNT("\xe0\x9f\xbf"), -1);
    assert_int_equal(COUNT("\xf0\x80\x80\x80"), -1);
    assert_int_equal(COUNT("\xf0\x80\x80\xaf"), -1);
    assert_int_equal(COUNT("\xf0\x8f\xbf\xbf"), -1);
    assert_int_equal(COUNT("\xf8\x88\x80\x80\x80"), -1);
    assert_int_equal(COUNT("\xfc\x84\x80\x80\x80\x80"), -1);
}

static void test_surrogates(void **state)
{
    (void)state;
    assert_int_equal(COUNT("\xed\xa0\x80"), -1);            /* U+D800 */
    assert_int_equal(COUNT("\xed\xad\xbf"), -1);            /* U+DB7F */
    assert_int_equal(COUNT("\xed\xb0\x80"), -1);            /* U+DC00 */
    assert_int_equal(COUNT("\xed\xbf\xbf"), -1);            /* U+DFFF */
    /* CESU-8 pair for U+1F600 */
    assert_int_equal(COUNT("\xed\xa0\xbd\xed\xb8\x80"), -1);
}

static void test_too_large(void **state)
{
    (void)state;
    assert_int_equal(COUNT("\xf4\x90\x80\x80"), -1);        /* U+110000 */
    assert_int_equal(COUNT("\xf4\xbf\xbf\xbf"), -1);
    assert_int_equal(COUNT("\xf5\x80\x80\x80"), -1);
    assert_int_equal(COUNT("\xf7\xbf\xbf\xbf"), -1);
    assert_int_equal(COUNT("\xfe"), -1);
    assert_int_equal(COUNT("\xff"), -1);
}

static void test_truncated(void **state)
{
    (void)state;
    assert_int_equal(COUNT("\xc3"), -1);
    assert_int_equal(COUNT("\xe2\x82"), -1);
    assert_int_equal(COUNT("\xe2"), -1);
    assert_int_equal(COUNT("\xf0\x9f\x98"), -1);
    assert_int_equal(COUNT("\xf0\x9f"), -1);
    assert_int_equal(COUNT("abc\xf0"), -1);
    /* Cut short by the next character. */
    assert_int_equal(COUNT("\xc3" "a"), -1);
    assert_int_equal(COUNT("\xe2\x82" "a"), -1);
    assert_int_equal(COUNT("\xf0\x9f\x98" "a"), -1);
    assert_int_equal(COUNT("\xe2\x28\xa1"), -1);
    assert_int_equal(COUNT("\xf0\x28\x8c\xbc"), -1);
    assert_int_equal(COUNT("\xf0\x9f\x28\x80"), -1);
    assert_int_equal(COUNT("\xc3\xc3\xa9"), -1);
    /* Stray continuation bytes. */
    assert_int_equal(COUNT("\x80"), -1);
    assert_int_equal(COUNT("\xbf"), -1);
    assert_int_equal(COUNT("a\x80z"), -1);
    assert_int_equal(COUNT("\xc3\xa9\xa9"), -1);
    /* The length, not a NUL, ends the input. */
    assert_int_equal(invqr_utf8_count("\xc3\xa9", 1), -1);
}

static void test_text_controls(void **state)
{
    (void)state;
    assert_int_equal(TEXT("a\tb", 0), 3);
    assert_int_equal(TEXT("a\tb", 1), 3);
    assert_int_equal(TEXT("a\nb", 0), -1);
    assert_int_equal(TEXT("a\rb", 0), -1);
    assert_int_equal(TEXT("a\r\nb", 1), 4);
    assert_int_equal(TEXT("a\0b", 1), -1);
    assert_int_equal(TEXT("\x01", 1), -1);
    assert_int_equal(TEXT("\x1b[31m", 1), -1);
    assert_int_equal(TEXT("\x1f", 1), -1);
    assert_int_equal(TEXT("\x0b", 1), -1);                  /* VT */
    assert_int_equal(TEXT("\x0c", 1), -1);                  /* FF */
    assert_int_equal(TEXT("\x7f", 1), -1);                  /* DEL */
    assert_int_equal(TEXT("\xc2\x80", 1), -1);              /* U+0080 */
    assert_int_equal(TEXT("\xc2\x85", 1), -1);              /* NEL */
    assert_int_equal(TEXT("\xc2\x9f", 1), -1);              /* U+009F */
    assert_int_equal(TEXT("\xc2\xa0", 1), 1);               /* NBSP */
    assert_int_equal(TEXT(" ~", 0), 2);
    assert_int_equal(TEXT("Citt\xc3\xa0\tPerugia\r\n", 1), 15);
    /* invalid UTF-8 stays invalid in text */
    assert_int_equal(TEXT("\xc0\x80", 1), -1);
    assert_int_equal(TEXT("\xc2", 1), -1);
}

/* Every input of one and two bytes. */
static void test_exhaustive_two_bytes(void **state)
{
    unsigned char *buf = malloc(2);

    (void)state;
    assert_non_null(buf);
    for (unsigned a = 0; a < 256; a++) {
        buf[0] = (unsigned char)a;
        check_against_ref(buf, 1);
        for (unsigned b = 0; b < 256; b++) {
            buf[1] = (unsigned char)b;
            check_against_ref(buf, 2);
        }
    }
    free(buf);
}

/* Every three-byte input with a three-byte lead. */
static void test_exhaustive_three_bytes(void **state)
{
    unsigned char *buf = malloc(3);

    (void)state;
    assert_non_null(buf);
    for (unsigned a = 0xE0; a <= 0xEF; a++) {
        for (unsigned b = 0; b < 256; b++) {
            for (unsigned c = 0; c < 256; c++) {
                buf[0] = (unsigned char)a;
                buf[1] = (unsigned char)b;
                buf[2] = (unsigned char)c;
                check_against_ref(buf, 3);
            }
        }
    }
    free(buf);
}

/* Four-byte leads F0-F7 with every second byte and a sample of the rest. */
static void test_four_bytes(void **state)
{
    static const unsigned char tails[] = {
        0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC3,
        0xF0, 0xFF
    };
    unsigned char *buf = malloc(4);

    (void)state;
    assert_non_null(buf);
    for (unsigned a = 0xF0; a <= 0xF7; a++) {
        for (unsigned b = 0; b < 256; b++) {
            for (size_t c = 0; c < sizeof(tails); c++) {
                for (size_t d = 0; d < sizeof(tails); d++) {
                    buf[0] = (unsigned char)a;
                    buf[1] = (unsigned char)b;
                    buf[2] = tails[c];
                    buf[3] = tails[d];
                    check_against_ref(buf, 4);
                }
            }
        }
    }
    free(buf);
}

/* Every scalar value encodes to something that counts as one code point;
 * every surrogate so encoded is refused. */
static void test_every_code_point(void **state)
{
    unsigned char *buf = malloc(4);

    (void)state;
    assert_non_null(buf);
    for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
        size_t n = encode(buf, cp);
        int surrogate = cp >= 0xD800 && cp <= 0xDFFF;

        assert_int_equal(invqr_utf8_count((char *)buf, n), surrogate ? -1 : 1);
    }
    free(buf);
}

/* The fast path reads eight bytes at a time: put the interesting byte at
 * every offset of a few words and at every length. */
static void test_fast_path_offsets(void **state)
{
    enum { N = 40 };
    unsigned char *buf = malloc(N);

    (void)state;
    assert_non_null(buf);
    for (size_t len = 1; len <= N; len++) {
        for (size_t off = 0; off < len; off++) {
            static const unsigned char odd[] = {
                0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x7E, 0x7F, 0x80,
                0xC3, 0xFF
            };
            for (size_t k = 0; k < sizeof(odd); k++) {
                memset(buf, 'a', len);
                buf[off] = odd[k];
                check_against_ref(buf, len);
            }
            /* A valid two-, three- and four-byte sequence straddling. */
            if (off + 2 <= len) {
                memset(buf, 'a', len);
                memcpy(buf + off, "\xc3\xa9", 2);
                check_against_ref(buf, len);
                assert_int_equal(invqr_utf8_count((char *)buf, len),
                                 (long)len - 1);
            }
            if (off + 3 <= len) {
                memset(buf, 'a', len);
                memcpy(buf + off, "\xe2\x82\xac", 3);
                assert_int_equal(invqr_utf8_count_text((char *)buf, len, 0),
                                 (long)len - 2);
            }
            if (off + 4 <= len) {
                memset(buf, 'a', len);
                memcpy(buf + off, "\xf0\x9f\x98\x80", 4);
                assert_int_equal(invqr_utf8_count((char *)buf, len),
                                 (long)len - 3);
                /* ... and truncated by the end of the input */
                assert_int_equal(invqr_utf8_count((char *)buf, off + 3), -1);
            }
        }
    }
    free(buf);
}

/* A CSV-like megabyte: newlines every line, a few accents; then one bad
 * byte near the end must still be found. */
static void test_large_text(void **state)
{
    enum { N = 1 << 20 };
    char *buf = malloc(N);
    static const char line[] =
        "RSSMRA85T10A562S,Rossi,Mario,1985-12-10,+393331234567,Y\r\n"
        "BNCLRA92E59H501L,Bianchi,Laura,1992-05-19,,Y,\"Citt\xc3\xa0\"\n";
    size_t used = 0;
    long points = 0;

    (void)state;
    assert_non_null(buf);
    while (used + sizeof(line) - 1 <= N) {
        memcpy(buf + used, line, sizeof(line) - 1);
        used += sizeof(line) - 1;
        points += (long)sizeof(line) - 1 - 1;   /* one two-byte character */
    }
    assert_int_equal(invqr_utf8_count(buf, used), points);
    assert_int_equal(invqr_utf8_count_text(buf, used, 1), points);
    assert_int_equal(invqr_utf8_count_text(buf, used, 0), -1);
    buf[used - 5] = '\x1b';
    assert_int_equal(invqr_utf8_count(buf, used), points);
    assert_int_equal(invqr_utf8_count_text(buf, used, 1), -1);
    buf[used - 5] = '\xa0';
    assert_int_equal(invqr_utf8_count(buf, used), -1);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_overlong),
        cmocka_unit_test(test_surrogates),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_text_controls),
        cmocka_unit_test(test_exhaustive_two_bytes),
        cmocka_unit_test(test_exhaustive_three_bytes),
        cmocka_unit_test(test_four_bytes),
        cmocka_unit_test(test_every_code_point),
        cmocka_unit_test(test_fast_path_offsets),
        cmocka_unit_test(test_large_text),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
