<#
.SYNOPSIS
    Runs the Pester acceptance suite (tests/pester/*.Tests.ps1) in this PowerShell with the Pester the build restored.
.DESCRIPTION
    Called by the xUnit test AcceptanceSuiteTests (so 'dotnet test MetricaCrm.sln' runs it) in a fresh
    'dotnet tool run pwsh -NoProfile', and by build.ps1 -Task Pester in each installed edition. Exits with the number
    of failed tests (1 if the run itself broke), and writes NUnit XML to -ResultPath.
#>
param(
    [string] $ResultPath = (Join-Path ([IO.Path]::GetTempPath()) 'metricacrm-pester.xml'),
    # A Pester.psd1; by default the one the module tests' restore downloaded (PackageDownload Pester).
    [string] $PesterManifest,
    # Run only the tests whose full name matches (Pester's -FullNameFilter), for working on one area.
    [string[]] $FullName
)
$ErrorActionPreference = 'Stop'
if (-not $PesterManifest) {
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $PesterManifest = Get-ChildItem (Join-Path $packages 'pester/5.*/tools/Pester.psd1') -ErrorAction SilentlyContinue |
        Sort-Object { [version]$_.Directory.Parent.Name } -Descending | Select-Object -First 1 -ExpandProperty FullName
    if (-not $PesterManifest) { Write-Error 'Pester is not restored: run dotnet restore MetricaCrm.sln (the module tests download it).'; exit 1 }
}
Import-Module $PesterManifest -Force
$config = New-PesterConfiguration
$config.Run.Path = $PSScriptRoot
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = $ResultPath
if ($FullName) { $config.Filter.FullName = $FullName }
$result = Invoke-Pester -Configuration $config
"pester: $($result.PassedCount) passed, $($result.FailedCount) failed, $($result.SkippedCount) skipped"
if ($result.Result -ne 'Passed' -and $result.FailedCount -eq 0) { exit 1 }
exit $result.FailedCount
