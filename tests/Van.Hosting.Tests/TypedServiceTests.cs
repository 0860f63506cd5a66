using Microsoft.Extensions.DependencyInjection;
using Van;

namespace Van.Hosting.Tests;

/// <summary><c>AddService&lt;TService, TImplementation&gt;</c> served to <c>CreateProxy&lt;TService&gt;</c>, in-process and across nodes.</summary>
public class TypedServiceTests
{
    /// <summary>Every shape Van calls: Task, Task&lt;T&gt;, ValueTask, ValueTask&lt;T&gt;; no or one argument; with or without a token.</summary>
    public interface IOrders
    {
        Task<Receipt> PlaceAsync(Order order, CancellationToken cancellationToken);

        Task<int> CountAsync();

        Task ResetAsync(CancellationToken cancellationToken);

        Task RecordAsync(Order order);

        ValueTask<string> EchoAsync(string text);

        ValueTask<int> ScopeAsync(CancellationToken cancellationToken);

        ValueTask PingAsync();

        ValueTask CancelAsync(int id, CancellationToken cancellationToken);
    }

    /// <summary>A newer contract at the same address: it has an operation the server does not.</summary>
    public interface IOrdersV2 : IOrders
    {
        Task<int> RefundAsync(int id);
    }

    public interface IGreeter
    {
        Task<string> GreetAsync(string name);
    }

    /// <summary>Per host: what the scoped services saw.</summary>
    public sealed class Ledger
    {
        private int _scopes;
        private int _disposed;

        public List<Order> Recorded { get; } = [];

        public int Resets { get; set; }

        public int Pings { get; set; }

        public int Disposed => Volatile.Read(ref _disposed);

        public int NewScope() => Interlocked.Increment(ref _scopes);

        public void Dispose() => Interlocked.Increment(ref _disposed);
    }

    /// <summary>A scoped dependency: one per call, disposed with its call's scope.</summary>
    public sealed class PerCall : IDisposable
    {
        private readonly Ledger _ledger;

        public PerCall(Ledger ledger)
        {
            _ledger = ledger;
            Id = ledger.NewScope();
        }

        public int Id { get; }

        public void Dispose() => _ledger.Dispose();
    }

    public sealed class OrdersService(Ledger ledger, PerCall perCall, IVanNode node) : IOrders
    {
        public Task<Receipt> PlaceAsync(Order order, CancellationToken cancellationToken) => Task.FromResult(new Receipt(order.Item, order.Quantity, node.NodeId));

        public Task<int> CountAsync()
        {
            lock (ledger)
            {
                return Task.FromResult(ledger.Recorded.Count);
            }
        }

        public Task ResetAsync(CancellationToken cancellationToken)
        {
            lock (ledger)
            {
                ledger.Recorded.Clear();
                ledger.Resets++;
            }

            return Task.CompletedTask;
        }

        public async Task RecordAsync(Order order)
        {
            await Task.Yield();
            lock (ledger)
            {
                ledger.Recorded.Add(order);
            }
        }

        public ValueTask<string> EchoAsync(string text) => ValueTask.FromResult(text);

        public ValueTask<int> ScopeAsync(CancellationToken cancellationToken) => ValueTask.FromResult(perCall.Id);

        public ValueTask PingAsync()
        {
            lock (ledger)
            {
                ledger.Pings++;
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask CancelAsync(int id, CancellationToken cancellationToken) =>
            id < 0 ? throw new ArgumentOutOfRangeException(nameof(id), id, "no such order") : ValueTask.CompletedTask;
    }

    public sealed class EnglishGreeter : IGreeter
    {
        public Task<string> GreetAsync(string name) => Task.FromResult($"Hello {name}");
    }

    public sealed class FrenchGreeter : IGreeter
    {
        public Task<string> GreetAsync(string name) => Task.FromResult($"Bonjour {name}");
    }

    private static void ServeOrders(IVanBuilder van)
    {
        van.Services.AddSingleton<Ledger>().AddScoped<PerCall>();
        van.AddService<IOrders, OrdersService>("orders");
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task CreateProxy_EveryMethodShape_CallsTheImplementation(string where)
    {
        await using var hosts = new TestHosts();
        var (caller, server) = await hosts.StartServedAsync(where, "orders", ServeOrders);
        var ledger = server.Services.GetRequiredService<Ledger>();
        var orders = TestHosts.Client(caller).CreateProxy<IOrders>("orders");

        Assert.Equal(new Receipt("apple", 3, TestHosts.NodeId(server)), await orders.PlaceAsync(new Order("apple", 3), CancellationToken.None));
        await orders.RecordAsync(new Order("pear", 1));
        await orders.RecordAsync(new Order("plum", 2));
        Assert.Equal([new Order("pear", 1), new Order("plum", 2)], ledger.Recorded);
        Assert.Equal(2, await orders.CountAsync());
        await orders.ResetAsync(CancellationToken.None);
        Assert.Equal((0, 1), (await orders.CountAsync(), ledger.Resets));
        Assert.Equal("héllo \"wörld\"", await orders.EchoAsync("héllo \"wörld\""));
        await orders.PingAsync();
        Assert.Equal(1, ledger.Pings);
        await orders.CancelAsync(7, CancellationToken.None);
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task AddService_ScopedDependency_NewInstancePerCallDisposedAfterIt(string where)
    {
        await using var hosts = new TestHosts();
        var (caller, server) = await hosts.StartServedAsync(where, "orders", ServeOrders);
        var ledger = server.Services.GetRequiredService<Ledger>();
        var orders = TestHosts.Client(caller).CreateProxy<IOrders>("orders");

        var first = await orders.ScopeAsync(CancellationToken.None);
        var second = await orders.ScopeAsync(CancellationToken.None);
        var third = await orders.ScopeAsync(CancellationToken.None);

        Assert.Equal([1, 2, 3], new[] { first, second, third });
        Assert.Equal(3, ledger.Disposed);
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task CreateProxy_OperationTheServiceLacks_ThrowsVanRemoteException(string where)
    {
        await using var hosts = new TestHosts();
        var (caller, _) = await hosts.StartServedAsync(where, "orders", ServeOrders);
        var orders = TestHosts.Client(caller).CreateProxy<IOrdersV2>("orders");

        var e = await Assert.ThrowsAsync<VanRemoteException>(() => orders.RefundAsync(1));
        Assert.Equal("orders", e.Address);
        Assert.Equal(typeof(MissingMethodException).FullName, e.RemoteType);
        Assert.Contains("RefundAsync", e.RemoteMessage, StringComparison.Ordinal);
        Assert.Equal("pong", await orders.EchoAsync("pong"));
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task RequestAsync_TypedServiceWithoutSubject_ThrowsVanRemoteException(string where)
    {
        await using var hosts = new TestHosts();
        var (caller, _) = await hosts.StartServedAsync(where, "orders", ServeOrders);

        var e = await Assert.ThrowsAsync<VanRemoteException>(() => TestHosts.Client(caller).RequestAsync("orders", ReadOnlyMemory<byte>.Empty).AsTask());
        Assert.Equal(typeof(MissingMethodException).FullName, e.RemoteType);
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task RequestAsync_MethodNameAsSubject_CallsTheOperation(string where)
    {
        // Any AMQP client can call a typed service: the subject names the method, the body is the argument as JSON.
        await using var hosts = new TestHosts();
        var (caller, server) = await hosts.StartServedAsync(where, "orders", ServeOrders);

        var receipt = await TestHosts.Client(caller).RequestAsync<Order, Receipt>("orders", new Order("fig", 4), new VanCallOptions { Subject = nameof(IOrders.PlaceAsync) });
        Assert.Equal(new Receipt("fig", 4, TestHosts.NodeId(server)), receipt);
    }

    [Theory]
    [InlineData("local")]
    [InlineData("remote")]
    public async Task CreateProxy_ImplementationThrows_ThrowsVanRemoteExceptionWithItsType(string where)
    {
        await using var hosts = new TestHosts();
        var (caller, _) = await hosts.StartServedAsync(where, "orders", ServeOrders);
        var orders = TestHosts.Client(caller).CreateProxy<IOrders>("orders");

        var e = await Assert.ThrowsAsync<VanRemoteException>(() => orders.CancelAsync(-1, CancellationToken.None).AsTask());
        Assert.Equal(typeof(ArgumentOutOfRangeException).FullName, e.RemoteType);
        Assert.Contains("no such order", e.RemoteMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddService_SameInterfaceTwoImplementations_EachAddressUsesItsOwn()
    {
        await using var hosts = new TestHosts();
        var host = await hosts.StartAsync("greeters", van => van
            .AddService<IGreeter, EnglishGreeter>("hello-en")
            .AddService<IGreeter, FrenchGreeter>("hello-fr"));
        var client = TestHosts.Client(host);

        Assert.Equal("Hello Ada", await client.CreateProxy<IGreeter>("hello-en").GreetAsync("Ada"));
        Assert.Equal("Bonjour Ada", await client.CreateProxy<IGreeter>("hello-fr").GreetAsync("Ada"));
    }

    [Fact]
    public async Task AddService_ApplicationRegisteredTheInterface_UsesItsRegistration()
    {
        await using var hosts = new TestHosts();
        var french = new FrenchGreeter();
        var host = await hosts.StartAsync("own", van =>
        {
            van.Services.AddSingleton<IGreeter>(french);
            van.AddService<IGreeter, FrenchGreeter>("hello");
        });

        Assert.Equal("Bonjour Ada", await TestHosts.Client(host).CreateProxy<IGreeter>("hello").GreetAsync("Ada"));
        Assert.Same(french, host.Services.GetRequiredService<IGreeter>());
    }

    [Fact]
    public async Task CreateProxy_CallOptionsTimeout_AppliesToEveryMethod()
    {
        await using var hosts = new TestHosts();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var host = await hosts.StartAsync("proxy-timeout", van => van.MapService("slow", async (_, ct) =>
        {
            await gate.Task.WaitAsync(ct);
            return ReadOnlyMemory<byte>.Empty;
        }));
        var greeter = TestHosts.Client(host).CreateProxy<IGreeter>("slow", new VanCallOptions { Timeout = TimeSpan.FromMilliseconds(200) });

        var e = await Assert.ThrowsAsync<VanRequestTimeoutException>(() => greeter.GreetAsync("Ada"));
        Assert.Equal(TimeSpan.FromMilliseconds(200), e.Timeout);
        gate.SetResult();
    }
}
