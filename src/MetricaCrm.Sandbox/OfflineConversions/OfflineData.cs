using System.Text.Json.Serialization;

namespace MetricaCrm.Sandbox.OfflineConversions;

public enum OfflineUploadKind { Conversions, Calls }

/// <summary>What became of one row of an offline upload; the web report "Offline conversions" shows the same per row.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RowOutcome>))]
public enum RowOutcome
{
    Linked,
    GoalNotFound,
    UserNotFound,
    NoVisitBeforeConversion,
    LastVisitOlderThan21Days,
    StaticCall,
}

/// <summary>
/// One row of a conversions or calls file that passed the format rules, in the documented column spellings. The calls
/// columns stay null for conversions and Target stays null for calls.
/// </summary>
public sealed class OfflineRecord
{
    public string? ClientId { get; set; }
    public string? UserId { get; set; }
    public string? Yclid { get; set; }
    public string? PurchaseId { get; set; }
    public string? Target { get; set; }
    public long DateTime { get; set; }
    public decimal? Price { get; set; }
    public string? Currency { get; set; }
    public bool? StaticCall { get => _call?.StaticCall; set => Call.StaticCall = value; }
    public string? PhoneNumber { get => _call?.PhoneNumber; set => Call.PhoneNumber = value; }
    public int? TalkDuration { get => _call?.TalkDuration; set => Call.TalkDuration = value; }
    public int? HoldDuration { get => _call?.HoldDuration; set => Call.HoldDuration = value; }
    public bool? CallMissed { get => _call?.CallMissed; set => Call.CallMissed = value; }
    public string? Tag { get => _call?.Tag; set => Call.Tag = value; }
    public bool? FirstTimeCaller { get => _call?.FirstTimeCaller; set => Call.FirstTimeCaller = value; }
    public string? Url { get => _call?.Url; set => Call.Url = value; }
    public string? CallTrackerUrl { get => _call?.CallTrackerUrl; set => Call.CallTrackerUrl = value; }
    public long UploadId { get; set; }
    public RowOutcome Outcome { get; set; }

    /// <summary>The calls columns, apart: a conversion (most rows) then carries one empty reference instead of them all.</summary>
    private CallColumns? _call;
    private CallColumns Call => _call ??= new();

    private sealed class CallColumns
    {
        public bool? StaticCall, CallMissed, FirstTimeCaller;
        public int? TalkDuration, HoldDuration;
        public string? PhoneNumber, Tag, Url, CallTrackerUrl;
    }

    [JsonIgnore] public bool HasIdentifier => ClientId != null || UserId != null || Yclid != null || PurchaseId != null;

}

/// <summary>
/// Re-uploading a row with the same identifiers, goal and time overwrites it (Metrica's FAQ); calls have no goal. The
/// stored rows are their own keys, so the store keeps no separate key per row.
/// </summary>
public sealed class OfflineRecordKey : IEqualityComparer<OfflineRecord>
{
    public static readonly OfflineRecordKey Instance = new();

    public bool Equals(OfflineRecord? x, OfflineRecord? y) =>
        ReferenceEquals(x, y) || x != null && y != null && x.DateTime == y.DateTime && x.ClientId == y.ClientId && x.UserId == y.UserId &&
        x.Yclid == y.Yclid && x.PurchaseId == y.PurchaseId && x.Target == y.Target;

    public int GetHashCode(OfflineRecord row) => HashCode.Combine(row.ClientId, row.UserId, row.Yclid, row.PurchaseId, row.Target, row.DateTime);
}

/// <summary>One offline conversions or calls upload. The quantities are known at once; clients see them from MATCHED on.</summary>
public sealed class OfflineUpload
{
    public long Id { get; init; }
    public OfflineUploadKind Kind { get; init; }
    public DateTimeOffset CreateTime { get; init; }
    public string? Comment { get; init; }
    public string Type { get; init; } = "BASIC";
    public string? ClientIdType { get; init; }
    /// <summary>The file as received, for tests that check what a client sent; empty from <see cref="StoredUpload.MaxKeptFileBytes"/> up.</summary>
    [JsonIgnore] public string FileText { get; init; } = "";
    public int SourceQuantity { get; init; }
    public int LineQuantity { get; init; }
    public int GoalNotFoundQuantity { get; set; }
    public int UserNotFoundQuantity { get; set; }
    public int LinkedQuantity { get; set; }
    public int StaticCallsQuantity { get; set; }
    public int DynamicCallsQuantity { get; set; }

    /// <summary>
    /// PREPARED, UPLOADED and MATCHED each take a third of the processing delay; then PROCESSED, or LINKAGE_FAILURE
    /// when not a single row linked.
    /// </summary>
    public string Status(DateTimeOffset now, TimeSpan processingDelay)
    {
        var elapsed = now - CreateTime;
        if (elapsed >= processingDelay) return LinkedQuantity > 0 ? "PROCESSED" : "LINKAGE_FAILURE";
        if (elapsed >= processingDelay * 2 / 3) return "MATCHED";
        if (elapsed >= processingDelay / 3) return "UPLOADED";
        return "PREPARED";
    }

    public object ToJson(DateTimeOffset now, TimeSpan processingDelay)
    {
        string status = Status(now, processingDelay);
        bool matched = status is not ("PREPARED" or "UPLOADED");
        string createTime = CreateTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        // upload_1.md types comment as a string of 0 to 255 characters: an upload without one shows "", not null.
        string comment = Comment ?? "";
        int goalNotFound = matched ? GoalNotFoundQuantity : 0, userNotFound = matched ? UserNotFoundQuantity : 0, linked = matched ? LinkedQuantity : 0;
        if (Kind == OfflineUploadKind.Conversions)
            return new
            {
                id = Id, create_time = createTime, source_quantity = SourceQuantity, line_quantity = LineQuantity, comment,
                type = Type, client_id_type = ClientIdType, status,
                goal_not_found_quantity = goalNotFound, user_not_found_quantity = userNotFound, linked_quantity = linked,
            };
        return new
        {
            id = Id, create_time = createTime, source_quantity = SourceQuantity, line_quantity = LineQuantity, comment,
            type = Type, client_id_type = ClientIdType, status,
            goal_not_found_quantity = goalNotFound, user_not_found_quantity = userNotFound, linked_quantity = linked,
            static_calls_quantity = StaticCallsQuantity, dynamic_calls_quantity = DynamicCallsQuantity,
        };
    }
}

/// <summary>A site visitor as Metrica knows it: its identifiers and the start times of its visits.</summary>
public sealed class Visitor
{
    public string? ClientId { get; set; }
    public string? UserId { get; set; }
    public string? Yclid { get; set; }
    public List<string> PurchaseIds { get; set; } = new();
    public List<DateTimeOffset> Visits { get; set; } = new();

    public bool Matches(OfflineRecord row) =>
        row.ClientId != null && row.ClientId == ClientId || row.UserId != null && row.UserId == UserId ||
        row.Yclid != null && row.Yclid == Yclid || row.PurchaseId != null && PurchaseIds.Contains(row.PurchaseId);
}

/// <summary>A counter's offline conversions, calls, their uploads and the visitors they link to. Guarded by the counter's Gate.</summary>
public sealed class OfflineData
{
    public static readonly TimeSpan MatchingWindow = TimeSpan.FromDays(21);

    public List<OfflineUpload> Uploads { get; } = new();
    /// <summary>Each row under itself as key (<see cref="OfflineRecordKey"/>); an overwritten row's key stays the first row of its key.</summary>
    public Dictionary<OfflineRecord, OfflineRecord> Conversions { get; } = new(OfflineRecordKey.Instance);
    public Dictionary<OfflineRecord, OfflineRecord> Calls { get; } = new(OfflineRecordKey.Instance);
    public List<Visitor> Visitors { get; } = new();
    /// <summary>The goal that calls uploads count towards; created by the first calls upload from its new_goal_name.</summary>
    public string? CallGoalName { get; set; }
    private long _lastUploadId;

    /// <summary>Conversion and call uploads share one sequence, so an id names one upload of the counter.</summary>
    public long NextUploadId() => ++_lastUploadId;

    /// <summary>
    /// A row links when a visitor with one of its identifiers had a visit before the row's time, and that last visit is
    /// no more than 21 days before the file is processed (the sandbox processes at upload time).
    /// </summary>
    public RowOutcome Match(OfflineRecord row, DateTimeOffset processedAt)
    {
        // Loops rather than queries: this runs once per row of every upload.
        bool visitorFound = false;
        DateTimeOffset? lastVisitBefore = null;
        var at = DateTimeOffset.FromUnixTimeSeconds(row.DateTime);
        foreach (var visitor in Visitors)
        {
            if (!visitor.Matches(row)) continue;
            visitorFound = true;
            foreach (var visit in visitor.Visits)
                if (visit < at && (lastVisitBefore == null || visit > lastVisitBefore)) lastVisitBefore = visit;
        }
        if (!visitorFound) return RowOutcome.UserNotFound;
        if (lastVisitBefore == null) return RowOutcome.NoVisitBeforeConversion;
        return processedAt - lastVisitBefore.Value <= MatchingWindow ? RowOutcome.Linked : RowOutcome.LastVisitOlderThan21Days;
    }
}
