/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - drawing on the attestation PDF with libharu: private to pdf/.
 *
 * invqr_pdf_draw.c holds the libharu mechanics (pooled documents with fonts
 * and the Latin encoder loaded, text encoded, measured and wrapped, each
 * font's ToUnicode map, the TrueType size guard); invqr_pdf.c holds the
 * page's layout and calls these. */
#ifndef INVQR_PDF_DRAW_H
#define INVQR_PDF_DRAW_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <apr_pools.h>

#include <hpdf.h>

#include "invqr_pdf.h"
#include "invqr_pdf_tags.h"

/* The double-byte CMap encoder of the Latin faces (invqr_pdf_draw.c). */
#define INVQR_PDF_ENCODING "InvQR-Latin"

typedef struct invqr_pdf_rgb_t {
    double r, g, b;
} invqr_pdf_rgb_t;

#define INVQR_PDF_MAX_LATIN 2048 /* more than the ranges hold */

/* Distinct code points one document draws in the fallback font: more than
 * the capped name, surname and issuer can hold. */
#define INVQR_PDF_MAX_FALLBACK_CPS 640

/* Faces of a document with a TrueType program of their own: regular, bold,
 * code, fallback (see invqr_pdf_page_t). */
#define INVQR_PDF_NFACES 4

typedef struct invqr_pdf_renderer_t invqr_pdf_renderer_t;
struct invqr_pdf_renderer_t {
    invqr_pdf_renderer_t *next;
    HPDF_Doc pdf;
    pid_t pid;
    unsigned generation;
    char *font_dir;
    char *fallback_path;   /* NULL when none */
    const char *f_regular; /* libharu font names, owned by pdf */
    const char *f_bold;
    const char *f_code;
    const char *f_fallback; /* loaded on first need */
    int fallback_unusable;
    uint16_t cps[INVQR_PDF_MAX_LATIN]; /* code points of the encoder, ascending */
    size_t ncps;
    HPDF_STATUS hpdf_error; /* first error libharu reported */
    HPDF_STATUS hpdf_detail;
    int broken; /* never reuse */
    long tt_adjust[INVQR_PDF_NFACES]; /* correction to tt_body_size(), see invqr_pdf_tt_check() */
};

typedef enum {
    INVQR_PDF_FACE_LATIN, /* Type0, InvQR-Latin: two-byte codes */
    INVQR_PDF_FACE_UTF8,  /* Type0, libharu's UTF-8 (the fallback font) */
    INVQR_PDF_FACE_ASCII  /* simple TrueType, WinAnsi (the code face) */
} invqr_pdf_face_kind;

typedef struct invqr_pdf_face_t {
    HPDF_Font font;
    invqr_pdf_face_kind kind;
} invqr_pdf_face_t;

typedef struct invqr_pdf_page_t {
    invqr_pdf_renderer_t *r;
    HPDF_Page page;
    apr_pool_t *p; /* scratch: the render's subpool */
    invqr_pdf_face_t regular, bold, code, fallback;
    unsigned char used[INVQR_PDF_MAX_LATIN]; /* encoder characters drawn */
    uint16_t fb_used[INVQR_PDF_MAX_FALLBACK_CPS]; /* fallback code points drawn */
    size_t nfb_used;
    apr_status_t rv; /* first failure of our own */
    long tt_expect[INVQR_PDF_NFACES]; /* tt_guard()'s size of each font program, or
                               -1 for none */
    invqr_pdf_tags_t tags; /* the logical structure (invqr_pdf_tags.h) */
    double name_extra; /* height the name takes beyond one line */
} invqr_pdf_page_t;

/* Borrow an idle document made for these fonts by this process, or make
 * one. */
apr_status_t invqr_pdf_renderer_checkout(invqr_pdf_renderer_t **pout,
                                      const invqr_pdf_input_t *in);

/* Pool cleanup: drop the document's pages and objects and give the fonts
 * back to the pool, or free everything if libharu failed. */
apr_status_t invqr_pdf_renderer_release(void *data);

void invqr_pdf_log_hpdf(const invqr_pdf_renderer_t *r, const char *what);

void invqr_pdf_open_fonts(invqr_pdf_page_t *pg);

/* The ToUnicode maps of the Type0 fonts, once everything is drawn. */
void invqr_pdf_set_tounicode(invqr_pdf_page_t *pg);

void invqr_pdf_tt_guard_all(invqr_pdf_page_t *pg);

/* After HPDF_SaveToStream(): did libharu write the sizes tt_guard()
 * expected? If a libharu build writes the tables differently, warn (once
 * per document and face) and learn the difference for the document's next
 * renders: only the glyphs vary from one render to the next. */
void invqr_pdf_tt_check(invqr_pdf_page_t *pg);

/* The face to draw s in: base, or the fallback font when base lacks one of
 * its letters and a fallback is configured and readable. */
const invqr_pdf_face_t *invqr_pdf_face_for(invqr_pdf_page_t *pg, const invqr_pdf_face_t *base, const char *s);

void invqr_pdf_fill_color(const invqr_pdf_page_t *pg, invqr_pdf_rgb_t c);

/* The largest size in [min, max] at which s fits width, or min. */
double invqr_pdf_fit_size(const invqr_pdf_page_t *pg, const invqr_pdf_face_t *f, double max,
                       double min, double width, const char *s);

void invqr_pdf_show_centered(invqr_pdf_page_t *pg, const invqr_pdf_face_t *f, double size,
                          invqr_pdf_rgb_t c, double cx, double y, const char *s);

void invqr_pdf_show_right(invqr_pdf_page_t *pg, const invqr_pdf_face_t *f, double size,
                       invqr_pdf_rgb_t c, double right, double y, const char *s);

void invqr_pdf_show_str(invqr_pdf_page_t *pg, const invqr_pdf_face_t *f, double size, invqr_pdf_rgb_t c,
                     double x, double y, const char *s);

/* s[0..len) as the bytes the face's font takes, NUL-terminated, from the
 * scratch pool; notes what it draws for the ToUnicode maps. */
const char *invqr_pdf_text_encode(invqr_pdf_page_t *pg, const invqr_pdf_face_t *f,
                               const char *s, size_t len);

double invqr_pdf_text_width(const invqr_pdf_page_t *pg, const invqr_pdf_face_t *f, double size,
                         const char *s, size_t len);

/* Lay s out in lines no wider than width, breaking at spaces (and inside a
 * word longer than a line). Draws them when draw is set, the first baseline
 * at *py, moving *py down one leading per line. Returns the line count. */
int invqr_pdf_wrap(invqr_pdf_page_t *pg, const invqr_pdf_face_t *f, double size, invqr_pdf_rgb_t c,
                double leading, double x, double width, double *py,
                const char *s, int draw);

#endif /* INVQR_PDF_DRAW_H */
