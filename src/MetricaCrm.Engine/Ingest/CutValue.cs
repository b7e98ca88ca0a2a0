namespace MetricaCrm.Engine.Ingest
{
    /// <summary>A cell or record of the input that was longer than its bound, and so was cut before the CSV reader saw it.</summary>
    public sealed class CutValue
    {
        public CutValue(long emittedLine, long line, int field, bool wholeRecord, long characters, long lineBreaks, long droppedLineBreaks)
        {
            EmittedLine = emittedLine;
            Line = line;
            Field = field;
            WholeRecord = wholeRecord;
            Characters = characters;
            LineBreaks = lineBreaks;
            DroppedLineBreaks = droppedLineBreaks;
        }

        /// <summary>The line where the record starts in what the CSV reader sees (its LineNumber).</summary>
        public long EmittedLine { get; }
        /// <summary>The line of the file where the record starts.</summary>
        public long Line { get; }
        /// <summary>The 0-based field of the record that was cut (for a record, the field where the cut began).</summary>
        public int Field { get; }
        /// <summary>Whether the record as a whole was over its bound (its remaining fields are missing), not one cell.</summary>
        public bool WholeRecord { get; }
        /// <summary>The characters of the cut cell in the file (for a record: of the record), quotes not counted.</summary>
        public long Characters { get; }
        /// <summary>Line breaks inside the cell (for a record: inside its quoted cells).</summary>
        public long LineBreaks { get; }
        /// <summary>Line breaks inside what was cut: the lines after it are that many further down the file.</summary>
        public long DroppedLineBreaks { get; }
    }
}
