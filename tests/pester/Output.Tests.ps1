# What a user sees of every output type: Export-Csv and ConvertTo-Json (values, not type names; an orders export reads
# back), the default view at 120 columns (the columns that matter, no line over 120) and Format-List *.
Describe 'Output types: export, JSON and views' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1')
        $script:Sandbox = Start-TestSandbox
        Import-Module (Get-ModuleManifest) -Force
        $script:Api = @{ CounterId = 4300; Token = (Get-SandboxToken); ApiBaseUri = $Sandbox.Uri }
        $script:JournalPath = Join-Path $TestDrive 'j.db'
        $map = @{ new = 'IN_PROGRESS'; paid = 'PAID' }
        $ordersCsv = New-OrderCsv (Join-Path $TestDrive 'orders.csv') @(
            @{ id = 'ORDER-2026-000012345'; client_uniq_id = 'CLIENT-000000123456'; client_ids = '1644302575743358107,8917973994425390910'
                phones = '+7 (951) 254-60-93, 8 978 196-56-84'; emails = 'Anna.Smirnova@Example.ru;second.address@example.ru'
                order_status = 'paid'; revenue = '12 500,50'; currency = 'RUB'; goals = 'callback_request:150,order_confirmed'; products = 'shoe_red:2,box:1' }
            @{ id = 'O-2'; emails = 'ivan@example.ru'; order_status = 'new'; revenue = '0' })
        $script:Out = @{}
        $Out.Orders = @(Import-CrmOrder $ordersCsv -TimeZone 'Europe/Moscow' -InformationVariable importInfo)
        $Out.ImportSummary = @($importInfo | Where-Object Tags -contains 'Summary' | ForEach-Object MessageData)
        $sent = @($Out.Orders | Convert-MetricaStatus -Map $map | Send-MetricaConversion @Api -JournalPath $JournalPath)
        $Out.CrmUploads = @($sent | Where-Object { $_.PSObject.TypeNames -contains 'MetricaCrm.Engine.Metrica.MetricaUpload' })
        # Engine types live in the module's private load context: known by type name, not by [type] literal.
        # The same orders again: the journal counts them Unchanged, which the summary's view must show.
        $Out.UploadSummary = @($Out.Orders | Convert-MetricaStatus -Map $map | Send-MetricaConversion @Api -JournalPath $JournalPath -PassThru)
        $Out.Contacts = @(Import-CrmClient (Join-Path (Get-RepoRoot) 'samples/contacts.csv') -Attribute shoe_size, segment)

        $at = [DateTimeOffset]::UtcNow.AddDays(-1)
        $visitor = ConvertTo-Json -InputObject @(@{ clientId = '133591247640966458'; visits = @($at.AddHours(-1).ToString('o')) })
        Invoke-RestMethod "$($Sandbox.Uri)sandbox/counters/4300/visitors" -Method Post -Body $visitor -ContentType 'application/json' | Out-Null
        $sales = Join-Path $TestDrive 'sales.csv'
        @('ClientId,Target,DateTime,Price,Currency', "133591247640966458,order_confirmed,$($at.ToUnixTimeSeconds()),4990.5,RUB") | Set-Content $sales
        $Out.Conversions = @(Import-CrmConversion $sales)
        $Out.OfflineUploads = @($Out.Conversions | Send-MetricaOfflineConversion @Api -JournalPath $JournalPath -Comment 'shop sales' -Wait)
        $calls = Join-Path $TestDrive 'calls.csv'
        @('ClientId,DateTime,PhoneNumber,TalkDuration,CallMissed,StaticCall,Tag,URL',
            "133591247640966458,$($at.ToUnixTimeSeconds()),+74951234567,95,0,0,sales,https://shop.example/contacts") | Set-Content $calls
        $Out.Calls = @(Import-CrmCall $calls)
        $Out.JournalBatches = @(Get-MetricaUploadJournal -JournalPath $JournalPath)
        $Out.JournalRecords = @(Get-MetricaUploadJournal -JournalPath $JournalPath -CounterId 4300 -Kind SimpleOrders -RecordId 'ORDER-2026-000012345')
        $Out.ConnectionChecks = @(Test-MetricaConnection @Api -JournalPath $JournalPath)
        $Out.AttributeChanges = @(Set-MetricaAttribute @Api -EntityType ORDER -Name branch, segment -Confirm:$false)
        $Out.Attributes = @(Get-MetricaAttribute @Api)
        $Out.StatusChanges = @(Set-MetricaOrderStatus @Api -Confirm:$false -InputObject @(
                @{ Id = 'paid_online'; Humanized = 'Оплачен онлайн'; Type = 'PAID'; GoalActionIds = 'order_confirmed,callback_request' }
                @{ Id = 'delivery'; Humanized = 'Доставка'; Type = 'IN_PROGRESS' }))
        $Out.Statuses = @(Get-MetricaOrderStatus @Api)
        $Out.Products = @(Set-MetricaProduct @Api -InputObject 'shoe_red', 'box' -Confirm:$false)
        $bad = @{ CounterId = 4300; Token = (ConvertTo-SecureString 'not-the-token' -AsPlainText -Force); ApiBaseUri = $Sandbox.Uri }
        $Out.FailedChecks = @(Test-MetricaConnection @bad -JournalPath $JournalPath)

        # A cell that is a type's name instead of a value.
        $script:TypeNamePattern = '^(System\.[\w.`\[\], ]+|MetricaCrm\.[\w.`\[\]#]+)$'
        function script:Get-TypeNameCell([object[]] $Rows) {
            foreach ($row in $Rows) { foreach ($p in $row.PSObject.Properties) { if ("$($p.Value)" -match $TypeNamePattern) { "$($p.Name)=$($p.Value)" } } }
        }
    }
    AfterAll { Stop-TestSandbox $Sandbox }

    It 'produced every output type it inspects' {
        foreach ($name in 'Orders', 'ImportSummary', 'CrmUploads', 'UploadSummary', 'Contacts', 'Conversions', 'OfflineUploads', 'Calls',
            'JournalBatches', 'JournalRecords', 'ConnectionChecks', 'FailedChecks', 'AttributeChanges', 'Attributes', 'StatusChanges', 'Statuses', 'Products') {
            $Out[$name].Count | Should -BeGreaterThan 0 -Because "the fixture must produce $name"
        }
        $Out.UploadSummary[0].Unchanged | Should -Be 2
        $Out.OfflineUploads[0].LinkedQuantity | Should -Be 1
        @($Out.FailedChecks | Where-Object Verdict -eq 'Fail').Count | Should -BeGreaterThan 0
    }

    Context 'Export-Csv' {
        It 'writes no type name in any cell of <_>' -ForEach @('Orders', 'ImportSummary', 'CrmUploads', 'UploadSummary', 'Contacts', 'Conversions',
            'OfflineUploads', 'Calls', 'JournalBatches', 'JournalRecords', 'ConnectionChecks', 'AttributeChanges', 'Attributes', 'StatusChanges',
            'Statuses', 'Products') {
            $file = Join-Path $TestDrive "$_.csv"
            $Out[$_] | Export-Csv $file
            $rows = Import-Csv $file
            @($rows).Count | Should -Be $Out[$_].Count
            Get-TypeNameCell $rows | Should -BeNullOrEmpty
        }

        It 'writes an order''s phones, e-mails, ClientIDs, goals and products as comma-joined cells' {
            $row = $Out.Orders[0] | ConvertTo-Csv | ConvertFrom-Csv
            $row.Phones | Should -Be '79512546093,79781965684'
            $row.Emails | Should -Be 'anna.smirnova@example.ru,second.address@example.ru'
            $row.ClientIds | Should -Be '1644302575743358107,8917973994425390910'
            $row.Goals | Should -Be 'callback_request:150,order_confirmed'
            $row.Products | Should -Be 'shoe_red:2,box:1'
        }

        It 'round-trips the status schema: Export-Csv, then Import-Csv | Set-MetricaOrderStatus on another counter' {
            $file = Join-Path $TestDrive 'statuses.csv'
            $Out.Statuses | Export-Csv $file
            (Import-Csv $file | Where-Object Id -eq 'paid_online').GoalActionIds | Should -Be 'order_confirmed,callback_request'
            Import-Csv $file | Set-MetricaOrderStatus -CounterId 4301 -Token $Api.Token -ApiBaseUri $Api.ApiBaseUri -Confirm:$false | Out-Null
            $copy = Get-MetricaOrderStatus -CounterId 4301 -Token $Api.Token -ApiBaseUri $Api.ApiBaseUri | Where-Object Id -eq 'paid_online'
            @($copy.GoalActionIds) | Should -Be @('order_confirmed', 'callback_request')
            $copy.Humanized | Should -Be 'Оплачен онлайн'
        }

        It 'writes a contact''s attributes as name=value pairs' {
            ($Out.Contacts[0] | ConvertTo-Csv | ConvertFrom-Csv).Attributes | Should -Be 'shoe_size=38;segment=vip'
        }

        It 'round-trips orders: Export-Csv then Import-CrmOrder gives the same orders' {
            $file = Join-Path $TestDrive 'export.csv'
            $Out.Orders | Export-Csv $file
            $back = @(Import-CrmOrder $file -ErrorAction Stop)
            $back.Count | Should -Be $Out.Orders.Count
            foreach ($i in 0..($back.Count - 1)) {
                $a = $Out.Orders[$i]; $b = $back[$i]
                $b.Id | Should -Be $a.Id
                $b.CreateDateTime | Should -Be $a.CreateDateTime
                $b.ClientUniqId | Should -Be $a.ClientUniqId
                @($b.ClientIds) | Should -Be @($a.ClientIds)
                @($b.Phones) | Should -Be @($a.Phones)
                @($b.Emails) | Should -Be @($a.Emails)
                @($b.Goals) | Should -Be @($a.Goals)
                "$($b.Products)" | Should -Be "$($a.Products)"
                $b.Revenue | Should -Be $a.Revenue
                $b.Currency | Should -Be $a.Currency
                $b.OrderStatus | Should -Be $a.OrderStatus
            }
        }

        It 'round-trips order dates under the <_> culture, in which Export-Csv writes them' -ForEach @('ru-RU', 'en-US', 'de-DE') {
            $before = [cultureinfo]::CurrentCulture
            try {
                [cultureinfo]::CurrentCulture = $_
                $file = Join-Path $TestDrive "export-$_.csv"
                $Out.Orders | Export-Csv $file
                (Import-Csv $file)[0].CreateDateTime | Should -Be $Out.Orders[0].CreateDateTime.ToString()
                $back = @(Import-CrmOrder $file -ErrorAction Stop)
                $back.CreateDateTime | Should -Be $Out.Orders.CreateDateTime
            } finally { [cultureinfo]::CurrentCulture = $before }
        }

        It 'round-trips contacts with a birth date under the <_> culture: Export-Csv then Import-CrmClient' -ForEach @('ru-RU', 'en-US', 'Invariant') {
            $before = [cultureinfo]::CurrentCulture
            try {
                [cultureinfo]::CurrentCulture = if ($_ -eq 'Invariant') { [cultureinfo]::InvariantCulture } else { $_ }
                $source = Join-Path $TestDrive 'born.csv'
                @('uniq_id,name,birth_date,phones,emails,create_date_time',
                    "K-1,Anna,31.12.1990,+7 951 254-60-93;8 978 196-56-84,anna@example.ru,$([datetime]::Today.AddDays(-3).ToString('yyyy-MM-dd HH:mm'))") | Set-Content $source
                $contacts = @(Import-CrmClient $source -TimeZone 'Europe/Moscow')
                $file = Join-Path $TestDrive "contacts-$_.csv"
                $contacts | Export-Csv $file
                $back = @(Import-CrmClient $file -ErrorAction Stop)
                $back.UniqId | Should -Be 'K-1'
                $back.BirthDate | Should -Be ([datetime]'1990-12-31')
                $back.CreateDateTime | Should -Be $contacts.CreateDateTime
                @($back.Phones) | Should -Be @('79512546093', '79781965684')
                @($back.Emails) | Should -Be @('anna@example.ru')
            } finally { [cultureinfo]::CurrentCulture = $before }
        }

        It 'refuses a slash date without an offset that no value of its column and no culture settles (AmbiguousDate)' {
            # 03/04/2026: the 3rd of April or the 4th of March; the invariant culture writes no dates with '/' for anyone.
            $file = Join-Path $TestDrive 'slash.csv'
            @('id,create_date_time,phones', 'S-1,03/04/2026 10:00:00,79512546093') | Set-Content $file
            $before = [cultureinfo]::CurrentCulture
            try {
                [cultureinfo]::CurrentCulture = [cultureinfo]::InvariantCulture
                Import-CrmOrder $file -OrderStatus paid -ErrorVariable bad -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            } finally { [cultureinfo]::CurrentCulture = $before }
            $bad[0].FullyQualifiedErrorId | Should -BeLike 'AmbiguousDate,*'
        }
    }

    Context 'ConvertTo-Json' {
        It 'writes values, not type names, for <_>' -ForEach @('Orders', 'ImportSummary', 'CrmUploads', 'UploadSummary', 'Contacts', 'Conversions',
            'OfflineUploads', 'Calls', 'JournalBatches', 'JournalRecords', 'ConnectionChecks', 'AttributeChanges', 'Attributes', 'StatusChanges',
            'Statuses', 'Products') {
            $json = $Out[$_] | ConvertTo-Json -Depth 4
            $json | Should -Not -Match '"(System|MetricaCrm)\.[\w.`]+'
            @($json | ConvertFrom-Json).Count | Should -Be $Out[$_].Count
        }

        It 'writes multi-valued fields as arrays and attributes as an object' {
            $order = $Out.Orders[0] | ConvertTo-Json -Depth 4 | ConvertFrom-Json
            $order.Phones | Should -Be @('79512546093', '79781965684')
            $order.Products.Name | Should -Be @('shoe_red', 'box')
            $contact = $Out.Contacts[0] | ConvertTo-Json -Depth 4 | ConvertFrom-Json
            $contact.Attributes.shoe_size | Should -Be '38'
        }
    }

    Context 'Scripts keep using the multi-valued fields as lists' {
        It 'indexes, counts, enumerates and assigns an order''s phones' {
            $order = Import-CrmOrder (Join-Path $TestDrive 'orders.csv') | Select-Object -First 1
            $order.Phones.Count | Should -Be 2
            $order.Phones[1] | Should -Be '79781965684'
            $order.Phones -contains '79512546093' | Should -BeTrue
            @($order.Phones | ForEach-Object { $_.Length }) | Should -Be @(11, 11)
            $order.Phones = '79990001122'
            $order.PSObject.BaseObject.Phones | Should -Be @('79990001122')
            $order.Phones += '79990001133'
            $order.PSObject.BaseObject.Phones | Should -Be @('79990001122', '79990001133')
            $order.Attributes['branch'] = 'north'
            $order.PSObject.BaseObject.Attributes['branch'] | Should -Be 'north'
        }
    }

    Context 'Default views at 120 columns' {
        BeforeAll {
            $script:Views = @{
                Orders           = 'Id', 'Created', 'OrderStatus', 'MetricaStatus', 'Revenue', 'Phones', 'Emails', 'Line'
                Contacts         = 'UniqId', 'Name', 'Created', 'ClientIds', 'Phones', 'Emails', 'Line'
                Conversions      = 'Target', 'DateTime', 'ClientId', 'UserId', 'Yclid', 'PurchaseId', 'Price', 'Currency', 'Line'
                Calls            = 'DateTime', 'ClientId', 'PhoneNumber', 'TalkDuration', 'CallMissed', 'StaticCall', 'Tag', 'Line'
                CrmUploads       = 'DateTime', 'UploadId', 'Status', 'Elements', 'RowsSent', 'Entity', 'MergeMode', 'Format'
                OfflineUploads   = 'DateTime', 'UploadId', 'Status', 'Linked%', 'Linked', 'Rows', 'Valid', 'NoVisitor', 'NoGoal', 'Kind'
                UploadSummary    = 'Label', 'Received', 'Sent', 'Unchanged', 'Rejected', 'Skipped', 'Failed', 'Pending', 'NotSent', 'Uploads', 'Reconciles'
                JournalBatches   = 'Id', 'CounterId', 'Kind', 'State', 'Rows', 'MergeMode', 'StartedUtc', 'UploadId', 'Message'
                JournalRecords   = 'RecordId', 'State', 'UploadId', 'AtUtc', 'CreatedUtc', 'ClientId'
                ConnectionChecks = 'Check', 'Verdict', 'Detail', 'Fix'
                FailedChecks     = 'Check', 'Verdict', 'Detail', 'Fix'
                AttributeChanges = 'Change', 'EntityType', 'Name', 'Before', 'After'
                Attributes       = 'CounterId', 'EntityType', 'Name', 'TypeName', 'Multivalued', 'Humanized'
                StatusChanges    = 'Id', 'Change', 'Before', 'After'
                Statuses         = 'CounterId', 'Id', 'Humanized', 'Type', 'GoalActionIds'
                Products         = 'Name', 'Humanized'
            }
            # The rendering's header line: the first line whose next line is the dashes under the headers.
            function script:Get-HeaderLine([string] $Text) {
                $lines = $Text -split "`r?`n"
                for ($i = 0; $i -lt $lines.Count - 1; $i++) { if ($lines[$i + 1] -match '^[- ]+$' -and $lines[$i + 1] -match '--') { return $lines[$i] } }
            }
        }

        It 'shows the columns of <_> as a table, no line over 120' -ForEach @('Orders', 'Contacts', 'Conversions', 'Calls', 'CrmUploads', 'OfflineUploads',
            'UploadSummary', 'JournalBatches', 'JournalRecords', 'ConnectionChecks', 'FailedChecks', 'AttributeChanges', 'Attributes', 'StatusChanges',
            'Statuses', 'Products') {
            $text = $Out[$_] | Out-String -Width 120
            Get-LongLine $text | Should -BeNullOrEmpty
            $header = Get-HeaderLine $text
            $header | Should -Not -BeNullOrEmpty -Because "$_ should render as a table"
            @($header -split '\s+' | Where-Object { $_ }) | Should -Be $Views[$_]
        }

        It 'shows an upload''s whole date-time with its offset' {
            $text = $Out.CrmUploads | Out-String -Width 120
            $text | Should -Not -Match '…'
            $text | Should -Match ([regex]::Escape($Out.CrmUploads[0].DateTime.ToString('yyyy-MM-dd HH:mm:ss zzz')))
        }

        It 'shows an offline upload''s linked quantity and percent, not the CRM upload''s columns' {
            $text = $Out.OfflineUploads | Out-String -Width 120
            $row = ($text -split "`r?`n" | Where-Object { $_ -match 'PROCESSED' })
            $row | Should -Match 'PROCESSED\s+100\s+1\s+1\s+1\s'
            $text | Should -Not -Match 'MergeMode'
        }

        It 'keeps an upload''s status and an offline upload''s linkage in an 80-column log' {
            ($Out.CrmUploads | Out-String -Width 80) | Should -Match "$($Out.CrmUploads[0].UploadId) PASSED"
            ($Out.OfflineUploads | Out-String -Width 80) | Should -Match 'PROCESSED\s+100\s'
        }

        It 'shows the summary''s Unchanged and Pending counts' {
            $text = $Out.UploadSummary | Out-String -Width 120
            $line = ($text -split "`r?`n" | Where-Object { $_ -match '^Send-MetricaConversion' })
            $line -split '\s+' | Select-Object -Index 1, 2, 3, 7 | Should -Be @('2', '0', '2', '0')
        }

        It 'shows a journal record''s whole ClientId and RecordId on one line' {
            $text = $Out.JournalRecords | Out-String -Width 120
            $line = @($text -split "`r?`n" | Where-Object { $_ -match 'ORDER-2026-000012345' })
            $line.Count | Should -Be 1 -Because $text
            $line[0] | Should -Match 'CLIENT-000000123456\s*$'
        }

        It 'keeps the Fix column of the checks that fail and shows the whole fix' {
            $failed = $Out.FailedChecks | Where-Object Verdict -eq 'Fail' | Select-Object -First 1
            $failed.Fix | Should -Not -BeNullOrEmpty
            $text = $Out.FailedChecks | Out-String -Width 120
            $header = Get-HeaderLine $text
            $at = $header.IndexOf('Fix')
            $at | Should -BeGreaterThan 0
            $fixColumn = ($text -split "`r?`n" | Where-Object { $_.Length -gt $at } | ForEach-Object { $_.Substring($at).Trim() }) -join ' '
            ($fixColumn -replace '\s+', ' ') | Should -BeLike "*$(($failed.Fix -replace '\s+', ' ').Trim())*"
        }

        It 'Format-List * of <_> shows values, no type names' -ForEach @('Orders', 'Contacts', 'CrmUploads', 'OfflineUploads', 'UploadSummary',
            'JournalBatches', 'JournalRecords', 'ConnectionChecks', 'Conversions', 'Calls', 'AttributeChanges', 'Attributes', 'StatusChanges', 'Statuses') {
            $text = $Out[$_] | Format-List * | Out-String -Width 120
            $text | Should -Not -Match '(System\.(String|Object)\[\]|System\.Collections\.Generic|MetricaCrm\.Engine\.)'
        }

        It 'Format-List * of an order shows every phone and e-mail' {
            $text = $Out.Orders[0] | Format-List * | Out-String -Width 120
            $text | Should -Match 'Phones\s+: \{79512546093, 79781965684\}'
            $text | Should -Match 'Emails\s+: \{anna.smirnova@example.ru, second.address@example.ru\}'
        }
    }
}
