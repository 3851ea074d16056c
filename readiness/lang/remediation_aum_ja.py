"""The remediation of the Azure Update Manager profiles' rules in Japanese: the same what / why /
fix / verify as :mod:`readiness.remediation_aum`, ``verify`` the same PowerShell with Japanese
comments, keyed the same way (profile, then RuleId)."""

from __future__ import annotations

from readiness.lang.remediation_ja import REMEDIATIONS as UPDATE_MANAGEMENT
from readiness.remediation import Remediation
from readiness.remediation_aum import MU, TLS_COMMANDS

_AU = "HKLM:\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU"


def _code(text: str) -> str:
    """The code block (lines indented by four spaces) of a fix."""
    return "\n".join(line for line in text.splitlines() if line.startswith("    "))


def _tcp_verify(hosts: str, port: str = "443") -> str:
    return (
        f"foreach ($endpoint in {hosts}) {{\n"
        f"    '{{0}}: {{1}}' -f $endpoint, (Test-NetConnection -ComputerName $endpoint -Port {port} "
        "-WarningAction SilentlyContinue).TcpTestSucceeded\n"
        "}\n"
        "# 通信が許可されていれば、すべてのエンドポイントで True になります"
    )


def _service(name: str, agent: str, install: str) -> Remediation:
    return Remediation(
        what=f"{agent}のサービス `{name}` が存在し、その状態がちょうど Running であることを確認します "
        "(StartPending、Stopped、Paused は失敗です)。サービスが停止しているのか存在しないのかは、レポートの詳細に示されます。",
        why=f"Update Manager は{agent}を通じてマシンを操作します。`{name}` が実行されていないと、マシンの評価も"
        "更新プログラムのインストールもできず、Azure 上のマシンの状態も更新されません。",
        fix=f"サービスを開始し、自動で開始するように設定してください: `Set-Service -Name {name} -StartupType Automatic; "
        f"Start-Service -Name {name}`。再び停止する場合は、System イベント ログで理由を確認してください。"
        f"サービスが存在しない場合は、{install}",
        verify=f"Get-Service -Name {name} | Select-Object Name, Status, StartType\n"
        "# Status が Running であること",
    )


_SHARED: dict[str, Remediation] = {
    "DotNetFrameworkInstalledCheck": Remediation(
        what="`HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full` の DWORD 値 `Release` (この値がない場合は、"
        "このキーの言語別サブキーの `Release` のうち最大のもの) が 378389 以上であること、つまり .NET Framework 4.5 以降の "
        "4.x リリースがインストールされていることを確認します。メッセージは 4.0 としていますが、判定の基準は 4.5 です。",
        why="Microsoft のトラブルシューティング ツールは、.NET Framework 4.5 をマシン上の Update Manager の前提条件としています。"
        "また 4.5 は、すべての Azure エンドポイントが要求する TLS 1.2 を使用できる最初の .NET Framework です。",
        fix=".NET Framework のダウンロード ページ、または利用している更新プログラムの配布元から、.NET Framework 4.8 "
        "(少なくとも 4.5) をインストールし、マシンを再起動してください。",
        verify="$full = 'HKLM:\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full'\n"
        "(Get-ItemProperty -Path $full -Name Release -ErrorAction SilentlyContinue).Release -ge 378389"
        "  # 4.5 以降であれば True",
    ),
    "TlsVersionCheck": Remediation(
        what="Windows のバージョンと、`HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client` "
        "および `...\\Server` の値 `Enabled` と `DisabledByDefault` から、SChannel で TLS 1.2 を使用できるかどうかを確認します。"
        "Windows Server 2012 以降では、値で無効にしていない限り既定で有効です。2008 R2 SP1 では明示的に有効にした場合だけ、"
        "2008 SP2 では更新プログラムを適用した後だけ使用できます。",
        why="Update Manager、Azure VM エージェント、Connected Machine エージェントは、TLS 1.2 でのみ Azure と通信します。"
        "TLS 1.2 がないと、マシンは認証も、報告も、ダウンロードもできません。",
        fix="Windows Server 2008 SP2 (`Failed`) では、まず TLS 1.1 と TLS 1.2 を追加する更新プログラム (KB4019276) を"
        "インストールしてください。そのうえで、また 2008 R2 SP1 (`NotExplicitlyEnabled`) や、何かの設定で無効になっている場合 "
        "(`ExplicitlyDisabled`) は、Client と Server の両方で `Enabled` = 1、`DisabledByDefault` = 0 を設定し、"
        "再起動してください:\n\n" + TLS_COMMANDS + "\n\nそれより古い Windows (`NoDefaultSupport`) はアップグレードが必要です。",
        verify=UPDATE_MANAGEMENT["TlsVersionCheck"].verify,
    ),
    "HttpsConnectionCheck": Remediation(
        what="マシンから、クラウドの Entra ID のサインイン ホスト (パブリック クラウドでは `login.microsoftonline.com`) の"
        "ポート 443 への TLS ハンドシェイクを、WinHTTP プロキシが設定されていればプロキシ経由で確認します。"
        "名前は HTTPS で説明は空ですが、確認するのはハンドシェイクです。",
        why="マシン上のエージェントは、まず Entra ID にサインインします。ファイアウォール、名前を拒否するプロキシ、"
        "ハンドシェイクを壊す TLS 検査装置があると、Update Manager の処理はすべて止まります。",
        fix="経路上のすべてのファイアウォールと、プロキシがあればプロキシで、サインイン ホストへの送信方向の TCP 443 を"
        "許可してください。TLS を検査する装置がある場合は、サインイン ホストを検査の対象外にしてください。"
        "レポートの詳細に、経路とエラー (`timeout`、`refused`、`dns`、`proxy`、`tls`) が示されます。",
        verify="$client = New-Object Net.Sockets.TcpClient('login.microsoftonline.com', 443)\n"
        "$tls = New-Object Net.Security.SslStream($client.GetStream())\n"
        "$tls.AuthenticateAsClient('login.microsoftonline.com'); $tls.SslProtocol  # Tls12 以降であること\n"
        "$client.Close()",
    ),
    "WSUSServerConfiguredCheck": Remediation(
        what="Windows Update が WSUS サーバーを使用するかどうか、つまり "
        "`HKLM\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU` の `UseWUServer` が 1 で、その親キーの "
        "`WUServer` にサーバーが指定されているかどうかを確認します。Windows Update が無視する `WUServer` は成功です。",
        why="WSUS を使用する場合、Update Manager が評価しインストールできるのは、WSUS サーバーが提供し承認した更新プログラム"
        "だけで、しかも WSUS サーバーにアクセスできる間だけです。インストールを実行しても何もインストールされない場合があります。",
        fix="マシンが WSUS を使用する想定であれば、サーバーにアクセスできる状態を保ち (WUEndpointConnectivityCheck で"
        "確認されます)、各メンテナンス期間の前に更新プログラムを承認してください。そうでない場合は、`WUServer`、"
        "`WUStatusServer`、`UseWUServer` (またはこれらを設定するポリシー) を削除し、`Restart-Service -Name wuauserv` を"
        "実行してください。",
        verify=UPDATE_MANAGEMENT["WSUSServerConfigured"].verify,
    ),
    "WUEndpointConnectivityCheck": Remediation(
        what="Windows Update のホスト (`windowsupdate.microsoft.com`、`dl.delivery.mp.microsoft.com`、"
        "`download.windowsupdate.com`、`download.microsoft.com`、`ntservicepack.microsoft.com`、`go.microsoft.com`) の"
        "ポート 443 への TCP 接続を確認します。WSUS が有効な場合は、代わりに WSUS サーバーのホストとポートへの接続を確認します。",
        why="Update Manager がインストールする更新プログラムは、Windows Update がこれらのホスト (または WSUS サーバー) から"
        "ダウンロードします。ブロックされていると、マシンでの評価とインストールは失敗します。",
        fix="経路上のすべてのファイアウォールとプロキシで、Windows Update のホストへの送信方向の TCP 443 と 80 を許可してください "
        "(Microsoft は一部のホストを `http://` でのみ記載しています)。WSUS が有効な場合は、WSUS サーバーのポートを許可してください。"
        "テストしたポートと各エラーは、レポートの詳細に示されます。",
        verify=_tcp_verify("'windowsupdate.microsoft.com', 'dl.delivery.mp.microsoft.com', "
                           "'download.windowsupdate.com', 'go.microsoft.com'"),
    ),
    "AlwaysAutoRebootCheck": Remediation(
        what="`HKLM\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU` の Windows Update のポリシー値 "
        "`AlwaysAutoRebootAtScheduledTime` (1) と `AlwaysAutoRebootAtScheduledTimeMinutes` (設定されていて 0 以外) を確認します。",
        why="これらが設定されていると、Windows は更新プログラムのインストール後、Update Manager のメンテナンス構成の"
        "再起動の設定に関係なく、独自のスケジュールでマシンを再起動します。",
        fix="両方の値を削除するか、設定元でポリシー [スケジュールされた時刻に常に自動的に再起動する] を [未構成] にしてください "
        "(ドメイン ポリシーの場合は値が書き戻されます):\n\n"
        + _code(UPDATE_MANAGEMENT["AlwaysAutoRebootCheck"].fix)
        + "\n\nそのうえで、再起動の動作は Update Manager のメンテナンス構成で選択してください。",
        verify=UPDATE_MANAGEMENT["AlwaysAutoRebootCheck"].verify,
    ),
    "AutomaticUpdateCheck": Remediation(
        what="自動更新が更新プログラムを自動でダウンロードしてインストールするかどうか、つまり "
        "`HKLM\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU` の `AUOptions` が 4 で、同じキーの "
        "`NoAutoUpdate` が 1 (自動更新が無効) ではないかどうかを確認します。",
        why="その場合 Windows は、更新プログラムが公開されるたびに Update Manager のメンテナンス期間外にインストールします。"
        "誰も計画していない時刻に更新と再起動が行われます。",
        fix="修正プログラムの適用を Update Manager に任せてください。マシンの修正プログラムのオーケストレーションを "
        "[カスタマー マネージド スケジュール] または [Azure マネージド - 安全なデプロイ] にすると、`NoAutoUpdate` が 1 に"
        "設定されます。ドメイン ポリシーがないマシンでは:\n\n"
        f"    Set-ItemProperty -Path '{_AU}' -Name NoAutoUpdate -Value 1 -Type DWord\n\n"
        "[自動更新を構成する] をオプション 4 に設定しているドメイン ポリシーがある場合は、そのポリシーも変更してください。",
        verify=f"Get-ItemProperty -Path '{_AU}' -ErrorAction SilentlyContinue | Select-Object AUOptions, NoAutoUpdate\n"
        "# AUOptions が 4 以外、または NoAutoUpdate が 1 であれば正常です",
    ),
    "WUServiceRunningCheck": Remediation(
        what="Windows Update サービス `wuauserv` が存在し、スタートアップの種類 (レジストリ値 `Start`) が Disabled では"
        "ないことを確認します。名前とは異なり、停止していても開始できるサービスは成功です。",
        why="Update Manager は、このサービスで動作する Windows Update エージェントを通じて評価とインストールを行います。"
        "無効または存在しない場合、評価とインストールはすべて失敗します。",
        fix=UPDATE_MANAGEMENT["WUServiceRunningCheck"].fix + "サービスが存在しない場合 (`ServiceNotFound`) は、"
        "Windows のインストールが破損しています。修復してください (`DISM /Online /Cleanup-Image /RestoreHealth` の後に "
        "`sfc /scannow`)。",
        verify=UPDATE_MANAGEMENT["WUServiceRunningCheck"].verify,
    ),
    "MUEnableCheck": Remediation(
        what="Microsoft Update (サービス ID `7971f918-a847-4430-9279-4a52d1efe18d`) が Windows Update エージェントの"
        "サービスに含まれ、自動更新に登録されていること (`IsRegisteredWithAU`、読み取れない場合はレジストリ値 "
        "`RegisteredWithAU`) を確認します。",
        why="Microsoft Update がないと、Windows Update が提供するのは Windows の更新プログラムだけです。"
        "ほかの Microsoft 製品 (SQL Server、.NET、Office) の更新プログラムは評価もインストールもされません。",
        fix="Microsoft Update を自動更新に登録してください (フラグ 7: 保留中の登録とオンラインの登録を許可し、"
        "自動更新に登録する):\n\n"
        f"    (New-Object -ComObject Microsoft.Update.ServiceManager).AddService2('{MU}', 7, '')\n\n"
        "結果が `0x80070422` を伴う `ProbeError` の場合は、Windows Update サービスが無効になっています。"
        "先に WUServiceRunningCheck を修正してください。",
        verify="(New-Object -ComObject Microsoft.Update.ServiceManager).Services |\n"
        f"    Where-Object {{ $_.ServiceID -eq '{MU}' }} | Select-Object Name, IsRegisteredWithAU\n"
        "# IsRegisteredWithAU が True であること",
    ),
}

_PROXY_WHY = ("エージェントはプロキシを経由して Azure と通信します。必要なすべてのエンドポイントへの通信をプロキシが"
              "許可していれば問題ありませんが、許可していないと接続のチェックが失敗します。各ネットワーク テストの経路は"
              "レポートに示されます。")

_AZURE_VM: dict[str, Remediation] = {
    "ProxySettingsCheck": Remediation(
        what="マシンの WinHTTP プロキシが設定されているかどうかを、Windows が翻訳するコマンドの出力ではなく、"
        "レジストリ値 `WinHttpSettings` そのものから確認します。",
        why=_PROXY_WHY,
        fix="プロキシが意図したものであれば、Azure、Windows Update、サインインのエンドポイントをプロキシで許可し、"
        "`168.63.129.16` と `169.254.169.254` はプロキシを経由しないようにしてください。意図したものでなければ、"
        "削除してください: `netsh winhttp reset proxy`。",
        verify="netsh winhttp show proxy\n"
        "# プロキシが設定されていなければ直接アクセスと表示されます。このスイートが読み取るレジストリ値:\n"
        "(Get-ItemProperty -Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections').WinHttpSettings",
    ),
    "RdAgentServiceCheck": _service(
        "RdAgent", "Azure VM エージェント",
        "Azure VM エージェント (`WindowsAzureVmAgent` パッケージ) をインストールし、VM を再起動してください。"),
    "WindowsAzureGuestAgentServiceCheck": _service(
        "WindowsAzureGuestAgent", "Azure VM エージェント",
        "Azure VM エージェント (`WindowsAzureVmAgent` パッケージ) をインストールし、VM を再起動してください。"),
    "WireServerConnectivityCheck": Remediation(
        what="VM から Azure プラットフォームの WireServer (`168.63.129.16`) のポート 80 とポート 32526 への TCP 接続を"
        "確認します。メッセージ ID はスクリプトのもので、失敗の結果に Passed と書かれるものがあります。結果は "
        "CheckResult で判断してください。",
        why="Azure VM エージェントは、WireServer を通じて拡張機能 (Windows Patch 拡張機能を含む) を取得し、その状態を"
        "報告します。ブロックされていると、Update Manager はこの VM を操作できません。",
        fix="ゲストのファイアウォールとセキュリティ ソフトウェアで、`168.63.129.16` へのポート 80、32526、443 の送信方向の "
        "TCP を許可し、プロキシを経由しないようにしてください。このアドレスは VM からのみ到達できるため、"
        "アプライアンスを経由させないでください。",
        verify=_tcp_verify("'168.63.129.16'", "80") + "\n"
        "(Test-NetConnection -ComputerName 168.63.129.16 -Port 32526 -WarningAction SilentlyContinue).TcpTestSucceeded",
    ),
    "PatchExtensionCheck": Remediation(
        what="Windows Patch 拡張機能のフォルダー "
        "`%SystemDrive%\\Packages\\Plugins\\Microsoft.CPlat.Core.WindowsPatchExtension` があることを確認します。"
        "確認するのは存在だけで、失敗している拡張機能も成功になります。",
        why="Update Manager は、この拡張機能を通じて Azure VM の評価と修正プログラムの適用を行います。拡張機能は VM の最初の"
        "評価またはインストールのときに配置されるため、まだ一度も操作されていない VM はここで失敗します。"
        "壊れているのではなく、まだ配置されていないだけです。",
        fix="Update Manager から評価を実行するか ([更新プログラムの確認])、定期的な評価を有効にしてください。拡張機能が"
        "配置されます。配置されない場合は、Azure VM エージェントが動作していること (RdAgentServiceCheck、"
        "WindowsAzureGuestAgentServiceCheck) と WireServer に到達できることを確認し、ポータルで拡張機能の状態を確認して"
        "ください (VM の [拡張機能とアプリケーション])。",
        verify="Test-Path -Path \"$env:SystemDrive\\Packages\\Plugins\\Microsoft.CPlat.Core.WindowsPatchExtension\""
        " -PathType Container  # 存在すれば True",
    ),
}

_ARC: dict[str, Remediation] = {
    "OSSupportedCheck": Remediation(
        what="サーバーの Windows のバージョン (`[Environment]::OSVersion.Version`) が 6.3.9600 (Windows Server 2012 R2) "
        "以降であることを確認します。説明は 6.1.7601 としていますが、スクリプトのコードと、Arc 対応サーバーの "
        "Update Manager のサポート マトリックスは 2012 R2 としています。",
        why="Update Manager が Arc 対応の Windows サーバーを評価し修正プログラムを適用するのは、Windows Server 2012 R2 以降です。"
        "それより古いサーバーも Azure Arc には接続できますが、評価もインストールも行われません。",
        fix="Update Manager のサポート マトリックスに記載されている Windows Server のバージョンにサーバーをアップグレードするか、"
        "引き続き別の方法で更新プログラムを管理してください。",
        verify="[Environment]::OSVersion.Version\n"
        "[Environment]::OSVersion.Version -ge [Version]'6.3.9600'  # サポート対象であれば True",
    ),
    "ProxySettingsCheck": Remediation(
        what="プロキシが設定されているかどうかを確認します。マシンの WinHTTP プロキシは、翻訳されるコマンドの出力ではなく"
        "レジストリ値 `WinHttpSettings` そのものから、Connected Machine エージェントのプロキシは、その構成の "
        "`proxy.url` から読み取ります。",
        why=_PROXY_WHY + "Connected Machine エージェントは、WinHTTP ではなく独自のプロキシの設定を使用します。",
        fix="プロキシが意図したものであれば、Azure Arc、Windows Update、サインインのエンドポイントをプロキシで許可し、"
        "エージェントにも同じプロキシを設定してください: `azcmagent config set proxy.url \"http://<proxy>:<port>\"`。"
        "意図したものでなければ、削除してください: `netsh winhttp reset proxy` と `azcmagent config clear proxy.url`。",
        verify="netsh winhttp show proxy\n"
        "azcmagent config get proxy.url",
    ),
    "ArcRequiredEndpointsCheck": Remediation(
        what="実行のクラウドで Connected Machine エージェントが必要とするエンドポイント (サインイン ホスト、Azure Resource "
        "Manager、ゲスト構成サービス、ハイブリッド ID サービス。パブリック クラウドでは `login.microsoftonline.com`、"
        "`management.azure.com`、`agentserviceapi.guestconfiguration.azure.com`、`gbl.his.arc.azure.com`) の"
        "ポート 443 への TCP 接続を確認します。",
        why="エージェントは、これらのエンドポイントを通じて認証し、拡張機能 (Update Manager のものを含む) を取得し、"
        "報告します。ブロックされていると、サーバーは [切断] と表示され、修正プログラムは適用されません。",
        fix="経路上のすべてのファイアウォールとプロキシで、これらの名前への送信方向の TCP 443 を許可してください "
        "(ソブリン クラウドでは、Microsoft の Arc のネットワーク要件にある `.us` と `.cn` の名前)。サーバーで "
        "`azcmagent check` を実行すると、エージェント自身の一覧をテストできます。",
        verify=_tcp_verify("'login.microsoftonline.com', 'management.azure.com', "
                           "'agentserviceapi.guestconfiguration.azure.com', 'gbl.his.arc.azure.com'") + "\n"
        "azcmagent check",
    ),
    "HimdsServiceCheck": _service(
        "himds", "Azure Connected Machine エージェント",
        "Connected Machine エージェントをインストールし、サーバーを接続してください (`azcmagent connect`)。"),
}

REMEDIATIONS: dict[str, dict[str, Remediation]] = {
    "azure-vm": {**_SHARED, **_AZURE_VM},
    "arc": {**_SHARED, **_ARC},
}
