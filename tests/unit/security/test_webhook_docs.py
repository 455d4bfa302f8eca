"""The receiver's verification function shown in docs/webhooks.md agrees with the server's signing."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from parcellocker.security.webhook_signatures import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_headers

DOCS = Path(__file__).resolve().parents[3] / "docs" / "webhooks.md"
SECRET = "whsec_docs-example-secret"
BODY = b'{"event_id":"e-1","to_state":"stored"}'


def documented_verify() -> Callable[..., bool]:
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(), flags=re.DOTALL)
    [code] = [block for block in blocks if "def verify_parcellocker_webhook" in block]
    namespace: dict[str, object] = {}
    exec(compile(code, str(DOCS), "exec"), namespace)
    verify = namespace["verify_parcellocker_webhook"]
    assert callable(verify)
    return verify


def test_the_documented_function_accepts_what_the_server_signs() -> None:
    verify = documented_verify()
    headers = signature_headers(SECRET, int(time.time()), BODY)
    assert verify(SECRET, BODY, headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER]) is True
    assert verify(SECRET, BODY, headers[TIMESTAMP_HEADER], "v1=" + "0" * 64 + ", " + headers[SIGNATURE_HEADER])


def test_the_documented_function_refuses_another_secret_a_changed_body_and_an_old_request() -> None:
    verify = documented_verify()
    now = int(time.time())
    headers = signature_headers(SECRET, now, BODY)
    assert verify("whsec_other", BODY, headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER]) is False
    assert verify(SECRET, BODY + b"\n", headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER]) is False
    old = signature_headers(SECRET, now - 3600, BODY)
    assert verify(SECRET, BODY, old[TIMESTAMP_HEADER], old[SIGNATURE_HEADER]) is False
    assert verify(SECRET, BODY, "soon", headers[SIGNATURE_HEADER]) is False
