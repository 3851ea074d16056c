"""The Azure Update Manager profiles' rules (``azure-vm`` and ``arc``) in the reports' languages:
their names, and an explanation of every message id, shown beside the script's English message.

``MESSAGES`` maps each message id to the message as docs/update-manager-rules.md writes it
(``en``; ``<...>`` is a value of the host) and its explanation (``ja``). Both profiles share one
entry per id; the one id whose message differs between them (ProxySettingsCheck's warning) has
the Arc server's message in ``VARIANTS``. Ids of the same spelling in the ``update-management``
profile are another rule's: :mod:`readiness.lang.messages` holds those.
"""

from __future__ import annotations

RULE_NAMES: dict[str, dict[str, str]] = {
    "OSSupportedCheck": {"en": "Operating system supported check",
                         "ja": "オペレーティング システムのサポートのチェック"},
    "DotNetFrameworkInstalledCheck": {"en": "Dot Net Framework installation check",
                                      "ja": ".NET Framework のインストールのチェック"},
    "TlsVersionCheck": {"en": "TLS version check", "ja": "TLS バージョンのチェック"},
    "HttpsConnectionCheck": {"en": "Https connection check", "ja": "HTTPS 接続のチェック"},
    "ProxySettingsCheck": {"en": "Proxy settings check", "ja": "プロキシ設定のチェック"},
    "RdAgentServiceCheck": {"en": "RdAgent service must be running",
                            "ja": "RdAgent サービスが実行中であること"},
    "WindowsAzureGuestAgentServiceCheck": {"en": "Windows Azure guest agent service must be running",
                                           "ja": "WindowsAzureGuestAgent サービスが実行中であること"},
    "WireServerConnectivityCheck": {"en": "Wire Server connectivity check", "ja": "WireServer への接続のチェック"},
    "PatchExtensionCheck": {"en": "Windows Patch extension check", "ja": "Windows Patch 拡張機能のチェック"},
    "ArcRequiredEndpointsCheck": {"en": "AAzure arc required endpoints connectivity check",
                                  "ja": "Azure Arc の必須エンドポイントへの接続のチェック"},
    "HimdsServiceCheck": {"en": "Hybrid Instance Metadata service (himds) check",
                          "ja": "Hybrid Instance Metadata Service (himds) のチェック"},
    "WSUSServerConfiguredCheck": {"en": "WSUS server configured check", "ja": "WSUS サーバーの構成のチェック"},
    "WUEndpointConnectivityCheck": {"en": "Windows update endpoints connectivity check",
                                    "ja": "Windows Update エンドポイントへの接続のチェック"},
    "AlwaysAutoRebootCheck": {"en": "Automatic reboot check", "ja": "自動再起動のチェック"},
    "AutomaticUpdateCheck": {"en": "Automatic update check", "ja": "自動更新のチェック"},
    "WUServiceRunningCheck": {"en": "Windows Update service must be running", "ja": "Windows Update サービスの状態"},
    "MUEnableCheck": {"en": "Microsoft Update enabled check", "ja": "Microsoft Update の有効化のチェック"},
}

_TLSKB = "https://support.microsoft.com/help/4019276/update-to-add-support-for-tls-1-1-and-tls-1-2-in-windows"
_TLSREG = "https://docs.microsoft.com/windows-server/security/tls/tls-registry-settings#tls-12"
_ALL_REACHABLE = "All endpoints are reachable."
_FAILED_TO_REACH = "Failed to reach the following endpoints: <hosts>"
_JA_UNREACHABLE = ("TCP 接続が、拒否されたか、名前を解決できなかったか、タイムアウトしました。ファイアウォールまたはプロキシで、"
                   "これらのエンドポイントへの送信方向の通信を許可してください。テストしたポートと各エラーは詳細に示されています。")


def _service(name: str, what: str) -> dict[str, dict[str, str]]:
    return {
        "Passed": {"en": f"{name} is running.", "ja": f"{what}は実行中です。"},
        "Failed": {"en": f"{name} is not running.",
                   "ja": f"{what}が停止しているか、インストールされていません (どちらであるかは詳細に示されています)。"},
    }


_RDAGENT = _service("RdAgent", "Azure VM エージェントの `RdAgent` サービス")
_GUEST_AGENT = _service("WindowsAzureGuestAgent", "Azure VM エージェントの `WindowsAzureGuestAgent` サービス")
_HIMDS = _service("himds", "Connected Machine エージェントの `himds` サービス")

MESSAGES: dict[str, dict[str, str]] = {
    "OSSupportedCheck.Passed": {
        "en": "Operating System version is supported.",
        "ja": "このサーバーの Windows のバージョン (6.3.9600 以降) は、Arc 対応サーバーの Update Manager でサポートされています。",
    },
    "OSSupportedCheck.Failed": {
        "en": "Operating System version is not supported. Supported versions listed here: "
        "https://learn.microsoft.com/en-us/azure/update-manager/support-matrix?tabs=azurearc-os%2Cpublic%2Cthird-party-win.",
        "ja": "このサーバーの Windows のバージョンは 6.3.9600 (Windows Server 2012 R2) より古く、サポートされていません "
        "(ルールの説明は 6.1.7601 としていますが、判定に使われるのは 6.3.9600 です)。メッセージのリンク先に一覧があります。",
    },
    "DotNetFrameworkInstalledCheck.Passed": {
        "en": ".NET Framework version 4.0+ is found",
        "ja": ".NET Framework 4.5 以降がインストールされています (メッセージは 4.0 としていますが、判定の基準は 4.5 です)。",
    },
    "DotNetFrameworkInstalledCheck.Failed": {
        "en": ".NET Framework version 4.0 or higher is required: https://dotnet.microsoft.com/en-us/download/dotnet-framework.",
        "ja": ".NET Framework 4.5 以降が見つかりません (メッセージは 4.0 としていますが、判定の基準は 4.5 です)。"
        "メッセージのリンク先からインストールできます。",
    },
    "TlsVersionCheck.Failed": {
        "en": "Enable TLS 1.2 on your operating system. Follow the instructions to enable it: " + _TLSKB + ".",
        "ja": "Windows Server 2008 では、TLS 1.2 は更新プログラム (KB4019276) で追加されます。"
        "その更新プログラムをインストールしてから、レジストリで TLS 1.2 を有効にしてください。",
    },
    "TlsVersionCheck.Passed": {
        "en": "TLS 1.2 is enabled on the Operating System",
        "ja": "TLS 1.2 は、レジストリの設定によって有効になっています。",
    },
    "TlsVersionCheck.Failed.NotExplicitlyEnabled": {
        "en": "Enable TLS 1.2 on your operating system. Follow the instructions to enable it: " + _TLSREG + ".",
        "ja": "Windows Server 2008 R2 では、TLS 1.2 を明示的に有効にする必要がありますが、有効になっていません。"
        "Client と Server の両方で DisabledByDefault を 0 に設定してください。",
    },
    "TlsVersionCheck.Failed.ExplicitlyDisabled": {
        "en": "TLS 1.2 is available on the Operating System, but currently disabled. Follow the instructions to "
        "re-enable: " + _TLSREG + ".",
        "ja": "この Windows は TLS 1.2 をサポートしていますが、レジストリの設定 (DisabledByDefault が 1、"
        "または Enabled が 0) によって無効になっています。その設定を削除するか、元に戻してください。",
    },
    "TlsVersionCheck.Passed.EnabledByDefault": {
        "en": "TLS 1.2 is enabled on the Operating System.",
        "ja": "この Windows のバージョンでは、TLS 1.2 が既定で有効になっており、無効にする設定もありません。",
    },
    "TlsVersionCheck.Failed.NoDefaultSupport": {
        "en": "Your OS does not support TLS 1.2.",
        "ja": "この Windows のバージョンは TLS 1.2 をサポートしていません。Windows をアップグレードしてください。",
    },
    "HttpsConnectionCheck.Passed": {
        "en": "Machine is able to make https requests.",
        "ja": "マシンから Entra ID のサインイン ホストのポート 443 への TLS ハンドシェイクに成功しました "
        "(プロキシが設定されている場合はプロキシ経由)。",
    },
    "HttpsConnectionCheck.Failed": {
        "en": "Machine is not able to make https requests.",
        "ja": "マシンから Entra ID のサインイン ホストのポート 443 への TLS ハンドシェイクに失敗しました。"
        "経路とエラーは詳細に示されています。ファイアウォール、プロキシ、TLS を検査する装置を確認してください。",
    },
    "ProxySettingsCheck.Passed": {
        "en": "Proxy is not set.",
        "ja": "プロキシは設定されていません (直接アクセス)。",
    },
    "ProxySettingsCheck.PassedWithWarning": {
        "en": "Proxy is set. Ensure all required endpoints are reachable.",
        "ja": "WinHTTP プロキシが設定されています。プロキシが必要なすべてのエンドポイントへの通信を許可していること、"
        "168.63.129.16 と 169.254.169.254 がプロキシを経由しないことを確認してください。",
    },
    "RdAgentServiceCheck.Passed": _RDAGENT["Passed"],
    "RdAgentServiceCheck.Failed": _RDAGENT["Failed"],
    "WindowsAzureGuestAgentServiceCheck.Passed": _GUEST_AGENT["Passed"],
    "WindowsAzureGuestAgentServiceCheck.Failed": _GUEST_AGENT["Failed"],
    "WireServerConnectivityCheck.Passed": {
        "en": "Connection to port 80 succeeded.\nConnection to port 32526 succeeded.",
        "ja": "WireServer (168.63.129.16) のポート 80 と 32526 の両方に TCP で接続できました。",
    },
    "WireServerConnectivityCheck.Failed.Port80Failed": {
        "en": "Connection to port 80 failed.\nConnection to port 32526 succeeded.",
        "ja": "WireServer (168.63.129.16) のポート 80 に接続できません。ゲストのファイアウォールとプロキシの設定を確認してください。",
    },
    "WireServerConnectivityCheck.Passed.Port32526Failed": {
        "en": "Connection to port 80 succeeded.\nConnection to port 32526 failed.",
        "ja": "WireServer (168.63.129.16) のポート 32526 に接続できません。メッセージ ID には Passed とありますが、"
        "結果は失敗です。ゲストのファイアウォールを確認してください。",
    },
    "WireServerConnectivityCheck.Failed.Port80Failed.Port80FailedPort32526Failed": {
        "en": "Connection to port 80 failed.\nConnection to port 32526 failed.",
        "ja": "WireServer (168.63.129.16) のポート 80 と 32526 のどちらにも接続できません。"
        "Azure VM エージェントは拡張機能を取得できず、Update Manager はこの VM を操作できません。",
    },
    "PatchExtensionCheck.Passed": {
        "en": "Windows Patch extension is installed on the machine.",
        "ja": "Windows Patch 拡張機能のフォルダーがあります (拡張機能が正常に動作しているかどうかは確認していません)。",
    },
    "PatchExtensionCheck.Failed": {
        "en": "Windows Patch extension is not installed on the machine.",
        "ja": "Windows Patch 拡張機能のフォルダーがありません。Update Manager は最初の評価またはインストールのときに"
        "拡張機能を配置するため、まだ一度も操作されていない VM では、壊れているのではなく、まだ配置されていないだけです。",
    },
    "ArcRequiredEndpointsCheck.Passed": {
        "en": _ALL_REACHABLE,
        "ja": "Connected Machine エージェントに必要なエンドポイントすべてのポート 443 に TCP で接続できました。",
    },
    "ArcRequiredEndpointsCheck.Failed": {
        "en": _FAILED_TO_REACH,
        "ja": "Connected Machine エージェントに必要なエンドポイントのうち、メッセージに示したものに接続できません。" + _JA_UNREACHABLE,
    },
    "HimdsServiceCheck.Passed": _HIMDS["Passed"],
    "HimdsServiceCheck.Failed": _HIMDS["Failed"],
    "WSUSServerConfiguredCheck.PassedWithWarning": {
        "en": "Windows Updates are downloading from a configured WSUS Server <server>.",
        "ja": "このマシンは WSUS サーバーから更新プログラムを取得します (UseWUServer が 1)。"
        "WSUS サーバーにアクセスできること、および更新プログラムが承認されていることを確認してください。",
    },
    "WSUSServerConfiguredCheck.Passed": {
        "en": "Windows Updates are downloading from the default Windows Update location.",
        "ja": "このマシンは既定の Windows Update から更新プログラムを取得します "
        "(WUServer が設定されていても、UseWUServer が 1 でなければ使われません)。",
    },
    "WUEndpointConnectivityCheck.Passed": {
        "en": _ALL_REACHABLE,
        "ja": "Windows Update のエンドポイント (WSUS が有効な場合は WSUS サーバー) に TCP で接続できました。",
    },
    "WUEndpointConnectivityCheck.Failed": {
        "en": _FAILED_TO_REACH,
        "ja": "Windows Update のエンドポイント (WSUS が有効な場合は WSUS サーバー) のうち、メッセージに示したものに"
        "接続できません。" + _JA_UNREACHABLE,
    },
    "AlwaysAutoRebootCheck.PassedWithWarning": {
        "en": "Windows Update reboot registry keys are set to automatic reboot and this can cause unexpected "
        "reboots on your machine when installing updates.",
        "ja": "スケジュールされた時刻に常に自動で再起動するポリシーが設定されています。Update Manager の再起動の設定に"
        "関係なく、予期しない再起動が発生する可能性があります。",
    },
    "AlwaysAutoRebootCheck.Passed": {
        "en": "Windows Update reboot registry keys are not set to automatic reboot.",
        "ja": "自動再起動を強制するポリシーは設定されていません。",
    },
    "AutomaticUpdateCheck.PassedWithWarning": {
        "en": "Windows Update will automatically download and install new updates as they become available.",
        "ja": "自動更新が有効で (AUOptions が 4、NoAutoUpdate が 1 ではない)、Windows は更新プログラムを自動でダウンロードして"
        "インストールします。Update Manager のメンテナンス期間外に更新と再起動が行われる可能性があります。",
    },
    "AutomaticUpdateCheck.Passed": {
        "en": "Windows Update is not set to automatically install updates as they become available.",
        "ja": "更新プログラムを自動でインストールする設定にはなっていません。",
    },
    "WUServiceRunningCheck.Failed.ServiceNotFound": {
        "en": "Windows Update service (wuauserv) does not exist on the machine.",
        "ja": "Windows Update サービス (wuauserv) がこのマシンに存在しません。Windows のインストールが破損しています。",
    },
    "WUServiceRunningCheck.Failed": {
        "en": "Windows Update service (wuauserv) is disabled. Please set it to automatic or manual. You can run "
        "'sc config wuauserv start= demand' to set it to manual.",
        "ja": "Windows Update サービス (wuauserv) が無効になっています。スタートアップの種類を自動または手動に設定してください。",
    },
    "WUServiceRunningCheck.Passed": {
        "en": "Windows Update service (wuauserv) is running.",
        "ja": "Windows Update サービス (wuauserv) は無効になっていません (実行中かどうかは確認していません)。",
    },
    "MUEnableCheck.Passed": {
        "en": "Microsoft Update is registered with Windows Update and enabled.",
        "ja": "Microsoft Update が登録され、自動更新で使用されます。",
    },
    "MUEnableCheck.PassedWithWarning.MURegisteredButDisabled": {
        "en": "Microsoft Update is registered with Windows Update but disabled. Please enable Microsoft Update to "
        "receive updates for Microsoft Products.",
        "ja": "Microsoft Update は登録されていますが、自動更新では使用されません。Windows 以外の Microsoft 製品の"
        "更新プログラムは評価もインストールもされません。",
    },
    "MUEnableCheck.PassedWithWarning": {
        "en": "Microsoft Update is disabled. Please enable Microsoft Update to receive updates for Microsoft Products.",
        "ja": "Microsoft Update が登録されていません。Windows 以外の Microsoft 製品の更新プログラムは評価もインストールもされません。",
    },
}

# The Arc script's warning of ProxySettingsCheck: another message under the same id.
VARIANTS: dict[str, list[tuple[str, dict[str, str]]]] = {
    "ProxySettingsCheck.PassedWithWarning": [
        ("Proxy is set.", {
            "en": "Proxy is set.",
            "ja": "WinHTTP プロキシ、または Connected Machine エージェントのプロキシが設定されています "
            "(どちらであるかは詳細に示されています)。プロキシが必要なすべてのエンドポイントへの通信を許可していることを"
            "確認してください。",
        }),
    ],
}
