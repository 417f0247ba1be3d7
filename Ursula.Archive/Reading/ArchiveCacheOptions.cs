namespace Ursula.Archive.Reading;

public sealed class ArchiveCacheOptions
{
    public const int MaxReadAheadRowGroups = 16;

    /// <summary>Objects are read and cached in aligned blocks of this size.</summary>
    public int BlockSize { get; set; } = 64 << 10;

    /// <summary>The most block bytes kept for all objects together (least recently used go first).</summary>
    public long CapacityBytes { get; set; } = 64L << 20;

    /// <summary>The most footer bytes kept; footers are cached apart so data blocks never push them out.</summary>
    public long FooterCapacityBytes { get; set; } = 8L << 20;

    /// <summary>The most bytes of decoded row groups kept (appends ready to serve, shared by readers).</summary>
    public long DecodedCapacityBytes { get; set; } = 32L << 20;

    /// <summary>
    /// How many row groups after the last one a read took are decoded ahead of the next read, in
    /// the background (0: none). They go into the decoded cache like any other, so they count
    /// against its bound; at most this many are decoded ahead at once, for all readers together.
    /// </summary>
    public int ReadAheadRowGroups { get; set; }

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BlockSize, 4096);
        ArgumentOutOfRangeException.ThrowIfNegative(CapacityBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(FooterCapacityBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(DecodedCapacityBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(ReadAheadRowGroups);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ReadAheadRowGroups, MaxReadAheadRowGroups);
    }
}
