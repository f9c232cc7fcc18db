"""Scale: the extract stage over partitions of the input, in this process or on Dask.

    from sitrep.scale import run_dask, run_local
    summary = run_dask(paths, published=None, db="sitrep.db", scheduler=None, n_workers=2)
"""

from .engine import (
    DEFAULT_PARTITION_SIZE,
    Partition,
    extract_partition,
    get_pipeline,
    iter_partition,
    merge_into_store,
    plan_partitions,
    read_event_rows,
    run_dask,
    run_local,
)

__all__ = [
    "DEFAULT_PARTITION_SIZE", "Partition", "extract_partition", "get_pipeline",
    "iter_partition", "merge_into_store", "plan_partitions", "read_event_rows", "run_dask",
    "run_local",
]
