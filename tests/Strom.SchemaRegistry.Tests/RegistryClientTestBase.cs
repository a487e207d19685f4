using Strom.SchemaRegistry.Client;

namespace Strom.SchemaRegistry.Tests;

/// <summary>A registry on a real listener for tests that drive it with outside clients, and Strom's own client pointed at it.</summary>
public abstract class RegistryClientTestBase : IAsyncLifetime
{
    protected RegistryServer Server { get; private set; } = null!;

    protected SchemaRegistryClient Client { get; private set; } = null!;

    /// <summary>The registry's base URL without a trailing slash, as the outside clients take it.</summary>
    protected string Url { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Server = await RegistryServer.StartAsync();
        Url = Server.Host.Addresses[0].ToString().TrimEnd('/');
        Client = new SchemaRegistryClient(Url);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
