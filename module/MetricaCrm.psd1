@{
    RootModule           = 'MetricaCrm.dll'
    # Loaded first: installs the resolver that isolates dependencies/ before MetricaCrm.dll's types are read.
    NestedModules        = @('MetricaCrm.Loader.dll')
    # The single version number: the build stamps it on the assemblies, so the User-Agent carries it too.
    ModuleVersion        = '0.1.0'
    GUID                 = '6f0b8a52-3c1e-4a5d-9a7e-2f4c6d8b1e90'
    Author               = 'MetricaCrm'
    CompanyName          = 'MetricaCrm'
    Copyright            = '(c) MetricaCrm. All rights reserved.'
    Description          = 'Moves CRM clients, orders and their statuses into Yandex Metrica (CRM/CDP API), safely and in bulk.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    DotNetFrameworkVersion = '4.7.2'
    CmdletsToExport      = @(
        'Import-CrmOrder', 'Import-CrmClient', 'Convert-MetricaStatus', 'Send-MetricaConversion',
        'Import-CrmConversion', 'Import-CrmCall', 'Send-MetricaOfflineConversion', 'Send-MetricaCall',
        'Send-MetricaContact', 'Send-MetricaOrder', 'Get-MetricaAttribute', 'Set-MetricaAttribute', 'Set-MetricaProduct',
        'Get-MetricaUploadStatus', 'Get-MetricaOrderStatus', 'Set-MetricaOrderStatus', 'Get-MetricaUploadJournal', 'Resume-MetricaUpload',
        'Connect-Metrica', 'Disconnect-Metrica', 'Test-MetricaConnection', 'Register-MetricaUploadTask'
    )
    FormatsToProcess     = @('MetricaCrm.Format.ps1xml')
    TypesToProcess       = @('MetricaCrm.Types.ps1xml')
    AliasesToExport      = @('Import-CrmOrders', 'Import-CrmClients', 'Send-MetricaConversions', 'Send-MetricaContacts', 'Send-MetricaClient', 'Send-MetricaOrders',
        'Import-CrmConversions', 'Import-CrmCalls', 'Send-MetricaOfflineConversions', 'Send-MetricaCalls')
    FunctionsToExport    = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Yandex', 'Metrica', 'Metrika', 'CRM', 'CDP', 'OfflineConversions', 'ETL',
                'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux')
            # No ProjectUri or LicenseUri: the project has no public address yet, and a made-up one would be shown by
            # Find-PSResource and Get-InstalledPSResource as if it were real.
            ReleaseNotes = '0.1.0: CRM contacts, orders and statuses, offline conversions and calls; credentials chain (SecretManagement), Connect-Metrica, Test-MetricaConnection, -Proxy.'
        }
    }
}
