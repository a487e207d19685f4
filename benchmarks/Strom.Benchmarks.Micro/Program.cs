using BenchmarkDotNet.Running;

// Pick benchmarks with BenchmarkDotNet's switches, e.g. --filter '*Crc32C*', or --list flat.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
