# readiness-probe/2: gathers the raw facts its input names, and changes nothing.
# Runs after the input header ($ProbeRegistry, $ProbeServices, $ProbeEvents, $ProbeAcl,
# $ProbeTcp, $ProbeWorkspaceTcp, $ProbeHttps, $ProbeImds, $ProbeTimeoutMs and, when a profile
# asks them, $ProbeFolders, $ProbeWindowsUpdate, $ProbeArcAgent, $ProbeTls, $ProbeImdsCompute,
# $ProbeTcpFromRegistry; an absent one is $null) on Windows
# PowerShell 2.0 to 5.1 and PowerShell 7. Writes one ASCII JSON document to stdout (see
# CONTRACT.md) and nothing else. A fact that cannot be gathered is reported in the document,
# never left out. What to gather and every decision are made elsewhere; this only reads.

$ProgressPreference = 'SilentlyContinue'
$ErrorActionPreference = 'Stop'

$ProbeTextLimit = 2000
$ProbeErrorLimit = 500
$ProbeTimeFormat = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'"
$ProbeInvariant = [System.Globalization.CultureInfo]::InvariantCulture
$ProbeGuid = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
$ProbeErrors = New-Object System.Collections.ArrayList
$ProbeRegistryKinds = @('DWord', 'QWord', 'String', 'ExpandString', 'MultiString', 'Binary')
$ProbeNumberTypes = @('System.Int32', 'System.Int64', 'System.Decimal', 'System.UInt32', 'System.UInt64', 'System.Int16', 'System.UInt16', 'System.Byte')

function Get-ProbeObject {
    # A JSON object that keeps its key order ([ordered] does not exist on 2.0).
    New-Object System.Collections.Specialized.OrderedDictionary
}

# ---- JSON writer: ASCII only, every other character as \uXXXX ----

function ConvertTo-ProbeJsonString([string]$Text) {
    # -cnotmatch: -notmatch ignores case in the current culture, where U+0130 and U+212A
    # fold to ASCII letters and would pass unescaped.
    if ($Text -cnotmatch '[^\x20-\x7E]|["\\]') { return '"' + $Text + '"' }
    $escaped = $Text.Replace('\', '\\').Replace('"', '\"')
    $special = [regex]::Matches($escaped, '[^\x20-\x7E]')
    if ($special.Count -gt 256) {
        # Mostly non-ASCII (a localized message): escape every UTF-16 unit in one .NET pass.
        $hex = [System.BitConverter]::ToString([System.Text.Encoding]::BigEndianUnicode.GetBytes($Text))
        return '"' + [regex]::Replace($hex.Replace('-', ''), '(.{4})', '\u$1') + '"'
    }
    $sb = New-Object System.Text.StringBuilder
    [void]$sb.Append('"')
    $last = 0
    foreach ($m in $special) {
        [void]$sb.Append($escaped, $last, $m.Index - $last)
        [void]$sb.Append('\u').Append(([int][char]$m.Value).ToString('x4', $ProbeInvariant))
        $last = $m.Index + 1
    }
    [void]$sb.Append($escaped, $last, $escaped.Length - $last)
    [void]$sb.Append('"')
    $sb.ToString()
}

function Add-ProbeJson($Sb, $Value) {
    if ($null -eq $Value) { [void]$Sb.Append('null'); return }
    if ($Value -is [string]) { [void]$Sb.Append((ConvertTo-ProbeJsonString $Value)); return }
    if ($Value -is [bool]) {
        if ($Value) { [void]$Sb.Append('true') } else { [void]$Sb.Append('false') }
        return
    }
    if ($Value -is [System.Collections.IDictionary]) {
        [void]$Sb.Append('{')
        $first = $true
        foreach ($entry in $Value.GetEnumerator()) {
            if (-not $first) { [void]$Sb.Append(',') }
            $first = $false
            [void]$Sb.Append((ConvertTo-ProbeJsonString ([string]$entry.Key))).Append(':')
            Add-ProbeJson $Sb $entry.Value
        }
        [void]$Sb.Append('}')
        return
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        [void]$Sb.Append('[')
        $first = $true
        foreach ($item in $Value) {
            if (-not $first) { [void]$Sb.Append(',') }
            $first = $false
            Add-ProbeJson $Sb $item
        }
        [void]$Sb.Append(']')
        return
    }
    if ($ProbeNumberTypes -contains $Value.GetType().FullName) {
        [void]$Sb.Append(([decimal]$Value).ToString($ProbeInvariant))
        return
    }
    [void]$Sb.Append((ConvertTo-ProbeJsonString ([string]$Value)))
}

# ---- Errors ----

function Get-ProbeErrorRecord($Err) {
    # On 2.0, -ErrorAction Stop wraps the original error in ActionPreferenceStopException.
    if ($Err -is [System.Management.Automation.ErrorRecord]) {
        $ex = $Err.Exception
        if ($ex -is [System.Management.Automation.ActionPreferenceStopException] -and $null -ne $ex.ErrorRecord) {
            return $ex.ErrorRecord
        }
    }
    $Err
}

function Get-ProbeErrorId($Err) {
    $rec = Get-ProbeErrorRecord $Err
    if ($rec -is [System.Management.Automation.ErrorRecord]) { return [string]$rec.FullyQualifiedErrorId }
    ''
}

function Get-ProbeException($Err) {
    $rec = Get-ProbeErrorRecord $Err
    if ($rec -is [System.Management.Automation.ErrorRecord]) { return $rec.Exception }
    $rec
}

function Get-ProbeLine([string]$Text, [int]$Limit) {
    $line = ($Text -creplace '\s+', ' ').Trim()
    if ($line.Length -gt $Limit) { $line = $line.Substring(0, $Limit) }
    $line
}

function Get-ProbeErrorText($Err) {
    $ex = Get-ProbeException $Err
    while ($ex -is [System.Management.Automation.MethodInvocationException] -and $null -ne $ex.InnerException) {
        $ex = $ex.InnerException
    }
    if ($ex -is [System.Exception]) { return Get-ProbeLine ($ex.GetType().FullName + ': ' + $ex.Message) $ProbeErrorLimit }
    Get-ProbeLine ([string]$Err) $ProbeErrorLimit
}

function Add-ProbeError([string]$Fact, $Err) {
    # Records a fact that could not be gathered in "errors"; returns the one-line message.
    $message = Get-ProbeErrorText $Err
    $entry = Get-ProbeObject
    $entry['fact'] = $Fact
    $entry['message'] = $message
    [void]$ProbeErrors.Add($entry)
    $message
}

function Get-ProbeFact([string]$Fact, [scriptblock]$Gather) {
    # Runs one gatherer; a failure becomes {"error": ...} and an entry in "errors".
    try {
        & $Gather
    } catch {
        $failed = Get-ProbeObject
        $failed['error'] = Add-ProbeError $Fact $_
        $failed
    }
}

# ---- Registry (64-bit view where there is one; never opened writable) ----

$ProbeHklm = $null
try {
    $ProbeHklm = [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine, [Microsoft.Win32.RegistryView]::Registry64)
} catch {
    $ProbeHklm = [Microsoft.Win32.Registry]::LocalMachine
}

function Get-ProbeUnsigned($Number, $Modulus) {
    # DWORD/QWORD and access masks arrive signed from .NET; the contract has them unsigned.
    $n = [decimal]$Number
    if ($n -lt 0) { $n = $n + $Modulus }
    $n
}

function Get-ProbeRegistryValue($Key, [string]$Name) {
    $kind = $Key.GetValueKind($Name).ToString()
    # None, Unknown or a later kind: the whole key is reported unreadable, not guessed at.
    if ($ProbeRegistryKinds -notcontains $kind) { throw ('value ' + $Name + ' is of kind ' + $kind + ', which the contract does not know') }
    $raw = $Key.GetValue($Name, $null, [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
    $v = Get-ProbeObject
    $v['type'] = $kind
    if ($kind -eq 'DWord') {
        $v['value'] = [int64](Get-ProbeUnsigned $raw 4294967296)
    } elseif ($kind -eq 'QWord') {
        $v['value'] = Get-ProbeUnsigned $raw ([decimal]::Parse('18446744073709551616', $ProbeInvariant))
    } elseif ($kind -eq 'MultiString') {
        $list = New-Object System.Collections.ArrayList
        if ($null -ne $raw) {
            foreach ($s in $raw) { [void]$list.Add([string]$s) }
        }
        $v['value'] = $list
    } elseif ($raw -is [byte[]]) {
        $v['value'] = [System.Convert]::ToBase64String($raw)
    } else {
        $v['value'] = [string]$raw
    }
    $v
}

function Get-ProbeRegistryValues($Key, [string[]]$Names) {
    # The values of an open key among $Names, spelled as asked; an absent one is not listed.
    $values = Get-ProbeObject
    $present = $Key.GetValueNames()
    if ($null -ne $Names) {
        foreach ($name in $Names) {
            if ($present -contains $name) { $values[$name] = Get-ProbeRegistryValue $Key $name }
        }
    }
    $values
}

function Get-ProbeRegistryKey([string]$Path, [string[]]$Names, [bool]$Subkeys) {
    $o = Get-ProbeObject
    $values = Get-ProbeObject
    $listed = Get-ProbeObject
    $key = $ProbeHklm.OpenSubKey($Path.Substring(5))
    $o['exists'] = ($null -ne $key)
    if ($null -ne $key) {
        try {
            $values = Get-ProbeRegistryValues $key $Names
            if ($Subkeys) {
                # Each subkey with the same value names, in the order the registry lists them.
                foreach ($subName in @($key.GetSubKeyNames())) {
                    $sub = $key.OpenSubKey($subName)
                    if ($null -eq $sub) { continue }
                    try {
                        $entry = Get-ProbeObject
                        $entry['values'] = Get-ProbeRegistryValues $sub $Names
                        $listed[$subName] = $entry
                    } finally {
                        $sub.Close()
                    }
                }
            }
        } finally {
            $key.Close()
        }
    }
    $o['values'] = $values
    if ($Subkeys) { $o['subkeys'] = $listed }
    $o
}

$ProbeConnections = 'HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections'

# ---- Services: status enum name, Start DWORD (StartType does not exist before 5.0) ----

function Get-ProbeService([string]$Name) {
    $o = Get-ProbeObject
    $svc = $null
    try {
        $svc = Get-Service -Name $Name -ErrorAction Stop
    } catch {
        if ((Get-ProbeErrorId $_) -notlike 'NoServiceFoundForGivenName*') { throw $_ }
    }
    if ($null -eq $svc) {
        $o['exists'] = $false
        $o['status'] = $null
        $o['start'] = $null
        return $o
    }
    $o['exists'] = $true
    $o['status'] = $svc.Status.ToString()
    $start = Get-ProbeRegistryKey ('HKLM\SYSTEM\CurrentControlSet\Services\' + $Name) @('Start')
    $o['start'] = $null
    if ($start['values'].Contains('Start')) {
        $value = $start['values']['Start']
        if ($value['type'] -ne 'DWord') { throw ('Start of ' + $Name + ' is ' + $value['type'] + ', not DWord') }
        $o['start'] = $value['value']
    }
    $o
}

# ---- The monitoring agent's workspaces (COM) ----

function Test-ProbeComMissing($Err) {
    # Class not registered: the agent is not installed. Decided from the HRESULT only, since
    # New-Object reports every COM failure (access denied, server failure) the same way.
    $ex = Get-ProbeException $Err
    for ($i = 0; $null -ne $ex -and $i -lt 8; $i++) {
        if ($ex -is [System.Runtime.InteropServices.COMException]) {
            # 0x80040154 REGDB_E_CLASSNOTREG, 0x800401F3 CO_E_CLASSSTRING
            if ($ex.ErrorCode -eq -2147221164 -or $ex.ErrorCode -eq -2147221005) { return $true }
        }
        $ex = $ex.InnerException
    }
    $false
}

function Get-ProbeAgent {
    $o = Get-ProbeObject
    $workspaces = New-Object System.Collections.ArrayList
    $cfg = $null
    try {
        $cfg = New-Object -ComObject 'AgentConfigManager.MgmtSvcCfg' -ErrorAction Stop
    } catch {
        if (-not (Test-ProbeComMissing $_)) { throw $_ }
    }
    $o['installed'] = ($null -ne $cfg)
    if ($null -ne $cfg) {
        try {
            # No workspace: the method returns $null, over which foreach on 2.0 runs once.
            $cloud = $cfg.GetCloudWorkspaces()
            if ($null -ne $cloud) {
                foreach ($ws in $cloud) { [void]$workspaces.Add([string]$ws.workspaceId) }
            }
        } finally {
            [void][System.Runtime.InteropServices.Marshal]::ReleaseComObject($cfg)
        }
    }
    $o['workspaces'] = $workspaces
    $o
}

# ---- Event logs: each query an XPath from the input, newest first, one record at a time ----

function Get-ProbeText($Value) {
    if ($null -eq $Value) { return $null }
    $text = [string]$Value
    if ($text.Length -gt $ProbeTextLimit) { $text = $text.Substring(0, $ProbeTextLimit) }
    $text
}

function Test-ProbeExceptionType($Err, [string]$TypeName) {
    # Whether the error, or an exception inside it, is of the named type (compared by name,
    # so that the type need not exist where the check runs).
    $ex = Get-ProbeException $Err
    for ($i = 0; $null -ne $ex -and $i -lt 8; $i++) {
        if ($ex.GetType().FullName -eq $TypeName) { return $true }
        $ex = $ex.InnerException
    }
    $false
}

function Add-ProbeEventRecord($Log, $Id, $Source, $Time, $Message, $Properties) {
    $e = Get-ProbeObject
    $e['id'] = [int]$Id
    $e['source'] = [string]$Source
    $e['time'] = $Time
    $e['message'] = Get-ProbeText $Message
    $list = New-Object System.Collections.ArrayList
    if ($null -ne $Properties) {
        foreach ($p in $Properties) { [void]$list.Add((Get-ProbeText $p)) }
    }
    $e['properties'] = $list
    [void]$Log['events'].Add($e)
}

function Add-ProbeCut($Log, $Query) {
    $cut = Get-ProbeObject
    $cut['ids'] = $Query.ids
    $cut['newest'] = $Query.newest
    [void]$Log['truncated'].Add($cut)
}

function Read-ProbeEventsWithReader($Log, [string]$LogName, $Query) {
    # EventLogReader with the query's XPath, newest first; $false when the log does not exist.
    # Each record is rendered in its own try: a message that cannot be formatted (no message
    # file, no publisher metadata) leaves that record with a null message, where Get-WinEvent
    # would write an error that -ErrorAction Stop turns into the loss of the whole log.
    $pathType = [System.Diagnostics.Eventing.Reader.PathType]::LogName
    $logQuery = New-Object System.Diagnostics.Eventing.Reader.EventLogQuery -ArgumentList $LogName, $pathType, ([string]$Query.xpath)
    $logQuery.ReverseDirection = $true
    $reader = $null
    try {
        $reader = New-Object System.Diagnostics.Eventing.Reader.EventLogReader -ArgumentList $logQuery
    } catch {
        if (Test-ProbeExceptionType $_ 'System.Diagnostics.Eventing.Reader.EventLogNotFoundException') { return $false }
        throw $_
    }
    $found = New-Object System.Collections.ArrayList
    try {
        # One more than the cap is read, so that "truncated" means more events exist.
        while ($found.Count -le $Query.newest) {
            $rec = $reader.ReadEvent()
            if ($null -eq $rec) { break }
            [void]$found.Add($rec)
        }
        if ($found.Count -gt $Query.newest) {
            Add-ProbeCut $Log $Query
            $found.RemoveAt($found.Count - 1)
        }
        foreach ($rec in $found) {
            # An event without a time cannot be placed in a window: the log is reported unreadable.
            if ($null -eq $rec.TimeCreated) { throw ('event ' + $rec.Id + ' (record ' + $rec.RecordId + ') has no time') }
            $message = $null
            try {
                $message = $rec.FormatDescription()
            } catch {
                $message = $null
            }
            $properties = New-Object System.Collections.ArrayList
            if ($null -ne $rec.Properties) {
                foreach ($p in $rec.Properties) { [void]$properties.Add([string]$p.Value) }
            }
            $time = $rec.TimeCreated.ToUniversalTime().ToString($ProbeTimeFormat, $ProbeInvariant)
            Add-ProbeEventRecord $Log $rec.Id $rec.ProviderName $time $message $properties
        }
    } finally {
        foreach ($rec in $found) { $rec.Dispose() }
        $reader.Dispose()
    }
    $true
}

function Read-ProbeEventsWithWevtutil($Log, [string]$LogName, $Query) {
    # Without .NET 3.5: wevtutil qe, newest first, as event XML, which Windows does not
    # translate (so messages are null). $false when the log does not exist (15007,
    # ERROR_EVT_CHANNEL_NOT_FOUND). Its exit code is the verdict, not its stderr.
    $ErrorActionPreference = 'Continue'
    $count = [int]$Query.newest + 1
    $lines = @(wevtutil.exe qe $LogName ('/q:' + [string]$Query.xpath) '/f:xml' '/rd:true' ('/c:' + $count))
    $code = $LASTEXITCODE
    $ErrorActionPreference = 'Stop'
    if ($code -eq 15007) { return $false }
    if ($code -ne 0) { throw ('wevtutil qe ' + $LogName + ' exited with code ' + $code) }
    $xml = [xml]('<Events>' + ($lines -join ' ') + '</Events>')
    $found = New-Object System.Collections.ArrayList
    foreach ($node in $xml.DocumentElement.ChildNodes) {
        if ($node.LocalName -eq 'Event') { [void]$found.Add($node) }
    }
    if ($found.Count -gt $Query.newest) {
        Add-ProbeCut $Log $Query
        $found.RemoveAt($found.Count - 1)
    }
    foreach ($node in $found) {
        $system = $node['System']
        $created = $system['TimeCreated']
        $stamp = ''
        if ($null -ne $created) { $stamp = $created.GetAttribute('SystemTime') }
        if ($stamp -cnotmatch '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d') {
            throw ('event ' + $system['EventID'].InnerText + ' (record ' + $system['EventRecordID'].InnerText + ') has no time')
        }
        $properties = New-Object System.Collections.ArrayList
        $data = $node['EventData']
        if ($null -eq $data -and $null -ne $node['UserData']) { $data = $node['UserData'].FirstChild }
        if ($null -ne $data) {
            foreach ($item in $data.ChildNodes) { [void]$properties.Add([string]$item.InnerText) }
        }
        $source = $system['Provider'].GetAttribute('Name')
        Add-ProbeEventRecord $Log $system['EventID'].InnerText $source ($stamp.Substring(0, 19) + 'Z') $null $properties
    }
    $true
}

function Get-ProbeEventLog([string]$LogName, $Queries) {
    # The log's queries, in input order; "exists" false (and nothing else) when it does not exist.
    $o = Get-ProbeObject
    $o['exists'] = $true
    $o['events'] = New-Object System.Collections.ArrayList
    $o['truncated'] = New-Object System.Collections.ArrayList
    if ($null -eq $Queries) { return $o }
    foreach ($query in $Queries) {
        # EventLogReader (what Get-WinEvent reads with) is in .NET 3.5's System.Core, which
        # PowerShell 2.0 may lack (Windows Server 2008 R2 as installed): there, wevtutil reads.
        if ($PSVersionTable.PSVersion.Major -ge 3) {
            $exists = Read-ProbeEventsWithReader $o $LogName $query
        } else {
            $exists = Read-ProbeEventsWithWevtutil $o $LogName $query
        }
        if (-not $exists) {
            $o['exists'] = $false
            $o['events'].Clear()
            $o['truncated'].Clear()
            break
        }
    }
    $o
}

# ---- File system ACL ----

function Get-ProbeAcl([string]$Folder) {
    $o = Get-ProbeObject
    $entries = New-Object System.Collections.ArrayList
    $o['exists'] = [System.IO.Directory]::Exists($Folder)
    if ($o['exists']) {
        if ($PSVersionTable.PSVersion.Major -ge 3) {
            $security = Get-Acl -LiteralPath $Folder -ErrorAction Stop
        } else {
            # Get-Acl has no -LiteralPath on 2.0.
            $info = New-Object System.IO.DirectoryInfo -ArgumentList $Folder
            $security = $info.GetAccessControl([System.Security.AccessControl.AccessControlSections]::Access)
        }
        # SIDs only: translating one to an account name can wait on a domain controller
        # without bound, and no rule needs the name.
        $sidType = [System.Security.Principal.SecurityIdentifier]
        $rules = @($security.GetAccessRules($true, $true, $sidType))
        foreach ($rule in $rules) {
            $entry = Get-ProbeObject
            $entry['sid'] = $rule.IdentityReference.Value
            $entry['rights'] = [int64](Get-ProbeUnsigned ([int]$rule.FileSystemRights) 4294967296)
            $entry['type'] = $rule.AccessControlType.ToString()
            # PropagationFlags.InheritOnly (2): the entry does not apply to the folder itself.
            $entry['inherit_only'] = (([int]$rule.PropagationFlags -band 2) -ne 0)
            [void]$entries.Add($entry)
        }
    }
    $o['entries'] = $entries
    $o
}

# ==== update-manager: begin (sent only when the input asks what the Update Manager profiles read) ====
# How long a call that may hang (the WUA COM server, the Arc agent's tool) is waited for:
# four times the network timeout, at most 20 s.
$ProbeSlowMs = 20000
if (($ProbeTimeoutMs -as [int]) -gt 0 -and 4 * [int]$ProbeTimeoutMs -lt $ProbeSlowMs) { $ProbeSlowMs = 4 * [int]$ProbeTimeoutMs }

# ---- Folders: %VARIABLES% expanded by Windows, a directory (never a file) at the path ----

function Get-ProbeFolder([string]$Path) {
    $o = Get-ProbeObject
    $expanded = [Environment]::ExpandEnvironmentVariables($Path)
    $o['path'] = $expanded
    # Directory.Exists is false for a file of that name, as it is for nothing at all.
    $o['exists'] = [System.IO.Directory]::Exists($expanded)
    $o
}

# ---- JSON answers (IMDS, azcmagent): the members of the object's own level ----

function ConvertFrom-ProbeJsonScalar([string]$Token) {
    # One JSON token: a string (its escapes are those Regex.Unescape reads), true, false, null
    # or a number (invariant culture).
    if ($Token.StartsWith('"')) { return [regex]::Unescape($Token.Substring(1, $Token.Length - 2)) }
    if ($Token -ceq 'true') { return $true }
    if ($Token -ceq 'false') { return $false }
    if ($Token -ceq 'null') { return $null }
    $number = [decimal]0
    if ([decimal]::TryParse($Token, [System.Globalization.NumberStyles]::Float, $ProbeInvariant, [ref]$number)) { return $number }
    throw ('not JSON: ' + (Get-ProbeLine $Token 40))
}

function Get-ProbeJsonMembers([string]$Text) {
    # The members of a JSON object's own level whose values are scalars or lists of scalars
    # (nested objects are skipped); no ConvertFrom-Json on 2.0. Throws on what is not an object.
    $o = Get-ProbeObject
    $tokens = [regex]::Matches($Text, '"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')
    $n = $tokens.Count
    if ($n -lt 2 -or $tokens[0].Value -ne '{') { throw 'the answer is not a JSON object' }
    $i = 1
    while ($i -lt $n) {
        $t = $tokens[$i].Value
        if ($t -eq '}') { return $o }
        if ($t -eq ',') { $i++; continue }
        if (-not $t.StartsWith('"') -or $i + 2 -ge $n -or $tokens[$i + 1].Value -ne ':') { throw 'the answer is not a JSON object' }
        $name = ConvertFrom-ProbeJsonScalar $t
        $i += 2
        $v = $tokens[$i].Value
        if ($v -ne '{' -and $v -ne '[') {
            $o[$name] = ConvertFrom-ProbeJsonScalar $v
            $i++
            continue
        }
        $flat = ($v -eq '[')
        $items = New-Object System.Collections.ArrayList
        $depth = 0
        do {
            $w = $tokens[$i].Value
            if ($w -eq '{' -or $w -eq '[') {
                if ($depth -gt 0 -or $w -eq '{') { $flat = $false }
                $depth++
            } elseif ($w -eq '}' -or $w -eq ']') {
                $depth--
            } elseif ($flat -and $w -ne ',') {
                [void]$items.Add((ConvertFrom-ProbeJsonScalar $w))
            }
            $i++
        } while ($depth -gt 0 -and $i -lt $n)
        if ($flat) { $o[$name] = $items }
    }
    throw 'the answer is not a whole JSON object'
}

# ---- Bounded calls: what may hang (a COM server, an agent's program) runs in its own runspace ----

function Get-ProbeBounded([scriptblock]$Block, [string]$Argument, [int]$TimeoutMs) {
    # Runs $Block (its text, in a runspace of its own, with one argument) and waits for it at
    # most $TimeoutMs. One that does not finish is left behind, not stopped: stopping waits for
    # the very call that hangs. Returns the block's first output, or throws "timeout: ...".
    $runner = [System.Management.Automation.PowerShell]::Create()
    [void]$runner.AddScript($Block.ToString()).AddArgument($Argument)
    $pending = $runner.BeginInvoke()
    if (-not $pending.AsyncWaitHandle.WaitOne($TimeoutMs)) {
        throw ('timeout: no answer within ' + $TimeoutMs + ' ms')
    }
    $output = $runner.EndInvoke($pending)
    $runner.Dispose()
    if ($null -eq $output -or $output.Count -eq 0) { throw 'the bounded call returned nothing' }
    $output[0]
}

# ---- The Windows Update Agent's services (COM Microsoft.Update.ServiceManager) ----

# Runs in its own runspace (Get-ProbeBounded): reports what it found, or the error and its
# HRESULT. A COMException carries the HRESULT in ErrorCode; the runtime turns E_ACCESSDENIED
# into UnauthorizedAccessException (Marshal.GetExceptionForHR), whose HResult is 0x80070005
# (Exception.HResult is public from .NET 4.5; on CLR 2 it reads as $null and none is given).
$ProbeWuaBlock = {
    param([string]$Unused)
    $ErrorActionPreference = 'Stop'
    $r = @{ services = (New-Object System.Collections.ArrayList); error = $null; hresult = $null }
    try {
        $manager = New-Object -ComObject 'Microsoft.Update.ServiceManager' -ErrorAction Stop
        $listed = $manager.Services
        if ($null -ne $listed) {
            foreach ($service in $listed) {
                $registered = $null
                try { $registered = [bool]$service.IsRegisteredWithAU } catch { $registered = $null }
                [void]$r.services.Add(@{ id = [string]$service.ServiceID; name = [string]$service.Name; registered = $registered })
            }
        }
    } catch {
        $ex = $_.Exception
        $code = $null
        for ($i = 0; $null -ne $ex -and $i -lt 8; $i++) {
            if ($ex -is [System.Runtime.InteropServices.COMException]) { $code = $ex.ErrorCode; break }
            if ($null -ne $ex.HResult -and $ex.HResult -ne 0 -and -not ($ex -is [System.Management.Automation.RuntimeException])) { $code = $ex.HResult }
            $ex = $ex.InnerException
        }
        if ($null -ne $code) { $r.hresult = '0x' + ([int]$code).ToString('X8', [System.Globalization.CultureInfo]::InvariantCulture) }
        $inner = $_.Exception
        # PowerShell's wrappers (MethodInvocation, GetValueInvocation) name the call, not the cause.
        while ($inner -is [System.Management.Automation.RuntimeException] -and $null -ne $inner.InnerException) { $inner = $inner.InnerException }
        $r.error = $inner.GetType().FullName + ': ' + $inner.Message
    }
    $r
}

function Get-ProbeWindowsUpdate {
    $o = Get-ProbeObject
    $wua = Get-ProbeBounded $ProbeWuaBlock '' $ProbeSlowMs
    if ($null -ne $wua.error) {
        # Reported with its HRESULT; the other facts go on.
        $o['error'] = Add-ProbeError 'windows_update' ([string]$wua.error)
        $o['hresult'] = $wua.hresult
        return $o
    }
    $services = New-Object System.Collections.ArrayList
    foreach ($entry in @($wua.services)) {
        $service = Get-ProbeObject
        $service['id'] = [string]$entry.id
        $service['name'] = [string]$entry.name
        $service['registered_with_au'] = $entry.registered
        [void]$services.Add($service)
    }
    $o['services'] = $services
    $o
}

# ---- The Azure Connected Machine agent ----

# Where the agent lives (Microsoft's Connected Machine agent overview: the default installation
# path is %ProgramFiles%\AzureConnectedMachineAgent; 64-bit, so ProgramW6432 where a 32-bit
# process sees Program Files (x86)). Its state comes from its own command line tool:
# "azcmagent show -j" (the azcmagent show reference names the JSON keys status and
# lastHeartbeat; agentVersion, cloud and location are the keys of the Agent Version, Cloud and
# Location lines) and "azcmagent config list -j" (the settings of azcmagent config, e.g.
# proxy.url). Both only read; both run in a bounded runspace, one after the other.
$ProbeArcBlock = {
    param([string]$Exe)
    $ErrorActionPreference = 'Continue'
    $r = @{ show = ''; config = ''; show_code = 0; config_code = 0 }
    $r.show = (@(& $Exe show -j) -join "`n")
    $r.show_code = $LASTEXITCODE
    $r.config = (@(& $Exe config list -j) -join "`n")
    $r.config_code = $LASTEXITCODE
    $r
}

function Get-ProbeArcAgent {
    $o = Get-ProbeObject
    $programFiles = [Environment]::GetEnvironmentVariable('ProgramW6432')
    if (-not $programFiles) { $programFiles = [Environment]::GetEnvironmentVariable('ProgramFiles') }
    $exe = $programFiles + '\AzureConnectedMachineAgent\azcmagent.exe'
    $o['installed'] = [System.IO.File]::Exists($exe)
    if (-not $o['installed']) { return $o }
    $ran = Get-ProbeBounded $ProbeArcBlock $exe $ProbeSlowMs
    if ($ran.show_code -ne 0) { throw ('azcmagent show -j exited with code ' + $ran.show_code) }
    $shown = Get-ProbeJsonMembers ([string]$ran.show)
    $config = Get-ProbeObject
    if ($ran.config_code -eq 0) { $config = Get-ProbeJsonMembers ([string]$ran.config) }
    foreach ($pair in @(@('version', 'agentVersion'), @('status', 'status'), @('cloud', 'cloud'), @('location', 'location'))) {
        $o[$pair[0]] = $null
        if ($shown.Contains($pair[1]) -and $null -ne $shown[$pair[1]]) { $o[$pair[0]] = [string]$shown[$pair[1]] }
    }
    $o['proxy_url'] = $null
    if ($config.Contains('proxy.url') -and $config['proxy.url'] -is [string] -and $config['proxy.url'] -ne '') { $o['proxy_url'] = $config['proxy.url'] }
    $o['last_heartbeat'] = $null
    if ($shown.Contains('lastHeartbeat') -and $null -ne $shown['lastHeartbeat']) {
        $beat = [DateTime]::MinValue
        $styles = [System.Globalization.DateTimeStyles]::AdjustToUniversal -bor [System.Globalization.DateTimeStyles]::AssumeUniversal
        if ([DateTime]::TryParse([string]$shown['lastHeartbeat'], $ProbeInvariant, $styles, [ref]$beat)) {
            $o['last_heartbeat'] = $beat.ToString($ProbeTimeFormat, $ProbeInvariant)
        }
    }
    $o['config'] = $config
    $o
}

# ==== update-manager: end ====

# ---- Network: WinHTTP proxy, concurrent TCP and HTTP tests against one deadline ----

function Get-ProbeBlobString($Blob, [int]$Offset, [string]$What) {
    if ($Offset + 4 -gt $Blob.Length) { throw ('WinHttpSettings ends before the ' + $What + ' length') }
    $length = [int64][System.BitConverter]::ToUInt32($Blob, $Offset)
    if ($Offset + 4 + $length -gt $Blob.Length) { throw ('WinHttpSettings ' + $What + ' runs past the end of the value') }
    @([System.Text.Encoding]::ASCII.GetString($Blob, $Offset + 4, [int]$length), ($Offset + 4 + [int]$length))
}

function Get-ProbeWinHttpProxy {
    # WinHttpSettings: a DWORD version (0x18, 0x28, ... as the writer chose: not checked), a
    # DWORD counter, DWORD flags (0x2: proxy), then the proxy server and the bypass list, each a
    # DWORD length and ASCII bytes. Only the lengths are structure. Absent: direct access.
    $values = (Get-ProbeRegistryKey $ProbeConnections @('WinHttpSettings'))['values']
    if (-not $values.Contains('WinHttpSettings')) { return $null }
    $value = $values['WinHttpSettings']
    if ($value['type'] -ne 'Binary') { throw ('WinHttpSettings is ' + $value['type'] + ', not Binary') }
    $blob = [System.Convert]::FromBase64String($value['value'])
    if ($blob.Length -eq 0) { return $null }
    if ($blob.Length -lt 12) { throw ('WinHttpSettings is ' + $blob.Length + ' bytes, shorter than its header') }
    $flags = [System.BitConverter]::ToUInt32($blob, 8)
    $server = Get-ProbeBlobString $blob 12 'proxy server'
    $bypass = @('', $server[1])
    if ($server[1] -lt $blob.Length) { $bypass = Get-ProbeBlobString $blob $server[1] 'bypass list' }
    if (($flags -band 2) -eq 0 -or $server[0] -eq '') { return $null }
    @{ server = $server[0]; bypass = $bypass[0] }
}

function Get-ProbeProxyFor($Uri, $Proxy) {
    # The proxy ("host:port") that WinHTTP would use for this URI, or $null for direct.
    if ($null -eq $Proxy) { return $null }
    foreach ($pattern in ($Proxy.bypass -split '[;,\s]+')) {
        if ($pattern -eq '') { continue }
        if ($pattern -eq '<local>') {
            if ($Uri.Host.IndexOf('.') -lt 0) { return $null }
            continue
        }
        $pattern = $pattern -creplace '^[A-Za-z]+://', ''
        try {
            if ($Uri.Host -like $pattern -or ($Uri.Host + ':' + $Uri.Port) -like $pattern) { return $null }
        } catch {
            continue
        }
    }
    $chosen = $null
    foreach ($part in ($Proxy.server -split '[;\s]+')) {
        if ($part -eq '') { continue }
        $at = $part.IndexOf('=')
        if ($at -lt 0) {
            if ($null -eq $chosen) { $chosen = $part }
        } elseif ($part.Substring(0, $at) -eq $Uri.Scheme) {
            $chosen = $part.Substring($at + 1)
        }
    }
    if ($null -eq $chosen -or $chosen -eq '') { return $null }
    $chosen -creplace '^[A-Za-z]+://', ''
}

function Get-ProbeEndpoint([string]$Target, [int]$DefaultPort) {
    # "host:port" or "[v6]:port" -> @(host, port)
    $at = $Target.LastIndexOf(':')
    $hostName = $Target
    $port = $DefaultPort
    if ($at -gt 0 -and $Target.IndexOf(']', $at) -lt 0) {
        $hostName = $Target.Substring(0, $at)
        $port = [int]::Parse($Target.Substring($at + 1), $ProbeInvariant)
    }
    if ($hostName.StartsWith('[') -and $hostName.EndsWith(']')) { $hostName = $hostName.Substring(1, $hostName.Length - 2) }
    if ($hostName -eq '' -or $port -lt 1 -or $port -gt 65535) { throw ('target ' + $Target + ' is not host:port') }
    @($hostName, $port)
}

function Get-ProbeNetError($Err) {
    # timeout, refused, dns, closed, tls or "other: ..." from exception types, SocketError
    # codes and WebExceptionStatus; message texts are localized and only reported.
    $status = ''
    $socket = ''
    $tls = $false
    $io = $false
    $ex = Get-ProbeException $Err
    for ($i = 0; $null -ne $ex -and $i -lt 10; $i++) {
        $typeName = $ex.GetType().FullName
        if ($ex -is [System.Net.WebException] -and $status -eq '') { $status = $ex.Status.ToString() }
        if ($ex -is [System.Net.Sockets.SocketException] -and $socket -eq '') { $socket = $ex.SocketErrorCode.ToString() }
        if ($typeName -like 'System.Security.Authentication.*Exception') { $tls = $true }
        if ($ex -is [System.IO.IOException]) { $io = $true }
        $ex = $ex.InnerException
    }
    if (@('NameResolutionFailure', 'ProxyNameResolutionFailure') -contains $status) { return 'dns' }
    if ($tls -or @('TrustFailure', 'SecureChannelFailure') -contains $status) { return 'tls' }
    if (@('Timeout', 'RequestCanceled') -contains $status) { return 'timeout' }
    if ($socket -eq 'ConnectionRefused') { return 'refused' }
    if ($socket -eq 'TimedOut') { return 'timeout' }
    if (@('HostNotFound', 'NoData', 'TryAgain') -contains $socket) { return 'dns' }
    if (@('ConnectionReset', 'ConnectionAborted', 'Shutdown', 'NotConnected', 'Disconnecting') -contains $socket) { return 'closed' }
    if ($socket -ne '') { return 'other: SocketError ' + $socket }
    if ($io -or @('ConnectionClosed', 'ReceiveFailure', 'KeepAliveFailure', 'PipelineFailure', 'SendFailure') -contains $status) { return 'closed' }
    $text = Get-ProbeErrorText $Err
    if ($status -ne '') { $text = $status + ' ' + $text }
    'other: ' + $text
}

function Get-ProbeTcpError($Err) {
    # A TCP test knows timeout, refused and dns; anything else is "other".
    $outcome = Get-ProbeNetError $Err
    if (@('closed', 'tls') -contains $outcome) { $outcome = 'other: ' + $outcome }
    $outcome
}

function Close-ProbeTest($Test, $Outcome, $Clock) {
    # Ends one test with an outcome (null: success) and releases its socket or request.
    $Test.result['error'] = $Outcome
    $Test.result['elapsed_ms'] = [int64]$Clock.ElapsedMilliseconds
    $Test.done = $true
    try {
        if ($null -ne $Test.client) { $Test.client.Close() }
        if ($null -ne $Test.request -and $null -ne $Outcome) { $Test.request.Abort() }
    } catch {
        # Releasing a socket that is already gone is not a finding.
        $Test.done = $true
    }
}

function Open-ProbeTcpTest([string]$Target, $Clock) {
    $result = Get-ProbeObject
    $result['target'] = $Target
    $result['ok'] = $false
    $result['error'] = $null
    $result['route'] = 'direct'
    $result['elapsed_ms'] = 0
    $test = @{ kind = 'tcp'; result = $result; done = $false; client = $null; request = $null; pending = $null }
    try {
        $endpoint = Get-ProbeEndpoint $Target 0
        $address = $null
        if ([System.Net.IPAddress]::TryParse($endpoint[0], [ref]$address)) {
            $test.client = New-Object System.Net.Sockets.TcpClient -ArgumentList $address.AddressFamily
        } else {
            $test.client = New-Object System.Net.Sockets.TcpClient
        }
        $test.pending = $test.client.BeginConnect($endpoint[0], $endpoint[1], $null, $null)
    } catch {
        Close-ProbeTest $test (Get-ProbeTcpError $_) $Clock
    }
    $test
}

# ==== update-manager: begin (sent only when the input asks what the Update Manager profiles read) ====
function Open-ProbeTlsTest([string]$Target, $Proxy, $Clock) {
    # A TLS handshake with host:port: TCP to the host, or to the WinHTTP proxy that WinHTTP
    # would use for https://host:port and an HTTP CONNECT through it, then SslStream offering
    # TLS 1.2 (3072) with the host name for SNI and certificate validation.
    $result = Get-ProbeObject
    $result['target'] = $Target
    $result['ok'] = $false
    $result['error'] = $null
    $result['route'] = 'direct'
    $result['elapsed_ms'] = 0
    $test = @{ kind = 'tls'; result = $result; done = $false; client = $null; request = $null; pending = $null
               phase = 'connect'; hostName = ''; port = 0; stream = $null; tls = $null; tunnel = $null
               buffer = $null; answer = '' }
    try {
        $endpoint = Get-ProbeEndpoint $Target 443
        $test.hostName = $endpoint[0]
        $test.port = $endpoint[1]
        $first = $endpoint
        $uri = New-Object System.Uri -ArgumentList ('https://' + $Target + '/')
        $server = Get-ProbeProxyFor $uri $Proxy
        if ($null -ne $server) {
            $result['route'] = 'proxy'
            $test.tunnel = $server
            $first = Get-ProbeEndpoint $server 80
        }
        $test.client = New-Object System.Net.Sockets.TcpClient
        $test.pending = $test.client.BeginConnect($first[0], $first[1], $null, $null)
    } catch {
        Close-ProbeTest $test (Get-ProbeTcpError $_) $Clock
    }
    $test
}

function Open-ProbeHandshake($Test, $Clock) {
    # On CLR 2 without its TLS 1.2 update, 3072 is refused here: a "tls" error (see tls12_offered).
    try {
        $Test.tls = New-Object System.Net.Security.SslStream -ArgumentList $Test.stream, $false
        $protocols = [System.Enum]::ToObject([System.Security.Authentication.SslProtocols], 3072)
        $Test.phase = 'tls'
        $Test.pending = $Test.tls.BeginAuthenticateAsClient($Test.hostName, $null, $protocols, $false, $null, $null)
    } catch {
        Close-ProbeTest $Test (Get-ProbeTlsError $_) $Clock
    }
}

function Get-ProbeTlsError($Err) {
    # A handshake that fails, or a connection closed during it, is "tls".
    $outcome = Get-ProbeNetError $Err
    if ($outcome -eq 'closed') { $outcome = 'tls' }
    if ($outcome -eq 'other: NotSupportedException' -or (Test-ProbeExceptionType $Err 'System.NotSupportedException')) { $outcome = 'tls' }
    $outcome
}

function Step-ProbeTlsTest($Test, $Clock) {
    if ($Test.phase -eq 'connect') {
        try {
            $Test.client.EndConnect($Test.pending)
            $Test.stream = $Test.client.GetStream()
        } catch {
            Close-ProbeTest $Test (Get-ProbeTcpError $_) $Clock
            return
        }
        if ($null -eq $Test.tunnel) { Open-ProbeHandshake $Test $Clock; return }
        $target = $Test.hostName + ':' + $Test.port
        if ($Test.hostName.IndexOf(':') -ge 0) { $target = '[' + $Test.hostName + ']:' + $Test.port }
        $connect = [System.Text.Encoding]::ASCII.GetBytes('CONNECT ' + $target + " HTTP/1.1`r`nHost: " + $target + "`r`n`r`n")
        $Test.phase = 'send'
        try {
            $Test.pending = $Test.stream.BeginWrite($connect, 0, $connect.Length, $null, $null)
        } catch {
            Close-ProbeTest $Test 'proxy' $Clock
        }
    } elseif ($Test.phase -eq 'send' -or $Test.phase -eq 'answer') {
        # The proxy's answer to CONNECT, up to its blank line: 2xx opens the tunnel; anything
        # else (407 authentication, 403 policy, a closed connection) is the proxy's refusal.
        try {
            if ($Test.phase -eq 'send') {
                $Test.stream.EndWrite($Test.pending)
                $Test.buffer = New-Object byte[] 4096
            } else {
                $read = $Test.stream.EndRead($Test.pending)
                if ($read -le 0) { Close-ProbeTest $Test 'proxy' $Clock; return }
                $Test.answer = $Test.answer + [System.Text.Encoding]::ASCII.GetString($Test.buffer, 0, $read)
            }
            if ($Test.answer.IndexOf("`r`n`r`n") -ge 0) {
                if ($Test.answer -cmatch '^HTTP/1\.[01] 2[0-9][0-9] ') { Open-ProbeHandshake $Test $Clock } else { Close-ProbeTest $Test 'proxy' $Clock }
                return
            }
            if ($Test.answer.Length -gt 16384) { Close-ProbeTest $Test 'proxy' $Clock; return }
            $Test.phase = 'answer'
            $Test.pending = $Test.stream.BeginRead($Test.buffer, 0, $Test.buffer.Length, $null, $null)
        } catch {
            Close-ProbeTest $Test 'proxy' $Clock
        }
    } else {
        try {
            $Test.tls.EndAuthenticateAsClient($Test.pending)
            $Test.result['ok'] = $true
            Close-ProbeTest $Test $null $Clock
        } catch {
            Close-ProbeTest $Test (Get-ProbeTlsError $_) $Clock
        }
    }
}

function Get-ProbeUrlTarget([string]$Key, [string]$Name) {
    # host:port of the http(s) URL a registry value holds (System.Uri: the host lower-cased,
    # the scheme's port when none is written), or $null when it holds none.
    try {
        $values = (Get-ProbeRegistryKey $Key @($Name))['values']
        if (-not $values.Contains($Name)) { return $null }
        if (@('String', 'ExpandString') -notcontains $values[$Name]['type']) { return $null }
        $uri = $null
        if (-not [System.Uri]::TryCreate(([string]$values[$Name]['value']).Trim(), [System.UriKind]::Absolute, [ref]$uri)) { return $null }
        if (@('http', 'https') -notcontains $uri.Scheme -or $uri.Host -eq '') { return $null }
        return $uri.Host + ':' + $uri.Port
    } catch {
        # The registry fact itself reports a key that cannot be read.
        return $null
    }
}

# ==== update-manager: end ====

function Open-ProbeHttpTest([string]$Url, [bool]$ViaProxy, [bool]$Imds, $Proxy, [string]$Group, $Clock) {
    # Starts with an asynchronous DNS lookup of the first hop, because BeginGetResponse
    # resolves names synchronously; the GET itself starts once the name has resolved.
    $result = Get-ProbeObject
    $result['status'] = $null
    $result['error'] = $null
    $result['route'] = 'direct'
    $result['elapsed_ms'] = 0
    $test = @{ kind = 'http'; result = $result; done = $false; client = $null; request = $null; pending = $null
               url = $Url; imds = $Imds; proxyServer = $null; group = $Group; phase = 'dns'; body = $null
               readBody = ($Imds -and -not $ViaProxy -and $null -ne $ProbeImdsCompute) }
    try {
        $uri = New-Object System.Uri -ArgumentList $Url
        $firstHop = $uri.DnsSafeHost
        if ($ViaProxy) {
            $server = Get-ProbeProxyFor $uri $Proxy
            if ($null -ne $server) {
                $result['route'] = 'proxy'
                $test.proxyServer = $server
                $firstHop = (Get-ProbeEndpoint $server 80)[0]
            }
        }
        $test.pending = [System.Net.Dns]::BeginGetHostAddresses($firstHop, $null, $null)
    } catch {
        Close-ProbeTest $test (Get-ProbeNetError $_) $Clock
    }
    $test
}

function Send-ProbeHttpRequest($Test) {
    $req = [System.Net.WebRequest]::Create($Test.url)
    $req.Method = 'GET'
    $req.AllowAutoRedirect = $false
    $req.KeepAlive = $false
    $req.UserAgent = 'readiness-probe/2'
    $req.ConnectionGroupName = $Test.group
    if ($Test.readBody) { $req.ReadWriteTimeout = $ProbeSlowMs }
    if ($Test.imds) { $req.Headers.Add('Metadata', 'true') }
    if ($null -ne $Test.proxyServer) {
        $req.Proxy = New-Object System.Net.WebProxy -ArgumentList ('http://' + $Test.proxyServer), $false
    } else {
        $req.Proxy = $null
    }
    $Test.request = $req
    $Test.phase = 'get'
    $Test.pending = $req.BeginGetResponse($null, $null)
}

function Get-ProbeAnswer($Err) {
    # A WebException that carries a response is an answer (403 is an answer).
    $ex = Get-ProbeException $Err
    for ($i = 0; $null -ne $ex -and $i -lt 10; $i++) {
        if ($ex -is [System.Net.WebException] -and $null -ne $ex.Response) { return $ex.Response }
        $ex = $ex.InnerException
    }
    $null
}

function Step-ProbeTest($Test, $Clock) {
    # Moves one test on if its pending operation has completed.
    if ($Test.done -or -not $Test.pending.IsCompleted) { return }
    if ($Test.kind -eq 'tls') {
        Step-ProbeTlsTest $Test $Clock
    } elseif ($Test.kind -eq 'tcp') {
        try {
            $Test.client.EndConnect($Test.pending)
            $Test.result['ok'] = $true
            Close-ProbeTest $Test $null $Clock
        } catch {
            Close-ProbeTest $Test (Get-ProbeTcpError $_) $Clock
        }
    } elseif ($Test.phase -eq 'dns') {
        try {
            $addresses = [System.Net.Dns]::EndGetHostAddresses($Test.pending)
            if ($addresses.Length -eq 0) { Close-ProbeTest $Test 'dns' $Clock; return }
            Send-ProbeHttpRequest $Test
        } catch {
            Close-ProbeTest $Test (Get-ProbeNetError $_) $Clock
        }
    } else {
        $response = $null
        try {
            $response = $Test.request.EndGetResponse($Test.pending)
            $Test.result['status'] = [int]$response.StatusCode
            if ($Test.readBody -and [int]$response.StatusCode -eq 200) {
                # IMDS is on the link: its small answer is read at once, bounded by ReadWriteTimeout.
                $reader = New-Object System.IO.StreamReader -ArgumentList $response.GetResponseStream()
                try {
                    $Test.body = $reader.ReadToEnd()
                } finally {
                    $reader.Close()
                }
            }
            Close-ProbeTest $Test $null $Clock
        } catch {
            $answer = Get-ProbeAnswer $_
            if ($null -ne $answer) {
                $Test.result['status'] = [int]$answer.StatusCode
                $answer.Close()
                Close-ProbeTest $Test $null $Clock
            } else {
                Close-ProbeTest $Test (Get-ProbeNetError $_) $Clock
            }
        } finally {
            if ($null -ne $response) { $response.Close() }
        }
    }
}

function Get-ProbeNetwork($Workspaces) {
    $o = Get-ProbeObject
    $timeoutMs = 5000
    if (($ProbeTimeoutMs -as [int]) -gt 0) { $timeoutMs = [int]$ProbeTimeoutMs }
    $proxy = $null
    try {
        $proxy = Get-ProbeWinHttpProxy
    } catch {
        # Unreadable settings are reported in "errors"; the requests then go direct.
        $null = Add-ProbeError 'network.winhttp_proxy' $_
    }
    $o['winhttp_proxy'] = $null
    if ($null -ne $proxy) { $o['winhttp_proxy'] = $proxy.server }
    # Let this process's HttpWebRequest offer TLS 1.2 (3072); leave SystemDefault (0) alone.
    # CLR 2 without its TLS 1.2 update refuses 3072: then a "tls" error is the probe's own.
    $o['tls12_offered'] = $false
    try {
        $protocols = [int][System.Net.ServicePointManager]::SecurityProtocol
        if ($protocols -ne 0 -and ($protocols -band 3072) -eq 0) {
            [System.Net.ServicePointManager]::SecurityProtocol = [System.Enum]::ToObject([System.Net.SecurityProtocolType], ($protocols -bor 3072))
        }
        $protocols = [int][System.Net.ServicePointManager]::SecurityProtocol
        $o['tls12_offered'] = ($protocols -eq 0 -or ($protocols -band 3072) -ne 0)
    } catch {
        $o['tls12_offered'] = $false
    }
    $targets = New-Object System.Collections.ArrayList
    if ($null -ne $ProbeTcp) {
        foreach ($target in $ProbeTcp) { if ($target) { [void]$targets.Add([string]$target) } }
    }
    if ($null -ne $ProbeWorkspaceTcp -and $null -ne $Workspaces) {
        foreach ($template in $ProbeWorkspaceTcp) {
            if (-not $template) { continue }
            foreach ($ws in $Workspaces) {
                if ([string]$ws -cmatch $ProbeGuid) { [void]$targets.Add(([string]$template).Replace('{ws}', [string]$ws)) }
            }
        }
    }
    if ($null -ne $ProbeTcpFromRegistry) {
        foreach ($source in $ProbeTcpFromRegistry) {
            $fromValue = Get-ProbeUrlTarget ([string]$source.key) ([string]$source.name)
            if ($null -ne $fromValue) { [void]$targets.Add($fromValue) }
        }
    }
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $tests = New-Object System.Collections.ArrayList
    $tcp = New-Object System.Collections.ArrayList
    foreach ($target in $targets) {
        $test = Open-ProbeTcpTest $target $clock
        [void]$tests.Add($test)
        [void]$tcp.Add($test.result)
    }
    $tls = New-Object System.Collections.ArrayList
    if ($null -ne $ProbeTls) {
        foreach ($target in $ProbeTls) {
            if (-not $target) { continue }
            $test = Open-ProbeTlsTest ([string]$target) $proxy $clock
            [void]$tests.Add($test)
            [void]$tls.Add($test.result)
        }
    }
    $http = @{}
    $computeTest = @{ body = $null }
    foreach ($name in @('https', 'imds')) {
        $url = $ProbeHttps
        if ($name -eq 'imds') { $url = $ProbeImds }
        $pair = Get-ProbeObject
        $pair['url'] = [string]$url
        foreach ($way in @('proxy', 'direct')) {
            $test = Open-ProbeHttpTest ([string]$url) ($way -eq 'proxy') ($name -eq 'imds') $proxy ('readiness-probe-' + $name + '-' + $way) $clock
            [void]$tests.Add($test)
            $pair[$way] = $test.result
            if ($test.readBody) { $computeTest = $test }
        }
        $http[$name] = $pair
    }
    while ($true) {
        $pending = 0
        foreach ($test in $tests) {
            Step-ProbeTest $test $clock
            if (-not $test.done) { $pending++ }
        }
        if ($pending -eq 0 -or $clock.ElapsedMilliseconds -ge $timeoutMs) { break }
        [System.Threading.Thread]::Sleep(10)
    }
    foreach ($test in $tests) {
        if (-not $test.done) { Close-ProbeTest $test 'timeout' $clock }
    }
    $o['tcp'] = $tcp
    $o['https'] = $http['https']
    $o['imds'] = $http['imds']
    if ($null -ne $ProbeTls) { $o['tls'] = $tls }
    if ($null -ne $ProbeImdsCompute) { $o['imds']['compute'] = Get-ProbeImdsCompute $computeTest }
    $o
}

# ==== update-manager: begin (sent only when the input asks what the Update Manager profiles read) ====
function Get-ProbeImdsCompute($Test) {
    # The members asked of IMDS's compute object, from the direct GET's answer; null without one.
    if ($null -eq $ProbeImdsCompute) { return $null }
    if ($null -eq $Test.body) { return $null }
    try {
        $members = Get-ProbeJsonMembers $Test.body
    } catch {
        $null = Add-ProbeError 'network.imds.compute' $_
        return $null
    }
    $compute = Get-ProbeObject
    foreach ($name in $ProbeImdsCompute) {
        if ($members.Contains($name) -and $members[$name] -is [string]) { $compute[$name] = $members[$name] }
    }
    $compute
}
# ==== update-manager: end ====

# ---- The document: one fact per entry of the input, each gathered by one function ----

function Get-ProbeOs {
    $o = Get-ProbeObject
    $o['version'] = [Environment]::OSVersion.Version.ToString()
    # %SystemDrive%, where the folders asked are expanded.
    if ($null -ne $ProbeFolders) { $o['system_drive'] = [Environment]::GetEnvironmentVariable('SystemDrive') }
    $o
}

function Get-ProbePowerShell {
    $o = Get-ProbeObject
    $o['version'] = $PSVersionTable.PSVersion.ToString()
    $o['edition'] = 'Desktop'
    if ($PSVersionTable.PSEdition) { $o['edition'] = [string]$PSVersionTable.PSEdition }
    $o
}

$ProbeDoc = Get-ProbeObject
$ProbeDoc['schema'] = 'readiness-probe/2'
$ProbeDoc['collected_at'] = [DateTime]::UtcNow.ToString($ProbeTimeFormat, $ProbeInvariant)
$ProbeDoc['os'] = Get-ProbeFact 'os' { Get-ProbeOs }
$ProbeDoc['powershell'] = Get-ProbeFact 'powershell' { Get-ProbePowerShell }
$registry = Get-ProbeObject
if ($null -ne $ProbeRegistry) {
    foreach ($read in $ProbeRegistry) {
        $registry[$read.key] = Get-ProbeFact ('registry.' + $read.key) { Get-ProbeRegistryKey $read.key $read.names ($read.subkeys -eq 1) }
    }
}
$ProbeDoc['registry'] = $registry
$services = Get-ProbeObject
if ($null -ne $ProbeServices) {
    foreach ($name in $ProbeServices) {
        $services[$name] = Get-ProbeFact ('services.' + $name) { Get-ProbeService $name }
    }
}
$ProbeDoc['services'] = $services
$ProbeDoc['agent'] = Get-ProbeFact 'agent' { Get-ProbeAgent }
# Queries grouped by log, logs in the order they first appear in the input.
$logNames = New-Object System.Collections.ArrayList
$logQueries = @{}
if ($null -ne $ProbeEvents) {
    foreach ($query in $ProbeEvents) {
        if (-not $logQueries.ContainsKey($query.log)) {
            [void]$logNames.Add($query.log)
            $logQueries[$query.log] = New-Object System.Collections.ArrayList
        }
        [void]$logQueries[$query.log].Add($query)
    }
}
$logs = Get-ProbeObject
foreach ($logName in $logNames) {
    $logs[$logName] = Get-ProbeFact ('event_logs.' + $logName) { Get-ProbeEventLog $logName $logQueries[$logName] }
}
$ProbeDoc['event_logs'] = $logs
$acl = Get-ProbeObject
if ($null -ne $ProbeAcl) {
    foreach ($folder in $ProbeAcl) {
        $acl[$folder] = Get-ProbeFact ('acl.' + $folder) { Get-ProbeAcl $folder }
    }
}
$ProbeDoc['acl'] = $acl
if ($null -ne $ProbeFolders) {
    $folders = Get-ProbeObject
    foreach ($folder in $ProbeFolders) {
        $folders[$folder] = Get-ProbeFact ('folders.' + $folder) { Get-ProbeFolder $folder }
    }
    $ProbeDoc['folders'] = $folders
}
if ($ProbeWindowsUpdate -eq 1) { $ProbeDoc['windows_update'] = Get-ProbeFact 'windows_update' { Get-ProbeWindowsUpdate } }
if ($ProbeArcAgent -eq 1) { $ProbeDoc['arc_agent'] = Get-ProbeFact 'arc_agent' { Get-ProbeArcAgent } }
$workspaces = @()
if ($ProbeDoc['agent'].Contains('workspaces')) { $workspaces = $ProbeDoc['agent']['workspaces'] }
$ProbeDoc['network'] = Get-ProbeFact 'network' { Get-ProbeNetwork $workspaces }
$ProbeDoc['errors'] = $ProbeErrors

$ProbeJson = New-Object System.Text.StringBuilder
Add-ProbeJson $ProbeJson $ProbeDoc
[Console]::Out.Write($ProbeJson.ToString())
[Console]::Out.Flush()
exit 0
