namespace Van.LoadTest.Scenarios;

/// <summary>What a scenario opened for itself (connections, hosts): disposed, last first, when the scenario ends.</summary>
internal sealed class ScenarioScope : IAsyncDisposable
{
    private readonly Stack<Func<ValueTask>> _cleanups = new();

    public T Add<T>(T resource)
        where T : class
    {
        switch (resource)
        {
            case IAsyncDisposable asyncDisposable:
                _cleanups.Push(asyncDisposable.DisposeAsync);
                break;
            case IDisposable disposable:
                _cleanups.Push(() =>
                {
                    disposable.Dispose();
                    return ValueTask.CompletedTask;
                });
                break;
            default:
                throw new ArgumentException($"{typeof(T).Name} is not disposable.", nameof(resource));
        }

        return resource;
    }

    public void Add(Func<Task> cleanup) => _cleanups.Push(() => new ValueTask(cleanup()));

    public async ValueTask DisposeAsync()
    {
        while (_cleanups.TryPop(out var cleanup))
        {
            try
            {
                await cleanup();
            }
            catch (Exception e)
            {
                await Console.Error.WriteLineAsync($"cleanup failed: {e.GetType().Name}: {e.Message}");
            }
        }
    }
}
