using System.Text.Json;

namespace Strom.SchemaRegistry.Storage;

/// <summary>
/// The registry's state as a fold over the _schemas log: subjects and their versions, schemas by
/// id, configs and modes. Not thread-safe: the owner serializes access.
/// </summary>
internal sealed class RegistryState
{
    private readonly Dictionary<string, SortedDictionary<int, SchemaRecordValue>> _subjects = new(StringComparer.Ordinal);
    private readonly Dictionary<int, SchemaRecordValue> _byId = [];
    private readonly Dictionary<int, HashSet<(string Subject, int Version)>> _idUsers = [];
    private readonly Dictionary<string, int> _idByContent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _subjectCompatibility = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _subjectMode = new(StringComparer.Ordinal);

    public string? GlobalCompatibility { get; private set; }
    public string? GlobalMode { get; private set; }

    /// <summary>The highest id ever seen in the log; new ids are above it, so ids are not reused.</summary>
    public int MaxId { get; private set; }

    public IEnumerable<string> Subjects => _subjects.Keys;

    public IReadOnlyDictionary<int, SchemaRecordValue>? Versions(string subject) => _subjects.GetValueOrDefault(subject);

    public SchemaRecordValue? SchemaById(int id) => _byId.GetValueOrDefault(id);

    public IEnumerable<(string Subject, int Version)> UsersOf(int id) =>
        _idUsers.TryGetValue(id, out var users) ? users.OrderBy(u => u.Subject, StringComparer.Ordinal).ThenBy(u => u.Version) : [];

    public int? IdForContent(string schemaType, string schema, IReadOnlyList<SchemaReference> references) =>
        _idByContent.TryGetValue(ContentKey(schemaType, schema, references), out var id) ? id : null;

    public string? SubjectCompatibility(string subject) => _subjectCompatibility.GetValueOrDefault(subject);

    public string? SubjectMode(string subject) => _subjectMode.GetValueOrDefault(subject);

    public IEnumerable<SchemaRecordValue> AllVersions() => _subjects.Values.SelectMany(v => v.Values);

    /// <summary>Applies one record; malformed records are skipped (returns false) so one bad record cannot stop a replay.</summary>
    public bool Apply(SchemaLogRecord record)
    {
        SchemaRecordKey? key;
        try
        {
            key = JsonSerializer.Deserialize<SchemaRecordKey>(record.Key, SchemaLogRecord.Json);
        }
        catch (JsonException)
        {
            return false;
        }
        if (key is null)
        {
            return false;
        }
        try
        {
            switch (key.KeyType)
            {
                case SchemaRecordKey.Schema when key.Subject is not null && key.Version is { } version:
                    if (record.Value is null)
                    {
                        RemoveVersion(key.Subject, version);
                    }
                    else if (JsonSerializer.Deserialize<SchemaRecordValue>(record.Value, SchemaLogRecord.Json) is { } value)
                    {
                        PutVersion(value);
                    }
                    return true;
                case SchemaRecordKey.Config:
                    var config = record.Value is null ? null : JsonSerializer.Deserialize<ConfigRecordValue>(record.Value, SchemaLogRecord.Json)?.CompatibilityLevel;
                    Set(_subjectCompatibility, key.Subject, config, v => GlobalCompatibility = v);
                    return true;
                case SchemaRecordKey.Mode:
                    var mode = record.Value is null ? null : JsonSerializer.Deserialize<ModeRecordValue>(record.Value, SchemaLogRecord.Json)?.Mode;
                    Set(_subjectMode, key.Subject, mode, v => GlobalMode = v);
                    return true;
                case SchemaRecordKey.DeleteSubject when key.Subject is not null && record.Value is not null:
                    var upTo = JsonSerializer.Deserialize<DeleteSubjectRecordValue>(record.Value, SchemaLogRecord.Json)?.Version ?? int.MaxValue;
                    if (_subjects.TryGetValue(key.Subject, out var versions))
                    {
                        foreach (var v in versions.Values.Where(v => v.Version <= upTo && !v.Deleted).ToList())
                        {
                            versions[v.Version] = v with { Deleted = true };
                        }
                    }
                    return true;
                case SchemaRecordKey.ClearSubject when key.Subject is not null:
                    if (_subjects.TryGetValue(key.Subject, out var cleared))
                    {
                        foreach (var v in cleared.Values.Where(v => v.Deleted).ToList())
                        {
                            RemoveVersion(key.Subject, v.Version);
                        }
                    }
                    return true;
                default:
                    return key.KeyType == SchemaRecordKey.Noop;
            }
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private void PutVersion(SchemaRecordValue value)
    {
        if (!_subjects.TryGetValue(value.Subject, out var versions))
        {
            _subjects[value.Subject] = versions = [];
        }
        if (versions.TryGetValue(value.Version, out var previous) && previous.Id != value.Id)
        {
            RemoveUser(previous.Id, value.Subject, value.Version);
        }
        versions[value.Version] = value;
        if (!_byId.ContainsKey(value.Id))
        {
            _byId[value.Id] = value;
            _idByContent[ContentKey(value.EffectiveType, value.Schema, value.References)] = value.Id;
        }
        if (!_idUsers.TryGetValue(value.Id, out var users))
        {
            _idUsers[value.Id] = users = [];
        }
        users.Add((value.Subject, value.Version));
        MaxId = Math.Max(MaxId, value.Id);
    }

    private void RemoveVersion(string subject, int version)
    {
        if (!_subjects.TryGetValue(subject, out var versions) || !versions.Remove(version, out var removed))
        {
            return;
        }
        if (versions.Count == 0)
        {
            _subjects.Remove(subject);
        }
        RemoveUser(removed.Id, subject, version);
    }

    private void RemoveUser(int id, string subject, int version)
    {
        if (_idUsers.TryGetValue(id, out var users) && users.Remove((subject, version)) && users.Count == 0)
        {
            _idUsers.Remove(id);
            if (_byId.Remove(id, out var content))
            {
                _idByContent.Remove(ContentKey(content.EffectiveType, content.Schema, content.References));
            }
        }
    }

    private static void Set(Dictionary<string, string> perSubject, string? subject, string? value, Action<string?> setGlobal)
    {
        if (subject is null)
        {
            setGlobal(value);
        }
        else if (value is null)
        {
            perSubject.Remove(subject);
        }
        else
        {
            perSubject[subject] = value;
        }
    }

    private static string ContentKey(string schemaType, string schema, IReadOnlyList<SchemaReference> references) =>
        schemaType + "\n" + string.Join(",", references.Select(r => $"{r.Name}|{r.Subject}|{r.Version}")) + "\n" + schema;
}
