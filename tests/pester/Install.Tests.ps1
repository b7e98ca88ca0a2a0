# The package as an admin installs it (README, "Installing on a Windows server without internet"): build.ps1 -Task
# Package, a folder repository, Install-PSResource, then Import-Module MetricaCrm by name in a new process and a send.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $sandbox = Start-TestSandbox
    $root = Get-RepoRoot
    # PSResourceGet keeps its repositories and CurrentUser modules under the user's data folder: a HOME of its own
    # keeps the machine's registrations and modules out of the test, and the test's out of the machine.
    $home_ = Join-Path $TestDrive 'home'
    $modules = Join-Path $home_ '.local/share/powershell/Modules'
    # .NET answers an empty user data folder when it does not exist yet, and PSResourceGet would then write its
    # repository list to the current directory.
    [void][IO.Directory]::CreateDirectory($modules)
    $environment = @{ HOME = $home_; XDG_DATA_HOME = (Join-Path $home_ '.local/share'); PSModulePath = $modules
        METRICA_JOURNAL = (Join-Path $TestDrive 'journal.db') }

    $build = Invoke-FreshPwsh -File (Join-Path $root 'build.ps1') -ArgumentList '-Task', 'Package'
    $manifest = Import-PowerShellDataFile (Join-Path $root 'module/MetricaCrm.psd1')
    $package = Join-Path $root "out/MetricaCrm.$($manifest.ModuleVersion).nupkg"
    $repository = Join-Path $TestDrive 'packages'
    [void][IO.Directory]::CreateDirectory($repository)
    if (Test-Path $package) { Copy-Item $package $repository }
}
AfterAll { Stop-TestSandbox $sandbox }

Describe 'The MetricaCrm package' {
    It 'is built by build.ps1 -Task Package, without the reference System.Management.Automation.dll' {
        $build.ExitCode | Should -Be 0 -Because ($build.Output + $build.Error)
        $package | Should -Exist
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($package)
        try { $entries = $zip.Entries.FullName } finally { $zip.Dispose() }
        $entries | Should -Contain 'MetricaCrm.psd1'
        $entries | Should -Contain 'MetricaCrm.nuspec'
        $entries | Should -Contain 'en-US/MetricaCrm.dll-Help.xml'
        $entries | Where-Object { $_ -like '*System.Management.Automation.dll' } | Should -BeNullOrEmpty
    }

    It 'installs with Install-PSResource from a folder repository, imports by name in a new process and sends' {
        $install = Invoke-FreshPwsh -Environment $environment -Command @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name MetricaLocal -Uri '$repository' -Trusted
Install-PSResource MetricaCrm -Repository MetricaLocal -TrustRepository -Scope CurrentUser
(Get-InstalledPSResource MetricaCrm).Version.ToString()
"@
        $install.ExitCode | Should -Be 0 -Because ($install.Output + $install.Error)
        $install.Output.Trim() | Should -Be $manifest.ModuleVersion
        Join-Path $home_ '.local/share/PSResourceGet/PSResourceRepository.xml' | Should -Exist
        Get-ChildItem $modules -Recurse -Filter 'System.Management.Automation.dll' | Should -BeNullOrEmpty

        $orders = Join-Path $TestDrive 'orders.csv'
        . (Join-Path $root 'samples/SampleDates.ps1')
        [void](Copy-SampleWithRecentDates (Join-Path $root 'samples/orders.csv') $orders)
        $send = Invoke-FreshPwsh -Environment ($environment + @{ METRICA_API_URI = $sandbox.Uri.TrimEnd('/'); METRICA_TOKEN = 'sandbox-token' }) -Command @"
`$ErrorActionPreference = 'Stop'
Import-Module MetricaCrm
(Get-Module MetricaCrm).ModuleBase
`$u = Import-CrmOrder '$orders' -TimeZone 'Europe/Moscow' | Convert-MetricaStatus -Map '$(Join-Path $root 'samples/statuses.psd1')' |
    Send-MetricaConversion -CounterId 4242 -Wait
"uploaded `$((`$u | Measure-Object RowsSent -Sum).Sum) `$((`$u.Status | Sort-Object -Unique) -join ',')"
"@
        $send.ExitCode | Should -Be 0 -Because ($send.Output + $send.Error)
        $send.Output | Should -Match ([regex]::Escape((Join-Path $modules 'MetricaCrm')))
        $send.Output | Should -Match 'uploaded 20 PASSED'
        (Invoke-RestMethod "$($sandbox.Uri)sandbox/counters/4242/orders").Count | Should -Be 20
    }
}
