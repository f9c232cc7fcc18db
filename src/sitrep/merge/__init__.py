"""merge: event reports -> canonical events (one per real-world incident), with sources.

Public API:

* `merge_documents(store, doc_ids=None, rebuild=False, window=None) -> MergeResult`: merge
  stored events into canonical events (None: every event not merged yet); incremental and
  id-stable. A stream of merges shares one `MergeWindow` (what it read, kept between batches).
* `canonical_events(store, **filters) -> Iterator[dict]`: canonical events with `sources`
  (document, outlet, role, party), `n_sources`, `claim_status`, `report_ids`.
* `canonical_history(store, canonical_id)`, `canonical_id_of(store, event_id)`.
* `sitrep.merge.core`: the pure clustering core (`Report`, `Merger`, `canonical`).

Importing this package registers the merge tables on `sitrep.store.schema.metadata`.
"""

from __future__ import annotations

from . import schema  # noqa: F401  (registers the tables on the shared metadata)
from .db import (
    MergeResult,
    MergeWindow,
    canonical_count,
    canonical_events,
    canonical_history,
    canonical_id_of,
    load_reports,
    merge_documents,
    merge_pending,
)

__all__ = ["MergeResult", "MergeWindow", "merge_documents", "canonical_count", "canonical_events",
           "canonical_history",
           "canonical_id_of", "load_reports", "merge_pending"]
