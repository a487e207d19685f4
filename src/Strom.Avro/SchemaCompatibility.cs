namespace Strom.Avro;

/// <summary>Why a reader schema cannot read data written with a writer schema (the kinds Avro's own checker reports).</summary>
public enum IncompatibilityKind
{
    NameMismatch,
    FixedSizeMismatch,
    MissingEnumSymbols,
    ReaderFieldMissingDefaultValue,
    TypeMismatch,
    MissingUnionBranch,
}

/// <summary>One incompatibility, at a JSON-pointer-like path into the reader schema.</summary>
public sealed record Incompatibility(IncompatibilityKind Kind, string Path, string Detail)
{
    /// <summary>The error type name as Avro and Confluent spell it, e.g. READER_FIELD_MISSING_DEFAULT_VALUE.</summary>
    public string ErrorType => Kind switch
    {
        IncompatibilityKind.NameMismatch => "NAME_MISMATCH",
        IncompatibilityKind.FixedSizeMismatch => "FIXED_SIZE_MISMATCH",
        IncompatibilityKind.MissingEnumSymbols => "MISSING_ENUM_SYMBOLS",
        IncompatibilityKind.ReaderFieldMissingDefaultValue => "READER_FIELD_MISSING_DEFAULT_VALUE",
        IncompatibilityKind.TypeMismatch => "TYPE_MISMATCH",
        _ => "MISSING_UNION_BRANCH",
    };

    /// <summary>A sentence naming the reader and writer by role, e.g. "new" and "old".</summary>
    public string Describe(string reader, string writer) => Kind switch
    {
        IncompatibilityKind.NameMismatch => $"The name of the schema has changed (path '{Path}')",
        IncompatibilityKind.FixedSizeMismatch => $"The size of FIXED type field at path '{Path}' in the {reader} schema does not match with the {writer} schema",
        IncompatibilityKind.MissingEnumSymbols => $"The {reader} schema is missing enum symbols '{Detail}' at path '{Path}' in the {writer} schema",
        IncompatibilityKind.ReaderFieldMissingDefaultValue => $"The field '{Detail}' at path '{Path}' in the {reader} schema has no default value and is missing in the {writer} schema",
        IncompatibilityKind.TypeMismatch => $"The type (path '{Path}') of a field in the {reader} schema does not match with the {writer} schema",
        _ => $"The {reader} schema is missing a type inside a union field at path '{Path}' in the {writer} schema",
    };

    /// <summary>Confluent's verbose form: {errorType:'...', description:'...', additionalInfo:'...'}.</summary>
    public string ToConfluentString(string reader, string writer) =>
        $"{{errorType:'{ErrorType}', description:'{Describe(reader, writer)}', additionalInfo:'{Detail}'}}";
}

/// <summary>
/// Schema resolution as a check (spec "Schema Resolution"): can data written with the writer schema
/// be read with the reader schema? Types must match or be promotable (int to long, float, double;
/// long to float, double; float to double; string and bytes both ways); named types match by
/// unqualified name or a reader alias; record fields match by name or reader alias, and a reader
/// field the writer lacks needs a default; writer enum symbols the reader lacks need a reader enum
/// default; a writer union needs every branch readable, a reader union needs one branch that reads
/// the writer. Recursive schemas are assumed compatible at a pair already under check.
/// </summary>
public static class SchemaCompatibility
{
    public static IReadOnlyList<Incompatibility> Check(Schema reader, Schema writer)
    {
        var checker = new Checker();
        checker.Run(reader, writer, "");
        return checker.Results;
    }

    public static bool CanRead(Schema reader, Schema writer) => Check(reader, writer).Count == 0;

    private sealed class Checker
    {
        private readonly HashSet<(Schema, Schema)> _inProgress = new(PairComparer.Instance);

        public List<Incompatibility> Results { get; } = [];

        public void Run(Schema reader, Schema writer, string path)
        {
            if (!_inProgress.Add((reader, writer)))
            {
                return;
            }
            try
            {
                Compare(reader, writer, path);
            }
            finally
            {
                _inProgress.Remove((reader, writer));
            }
        }

        /// <summary>Checks without recording: used to try union branches.</summary>
        private bool Succeeds(Schema reader, Schema writer, string path)
        {
            var before = Results.Count;
            Run(reader, writer, path);
            var ok = Results.Count == before;
            Results.RemoveRange(before, Results.Count - before);
            return ok;
        }

        private void Compare(Schema reader, Schema writer, string path)
        {
            if (reader.Type == writer.Type)
            {
                switch (reader)
                {
                    case ArraySchema ra:
                        Run(ra.Items, ((ArraySchema)writer).Items, path + "/items");
                        return;
                    case MapSchema rm:
                        Run(rm.Values, ((MapSchema)writer).Values, path + "/values");
                        return;
                    case FixedSchema rf:
                        var wf = (FixedSchema)writer;
                        CheckName(rf, wf, path);
                        if (rf.Size != wf.Size)
                        {
                            Add(IncompatibilityKind.FixedSizeMismatch, path + "/size", $"expected: {wf.Size}, found: {rf.Size}");
                        }
                        return;
                    case EnumSchema re:
                        var we = (EnumSchema)writer;
                        CheckName(re, we, path);
                        if (re.Default is null)
                        {
                            var missing = we.Symbols.Where(s => re.IndexOf(s) < 0).ToList();
                            if (missing.Count > 0)
                            {
                                Add(IncompatibilityKind.MissingEnumSymbols, path + "/symbols", "[" + string.Join(", ", missing) + "]");
                            }
                        }
                        return;
                    case RecordSchema rr:
                        var wr = (RecordSchema)writer;
                        CheckName(rr, wr, path);
                        foreach (var field in rr.Fields)
                        {
                            var writerField = FindWriterField(wr, field);
                            if (writerField is null)
                            {
                                if (!field.HasDefault)
                                {
                                    Add(IncompatibilityKind.ReaderFieldMissingDefaultValue, $"{path}/fields/{field.Position}", field.Name);
                                }
                            }
                            else
                            {
                                Run(field.Schema, writerField.Schema, $"{path}/fields/{field.Position}/type");
                            }
                        }
                        return;
                    case UnionSchema:
                        var writerBranches = ((UnionSchema)writer).Branches;
                        for (var i = 0; i < writerBranches.Count; i++)
                        {
                            Run(reader, writerBranches[i], $"{path}/{i}");
                        }
                        return;
                    default:
                        return; // the same primitive type
                }
            }
            if (writer is UnionSchema wu)
            {
                for (var i = 0; i < wu.Branches.Count; i++)
                {
                    Run(reader, wu.Branches[i], $"{path}/{i}");
                }
                return;
            }
            switch (reader.Type)
            {
                case AvroType.Long when writer.Type == AvroType.Int:
                case AvroType.Float when writer.Type is AvroType.Int or AvroType.Long:
                case AvroType.Double when writer.Type is AvroType.Int or AvroType.Long or AvroType.Float:
                case AvroType.Bytes when writer.Type == AvroType.String:
                case AvroType.String when writer.Type == AvroType.Bytes:
                    return;
                case AvroType.Union:
                    var branches = ((UnionSchema)reader).Branches;
                    for (var i = 0; i < branches.Count; i++)
                    {
                        if (Succeeds(branches[i], writer, $"{path}/{i}"))
                        {
                            return;
                        }
                    }
                    Add(IncompatibilityKind.MissingUnionBranch, path, $"reader union lacking writer type: {writer.Type.ToString().ToUpperInvariant()}");
                    return;
                default:
                    Add(IncompatibilityKind.TypeMismatch, path,
                        $"reader type: {reader.Type.ToString().ToUpperInvariant()} not compatible with writer type: {writer.Type.ToString().ToUpperInvariant()}");
                    return;
            }
        }

        private void CheckName(NamedSchema reader, NamedSchema writer, string path)
        {
            if (reader.Name != writer.Name && !reader.Aliases.Contains(writer.FullName))
            {
                Add(IncompatibilityKind.NameMismatch, path + "/name", "expected: " + writer.FullName);
            }
        }

        private static Field? FindWriterField(RecordSchema writer, Field readerField)
        {
            if (writer.GetField(readerField.Name) is { } byName)
            {
                return byName;
            }
            foreach (var alias in readerField.Aliases)
            {
                if (writer.GetField(alias) is { } byAlias)
                {
                    return byAlias;
                }
            }
            return null;
        }

        private void Add(IncompatibilityKind kind, string path, string detail) =>
            Results.Add(new Incompatibility(kind, path.Length == 0 ? "/" : path, detail));
    }

    private sealed class PairComparer : IEqualityComparer<(Schema, Schema)>
    {
        public static readonly PairComparer Instance = new();

        public bool Equals((Schema, Schema) x, (Schema, Schema) y) => ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2);

        public int GetHashCode((Schema, Schema) obj) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item1), System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item2));
    }
}
