# SPDX-License-Identifier: Apache-2.0
"""Acting for a holder across nodes (issue 12, Delegates): the choice made
through one node holds on the other (it lives in the shared session), and a
delegation removed through invqr-admin stops at the very next request on
both nodes, the module's PDF copy on a node's disk included. Requests go to
the nodes directly, to choose the node."""
import re

from conftest import generate, sign_in
from harness import CSV_HEADER, citizen_row, csrf_of, fiscal_code

HOLDER = fiscal_code("DLGCLS60A01H501")
DELEGATE = fiscal_code("DLGCLS80A01F205")


def acting_for(html):
    m = re.search(r'data-field="acting_for" data-value="([A-Z0-9]{16})"', html)
    return m.group(1) if m else None


def test_a_removed_delegation_stops_at_once_on_both_nodes(cluster, tmp_path):
    one, two = cluster.node_url[1], cluster.node_url[2]
    path = tmp_path / "h.csv"
    path.write_text(CSV_HEADER + "\n" + citizen_row(HOLDER) + "\n", encoding="utf-8")
    cluster.admin("import", str(path), check=0)
    cluster.admin("delegation", "add", "--holder", HOLDER, "--delegate", DELEGATE, "--role",
                  "support_administrator", check=0)
    s = sign_in(one, DELEGATE)
    page = s.get(one + "/citizen")
    r = s.post(one + "/citizen/act-as", data={"csrf": csrf_of(page.text), "holder": HOLDER},
               allow_redirects=False)
    assert r.status_code == 303
    assert acting_for(s.get(two + "/citizen").text) == HOLDER      # chosen on one, holds on two
    generate(two, s)
    link = re.search(r'href="(/citizen/qr/[^"]+\.pdf)"', s.get(two + "/citizen").text).group(1)
    assert s.get(two + "/citizen/qr.pdf").status_code == 200
    assert s.get(two + link, allow_redirects=False).status_code == 200   # node 2's copy

    cluster.admin("delegation", "remove", "--holder", HOLDER, "--delegate", DELEGATE, check=0)
    assert s.get(two + link, allow_redirects=False).status_code == 303
    assert acting_for(s.get(one + "/citizen").text) is None
    assert acting_for(s.get(two + "/citizen").text) is None
