/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the attestation PDF.
 *
 * One A4 page drawn with libharu 2.3.0: header band, title, holder, fiscal
 * code, issue date, the QR (libqrencode, via invqr_qr) as merged vector
 * rectangles inside a white 4-module quiet zone, the code in groups in a
 * monospace face, instructions for verifiers in Italian and English, and the
 * note that the check is online, and at the foot what the document shows
 * and what it does not. Title, Subject, Author, Creator, creation date and
 * an XMP dc:title are set.
 *
 * The PDF is tagged (invqr_pdf_tags.h): everything is drawn in reading
 * order, each piece of text inside a marked-content sequence of its
 * structure element (Document, H1, H2, P, Table/TR/TH/TD for the fiscal
 * code and dates, L/LI/Lbl/LBody for the steps, Figure with alternative
 * text for the QR), decoration as /Artifact, English parts with their own
 * /Lang, and every glyph has Unicode (ToUnicode maps, or WinAnsi for the
 * code face). A name long enough to take several lines takes its room from
 * the QR (QR_SIDE down to QR_SIDE_MIN), so the page never overflows.
 *
 * How it stays fast (issue: >= 250 fresh PDFs/s on 2 cores with any Latin
 * name). CPU time per PDF, one thread, measured on the 2-vCPU Debian 12 VM
 * with a throwaway benchmark of a page like this one (two threads scale
 * about 2x; wall-clock rates on the shared VM vary by +-30%):
 *
 *   libharu's UTF-8 mode, full DejaVu TTFs ......................... ~45 ms
 *   libharu's UTF-8 mode, build-time Latin subsets (pyftsubset) ..... ~7.4 ms
 *     the same, fonts parsed once per pooled renderer ............... ~7.1 ms
 *   own CMap encoder over the subsets, fonts parsed per PDF ......... ~3.5 ms
 *     the same, fonts parsed once per pooled renderer (chosen) ...... ~3.2 ms
 *   CP1252 simple fonts (cannot print Ș ț Ł, so not an option) ...... ~1.9 ms
 *   keeping the 9.5 KB license text in the subsets' name table,
 *   which libharu copies into every PDF, costs ........................ +0.8 ms
 *
 * This file's real page (34 KB): 3.8-4.8 ms, 350-455 PDFs/s on two threads
 * (each PDF fresh, with a Romanian/Polish name). HPDF_COMP_ALL is used as
 * asked; leaving the fonts uncompressed (HPDF_COMP_TEXT) would take ~35%
 * less CPU for 50 KB PDFs.
 *
 * The subsets alone do not fix libharu's UTF-8 mode: its encoder maps all
 * 65,536 BMP code points, so every document builds (and deflates) a 128 KB
 * CIDToGIDMap and a W array over the whole BMP, per font. So this file
 * registers its own double-byte CMap encoder, "InvQR-Latin", that maps only
 * the code points both Latin subsets have (~1,200): character k gets the
 * two-byte code and CID (1 + k / 255, 1 + k % 255) - never a zero byte, so
 * libharu's C strings hold it - under Identity-H. Strings are converted from
 * UTF-8 here. libharu writes a ToUnicode CMap in a form poppler rejects; it
 * is rewritten with one bfchar per character the document draws, so text
 * extraction and search work (pdftotext, Ghostscript). The code face (0-9,
 * A-Z, '-', ' ') is a single-byte WinAnsi TrueType font. A name with a
 * letter the subsets lack is drawn, when the caller names a full TTF, in
 * that font through libharu's UTF-8 mode (~21 ms, 120 KB, rare); without one
 * the letter prints as '?'.
 *
 * libharu documents are not thread-safe, but fonts parsed into one survive
 * HPDF_NewDoc()/HPDF_FreeDoc(). Documents with the fonts and the encoder
 * loaded are kept in a per-process free list under a mutex; a render borrows
 * one (or makes one) and gives it back from a cleanup of a subpool of the
 * caller's pool, or frees it if libharu reported an error. HPDF_New() without
 * libharu's memory pool is required: with it, freed memory returns only at
 * HPDF_Free(), so a reused document would grow without end.
 *
 * libharu 2.3.0 cannot embed a TrueType program whose tables fill its 4 KB
 * scratch buffers exactly when the last table, prep, is empty - as in the
 * subsets, which have no hinting: HPDF_SaveToStream() fails with 0x1033
 * (HPDF_INVALID_OBJECT). The size follows from the glyphs the page draws, so
 * about one name in 300 failed, in a fresh document as in a pooled one.
 * Before saving, tt_guard() computes the size libharu will write for each
 * font and, if it is such a multiple, marks one more glyph used (a few dozen
 * bytes); after saving, tt_check() compares with what libharu wrote and, on
 * a difference, warns and corrects for it.
 *
 * This uses libharu internals that its installed headers expose
 * (hpdf_encoder.h, hpdf_font.h, hpdf_fontdef.h, hpdf_doc.h): the build is
 * pinned to 2.3.x.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <apr_strings.h>

#include <hpdf.h>
#include <hpdf_conf.h>
#include <hpdf_encoder.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>

#include "invqr_fiscal.h"
#include "invqr_log.h"
#include "invqr_pdf.h"
#include "invqr_pdf_tags.h"
#include "invqr_qr.h"
#include "invqr_utf8.h"

#if HPDF_VERSION_ID < 20300 || HPDF_VERSION_ID >= 20400
/* see build_encoder() and tt_body_size() */
#error "invqr_pdf.c relies on libharu 2.3.x internals; check the encoder code"
#endif

/* ---- page geometry and colours ------------------------------------------ */

#define MM (72.0 / 25.4)
#define PAGE_W 595.276
#define PAGE_H 841.89
#define MARGIN (20.0 * MM)
#define CONTENT_W (PAGE_W - 2.0 * MARGIN)
#define BAND_H (15.0 * MM)
#define QR_SIDE (74.0 * MM) /* symbol with its quiet zone, at most */
#define QR_SIDE_MIN (56.0 * MM) /* ... and at least (a long name) */
#define QR_QUIET 4          /* modules */

typedef struct rgb_t {
    double r, g, b;
} rgb_t;

static const rgb_t C_BLUE = {0.0, 0.4, 0.8};          /* #0066CC */
static const rgb_t C_DARK = {0.090, 0.196, 0.302};    /* #17324D */
static const rgb_t C_TEXT = {0.10, 0.10, 0.10};
static const rgb_t C_MUTED = {0.361, 0.435, 0.510};   /* #5C6F82 */
static const rgb_t C_RULE = {0.851, 0.855, 0.859};    /* #D9DADB */
static const rgb_t C_CARD = {0.953, 0.961, 0.973};
static const rgb_t C_NOTE = {0.910, 0.945, 0.984};
static const rgb_t C_WHITE = {1.0, 1.0, 1.0};
static const rgb_t C_BLACK = {0.0, 0.0, 0.0};

/* ---- the Latin encoder -------------------------------------------------- */

#define ENCODING_NAME "InvQR-Latin"

/* Code points offered to the encoder; the fonts decide which they have. Keep
 * in step with the --unicodes of corelib/Makefile.pdf.inc. */
static const uint16_t LATIN_RANGES[][2] = {
    {0x0020, 0x007E}, /* Basic Latin */
    {0x00A0, 0x02FF}, /* Latin-1, Extended-A/B, IPA, modifier letters */
    {0x0300, 0x036F}, /* combining diacritical marks */
    {0x1E00, 0x1EFF}, /* Latin Extended Additional */
    {0x2000, 0x206F}, /* general punctuation */
    {0x20AC, 0x20AC}, /* euro sign */
};

#define MAX_LATIN 2048 /* more than the ranges hold */

/* Distinct code points one document draws in the fallback font: more than
 * the capped name, surname and issuer can hold. */
#define MAX_FALLBACK_CPS 640

/* Cached documents kept idle per process. */
#define POOL_MAX_IDLE 64

/* Faces of a document with a TrueType program of their own: regular, bold,
 * code, fallback (see page_t). */
#define NFACES 4

typedef struct renderer_t renderer_t;
struct renderer_t {
    renderer_t *next;
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
    uint16_t cps[MAX_LATIN]; /* code points of the encoder, ascending */
    size_t ncps;
    HPDF_STATUS hpdf_error; /* first error libharu reported */
    HPDF_STATUS hpdf_detail;
    int broken; /* never reuse */
    long tt_adjust[NFACES]; /* correction to tt_body_size(), see tt_check() */
};

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static renderer_t *pool_idle;   /* guarded by pool_lock */
static unsigned pool_nidle;     /* guarded by pool_lock */
static unsigned pool_generation; /* guarded by pool_lock */

static void on_hpdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no,
                          void *user_data)
{
    renderer_t *r = user_data;

    if (r->hpdf_error == 0) {
        r->hpdf_error = error_no;
        r->hpdf_detail = detail_no;
    }
    r->broken = 1;
}

static void code_bytes(size_t k, unsigned char *hi, unsigned char *lo)
{
    *hi = (unsigned char)(1 + k / 255);
    *lo = (unsigned char)(1 + k % 255);
}

/* Index of u in the encoder, or -1. */
static long latin_index(const renderer_t *r, uint32_t u)
{
    size_t lo = 0, hi = r->ncps;

    if (u > 0xFFFF) {
        return -1;
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (r->cps[mid] == u) {
            return (long)mid;
        }
        if (r->cps[mid] < u) {
            lo = mid + 1;
        }
        else {
            hi = mid;
        }
    }
    return -1;
}

static HPDF_BOOL always_true(HPDF_Encoder encoder, HPDF_BYTE b)
{
    (void)encoder;
    (void)b;
    return HPDF_TRUE;
}

/* The encoder is initialised when it is made; libharu must never ask. */
static HPDF_STATUS refuse_init(HPDF_Encoder encoder)
{
    (void)encoder;
    return HPDF_INVALID_ENCODER;
}

/* Register "InvQR-Latin" with the code points both Latin faces have. */
static apr_status_t build_encoder(renderer_t *r)
{
    HPDF_FontDef regular, bold;
    HPDF_Encoder enc;
    HPDF_CMapEncoderAttr attr;
    HPDF_CidRange_Rec space = {0x0000, 0xFFFF, 0};
    size_t i, k;

    regular = HPDF_GetFontDef(r->pdf, r->f_regular);
    bold = HPDF_GetFontDef(r->pdf, r->f_bold);
    if (regular == NULL || bold == NULL) {
        return APR_EGENERAL;
    }
    r->ncps = 0;
    for (i = 0; i < sizeof(LATIN_RANGES) / sizeof(LATIN_RANGES[0]); i++) {
        uint32_t u;

        for (u = LATIN_RANGES[i][0]; u <= LATIN_RANGES[i][1]; u++) {
            if (r->ncps == MAX_LATIN) {
                break;
            }
            /* the space glyph is a real glyph; U+0020 is always kept */
            if (u == 0x20 ||
                (HPDF_TTFontDef_GetGlyphid(regular, (HPDF_UINT16)u) != 0 &&
                 HPDF_TTFontDef_GetGlyphid(bold, (HPDF_UINT16)u) != 0)) {
                r->cps[r->ncps++] = (uint16_t)u;
            }
        }
    }

    enc = HPDF_CMapEncoder_New(r->pdf->mmgr, (char *)ENCODING_NAME,
                               refuse_init);
    if (enc == NULL) {
        return APR_ENOMEM;
    }
    if (HPDF_CMapEncoder_InitAttr(enc) != HPDF_OK) {
        HPDF_Encoder_Free(enc);
        return APR_ENOMEM;
    }
    attr = (HPDF_CMapEncoderAttr)enc->attr;
    for (k = 0; k < r->ncps; k++) {
        unsigned char hi, lo;

        code_bytes(k, &hi, &lo);
        /* libharu indexes both maps [low byte][high byte] */
        attr->cid_map[lo][hi] = (HPDF_UINT16)((hi << 8) | lo);
        attr->unicode_map[lo][hi] = r->cps[k];
    }
    if (HPDF_CMapEncoder_AddCodeSpaceRange(enc, space) != HPDF_OK) {
        HPDF_Encoder_Free(enc);
        return APR_ENOMEM;
    }
    /* every code is two bytes */
    attr->is_lead_byte_fn = always_true;
    attr->is_trial_byte_fn = always_true;
    strcpy(attr->registry, "Adobe");
    /* this ordering makes libharu write /Encoding /Identity-H and put the
     * CMap it generates under /ToUnicode, which set_tounicode() replaces */
    strcpy(attr->ordering, "Identity-H");
    attr->suppliment = 0;
    attr->writing_mode = HPDF_WMODE_HORIZONTAL;
    enc->type = HPDF_ENCODER_TYPE_DOUBLE_BYTE;
    if (HPDF_Doc_RegisterEncoder(r->pdf, enc) != HPDF_OK) {
        return APR_EGENERAL; /* libharu freed enc */
    }
    return APR_SUCCESS;
}

/* ---- the pool of renderers (prepared documents) -------------------------- */

static void renderer_free(renderer_t *r)
{
    if (r == NULL) {
        return;
    }
    if (r->pdf != NULL) {
        HPDF_Free(r->pdf);
    }
    free(r->font_dir);
    free(r->fallback_path);
    free(r);
}

static int same_str(const char *a, const char *b)
{
    if (a == NULL || b == NULL) {
        return a == b;
    }
    return strcmp(a, b) == 0;
}

static void log_hpdf(const renderer_t *r, const char *what)
{
    invqr_log(INVQR_LOG_ERR,
              "INVQR0090: PDF: libharu error 0x%04lX (detail %lu) %s",
              (unsigned long)r->hpdf_error, (unsigned long)r->hpdf_detail,
              what);
}

static const char *load_font(renderer_t *r, const char *file)
{
    char path[PATH_MAX];
    const char *name;
    int n;

    n = snprintf(path, sizeof(path), "%s/%s", r->font_dir, file);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        return NULL;
    }
    name = HPDF_LoadTTFontFromFile(r->pdf, path, HPDF_TRUE);
    if (name == NULL) {
        char what[PATH_MAX + 32];

        snprintf(what, sizeof(what), "loading font %s", path);
        log_hpdf(r, what);
    }
    return name;
}

static apr_status_t renderer_create(renderer_t **pout, const char *font_dir,
                                    const char *fallback, unsigned generation)
{
    apr_status_t rv = APR_SUCCESS;
    renderer_t *r;

    *pout = NULL;
    r = calloc(1, sizeof(*r));
    if (r == NULL) {
        rv = APR_ENOMEM;
        goto out;
    }
    r->pid = getpid();
    r->generation = generation;
    r->font_dir = strdup(font_dir);
    if (fallback != NULL) {
        r->fallback_path = strdup(fallback);
    }
    if (r->font_dir == NULL || (fallback != NULL && r->fallback_path == NULL)) {
        rv = APR_ENOMEM;
        goto out;
    }
    /* no libharu memory pool: see the comment atop this file */
    r->pdf = HPDF_New(on_hpdf_error, r);
    if (r->pdf == NULL) {
        rv = APR_ENOMEM;
        goto out;
    }
    /* after one failure libharu refuses everything: stop at the first */
    r->f_regular = load_font(r, INVQR_PDF_FONT_REGULAR);
    if (r->f_regular != NULL) {
        r->f_bold = load_font(r, INVQR_PDF_FONT_BOLD);
    }
    if (r->f_bold != NULL) {
        r->f_code = load_font(r, INVQR_PDF_FONT_CODE);
    }
    if (r->f_code == NULL) {
        rv = APR_EGENERAL;
        goto out;
    }
    rv = build_encoder(r);
    if (rv == APR_SUCCESS && r->hpdf_error != 0) {
        log_hpdf(r, "building the Latin encoder");
        rv = APR_EGENERAL;
    }

out:
    if (rv != APR_SUCCESS) {
        renderer_free(r);
        return rv;
    }
    *pout = r;
    return APR_SUCCESS;
}

/* Borrow an idle document made for these fonts by this process, or make
 * one. */
static apr_status_t renderer_checkout(renderer_t **pout,
                                      const invqr_pdf_input_t *in)
{
    renderer_t *r = NULL, **pp;
    pid_t pid = getpid();
    unsigned generation;

    *pout = NULL;
    pthread_mutex_lock(&pool_lock);
    generation = pool_generation;
    pp = &pool_idle;
    while (*pp != NULL) {
        renderer_t *c = *pp;

        if (c->pid != pid) {
            /* inherited through fork(): its FILE*s share their offsets with
             * the parent's, and HPDF_Free() would fclose() them, which may
             * move those offsets under the parent. Drop it unfreed. */
            *pp = c->next;
            pool_nidle--;
            continue;
        }
        if (same_str(c->font_dir, in->font_dir) &&
            same_str(c->fallback_path, in->font_fallback)) {
            *pp = c->next;
            pool_nidle--;
            r = c;
            break;
        }
        pp = &c->next;
    }
    pthread_mutex_unlock(&pool_lock);

    if (r != NULL) {
        r->next = NULL;
        *pout = r;
        return APR_SUCCESS;
    }
    return renderer_create(pout, in->font_dir, in->font_fallback, generation);
}

/* Pool cleanup: drop the document's pages and objects and give the fonts
 * back to the pool, or free everything if libharu failed. */
static apr_status_t renderer_release(void *data)
{
    renderer_t *r = data, *evicted = NULL;
    int keep = 0;

    if (!r->broken && r->pid == getpid()) {
        HPDF_FreeDoc(r->pdf);
        pthread_mutex_lock(&pool_lock);
        if (r->generation == pool_generation) {
            if (pool_nidle == POOL_MAX_IDLE) {
                /* full (of documents for other fonts, say): drop the one
                 * idle longest, at the tail */
                renderer_t **pp = &pool_idle;

                while ((*pp)->next != NULL) {
                    pp = &(*pp)->next;
                }
                evicted = *pp;
                *pp = NULL;
                pool_nidle--;
            }
            r->next = pool_idle;
            pool_idle = r;
            pool_nidle++;
            keep = 1;
        }
        pthread_mutex_unlock(&pool_lock);
    }
    renderer_free(evicted);
    if (!keep) {
        renderer_free(r);
    }
    return APR_SUCCESS;
}

void invqr_pdf_renderers_clear(void)
{
    renderer_t *list;

    pthread_mutex_lock(&pool_lock);
    list = pool_idle;
    pool_idle = NULL;
    pool_nidle = 0;
    pool_generation++;
    pthread_mutex_unlock(&pool_lock);
    while (list != NULL) {
        renderer_t *next = list->next;

        renderer_free(list);
        list = next;
    }
}

/* ---- text ----------------------------------------------------------------- */

typedef enum {
    FACE_LATIN, /* Type0, InvQR-Latin: two-byte codes */
    FACE_UTF8,  /* Type0, libharu's UTF-8 (the fallback font) */
    FACE_ASCII  /* simple TrueType, WinAnsi (the code face) */
} face_kind;

typedef struct face_t {
    HPDF_Font font;
    face_kind kind;
} face_t;

typedef struct page_t {
    renderer_t *r;
    HPDF_Page page;
    apr_pool_t *p; /* scratch: the render's subpool */
    face_t regular, bold, code, fallback;
    unsigned char used[MAX_LATIN]; /* encoder characters drawn */
    uint16_t fb_used[MAX_FALLBACK_CPS]; /* fallback code points drawn */
    size_t nfb_used;
    apr_status_t rv; /* first failure of our own */
    long tt_expect[NFACES]; /* tt_guard()'s size of each font program, or
                               -1 for none */
    invqr_pdf_tags_t tags; /* the logical structure (invqr_pdf_tags.h) */
    double name_extra; /* height the name takes beyond one line */
} page_t;

/* Next code point of s[*i..len), advancing *i; U+FFFD for a bad sequence. */
static uint32_t utf8_next(const char *s, size_t len, size_t *i)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n, j;
    uint32_t cp, min;

    if (u[*i] < 0x80) {
        return u[(*i)++];
    }
    if ((u[*i] & 0xE0) == 0xC0) {
        n = 1;
        cp = u[*i] & 0x1F;
        min = 0x80;
    }
    else if ((u[*i] & 0xF0) == 0xE0) {
        n = 2;
        cp = u[*i] & 0x0F;
        min = 0x800;
    }
    else if ((u[*i] & 0xF8) == 0xF0) {
        n = 3;
        cp = u[*i] & 0x07;
        min = 0x10000;
    }
    else {
        (*i)++;
        return 0xFFFD;
    }
    if (*i + n >= len) {
        /* fewer than n continuation bytes left */
        *i = len;
        return 0xFFFD;
    }
    for (j = 1; j <= n; j++) {
        if ((u[*i + j] & 0xC0) != 0x80) {
            *i += j;
            return 0xFFFD;
        }
        cp = (cp << 6) | (u[*i + j] & 0x3F);
    }
    *i += n + 1;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return 0xFFFD;
    }
    return cp;
}

/* The code point a face will actually draw for u. */
static uint32_t face_cp(const page_t *pg, const face_t *f, uint32_t u)
{
    switch (f->kind) {
    case FACE_LATIN:
        return latin_index(pg->r, u) >= 0 ? u : '?';
    case FACE_UTF8:
        return (u >= 0x20 && u <= 0xFFFF && u != 0xFFFD &&
                !(u >= 0xD800 && u <= 0xDFFF))
                   ? u
                   : '?';
    case FACE_ASCII:
    default:
        return (u >= 0x20 && u < 0x7F) ? u : '?';
    }
}

static double text_width(const page_t *pg, const face_t *f, double size,
                         const char *s, size_t len)
{
    size_t i = 0;
    long w = 0;

    while (i < len) {
        uint32_t u = face_cp(pg, f, utf8_next(s, len, &i));

        w += HPDF_Font_GetUnicodeWidth(f->font, (HPDF_UNICODE)u);
    }
    return (double)w * size / 1000.0;
}

static void note_fallback_cp(page_t *pg, uint32_t u)
{
    size_t i;

    for (i = 0; i < pg->nfb_used; i++) {
        if (pg->fb_used[i] == u) {
            return;
        }
    }
    if (pg->nfb_used < MAX_FALLBACK_CPS) {
        pg->fb_used[pg->nfb_used++] = (uint16_t)u;
    }
}

/* s[0..len) as the bytes the face's font takes, NUL-terminated, from the
 * scratch pool; notes what it draws for the ToUnicode maps. */
static const char *text_encode(page_t *pg, const face_t *f,
                               const char *s, size_t len)
{
    char *out, *o;
    size_t i = 0;

    /* at most two output bytes per input byte, or the same UTF-8 */
    out = apr_palloc(pg->p, 2 * len + 1);
    o = out;
    while (i < len) {
        uint32_t u = face_cp(pg, f, utf8_next(s, len, &i));

        if (f->kind == FACE_UTF8) {
            /* BMP only (face_cp): one to three bytes, as many as read */
            note_fallback_cp(pg, u);
            if (u < 0x80) {
                *o++ = (char)u;
            }
            else if (u < 0x800) {
                *o++ = (char)(0xC0 | (u >> 6));
                *o++ = (char)(0x80 | (u & 0x3F));
            }
            else {
                *o++ = (char)(0xE0 | (u >> 12));
                *o++ = (char)(0x80 | ((u >> 6) & 0x3F));
                *o++ = (char)(0x80 | (u & 0x3F));
            }
        }
        else if (f->kind == FACE_ASCII) {
            *o++ = (char)u;
        }
        else {
            long k = latin_index(pg->r, u);
            unsigned char hi, lo;

            if (k < 0) {
                k = 0;
            }
            pg->used[k] = 1;
            code_bytes((size_t)k, &hi, &lo);
            *o++ = (char)hi;
            *o++ = (char)lo;
        }
    }
    *o = '\0';
    return out;
}

static void fill_color(const page_t *pg, rgb_t c)
{
    HPDF_Page_SetRGBFill(pg->page, (HPDF_REAL)c.r, (HPDF_REAL)c.g,
                         (HPDF_REAL)c.b);
}

static void show(page_t *pg, const face_t *f, double size, rgb_t c,
                 double x, double y, const char *s, size_t len)
{
    if (len == 0) {
        return;
    }
    fill_color(pg, c);
    HPDF_Page_BeginText(pg->page);
    HPDF_Page_SetFontAndSize(pg->page, f->font, (HPDF_REAL)size);
    HPDF_Page_TextOut(pg->page, (HPDF_REAL)x, (HPDF_REAL)y,
                      text_encode(pg, f, s, len));
    HPDF_Page_EndText(pg->page);
}

static void show_str(page_t *pg, const face_t *f, double size, rgb_t c,
                     double x, double y, const char *s)
{
    show(pg, f, size, c, x, y, s, strlen(s));
}

static void show_centered(page_t *pg, const face_t *f, double size,
                          rgb_t c, double cx, double y, const char *s)
{
    double w = text_width(pg, f, size, s, strlen(s));

    show_str(pg, f, size, c, cx - w / 2.0, y, s);
}

static void show_right(page_t *pg, const face_t *f, double size,
                       rgb_t c, double right, double y, const char *s)
{
    double w = text_width(pg, f, size, s, strlen(s));

    show_str(pg, f, size, c, right - w, y, s);
}

/* The largest size in [min, max] at which s fits width, or min. */
static double fit_size(const page_t *pg, const face_t *f, double max,
                       double min, double width, const char *s)
{
    double w1 = text_width(pg, f, 1.0, s, strlen(s));
    double size;

    if (w1 <= 0) {
        return max;
    }
    size = width / w1;
    if (size > max) {
        size = max;
    }
    if (size < min) {
        size = min;
    }
    return size;
}

/* Lay s out in lines no wider than width, breaking at spaces (and inside a
 * word longer than a line). Draws them when draw is set, the first baseline
 * at *py, moving *py down one leading per line. Returns the line count. */
static int wrap(page_t *pg, const face_t *f, double size, rgb_t c,
                double leading, double x, double width, double *py,
                const char *s, int draw)
{
    size_t len = strlen(s), i = 0, ls = 0, le = 0;
    double space = text_width(pg, f, size, " ", 1), lw = 0;
    int have = 0, lines = 0;

    while (i < len) {
        size_t ws, we, j;
        double ww;

        while (i < len && s[i] == ' ') {
            i++;
        }
        if (i == len) {
            break;
        }
        ws = i;
        while (i < len && s[i] != ' ') {
            i++;
        }
        we = i;
        ww = text_width(pg, f, size, s + ws, we - ws);
        if (have && lw + space + ww <= width) {
            le = we;
            lw += space + ww;
            continue;
        }
        if (have) {
            if (draw) {
                show(pg, f, size, c, x, *py, s + ls, le - ls);
            }
            *py -= leading;
            lines++;
            have = 0;
        }
        if (ww <= width) {
            ls = ws;
            le = we;
            lw = ww;
            have = 1;
            continue;
        }
        /* a word longer than the line: break it between characters */
        j = ws;
        while (j < we) {
            size_t k = j;
            double cw = 0;

            while (k < we) {
                size_t k2 = k;
                double w1;

                (void)utf8_next(s, we, &k2);
                w1 = text_width(pg, f, size, s + k, k2 - k);
                if (cw + w1 > width && k > j) {
                    break;
                }
                cw += w1;
                k = k2;
            }
            if (k == we) {
                ls = j;
                le = we;
                lw = cw;
                have = 1;
                break;
            }
            if (draw) {
                show(pg, f, size, c, x, *py, s + j, k - j);
            }
            *py -= leading;
            lines++;
            j = k;
        }
    }
    if (have) {
        if (draw) {
            show(pg, f, size, c, x, *py, s + ls, le - ls);
        }
        *py -= leading;
        lines++;
    }
    return lines;
}

/* ---- fonts of one document ------------------------------------------------ */

static const char TOUNICODE_HEAD[] =
    "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> "
    "def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
    "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n";
static const char TOUNICODE_TAIL[] =
    "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";

/* Replace the CMap libharu put under a Type0 font's /ToUnicode (cidrange
 * operators, which poppler refuses there) with one bfchar per character
 * the document draws: codes[i] shows cps[i]. Small, and read right by every
 * reader tried (bfranges were misread by Ghostscript). */
static void write_tounicode(page_t *pg, HPDF_Font font,
                            const uint16_t *codes, const uint16_t *cps,
                            size_t n)
{
    HPDF_FontAttr attr = (HPDF_FontAttr)font->attr;
    HPDF_Stream st;
    char line[48];
    size_t i;
    int bad = 0;

    if (attr == NULL || attr->cmap_stream == NULL ||
        attr->cmap_stream->stream == NULL) {
        pg->rv = APR_EGENERAL;
        return;
    }
    st = attr->cmap_stream->stream;
    HPDF_MemStream_FreeData(st);
    bad |= HPDF_Stream_WriteStr(st, TOUNICODE_HEAD) != HPDF_OK;
    for (i = 0; i < n && !bad; i++) {
        if (i % 100 == 0) {
            snprintf(line, sizeof(line), "%zu beginbfchar\n",
                     n - i < 100 ? n - i : (size_t)100);
            bad |= HPDF_Stream_WriteStr(st, line) != HPDF_OK;
        }
        snprintf(line, sizeof(line), "<%04X> <%04X>\n", (unsigned)codes[i],
                 (unsigned)cps[i]);
        bad |= HPDF_Stream_WriteStr(st, line) != HPDF_OK;
        if (i % 100 == 99 || i == n - 1) {
            bad |= HPDF_Stream_WriteStr(st, "endbfchar\n") != HPDF_OK;
        }
    }
    bad |= HPDF_Stream_WriteStr(st, TOUNICODE_TAIL) != HPDF_OK;
    if (bad) {
        pg->rv = APR_EGENERAL;
    }
}

static int cmp_u16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;

    return (x > y) - (x < y);
}

/* The ToUnicode maps of the Type0 fonts, once everything is drawn. */
static void set_tounicode(page_t *pg)
{
    uint16_t *codes, *cps;
    size_t k, n = 0;

    codes = apr_palloc(pg->p, sizeof(uint16_t) * (pg->r->ncps + 1));
    cps = apr_palloc(pg->p, sizeof(uint16_t) * (pg->r->ncps + 1));
    for (k = 0; k < pg->r->ncps; k++) {
        unsigned char hi, lo;

        if (!pg->used[k]) {
            continue;
        }
        code_bytes(k, &hi, &lo);
        codes[n] = (uint16_t)((hi << 8) | lo);
        cps[n] = pg->r->cps[k];
        n++;
    }
    /* both Latin faces map every character either draws: simpler, and
     * harmless */
    write_tounicode(pg, pg->regular.font, codes, cps, n);
    write_tounicode(pg, pg->bold.font, codes, cps, n);
    if (pg->fallback.font != NULL) {
        /* libharu's UTF-8 mode writes each code point as its code */
        qsort(pg->fb_used, pg->nfb_used, sizeof(uint16_t), cmp_u16);
        write_tounicode(pg, pg->fallback.font, pg->fb_used, pg->fb_used,
                        pg->nfb_used);
    }
}

static void open_fonts(page_t *pg)
{
    HPDF_Doc pdf = pg->r->pdf;

    pg->regular.font = HPDF_GetFont(pdf, pg->r->f_regular, ENCODING_NAME);
    pg->regular.kind = FACE_LATIN;
    pg->bold.font = HPDF_GetFont(pdf, pg->r->f_bold, ENCODING_NAME);
    pg->bold.kind = FACE_LATIN;
    pg->code.font = HPDF_GetFont(pdf, pg->r->f_code, HPDF_ENCODING_WIN_ANSI);
    pg->code.kind = FACE_ASCII;
    if (pg->regular.font == NULL || pg->bold.font == NULL ||
        pg->code.font == NULL) {
        pg->rv = APR_EGENERAL;
    }
}

/* The face to draw s in: base, or the fallback font when base lacks one of
 * its letters and a fallback is configured and readable. */
static const face_t *face_for(page_t *pg, const face_t *base, const char *s)
{
    renderer_t *r = pg->r;
    size_t len = strlen(s), i = 0;
    int missing = 0;

    if (base->kind != FACE_LATIN) {
        return base;
    }
    while (i < len && !missing) {
        missing = latin_index(r, utf8_next(s, len, &i)) < 0;
    }
    if (!missing || r->fallback_path == NULL || r->fallback_unusable) {
        return base;
    }
    if (pg->fallback.font != NULL) {
        return &pg->fallback;
    }
    if (r->f_fallback == NULL) {
        if (access(r->fallback_path, R_OK) != 0) {
            invqr_log(INVQR_LOG_WARN,
                      "INVQR0091: PDF: fallback font %s: %s; letters the "
                      "Latin fonts lack print as '?'",
                      r->fallback_path, strerror(errno));
            r->fallback_unusable = 1;
            return base;
        }
        r->f_fallback = HPDF_LoadTTFontFromFile(r->pdf, r->fallback_path,
                                                HPDF_TRUE);
        if (r->f_fallback == NULL || HPDF_UseUTFEncodings(r->pdf) != HPDF_OK) {
            pg->rv = APR_EGENERAL;
            return base;
        }
        /* libharu 2.3 hands back a loaded font of the same PostScript
         * name instead of loading the file */
        if (strcmp(r->f_fallback, r->f_regular) == 0 ||
            strcmp(r->f_fallback, r->f_bold) == 0 ||
            strcmp(r->f_fallback, r->f_code) == 0) {
            invqr_log(INVQR_LOG_WARN,
                      "INVQR0092: PDF: fallback font %s has the name of a "
                      "Latin font (%s); letters the Latin fonts lack print "
                      "as '?'",
                      r->fallback_path, r->f_fallback);
            r->fallback_unusable = 1;
            return base;
        }
    }
    pg->fallback.font = HPDF_GetFont(r->pdf, r->f_fallback, "UTF-8");
    pg->fallback.kind = FACE_UTF8;
    if (pg->fallback.font == NULL) {
        pg->rv = APR_EGENERAL;
        return base;
    }
    return &pg->fallback;
}

/* ---- the embedded TrueType programs --------------------------------------- */

/* The tables libharu 2.3 writes into an embedded TrueType program, in its
 * order (REQUIRED_TAGS in hpdf_fontdef_tt.c); a table the font lacks is
 * written empty. */
static const char TT_TAGS[][5] = {"OS/2", "cmap", "cvt ", "fpgm", "glyf",
                                  "head", "hhea", "hmtx", "loca", "maxp",
                                  "name", "post", "prep"};
#define TT_NTAGS (sizeof(TT_TAGS) / sizeof(TT_TAGS[0]))
/* the table directory, counted in /Length1 but not in tt_body_size() */
#define TT_DIRECTORY (12 + 16 * TT_NTAGS)
/* the head table as libharu rewrites it */
#define TT_HEAD_SIZE 54

/* The TrueType attributes of the font's definition when libharu embeds a
 * subset of it, else NULL. */
static HPDF_TTFontDefAttr tt_attr(HPDF_Font font)
{
    HPDF_FontDef def;
    HPDF_TTFontDefAttr a;

    if (font == NULL || font->attr == NULL) {
        return NULL;
    }
    def = ((HPDF_FontAttr)font->attr)->fontdef;
    if (def == NULL || def->type != HPDF_FONTDEF_TYPE_TRUETYPE ||
        def->attr == NULL) {
        return NULL;
    }
    a = (HPDF_TTFontDefAttr)def->attr;
    if (!a->embedding || a->glyph_tbl.flgs == NULL ||
        a->glyph_tbl.offsets == NULL) {
        return NULL;
    }
    return a;
}

static unsigned long tt_table_length(const HPDF_TTFontDefAttr a,
                                     const char *tag)
{
    unsigned i;

    for (i = 0; i < a->offset_tbl.num_tables; i++) {
        if (memcmp(a->offset_tbl.table[i].tag, tag, 4) == 0) {
            return a->offset_tbl.table[i].length;
        }
    }
    return 0;
}

/* Bytes of glyph g's outline in the font's glyf table. */
static unsigned long tt_glyph_size(const HPDF_TTFontDefAttr a, unsigned g)
{
    unsigned long n = a->glyph_tbl.offsets[g + 1] - a->glyph_tbl.offsets[g];

    /* the short loca format counts 16-bit words */
    return a->header.index_to_loc_format == 0 ? 2 * n : n;
}

/* What HPDF_TTFontDef_SaveFontData() of libharu 2.3 writes after the table
 * directory, the glyphs marked used as they are now: the tables one after
 * another, unpadded. *tail_empty tells whether the last one is empty. */
static unsigned long tt_body_size(const HPDF_TTFontDefAttr a, int *tail_empty)
{
    unsigned long size = 0, n = 0;
    size_t t;
    unsigned g;

    for (t = 0; t < TT_NTAGS; t++) {
        const char *tag = TT_TAGS[t];

        if (strcmp(tag, "head") == 0) {
            n = TT_HEAD_SIZE;
        }
        else if (strcmp(tag, "glyf") == 0) {
            /* RecreateGLYF(): the outlines of the used glyphs only */
            n = 0;
            for (g = 0; g < a->num_glyphs; g++) {
                if (a->glyph_tbl.flgs[g] == 1) {
                    n += tt_glyph_size(a, g);
                }
            }
        }
        else if (strcmp(tag, "loca") == 0) {
            n = ((unsigned long)a->num_glyphs + 1) *
                (a->header.index_to_loc_format == 0 ? 2 : 4);
        }
        else if (strcmp(tag, "name") == 0) {
            /* RecreateName(): the records, then their strings, a tag
             * prefixed to the family and full names */
            const HPDF_TTF_NameRecord *rec = a->name_tbl.name_records;

            n = 6 + 12 * (unsigned long)a->name_tbl.count;
            for (g = 0; g < a->name_tbl.count; g++, rec++) {
                n += rec->length;
                if (rec->name_id == 1 || rec->name_id == 4) {
                    n += (rec->platform_id == 0 || rec->platform_id == 3)
                             ? sizeof(a->tag_name2)
                             : sizeof(a->tag_name);
                }
            }
        }
        else {
            n = tt_table_length(a, tag);
        }
        size += n;
    }
    *tail_empty = (n == 0);
    return size;
}

/* Let libharu 2.3.0 embed the font's program; see the comment atop this
 * file. Checksumming the program it has written, libharu seeks its scratch
 * memory stream to each table; when the program fills the stream's last
 * 4 KB buffer (HPDF_STREAM_BUF_SIZ) exactly and its last table, prep, is
 * empty (our subsets have no hinting), that seek is to the very end, which
 * HPDF_MemStream_SeekFunc() cannot do: error 0x1033 (HPDF_INVALID_OBJECT)
 * from HPDF_SaveToStream(). The size depends on the glyphs the document
 * draws; about one name in 300 made it. Then one more glyph is marked used,
 * the first unused one with an outline: a few dozen bytes more in the PDF,
 * and no longer a multiple. Sets pg->tt_expect[i], or -1 for a face without
 * an embedded TrueType program. */
static void tt_guard(page_t *pg, size_t i, HPDF_Font font)
{
    HPDF_TTFontDefAttr a = tt_attr(font);
    long size;
    int tail_empty;
    unsigned g;

    pg->tt_expect[i] = -1;
    if (a == NULL) {
        return;
    }
    size = (long)tt_body_size(a, &tail_empty) + pg->r->tt_adjust[i];
    if (tail_empty && size % HPDF_STREAM_BUF_SIZ == 0) {
        for (g = 1; g < a->num_glyphs; g++) {
            unsigned long n = tt_glyph_size(a, g);

            if (a->glyph_tbl.flgs[g] != 1 && n % HPDF_STREAM_BUF_SIZ != 0) {
                a->glyph_tbl.flgs[g] = 1;
                size += (long)n;
                break;
            }
        }
        if (g == a->num_glyphs) {
            invqr_log(INVQR_LOG_ERR,
                      "INVQR0093: PDF: no glyph left to pad font %s with; "
                      "libharu cannot embed it",
                      ((HPDF_FontAttr)font->attr)->fontdef->base_font);
            pg->rv = APR_EGENERAL;
            return;
        }
    }
    pg->tt_expect[i] = size;
}

static void tt_guard_all(page_t *pg)
{
    const face_t *faces[NFACES] = {&pg->regular, &pg->bold, &pg->code,
                                   &pg->fallback};
    size_t i;

    for (i = 0; i < NFACES; i++) {
        tt_guard(pg, i, faces[i]->font);
    }
}

/* After HPDF_SaveToStream(): did libharu write the sizes tt_guard()
 * expected? If a libharu build writes the tables differently, warn (once
 * per document and face) and learn the difference for the document's next
 * renders: only the glyphs vary from one render to the next. */
static void tt_check(page_t *pg)
{
    const face_t *faces[NFACES] = {&pg->regular, &pg->bold, &pg->code,
                                   &pg->fallback};
    size_t i;

    for (i = 0; i < NFACES; i++) {
        HPDF_TTFontDefAttr a = tt_attr(faces[i]->font);
        long got;

        if (a == NULL || pg->tt_expect[i] < 0) {
            continue;
        }
        got = (long)a->length1 - (long)TT_DIRECTORY;
        if (got != pg->tt_expect[i] && pg->r->tt_adjust[i] == 0) {
            invqr_log(INVQR_LOG_WARN,
                      "INVQR0094: PDF: libharu embedded %ld bytes of font "
                      "%s, %ld expected; check tt_body_size() against this "
                      "libharu",
                      got, ((HPDF_FontAttr)faces[i]->font->attr)
                               ->fontdef->base_font,
                      pg->tt_expect[i]);
        }
        pg->r->tt_adjust[i] += got - pg->tt_expect[i];
    }
}

/* ---- the page ------------------------------------------------------------- */

/* Languages of the text, for the structure (/Lang): the document is
 * Italian, its English parts say so. */
#define LANG_IT "it-IT"
#define LANG_EN "en-GB"

/* The heading, and the title a viewer shows */
#define TITLE "Attestazione dello status di invalidit\xC3\xA0 civile"

static HPDF_Dict elem(page_t *pg, HPDF_Dict parent, const char *type,
                      const char *lang)
{
    return invqr_pdf_tags_elem(&pg->tags, parent, type, lang);
}

static void rect(const page_t *pg, rgb_t c, double x, double y, double w,
                 double h)
{
    fill_color(pg, c);
    HPDF_Page_Rectangle(pg->page, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)w,
                        (HPDF_REAL)h);
    HPDF_Page_Fill(pg->page);
}

/* A rectangle that is decoration only (an artifact for assistive
 * technology). */
static void deco(page_t *pg, rgb_t c, double x, double y, double w, double h)
{
    invqr_pdf_tags_artifact(&pg->tags);
    rect(pg, c, x, y, w, h);
    invqr_pdf_tags_end(&pg->tags);
}

static void hrule(page_t *pg, double x, double y, double w)
{
    deco(pg, C_RULE, x, y, w, 0.75);
}

/* One line of text as the content of a new element of type under parent;
 * returns the element. */
static HPDF_Dict tagged_str(page_t *pg, HPDF_Dict parent, const char *type,
                            const char *lang, const face_t *f, double size,
                            rgb_t c, double x, double y, const char *s)
{
    HPDF_Dict e = elem(pg, parent, type, lang);

    invqr_pdf_tags_begin(&pg->tags, e);
    show_str(pg, f, size, c, x, y, s);
    invqr_pdf_tags_end(&pg->tags);
    return e;
}

/* A paragraph wrapped to width as one element. */
static void tagged_wrap(page_t *pg, HPDF_Dict parent, const char *type,
                        const char *lang, const face_t *f, double size,
                        rgb_t c, double leading, double x, double width,
                        double *py, const char *s)
{
    HPDF_Dict e = elem(pg, parent, type, lang);

    invqr_pdf_tags_begin(&pg->tags, e);
    wrap(pg, f, size, c, leading, x, width, py, s, 1);
    invqr_pdf_tags_end(&pg->tags);
}

static void draw_header(page_t *pg, const invqr_pdf_input_t *in)
{
    double base = PAGE_H - BAND_H / 2.0 - 3.5;
    const char *what = "Attestazione QR \xC2\xB7 QR attestation";
    HPDF_Dict e;

    deco(pg, C_BLUE, 0, PAGE_H - BAND_H, PAGE_W, BAND_H);
    if (in->issuer != NULL && in->issuer[0] != '\0') {
        const face_t *f = face_for(pg, &pg->bold, in->issuer);
        double size = fit_size(pg, f, 11.0, 7.0, CONTENT_W * 0.62,
                               in->issuer);

        tagged_str(pg, NULL, "P", NULL, f, size, C_WHITE, MARGIN, base,
                   in->issuer);
    }
    e = elem(pg, NULL, "P", NULL);
    invqr_pdf_tags_begin(&pg->tags, e);
    show_right(pg, &pg->regular, 9.0, C_WHITE, PAGE_W - MARGIN, base, what);
    invqr_pdf_tags_end(&pg->tags);
}

/* Title and subtitle; returns the y below them. */
static double draw_title(page_t *pg, double y)
{
    static const char title[] = TITLE;
    double size = fit_size(pg, &pg->bold, 20.0, 14.0, CONTENT_W, title);

    y -= size;
    tagged_str(pg, NULL, "H1", NULL, &pg->bold, size, C_DARK, MARGIN, y,
               title);
    y -= 18.0;
    tagged_str(pg, NULL, "P", LANG_EN, &pg->regular, 12.5, C_MUTED, MARGIN, y,
               "Civil invalidity status attestation");
    y -= 14.0;
    hrule(pg, MARGIN, y, CONTENT_W);
    return y;
}

/* A small-capital label as an element of type under parent. */
static HPDF_Dict label(page_t *pg, HPDF_Dict parent, const char *type,
                       double x, double y, const char *s)
{
    return tagged_str(pg, parent, type, NULL, &pg->regular, 7.5, C_MUTED, x,
                      y, s);
}

/* The dates as printed, DD/MM/YYYY; expires is "" when the code has none. */
typedef struct {
    char issued[11];
    char expires[11];
} dates_t;

/* Holder, fiscal code, issue date and, when the code has one, the last day
 * it is valid; returns the y below them. The name is a labelled paragraph;
 * the fiscal code and dates, a row of labels over a row of values, are a
 * table of one header row and one data row. */
static double draw_holder(page_t *pg, const invqr_pdf_input_t *in,
                          const dates_t *dates, double y)
{
    const char *name;
    const face_t *f;
    int expires = dates->expires[0] != '\0';
    double size, col2 = MARGIN + CONTENT_W * (expires ? 0.45 : 0.5),
           col3 = MARGIN + CONTENT_W * 0.72, y0;
    HPDF_Dict e, table, head, row;

    if (in->given_name[0] != '\0') {
        name = apr_pstrcat(pg->p, in->given_name, " ", in->surname, NULL);
    }
    else {
        name = in->surname;
    }
    y -= 20.0;
    label(pg, NULL, "P", MARGIN, y, "TITOLARE \xC2\xB7 HOLDER");
    f = face_for(pg, &pg->bold, name);
    size = fit_size(pg, f, 20.0, 12.0, CONTENT_W, name);
    y -= size + 4.0;
    y0 = y;
    e = elem(pg, NULL, "P", NULL);
    invqr_pdf_tags_begin(&pg->tags, e);
    if (text_width(pg, f, size, name, strlen(name)) <= CONTENT_W) {
        show_str(pg, f, size, C_TEXT, MARGIN, y, name);
    }
    else {
        double yy = y;

        wrap(pg, f, size, C_TEXT, size * 1.25, MARGIN, CONTENT_W, &yy, name,
             1);
        y = yy + size * 1.25;
        pg->name_extra = (y0 - y);
    }
    invqr_pdf_tags_end(&pg->tags);

    table = elem(pg, NULL, "Table", NULL);
    head = elem(pg, table, "TR", NULL);
    row = elem(pg, table, "TR", NULL);
    y -= 22.0;
    invqr_pdf_tags_scope(&pg->tags,
                         label(pg, head, "TH", MARGIN, y,
                               "CODICE FISCALE \xC2\xB7 FISCAL CODE"),
                         "Column");
    invqr_pdf_tags_scope(&pg->tags,
                         label(pg, head, "TH", col2, y,
                               expires ? "RILASCIO \xC2\xB7 ISSUED"
                                       : "DATA DI RILASCIO \xC2\xB7 ISSUE DATE"),
                         "Column");
    if (expires) {
        invqr_pdf_tags_scope(&pg->tags,
                             label(pg, head, "TH", col3, y,
                                   "VALIDO FINO AL \xC2\xB7 VALID UNTIL"),
                             "Column");
    }
    y -= 17.0;
    f = face_for(pg, &pg->bold, in->fiscal_code);
    tagged_str(pg, row, "TD", NULL, f,
               fit_size(pg, f, 14.0, 8.0, col2 - MARGIN - 8.0,
                        in->fiscal_code),
               C_TEXT, MARGIN, y, in->fiscal_code);
    tagged_str(pg, row, "TD", NULL, &pg->bold, 14.0, C_TEXT, col2, y,
               dates->issued);
    if (expires) {
        tagged_str(pg, row, "TD", NULL, &pg->bold, 14.0, C_TEXT, col3, y,
                   dates->expires);
    }
    return y;
}

/* The QR with its quiet zone, side points square, top-left at (x, top). */
/* One run of dark modules as a rectangle, in module units. */
static void add_module_run(void *baton, int row, int col, int len)
{
    HPDF_Page_Rectangle((HPDF_Page)baton, (HPDF_REAL)col, (HPDF_REAL)row, (HPDF_REAL)len, 1);
}

static void draw_qr(page_t *pg, const invqr_qr_t *qr, double x, double top,
                    double side)
{
    int w = invqr_qr_width(qr);
    double m = side / (double)(w + 2 * QR_QUIET);

    rect(pg, C_WHITE, x, top - side, side, side);
    HPDF_Page_GSave(pg->page);
    /* one unit per module, rows going down from the symbol's corner */
    HPDF_Page_Concat(pg->page, (HPDF_REAL)m, 0, 0, (HPDF_REAL)-m,
                     (HPDF_REAL)(x + QR_QUIET * m),
                     (HPDF_REAL)(top - QR_QUIET * m));
    fill_color(pg, C_BLACK);
    invqr_qr_runs(qr, add_module_run, pg->page);
    HPDF_Page_Fill(pg->page);
    HPDF_Page_GRestore(pg->page);
}

/* The QR as a figure whose alternative text says what it is and the
 * address it holds, in both languages. */
static void draw_qr_figure(page_t *pg, const invqr_pdf_input_t *in,
                           const invqr_qr_t *qr, double x, double top,
                           double side)
{
    HPDF_Dict fig = elem(pg, NULL, "Figure", NULL);
    const char *alt = apr_pstrcat(
        pg->p, "Codice QR: apre la verifica di questa attestazione "
               "all\xE2\x80\x99indirizzo ", in->url,
        " \xC2\xB7 QR code: opens the check of this attestation at ", in->url,
        NULL);

    invqr_pdf_tags_alt(&pg->tags, fig,
                       text_encode(pg, &pg->regular, alt, strlen(alt)),
                       HPDF_GetEncoder(pg->r->pdf, ENCODING_NAME));
    invqr_pdf_tags_bbox(&pg->tags, fig, x, top - side, x + side, top);
    invqr_pdf_tags_begin(&pg->tags, fig);
    draw_qr(pg, qr, x, top, side);
    invqr_pdf_tags_end(&pg->tags);
}

/* The card with the QR and the code; returns the y below it. */
static double draw_qr_card(page_t *pg, const invqr_pdf_input_t *in,
                           const invqr_qr_t *qr, double y)
{
    /* a name on more than one line takes its room from the QR */
    double side = QR_SIDE - pg->name_extra < QR_SIDE_MIN
                      ? QR_SIDE_MIN
                      : QR_SIDE - pg->name_extra;
    double top = y - 12.0, pad = 5.0 * MM;
    double card_h = pad + side + 44.0 + pad;
    double qx = (PAGE_W - side) / 2.0, cy;
    double code_size = fit_size(pg, &pg->code, 26.0, 12.0, CONTENT_W - 20.0,
                                in->code_grouped);
    HPDF_Dict e;

    invqr_pdf_tags_artifact(&pg->tags);
    rect(pg, C_RULE, MARGIN, top - card_h, CONTENT_W, card_h);
    rect(pg, C_CARD, MARGIN + 0.75, top - card_h + 0.75, CONTENT_W - 1.5,
         card_h - 1.5);
    invqr_pdf_tags_end(&pg->tags);
    draw_qr_figure(pg, in, qr, qx, top - pad, side);
    cy = top - pad - side - 14.0;
    e = elem(pg, NULL, "P", NULL);
    invqr_pdf_tags_begin(&pg->tags, e);
    show_centered(pg, &pg->regular, 7.5, C_MUTED, PAGE_W / 2.0, cy,
                  "CODICE DI VERIFICA \xC2\xB7 VERIFICATION CODE");
    invqr_pdf_tags_end(&pg->tags);
    cy -= code_size + 2.0;
    e = elem(pg, NULL, "P", NULL);
    invqr_pdf_tags_begin(&pg->tags, e);
    show_centered(pg, &pg->code, code_size, C_DARK, PAGE_W / 2.0, cy,
                  in->code_grouped);
    invqr_pdf_tags_end(&pg->tags);
    return top - card_h;
}

/* A heading and a numbered list (H2, then L of LI, each a Lbl and an
 * LBody), in language lang; returns the y below it. */
static double draw_steps(page_t *pg, double x, double width, double y,
                         const char *lang, const char *heading,
                         const char *const *steps, size_t n)
{
    const double size = 8.8, leading = 11.6, indent = 13.0;
    HPDF_Dict list, item;
    size_t i;

    tagged_str(pg, NULL, "H2", lang, &pg->bold, 10.5, C_BLUE, x, y, heading);
    list = elem(pg, NULL, "L", lang);
    y -= 16.0;
    for (i = 0; i < n; i++) {
        char num[24];

        snprintf(num, sizeof(num), "%zu.", i + 1);
        item = elem(pg, list, "LI", NULL);
        tagged_str(pg, item, "Lbl", NULL, &pg->bold, size, C_DARK, x, y, num);
        tagged_wrap(pg, item, "LBody", NULL, &pg->regular, size, C_TEXT,
                    leading, x + indent, width - indent, &y, steps[i]);
        y -= 3.0;
    }
    return y;
}

static double draw_instructions(page_t *pg, const invqr_pdf_input_t *in,
                                double y)
{
    const char *it[4], *en[4];
    double colw = (CONTENT_W - 8.0 * MM) / 2.0, y1, y2;

    if (in->verify_url != NULL && in->verify_url[0] != '\0') {
        it[0] = apr_pstrcat(pg->p,
                            "Inquadrare il codice QR con la fotocamera di un "
                            "qualsiasi telefono, oppure aprire la pagina ",
                            in->verify_url,
                            " e digitare il codice di verifica.", NULL);
        en[0] = apr_pstrcat(pg->p,
                            "Scan the QR code with any phone camera, or open "
                            "the page ",
                            in->verify_url, " and type the verification code.",
                            NULL);
    }
    else {
        it[0] = "Inquadrare il codice QR con la fotocamera di un qualsiasi "
                "telefono, oppure aprire la pagina /verify del servizio e "
                "digitare il codice di verifica.";
        en[0] = "Scan the QR code with any phone camera, or open the /verify "
                "page of the service and type the verification code.";
    }
    it[1] = "Digitare il codice fiscale del titolare, letto dalla sua "
            "tessera sanitaria.";
    it[2] = "Il primo livello mostra solo il nome e le categorie dello "
            "status, come s\xC3\xAC/no.";
    it[3] = "Chiedere un documento d\xE2\x80\x99identit\xC3\xA0 per accertare "
            "che chi presenta l\xE2\x80\x99" "attestazione ne sia il "
            "titolare.";
    en[1] = "Type the holder\xE2\x80\x99s fiscal code, read from their "
            "health card.";
    en[2] = "The first level shows only the name and the status categories, "
            "as yes/no.";
    en[3] = "Ask for an identity document to make sure that the person "
            "showing the attestation is its holder.";

    y -= 24.0;
    y1 = draw_steps(pg, MARGIN, colw, y, NULL, "Per chi verifica", it, 4);
    y2 = draw_steps(pg, MARGIN + colw + 8.0 * MM, colw, y, LANG_EN,
                    "For verifiers", en, 4);
    return y1 < y2 ? y1 : y2;
}

/* The online note, in a tinted box with a blue edge; returns the y below. */
static double draw_note(page_t *pg, double y)
{
    static const char it[] =
        "L\xE2\x80\x99" "attestazione mostra lo status al momento della "
        "verifica, online: il risultato riflette sempre i dati correnti.";
    static const char en[] =
        "The attestation shows the status at the moment of the check, "
        "online: the result always reflects the current records.";
    const double size = 8.8, leading = 11.6, pad = 8.0;
    double x = MARGIN + 4.0 + pad, w = CONTENT_W - 4.0 - 2.0 * pad;
    double probe = 0, h, top = y - 6.0, yy;
    int lines;

    lines = wrap(pg, &pg->bold, size, C_TEXT, leading, x, w, &probe, it, 0);
    lines += wrap(pg, &pg->regular, size, C_TEXT, leading, x, w, &probe, en,
                  0);
    h = 2.0 * pad + lines * leading;
    invqr_pdf_tags_artifact(&pg->tags);
    rect(pg, C_NOTE, MARGIN, top - h, CONTENT_W, h);
    rect(pg, C_BLUE, MARGIN, top - h, 4.0, h);
    invqr_pdf_tags_end(&pg->tags);
    yy = top - pad - size + 1.0;
    tagged_wrap(pg, NULL, "P", NULL, &pg->bold, size, C_TEXT, leading, x, w,
                &yy, it);
    tagged_wrap(pg, NULL, "P", LANG_EN, &pg->regular, size, C_TEXT, leading,
                x, w, &yy, en);
    return top - h;
}

/* What the document shows and what it does not, at the foot of the page
 * above a rule, the last baseline 10 mm from the bottom edge. */
static void draw_footer(page_t *pg)
{
    static const char it[] =
        "Questo documento attesta lo status di invalidit\xC3\xA0 civile del "
        "titolare e mostra solo nome, codice fiscale e date del codice. Non "
        "riporta il verbale, le diagnosi n\xC3\xA9 la percentuale: chi "
        "verifica vede il nome e le categorie riconosciute (s\xC3\xAC/no); "
        "giudizio sanitario e percentuale li vede solo un operatore "
        "autorizzato, con il consenso del titolare.";
    static const char en[] =
        "This document attests the holder\xE2\x80\x99s civil invalidity "
        "status and shows only the name, fiscal code and the code\xE2\x80\x99s "
        "dates. It carries no medical report, diagnosis or percentage: a "
        "verifier sees the name and the recognised categories (yes/no); the "
        "medical judgment and percentage are shown only to an authorised "
        "operator, with the holder\xE2\x80\x99s consent.";
    const double size = 7.0, leading = 8.8;
    double probe = 0, y;
    int lines;

    lines = wrap(pg, &pg->regular, size, C_MUTED, leading, MARGIN, CONTENT_W,
                 &probe, it, 0);
    lines += wrap(pg, &pg->regular, size, C_MUTED, leading, MARGIN,
                  CONTENT_W, &probe, en, 0);
    y = 10.0 * MM + (lines - 1) * leading;
    hrule(pg, MARGIN, y + size + 4.0, CONTENT_W);
    tagged_wrap(pg, NULL, "P", NULL, &pg->regular, size, C_MUTED, leading,
                MARGIN, CONTENT_W, &y, it);
    tagged_wrap(pg, NULL, "P", LANG_EN, &pg->regular, size, C_MUTED, leading,
                MARGIN, CONTENT_W, &y, en);
}

/* Title, Subject, Author, Creator and creation date (the structure sets
 * /Lang, /MarkInfo and the viewer's preference for the title). */
static void set_metadata(page_t *pg, const invqr_pdf_input_t *in)
{
    HPDF_Doc pdf = pg->r->pdf;
    const char *author = (in->issuer != NULL && in->issuer[0] != '\0')
                             ? in->issuer
                             : "invqr";
    HPDF_Date d;
    struct tm tm;
    time_t now = time(NULL);

    /* info strings go out as UTF-16BE through the current encoder */
    HPDF_SetCurrentEncoder(pdf, ENCODING_NAME);
#define INFO(type, s) \
    HPDF_SetInfoAttr(pdf, (type), text_encode(pg, &pg->regular, (s), strlen(s)))
    INFO(HPDF_INFO_TITLE, TITLE);
    INFO(HPDF_INFO_SUBJECT,
         "Attestazione QR dello status di invalidit\xC3\xA0 civile \xE2\x80\x93 "
         "Civil invalidity status attestation");
    INFO(HPDF_INFO_AUTHOR, author);
    INFO(HPDF_INFO_CREATOR, "invqr");
#undef INFO
    if (gmtime_r(&now, &tm) != NULL) {
        memset(&d, 0, sizeof(d));
        d.year = tm.tm_year + 1900;
        d.month = tm.tm_mon + 1;
        d.day = tm.tm_mday;
        d.hour = tm.tm_hour;
        d.minutes = tm.tm_min;
        d.seconds = tm.tm_sec;
        d.ind = 'Z';
        HPDF_SetInfoDateAttr(pdf, HPDF_INFO_CREATION_DATE, d);
    }
}

static void compose(page_t *pg, const invqr_pdf_input_t *in,
                    const invqr_qr_t *qr, const dates_t *dates)
{
    HPDF_Doc pdf = pg->r->pdf;
    double y;

    if (HPDF_NewDoc(pdf) != HPDF_OK) {
        pg->rv = APR_EGENERAL;
        return;
    }
    HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
    open_fonts(pg);
    if (pg->rv != APR_SUCCESS) {
        return;
    }
    set_metadata(pg, in);
    pg->page = HPDF_AddPage(pdf);
    if (pg->page == NULL) {
        pg->rv = APR_EGENERAL;
        return;
    }
    HPDF_Page_SetSize(pg->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    invqr_pdf_tags_init(&pg->tags, pdf, pg->page, LANG_IT);
    invqr_pdf_tags_xmp(&pg->tags, TITLE, LANG_IT);

    /* drawn in reading order, which the structure follows */
    draw_header(pg, in);
    y = draw_title(pg, PAGE_H - BAND_H - 10.0 * MM);
    y = draw_holder(pg, in, dates, y);
    y = draw_qr_card(pg, in, qr, y - 6.0);
    y = draw_instructions(pg, in, y);
    draw_note(pg, y);
    draw_footer(pg);
    invqr_pdf_tags_finish(&pg->tags);
    if (pg->tags.failed && pg->rv == APR_SUCCESS) {
        /* an untagged or half-tagged PDF is not handed out */
        invqr_log(INVQR_LOG_ERR,
                  "INVQR0098: PDF: cannot build the tagged structure (%d "
                  "marked-content sequences made)",
                  pg->tags.next_mcid);
        pg->rv = APR_EGENERAL;
    }
    set_tounicode(pg);
    tt_guard_all(pg);
}

/* ---- input ---------------------------------------------------------------- */

/* Valid UTF-8 text of at most max_cp code points and INVQR_PDF_MAX_FIELD
 * bytes, no control characters; empty allowed when allow_empty. */
static int text_ok(const char *s, long max_cp, int allow_empty)
{
    size_t len;
    long n;

    if (s == NULL) {
        return 0;
    }
    len = strnlen(s, INVQR_PDF_MAX_FIELD + 1);
    if (len > INVQR_PDF_MAX_FIELD || (len == 0 && !allow_empty)) {
        return 0;
    }
    n = invqr_utf8_count_text(s, len, 0);
    return n >= 0 && n <= max_cp;
}

static int code_ok(const char *s)
{
    size_t i, len;

    if (s == NULL) {
        return 0;
    }
    len = strnlen(s, 33);
    if (len == 0 || len > 32) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        char c = s[i];

        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == '-')) {
            return 0;
        }
    }
    return 1;
}

/* YYYY-MM-DD to DD/MM/YYYY. */
static int date_ok(char out[11], const char *s)
{
    int i, month, day;

    if (s == NULL || strnlen(s, 11) != 10) {
        return 0;
    }
    for (i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-') {
                return 0;
            }
        }
        else if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    month = (s[5] - '0') * 10 + (s[6] - '0');
    day = (s[8] - '0') * 10 + (s[9] - '0');
    if (month < 1 || month > 12 || day < 1 || day > 31) {
        return 0;
    }
    memcpy(out, s + 8, 2);
    out[2] = '/';
    memcpy(out + 3, s + 5, 2);
    out[5] = '/';
    memcpy(out + 6, s, 4);
    out[10] = '\0';
    return 1;
}

static apr_status_t check_input(const invqr_pdf_input_t *in, dates_t *dates)
{
    dates->expires[0] = '\0';
    if (in == NULL || in->url == NULL || in->url[0] == '\0' ||
        strnlen(in->url, INVQR_QR_MAX_INPUT + 1) > INVQR_QR_MAX_INPUT ||
        in->font_dir == NULL || in->font_dir[0] == '\0' ||
        strnlen(in->font_dir, PATH_MAX) > PATH_MAX - 64 ||
        !code_ok(in->code_grouped) || !text_ok(in->given_name, 100, 1) ||
        !text_ok(in->surname, 100, 0) ||
        !text_ok(in->fiscal_code, INVQR_FISCAL_LEN, 0) ||
        !date_ok(dates->issued, in->issue_date) ||
        (in->expiry_date != NULL && !date_ok(dates->expires, in->expiry_date)) ||
        (in->verify_url != NULL && !text_ok(in->verify_url, 200, 1)) ||
        (in->issuer != NULL && !text_ok(in->issuer, 200, 1))) {
        return APR_EINVAL;
    }
    return APR_SUCCESS;
}

/* ---- entry point ---------------------------------------------------------- */

apr_status_t invqr_pdf_render(const char **pout, apr_size_t *plen,
                              const invqr_pdf_input_t *in, apr_pool_t *p)
{
    apr_status_t rv;
    apr_pool_t *sp = NULL;
    renderer_t *r = NULL;
    invqr_qr_t *qr = NULL;
    page_t pg;
    dates_t dates;
    HPDF_UINT32 size, got;
    char *buf;

    *pout = NULL;
    *plen = 0;
    rv = check_input(in, &dates);
    if (rv != APR_SUCCESS) {
        goto out;
    }
    rv = apr_pool_create(&sp, p);
    if (rv != APR_SUCCESS) {
        goto out;
    }
    rv = invqr_qr_encode(&qr, in->url, sp);
    if (rv != APR_SUCCESS) {
        rv = (rv == APR_ENOMEM) ? rv : APR_EINVAL;
        goto out;
    }
    rv = renderer_checkout(&r, in);
    if (rv != APR_SUCCESS) {
        goto out;
    }
    /* from here the subpool's destruction gives r back */
    apr_pool_cleanup_register(sp, r, renderer_release,
                              apr_pool_cleanup_null);

    memset(&pg, 0, sizeof(pg));
    pg.r = r;
    pg.p = sp;
    pg.rv = APR_SUCCESS;
    compose(&pg, in, qr, &dates);
    if (pg.rv != APR_SUCCESS || r->hpdf_error != 0) {
        rv = APR_EGENERAL;
        goto out;
    }

    if (HPDF_SaveToStream(r->pdf) != HPDF_OK) {
        rv = APR_EGENERAL;
        goto out;
    }
    tt_check(&pg);
    size = HPDF_GetStreamSize(r->pdf);
    if (size == 0) {
        rv = APR_EGENERAL;
        goto out;
    }
    if (size > INVQR_PDF_MAX_SIZE) {
        rv = APR_ENOSPC;
        goto out;
    }
    buf = apr_palloc(p, size);
    got = size;
    if (HPDF_ResetStream(r->pdf) != HPDF_OK ||
        HPDF_ReadFromStream(r->pdf, (HPDF_BYTE *)buf, &got) != HPDF_OK ||
        got != size) {
        rv = APR_EGENERAL;
        goto out;
    }
    *pout = buf;
    *plen = size;

out:
    if (r != NULL && r->hpdf_error != 0) {
        log_hpdf(r, "rendering the attestation");
    }
    if (sp != NULL) {
        apr_pool_destroy(sp);
    }
    return rv;
}
