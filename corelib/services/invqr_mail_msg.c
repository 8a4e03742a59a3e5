/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the attestation e-mail, built as RFC 5322 + MIME; see the header. */
#include <string.h>

#include <apr_base64.h>
#include <apr_strings.h>

#include "invqr_crypto.h"
#include "invqr_mail_addr.h"
#include "invqr_mail_msg.h"
#include "invqr_utf8.h"

/* "=?UTF-8?B?" + 60 base64 characters + "?=" = 72, a word's limit is 75:
 * at most 45 bytes of text per word (60 characters of base64). */
#define WORD_BYTES 45
#define BODY_LINE 76

typedef struct {
    char *buf;
    apr_size_t len, cap;
    apr_pool_t *p;
} out_t;

static void put(out_t *o, const char *s, apr_size_t n)
{
    if (o->len + n + 1 > o->cap) {
        apr_size_t cap = o->cap * 2 > o->len + n + 1 ? o->cap * 2 : o->len + n + 1;
        char *b = apr_palloc(o->p, cap);

        if (o->len > 0)
            memcpy(b, o->buf, o->len);
        o->buf = b;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

static void puts_(out_t *o, const char *s)
{
    put(o, s, strlen(s));
}

/* data as base64 in lines of BODY_LINE characters, each ending in CRLF. */
static void put_base64(out_t *o, const unsigned char *data, apr_size_t n)
{
    /* 57 bytes make 76 characters */
    char line[BODY_LINE + 4];
    apr_size_t i, chunk;
    int len;

    for (i = 0; i < n; i += chunk) {
        chunk = n - i < 57 ? n - i : 57;
        len = apr_base64_encode_binary(line, data + i, (int)chunk);
        /* apr counts the NUL */
        put(o, line, (apr_size_t)len - 1);
        put(o, "\r\n", 2);
    }
}

/* How many bytes of s (at most max) end on a UTF-8 character boundary. */
static apr_size_t utf8_cut(const char *s, apr_size_t n, apr_size_t max)
{
    apr_size_t cut;

    if (n <= max)
        return n;
    cut = max;
    while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
        cut--;
    return cut;
}

const char *invqr_mail_encoded_header(const char *name, const char *value, apr_pool_t *p)
{
    out_t o = { NULL, 0, 0, p };
    apr_size_t n = strlen(value), i = 0, k, first;
    char word[80];
    int len;

    if (invqr_utf8_count_text(value, n, 0) < 0 || strlen(name) > 20)
        return NULL;
    puts_(&o, name);
    puts_(&o, ":");
    /* the first line also holds "Name:": its word is shorter (a header
     * name of up to 20 characters leaves at least 33 bytes) */
    first = (78 - strlen(name) - 1 - 13) / 4 * 3;
    if (first > WORD_BYTES)
        first = WORD_BYTES;
    while (i < n || i == 0) {
        k = utf8_cut(value + i, n - i, i == 0 ? first : WORD_BYTES);
        len = apr_base64_encode_binary(word, (const unsigned char *)value + i, (int)k);
        /* every word on a line of its own: " =?UTF-8?B?...?=" is at most 73 */
        if (i > 0)
            puts_(&o, "\r\n");
        puts_(&o, " =?UTF-8?B?");
        put(&o, word, (apr_size_t)len - 1);
        puts_(&o, "?=");
        i += k;
        if (k == 0)
            break;
    }
    puts_(&o, "\r\n");
    return o.buf;
}

static int file_name_ok(const char *s)
{
    size_t i, n = s != NULL ? strlen(s) : 0;

    if (n == 0 || n > 60 || s[0] == '.')
        return 0;
    for (i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
              || c == '.' || c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

/* The text with its line breaks as CRLF (RFC 2046 4.1.1: the canonical form). */
static const char *crlf_text(const char *text, apr_size_t *plen, apr_pool_t *p)
{
    out_t o = { NULL, 0, 0, p };
    const char *s = text, *nl;

    while ((nl = strchr(s, '\n')) != NULL) {
        put(&o, s, (apr_size_t)(nl - s - (nl > s && nl[-1] == '\r' ? 1 : 0)));
        put(&o, "\r\n", 2);
        s = nl + 1;
    }
    puts_(&o, s);
    *plen = o.len;
    return o.buf;
}

static void date_header(out_t *o, apr_time_t t)
{
    static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    apr_time_exp_t x;
    char line[64];

    apr_time_exp_gmt(&x, t);
    apr_snprintf(line, sizeof(line), "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
                 days[x.tm_wday % 7], x.tm_mday, months[x.tm_mon % 12], x.tm_year + 1900,
                 x.tm_hour, x.tm_min, x.tm_sec);
    puts_(o, line);
}

apr_status_t invqr_mail_msg_build(const char **pout, apr_size_t *plen,
                                  const invqr_mail_msg_t *m, apr_pool_t *p)
{
    char from[INVQR_MAIL_ADDR_MAX + 1], to[INVQR_MAIL_ADDR_MAX + 1];
    unsigned char rnd[24];
    char hex[2 * sizeof(rnd) + 1];
    const char *subject, *name = NULL, *text, *domain;
    apr_size_t text_len;
    out_t o = { NULL, 0, 0, p };

    *pout = NULL;
    *plen = 0;
    if (m->from == NULL || m->to == NULL || m->subject == NULL || m->text == NULL
        || invqr_mail_addr_parse(from, m->from, strlen(m->from)) != INVQR_MAIL_ADDR_OK
        || invqr_mail_addr_parse(to, m->to, strlen(m->to)) != INVQR_MAIL_ADDR_OK
        || !file_name_ok(m->file_name) || m->pdf == NULL || m->pdf_len == 0
        || m->pdf_len > INVQR_MAIL_MAX_PDF || m->subject[0] == '\0' || m->text[0] == '\0'
        || invqr_utf8_count_text(m->text, strlen(m->text), 1) < 0)
        return APR_EINVAL;
    subject = invqr_mail_encoded_header("Subject", m->subject, p);
    if (m->from_name != NULL && m->from_name[0] != '\0') {
        name = invqr_mail_encoded_header("From", m->from_name, p);
        if (name == NULL)
            return APR_EINVAL;
    }
    if (subject == NULL)
        return APR_EINVAL;
    if (invqr_random(rnd, sizeof(rnd)) != 0)
        return APR_EGENERAL;
    invqr_hex(hex, rnd, sizeof(rnd));
    domain = strchr(from, '@') + 1;
    text = crlf_text(m->text, &text_len, p);

    o.cap = m->pdf_len * 4 / 3 + m->pdf_len / 40 + text_len * 2 + 4096;
    o.buf = apr_palloc(p, o.cap);
    o.buf[0] = '\0';
    if (name != NULL) {
        /* "From: =?UTF-8?B?...?=\r\n" with the address after the words */
        put(&o, name, strlen(name) - 2);
        puts_(&o, "\r\n <");
    }
    else {
        puts_(&o, "From: <");
    }
    puts_(&o, from);
    puts_(&o, ">\r\nTo: <");
    puts_(&o, to);
    puts_(&o, ">\r\n");
    puts_(&o, subject);
    date_header(&o, m->date);
    puts_(&o, "Message-ID: <");
    put(&o, hex, 32);
    puts_(&o, "@");
    puts_(&o, domain);
    puts_(&o, ">\r\nMIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n"
              "Content-Type: multipart/mixed; boundary=\"=_invqr_");
    put(&o, hex + 32, 16);
    puts_(&o, "\"\r\n\r\nThis is a MIME message.\r\n\r\n--=_invqr_");
    put(&o, hex + 32, 16);
    puts_(&o, "\r\nContent-Type: text/plain; charset=UTF-8\r\n"
              "Content-Transfer-Encoding: base64\r\n\r\n");
    put_base64(&o, (const unsigned char *)text, text_len);
    puts_(&o, "\r\n--=_invqr_");
    put(&o, hex + 32, 16);
    puts_(&o, "\r\nContent-Type: application/pdf;\r\n name=\"");
    puts_(&o, m->file_name);
    puts_(&o, "\"\r\nContent-Disposition: attachment;\r\n filename=\"");
    puts_(&o, m->file_name);
    puts_(&o, "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    put_base64(&o, (const unsigned char *)m->pdf, m->pdf_len);
    puts_(&o, "\r\n--=_invqr_");
    put(&o, hex + 32, 16);
    puts_(&o, "--\r\n");
    *pout = o.buf;
    *plen = o.len;
    return APR_SUCCESS;
}
