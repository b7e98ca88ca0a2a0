using System;
using System.Collections.Generic;
using MetricaCrm.Engine.Ingest;

namespace MetricaCrm.Engine.Upload
{
    /// <summary>
    /// Metrica keeps at most so many records (orders) per client: the record over the limit is refused before sending,
    /// with its location. With a journal the count starts from the client's records Metrica already accepted, so the
    /// limit holds across runs; a record Metrica already has (an update) does not add to it.
    /// </summary>
    public sealed class RecordsPerClient
    {
        private readonly int _limit;
        private readonly Func<string, long> _acceptedBefore;
        private readonly Dictionary<string, (long Before, long Now)> _counts = new Dictionary<string, (long, long)>(StringComparer.Ordinal);

        /// <param name="acceptedBefore">The client's records accepted in earlier runs (the journal), read once per client.</param>
        public RecordsPerClient(int limit, Func<string, long>? acceptedBefore = null)
        {
            _limit = limit;
            _acceptedBefore = acceptedBefore ?? (_ => 0);
        }

        public RowFault? Count(string client, string recordId, string noun, bool alreadyAccepted)
        {
            if (alreadyAccepted) return null;
            if (!_counts.TryGetValue(client, out var n)) n = (_acceptedBefore(client), 0);
            long total = n.Before + n.Now;
            if (total >= _limit)
                return new RowFault("TooManyOrdersForClient", "client_uniq_id", client,
                    $"at most {_limit:N0} {noun}s per client (Metrica's limit); {noun} {recordId} would be number {total + 1:N0} of this client" +
                    (n.Before > 0 ? $", counting {n.Before:N0} accepted in earlier uploads" : ""));
            _counts[client] = (n.Before, n.Now + 1);
            return null;
        }
    }
}
