using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Strom.Client;
using Strom.Client.Consumer;

namespace Strom.Cli.Commands;

/// <summary>
/// <c>strom consume</c>: prints records of a topic (all partitions, or one) from the end, the
/// beginning, an offset or a time. Stops after --max records, or after --timeout ms with no
/// record, or on Ctrl+C. Formats: text (the value), kv (key TAB value), json (one object per
/// line with key, value, partition, offset, timestamp and headers).
/// </summary>
public static class ConsumeCommand
{
    public static Command Create(CliContext io)
    {
        var (bootstrap, properties) = (ClientCommandSupport.BootstrapOption(), ClientCommandSupport.PropertyOption());
        var topic = new Option<string>("--topic", "-t") { Description = "Topic to read", Required = true };
        var fromBeginning = new Option<bool>("--from-beginning") { Description = "Start at the earliest record (default: only new records)" };
        var offset = new Option<long?>("--offset", "-o") { Description = "Start at this offset (in each partition read)" };
        var timestamp = new Option<long?>("--timestamp") { Description = "Start at the first record at or after this time, in ms since the epoch" };
        var fromTime = new Option<string?>("--from-time") { Description = "Start at the first record at or after this time, ISO 8601 (e.g. 2025-01-31T12:00:00Z)" };
        var partition = new Option<int?>("--partition", "-p") { Description = "Read only this partition" };
        var max = new Option<long?>("--max", "-n") { Description = "Exit after this many records" };
        var format = new Option<string>("--format") { Description = "text, kv or json (default: text)", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "kv", "json");
        var timeout = new Option<int?>("--timeout") { Description = "Exit when no record arrives for this many ms (default: wait forever)" };
        var group = new Option<string?>("--group", "-g") { Description = "Join this consumer group: the group assigns partitions and positions are committed (with --from-beginning, a new group starts at the earliest record)" };
        var isolation = new Option<string>("--isolation-level") { Description = "read_uncommitted or read_committed (default: read_uncommitted)", DefaultValueFactory = _ => "read_uncommitted" };
        var command = new Command("consume", "Print records of a topic")
        {
            topic, fromBeginning, offset, timestamp, fromTime, partition, max, format, timeout, group, isolation, bootstrap, properties,
        };
        command.SetAction((parse, ct) =>
        {
            var name = parse.GetValue(topic)!;
            return ClientCommandSupport.RunAsync(io, name, async () =>
            {
                var starts = new[] { parse.GetValue(fromBeginning), parse.GetValue(offset) is not null, parse.GetValue(timestamp) is not null, parse.GetValue(fromTime) is not null };
                if (starts.Count(s => s) > 1)
                {
                    throw new UsageException("give only one of --from-beginning, --offset, --timestamp and --from-time");
                }
                var config = ClientCommandSupport.Config(parse, bootstrap, properties);
                config["auto.offset.reset"] = "latest";
                config["isolation.level"] = parse.GetValue(isolation)!;
                var groupId = parse.GetValue(group);
                if (groupId is not null)
                {
                    if (starts.Skip(1).Any(s => s) || parse.GetValue(partition) is not null)
                    {
                        throw new UsageException("--group takes its positions from the group's commits: --offset, --timestamp, --from-time and --partition do not apply");
                    }
                    config["group.id"] = groupId;
                    config.TryAdd("enable.auto.commit", "true");
                    config["auto.offset.reset"] = parse.GetValue(fromBeginning) ? "earliest" : "latest";
                }
                await using var consumer = new KafkaConsumer(config);
                var partitions = await consumer.GetPartitionsAsync(name, ct);
                if (groupId is not null)
                {
                    consumer.Subscribe([name]);
                }
                else
                {
                    if (parse.GetValue(partition) is { } only)
                    {
                        if (only < 0 || only >= partitions.Count)
                        {
                            throw new UsageException($"topic '{name}' has no partition {only} (it has {partitions.Count})");
                        }
                        partitions = [new TopicPartition(name, only)];
                    }
                    consumer.Assign(partitions);
                    if (parse.GetValue(fromBeginning))
                    {
                        await consumer.SeekToBeginningAsync(partitions, ct);
                    }
                    else if (parse.GetValue(offset) is { } start)
                    {
                        foreach (var tp in partitions)
                        {
                            consumer.Seek(tp, start);
                        }
                    }
                    else if (StartTime(parse.GetValue(timestamp), parse.GetValue(fromTime)) is { } time)
                    {
                        await consumer.SeekToTimestampAsync(partitions.ToDictionary(tp => tp, _ => time), ct);
                    }
                    else
                    {
                        await consumer.SeekToEndAsync(partitions, ct);
                    }
                }
                var limit = parse.GetValue(max) ?? long.MaxValue;
                var idle = parse.GetValue(timeout) is { } ms ? TimeSpan.FromMilliseconds(ms) : Timeout.InfiniteTimeSpan;
                var printer = new RecordPrinter(io.Out, parse.GetValue(format)!);
                long count = 0;
                while (count < limit && !ct.IsCancellationRequested)
                {
                    ConsumeResult? record;
                    try
                    {
                        record = await consumer.ConsumeAsync(idle, ct);
                    }
                    catch (OperationCanceledException) when (ct.IsCancellationRequested)
                    {
                        break;
                    }
                    if (record is null)
                    {
                        break;
                    }
                    printer.Print(record);
                    count++;
                }
                await io.Out.FlushAsync(CancellationToken.None);
                await io.Error.WriteLineAsync($"Consumed {count} record(s).");
                return 0;
            });
        });
        return command;
    }

    private static long? StartTime(long? timestamp, string? fromTime)
    {
        if (timestamp is not null)
        {
            return timestamp;
        }
        if (fromTime is null)
        {
            return null;
        }
        if (!DateTimeOffset.TryParse(fromTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            throw new UsageException($"--from-time '{fromTime}' is not an ISO 8601 time");
        }
        return time.ToUnixTimeMilliseconds();
    }

    private sealed class RecordPrinter(TextWriter output, string format)
    {
        public void Print(ConsumeResult record)
        {
            switch (format)
            {
                case "kv":
                    output.Write(Text(record.Key) ?? "null");
                    output.Write('\t');
                    output.WriteLine(Text(record.Value) ?? "null");
                    break;
                case "json":
                    output.WriteLine(Json(record));
                    break;
                default:
                    output.WriteLine(Text(record.Value) ?? "null");
                    break;
            }
        }

        private static string? Text(ReadOnlyMemory<byte>? bytes) => bytes is { } b ? Encoding.UTF8.GetString(b.Span) : null;

        private static string Json(ConsumeResult record)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("topic", record.Topic);
                json.WriteNumber("partition", record.Partition);
                json.WriteNumber("offset", record.Offset);
                json.WriteNumber("timestamp", record.Timestamp);
                json.WriteString("key", Text(record.Key));
                json.WriteString("value", Text(record.Value));
                json.WriteStartArray("headers");
                foreach (var header in record.Headers)
                {
                    json.WriteStartObject();
                    json.WriteString("key", header.Key);
                    json.WriteString("value", header.Value is null ? null : Encoding.UTF8.GetString(header.Value));
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            return Encoding.UTF8.GetString(buffer.ToArray());
        }
    }
}
