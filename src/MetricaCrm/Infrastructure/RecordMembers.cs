using System.Management.Automation;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>
    /// The CodeProperties of MetricaCrm.Types.ps1xml: orders', contacts' and order statuses' multi-valued fields as
    /// <see cref="ValueList{T}"/> and attributes as <see cref="AttributeMap"/>, so Export-Csv writes their values (the cells Import-CrmOrder and
    /// Import-CrmClient read back) while scripts still index, count, enumerate and assign them as before.
    /// PowerShell reads these signatures when it loads the types file, before the loader can resolve the engine:
    /// so they name only PowerShell's and the framework's types, and the engine's stay in <see cref="RecordFields"/>.
    /// A setter takes the getter's type, so both are object: one string or number assigned still becomes a list.
    /// </summary>
    public static class RecordMembers
    {
        public static object ClientIds(PSObject record) => RecordFields.Get(record.BaseObject, nameof(ClientIds));
        public static void SetClientIds(PSObject record, object? value) => RecordFields.Set(record.BaseObject, nameof(ClientIds), value);
        public static object Emails(PSObject record) => RecordFields.Get(record.BaseObject, nameof(Emails));
        public static void SetEmails(PSObject record, object? value) => RecordFields.Set(record.BaseObject, nameof(Emails), value);
        public static object Phones(PSObject record) => RecordFields.Get(record.BaseObject, nameof(Phones));
        public static void SetPhones(PSObject record, object? value) => RecordFields.Set(record.BaseObject, nameof(Phones), value);
        public static object EmailsMd5(PSObject record) => RecordFields.Get(record.BaseObject, nameof(EmailsMd5));
        public static void SetEmailsMd5(PSObject record, object? value) => RecordFields.Set(record.BaseObject, nameof(EmailsMd5), value);
        public static object PhonesMd5(PSObject record) => RecordFields.Get(record.BaseObject, nameof(PhonesMd5));
        public static void SetPhonesMd5(PSObject record, object? value) => RecordFields.Set(record.BaseObject, nameof(PhonesMd5), value);
        public static object Goals(PSObject record) => RecordFields.Get(record.BaseObject, nameof(Goals));
        public static void SetGoals(PSObject record, object? value) => RecordFields.Set(record.BaseObject, nameof(Goals), value);
        public static object GoalActionIds(PSObject record) => RecordFields.Get(record.BaseObject, nameof(GoalActionIds));
        public static void SetGoalActionIds(PSObject record, object? value) => RecordFields.Set(record.BaseObject, nameof(GoalActionIds), value);
        public static object Products(PSObject record) => RecordFields.Products(record.BaseObject);
        public static void SetProducts(PSObject record, object? value) => RecordFields.SetProducts(record.BaseObject, value);
        public static object Attributes(PSObject record) => RecordFields.Attributes(record.BaseObject);
        public static void SetAttributes(PSObject record, object? value) => RecordFields.SetAttributes(record.BaseObject, value);
    }
}
