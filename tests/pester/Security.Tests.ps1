# What a hostile or unlucky day must not do, seen from a real pwsh (issue 17): files with personal data are the
# owner's alone, a send to another API address deletes nothing kept for this one, the budget is the user's whatever
# journal a send keeps, plain http and redirects carry no token or data away, and values are never rewritten.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-ModuleManifest) -Force
    . (Join-Path (Get-RepoRoot) 'samples/SampleDates.ps1')
    $sandbox = Start-TestSandbox
    $other = Start-TestSandbox
    $token = Get-SandboxToken
    $map = @{ paid = 'PAID'; new = 'IN_PROGRESS' }
    $day = (Get-Date).AddDays(-1).ToString('yyyy-MM-dd HH:mm')

    function New-Orders([string] $Name, [int] $Count, [int] $From = 1) {
        $path = Join-Path $TestDrive $Name
        $lines = @('id,create_date_time,emails,order_status,revenue') + ($From..($From + $Count - 1) | ForEach-Object { "S-$_,$day,s$_@example.ru,paid,$_" })
        Set-Content -LiteralPath $path -Value $lines -Encoding utf8
        $path
    }

    function Add-SandboxFault($Sandbox, [hashtable] $Fault) {
        Invoke-RestMethod -Method Post "$($Sandbox.Uri)sandbox/faults" -ContentType 'application/json' -Body ($Fault | ConvertTo-Json) | Out-Null
    }

    function Get-Mode([string] $Path) { [Convert]::ToString([int][IO.File]::GetUnixFileMode($Path), 8) }

    # 503s on one counter's simple_orders until Clear-SandboxFault: what a send then keeps is deterministic.
    function Set-Outage($Sandbox, [long] $CounterId) {
        Add-SandboxFault $Sandbox @{ pathContains = "counter/$CounterId/data/simple_orders"; status = 503; times = 200 }
    }

    # Uses up what is left of an outage with bodiless uploads (answered 400 once it is over; nothing is stored).
    function Clear-SandboxFault($Sandbox, [long] $CounterId) {
        for ($i = 0; $i -lt 300; $i++) {
            $r = Invoke-WebRequest -Method Post "$($Sandbox.Uri)cdp/api/v1/counter/$CounterId/data/simple_orders" -Headers @{ Authorization = 'OAuth sandbox-token' } -SkipHttpErrorCheck
            if ($r.StatusCode -ne 503) { return }
        }
    }
}
AfterAll { Stop-TestSandbox $sandbox; Stop-TestSandbox $other }

Describe 'Personal data on disk' -Skip:$IsWindows {
    It 'the journal, its folders, kept batches and reject files are 0600/0700 whatever the umask' {
        $folder = Join-Path $TestDrive 'private/state'
        $journal = Join-Path $folder 'journal.db'
        $rejects = Join-Path $TestDrive 'rejects.csv'
        $orders = New-Orders 'private.csv' 4
        Add-Content -LiteralPath $orders -Value "S-bad,not a date,x@example.ru,paid,1"
        Set-Outage $sandbox 8101
        Import-CrmOrder $orders -RejectPath $rejects -ErrorAction SilentlyContinue | Convert-MetricaStatus -Map $map |
            Send-MetricaConversion -CounterId 8101 -ApiBaseUri $sandbox.Uri -Token $token -JournalPath $journal -BatchSize 2 -MaxRetryCount 0 -ErrorAction SilentlyContinue
        Get-Mode $journal | Should -Be '600'
        Get-Mode $folder | Should -Be '700'
        Get-Mode (Split-Path $folder) | Should -Be '700'
        Get-Mode $rejects | Should -Be '600'
        $kept = @(Get-ChildItem (Join-Path $folder 'batches') -Recurse -File -Filter *.csv)
        $kept.Count | Should -Be 2
        foreach ($f in $kept) { Get-Mode $f.FullName | Should -Be '600' }
        foreach ($d in Get-ChildItem (Join-Path $folder 'batches') -Recurse -Directory) { Get-Mode $d.FullName | Should -Be '700' }
        Clear-SandboxFault $sandbox 8101
    }
}

Describe 'Two journals side by side' {
    It 'a rehearsal against another address deletes none of the batches production keeps, and the resume sends them' {
        $folder = Join-Path $TestDrive 'shared'
        Set-Outage $sandbox 8102
        $summary = Import-CrmOrder (New-Orders 'prod.csv' 6 100) | Convert-MetricaStatus -Map $map |
            Send-MetricaConversion -CounterId 8102 -ApiBaseUri $sandbox.Uri -Token $token -JournalPath (Join-Path $folder 'journal.db') -BatchSize 2 -MaxRetryCount 0 -PassThru -ErrorAction SilentlyContinue |
            Where-Object { $_ -is [MetricaCrm.Engine.Upload.UploadSummary] }
        $summary.Pending | Should -Be 6
        $kept = @(Get-ChildItem (Join-Path $folder 'batches') -Recurse -File -Filter *.csv).FullName
        $kept.Count | Should -Be 3

        Import-CrmOrder (New-Orders 'rehearsal.csv' 4 200) | Convert-MetricaStatus -Map $map |
            Send-MetricaConversion -CounterId 8102 -ApiBaseUri $other.Uri -Token $token -JournalPath (Join-Path $folder 'journal-rehearsal.db') -BatchSize 2 | Out-Null
        foreach ($f in $kept) { Test-Path -LiteralPath $f | Should -BeTrue -Because "$f belongs to the other journal" }

        Clear-SandboxFault $sandbox 8102
        $resumed = Resume-MetricaUpload -CounterId 8102 -ApiBaseUri $sandbox.Uri -Token $token -JournalPath (Join-Path $folder 'journal.db')
        @($resumed | Where-Object State -eq 'Accepted').Count | Should -Be 3
        (Invoke-RestMethod "$($sandbox.Uri)sandbox/counters/8102/orders").Count | Should -Be 6
    }

    It 'an explicit journal used against another address refuses to send and says why' {
        $journal = Join-Path $TestDrive 'explicit.db'
        $orders = New-Orders 'explicit.csv' 3 300
        Import-CrmOrder $orders | Convert-MetricaStatus -Map $map | Send-MetricaConversion -CounterId 8103 -ApiBaseUri $sandbox.Uri -Token $token -JournalPath $journal | Out-Null
        $err = $null
        try {
            Import-CrmOrder $orders | Convert-MetricaStatus -Map $map |
                Send-MetricaConversion -CounterId 8103 -ApiBaseUri $other.Uri -Token $token -JournalPath $journal -ErrorAction Stop
        } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'UploadJournalForAnotherApi,*'
        $err.Exception.Message | Should -Match ([regex]::Escape($sandbox.Uri.TrimEnd('/')))
        (Invoke-RestMethod "$($other.Uri)sandbox/counters/8103/orders").Count | Should -Be 0
    }
}

Describe 'The request budget' {
    # A sandbox of its own: the budget is the token's, across every counter of the address.
    BeforeAll { $quiet = Start-TestSandbox }
    AfterAll { Stop-TestSandbox $quiet }

    It 'is shared by sends with different journals and kept with -NoJournal' {
        $orders = New-Orders 'budget.csv' 30 400
        foreach ($j in 'a.db', 'b.db') {
            Import-CrmOrder $orders | Convert-MetricaStatus -Map $map |
                Send-MetricaConversion -CounterId 8104 -ApiBaseUri $quiet.Uri -Token $token -JournalPath (Join-Path $TestDrive $j) -BatchSize 2 -DailyRequestLimit 10 -ErrorAction SilentlyContinue | Out-Null
        }
        $summary = Import-CrmOrder $orders | Convert-MetricaStatus -Map $map |
            Send-MetricaConversion -CounterId 8104 -ApiBaseUri $quiet.Uri -Token $token -NoJournal -BatchSize 2 -DailyRequestLimit 10 -PassThru -ErrorVariable spent -ErrorAction SilentlyContinue |
            Where-Object { $_ -is [MetricaCrm.Engine.Upload.UploadSummary] }
        @(Get-SandboxRequest $quiet | Where-Object { $_.path -like '*/counter/8104*' }).Count | Should -Be 10
        $summary.Sent | Should -Be 0
        $summary.Reconciles | Should -BeTrue
        $spent[0].FullyQualifiedErrorId | Should -BeLike 'MetricaDailyBudgetSpent,*'
    }
}

Describe 'Transport' {
    It 'refuses plain http to another machine before any request, naming the switch' {
        $err = $null
        try { Get-MetricaUploadStatus -CounterId 1 -ApiBaseUri 'http://api-metrika.example.test/' -Token $token -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'MetricaPlainHttpRefused,*'
        $err.Exception.Message | Should -Match 'AllowUnencryptedHttp'
    }
}

Describe 'Values never rewritten' {
    It 'an amount with letters, a phone with letters and a bracketed e-mail are located errors, not other values' {
        $path = Join-Path $TestDrive 'hostile.csv'
        Set-Content -LiteralPath $path -Encoding utf8 -Value @(
            'id,create_date_time,emails,phones,revenue,currency'
            "H-1,$day,a@example.ru,,1e308,RUB"
            "H-2,$day,,+7 (999) FLOWERS,10,RUB"
            "H-3,$day,<script>@x.ru,,10,RUB"
            "H-4,$day,d@example.ru,,100 USD,RUB"
            "H-5,$day,e@example.ru,+7 999 555-11-11,`"1 234,50 руб.`",RUB")
        $rows = Import-CrmOrder $path -ErrorVariable bad -ErrorAction SilentlyContinue
        $rows.Id | Should -Be @('H-5')
        $rows[0].Revenue | Should -Be 1234.5
        ($bad | ForEach-Object { $_.FullyQualifiedErrorId.Split(',')[0] }) | Should -Be @('InvalidAmount', 'InvalidPhone', 'InvalidEmail', 'CurrencyMismatch')
        $bad[0].Exception.Message | Should -Match 'line 2'
    }
}
