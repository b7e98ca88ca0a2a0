using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Engine.OfflineConversions
{
    /// <summary>Options of an offline conversions or calls send.</summary>
    public sealed class OfflineOptions
    {
        /// <summary>Stamped on the upload in Metrica; at most 255 digits, Latin and Cyrillic letters (spaces allowed: see <see cref="OfflineKind{TEvent}.CheckComment"/>).</summary>
        public string? Comment { get; set; }
        /// <summary>Events older than this are skipped; null sends them and counts them in one warning.</summary>
        public TimeSpan? MaxAge { get; set; }
        /// <summary>How far ahead of this machine's clock an event may be (clock skew between the CRM and here).</summary>
        public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(2);
    }

    /// <summary>
    /// What offline conversions and calls share (Management API, fact sheet §4): events must have happened, carry a
    /// visitor id, and link only within 21 days; a repeat of the same event overwrites the earlier one, so each is sent
    /// once. Sending the same file again gives the same conversions, so an upload with an unknown outcome may be repeated.
    /// </summary>
    public abstract class OfflineKind<TEvent> : UploadKind<TEvent> where TEvent : OfflineEvent
    {
        public static readonly TimeSpan LinkWindow = TimeSpan.FromDays(21);
        private readonly OfflineOptions _options;
        private readonly Func<DateTimeOffset> _now;
        private readonly HashSet<ulong> _seen = new HashSet<ulong>();
        private long _tooOld, _repeats;

        protected OfflineKind(OfflineOptions options, Func<DateTimeOffset>? now)
        {
            var problem = CheckComment(options.Comment);
            if (problem != null) throw new ArgumentException(problem);
            _options = options;
            _now = now ?? (() => DateTimeOffset.UtcNow);
        }

        protected OfflineOptions Options => _options;

        public override bool HasMergeMode => false;

        public override bool ReportsLinkage => true;
        public override bool IsReplaySafe(MergeMode mode) => true;
        public override RecordOrigin Origin(TEvent record) => new RecordOrigin(record.SourceFile, record.SourceLine);
        public override TimeSpan DefaultWaitTimeout => TimeSpan.FromHours(3); // Metrica: processing takes up to 2 hours
        public override TimeSpan MaxPollInterval => TimeSpan.FromMinutes(5);

        /// <summary>
        /// Metrica's rule: at most 255 characters, digits, Latin and Cyrillic letters. Spaces are not mentioned; they are
        /// allowed here (a comment such as "shop sales" is what users write; unconfirmed).
        /// </summary>
        public static string? CheckComment(string? comment)
        {
            if (comment == null) return null;
            if (comment.Length > 255) return $"The upload comment has {comment.Length} characters; Metrica takes at most 255.";
            foreach (char c in comment)
                if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '\u0400' && c <= '\u04FF' || c == ' '))
                    return $"The upload comment may hold only digits, Latin and Cyrillic letters and spaces, not '{c}'.";
            return null;
        }

        /// <summary>The event's own rules (the goal, say), after the shared ones.</summary>
        protected abstract RowFault? CheckEvent(TEvent e);

        /// <summary>What makes two events the same event: a repeat overwrites the first in Metrica.</summary>
        protected abstract string Identity(TEvent e);

        public override RowFault? Check(TEvent e)
        {
            if (!e.HasIdentifier)
                return IdentifierRule.Missing("ClientId", e is CrmConversion ? IdentifierRule.Conversion : IdentifierRule.Call);
            if (e.DateTime > _now() + _options.ClockSkew)
                return new RowFault("FutureDateTime", "DateTime", e.DateTime.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture),
                    "a time that has passed: Metrica refuses events in the future");
            return CheckEvent(e);
        }

        public override string? Skip(TEvent e)
        {
            var age = _now() - e.DateTime;
            if (_options.MaxAge != null && age > _options.MaxAge.Value)
                return $"it happened {age.TotalDays:0} days ago, longer ago than the maximum age of {_options.MaxAge.Value.TotalDays:0.#} days";
            if (!_seen.Add(RecordHash.Of(Identity(e))))
            {
                _repeats++;
                return "the same event was already sent in this run (a second copy would overwrite the first)";
            }
            if (age > LinkWindow) _tooOld++;
            return null;
        }

        public override IEnumerable<string> Warnings()
        {
            if (_tooOld > 0)
                yield return $"{_tooOld} {RecordNoun}(s) happened more than 21 days ago: Metrica links events only to sessions of the last 21 days, so they will not be linked.";
            if (_repeats > 0)
                yield return $"{_repeats} {RecordNoun}(s) repeated an earlier one (same visitor id, goal and time) and were sent once.";
        }

        public override string RecordId(TEvent record) => Identity(record);


        /// <summary>An upload of this kind's Management API paths (see <see cref="OfflinePaths"/>).</summary>
        protected UploadRequest OfflineRequest(string pathAndQuery) =>
            new UploadRequest(UploadApi.Management, Name, pathAndQuery, replaySafe: true, OfflinePaths.ListPath(Name));

        public override Task<MetricaUpload?> FindAsync(MetricaClient client, long counterId, string uploadId, CancellationToken ct) =>
            client.GetOfflineUploadAsync(counterId, Name, OfflinePaths.UploadPath(Name, uploadId), ct);

        protected string Query(string path, string? extra = null)
        {
            var parts = new List<string>();
            if (_options.Comment != null) parts.Add("comment=" + Uri.EscapeDataString(_options.Comment));
            if (extra != null) parts.Add(extra);
            return parts.Count == 0 ? path : path + "?" + string.Join("&", parts);
        }
    }
}
