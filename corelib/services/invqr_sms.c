/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the consent SMS and its gateways (spool for smstools3, http(s)).
 *
 * The message comes from one of three templates, Italian, English and German, kept
 * here rather than in the catalogue because its length is budgeted: the
 * template is first rendered without the organisation's name to learn how
 * many GSM 03.38 septets are left for it, and the cleaned name is cut to
 * fit. The spool gateway writes the smstools3 file under a temporary name
 * that smsd skips (it starts with a dot and holds ".LOCK"), fsyncs it and
 * renames it into place, so smsd never sees half a file; the text is
 * written in ISO-8859-15, the alphabet smsd assumes for a file without an
 * "Alphabet:" header. The http gateway uses one libcurl easy handle per
 * call, so calls from different threads share nothing; the gateway object
 * itself is read-only once configured. There is no global mutable state.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* mkostemps */
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <apr_time.h>
#include <curl/curl.h>

#include "invqr_curl.h"
#include "invqr_sms.h"

/* The templates: organisation, code, minutes, and the word for them.
 * Italian speaks with "lei", like every page. */
#define SMS_TEXT_IT \
    "%s chiede di vedere il giudizio sanitario e la percentuale del suo verbale di " \
    "invalidità civile. Se è d'accordo, comunichi all'operatore il codice %s " \
    "(valido %d %s). Altrimenti non lo comunichi a nessuno."
#define SMS_TEXT_DE \
    "%s möchte die ärztliche Beurteilung und den Invaliditätsgrad Ihres Bescheids " \
    "über die Zivilinvalidität sehen. Wenn Sie einverstanden sind, teilen Sie dem " \
    "Sachbearbeiter den Code %s mit (gültig %d %s). Andernfalls geben Sie ihn " \
    "niemandem weiter."
#define SMS_TEXT_EN \
    "%s asks to see the medical judgment and the percentage of your civil " \
    "invalidity assessment. If you agree, tell the operator the code %s " \
    "(valid for %d %s). Otherwise, do not tell it to anyone."

#define OTP_DIGITS        6
#define MINUTES_MAX       1440
#define ORG_SCAN_BYTES    1024            /* bytes of the name looked at */
#define ORG_MAX_CPS       (ORG_SCAN_BYTES * 3) /* "..." per input byte at most */
#define ELLIPSIS_WEIGHT   3
#define SPEC_MAX          1024
#define TIMEOUT_MAX_MS    60000L
#define E164_MIN_DIGITS   8
#define E164_MAX_DIGITS   15

enum { GW_SPOOL = 1, GW_HTTP = 2 };

struct invqr_sms_gateway_t {
    int kind;               /* GW_SPOOL or GW_HTTP */
    const char *dir;        /* spool: absolute, no trailing slash (but "/") */
    const char *url;        /* http: as configured */
    const char *ca_file;    /* http: NULL for the system store */
    long connect_ms;
    long total_ms;
    apr_pool_t *pool;       /* the gateway's own pool, for later settings */
};

/* ---------------------------------------------------------------- UTF-8 */

/* Decode the code point at s[0..n), n >= 1. Sets *plen to the bytes it
 * takes (1 for an invalid byte) and returns it, or -1 if the bytes are not
 * strict UTF-8 (overlong, surrogate, above U+10FFFF, cut short). */
static long utf8_next(const unsigned char *s, size_t n, size_t *plen)
{
    long cp = -1;
    size_t need, i;
    unsigned long v;

    *plen = 1;
    if (s[0] < 0x80) {
        cp = s[0];
        goto out;
    }
    if ((s[0] & 0xE0) == 0xC0) {
        need = 1;
        v = s[0] & 0x1Fu;
    }
    else if ((s[0] & 0xF0) == 0xE0) {
        need = 2;
        v = s[0] & 0x0Fu;
    }
    else if ((s[0] & 0xF8) == 0xF0) {
        need = 3;
        v = s[0] & 0x07u;
    }
    else {
        goto out;
    }
    if (need >= n)
        goto out;
    for (i = 1; i <= need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            goto out;
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    if ((need == 1 && v < 0x80) || (need == 2 && v < 0x800) || (need == 3 && v < 0x10000)
        || (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
        goto out;
    *plen = need + 1;
    cp = (long)v;
out:
    return cp;
}

/* Write cp (a valid scalar value) as UTF-8 at d; returns the bytes written. */
static size_t utf8_put(char *d, unsigned long cp)
{
    size_t n;

    if (cp < 0x80) {
        d[0] = (char)cp;
        n = 1;
    }
    else if (cp < 0x800) {
        d[0] = (char)(0xC0 | (cp >> 6));
        d[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    }
    else if (cp < 0x10000) {
        d[0] = (char)(0xE0 | (cp >> 12));
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    }
    else {
        d[0] = (char)(0xF0 | (cp >> 18));
        d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return n;
}

/* ------------------------------------------------------------- GSM 03.38 */

/* Septets cp takes in an SMS: 2 for the GSM extension table (and for a
 * character outside the BMP, two UCS-2 units), 1 otherwise. */
static size_t gsm_weight(unsigned long cp)
{
    if (cp > 0xFFFF || cp == 0x20AC)
        return 2;
    if (cp < 0x80 && cp != 0 && strchr("^{}\\[~]|", (int)cp) != NULL)
        return 2;
    return 1;
}

/* Septets the UTF-8 string s takes. */
static size_t gsm_length(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), i = 0, w = 0, len;
    long cp;

    while (i < n) {
        cp = utf8_next(u + i, n - i, &len);
        w += (cp < 0) ? 1 : gsm_weight((unsigned long)cp);
        i += len;
    }
    return w;
}

/* Latin-1 letters U+00C0..U+00FF and Latin Extended-A U+0100..U+017F: the
 * ASCII letter a character outside the GSM basic set becomes, or '*' to
 * keep it (it is in the GSM basic set, or has no good stand-in). */
static const char LATIN1_FOLD[64 + 1] =
    "AAAA****E*EEIIII" "D*OOOO*x*UUU*Y**" "*aaa***c**ee*iii" "d**ooo****uu*y*y";
static const char LATIN_A_FOLD[128 + 1] =
    "AaAaAaCcCcCcCcDd" "DdEeEeEeEeEeGgGg" "GgGgHhHhIiIiIiIi" "Ii**JjKkkLlLlLlL"
    "lLlNnNnNnnNnOoOo" "Oo**RrRrRrSsSsSs" "SsTtTtTtUuUuUuUu" "UuUuWwYyYZzZzZzs";

enum { CL_DROP, CL_SPACE, CL_KEEP, CL_MAPPED };

/* How a character of an organisation's name is shown: dropped (controls,
 * invisible formatting), a space, kept, or replaced by out[0..*pn). */
static int org_char_class(unsigned long cp, unsigned long out[3], size_t *pn)
{
    int cl = CL_KEEP;

    *pn = 0;
    if ((cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
        || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029
        || cp == 0x202F || cp == 0x205F || cp == 0x3000) {
        cl = CL_SPACE;
    }
    else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xAD || cp == 0x34F
               || cp == 0x61C || cp == 0x180E || (cp >= 0x200B && cp <= 0x200F)
               || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F)
               || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF
               || (cp >= 0xFFF9 && cp <= 0xFFFB) || (cp >= 0xE0000 && cp <= 0xE0FFF)) {
        cl = CL_DROP;
    }
    else if (cp == '`' || cp == 0xB4 || (cp >= 0x2018 && cp <= 0x201B) || cp == 0x2032) {
        out[(*pn)++] = '\'';
        cl = CL_MAPPED;
    }
    else if (cp == 0xAB || cp == 0xBB || (cp >= 0x201C && cp <= 0x201F) || cp == 0x2033) {
        out[(*pn)++] = '"';
        cl = CL_MAPPED;
    }
    else if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212) {
        out[(*pn)++] = '-';
        cl = CL_MAPPED;
    }
    else if (cp == 0x2026) {
        out[0] = out[1] = out[2] = '.';
        *pn = 3;
        cl = CL_MAPPED;
    }
    else if (cp >= 0xC0 && cp <= 0xFF && LATIN1_FOLD[cp - 0xC0] != '*') {
        out[(*pn)++] = (unsigned char)LATIN1_FOLD[cp - 0xC0];
        cl = CL_MAPPED;
    }
    else if (cp >= 0x100 && cp <= 0x17F && LATIN_A_FOLD[cp - 0x100] != '*') {
        out[(*pn)++] = (unsigned char)LATIN_A_FOLD[cp - 0x100];
        cl = CL_MAPPED;
    }
    return cl;
}

/* Clean org (see invqr_sms_text) into cps[0..*pn); *pcut is set when the
 * name was longer than ORG_SCAN_BYTES. cps holds ORG_MAX_CPS entries. */
static void org_clean(unsigned long *cps, size_t *pn, int *pcut, const char *org)
{
    const unsigned char *u = (const unsigned char *)org;
    size_t len = strlen(org), i = 0, n = 0, step, k, nout;
    unsigned long out[3];
    int space = 0;
    long cp;

    *pcut = 0;
    if (len > ORG_SCAN_BYTES) {
        len = ORG_SCAN_BYTES;
        *pcut = 1;
    }
    while (i < len) {
        cp = utf8_next(u + i, len - i, &step);
        i += step;
        if (cp < 0)
            cp = '?';
        switch (org_char_class((unsigned long)cp, out, &nout)) {
        case CL_DROP:
            break;
        case CL_SPACE:
            space = (n > 0);
            break;
        case CL_KEEP:
            out[0] = (unsigned long)cp;
            nout = 1;
            /* fall through */
        case CL_MAPPED:
            if (space && n < ORG_MAX_CPS)
                cps[n++] = ' ';
            space = 0;
            for (k = 0; k < nout && n < ORG_MAX_CPS; k++)
                cps[n++] = out[k];
            break;
        default:
            break;
        }
    }
    *pn = n;
}

/* ------------------------------------------------------------ the text */

static const char *render(apr_pool_t *p, invqr_lang_t lang, const char *org, const char *otp,
                          int minutes)
{
    if (lang == INVQR_LANG_EN)
        return apr_psprintf(p, SMS_TEXT_EN, org, otp, minutes,
                            minutes == 1 ? "minute" : "minutes");
    if (lang == INVQR_LANG_DE)
        return apr_psprintf(p, SMS_TEXT_DE, org, otp, minutes,
                            minutes == 1 ? "Minute" : "Minuten");
    return apr_psprintf(p, SMS_TEXT_IT, org, otp, minutes, minutes == 1 ? "minuto" : "minuti");
}

apr_status_t invqr_sms_text(const char **pout, invqr_lang_t lang, const char *org_name,
                            const char *otp, int minutes, apr_pool_t *p)
{
    apr_status_t rv = APR_SUCCESS;
    unsigned long *cps;
    size_t n = 0, i, keep, w, total, budget, base;
    int cut = 0;
    const char *empty;
    char *name, *d;

    *pout = NULL;
    if (org_name == NULL || otp == NULL || minutes < 1 || minutes > MINUTES_MAX
        || strlen(otp) != OTP_DIGITS || strspn(otp, "0123456789") != OTP_DIGITS) {
        rv = APR_EINVAL;
        goto out;
    }
    cps = apr_palloc(p, ORG_MAX_CPS * sizeof(*cps));
    if (cps == NULL) {
        rv = APR_ENOMEM;
        goto out;
    }
    org_clean(cps, &n, &cut, org_name);
    if (n == 0) {
        rv = APR_EINVAL;
        goto out;
    }

    empty = render(p, lang, "", otp, minutes);
    if (empty == NULL) {
        rv = APR_ENOMEM;
        goto out;
    }
    base = gsm_length(empty);
    budget = (base + ELLIPSIS_WEIGHT + 1 <= INVQR_SMS_MAX_CHARS)
        ? INVQR_SMS_MAX_CHARS - base : ELLIPSIS_WEIGHT + 1;

    total = 0;
    for (i = 0; i < n; i++)
        total += gsm_weight(cps[i]);
    keep = n;
    if (cut || total > budget) {
        /* the longest prefix that leaves room for "..." */
        w = 0;
        for (keep = 0; keep < n; keep++) {
            if (w + gsm_weight(cps[keep]) > budget - ELLIPSIS_WEIGHT)
                break;
            w += gsm_weight(cps[keep]);
        }
        while (keep > 0 && cps[keep - 1] == ' ')
            keep--;
    }

    name = apr_palloc(p, keep * 4 + ELLIPSIS_WEIGHT + 1);
    if (name == NULL) {
        rv = APR_ENOMEM;
        goto out;
    }
    d = name;
    for (i = 0; i < keep; i++)
        d += utf8_put(d, cps[i]);
    if (keep < n || cut) {
        memcpy(d, "...", ELLIPSIS_WEIGHT);
        d += ELLIPSIS_WEIGHT;
    }
    *d = '\0';

    *pout = render(p, lang, name, otp, minutes);
    if (*pout == NULL)
        rv = APR_ENOMEM;
out:
    return rv;
}

/* ------------------------------------------------------------ the gateway */

static void set_err(const char **perr, const char *reason)
{
    if (perr != NULL)
        *perr = reason;
}

/* A URL as libcurl will read it, with a host. */
static int url_ok(const char *url)
{
    CURLU *u = NULL;
    char *host = NULL;
    int ok = 0;

    u = curl_url();
    if (u == NULL)
        goto out;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
        goto out;
    if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || host == NULL
        || host[0] == '\0')
        goto out;
    ok = 1;
out:
    curl_free(host);
    curl_url_cleanup(u);
    return ok;
}

apr_status_t invqr_sms_gateway_parse(invqr_sms_gateway_t **pout, const char **perr,
                                     const char *spec, apr_pool_t *p)
{
    apr_status_t rv = APR_EINVAL;
    invqr_sms_gateway_t *gw = NULL;
    size_t len, i;

    *pout = NULL;
    set_err(perr, NULL);
    if (spec == NULL || spec[0] == '\0') {
        set_err(perr, "no SMS gateway given (spool:DIR or http(s)://URL)");
        goto out;
    }
    len = strlen(spec);
    if (len > SPEC_MAX) {
        set_err(perr, "SMS gateway specification too long");
        goto out;
    }
    for (i = 0; i < len; i++) {
        if ((unsigned char)spec[i] < 0x20 || spec[i] == 0x7F) {
            set_err(perr, "control character in the SMS gateway specification");
            goto out;
        }
    }
    gw = apr_pcalloc(p, sizeof(*gw));
    if (gw == NULL) {
        rv = APR_ENOMEM;
        set_err(perr, "out of memory");
        goto out;
    }
    gw->pool = p;
    gw->connect_ms = INVQR_SMS_HTTP_CONNECT_MS;
    gw->total_ms = INVQR_SMS_HTTP_TOTAL_MS;

    if (strncmp(spec, "spool:", 6) == 0) {
        const char *dir = spec + 6;
        size_t dlen = strlen(dir);

        if (dir[0] != '/') {
            set_err(perr, "the SMS spool directory must be an absolute path");
            goto out;
        }
        while (dlen > 1 && dir[dlen - 1] == '/')
            dlen--;
        gw->kind = GW_SPOOL;
        gw->dir = apr_pstrmemdup(p, dir, dlen);
    }
    else if (strncasecmp(spec, "http://", 7) == 0 || strncasecmp(spec, "https://", 8) == 0) {
        for (i = 0; i < len; i++) {
            if ((unsigned char)spec[i] >= 0x7F || spec[i] == ' ') {
                set_err(perr, "the SMS gateway URL must be plain ASCII without spaces");
                goto out;
            }
        }
        if (!url_ok(spec)) {
            set_err(perr, "the SMS gateway URL is not valid");
            goto out;
        }
        gw->kind = GW_HTTP;
        gw->url = apr_pstrdup(p, spec);
    }
    else {
        set_err(perr, "unknown SMS gateway (use spool:DIR or http(s)://URL)");
        goto out;
    }
    if ((gw->kind == GW_SPOOL && gw->dir == NULL) || (gw->kind == GW_HTTP && gw->url == NULL)) {
        rv = APR_ENOMEM;
        set_err(perr, "out of memory");
        goto out;
    }
    *pout = gw;
    rv = APR_SUCCESS;
out:
    return rv;
}

apr_status_t invqr_sms_gateway_set_timeouts(invqr_sms_gateway_t *gw, long connect_ms,
                                            long total_ms)
{
    apr_status_t rv = APR_EINVAL;

    if (gw == NULL || connect_ms < 1 || connect_ms > TIMEOUT_MAX_MS || total_ms < 1
        || total_ms > TIMEOUT_MAX_MS)
        goto out;
    gw->connect_ms = (connect_ms < total_ms) ? connect_ms : total_ms;
    gw->total_ms = total_ms;
    rv = APR_SUCCESS;
out:
    return rv;
}

apr_status_t invqr_sms_gateway_set_ca_file(invqr_sms_gateway_t *gw, const char *ca_file)
{
    apr_status_t rv = APR_EINVAL;
    const char *copy = NULL;

    if (gw == NULL)
        goto out;
    if (ca_file != NULL) {
        if (ca_file[0] != '/' || strlen(ca_file) > SPEC_MAX)
            goto out;
        copy = apr_pstrdup(gw->pool, ca_file);
        if (copy == NULL) {
            rv = APR_ENOMEM;
            goto out;
        }
    }
    gw->ca_file = copy;
    rv = APR_SUCCESS;
out:
    return rv;
}

/* ------------------------------------------------------------ sending */

/* The digits of e164 ("+" and 8-15 digits, the first not 0), or NULL. */
static const char *e164_digits(const char *e164)
{
    const char *digits = NULL;
    size_t n;

    if (e164 == NULL || e164[0] != '+')
        goto out;
    n = strspn(e164 + 1, "0123456789");
    if (e164[1 + n] != '\0' || n < E164_MIN_DIGITS || n > E164_MAX_DIGITS || e164[1] == '0')
        goto out;
    digits = e164 + 1;
out:
    return digits;
}

/* Whether text is 1..INVQR_SMS_MAX_TEXT_BYTES bytes of strict UTF-8 with
 * no control character but line feed. */
static int text_ok(const char *text)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t n, i = 0, len;
    int ok = 0;
    long cp;

    if (text == NULL)
        goto out;
    n = strlen(text);
    if (n == 0 || n > INVQR_SMS_MAX_TEXT_BYTES)
        goto out;
    while (i < n) {
        cp = utf8_next(u + i, n - i, &len);
        if (cp < 0 || (cp < 0x20 && cp != '\n') || (cp >= 0x7F && cp <= 0x9F))
            goto out;
        i += len;
    }
    ok = 1;
out:
    return ok;
}

/* text (checked by text_ok) in ISO-8859-15 into d, which has room for
 * strlen(text) bytes; a character that alphabet lacks becomes '?'.
 * Returns the bytes written. */
static size_t to_latin9(char *d, const char *text)
{
    static const struct { unsigned long cp; unsigned char b; } extra[] = {
        { 0x20AC, 0xA4 }, { 0x0160, 0xA6 }, { 0x0161, 0xA8 }, { 0x017D, 0xB4 },
        { 0x017E, 0xB8 }, { 0x0152, 0xBC }, { 0x0153, 0xBD }, { 0x0178, 0xBE }
    };
    const unsigned char *u = (const unsigned char *)text;
    size_t n = strlen(text), i = 0, o = 0, len, k;
    unsigned char b;
    long cp;

    while (i < n) {
        cp = utf8_next(u + i, n - i, &len);
        i += len;
        b = '?';
        if (cp >= 0 && cp < 0x80) {
            b = (unsigned char)cp;
        }
        else if (cp >= 0xA0 && cp <= 0xFF) {
            b = (unsigned char)cp;
            for (k = 0; k < sizeof(extra) / sizeof(extra[0]); k++) {
                if (extra[k].b == b)
                    b = '?';    /* replaced in Latin-9 */
            }
        }
        else {
            for (k = 0; k < sizeof(extra) / sizeof(extra[0]); k++) {
                if (extra[k].cp == (unsigned long)cp)
                    b = extra[k].b;
            }
        }
        d[o++] = (char)b;
    }
    return o;
}

/* "what: system error text", from p. */
static const char *os_reason(apr_pool_t *p, const char *what, apr_status_t rv)
{
    char buf[128];

    apr_strerror(rv, buf, sizeof(buf));
    return apr_pstrcat(p, what, ": ", buf, NULL);
}

static apr_status_t write_all(int fd, const char *buf, size_t len)
{
    apr_status_t rv = APR_SUCCESS;
    ssize_t w;

    while (len > 0) {
        w = write(fd, buf, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rv = (w < 0) ? errno : APR_EGENERAL;
            goto out;
        }
        buf += w;
        len -= (size_t)w;
    }
out:
    return rv;
}

static apr_status_t spool_send(const invqr_sms_gateway_t *gw, const char *digits,
                               const char *text, const char **perr, apr_pool_t *p)
{
    apr_status_t rv = APR_SUCCESS;
    unsigned char rnd[8];
    char hex[sizeof(rnd) * 2 + 1];
    char *tmpl, *body;
    const char *created = NULL, *final;
    size_t dlen = strlen(digits), len, i;
    int fd = -1, dfd;

    /* "To: <digits>", an empty line, the text (never longer in Latin-9) */
    body = apr_palloc(p, 4 + dlen + 2 + strlen(text) + 1);
    tmpl = apr_pstrcat(p, gw->dir, "/.invqr-XXXXXX.LOCK", NULL);
    if (body == NULL || tmpl == NULL) {
        rv = APR_ENOMEM;
        set_err(perr, "out of memory");
        goto out;
    }
    memcpy(body, "To: ", 4);
    memcpy(body + 4, digits, dlen);
    memcpy(body + 4 + dlen, "\n\n", 2);
    len = 4 + dlen + 2;
    len += to_latin9(body + len, text);

    rv = apr_generate_random_bytes(rnd, sizeof(rnd));
    if (rv != APR_SUCCESS) {
        set_err(perr, "no random bytes for the SMS spool file name");
        goto out;
    }
    for (i = 0; i < sizeof(rnd); i++) {
        hex[2 * i] = "0123456789abcdef"[rnd[i] >> 4];
        hex[2 * i + 1] = "0123456789abcdef"[rnd[i] & 0x0F];
    }
    hex[sizeof(hex) - 1] = '\0';
    final = apr_psprintf(p, "%s/invqr-%" APR_TIME_T_FMT "-%ld-%s", gw->dir, apr_time_now(),
                         (long)getpid(), hex);
    if (final == NULL) {
        rv = APR_ENOMEM;
        set_err(perr, "out of memory");
        goto out;
    }

    /* smsd skips a name holding ".LOCK" (and newer ones a leading dot) */
    fd = mkostemps(tmpl, (int)strlen(".LOCK"), O_CLOEXEC);
    if (fd < 0) {
        rv = errno;
        set_err(perr, os_reason(p, "cannot create a file in the SMS spool", rv));
        goto out;
    }
    created = tmpl;
    if (fchmod(fd, 0640) != 0) {
        rv = errno;
        set_err(perr, os_reason(p, "cannot set the mode of the SMS spool file", rv));
        goto out;
    }
    rv = write_all(fd, body, len);
    if (rv != APR_SUCCESS) {
        set_err(perr, os_reason(p, "cannot write the SMS spool file", rv));
        goto out;
    }
    if (fsync(fd) != 0) {
        rv = errno;
        set_err(perr, os_reason(p, "cannot sync the SMS spool file", rv));
        goto out;
    }
    dfd = fd;
    fd = -1;
    if (close(dfd) != 0) {
        rv = errno;
        set_err(perr, os_reason(p, "cannot close the SMS spool file", rv));
        goto out;
    }
    if (rename(created, final) != 0) {
        rv = errno;
        set_err(perr, os_reason(p, "cannot move the SMS spool file into place", rv));
        goto out;
    }
    created = NULL;     /* it is the message now */

    /* Make the new name durable. The message is already visible to smsd,
     * so a failure here is not reported: the SMS may well be sent. */
    dfd = open(gw->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)fsync(dfd);
        (void)close(dfd);
    }
out:
    if (fd >= 0)
        (void)close(fd);
    if (created != NULL)
        (void)unlink(created);
    return rv;
}

typedef struct {
    size_t seen;        /* bytes of the answer read so far */
    int too_long;       /* INVQR_SMS_HTTP_MAX_ANSWER was passed */
} answer_t;

/* libcurl write callback: count and drop the answer's body. */
static size_t discard_answer(char *ptr, size_t size, size_t nmemb, void *baton)
{
    answer_t *a = baton;
    size_t n = size * nmemb;

    (void)ptr;
    if (n > INVQR_SMS_HTTP_MAX_ANSWER - a->seen) {
        a->too_long = 1;
        return 0;       /* makes libcurl stop with CURLE_WRITE_ERROR */
    }
    a->seen += n;
    return n;
}

/* A short reason for a libcurl failure, from p. */
static const char *curl_reason(apr_pool_t *p, CURLcode cc, const answer_t *a, apr_status_t *prv)
{
    const char *reason;

    *prv = APR_EGENERAL;
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT:
        *prv = APR_TIMEUP;
        reason = "gateway timed out";
        break;
    case CURLE_COULDNT_CONNECT:
        reason = "cannot connect to the gateway";
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        reason = "cannot resolve the gateway's host name";
        break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
        reason = apr_pstrcat(p, "TLS with the gateway failed: ", curl_easy_strerror(cc), NULL);
        break;
    case CURLE_WRITE_ERROR:
        reason = a->too_long ? "gateway answer too long"
                             : apr_pstrcat(p, "gateway request failed: ",
                                           curl_easy_strerror(cc), NULL);
        break;
    default:
        reason = apr_pstrcat(p, "gateway request failed: ", curl_easy_strerror(cc), NULL);
        break;
    }
    return reason;
}

static apr_status_t http_send(const invqr_sms_gateway_t *gw, const char *digits,
                              const char *text, const char **perr, apr_pool_t *p)
{
    apr_status_t rv = APR_EGENERAL;
    CURL *h = NULL;
    struct curl_slist *headers = NULL, *more;
    char *escaped = NULL;
    const char *body;
    answer_t answer = { 0, 0 };
    long status = 0;
    CURLcode cc;

    h = curl_easy_init();
    if (h == NULL) {
        set_err(perr, "cannot start an HTTP request (was curl_global_init called?)");
        goto out;
    }
    escaped = curl_easy_escape(h, text, (int)strlen(text));
    if (escaped == NULL) {
        rv = APR_ENOMEM;
        set_err(perr, "out of memory");
        goto out;
    }
    body = apr_pstrcat(p, "to=", digits, "&text=", escaped, NULL);
    headers = curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");
    more = (headers == NULL) ? NULL : curl_slist_append(headers, "Expect:");
    if (body == NULL || more == NULL) {
        rv = APR_ENOMEM;
        set_err(perr, "out of memory");
        goto out;
    }
    headers = more;

    cc = invqr_curl_setup(h, gw->url, INVQR_CURL_HTTP, gw->ca_file, gw->connect_ms, gw->total_ms);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_USERAGENT, "invqr");
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard_answer);
    if (cc == CURLE_OK)
        cc = curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer);
    if (cc != CURLE_OK) {
        set_err(perr, apr_pstrcat(p, "cannot set up the HTTP request: ",
                                  curl_easy_strerror(cc), NULL));
        goto out;
    }

    cc = curl_easy_perform(h);
    if (cc != CURLE_OK) {
        set_err(perr, curl_reason(p, cc, &answer, &rv));
        goto out;
    }
    cc = curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (cc != CURLE_OK || status < 200 || status > 299) {
        set_err(perr, apr_psprintf(p, "gateway answered %ld", status));
        goto out;
    }
    rv = APR_SUCCESS;
out:
    curl_slist_free_all(headers);
    curl_free(escaped);
    if (h != NULL)
        curl_easy_cleanup(h);
    return rv;
}

apr_status_t invqr_sms_send(invqr_sms_gateway_t *gw, const char *e164, const char *text,
                            const char **perr, apr_pool_t *p)
{
    apr_status_t rv = APR_EINVAL;
    const char *digits;

    set_err(perr, NULL);
    if (gw == NULL) {
        set_err(perr, "no SMS gateway");
        goto out;
    }
    digits = e164_digits(e164);
    if (digits == NULL) {
        set_err(perr, "invalid phone number (expected + and 8 to 15 digits)");
        goto out;
    }
    if (!text_ok(text)) {
        set_err(perr, "invalid message text");
        goto out;
    }
    if (gw->kind == GW_SPOOL)
        rv = spool_send(gw, digits, text, perr, p);
    else
        rv = http_send(gw, digits, text, perr, p);
    if (rv == APR_SUCCESS)
        set_err(perr, NULL);
out:
    return rv;
}
