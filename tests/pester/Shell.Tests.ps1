# The shell around the cmdlets: Tab completion through TabExpansion2, and errors and streams as scripts use them
# (-ErrorAction Stop, $Error, -ErrorVariable, -InformationVariable, -WhatIf, -Confirm, -Verbose, Start-Transcript).
Describe 'Tab completion' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1')
        $script:Sandbox = Start-TestSandbox
        Import-Module (Get-ModuleManifest) -Force
        $script:Api = @{ Token = (Get-SandboxToken); ApiBaseUri = $Sandbox.Uri }
        function script:Complete([string] $Line) { @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches) }
        $script:Orders = New-OrderCsv (Join-Path $TestDrive 'orders.csv') @(@{ id = 'T-1'; phones = '79512546093'; order_status = 'paid' })
    }
    AfterAll {
        Disconnect-Metrica -ErrorAction SilentlyContinue
        Stop-TestSandbox $Sandbox
    }

    It 'completes -TimeZone with IANA ids' {
        (Complete 'Import-CrmOrder x.csv -TimeZone Europe/Mos').CompletionText | Should -Contain 'Europe/Moscow'
        (Complete 'Send-MetricaConversion -CounterTimeZone Asia/Yekat').CompletionText | Should -Contain 'Asia/Yekaterinburg'
    }

    It 'completes -Encoding with the encodings the reader knows by name' {
        (Complete 'Import-CrmOrder x.csv -Encoding ').CompletionText | Should -Be @('UTF8', 'Unicode', 'BigEndianUnicode', 'windows-1251')
        (Complete 'Import-CrmClient x.csv -Encoding win').CompletionText | Should -Be 'windows-1251'
    }

    It 'completes -Currency with ISO 4217 codes' {
        (Complete 'Import-CrmOrder x.csv -Currency RU').CompletionText | Should -Contain 'RUB'
        (Complete 'Import-CrmConversion x.csv -Currency EU').CompletionText | Should -Contain 'EUR'
    }

    It 'completes -Vault and -SecretName from SecretManagement''s own listings, and offers nothing without it' {
        (Complete 'Send-MetricaConversion -Vault ').CompletionText | Should -BeNullOrEmpty
        (Complete 'Connect-Metrica -SecretName ').CompletionText | Should -BeNullOrEmpty
        $env:STANDIN_VAULTS = 'CorpVault,Local Store'; $env:STANDIN_SECRET_NAMES = 'MetricaToken,MetricaTokenTest,OtherAccount'
        Import-Module (Join-Path $PSScriptRoot 'StandIns/Microsoft.PowerShell.SecretManagement') -Force
        try {
            (Complete 'Send-MetricaConversion -Vault ').CompletionText | Should -Be @('CorpVault', "'Local Store'")
            (Complete 'Connect-Metrica -Vault Co').CompletionText | Should -Be 'CorpVault'
            (Complete 'Connect-Metrica -SecretName Metr').CompletionText | Should -Be @('MetricaToken', 'MetricaTokenTest')
            (Complete 'Test-MetricaConnection -Vault CorpVault -SecretName ').CompletionText | Should -Be @('MetricaToken', 'MetricaTokenTest', 'OtherAccount')
            (Complete 'Get-MetricaOrderStatus -Vault Nowhere -SecretName ').CompletionText | Should -BeNullOrEmpty
        }
        finally {
            Remove-Module Microsoft.PowerShell.SecretManagement -ErrorAction SilentlyContinue
            Remove-Item Env:STANDIN_VAULTS, Env:STANDIN_SECRET_NAMES -ErrorAction SilentlyContinue
        }
    }

    It 'completes Get-MetricaUploadStatus -Kind with the five kinds, one spelling each' {
        (Complete 'Get-MetricaUploadStatus -Kind ').CompletionText | Should -Be @('SimpleOrders', 'Contacts', 'Orders', 'OfflineConversion', 'Call')
        (Complete 'Get-MetricaUploadStatus -Kind Off').CompletionText | Should -Be 'OfflineConversion'
    }

    It 'still accepts the API''s and the journal''s spellings of -Kind, and refuses others while binding' {
        Connect-Metrica -CounterId 4400 @Api
        foreach ($kind in 'calls', 'offline_conversions', 'Clients', 'OfflineConversions', 'simple_orders') {
            { Get-MetricaUploadStatus -Kind $kind -ErrorAction Stop } | Should -Not -Throw
        }
        { Get-MetricaUploadStatus -Kind Bogus } | Should -Throw -ErrorId 'ParameterArgumentValidationError,MetricaCrm.Commands.GetMetricaUploadStatusCommand'
        Disconnect-Metrica
    }

    It 'completes the journal cmdlets'' -Kind with the journal''s five kinds' {
        $kinds = @('Calls', 'Clients', 'OfflineConversions', 'Orders', 'SimpleOrders')
        (Complete 'Get-MetricaUploadJournal -Kind ').CompletionText | Sort-Object | Should -Be $kinds
        (Complete 'Resume-MetricaUpload -Kind ').CompletionText | Sort-Object | Should -Be $kinds
    }

    It 'completes -MergeMode with Save, Update and Append' {
        (Complete 'Send-MetricaConversion -MergeMode ').CompletionText | Sort-Object | Should -Be @('Append', 'Save', 'Update')
    }

    It 'completes -UploadId from the journal of METRICA_JOURNAL, with the upload''s kind and rows' {
        $journal = Join-Path $TestDrive 'env.db'
        $before = $env:METRICA_JOURNAL
        try {
            $env:METRICA_JOURNAL = $journal
            $upload = Import-CrmOrder $Orders | Convert-MetricaStatus -Map @{ paid = 'PAID' } | Send-MetricaConversion -CounterId 4401 @Api
            $found = Complete "Get-MetricaUploadStatus -CounterId 4401 -UploadId $($upload.UploadId.Substring(0, 4))"
            $found.CompletionText | Should -Be $upload.UploadId
            $found[0].ToolTip | Should -Match 'SimpleOrders, 1 rows, Accepted'
            Complete 'Get-MetricaUploadStatus -CounterId 999 -UploadId ' | Should -BeNullOrEmpty -Because 'another counter has no uploads'
        } finally { $env:METRICA_JOURNAL = $before }
    }

    It 'completes -UploadId from the journal of the sandbox Connect-Metrica points at (not the default journal)' {
        $before = $env:XDG_DATA_HOME
        try {
            $env:XDG_DATA_HOME = Join-Path $TestDrive 'xdg'
            Connect-Metrica -CounterId 4402 @Api
            $upload = Import-CrmOrder $Orders | Convert-MetricaStatus -Map @{ paid = 'PAID' } | Send-MetricaConversion
            $uri = [uri]$Sandbox.Uri
            Test-Path (Join-Path $env:XDG_DATA_HOME "MetricaCrm/journal-$($uri.Host)-$($uri.Port).db") | Should -BeTrue
            (Complete 'Get-MetricaUploadStatus -UploadId ').CompletionText | Should -Be $upload.UploadId
        } finally {
            Disconnect-Metrica
            $env:XDG_DATA_HOME = $before
        }
    }

    It 'completes Resume-MetricaUpload -BatchId with the batches still to settle' {
        $journal = Join-Path $TestDrive 'deferred.db'
        $fault = @{ pathContains = 'simple_orders'; status = 503; times = 20 } | ConvertTo-Json
        Invoke-RestMethod "$($Sandbox.Uri)sandbox/faults" -Method Post -Body $fault -ContentType 'application/json' | Out-Null
        Import-CrmOrder $Orders | Convert-MetricaStatus -Map @{ paid = 'PAID' } |
            Send-MetricaConversion -CounterId 4403 @Api -JournalPath $journal -MaxRetryCount 0 -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
        Invoke-RestMethod "$($Sandbox.Uri)sandbox/faults" -Method Post -Body (@{ rate = 0 } | ConvertTo-Json) -ContentType 'application/json' | Out-Null
        $pending = @(Get-MetricaUploadJournal -JournalPath $journal -CounterId 4403 -Pending)
        $pending.Count | Should -Be 1
        $found = Complete "Resume-MetricaUpload -CounterId 4403 -JournalPath '$journal' -BatchId "
        $found.CompletionText | Should -Be "$($pending[0].Id)"
        $found[0].ListItemText | Should -Match 'Deferred'
    }

    It 'completes nothing, without an error, from a journal that is not a journal' {
        $broken = Join-Path $TestDrive 'broken.db'
        Set-Content $broken 'this is not SQLite'
        $time = Measure-Command { $script:got = Complete "Resume-MetricaUpload -CounterId 1 -JournalPath '$broken' -BatchId " }
        $got | Should -BeNullOrEmpty
        $time.TotalSeconds | Should -BeLessThan 5
    }
}

Describe 'Errors and streams' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1')
        # A token no other text contains, so finding it anywhere is a leak.
        $script:Token = 'tok-' + [guid]::NewGuid().ToString('N')
        $script:Sandbox = Start-TestSandbox -ArgumentList '--token', $Token
        Import-Module (Get-ModuleManifest) -Force
        $script:Secure = ConvertTo-SecureString $Token -AsPlainText -Force
        $script:Map = @{ paid = 'PAID'; new = 'IN_PROGRESS' }
        $script:Good = New-OrderCsv (Join-Path $TestDrive 'good.csv') @(
            @{ id = 'E-1'; phones = '79512546093'; order_status = 'paid'; revenue = '10' }
            @{ id = 'E-2'; emails = 'a@example.ru'; order_status = 'new'; revenue = '20' })
        $script:Bad = Join-Path $TestDrive 'bad.csv'
        @('id,create_date_time,phones,order_status', "B-1,$([datetime]::Today.AddDays(-1).ToString('yyyy-MM-dd')) 10:00,79512546093,paid",
            'B-2,31.02.2026 10:00,79512546093,paid', "B-3,$([datetime]::Today.AddDays(-1).ToString('yyyy-MM-dd')) 10:00,12,paid") | Set-Content $Bad
        function script:PostCount { @(Get-SandboxRequest $Sandbox | Where-Object { $_.method -eq 'POST' -and $_.path -like '*simple_orders*' }).Count }
    }
    AfterAll { Stop-TestSandbox $Sandbox }

    It '-ErrorAction Stop turns a bad row into an exception that try/catch sees, with its stable id' {
        $caught = $null
        try { Import-CrmOrder $Bad -ErrorAction Stop | Out-Null } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -Be 'InvalidDateTime,MetricaCrm.Commands.ImportCrmOrderCommand'
        $caught.Exception.Message | Should -Match "line 3: column 'create_date_time', value '31.02.2026 10:00'"
    }

    It '$Error[0] holds the last rejected row with its FullyQualifiedErrorId and category' {
        $Error.Clear()
        Import-CrmOrder $Bad -ErrorAction SilentlyContinue | Out-Null
        $Error[0].FullyQualifiedErrorId | Should -Be 'InvalidPhone,MetricaCrm.Commands.ImportCrmOrderCommand'
        $Error[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $Error[1].FullyQualifiedErrorId | Should -Be 'InvalidDateTime,MetricaCrm.Commands.ImportCrmOrderCommand'
    }

    It '-ErrorVariable collects every rejected row while the good ones go on down the pipeline' {
        $orders = @(Import-CrmOrder $Bad -ErrorVariable rowErrors -ErrorAction SilentlyContinue)
        $orders.Id | Should -Be 'B-1'
        $rowErrors.Count | Should -Be 2
        $rowErrors.FullyQualifiedErrorId | Should -Be @('InvalidDateTime,MetricaCrm.Commands.ImportCrmOrderCommand', 'InvalidPhone,MetricaCrm.Commands.ImportCrmOrderCommand')
    }

    It '-InformationVariable gives the import''s typed summary, whose counts add up' {
        Import-CrmOrder $Bad -InformationVariable info -ErrorAction SilentlyContinue | Out-Null
        $summary = ($info | Where-Object Tags -contains 'Summary').MessageData
        $summary.PSObject.TypeNames[0] | Should -Be 'MetricaCrm.Commands.ImportSummary'
        $summary.Read | Should -Be 3
        $summary.Emitted | Should -Be 1
        $summary.Rejected | Should -Be 2
    }

    It '-InformationVariable gives the send''s typed UploadSummary' {
        Import-CrmOrder $Good | Convert-MetricaStatus -Map $Map |
            Send-MetricaConversion -CounterId 4501 -Token $Secure -ApiBaseUri $Sandbox.Uri -NoJournal -InformationVariable info | Out-Null
        $summary = ($info | Where-Object Tags -contains 'Summary').MessageData
        $summary.PSObject.TypeNames[0] | Should -Be 'MetricaCrm.Engine.Upload.UploadSummary'
        $summary.Received | Should -Be 2
        $summary.Sent | Should -Be 2
        $summary.Reconciles | Should -BeTrue
    }

    It '-WhatIf sends nothing: the sandbox receives no upload and stores no order' {
        $before = PostCount
        Import-CrmOrder $Good | Convert-MetricaStatus -Map $Map |
            Send-MetricaConversion -CounterId 4502 -Token $Secure -ApiBaseUri $Sandbox.Uri -NoJournal -WhatIf 6>&1 | Out-Null
        PostCount | Should -Be $before
        Get-SandboxStored $Sandbox 4502 | Should -BeNullOrEmpty
    }

    It '-Confirm:$false sends without asking, even with $ConfirmPreference Low' {
        $ConfirmPreference = 'Low'
        Import-CrmOrder $Good | Convert-MetricaStatus -Map $Map |
            Send-MetricaConversion -CounterId 4503 -Token $Secure -ApiBaseUri $Sandbox.Uri -NoJournal -Confirm:$false | Out-Null
        (Get-SandboxStored $Sandbox 4503).Id | Should -Be @('E-1', 'E-2')
    }

    It '-Verbose names where the token came from and the upload, never the token' {
        $verbose = Import-CrmOrder $Good | Convert-MetricaStatus -Map $Map |
            Send-MetricaConversion -CounterId 4504 -Token $Secure -ApiBaseUri $Sandbox.Uri -NoJournal -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $text = $verbose.Message -join "`n"
        $text | Should -Match 'token from -Token'
        $text | Should -Match 'Upload [0-9a-f]{32}: PASSED'
        $text | Should -Not -Match ([regex]::Escape($Token))
    }

    It 'a refused token stops with a stable id and a message without the token' {
        $wrong = ConvertTo-SecureString "$Token-wrong" -AsPlainText -Force
        $caught = $null
        try {
            Import-CrmOrder $Good | Convert-MetricaStatus -Map $Map |
                Send-MetricaConversion -CounterId 4505 -Token $wrong -ApiBaseUri $Sandbox.Uri -NoJournal -ErrorAction Stop | Out-Null
        } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -BeLike '*,MetricaCrm.Commands.SendMetricaConversionCommand'
        $caught.FullyQualifiedErrorId | Should -Not -Match 'Exception'
        ($caught | Out-String) + $caught.Exception.ToString() | Should -Not -Match ([regex]::Escape($Token))
    }

    It 'a transcript of a whole verbose send (fresh pwsh) has the upload and not the token' {
        $transcript = Join-Path $TestDrive 'transcript.txt'
        $script = @"
Import-Module '$(Get-ModuleManifest)'
Start-Transcript -Path '$transcript' | Out-Null
`$token = ConvertTo-SecureString `$env:TEST_METRICA_TOKEN -AsPlainText -Force
Import-CrmOrder '$Good' -Verbose | Convert-MetricaStatus -Map @{ paid = 'PAID'; new = 'IN_PROGRESS' } -Verbose |
    Send-MetricaConversion -CounterId 4506 -Token `$token -ApiBaseUri '$($Sandbox.Uri)' -NoJournal -Wait -Verbose
Stop-Transcript | Out-Null
"@
        $run = Invoke-FreshPwsh -Command $script -Environment @{ TEST_METRICA_TOKEN = $Token }
        $run.ExitCode | Should -Be 0 -Because $run.Error
        $text = Get-Content $transcript -Raw
        $text | Should -Match 'VERBOSE: .*token from -Token'
        # E-1 fills phones, E-2 emails: one upload per set of filled columns, each listed with its 1 element.
        $text | Should -Match '[0-9a-f]{32} PASSED\s+1\s+1[\s\S]*[0-9a-f]{32} PASSED\s+1\s+1'
        $text | Should -Match 'VERBOSE: Send-MetricaConversion: received 2, uploaded 2, rejected 0'
        $text | Should -Not -Match ([regex]::Escape($Token))
        (Get-SandboxStored $Sandbox 4506).Id | Should -Be @('E-1', 'E-2')
    }
}
