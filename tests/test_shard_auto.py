"""``--shard auto``: the slice comes from the CI system's variables, or a usage error says which to set."""

from __future__ import annotations

import pytest

from readiness.hosts import HostSpecError, collect_hosts, select_shard
from readiness.sharding import SOURCES, resolve_shard
from tests.emulated import RULES_DIR

CI_VARIABLES = [name for index, total, _ in SOURCES for name in (index, total)]


@pytest.mark.parametrize("env, shard", [
    ({"READINESS_SHARD_INDEX": "2", "READINESS_SHARD_TOTAL": "3"}, "2/3"),
    ({"CI_NODE_INDEX": "4", "CI_NODE_TOTAL": "4"}, "4/4"),
    ({"CI_NODE_TOTAL": "1"}, "1/1"),  # GitLab, a job without parallel:
    ({"SYSTEM_JOBPOSITIONINPHASE": "1", "SYSTEM_TOTALJOBSINPHASE": "2"}, "1/2"),
    # The explicit pair wins over the CI system's.
    ({"READINESS_SHARD_INDEX": "1", "READINESS_SHARD_TOTAL": "2", "CI_NODE_INDEX": "2", "CI_NODE_TOTAL": "2"}, "1/2"),
])
def test_auto_reads_the_ci_variables(env, shard):
    assert resolve_shard("auto", env) == shard
    assert resolve_shard("AUTO", env) == shard


@pytest.mark.parametrize("env, words", [
    ({}, ("no shard variables are set (looked for READINESS_SHARD_INDEX/READINESS_SHARD_TOTAL, "
         "CI_NODE_INDEX/CI_NODE_TOTAL, SYSTEM_JOBPOSITIONINPHASE/SYSTEM_TOTALJOBSINPHASE)")),
    ({"CI_NODE_INDEX": "0", "CI_NODE_TOTAL": "4"}, "CI_NODE_INDEX=0 is not between 1 and CI_NODE_TOTAL=4"),
    ({"SYSTEM_JOBPOSITIONINPHASE": "3", "SYSTEM_TOTALJOBSINPHASE": "2"}, "is not between 1 and"),
    ({"READINESS_SHARD_INDEX": "1"}, "READINESS_SHARD_TOTAL='' (explicit) must both be whole numbers"),
    ({"CI_NODE_INDEX": "one", "CI_NODE_TOTAL": "2"}, "CI_NODE_INDEX='one'"),
])
def test_auto_without_usable_variables_is_an_error(env, words):
    with pytest.raises(HostSpecError) as raised:
        resolve_shard("auto", env)
    assert words in str(raised.value)


def test_other_values_pass_through():
    assert resolve_shard(None, {"CI_NODE_INDEX": "1", "CI_NODE_TOTAL": "2"}) is None
    assert resolve_shard("2/5", {}) == "2/5"


def _collected(pytester, *args):
    result = pytester.runpytest_subprocess(str(RULES_DIR), "-p", "no:cacheprovider", "--collect-only", "-q", *args)
    return result, sorted({line.split("[", 1)[1].rstrip("]") for line in result.stdout.lines if "::test_" in line})


HOSTS = ",".join(f"winrm://admin:pw@127.0.0.{i}:5985?no_ssl=true" for i in range(2, 12))


@pytest.mark.parametrize("variables", [("CI_NODE_INDEX", "CI_NODE_TOTAL"),
                                       ("SYSTEM_JOBPOSITIONINPHASE", "SYSTEM_TOTALJOBSINPHASE"),
                                       ("READINESS_SHARD_INDEX", "READINESS_SHARD_TOTAL")])
def test_a_run_with_shard_auto_checks_the_jobs_slice(pytester, monkeypatch, variables):
    for name in CI_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    index, total = variables
    monkeypatch.setenv(index, "2")
    monkeypatch.setenv(total, "3")
    result, hosts = _collected(pytester, f"--hosts={HOSTS}", "--shard", "auto")
    assert result.ret == 0, result.stdout.str()[-2000:]
    want = sorted(s.display for s in select_shard(collect_hosts(HOSTS, []), "2/3"))
    assert hosts == want and 0 < len(hosts) < 10


def test_a_run_with_shard_auto_and_no_variables_is_a_usage_error(pytester, monkeypatch):
    for name in CI_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    result, _hosts = _collected(pytester, f"--hosts={HOSTS}", "--shard=auto")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--shard auto: no shard variables are set" in result.stderr.str()
    assert "Traceback" not in result.stderr.str() + result.stdout.str()
