namespace Strom.SchemaRegistry.Storage;

/// <summary>
/// Where registry state lives: an ordered log of key/value records (the _schemas topic's shape).
/// The registry replays it at start and appends one record per change; the last value for a key
/// wins and a null value deletes the key, as under log compaction.
/// </summary>
public interface ISchemaStore : IAsyncDisposable
{
    /// <summary>Replays every stored record in order, then returns; called once before any append.</summary>
    Task ReplayAsync(Action<SchemaLogRecord> apply, CancellationToken cancellationToken);

    /// <summary>Appends a record durably; returns once it would survive a restart.</summary>
    Task AppendAsync(SchemaLogRecord record, CancellationToken cancellationToken);
}

/// <summary>
/// A store other registry instances write to as well. When <see cref="Shared"/>, after ReplayAsync it
/// keeps delivering new records to the replay callback (its own appends included: AppendAsync returns
/// once the callback has seen the record), so the caller must not apply appended records itself.
/// </summary>
public interface ISharedSchemaStore : ISchemaStore
{
    bool Shared { get; }

    /// <summary>Returns once every record in the store at the time of the call has been delivered.</summary>
    Task CatchUpAsync(CancellationToken cancellationToken);
}

/// <summary>A store in memory: for tests and for a registry whose state may be lost with the process.</summary>
public sealed class InMemorySchemaStore : ISchemaStore
{
    private readonly List<SchemaLogRecord> _records = [];
    private readonly Lock _lock = new();

    /// <summary>A copy of the records appended so far, oldest first.</summary>
    public IReadOnlyList<SchemaLogRecord> Records
    {
        get
        {
            lock (_lock)
            {
                return _records.ToArray();
            }
        }
    }

    public Task ReplayAsync(Action<SchemaLogRecord> apply, CancellationToken cancellationToken)
    {
        foreach (var record in Records)
        {
            apply(record);
        }
        return Task.CompletedTask;
    }

    public Task AppendAsync(SchemaLogRecord record, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _records.Add(record);
        }
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
