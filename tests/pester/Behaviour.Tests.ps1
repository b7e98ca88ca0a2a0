# What a user sees of this round's changes to the cmdlets, in a real pwsh (issues 20 and 21): literal paths, bare
# numbers on time spans, a status map checked before anything is sent, one token source, several phone columns, Bitrix24's quoting and birth dates.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-ModuleManifest) -Force
    $sandbox = Start-TestSandbox
    $token = Get-SandboxToken
    $day = (Get-Date).AddDays(-1).ToString('yyyy-MM-dd HH:mm')
    function Get-StoredCount([long] $CounterId) { @(Get-SandboxStored $sandbox -CounterId $CounterId).Count }
}
AfterAll { Stop-TestSandbox $sandbox }

Describe 'Files with wildcard characters in their names' {
    It 'reads orders[1].csv by -LiteralPath, by -Path and from Get-ChildItem, and a pattern that matches nothing is FileNotFound' {
        $dir = New-Item -ItemType Directory (Join-Path $TestDrive 'brackets')
        $file = Join-Path $dir 'orders[1].csv'
        Set-Content -LiteralPath $file -Encoding utf8 -Value 'id,create_date_time,emails', "B-1,$day,b@example.ru"
        (Import-CrmOrder -LiteralPath $file).Id | Should -Be 'B-1'
        (Import-CrmOrder $file).Id | Should -Be 'B-1'
        (Get-ChildItem -LiteralPath $dir | Import-CrmOrder).Id | Should -Be 'B-1'
        $err = $null
        try { Import-CrmOrder (Join-Path $dir 'none-*.csv') -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'FileNotFound,*'
    }
}

Describe 'Time spans' {
    It '-MaxAge 21 is three weeks, and a bare -RetryDelay is refused with the form to use' {
        $file = Join-Path $TestDrive 'ages.csv'
        Set-Content -LiteralPath $file -Encoding utf8 -Value 'id,create_date_time,emails,order_status',
            "T-1,$((Get-Date).AddDays(-2).ToString('yyyy-MM-dd HH:mm')),t1@example.ru,PAID", "T-2,$((Get-Date).AddDays(-40).ToString('yyyy-MM-dd HH:mm')),t2@example.ru,PAID"
        $summary = Import-CrmOrder $file | Send-MetricaConversion -CounterId 9201 -ApiBaseUri $sandbox.Uri -Token $token -NoJournal -MaxAge 21 -PassThru |
            Where-Object { $_ -is [MetricaCrm.Engine.Upload.UploadSummary] }
        $summary.Sent, $summary.Skipped | Should -Be 1, 1
        { Import-CrmOrder $file | Send-MetricaConversion -CounterId 9201 -ApiBaseUri $sandbox.Uri -Token $token -RetryDelay 5 } |
            Should -Throw -ExpectedMessage "*'00:00:05'*"
    }
}

Describe 'A status map checked before anything is sent' {
    It 'names the map entry whose value the counter lacks, and uploads nothing' {
        $file = Join-Path $TestDrive 'typo.csv'
        Set-Content -LiteralPath $file -Encoding utf8 -Value (@('id,create_date_time,emails,order_status') + (1..6 | ForEach-Object { "M-$_,$day,m$_@example.ru,$(if ($_ % 2) { 'оплачен' } else { 'новый' })" }))
        # A terminating error: the send stops at the first order, before any upload.
        $failed = $null
        try {
            Import-CrmOrder $file | Convert-MetricaStatus -Map @{ 'оплачен' = 'PAYED'; 'новый' = 'IN_PROGRESS' } |
                Send-MetricaConversion -CounterId 9202 -ApiBaseUri $sandbox.Uri -Token $token -NoJournal -BatchSize 2
        } catch { $failed = $_ }
        $failed.FullyQualifiedErrorId | Should -BeLike 'StatusMapNotForCounter,*'
        "$failed" | Should -Match "'оплачен' = 'PAYED'"
        Get-StoredCount 9202 | Should -Be 0
    }
}

Describe 'Token sources' {
    It 'refuses -Token with -Credential before any request' {
        $before = @(Get-SandboxRequest $sandbox).Count
        $err = $null
        try { Get-MetricaOrderStatus -CounterId 9203 -ApiBaseUri $sandbox.Uri -Token $token -Credential ([pscredential]::new('x', $token)) -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'MetricaTokenAmbiguous,*'
        @(Get-SandboxRequest $sandbox).Count | Should -Be $before
    }
}

Describe 'An amoCRM export' {
    It 'reads every phone and e-mail column, and names the identifier column it did not read with the map that reads it' {
        $file = Join-Path $TestDrive 'amocrm.csv'
        Set-Content -LiteralPath $file -Encoding utf8 -Value 'ID;Дата создания;Телефон;Мобильный телефон;Email;Личный email;additionalPhone',
            "301;$day;+7 999 555-11-11;8 999 555-22-22;a@example.ru;b@example.ru;+7 999 555-33-33"
        $order = Import-CrmOrder $file -WarningVariable warned -WarningAction SilentlyContinue
        @($order.Phones) | Should -Be @('79995551111', '79995552222')
        @($order.Emails) | Should -Be @('a@example.ru', 'b@example.ru')
        "$warned" | Should -Match "'additionalPhone'"
        "$warned" | Should -Match "-ColumnMap @\{ phones = 'Телефон', 'Мобильный телефон', 'additionalPhone' \}"
        @((Import-CrmOrder $file -ColumnMap @{ phones = 'Телефон', 'additionalPhone' } -WarningAction SilentlyContinue).Phones) | Should -Be @('79995551111', '79995553333')
    }
}

Describe 'Bitrix24 exports' {
    BeforeAll { $exports = Join-Path $PSScriptRoot '../MetricaCrm.Module.Tests/Exports' }

    It 'refuses a loader file that writes quotes as \" with the option that reads it, and -QuoteEscape Backslash reads it as written' {
        $file = Join-Path $exports 'bitrix24-loader-contacts.csv'
        $contacts = Import-CrmClient $file -ErrorVariable failed -ErrorAction SilentlyContinue
        $contacts | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'BackslashEscapedQuote,*'
        $failed[0].ErrorDetails.Message | Should -Match 'Fix: read the file with -QuoteEscape Backslash\.$'
        $read = Import-CrmClient $file -QuoteEscape Backslash
        $read.UserComment | Should -Be @('Директор ООО "Ромашка"; закупки', 'Папка C:\Clients\Пётр', $null)
    }

    It 'keeps a contact born before 1970 without its birth date, and says so in a warning' {
        $contacts = Import-CrmClient (Join-Path $exports 'bitrix24-contacts.csv') -WarningVariable warned -WarningAction SilentlyContinue
        $contacts.UniqId | Should -Be @('101', '102', '103')
        @($contacts)[1].BirthDate | Should -BeNullOrEmpty
        "$warned" | Should -Match "line 3: left out column 'Дата рождения', value '14\.03\.1965': .*\[DateBefore1970\]; .*the record is kept without them"
    }
}

Describe 'A bad phone beside good identifiers (issue 21)' {
    It 'is a warning that names the file, line, column and value, and the order is sent without it' {
        $file = Join-Path $TestDrive 'one-bad-phone.csv'
        Set-Content -LiteralPath $file -Encoding utf8 -Value 'id,create_date_time,emails,phones,order_status',
            "P-1,$day,p1@example.ru,`"+7 999 555-11-11, 12345, 73449932378`",PAID", "P-2,$day,,12345,PAID"
        $summary = Import-CrmOrder $file -WarningVariable warned -WarningAction SilentlyContinue -ErrorVariable rejected -ErrorAction SilentlyContinue |
            Send-MetricaConversion -CounterId 9205 -ApiBaseUri $sandbox.Uri -Token $token -NoJournal -PassThru |
            Where-Object { $_ -is [MetricaCrm.Engine.Upload.UploadSummary] }
        @($warned).Count | Should -Be 1
        "$($warned[0])" | Should -BeLike "$file, line 2: left out column 'phones', value '12345': a phone number of a length the RU numbering plan allows*"
        "$($warned[0])" | Should -Match '\(this one has 5 digits after \+7, too short\) \[InvalidPhone\]; the record is kept without it$'
        @($rejected).Count | Should -Be 1
        $rejected[0].FullyQualifiedErrorId | Should -Be 'InvalidPhone,MetricaCrm.Commands.ImportCrmOrderCommand'
        $summary.Sent | Should -Be 1
        $stored = @(Get-SandboxStored $sandbox -CounterId 9205)
        $stored.id | Should -Be 'P-1'
        @($stored[0].phones) | Should -Be @('79995551111', '73449932378')
        @($stored[0].emails) | Should -Be @('p1@example.ru')
    }
}

Describe 'A dry run (-WhatIf) against the upload journal' {
    It 'says what tomorrow''s send would upload (new, changed, unchanged), names the changed order with -Verbose, and leaves the journal as it was' {
        $journal = Join-Path $TestDrive 'preview-journal.db'
        $today = Join-Path $TestDrive 'preview-today.csv'
        $tomorrow = Join-Path $TestDrive 'preview-tomorrow.csv'
        $header = 'id,create_date_time,emails,order_status,revenue'
        Set-Content -LiteralPath $today -Encoding utf8 -Value (@($header) + (1..5 | ForEach-Object { "W-$_,$day,w$_@example.ru,PAID,$_" }))
        # Tomorrow W-3's revenue changes; the other four stay as Metrica has them.
        Set-Content -LiteralPath $tomorrow -Encoding utf8 -Value (@($header) + (1..5 | ForEach-Object { "W-$_,$day,w$_@example.ru,PAID,$(if ($_ -eq 3) { 300 } else { $_ })" }))
        $sent = Import-CrmOrder $today | Send-MetricaConversion -CounterId 9301 -ApiBaseUri $sandbox.Uri -Token $token -JournalPath $journal -PassThru |
            Where-Object { $_ -is [MetricaCrm.Engine.Upload.UploadSummary] }
        $sent.Sent | Should -Be 5
        $hashBefore = (Get-FileHash -LiteralPath $journal).Hash
        $writtenBefore = (Get-Item -LiteralPath $journal).LastWriteTimeUtc
        $uploadsBefore = @(Get-SandboxRequest $sandbox | Where-Object { $_.path -like '*simple_orders*' }).Count

        # In a fresh pwsh, where the What if lines and -Verbose reach the console as a user sees them.
        $run = Invoke-FreshPwsh -Command @"
Import-Module '$(Get-ModuleManifest)'
`$t = ConvertTo-SecureString 'sandbox-token' -AsPlainText -Force
Import-CrmOrder '$tomorrow' | Send-MetricaConversion -CounterId 9301 -ApiBaseUri '$($sandbox.Uri)' -Token `$t -JournalPath '$journal' -WhatIf -Verbose -InformationVariable iv
`$s = (`$iv | Where-Object Tags -contains 'Summary').MessageData
"SUMMARY New=`$(`$s.New) Changed=`$(`$s.Changed) Unchanged=`$(`$s.Unchanged) NotSent=`$(`$s.NotSent) Sent=`$(`$s.Sent)"
"@
        $text = $run.Output + $run.Error
        $text | Should -Match 'What if: Performing the operation "Upload 1 order\(s\) as simple_orders \(merge_mode=SAVE\): 0 new, 1 changed"'
        $text | Should -Match 'What if: Send-MetricaConversion would upload 1 of 5 order\(s\) as simple_orders to Metrica counter 9301: 0 new, 1 changed; 4 unchanged order\(s\) left out'
        $text | Should -Match 'VERBOSE: order W-3 \(.*preview-tomorrow\.csv, line 4\) changed since Metrica accepted it'
        $text | Should -Not -Match 'VERBOSE: order W-[1245] '
        $text | Should -Match 'SUMMARY New=0 Changed=1 Unchanged=4 NotSent=1 Sent=0'
        $text | Should -Not -Match 'Upload 5 order\(s\)'

        (Get-FileHash -LiteralPath $journal).Hash | Should -Be $hashBefore
        (Get-Item -LiteralPath $journal).LastWriteTimeUtc | Should -Be $writtenBefore
        @(Get-SandboxRequest $sandbox | Where-Object { $_.path -like '*simple_orders*' }).Count | Should -Be $uploadsBefore
    }
}
