using FsCheck;
using FsCheck.Fluent;
using Van.Routing.Internal;
using Van.Routing.Internal.Topology;

namespace Van.Routing.Tests.Security;

/// <summary>The pattern matcher, the compiled policy and <see cref="VanPolicy"/> validation, without a network.</summary>
public class PolicyRulesTests
{
    [Theory]
    [InlineData("orders", "orders", true)]
    [InlineData("orders", "orders2", false)]
    [InlineData("orders", "order", false)]
    [InlineData("orders", "Orders", false)]
    [InlineData("*", "", true)]
    [InlineData("*", "anything/at:all", true)]
    [InlineData("orders.*", "orders.eu", true)]
    [InlineData("orders.*", "orders.", true)]
    [InlineData("orders.*", "orders", false)]
    [InlineData("*-eu", "billing-eu", true)]
    [InlineData("*-eu", "billing-us", false)]
    [InlineData("a*b*c", "abc", true)]
    [InlineData("a*b*c", "aXbYbZc", true)]
    [InlineData("a*b*c", "aXbYc_", false)]
    [InlineData("a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
    [InlineData("**", "x", true)]
    [InlineData("", "", true)]
    [InlineData("", "x", false)]
    [InlineData("a?c", "abc", false)]
    public void IsMatch_Pattern_MatchesTheWholeText(string pattern, string text, bool expected) =>
        Assert.Equal(expected, AddressPattern.IsMatch(pattern, text));

    [Fact]
    public void IsMatch_AgreesWithARegexOfTheSamePattern()
    {
        var chars = Gen.Elements('a', 'b', '*');
        var text = Gen.ArrayOf(Gen.Elements('a', 'b')).Select(a => new string(a));
        var pattern = Gen.ArrayOf(chars).Select(a => new string(a));
        Prop.ForAll(pattern.Zip(text).ToArbitrary(), c =>
        {
            var (p, t) = c;
            var regex = "^" + string.Concat(p.Select(ch => ch == '*' ? ".*" : System.Text.RegularExpressions.Regex.Escape(ch.ToString()))) + "$";
            // The non-backtracking engine, so a pattern of many stars costs the reference no more than it costs the matcher.
            var reference = System.Text.RegularExpressions.Regex.IsMatch(t, regex, System.Text.RegularExpressions.RegexOptions.Singleline | System.Text.RegularExpressions.RegexOptions.NonBacktracking);
            Assert.Equal(reference, AddressPattern.IsMatch(p, t));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(1000));
    }

    [Fact]
    public void IsMatch_AllocatesNothing()
    {
        var set = AddressPatternSet.Compile(["orders", "billing.*", "*-eu"]);
        Assert.True(set.IsMatch("billing.x"));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var hits = 0;
        for (var i = 0; i < 1000; i++)
        {
            hits += set.IsMatch("orders") ? 1 : 0;
            hits += set.IsMatch("billing.eu") ? 1 : 0;
            hits += set.IsMatch("shipping-eu") ? 1 : 0;
            hits += set.IsMatch("shipping-us") ? 1 : 0;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(3000, hits);
    }

    [Fact]
    public void Compile_StarAnywhereInTheList_MatchesAll_EmptyListMatchesNothing()
    {
        Assert.True(AddressPatternSet.Compile(["x", "*"]).MatchesAll);
        Assert.False(AddressPatternSet.Compile(["x*"]).MatchesAll);
        Assert.False(AddressPatternSet.Compile([]).IsMatch("x"));
    }

    [Fact]
    public void DefaultPolicy_AllowsEverything_AndAdvertisesNoAudience()
    {
        var rules = PolicyRules.AllowAll("A", "west");

        Assert.True(rules.IsDefault);
        Assert.True(rules.IsExported("orders"));
        Assert.Null(rules.AudienceOf("orders"));
        Assert.True(rules.ExportsTo("C", null, "orders"));
        Assert.True(rules.Imports("C", "east", "orders"));
    }

    private static PolicyRules HubOnlyOrders()
    {
        // Everyone gets "public"; site "hub" also gets "orders"; node "C9" gets nothing.
        var policy = new VanPolicy();
        policy.Export.Clear();
        policy.Export.Add("public");
        var c9 = new VanPeerPolicy { Match = "C9" };
        c9.Export.Clear();
        var hub = new VanPeerPolicy { Match = "hub" };
        hub.Export.Clear();
        hub.Export.Add("orders");
        hub.Export.Add("public");
        policy.Peers.Add(c9);
        policy.Peers.Add(hub);
        return new PolicyRules(policy, "A", "west");
    }

    [Fact]
    public void ExportsTo_FirstRuleMatchingIdOrSiteDecides_OthersGetTheNodeWideList()
    {
        var rules = HubOnlyOrders();

        Assert.False(rules.ExportsAll);
        Assert.True(rules.IsExported("orders"));
        Assert.True(rules.IsExported("public"));
        Assert.False(rules.IsExported("secret"));
        Assert.True(rules.ExportsTo("B", "hub", "orders"));
        Assert.False(rules.ExportsTo("C", "east", "orders"));
        Assert.True(rules.ExportsTo("C", "east", "public"));
        Assert.False(rules.ExportsTo("C9", "hub", "public"));
    }

    [Fact]
    public void ExportsTo_UnknownSite_DecidesOnlyWhenTheSiteCannotChangeTheAnswer()
    {
        var rules = HubOnlyOrders();

        Assert.False(rules.ExportsTo("X", null, "secret"));
        Assert.Null(rules.ExportsTo("X", null, "public"));
        Assert.Null(rules.ExportsTo("X", null, "orders"));
        Assert.False(rules.ExportsTo("C9", null, "public"));
    }

    [Fact]
    public void AudienceOf_CarriesTheRulesInOrder_AndLeavesOutWhatTheDefaultSays()
    {
        var rules = HubOnlyOrders();

        Assert.Equal(["-C9", "+hub", "-*"], rules.AudienceOf("orders")!);
        Assert.Equal(["-C9"], rules.AudienceOf("public")!);

        foreach (var (node, site) in new[] { ("B", "hub"), ("C", "east"), ("C9", "hub"), ("Z", "west") })
        {
            foreach (var address in new[] { "orders", "public" })
            {
                var audience = rules.AudienceOf(address);
                var allowed = audience is null || PolicyRules.AudienceAllows(audience, node, site);
                Assert.Equal(rules.ExportsTo(node, site, address), (bool?)allowed);
            }
        }
    }

    [Fact]
    public void AudienceOf_RuleMatchingEveryone_EndsTheList()
    {
        var policy = new VanPolicy();
        var all = new VanPeerPolicy { Match = "*" };
        all.Export.Clear();
        all.Export.Add("public");
        policy.Peers.Add(all);
        var rules = new PolicyRules(policy, "A", "west");

        Assert.Equal(["-*"], rules.AudienceOf("orders")!);
        Assert.Null(rules.AudienceOf("public"));
        Assert.True(rules.IsExported("orders"));
    }

    [Fact]
    public void Imports_RuleForTheOriginsSite_ReplacesTheNodeWideList()
    {
        var policy = new VanPolicy();
        var west = new VanPeerPolicy { Match = "west" };
        west.Import.Clear();
        west.Import.Add("public");
        policy.Peers.Add(west);
        var rules = new PolicyRules(policy, "C", "east");

        Assert.False(rules.ImportsAll);
        Assert.True(rules.ExportsAll);
        Assert.False(rules.Imports("A", "west", "orders"));
        Assert.True(rules.Imports("A", "west", "public"));
        Assert.True(rules.Imports("B", "hub", "orders"));
    }

    public static TheoryData<string, Action<VanPolicy>, string> BadPolicies => new()
    {
        { "empty export", p => p.Export.Add(""), "Policy.Export[1]" },
        { "blank import", p => p.Import.Add("  "), "Policy.Import[1]" },
        { "reserved export", p => p.Export.Add("_van/control"), "reserved" },
        { "reserved import", p => p.Import.Add("_van/*"), "reserved" },
        { "reserved client address", p => p.ClientAddresses.Add("_van/data"), "reserved" },
        { "null rule", p => p.Peers.Add(null!), "Policy.Peers[0]" },
        { "empty match", p => p.Peers.Add(new VanPeerPolicy { Match = "" }), "Policy.Peers[0].Match" },
        { "reserved rule export", p => { var r = new VanPeerPolicy(); r.Export.Add("_van/node/x"); p.Peers.Add(r); }, "Policy.Peers[0].Export[1]" },
        { "too many rules", p => { for (var i = 0; i < 300; i++) { p.Peers.Add(new VanPeerPolicy()); } }, "at most" },
        { "huge pattern", p => p.Export.Add(new string('x', 2000)), "1024" },
    };

    [Theory]
    [MemberData(nameof(BadPolicies))]
    public void Validate_BadEntry_ThrowsNamingIt(string what, Action<VanPolicy> spoil, string named)
    {
        var policy = new VanPolicy();
        spoil(policy);

        var e = Assert.Throws<ArgumentException>(policy.Validate);

        Assert.Contains(named, e.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(what));
    }

    [Fact]
    public void Validate_StatusAddressForClients_AndDefaults_AreFine()
    {
        var policy = new VanPolicy();
        policy.ClientAddresses.Clear();
        policy.ClientAddresses.Add(VanRouter.StatusAddress);
        policy.ClientAddresses.Add("orders.*");
        policy.Peers.Add(new VanPeerPolicy { Match = "east" });

        policy.Validate();
        new VanPolicy().Validate();
    }
}
