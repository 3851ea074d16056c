"""``--shard auto``: the job's slice of the fleet, from the variables the CI system sets.

In the order tried:

1. ``READINESS_SHARD_INDEX`` / ``READINESS_SHARD_TOTAL``: explicit, for CI systems that set none
   of their own (a GitHub Actions matrix: ``READINESS_SHARD_INDEX: ${{ matrix.shard }}``);
2. GitLab CI: ``CI_NODE_INDEX`` / ``CI_NODE_TOTAL``, set for a job with ``parallel: N`` (the index
   counts from 1; a job without ``parallel`` has ``CI_NODE_TOTAL=1`` and no index: the whole fleet);
3. Azure Pipelines: ``SYSTEM_JOBPOSITIONINPHASE`` / ``SYSTEM_TOTALJOBSINPHASE``, the variables
   ``System.JobPositionInPhase`` and ``System.TotalJobsInPhase`` of a job with
   ``strategy: parallel: N`` (counting from 1).

Every index counts from 1, as ``--shard K/N`` does. None set, or a pair half set or not numbers,
is a usage error that says which variables were looked for.

>>> resolve_shard("auto", {"CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "4"})
'2/4'
>>> resolve_shard("3/5", {})
'3/5'
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from readiness.hosts import HostSpecError

SOURCES = (
    ("READINESS_SHARD_INDEX", "READINESS_SHARD_TOTAL", "explicit"),
    ("CI_NODE_INDEX", "CI_NODE_TOTAL", "GitLab CI parallel"),
    ("SYSTEM_JOBPOSITIONINPHASE", "SYSTEM_TOTALJOBSINPHASE", "Azure Pipelines strategy: parallel"),
)


def resolve_shard(value: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """``K/N`` for ``--shard``: the value itself, or with ``auto`` the CI system's."""
    if value is None or value.strip().lower() != "auto":
        return value
    env = os.environ if environ is None else environ
    for index_name, total_name, what in SOURCES:
        index, total = env.get(index_name, "").strip(), env.get(total_name, "").strip()
        if not index and not total:
            continue
        if index_name == "CI_NODE_INDEX" and not index and total == "1":
            return "1/1"  # a GitLab job without parallel: the whole fleet
        if not (index.isdigit() and total.isdigit()):
            raise HostSpecError(f"--shard auto: {index_name}={index!r} and {total_name}={total!r} ({what}) "
                                f"must both be whole numbers, the index counting from 1")
        if not 1 <= int(index) <= int(total):
            raise HostSpecError(f"--shard auto: {index_name}={index} is not between 1 and {total_name}={total}")
        return f"{int(index)}/{int(total)}"
    looked = ", ".join(f"{i}/{t}" for i, t, _ in SOURCES)
    raise HostSpecError(f"--shard auto: no shard variables are set (looked for {looked}): in a GitHub Actions "
                        f"matrix set READINESS_SHARD_INDEX and READINESS_SHARD_TOTAL, or give --shard K/N")
