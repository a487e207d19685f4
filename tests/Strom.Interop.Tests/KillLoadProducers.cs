using Confluent.Kafka;
using Strom.Client.Config;
using CompressionType = Strom.Protocol.Records.CompressionType;
using StromProducer = Strom.Client.Producer.KafkaProducer;

namespace Strom.Interop.Tests;

/// <summary>A producer the broker-kill tests drive: one record by seq, its outcome reported once.</summary>
internal interface ILoadProducer : IAsyncDisposable
{
    /// <summary>Queues record <paramref name="seq"/> and returns its value's size; <paramref name="done"/> gets (partition, offset, error) on the client's thread.</summary>
    int Produce(long seq, Action<int, long, Exception?> done);

    /// <summary>Waits until every queued record has its outcome.</summary>
    Task FlushAsync(TimeSpan timeout);
}

/// <summary>Strom.Client's producer, acks=all, retrying with a short backoff ceiling until the delivery timeout (90 s when idempotent).</summary>
internal sealed class StromLoadProducer(string bootstrap, string topic, KillRecords records, bool idempotent, CompressionType compression,
    int deliveryTimeoutMs = 20_000) : ILoadProducer
{
    private readonly StromProducer _producer = new(new ProducerOptions
    {
        Client = new ClientOptions { BootstrapServers = [bootstrap], ClientId = $"{topic}-strom", RetryBackoffMaxMs = 250 },
        Acks = -1,
        EnableIdempotence = idempotent,
        CompressionType = compression,
        DeliveryTimeoutMs = idempotent ? 90_000 : deliveryTimeoutMs,
    });

    public int Produce(long seq, Action<int, long, Exception?> done)
    {
        var (key, value, headers, timestamp) = records.Create(seq);
        _producer.Produce(topic, key, value, (result, error) => done(result.Partition, result.Offset, error), headers, timestamp);
        return value.Length;
    }

    public Task FlushAsync(TimeSpan timeout) => _producer.FlushAsync().WaitAsync(timeout);

    public ValueTask DisposeAsync() => _producer.DisposeAsync();
}

/// <summary>librdkafka through Confluent.Kafka, acks=all; its own partitioner, reconnects and retries.</summary>
internal sealed class RdkafkaLoadProducer(string bootstrap, string topic, KillRecords records, bool idempotent) : ILoadProducer
{
    private readonly IProducer<byte[], byte[]> _producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
    {
        BootstrapServers = bootstrap,
        ClientId = $"{topic}-librdkafka",
        Acks = Acks.All,
        EnableIdempotence = idempotent,
        LingerMs = 5,
        MessageTimeoutMs = idempotent ? 90_000 : 20_000,
        ReconnectBackoffMaxMs = 250,
        RetryBackoffMs = 50,
    }).SetLogHandler((_, _) => { }).Build(); // its "broker down" lines are the point of the test, not news

    public int Produce(long seq, Action<int, long, Exception?> done)
    {
        var (key, value, headers, timestamp) = records.Create(seq);
        var kafkaHeaders = new Headers();
        foreach (var h in headers)
        {
            kafkaHeaders.Add(h.Key, h.Value);
        }
        _producer.Produce(topic, new Message<byte[], byte[]>
        {
            Key = key,
            Value = value,
            Headers = kafkaHeaders,
            Timestamp = new Timestamp(timestamp, TimestampType.CreateTime),
        }, report => done(report.Partition.Value, report.Offset.Value,
            report.Error.IsError || report.Status != PersistenceStatus.Persisted ? new KafkaException(report.Error) : null));
        return value.Length;
    }

    public Task FlushAsync(TimeSpan timeout) => Task.Run(() =>
    {
        Assert.True(_producer.Flush(timeout) == 0, $"librdkafka still had records queued after {timeout}");
    });

    public ValueTask DisposeAsync()
    {
        _producer.Flush(TimeSpan.FromSeconds(30));
        _producer.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Produces records back to back on a background task, at most <c>window</c> without an outcome at a time.</summary>
internal sealed class ProduceLoop : IDisposable
{
    private readonly int _size;
    private readonly SemaphoreSlim _window;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _task;

    public ProduceLoop(ILoadProducer producer, Func<long> nextSeq, AckLedger ledger, int window)
    {
        _size = window;
        _window = new SemaphoreSlim(window);
        _task = Task.Run(() => RunAsync(producer, nextSeq, ledger));
    }

    /// <summary>Records handed to the producer whose outcome is not known yet.</summary>
    public int Outstanding => _size - _window.CurrentCount;

    private async Task RunAsync(ILoadProducer producer, Func<long> nextSeq, AckLedger ledger)
    {
        try
        {
            while (true)
            {
                await _window.WaitAsync(_stop.Token);
                var seq = nextSeq();
                var bytes = 0;
                bytes = producer.Produce(seq, (partition, offset, error) =>
                {
                    ledger.OnDelivery(seq, Volatile.Read(ref bytes), partition, offset, error);
                    _window.Release();
                });
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>Stops handing new records to the producer; those already given keep going.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _task;
    }

    public void Dispose()
    {
        _stop.Dispose();
        _window.Dispose();
    }
}
