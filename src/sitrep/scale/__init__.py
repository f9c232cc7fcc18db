"""Scale: the extract stage over partitions of the input, in this process or on Dask.

    from sitrep.scale import run_dask, run_local
    summary = run_dask(paths, published=None, db="sitrep.db", scheduler=None, n_workers=2)
"""

__all__ = [
    "DEFAULT_PARTITION_SIZE", "DaskMissing", "Partition", "SCALE_EXTRA", "extract_partition",
    "get_pipeline", "iter_partition", "merge_into_store", "plan_partitions", "read_event_rows", "require_dask",
    "run_dask", "run_local",
]


def __getattr__(name: str):
    # Dask is imported only when the engine is used (keeps CLI start-up fast)
    if name in __all__:
        from . import engine

        return getattr(engine, name)
    raise AttributeError(name)
