using System.Globalization;
using Microsoft.Extensions.Logging;
using Strom.Avro;
using Strom.SchemaRegistry.Http;
using Strom.SchemaRegistry.Schemas;
using Strom.SchemaRegistry.Storage;

namespace Strom.SchemaRegistry;

/// <summary>
/// Confluent Schema Registry semantics over an <see cref="ISchemaStore"/>: subjects, versions,
/// global ids, compatibility, modes, soft and permanent deletes, references. Every change is one
/// record appended to the store and then applied to the in-memory state; reads are served from
/// memory. Writes are serialized; this instance assumes it is the only writer of its store.
/// </summary>
public sealed partial class SchemaRegistryService : IAsyncDisposable
{
    private readonly ISchemaStore _store;
    private readonly ILogger _logger;
    private readonly RegistryState _state = new();
    private readonly Lock _stateLock = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Dictionary<string, ISchemaProvider> _providers;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, byte[]> _byIdJson = new();
    private int _started;

    /// <summary>Serialized schemas kept for GET /schemas/ids/{id}; beyond this many, lookups serialize each time.</summary>
    private const int MaxCachedIds = 100_000;

    public SchemaRegistryService(ISchemaStore store, SchemaRegistryOptions options, ILogger<SchemaRegistryService>? logger = null,
        IEnumerable<ISchemaProvider>? providers = null)
    {
        _store = store;
        Options = options;
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<SchemaRegistryService>.Instance;
        _providers = (providers ?? [new AvroSchemaProvider(), new JsonSchemaProvider(), new ProtobufSchemaProvider()])
            .ToDictionary(p => p.SchemaType, StringComparer.Ordinal);
    }

    public SchemaRegistryOptions Options { get; }

    public IReadOnlyCollection<string> SchemaTypes => _providers.Keys;

    /// <summary>Replays the store into memory. Call once before serving.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            return;
        }
        var applied = 0;
        var skipped = 0;
        await _store.ReplayAsync(record =>
        {
            lock (_stateLock)
            {
                if (_state.Apply(record))
                {
                    applied++;
                }
                else
                {
                    skipped++;
                }
            }
        }, cancellationToken).ConfigureAwait(false);
        LogReplayed(_logger, applied, skipped);
    }

    // ---- subjects and versions ----

    public IReadOnlyList<string> GetSubjects(string? prefix, bool deleted)
    {
        lock (_stateLock)
        {
            return _state.Subjects
                .Where(s => prefix is null || s.StartsWith(prefix, StringComparison.Ordinal))
                .Where(s => deleted || _state.Versions(s)!.Values.Any(v => !v.Deleted))
                .Order(StringComparer.Ordinal)
                .ToList();
        }
    }

    public IReadOnlyList<int> GetVersions(string subject, bool deleted)
    {
        lock (_stateLock)
        {
            var versions = LiveVersions(subject, deleted);
            return versions.Select(v => v.Version).ToList();
        }
    }

    public SchemaVersionResponse GetVersion(string subject, string version, bool deleted, string? format = null)
    {
        lock (_stateLock)
        {
            var found = FindVersion(subject, ParseVersion(version), deleted);
            return SchemaVersionResponse.From(found) with { Schema = InFormat(found, format) };
        }
    }

    public IReadOnlyList<int> GetReferencedBy(string subject, string version)
    {
        lock (_stateLock)
        {
            var target = FindVersion(subject, ParseVersion(version), deleted: false);
            return ReferrersOf(target.Subject, target.Version).Select(v => v.Id).Distinct().Order().ToList();
        }
    }

    // ---- schemas by id ----

    public SchemaByIdResponse GetSchemaById(int id, string? subject = null, string? format = null)
    {
        lock (_stateLock)
        {
            var schema = _state.SchemaById(id) ?? throw RegistryException.SchemaNotFound(id);
            if (subject is not null && !_state.UsersOf(id).Any(u => u.Subject == subject))
            {
                throw RegistryException.SchemaNotFound(id);
            }
            return new SchemaByIdResponse
            {
                Schema = InFormat(schema, format),
                SchemaType = schema.EffectiveType == "AVRO" ? null : schema.EffectiveType,
                References = schema.References.Count == 0 ? null : schema.References,
            };
        }
    }

    /// <summary>
    /// GET /schemas/ids/{id} as UTF-8 JSON: the hot path of every consumer. The text of an id never
    /// changes (ids are not reused), so its serialized form is cached; the lock only checks it still exists.
    /// </summary>
    public byte[] GetSchemaByIdUtf8(int id) => TryGetSchemaByIdUtf8(id) ?? throw RegistryException.SchemaNotFound(id);

    /// <summary>As <see cref="GetSchemaByIdUtf8"/>; null when no schema has this id.</summary>
    public byte[]? TryGetSchemaByIdUtf8(int id)
    {
        lock (_stateLock)
        {
            if (_state.SchemaById(id) is null)
            {
                return null;
            }
        }
        if (!_byIdJson.TryGetValue(id, out var json))
        {
            json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(GetSchemaById(id), SchemaRegistryEndpoints.Json);
            if (_byIdJson.Count < MaxCachedIds)
            {
                _byIdJson[id] = json;
            }
        }
        return json;
    }

    public IReadOnlyList<string> GetSubjectsForId(int id, bool deleted) =>
        GetVersionsForId(id, deleted).Select(v => v.Subject).Distinct().ToList();

    public IReadOnlyList<SubjectVersion> GetVersionsForId(int id, bool deleted)
    {
        lock (_stateLock)
        {
            if (_state.SchemaById(id) is null)
            {
                throw RegistryException.SchemaNotFound(id);
            }
            return _state.UsersOf(id)
                .Where(u => deleted || !_state.Versions(u.Subject)![u.Version].Deleted)
                .Select(u => new SubjectVersion(u.Subject, u.Version))
                .ToList();
        }
    }

    public IReadOnlyList<SchemaVersionResponse> GetSchemas(string? prefix, bool deleted, bool latestOnly)
    {
        lock (_stateLock)
        {
            var result = new List<SchemaVersionResponse>();
            foreach (var subject in _state.Subjects.Where(s => prefix is null || s.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                var versions = LiveVersions(subject, deleted, throwIfMissing: false);
                result.AddRange((latestOnly ? versions.TakeLast(1) : versions).Select(SchemaVersionResponse.From));
            }
            return result;
        }
    }

    // ---- register and look up ----

    /// <summary>Registers a schema under a subject, or returns the id it already has there.</summary>
    public async Task<int> RegisterAsync(string subject, RegisterSchemaRequest request, bool normalize, CancellationToken cancellationToken = default)
    {
        ValidateSubject(subject);
        if (request.Schema?.Length > Options.MaxSchemaRecordBytes)
        {
            throw RegistryException.SchemaTooLarge(Options.MaxSchemaRecordBytes);
        }
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            SchemaRecordValue record;
            lock (_stateLock)
            {
                var mode = EffectiveMode(subject);
                if (mode is "READONLY" or "READONLY_OVERRIDE")
                {
                    throw RegistryException.OperationNotPermitted($"Subject {subject} is in read-only mode");
                }
                var import = mode == "IMPORT";
                if (!import && request.Version is not null)
                {
                    throw RegistryException.OperationNotPermitted("Overriding the version is only allowed in IMPORT mode");
                }
                var (parsed, provider, references) = ParseRequest(request, normalize);
                var canonical = provider.Canonicalize(parsed, normalize);
                var versions = _state.Versions(subject);

                // Already registered here (and not deleted): the same id comes back, nothing is written.
                var existing = versions?.Values.LastOrDefault(v => !v.Deleted && v.EffectiveType == parsed.SchemaType
                    && v.References.SequenceEqual(references) && SameSchema(v, parsed, provider, canonical, normalize));
                if (existing is not null)
                {
                    if (request.Id is { } requested && requested != existing.Id)
                    {
                        throw RegistryException.IdDoesNotMatch(requested, existing.Id);
                    }
                    return existing.Id;
                }

                var knownId = _state.IdForContent(parsed.SchemaType, canonical, references);
                int id;
                if (request.Id is { } wanted)
                {
                    if (!import && knownId != wanted)
                    {
                        throw RegistryException.OperationNotPermitted("Overriding the schema id is only allowed in IMPORT mode");
                    }
                    if (_state.SchemaById(wanted) is { } taken && (taken.Schema != canonical || taken.EffectiveType != parsed.SchemaType))
                    {
                        throw RegistryException.IdDoesNotMatch(wanted, knownId ?? -1);
                    }
                    id = wanted;
                }
                else
                {
                    id = knownId ?? _state.MaxId + 1;
                }

                if (!import)
                {
                    var previous = (versions?.Values ?? []).Where(v => !v.Deleted).ToList();
                    var level = EffectiveCompatibility(subject);
                    var failure = CheckAgainst(level, parsed, previous, provider);
                    if (failure is not null)
                    {
                        throw RegistryException.Incompatible(subject, failure);
                    }
                }
                var version = request.Version ?? ((versions?.Keys.DefaultIfEmpty(0).Max() ?? 0) + 1);
                if (versions is not null && versions.ContainsKey(version))
                {
                    throw RegistryException.OperationNotPermitted($"Version {version} already exists in subject {subject}");
                }
                record = new SchemaRecordValue
                {
                    Subject = subject,
                    Version = version,
                    Id = id,
                    SchemaType = parsed.SchemaType == "AVRO" ? null : parsed.SchemaType,
                    References = references,
                    Schema = canonical,
                };
            }
            await AppendAsync(SchemaLogRecord.Create(SchemaRecordKey.ForSchema(subject, record.Version), record), cancellationToken, checkSize: true).ConfigureAwait(false);
            LogRegistered(_logger, subject, record.Version, record.Id);
            return record.Id;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Finds the version of a subject holding this schema (POST /subjects/{subject}).</summary>
    public SchemaVersionResponse Lookup(string subject, RegisterSchemaRequest request, bool normalize, bool deleted, string? format = null)
    {
        lock (_stateLock)
        {
            var versions = _state.Versions(subject);
            if (versions is null || (!deleted && versions.Values.All(v => v.Deleted)))
            {
                throw RegistryException.SubjectNotFound(subject);
            }
            var (parsed, provider, references) = ParseRequest(request, normalize);
            var canonical = provider.Canonicalize(parsed, normalize);
            var match = versions.Values.LastOrDefault(v => (deleted || !v.Deleted) && v.EffectiveType == parsed.SchemaType
                && v.References.SequenceEqual(references)
                && SameSchema(v, parsed, provider, canonical, normalize));
            return match is null ? throw RegistryException.SchemaNotFound() : SchemaVersionResponse.From(match) with { Schema = InFormat(match, format) };
        }
    }

    /// <summary>POST /compatibility/subjects/{subject}/versions[/{version}]: checks without registering.</summary>
    public CompatibilityCheckResponse TestCompatibility(string subject, string? version, RegisterSchemaRequest request, bool normalize, bool verbose)
    {
        lock (_stateLock)
        {
            var (parsed, provider, _) = ParseRequest(request, normalize);
            var versions = _state.Versions(subject);
            List<SchemaRecordValue> previous;
            var level = EffectiveCompatibility(subject);
            if (version is null)
            {
                previous = (versions?.Values ?? []).Where(v => !v.Deleted).ToList();
            }
            else
            {
                var parsedVersion = ParseVersion(version);
                if (versions is null || versions.Values.All(v => v.Deleted))
                {
                    if (parsedVersion == -1)
                    {
                        return new CompatibilityCheckResponse { IsCompatible = true, Messages = verbose ? [] : null };
                    }
                    throw RegistryException.SubjectNotFound(subject);
                }
                previous = [FindVersion(subject, parsedVersion, deleted: false)];
                // A single named version is checked on its own, whatever the transitivity.
                level = level switch
                {
                    CompatibilityLevel.BackwardTransitive => CompatibilityLevel.Backward,
                    CompatibilityLevel.ForwardTransitive => CompatibilityLevel.Forward,
                    CompatibilityLevel.FullTransitive => CompatibilityLevel.Full,
                    _ => level,
                };
            }
            var failure = CheckAgainst(level, parsed, previous, provider);
            return new CompatibilityCheckResponse
            {
                IsCompatible = failure is null,
                Messages = verbose ? failure ?? [] : null,
            };
        }
    }

    // ---- deletes ----

    public async Task<IReadOnlyList<int>> DeleteSubjectAsync(string subject, bool permanent, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            List<SchemaLogRecord> records = [];
            List<int> deleted;
            lock (_stateLock)
            {
                EnsureWritable(subject);
                var versions = _state.Versions(subject) ?? throw RegistryException.SubjectNotFound(subject);
                var all = versions.Values.ToList();
                if (permanent)
                {
                    if (all.Any(v => !v.Deleted))
                    {
                        throw RegistryException.SubjectNotSoftDeleted(subject);
                    }
                    foreach (var v in all)
                    {
                        EnsureNotReferenced(v, permanent: true);
                        records.Add(SchemaLogRecord.Create(SchemaRecordKey.ForSchema(subject, v.Version), null));
                    }
                    deleted = all.Select(v => v.Version).ToList();
                }
                else
                {
                    var live = all.Where(v => !v.Deleted).ToList();
                    if (live.Count == 0)
                    {
                        throw RegistryException.SubjectSoftDeleted(subject);
                    }
                    foreach (var v in live)
                    {
                        EnsureNotReferenced(v, permanent: false);
                    }
                    records.Add(SchemaLogRecord.Create(SchemaRecordKey.ForDeleteSubject(subject),
                        new DeleteSubjectRecordValue { Subject = subject, Version = live[^1].Version }));
                    deleted = live.Select(v => v.Version).ToList();
                }
                if (_state.SubjectCompatibility(subject) is not null && permanent)
                {
                    records.Add(SchemaLogRecord.Create(SchemaRecordKey.ForConfig(subject), null));
                }
            }
            foreach (var record in records)
            {
                await AppendAsync(record, cancellationToken).ConfigureAwait(false);
            }
            return deleted;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<int> DeleteVersionAsync(string subject, string version, bool permanent, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            SchemaLogRecord record;
            int deletedVersion;
            lock (_stateLock)
            {
                EnsureWritable(subject);
                var parsed = ParseVersion(version);
                var target = FindVersion(subject, parsed, deleted: permanent || parsed != -1);
                if (!permanent && target.Deleted)
                {
                    throw RegistryException.VersionSoftDeleted(subject, target.Version);
                }
                if (permanent && !target.Deleted)
                {
                    throw RegistryException.VersionNotSoftDeleted(subject, target.Version);
                }
                EnsureNotReferenced(target, permanent);
                record = permanent
                    ? SchemaLogRecord.Create(SchemaRecordKey.ForSchema(subject, target.Version), null)
                    : SchemaLogRecord.Create(SchemaRecordKey.ForSchema(subject, target.Version), target with { Deleted = true });
                deletedVersion = target.Version;
            }
            await AppendAsync(record, cancellationToken).ConfigureAwait(false);
            return deletedVersion;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync().ConfigureAwait(false);
        _writeLock.Dispose();
    }

    // ---- helpers (called under _stateLock) ----

    private List<SchemaRecordValue> LiveVersions(string subject, bool deleted, bool throwIfMissing = true)
    {
        var versions = _state.Versions(subject);
        var list = versions?.Values.Where(v => deleted || !v.Deleted).ToList() ?? [];
        if (list.Count == 0 && throwIfMissing)
        {
            throw RegistryException.SubjectNotFound(subject);
        }
        return list;
    }

    /// <summary>-1 means latest. A soft-deleted version is found only when <paramref name="deleted"/>.</summary>
    private SchemaRecordValue FindVersion(string subject, int version, bool deleted)
    {
        var versions = _state.Versions(subject);
        if (versions is null || (!deleted && versions.Values.All(v => v.Deleted)))
        {
            throw RegistryException.SubjectNotFound(subject);
        }
        if (version == -1)
        {
            return versions.Values.Last(v => deleted || !v.Deleted);
        }
        if (!versions.TryGetValue(version, out var found) || (found.Deleted && !deleted))
        {
            throw RegistryException.VersionNotFound(version);
        }
        return found;
    }

    /// <summary>"latest" and -1 mean the latest version; otherwise 1 to 2^31-1 (42202).</summary>
    internal static int ParseVersion(string version)
    {
        if (version.Equals("latest", StringComparison.OrdinalIgnoreCase))
        {
            return -1;
        }
        return int.TryParse(version, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) && (v >= 1 || v == -1)
            ? v
            : throw RegistryException.InvalidVersion(version);
    }

    private static void ValidateSubject(string subject)
    {
        if (string.IsNullOrWhiteSpace(subject) || subject.Any(char.IsControl))
        {
            throw RegistryException.InvalidSubject(subject);
        }
    }

    private void EnsureWritable(string subject)
    {
        if (EffectiveMode(subject) is "READONLY" or "READONLY_OVERRIDE")
        {
            throw RegistryException.OperationNotPermitted($"Subject {subject} is in read-only mode");
        }
    }

    /// <summary>A live schema's references block a soft delete; any schema's references block a permanent one.</summary>
    private void EnsureNotReferenced(SchemaRecordValue target, bool permanent)
    {
        if (ReferrersOf(target.Subject, target.Version).Any(r => permanent || !r.Deleted))
        {
            throw RegistryException.ReferenceExists(target.Subject, target.Version);
        }
    }

    private IEnumerable<SchemaRecordValue> ReferrersOf(string subject, int version) =>
        _state.AllVersions().Where(v => v.References.Any(r => r.Subject == subject && r.Version == version));

    private async Task AppendAsync(SchemaLogRecord record, CancellationToken cancellationToken, bool checkSize = false)
    {
        if (checkSize && System.Text.Encoding.UTF8.GetByteCount(record.Value ?? "") + System.Text.Encoding.UTF8.GetByteCount(record.Key) > Options.MaxSchemaRecordBytes)
        {
            throw RegistryException.SchemaTooLarge(Options.MaxSchemaRecordBytes);
        }
        try
        {
            await _store.AppendAsync(record, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not RegistryException)
        {
            LogStoreFailed(_logger, e);
            throw RegistryException.StoreError(e.Message);
        }
        if (_store is not ISharedSchemaStore { Shared: true })
        {
            lock (_stateLock)
            {
                _state.Apply(record);
            }
        }
    }

    /// <summary>Waits until every record already in a shared store is applied: before a newly elected leader allocates ids.</summary>
    public Task CatchUpAsync(CancellationToken cancellationToken) =>
        _store is ISharedSchemaStore { Shared: true } shared ? shared.CatchUpAsync(cancellationToken) : Task.CompletedTask;

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Schema registry state replayed: {Applied} records applied, {Skipped} skipped")]
    private static partial void LogReplayed(ILogger logger, int applied, int skipped);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Registered subject {Subject} version {Version} with id {Id}")]
    private static partial void LogRegistered(ILogger logger, string subject, int version, int id);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Schema store append failed")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception);
}
