<#
.SYNOPSIS
    Builds, tests and packages MetricaCrm. Wraps the same dotnet commands as README.md, for people with PowerShell.
.EXAMPLE
    ./build.ps1                 # Build
    ./build.ps1 -Task Test      # xUnit suites (dotnet test) and then Pester in each installed edition
    ./build.ps1 -Task Package   # out/MetricaCrm.<version>.nupkg for Install-PSResource / Install-Module from a folder
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Pester', 'Package', 'Sample', 'Benchmark')]
    [string[]] $Task = 'Build',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Debug'
)
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

function Invoke-Step([string] $Name, [scriptblock] $Body) {
    Write-Host "== $Name" -ForegroundColor Cyan
    & $Body
    if ($LASTEXITCODE) { throw "$Name failed with exit code $LASTEXITCODE" }
}

foreach ($t in $Task) {
    switch ($t) {
        'Build' { Invoke-Step 'Build' { dotnet build MetricaCrm.sln -c $Configuration } }
        'Test' {
            Invoke-Step 'xUnit' { dotnet test MetricaCrm.sln -c $Configuration }
            & $PSCommandPath -Task Pester -Configuration $Configuration
        }
        'Pester' {
            # A fresh process per edition: in-process tests cannot prove a clean Import-Module.
            $hosts = @('pwsh', 'powershell') | Where-Object { Get-Command $_ -ErrorAction SilentlyContinue }
            foreach ($h in $hosts) {
                Invoke-Step "Pester ($h)" {
                    & $h -NoProfile -Command "Import-Module Pester -MinimumVersion 5.0; `$r = Invoke-Pester -Path '$PSScriptRoot/tests/pester' -PassThru; exit `$r.FailedCount"
                }
            }
        }
        'Package' {
            Invoke-Step 'Build' { dotnet build MetricaCrm.sln -c $Configuration }
            # The same MSBuild target the module tests run: module folder at the package root plus MetricaCrm.nuspec.
            Invoke-Step 'Package' { dotnet msbuild src/MetricaCrm/MetricaCrm.csproj -t:PackModule -p:Configuration=$Configuration -nologo -v:m }
        }
        'Sample' { Invoke-Step 'Sample' { dotnet run --project src/MetricaCrm.Shell -- --sandbox samples/Send-SampleOrders.ps1 } }
        'Benchmark' { Invoke-Step 'Benchmark' { dotnet run -c Release --project tests/MetricaCrm.Benchmarks -- --rows 1000000 } }
    }
}
