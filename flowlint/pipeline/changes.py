"""Which files changed since a project's last run: content digests, trusted stat keys.

Reading and hashing every file is the largest part of a re-check over thousands of files:
a file whose stat key (size, times, inode) is the one the last run recorded, and that had
held still for a while before that run, keeps its recorded digest (git trusts its index
the same way).  The incremental engine (:mod:`flowlint.pipeline.resident`) then re-checks
what the changed files can change.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from flowlint.pipeline.facts import StatKey

if TYPE_CHECKING:
    from flowlint.cache import Snapshot

#: File-system clocks can be coarse: a stat key is trusted only for a file unchanged since
#: this long before the run that recorded it started (git trusts its index the same way).
_RACY_NS = 2_000_000_000


def stat_key(path: str) -> StatKey | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def digests_of(files: Sequence[tuple[str, str]], snapshot: Snapshot | None,
             started: int) -> tuple[list[str | None], list[StatKey | None]]:
    """Content digests, and the stat keys worth recording with them.  A file whose stat key
    is the one ``snapshot`` recorded keeps its digest: reading and hashing every file is
    the largest part of a re-check over thousands of files."""
    records = {facts.path: facts for facts in snapshot.files} if snapshot is not None else {}
    digests: list[str | None] = []
    stats: list[StatKey | None] = []
    for path, fmt in files:
        key = stat_key(path)
        record = records.get(path)
        if key is not None and record is not None and record.stat == key and record.fmt == fmt:
            digests.append(record.digest)
            stats.append(key)
            continue
        digests.append(digest_of(path))
        # Recorded only if the file held still while read, and had for a while before.
        stable = key is not None and key == stat_key(path) and key[2] < started - _RACY_NS
        stats.append(key if stable else None)
    return digests, stats


def digest_of(path: str) -> str | None:
    # The loaders' reader: never blocks on a pipe, never reads past the size limit.
    from flowlint.loaders import read_flow_bytes

    try:
        data = read_flow_bytes(path)
    except OSError:
        return None
    return None if data is None else hashlib.sha256(data).hexdigest()
