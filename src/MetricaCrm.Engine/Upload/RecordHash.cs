namespace MetricaCrm.Engine.Upload
{
    /// <summary>A stable 64-bit hash of a record's identity (FNV-1a): constant memory per record, no allocation.</summary>
    public static class RecordHash
    {
        public static ulong Of(string s)
        {
            ulong h = 14695981039346656037UL;
            foreach (char c in s)
            {
                h ^= c;
                h *= 1099511628211UL;
            }
            return h;
        }
    }
}
