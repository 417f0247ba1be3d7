namespace Ursula.Archive.Sql;

public enum SqlOutputFormat
{
    /// <summary>Aligned text columns with a header, for a terminal.</summary>
    Table,

    /// <summary>RFC 4180 CSV with a header row; NULL is an empty field.</summary>
    Csv,

    /// <summary>A JSON array of objects, one per row.</summary>
    Json,
}
