namespace MetricaCrm.Engine.Upload
{
    /// <summary>Names of custom attributes and catalogue products: 1-255 characters matching ^[\w-:]+$ (fact sheet §3.10).</summary>
    public static class AttributeNames
    {
        public static bool IsValid(string name)
        {
            if (name.Length == 0 || name.Length > 255) return false;
            foreach (char c in name)
                if (!(char.IsLetterOrDigit(c) || c == '_' || c == '-' || c == ':')) return false;
            return true;
        }
    }
}
