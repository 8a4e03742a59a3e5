/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the e-mail address parser; see the header. */
#include <string.h>

#include "invqr_mail_addr.h"

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* RFC 5322 atext, less nothing: letters, digits and !#$%&'*+-/=?^_`{|}~ */
static int is_atext(unsigned char c)
{
    return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static invqr_mail_addr_rc check_local(const char *s, size_t n)
{
    size_t i;

    if (n == 0)
        return INVQR_MAIL_ADDR_LOCAL;
    if (n > INVQR_MAIL_LOCAL_MAX)
        return INVQR_MAIL_ADDR_LENGTH;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '.') {
            /* dot-atom: no dot first, last or twice in a row */
            if (i == 0 || i + 1 == n || s[i + 1] == '.')
                return INVQR_MAIL_ADDR_LOCAL;
        }
        else if (!is_atext(c)) {
            return INVQR_MAIL_ADDR_LOCAL;
        }
    }
    return INVQR_MAIL_ADDR_OK;
}

static invqr_mail_addr_rc check_domain(const char *s, size_t n)
{
    size_t i, label = 0, labels = 1;

    if (n == 0)
        return INVQR_MAIL_ADDR_DOMAIN;
    if (n > INVQR_MAIL_DOMAIN_MAX)
        return INVQR_MAIL_ADDR_LENGTH;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '.') {
            if (label == 0 || s[i - 1] == '-')
                return INVQR_MAIL_ADDR_DOMAIN;
            label = 0;
            labels++;
            continue;
        }
        if (!is_alnum(c) && !(c == '-' && label > 0))
            return INVQR_MAIL_ADDR_DOMAIN;
        if (++label > 63)
            return INVQR_MAIL_ADDR_LENGTH;
    }
    /* a last label, not ending in '-', and at least two labels */
    if (label == 0 || s[n - 1] == '-' || labels < 2)
        return INVQR_MAIL_ADDR_DOMAIN;
    return INVQR_MAIL_ADDR_OK;
}

invqr_mail_addr_rc invqr_mail_addr_parse(char out[INVQR_MAIL_ADDR_MAX + 1], const char *in,
                                         size_t len)
{
    const char *at = NULL;
    size_t start = 0, end = len, i, n;
    invqr_mail_addr_rc rc;

    out[0] = '\0';
    if (in == NULL)
        return INVQR_MAIL_ADDR_EMPTY;
    if (len > INVQR_MAIL_MAX_INPUT)
        return INVQR_MAIL_ADDR_LENGTH;
    while (start < end && is_space((unsigned char)in[start]))
        start++;
    while (end > start && is_space((unsigned char)in[end - 1]))
        end--;
    n = end - start;
    if (n == 0)
        return INVQR_MAIL_ADDR_EMPTY;
    for (i = start; i < end; i++) {
        unsigned char c = (unsigned char)in[i];

        if (c >= 0x80)
            return INVQR_MAIL_ADDR_UTF8;
        if (c == '@') {
            if (at != NULL)
                return INVQR_MAIL_ADDR_NO_AT;
            at = in + i;
        }
    }
    if (at == NULL)
        return INVQR_MAIL_ADDR_NO_AT;
    if (n > INVQR_MAIL_ADDR_MAX)
        return INVQR_MAIL_ADDR_LENGTH;
    rc = check_local(in + start, (size_t)(at - (in + start)));
    if (rc == INVQR_MAIL_ADDR_OK)
        rc = check_domain(at + 1, (size_t)(in + end - (at + 1)));
    if (rc != INVQR_MAIL_ADDR_OK)
        return rc;
    memcpy(out, in + start, n);
    out[n] = '\0';
    for (i = (size_t)(at - (in + start)) + 1; i < n; i++)
        if (out[i] >= 'A' && out[i] <= 'Z')
            out[i] = (char)(out[i] - 'A' + 'a');
    return INVQR_MAIL_ADDR_OK;
}

const char *invqr_mail_addr_reason(invqr_mail_addr_rc rc)
{
    switch (rc) {
    case INVQR_MAIL_ADDR_OK:
        return "ok";
    case INVQR_MAIL_ADDR_EMPTY:
        return "empty";
    case INVQR_MAIL_ADDR_LENGTH:
        return "too long";
    case INVQR_MAIL_ADDR_NO_AT:
        return "not one '@'";
    case INVQR_MAIL_ADDR_LOCAL:
        return "bad local part";
    case INVQR_MAIL_ADDR_DOMAIN:
        return "bad domain";
    case INVQR_MAIL_ADDR_UTF8:
        return "non-ASCII character";
    }
    return "unknown";
}
