# Pipelines as admins write them, between the module's cmdlets and PowerShell's own (Import-Csv, Where-Object,
# Select-Object, ForEach-Object, Get-ChildItem), judged by what the sandbox stored.
Describe 'Pipelines between the module and PowerShell cmdlets' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1')
        $script:Sandbox = Start-TestSandbox
        Import-Module (Get-ModuleManifest) -Force
        Connect-Metrica -CounterId 4242 -Token (Get-SandboxToken) -ApiBaseUri $Sandbox.Uri
        $script:Map = @{ new = 'IN_PROGRESS'; paid = 'PAID'; cancelled = 'CANCELLED' }
        $script:Orders = New-OrderCsv (Join-Path $TestDrive 'orders.csv') @(
            @{ id = 'P-1'; phones = '8 (951) 254-60-93'; order_status = 'paid'; revenue = '1500.50'; currency = 'RUB' }
            @{ id = 'P-2'; emails = 'Two@Example.ru'; order_status = 'new'; revenue = '0' }
            @{ id = 'P-3'; client_ids = '1644302575743358107'; order_status = 'cancelled'; revenue = '320' }
            @{ id = 'P-4'; phones = '+7 978 196-56-84'; order_status = 'paid'; revenue = '99' })
        $script:Journal = 0
        function script:NextJournal { $script:Journal++; Join-Path $TestDrive "j$script:Journal.db" }
    }
    AfterAll {
        Disconnect-Metrica -ErrorAction SilentlyContinue
        Stop-TestSandbox $Sandbox
    }

    It 'Import-Csv | Import-CrmOrder | Convert-MetricaStatus | Send-MetricaConversion stores every row with its mapped status' {
        Import-Csv $Orders | Import-CrmOrder -TimeZone 'Europe/Moscow' | Convert-MetricaStatus -Map $Map |
            Send-MetricaConversion -CounterId 5001 -JournalPath (NextJournal) -Wait | Out-Null
        $stored = Get-SandboxStored $Sandbox 5001
        $stored.Id | Should -Be @('P-1', 'P-2', 'P-3', 'P-4')
        ($stored | Where-Object Id -eq 'P-1').OrderStatus | Should -Be 'PAID'
        ($stored | Where-Object Id -eq 'P-3').OrderStatus | Should -Be 'CANCELLED'
        ($stored | Where-Object Id -eq 'P-1').Phones | Should -Be @('79512546093')
        ($stored | Where-Object Id -eq 'P-2').Emails | Should -Be @('two@example.ru')
    }

    It 'Where-Object Revenue -gt 0 between Import and Send sends only the orders with revenue' {
        Import-CrmOrder $Orders | Where-Object Revenue -gt 0 | Convert-MetricaStatus -Map $Map |
            Send-MetricaConversion -CounterId 5002 -JournalPath (NextJournal) | Out-Null
        (Get-SandboxStored $Sandbox 5002).Id | Should -Be @('P-1', 'P-3', 'P-4')
    }

    It 'Where-Object on the mapped status (MetricaStatus -eq PAID) after Convert-MetricaStatus sends the paid ones' {
        Import-CrmOrder $Orders | Convert-MetricaStatus -Map $Map | Where-Object MetricaStatus -eq 'PAID' |
            Send-MetricaConversion -CounterId 5003 -JournalPath (NextJournal) | Out-Null
        (Get-SandboxStored $Sandbox 5003).Id | Should -Be @('P-1', 'P-4')
    }

    It 'Select-Object -First 2 stops the import early and sends exactly two orders' {
        Import-CrmOrder $Orders | Select-Object -First 2 | Convert-MetricaStatus -Map $Map |
            Send-MetricaConversion -CounterId 5004 -JournalPath (NextJournal) | Out-Null
        (Get-SandboxStored $Sandbox 5004).Id | Should -Be @('P-1', 'P-2')
    }

    It 'ForEach-Object that changes a phone and a revenue sends the changed values' {
        Import-CrmOrder $Orders | Where-Object Id -eq 'P-2' |
            ForEach-Object { $_.Phones = '79990001122'; $_.Revenue = 777; $_ } |
            Convert-MetricaStatus -Map $Map | Send-MetricaConversion -CounterId 5005 -JournalPath (NextJournal) | Out-Null
        $stored = Get-SandboxStored $Sandbox 5005
        $stored.Id | Should -Be 'P-2'
        $stored.Phones | Should -Be @('79990001122')
        $stored.Revenue | Should -Be 777
    }

    It 'Import-Csv rows with a MetricaStatus column go straight into Send-MetricaConversion' {
        $rows = Import-Csv $Orders | Select-Object *, @{ n = 'MetricaStatus'; e = { 'PAID' } }
        $rows | Send-MetricaConversion -CounterId 5006 -JournalPath (NextJournal) | Out-Null
        $stored = Get-SandboxStored $Sandbox 5006
        $stored.Id | Should -Be @('P-1', 'P-2', 'P-3', 'P-4')
        $stored.OrderStatus | Sort-Object -Unique | Should -Be 'PAID'
    }

    It 'Get-ChildItem *.csv | Import-CrmOrder reads every file (bound by FullName)' {
        $folder = New-Item -ItemType Directory (Join-Path $TestDrive 'many')
        New-OrderCsv (Join-Path $folder 'a.csv') @(@{ id = 'F-1'; phones = '79512546093'; order_status = 'paid' }) | Out-Null
        New-OrderCsv (Join-Path $folder 'b.csv') @(@{ id = 'F-2'; phones = '79781965684'; order_status = 'new' }) | Out-Null
        $orders = Get-ChildItem $folder -Filter *.csv | Import-CrmOrder
        $orders.Id | Sort-Object | Should -Be @('F-1', 'F-2')
        ($orders | ForEach-Object { Split-Path $_.SourceFile -Leaf }) | Sort-Object | Should -Be @('a.csv', 'b.csv')
    }

    It 'Import-Csv contacts | Import-CrmClient | Send-MetricaContact stores the contacts' {
        $csv = Join-Path $TestDrive 'contacts.csv'
        @('uniq_id,name,phones,emails,create_date_time'
            "K-1,Anna,+7 951 254-60-93,Anna@Example.ru,$([datetime]::Today.AddDays(-30).ToString('yyyy-MM-dd HH:mm:ss'))"
            "K-2,Ivan,,ivan@example.ru,$([datetime]::Today.AddDays(-10).ToString('yyyy-MM-dd HH:mm:ss'))") | Set-Content $csv
        Import-Csv $csv | Import-CrmClient | Where-Object Emails -like '*@example.ru' |
            Send-MetricaContact -CounterId 5007 -JournalPath (NextJournal) -Wait | Out-Null
        $stored = Get-SandboxStored $Sandbox 5007 contacts
        @($stored).Count | Should -Be 2
        ($stored | ConvertTo-Json -Depth 5) | Should -Match 'anna@example.ru'
        ($stored | ConvertTo-Json -Depth 5) | Should -Match '79512546093'
    }

    It 'Import-Csv sales | Import-CrmConversion | Send-MetricaOfflineConversion stores the conversions' {
        $csv = Join-Path $TestDrive 'sales.csv'
        $at = [datetime]::UtcNow.AddHours(3).AddDays(-1).ToString('dd.MM.yyyy HH:mm')
        @('ClientID;Цель;Дата и время;Сумма;Валюта', "133591247640966458;order_confirmed;$at;4 990,00;RUB",
            "133591247640966459;order_confirmed;$at;0;RUB") | Set-Content $csv -Encoding utf8
        Import-Csv $csv -Delimiter ';' | Import-CrmConversion -TimeZone 'Europe/Moscow' | Where-Object Price -gt 0 |
            Send-MetricaOfflineConversion -CounterId 5008 -JournalPath (NextJournal) -ErrorAction SilentlyContinue | Out-Null
        $stored = Get-SandboxStored $Sandbox 5008 conversions
        ($stored | ConvertTo-Json -Depth 5) | Should -Match '133591247640966458'
        ($stored | ConvertTo-Json -Depth 5) | Should -Not -Match '133591247640966459'
    }

    It 'Import-Csv calls | Import-CrmCall | Send-MetricaCall stores the calls' {
        $csv = Join-Path $TestDrive 'calls.csv'
        $at = [DateTimeOffset]::UtcNow.AddDays(-1).ToUnixTimeSeconds()
        @('ClientId,DateTime,PhoneNumber,TalkDuration,CallMissed,StaticCall,Tag,URL',
            "133591247640966458,$at,+74951234567,95,0,0,sales,https://shop.example/contacts") | Set-Content $csv
        Import-Csv $csv | Import-CrmCall | Send-MetricaCall -CounterId 5009 -NewGoalName 'Calls' -JournalPath (NextJournal) -ErrorAction SilentlyContinue | Out-Null
        $stored = Get-SandboxStored $Sandbox 5009 calls
        ($stored | ConvertTo-Json -Depth 5) | Should -Match '74951234567'
    }

    It 'Get-MetricaUploadJournal | Get-MetricaUploadStatus binds CounterId, UploadId and Kind of every kind by property name' {
        $journal = NextJournal
        Import-CrmOrder $Orders | Convert-MetricaStatus -Map $Map | Send-MetricaConversion -CounterId 5010 -JournalPath $journal | Out-Null
        $csv = Join-Path $TestDrive 'sales2.csv'
        @('ClientId,Target,DateTime', "133591247640966458,order_confirmed,$([DateTimeOffset]::UtcNow.AddDays(-1).ToUnixTimeSeconds())") | Set-Content $csv
        Import-CrmConversion $csv | Send-MetricaOfflineConversion -CounterId 5010 -JournalPath $journal -ErrorAction SilentlyContinue | Out-Null
        $batches = Get-MetricaUploadJournal -JournalPath $journal -CounterId 5010
        # The orders come in several sets of filled columns: one simple_orders batch (file) per set.
        $batches.Kind | ForEach-Object ToString | Sort-Object -Unique | Should -Be @('OfflineConversions', 'SimpleOrders')
        $status = $batches | Get-MetricaUploadStatus -ErrorAction Stop
        @($status).Count | Should -Be @($batches).Count
        ($status.UploadId | Sort-Object) | Should -Be ($batches.UploadId | Sort-Object)
    }

    It "Get-Content | ConvertFrom-Json of the docs' createattributes body | Set-MetricaAttribute -EntityType creates every attribute as documented" {
        # The documented body names no entity (the request's entity_type query parameter does): -EntityType gives it.
        $docs = Get-Content -Raw (Join-Path (Get-RepoRoot) 'tests/conformance/attributes/createattributes-example.json') | ConvertFrom-Json
        $changes = @($docs.attributes | Set-MetricaAttribute -CounterId 5011 -EntityType CONTACT -Confirm:$false)
        $changes.Change | ForEach-Object ToString | Should -Be @('Add', 'Add', 'Add')
        $listed = @(Get-MetricaAttribute -CounterId 5011 -EntityType CONTACT)
        ($listed | ForEach-Object { "$($_.Name)|$($_.TypeName)|$($_.Multivalued)|$($_.Humanized)" }) | Should -Be @(
            'dates_of_meetings|date|True|Даты обращений в магазин', 'age|numeric|False|Возраст', 'first_seen|date|False|Первый заказ')
        # An object naming another entity than -EntityType is refused before anything is sent.
        { [pscustomobject]@{ entity_type = 'ORDER'; name = 'branch' } | Set-MetricaAttribute -CounterId 5012 -EntityType CONTACT -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidAttribute*'
        @(Get-MetricaAttribute -CounterId 5012).Count | Should -Be 0
    }
}
