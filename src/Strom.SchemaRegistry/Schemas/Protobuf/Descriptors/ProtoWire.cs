using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using VarInts = Strom.Protocol.Primitives.VarInt;

namespace Strom.SchemaRegistry.Schemas.Protobuf.Descriptors;

/// <summary>
/// Protobuf binary encoding (protobuf.dev "Encoding"): a field is a varint key (number &lt;&lt; 3 | wire type)
/// then a varint (type 0), 8 bytes (1), a varint length and that many bytes (2) or 4 bytes (5).
/// Only what descriptors need: varints, strings, bools and nested messages. A nested message is
/// encoded into its own buffer first so its length can precede it.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly ArrayBufferWriter<byte> _output = new(256);

    public ReadOnlySpan<byte> Written => _output.WrittenSpan;

    public void VarInt(int field, long value)
    {
        Key(field, 0);
        Raw((ulong)value);
    }

    public void Bool(int field, bool value) => VarInt(field, value ? 1 : 0);

    public void String(int field, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        Key(field, 2);
        Raw((ulong)length);
        Encoding.UTF8.GetBytes(value, _output.GetSpan(length));
        _output.Advance(length);
    }

    /// <summary>A nested message; written even when empty (presence matters for options).</summary>
    public void Message(int field, Action<ProtoWriter> body)
    {
        var nested = new ProtoWriter();
        body(nested);
        Key(field, 2);
        Raw((ulong)nested.Written.Length);
        _output.Write(nested.Written);
    }

    private void Key(int field, int wireType) => Raw((ulong)((uint)field << 3 | (uint)wireType));

    private void Raw(ulong value) => _output.Advance(VarInts.WriteUnsigned(_output.GetSpan(VarInts.MaxVarLongBytes), value));
}

/// <summary>
/// Reads fields off a complete message. Every length is checked against the bytes left before it
/// is used, so a truncated or hostile descriptor fails with <see cref="SchemaInvalidException"/>.
/// </summary>
internal ref struct ProtoReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public int Field { get; private set; }

    public int WireType { get; private set; }

    /// <summary>Moves to the next field; false at the end of the message.</summary>
    public bool Next()
    {
        if (_position >= _data.Length)
        {
            return false;
        }
        var key = RawVarInt();
        Field = (int)(key >> 3);
        WireType = (int)(key & 7);
        if (Field <= 0 || key >> 3 > int.MaxValue)
        {
            Fail($"invalid field number {key >> 3}");
        }
        return true;
    }

    public long VarInt()
    {
        Expect(0);
        return (long)RawVarInt();
    }

    public int Int32() => (int)VarInt();

    public bool Bool() => VarInt() != 0;

    public ReadOnlySpan<byte> Bytes()
    {
        Expect(2);
        var length = RawVarInt();
        if (length > (ulong)(_data.Length - _position))
        {
            Fail($"field {Field} declares {length} bytes, {_data.Length - _position} left");
        }
        var bytes = _data.Slice(_position, (int)length);
        _position += (int)length;
        return bytes;
    }

    public string String()
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(Bytes());
        }
        catch (DecoderFallbackException)
        {
            return Fail<string>($"field {Field} is not valid UTF-8");
        }
    }

    public void Skip()
    {
        switch (WireType)
        {
            case 0:
                RawVarInt();
                break;
            case 1:
                Advance(8);
                break;
            case 2:
                Bytes();
                break;
            case 5:
                Advance(4);
                break;
            default:
                Fail($"unsupported wire type {WireType} in field {Field}");
                break;
        }
    }

    private void Advance(int count)
    {
        if (_data.Length - _position < count)
        {
            Fail("truncated");
        }
        _position += count;
    }

    private void Expect(int wireType)
    {
        if (WireType != wireType)
        {
            Fail($"field {Field} has wire type {WireType}, expected {wireType}");
        }
    }

    private ulong RawVarInt()
    {
        var n = VarInts.TryReadUnsigned(_data[_position..], out ulong value);
        if (n <= 0)
        {
            Fail(n == 0 ? "truncated varint" : "varint longer than 10 bytes");
        }
        _position += n;
        return value;
    }

    [DoesNotReturn]
    public static void Fail(string reason) => throw new SchemaInvalidException("Invalid FileDescriptorProto: " + reason);

    [DoesNotReturn]
    public static T Fail<T>(string reason) => throw new SchemaInvalidException("Invalid FileDescriptorProto: " + reason);
}
