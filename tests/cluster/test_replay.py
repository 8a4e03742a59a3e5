# SPDX-License-Identifier: Apache-2.0
"""Replays across nodes (issue 15): a signed SOAP message (ModI, its
wsa:MessageID) or a PDND voucher (its jti) accepted by one node is refused
by the other, and the same message sent to both nodes at the same moment is
accepted exactly once - the store's primary key decides, on Galera too.
Requests go to the nodes directly, not through the front; wsa:To and the
voucher's audience name the front, the service's public address."""
import concurrent.futures
import re
import sys
from pathlib import Path

import requests

sys.path.append(str(Path(__file__).resolve().parents[1] / "integration"))
from conftest import generate, sign_in  # noqa: E402
from test_062_modi import make_cert, template, xmlsec1_sign  # noqa: E402
from pdnd_voucher import PURPOSE_P, make_voucher  # noqa: E402
from test_invariants import citizens  # noqa: E402

ORG = "Comune in Cluster"


class Service:
    """What the integration tests' helpers read of an instance: the public
    address, the configuration and the run directory (the PDND stand-in's
    key is there)."""

    def __init__(self, cluster):
        self.url = cluster.url
        self.run = cluster.run

    def conf_value(self, key):
        for line in (self.run / "invqr.conf").read_text().splitlines():
            k, _, v = line.partition("=")
            if k.strip() == key:
                return v.strip()
        raise KeyError(key)


def fault(r):
    m = re.search(r"<[a-z]+:code>([A-Z_]+)</", r.text)
    return m.group(1) if m else r.status_code


def setup_org(cluster, tmp_path):
    key, cert = make_cert(tmp_path, "cluster-org")
    cluster.admin("org", "add", ORG)
    cluster.admin("org", "cert", "add", ORG, str(cert), check=0)
    cluster.admin("org", "purpose", "add", ORG, PURPOSE_P)
    return key, cert


def post(url, body, voucher=None):
    headers = {"Content-Type": "text/xml; charset=utf-8"}
    if voucher:
        headers["Authorization"] = "Bearer " + voucher
    return requests.post(url + "/soap", data=body, headers=headers, timeout=10)


def test_replays_are_refused_by_the_other_node(cluster, tmp_path):
    key, cert = setup_org(cluster, tmp_path)
    svc = Service(cluster)
    one, two = cluster.node_url[1], cluster.node_url[2]
    fc = citizens(cluster, tmp_path, 1)[0]
    code = generate(one, sign_in(one, fc))

    # the signed message: node 1 accepts it, node 2 refuses it
    body = xmlsec1_sign(tmp_path, template(svc, cert, code, fc), key)
    first = post(one, body)
    assert first.status_code == 200 and "VerifyLevel1Response" in first.text, first.text
    again = post(two, body)
    assert (again.status_code, fault(again)) == (500, "REPLAYED"), again.text

    # the voucher: node 2 accepts it (with a new message), node 1 refuses it
    voucher = make_voucher(svc)
    first = post(two, xmlsec1_sign(tmp_path, template(svc, cert, code, fc), key), voucher)
    assert first.status_code == 200, first.text
    again = post(one, xmlsec1_sign(tmp_path, template(svc, cert, code, fc), key), voucher)
    assert (again.status_code, fault(again)) == (500, "REPLAYED"), again.text


def test_the_same_message_at_both_nodes_at_once_is_accepted_once(cluster, tmp_path):
    key, cert = make_cert(tmp_path, "cluster-org-2")
    cluster.admin("org", "add", ORG)
    cluster.admin("org", "purpose", "add", ORG, PURPOSE_P)
    cluster.admin("org", "cert", "add", ORG, str(cert), check=0)
    svc = Service(cluster)
    one, two = cluster.node_url[1], cluster.node_url[2]
    fc = citizens(cluster, tmp_path, 1)[0]
    code = generate(one, sign_in(one, fc))
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for _ in range(8):
            body = xmlsec1_sign(tmp_path, template(svc, cert, code, fc), key)
            voucher = make_voucher(svc)
            answers = list(pool.map(lambda url: post(url, body, voucher), (one, two)))
            outcomes = sorted(str(fault(r)) for r in answers)
            assert outcomes == ["200", "REPLAYED"], [r.text[:300] for r in answers]
