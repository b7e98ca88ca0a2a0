# Pester 5 tests for machines with PowerShell (build.ps1 -Task Pester runs them in pwsh and in powershell.exe,
# each in a fresh process). They check what only a real PowerShell install can: that the module imports in this
# edition and that its cmdlets run without network. The HTTP and data behaviour is proven by the xUnit suites.
BeforeAll {
    $root = Resolve-Path "$PSScriptRoot/../.."
    # The Metrica sandbox, as a separate process on loopback (built by 'dotnet build MetricaCrm.sln').
    $port = Get-Random -Minimum 20000 -Maximum 40000
    $api = "http://127.0.0.1:$port/"
    $sandboxDll = Get-ChildItem "$root/src/MetricaCrm.Sandbox/bin/*/net10.0/MetricaCrm.Sandbox.dll" | Select-Object -First 1
    $sandbox = Start-Process dotnet -ArgumentList "`"$($sandboxDll.FullName)`"", '--urls', $api -PassThru -WindowStyle Hidden
    $deadline = (Get-Date).AddSeconds(30)
    do {
        Start-Sleep -Milliseconds 300
        $up = try { (Invoke-WebRequest "$($api)sandbox/requests" -UseBasicParsing).StatusCode -eq 200 } catch { $false }
    } until ($up -or (Get-Date) -gt $deadline)
    $token = ConvertTo-SecureString 'sandbox-token' -AsPlainText -Force
    Import-Module "$root/out/MetricaCrm/MetricaCrm.psd1" -Force
    $orders = Join-Path $TestDrive 'orders.csv'
    Set-Content -LiteralPath $orders -Encoding utf8 -Value @(
        'id,create_date_time,emails,phones,order_status,revenue'
        'A-1,2026-10-02 10:07:00,Client@Example.ru,+7 (999) 555-11-11,paid,100'
        'A-2,not a date,b@example.ru,,new,5'
    )
}

Describe 'MetricaCrm module' {
    It 'exports the cmdlets and the plural aliases' {
        $names = (Get-Command -Module MetricaCrm).Name
        foreach ($n in 'Import-CrmOrder', 'Import-CrmOrders', 'Convert-MetricaStatus', 'Send-MetricaConversion', 'Send-MetricaConversions', 'Get-MetricaUploadStatus') {
            $names | Should -Contain $n
        }
    }

    It 'imports orders and reports the bad row with its line' {
        $rows = Import-CrmOrder $orders -TimeZone 'Europe/Moscow' -ErrorVariable errs -ErrorAction SilentlyContinue
        $rows.Count | Should -Be 1
        $rows[0].Phones | Should -Be @('79995551111')
        $rows[0].Emails | Should -Be @('client@example.ru')
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'InvalidDateTime,*'
        $errs[0].Exception.Message | Should -BeLike '*line 3*'
    }

    It 'maps statuses and sends nothing under -WhatIf' {
        $result = Import-CrmOrder $orders -ErrorAction SilentlyContinue |
            Convert-MetricaStatus -Map @{ paid = 'PAID'; new = 'IN_PROGRESS' } |
            Send-MetricaConversion -CounterId 1 -ApiBaseUri $api -Token $token -WhatIf
        $result | Should -BeNullOrEmpty
        (Invoke-RestMethod "$($api)sandbox/requests") | Should -BeNullOrEmpty
    }

    It 'uploads to the sandbox and reads the upload back' {
        $upload = Import-CrmOrder $orders -ErrorAction SilentlyContinue |
            Convert-MetricaStatus -Map @{ paid = 'PAID'; new = 'IN_PROGRESS' } |
            Send-MetricaConversion -CounterId 2 -ApiBaseUri $api -Token $token -Wait
        $upload.Status | Should -Be 'PASSED'
        $upload.RowsSent | Should -Be 1
        (Get-MetricaUploadStatus -CounterId 2 -ApiBaseUri $api -Token $token -UploadId $upload.UploadId).ElementsCount | Should -Be 1
    }
}

Describe 'Upload journal' {
    It 'keeps a batch the server refused, and Resume-MetricaUpload sends it once the server is back' {
        $journal = Join-Path $TestDrive 'journal.db'
        $fault = @{ pathContains = 'simple_orders'; status = 503; times = 12 } | ConvertTo-Json
        Invoke-RestMethod "$($api)sandbox/faults" -Method Post -Body $fault -ContentType 'application/json'
        $summary = Import-CrmOrder $orders -ErrorAction SilentlyContinue |
            Convert-MetricaStatus -Map @{ paid = 'PAID'; new = 'IN_PROGRESS' } |
            Send-MetricaConversion -CounterId 3 -ApiBaseUri $api -Token $token -JournalPath $journal -RetryDelay '00:00:00.01' -PassThru -ErrorAction SilentlyContinue |
            Where-Object { $_ -is [MetricaCrm.Engine.Upload.UploadSummary] }
        $summary.Pending | Should -Be 1
        (Get-MetricaUploadJournal -CounterId 3 -Pending -JournalPath $journal).State | Should -Be 'Deferred'
        $resumed = Resume-MetricaUpload -CounterId 3 -ApiBaseUri $api -Token $token -JournalPath $journal
        $resumed.State | Should -Be 'Accepted'
    }
}

Describe 'Dependency isolation' {
    It 'works in a fresh process where another Polly.Core was loaded first' {
        # Restored by the xUnit module tests (PackageDownload). On Windows PowerShell 5.1 a copy with the same
        # assembly version (every Polly.Core 8.x is 8.0.0.0) may be shared: .NET Framework has no load contexts.
        $nuget = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
        $polly = Join-Path $nuget 'polly.core/8.5.2/lib/netstandard2.0/Polly.Core.dll'
        if (-not (Test-Path $polly)) { Set-ItResult -Skipped -Because "$polly is not restored (run dotnet test first)"; return }
        $exe = (Get-Process -Id $PID).Path
        $script = "Add-Type -Path '$polly'; Import-Module '$root/out/MetricaCrm/MetricaCrm.psd1'; " +
            "`$t = ConvertTo-SecureString 'sandbox-token' -AsPlainText -Force; " +
            "`$u = Import-CrmOrder '$orders' -ErrorAction SilentlyContinue | Convert-MetricaStatus -Map @{ paid = 'PAID' } | " +
            "Send-MetricaConversion -CounterId 3 -ApiBaseUri '$api' -Token `$t; `$u.Status"
        $out = & $exe -NoProfile -NonInteractive -Command $script
        $out | Select-Object -Last 1 | Should -Be 'PASSED'
    }
}

AfterAll {
    if ($sandbox -and -not $sandbox.HasExited) { Stop-Process -Id $sandbox.Id }
}
