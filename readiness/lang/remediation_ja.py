"""The remediation of every rule in Japanese: the same what / why / fix / verify as
:mod:`readiness.remediation`, ``verify`` the same PowerShell with Japanese comments."""

from __future__ import annotations

from readiness.remediation import Remediation


def _endpoint_verify(expression: str) -> str:
    return (
        f"$endpoint = {expression}\n"
        "(Test-NetConnection -ComputerName $endpoint -Port 443 -WarningAction SilentlyContinue).TcpTestSucceeded\n"
        "# 接続が許可されていれば True になります。その後、このスイートでもう一度チェックしてください。"
    )


_WORKSPACE_ID = "$workspaceId = '<workspace id>'  # LinkedWorkspaceCheck を参照\n"

_NET_PLANNING = (
    "マシンから、経路上のすべてのファイアウォールとプロキシを通って、アカウントのクラウドの Azure Automation と "
    "Log Analytics のエンドポイントへの送信方向の TCP 443 を許可してください (Azure パブリック クラウドでは "
    "`*.azure-automation.net`、`*.ods.opinsights.azure.com`、`*.oms.opinsights.azure.com`。US Government クラウドと"
    "中国のクラウドでは、それぞれ `.us` と `.cn` の対応する名前)。マシンがプロキシ経由で通信する場合は、プロキシでも"
    "これらの名前を許可し、Log Analytics エージェントにもプロキシを設定してください (エージェントのコントロール パネル "
    "アプレットの [プロキシ設定] タブ)。"
)

REMEDIATIONS: dict[str, Remediation] = {
    "OperatingSystemCheck": Remediation(
        what="マシンの Windows のバージョン (`[Environment]::OSVersion.Version`) が 6.1.7600 "
        "(Windows Server 2008 R2) 以降であることを確認します。",
        why="Hybrid Runbook Worker と Log Analytics エージェントは、これらのバージョン向けにのみビルドされ、"
        "サポートされています。これより古いシステムでは、エージェントは登録も、更新プログラムの評価もインストールも"
        "できません。また、TLS 1.2 (TlsVersionCheck) も使用できません。",
        fix="Update Management のオペレーティング システムの要件でサポート対象とされている Windows のバージョンに"
        "マシンをアップグレードするか、マシンを Update Management の対象から外してください。",
        verify="[Environment]::OSVersion.Version\n"
        "[Environment]::OSVersion.Version -ge [Version]'6.1.7600'  # サポート対象であれば True",
    ),
    "DotNetFrameworkInstalledCheck": Remediation(
        what="`HKLM\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full` の DWORD 値 `Release` が "
        "394802 以上であること、つまり .NET Framework 4.6.2 以降の 4.x リリースがインストールされていることを確認します。",
        why="Hybrid Runbook Worker は .NET Framework 4.6.2 を対象とする .NET のコードです。ランタイムがそれより"
        "古い場合 (または 4.x 系がまったくない場合)、Worker は起動できず、マシンの準備が整うことはありません。",
        fix=".NET Framework ランタイムのダウンロード ページ、または利用している更新プログラムの配布元から、"
        ".NET Framework 4.6.2 以降 (通常は 4.8) をインストールし、マシンを再起動してください。",
        verify="$full = 'HKLM:\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full'\n"
        "(Get-ItemProperty -Path $full -Name Release -ErrorAction SilentlyContinue).Release -ge 394802"
        "  # 4.6.2 以降であれば True",
    ),
    "WindowsManagementFrameworkInstalledCheck": Remediation(
        what="Windows Management Framework (WMF) に含まれる Windows PowerShell のバージョンを確認します。"
        "5.1 以降は成功、4.0 以上 5.1 未満は警告付きで成功、それより古い場合は失敗です。",
        why="Update Management は、評価とインストールをマシン上の PowerShell Runbook として実行します。"
        "これらの Runbook は Windows PowerShell 5.1 向けに作られており、4.0 では一部が不安定になり、"
        "4.0 未満ではまったく実行できません。",
        fix="WMF 5.1 のダウンロード ページから、マシンの Windows のバージョンに合った Windows Management "
        "Framework 5.1 をインストールし (.NET Framework 4.5 以降が必要です)、マシンを再起動してください。",
        verify="$PSVersionTable.PSVersion  # Major.Minor が 5.1 以上であること\n"
        "powershell.exe -NoProfile -Command '$PSVersionTable.PSVersion.ToString()'",
    ),
    "AutomationAgentServiceConnectivityCheck1": Remediation(
        what="まず、エージェントの報告先で Updates ソリューションを持つワークスペースを特定します "
        "(LinkedWorkspaceCheck を参照)。次に、登録エンドポイント "
        "`<workspace id>.agentsvc.azure-automation.net` (US Government クラウドと中国のクラウドでは `.us` と `.cn`) "
        "のポート 443 への TCP 接続を確認します。",
        why="Hybrid Runbook Worker は、このエンドポイントを通じて Azure Automation に登録し、登録を維持します。"
        "接続できないと、マシンは [未構成] または [切断] と表示されます。",
        fix="メッセージが `Unable to find Workspace registration information` (`NoRegistrationFound`) の場合は、"
        "Updates ソリューションを持つワークスペース 1 つだけにエージェントを接続し、先に LinkedWorkspaceCheck を"
        "修正してください。TCP テストが失敗した場合: " + _NET_PLANNING,
        verify=_WORKSPACE_ID + _endpoint_verify("$workspaceId + '.agentsvc.azure-automation.net'"),
    ),
    "AutomationJobRuntimeDataServiceConnectivityCheck": Remediation(
        what="Automation アカウントのリージョンの Job Runtime Data Service (操作エンドポイント) "
        "`<region moniker>-jobruntimedata-prod-su1.azure-automation.net` (`--automation-account-location` で"
        "選択) のポート 443 への TCP 接続を確認します。",
        why="Worker は、実行する更新プログラムの Runbook をこのエンドポイントから取得し、その出力を返します。"
        "ブロックされていると、マシンへのデプロイが開始されないか、完了しません。",
        fix=_NET_PLANNING,
        verify="$moniker = 'eus2'  # Automation アカウントのリージョンの略称: jpe、we、scus など\n"
        + _endpoint_verify("$moniker + '-jobruntimedata-prod-su1.azure-automation.net'"),
    ),
    "MonitoringAgentServiceRunningCheck": Remediation(
        what="Microsoft Monitoring Agent (Log Analytics エージェント) のサービス `HealthService` が"
        "インストールされ、実行中であることを確認します。",
        why="Hybrid Runbook Worker はエージェントのサービス内で動作します。サービスが停止しているか存在しない場合、"
        "このマシンでは Update Management のどの機能も動作しません。",
        fix="サービスを開始し、自動で開始するように設定してください: `Set-Service -Name HealthService "
        "-StartupType Automatic; Start-Service -Name HealthService`。再び停止する場合は、"
        "`Operations Manager` イベント ログで原因を確認してください。サービスが存在しない場合は、Windows 用の "
        "Log Analytics エージェントをインストールし、ワークスペースに接続してください。",
        verify="Get-Service -Name HealthService | Select-Object Name, Status\n"
        "# Status が Running であること",
    ),
    "SystemHybridRunbookWorkerRunningCheck": Remediation(
        what="`Microsoft-SMA/Operational` イベント ログにある、システム Hybrid Runbook Worker の最新の開始 (15003) "
        "または停止 (15004) イベントを確認します。開始イベントであれば成功、停止イベントであるか、"
        "イベントがまったくない場合は失敗です。",
        why="Update Management は、Runbook をシステム Hybrid Runbook Worker に送ります。Worker が停止している"
        "マシンは [切断] と表示され、更新プログラムのデプロイを受け取りません。",
        fix="Worker を強制的に再登録させてから、エージェントを再起動してください:\n\n"
        "    Remove-Item -Path 'HKLM:\\SOFTWARE\\Microsoft\\HybridRunbookWorker' -Recurse -Force\n"
        "    Restart-Service -Name HealthService\n\n"
        "この操作では、マシン上のユーザー Hybrid Runbook Worker も削除されます。その後で登録し直してください。"
        "それでも Worker が開始しない場合は、サポート リクエストを作成してください。",
        verify="Get-WinEvent -LogName 'Microsoft-SMA/Operational' -MaxEvents 50 |\n"
        "    Where-Object { $_.Id -in 15003, 15004 } | Select-Object -First 1 TimeCreated, Id\n"
        "# Id が 15003 (Worker の開始) であれば正常です",
    ),
    "MonitoringAgentServiceEventsCheck": Remediation(
        what="`Operations Manager` イベント ログが存在し、過去 24 時間以内にソース `Health Service Modules` の"
        "イベント 4502 が記録されていないことを確認します。",
        why="エージェントは、モジュールのいずれかが失敗したときに 4502 を記録します。原因の多くは、ワークスペースに"
        "接続または認証できないことです (ブロックされたエンドポイント、プロキシ、MachineKeys フォルダー内の証明書、"
        "時刻のずれ)。ログが存在しない場合は、エージェントがインストールされていません。",
        fix="最新のイベント 4502 のメッセージを確認してください。モジュールとエラーが示されています。原因を修正し "
        "(通常は、失敗しているほかのチェック (接続、プロキシ、CryptoRsaMachineKeysFolderAccessCheck) が原因を"
        "示しています)、`HealthService` を再起動してください。ログが存在しない場合 (`NoLog`) は、Windows 用の "
        "Log Analytics エージェントをインストールしてください。",
        verify="Get-WinEvent -FilterHashtable @{ LogName = 'Operations Manager'; Id = 4502;\n"
        "    StartTime = (Get-Date).AddDays(-1) } -ErrorAction SilentlyContinue |\n"
        "    Select-Object -First 5 TimeCreated, ProviderName, Message\n"
        "# 何も出力されなければ、過去 24 時間に 4502 イベントはありません",
    ),
    "LinkedWorkspaceCheck": Remediation(
        what="エージェントの報告先のワークスペース (`AgentConfigManager.MgmtSvcCfg`) と、マシンに Updates "
        "ソリューションを配信しているワークスペース (`Operations Manager` ログのイベント 1210) を照合します。"
        "一致が 1 つだけであれば成功、複数のワークスペースのうち 1 つだけが一致する場合は警告、"
        "一致がないか複数ある場合は失敗です。",
        why="Update Management は、Automation アカウントにリンクされたワークスペースを通じて動作します。"
        "そのようなワークスペースにまったく報告していないマシン、または複数に報告しているマシンは、管理されないか、"
        "意図しない場所から管理されます。",
        fix="Automation アカウントにリンクされ、Updates ソリューションを持つワークスペースにエージェントを接続し "
        "(エージェントのコントロール パネル アプレットの [Azure Log Analytics] タブ)、Updates ソリューションを"
        "持つほかのワークスペースを削除してください。エージェントが接続できない場合は、ネットワークの要件を"
        "確認してください。",
        verify="(New-Object -ComObject 'AgentConfigManager.MgmtSvcCfg').GetCloudWorkspaces() |\n"
        "    Select-Object workspaceId, ConnectionStatus\n"
        "# ワークスペース (Log Analytics) で、マシンからハートビートが届いていることを確認します:\n"
        "#   Heartbeat | where Computer =~ \"<computer name>\" | take 1",
    ),
    "CryptoRsaMachineKeysFolderAccessCheck": Remediation(
        what="`C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys` に対する SYSTEM アカウント (S-1-5-18) の"
        "実効アクセス許可に、書き込みと変更が含まれていることを、拒否エントリも考慮して確認します。",
        why="SYSTEM として実行されるエージェントは、ワークスペース証明書の秘密キーをこのフォルダーに保存します。"
        "書き込みアクセス許可がないと、キーを作成も更新もできず、ワークスペースへの認証ができません。",
        fix="このフォルダーに対する変更 (またはフル コントロール) のアクセス許可を SYSTEM に付与し、SYSTEM を"
        "対象とする拒否エントリを削除してください:\n\n"
        "    icacls 'C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys' /grant '*S-1-5-18:(OI)(CI)M'\n\n"
        "その後、`HealthService` を再起動してください。",
        verify="$folder = 'C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys'\n"
        "(Get-Acl -Path $folder).GetAccessRules($true, $true, [Security.Principal.SecurityIdentifier]) |\n"
        "    Where-Object { $_.IdentityReference.Value -eq 'S-1-5-18' } |\n"
        "    Select-Object AccessControlType, FileSystemRights\n"
        "# Modify または FullControl の Allow があり、Deny がないこと",
    ),
    "TlsVersionCheck": Remediation(
        what="SChannel のクライアントとサーバーで TLS 1.2 が使用可能で有効になっているかを確認します。対象は "
        "OS のバージョンと、"
        "`HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Client` "
        "および `...\\Server` の値 `Enabled` と `DisabledByDefault` です。",
        why="Azure Automation と Log Analytics は TLS 1.2 の接続のみを受け付けます。TLS 1.0 と TLS 1.1 は"
        "サポートされなくなりました。TLS 1.2 を使用できないマシンは、サービスとまったく通信できません。",
        fix="Windows Server 2008 R2 (`NotExplicitlyEnabled`) では TLS 1.2 を有効にする必要があります。"
        "それより新しいバージョン (`ExplicitlyDisabled`) では、TLS 1.2 を無効にしている設定を削除してください。"
        "どちらの場合も、Client と Server の両方で `Enabled` = 1、`DisabledByDefault` = 0 を設定し、"
        "再起動します:\n\n"
        "    foreach ($side in 'Client', 'Server') {\n"
        "        $key = \"HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\$side\"\n"
        "        New-Item -Path $key -Force | Out-Null\n"
        "        New-ItemProperty -Path $key -Name Enabled -Value 1 -PropertyType DWord -Force | Out-Null\n"
        "        New-ItemProperty -Path $key -Name DisabledByDefault -Value 0 -PropertyType DWord -Force | Out-Null\n"
        "    }\n\n"
        "OS が TLS 1.2 をサポートしていない場合 (`NoDefaultSupport`、またはサポート対象外の OS での `Failed`) は、"
        "TLS 1.1 と TLS 1.2 のサポートを追加する更新プログラムをインストールするか、Windows をアップグレードしてください。",
        verify="$base = 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2'\n"
        "'Client', 'Server' | ForEach-Object {\n"
        "    Get-ItemProperty -Path \"$base\\$_\" -ErrorAction SilentlyContinue |\n"
        "        Select-Object PSChildName, Enabled, DisabledByDefault }\n"
        "# Enabled が 1 (2012 以降では値なしも可)、DisabledByDefault が 0 (2012 以降では値なしも可) であること",
    ),
    "AlwaysAutoRebootCheck": Remediation(
        what="`HKLM\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU` にある Windows Update の"
        "ポリシー値 `AlwaysAutoRebootAtScheduledTime` (1) と `AlwaysAutoRebootAtScheduledTimeMinutes` (0 以外) を"
        "確認します。",
        why="これらが設定されていると、Windows は更新プログラムのインストール後、Update Management のデプロイで"
        "選択した再起動オプションに関係なく、独自のスケジュールでマシンを再起動します。マシンが予期しない時刻に"
        "再起動します。",
        fix="両方の値を削除するか、設定元でポリシー [スケジュールされた時刻に常に自動的に再起動する] を "
        "[未構成] にしてください (ドメイン ポリシーの場合は値が書き戻されます):\n\n"
        "    Remove-ItemProperty -Path 'HKLM:\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU' `\n"
        "        -Name AlwaysAutoRebootAtScheduledTime, AlwaysAutoRebootAtScheduledTimeMinutes -ErrorAction SilentlyContinue\n\n"
        "そのうえで、再起動の動作は Update Management のデプロイ スケジュールで選択してください。",
        verify="Get-ItemProperty -Path 'HKLM:\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU' -ErrorAction SilentlyContinue |\n"
        "    Select-Object AlwaysAutoRebootAtScheduledTime, AlwaysAutoRebootAtScheduledTimeMinutes\n"
        "# どちらも空 (または 0) であれば正常です",
    ),
    "WSUSServerConfigured": Remediation(
        what="`HKLM\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate` にある Windows Update のポリシー値 "
        "`WUServer`、つまりマシンが更新プログラムをダウンロードする WSUS サーバーを確認します。",
        why="WSUS サーバーを使用している場合、Update Management がインストールできるのは、WSUS で承認された"
        "更新プログラムだけであり、それも WSUS にアクセスできる間に限られます。デプロイが何もインストールせずに"
        "終わることがあります。",
        fix="マシンが WSUS を使用する想定であれば、サーバーにアクセスできることを確認し、各デプロイの前に更新プログラムを"
        "承認してください。そうでない場合は、WSUS の設定 (`WUServer`、`WUStatusServer`、`AU` の下の "
        "`UseWUServer`、またはこれらを設定するポリシー) を削除し、Windows Update のコンポーネントをリセットして"
        "ください (`Restart-Service -Name wuauserv`)。",
        verify="Get-ItemProperty -Path 'HKLM:\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate' -ErrorAction SilentlyContinue |\n"
        "    Select-Object WUServer, WUStatusServer\n"
        "(Get-ItemProperty -Path 'HKLM:\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU' -ErrorAction SilentlyContinue).UseWUServer",
    ),
    "AutomaticUpdateCheck": Remediation(
        what="`HKLM\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU` にある Windows Update の"
        "ポリシー値 `AUOptions` を確認します。4 は「自動ダウンロードしてインストール日時を指定」を意味します。",
        why="この場合、Windows は更新プログラムが公開されるたびに、Update Management のメンテナンス期間外に"
        "自動でインストールします。デプロイでは何もすることがなくなり、更新 (と再起動) が予定外の時刻に行われます。",
        fix="グループ ポリシー [自動更新を構成する] を [無効] (またはダウンロードやインストールの前に通知する"
        "オプション 2 か 3) に設定してください。ドメイン ポリシーのないマシンでは:\n\n"
        "    Set-ItemProperty -Path 'HKLM:\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU' -Name NoAutoUpdate -Value 1 -Type DWord\n"
        "    Set-ItemProperty -Path 'HKLM:\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU' -Name AUOptions -Value 3 -Type DWord",
        verify="(Get-ItemProperty -Path 'HKLM:\\Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU' -ErrorAction SilentlyContinue).AUOptions\n"
        "# 4 以外であれば正常です",
    ),
    "HttpsConnection": Remediation(
        what="`https://eus2-jobruntimedata-prod-su1.azure-automation.net` への HTTPS GET を、まずマシンのプロキシ"
        "設定を使用して、次に直接接続で実行します。プロキシ経由で応答 (200 または 403 Forbidden) があれば成功、"
        "直接接続でのみ応答があれば警告、どちらも応答がなければ失敗です。",
        why="エージェントと Worker は、HTTPS のみで Azure と通信します。HTTPS 要求を完了できないマシン "
        "(ファイアウォール、プロキシ、ハンドシェイクを壊す TLS インスペクション) は管理できません。",
        fix="マシンからの送信方向の HTTPS を許可してください。警告の場合は、直接接続では通信できるものの、プロキシが"
        "拒否しています。プロキシで Azure Automation と Log Analytics の名前を許可してください。"
        + _NET_PLANNING,
        verify="$uri = 'https://eus2-jobruntimedata-prod-su1.azure-automation.net'\n"
        "try { (Invoke-WebRequest -Uri $uri -UseBasicParsing).StatusCode }\n"
        "catch { $_.Exception.Response.StatusCode }  # 403 Forbidden でも接続できていることがわかります",
    ),
    "ProxySettings": Remediation(
        what="マシンの WinHTTP プロキシが設定されているか (直接アクセス以外か) を確認します。ローカライズされた"
        "コマンドの出力ではなく、設定そのものから読み取ります。",
        why="エージェントのサービスは、WinHTTP プロキシを通じて Azure に接続します。プロキシが Azure Automation と "
        "Log Analytics の名前を通過させるのであれば問題ありませんが、そうでない場合はエージェントの接続チェックが"
        "すべて失敗します。準備状況レポートには、ネットワーク テストごとにどの経路を使用したかが表示されます。",
        fix="プロキシが意図したものであれば、プロキシで Azure Automation と Log Analytics のエンドポイントを許可し、"
        "エージェントにも同じプロキシを設定してください (コントロール パネル アプレットの [プロキシ設定] タブ)。"
        "意図したものでなければ、削除してください: `netsh winhttp reset proxy`。",
        verify="netsh winhttp show proxy\n"
        "# ユーザーごとの設定も確認します (1 = プロキシが有効):\n"
        "Get-ItemProperty -Path 'HKCU:\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings' |\n"
        "    Select-Object ProxyEnable, ProxyServer",
    ),
    "IMDSConnectivity": Remediation(
        what="Azure Instance Metadata Service "
        "`http://169.254.169.254/metadata/instance?api-version=2018-02-01` への HTTP GET を、ヘッダー "
        "`Metadata: true` を付けて、プロキシ設定を使用する場合と直接接続の場合で実行します。",
        why="Azure VM では、Update Management は IMDS にマシンの情報を問い合わせます。プロキシを使用しない場合に"
        "のみ要求が成功する場合は、プロキシが要求を遮っています。まったく成功しない場合は、VM の ID がわかりません。"
        "Azure の外部にあるマシンではこれは想定どおりであり、警告にとどまります。",
        fix="169.254.169.254 がプロキシを経由しないようにし (たとえば "
        "`netsh winhttp set proxy proxy-server=\"<proxy:port>\" bypass-list=\"<local>;169.254.169.254\"`)、"
        "ゲストのファイアウォールでも許可してください。Azure VM で IMDS への経路がない場合は、ゲストのルートと"
        "ファイアウォール規則で 169.254.169.254 の扱いを確認してください。",
        verify="Invoke-RestMethod -Headers @{ Metadata = 'true' } -Method GET `\n"
        "    -Uri 'http://169.254.169.254/metadata/instance?api-version=2018-02-01'\n"
        "# Azure VM であれば、コンピューティングとネットワークのメタデータが返されます",
    ),
    "WUServiceRunningCheck": Remediation(
        what="Windows Update サービス `wuauserv` のスタートアップの種類を確認します。無効は失敗、それ以外は"
        "成功です。",
        why="Update Management は、Windows Update エージェントを通じて更新プログラムのスキャンとインストールを"
        "行います。サービスが無効になっていると、このマシンでの評価とデプロイは失敗します。",
        fix="サービスを手動 (または自動) で開始するように設定し、開始してください:\n\n"
        "    Set-Service -Name wuauserv -StartupType Manual\n"
        "    Start-Service -Name wuauserv -ErrorAction SilentlyContinue\n\n"
        "(`sc.exe config wuauserv start= demand` は 1 行目と同じ設定を行います。) サービスを無効にする"
        "ポリシーがある場合は再び無効になるため、ポリシーも変更してください。",
        verify="Get-Service -Name wuauserv | Select-Object Name, Status, StartType\n"
        "(Get-CimInstance -ClassName Win32_Service -Filter \"Name='wuauserv'\").StartMode"
        "  # 古い PowerShell では Get-WmiObject\n"
        "# StartType / StartMode が Disabled でないこと",
    ),
    "LAOdsEndpointConnectivity": Remediation(
        what="まず、エージェントの報告先のワークスペースを特定します (LinkedWorkspaceCheck を参照)。次に、"
        "Log Analytics のデータ インジェスト エンドポイント `<workspace id>.ods.opinsights.azure.com` "
        "(US Government クラウドと中国のクラウドでは `.us` と `.cn`) のポート 443 への TCP 接続を確認します。",
        why="エージェントは、更新プログラムの評価結果とハートビートを、このエンドポイントを通じてワークスペースに"
        "送信します。ブロックされていると、Update Management ではマシンから何も届いていないように見えます。",
        fix="ワークスペースが 1 つに定まらない場合 (`Unable to find Workspace registration information`、"
        "`VM connected to multiple workspaces.`) は、先に LinkedWorkspaceCheck を修正してください。"
        "TCP テストが失敗した場合: " + _NET_PLANNING,
        verify=_WORKSPACE_ID + _endpoint_verify("$workspaceId + '.ods.opinsights.azure.com'"),
    ),
    "LAOmsEndpointConnectivity": Remediation(
        what="まず、エージェントの報告先のワークスペースを特定します (LinkedWorkspaceCheck を参照)。次に、"
        "Log Analytics のエージェント サービス エンドポイント `<workspace id>.oms.opinsights.azure.com` "
        "(US Government クラウドと中国のクラウドでは `.us` と `.cn`) のポート 443 への TCP 接続を確認します。",
        why="エージェントは、その構成と、ワークスペースが有効にしているソリューション (Updates を含む) を、"
        "このエンドポイントを通じて取得します。ブロックされていると、エージェントは Update Management を"
        "実行すべきことを知ることができません。",
        fix="ワークスペースが 1 つに定まらない場合 (`Unable to find Workspace registration information`、"
        "`VM connected to multiple workspaces.`) は、先に LinkedWorkspaceCheck を修正してください。"
        "TCP テストが失敗した場合: " + _NET_PLANNING,
        verify=_WORKSPACE_ID + _endpoint_verify("$workspaceId + '.oms.opinsights.azure.com'"),
    ),
}
