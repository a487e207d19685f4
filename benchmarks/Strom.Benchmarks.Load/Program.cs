using Strom.Benchmarks.Load;

// strom-load: the Confluent.Kafka side of benchmarks/run-e2e.sh. Every command prints one
// "RESULT key=value ..." line that the script parses; progress goes to stderr.
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("""
        usage: strom-load <command> --bootstrap HOST:PORT --topic T [options]
          mock --topic T1,T2,... --partitions 8
              Hosts librdkafka's mock cluster (the reference) with the topics created that wide;
              prints its bootstrap address, serves until SIGTERM.
          create-topic --partitions 8
              Auto-creates T with a Metadata request and checks it has that many partitions
              (start the broker with num.partitions set to match).
          produce --count N --size BYTES [--rate MSG_PER_S] [--linger-ms 5] [--batch-size 1000000]
              Produces N records (acks=1) at full speed or at a fixed rate; reports msg/s, MB/s.
          e2e --rate MSG_PER_S --size BYTES --seconds S [--warmup-seconds 2] [--linger-ms 0]
              Produces at a fixed rate while consuming the same topic; each payload carries
              its send time. Reports end-to-end latency percentiles and lag sampled each second.
        """);
    return 2;
}

var options = new Options(args.Skip(1));
try
{
    return args[0] switch
    {
        "mock" => MockCluster.Run(options),
        "create-topic" => TopicSetup.Run(options),
        "produce" => ProduceBench.Run(options),
        "e2e" => EndToEndBench.Run(options),
        _ => throw new ArgumentException($"unknown command '{args[0]}'"),
    };
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"strom-load: {ex.Message}");
    return 2;
}
