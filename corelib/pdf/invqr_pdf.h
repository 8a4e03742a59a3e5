/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the attestation PDF.
 *
 * Renders the one-page A4 PDF a citizen downloads: title, holder, fiscal
 * code, issue date, the QR of the verification URL drawn as vector
 * rectangles, the code in groups for typing, and instructions for
 * verifiers in Italian and in English or German (lang2). All text is real text in embedded
 * subsets of DejaVu Sans, made at build time (corelib/Makefile.pdf.inc);
 * see the comment atop invqr_pdf.c for how rendering stays fast.
 */
#ifndef INVQR_PDF_H
#define INVQR_PDF_H

#include <apr_errno.h>
#include <apr_pools.h>

/* The font files the build makes and installs in $(pkgdatadir)/fonts. */
#define INVQR_PDF_FONT_REGULAR "DejaVuSans-Latin.ttf"
#define INVQR_PDF_FONT_BOLD "DejaVuSans-Bold-Latin.ttf"
#define INVQR_PDF_FONT_CODE "DejaVuSansMono-Bold-Code.ttf"

/* Largest PDF invqr_pdf_render() hands out (a page is about 30 KB). */
#define INVQR_PDF_MAX_SIZE (1024 * 1024)

/* Longest text field accepted, in bytes. Besides, given_name and surname
 * hold at most 100 characters (surname at least one), fiscal_code 1 to 16
 * (a fiscal code is 16; the layout has room for no more), verify_url and
 * issuer 200. */
#define INVQR_PDF_MAX_FIELD 512

typedef struct invqr_pdf_input_t {
    const char *url;          /* what the QR encodes, already upper-case */
    const char *code_grouped; /* XXXXX-XXXXX-XXXXX-XXXXX (0-9, A-Z, -) */
    const char *given_name;   /* UTF-8 */
    const char *surname;      /* UTF-8 */
    const char *fiscal_code;  /* printed as given */
    const char *issue_date;   /* YYYY-MM-DD, printed DD/MM/YYYY */
    const char *font_dir;     /* directory of the INVQR_PDF_FONT_* files */
    /* Optional (NULL): */
    const char *expiry_date;  /* YYYY-MM-DD, the last day the code is valid,
                               * printed beside the issue date */
    const char *verify_url;   /* the manual-entry page, printed for typing */
    const char *issuer;       /* issuing administration, UTF-8, for the
                               * header band and the Author field */
    const char *lang2;        /* the language beside Italian: "de" German,
                               * anything else (NULL) English */
    const char *font_fallback; /* a full TTF (e.g. DejaVuSans-Bold.ttf) for
                                * a name, issuer or fiscal code with letters
                                * the Latin fonts lack (Greek, Cyrillic...):
                                * that string is drawn in it, slowly; without
                                * it such letters print as '?' */
} invqr_pdf_input_t;

/**
 * Render the attestation. On success *pout points to *plen bytes of PDF
 * allocated from p. Returns APR_SUCCESS; APR_EINVAL for a missing or
 * malformed field (not UTF-8, a control character, too long, a date not
 * YYYY-MM-DD, a code with other characters than 0-9 A-Z -, a URL the QR
 * cannot hold); APR_ENOSPC when the PDF would exceed INVQR_PDF_MAX_SIZE;
 * APR_ENOMEM; APR_EGENERAL when libharu fails, for instance on a font file
 * that cannot be read (logged, INVQR0090). *pout is NULL and *plen 0 on
 * failure. Scratch memory goes to a subpool of p, destroyed before return.
 *
 * Thread-safe. Each call borrows a per-process pooled libharu document with
 * the fonts already parsed, or makes one, and gives it back from a cleanup
 * of that subpool.
 */
apr_status_t invqr_pdf_render(const char **pout, apr_size_t *plen,
                              const invqr_pdf_input_t *in, apr_pool_t *p);

/**
 * Free every idle pooled renderer (a prepared document) and make sure no document made before
 * the call is reused: those still rendering are freed when they finish.
 * For process exit (leak checkers), or after the font files changed.
 */
void invqr_pdf_renderers_clear(void);

#endif
