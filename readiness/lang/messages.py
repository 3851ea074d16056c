"""Explanations of every message id, shown beside the troubleshooter's English message.

``MESSAGES`` maps each rule-specific message id to the troubleshooter's message as
docs/rules.md writes it (``en``; ``<...>`` is a value of the host) and its explanation (``ja``).
A message id that covers several cases has the others in ``VARIANTS``, each with its own
message. ``REASON_EXPLANATIONS`` explains the suite's own ids, ``<RuleId>.Failed.<Reason>``,
which every rule can give. The English message itself never changes: these are read beside it.
"""

from __future__ import annotations

_TCP_OK = "TCP Test for <endpoint> (port 443) succeeded"
_TCP_FAILED = "TCP Test for <endpoint> (port 443) failed"
_NO_REGISTRATION = "Unable to find Workspace registration information"
_MULTIPLE = "VM connected to multiple workspaces."

_JA_TCP_FAILED = (
    "マシンからこのエンドポイントのポート 443 への TCP 接続が、拒否されたか、切断されたか、"
    "タイムアウトしました。ファイアウォールまたはプロキシで、このエンドポイントへの送信方向の通信を許可してください。"
)
_JA_NO_WORKSPACE_ENDPOINT = (
    "Updates ソリューションを持つワークスペースが見つからないため、エンドポイントを特定できず、"
    "接続テストは行われていません。先に LinkedWorkspaceCheck の結果を修正してください。"
)
_JA_MULTIPLE_ENDPOINT = (
    "Updates ソリューションを持つワークスペースが複数あるため、どのエンドポイントをテストすべきか判断できません。"
    "Updates ソリューションを持つワークスペースを 1 つだけにしてください (LinkedWorkspaceCheck を参照)。"
)


def _endpoint(what: str) -> dict[str, dict[str, str]]:
    """The two results of an endpoint test; ``what`` names the endpoint and what goes through it."""
    return {
        "Passed": {"en": _TCP_OK, "ja": f"マシンから{what}のポート 443 への TCP 接続に成功しました。"},
        "Failed": {"en": _TCP_FAILED, "ja": f"{what}に接続できません。" + _JA_TCP_FAILED},
    }


_REGISTRATION = _endpoint("登録エンドポイント (Hybrid Runbook Worker が Azure Automation に登録するための接続先) ")
_OPERATIONS = _endpoint("操作エンドポイント (更新プログラムの Runbook を取得し、結果を返すための接続先) ")
_ODS = _endpoint("Log Analytics の ODS エンドポイント (評価結果やハートビートの送信先) ")
_OMS = _endpoint("Log Analytics の OMS エンドポイント (エージェントの構成の取得元) ")

MESSAGES: dict[str, dict[str, str]] = {
    "OperatingSystemCheck.Passed": {
        "en": "Operating System version is supported",
        "ja": "このマシンの Windows のバージョンは、Update Management でサポートされています。",
    },
    "OperatingSystemCheck.Failed": {
        "en": "Operating System version is not supported. Supported versions listed here: "
        "https://docs.microsoft.com/en-Us/azure/automation/update-management/operating-system-requirements",
        "ja": "このマシンの Windows のバージョンは 6.1.7600 (Windows Server 2008 R2) より古く、サポートされていません。"
        "メッセージのリンク先に、サポートされているバージョンの一覧があります。",
    },
    "DotNetFrameworkInstalledCheck.Passed": {
        "en": ".NET Framework version 4.6.2+ is found",
        "ja": ".NET Framework 4.6.2 以降がインストールされています。",
    },
    "DotNetFrameworkInstalledCheck.Failed": {
        "en": ".NET Framework version 4.6.2 or higher is required: "
        "https://www.microsoft.com/net/download/dotnet-framework-runtime",
        "ja": ".NET Framework 4.6.2 以降が見つかりません。Hybrid Runbook Worker を実行するには、"
        ".NET Framework 4.6.2 以降が必要です。メッセージのリンク先からインストールできます。",
    },
    "WindowsManagementFrameworkInstalledCheck.Passed": {
        "en": "Detected Windows Management Framework version: <version>",
        "ja": "Windows Management Framework (Windows PowerShell) 5.1 以降が検出されました。",
    },
    "WindowsManagementFrameworkInstalledCheck.PassedWithWarning": {
        "en": "Detected Windows Management Framework version: <version>. Consider upgrading to version 5.1 "
        "or higher for increased reliability: https://www.microsoft.com/download/details.aspx?id=54616",
        "ja": "Windows Management Framework のバージョンは 4.0 以上 5.1 未満です。動作はしますが、"
        "安定して動作させるために 5.1 以降へのアップグレードをお勧めします。",
    },
    "WindowsManagementFrameworkInstalledCheck.Failed": {
        "en": "Detected Windows Management Framework version: <version>. Version 4.0 or higher is required "
        "(version 5.1 or higher is preferable): https://www.microsoft.com/download/details.aspx?id=54616",
        "ja": "Windows Management Framework のバージョンが 4.0 より古いため、Update Management の Runbook を実行できません。"
        "4.0 以降 (できれば 5.1 以降) をインストールしてください。",
    },
    "AutomationAgentServiceConnectivityCheck1.Failed.NoRegistrationFound": {
        "en": _NO_REGISTRATION,
        "ja": "Updates ソリューションを持つワークスペースが見つからないか、複数あるため、"
        "登録エンドポイントを特定できません。先に LinkedWorkspaceCheck の結果を修正してください。",
    },
    "AutomationAgentServiceConnectivityCheck1.Passed": _REGISTRATION["Passed"],
    "AutomationAgentServiceConnectivityCheck1.Failed": _REGISTRATION["Failed"],
    "AutomationJobRuntimeDataServiceConnectivityCheck.Passed": _OPERATIONS["Passed"],
    "AutomationJobRuntimeDataServiceConnectivityCheck.Failed": _OPERATIONS["Failed"],
    "MonitoringAgentServiceRunningCheck.Passed": {
        "en": "Microsoft Monitoring Agent service (HealthService) is running",
        "ja": "Microsoft Monitoring Agent サービス (HealthService) は実行中です。",
    },
    "MonitoringAgentServiceRunningCheck.Failed": {
        "en": "Microsoft Monitoring Agent service (HealthService) is not running",
        "ja": "Microsoft Monitoring Agent サービス (HealthService) が停止しているか、インストールされていません。"
        "このサービスが動作していないと、Update Management はこのマシンで機能しません。",
    },
    "SystemHybridRunbookWorkerRunningCheck.Passed": {
        "en": "Hybrid runbook worker is running.",
        "ja": "システム Hybrid Runbook Worker は実行中です (最新のイベントは開始イベント 15003 です)。",
    },
    "SystemHybridRunbookWorkerRunningCheck.Failed": {
        "en": "Hybrid runbook worker is in stopped state. Please restart Microsoft Monitoring Agent service "
        "(HealthService) and rerun the troubleshooter to ensure that hybrid runbook worker is in running state.",
        "ja": "システム Hybrid Runbook Worker が停止しています (最新のイベントが停止イベント 15004 であるか、"
        "開始イベントが記録されていません)。HealthService サービスを再起動してから、もう一度チェックを実行してください。",
    },
    "MonitoringAgentServiceEventsCheck.Failed.NoLog": {
        "en": "Microsoft Monitoring Agent service Event Log (Operations Manager) does not exist on the machine",
        "ja": "Operations Manager イベント ログが存在しません。通常は、Log Analytics エージェントが"
        "インストールされていないことを意味します。",
    },
    "MonitoringAgentServiceEventsCheck.Failed.EventFound": {
        "en": "Microsoft Monitoring Agent service Event Log (Operations Manager) has event 4502 logged in the "
        "last 24 hours. Look at the results of other checks to troubleshoot the reasons.",
        "ja": "過去 24 時間以内に、エージェントのモジュールの失敗を示すイベント 4502 が記録されています。"
        "原因は、多くの場合ほかのチェック (接続、プロキシ、MachineKeys フォルダーへのアクセス) の結果に表れています。",
    },
    "MonitoringAgentServiceEventsCheck.Passed": {
        "en": "Microsoft Monitoring Agent service Event Log (Operations Manager) does not have event 4502 "
        "logged in the last 24 hours.",
        "ja": "過去 24 時間以内に、Operations Manager イベント ログにイベント 4502 は記録されていません。",
    },
    "LinkedWorkspaceCheck.Failed.NoWorkspace": {
        "en": "VM is not reporting to any workspace.",
        "ja": "このマシンは、Updates ソリューションを持つワークスペースに報告していません。",
    },
    "LinkedWorkspaceCheck.PassedWithWarning": {
        "en": "Although VM is reporting to multiple workspaces, the updates solution is configured in only "
        "one workspace: <ws>. Please make sure automation account is linked to same workspace.",
        "ja": "このマシンは複数のワークスペースに報告していますが、Updates ソリューションが構成されているのは"
        "そのうち 1 つだけです。Automation アカウントがそのワークスペースにリンクされていることを確認してください。",
    },
    "LinkedWorkspaceCheck.Failed": {
        "en": "VM is reporting to multiple workspaces with updates solution configured. Please make sure that "
        "only one workspace has updates solution and automation account is linked to that workspace.",
        "ja": "このマシンは、Updates ソリューションが構成された複数のワークスペースに報告しています。"
        "Updates ソリューションを持つワークスペースを 1 つだけにし、Automation アカウントをそのワークスペースにリンクしてください。",
    },
    "LinkedWorkspaceCheck.Passed": {
        "en": "VM is reporting to workspace <ws>. Please make sure automation account is linked to same workspace.",
        "ja": "このマシンは、Updates ソリューションを持つ 1 つのワークスペースに報告しています。"
        "Automation アカウントが同じワークスペースにリンクされていることを確認してください。",
    },
    "CryptoRsaMachineKeysFolderAccessCheck.Passed": {
        "en": "Have permissions to access C:\\\\ProgramData\\\\Microsoft\\\\Crypto\\\\RSA\\\\MachineKeys",
        "ja": "SYSTEM アカウントには、MachineKeys フォルダーへの書き込みと変更のアクセス許可があります。",
    },
    "CryptoRsaMachineKeysFolderAccessCheck.Failed": {
        "en": "Missing permissions to access C:\\\\ProgramData\\\\Microsoft\\\\Crypto\\\\RSA\\\\MachineKeys",
        "ja": "SYSTEM アカウントに MachineKeys フォルダーへの書き込みと変更のアクセス許可がないか、"
        "フォルダーが存在しません。エージェントは証明書の秘密キーを作成できず、ワークスペースへの認証に失敗します。",
    },
    "TlsVersionCheck.Failed": {
        "en": "TLS 1.2 is not enabled by default on the Operating System. Follow the instructions to enable it: "
        "https://support.microsoft.com/help/4019276/update-to-add-support-for-tls-1-1-and-tls-1-2-in-windows",
        "ja": "この Windows のバージョンでは、TLS 1.2 が既定で有効になっていません。"
        "TLS 1.1 と TLS 1.2 のサポートを追加する更新プログラムをインストールして、有効にしてください。",
    },
    "TlsVersionCheck.Passed": {
        "en": "TLS 1.2 is enabled on the Operating System.",
        "ja": "TLS 1.2 は、レジストリの設定によって有効になっています。",
    },
    "TlsVersionCheck.Failed.NotExplicitlyEnabled": {
        "en": "TLS 1.2 is not enabled by default on the Operating System. Follow the instructions to enable it: "
        "https://docs.microsoft.com/windows-server/security/tls/tls-registry-settings#tls-12",
        "ja": "Windows Server 2008 R2 では、TLS 1.2 を明示的に有効にする必要がありますが、"
        "Client と Server の両方で有効になっていません。レジストリの Enabled と DisabledByDefault を設定してください。",
    },
    "TlsVersionCheck.Failed.ExplicitlyDisabled": {
        "en": "TLS 1.2 is supported by the Operating System, but currently disabled. "
        "Follow the instructions to re-enable: https://docs.microsoft.com/windows-server/security/tls/tls-registry-settings#tls-12",
        "ja": "この Windows は TLS 1.2 をサポートしていますが、レジストリの設定 (DisabledByDefault が 1、"
        "または Enabled が 0) によって無効になっています。その設定を削除するか、元に戻してください。",
    },
    "TlsVersionCheck.Passed.EnabledByDefault": {
        "en": "TLS 1.2 is enabled by default on the Operating System.",
        "ja": "この Windows のバージョンでは、TLS 1.2 が既定で有効になっています。",
    },
    "TlsVersionCheck.Failed.NoDefaultSupport": {
        "en": "Your OS does not support TLS 1.2 by default.",
        "ja": "この Windows のバージョンは、既定では TLS 1.2 をサポートしていません。Windows をアップグレードしてください。",
    },
    "AlwaysAutoRebootCheck.PassedWithWarning": {
        "en": "Windows Update reboot registry keys are set. This can cause unexpected reboots when installing updates",
        "ja": "スケジュールされた時刻に常に自動で再起動するポリシーが設定されています。"
        "更新プログラムのインストール時に、デプロイの再起動オプションに関係なく、予期しない再起動が発生する可能性があります。",
    },
    "AlwaysAutoRebootCheck.Passed": {
        "en": "Windows Update reboot registry keys are not set to automatically reboot",
        "ja": "自動再起動を強制するポリシーは設定されていません。",
    },
    "WSUSServerConfigured.PassedWithWarning": {
        "en": "Windows Updates are downloading from a configured WSUS Server <server>. Ensure the WSUS server is "
        "accessible and updates are being approved for installation",
        "ja": "このマシンは、構成された WSUS サーバーから更新プログラムをダウンロードします。"
        "WSUS サーバーにアクセスできること、および更新プログラムがインストール用に承認されていることを確認してください。",
    },
    "WSUSServerConfigured.Passed": {
        "en": "Windows Updates are downloading from the default Windows Update location. Ensure the server has "
        "access to the Windows Update service",
        "ja": "このマシンは、既定の Windows Update から更新プログラムをダウンロードします。"
        "Windows Update サービスにアクセスできることを確認してください。",
    },
    "AutomaticUpdateCheck.PassedWithWarning": {
        "en": "Windows Update will automatically download and install new updates as they become available",
        "ja": "自動更新が有効になっており、Windows は新しい更新プログラムを公開と同時に自動でダウンロードしてインストールします。"
        "Update Management のメンテナンス期間外に更新と再起動が行われる可能性があります。",
    },
    "AutomaticUpdateCheck.Passed": {
        "en": "Windows Update is not set to automatically install updates as they become available",
        "ja": "更新プログラムを自動でインストールする設定にはなっていません。",
    },
    "HttpsConnection.Passed": {
        "en": "VM is able to make https requests.",
        "ja": "マシンのプロキシ設定を使用して、HTTPS 要求に成功しました。",
    },
    "HttpsConnection.PassedWithWarning": {
        "en": "Please check if the proxy server is configured properly to allow https requests.",
        "ja": "HTTPS 要求は直接接続では成功しましたが、プロキシ経由では失敗しました。"
        "プロキシ サーバーが HTTPS 要求を許可するように正しく構成されていることを確認してください。",
    },
    "HttpsConnection.Failed": {
        "en": "VM is not able to make https requests. Please check your network connection. Unable to reach <url>.",
        "ja": "HTTPS 要求は、プロキシ経由でも直接接続でも失敗しました。ネットワーク接続、ファイアウォール、"
        "プロキシの設定を確認してください。",
    },
    "ProxySettings.Failed.UnreadableSettings": {
        "en": "The WinHTTP proxy settings (registry value WinHttpSettings) cannot be read: <why>",
        "ja": "WinHTTP プロキシの設定 (レジストリ値 WinHttpSettings) を解釈できません。"
        "プロキシの設定を確認し、必要に応じて設定し直してください。",
    },
    "ProxySettings.Passed": {
        "en": "Proxy is not set.",
        "ja": "WinHTTP プロキシは設定されていません (直接アクセス)。",
    },
    "ProxySettings.PassedWithWarning": {
        "en": "Proxy is set.",
        "ja": "WinHTTP プロキシが設定されています。プロキシが Azure Automation と Log Analytics の"
        "エンドポイントへの通信を許可していることを確認してください。",
    },
    "IMDSConnectivity.Passed": {
        "en": "VM is able to reach IMDS server",
        "ja": "プロキシ設定を使用して、Azure Instance Metadata Service (IMDS) に接続できました。",
    },
    "IMDSConnectivity.Failed": {
        "en": "VM is likely behind a proxy and UM may not be able to query IMDS to get VM info.",
        "ja": "IMDS には直接接続では応答がありましたが、プロキシ経由では応答がありませんでした。"
        "Update Management が VM の情報を取得できない可能性があります。169.254.169.254 をプロキシの対象外にしてください。",
    },
    "IMDSConnectivity.PassedWithWarning": {
        "en": "VM is not able to reach IMDS server. Consider this as a Failure if this is an Azure VM.",
        "ja": "IMDS から応答がありません。Azure の外部にあるマシンでは想定どおりの結果ですが、"
        "Azure VM の場合は失敗として扱ってください。",
    },
    "WUServiceRunningCheck.Failed.NotInstalled": {
        "en": "Windows Update service (wuauserv) is not installed on the machine.",
        "ja": "Windows Update サービス (wuauserv) がこのマシンにインストールされていません。",
    },
    "WUServiceRunningCheck.Failed": {
        "en": "Windows Update service (wuauserv) is disabled. Please set it to automatic or manual. You can run "
        "'sc config wuauserv start= demand' to set it to manual.",
        "ja": "Windows Update サービス (wuauserv) が無効になっています。スタートアップの種類を自動または手動に設定してください。",
    },
    "WUServiceRunningCheck.Passed": {
        "en": "Windows Update service (wuauserv) is running.",
        "ja": "Windows Update サービス (wuauserv) は無効になっていません。",
    },
    "LAOdsEndpointConnectivity.Failed": _ODS["Failed"],
    "LAOdsEndpointConnectivity.Passed": _ODS["Passed"],
    "LAOmsEndpointConnectivity.Failed": _OMS["Failed"],
    "LAOmsEndpointConnectivity.Passed": _OMS["Passed"],
}

# Message ids with more than one message: (the message, its explanation) of the other cases.
VARIANTS: dict[str, list[tuple[str, dict[str, str]]]] = {
    f"{rule_id}.Failed": [
        (_NO_REGISTRATION, {"en": _NO_REGISTRATION, "ja": _JA_NO_WORKSPACE_ENDPOINT}),
        (_MULTIPLE, {"en": _MULTIPLE, "ja": _JA_MULTIPLE_ENDPOINT}),
    ]
    for rule_id in ("LAOdsEndpointConnectivity", "LAOmsEndpointConnectivity")
}

# The suite's own reasons, ``<RuleId>.Failed.<Reason>``: the host-level ones of readiness.probe_pool,
# SuiteError (readiness.plugin) and CaptureError (readiness.capture).
HOST_REASONS = ("HostUnreachable", "Timeout", "ConnectionLost", "TlsError", "AccessDenied", "WinRMFault",
                "ProbeError", "HostError", "SuiteError", "CaptureError")

REASON_EXPLANATIONS: dict[str, dict[str, str]] = {
    "HostUnreachable": {
        "en": "The host could not be reached (connection refused, no route, name not resolved, or connect timeout).",
        "ja": "ホストに接続できなかったため、このルールはチェックされていません (接続の拒否、経路なし、"
        "名前解決の失敗、または接続のタイムアウト)。ホスト名、WinRM のポート、ファイアウォールを確認してください。",
    },
    "Timeout": {
        "en": "The host did not answer within the read or probe timeout.",
        "ja": "ホストが読み取りまたはプローブのタイムアウト時間内に応答しなかったため、このルールはチェックされていません。",
    },
    "ConnectionLost": {
        "en": "The connection was reset while the host was answering.",
        "ja": "ホストの応答中に接続がリセットされたため、このルールはチェックされていません。",
    },
    "TlsError": {
        "en": "The host's certificate is not trusted.",
        "ja": "ホストの証明書が信頼されていないため、このルールはチェックされていません。"
        "メッセージの手順に従って CA を信頼するか、そのホストについてのみ証明書の検証を省略してください。",
    },
    "AccessDenied": {
        "en": "The host rejected the credentials.",
        "ja": "ホストが資格情報を拒否したため、このルールはチェックされていません。"
        "ユーザー名、パスワード、認証方式を確認してください。",
    },
    "WinRMFault": {
        "en": "WinRM answered with an error (HTTP 500 or a WS-Management fault).",
        "ja": "WinRM がエラー (HTTP 500 または WS-Management のエラー) を返したため、このルールはチェックされていません。",
    },
    "ProbeError": {
        "en": "The probe failed, its output was not valid, a fact this rule needs could not be read, "
        "or the host sent more than the suite reads.",
        "ja": "ホストの情報を収集するプローブが失敗したか、その出力が正しくないか、このルールに必要な情報を"
        "ホストで読み取れなかったか、ホストから読み取り上限を超えるデータが送られてきたため、このルールを判定できませんでした。"
        "メッセージに、どの情報がなぜ読み取れなかったかが示されています。",
    },
    "HostError": {
        "en": "Something else went wrong reaching the host.",
        "ja": "ホストへのアクセス中に、その他の問題が発生したため、このルールはチェックされていません。"
        "詳細はメッセージを確認してください。",
    },
    "CaptureError": {
        "en": "The capture cannot be judged in this run: another format or probe version, another location, "
        "too old, or altered.",
        "ja": "このキャプチャはこの実行では判定できないため、このルールはチェックされていません "
        "(形式またはプローブのバージョンが異なる、Automation アカウントの場所が異なる、古すぎる、または改変されている)。"
        "メッセージに理由が示されています。プローブを書き出し直して、もう一度キャプチャしてください。",
    },
    "SuiteError": {
        "en": "The rule itself broke: a bug in the suite, not a fault of the host.",
        "ja": "ルール自体がエラーで終了しました。これはチェック スイートの不具合であり、ホストの問題ではありません。"
        "トレースバックはテストのレポートにあります。",
    },
}
