using System.CommandLine;
using System.Globalization;
using Strom.Client;
using Strom.Client.Admin;
using Strom.Client.Cluster;
using Strom.Client.Consumer;

namespace Strom.Cli.Commands;

/// <summary>
/// <c>strom group list|describe|reset-offsets|delete</c>: consumer group administration over the
/// Kafka protocol, like kafka-consumer-groups. reset-offsets shows its plan unless --execute is given.
/// </summary>
public static class GroupCommand
{
    public static Command Create(CliContext io)
    {
        var command = new Command("group", "List, describe, reset the offsets of and delete consumer groups");
        command.Subcommands.Add(ListCommand(io));
        command.Subcommands.Add(DescribeCommand(io));
        command.Subcommands.Add(ResetOffsetsCommand(io));
        command.Subcommands.Add(DeleteCommand(io));
        return command;
    }

    private static Command ListCommand(CliContext io)
    {
        var (bootstrap, properties) = (ClientCommandSupport.BootstrapOption(), ClientCommandSupport.PropertyOption());
        var command = new Command("list", "List groups with their state") { bootstrap, properties };
        command.SetAction((parse, ct) => ClientCommandSupport.RunAsync(io, null, async () =>
        {
            await using var admin = new KafkaAdminClient(ClientCommandSupport.Config(parse, bootstrap, properties));
            var rows = (await admin.ListGroupsAsync(ct)).Select(g => new[] { g.GroupId, g.State, g.ProtocolType }).ToList();
            await Table.WriteAsync(io.Out, ["GROUP", "STATE", "PROTOCOL-TYPE"], rows);
            return 0;
        }));
        return command;
    }

    private static Command DescribeCommand(CliContext io)
    {
        var (bootstrap, properties) = (ClientCommandSupport.BootstrapOption(), ClientCommandSupport.PropertyOption());
        var group = new Argument<string>("group") { Description = "Group id" };
        var command = new Command("describe", "State, members, and per partition the committed offset, end offset, lag and owner") { group, bootstrap, properties };
        command.SetAction((parse, ct) => ClientCommandSupport.RunAsync(io, null, async () =>
        {
            var id = parse.GetValue(group)!;
            await using var admin = new KafkaAdminClient(ClientCommandSupport.Config(parse, bootstrap, properties));
            var description = await admin.DescribeGroupAsync(id, ct);
            var committed = await admin.ListGroupOffsetsAsync(id, null, ct);
            if (description.State == "Dead" && committed.Count == 0)
            {
                throw new UsageException($"group '{id}' does not exist");
            }
            var owners = description.Members.SelectMany(m => m.Assignment.Select(tp => (tp, m))).ToDictionary(x => x.tp, x => x.m);
            var partitions = committed.Keys.Concat(owners.Keys).Distinct().Order().ToArray();
            var ends = partitions.Length == 0 ? new Dictionary<TopicPartition, long>() : await admin.EndOffsetsAsync(partitions, ct);
            await io.Out.WriteLineAsync($"Group {id}: state {description.State}, {description.Members.Count} member(s)"
                + (description.Protocol.Length > 0 ? $", assignor {description.Protocol}" : ""));
            await io.Out.WriteLineAsync();
            var rows = partitions.Select(tp =>
            {
                var current = committed.TryGetValue(tp, out var c) ? c.Offset : (long?)null;
                var end = ends.TryGetValue(tp, out var e) ? e : (long?)null;
                var owner = owners.TryGetValue(tp, out var m) ? m : null;
                return new[]
                {
                    tp.Topic, Num(tp.Partition), current is { } cur ? Num(cur) : "-", end is { } en ? Num(en) : "-",
                    current is { } a && end is { } b ? Num(Math.Max(b - a, 0)) : "-",
                    owner?.MemberId ?? "-", owner?.ClientId ?? "-", owner?.ClientHost ?? "-",
                };
            }).ToList();
            await Table.WriteAsync(io.Out, ["TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "MEMBER-ID", "CLIENT-ID", "HOST"], rows);
            if (description.Members.Count > 0)
            {
                await io.Out.WriteLineAsync();
                await Table.WriteAsync(io.Out, ["MEMBER-ID", "GROUP-INSTANCE-ID", "CLIENT-ID", "HOST", "PARTITIONS"],
                    description.Members.Select(m => new[]
                    {
                        m.MemberId, m.GroupInstanceId ?? "-", m.ClientId, m.ClientHost,
                        m.Assignment.Count == 0 ? "-" : string.Join(",", m.Assignment.Order()),
                    }).ToList());
            }
            return 0;
        }));
        return command;
    }

    private static Command ResetOffsetsCommand(CliContext io)
    {
        var (bootstrap, properties) = (ClientCommandSupport.BootstrapOption(), ClientCommandSupport.PropertyOption());
        var group = new Option<string>("--group", "-g") { Description = "Group id", Required = true };
        var topics = new Option<string[]>("--topic", "-t") { Description = "Topic, or topic:partition[,partition] (repeatable)" };
        var allTopics = new Option<bool>("--all-topics") { Description = "Every topic the group has committed offsets for" };
        var toEarliest = new Option<bool>("--to-earliest") { Description = "Reset to the earliest offset" };
        var toLatest = new Option<bool>("--to-latest") { Description = "Reset to the end of the log" };
        var toOffset = new Option<long?>("--to-offset") { Description = "Reset to this offset (kept within the log)" };
        var toDatetime = new Option<string?>("--to-datetime") { Description = "Reset to the first record at or after this ISO 8601 time" };
        var shiftBy = new Option<long?>("--shift-by") { Description = "Move the committed offset by N (negative: back)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show the plan only (the default)" };
        var execute = new Option<bool>("--execute") { Description = "Apply the plan (the group must have no active members)" };
        var command = new Command("reset-offsets", "Move a group's committed offsets; shows the plan unless --execute")
        {
            group, topics, allTopics, toEarliest, toLatest, toOffset, toDatetime, shiftBy, dryRun, execute, bootstrap, properties,
        };
        command.SetAction((parse, ct) => ClientCommandSupport.RunAsync(io, null, async () =>
        {
            var id = parse.GetValue(group)!;
            var specs = new[] { parse.GetValue(toEarliest), parse.GetValue(toLatest), parse.GetValue(toOffset) is not null,
                parse.GetValue(toDatetime) is not null, parse.GetValue(shiftBy) is not null };
            if (specs.Count(s => s) != 1)
            {
                throw new UsageException("give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime and --shift-by");
            }
            if (parse.GetValue(dryRun) && parse.GetValue(execute))
            {
                throw new UsageException("give --dry-run or --execute, not both");
            }
            var topicArgs = parse.GetValue(topics) ?? [];
            if ((topicArgs.Length == 0) == !parse.GetValue(allTopics))
            {
                throw new UsageException("give --topic (repeatable) or --all-topics");
            }
            await using var admin = new KafkaAdminClient(ClientCommandSupport.Config(parse, bootstrap, properties));
            var committed = await admin.ListGroupOffsetsAsync(id, null, ct);
            var partitions = await PartitionsAsync(admin, topicArgs, committed, ct);
            var earliest = await admin.ListOffsetsAsync(partitions.ToDictionary(tp => tp, _ => OffsetSpec.Earliest), cancellationToken: ct);
            var latest = await admin.ListOffsetsAsync(partitions.ToDictionary(tp => tp, _ => OffsetSpec.Latest), cancellationToken: ct);
            IReadOnlyDictionary<TopicPartition, OffsetAndTimestamp>? byTime = null;
            if (parse.GetValue(toDatetime) is { } text)
            {
                if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
                {
                    throw new UsageException($"--to-datetime '{text}' is not an ISO 8601 time");
                }
                byTime = await admin.ListOffsetsAsync(partitions.ToDictionary(tp => tp, _ => time.ToUnixTimeMilliseconds()), cancellationToken: ct);
            }
            var plan = new Dictionary<TopicPartition, OffsetAndMetadata>();
            foreach (var tp in partitions)
            {
                var (low, high) = (earliest[tp].Offset, latest[tp].Offset);
                var current = committed.TryGetValue(tp, out var c) ? c.Offset : (long?)null;
                long target = parse.GetValue(toEarliest) ? low
                    : parse.GetValue(toLatest) ? high
                    : parse.GetValue(toOffset) is { } to ? to
                    : byTime is not null ? (byTime[tp].Offset < 0 ? high : byTime[tp].Offset)
                    : (current ?? low) + parse.GetValue(shiftBy)!.Value;
                plan[tp] = new OffsetAndMetadata(Math.Clamp(target, low, high), committed.TryGetValue(tp, out var m) ? m.Metadata : null);
            }
            var rows = plan.OrderBy(kv => kv.Key).Select(kv => new[]
            {
                kv.Key.Topic, Num(kv.Key.Partition), committed.TryGetValue(kv.Key, out var cur) ? Num(cur.Offset) : "-", Num(kv.Value.Offset),
            }).ToList();
            await Table.WriteAsync(io.Out, ["TOPIC", "PARTITION", "CURRENT-OFFSET", "NEW-OFFSET"], rows);
            if (!parse.GetValue(execute))
            {
                await io.Error.WriteLineAsync("Dry run: nothing changed. Add --execute to apply.");
                return 0;
            }
            var description = await admin.DescribeGroupAsync(id, ct);
            if (description.State is not ("Empty" or "Dead"))
            {
                throw new UsageException($"group '{id}' is {description.State} with {description.Members.Count} member(s); stop its consumers first");
            }
            await admin.AlterGroupOffsetsAsync(id, plan, ct);
            await io.Error.WriteLineAsync($"Reset {plan.Count} partition(s) of group {id}.");
            return 0;
        }));
        return command;
    }

    /// <summary>The partitions named by --topic (topic or topic:p,p) or, with none, those the group has committed.</summary>
    private static async Task<TopicPartition[]> PartitionsAsync(KafkaAdminClient admin, string[] topicArgs, IReadOnlyDictionary<TopicPartition, OffsetAndMetadata> committed,
        CancellationToken cancellationToken)
    {
        if (topicArgs.Length == 0)
        {
            return committed.Keys.Order().ToArray();
        }
        var result = new List<TopicPartition>();
        foreach (var arg in topicArgs)
        {
            var colon = arg.IndexOf(':');
            var name = colon < 0 ? arg : arg[..colon];
            var described = (await admin.DescribeTopicsAsync([name], cancellationToken))[0];
            if (colon < 0)
            {
                result.AddRange(described.Partitions.Select(p => new TopicPartition(name, p.Partition)));
                continue;
            }
            foreach (var part in arg[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p >= described.Partitions.Count)
                {
                    throw new UsageException($"topic '{name}' has no partition '{part}' (it has {described.Partitions.Count})");
                }
                result.Add(new TopicPartition(name, p));
            }
        }
        return result.Distinct().Order().ToArray();
    }

    private static Command DeleteCommand(CliContext io)
    {
        var (bootstrap, properties) = (ClientCommandSupport.BootstrapOption(), ClientCommandSupport.PropertyOption());
        var groups = new Argument<string[]>("group") { Description = "Group id(s)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("delete", "Delete groups and their committed offsets (they must have no members)") { groups, bootstrap, properties };
        command.SetAction((parse, ct) => ClientCommandSupport.RunAsync(io, null, async () =>
        {
            await using var admin = new KafkaAdminClient(ClientCommandSupport.Config(parse, bootstrap, properties));
            foreach (var id in parse.GetValue(groups)!)
            {
                await admin.DeleteGroupsAsync([id], ct);
                await io.Out.WriteLineAsync($"Deleted group {id}.");
            }
            return 0;
        }));
        return command;
    }

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Left-aligned columns separated by two spaces, as Kafka's tools print them.</summary>
internal static class Table
{
    public static async Task WriteAsync(TextWriter output, string[] headers, IReadOnlyList<string[]> rows)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        await output.WriteLineAsync(Line(headers, widths));
        foreach (var row in rows)
        {
            await output.WriteLineAsync(Line(row, widths));
        }
    }

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
}
