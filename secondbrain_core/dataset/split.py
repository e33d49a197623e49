"""Deterministic train/validation/test split by document: every style of a document in one split.

The split is a function of the document id's hash alone, so it never changes when other
documents come or go, and no document's text is trained on and then tested.
"""

from __future__ import annotations

import hashlib

SPLITS = ("train", "validation", "test")
VALIDATION_SHARE, TEST_SHARE = 0.1, 0.1


def split_of(doc_id: str) -> str:
    bucket = int.from_bytes(hashlib.sha256(doc_id.encode()).digest()[:8], "big") / 2**64
    if bucket < TEST_SHARE:
        return "test"
    return "validation" if bucket < TEST_SHARE + VALIDATION_SHARE else "train"
