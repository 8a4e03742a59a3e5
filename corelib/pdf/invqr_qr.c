/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - QR symbols of attestation URLs.
 *
 * Wraps libqrencode. The contract writes the URL in the QR upper-case so
 * that it fits QR alphanumeric mode (11 bits per two characters instead of
 * 16): QRcode_encodeString() would find that out itself, but building the
 * input as one QR_MODE_AN segment states the intent and is what the tests
 * check; a text with other characters (a lower-case base URL) falls back to
 * QRcode_encodeString() with case kept. The level is Q, and H when H costs
 * no extra version (for the usual URL lengths it does, so Q is what prints).
 * The QRcode is freed by a cleanup on the caller's pool.
 */
#include <errno.h>
#include <string.h>

#include <qrencode.h>

#include "invqr_qr.h"

struct invqr_qr_t {
    QRcode *code;
    char level;
    int alphanumeric;
};

/* QR alphanumeric mode character set (ISO/IEC 18004, table 5). */
static int is_qr_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == ' ' ||
           c == '$' || c == '%' || c == '*' || c == '+' || c == '-' ||
           c == '.' || c == '/' || c == ':';
}

static int all_alnum(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (!is_qr_alnum((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

static apr_status_t errno_status(void)
{
    int e = errno;

    if (e == 0) {
        return APR_EGENERAL;
    }
    return APR_FROM_OS_ERROR(e);
}

/* One symbol at the given level in the smallest version, or NULL and
 * *prv set. */
static QRcode *encode_at(const char *text, size_t len, int alnum,
                         QRecLevel level, apr_status_t *prv)
{
    QRinput *input = NULL;
    QRcode *code = NULL;

    *prv = APR_SUCCESS;
    errno = 0;
    if (!alnum) {
        code = QRcode_encodeString(text, 0, level, QR_MODE_8, 1);
        if (code == NULL) {
            *prv = errno_status();
        }
        goto out;
    }
    input = QRinput_new2(0, level);
    if (input == NULL) {
        *prv = errno_status();
        goto out;
    }
    if (QRinput_append(input, QR_MODE_AN, (int)len,
                       (const unsigned char *)text) != 0) {
        *prv = errno_status();
        goto out;
    }
    code = QRcode_encodeInput(input);
    if (code == NULL) {
        *prv = errno_status();
    }

out:
    if (input != NULL) {
        QRinput_free(input);
    }
    return code;
}

static apr_status_t qr_cleanup(void *data)
{
    invqr_qr_t *qr = data;

    if (qr->code != NULL) {
        QRcode_free(qr->code);
        qr->code = NULL;
    }
    return APR_SUCCESS;
}

apr_status_t invqr_qr_encode(invqr_qr_t **pout, const char *text,
                             apr_pool_t *p)
{
    apr_status_t rv = APR_SUCCESS, rvh;
    QRcode *q = NULL, *h = NULL;
    invqr_qr_t *qr;
    size_t len;
    int alnum;

    *pout = NULL;
    if (text == NULL) {
        rv = APR_EINVAL;
        goto out;
    }
    len = strnlen(text, INVQR_QR_MAX_INPUT + 1);
    if (len == 0 || len > INVQR_QR_MAX_INPUT) {
        rv = APR_EINVAL;
        goto out;
    }
    alnum = all_alnum(text, len);

    q = encode_at(text, len, alnum, QR_ECLEVEL_Q, &rv);
    if (q == NULL) {
        goto out;
    }
    /* H only if it fits the same version; its failure is not an error. */
    h = encode_at(text, len, alnum, QR_ECLEVEL_H, &rvh);

    qr = apr_pcalloc(p, sizeof(*qr));
    qr->alphanumeric = alnum;
    if (h != NULL && h->version == q->version) {
        qr->code = h;
        qr->level = 'H';
        h = NULL;
    }
    else {
        qr->code = q;
        qr->level = 'Q';
        q = NULL;
    }
    apr_pool_cleanup_register(p, qr, qr_cleanup, apr_pool_cleanup_null);
    *pout = qr;

out:
    if (q != NULL) {
        QRcode_free(q);
    }
    if (h != NULL) {
        QRcode_free(h);
    }
    return rv;
}

int invqr_qr_width(const invqr_qr_t *qr)
{
    return qr->code->width;
}

int invqr_qr_version(const invqr_qr_t *qr)
{
    return qr->code->version;
}

char invqr_qr_level(const invqr_qr_t *qr)
{
    return qr->level;
}

int invqr_qr_alphanumeric(const invqr_qr_t *qr)
{
    return qr->alphanumeric;
}

int invqr_qr_dark(const invqr_qr_t *qr, int x, int y)
{
    int w = qr->code->width;

    if (x < 0 || y < 0 || x >= w || y >= w) {
        return 0;
    }
    /* libqrencode: bit 0 of each byte is the module's colour (1 = dark). */
    return qr->code->data[(size_t)y * (size_t)w + (size_t)x] & 1;
}

int invqr_qr_runs(const invqr_qr_t *qr, invqr_qr_run_fn *fn, void *baton)
{
    int w = invqr_qr_width(qr), row, col, runs = 0;

    for (row = 0; row < w; row++) {
        col = 0;
        while (col < w) {
            int start;

            if (!invqr_qr_dark(qr, col, row)) {
                col++;
                continue;
            }
            start = col;
            while (col < w && invqr_qr_dark(qr, col, row))
                col++;
            fn(baton, row, start, col - start);
            runs++;
        }
    }
    return runs;
}
