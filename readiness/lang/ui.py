"""The UI strings of the reports: key -> {language: text}. ``en`` is today's text, word for word.

``{name}`` marks a value the writer fills in (``str.format``); both languages use the same names.
"""

from __future__ import annotations

UI: dict[str, dict[str, str]] = {
    # The page.
    "report.title": {"en": "Update Management readiness", "ja": "Update Management の準備状況"},
    "report.language": {"en": "Language", "ja": "言語"},

    # The columns the readiness view adds to the results table (report_html.COLUMNS).
    "column.host": {"en": "Host", "ja": "ホスト"},
    "column.ruleid": {"en": "RuleId", "ja": "ルール ID"},
    "column.group": {"en": "Group", "ja": "グループ"},
    "column.checkresult": {"en": "CheckResult", "ja": "チェック結果"},
    "column.message": {"en": "Message", "ja": "メッセージ"},
    "column.explanation": {"en": "Explanation", "ja": "説明"},

    # CheckResult values and the other states, as shown to people (never in machine output).
    "check.Passed": {"en": "Passed", "ja": "成功"},
    "check.PassedWithWarning": {"en": "PassedWithWarning", "ja": "成功 (警告あり)"},
    "check.Failed": {"en": "Failed", "ja": "失敗"},
    "check.Information": {"en": "Information", "ja": "情報"},
    "check.not applicable": {"en": "not applicable", "ja": "対象外"},
    "check.not run": {"en": "not run", "ja": "未実行"},
    "check.no result": {"en": "no result", "ja": "結果なし"},

    # The short labels of the matrix cells (report_html._LABELS).
    "label.Passed": {"en": "Passed", "ja": "成功"},
    "label.PassedWithWarning": {"en": "Warning", "ja": "警告"},
    "label.Failed": {"en": "Failed", "ja": "失敗"},
    "label.not applicable": {"en": "n/a", "ja": "対象外"},
    "label.not run": {"en": "-", "ja": "-"},
    "label.no result": {"en": "Failed", "ja": "失敗"},

    # The host x rule matrix.
    "matrix.heading": {"en": "Readiness by host", "ja": "ホスト別の準備状況"},
    "matrix.host": {"en": "Host", "ja": "ホスト"},
    "matrix.not_checked": {"en": " (not checked)", "ja": " (未チェック)"},
    "matrix.title": {"en": "{rule_id}: {check}: {message}", "ja": "{rule_id}: {check}: {message}"},
    "matrix.title_state": {"en": "{rule_id}: {check}", "ja": "{rule_id}: {check}"},
    "matrix.title_unchecked": {"en": "{rule_id}: {check}: the host was not checked",
                               "ja": "{rule_id}: {check}: このホストはチェックされていません"},
    "legend.entry": {"en": "{label} = {check}", "ja": "{label} = {check}"},

    # The remediation block under a result that is not Passed, and its Markdown text.
    "remediation.name": {"en": "Remediation", "ja": "対処方法"},
    "remediation.heading": {"en": "{rule_id}: {check} on {host}", "ja": "{host} の {rule_id}: {check}"},
    "remediation.what": {"en": "What it checks", "ja": "チェックの内容"},
    "remediation.why": {"en": "Why it matters", "ja": "重要な理由"},
    "remediation.fix": {"en": "How to fix", "ja": "修正方法"},
    "remediation.verify": {"en": "How to verify", "ja": "確認方法"},
    "remediation.message": {"en": "Message", "ja": "トラブルシューティング ツールのメッセージ"},
    "remediation.explanation": {"en": "Explanation", "ja": "説明"},

    # pytest-html's own page text: the summary, its filters and its table.
    "html.summary": {"en": "Summary", "ja": "概要"},
    "html.environment": {"en": "Environment", "ja": "環境"},
    "html.run_count": {"en": "{count} {tests} took {duration}.", "ja": "{count} {tests}に {duration} かかりました。"},
    "html.tests": {"en": "tests", "ja": "件のテスト"},
    "html.test": {"en": "test", "ja": "件のテスト"},
    "html.filter_hint": {"en": "(Un)check the boxes to filter the results.",
                         "ja": "チェック ボックスをオンまたはオフにして、結果を絞り込みます。"},
    "html.running": {"en": "There are still tests running.", "ja": "まだ実行中のテストがあります。"},
    "html.reload": {"en": "Reload this page to get the latest results!",
                    "ja": "最新の結果を表示するには、このページを再読み込みしてください。"},
    "html.show_all": {"en": "Show all details", "ja": "すべての詳細を表示"},
    "html.hide_all": {"en": "Hide all details", "ja": "すべての詳細を非表示"},
    "html.no_results": {"en": "No results found. Check the filters.",
                        "ja": "結果が見つかりません。フィルターを確認してください。"},
    "html.generated": {"en": "Report generated on {date} at {time} by",
                       "ja": "レポート作成日時: {date} {time}、作成ツール:"},
    "html.date": {"en": "{day}-{month}-{year}", "ja": "{year}年{month}月{day}日"},
    "html.milliseconds": {"en": "{ms} ms", "ja": "{ms} ミリ秒"},
    "filter.failed": {"en": "Failed", "ja": "失敗"},
    "filter.passed": {"en": "Passed", "ja": "成功"},
    "filter.skipped": {"en": "Skipped", "ja": "スキップ"},
    "filter.xfailed": {"en": "Expected failures", "ja": "想定どおりの失敗"},
    "filter.xpassed": {"en": "Unexpected passes", "ja": "想定外の成功"},
    "filter.error": {"en": "Errors", "ja": "エラー"},
    "filter.rerun": {"en": "Reruns", "ja": "再実行"},
    "filter.retried": {"en": "Retried", "ja": "再試行"},
    "table.result": {"en": "Result", "ja": "結果"},
    "table.test": {"en": "Test", "ja": "テスト"},
    "table.duration": {"en": "Duration", "ja": "所要時間"},
    "table.links": {"en": "Links", "ja": "リンク"},

    # The fleet summary and the terminal summary (report_terminal).
    "terminal.heading": {"en": "readiness summary", "ja": "準備状況の概要"},
    "terminal.host_list": {"en": "readiness: {host}", "ja": "準備状況: {host}"},
    "terminal.unchecked": {"en": "{host}  {check}  no result: the host was not checked",
                           "ja": "{host}  {check}  結果なし: このホストはチェックされていません"},
    "terminal.total": {"en": "{host}  {check}  {count} rules: {parts}", "ja": "{host}  {check}  {count} 個のルール: {parts}"},
    "terminal.rules": {"en": "{count} rules: {parts}", "ja": "{count} 個のルール: {parts}"},
    "terminal.count": {"en": "{count} {check}", "ja": "{check} {count} 件"},
    "terminal.separator": {"en": ", ", "ja": "、"},
    "terminal.route": {"en": "  [route: {route}]", "ja": "  [経路: {route}]"},
    "terminal.problem": {"en": "{host}  {rule_id}  {check}  {message}", "ja": "{host}  {rule_id}  {check}  {message}"},
    "terminal.explanation": {"en": "    {explanation}", "ja": "    説明: {explanation}"},
    "terminal.profile": {"en": "{host}  profile {profile}", "ja": "{host}  プロファイル {profile}"},
    "terminal.profile_auto": {"en": "{host}  profile {profile} (auto: {reason})",
                              "ja": "{host}  プロファイル {profile} (自動判定: {reason})"},
    "terminal.host_list_profile": {"en": "readiness: {host} (profile {profile})",
                                   "ja": "準備状況: {host} (プロファイル {profile})"},

    # Rule groups (the troubleshooter's RuleGroupName, in en).
    "group.Prerequisite Checks": {"en": "Prerequisite Checks", "ja": "前提条件のチェック"},
    "group.connectivity": {"en": "connectivity", "ja": "接続"},
    "group.VM Service Health Checks": {"en": "VM Service Health Checks", "ja": "VM サービスの正常性チェック"},
    "group.WU Service Health Check": {"en": "WU Service Health Check", "ja": "Windows Update サービスの正常性チェック"},
    "group.Access Permission Checks": {"en": "Access Permission Checks", "ja": "アクセス許可のチェック"},
    "group.Machine Override Checks": {"en": "Machine Override Checks", "ja": "マシンの上書き設定のチェック"},

    # Rule names (the troubleshooter's RuleName, in en), as the matrix and the remediation head them.
    "rule.OperatingSystemCheck": {"en": "Operating System", "ja": "オペレーティング システム"},
    "rule.DotNetFrameworkInstalledCheck": {"en": ".NET Framework 4.6.2+", "ja": ".NET Framework 4.6.2 以降"},
    "rule.WindowsManagementFrameworkInstalledCheck": {"en": "WMF 5.1", "ja": "WMF 5.1"},
    "rule.AutomationAgentServiceConnectivityCheck1": {"en": "Registration endpoint", "ja": "登録エンドポイント"},
    "rule.AutomationJobRuntimeDataServiceConnectivityCheck": {"en": "Operations endpoint", "ja": "操作エンドポイント"},
    "rule.MonitoringAgentServiceRunningCheck": {"en": "Monitoring Agent service status",
                                                "ja": "Monitoring Agent サービスの状態"},
    "rule.SystemHybridRunbookWorkerRunningCheck": {"en": "Hybrid runbook worker status",
                                                   "ja": "Hybrid Runbook Worker の状態"},
    "rule.MonitoringAgentServiceEventsCheck": {"en": "Monitoring Agent service events",
                                               "ja": "Monitoring Agent サービスのイベント"},
    "rule.LinkedWorkspaceCheck": {"en": "VM's Linked Workspace", "ja": "VM のリンクされたワークスペース"},
    "rule.CryptoRsaMachineKeysFolderAccessCheck": {"en": "Crypto RSA MachineKeys Folder Access",
                                                   "ja": "Crypto RSA MachineKeys フォルダーへのアクセス"},
    "rule.TlsVersionCheck": {"en": "TLS 1.2", "ja": "TLS 1.2"},
    "rule.AlwaysAutoRebootCheck": {"en": "AutoReboot", "ja": "自動再起動"},
    "rule.WSUSServerConfigured": {"en": "isWSUSServerConfigured", "ja": "WSUS サーバーの構成"},
    "rule.AutomaticUpdateCheck": {"en": "AutoUpdate", "ja": "自動更新"},
    "rule.HttpsConnection": {"en": "HTTPS connection", "ja": "HTTPS 接続"},
    "rule.ProxySettings": {"en": "Proxy settings", "ja": "プロキシ設定"},
    "rule.IMDSConnectivity": {"en": "IMDS endpoint connectivity", "ja": "IMDS エンドポイントへの接続"},
    "rule.WUServiceRunningCheck": {"en": "WU service status", "ja": "Windows Update サービスの状態"},
    "rule.LAOdsEndpointConnectivity": {"en": "LA ODS endpoint", "ja": "Log Analytics ODS エンドポイント"},
    "rule.LAOmsEndpointConnectivity": {"en": "LA OMS endpoint", "ja": "Log Analytics OMS エンドポイント"},
}
