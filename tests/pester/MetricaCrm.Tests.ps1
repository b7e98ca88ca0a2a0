# Pester 5 tests for machines with PowerShell (build.ps1 -Task Pester runs them in pwsh and in powershell.exe,
# each in a fresh process). They check what only a real PowerShell install can: that the module imports in this
# edition and that its cmdlets run without network. The HTTP and data behaviour is proven by the xUnit suites.
BeforeAll {
    $root = Resolve-Path "$PSScriptRoot/../.."
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
            Send-MetricaConversion -CounterId 1 -CounterTimeZone 'Europe/Moscow' -ApiBaseUri 'http://127.0.0.1:9' -WhatIf
        $result | Should -BeNullOrEmpty
    }
}

Describe 'Dependency isolation' {
    It 'works in a fresh process where another Polly.Core was loaded first' {
        $nuget = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
        $polly = Join-Path $nuget 'polly.core/8.5.2/lib/netstandard2.0/Polly.Core.dll'   # restored by the xUnit module tests
        if (-not (Test-Path $polly)) { Set-ItResult -Skipped -Because "$polly is not restored (run dotnet test first)"; return }
        $exe = (Get-Process -Id $PID).Path
        $script = "Add-Type -Path '$polly'; Import-Module '$root/out/MetricaCrm/MetricaCrm.psd1'; " +
            "Import-CrmOrder '$orders' -ErrorAction SilentlyContinue | Convert-MetricaStatus -Map @{ paid = 'PAID' } | " +
            "Send-MetricaConversion -CounterId 1 -CounterTimeZone UTC -ApiBaseUri 'http://127.0.0.1:9' -WhatIf; " +
            "([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'Polly.Core' }).Count"
        $out = & $exe -NoProfile -NonInteractive -Command $script
        $LASTEXITCODE | Should -Be 0
        [int]($out | Select-Object -Last 1) | Should -BeGreaterOrEqual 1
    }
}
