# SPDX-License-Identifier: Apache-2.0
"""The attestation PDF is tagged (PDF/UA-1 in spirit) and says who issued it,
when, and what it shows: its structure tree read with pikepdf, its text in
reading order with pdftotext, its name as the browser saves it."""
import datetime
import re
import subprocess
import xml.etree.ElementTree as ET

import pikepdf

from test_040_verify import generate, new_citizen, sign_in

TITLE = "Attestazione dello status di invalidità civile"
TEXT_OPS = {"Tj", "TJ", "'", '"'}
PAINT_OPS = {"f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "sh", "Do", "BI"}


def download(invqr, tmp_path, given, surname):
    fc, _ = new_citizen(invqr, tmp_path, given=given, surname=surname)
    s = sign_in(invqr, fc)
    code = generate(invqr, s)
    r = s.get(invqr.url + "/citizen/qr.pdf")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf"
    path = tmp_path / "a.pdf"
    path.write_bytes(r.content)
    return fc, code, r, path


def marked_content(page):
    """The page's content stream as (mcid or None, tag, op) for every
    operator, with the innermost enclosing marked-content sequence; fails on
    a nested or unbalanced sequence."""
    out, stack = [], []
    for operands, op in pikepdf.parse_content_stream(page):
        op = str(op)
        if op in ("BDC", "BMC"):
            assert not stack, "nested marked content"
            mcid = None
            if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary) \
                    and "/MCID" in operands[1]:
                mcid = int(operands[1].MCID)
            stack.append((mcid, str(operands[0])))
        elif op == "EMC":
            assert stack, "EMC without BDC"
            stack.pop()
        else:
            mcid, tag = stack[-1] if stack else (None, None)
            out.append((mcid, tag, op))
    assert not stack, "unclosed marked content"
    return out


def walk(elem, parent_type=None, out=None):
    """Structure elements in document order as (element, type, parent type,
    [MCIDs it holds])."""
    if out is None:
        out = []
    kids = elem.get("/K")
    if kids is None:
        kids = []
    elif not isinstance(kids, pikepdf.Array):
        kids = [kids]
    mcids = [int(k) for k in kids if isinstance(k, int)]
    out.append((elem, str(elem.S), parent_type, mcids))
    for k in kids:
        if isinstance(k, pikepdf.Dictionary):
            assert str(k.Type) == "/StructElem"
            assert k.P.objgen == elem.objgen, "a kid's /P is its parent"
            walk(k, str(elem.S), out)
    return out


def test_pdf_is_tagged_complete_and_in_reading_order(invqr, tmp_path):
    fc, code, r, path = download(invqr, tmp_path, "Zoë Àmbra", "Ćosić")
    grouped = "-".join(code[i:i + 5] for i in range(0, 20, 5))
    issuer = invqr.conf_value("issuer_name")
    assert issuer and not issuer.isascii(), "the test instance names an accented issuer"

    with pikepdf.open(path) as pdf:
        root = pdf.Root
        assert str(root.Lang) == "it-IT"
        assert bool(root.MarkInfo.Marked) is True
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        assert str(pdf.docinfo.Title) == TITLE
        assert str(pdf.docinfo.Author) == issuer
        assert pdf.pdf_version >= "1.4"
        xmp = ET.fromstring(bytes(root.Metadata.read_bytes()))
        ns = {"dc": "http://purl.org/dc/elements/1.1/",
              "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}
        assert xmp.find(".//dc:title/rdf:Alt/rdf:li", ns).text == TITLE

        assert len(pdf.pages) == 1
        page = pdf.pages[0].obj
        assert int(page.StructParents) == 0
        ops = marked_content(pdf.pages[0])

        # every text-showing operator is real content, inside an MCID
        texts = [(m, t) for m, t, op in ops if op in TEXT_OPS]
        assert len(texts) > 20
        assert all(m is not None for m, _ in texts), "text outside marked content"
        # every painted shape is either decoration (an artifact) or the figure
        for m, tag, op in ops:
            if op in PAINT_OPS:
                assert tag in ("/Artifact", "/Figure"), (m, tag, op)
        assert any(tag == "/Artifact" for _, tag, _ in ops)
        page_mcids = []
        for m, tag, _ in ops:
            if m is not None and m not in page_mcids:
                page_mcids.append(m)

        # the tree: every MCID of the page in exactly one element, and back
        tree = root.StructTreeRoot
        assert str(tree.Type) == "/StructTreeRoot"
        elems = walk(tree.K[0])
        assert elems[0][1] == "/Document"
        held = [m for _, _, _, ms in elems for m in ms]
        assert sorted(held) == sorted(page_mcids) and len(held) == len(set(held))
        # the structure's order is the drawing order, which is the visual one
        assert held == page_mcids == list(range(len(page_mcids)))
        nums = tree.ParentTree.Nums
        assert int(nums[0]) == 0 and len(nums) == 2
        by_mcid = {m: e for e, _, _, ms in elems for m in ms}
        assert len(nums[1]) == len(page_mcids)
        for m, parent in enumerate(nums[1]):
            assert parent.objgen == by_mcid[m].objgen, m
            assert parent.Pg.objgen == page.objgen
        assert int(tree.ParentTreeNextKey) == 1

        # the roles a screen reader announces
        types = [t for _, t, _, _ in elems]
        assert types.count("/H1") == 1 and types.count("/H2") == 2
        assert types.index("/H1") < types.index("/Table") < types.index("/Figure") \
            < types.index("/L")
        for want in ("/TR", "/TH", "/TD", "/LI", "/Lbl", "/LBody", "/P"):
            assert want in types, want
        assert all(p == "/LI" for _, t, p, _ in elems if t in ("/Lbl", "/LBody"))
        assert all(p == "/L" for _, t, p, _ in elems if t == "/LI")
        assert all(p == "/TR" for _, t, p, _ in elems if t in ("/TH", "/TD"))
        assert all(str(e.A.Scope) == "/Column" for e, t, _, _ in elems if t == "/TH")
        figures = [e for e, t, _, _ in elems if t == "/Figure"]
        assert len(figures) == 1
        alt = str(figures[0].Alt)
        assert "QR" in alt and (invqr.url + "/V/" + code).upper() in alt
        assert len(figures[0].A.BBox) == 4
        # the English parts say so; the rest inherits the document's Italian
        assert str(elems[0][0].Lang) == "it-IT"
        english = [e for e, _, _, _ in elems if str(e.get("/Lang", "")) == "en-GB"]
        assert len(english) >= 4

        # every font maps its glyphs to Unicode
        fonts = page.Resources.Font
        for name in fonts.keys():
            font = fonts[name]
            if str(font.Subtype) == "/Type0":
                assert "/ToUnicode" in font, name
            else:
                assert "/ToUnicode" in font or str(font.get("/Encoding")) == "/WinAnsiEncoding"

    # reading order, as text extraction sees it: issuer, title, name, code,
    # the verification page's URL, and what the document does and does not show
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    order = [issuer, TITLE, "Zoë Àmbra Ćosić", fc, grouped, invqr.url + "/verify",
             "attesta lo status di invalidità civile", "attests the holder’s civil invalidity"]
    at = [flat.find(w) for w in order]
    assert -1 not in at, list(zip(order, at))
    assert at == sorted(at), list(zip(order, at))
    assert "non contiene dati sanitari" not in flat and "no health data" not in flat
    assert "Non riporta il verbale" in flat and "no medical report" in flat

    # the issue date it prints is the one in the file name, with the code's
    # first group
    printed = re.search(r"(\d\d)/(\d\d)/(\d{4})", flat)
    issued = datetime.date(int(printed[3]), int(printed[2]), int(printed[1]))
    assert r.headers["Content-Disposition"] == \
        'attachment; filename="attestazione-invalidita-%s-%s.pdf"' % (issued.isoformat(), code[:5])


def test_pdf_title_shown_and_tagged_per_pdfinfo(invqr, tmp_path):
    _, _, _, path = download(invqr, tmp_path, "Anna", "Łukasiewicz")
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(r"^Title:\s+%s$" % TITLE, info, re.M)
    assert re.search(r"^Metadata Stream:\s+yes$", info, re.M)


def test_citizen_page_says_what_the_pdf_shows(invqr, tmp_path):
    fc, _ = new_citizen(invqr, tmp_path)
    s = sign_in(invqr, fc)
    generate(invqr, s)
    for lang, shows, hides in (("it", "attesta il suo status di invalidità civile",
                                "Non riporta il verbale, le diagnosi né la percentuale"),
                               ("en", "attests your civil invalidity status",
                                "does not show the medical report, any diagnosis or the percentage")):
        page = s.get(invqr.url + "/citizen?lang=" + lang).text
        m = re.search(r'<p data-field="pdf-shows">([^<]*)</p>', page)
        assert m, page
        text = m.group(1).replace("&#39;", "'")
        assert shows in text and hides in text
