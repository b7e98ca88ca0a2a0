# Shared by every *.Tests.ps1 here: the built module's path, the Metrica sandbox as its own process on loopback,
# and a fresh pwsh for what must be proven in a new process (exit codes, -File scripts, Import-Module by name).
Set-StrictMode -Version Latest

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path

function Get-RepoRoot { $script:RepoRoot }

# The module laid out by 'dotnet build MetricaCrm.sln' (Directory.Build.props: out/MetricaCrm).
function Get-ModuleManifest { Join-Path $script:RepoRoot 'out/MetricaCrm/MetricaCrm.psd1' }

function Get-SandboxToken { ConvertTo-SecureString 'sandbox-token' -AsPlainText -Force }

# Starts the sandbox (built next to the tests) on a free loopback port and waits until it answers.
# Returns an object with Uri (ending in '/'), Process and LogPath. Extra arguments go to the sandbox's command line.
function Start-TestSandbox {
    param([string[]] $ArgumentList = @())
    $dll = Get-ChildItem (Join-Path $script:RepoRoot 'src/MetricaCrm.Sandbox/bin/*/net10.0/MetricaCrm.Sandbox.dll') |
        Sort-Object LastWriteTime -Descending | Select-Object -First 1
    if (-not $dll) { throw 'The sandbox is not built: run dotnet build MetricaCrm.sln first.' }
    $log = [IO.Path]::Combine([IO.Path]::GetTempPath(), "metricacrm-sandbox-$([guid]::NewGuid().ToString('N')).log")
    $psi = [Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($a in @($dll.FullName, '--urls', 'http://127.0.0.1:0') + $ArgumentList) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $process = [Diagnostics.Process]::Start($psi)
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    $uri = $null
    while (-not $uri) {
        $task = $process.StandardOutput.ReadLineAsync()
        if (-not $task.Wait([TimeSpan]::FromSeconds(60)) -or $null -eq $task.Result -or [DateTime]::UtcNow -gt $deadline) {
            $err = $process.StandardError.ReadToEnd()
            throw "The sandbox did not start: $err"
        }
        if ($task.Result -match 'listening on (http://\S+/)') { $uri = $Matches[1] }
    }
    # A fresh sandbox has fresh quotas: a request budget an earlier run left for this port is stale (UserState.BudgetPath).
    $u = [uri]$uri
    $budget = [IO.Path]::Combine([IO.Path]::GetTempPath(), "metricacrm-budgets-$([Environment]::UserName)", "budget-$($u.Host)-$($u.Port).db")
    foreach ($stale in $budget, "$budget-wal", "$budget-shm") { if (Test-Path -LiteralPath $stale) { Remove-Item -LiteralPath $stale -Force } }
    [pscustomobject]@{ Uri = $uri; Process = $process }
}

function Stop-TestSandbox {
    param($Sandbox)
    if ($Sandbox -and -not $Sandbox.Process.HasExited) { $Sandbox.Process.Kill($true); $Sandbox.Process.WaitForExit() }
}

# The requests the sandbox received (method, path, query, body...), oldest first.
function Get-SandboxRequest {
    param([Parameter(Mandatory)] $Sandbox)
    # Invoke-RestMethod writes a JSON array as one object: enumerate it, one request per pipeline object.
    @(Invoke-RestMethod "$($Sandbox.Uri)sandbox/requests" | ForEach-Object { $_ })
}

# The pwsh running these tests, for scripts that must run in a fresh process.
function Get-PwshPath { (Get-Process -Id $PID).Path }

# A 'pwsh -NoProfile -NonInteractive' to start, its output redirected; the caller adds the rest of the command line.
function New-PwshStartInfo {
    $exe = Get-PwshPath
    $psi = [Diagnostics.ProcessStartInfo]::new($exe)
    # 'dotnet tool run pwsh' runs pwsh.dll inside dotnet: the fresh process needs that dll as its first argument.
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $psi.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
    foreach ($a in @('-NoProfile', '-NonInteractive')) { $psi.ArgumentList.Add($a) }
    $psi
}

# Runs a script in a fresh 'pwsh -NoProfile -NonInteractive' and returns its output lines and exit code.
function Invoke-FreshPwsh {
    param(
        [Parameter(Mandatory, ParameterSetName = 'Command')] [string] $Command,
        [Parameter(Mandatory, ParameterSetName = 'File')] [string] $File,
        [Parameter(ParameterSetName = 'File')] [string[]] $ArgumentList = @(),
        [hashtable] $Environment = @{}
    )
    $psi = New-PwshStartInfo
    if ($PSCmdlet.ParameterSetName -eq 'File') {
        $psi.ArgumentList.Add('-File'); $psi.ArgumentList.Add($File)
        foreach ($a in $ArgumentList) { $psi.ArgumentList.Add($a) }
    } else {
        $psi.ArgumentList.Add('-Command'); $psi.ArgumentList.Add($Command)
    }
    # Plain text: ANSI colours in captured errors would break assertions and the NUnit XML.
    $psi.Environment['NO_COLOR'] = '1'
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = [string]$Environment[$k] }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $p = [Diagnostics.Process]::Start($psi)
    $stderr = $p.StandardError.ReadToEndAsync()
    $stdout = $p.StandardOutput.ReadToEnd()
    $p.WaitForExit()
    [pscustomobject]@{ ExitCode = $p.ExitCode; Output = $stdout; Error = $stderr.Result }
}

# Another process that holds $Path open the way Invoke-DailyUpload.ps1 holds its lock (FileShare.None), until
# Stop-LockHolder; returns once the file is held.
function Start-LockHolder {
    param([Parameter(Mandatory)] [string] $Path)
    $psi = New-PwshStartInfo
    $psi.ArgumentList.Add('-Command')
    $psi.ArgumentList.Add("`$f = [IO.File]::Open('$Path', 'OpenOrCreate', 'ReadWrite', 'None'); 'held'; Start-Sleep 300")
    $psi.RedirectStandardOutput = $true
    $psi.UseShellExecute = $false
    $p = [Diagnostics.Process]::Start($psi)
    if ($p.StandardOutput.ReadLine() -ne 'held') { throw "The lock holder could not open $Path" }
    $p
}

function Stop-LockHolder {
    param($Process)
    if ($Process -and -not $Process.HasExited) { $Process.Kill(); $Process.WaitForExit() }
}

# ---- added for the pipeline, output and shell tests ----

# What the sandbox keeps for a counter: 'orders', 'contacts', 'conversions' or 'calls'.
function Get-SandboxStored {
    param([Parameter(Mandatory)] $Sandbox, [long] $CounterId = 4242, [string] $What = 'orders')
    # Enumerated, as Get-SandboxRequest: an empty JSON array must count 0, not 1.
    @(Invoke-RestMethod "$($Sandbox.Uri)sandbox/counters/$CounterId/$What" | ForEach-Object { $_ })
}

# An orders CSV in Metrica's column names, created <days> ago in Moscow time (recent: the sandbox refuses old orders).
# Rows: hashtables with any of id, phones, emails, client_ids, order_status, revenue, goals, products, days.
function New-OrderCsv {
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [hashtable[]] $Row)
    $lines = @('id,create_date_time,client_uniq_id,client_ids,emails,phones,order_status,revenue,currency,goals,products')
    foreach ($r in $Row) {
        $days = if ($r['days']) { $r['days'] } else { 2 }
        $created = [datetime]::UtcNow.AddHours(3).AddDays(-$days).ToString('yyyy-MM-dd HH:mm:ss')
        $cells = foreach ($c in 'id', 'created', 'client_uniq_id', 'client_ids', 'emails', 'phones', 'order_status', 'revenue', 'currency', 'goals', 'products') {
            $v = if ($c -eq 'created') { $created } else { [string]$r[$c] }
            '"' + $v.Replace('"', '""') + '"'
        }
        $lines += $cells -join ','
    }
    [IO.File]::WriteAllLines($Path, $lines, [Text.UTF8Encoding]::new($false))
    $Path
}

# The lines of a rendering that exceed a width (a view at -Width 120 must have none).
function Get-LongLine {
    param([Parameter(Mandatory)] [string] $Text, [int] $Width = 120)
    @($Text -split "`r?`n" | Where-Object { $_.Length -gt $Width })
}

Export-ModuleMember -Function *
