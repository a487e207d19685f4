using Strom.Avro;
using Strom.SchemaRegistry.Schemas;
using Strom.SchemaRegistry.Schemas.Protobuf;

namespace Strom.SchemaRegistry.Tests;

/// <summary>Protobuf parsing, type resolution, message indexes and Confluent's compatibility rules.</summary>
public sealed class ProtobufTests
{
    private static readonly ProtobufSchemaProvider Provider = new();

    private static string Proto(string body, string package = "shop") => $"syntax = \"proto3\";\npackage {package};\n{body}";

    // (previous, proposed, BACKWARD compatible?, FORWARD compatible?, the incompatibility reported when not)
    public static TheoryData<string, string, bool, bool, string> Pairs => new()
    {
        { Proto("message M { int32 a = 1; }"), Proto("message M { int32 a = 1; string b = 2; }"), true, true, "" },
        { Proto("message M { int32 a = 1; string b = 2; }"), Proto("message M { int32 a = 1; }"), true, true, "" },
        { Proto("message M { int32 a = 1; }"), Proto("message M { int32 renamed = 1; }"), true, true, "" },
        { Proto("message M { int32 a = 1; }"), Proto("message M { int64 a = 1; }"), true, true, "" },
        { Proto("message M { int32 a = 1; }"), Proto("message M { bool a = 1; }"), true, true, "" },
        { Proto("message M { int32 a = 1; }"), Proto("message M { sint32 a = 1; }"), false, false, "FIELD_SCALAR_KIND_CHANGED" },
        { Proto("message M { int32 a = 1; }"), Proto("message M { string a = 1; }"), false, false, "FIELD_SCALAR_KIND_CHANGED" },
        { Proto("message M { fixed32 a = 1; }"), Proto("message M { sfixed32 a = 1; }"), true, true, "" },
        { Proto("message M { fixed32 a = 1; }"), Proto("message M { fixed64 a = 1; }"), false, false, "FIELD_SCALAR_KIND_CHANGED" },
        { Proto("message M { string a = 1; }"), Proto("message M { bytes a = 1; }"), true, true, "" },
        { Proto("message M { string a = 1; }"), Proto("message M { N a = 1; } message N { int32 x = 1; }"), false, false, "FIELD_KIND_CHANGED" },
        { Proto("message M { N a = 1; } message N { int32 x = 1; } message O { int32 x = 1; }"), Proto("message M { O a = 1; } message N { int32 x = 1; } message O { int32 x = 1; }"), false, false, "FIELD_NAMED_TYPE_CHANGED" },
        { Proto("message M { N a = 1; } message N { int32 x = 1; }"), Proto("message M { N a = 1; } message N { string x = 1; }"), false, false, "FIELD_SCALAR_KIND_CHANGED" },
        { Proto("message M { int32 a = 1; } message N { int32 x = 1; }"), Proto("message M { int32 a = 1; }"), false, true, "MESSAGE_REMOVED" },
        { Proto("message M { E a = 1; } enum E { X = 0; }"), Proto("message M { int32 a = 1; } enum E { X = 0; }"), true, true, "" },
        { Proto("message M { E a = 1; } enum E { X = 0; }"), Proto("message M { E a = 1; } enum E { X = 0; Y = 1; }"), true, true, "" },
        { Proto("message M { int32 a = 1; }"), Proto("message M { int32 a = 1; }", package: "other"), true, true, "" },
        { Proto("message M { int32 a = 1; }"), Proto("message M { repeated int32 a = 1; }"), true, true, "" },
        { Proto("message M { optional string a = 1; }"), Proto("message M { repeated string a = 1; }"), false, false, "FIELD_STRING_OR_BYTES_LABEL_CHANGED" },
        { Proto("message M { map<string, int32> a = 1; }"), Proto("message M { map<string, int64> a = 1; }"), true, true, "" },
        { Proto("message M { map<string, int32> a = 1; }"), Proto("message M { map<string, string> a = 1; }"), false, false, "FIELD_SCALAR_KIND_CHANGED" },
        { Proto("message M { map<string, int32> a = 1; }"), Proto("message M { repeated int32 a = 1; }"), false, false, "FIELD_KIND_CHANGED" },
        { Proto("message M { oneof o { int32 a = 1; string b = 2; } }"), Proto("message M { oneof o { int32 a = 1; } }"), false, true, "ONEOF_FIELD_REMOVED" },
        { Proto("message M { int32 a = 1; }"), Proto("message M { oneof o { int32 a = 1; } }"), true, true, "" },
        { Proto("message M { int32 a = 1; string b = 2; }"), Proto("message M { oneof o { int32 a = 1; string b = 2; } }"), false, true, "MULTIPLE_FIELDS_MOVED_TO_ONEOF" },
        { Proto("message M { int32 a = 1; oneof o { string b = 2; } }"), Proto("message M { oneof o { int32 a = 1; string b = 2; } }"), false, true, "FIELD_MOVED_TO_EXISTING_ONEOF" },
        { Proto("message M { message In { int32 x = 1; } In a = 1; }"), Proto("message M { message In { double x = 1; } In a = 1; }"), false, false, "FIELD_SCALAR_KIND_CHANGED" },
        { "syntax = \"proto2\"; message M { optional int32 a = 1; }", "syntax = \"proto2\"; message M { optional int32 a = 1; required int32 b = 2; }", false, false, "REQUIRED_FIELD_ADDED" },
        { Proto("message Node { Node next = 1; int32 v = 2; }"), Proto("message Node { Node next = 1; int64 v = 2; string w = 3; }"), true, true, "" },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void CompatibilityMatrix(string previous, string proposed, bool backward, bool forward, string reported)
    {
        var old = Provider.Parse(previous, []);
        var @new = Provider.Parse(proposed, []);
        var backwardIssues = Provider.CheckCompatibility(@new, old, "new", "old");
        var forwardIssues = Provider.CheckCompatibility(old, @new, "old", "new");
        Assert.True(backward == (backwardIssues.Count == 0), "BACKWARD: " + string.Join("; ", backwardIssues));
        Assert.True(forward == (forwardIssues.Count == 0), "FORWARD: " + string.Join("; ", forwardIssues));
        Assert.Equal(backward && forward, CompatibilityLevels.Check(CompatibilityLevel.Full, @new, [old], Provider.CheckCompatibility) is null);
        if (reported.Length > 0)
        {
            Assert.Contains(backwardIssues.Concat(forwardIssues), m => m.Contains($"errorType:'{reported}'", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("message M { Missing a = 1; }", "Unknown type Missing")]
    [InlineData("message M { int32 a = 1; int32 b = 1; }", "used twice")]
    [InlineData("message M { int32 a = 1; string a = 2; }", "already defined")]
    [InlineData("message M { int32 a = 0; }", "out of range")]
    [InlineData("message M { int32 a = 19500; }", "reserved by Protocol Buffers")]
    [InlineData("enum E { A = 1; }", "must be zero")]
    [InlineData("import \"other.proto\"; message M { int32 a = 1; }", "not among the schema references")]
    [InlineData("message M { map<double, int32> a = 1; }", "Map key type")]
    [InlineData("message M { int32 a = 1; ", "Unexpected end")]
    public void InvalidSchemasAreRejectedWithAReason(string body, string reason)
    {
        var error = Assert.Throws<SchemaInvalidException>(() => Provider.Parse(Proto(body), []));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TypesResolveThroughReferencesWellKnownFilesAndScopes()
    {
        var customer = "syntax = \"proto3\"; package crm; message Customer { string name = 1; }";
        var order = """
            syntax = "proto3";
            package shop.v1;
            import "customer.proto";
            import "google/protobuf/timestamp.proto";
            import "google/protobuf/wrappers.proto";
            message Order {
              message Line { string sku = 1; Status status = 2; }
              enum Status { NEW = 0; DONE = 1; }
              crm.Customer customer = 1;
              repeated Line lines = 2;
              google.protobuf.Timestamp at = 3;
              .google.protobuf.StringValue note = 4;
              map<string, Line> by_sku = 5;
            }
            """;
        var schema = ProtoSchema.Parse(order, [("customer.proto", customer)]);
        var fields = schema.File.Messages[0].Fields.ToDictionary(f => f.Name);
        Assert.Equal("crm.Customer", fields["customer"].ResolvedType);
        Assert.Equal("shop.v1.Order.Line", fields["lines"].ResolvedType);
        Assert.Equal("google.protobuf.Timestamp", fields["at"].ResolvedType);
        Assert.Equal("google.protobuf.StringValue", fields["note"].ResolvedType);
        Assert.Equal("shop.v1.Order.Line", fields["by_sku"].Map!.Value.ResolvedValue);
        Assert.Equal("shop.v1.Order.Status", schema.File.Messages[0].Nested[0].Fields[1].ResolvedType);
        Assert.True(schema.IsEnum("shop.v1.Order.Status"));
        // The timestamp type is only visible when its file is imported.
        Assert.Throws<SchemaInvalidException>(() => ProtoSchema.Parse("syntax = \"proto3\"; message M { google.protobuf.Timestamp t = 1; }", []));
    }

    [Fact]
    public void MessageIndexesFollowDeclarationOrderAtEachLevel()
    {
        var file = ProtoSchema.Parse(Proto("message A { message X { int32 a = 1; } message Y { message Z { int32 a = 1; } } } message B { int32 b = 1; }"), []).File;
        Assert.Equal([0], file.IndexesOf("shop.A")!);
        Assert.Equal([1], file.IndexesOf("shop.B")!);
        Assert.Equal([0, 1, 0], file.IndexesOf("shop.A.Y.Z")!);
        Assert.Equal([0, 1, 0], file.IndexesOf(".shop.A.Y.Z")!);
        Assert.Null(file.IndexesOf("shop.C"));
        Assert.Equal("shop.A.Y.Z", file.MessageAt([0, 1, 0])!.FullName);
        Assert.Null(file.MessageAt([2]));
    }
}
