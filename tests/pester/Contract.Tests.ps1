# What a script can rely on getting back (issue 20, "green means sent"), in a real pwsh: one kind of object per
# Send output, a Connect-Metrica that checks its token and says what it stored, a vault's own error text, and help
# that behaves as about_MetricaCrm says.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-ModuleManifest) -Force
    $cmdlets = @(Get-Command -Module MetricaCrm -CommandType Cmdlet | ForEach-Object Name)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-ModuleManifest) -Force
    $sandbox = Start-TestSandbox
    $token = Get-SandboxToken
    $day = (Get-Date).AddDays(-1).ToString('yyyy-MM-dd HH:mm')
    $UploadType = 'MetricaCrm.Engine.Metrica.MetricaUpload'
    $SummaryType = 'MetricaCrm.Engine.Upload.UploadSummary'
    function New-ContractOrders([string] $Name, [int] $Count) {
        $file = Join-Path $TestDrive $Name
        Set-Content -LiteralPath $file -Encoding utf8 -Value (@('id,create_date_time,emails,order_status') +
            (1..$Count | ForEach-Object { "$Name-$_,$day,c$_@example.ru,PAID" }))
        $file
    }
    function Get-CounterReads([long] $CounterId) {
        @(Get-SandboxRequest $sandbox | Where-Object { $_.method -eq 'GET' -and $_.path -eq "/management/v1/counter/$CounterId" })
    }
    $About = Get-Content -Raw (Join-Path (Split-Path (Get-ModuleManifest)) 'en-US/about_MetricaCrm.help.txt')
}
AfterAll {
    Disconnect-Metrica
    Stop-TestSandbox $sandbox
}

Describe 'A Send cmdlet''s output' {
    It 'is MetricaUpload objects without -PassThru, and with -PassThru only the UploadSummary, whose UploadResults are those uploads' {
        $api = @{ ApiBaseUri = $sandbox.Uri; Token = $token; NoJournal = $true; BatchSize = 2 }
        $plain = @(Import-CrmOrder (New-ContractOrders 'plain.csv' 3) | Send-MetricaConversion -CounterId 7001 @api)
        $plain.Count | Should -Be 2
        $plain | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be $UploadType }

        $out = @(Import-CrmOrder (New-ContractOrders 'passthru.csv' 3) | Send-MetricaConversion -CounterId 7002 @api -PassThru)
        $out.Count | Should -Be 1 -Because 'no MetricaUpload rows next to the summary'
        $summary = $out[0]
        $summary.PSObject.TypeNames[0] | Should -Be $SummaryType
        $summary.Received, $summary.Sent, $summary.Uploads, $summary.Reconciles | Should -Be 3, 3, 2, $true
        @($summary.UploadResults).Count | Should -Be 2
        @($summary.UploadResults | ForEach-Object { $_.PSObject.TypeNames[0] }) | Should -Be @($UploadType, $UploadType)
        @($summary.UploadResults.RowsSent) | Should -Be @(2, 1)
        @($summary.UploadResults.Status) | Should -Be @('PASSED', 'PASSED')
        @(Get-SandboxStored $sandbox -CounterId 7002).Count | Should -Be 3

        # Export-Csv: one row for the one summary, its uploads as their ids; the uploads export as rows of their own.
        $file = Join-Path $TestDrive 'summary.csv'
        $out | Export-Csv $file
        $rows = @(Import-Csv $file)
        $rows.Count | Should -Be 1
        $rows[0].Sent | Should -Be '3'
        $rows[0].UploadResults | Should -Be (@($summary.UploadResults.UploadId) -join ',')
        $uploadsFile = Join-Path $TestDrive 'uploads.csv'
        $summary.UploadResults | Export-Csv $uploadsFile
        @(Import-Csv $uploadsFile).UploadId | Should -Be @($summary.UploadResults.UploadId)
    }

    It 'with -PassThru -Wait carries the final status of each upload' {
        $summary = Import-CrmOrder (New-ContractOrders 'wait.csv' 2) |
            Send-MetricaConversion -CounterId 7003 -ApiBaseUri $sandbox.Uri -Token $token -NoJournal -Wait -PollInterval ([timespan]'00:00:00.200') -PassThru
        @($summary).Count | Should -Be 1
        $upload = @($summary.UploadResults)
        $upload.Count | Should -Be 1
        $upload[0].Status | Should -Be 'PASSED'
        $upload[0].ElementsCount | Should -Be 2
    }
}

Describe 'Connect-Metrica' {
    BeforeEach { Disconnect-Metrica }

    It 'reads the counter with the token, and -PassThru writes what it stored, never the token' {
        $before = (Get-CounterReads 7101).Count
        $c = Connect-Metrica -CounterId 7101 -Token $token -ApiBaseUri $sandbox.Uri -PassThru
        $c.PSObject.TypeNames[0] | Should -Be 'MetricaCrm.Commands.MetricaConnectionInfo'
        $c.CounterId, $c.CounterName, $c.Permission, $c.TokenSource, $c.TokenChecked | Should -Be 7101, 'Sandbox counter 7101', 'own', '-Token', $true
        $c.ApiBaseUri | Should -Be ([uri]$sandbox.Uri)
        $reads = Get-CounterReads 7101
        $reads.Count | Should -Be ($before + 1)
        $reads[-1].tokenValid | Should -BeTrue
        ($c | Out-String) | Should -Match 'CounterName\s+: Sandbox counter 7101\s+Permission\s+: own\s+TokenSource\s+: -Token'
        $text = ($c | Format-List * | Out-String) + ($c | ConvertTo-Json) + "$c" + ($c | ConvertTo-Csv | Out-String)
        $text | Should -Not -Match 'sandbox-token'
        $c.PSObject.Properties.Name | Should -Not -Contain 'Token'
        # The defaults work: no -CounterId, -Token or -ApiBaseUri.
        { Get-MetricaOrderStatus -ErrorAction Stop } | Should -Not -Throw
    }

    It 'stops on a token Metrica refuses with MetricaInvalidToken, and the session keeps its earlier defaults' {
        Connect-Metrica -CounterId 7102 -Token $token -ApiBaseUri $sandbox.Uri
        $bad = ConvertTo-SecureString 'not-the-token' -AsPlainText -Force
        $err = $null
        try { Connect-Metrica -CounterId 7103 -Token $bad -PassThru -ErrorAction Stop } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty -Because 'a refused token is an error, not a silent default'
        $err.FullyQualifiedErrorId | Should -Be 'MetricaInvalidToken,MetricaCrm.Commands.ConnectMetricaCommand'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        "$err" | Should -Match 'did not store these defaults'
        "$err" | Should -Match 'counter 7103'
        "$err" | Should -Not -Match 'not-the-token'
        # Still counter 7102 with the good token: a send with no -CounterId or -Token goes there.
        $summary = Import-CrmOrder (New-ContractOrders 'kept.csv' 1) | Send-MetricaConversion -NoJournal -PassThru
        $summary.Sent | Should -Be 1
        @(Get-SandboxStored $sandbox -CounterId 7102).Count | Should -Be 1
        @(Get-SandboxStored $sandbox -CounterId 7103).Count | Should -Be 0
    }

    It 'stores nothing after a refused token when there were no defaults' {
        $bad = ConvertTo-SecureString 'not-the-token' -AsPlainText -Force
        { Connect-Metrica -CounterId 7104 -Token $bad -ApiBaseUri $sandbox.Uri -ErrorAction Stop } | Should -Throw -ErrorId 'MetricaInvalidToken,*'
        $err = $null
        try { Get-MetricaOrderStatus -Token $token -ApiBaseUri $sandbox.Uri -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'MetricaCounterIdMissing,*'
    }

    It '-SkipCheck stores the defaults without asking Metrica' {
        $before = (Get-CounterReads 7105).Count
        $bad = ConvertTo-SecureString 'not-the-token' -AsPlainText -Force
        $c = Connect-Metrica -CounterId 7105 -Token $bad -ApiBaseUri $sandbox.Uri -SkipCheck -PassThru
        $c.TokenChecked | Should -BeFalse
        $c.CounterName | Should -BeNullOrEmpty
        (Get-CounterReads 7105).Count | Should -Be $before
        # The refusal then comes from the first cmdlet that calls Metrica.
        { Get-MetricaOrderStatus -ErrorAction Stop } | Should -Throw -ErrorId 'MetricaInvalidToken,*'
    }

    It 'warns that nothing was checked when there is no counter to read' {
        $c = Connect-Metrica -Token $token -ApiBaseUri $sandbox.Uri -PassThru -WarningVariable warned -WarningAction SilentlyContinue
        $c.TokenChecked | Should -BeFalse
        "$warned" | Should -Match 'not checked: no counter to read'
    }
}

Describe 'A SecretManagement error' {
    It 'is reported with the vault''s own message, not PowerShell''s preference-variable text' {
        $r = Invoke-FreshPwsh -Environment @{
            PSModulePath = (Join-Path $PSScriptRoot 'StandIns') + [IO.Path]::PathSeparator + $env:PSModulePath
            STANDIN_SECRET_NAMES = 'MetricaToken'; STANDIN_SECRET_TOKEN = 'sandbox-token'
        } -Command @"
Import-Module '$(Get-ModuleManifest)'
try { Connect-Metrica -CounterId 7201 -SecretName MissingToken -ApiBaseUri '$($sandbox.Uri)' -ErrorAction Stop }
catch { 'id ' + `$_.FullyQualifiedErrorId; 'message ' + `$_.Exception.Message }
"@
        $r.ExitCode | Should -Be 0 -Because $r.Error
        $r.Output | Should -Match '(?m)^id MetricaSecretUnavailable,MetricaCrm.Commands.ConnectMetricaCommand\s*$'
        $r.Output | Should -Match "named by -SecretName\): Get-Secret : The secret MissingToken was not found\. A scheduled task"
        $r.Output | Should -Not -Match 'preference variable'
    }
}

Describe 'Online and updatable help' {
    It 'Get-Help -Online stops with PowerShell''s own error for <_>, as about_MetricaCrm says' -ForEach $cmdlets {
        (Get-Command $_).HelpUri | Should -BeNullOrEmpty
        $err = $null
        try { Get-Help $_ -Online -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'InvalidOperation,Microsoft.PowerShell.Commands.GetHelpCommand'
        $err.Exception.Message | Should -Match 'URI\) of the Help topic is not specified'
        $About | Should -Match 'Get-Help Send-MetricaConversion -Online\s+stops with PowerShell''s own error InvalidOperation'
    }

    It 'Update-Help -Module MetricaCrm stops with HelpInfoUriNotFound, as about_MetricaCrm says, and the shipped help stays' {
        (Get-Module MetricaCrm).HelpInfoUri | Should -BeNullOrEmpty
        $err = $null
        try { Update-Help -Module MetricaCrm -UICulture en-US -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'HelpInfoUriNotFound,Microsoft.PowerShell.Commands.UpdateHelpCommand'
        $err.Exception.Message | Should -Match 'does not support updatable help'
        $About | Should -Match 'Update-Help -Module MetricaCrm -UICulture en-US\s+stops with PowerShell''s own error HelpInfoUriNotFound'
        (Get-Help Send-MetricaConversion -Full).description | Should -Not -BeNullOrEmpty
    }
}
