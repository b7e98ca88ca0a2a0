# What a user reads with Get-Help, and whether what it shows works: every exported cmdlet's full help, and every
# example run as written in a fresh pwsh against the sandbox. Only the counter's address, the token, Windows drive
# paths and the systems outside this machine are substituted (see ConvertTo-RunnableExample and ExampleData/README.md).

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-ModuleManifest) -Force
    $cmdlets = @(Get-Command -Module MetricaCrm -CommandType Cmdlet | Sort-Object Name | ForEach-Object { @{ Name = $_.Name } })
    $examples = foreach ($c in $cmdlets) {
        $n = 0
        foreach ($e in @((Get-Help $c.Name -Examples).examples.example)) {
            $n++
            @{ Cmdlet = $c.Name; Number = $n; Title = ($e.title -replace '^-+\s*|\s*-+$'); Code = $e.code }
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-ModuleManifest) -Force
    $common = [Management.Automation.PSCmdlet]::CommonParameters + [Management.Automation.PSCmdlet]::OptionalCommonParameters

    # Examples that show a Windows-only step: elsewhere their documented error is what the user must see.
    $PlatformErrors = @{ 'Register-MetricaUploadTask #2' = 'MetricaTaskSchedulerUnavailable' }

    # The skip list: examples that cannot run unattended here, with why.
    $SkipOnWindows = @{
        'Register-MetricaUploadTask #2' = 'on Windows it registers a real task: schtasks.exe asks for the account password and needs an administrator'
    }

    # What some examples' remarks promise, beyond running without error.
    $ExampleEffects = @{
        'Register-MetricaUploadTask #1' = { param($work, $output)
            $xml = [xml](Get-Content -Raw (Join-Path $work 'metrica-daily.xml'))
            $xml.Task.Actions.Exec.Arguments | Should -Match 'Invoke-DailyUpload\.ps1.*-OrdersPath'
            $xml.Task.Principals.Principal.UserId | Should -Be 'CONTOSO\svc-metrica'
        }
        'Import-CrmClient #1' = { param($work, $output) $output | Should -Match '(?m)^4 contacts ready' }
        # The sample's 20 orders fill two sets of columns (6 carry a ClientID): one upload each.
        'Send-MetricaConversion #2' = { param($work, $output) $output | Should -Match 'What if: .*Upload 14 order\(s\) as simple_orders'; $output | Should -Match 'What if: .*Upload 6 order\(s\) as simple_orders' }
        'Set-MetricaProduct #2' = { param($work, $output) foreach ($p in 'sneakers', 'socks', 'insoles') { $output | Should -Match "\b$p\b" } }
        'Get-MetricaAttribute #2' = { param($work, $output) $output | Should -Match 'delivery_type' }
    }

    # samples/ (dates moved so that the newest is yesterday, as a daily export's are) into the example's folder.
    function Copy-ExampleSamples([string] $Destination) {
        $samples = Join-Path (Get-RepoRoot) 'samples'
        foreach ($f in Get-ChildItem $samples -Recurse -File) {
            $target = Join-Path $Destination ([IO.Path]::GetRelativePath($samples, $f.FullName))
            [void][IO.Directory]::CreateDirectory((Split-Path $target))
            if ($f.Extension -eq '.csv' -and (Get-Content -Raw $f.FullName) -match '\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}') {
                [void](Copy-SampleWithRecentDates $f.FullName $target)
            }
            else { Copy-Item $f.FullName $target }
        }
    }

    # The substitutions: the sandbox for the example's http://127.0.0.1:8080, the sandbox token for Read-Host, and
    # the example's folder for Windows drive folders (C:\Tasks\, D:\Export\...).
    function ConvertTo-RunnableExample([string] $Code, [string] $Work, [string] $ApiUri) {
        $c = $Code -replace "\(Read-Host -AsSecureString(?: '[^']*')?\)", '(ConvertTo-SecureString $env:METRICA_TOKEN -AsPlainText -Force)'
        $c = $c -replace 'http://127\.0\.0\.1:8080', $ApiUri.TrimEnd('/')
        $c -replace '\b[A-Z]:\\(?:[\w.-]+\\)*', ($Work + '/')
    }

    # Invoke-Sqlcmd and the example.com APIs answer from ExampleData (see its README.md).
    function Get-ExampleStandIns {
        @'
function Invoke-Sqlcmd {
    param([string] $ServerInstance, [string] $Query)
    $table = [regex]::Match($Query, '(?i)\bFROM\s+(\w+)').Groups[1].Value
    Import-Csv (Join-Path $env:EXAMPLE_DATA "db-$table.csv")
}
function Invoke-RestMethod {
    param([Parameter(Position = 0)] [uri] $Uri, [Parameter(ValueFromRemainingArguments)] $Rest)
    if ($Uri.Host -like '*.example.com') {
        return Get-Content -Raw (Join-Path $env:EXAMPLE_DATA "api-$($Uri.Host)-$($Uri.Segments[-1]).json") | ConvertFrom-Json
    }
    Microsoft.PowerShell.Utility\Invoke-RestMethod -Uri $Uri @Rest
}
'@
    }
}

Describe 'Get-Help -Full of <Name>' -ForEach $cmdlets {
    It 'has a synopsis, a description, every parameter documented and an example' {
        $help = Get-Help $Name -Full
        # Without MAML, Get-Help makes the synopsis from the syntax and leaves the rest empty.
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike "$Name *"
        ($help.description.Text -join "`n").Trim().Length | Should -BeGreaterThan 40
        $documented = @{}
        foreach ($p in @($help.parameters.parameter | Where-Object { $_ })) { $documented[$p.name] = ($p.description.Text -join ' ').Trim() }
        $parameters = (Get-Command $Name).Parameters.Keys | Where-Object { $_ -notin $common }
        foreach ($p in $parameters) { $documented[$p] | Should -Not -BeNullOrEmpty -Because "-$p of $Name needs its help" }
        @($help.examples.example).Count | Should -BeGreaterOrEqual 1
        foreach ($e in $help.examples.example) { $e.code.Trim() | Should -Not -BeNullOrEmpty }
    }
}

Describe 'about_MetricaCrm' {
    It 'is found by Get-Help and names every exported cmdlet' {
        $about = Get-Help about_MetricaCrm | Out-String
        $about | Should -Match 'MetricaCrm'
        foreach ($c in (Get-Command -Module MetricaCrm -CommandType Cmdlet).Name) { $about | Should -Match "\b$c\b" -Because "about_MetricaCrm lists the cmdlets" }
    }

    It 'tells the credentials chain the cmdlets follow' {
        $about = Get-Help about_MetricaCrm | Out-String
        foreach ($source in '-Token', '-Credential', '-SecretName', 'Connect-Metrica', 'METRICA_SECRET_NAME', 'METRICA_TOKEN', 'MetricaTokenMissing') {
            $about | Should -Match ([regex]::Escape($source))
        }
        $about | Should -Not -Match 'neither -Token nor \$env:METRICA_TOKEN' -Because 'the chain has more sources than these two'
    }
}

Describe 'Send-MetricaCall and new_goal_name' {
    BeforeAll { $sandbox = Start-TestSandbox }
    AfterAll { Stop-TestSandbox $sandbox }

    It 'sends a first calls upload without -NewGoalName, which the docs make optional' {
        $call = [pscustomobject]@{ ClientId = '133591247640966458'; DateTime = [DateTimeOffset]::Now.AddHours(-1).ToString('o') }
        $call | Send-MetricaCall -CounterId 556 -ApiBaseUri $sandbox.Uri -Token (Get-SandboxToken) -NoJournal -ErrorAction Stop |
            Select-Object -ExpandProperty UploadId | Should -Not -BeNullOrEmpty
    }

    It 'says to pass -NewGoalName when Metrica refuses a calls upload for new_goal_name, instead of a bare HTTP 400' {
        # Our first reading of the docs had Metrica refuse a counter's first calls upload without it: if it ever does,
        # the user is told what to pass. The refusal is injected in the shape of Metrica's error body.
        $fault = @{ pathContains = 'counter/555/offline_conversions/upload_calls'; status = 400; errorType = 'missing_parameter'; message = 'Required parameter new_goal_name is missing'; times = 1 }
        Invoke-RestMethod -Method Post "$($sandbox.Uri)sandbox/faults" -ContentType 'application/json' -Body ($fault | ConvertTo-Json) | Out-Null
        $call = [pscustomobject]@{ ClientId = '133591247640966458'; DateTime = [DateTimeOffset]::Now.AddHours(-1).ToString('o') }
        $call | Send-MetricaCall -CounterId 555 -ApiBaseUri $sandbox.Uri -Token (Get-SandboxToken) -NoJournal -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 1
        "$($failed[0])" | Should -Match 'new_goal_name'
        "$($failed[0])" | Should -Match "Fix: .*-NewGoalName"
        $failed[0].ErrorDetails.RecommendedAction | Should -Match '-NewGoalName'
        $call | Send-MetricaCall -CounterId 555 -ApiBaseUri $sandbox.Uri -Token (Get-SandboxToken) -NoJournal -NewGoalName 'Calls' -ErrorAction Stop |
            Select-Object -ExpandProperty UploadId | Should -Not -BeNullOrEmpty
    }
}

Describe 'Help examples' {
    BeforeAll {
        $sandbox = Start-TestSandbox
        $data = Join-Path $PSScriptRoot 'ExampleData'
        . (Join-Path (Get-RepoRoot) 'samples/SampleDates.ps1')

        # The examples' counters have visits from the samples' visitors (ClientIDs and Yandex Direct clicks), so their
        # conversions and calls link as on a real counter.
        $visit = [DateTime]::UtcNow.AddDays(-10).ToString('o')
        $visitors = @('133591247640966458', '1644302575743358107', '8917973994425390910' | ForEach-Object { @{ clientId = $_; visits = @($visit) } }) +
            @('7342810579614326785', '7342810579614326786' | ForEach-Object { @{ yclid = $_; visits = @($visit) } })
        foreach ($counter in 12345, 67890) {
            Invoke-RestMethod -Method Post "$($sandbox.Uri)sandbox/counters/$counter/visitors" -ContentType 'application/json' -Body (ConvertTo-Json -InputObject $visitors -Depth 4) | Out-Null
        }
        # Counter 12345 has received calls before (its calls goal exists), as every calls example but Send-MetricaCall
        # #2 assumes; the first upload without -NewGoalName is tested on its own above.
        [pscustomobject]@{ ClientId = '133591247640966458'; DateTime = [DateTimeOffset]::Now.AddDays(-20).ToString('o') } |
            Send-MetricaCall -CounterId 12345 -NewGoalName 'Calls' -ApiBaseUri $sandbox.Uri -Token (Get-SandboxToken) -NoJournal -ErrorAction Stop | Out-Null
    }
    AfterAll { Stop-TestSandbox $sandbox }

    It '<Cmdlet> #<Number> runs: <Title>' -ForEach $examples {
        if ($IsWindows -and $SkipOnWindows["$Cmdlet #$Number"]) { Set-ItResult -Skipped -Because $SkipOnWindows["$Cmdlet #$Number"]; return }
        $work = Join-Path $TestDrive "$Cmdlet-$Number"
        Copy-ExampleSamples -Destination $work
        $token = ConvertTo-SecureString 'sandbox-token' -AsPlainText -Force
        $token | Export-Clixml (Join-Path $work 'metrica-token.xml')   # what "$HOME\metrica-token.xml" holds
        $script = Join-Path $work 'example.ps1'
        Set-Content $script -Encoding utf8 -Value @(
            '$ErrorActionPreference = ''Stop''   # any error fails the example'
            '$ConfirmPreference = ''None''       # the user answers Yes to a High-impact prompt'
            'Set-StrictMode -Version 1           # a variable the example never sets is a bug in it'
            'trap { [Console]::Error.WriteLine("ErrorId: $($_.FullyQualifiedErrorId)"); break }'
            (Get-ExampleStandIns)
            "Import-Module '$(Get-ModuleManifest)'"
            "Set-Location '$work'"
            (ConvertTo-RunnableExample $Code -Work $work -ApiUri $sandbox.Uri)
        )
        $r = Invoke-FreshPwsh -File $script -Environment @{
            HOME = $work; METRICA_API_URI = $sandbox.Uri.TrimEnd('/'); METRICA_TOKEN = 'sandbox-token'
            METRICA_JOURNAL = (Join-Path $work 'journal.db'); EXAMPLE_DATA = $data   # each example is a first run: its own journal
            PSModulePath = (Join-Path $PSScriptRoot 'StandIns') + [IO.Path]::PathSeparator + $env:PSModulePath
            STANDIN_SECRET_NAMES = 'MetricaToken,OtherAccountToken'; STANDIN_SECRET_TOKEN = 'sandbox-token'
        }
        $expected = $PlatformErrors["$Cmdlet #$Number"]
        if ($expected -and -not $IsWindows) {
            $r.ExitCode | Should -Not -Be 0
            $r.Error | Should -Match $expected
        }
        else {
            $r.ExitCode | Should -Be 0 -Because "$($r.Error)`n$($r.Output)"
            $r.Error | Should -BeNullOrEmpty
        }
        $r.Output + $r.Error | Should -Not -Match 'sandbox-token' -Because 'the token is never printed'
        if ($ExampleEffects["$Cmdlet #$Number"]) { & $ExampleEffects["$Cmdlet #$Number"] $work $r.Output }
    }
}
