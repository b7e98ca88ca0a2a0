<#
.SYNOPSIS
    The daily job: orders created or changed in the last -Days days, from a CRM export, mapped and sent to Metrica.
.DESCRIPTION
    Runs Import-CrmOrder -RejectPath | Convert-MetricaStatus | Send-MetricaConversion -Wait on the orders whose
    CreateDateTime or UpdateDateTime falls within the last -Days days, and writes one UTF-8 log per run to -LogFolder
    (daily-upload-<yyyyMMdd-HHmmss-fff>.log: the Import and Send summaries and every error's FullyQualifiedErrorId
    and message). Rejected rows go to daily-upload-<same stamp>.rejects.csv next to the log.

    With -ConversionsPath it then sends a CRM export of offline conversions (Import-CrmConversion |
    Send-MetricaOfflineConversion -Wait; its rejected rows go to daily-upload-<same stamp>.conversions.rejects.csv).
    Metrica reports how many of their rows it linked to visitors: the log states the linked share next to the share
    of the last 7 final uploads of the counter (from the upload journal), and a share below -MinLinkedPercent, or
    below -SharpDropRatio times that average, is exit code 5: ClientIDs that broke (a site change, a renamed CRM
    field) upload every day and link nothing. Metrica reports no linkage for orders; the log says so.

    The token comes from the module's credentials chain (vault, Connect-Metrica, METRICA_TOKEN...): never put it on
    the task's command line. See docs/scheduled-tasks.md.

    EXIT CODES (Task Scheduler's "Last Run Result"):
      0  every selected order was sent and Metrica validated its upload
      1  some rows were rejected (see the log and the rejects file); the rest was sent
      2  an upload failed (refused, validation FAILED), is still pending after -Wait, or orders were kept unsent
         (Pending: a 5xx after every retry, the day's quota) or not sent; the next run sends what was kept
      3  configuration or access error: token missing, HTTP 401/403, counter not found, bad -StatusMap or export path,
         an export whose columns cannot be read (MissingColumn, AmbiguousColumn, its encoding)
      4  the previous run still holds the lock (daily-upload.lock in -LogFolder); nothing was done
      5  the conversions were sent, but Metrica linked too few of them: the linked share is below -MinLinkedPercent
         or dropped sharply (below -SharpDropRatio times the average of the last 7 final uploads); see LINKAGE in the log
    3 wins over 2, 2 over 5, and 5 over 1. The codes follow from the summaries' counts: rows rejected by
    Import-CrmOrder, Convert-MetricaStatus (unmapped) or Send-MetricaConversion are 1; Failed, Pending or NotSent
    orders, or no Send summary at all, are 2.
.EXAMPLE
    powershell.exe -NoProfile -NonInteractive -File C:\Tasks\Invoke-DailyUpload.ps1 -OrdersPath D:\Export\orders.csv -StatusMap C:\Tasks\statuses.psd1 -CounterId 12345 -LogFolder C:\Tasks\logs
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $OrdersPath,
    # A .psd1/.json/.csv map file or a hashtable (see Convert-MetricaStatus -Map).
    [Parameter(Mandatory)] [object] $StatusMap,
    # 0: the counter of Connect-Metrica.
    [long] $CounterId,
    [string] $LogFolder = [IO.Path]::Combine($PSScriptRoot, 'logs'),
    [ValidateRange(1, 3650)] [int] $Days = 3,
    # How long Send-MetricaConversion -Wait waits for Metrica's validation; an upload still pending then is exit code 2.
    [timespan] $WaitTimeout = '00:10:00',
    # Absent: this machine's zone (see Import-CrmOrder -TimeZone).
    [string] $TimeZone,
    # For rehearsals against the sandbox; a real job uses the credentials chain (never a token in the task).
    [string] $ApiBaseUri,
    [securestring] $Token,
    # Optional: a CRM export of offline conversions (ClientId, Target, DateTime...) sent after the orders.
    [string] $ConversionsPath,
    # How long Send-MetricaOfflineConversion -Wait waits for Metrica to process them (up to 2 hours); then exit code 2.
    [timespan] $ConversionWaitTimeout = '03:00:00',
    # Exit code 5 when Metrica linked less than this percentage of the conversions' rows.
    [ValidateRange(0, 100)] [double] $MinLinkedPercent = 10,
    # Exit code 5 when the share is below this fraction of the last 7 final uploads' share (0.5: under half; 0: no such check).
    [ValidateRange(0, 1)] [double] $SharpDropRatio = 0.5
)

$ExitAllSent = 0; $ExitRejected = 1; $ExitUploadFailed = 2; $ExitConfiguration = 3; $ExitLocked = 4; $ExitNotLinked = 5

# Errors that no retry tomorrow will fix: the admin has to change the token, the rights or the task.
$configurationIds = @('MetricaTokenMissing', 'MetricaSecretUnavailable', 'MetricaSecretManagementUnavailable',
    'MetricaSecretInvalidType', 'MetricaCounterIdMissing', 'MetricaInvalidToken', 'MetricaUnauthorized',
    'MetricaAccessDenied', 'MetricaHttp401', 'MetricaHttp403', 'MetricaHttp404', 'MetricaNotFound', 'InvalidTimeZone',
    'MetricaProxyCredentialWithoutProxy', 'StatusMapMissing', 'InvalidStatusMap', 'StatusMapNotFound', 'DailyUploadConfiguration',
    # The export itself cannot be read: its columns or encoding changed, which the admin must map.
    'MissingColumn', 'AmbiguousColumn', 'UnsupportedEncoding', 'FileUnreadable', 'FileNotFound',
    # The journal cannot be opened (damaged, read-only, a folder in its place): the admin must move it or point elsewhere.
    'UploadJournalUnavailable', 'UploadJournalForAnotherApi')

# The logs and rejects hold phones and e-mails: on Linux and macOS a folder made here is the owner's alone (0700) and
# each log 0600 (Windows: the folder inherits its parent's ACL, so keep -LogFolder under the task account's profile).
$ownerOnly = $PSVersionTable.PSVersion.Major -ge 7 -and -not $IsWindows
$newFolder = -not [IO.Directory]::Exists($LogFolder)
[void][IO.Directory]::CreateDirectory($LogFolder)
if ($ownerOnly -and $newFolder) { [IO.File]::SetUnixFileMode($LogFolder, [IO.UnixFileMode]'UserRead, UserWrite, UserExecute') }
$stamp = [DateTime]::Now.ToString('yyyyMMdd-HHmmss-fff')
$logPath = [IO.Path]::Combine($LogFolder, "daily-upload-$stamp.log")
$rejectPath = [IO.Path]::Combine($LogFolder, "daily-upload-$stamp.rejects.csv")
$log = [Collections.Generic.List[string]]::new()
function Write-Log([string] $Text) { $log.Add([DateTime]::Now.ToString('yyyy-MM-dd HH:mm:ss') + ' ' + $Text) }
# A plain sum, not Measure-Object: the script also runs in hosts that have only the core cmdlets (MetricaCrm.Shell).
function Get-Total([object[]] $Summaries, [string[]] $Property) {
    [long] $total = 0
    foreach ($s in $Summaries) { foreach ($p in $Property) { $total += $s.$p } }
    $total
}
function Save-Log([int] $Code) {
    Write-Log "Exit code $Code"
    # UTF-8 with BOM: Windows PowerShell's Get-Content and Notepad read Cyrillic messages correctly.
    [IO.File]::WriteAllLines($logPath, $log, [Text.UTF8Encoding]::new($true))
    if ($ownerOnly) { [IO.File]::SetUnixFileMode($logPath, [IO.UnixFileMode]'UserRead, UserWrite') }
}

# The OS drops a dead process's handle, so a lock file left behind by a crash does not block the next run.
$lockPath = [IO.Path]::Combine($LogFolder, 'daily-upload.lock')
try {
    $lock = [IO.File]::Open($lockPath, [IO.FileMode]::OpenOrCreate, [IO.FileAccess]::ReadWrite, [IO.FileShare]::None)
    if ($ownerOnly) { [IO.File]::SetUnixFileMode($lockPath, [IO.UnixFileMode]'UserRead, UserWrite') }
}
catch [IO.IOException] {
    Write-Log "The previous run still holds $lockPath; nothing was done."
    $PSCmdlet.WriteWarning("The previous run still holds $lockPath; nothing was done.")
    Save-Log $ExitLocked
    exit $ExitLocked
}

$errors = [Collections.Generic.List[Management.Automation.ErrorRecord]]::new()
$uploads = @()
$importInfo = $null; $convertInfo = $null; $sendInfo = $null; $sendWarnings = @()
try {
    $pid_ = [Text.Encoding]::ASCII.GetBytes("$PID`n")
    $lock.SetLength(0); $lock.Write($pid_, 0, $pid_.Length); $lock.Flush()

    $since = [DateTimeOffset]::Now.AddDays(-$Days)
    Write-Log "Orders created or changed since $($since.ToString('yyyy-MM-dd HH:mm:ss zzz')) from $OrdersPath"

    $import = @{ Path = $OrdersPath; RejectPath = $rejectPath }
    if ($TimeZone) { $import.TimeZone = $TimeZone }
    $send = @{ Wait = $true; WaitTimeout = $WaitTimeout; PollInterval = [timespan]::FromSeconds([Math]::Min(5, [Math]::Max(1, $WaitTimeout.TotalSeconds / 2))) }
    if ($CounterId -gt 0) { $send.CounterId = $CounterId }
    if ($ApiBaseUri) { $send.ApiBaseUri = $ApiBaseUri }
    if ($Token) { $send.Token = $Token }

    try {
        if (-not [IO.File]::Exists($OrdersPath)) {
            throw [Management.Automation.ErrorRecord]::new([IO.FileNotFoundException]::new("The CRM export '$OrdersPath' does not exist."),
                'DailyUploadConfiguration', 'ObjectNotFound', $OrdersPath)
        }
        $uploads = @(Import-CrmOrder @import -InformationVariable importInfo -ErrorVariable +errors |
            Where-Object { $_.CreateDateTime -ge $since -or ($null -ne $_.UpdateDateTime -and $_.UpdateDateTime -ge $since) } |
            Convert-MetricaStatus -Map $StatusMap -InformationVariable convertInfo -ErrorVariable +errors |
            Send-MetricaConversion @send -InformationVariable sendInfo -ErrorVariable +errors -WarningVariable sendWarnings)
    }
    catch {
        # A terminating error (no token, no access, bad map): the pipeline stopped, the log says why.
        $PSCmdlet.WriteError($_)
        $errors.Add($_)
    }
    if ($ConversionsPath) {
        try {
            if (-not [IO.File]::Exists($ConversionsPath)) {
                throw [Management.Automation.ErrorRecord]::new([IO.FileNotFoundException]::new("The conversions export '$ConversionsPath' does not exist."),
                    'DailyUploadConfiguration', 'ObjectNotFound', $ConversionsPath)
            }
            $import.Path = $ConversionsPath; $import.RejectPath = [IO.Path]::Combine($LogFolder, "daily-upload-$stamp.conversions.rejects.csv")
            $send.WaitTimeout = $ConversionWaitTimeout
            $send.PollInterval = [timespan]::FromSeconds([Math]::Min(30, [Math]::Max(1, $ConversionWaitTimeout.TotalSeconds / 2)))
            # The same variables with '+': the totals and exit codes below count the conversions as they count the orders.
            $uploads += @(Import-CrmConversion @import -InformationVariable +importInfo -ErrorVariable +errors |
                Send-MetricaOfflineConversion @send -InformationVariable +sendInfo -ErrorVariable +errors -WarningVariable +sendWarnings)
        }
        catch {
            $PSCmdlet.WriteError($_)
            $errors.Add($_)
        }
    }

    $importSummary = @($importInfo | Where-Object { $_.Tags -contains 'Summary' } | ForEach-Object MessageData)
    $convertSummary = @($convertInfo | Where-Object { $_.Tags -contains 'Summary' } | ForEach-Object MessageData)
    $sendSummary = @($sendInfo | Where-Object { $_.Tags -contains 'Summary' } | ForEach-Object MessageData)
    foreach ($s in $importSummary) { Write-Log "Import: read $($s.Read), emitted $($s.Emitted), rejected $($s.Rejected)" }
    foreach ($s in $convertSummary) { Write-Log "Convert: received $($s.Received), mapped $($s.Mapped), skipped $($s.Skipped), unmapped $($s.Unmapped)" }
    foreach ($s in $sendSummary) {
        Write-Log ("Send: received $($s.Received), sent $($s.Sent), unchanged $($s.Unchanged), rejected $($s.Rejected), " +
            "skipped $($s.Skipped), failed $($s.Failed), pending $($s.Pending), not sent $($s.NotSent)")
        # The share and the trailing average, or why there is none (orders: Metrica reports no linkage).
        if ($null -ne $s.Linkage) { Write-Log "Send linkage: $($s.Linkage)" }
    }
    $linkageProblems = @(foreach ($s in $sendSummary) { if ($null -ne $s.Linkage -and ($p = $s.Linkage.Problem($MinLinkedPercent, $SharpDropRatio))) { $p } })
    foreach ($p in $linkageProblems) { Write-Log "LINKAGE $p" }
    # Without -PassThru the send writes only MetricaUpload objects; its summary is in the information stream.
    foreach ($u in $uploads) { Write-Log "Upload $($u.UploadId): $($u.Status), $($u.RowsSent) rows" }
    foreach ($w in $sendWarnings) { Write-Log "WARNING $($w.Message)" }
    foreach ($e in $errors) { Write-Log "ERROR $($e.FullyQualifiedErrorId): $($e.Exception.Message)" }

    $ids = @($errors | ForEach-Object { $_.FullyQualifiedErrorId.Split(',')[0] })
    $statusCodes = @($errors | ForEach-Object { $_.Exception.StatusCode } | Where-Object { $null -ne $_ } | ForEach-Object { [int]$_ })
    $pending = @($uploads | Where-Object { -not ($_.IsFinal -and -not $_.Failed) })
    # -Wait reports an upload Metrica had not listed as final by -WaitTimeout only as this warning.
    $pending += @($sendWarnings | Where-Object { $_.Message -match '^Upload \S+ was not final within' })
    # Orders not sent, from the counts: kept for the next run (Pending), refused (Failed), or never sent (NotSent).
    $notDone = Get-Total $sendSummary Failed, Pending, NotSent
    $rejected = (Get-Total $importSummary Rejected) + (Get-Total $convertSummary Unmapped) + (Get-Total $sendSummary Rejected)

    $code = $ExitAllSent
    if (@($ids | Where-Object { $configurationIds -contains $_ }).Count -or @($statusCodes | Where-Object { $_ -in 401, 403 }).Count) {
        $code = $ExitConfiguration
    }
    elseif ($sendSummary.Count -lt $(if ($ConversionsPath) { 2 } else { 1 }) -or $notDone -gt 0 -or $pending.Count) {
        # A Send summary missing: its pipeline stopped before the send ended, so nothing is known to be sent.
        $code = $ExitUploadFailed
    }
    elseif ($linkageProblems.Count) {
        $code = $ExitNotLinked
    }
    elseif ($rejected -gt 0) {
        $code = $ExitRejected
    }
    Save-Log $code
    exit $code
}
finally {
    $lock.Dispose()
}
