using Strom.Testing;

namespace Strom.Client.Tests;

/// <summary>One in-process broker shared by the tests of a class; each test uses its own topics.</summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    private StromBroker? _broker;

    public StromBroker Broker => _broker ?? throw new InvalidOperationException("broker not started");

    public string Bootstrap => Broker.BootstrapServers;

    public async Task InitializeAsync() => _broker = await StromBroker.StartAsync();

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }

    public static string NewTopic(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 60)];
}
