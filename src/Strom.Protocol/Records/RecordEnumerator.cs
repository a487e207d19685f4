namespace Strom.Protocol.Records;

/// <summary>
/// Walks the records of one <see cref="RecordBatchView"/>, parsing each v2 record as it is
/// reached (or over the already decoded list for legacy messages). A struct: foreach over it
/// allocates nothing.
/// </summary>
public struct RecordEnumerator
{
    private readonly RecordBatchView _batch;
    private readonly ReadOnlyMemory<byte> _payload;
    private readonly IReadOnlyList<Record>? _decoded;
    private int _index;
    private int _position;

    internal RecordEnumerator(RecordBatchView batch, ReadOnlyMemory<byte> payload, IReadOnlyList<Record>? decoded)
    {
        _batch = batch;
        _payload = payload;
        _decoded = decoded;
        _index = -1;
        Current = default;
    }

    public Record Current { get; private set; }

    public readonly RecordEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_decoded is not null)
        {
            if (++_index >= _decoded.Count)
            {
                return false;
            }
            Current = _decoded[_index];
            return true;
        }
        if (_batch is null || ++_index >= _batch.Header.RecordCount)
        {
            return false;
        }
        Current = _batch.ReadRecord(_payload, ref _position);
        return true;
    }
}
