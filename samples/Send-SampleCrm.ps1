# The detailed CRM path: contacts first (Metrica links orders only after their contact is known), then orders with
# their products and a custom attribute, as CSV and as JSON.
# Against the sandbox: dotnet run --project src/MetricaCrm.Shell -- --sandbox samples/Send-SampleCrm.ps1
param([long] $CounterId = 12345)
. "$PSScriptRoot/SampleDates.ps1"

$work = New-SampleFolder
$contacts = Copy-SampleWithRecentDates "$PSScriptRoot/contacts.csv" ([IO.Path]::Combine($work, 'contacts.csv'))
$deals = Copy-SampleWithRecentDates "$PSScriptRoot/deals.csv" ([IO.Path]::Combine($work, 'deals.csv'))

# The counter's schema once: the attributes the files carry (created only where missing; -Force: no prompt).
Set-MetricaAttribute -CounterId $CounterId -EntityType CONTACT -Name shoe_size -TypeName numeric -Force | Out-Null
Set-MetricaAttribute -CounterId $CounterId -EntityType CONTACT -Name segment -Force | Out-Null
Set-MetricaAttribute -CounterId $CounterId -EntityType ORDER -Name branch -Force | Out-Null
Set-MetricaProduct -CounterId $CounterId -InputObject 'sneakers', 'boots', 'socks', 'insoles' -Force | Out-Null

Import-CrmClient $contacts -TimeZone 'Europe/Moscow' -Attribute shoe_size, segment |
    Send-MetricaContact -CounterId $CounterId -Wait

Import-CrmOrder $deals -ItemsPath "$PSScriptRoot/deal_items.csv" -Attribute branch -TimeZone 'Europe/Moscow' |
    Convert-MetricaStatus -Map "$PSScriptRoot/statuses.psd1" |
    Send-MetricaOrder -CounterId $CounterId -Format Json -Wait
