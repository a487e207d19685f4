using Strom.Benchmarks.Groups;

// strom-bench-groups rebalance [--consumers 10] [--partitions 100] [--delay-ms 300] [--heartbeat-ms 100] [--rounds 5]
// strom-bench-groups commit [--partitions 1000] [--seconds 5] [--rounds 3]
var options = Options.Parse(args.Skip(1));
return args.FirstOrDefault() switch
{
    "rebalance" => await RebalanceBench.RunAsync(options),
    "commit" => await CommitBench.RunAsync(options),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: strom-bench-groups rebalance|commit [--name value ...]");
    return 2;
}
