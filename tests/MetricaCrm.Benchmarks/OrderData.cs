using System.Globalization;
using System.Text;

/// <summary>
/// Orders shaped like a real Russian CRM export (what Import-CrmOrder meets in the field), deterministic for a row count:
/// Russian headers, ';' separator, UTF-8 or Windows-1251; dates "dd.MM.yyyy HH:mm" in Moscow time within the last
/// 20 days; the CRM's own client id ("К-123", so "ID клиента" binds as client_uniq_id); a Metrica ClientID on half the
/// rows; phones in human formats (8 (999) 123-45-67, +7 999 123 45 67, ...), two in one cell on a tenth; mixed-case
/// e-mails with spaces around on four rows of five; CRM status words; amounts "1 234,50" (and plain "990" on a third);
/// "RUB" or "руб."; goals "callback_request:150,order_confirmed" on a fifth; about 3% bad rows (a wrong date, phone, e-mail or amount).
/// </summary>
static class OrderData
{
    public static readonly string[] Header =
        { "Номер заказа", "Дата создания", "ID клиента", "ClientID метрики", "Телефон", "Электронная почта", "Статус", "Сумма", "Валюта", "Цели" };

    /// <summary>The CRM's status words, in the proportions they appear.</summary>
    public static readonly string[] Statuses = { "Новый", "В работе", "Оплачен", "Оплачен", "Выполнен", "Отменён", "Оплачен", "Отменен" };

    /// <summary>The -Map for Convert-MetricaStatus (keys compare case- and ё-insensitively).</summary>
    public const string StatusMap = "@{ 'Новый' = 'IN_PROGRESS'; 'В работе' = 'IN_PROGRESS'; 'Оплачен' = 'PAID'; 'Выполнен' = 'PAID'; 'Отменён' = 'CANCELLED' }";

    private static readonly string[] Names = { "Ivan.Petrov", "OLGA.Smirnova", "petr_ivanov", "Anna.Kuznetsova", "SERGEY", "Maria.Popova", "d.sokolov", "Elena.Lebedeva" };
    private static readonly string[] Domains = { "Mail.Ru", "yandex.ru", "GMAIL.com", "Inbox.RU", "bk.ru" };

    /// <summary>A bad row every this many rows (about 3%): rejected, or, a bad phone or e-mail beside another identifier, emitted with a warning.</summary>
    public const int BadEvery = 33;

    public static string Generate(long rows, Encoding encoding, string tag)
    {
        var path = Path.Combine(Path.GetTempPath(), $"metricacrm-bench-{tag}-{rows}.csv");
        var rnd = new Random(42);
        // Moscow wall-clock time (UTC+3, no DST), an hour to 20 days back: all in the past when the import runs.
        var now = DateTime.UtcNow.AddHours(3);
        using var w = new StreamWriter(path, false, encoding, 1 << 16);
        w.Write(string.Join(";", Header));
        w.Write('\n');
        var sb = new StringBuilder(256);
        for (long i = 1; i <= rows; i++)
        {
            sb.Clear();
            int bad = i % BadEvery == 0 ? (int)(i / BadEvery % 4) : -1;
            sb.Append(100_000 + i).Append(';');
            var created = now.AddSeconds(-rnd.Next(3600, 20 * 86400));
            sb.Append(bad == 0 ? "31.02.2026 10:00" : created.ToString("dd.MM.yyyy HH:mm", CultureInfo.InvariantCulture)).Append(';');
            sb.Append("К-").Append(i % 200_000).Append(';');
            if (i % 2 == 0) sb.Append(1_700_000_000_000_000_000L + i * 7919);
            sb.Append(';');
            sb.Append(bad == 1 ? "8 (999) 12-34" : Phone(rnd, (int)(i % 4)));
            if (i % 10 == 3) sb.Append(", ").Append(Phone(rnd, (int)(i / 10 % 4)));
            sb.Append(';');
            if (bad == 2) sb.Append("ivan.petrov@@mail");
            else if (i % 5 != 4) sb.Append(i % 3 == 0 ? " " : "").Append(Names[i % Names.Length]).Append(i % 100_000).Append('@').Append(Domains[i % Domains.Length]).Append(i % 7 == 0 ? " " : "");
            sb.Append(';');
            sb.Append(Statuses[rnd.Next(Statuses.Length)]).Append(';');
            int rubles = rnd.Next(100, 500_000), kopecks = rnd.Next(0, 100);
            if (bad == 3) sb.Append("12#50");
            else if (i % 3 == 0) sb.Append(rubles);
            else sb.Append(Grouped(rubles)).Append(',').Append(kopecks.ToString("D2", CultureInfo.InvariantCulture));
            sb.Append(';');
            sb.Append(i % 10 == 7 ? "руб." : "RUB").Append(';');
            if (i % 5 == 1) sb.Append("callback_request:150,order_confirmed"); // the sandbox counter's JS goals
            sb.Append('\n');
            w.Write(sb);
        }
        return path;
    }

    public static readonly string[] ContactHeader = { "ID клиента", "ФИО", "ClientID метрики", "Телефон", "Электронная почта", "Дата создания" };

    /// <summary>
    /// Contacts of the same CRM (Import-CrmClient | Send-MetricaContact): a unique client id, a name, and ClientIDs,
    /// phones, e-mails and creation dates shaped as in <see cref="Generate"/>, with about 3% bad rows.
    /// </summary>
    public static string GenerateContacts(long rows)
    {
        var path = Path.Combine(Path.GetTempPath(), $"metricacrm-bench-contacts-{rows}.csv");
        var rnd = new Random(42);
        var now = DateTime.UtcNow.AddHours(3);
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        w.Write(string.Join(";", ContactHeader));
        w.Write('\n');
        var sb = new StringBuilder(256);
        for (long i = 1; i <= rows; i++)
        {
            sb.Clear();
            int bad = i % BadEvery == 0 ? (int)(i / BadEvery % 3) : -1;
            sb.Append("К-").Append(i).Append(';');
            sb.Append(Names[i % Names.Length].Replace('.', ' ')).Append(';');
            if (i % 2 == 0) sb.Append(1_700_000_000_000_000_000L + i * 7919);
            sb.Append(';');
            sb.Append(bad == 0 ? "8 (999) 12-34" : Phone(rnd, (int)(i % 4)));
            if (i % 10 == 3) sb.Append(", ").Append(Phone(rnd, (int)(i / 10 % 4)));
            sb.Append(';');
            if (bad == 1) sb.Append("ivan.petrov@@mail");
            else if (i % 5 != 4) sb.Append(i % 3 == 0 ? " " : "").Append(Names[i % Names.Length]).Append(i).Append('@').Append(Domains[i % Domains.Length]);
            sb.Append(';');
            var created = now.AddSeconds(-rnd.Next(3600, 400 * 86400));
            sb.Append(bad == 2 ? "31.02.2026 10:00" : created.ToString("dd.MM.yyyy HH:mm", CultureInfo.InvariantCulture));
            sb.Append('\n');
            w.Write(sb);
        }
        return path;
    }

    private static string Phone(Random rnd, int format)
    {
        int a = rnd.Next(900, 1000), b = rnd.Next(100, 1000), c = rnd.Next(10, 100), d = rnd.Next(10, 100);
        return format switch
        {
            0 => $"8 ({a}) {b}-{c}-{d}",
            1 => $"+7 {a} {b} {c} {d}",
            2 => $"+7 ({a}) {b}-{c}-{d}",
            _ => $"8{a}{b}{c}{d}",
        };
    }

    /// <summary>1 234 567: groups of three separated by spaces, as Russian exports write them.</summary>
    private static string Grouped(int n)
    {
        var s = n.ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder(s.Length + 3);
        for (int i = 0; i < s.Length; i++)
        {
            if (i > 0 && (s.Length - i) % 3 == 0) sb.Append(' ');
            sb.Append(s[i]);
        }
        return sb.ToString();
    }
}
