using System.CommandLine;
using System.Text;
using Spectre.Console;
using Strom.Client.Producer;
using Strom.Protocol.Records;

namespace Strom.Cli.Commands;

/// <summary>
/// <c>strom produce</c>: one record per line from stdin or --file. With --key-separator the
/// text before the first separator is the key. A progress bar (on stderr, when it is a
/// terminal) follows a file by bytes read. Exits non-zero if any record failed.
/// </summary>
public static class ProduceCommand
{
    /// <summary>Records allowed in flight before reading more input (bounds memory on big files).</summary>
    private const int MaxOutstanding = 50_000;

    public static Command Create(CliContext io)
    {
        var (bootstrap, properties) = (ClientCommandSupport.BootstrapOption(), ClientCommandSupport.PropertyOption());
        var topic = new Option<string>("--topic", "-t") { Description = "Topic to write to", Required = true };
        var file = new Option<FileInfo?>("--file", "-f") { Description = "Read lines from this file instead of stdin" };
        var keySeparator = new Option<string?>("--key-separator", "-k") { Description = "Split each line into key and value at the first occurrence of this text" };
        var headers = new Option<string[]>("--header", "-H") { Description = "A header on every record: --header key=value (repeatable)" };
        var compression = new Option<string>("--compression", "-z") { Description = "none, gzip, snappy, lz4 or zstd (default: none)", DefaultValueFactory = _ => "none" };
        var acks = new Option<string>("--acks", "-a") { Description = "all, 1 or 0 (default: all)", DefaultValueFactory = _ => "all" };
        var partition = new Option<int?>("--partition", "-p") { Description = "Write every record to this partition (default: by key, or sticky)" };
        var command = new Command("produce", "Write lines as records to a topic")
        {
            topic, file, keySeparator, headers, compression, acks, partition, bootstrap, properties,
        };
        command.SetAction((parse, ct) =>
        {
            var name = parse.GetValue(topic)!;
            return ClientCommandSupport.RunAsync(io, name, async () =>
            {
                var config = ClientCommandSupport.Config(parse, bootstrap, properties);
                config["allow.auto.create.topics"] = "true";
                config["compression.type"] = parse.GetValue(compression)!;
                config["acks"] = parse.GetValue(acks)!;
                config.TryAdd("linger.ms", "10");
                config.TryAdd("batch.size", "131072");
                var recordHeaders = ClientCommandSupport.ParsePairs(parse.GetValue(headers), "--header")
                    .Select(h => new RecordHeader(h.Key, Encoding.UTF8.GetBytes(h.Value))).ToArray();
                var separator = parse.GetValue(keySeparator);
                if (separator is { Length: 0 })
                {
                    throw new UsageException("--key-separator must not be empty");
                }
                var source = parse.GetValue(file);
                await using var producer = new KafkaProducer(config);
                var job = new ProduceJob(producer, name, separator, recordHeaders, parse.GetValue(partition));
                if (source is null)
                {
                    await job.RunAsync(io.In, null, ct);
                }
                else
                {
                    await using var stream = new FileStream(source.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
                    using var reader = new StreamReader(stream, Encoding.UTF8);
                    if (io.Interactive)
                    {
                        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(io.Error) });
                        await console.Progress().AutoClear(false).StartAsync(async context =>
                        {
                            var task = context.AddTask($"produce {name}", maxValue: Math.Max(1, stream.Length));
                            await job.RunAsync(reader, () => task.Value = stream.Position, ct);
                            task.Value = task.MaxValue;
                        });
                    }
                    else
                    {
                        await job.RunAsync(reader, null, ct);
                    }
                }
                await io.Error.WriteLineAsync($"Produced {job.Delivered} record(s) to {name}.");
                return 0;
            });
        });
        return command;
    }

    private sealed class ProduceJob(KafkaProducer producer, string topic, string? separator, RecordHeader[] headers, int? partition)
    {
        private readonly List<Task<DeliveryResult>> _outstanding = [];

        public long Delivered { get; private set; }

        public async Task RunAsync(TextReader input, Action? progress, CancellationToken cancellationToken)
        {
            var lineNumber = 0;
            while (await input.ReadLineAsync(cancellationToken) is { } line)
            {
                lineNumber++;
                byte[]? key = null;
                var value = line;
                if (separator is not null)
                {
                    var at = line.IndexOf(separator, StringComparison.Ordinal);
                    if (at < 0)
                    {
                        throw new FormatException($"line {lineNumber} has no key separator '{separator}'");
                    }
                    key = Encoding.UTF8.GetBytes(line[..at]);
                    value = line[(at + separator.Length)..];
                }
                _outstanding.Add(producer.ProduceAsync(topic, key, Encoding.UTF8.GetBytes(value), headers.Length > 0 ? headers : null,
                    partition: partition, cancellationToken: cancellationToken));
                if (_outstanding.Count >= MaxOutstanding)
                {
                    await DrainAsync();
                }
                if (lineNumber % 1000 == 0)
                {
                    progress?.Invoke();
                }
            }
            await producer.FlushAsync(cancellationToken);
            await DrainAsync();
            progress?.Invoke();
        }

        private async Task DrainAsync()
        {
            foreach (var task in _outstanding)
            {
                await task; // the first failure ends the run with its message
                Delivered++;
            }
            _outstanding.Clear();
        }
    }
}
