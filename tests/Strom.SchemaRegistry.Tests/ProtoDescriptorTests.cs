using System.Diagnostics;
using Strom.SchemaRegistry.Schemas;
using Strom.SchemaRegistry.Schemas.Protobuf;
using Strom.SchemaRegistry.Schemas.Protobuf.Descriptors;

namespace Strom.SchemaRegistry.Tests;

/// <summary>
/// Protobuf schemas as FileDescriptorProto and back, the .proto printer, and a byte-for-byte check of
/// our descriptors against protoc's (Debian's protobuf-compiler, installed by test.sh).
/// </summary>
public sealed class ProtoDescriptorTests
{
    public const string Proto3 = """
        syntax = "proto3";
        package shop.v1;

        import "google/protobuf/timestamp.proto";

        option java_package = "com.example.shop";
        option optimize_for = CODE_SIZE;
        option go_package = "example.com/shop;shop";

        // An order.
        message Order {
          option deprecated = true;
          reserved 10 to 12, 15, 20000 to max;
          reserved "legacy", "old";
          map<string, int32> counts = 1;
          message Line {
            string sku = 1;
            Status status = 2;
            repeated double prices = 3 [packed = false];
          }
          optional string note = 2;
          oneof payment {
            string card = 3;
            int64 cash = 4 [jstype = JS_STRING];
          }
          repeated Line lines = 5;
          google.protobuf.Timestamp created_at = 6;
          int32 my_field = 7 [json_name = "mf", deprecated = true];
          map<int64, Line> by_id = 8;
          enum Status {
            option allow_alias = true;
            NEW = 0;
            STARTED = 1;
            RUNNING = 1 [deprecated = true];
            reserved 5 to 7;
          }
          .shop.v1.Kind kind = 9;
          bytes blob = 10000;
        }

        message Empty {
        }

        enum Kind {
          KIND_UNSPECIFIED = 0;
          RETAIL = -1;
        }

        service Orders {
          rpc Get(Order) returns (Order);
          rpc Watch(stream Empty) returns (stream Order) {
            option idempotency_level = NO_SIDE_EFFECTS;
          }
        }
        """;

    public const string Proto2 = """
        syntax = "proto2";
        package legacy;

        message Record {
          required string id = 1;
          optional int32 count = 2 [default = 0x10];
          optional string label = 3 [default = "a \"quoted\"\n label"];
          repeated group Item = 4 {
            optional int32 value = 1;
          }
          optional Color color = 5 [default = BLUE];
          extensions 100 to 199;
          oneof choice {
            string a = 6;
            int32 b = 7;
          }
          enum Color {
            RED = 1;
            BLUE = 2;
          }
        }
        """;

    public static TheoryData<string> Schemas => new() { Proto3, Proto2, "message Bare { int32 a = 1; }" };

    private static ProtoSchema Parse(string text) => ProtoSchema.Parse(text, []);

    [Theory]
    [MemberData(nameof(Schemas))]
    public void PrintedTextParsesToTheSameModel(string text)
    {
        var printed = Parse(text).ToText();
        Assert.Equal(printed, Parse(printed).ToText());
        Assert.DoesNotContain("An order", printed, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Schemas))]
    public void DescriptorDecodesToTheSameModel(string text)
    {
        var schema = Parse(text);
        var descriptor = schema.ToDescriptor();
        var decoded = ProtoSchema.FromDescriptor(descriptor, []);
        Assert.Equal(schema.ToText(), decoded.ToText());
        Assert.Equal(descriptor, decoded.ToDescriptor());
        Assert.Equal(schema.File.AllMessages().Select(m => (m.FullName, string.Join(",", schema.File.IndexesOf(m.FullName)!))),
            decoded.File.AllMessages().Select(m => (m.FullName, string.Join(",", decoded.File.IndexesOf(m.FullName)!))));
    }

    [Fact]
    public void ThePrinterKeepsWhatTheModelHolds()
    {
        var printed = Parse(Proto3).ToText();
        foreach (var expected in new[]
        {
            "syntax = \"proto3\";", "package shop.v1;", "import \"google/protobuf/timestamp.proto\";",
            "option java_package = \"com.example.shop\";", "option optimize_for = CODE_SIZE;",
            "reserved 10 to 12, 15, 20000 to max;", "reserved \"legacy\", \"old\";", "map<string, int32> counts = 1;",
            "repeated double prices = 3 [packed = false];", "optional string note = 2;", "oneof payment {",
            "int64 cash = 4 [jstype = JS_STRING];", "google.protobuf.Timestamp created_at = 6;",
            "int32 my_field = 7 [json_name = \"mf\", deprecated = true];", "map<int64, Line> by_id = 8;",
            "RUNNING = 1 [deprecated = true];", "Kind kind = 9;", "RETAIL = -1;",
            "rpc Watch(stream Empty) returns (stream Order) {", "option idempotency_level = NO_SIDE_EFFECTS;",
        })
        {
            Assert.Contains(expected, printed, StringComparison.Ordinal);
        }
        var proto2 = Parse(Proto2).ToText();
        Assert.Contains("repeated group Item = 4 {", proto2, StringComparison.Ordinal);
        Assert.Contains("optional int32 count = 2 [default = 16];", proto2, StringComparison.Ordinal);
        Assert.Contains("extensions 100 to 199;", proto2, StringComparison.Ordinal);
        Assert.Contains("required string id = 1;", proto2, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("proto3")]
    [InlineData("proto2")]
    public async Task DescriptorBytesMatchProtoc(string which)
    {
        var text = which == "proto3" ? Proto3 : Proto2;
        var directory = Directory.CreateTempSubdirectory("strom-protoc-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "sample.proto"), text);
            var start = new ProcessStartInfo("protoc") { WorkingDirectory = directory.FullName, RedirectStandardError = true };
            foreach (var argument in new[] { "-I.", "-I/usr/include", "--descriptor_set_out=out.pb", "sample.proto" })
            {
                start.ArgumentList.Add(argument);
            }
            Process process;
            try
            {
                process = Process.Start(start)!;
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException("protoc is not installed: apt-get install -y protobuf-compiler libprotobuf-dev (test.sh does)", e);
            }
            using (process)
            {
                var stderr = await process.StandardError.ReadToEndAsync();
                await process.WaitForExitAsync();
                Assert.True(process.ExitCode == 0, "protoc: " + stderr);
            }
            var protoc = SingleFile(await File.ReadAllBytesAsync(Path.Combine(directory.FullName, "out.pb")));
            var ours = Parse(text).ToDescriptor("sample.proto");
            Assert.Equal(Convert.ToHexString(protoc), Convert.ToHexString(ours));
            Assert.Equal(Parse(text).ToText(), ProtoSchema.FromDescriptor(protoc, []).ToText());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>The one FileDescriptorProto of a FileDescriptorSet (field 1).</summary>
    private static byte[] SingleFile(byte[] set)
    {
        var reader = new ProtoReader(set);
        Assert.True(reader.Next());
        Assert.Equal(1, reader.Field);
        var file = reader.Bytes().ToArray();
        Assert.False(reader.Next());
        return file;
    }

    [Fact]
    public void EveryTruncationIsRejectedOrDecodesCleanly()
    {
        var descriptor = Parse(Proto3).ToDescriptor();
        var rejected = 0;
        for (var length = 0; length < descriptor.Length; length++)
        {
            try
            {
                ProtoSchema.FromDescriptor(descriptor.AsSpan(0, length), []);
            }
            catch (SchemaInvalidException)
            {
                rejected++;
            }
        }
        // Cuts on a field boundary can leave a smaller valid file; every other cut must be an invalid schema.
        Assert.True(rejected > descriptor.Length * 9 / 10, $"{rejected} of {descriptor.Length} truncations rejected");
    }

    [Theory]
    [InlineData(new byte[] { 0x00 }, "invalid field number")]
    [InlineData(new byte[] { 0x22, 0x05, 0x0A }, "declares 5 bytes")]
    [InlineData(new byte[] { 0x22, 0x03, 0x0A, 0x01, 0x20 }, "not a valid name")]
    [InlineData(new byte[] { 0x0B }, "unsupported wire type")]
    [InlineData(new byte[] { 0x50, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 }, "varint")]
    [InlineData(new byte[] { 0x62, 0x08, (byte)'e', (byte)'d', (byte)'i', (byte)'t', (byte)'i', (byte)'o', (byte)'n', (byte)'s' }, "not supported")]
    public void MalformedDescriptorsAreInvalidSchemas(byte[] descriptor, string reason)
    {
        var error = Assert.Throws<SchemaInvalidException>(() => ProtoSchema.FromDescriptor(descriptor, []));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Base64IsTakenAsADescriptorAndTextAsText()
    {
        var base64 = Convert.ToBase64String(Parse(Proto3).ToDescriptor());
        var provider = new ProtobufSchemaProvider();
        Assert.Equal(provider.Parse(Proto3, []).Canonical, provider.Parse(base64, []).Canonical);
        Assert.Equal(provider.Parse(Proto3, []).Canonical, provider.Parse("\n" + base64 + "\n", []).Canonical);
        Assert.Throws<SchemaInvalidException>(() => provider.Parse("AAAA", []));
        Assert.Throws<SchemaInvalidException>(() => provider.Parse("bWVzc2FnZQ==", []));
        Assert.Throws<SchemaInvalidException>(() => provider.Parse(base64[..(base64.Length / 2)] + "====", []));
    }
}
