namespace Strom.Client.Consumer;

/// <summary>A committed offset (the next record to read) and the application's metadata string.</summary>
public readonly record struct OffsetAndMetadata(long Offset, string? Metadata = null);
