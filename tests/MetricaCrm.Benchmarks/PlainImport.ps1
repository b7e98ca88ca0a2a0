# The simplest hand-written version of Import-CrmOrder | Convert-MetricaStatus over the benchmark's orders file
# (OrderData.cs: UTF-8, ';', Russian headers), for the module-vs-script ratio. Core cmdlets only, as in the hosted
# engine (no Import-Csv, no Select-Object): lines split by hand, phones to digits, e-mails trimmed and lower-cased,
# amounts with spaces and a decimal comma, dates dd.MM.yyyy HH:mm, statuses through a hashtable; a row that does not
# fit is dropped. Cruder than the module: no libphonenumber, no per-field errors, no time zones.
param([string]$Path)

$statuses = @{ 'новый' = 'IN_PROGRESS'; 'в работе' = 'IN_PROGRESS'; 'оплачен' = 'PAID'; 'выполнен' = 'PAID'; 'отменён' = 'CANCELLED'; 'отменен' = 'CANCELLED' }
$culture = [System.Globalization.CultureInfo]::InvariantCulture

[System.IO.File]::ReadLines($Path) | ForEach-Object -Begin { $header = $true } -Process {
    if ($header) { $header = $false; return }
    $f = $_.Split(';')
    if ($f.Length -ne 10) { return }
    $created = [datetime]::MinValue
    if (-not [datetime]::TryParseExact($f[1], 'dd.MM.yyyy HH:mm', $culture, 'None', [ref]$created)) { return }
    $phones = @(foreach ($p in $f[4].Split(',')) {
        $d = $p -replace '\D', ''
        if ($d.Length -eq 11 -and $d[0] -eq '8') { $d = '7' + $d.Substring(1) }
        if ($d.Length -ne 11) { return }
        $d
    })
    $email = $f[5].Trim().ToLowerInvariant()
    if ($email -and ($email.IndexOf('@') -le 0 -or $email.IndexOf('@') -ne $email.LastIndexOf('@'))) { return }
    $amount = [decimal]0
    if (-not [decimal]::TryParse(($f[7] -replace '\s', '').Replace(',', '.'), 'AllowDecimalPoint', $culture, [ref]$amount)) { return }
    $status = $statuses[$f[6].ToLowerInvariant()]
    if (-not $status) { return }
    [pscustomobject]@{
        Id = $f[0]; CreateDateTime = $created; ClientUniqId = $f[2]; ClientIds = $f[3]; Phones = $phones; Emails = $email
        OrderStatus = $f[6]; MetricaStatus = $status; Revenue = $amount; Currency = $f[8]; Goals = $f[9]
    }
}
