/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - QR symbols of attestation URLs.
 *
 * Encodes the URL that the attestation PDF carries (<BASE>/V/<CODE>, written
 * upper-case by the caller) with libqrencode and hands out its module matrix.
 * A text made only of QR alphanumeric characters (0-9 A-Z space $ % * + - . /
 * :) is encoded as one alphanumeric segment, which is what keeps the symbol
 * small; anything else is left to libqrencode's own segmentation. The error
 * correction level is Q, raised to H when H fits in the same version. The
 * QRcode is owned by the pool passed to invqr_qr_encode().
 */
#ifndef INVQR_QR_H
#define INVQR_QR_H

#include <apr_errno.h>
#include <apr_pools.h>

/* Longest text invqr_qr_encode() accepts, in bytes. */
#define INVQR_QR_MAX_INPUT 1024

typedef struct invqr_qr_t invqr_qr_t;

/**
 * Encode text (NUL-terminated) in the smallest QR version that holds it.
 * On success *pout is allocated from p and the libqrencode symbol is freed
 * by a cleanup of p. Returns APR_SUCCESS; APR_EINVAL if text is NULL, empty
 * or longer than INVQR_QR_MAX_INPUT; APR_ENOMEM; or the libqrencode errno
 * (ERANGE: too long for any QR version). *pout is NULL on failure.
 */
apr_status_t invqr_qr_encode(invqr_qr_t **pout, const char *text,
                             apr_pool_t *p);

/** Modules per side, without the quiet zone: 17 + 4 * version. */
int invqr_qr_width(const invqr_qr_t *qr);

/** QR version, 1-40. */
int invqr_qr_version(const invqr_qr_t *qr);

/** Error correction level actually used: 'Q' or 'H'. */
char invqr_qr_level(const invqr_qr_t *qr);

/** Non-zero when the whole text went into one alphanumeric-mode segment. */
int invqr_qr_alphanumeric(const invqr_qr_t *qr);

/** Non-zero when module (x, y) is dark; 0 for light or out of range.
 * (0, 0) is the top-left module (inside the finder pattern, hence dark). */
int invqr_qr_dark(const invqr_qr_t *qr, int x, int y);

/** Called for each horizontal run of dark modules: row, first column, length. */
typedef void invqr_qr_run_fn(void *baton, int row, int col, int len);

/**
 * Call fn for every run of dark modules, row by row, left to right: what
 * every drawing of the symbol (PDF, SVG) is made of. Returns the number of runs.
 */
int invqr_qr_runs(const invqr_qr_t *qr, invqr_qr_run_fn *fn, void *baton);

#endif
