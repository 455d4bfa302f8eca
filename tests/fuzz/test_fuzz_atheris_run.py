"""The atheris harness (tests/fuzz/atheris_link_and_frames.py) run in its own process, seeded with valid frames and
answers: a short run of 10,000 inputs in `make test`, 5 minutes of coverage-guided fuzzing with PARCELLOCKER_CHAOS=full.
A crash makes it exit non-zero with the input and the traceback, which this test shows."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fuzz_settings import FULL
from link_answers import VALID

from parcellocker.boards.eighta import frames as eighta
from parcellocker.boards.kerong import frames as kerong

pytestmark = pytest.mark.chaos

HARNESS = Path(__file__).with_name("atheris_link_and_frames.py")
LIMIT = ["-max_total_time=300"] if FULL else ["-runs=10000"]


def seeds() -> list[bytes]:
    status = kerong.status_reply(0x10, kerong.Status((True,) * 16, (False,) * 16))
    found = [b"\x00" + kerong.unlock_request(1, 3).encode(), b"\x00" + status.encode()]
    found += [b"\x01" + eighta.unlock_request(1, 3).encode(), b"\x01" + eighta.query_all_reply(1, [True] * 24).encode()]
    found += [b"\x02" + json.dumps(body).encode() for _, body in VALID.values()]
    found += [b'\x03{"seq": 3, "kind": "door", "at": "2030-05-01T12:00:00Z", "compartment": 4, "state": "open"}']
    return found


def test_atheris_finds_no_crash_in_the_frame_parsers_and_the_link_decoding(tmp_path: Path) -> None:
    pytest.importorskip("atheris")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for index, seed in enumerate(seeds()):
        (corpus / f"seed-{index}").write_bytes(seed)
    run = subprocess.run(
        [sys.executable, str(HARNESS), *LIMIT, "-timeout=10", "-rss_limit_mb=1024", str(corpus)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    assert "Done" in run.stderr and not list(tmp_path.glob("crash-*"))
