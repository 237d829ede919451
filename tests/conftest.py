"""Shared fixtures: the shared corpus (skipped cleanly when absent) and small helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("shared corpus not available (expected at ../shared/corpus)")
    return CORPUS
