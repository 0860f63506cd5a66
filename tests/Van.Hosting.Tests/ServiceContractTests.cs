using Microsoft.Extensions.DependencyInjection;
using Van;

namespace Van.Hosting.Tests;

/// <summary>Interfaces Van cannot call are refused where they are registered, naming the method and the rule.</summary>
public class ServiceContractTests
{
    public interface ITwoArguments
    {
        Task<int> AddAsync(int a, int b);
    }

    public interface ISynchronous
    {
        int Add(int a);
    }

    public interface IOverloaded
    {
        Task<int> GetAsync(int id);

        Task<int> GetAsync(string name);
    }

    public interface IGeneric
    {
        Task<T> EchoAsync<T>(T value);
    }

    public interface IRefParameter
    {
        Task UpdateAsync(ref int value);
    }

    public interface ITokenFirst
    {
#pragma warning disable CA1068 // The point: Van refuses a token that is not last.
        Task<int> GetAsync(CancellationToken cancellationToken, int id);
#pragma warning restore CA1068
    }

    public interface IInheritsBad : ISynchronous
    {
        Task PingAsync();
    }

    public sealed class Implementation : ITwoArguments, ISynchronous, IOverloaded, IGeneric, IRefParameter, ITokenFirst, IInheritsBad
    {
        public Task<int> AddAsync(int a, int b) => Task.FromResult(a + b);

        public int Add(int a) => a;

        public Task<int> GetAsync(int id) => Task.FromResult(id);

        public Task<int> GetAsync(string name) => Task.FromResult(name.Length);

        public Task<T> EchoAsync<T>(T value) => Task.FromResult(value);

        public Task UpdateAsync(ref int value) => Task.CompletedTask;

#pragma warning disable CA1068
        public Task<int> GetAsync(CancellationToken cancellationToken, int id) => Task.FromResult(id);
#pragma warning restore CA1068

        public Task PingAsync() => Task.CompletedTask;
    }

    [Theory]
    [InlineData(typeof(ITwoArguments), "AddAsync", "at most one argument")]
    [InlineData(typeof(ISynchronous), "Add", "must return Task")]
    [InlineData(typeof(IOverloaded), "GetAsync", "same name")]
    [InlineData(typeof(IGeneric), "EchoAsync", "generic")]
    [InlineData(typeof(IRefParameter), "UpdateAsync", "ref or out")]
    [InlineData(typeof(ITokenFirst), "GetAsync", "trailing CancellationToken")]
    [InlineData(typeof(IInheritsBad), "Add", "must return Task")]
    public void AddService_UncallableMethod_ThrowsArgumentExceptionNamingIt(Type contract, string method, string rule)
    {
        var van = new ServiceCollection().AddVirtualNetwork();
        var add = typeof(VanBuilderExtensions).GetMethod(nameof(VanBuilderExtensions.AddService))!.MakeGenericMethod(contract, typeof(Implementation));

        var e = Assert.Throws<ArgumentException>(() =>
        {
            try
            {
                add.Invoke(null, [van, "svc"]);
            }
            catch (System.Reflection.TargetInvocationException wrapped) when (wrapped.InnerException is not null)
            {
                throw wrapped.InnerException;
            }
        });
        Assert.Contains($".{method}'", e.Message, StringComparison.Ordinal);
        Assert.Contains(rule, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(van.Services, d => d.ServiceType == contract);
    }

    [Fact]
    public void AddService_TwoArgumentMethod_MessageNamesInterfaceAndMethod()
    {
        var van = new ServiceCollection().AddVirtualNetwork();

        var e = Assert.Throws<ArgumentException>(() => van.AddService<ITwoArguments, Implementation>("calc"));
        Assert.Contains($"{typeof(ITwoArguments).FullName}.AddAsync", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddService_ClassInsteadOfInterface_ThrowsArgumentException()
    {
        var van = new ServiceCollection().AddVirtualNetwork();

        var e = Assert.Throws<ArgumentException>(() => van.AddService<Implementation, Implementation>("calc"));
        Assert.Contains("not an interface", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateProxy_UncallableMethod_ThrowsArgumentExceptionNamingIt()
    {
        await using var hosts = new TestHosts();
        var host = hosts.Build("proxy");

        var e = Assert.Throws<ArgumentException>(() => TestHosts.Client(host).CreateProxy<IOverloaded>("svc"));
        Assert.Contains(".GetAsync'", e.Message, StringComparison.Ordinal);
    }
}
