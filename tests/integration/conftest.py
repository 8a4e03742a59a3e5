# SPDX-License-Identifier: Apache-2.0
"""pytest fixtures for the integration tests: one real invqr instance per
session (tests/harness.py). Every test fails if the httpd error log or the
worker log gained an error or warning line it did not declare with
@pytest.mark.allow_log(regex).
"""
import sys
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# the instance, the log check and the allow_log marker come from the harness
from harness import clean_logs, csrf_of, demo_login, invqr, pytest_configure  # noqa: E402,F401


@pytest.fixture
def browser_session(invqr):
    """A requests session that behaves like a browser on the demo."""
    s = requests.Session()
    s.headers["Accept-Language"] = "it-IT,it;q=0.9"
    return s
