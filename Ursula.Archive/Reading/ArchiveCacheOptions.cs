namespace Ursula.Archive.Reading;

public sealed class ArchiveCacheOptions
{
    /// <summary>Objects are read and cached in aligned blocks of this size.</summary>
    public int BlockSize { get; set; } = 64 << 10;

    /// <summary>The most block bytes kept for all objects together (least recently used go first).</summary>
    public long CapacityBytes { get; set; } = 64L << 20;

    /// <summary>The most footer bytes kept; footers are cached apart so data blocks never push them out.</summary>
    public long FooterCapacityBytes { get; set; } = 8L << 20;

    /// <summary>The most bytes of decoded row groups kept (appends ready to serve, shared by readers).</summary>
    public long DecodedCapacityBytes { get; set; } = 32L << 20;

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BlockSize, 4096);
        ArgumentOutOfRangeException.ThrowIfNegative(CapacityBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(FooterCapacityBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(DecodedCapacityBytes);
    }
}
