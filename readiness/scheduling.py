"""Host-grouped scheduling for pytest-xdist: each host's rules on one worker, dealt out at once.

xdist's ``loadgroup`` keeps a group on one worker but hands groups out one or two at a time,
so a worker learns its hosts one by one and probes them one after the other. Here the hosts are
dealt out when the run starts, host *i* to worker ``gw{i mod n}``, so every worker knows all
its hosts from the start and probes them concurrently on its pool, as a run without xdist does.

>>> group_name(12), host_index(group_name(12)), host_index("other")
('readiness-host-000012', 12, None)
"""

from __future__ import annotations

import re
from typing import Any

GROUP_PREFIX = "readiness-host-"
_GROUP = re.compile(rf"{GROUP_PREFIX}(\d+)$")
_WORKER = re.compile(r"gw(\d+)$")

# The value of workerinput["readiness_schedule"] that tells workers the hosts were dealt out.
DEALT = "hosts-dealt"


def group_name(index: int) -> str:
    """The xdist group of the host at ``index`` of the run's host list."""
    return f"{GROUP_PREFIX}{index:06d}"


def host_index(scope: str) -> int | None:
    match = _GROUP.search(scope)
    return int(match.group(1)) if match else None


def worker_slot(workerinput: dict[str, Any]) -> tuple[int, int] | None:
    """``(k, n)`` for worker ``gwk`` of ``n``, when the controller dealt the hosts out."""
    if workerinput.get("readiness_schedule") != DEALT:
        return None
    match = _WORKER.match(str(workerinput.get("workerid", "")))
    count = int(workerinput.get("workercount") or 0)
    if not match or count < 1:
        return None
    return int(match.group(1)), count


def owns(slot: tuple[int, int], index: int) -> bool:
    k, n = slot
    return index % n == k


def make_scheduler(config: Any, log: Any) -> Any:
    """The scheduler (xdist imported only when xdist runs the session)."""
    from xdist.scheduler import LoadGroupScheduling

    class HostScheduling(LoadGroupScheduling):
        """Every group to one worker, all at once: group of host *i* to ``gw{i mod n}``."""

        collection: list[str] | None  # the base class's (xdist has no type information)

        def schedule(self) -> None:
            assert self.collection_is_completed
            if self.collection is not None:  # a node came or went: the base class re-deals what is left
                super().schedule()
                return
            if not self._check_nodes_have_same_collection():
                self.log("**Different tests collected, aborting run**")
                return
            self.collection = list(next(iter(self.registered_collections.values())))
            if not self.collection:
                return
            for nodeid in self.collection:
                self.workqueue.setdefault(self._split_scope(nodeid), {})[nodeid] = False
            nodes = self.nodes
            by_slot = {}
            for node in nodes:
                match = _WORKER.match(node.gateway.id)
                if match:
                    by_slot[int(match.group(1))] = node
            dealt: dict[Any, list[int]] = {node: [] for node in nodes}
            for turn, scope in enumerate(list(self.workqueue)):
                index = host_index(scope)
                node = by_slot.get(index % len(nodes)) if index is not None else None
                node = node or nodes[turn % len(nodes)]
                work_unit = self.workqueue.pop(scope)
                self.assigned_work[node][scope] = work_unit
                collection = self.registered_collections[node]
                dealt[node] += [collection.index(nodeid) for nodeid in work_unit]
            for node, indexes in dealt.items():
                if indexes:
                    node.send_runtest_some(indexes)
                node.shutdown()

    return HostScheduling(config, log)
