/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the libharu mechanics of the attestation PDF (invqr_pdf_draw.h).
 *
 * Fast with any Latin name: about 3-5 ms of CPU per fresh PDF, several
 * hundred PDFs/s on two cores; docs/performance.md has the measurements
 * of each approach tried and why this one was chosen.
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
 * bytes); after saving, invqr_pdf_tt_check() compares with what libharu wrote and, on
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
#include <unistd.h>

#include <apr_strings.h>

#include <hpdf.h>
#include <hpdf_conf.h>
#include <hpdf_encoder.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>

#include "invqr_log.h"
#include "invqr_pdf.h"
#include "invqr_pdf_draw.h"
#include "invqr_pdf_tags.h"
#include "invqr_utf8.h"

#if HPDF_VERSION_ID < 20300 || HPDF_VERSION_ID >= 20400
/* see build_encoder() and tt_body_size() */
#error "invqr_pdf_draw.c relies on libharu 2.3.x internals; check the encoder code"
#endif

/* ---- the Latin encoder -------------------------------------------------- */

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

/* Cached documents kept idle per process. */
#define POOL_MAX_IDLE 64


static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static invqr_pdf_renderer_t *pool_idle;   /* guarded by pool_lock */
static unsigned pool_nidle;     /* guarded by pool_lock */
static unsigned pool_generation; /* guarded by pool_lock */

static void on_hpdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no,
                          void *user_data)
{
    invqr_pdf_renderer_t *r = user_data;

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
static long latin_index(const invqr_pdf_renderer_t *r, uint32_t u)
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
static apr_status_t build_encoder(invqr_pdf_renderer_t *r)
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
            if (r->ncps == INVQR_PDF_MAX_LATIN) {
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

    enc = HPDF_CMapEncoder_New(r->pdf->mmgr, (char *)INVQR_PDF_ENCODING,
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
     * CMap it generates under /ToUnicode, which invqr_pdf_set_tounicode() replaces */
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

static void renderer_free(invqr_pdf_renderer_t *r)
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

void invqr_pdf_log_hpdf(const invqr_pdf_renderer_t *r, const char *what)
{
    invqr_log(INVQR_LOG_ERR,
              "INVQR0090: PDF: libharu error 0x%04lX (detail %lu) %s",
              (unsigned long)r->hpdf_error, (unsigned long)r->hpdf_detail,
              what);
}

static const char *load_font(invqr_pdf_renderer_t *r, const char *file)
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
        invqr_pdf_log_hpdf(r, what);
    }
    return name;
}

static apr_status_t renderer_create(invqr_pdf_renderer_t **pout, const char *font_dir,
                                    const char *fallback, unsigned generation)
{
    apr_status_t rv = APR_SUCCESS;
    invqr_pdf_renderer_t *r;

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
        invqr_pdf_log_hpdf(r, "building the Latin encoder");
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
apr_status_t invqr_pdf_renderer_checkout(invqr_pdf_renderer_t **pout,
                                      const invqr_pdf_input_t *in)
{
    invqr_pdf_renderer_t *r = NULL, **pp;
    pid_t pid = getpid();
    unsigned generation;

    *pout = NULL;
    pthread_mutex_lock(&pool_lock);
    generation = pool_generation;
    pp = &pool_idle;
    while (*pp != NULL) {
        invqr_pdf_renderer_t *c = *pp;

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
apr_status_t invqr_pdf_renderer_release(void *data)
{
    invqr_pdf_renderer_t *r = data, *evicted = NULL;
    int keep = 0;

    if (!r->broken && r->pid == getpid()) {
        HPDF_FreeDoc(r->pdf);
        pthread_mutex_lock(&pool_lock);
        if (r->generation == pool_generation) {
            if (pool_nidle == POOL_MAX_IDLE) {
                /* full (of documents for other fonts, say): drop the one
                 * idle longest, at the tail */
                invqr_pdf_renderer_t **pp = &pool_idle;

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
    invqr_pdf_renderer_t *list;

    pthread_mutex_lock(&pool_lock);
    list = pool_idle;
    pool_idle = NULL;
    pool_nidle = 0;
    pool_generation++;
    pthread_mutex_unlock(&pool_lock);
    while (list != NULL) {
        invqr_pdf_renderer_t *next = list->next;

        renderer_free(list);
        list = next;
    }
}

/* ---- text ----------------------------------------------------------------- */

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
static uint32_t face_cp(const invqr_pdf_page_t *pg, const invqr_pdf_face_t *f, uint32_t u)
{
    switch (f->kind) {
    case INVQR_PDF_FACE_LATIN:
        return latin_index(pg->r, u) >= 0 ? u : '?';
    case INVQR_PDF_FACE_UTF8:
        return (u >= 0x20 && u <= 0xFFFF && u != 0xFFFD &&
                !(u >= 0xD800 && u <= 0xDFFF))
                   ? u
                   : '?';
    case INVQR_PDF_FACE_ASCII:
    default:
        return (u >= 0x20 && u < 0x7F) ? u : '?';
    }
}

double invqr_pdf_text_width(const invqr_pdf_page_t *pg, const invqr_pdf_face_t *f, double size,
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

static void note_fallback_cp(invqr_pdf_page_t *pg, uint32_t u)
{
    size_t i;

    for (i = 0; i < pg->nfb_used; i++) {
        if (pg->fb_used[i] == u) {
            return;
        }
    }
    if (pg->nfb_used < INVQR_PDF_MAX_FALLBACK_CPS) {
        pg->fb_used[pg->nfb_used++] = (uint16_t)u;
    }
}

/* s[0..len) as the bytes the face's font takes, NUL-terminated, from the
 * scratch pool; notes what it draws for the ToUnicode maps. */
const char *invqr_pdf_text_encode(invqr_pdf_page_t *pg, const invqr_pdf_face_t *f,
                               const char *s, size_t len)
{
    char *out, *o;
    size_t i = 0;

    /* at most two output bytes per input byte, or the same UTF-8 */
    out = apr_palloc(pg->p, 2 * len + 1);
    o = out;
    while (i < len) {
        uint32_t u = face_cp(pg, f, utf8_next(s, len, &i));

        if (f->kind == INVQR_PDF_FACE_UTF8) {
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
        else if (f->kind == INVQR_PDF_FACE_ASCII) {
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

void invqr_pdf_fill_color(const invqr_pdf_page_t *pg, invqr_pdf_rgb_t c)
{
    HPDF_Page_SetRGBFill(pg->page, (HPDF_REAL)c.r, (HPDF_REAL)c.g,
                         (HPDF_REAL)c.b);
}

static void show(invqr_pdf_page_t *pg, const invqr_pdf_face_t *f, double size, invqr_pdf_rgb_t c,
                 double x, double y, const char *s, size_t len)
{
    if (len == 0) {
        return;
    }
    invqr_pdf_fill_color(pg, c);
    HPDF_Page_BeginText(pg->page);
    HPDF_Page_SetFontAndSize(pg->page, f->font, (HPDF_REAL)size);
    HPDF_Page_TextOut(pg->page, (HPDF_REAL)x, (HPDF_REAL)y,
                      invqr_pdf_text_encode(pg, f, s, len));
    HPDF_Page_EndText(pg->page);
}

void invqr_pdf_show_str(invqr_pdf_page_t *pg, const invqr_pdf_face_t *f, double size, invqr_pdf_rgb_t c,
                     double x, double y, const char *s)
{
    show(pg, f, size, c, x, y, s, strlen(s));
}

void invqr_pdf_show_centered(invqr_pdf_page_t *pg, const invqr_pdf_face_t *f, double size,
                          invqr_pdf_rgb_t c, double cx, double y, const char *s)
{
    double w = invqr_pdf_text_width(pg, f, size, s, strlen(s));

    invqr_pdf_show_str(pg, f, size, c, cx - w / 2.0, y, s);
}

void invqr_pdf_show_right(invqr_pdf_page_t *pg, const invqr_pdf_face_t *f, double size,
                       invqr_pdf_rgb_t c, double right, double y, const char *s)
{
    double w = invqr_pdf_text_width(pg, f, size, s, strlen(s));

    invqr_pdf_show_str(pg, f, size, c, right - w, y, s);
}

/* The largest size in [min, max] at which s fits width, or min. */
double invqr_pdf_fit_size(const invqr_pdf_page_t *pg, const invqr_pdf_face_t *f, double max,
                       double min, double width, const char *s)
{
    double w1 = invqr_pdf_text_width(pg, f, 1.0, s, strlen(s));
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
int invqr_pdf_wrap(invqr_pdf_page_t *pg, const invqr_pdf_face_t *f, double size, invqr_pdf_rgb_t c,
                double leading, double x, double width, double *py,
                const char *s, int draw)
{
    size_t len = strlen(s), i = 0, ls = 0, le = 0;
    double space = invqr_pdf_text_width(pg, f, size, " ", 1), lw = 0;
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
        ww = invqr_pdf_text_width(pg, f, size, s + ws, we - ws);
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
                w1 = invqr_pdf_text_width(pg, f, size, s + k, k2 - k);
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
static void write_tounicode(invqr_pdf_page_t *pg, HPDF_Font font,
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
void invqr_pdf_set_tounicode(invqr_pdf_page_t *pg)
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

void invqr_pdf_open_fonts(invqr_pdf_page_t *pg)
{
    HPDF_Doc pdf = pg->r->pdf;

    pg->regular.font = HPDF_GetFont(pdf, pg->r->f_regular, INVQR_PDF_ENCODING);
    pg->regular.kind = INVQR_PDF_FACE_LATIN;
    pg->bold.font = HPDF_GetFont(pdf, pg->r->f_bold, INVQR_PDF_ENCODING);
    pg->bold.kind = INVQR_PDF_FACE_LATIN;
    pg->code.font = HPDF_GetFont(pdf, pg->r->f_code, HPDF_ENCODING_WIN_ANSI);
    pg->code.kind = INVQR_PDF_FACE_ASCII;
    if (pg->regular.font == NULL || pg->bold.font == NULL ||
        pg->code.font == NULL) {
        pg->rv = APR_EGENERAL;
    }
}

/* The face to draw s in: base, or the fallback font when base lacks one of
 * its letters and a fallback is configured and readable. */
const invqr_pdf_face_t *invqr_pdf_face_for(invqr_pdf_page_t *pg, const invqr_pdf_face_t *base, const char *s)
{
    invqr_pdf_renderer_t *r = pg->r;
    size_t len = strlen(s), i = 0;
    int missing = 0;

    if (base->kind != INVQR_PDF_FACE_LATIN) {
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
    pg->fallback.kind = INVQR_PDF_FACE_UTF8;
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
static void tt_guard(invqr_pdf_page_t *pg, size_t i, HPDF_Font font)
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

void invqr_pdf_tt_guard_all(invqr_pdf_page_t *pg)
{
    const invqr_pdf_face_t *faces[INVQR_PDF_NFACES] = {&pg->regular, &pg->bold, &pg->code,
                                   &pg->fallback};
    size_t i;

    for (i = 0; i < INVQR_PDF_NFACES; i++) {
        tt_guard(pg, i, faces[i]->font);
    }
}

/* After HPDF_SaveToStream(): did libharu write the sizes tt_guard()
 * expected? If a libharu build writes the tables differently, warn (once
 * per document and face) and learn the difference for the document's next
 * renders: only the glyphs vary from one render to the next. */
void invqr_pdf_tt_check(invqr_pdf_page_t *pg)
{
    const invqr_pdf_face_t *faces[INVQR_PDF_NFACES] = {&pg->regular, &pg->bold, &pg->code,
                                   &pg->fallback};
    size_t i;

    for (i = 0; i < INVQR_PDF_NFACES; i++) {
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
