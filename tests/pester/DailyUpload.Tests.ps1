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
            [string[]] $Extra = @(), [string] $Journal)
        $script:run++
        if (-not $LogFolder) { $LogFolder = Join-Path $TestDrive "logs-$script:run" }
        if (-not $Journal) { $Journal = Join-Path $TestDrive "journal-$script:run.db" }
        $r = Invoke-FreshPwsh -File $script -ArgumentList (@('-OrdersPath', $OrdersPath, '-StatusMap', $statusMap, '-CounterId', $CounterId,
                '-LogFolder', $LogFolder, '-Days', '30', '-TimeZone', 'Europe/Moscow', '-WaitTimeout', '00:00:20') + $Extra) -Environment @{
            METRICA_API_URI = $sandbox.Uri.TrimEnd('/'); METRICA_TOKEN = $Token
            METRICA_JOURNAL = $Journal
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

    # Site visitors (a visit 30 hours ago) that the sandbox links offline conversions of these ClientIDs to.
    function Add-SandboxVisitor([long] $CounterId, [string[]] $ClientId) {
        $visit = [DateTimeOffset]::UtcNow.AddHours(-30).ToString('yyyy-MM-ddTHH:mm:ssZ')
        $body = ConvertTo-Json -InputObject @($ClientId | ForEach-Object { @{ clientId = $_; visits = @($visit) } })
        Invoke-RestMethod -Method Post "$($sandbox.Uri)sandbox/counters/$CounterId/visitors" -ContentType 'application/json' -Body $body | Out-Null
    }

    # A CRM export of offline conversions of these ClientIDs, some minutes apart 3 hours ago, in Moscow time (-TimeZone).
    function New-ConversionExport([string] $Name, [string[]] $ClientId) {
        $at = [TimeZoneInfo]::ConvertTimeBySystemTimeZoneId([DateTimeOffset]::UtcNow.AddHours(-3), 'Europe/Moscow')
        $i = 0
        $lines = @('ClientId,Target,DateTime,Price') + @($ClientId | ForEach-Object { "$_,order_confirmed,$($at.AddMinutes(-(++$i)).ToString('yyyy-MM-dd HH:mm:ss')),100" })
        $path = Join-Path $TestDrive $Name
        [IO.File]::WriteAllLines($path, [string[]]$lines, [Text.UTF8Encoding]::new($false))
        $path
    }

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
        $bad = New-Export 'modes.csv' { param($lines) $lines[3] = $lines[3] -replace '"\+7 \([^"]+"', '"12"' -replace ',\d{19},', ',,' -replace 'Client3@Example\.ru', ''; $lines }
        $r = Invoke-DailyJob -OrdersPath $bad -CounterId 7010 -LogFolder (Join-Path $TestDrive 'private-logs/daily')
        $r.ExitCode | Should -Be 1 -Because $r.Output
        [Convert]::ToString([int][IO.File]::GetUnixFileMode($r.Folder), 8) | Should -Be '700'
        foreach ($f in Get-ChildItem $r.Folder -File) { [Convert]::ToString([int][IO.File]::GetUnixFileMode($f.FullName), 8) | Should -Be '600' -Because $f.Name }
        @(Get-ChildItem $r.Folder -File -Filter '*.rejects.csv').Count | Should -Be 1
    }

    It '1: a rejected row is logged with its error id and written to the rejects file; the rest is sent' {
        # The phone is the row's only visitor identifier: beside a good e-mail or ClientID it would be dropped with a warning.
        $bad = New-Export 'one-bad-phone.csv' { param($lines) $lines[3] = $lines[3] -replace '"\+7 \([^"]+"', '"12"' -replace ',\d{19},', ',,' -replace 'Client3@Example\.ru', ''; $lines }
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

    It '5: conversions uploaded but linked to far fewer visitors than the last runs (ClientIDs broke), and the log says how many' {
        Add-SandboxVisitor 7012 '133591247640966401', '133591247640966402', '133591247640966403', '133591247640966404'
        $journal = Join-Path $TestDrive 'journal-linkage.db'
        $good = New-ConversionExport 'conversions-good.csv' '133591247640966401', '133591247640966402', '133591247640966403', '133591247640966404'
        $day1 = Invoke-DailyJob -CounterId 7012 -Journal $journal -Extra '-ConversionsPath', $good, '-ConversionWaitTimeout', '00:00:20'
        $day1.ExitCode | Should -Be 0 -Because $day1.Output
        $day1.Log | Should -Match 'Send linkage: linked share not reported \(Metrica reports no linked quantities for simple_orders uploads\)'
        $day1.Log | Should -Match 'Send linkage: linked 100\.0% \(4 of 4 rows\) \(no earlier final uploads to average\)'

        # The CRM field was renamed: one ClientID of four still links. 25% is above -MinLinkedPercent 10, but under half of 100%.
        $broken = New-ConversionExport 'conversions-broken.csv' '133591247640966401', '188888888888888802', '188888888888888803', '188888888888888804'
        $day2 = Invoke-DailyJob -CounterId 7012 -Journal $journal -Extra '-ConversionsPath', $broken, '-ConversionWaitTimeout', '00:00:20'
        $day2.ExitCode | Should -Be 5 -Because $day2.Output
        $day2.Log | Should -Match 'Send: received 4, sent 4, unchanged 0, rejected 0, skipped 0, failed 0, pending 0, not sent 0'
        $day2.Log | Should -Match 'Send linkage: linked 25\.0% \(1 of 4 rows\), average of the last 1 final upload\(s\) 100\.0%'
        $day2.Log | Should -Match 'LINKAGE linked share 25\.0% dropped sharply: below 0\.5 of the average 100\.0% of the last 1 final upload\(s\)'
        $day2.Log | Should -Match 'Exit code 5'

        # -SharpDropRatio 0 turns the drop check off: the same share then passes the minimum (the rows were re-sent).
        $day3 = Invoke-DailyJob -CounterId 7012 -Journal $journal -Extra '-ConversionsPath', $broken, '-ConversionWaitTimeout', '00:00:20', '-SharpDropRatio', '0'
        $day3.ExitCode | Should -Be 0 -Because $day3.Output
        $day3.Log | Should -Match 'Send linkage: linked 25\.0% \(1 of 4 rows\), average of the last 2 final upload\(s\) 62\.5%'
    }

    It '5: a first run whose conversions link to no visitor at all is below -MinLinkedPercent (LINKAGE_FAILURE)' {
        $none = New-ConversionExport 'conversions-none.csv' '199999999999999901', '199999999999999902'
        $r = Invoke-DailyJob -CounterId 7013 -Extra '-ConversionsPath', $none, '-ConversionWaitTimeout', '00:00:20'
        $r.ExitCode | Should -Be 5 -Because $r.Output
        $r.Log | Should -Match 'ERROR MetricaLinkageFailure'
        $r.Log | Should -Match 'Send linkage: linked 0\.0% \(0 of 2 rows\) \(no earlier final uploads to average\)'
        $r.Log | Should -Match 'LINKAGE linked share 0\.0% is below the minimum of 10\.0%'
    }
}
