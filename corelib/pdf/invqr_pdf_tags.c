/* SPDX-License-Identifier: Apache-2.0 */
/* invqr - the logical structure of the attestation PDF; see the header.
 *
 * Uses libharu 2.3's object layer and the page's content stream
 * (hpdf_objects.h, hpdf_pages.h, hpdf_doc.h), which its installed headers
 * expose; invqr_pdf.c pins the build to 2.3.x. Objects made here belong to
 * the document's cross-reference table (HPDF_Xref_Add) or to the container
 * they are added to, so HPDF_FreeDoc() frees them with the rest.
 */
#include <stdio.h>

#include <hpdf.h>
#include <hpdf_conf.h>
#include <hpdf_doc.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>

#include "invqr_pdf_tags.h"

static HPDF_MMgr mmgr(const invqr_pdf_tags_t *t)
{
    return t->pdf->mmgr;
}

static void check(invqr_pdf_tags_t *t, HPDF_STATUS st)
{
    if (st != HPDF_OK) {
        t->failed = 1;
    }
}

/* A new dictionary in the cross-reference table (an indirect object). */
static HPDF_Dict indirect_dict(invqr_pdf_tags_t *t)
{
    HPDF_Dict d = HPDF_Dict_New(mmgr(t));

    if (d == NULL || HPDF_Xref_Add(t->pdf->xref, d) != HPDF_OK) {
        /* HPDF_Xref_Add() frees d when it fails */
        t->failed = 1;
        return NULL;
    }
    return d;
}

static void add_string(invqr_pdf_tags_t *t, HPDF_Dict d, const char *key,
                       const char *s, HPDF_Encoder enc)
{
    HPDF_String str = HPDF_String_New(mmgr(t), s, enc);

    check(t, str != NULL ? HPDF_Dict_Add(d, key, str) : HPDF_FAILD_TO_ALLOC_MEM);
}

static void write_op(invqr_pdf_tags_t *t, const char *op)
{
    HPDF_PageAttr attr = (HPDF_PageAttr)t->page->attr;

    check(t, HPDF_Stream_WriteStr(attr->stream, op));
}

void invqr_pdf_tags_init(invqr_pdf_tags_t *t, HPDF_Doc pdf, HPDF_Page page,
                         const char *lang)
{
    HPDF_Dict tree, mark, prefs;
    HPDF_Array kids, nums;

    t->pdf = pdf;
    t->page = page;
    t->root = NULL;
    t->document = NULL;
    t->parents = NULL;
    t->next_mcid = 0;
    t->open = 0;
    t->failed = 0;

    /* the structure needs PDF 1.4 and later; tagged PDF as ISO 32000-1
     * (PDF/UA-1) describes it is 1.7 */
    if (pdf->pdf_version < HPDF_VER_17) {
        pdf->pdf_version = HPDF_VER_17;
    }
    t->root = indirect_dict(t);
    if (t->root == NULL) {
        return;
    }
    check(t, HPDF_Dict_AddName(t->root, "Type", "StructTreeRoot"));
    kids = HPDF_Array_New(mmgr(t));
    check(t, kids != NULL ? HPDF_Dict_Add(t->root, "K", kids)
                          : HPDF_FAILD_TO_ALLOC_MEM);

    /* the page's marked content, MCID n at index n, under key 0 (its
     * /StructParents) of a number tree with a single leaf */
    tree = HPDF_Dict_New(mmgr(t));
    nums = HPDF_Array_New(mmgr(t));
    t->parents = HPDF_Array_New(mmgr(t));
    if (tree == NULL || nums == NULL || t->parents == NULL) {
        t->failed = 1;
        return;
    }
    check(t, HPDF_Array_AddNumber(nums, 0));
    check(t, HPDF_Array_Add(nums, t->parents));
    check(t, HPDF_Dict_Add(tree, "Nums", nums));
    check(t, HPDF_Dict_Add(t->root, "ParentTree", tree));
    check(t, HPDF_Dict_AddNumber(t->root, "ParentTreeNextKey", 1));

    check(t, HPDF_Dict_Add(pdf->catalog, "StructTreeRoot", t->root));
    mark = HPDF_Dict_New(mmgr(t));
    prefs = HPDF_Dict_New(mmgr(t));
    if (mark == NULL || prefs == NULL) {
        t->failed = 1;
        return;
    }
    check(t, HPDF_Dict_AddBoolean(mark, "Marked", HPDF_TRUE));
    check(t, HPDF_Dict_Add(pdf->catalog, "MarkInfo", mark));
    /* a viewer shows the Title, not the file name */
    check(t, HPDF_Dict_AddBoolean(prefs, "DisplayDocTitle", HPDF_TRUE));
    check(t, HPDF_Dict_Add(pdf->catalog, "ViewerPreferences", prefs));
    add_string(t, pdf->catalog, "Lang", lang, NULL);

    check(t, HPDF_Dict_AddNumber(page, "StructParents", 0));
    /* tab order follows the structure (there are no annotations yet) */
    check(t, HPDF_Dict_AddName(page, "Tabs", "S"));

    t->document = indirect_dict(t);
    if (t->document == NULL) {
        return;
    }
    check(t, HPDF_Dict_AddName(t->document, "Type", "StructElem"));
    check(t, HPDF_Dict_AddName(t->document, "S", "Document"));
    check(t, HPDF_Dict_Add(t->document, "P", t->root));
    kids = HPDF_Array_New(mmgr(t));
    check(t, kids != NULL ? HPDF_Dict_Add(t->document, "K", kids)
                          : HPDF_FAILD_TO_ALLOC_MEM);
    add_string(t, t->document, "Lang", lang, NULL);
    kids = HPDF_Dict_GetItem(t->root, "K", HPDF_OCLASS_ARRAY);
    check(t, kids != NULL ? HPDF_Array_Add(kids, t->document)
                          : HPDF_INVALID_OBJECT);
}

HPDF_Dict invqr_pdf_tags_elem(invqr_pdf_tags_t *t, HPDF_Dict parent,
                              const char *type, const char *lang)
{
    HPDF_Dict e;
    HPDF_Array kids;

    if (parent == NULL) {
        parent = t->document;
    }
    if (parent == NULL || t->failed) {
        t->failed = 1;
        return NULL;
    }
    e = indirect_dict(t);
    if (e == NULL) {
        return NULL;
    }
    check(t, HPDF_Dict_AddName(e, "Type", "StructElem"));
    check(t, HPDF_Dict_AddName(e, "S", type));
    check(t, HPDF_Dict_Add(e, "P", parent));
    check(t, HPDF_Dict_Add(e, "Pg", t->page));
    kids = HPDF_Array_New(mmgr(t));
    check(t, kids != NULL ? HPDF_Dict_Add(e, "K", kids) : HPDF_FAILD_TO_ALLOC_MEM);
    if (lang != NULL) {
        add_string(t, e, "Lang", lang, NULL);
    }
    kids = HPDF_Dict_GetItem(parent, "K", HPDF_OCLASS_ARRAY);
    check(t, kids != NULL ? HPDF_Array_Add(kids, e) : HPDF_INVALID_OBJECT);
    return t->failed ? NULL : e;
}

void invqr_pdf_tags_alt(invqr_pdf_tags_t *t, HPDF_Dict elem, const char *text,
                        HPDF_Encoder encoder)
{
    if (elem == NULL) {
        t->failed = 1;
        return;
    }
    add_string(t, elem, "Alt", text, encoder);
}

/* elem's attribute object of owner, made on first use. */
static HPDF_Dict attributes(invqr_pdf_tags_t *t, HPDF_Dict elem,
                            const char *owner)
{
    HPDF_Dict a;

    if (elem == NULL) {
        t->failed = 1;
        return NULL;
    }
    a = HPDF_Dict_GetItem(elem, "A", HPDF_OCLASS_DICT);
    if (a != NULL) {
        return a;
    }
    a = HPDF_Dict_New(mmgr(t));
    if (a == NULL) {
        t->failed = 1;
        return NULL;
    }
    check(t, HPDF_Dict_AddName(a, "O", owner));
    check(t, HPDF_Dict_Add(elem, "A", a));
    return t->failed ? NULL : a;
}

void invqr_pdf_tags_bbox(invqr_pdf_tags_t *t, HPDF_Dict elem, double x0,
                         double y0, double x1, double y1)
{
    HPDF_Dict a = attributes(t, elem, "Layout");
    HPDF_Array box;

    if (a == NULL) {
        return;
    }
    box = HPDF_Array_New(mmgr(t));
    if (box == NULL) {
        t->failed = 1;
        return;
    }
    check(t, HPDF_Array_AddReal(box, (HPDF_REAL)x0));
    check(t, HPDF_Array_AddReal(box, (HPDF_REAL)y0));
    check(t, HPDF_Array_AddReal(box, (HPDF_REAL)x1));
    check(t, HPDF_Array_AddReal(box, (HPDF_REAL)y1));
    check(t, HPDF_Dict_Add(a, "BBox", box));
    check(t, HPDF_Dict_AddName(a, "Placement", "Block"));
}

void invqr_pdf_tags_scope(invqr_pdf_tags_t *t, HPDF_Dict elem,
                          const char *scope)
{
    HPDF_Dict a = attributes(t, elem, "Table");

    if (a != NULL) {
        check(t, HPDF_Dict_AddName(a, "Scope", scope));
    }
}

void invqr_pdf_tags_begin(invqr_pdf_tags_t *t, HPDF_Dict elem)
{
    HPDF_Name type;
    HPDF_Array kids;
    char op[HPDF_LIMIT_MAX_NAME_LEN + 40];

    if (elem == NULL || t->open || t->parents == NULL) {
        t->failed = 1;
        return;
    }
    type = HPDF_Dict_GetItem(elem, "S", HPDF_OCLASS_NAME);
    kids = HPDF_Dict_GetItem(elem, "K", HPDF_OCLASS_ARRAY);
    if (type == NULL || kids == NULL) {
        t->failed = 1;
        return;
    }
    snprintf(op, sizeof(op), "/%s <</MCID %d>> BDC\012", type->value,
             t->next_mcid);
    write_op(t, op);
    check(t, HPDF_Array_AddNumber(kids, t->next_mcid));
    check(t, HPDF_Array_Add(t->parents, elem));
    t->next_mcid++;
    t->open = 1;
}

void invqr_pdf_tags_artifact(invqr_pdf_tags_t *t)
{
    if (t->open) {
        t->failed = 1;
        return;
    }
    write_op(t, "/Artifact BMC\012");
    t->open = 1;
}

void invqr_pdf_tags_end(invqr_pdf_tags_t *t)
{
    if (!t->open) {
        t->failed = 1;
        return;
    }
    write_op(t, "EMC\012");
    t->open = 0;
}

/* XML text of s (ASCII punctuation escaped; UTF-8 passes through). */
static void write_xml_text(invqr_pdf_tags_t *t, HPDF_Stream st, const char *s)
{
    for (; *s != '\0'; s++) {
        char one[2] = {*s, '\0'};

        check(t, HPDF_Stream_WriteStr(st, *s == '&'   ? "&amp;"
                                          : *s == '<' ? "&lt;"
                                          : *s == '>' ? "&gt;"
                                                      : one));
    }
}

void invqr_pdf_tags_xmp(invqr_pdf_tags_t *t, const char *title,
                        const char *lang)
{
    HPDF_Dict md;
    HPDF_Stream st;

    if (t->failed) {
        return;
    }
    md = HPDF_DictStream_New(mmgr(t), t->pdf->xref);
    if (md == NULL) {
        t->failed = 1;
        return;
    }
    /* XMP stays readable: no filter */
    md->filter = HPDF_STREAM_FILTER_NONE;
    check(t, HPDF_Dict_AddName(md, "Type", "Metadata"));
    check(t, HPDF_Dict_AddName(md, "Subtype", "XML"));
    st = md->stream;
    check(t, HPDF_Stream_WriteStr(
                 st, "<?xpacket begin=\"\xEF\xBB\xBF\" "
                     "id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
                     "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
                     "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/"
                     "22-rdf-syntax-ns#\">\n"
                     "<rdf:Description rdf:about=\"\" "
                     "xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
                     "<dc:format>application/pdf</dc:format>\n"
                     "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">"));
    write_xml_text(t, st, title);
    check(t, HPDF_Stream_WriteStr(st, "</rdf:li></rdf:Alt></dc:title>\n"
                                      "<dc:language><rdf:Bag><rdf:li>"));
    write_xml_text(t, st, lang);
    check(t, HPDF_Stream_WriteStr(st, "</rdf:li></rdf:Bag></dc:language>\n"
                                      "</rdf:Description>\n</rdf:RDF>\n"
                                      "</x:xmpmeta>\n"
                                      "<?xpacket end=\"r\"?>\n"));
    check(t, HPDF_Dict_Add(t->pdf->catalog, "Metadata", md));
}

void invqr_pdf_tags_finish(invqr_pdf_tags_t *t)
{
    if (t->open || t->next_mcid == 0) {
        t->failed = 1;
    }
}
