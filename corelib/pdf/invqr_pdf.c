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
 * The drawing itself - libharu documents kept in a pool, the fonts, the Latin
 * encoder, text measured and wrapped - is invqr_pdf_draw.c (invqr_pdf_draw.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apr_strings.h>

#include <hpdf.h>

#include "invqr_fiscal.h"
#include "invqr_log.h"
#include "invqr_pdf.h"
#include "invqr_pdf_draw.h"
#include "invqr_pdf_tags.h"
#include "invqr_qr.h"
#include "invqr_utf8.h"

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


static const invqr_pdf_rgb_t C_BLUE = {0.0, 0.4, 0.8};          /* #0066CC */
static const invqr_pdf_rgb_t C_DARK = {0.090, 0.196, 0.302};    /* #17324D */
static const invqr_pdf_rgb_t C_TEXT = {0.10, 0.10, 0.10};
static const invqr_pdf_rgb_t C_MUTED = {0.361, 0.435, 0.510};   /* #5C6F82 */
static const invqr_pdf_rgb_t C_RULE = {0.851, 0.855, 0.859};    /* #D9DADB */
static const invqr_pdf_rgb_t C_CARD = {0.953, 0.961, 0.973};
static const invqr_pdf_rgb_t C_NOTE = {0.910, 0.945, 0.984};
static const invqr_pdf_rgb_t C_WHITE = {1.0, 1.0, 1.0};
static const invqr_pdf_rgb_t C_BLACK = {0.0, 0.0, 0.0};

/* ---- the page ------------------------------------------------------------- */

/* Languages of the text, for the structure (/Lang): the document is
 * Italian, its English parts say so. */
#define LANG_IT "it-IT"

/*
 * Every word is printed twice: Italian, the language of the administration,
 * then the holder's other language, English or German (the bilingual
 * Province of Bolzano). Italian addresses the verifier with "lei", as every
 * page of the service does; instructions are never infinitives.
 */
typedef struct {
    const char *lang;                  /* BCP 47, for the tagged structure */
    const char *strap, *subtitle, *holder, *fiscal_code, *issued, *issue_date,
               *valid_until, *verification_code, *verifiers;
    const char *step0_before, *step0_after, *step0_plain, *step1, *step2, *step3;
    const char *note, *footer;
} second_t;

static const second_t SECOND_EN = {
    "en-GB", "QR attestation", "Civil invalidity status attestation", "HOLDER",
    "TAX CODE", "ISSUED", "ISSUE DATE", "VALID UNTIL", "VERIFICATION CODE", "For verifiers",
    "Scan the QR code with any phone camera, or open the page ",
    " and type the verification code.",
    "Scan the QR code with any phone camera, or open the /verify page of the service and type "
    "the verification code.",
    "Type the holder\xE2\x80\x99s tax code (codice fiscale), read from their health card.",
    "The first level shows only the name and the status categories, as yes/no.",
    "Ask for an identity document to make sure that the person showing the attestation is its "
    "holder.",
    "The attestation shows the status at the moment of the check, online: the result always "
    "reflects the current records.",
    "This document attests the holder\xE2\x80\x99s civil invalidity status and shows only the "
    "name, tax code and the code\xE2\x80\x99s dates. It carries no medical report, diagnosis "
    "or percentage: a verifier sees the name and the recognised categories (yes/no); the "
    "medical judgment and percentage are shown only to an authorised operator, with the "
    "holder\xE2\x80\x99s consent.",
};

static const second_t SECOND_DE = {
    "de-DE", "QR-Bescheinigung", "Bescheinigung des Status der Zivilinvalidit\xC3\xA4t",
    "INHABER/IN", "STEUERNUMMER", "AUSGESTELLT", "AUSGESTELLT AM", "G\xC3\x9CLTIG BIS",
    "PR\xC3\x9C" "FCODE", "F\xC3\xBCr Pr\xC3\xBC" "fende",
    "QR-Code mit einer Handykamera scannen oder die Seite ",
    " \xC3\xB6" "ffnen und den Pr\xC3\xBC" "fcode eingeben.",
    "QR-Code mit einer Handykamera scannen oder die Seite /verify \xC3\xB6" "ffnen und den "
    "Pr\xC3\xBC" "fcode eingeben.",
    "Steuernummer (codice fiscale) von der Gesundheitskarte der Person eingeben.",
    "Die erste Stufe zeigt nur Namen und Kategorien, als Ja/Nein.",
    "Mit einem Ausweis pr\xC3\xBC" "fen, dass die Person Inhaber/in ist.",
    "Zeigt den Status zum Zeitpunkt der Pr\xC3\xBC" "fung, online, nach den aktuellen Daten.",
    "Bescheinigt den Status der Zivilinvalidit\xC3\xA4t; zeigt nur Namen, Steuernummer und "
    "Daten des Codes, keinen Bescheid, keine Diagnose, keinen Grad. Pr\xC3\xBC" "fende sehen "
    "Namen und Kategorien (Ja/Nein); Beurteilung und Grad nur berechtigte Sachbearbeiter, mit "
    "Zustimmung der Person.",
};

static const second_t *second_of(const invqr_pdf_input_t *in)
{
    return in->lang2 != NULL && strcmp(in->lang2, "de") == 0 ? &SECOND_DE : &SECOND_EN;
}

/* The heading, and the title a viewer shows */
#define TITLE "Attestazione dello status di invalidit\xC3\xA0 civile"

static HPDF_Dict elem(invqr_pdf_page_t *pg, HPDF_Dict parent, const char *type,
                      const char *lang)
{
    return invqr_pdf_tags_elem(&pg->tags, parent, type, lang);
}

static void rect(const invqr_pdf_page_t *pg, invqr_pdf_rgb_t c, double x, double y, double w,
                 double h)
{
    invqr_pdf_fill_color(pg, c);
    HPDF_Page_Rectangle(pg->page, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)w,
                        (HPDF_REAL)h);
    HPDF_Page_Fill(pg->page);
}

/* A rectangle that is decoration only (an artifact for assistive
 * technology). */
static void deco(invqr_pdf_page_t *pg, invqr_pdf_rgb_t c, double x, double y, double w, double h)
{
    invqr_pdf_tags_artifact(&pg->tags);
    rect(pg, c, x, y, w, h);
    invqr_pdf_tags_end(&pg->tags);
}

static void hrule(invqr_pdf_page_t *pg, double x, double y, double w)
{
    deco(pg, C_RULE, x, y, w, 0.75);
}

/* One line of text as the content of a new element of type under parent;
 * returns the element. */
static HPDF_Dict tagged_str(invqr_pdf_page_t *pg, HPDF_Dict parent, const char *type,
                            const char *lang, const invqr_pdf_face_t *f, double size,
                            invqr_pdf_rgb_t c, double x, double y, const char *s)
{
    HPDF_Dict e = elem(pg, parent, type, lang);

    invqr_pdf_tags_begin(&pg->tags, e);
    invqr_pdf_show_str(pg, f, size, c, x, y, s);
    invqr_pdf_tags_end(&pg->tags);
    return e;
}

/* A paragraph wrapped to width as one element. */
static void tagged_wrap(invqr_pdf_page_t *pg, HPDF_Dict parent, const char *type,
                        const char *lang, const invqr_pdf_face_t *f, double size,
                        invqr_pdf_rgb_t c, double leading, double x, double width,
                        double *py, const char *s)
{
    HPDF_Dict e = elem(pg, parent, type, lang);

    invqr_pdf_tags_begin(&pg->tags, e);
    invqr_pdf_wrap(pg, f, size, c, leading, x, width, py, s, 1);
    invqr_pdf_tags_end(&pg->tags);
}

static void draw_header(invqr_pdf_page_t *pg, const invqr_pdf_input_t *in)
{
    double base = PAGE_H - BAND_H / 2.0 - 3.5;
    const char *what = apr_pstrcat(pg->p, "Attestazione QR \xC2\xB7 ", second_of(in)->strap, NULL);
    HPDF_Dict e;

    deco(pg, C_BLUE, 0, PAGE_H - BAND_H, PAGE_W, BAND_H);
    if (in->issuer != NULL && in->issuer[0] != '\0') {
        const invqr_pdf_face_t *f = invqr_pdf_face_for(pg, &pg->bold, in->issuer);
        double size = invqr_pdf_fit_size(pg, f, 11.0, 7.0, CONTENT_W * 0.62,
                               in->issuer);

        tagged_str(pg, NULL, "P", NULL, f, size, C_WHITE, MARGIN, base,
                   in->issuer);
    }
    e = elem(pg, NULL, "P", NULL);
    invqr_pdf_tags_begin(&pg->tags, e);
    invqr_pdf_show_right(pg, &pg->regular, 9.0, C_WHITE, PAGE_W - MARGIN, base, what);
    invqr_pdf_tags_end(&pg->tags);
}

/* Title and subtitle; returns the y below them. */
static double draw_title(invqr_pdf_page_t *pg, const second_t *two, double y)
{
    static const char title[] = TITLE;
    double size = invqr_pdf_fit_size(pg, &pg->bold, 20.0, 14.0, CONTENT_W, title);

    y -= size;
    tagged_str(pg, NULL, "H1", NULL, &pg->bold, size, C_DARK, MARGIN, y,
               title);
    y -= 18.0;
    tagged_str(pg, NULL, "P", two->lang, &pg->regular, 12.5, C_MUTED, MARGIN, y, two->subtitle);
    y -= 14.0;
    hrule(pg, MARGIN, y, CONTENT_W);
    return y;
}

/* A small-capital label as an element of type under parent. */
static HPDF_Dict label(invqr_pdf_page_t *pg, HPDF_Dict parent, const char *type,
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
static double draw_holder(invqr_pdf_page_t *pg, const invqr_pdf_input_t *in,
                          const dates_t *dates, double y)
{
    const char *name;
    const invqr_pdf_face_t *f;
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
    label(pg, NULL, "P", MARGIN, y, apr_pstrcat(pg->p, "TITOLARE \xC2\xB7 ", second_of(in)->holder, NULL));
    f = invqr_pdf_face_for(pg, &pg->bold, name);
    size = invqr_pdf_fit_size(pg, f, 20.0, 12.0, CONTENT_W, name);
    y -= size + 4.0;
    y0 = y;
    e = elem(pg, NULL, "P", NULL);
    invqr_pdf_tags_begin(&pg->tags, e);
    if (invqr_pdf_text_width(pg, f, size, name, strlen(name)) <= CONTENT_W) {
        invqr_pdf_show_str(pg, f, size, C_TEXT, MARGIN, y, name);
    }
    else {
        double yy = y;

        invqr_pdf_wrap(pg, f, size, C_TEXT, size * 1.25, MARGIN, CONTENT_W, &yy, name,
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
                               apr_pstrcat(pg->p, "CODICE FISCALE \xC2\xB7 ",
                                           second_of(in)->fiscal_code, NULL)),
                         "Column");
    invqr_pdf_tags_scope(&pg->tags,
                         label(pg, head, "TH", col2, y,
                               expires ? apr_pstrcat(pg->p, "RILASCIO \xC2\xB7 ",
                                                     second_of(in)->issued, NULL)
                                       : apr_pstrcat(pg->p, "DATA DI RILASCIO \xC2\xB7 ",
                                                     second_of(in)->issue_date, NULL)),
                         "Column");
    if (expires) {
        invqr_pdf_tags_scope(&pg->tags,
                             label(pg, head, "TH", col3, y,
                                   apr_pstrcat(pg->p, "VALIDO FINO AL \xC2\xB7 ",
                                               second_of(in)->valid_until, NULL)),
                             "Column");
    }
    y -= 17.0;
    f = invqr_pdf_face_for(pg, &pg->bold, in->fiscal_code);
    tagged_str(pg, row, "TD", NULL, f,
               invqr_pdf_fit_size(pg, f, 14.0, 8.0, col2 - MARGIN - 8.0,
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

static void draw_qr(invqr_pdf_page_t *pg, const invqr_qr_t *qr, double x, double top,
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
    invqr_pdf_fill_color(pg, C_BLACK);
    invqr_qr_runs(qr, add_module_run, pg->page);
    HPDF_Page_Fill(pg->page);
    HPDF_Page_GRestore(pg->page);
}

/* The QR as a figure whose alternative text says what it is and the
 * address it holds, in both languages. */
static void draw_qr_figure(invqr_pdf_page_t *pg, const invqr_pdf_input_t *in,
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
                       invqr_pdf_text_encode(pg, &pg->regular, alt, strlen(alt)),
                       HPDF_GetEncoder(pg->r->pdf, INVQR_PDF_ENCODING));
    invqr_pdf_tags_bbox(&pg->tags, fig, x, top - side, x + side, top);
    invqr_pdf_tags_begin(&pg->tags, fig);
    draw_qr(pg, qr, x, top, side);
    invqr_pdf_tags_end(&pg->tags);
}

/* The card with the QR and the code; returns the y below it. */
static double draw_qr_card(invqr_pdf_page_t *pg, const invqr_pdf_input_t *in,
                           const invqr_qr_t *qr, double y)
{
    /* a name on more than one line takes its room from the QR */
    double side = QR_SIDE - pg->name_extra < QR_SIDE_MIN
                      ? QR_SIDE_MIN
                      : QR_SIDE - pg->name_extra;
    double top = y - 12.0, pad = 5.0 * MM;
    double card_h = pad + side + 44.0 + pad;
    double qx = (PAGE_W - side) / 2.0, cy;
    double code_size = invqr_pdf_fit_size(pg, &pg->code, 26.0, 12.0, CONTENT_W - 20.0,
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
    invqr_pdf_show_centered(pg, &pg->regular, 7.5, C_MUTED, PAGE_W / 2.0, cy,
                  apr_pstrcat(pg->p, "CODICE DI VERIFICA \xC2\xB7 ",
                              second_of(in)->verification_code, NULL));
    invqr_pdf_tags_end(&pg->tags);
    cy -= code_size + 2.0;
    e = elem(pg, NULL, "P", NULL);
    invqr_pdf_tags_begin(&pg->tags, e);
    invqr_pdf_show_centered(pg, &pg->code, code_size, C_DARK, PAGE_W / 2.0, cy,
                  in->code_grouped);
    invqr_pdf_tags_end(&pg->tags);
    return top - card_h;
}

/* A heading and a numbered list (H2, then L of LI, each a Lbl and an
 * LBody), in language lang; returns the y below it. */
static double draw_steps(invqr_pdf_page_t *pg, double x, double width, double y,
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

static double draw_instructions(invqr_pdf_page_t *pg, const invqr_pdf_input_t *in,
                                double y)
{
    const second_t *two = second_of(in);
    const char *it[4], *en[4];
    double colw = (CONTENT_W - 8.0 * MM) / 2.0, y1, y2;

    if (in->verify_url != NULL && in->verify_url[0] != '\0') {
        it[0] = apr_pstrcat(pg->p,
                            "Inquadri il codice QR con la fotocamera di un "
                            "qualsiasi telefono, oppure apra la pagina ",
                            in->verify_url,
                            " e digiti il codice di verifica.", NULL);
        en[0] = apr_pstrcat(pg->p, two->step0_before, in->verify_url, two->step0_after, NULL);
    }
    else {
        it[0] = "Inquadri il codice QR con la fotocamera di un qualsiasi "
                "telefono, oppure apra la pagina /verify del servizio e "
                "digiti il codice di verifica.";
        en[0] = two->step0_plain;
    }
    it[1] = "Digiti il codice fiscale del titolare, letto dalla sua "
            "tessera sanitaria.";
    it[2] = "Il primo livello mostra solo il nome e le categorie dello "
            "status, come s\xC3\xAC/no.";
    it[3] = "Chieda un documento d\xE2\x80\x99identit\xC3\xA0 per accertare "
            "che chi presenta l\xE2\x80\x99" "attestazione ne sia il "
            "titolare.";
    en[1] = two->step1;
    en[2] = two->step2;
    en[3] = two->step3;

    y -= 24.0;
    y1 = draw_steps(pg, MARGIN, colw, y, NULL, "Per chi verifica", it, 4);
    y2 = draw_steps(pg, MARGIN + colw + 8.0 * MM, colw, y, two->lang, two->verifiers, en, 4);
    return y1 < y2 ? y1 : y2;
}

/* The online note, in a tinted box with a blue edge; returns the y below. */
static double draw_note(invqr_pdf_page_t *pg, const second_t *two, double y)
{
    static const char it[] =
        "L\xE2\x80\x99" "attestazione mostra lo status al momento della "
        "verifica, online: il risultato riflette sempre i dati correnti.";
    const char *en = two->note;
    const double size = 8.8, leading = 11.6, pad = 8.0;
    double x = MARGIN + 4.0 + pad, w = CONTENT_W - 4.0 - 2.0 * pad;
    double probe = 0, h, top = y - 6.0, yy;
    int lines;

    lines = invqr_pdf_wrap(pg, &pg->bold, size, C_TEXT, leading, x, w, &probe, it, 0);
    lines += invqr_pdf_wrap(pg, &pg->regular, size, C_TEXT, leading, x, w, &probe, en,
                  0);
    h = 2.0 * pad + lines * leading;
    invqr_pdf_tags_artifact(&pg->tags);
    rect(pg, C_NOTE, MARGIN, top - h, CONTENT_W, h);
    rect(pg, C_BLUE, MARGIN, top - h, 4.0, h);
    invqr_pdf_tags_end(&pg->tags);
    yy = top - pad - size + 1.0;
    tagged_wrap(pg, NULL, "P", NULL, &pg->bold, size, C_TEXT, leading, x, w,
                &yy, it);
    tagged_wrap(pg, NULL, "P", two->lang, &pg->regular, size, C_TEXT, leading,
                x, w, &yy, en);
    return top - h;
}

/* What the document shows and what it does not, at the foot of the page
 * above a rule, the last baseline 10 mm from the bottom edge. */
static void draw_footer(invqr_pdf_page_t *pg, const second_t *two)
{
    static const char it[] =
        "Questo documento attesta lo status di invalidit\xC3\xA0 civile del "
        "titolare e mostra solo nome, codice fiscale e date del codice. Non "
        "riporta il verbale, le diagnosi n\xC3\xA9 la percentuale: chi "
        "verifica vede il nome e le categorie riconosciute (s\xC3\xAC/no); "
        "giudizio sanitario e percentuale li vede solo un operatore "
        "autorizzato, con il consenso del titolare.";
    const char *en = two->footer;
    const double size = 7.0, leading = 8.8;
    double probe = 0, y;
    int lines;

    lines = invqr_pdf_wrap(pg, &pg->regular, size, C_MUTED, leading, MARGIN, CONTENT_W,
                 &probe, it, 0);
    lines += invqr_pdf_wrap(pg, &pg->regular, size, C_MUTED, leading, MARGIN,
                  CONTENT_W, &probe, en, 0);
    y = 10.0 * MM + (lines - 1) * leading;
    hrule(pg, MARGIN, y + size + 4.0, CONTENT_W);
    tagged_wrap(pg, NULL, "P", NULL, &pg->regular, size, C_MUTED, leading,
                MARGIN, CONTENT_W, &y, it);
    tagged_wrap(pg, NULL, "P", two->lang, &pg->regular, size, C_MUTED, leading,
                MARGIN, CONTENT_W, &y, en);
}

/* Title, Subject, Author, Creator and creation date (the structure sets
 * /Lang, /MarkInfo and the viewer's preference for the title). */
static void set_metadata(invqr_pdf_page_t *pg, const invqr_pdf_input_t *in)
{
    HPDF_Doc pdf = pg->r->pdf;
    const char *author = (in->issuer != NULL && in->issuer[0] != '\0')
                             ? in->issuer
                             : "invqr";
    HPDF_Date d;
    struct tm tm;
    time_t now = time(NULL);

    /* info strings go out as UTF-16BE through the current encoder */
    HPDF_SetCurrentEncoder(pdf, INVQR_PDF_ENCODING);
#define INFO(type, s) \
    HPDF_SetInfoAttr(pdf, (type), invqr_pdf_text_encode(pg, &pg->regular, (s), strlen(s)))
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

static void compose(invqr_pdf_page_t *pg, const invqr_pdf_input_t *in,
                    const invqr_qr_t *qr, const dates_t *dates)
{
    HPDF_Doc pdf = pg->r->pdf;
    double y;

    if (HPDF_NewDoc(pdf) != HPDF_OK) {
        pg->rv = APR_EGENERAL;
        return;
    }
    HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
    invqr_pdf_open_fonts(pg);
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
    y = draw_title(pg, second_of(in), PAGE_H - BAND_H - 10.0 * MM);
    y = draw_holder(pg, in, dates, y);
    y = draw_qr_card(pg, in, qr, y - 6.0);
    y = draw_instructions(pg, in, y);
    draw_note(pg, second_of(in), y);
    draw_footer(pg, second_of(in));
    invqr_pdf_tags_finish(&pg->tags);
    if (pg->tags.failed && pg->rv == APR_SUCCESS) {
        /* an untagged or half-tagged PDF is not handed out */
        invqr_log(INVQR_LOG_ERR,
                  "INVQR0098: PDF: cannot build the tagged structure (%d "
                  "marked-content sequences made)",
                  pg->tags.next_mcid);
        pg->rv = APR_EGENERAL;
    }
    invqr_pdf_set_tounicode(pg);
    invqr_pdf_tt_guard_all(pg);
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
    invqr_pdf_renderer_t *r = NULL;
    invqr_qr_t *qr = NULL;
    invqr_pdf_page_t pg;
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
    rv = invqr_pdf_renderer_checkout(&r, in);
    if (rv != APR_SUCCESS) {
        goto out;
    }
    /* from here the subpool's destruction gives r back */
    apr_pool_cleanup_register(sp, r, invqr_pdf_renderer_release,
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
    invqr_pdf_tt_check(&pg);
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
        invqr_pdf_log_hpdf(r, "rendering the attestation");
    }
    if (sp != NULL) {
        apr_pool_destroy(sp);
    }
    return rv;
}
