// Each interop test starts its own broker and real clients; on a two-core machine they run
// one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
