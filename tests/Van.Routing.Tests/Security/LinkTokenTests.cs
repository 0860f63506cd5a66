using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Van.Routing.Tests.Network;

namespace Van.Routing.Tests.Security;

public sealed class LinkTokenTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("van-token-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Issue_Always_ClientCertificateSignedByTheCaExpiringWithTheToken()
    {
        using var ca = VanCertificates.CreateAuthority("site", TimeSpan.FromDays(30));

        var token = VanLinkToken.Issue(ca, "hub.example:5671", TimeSpan.FromMinutes(15), cost: 4);

        Assert.Equal("hub.example:5671", token.Url);
        Assert.Equal(("hub.example", 5671), (token.Host, token.Port));
        Assert.Equal(4, token.Cost);
        Assert.StartsWith("token-", token.Name, StringComparison.Ordinal);
        Assert.Equal("CN=" + token.Name, token.Certificate.Subject);
        Assert.True(token.Certificate.HasPrivateKey);
        Assert.False(token.Authority.HasPrivateKey, "the token carries the CA's public certificate only");
        Assert.Equal(ca.Thumbprint, token.Authority.Thumbprint);
        Assert.Equal(ca.Subject, token.Certificate.Issuer);
        Assert.Equal(token.Certificate.NotAfter.ToUniversalTime(), token.Expires.UtcDateTime);
        Assert.InRange(token.Expires, DateTimeOffset.UtcNow.AddMinutes(14), DateTimeOffset.UtcNow.AddMinutes(16));
        Assert.False(token.IsExpired());
    }

    [Theory]
    [InlineData("amqps://10.0.0.1:5671", "10.0.0.1:5671")]
    [InlineData("[::1]:5671", "[::1]:5671")]
    public void Issue_UrlForms_NormalisedToHostPort(string url, string expected)
    {
        using var ca = VanCertificates.CreateAuthority("site", TimeSpan.FromDays(30));

        Assert.Equal(expected, VanLinkToken.Issue(ca, url, TimeSpan.FromMinutes(1)).Url);
    }

    [Theory]
    [InlineData("no-port")]
    [InlineData("host:0")]
    [InlineData("host:5671,cost=2")]
    [InlineData("http://host:5671")]
    public void Issue_BadUrl_FormatException(string url)
    {
        using var ca = VanCertificates.CreateAuthority("site", TimeSpan.FromDays(30));

        Assert.Throws<FormatException>(() => VanLinkToken.Issue(ca, url, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void SaveThenLoad_RoundTrip_SameTokenWithAUsableKeyInAPrivateFile()
    {
        using var ca = VanCertificates.CreateAuthority("site", TimeSpan.FromDays(30));
        var token = VanLinkToken.Issue(ca, "127.0.0.1:5671", TimeSpan.FromHours(2), cost: 7, name: "for-bob");
        var file = Path.Combine(_dir, "bob.token");

        token.Save(file);
        var loaded = VanLinkToken.Load(file);

        Assert.Equal((token.Name, token.Url, token.Cost, token.Expires), (loaded.Name, loaded.Url, loaded.Cost, loaded.Expires));
        Assert.Equal(token.Authority.Thumbprint, loaded.Authority.Thumbprint);
        Assert.Equal(token.Certificate.Thumbprint, loaded.Certificate.Thumbprint);
        Assert.True(loaded.Certificate.HasPrivateKey);
        Assert.Equal(file, loaded.Source);
        using var json = JsonDocument.Parse(File.ReadAllText(file));
        Assert.Equal(VanLinkToken.Kind, json.RootElement.GetProperty("kind").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("version").GetInt32());
        Assert.Equal("127.0.0.1:5671", json.RootElement.GetProperty("url").GetString());
        Assert.DoesNotContain("\\u002B", File.ReadAllText(file), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.Add(loaded.Authority);
        Assert.True(chain.Build(loaded.Certificate));
    }

    [Fact]
    public void Load_ProblemFiles_SayWhichFileAndWhatIsWrong()
    {
        using var ca = VanCertificates.CreateAuthority("site", TimeSpan.FromDays(30));
        using var other = VanCertificates.CreateAuthority("other site", TimeSpan.FromDays(30));
        var good = Path.Combine(_dir, "good.token");
        VanLinkToken.Issue(ca, "127.0.0.1:5671", TimeSpan.FromHours(1)).Save(good);
        var json = File.ReadAllText(good);
        string Write(string name, string text)
        {
            var path = Path.Combine(_dir, name);
            File.WriteAllText(path, text);
            return path;
        }

        var missing = Assert.Throws<FileNotFoundException>(() => VanLinkToken.Load(Path.Combine(_dir, "missing.token")));
        Assert.Contains("missing.token", missing.Message, StringComparison.Ordinal);

        Assert.Contains("not a Van link token", Load(Write("text.token", "hello")), StringComparison.Ordinal);
        Assert.Contains("not a Van link token", Load(Write("config.json", """{ "id": "A", "listen": [] }""")), StringComparison.Ordinal);
        Assert.Contains("version 9", Load(Write("v9.token", json.Replace("\"version\": 1", "\"version\": 9", StringComparison.Ordinal))), StringComparison.Ordinal);
        Assert.Contains("keyPem", Load(Write("badkey.token", json.Replace("PRIVATE KEY-----\\n", "PRIVATE KEY-----\\nAAAA", StringComparison.Ordinal))), StringComparison.Ordinal);
        var foreignCa = JsonSerializer.Serialize(other.ExportCertificatePem());
        var swapped = System.Text.RegularExpressions.Regex.Replace(json, "\"caPem\": \"[^\"]*\"", "\"caPem\": " + foreignCa.Replace("\\u002B", "+", StringComparison.Ordinal));
        Assert.Contains("not issued by its CA", Load(Write("swapped.token", swapped)), StringComparison.Ordinal);

        string Load(string path)
        {
            var e = Assert.Throws<FormatException>(() => VanLinkToken.Load(path));
            Assert.StartsWith(path + ":", e.Message, StringComparison.Ordinal);
            return e.Message;
        }
    }

    [Fact]
    public void IsExpired_ByTheClock_FalseBeforeTrueFromExpiry()
    {
        using var ca = VanCertificates.CreateAuthority("site", TimeSpan.FromDays(30));
        var token = VanLinkToken.Issue(ca, "127.0.0.1:5671", TimeSpan.FromMinutes(15));

        Assert.False(token.IsExpired(new FixedClock(token.Expires.AddSeconds(-1))));
        Assert.True(token.IsExpired(new FixedClock(token.Expires)));
        Assert.True(token.IsExpired(new FixedClock(token.Expires.AddDays(1))));
    }

    [Fact]
    public void ThrowIfExpired_Expired_MessageNamesTheFileTimeAndWhatToDo()
    {
        using var ca = VanCertificates.CreateAuthority("site", TimeSpan.FromDays(30));
        var file = Path.Combine(_dir, "old.token");
        VanLinkToken.Issue(ca, "127.0.0.1:5671", TimeSpan.FromMinutes(15)).Save(file);
        var token = VanLinkToken.Load(file);

        token.ThrowIfExpired();
        var e = Assert.Throws<InvalidOperationException>(() => token.ThrowIfExpired(new FixedClock(token.Expires.AddMinutes(1))));

        Assert.Equal($"link token {file} expired at {token.Expires.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z; ask the site owner for a new one", e.Message);
    }

    [Fact]
    public void ToEndpoint_Always_TlsConnectorPresentingTheTokenAndTrustingOnlyItsCa()
    {
        using var ca = VanCertificates.CreateAuthority("site", TimeSpan.FromDays(30));
        var token = VanLinkToken.Issue(ca, "hub.example:5671", TimeSpan.FromMinutes(15), cost: 3);

        var endpoint = token.ToEndpoint();

        Assert.Equal(("hub.example", 5671, 3, true), (endpoint.Host, endpoint.Port, endpoint.Cost, endpoint.UseTls));
        Assert.NotNull(endpoint.Tls);
        Assert.Same(token.Certificate, endpoint.Tls.Certificate);
        Assert.Equal([ca.Thumbprint], endpoint.Tls.TrustedAuthorities.Select(c => c.Thumbprint));
        Assert.True(endpoint.Tls.CheckHostName);
    }

    // Real sockets: a TLS node of the site, and a node linking to it with a token. Needs the router's TLS support.

    [Fact]
    public async Task Token_FromTheSiteCa_LinksToTheSiteNode()
    {
        using var ca = VanCertificates.CreateAuthority("site", TimeSpan.FromDays(30));
        await using var site = await StartSiteNodeAsync(ca, "A");
        var token = VanLinkToken.Issue(ca, $"127.0.0.1:{site.Port}", TimeSpan.FromMinutes(15), cost: 2);
        await using var linked = await StartLinkedNodeAsync(token, "B");

        await TestNetwork.WaitUntilAsync(() => linked.Router.Snapshot.TryGetRoute("A", out _, out _) && site.Router.Snapshot.TryGetRoute("B", out _, out _), "A and B linked over TLS");
    }

    [Fact]
    public async Task Token_FromAnotherCa_RefusedOnBothSides()
    {
        using var ca = VanCertificates.CreateAuthority("site", TimeSpan.FromDays(30));
        using var foreign = VanCertificates.CreateAuthority("elsewhere", TimeSpan.FromDays(30));
        await using var site = await StartSiteNodeAsync(ca, "A");
        var token = VanLinkToken.Issue(foreign, $"127.0.0.1:{site.Port}", TimeSpan.FromMinutes(15));
        await using var linked = await StartLinkedNodeAsync(token, "B");

        // B does not trust A's certificate (nor would A trust B's): B says so, and A sees a handshake fail.
        await TestNetwork.WaitUntilAsync(() => linked.Logs.Any(l => l.Contains("trusted authority", StringComparison.OrdinalIgnoreCase)), "B's log saying A's certificate is not from a trusted authority");
        await TestNetwork.WaitUntilAsync(() => site.Logs.Any(l => l.Contains("TLS", StringComparison.OrdinalIgnoreCase)), "A's log of the failed TLS handshake");
        Assert.False(site.Router.Snapshot.TryGetRoute("B", out _, out _), string.Join("\n", site.Logs));
    }

    [Fact]
    public async Task Token_Expired_RefusedByTheSiteNodeNamingTheCertificate()
    {
        var past = new FixedClock(DateTimeOffset.UtcNow.AddHours(-2));
        using var ca = VanCertificates.CreateAuthority("site", TimeSpan.FromDays(30), past);
        await using var site = await StartSiteNodeAsync(ca, "A");
        var token = VanLinkToken.Issue(ca, $"127.0.0.1:{site.Port}", TimeSpan.FromMinutes(15), timeProvider: past);
        Assert.True(token.IsExpired());
        await using var linked = await StartLinkedNodeAsync(token, "B");

        await TestNetwork.WaitUntilAsync(() => site.Logs.Any(l => l.Contains(token.Name, StringComparison.Ordinal) && l.Contains("NotTimeValid", StringComparison.Ordinal)), "A's log refusing the expired token certificate");
        Assert.False(site.Router.Snapshot.TryGetRoute("B", out _, out _), string.Join("\n", site.Logs));
    }

    private static async Task<RunningNode> StartSiteNodeAsync(X509Certificate2 ca, string id)
    {
        var logs = new LogCollector();
        var tls = new VanTlsOptions { Certificate = VanCertificates.Issue(ca, id, ["127.0.0.1"], TimeSpan.FromDays(1)) };
        tls.TrustedAuthorities.Add(X509CertificateLoader.LoadCertificate(ca.RawData));
        var options = new VanRouterOptions { NodeId = id, Tls = tls, LoggerFactory = logs };
        options.Listeners.Add(new VanEndpoint { Host = "127.0.0.1", Port = 0, UseTls = true });
        var router = new VanRouter(options);
        await router.StartAsync();
        return new RunningNode(router, logs);
    }

    private static async Task<RunningNode> StartLinkedNodeAsync(VanLinkToken token, string id)
    {
        var logs = new LogCollector();
        var options = new VanRouterOptions { NodeId = id, LoggerFactory = logs, ReconnectMaxDelay = TimeSpan.FromMilliseconds(500) };
        options.Connectors.Add(token.ToEndpoint());
        var router = new VanRouter(options);
        await router.StartAsync();
        return new RunningNode(router, logs);
    }

    private sealed record RunningNode(VanRouter Router, LogCollector Collector) : IAsyncDisposable
    {
        public int Port => Router.ListenEndpoints[0].Port;

        public IReadOnlyList<string> Logs => Collector.Lines;

        public async ValueTask DisposeAsync()
        {
            await Router.DisposeAsync();
            Collector.Dispose();
        }
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>Every log line of a node (all levels), with its exception's message.</summary>
    private sealed class LogCollector : ILoggerFactory, ILogger
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyList<string> Lines => [.. _lines];

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _lines.Enqueue($"{logLevel}: {formatter(state, exception)}{(exception is null ? "" : " | " + exception.Message)}");

        public void Dispose()
        {
        }
    }
}
