# SPDX-License-Identifier: Apache-2.0
"""pytest fixtures for the integration tests: one real invqr instance per
session (tests/harness.py). Every test fails if the httpd error log or the
worker log gained an error or warning line it did not declare with
@pytest.mark.allow_log(regex).
"""
import sys
import time
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from harness import (ALWAYS_ALLOWED, csrf_of, demo_login, log_offsets,  # noqa: E402,F401
                     start_instance, stop_instance, unexpected_log_lines)


def pytest_configure(config):
    config.addinivalue_line("markers", "allow_log(regex, ...): log lines this test expects")


@pytest.fixture(scope="session")
def invqr():
    inst = start_instance()
    yield inst
    stop_instance(inst)


@pytest.fixture(autouse=True)
def clean_logs(request, invqr):
    offsets = log_offsets(invqr)
    yield
    allowed = list(ALWAYS_ALLOWED)
    for m in request.node.iter_markers("allow_log"):
        allowed.extend(m.args)
    time.sleep(0.05)
    bad = unexpected_log_lines(invqr, offsets, allowed)
    assert not bad, "unexpected log lines:\n" + "\n".join(bad)


@pytest.fixture
def browser_session(invqr):
    """A requests session that behaves like a browser on the demo."""
    s = requests.Session()
    s.headers["Accept-Language"] = "it-IT,it;q=0.9"
    return s
