using System.Buffers;
using System.Buffers.Binary;
using Strom.Protocol;
using Strom.Protocol.Messages;
using Strom.Protocol.Primitives;
using Strom.Protocol.Records;

namespace Strom.Broker.Tests.Fuzz;

/// <summary>A valid request split into its header and body, as the mutators see it.</summary>
internal sealed class ValidRequest
{
    public ValidRequest(ApiKey key, short version, IRequestMessage message, string clientId, int correlationId, byte[]? batch)
    {
        Key = key;
        Version = version;
        HeaderVersion = ApiMessages.RequestHeaderVersion(key, version);
        Flexible = ApiMessages.IsFlexible(key, version);
        CorrelationId = correlationId;
        ClientId = clientId;
        Header = EncodeHeader(HeaderVersion);
        var body = new ArrayBufferWriter<byte>();
        message.Write(body, version);
        Body = body.WrittenSpan.ToArray();
        BatchOffset = batch is null ? -1 : Body.AsSpan().IndexOf(batch);
        BatchLength = BatchOffset < 0 ? 0 : batch!.Length;
    }

    public ApiKey Key { get; }
    public short Version { get; }
    public short HeaderVersion { get; }
    public bool Flexible { get; }
    public int CorrelationId { get; }
    public string ClientId { get; }
    public byte[] Header { get; }
    public byte[] Body { get; }

    /// <summary>Where the produced record batch starts in <see cref="Body"/>, or -1.</summary>
    public int BatchOffset { get; }
    public int BatchLength { get; }

    public byte[] Payload => [.. Header, .. Body];

    public byte[] EncodeHeader(short headerVersion)
    {
        var writer = new ArrayBufferWriter<byte>();
        new RequestHeader { RequestApiKey = (short)Key, RequestApiVersion = Version, CorrelationId = CorrelationId, ClientId = ClientId }
            .Write(writer, headerVersion);
        return writer.WrittenSpan.ToArray();
    }
}

/// <summary>One mutated request: what was done (for the failure report) and the bytes after the size prefix.</summary>
internal sealed record Mutant(string Kind, byte[] Payload);

/// <summary>
/// Turns a valid request into malformed ones. Everything is drawn from the given
/// <see cref="Random"/>, so a (seed, request) pair always yields the same mutants. Length prefixes
/// are found by shape (an int16/varint followed by that many printable bytes, a small int32/varint
/// count), so the "inflate a length" mutants also hit plain integers now and then, which is fine.
/// </summary>
internal static class Mutator
{
    private static readonly byte[] Interesting = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];

    public static Mutant Next(ValidRequest request, Random rng)
    {
        var choice = rng.Next(request.BatchOffset >= 0 ? 11 : 9);
        return choice switch
        {
            0 => BitFlips(request, rng),
            1 => ByteReplacements(request, rng),
            2 => Truncate(request, rng.Next(request.Payload.Length)),
            3 => InflateLength(request, rng),
            4 => InflateLength(request, rng),
            5 => TaggedFields(request, rng),
            6 => WrongHeaderVersion(request, rng),
            7 => rng.Next(2) == 0 ? AppendGarbage(request, rng) : RandomBody(request, rng),
            8 => BitFlips(request, rng),
            9 => BatchField(request, rng),
            _ => BatchBytesWithCrc(request, rng),
        };
    }

    public static Mutant Truncate(ValidRequest request, int length) => new($"truncate to {length}", request.Payload[..length]);

    private static Mutant BitFlips(ValidRequest request, Random rng)
    {
        var payload = request.Payload;
        var flips = 1 + rng.Next(3);
        var where = new List<int>();
        for (var i = 0; i < flips; i++)
        {
            // Mostly in the body: flipping the api key or version mostly tests the one version check.
            var bit = rng.Next(4) == 0 || request.Body.Length == 0 ? rng.Next(payload.Length * 8) : request.Header.Length * 8 + rng.Next(request.Body.Length * 8);
            payload[bit / 8] ^= (byte)(1 << (bit % 8));
            where.Add(bit);
        }
        return new($"flip bits {string.Join(',', where)}", payload);
    }

    private static Mutant ByteReplacements(ValidRequest request, Random rng)
    {
        var payload = request.Payload;
        var count = 1 + rng.Next(4);
        var where = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var at = request.Header.Length + rng.Next(Math.Max(1, request.Body.Length));
            if (at >= payload.Length)
            {
                break;
            }
            payload[at] = rng.Next(2) == 0 ? Interesting[rng.Next(Interesting.Length)] : (byte)rng.Next(256);
            where.Add($"{at}={payload[at]:x2}");
        }
        return new($"replace bytes {string.Join(',', where)}", payload);
    }

    private static Mutant AppendGarbage(ValidRequest request, Random rng)
    {
        var garbage = new byte[1 + rng.Next(64)];
        rng.NextBytes(garbage);
        return new($"append {garbage.Length} random bytes", [.. request.Payload, .. garbage]);
    }

    private static Mutant RandomBody(ValidRequest request, Random rng)
    {
        var body = new byte[rng.Next(200)];
        rng.NextBytes(body);
        return new($"random body of {body.Length} bytes", [.. request.Header, .. body]);
    }

    private static Mutant WrongHeaderVersion(ValidRequest request, Random rng)
    {
        short[] others = request.HeaderVersion switch
        {
            2 => [0, 1],
            1 => [0, 2],
            _ => [1, 2],
        };
        var headerVersion = others[rng.Next(others.Length)];
        return new($"request header v{headerVersion} instead of v{request.HeaderVersion}", [.. request.EncodeHeader(headerVersion), .. request.Body]);
    }

    /// <summary>Replaces something that looks like a length or count with a hostile one.</summary>
    private static Mutant InflateLength(ValidRequest request, Random rng)
    {
        var body = request.Body;
        var candidates = LengthCandidates(body, request.Flexible);
        if (candidates.Count == 0)
        {
            return BitFlips(request, rng);
        }
        var (at, width) = candidates[rng.Next(candidates.Count)];
        byte[] replacement;
        string what;
        if (width == 1)
        {
            uint[] values = [0, 0x7fffffff, 0xffffffff, (uint)(body[at] + 1), (uint)(body[at] + 100), 0x10000];
            var value = values[rng.Next(values.Length)];
            replacement = rng.Next(8) == 0 ? [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01] : UnsignedVarInt(value);
            what = replacement.Length == 7 ? "overlong varint" : $"varint {value}";
        }
        else if (width == 2)
        {
            short[] values = [-1, -2, short.MinValue, short.MaxValue, (short)(BinaryPrimitives.ReadInt16BigEndian(body.AsSpan(at)) + 1)];
            var value = values[rng.Next(values.Length)];
            replacement = new byte[2];
            BinaryPrimitives.WriteInt16BigEndian(replacement, value);
            what = $"int16 {value}";
        }
        else
        {
            int[] values = [-1, -2, int.MinValue, int.MaxValue, 0x10000000, BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(at)) + 1, 1_000_000];
            var value = values[rng.Next(values.Length)];
            replacement = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(replacement, value);
            what = $"int32 {value}";
        }
        byte[] mutated = [.. body.AsSpan(0, at), .. replacement, .. body.AsSpan(at + width)];
        return new($"length at body+{at} ({width} bytes) -> {what}", [.. request.Header, .. mutated]);
    }

    /// <summary>Positions (and widths) of what may be a string length, bytes length or array count.</summary>
    private static List<(int At, int Width)> LengthCandidates(byte[] body, bool flexible)
    {
        var found = new List<(int, int)>();
        for (var i = 0; i < body.Length; i++)
        {
            if (flexible)
            {
                var value = body[i];
                if (value is >= 1 and < 0x80 && (value <= 6 || PrintableRun(body, i + 1, value - 1)))
                {
                    found.Add((i, 1));
                }
                continue;
            }
            if (i + 2 <= body.Length)
            {
                var length = BinaryPrimitives.ReadInt16BigEndian(body.AsSpan(i));
                if (length > 0 && PrintableRun(body, i + 2, length))
                {
                    found.Add((i, 2));
                }
            }
            if (i + 4 <= body.Length)
            {
                var count = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(i));
                if (count is >= 0 and <= 4)
                {
                    found.Add((i, 4));
                }
            }
        }
        return found;
    }

    private static bool PrintableRun(byte[] body, int start, int length)
    {
        if (length <= 0 || start + length > body.Length)
        {
            return false;
        }
        foreach (var b in body.AsSpan(start, length))
        {
            if (b is < 0x20 or > 0x7e)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Flexible versions: replaces an empty tagged-field section (a 0 byte, in the header or the
    /// body) with one holding random, oversized or truncated fields. Older versions: a random byte.
    /// </summary>
    private static Mutant TaggedFields(ValidRequest request, Random rng)
    {
        var payload = request.Payload;
        var zeros = new List<int>();
        for (var i = 8; i < payload.Length; i++)
        {
            if (payload[i] == 0)
            {
                zeros.Add(i);
            }
        }
        if (!request.Flexible || zeros.Count == 0)
        {
            return ByteReplacements(request, rng);
        }
        // The last byte of a flexible body is its top-level tagged-field count: favour it.
        var at = rng.Next(3) == 0 ? payload.Length - 1 : zeros[rng.Next(zeros.Count)];
        var writer = new ArrayBufferWriter<byte>();
        uint[] counts = [1, 2, 3, 0x7f, 0xffffffff];
        var count = counts[rng.Next(counts.Length)];
        ProtocolWriter.WriteUnsignedVarInt(writer, count);
        var fields = (int)Math.Min(count, 3);
        var description = new List<string> { $"count {count}" };
        for (var f = 0; f < fields; f++)
        {
            uint[] tags = [0, 1, 2, 3, 9000, 0x7fffffff, 0xffffffff];
            var tag = tags[rng.Next(tags.Length)];
            var data = new byte[rng.Next(12)];
            rng.NextBytes(data);
            uint[] sizes = [(uint)data.Length, (uint)data.Length + 1, 0, 0x7fffffff, 0xffffffff, 1_000_000];
            var size = sizes[rng.Next(sizes.Length)];
            ProtocolWriter.WriteUnsignedVarInt(writer, tag);
            ProtocolWriter.WriteUnsignedVarInt(writer, size);
            writer.Write(data);
            description.Add($"tag {tag} size {size} data {data.Length}");
        }
        byte[] mutated = [.. payload.AsSpan(0, at), .. writer.WrittenSpan, .. payload.AsSpan(at + 1)];
        return new($"tagged fields at {at}: {string.Join("; ", description)}", mutated);
    }

    /// <summary>Produce: a hostile batch length, record count or records size, CRC left stale.</summary>
    private static Mutant BatchField(ValidRequest request, Random rng)
    {
        var payload = request.Payload;
        var batch = request.Header.Length + request.BatchOffset;
        int[] values = [int.MaxValue, int.MinValue, -1, 0, 1, 49, request.BatchLength, request.BatchLength * 2, 0x10000000];
        var value = values[rng.Next(values.Length)];
        (string Field, int Offset)[] fields =
        [
            ("batchLength", RecordBatchHeader.BatchLengthOffset),
            ("recordCount", RecordBatchHeader.RecordCountOffset),
            ("lastOffsetDelta", RecordBatchHeader.LastOffsetDeltaOffset),
            ("records size prefix", request.Flexible ? -1 : -4),
        ];
        var (field, offset) = fields[rng.Next(fields.Length)];
        if (offset == -1)
        {
            // Compact bytes: the varint just before the batch (1 or 2 bytes for these sizes).
            var prefixLength = request.BatchLength + 1 < 0x80 ? 1 : 2;
            byte[] varint = UnsignedVarInt(unchecked((uint)value));
            payload = [.. payload.AsSpan(0, batch - prefixLength), .. varint, .. payload.AsSpan(batch)];
        }
        else
        {
            BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(batch + offset), value);
        }
        if (rng.Next(2) == 0 && offset >= 0)
        {
            StampCrc(payload.AsSpan(batch, request.BatchLength));
            return new($"batch {field} = {value}, CRC restamped", payload);
        }
        return new($"batch {field} = {value}", payload);
    }

    /// <summary>Produce: random damage inside the batch with the CRC made right again, so it reaches the record and decompression code.</summary>
    private static Mutant BatchBytesWithCrc(ValidRequest request, Random rng)
    {
        var payload = request.Payload;
        var batch = payload.AsSpan(request.Header.Length + request.BatchOffset, request.BatchLength);
        var count = 1 + rng.Next(4);
        var where = new List<string>();
        for (var i = 0; i < count; i++)
        {
            // Past the CRC: attributes, header fields, records or compressed bytes.
            var at = RecordBatchHeader.AttributesOffset + rng.Next(batch.Length - RecordBatchHeader.AttributesOffset);
            batch[at] = rng.Next(3) == 0 ? Interesting[rng.Next(Interesting.Length)] : (byte)rng.Next(256);
            where.Add($"{at}={batch[at]:x2}");
        }
        StampCrc(batch);
        return new($"batch bytes {string.Join(',', where)}, CRC restamped", payload);
    }

    private static void StampCrc(Span<byte> batch) =>
        BinaryPrimitives.WriteUInt32BigEndian(batch[RecordBatchHeader.CrcOffset..], RecordBatchHeader.ComputeCrc(batch));

    private static byte[] UnsignedVarInt(uint value)
    {
        var writer = new ArrayBufferWriter<byte>();
        ProtocolWriter.WriteUnsignedVarInt(writer, value);
        return writer.WrittenSpan.ToArray();
    }
}
