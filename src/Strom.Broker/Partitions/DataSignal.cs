namespace Strom.Broker.Partitions;

/// <summary>
/// Wakes long-polling fetches when a partition's log grows: waiters take the current task;
/// an append completes it and installs a fresh one. No allocation while nobody waits.
/// </summary>
public sealed class DataSignal
{
    private TaskCompletionSource? _waiters;
    private readonly Lock _lock = new();

    public Task WaitAsync()
    {
        lock (_lock)
        {
            _waiters ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _waiters.Task;
        }
    }

    public void Notify()
    {
        TaskCompletionSource? waiters;
        lock (_lock)
        {
            waiters = _waiters;
            _waiters = null;
        }
        waiters?.TrySetResult();
    }
}
