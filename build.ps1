<#
.SYNOPSIS
    Builds, tests and packages MetricaCrm. Wraps the same dotnet commands as README.md, for people with PowerShell.
.EXAMPLE
    ./build.ps1                 # Build
    ./build.ps1 -Task Test      # xUnit suites and Pester in the repo's pwsh (dotnet test), then Pester in Windows PowerShell if present
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
            # dotnet test runs the Pester suite in the repo's pwsh too (AcceptanceSuiteTests); 5.1 is added where it exists.
            Invoke-Step 'xUnit and Pester (pwsh)' { dotnet test MetricaCrm.sln -c $Configuration }
            if (Get-Command powershell.exe -ErrorAction SilentlyContinue) {
                Invoke-Step 'Pester (Windows PowerShell)' { powershell.exe -NoProfile -NonInteractive -File "$PSScriptRoot/tests/pester/Invoke-AcceptanceSuite.ps1" }
            }
        }
        'Pester' {
            # A fresh process per edition, with the Pester the restore downloaded: the repo's pwsh (tool manifest), and
            # Windows PowerShell 5.1 where it is installed. In-process tests cannot prove a clean Import-Module.
            $suite = "$PSScriptRoot/tests/pester/Invoke-AcceptanceSuite.ps1"
            Invoke-Step 'Tools' { dotnet tool restore }
            Invoke-Step 'Pester (pwsh 7.6)' { dotnet tool run pwsh -NoProfile -NonInteractive -File $suite }
            if (Get-Command powershell.exe -ErrorAction SilentlyContinue) {
                Invoke-Step 'Pester (Windows PowerShell)' { powershell.exe -NoProfile -NonInteractive -File $suite }
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
