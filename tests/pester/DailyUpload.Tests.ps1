# samples/Invoke-DailyUpload.ps1 as Task Scheduler runs it: 'pwsh -NoProfile -File' in a new process against the
# sandbox, each exit code of its header produced for real, and the log a admin reads afterwards.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    . (Join-Path (Get-RepoRoot) 'samples/SampleDates.ps1')
    $sandbox = Start-TestSandbox
    $script = Join-Path (Get-RepoRoot) 'samples/Invoke-DailyUpload.ps1'
    $statusMap = Join-Path (Get-RepoRoot) 'samples/statuses.psd1'
    # The sample export's 20 orders, the newest yesterday: -Days 30 selects them all.
    $export = Copy-SampleWithRecentDates (Join-Path (Get-RepoRoot) 'samples/orders.csv') (Join-Path $TestDrive 'orders.csv')
    $script:run = 0

    # Runs the daily job in a fresh pwsh with its own log folder and journal; returns the exit code, the log's text,
    # the folder and the process's output.
    function Invoke-DailyJob {
        param([string] $OrdersPath = $export, [long] $CounterId = 12345, [string] $Token = 'sandbox-token', [string] $LogFolder,
            [string[]] $Extra = @())
        $script:run++
        if (-not $LogFolder) { $LogFolder = Join-Path $TestDrive "logs-$script:run" }
        $r = Invoke-FreshPwsh -File $script -ArgumentList (@('-OrdersPath', $OrdersPath, '-StatusMap', $statusMap, '-CounterId', $CounterId,
                '-LogFolder', $LogFolder, '-Days', '30', '-TimeZone', 'Europe/Moscow', '-WaitTimeout', '00:00:20') + $Extra) -Environment @{
            METRICA_API_URI = $sandbox.Uri.TrimEnd('/'); METRICA_TOKEN = $Token
            METRICA_JOURNAL = (Join-Path $TestDrive "journal-$script:run.db")
            # The task imports MetricaCrm by name, as from an installed module.
            PSModulePath = (Join-Path (Get-RepoRoot) 'out') + [IO.Path]::PathSeparator + $env:PSModulePath
        }
        $logs = @(Get-ChildItem $LogFolder -Filter 'daily-upload-*.log')
        [pscustomobject]@{
            ExitCode = $r.ExitCode; Output = $r.Output + $r.Error; Folder = $LogFolder
            Log = if ($logs.Count -eq 1) { [IO.File]::ReadAllText($logs[0].FullName) } else { "($($logs.Count) log files)" }
        }
    }

    # An export of the sample's rows with lines changed by $Edit (a scriptblock over the lines).
    function New-Export([string] $Name, [scriptblock] $Edit) {
        $path = Join-Path $TestDrive $Name
        [IO.File]::WriteAllLines($path, [string[]](& $Edit ([IO.File]::ReadAllLines($export))), [Text.UTF8Encoding]::new($false))
        $path
    }

    # Invoke-RestMethod writes a JSON array as one object, so its Count is the number of orders (0 for []).
    function Get-StoredOrderCount([long] $CounterId) { (Invoke-RestMethod "$($sandbox.Uri)sandbox/counters/$CounterId/orders").Count }

    function Add-SandboxFault([hashtable] $Fault) {
        Invoke-RestMethod -Method Post "$($sandbox.Uri)sandbox/faults" -ContentType 'application/json' -Body ($Fault | ConvertTo-Json) | Out-Null
    }
}
AfterAll { Stop-TestSandbox $sandbox }

Describe 'Invoke-DailyUpload.ps1 exit codes' {
    It '0: every order sent and validated, and the log says so' {
        $r = Invoke-DailyJob -CounterId 7001
        $r.ExitCode | Should -Be 0 -Because $r.Output
        $r.Log | Should -Match 'Import: read 20, emitted 20, rejected 0'
        $r.Log | Should -Match 'Send: received 20, sent 20, unchanged 0, rejected 0, skipped 0, failed 0, pending 0, not sent 0'
        # The export's orders fill two sets of columns (6 of them carry a ClientID): one file of each, no empty cell.
        $r.Log | Should -Match 'Upload \w+: PASSED, 14 rows'
        $r.Log | Should -Match 'Upload \w+: PASSED, 6 rows'
        $r.Log | Should -Not -Match 'ERROR'
        $r.Log | Should -Match 'Exit code 0'
        $r.Log | Should -Not -Match 'sandbox-token'
        Get-StoredOrderCount 7001 | Should -Be 20
    }

    It 'keeps its log folder and log for the task account alone (0700/0600 on Linux and macOS)' -Skip:$IsWindows {
        $bad = New-Export 'modes.csv' { param($lines) $lines[3] = $lines[3] -replace '"\+7 \([^"]+"', '"12"'; $lines }
        $r = Invoke-DailyJob -OrdersPath $bad -CounterId 7010 -LogFolder (Join-Path $TestDrive 'private-logs/daily')
        $r.ExitCode | Should -Be 1 -Because $r.Output
        [Convert]::ToString([int][IO.File]::GetUnixFileMode($r.Folder), 8) | Should -Be '700'
        foreach ($f in Get-ChildItem $r.Folder -File) { [Convert]::ToString([int][IO.File]::GetUnixFileMode($f.FullName), 8) | Should -Be '600' -Because $f.Name }
        @(Get-ChildItem $r.Folder -File -Filter '*.rejects.csv').Count | Should -Be 1
    }

    It '1: a rejected row is logged with its error id and written to the rejects file; the rest is sent' {
        $bad = New-Export 'one-bad-phone.csv' { param($lines) $lines[3] = $lines[3] -replace '"\+7 \([^"]+"', '"12"'; $lines }
        $r = Invoke-DailyJob -OrdersPath $bad -CounterId 7002
        $r.ExitCode | Should -Be 1 -Because $r.Output
        $r.Log | Should -Match 'Import: read 20, emitted 19, rejected 1'
        $r.Log | Should -Match 'Send: received 19, sent 19,'
        $r.Log | Should -Match 'ERROR InvalidPhone'
        $rejects = Get-ChildItem $r.Folder -Filter '*.rejects.csv'
        @(Import-Csv $rejects.FullName).Count | Should -Be 1
        (Import-Csv $rejects.FullName)._rule | Should -Be 'InvalidPhone'
    }

    It '1: a status the map lacks is counted as rejected, not passed over' {
        $unmapped = New-Export 'unmapped-status.csv' { param($lines) $lines[2] = $lines[2] -replace ',paid,', ',на проверке,'; $lines }
        $r = Invoke-DailyJob -OrdersPath $unmapped -CounterId 7003
        $r.ExitCode | Should -Be 1 -Because $r.Output
        $r.Log | Should -Match 'Convert: received 20, mapped 19, skipped 0, unmapped 1'
        $r.Log | Should -Match 'ERROR UnmappedStatus'
    }

    It '2: orders kept unsent after Metrica answered 503 to every retry (Pending, not a clean run)' {
        Add-SandboxFault @{ pathContains = 'counter/7004/data/simple_orders'; status = 503; times = 50 }
        $r = Invoke-DailyJob -CounterId 7004
        $r.ExitCode | Should -Be 2 -Because $r.Output
        $r.Log | Should -Match 'Send: received 20, sent 0, unchanged 0, rejected 0, skipped 0, failed 0, pending 20, not sent 0'
        $r.Log | Should -Match 'ERROR MetricaBackendError|ERROR MetricaHttp503'
    }

    It '2: an upload whose validation FAILED' {
        Add-SandboxFault @{ pathContains = 'counter/7005/data/simple_orders'; validationFailed = $true; times = 1 }
        $r = Invoke-DailyJob -CounterId 7005
        $r.ExitCode | Should -Be 2 -Because $r.Output
        # The fault fails the first file (the 14 orders without a ClientID); the 6 with one are the other file.
        $r.Log | Should -Match 'received 20, sent 6, unchanged 0, rejected 0, skipped 0, failed 14'
        $r.Log | Should -Match 'ERROR MetricaUploadValidationFailed'
    }

    It '3: a token Metrica refuses' {
        $r = Invoke-DailyJob -CounterId 7006 -Token 'not-the-sandbox-token'
        $r.ExitCode | Should -Be 3 -Because $r.Output
        $r.Log | Should -Match 'ERROR Metrica(InvalidToken|Unauthorized)'
        $r.Log | Should -Not -Match 'not-the-sandbox-token'
    }

    It '3: an export without an order id column sends nothing and says which column' {
        $noId = New-Export 'no-id.csv' { param($lines) $lines[0] = $lines[0] -replace '^id,', 'deal,'; $lines }
        $r = Invoke-DailyJob -OrdersPath $noId -CounterId 7007
        $r.ExitCode | Should -Be 3 -Because $r.Output
        $r.Log | Should -Match 'Import: read 0, emitted 0, rejected 0'
        $r.Log | Should -Match 'ERROR MissingColumn'
        Get-StoredOrderCount 7007 | Should -Be 0
    }

    It '3: an export path that does not exist' {
        $r = Invoke-DailyJob -OrdersPath (Join-Path $TestDrive 'missing.csv') -CounterId 7008
        $r.ExitCode | Should -Be 3 -Because $r.Output
        $r.Log | Should -Match 'ERROR DailyUploadConfiguration'
    }

    It '4: another process holds daily-upload.lock, and nothing is sent' {
        $folder = Join-Path $TestDrive 'locked-logs'
        [void][IO.Directory]::CreateDirectory($folder)
        $lock = Join-Path $folder 'daily-upload.lock'
        # The holder opens the lock as the script does (FileShare.None) and keeps it until it is stopped.
        $holder = Start-LockHolder $lock
        try {
            $r = Invoke-DailyJob -CounterId 7009 -LogFolder $folder
            $r.ExitCode | Should -Be 4 -Because $r.Output
            $r.Log | Should -Match 'The previous run still holds .*daily-upload\.lock; nothing was done'
            $r.Log | Should -Match 'Exit code 4'
            Get-StoredOrderCount 7009 | Should -Be 0
        }
        finally { Stop-LockHolder $holder }
    }
}
