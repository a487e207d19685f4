using Strom.Avro;
using Strom.SchemaRegistry.Storage;

namespace Strom.SchemaRegistry;

/// <summary>Compatibility levels and modes, global and per subject (/config, /mode).</summary>
public sealed partial class SchemaRegistryService
{
    private static readonly string[] Modes = ["READWRITE", "READONLY", "READONLY_OVERRIDE", "IMPORT"];

    /// <summary>The level in force: the subject's own, else the global one, else the configured default.</summary>
    public string GetCompatibility(string? subject, bool defaultToGlobal)
    {
        lock (_stateLock)
        {
            if (subject is null)
            {
                return GlobalCompatibilityName();
            }
            return _state.SubjectCompatibility(subject)
                ?? (defaultToGlobal ? GlobalCompatibilityName() : throw RegistryException.SubjectCompatibilityNotConfigured(subject));
        }
    }

    public async Task<string> SetCompatibilityAsync(string? subject, string? level, CancellationToken cancellationToken = default)
    {
        if (!CompatibilityLevels.TryParse(level, out var parsed))
        {
            throw RegistryException.InvalidCompatibilityLevel();
        }
        if (subject is not null)
        {
            ValidateSubject(subject);
        }
        var name = parsed.ToConfluentName();
        await WriteAsync(SchemaLogRecord.Create(SchemaRecordKey.ForConfig(subject), new ConfigRecordValue { CompatibilityLevel = name }), cancellationToken).ConfigureAwait(false);
        return name;
    }

    /// <summary>Removes a subject's level (or resets the global one); returns the level that was in force.</summary>
    public async Task<string> DeleteCompatibilityAsync(string? subject, CancellationToken cancellationToken = default)
    {
        string previous;
        lock (_stateLock)
        {
            if (subject is null)
            {
                previous = GlobalCompatibilityName();
            }
            else
            {
                previous = _state.SubjectCompatibility(subject)
                    ?? (_state.Versions(subject) is null ? throw RegistryException.SubjectNotFound(subject) : GlobalCompatibilityName());
            }
        }
        await WriteAsync(SchemaLogRecord.Create(SchemaRecordKey.ForConfig(subject), null), cancellationToken).ConfigureAwait(false);
        return previous;
    }

    public string GetMode(string? subject, bool defaultToGlobal)
    {
        lock (_stateLock)
        {
            if (subject is null)
            {
                return _state.GlobalMode ?? "READWRITE";
            }
            return _state.SubjectMode(subject)
                ?? (defaultToGlobal ? _state.GlobalMode ?? "READWRITE" : throw RegistryException.SubjectModeNotConfigured(subject));
        }
    }

    public async Task<string> SetModeAsync(string? subject, string? mode, bool force, CancellationToken cancellationToken = default)
    {
        var name = mode?.ToUpperInvariant();
        if (name is null || !Modes.Contains(name))
        {
            throw RegistryException.InvalidMode();
        }
        if (subject is not null)
        {
            ValidateSubject(subject);
        }
        lock (_stateLock)
        {
            var hasSchemas = subject is null ? _state.Subjects.Any() : _state.Versions(subject) is not null;
            if (name == "IMPORT" && hasSchemas && !force)
            {
                throw RegistryException.OperationNotPermitted("Cannot import since found existing subjects");
            }
        }
        await WriteAsync(SchemaLogRecord.Create(SchemaRecordKey.ForMode(subject), new ModeRecordValue { Mode = name }), cancellationToken).ConfigureAwait(false);
        return name;
    }

    public async Task<string> DeleteModeAsync(string? subject, CancellationToken cancellationToken = default)
    {
        string previous;
        lock (_stateLock)
        {
            previous = subject is null
                ? _state.GlobalMode ?? "READWRITE"
                : _state.SubjectMode(subject) ?? (_state.Versions(subject) is null ? throw RegistryException.SubjectNotFound(subject) : _state.GlobalMode ?? "READWRITE");
        }
        await WriteAsync(SchemaLogRecord.Create(SchemaRecordKey.ForMode(subject), null), cancellationToken).ConfigureAwait(false);
        return previous;
    }

    private async Task WriteAsync(SchemaLogRecord record, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await AppendAsync(record, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private string GlobalCompatibilityName() =>
        CompatibilityLevels.TryParse(_state.GlobalCompatibility, out var level) ? level.ToConfluentName() : Options.DefaultCompatibility.ToConfluentName();

    private CompatibilityLevel EffectiveCompatibility(string subject)
    {
        var name = _state.SubjectCompatibility(subject) ?? _state.GlobalCompatibility;
        return CompatibilityLevels.TryParse(name, out var level) ? level : Options.DefaultCompatibility;
    }

    private string EffectiveMode(string subject) => _state.SubjectMode(subject) ?? _state.GlobalMode ?? "READWRITE";
}
