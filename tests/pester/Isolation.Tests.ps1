# A session that already loaded other versions of the module's third-party DLLs (another module's CsvHelper and
# Polly), and the module's own types named in scripts: both in a fresh pwsh, since a load context lives as long as
# its process.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    . (Join-Path (Get-RepoRoot) 'samples/SampleDates.ps1')
    $sandbox = Start-TestSandbox
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    # Downloaded by tests/MetricaCrm.Module.Tests (PackageDownload): older than the module's CsvHelper 34, and a Polly.Core
    # whose assembly version (8.0.0.0) is the same as the module's 8.9.1, the case a default-context binding gets wrong.
    $foreign = @((Join-Path $packages 'csvhelper/33.0.1/lib/net8.0/CsvHelper.dll'), (Join-Path $packages 'polly.core/8.5.2/lib/net8.0/Polly.Core.dll'))
    $orders = Copy-SampleWithRecentDates (Join-Path (Get-RepoRoot) 'samples/orders.csv') (Join-Path $TestDrive 'orders.csv')
    $environment = @{ METRICA_API_URI = $sandbox.Uri.TrimEnd('/'); METRICA_TOKEN = 'sandbox-token'; METRICA_JOURNAL = (Join-Path $TestDrive 'journal.db') }

    # Each assembly of those names loaded in the process, with its version, load context and file.
    $listAssemblies = @'
[AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -in 'CsvHelper', 'Polly.Core', 'MetricaCrm.Engine' } |
    ForEach-Object { 'ASSEMBLY {0}|{1}|{2}|{3}' -f $_.GetName().Name, $_.GetName().Version, [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name, $_.Location }
'@
    function Get-LoadedAssembly([string] $Output) {
        foreach ($line in $Output -split "`r?`n" | Where-Object { $_ -like 'ASSEMBLY *' }) {
            $name, $version, $context, $path = $line.Substring(9).Split('|')
            [pscustomobject]@{ Name = $name; Version = $version; Context = $context; Path = $path }
        }
    }
}
AfterAll { Stop-TestSandbox $sandbox }

Describe 'MetricaCrm next to other versions of its dependencies' {
    It 'the foreign CsvHelper and Polly are really there to conflict with' {
        foreach ($f in $foreign) { $f | Should -Exist }
    }

    It 'imports and sends after another module loaded CsvHelper 33 and Polly 8.5.2, using its own copies' {
        $r = Invoke-FreshPwsh -Environment $environment -Command @"
`$ErrorActionPreference = 'Stop'
$(($foreign | ForEach-Object { "Add-Type -Path '$_'" }) -join "`n")
Import-Module '$(Get-ModuleManifest)'
`$u = Import-CrmOrder '$orders' -TimeZone 'Europe/Moscow' | Convert-MetricaStatus -Map '$(Join-Path (Get-RepoRoot) 'samples/statuses.psd1')' |
    Send-MetricaConversion -CounterId 4343 -Wait
"uploaded `$((`$u | Measure-Object RowsSent -Sum).Sum) `$((`$u.Status | Sort-Object -Unique) -join ',')"
# The foreign copies still serve their own callers.
[CsvHelper.CsvReader].Assembly.GetName().Version.ToString()
$listAssemblies
"@
        $r.ExitCode | Should -Be 0 -Because ($r.Output + $r.Error)
        $r.Output | Should -Match 'uploaded 20 PASSED'
        $r.Output | Should -Match '(?m)^33\.0\.0\.0\s*$'
        (Invoke-RestMethod "$($sandbox.Uri)sandbox/counters/4343/orders").Count | Should -Be 20

        $loaded = Get-LoadedAssembly $r.Output
        $module = Split-Path (Get-ModuleManifest)
        foreach ($name in 'CsvHelper', 'Polly.Core') {
            $ours = @($loaded | Where-Object { $_.Name -eq $name -and $_.Path.StartsWith($module) })
            $ours.Count | Should -Be 1 -Because "the engine loads its own $name"
            $ours[0].Context | Should -Not -Be 'Default' -Because "our $name must not replace theirs"
            @($loaded | Where-Object { $_.Name -eq $name -and $_.Context -eq 'Default' -and $_.Path -in $foreign }).Count | Should -Be 1
        }
        # The engine shares a context with its dependencies, so it binds to the module's copies.
        ($loaded | Where-Object Name -eq 'MetricaCrm.Engine').Context | Should -Be ($loaded | Where-Object { $_.Name -eq 'Polly.Core' -and $_.Path.StartsWith($module) }).Context
    }

    It "names the module's own types in scripts: [MetricaCrm.Engine.Metrica.MergeMode]::Save and -is [MetricaCrm.Engine.Orders.CrmOrder]" {
        $r = Invoke-FreshPwsh -Environment $environment -Command @"
`$ErrorActionPreference = 'Stop'
$(($foreign | ForEach-Object { "Add-Type -Path '$_'" }) -join "`n")
Import-Module '$(Get-ModuleManifest)'
'mode ' + [MetricaCrm.Engine.Metrica.MergeMode]::Save
`$o = Import-CrmOrder '$orders' -TimeZone 'Europe/Moscow' | Select-Object -First 1
'is ' + (`$o -is [MetricaCrm.Engine.Orders.CrmOrder])
'list ' + [Collections.Generic.List[MetricaCrm.Engine.Orders.CrmOrder]]::new().GetType().Name
`$u = `$o | Convert-MetricaStatus -Map '$(Join-Path (Get-RepoRoot) 'samples/statuses.psd1')' | Send-MetricaConversion -CounterId 4344 -MergeMode ([MetricaCrm.Engine.Metrica.MergeMode]::Update) -PassThru -Wait
'summary ' + (@(`$u | Where-Object { `$_ -is [MetricaCrm.Engine.Upload.UploadSummary] }).Count)
"@
        $r.ExitCode | Should -Be 0 -Because ($r.Output + $r.Error)
        $r.Output | Should -Match '(?m)^mode Save\s*$'
        $r.Output | Should -Match '(?m)^is True\s*$'
        $r.Output | Should -Match '(?m)^list List`1\s*$'
        $r.Output | Should -Match '(?m)^summary 1\s*$'
    }
}
