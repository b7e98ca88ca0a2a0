# Shared by the samples (plain .NET calls: they also run in the engine hosted by MetricaCrm.Shell, which has only the core cmdlets): copies a sample CSV into a temporary folder with its dates moved so that the newest is
# yesterday. Metrica links orders only within 21 days of their creation, so fixed dates would age out of the window.
function Copy-SampleWithRecentDates([string] $Path, [string] $Destination) {
    $text = [IO.File]::ReadAllText($Path)
    $pattern = '\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}'
    $newest = [datetime]::MinValue
    foreach ($m in [regex]::Matches($text, $pattern)) {
        $date = [datetime]::ParseExact($m.Value, 'yyyy-MM-dd HH:mm:ss', $null)
        if ($date -gt $newest) { $newest = $date }
    }
    $shift = [datetime]::Today.AddDays(-1) - $newest.Date
    $moved = [regex]::Replace($text, $pattern, {
            param($m) [datetime]::ParseExact($m.Value, 'yyyy-MM-dd HH:mm:ss', $null).Add($shift).ToString('yyyy-MM-dd HH:mm:ss')
        })
    [IO.File]::WriteAllText($Destination, $moved, [Text.UTF8Encoding]::new($false))
    $Destination
}

function New-SampleFolder {
    $folder = [IO.Path]::Combine([IO.Path]::GetTempPath(), "metricacrm-sample-" + [guid]::NewGuid().ToString('N'))
    [void][IO.Directory]::CreateDirectory($folder)
    $folder
}
