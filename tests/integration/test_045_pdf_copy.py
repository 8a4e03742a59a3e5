# SPDX-License-Identifier: Apache-2.0
"""A repeated download of an unchanged attestation is a file the module sends
itself, from the copy a worker left (corelib/pdf/invqr_pdf_copy.h), and only to
the citizen it belongs to."""
import os
import re

import requests

from test_040_verify import generate, new_citizen, sign_in


def download_link(invqr, s):
    page = s.get(invqr.url + "/citizen")
    m = re.search(r'href="(/citizen/qr/[0-9a-f]{32}-\d{4}-\d\d-\d\d-[0-9A-Z]{5}\.pdf)"',
                  page.text)
    assert m, page.text
    return m.group(1)


def first_named(invqr, s):
    """The file name the worker's /citizen/qr.pdf gives the same PDF."""
    r = s.get(invqr.url + "/citizen/qr.pdf")
    assert r.status_code == 200
    m = re.fullmatch(r'attachment; filename="([^"]+)"', r.headers["Content-Disposition"])
    assert m, r.headers["Content-Disposition"]
    return m.group(1)


def test_the_pdf_link_is_served_from_its_copy_to_its_citizen_only(invqr, tmp_path):
    fc, _ = new_citizen(invqr, tmp_path)
    s = sign_in(invqr, fc)
    generate(invqr, s)
    link = download_link(invqr, s)
    seg = link[len("/citizen/qr/"):]
    tag, issued, group = seg[:32], seg[33:43], seg[44:49]
    name = "attestazione-invalidita-%s-%s.pdf" % (issued, group)
    cache = invqr.conf_value("pdf_copies_dir")

    # no copy yet: on to the worker, which makes the PDF and leaves its copy
    first = s.get(invqr.url + link, allow_redirects=False)
    assert first.status_code == 303 and first.headers["Location"].endswith("/citizen/qr.pdf")
    made = s.get(invqr.url + "/citizen/qr.pdf")
    assert made.status_code == 200 and made.headers["ETag"] == '"%s"' % tag
    copies = [n for n in os.listdir(cache) if n.endswith(".pdf")]
    assert copies and all(re.fullmatch(r"[0-9a-f]{32}\.pdf", n) for n in copies)
    assert tag + ".pdf" not in copies    # named by an HMAC, not by the tag

    # from now on the module sends the copy: the same bytes, never stale
    again = s.get(invqr.url + link, allow_redirects=False)
    assert again.status_code == 200 and again.content == made.content
    assert again.headers["Content-Type"] == "application/pdf"
    assert again.headers["Content-Length"] == str(len(made.content))
    assert again.headers["ETag"] == '"%s"' % tag
    # a person's data: the browser may keep it only to ask again
    assert again.headers["Cache-Control"] == "private, no-cache"
    # saved under the same name as the worker gives it
    assert again.headers["Content-Disposition"] == 'attachment; filename="%s"' % name
    assert first_named(invqr, s) == name
    assert again.headers["X-Content-Type-Options"] == "nosniff"
    head = s.head(invqr.url + link)
    assert head.status_code == 200 and head.headers["Content-Length"] == str(len(made.content))
    assert s.get(invqr.url + link, headers={"If-None-Match": '"%s"' % tag}).status_code == 304
    assert s.get(invqr.url + link,
                 headers={"If-None-Match": 'W/"x", "%s"' % tag}).status_code == 304

    # anyone else gets nothing of it
    assert requests.get(invqr.url + link, allow_redirects=False).status_code == 401
    other_fc, _ = new_citizen(invqr, tmp_path)
    other = sign_in(invqr, other_fc)
    r = other.get(invqr.url + link, allow_redirects=False)
    assert r.status_code == 303 and r.content != made.content
    # names that are not a tag are no route at all, nor is the path in another case
    tail = "-%s-%s.pdf" % (issued, group)
    bad_paths = ["/citizen/qr/%s%s" % (tag[:-1], tail), "/citizen/qr/%s%s.pdf" % (tag, tail),
                 "/citizen/qr/%s%s" % (tag, tail[:-4] + ".PDF"), "/CITIZEN/QR/%s%s" % (tag, tail),
                 "/citizen/qr/%s.pdf" % tag, "/citizen/qr/%s%s" % (tag, tail.replace("-", "_")),
                 "/citizen/qr/%s-%s-%s.pdf" % (tag, issued, group.lower()),
                 "/citizen/qr/%s-%s-%s.pdf" % (tag, issued.replace("-", "/"), group),
                 "/citizen/qr/%s-%s-AB%%22DE.pdf" % (tag, issued),
                 "/citizen/qr/%s/%s" % (tag, name)]
    if group.lower() == group:      # a group of digits alone has no other case
        bad_paths.pop(6)
    if tag.upper() != tag:          # a tag of digits alone has no other case
        bad_paths.append("/citizen/qr/%s%s" % (tag.upper(), tail))
    for bad in bad_paths:
        assert s.get(invqr.url + bad, allow_redirects=False).status_code == 404, bad
    # and the revocation's own path is no copy: GET asks before revoking
    # (test_043), PUT is no method of it
    r = s.get(invqr.url + "/citizen/qr/revoke", allow_redirects=False)
    assert r.status_code == 200 and 'data-confirm="revoke"' in r.text
    r = s.put(invqr.url + "/citizen/qr/revoke", allow_redirects=False)
    assert r.status_code == 405 and r.headers["Allow"] == "GET, HEAD, POST"

    # a new code is a new PDF at a new address, and the old copy is gone
    generate(invqr, s, first_time=False)
    new_link = download_link(invqr, s)
    assert new_link != link
    assert s.get(invqr.url + link, allow_redirects=False).status_code == 303
    # and a revoked code's PDF is not sent any more either
    assert s.get(invqr.url + new_link).status_code == 200      # made, copy left
    assert s.get(invqr.url + new_link, allow_redirects=False).status_code == 200
    page = s.get(invqr.url + "/citizen")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    assert s.post(invqr.url + "/citizen/qr/revoke", data={"csrf": token},
                  allow_redirects=False).status_code == 303
    gone = s.get(invqr.url + new_link, allow_redirects=False)
    assert gone.status_code == 303
    assert s.get(invqr.url + new_link).status_code == 404


def test_a_copy_is_not_sent_once_the_store_says_its_code_ended(invqr, tmp_path):
    """A revocation made through another node cannot remove this node's
    copies: the module asks the store about the copy's code before it sends
    it. Here the code ends in the store alone, as another node would end it,
    and the copy is left on disk."""
    fc, _ = new_citizen(invqr, tmp_path)
    s = sign_in(invqr, fc)
    code = generate(invqr, s)
    link = download_link(invqr, s)
    made = s.get(invqr.url + "/citizen/qr.pdf")
    assert made.status_code == 200
    assert s.get(invqr.url + link, allow_redirects=False).status_code == 200   # the copy
    cache = invqr.conf_value("pdf_copies_dir")
    copies = set(os.listdir(cache))

    invqr.sql("UPDATE qr_code SET active = NULL, revoked_at = NOW(), revoke_reason = 'revoked'"
              " WHERE code = '%s'" % code)
    assert set(os.listdir(cache)) == copies          # still on this node's disk
    gone = s.get(invqr.url + link, allow_redirects=False)
    assert gone.status_code == 303 and gone.content != made.content
    assert gone.headers["Location"].endswith("/citizen/qr.pdf")
    assert s.get(invqr.url + "/citizen/qr.pdf").status_code == 404
