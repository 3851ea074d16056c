"""Service health checks: the monitoring agent, the hybrid runbook worker, agent events, the
linked workspace, and the Windows Update service."""

from datetime import timedelta

import pytest

from readiness import workspace

pytestmark = pytest.mark.servicehealth

MMA = "Microsoft Monitoring Agent"
MMA_SERVICE = "HealthService"
MMA_LOG = "Operations Manager"

SMA_LOG = "Microsoft-SMA/Operational"
WORKER_STARTED, WORKER_STOPPED = 15003, 15004

AGENT_ERROR_EVENT = 4502
AGENT_ERROR_SOURCE = "Health Service Modules"
RECENT = timedelta(hours=24)

WU = "Windows Update"
WU_SERVICE = "wuauserv"
START_DISABLED = 4


def test_MonitoringAgentServiceRunningCheck(facts, rule):
    """The Microsoft Monitoring Agent service (HealthService) must be running."""
    args = [MMA, MMA_SERVICE]
    if facts.service(MMA_SERVICE).running:
        rule.passed(f"{MMA} service ({MMA_SERVICE}) is running", args)
    rule.failed(f"{MMA} service ({MMA_SERVICE}) is not running", args)


def _system_worker_event(event):
    # The system hybrid worker's events: property 1 is property 2 + "_" + property 3
    # (PowerShell's -eq, which ignores case).
    p = event.properties
    return len(p) >= 4 and p[1].casefold() == f"{p[2]}_{p[3]}".casefold()


def test_SystemHybridRunbookWorkerRunningCheck(facts, rule):
    """The newest start or stop event of the system hybrid worker must be a start."""
    log = facts.event_log(SMA_LOG)
    events = [e for e in log.events if e.id in (WORKER_STARTED, WORKER_STOPPED) and _system_worker_event(e)]
    newest = max(events, key=lambda e: e.time, default=None)  # the first of equals: the probe lists newest first
    if newest is not None and newest.id == WORKER_STARTED:
        rule.passed("Hybrid runbook worker is running.")
    rule.failed(
        f"Hybrid runbook worker is in stopped state. Please restart {MMA} service ({MMA_SERVICE}) "
        "and rerun the troubleshooter to ensure that hybrid runbook worker is in running state.",
        [MMA, MMA_SERVICE],
    )


def test_MonitoringAgentServiceEventsCheck(facts, rule):
    """No event 4502 from Health Service Modules in the 24 hours before the probe ran."""
    args = [MMA, MMA_LOG, AGENT_ERROR_EVENT]
    log = facts.event_log(MMA_LOG)
    if not log.exists:
        rule.failed(f"{MMA} service Event Log ({MMA_LOG}) does not exist on the machine", args, reason="NoLog")
    since = facts.collected_at - RECENT
    recent_errors = [
        e for e in log.events
        if e.id == AGENT_ERROR_EVENT and (e.source or "").casefold() == AGENT_ERROR_SOURCE.casefold() and e.time > since
    ]
    if recent_errors:
        rule.failed(
            f"{MMA} service Event Log ({MMA_LOG}) has event {AGENT_ERROR_EVENT} logged in the last 24 hours. "
            "Look at the results of other checks to troubleshoot the reasons.",
            args,
            reason="EventFound",
        )
    # None in what the probe kept: that is a pass only if it kept every 4502 of the window.
    log.require_all(AGENT_ERROR_EVENT, "the probe read only the newest of the last 25 hours, none of them recent")
    rule.passed(f"{MMA} service Event Log ({MMA_LOG}) does not have event {AGENT_ERROR_EVENT} logged in the last 24 hours.", args)


def test_LinkedWorkspaceCheck(facts, rule):
    """The VM should report to exactly one workspace with the updates solution."""
    ws = workspace.from_facts(facts)
    args = [ws.valid or ""]
    if ws.reason == workspace.NONE:
        rule.failed("VM is not reporting to any workspace.", args, reason="NoWorkspace")
    if ws.reason == workspace.MULTIPLE_BUT_VALID:
        rule.warned(
            "Although VM is reporting to multiple workspaces, the updates solution is configured in only one "
            f"workspace: {ws.valid}. Please make sure automation account is linked to same workspace.",
            args,
        )
    if ws.reason == workspace.MULTIPLE:
        rule.failed(
            "VM is reporting to multiple workspaces with updates solution configured. Please make sure that only "
            "one workspace has updates solution and automation account is linked to that workspace.",
            args,
        )
    rule.passed(f"VM is reporting to workspace {ws.valid}. Please make sure automation account is linked to same workspace.", args)


def test_WUServiceRunningCheck(facts, rule):
    """The Windows Update service must not be disabled (its Start value is not 4)."""
    args = [WU, WU_SERVICE]
    service = facts.service(WU_SERVICE)
    if not service.exists:
        # The troubleshooter finds no service, hence no disabled one, and passes. A machine
        # without the Windows Update service cannot install updates: that is a failure.
        rule.failed(f"{WU} service ({WU_SERVICE}) is not installed on the machine.", args, reason="NotInstalled")
    if service.start is None:
        # An installed service without a Start value: its start type is unknown, never assumed.
        rule.inconclusive(f"services.{WU_SERVICE}.start", "the service has no Start value")
    if service.start == START_DISABLED:
        rule.failed(
            f"{WU} service ({WU_SERVICE}) is disabled. Please set it to automatic or manual. "
            "You can run 'sc config wuauserv start= demand' to set it to manual.",
            args,
        )
    rule.passed(f"{WU} service ({WU_SERVICE}) is running.", args)
