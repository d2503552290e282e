"""Run the per-document task on a dask.distributed cluster (optional extra: ``pip install chiso[dask]``).

The task is the very function the local pool runs: it reads one file, reuses or writes that
document's shard under OUT, and returns a small outcome; so OUT must be on storage every worker
sees (a shared filesystem on a cluster). Without a scheduler address a LocalCluster of ``workers``
single-threaded processes is started for the run and closed after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


def run_on_dask(
    tasks: list[Any], function: Callable[[Any], Any], scheduler: str | None, workers: int
) -> Iterator[tuple[int, Any]]:
    """Yield ``(index, outcome)`` for every task as the cluster finishes it."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:
        raise RuntimeError("the dask engine needs the optional extra: pip install 'chiso[dask]'") from exc

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = client.map(function, tasks, pure=False)
        index_of = {future.key: index for index, future in enumerate(futures)}
        for future in as_completed(futures):
            yield index_of[future.key], future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
