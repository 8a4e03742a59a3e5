/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the logical structure of the attestation PDF (tagged PDF).
 *
 * libharu 2.3 writes no structure; this builds it with libharu's object
 * layer (hpdf_objects.h) on a one-page document: the catalog's
 * /StructTreeRoot with a /ParentTree, /MarkInfo <</Marked true>>, /Lang,
 * /ViewerPreferences <</DisplayDocTitle true>>, the page's /StructParents
 * and /Tabs /S, structure elements (Document, H1, P, Table, L, Figure...)
 * and, in the page's content stream, marked-content sequences with MCIDs
 * (BDC/EMC) for the content of each element and /Artifact for decoration.
 *
 * Use: invqr_pdf_tags_init() once the page exists and before drawing on it,
 * then for each element in reading order invqr_pdf_tags_elem(), and around
 * what it draws invqr_pdf_tags_begin() / invqr_pdf_tags_end(); around
 * decoration invqr_pdf_tags_artifact() / invqr_pdf_tags_end(). Sequences do
 * not nest. A failure sets t->failed (and libharu's error handler, for its
 * own); the caller checks it once at the end.
 *
 * What this does not do, and a PDF/UA-1 validator (veraPDF) would say:
 * the XMP has no pdfuaid:part (the file does not claim PDF/UA: it has not
 * been through a validator); role maps and attribute classes are not used
 * (standard types only); the Alt text and the bilingual labels are checked
 * by people, not by tools.
 */
#ifndef INVQR_PDF_TAGS_H
#define INVQR_PDF_TAGS_H

#include <hpdf.h>

typedef struct invqr_pdf_tags_t {
    HPDF_Doc pdf;
    HPDF_Page page;
    HPDF_Dict root;      /* the StructTreeRoot */
    HPDF_Dict document;  /* the Document element, parent of the others */
    HPDF_Array parents;  /* the page's ParentTree entry: MCID -> element */
    int next_mcid;
    int open;            /* inside a marked-content sequence */
    int failed;
} invqr_pdf_tags_t;

/** Make the tree's root, its Document element (lang, e.g. "it-IT", also
 * the catalog's /Lang) and the catalog and page entries. */
void invqr_pdf_tags_init(invqr_pdf_tags_t *t, HPDF_Doc pdf, HPDF_Page page,
                         const char *lang);

/** A new element of structure type type (a standard name: P, H1, Table,
 * TR, TH, TD, L, LI, Lbl, LBody, Figure...) as the last child of parent
 * (NULL: the Document); lang (NULL: inherited) for text in another
 * language. NULL on failure (t->failed set). */
HPDF_Dict invqr_pdf_tags_elem(invqr_pdf_tags_t *t, HPDF_Dict parent,
                              const char *type, const char *lang);

/** Alternative text of elem (a Figure): text already in the bytes of
 * encoder (NULL: PDFDocEncoding), which libharu writes as a text string. */
void invqr_pdf_tags_alt(invqr_pdf_tags_t *t, HPDF_Dict elem, const char *text,
                        HPDF_Encoder encoder);

/** Layout attribute /BBox of elem (a Figure), in page coordinates. */
void invqr_pdf_tags_bbox(invqr_pdf_tags_t *t, HPDF_Dict elem, double x0,
                         double y0, double x1, double y1);

/** Table attribute /Scope of elem (a TH): "Column" or "Row". */
void invqr_pdf_tags_scope(invqr_pdf_tags_t *t, HPDF_Dict elem,
                          const char *scope);

/** Open the marked-content sequence of elem's next piece of content. */
void invqr_pdf_tags_begin(invqr_pdf_tags_t *t, HPDF_Dict elem);

/** Open a sequence of decoration (an artifact, outside the structure). */
void invqr_pdf_tags_artifact(invqr_pdf_tags_t *t);

/** Close the open sequence. */
void invqr_pdf_tags_end(invqr_pdf_tags_t *t);

/** The catalog's XMP /Metadata: dc:title (UTF-8) and dc:language. */
void invqr_pdf_tags_xmp(invqr_pdf_tags_t *t, const char *title,
                        const char *lang);

/** After the last sequence: the ParentTree. */
void invqr_pdf_tags_finish(invqr_pdf_tags_t *t);

#endif
