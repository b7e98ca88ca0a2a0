# The main job: CRM orders -> Metrica statuses -> simple_orders upload, then the upload's status.
# Against the sandbox: dotnet run --project src/MetricaCrm.Shell -- --sandbox samples/Send-SampleOrders.ps1
# Against a real counter: set METRICA_TOKEN (or pass -Token) and use your counter id.
param([long] $CounterId = 12345)
. "$PSScriptRoot/SampleDates.ps1"

$work = New-SampleFolder
$orders = Copy-SampleWithRecentDates "$PSScriptRoot/orders.csv" ([IO.Path]::Combine($work, 'orders.csv'))

$uploads = Import-CrmOrder $orders -TimeZone 'Europe/Moscow' |
    Convert-MetricaStatus -Map "$PSScriptRoot/statuses.psd1" |
    Send-MetricaConversion -CounterId $CounterId -Wait

$uploads
$uploads | Get-MetricaUploadStatus
