/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - attestation codes.
 *
 * Draws 100 bits from getrandom(2) and writes them as 20 characters of
 * Crockford base32; reads back what people type from the printed PDF
 * (dashes, spaces, any case, O for 0, I and L for 1) into the canonical
 * 20 characters; and prints a code in groups of five. Nothing is allocated.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "invqr_code.h"

static const char ALPHABET[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* 13 random bytes hold the 100 bits of a code (104, of which 4 are unused). */
#define RANDOM_BYTES 13

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

/* Canonical Crockford character for a typed one, or 0 if it is none. */
static char canonical(unsigned char c)
{
    if (c >= 'a' && c <= 'z') {
        c = (unsigned char)(c - 'a' + 'A');
    }
    switch (c) {
    case 'O':
        return '0';
    case 'I':
    case 'L':
        return '1';
    case 'U':
        return 0;
    default:
        break;
    }
    if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) {
        return (char)c;
    }
    return 0;
}

static int fill_random(unsigned char *buf, size_t len)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = getrandom(buf + got, len - got, 0);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        got += (size_t)n;
    }
    return 0;
}

int invqr_code_generate(char out[INVQR_CODE_LEN + 1])
{
    unsigned char rnd[RANDOM_BYTES];
    unsigned acc = 0;   /* bit accumulator: never holds more than 12 bits */
    int bits = 0, n = 0, rv = -1;
    size_t i = 0;

    out[0] = '\0';
    if (fill_random(rnd, sizeof(rnd)) != 0) {
        goto out;
    }
    while (n < INVQR_CODE_LEN) {
        if (bits < 5) {
            acc = (acc << 8) | rnd[i++];
            bits += 8;
        }
        bits -= 5;
        out[n++] = ALPHABET[(acc >> bits) & 0x1f];
        acc &= (1u << bits) - 1;
    }
    out[INVQR_CODE_LEN] = '\0';
    rv = 0;
out:
    explicit_bzero(rnd, sizeof(rnd));
    return rv;
}

int invqr_code_parse(char out[INVQR_CODE_LEN + 1], const char *in, size_t len)
{
    const unsigned char *s = (const unsigned char *)in;
    char code[INVQR_CODE_LEN];
    size_t i, n = 0;

    out[0] = '\0';
    if (in == NULL || len > INVQR_CODE_MAX_INPUT) {
        return -1;
    }
    for (i = 0; i < len; i++) {
        char c;

        if (s[i] == '-' || is_space(s[i])) {
            continue;
        }
        c = canonical(s[i]);
        if (c == 0 || n == INVQR_CODE_LEN) {
            return -1;
        }
        code[n++] = c;
    }
    if (n != INVQR_CODE_LEN) {
        return -1;
    }
    memcpy(out, code, INVQR_CODE_LEN);
    out[INVQR_CODE_LEN] = '\0';
    return 0;
}

void invqr_code_group(char out[INVQR_CODE_GROUPED_LEN + 1],
                      const char code[INVQR_CODE_LEN + 1])
{
    size_t i, n = 0;

    for (i = 0; i < INVQR_CODE_LEN && code[i] != '\0'; i++) {
        if (i > 0 && i % 5 == 0) {
            out[n++] = '-';
        }
        out[n++] = code[i];
    }
    out[n] = '\0';
}
