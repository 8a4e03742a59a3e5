/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - Italian fiscal code (codice fiscale) parser.
 *
 * Every fiscal code that enters invqr goes through invqr_fiscal_parse(): it
 * trims ASCII white space, folds case, and checks the 16-character layout
 * LLLLLLDDLDDLDDDL, where each D may also be an omocodia letter (L M N P Q R
 * S T U V for 0-9), the month letter, the day (1-31, or 41-71 for women),
 * and the check character computed from the official odd/even tables of
 * DM 23/12/1976. Nothing is allocated and no input longer than
 * INVQR_FISCAL_MAX_INPUT is scanned.
 */
#include <string.h>

#include "invqr_fiscal.h"

/* Positions (0-based) that hold digits, or omocodia letters for digits. */
static const unsigned char digit_pos[INVQR_FISCAL_LEN] = {
    0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0
};

/* Omocodia letters: OMOCODIA[d] stands for the digit d. */
static const char OMOCODIA[] = "LMNPQRSTUV";

/* Month letters: MONTHS[m] is month m + 1. */
static const char MONTHS[] = "ABCDEHLMPRST";

/* Values of characters in odd (1st, 3rd, ...) positions, for A-Z; digits
 * take the value of the letter with the same index (0 = A, 1 = B, ...). */
static const unsigned char ODD_VALUE[26] = {
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14,
    16, 10, 22, 25, 24, 23
};

static const char PREFIX_TINIT[] = "TINIT-";

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

static int is_upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static unsigned char to_upper(unsigned char c)
{
    return (c >= 'a' && c <= 'z') ? (unsigned char)(c - 'a' + 'A') : c;
}

/* The digit at a digit position, decoding omocodia; -1 if c is neither. */
static int digit_value(unsigned char c)
{
    const char *hit;

    if (is_digit(c)) {
        return c - '0';
    }
    if (c == '\0') {
        return -1;
    }
    hit = strchr(OMOCODIA, c);
    return hit ? (int)(hit - OMOCODIA) : -1;
}

char invqr_fiscal_check_char(const char first15[15])
{
    unsigned sum = 0;
    int i;

    for (i = 0; i < 15; i++) {
        unsigned char c = (unsigned char)first15[i];
        unsigned idx;

        if (is_digit(c)) {
            idx = (unsigned)(c - '0');
        }
        else if (is_upper(c)) {
            idx = (unsigned)(c - 'A');
        }
        else {
            idx = 0; /* not a code: any answer is as good as another */
        }
        /* Position i + 1 is odd when i is even. */
        sum += (i % 2 == 0) ? ODD_VALUE[idx] : idx;
    }
    return (char)('A' + sum % 26);
}

const char *invqr_fiscal_reason(invqr_fiscal_rc rc)
{
    switch (rc) {
    case INVQR_FISCAL_OK:
        return "valid fiscal code";
    case INVQR_FISCAL_EMPTY:
        return "fiscal code is empty";
    case INVQR_FISCAL_LENGTH:
        return "fiscal code is not 16 characters long";
    case INVQR_FISCAL_CHARSET:
        return "fiscal code holds a character other than A-Z and 0-9";
    case INVQR_FISCAL_FORMAT:
        return "fiscal code has letters and digits out of place";
    case INVQR_FISCAL_DATE:
        return "fiscal code has an impossible birth month or day";
    case INVQR_FISCAL_CHECK:
        return "fiscal code check character does not match";
    }
    return "unknown fiscal code error";
}

/* Validate exactly INVQR_FISCAL_LEN trimmed bytes and write them upper-case. */
static invqr_fiscal_rc check16(char out[INVQR_FISCAL_LEN + 1],
                               const unsigned char *s)
{
    char code[INVQR_FISCAL_LEN + 1];
    int i, day;

    for (i = 0; i < INVQR_FISCAL_LEN; i++) {
        unsigned char c = to_upper(s[i]);

        if (!is_upper(c) && !is_digit(c)) {
            return INVQR_FISCAL_CHARSET;
        }
        code[i] = (char)c;
    }
    code[INVQR_FISCAL_LEN] = '\0';

    for (i = 0; i < INVQR_FISCAL_LEN; i++) {
        unsigned char c = (unsigned char)code[i];

        if (digit_pos[i] ? digit_value(c) < 0 : !is_upper(c)) {
            return INVQR_FISCAL_FORMAT;
        }
    }

    if (strchr(MONTHS, code[8]) == NULL) {
        return INVQR_FISCAL_DATE;
    }
    day = digit_value((unsigned char)code[9]) * 10 +
          digit_value((unsigned char)code[10]);
    if (!((day >= 1 && day <= 31) || (day >= 41 && day <= 71))) {
        return INVQR_FISCAL_DATE;
    }

    if (invqr_fiscal_check_char(code) != code[15]) {
        return INVQR_FISCAL_CHECK;
    }
    memcpy(out, code, sizeof(code));
    return INVQR_FISCAL_OK;
}

/* Trim, optionally strip "TINIT-", then validate. */
static invqr_fiscal_rc parse(char out[INVQR_FISCAL_LEN + 1], const char *in,
                             size_t len, int identity)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t start = 0, end = len;
    size_t plen = sizeof(PREFIX_TINIT) - 1;

    out[0] = '\0';
    if (in == NULL || len == 0) {
        return INVQR_FISCAL_EMPTY;
    }
    if (len > INVQR_FISCAL_MAX_INPUT) {
        return INVQR_FISCAL_LENGTH;
    }
    while (start < end && is_space(s[start])) {
        start++;
    }
    while (end > start && is_space(s[end - 1])) {
        end--;
    }
    if (start == end) {
        return INVQR_FISCAL_EMPTY;
    }
    if (identity && end - start >= plen) {
        size_t i;
        int match = 1;

        for (i = 0; i < plen; i++) {
            if (to_upper(s[start + i]) != (unsigned char)PREFIX_TINIT[i]) {
                match = 0;
                break;
            }
        }
        if (match) {
            start += plen;
            if (start == end) {
                return INVQR_FISCAL_EMPTY;
            }
        }
    }
    if (end - start != INVQR_FISCAL_LEN) {
        return INVQR_FISCAL_LENGTH;
    }
    return check16(out, s + start);
}

invqr_fiscal_rc invqr_fiscal_parse(char out[INVQR_FISCAL_LEN + 1],
                                   const char *in, size_t len)
{
    return parse(out, in, len, 0);
}

invqr_fiscal_rc invqr_fiscal_parse_identity(char out[INVQR_FISCAL_LEN + 1],
                                            const char *in, size_t len)
{
    return parse(out, in, len, 1);
}

int invqr_fiscal_birth_date(char out[11], const char fc[INVQR_FISCAL_LEN], const char *today)
{
    int yy, dd, month, year, this_year;
    const char *m;

    out[0] = '\0';
    yy = digit_value((unsigned char)fc[6]) * 10 + digit_value((unsigned char)fc[7]);
    dd = digit_value((unsigned char)fc[9]) * 10 + digit_value((unsigned char)fc[10]);
    m = fc[8] != '\0' ? strchr(MONTHS, fc[8]) : NULL;
    if (yy < 0 || dd < 0 || m == NULL || today == NULL || strlen(today) < 4)
        return -1;
    if (dd > 40)
        dd -= 40;
    if (dd < 1 || dd > 31)
        return -1;
    month = (int)(m - MONTHS) + 1;
    this_year = (today[0] - '0') * 1000 + (today[1] - '0') * 100 + (today[2] - '0') * 10
                + (today[3] - '0');
    /* two digits of the year: the latest century that is not in the future */
    year = this_year - this_year % 100 + yy;
    if (year > this_year)
        year -= 100;
    out[0] = (char)('0' + year / 1000);
    out[1] = (char)('0' + year / 100 % 10);
    out[2] = (char)('0' + year / 10 % 10);
    out[3] = (char)('0' + year % 10);
    out[4] = '-';
    out[5] = (char)('0' + month / 10);
    out[6] = (char)('0' + month % 10);
    out[7] = '-';
    out[8] = (char)('0' + dd / 10);
    out[9] = (char)('0' + dd % 10);
    out[10] = '\0';
    return 0;
}

invqr_fiscal_rc invqr_fiscal_parse_typed(char out[INVQR_FISCAL_LEN + 1],
                                         const char *in, size_t len)
{
    const unsigned char *s = (const unsigned char *)in;
    char packed[INVQR_FISCAL_MAX_INPUT];
    size_t i, n = 0;

    out[0] = '\0';
    if (in == NULL || len == 0) {
        return INVQR_FISCAL_EMPTY;
    }
    if (len > INVQR_FISCAL_MAX_INPUT) {
        return INVQR_FISCAL_LENGTH;
    }
    for (i = 0; i < len; i++) {
        if (is_space(s[i])) {
            continue;
        }
        if (s[i] == 0xC2 && i + 1 < len && s[i + 1] == 0xA0) {
            i++;    /* U+00A0, a no-break space pasted from a document */
            continue;
        }
        packed[n++] = (char)s[i];
    }
    return n == 0 ? INVQR_FISCAL_EMPTY : parse(out, packed, n, 0);
}
