/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - message catalogue and language negotiation.
 *
 * The tables of messages are generated from invqr_messages.def (Italian and
 * English side by side) and invqr_messages_de.def (German by message id). The language of a
 * page comes from an explicit choice (invqr_lang_parse of "?lang=") or from
 * the browser's Accept-Language header (invqr_lang_negotiate), read with its
 * q-values (RFC 9110, section 12.5.4). Everything here is pure: no
 * allocation, no global mutable state, safe from any thread.
 */
#include <stddef.h>
#include <string.h>

#include "invqr_i18n.h"

/* Bytes of Accept-Language looked at; the rest is never read. */
#define LANG_HEADER_MAX 1024

static const char *const messages[INVQR_MSG__COUNT][2] = {
#define INVQR_MSG(id, it, en) [INVQR_MSG_##id] = { it, en },
#include "invqr_messages.def"
#undef INVQR_MSG
};

/* Designated by id: a German text for an id that does not exist does not
 * compile, one given twice is a warning (-Woverride-init), one missing is
 * NULL here and a failure in tests/unit/test_i18n.c. */
static const char *const messages_de[INVQR_MSG__COUNT] = {
#define INVQR_MSG_DE(id, de) [INVQR_MSG_##id] = de,
#include "invqr_messages_de.def"
#undef INVQR_MSG_DE
};

static const char *const lang_tags[INVQR_LANG__COUNT] = { "it", "en", "de" };

invqr_lang_t invqr_lang_valid(int lang)
{
    return (lang >= 0 && lang < (int)INVQR_LANG__COUNT) ? (invqr_lang_t)lang : INVQR_LANG_IT;
}

const char *invqr_msg(invqr_lang_t lang, invqr_msg_t msg)
{
    if ((int)msg < 0 || (int)msg >= (int)INVQR_MSG__COUNT)
        return "";
    switch (invqr_lang_valid((int)lang)) {
    case INVQR_LANG_DE:
        if (messages_de[msg] != NULL)
            return messages_de[msg];
        return messages[msg][1];
    case INVQR_LANG_EN:
        return messages[msg][1];
    default:
        return messages[msg][0];
    }
}

const char *invqr_msg_de_written(invqr_msg_t msg)
{
    if ((int)msg < 0 || (int)msg >= (int)INVQR_MSG__COUNT)
        return NULL;
    return messages_de[msg];
}

const char *invqr_lang_tag(invqr_lang_t lang)
{
    return lang_tags[invqr_lang_valid((int)lang)];
}

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static int is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_alnum(int c)
{
    return is_alpha(c) || (c >= '0' && c <= '9');
}

static int is_ows(int c)
{
    return c == ' ' || c == '\t';
}

/* The language whose primary subtag is s[0..len), or -1. */
static int primary_lang(const char *s, size_t len)
{
    int i;

    if (len != 2)
        return -1;
    for (i = 0; i < (int)INVQR_LANG__COUNT; i++)
        if (lower(s[0]) == lang_tags[i][0] && lower(s[1]) == lang_tags[i][1])
            return i;
    return -1;
}

int invqr_lang_parse(const char *tag)
{
    size_t n = 0;

    if (tag == NULL)
        return -1;
    while (n < 3 && tag[n] != '\0')
        n++;
    if (n < 2 || (n == 3 && tag[2] != '-' && tag[2] != '_'))
        return -1;
    return primary_lang(tag, 2);
}

/*
 * Check that s[0..len) is a language range: "*" or 1*8ALPHA *("-" 1*8alphanum).
 * Returns the language it names (primary subtag), -1 for a well-formed range
 * naming another language, -2 for "*", -3 when malformed.
 */
static int classify_range(const char *s, size_t len)
{
    size_t i = 0, primary_len, sub;

    if (len == 1 && s[0] == '*')
        return -2;
    while (i < len && is_alpha(s[i]))
        i++;
    primary_len = i;
    if (primary_len < 1 || primary_len > 8)
        return -3;
    while (i < len) {
        if (s[i] != '-')
            return -3;
        i++;
        sub = 0;
        while (i < len && is_alnum(s[i])) {
            i++;
            sub++;
        }
        if (sub < 1 || sub > 8)
            return -3;
    }
    return primary_lang(s, primary_len);
}

/*
 * Parse a weight "q=" qvalue (RFC 9110: "0" ["." 0*3DIGIT] / "1" ["." 0*3"0"])
 * from s[0..len) into thousandths. Returns -1 when malformed.
 */
static int parse_q(const char *s, size_t len)
{
    size_t i, digits;
    int q, scale;

    if (len < 3 || lower(s[0]) != 'q' || s[1] != '=')
        return -1;
    s += 2;
    len -= 2;
    if (s[0] != '0' && s[0] != '1')
        return -1;
    q = (s[0] - '0') * 1000;
    if (len == 1)
        return q;
    if (s[1] != '.' || len > 5)
        return -1;
    digits = len - 2;
    scale = 100;
    for (i = 0; i < digits; i++) {
        char c = s[2 + i];

        if (c < '0' || c > '9')
            return -1;
        if (q == 1000 && c != '0')
            return -1;
        q += (c - '0') * scale;
        scale /= 10;
    }
    return q;
}

/*
 * Parse one list element s[0..len) (OWS already trimmed):
 * range [OWS ";" OWS weight]. Sets *range_kind as classify_range() and *q
 * in thousandths; returns 0, or -1 when the element is malformed.
 */
static int parse_element(const char *s, size_t len, int *range_kind, int *q)
{
    size_t rlen = 0, i;

    while (rlen < len && s[rlen] != ';' && !is_ows(s[rlen]))
        rlen++;
    *range_kind = classify_range(s, rlen);
    if (*range_kind == -3)
        return -1;
    *q = 1000;
    i = rlen;
    while (i < len && is_ows(s[i]))
        i++;
    if (i == len)
        return 0;
    if (s[i] != ';')
        return -1;
    i++;
    while (i < len && is_ows(s[i]))
        i++;
    *q = parse_q(s + i, len - i);
    return (*q < 0) ? -1 : 0;
}

/* Trim optional white space around s[*a..*b). */
static void trim_ows(const char *s, size_t *a, size_t *b)
{
    while (*a < *b && is_ows(s[*a]))
        (*a)++;
    while (*b > *a && is_ows(s[*b - 1]))
        (*b)--;
}

/*
 * Each language gets the highest q of the ranges naming it ("en", "en-GB");
 * "*" gives its q to a language no range names. Malformed and empty elements
 * are skipped, so a header that is all garbage gives Italian. The highest q
 * wins; on a tie, a language named outright beats one reached only through
 * "*", and of two named languages the one named first wins; any other tie
 * goes to the first in the order Italian, English, German. Nothing
 * acceptable (every q zero) gives Italian.
 */
invqr_lang_t invqr_lang_negotiate(const char *accept_language)
{
    const char *s = accept_language;
    int q_lang[INVQR_LANG__COUNT];
    size_t pos_lang[INVQR_LANG__COUNT];
    int q_star = -1, best = -1, best_q = 0, i;
    size_t len, start, idx = 0;

    for (i = 0; i < (int)INVQR_LANG__COUNT; i++) {
        q_lang[i] = -1;         /* -1: not named */
        pos_lang[i] = 0;
    }
    if (s == NULL)
        return INVQR_LANG_IT;
    len = strnlen(s, LANG_HEADER_MAX);
    if (len == LANG_HEADER_MAX) {
        /* Possibly cut off (byte 1024 is never read): drop the last
         * element, which may be incomplete. */
        while (len > 0 && s[len - 1] != ',')
            len--;
    }

    for (start = 0; start < len; ) {
        size_t a = start, b = start;
        int kind, q;

        while (b < len && s[b] != ',')
            b++;
        start = b + 1;
        trim_ows(s, &a, &b);
        if (a == b || parse_element(s + a, b - a, &kind, &q) != 0)
            continue;
        idx++;
        if (kind == -2) {
            if (q > q_star)
                q_star = q;
        }
        else if (kind >= 0) {
            if (q_lang[kind] < 0)
                pos_lang[kind] = idx;
            if (q > q_lang[kind])
                q_lang[kind] = q;
        }
    }

    for (i = 0; i < (int)INVQR_LANG__COUNT; i++) {
        int named = q_lang[i] >= 0;
        int q = named ? q_lang[i] : q_star;

        if (q <= 0)
            continue;
        if (best < 0 || q > best_q) {
            best = i;
            best_q = q;
            continue;
        }
        if (q < best_q || !named)
            continue;
        /* A tie with a named language: it wins over one reached through
         * "*", or over a named one it was named before. */
        if (q_lang[best] < 0 || pos_lang[i] < pos_lang[best]) {
            best = i;
            best_q = q;
        }
    }
    return best < 0 ? INVQR_LANG_IT : (invqr_lang_t)best;
}
