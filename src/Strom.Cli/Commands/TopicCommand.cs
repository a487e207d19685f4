using System.CommandLine;
using System.Globalization;
using Strom.Client.Admin;
using Strom.Protocol;

namespace Strom.Cli.Commands;

/// <summary><c>strom topic create|list|describe|delete|alter-config</c>: topic administration over the Kafka protocol.</summary>
public static class TopicCommand
{
    public static Command Create(CliContext io)
    {
        var command = new Command("topic", "Create, list, describe, delete and configure topics");
        command.Subcommands.Add(CreateCommand(io));
        command.Subcommands.Add(ListCommand(io));
        command.Subcommands.Add(DescribeCommand(io));
        command.Subcommands.Add(DeleteCommand(io));
        command.Subcommands.Add(AlterConfigCommand(io));
        return command;
    }

    private static Argument<string> TopicArgument() => new("topic") { Description = "Topic name" };

    private static Command CreateCommand(CliContext io)
    {
        var (bootstrap, properties) = (ClientCommandSupport.BootstrapOption(), ClientCommandSupport.PropertyOption());
        var topic = TopicArgument();
        var partitions = new Option<int>("--partitions", "-p") { Description = "Number of partitions (default: the broker's num.partitions)", DefaultValueFactory = _ => -1 };
        var replication = new Option<short>("--replication-factor", "-r") { Description = "Replicas per partition (default: the broker's default.replication.factor)", DefaultValueFactory = _ => -1 };
        var config = new Option<string[]>("--config", "-c") { Description = "A topic config: --config key=value (repeatable)" };
        var command = new Command("create", "Create a topic") { topic, partitions, replication, config, bootstrap, properties };
        command.SetAction((parse, ct) =>
        {
            var name = parse.GetValue(topic)!;
            return ClientCommandSupport.RunAsync(io, name, async () =>
            {
                var configs = ClientCommandSupport.ParsePairs(parse.GetValue(config), "--config").ToDictionary(p => p.Key, p => p.Value);
                await using var admin = new KafkaAdminClient(ClientCommandSupport.Config(parse, bootstrap, properties));
                await admin.CreateTopicsAsync([new NewTopic(name, parse.GetValue(partitions), parse.GetValue(replication), configs)], cancellationToken: ct);
                await io.Out.WriteLineAsync($"Created topic {name}.");
                return 0;
            });
        });
        return command;
    }

    private static Command ListCommand(CliContext io)
    {
        var (bootstrap, properties) = (ClientCommandSupport.BootstrapOption(), ClientCommandSupport.PropertyOption());
        var all = new Option<bool>("--include-internal") { Description = "Also list internal topics such as __consumer_offsets" };
        var command = new Command("list", "List topic names") { all, bootstrap, properties };
        command.SetAction((parse, ct) => ClientCommandSupport.RunAsync(io, null, async () =>
        {
            await using var admin = new KafkaAdminClient(ClientCommandSupport.Config(parse, bootstrap, properties));
            foreach (var t in await admin.ListTopicsAsync(parse.GetValue(all), ct))
            {
                await io.Out.WriteLineAsync(t.Name);
            }
            return 0;
        }));
        return command;
    }

    private static Command DescribeCommand(CliContext io)
    {
        var (bootstrap, properties) = (ClientCommandSupport.BootstrapOption(), ClientCommandSupport.PropertyOption());
        var topic = TopicArgument();
        var command = new Command("describe", "Show a topic's partitions, leaders, replicas and non-default configs") { topic, bootstrap, properties };
        command.SetAction((parse, ct) =>
        {
            var name = parse.GetValue(topic)!;
            return ClientCommandSupport.RunAsync(io, name, async () =>
            {
                await using var admin = new KafkaAdminClient(ClientCommandSupport.Config(parse, bootstrap, properties));
                var description = (await admin.DescribeTopicsAsync([name], ct))[0];
                var connection = await admin.Cluster.GetAnyConnectionAsync(ct);
                var configs = connection.Versions.Supports(ApiKey.DescribeConfigs)
                    ? (await admin.DescribeConfigsAsync(ConfigResource.Topic(name), ct)).Where(c => !c.IsDefault && c.Source == ConfigSource.DynamicTopicConfig)
                        .Select(c => $"{c.Name}={(c.IsSensitive ? "(sensitive)" : c.Value)}")
                    : [];
                var replicationFactor = description.Partitions.Count > 0 ? description.Partitions[0].Replicas.Count : 0;
                await io.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"Topic: {name}\tTopicId: {description.TopicId}\tPartitionCount: {description.Partitions.Count}\tReplicationFactor: {replicationFactor}\tConfigs: {string.Join(',', configs)}"));
                foreach (var p in description.Partitions)
                {
                    await io.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"\tTopic: {name}\tPartition: {p.Partition}\tLeader: {(p.Leader < 0 ? "none" : p.Leader.ToString(CultureInfo.InvariantCulture))}\tReplicas: {string.Join(',', p.Replicas)}\tIsr: {string.Join(',', p.Isr)}"));
                }
                return 0;
            });
        });
        return command;
    }

    private static Command DeleteCommand(CliContext io)
    {
        var (bootstrap, properties) = (ClientCommandSupport.BootstrapOption(), ClientCommandSupport.PropertyOption());
        var topic = TopicArgument();
        var command = new Command("delete", "Delete a topic and all its records") { topic, bootstrap, properties };
        command.SetAction((parse, ct) =>
        {
            var name = parse.GetValue(topic)!;
            return ClientCommandSupport.RunAsync(io, name, async () =>
            {
                await using var admin = new KafkaAdminClient(ClientCommandSupport.Config(parse, bootstrap, properties));
                await admin.DeleteTopicsAsync([name], ct);
                await io.Out.WriteLineAsync($"Deleted topic {name}.");
                return 0;
            });
        });
        return command;
    }

    private static Command AlterConfigCommand(CliContext io)
    {
        var (bootstrap, properties) = (ClientCommandSupport.BootstrapOption(), ClientCommandSupport.PropertyOption());
        var topic = TopicArgument();
        var set = new Option<string[]>("--set") { Description = "Set a topic config: --set key=value (repeatable)" };
        var delete = new Option<string[]>("--delete") { Description = "Return a topic config to its default (repeatable)" };
        var command = new Command("alter-config", "Change a topic's configs (IncrementalAlterConfigs)") { topic, set, delete, bootstrap, properties };
        command.SetAction((parse, ct) =>
        {
            var name = parse.GetValue(topic)!;
            return ClientCommandSupport.RunAsync(io, name, async () =>
            {
                var ops = ClientCommandSupport.ParsePairs(parse.GetValue(set), "--set").Select(p => new AlterConfigOp(p.Key, p.Value))
                    .Concat((parse.GetValue(delete) ?? []).Select(k => new AlterConfigOp(k, null, AlterConfigOpType.Delete)))
                    .ToList();
                if (ops.Count == 0)
                {
                    throw new UsageException("nothing to change: give --set key=value or --delete key");
                }
                await using var admin = new KafkaAdminClient(ClientCommandSupport.Config(parse, bootstrap, properties));
                await admin.IncrementalAlterConfigsAsync(ConfigResource.Topic(name), ops, ct);
                await io.Out.WriteLineAsync($"Updated {ops.Count} config(s) of topic {name}.");
                return 0;
            });
        });
        return command;
    }
}
