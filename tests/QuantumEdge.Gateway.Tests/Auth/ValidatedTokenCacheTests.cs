using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Tests.Auth;

public sealed class ValidatedTokenCacheTests
{
    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static CallerIdentity Caller(DateTimeOffset expires, string sub = "dr.house") => new(sub, "doctor", "diagnostics", expires);

    [Fact]
    public void A_cached_token_is_served_until_its_expiry_plus_skew_and_not_after()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));
        var cache = new ValidatedTokenCache(16, Skew, clock);
        var expires = clock.Now.AddMinutes(2);
        cache.Add("token-a", Caller(expires));

        clock.Now = expires + Skew - TimeSpan.FromSeconds(1);
        Assert.True(cache.TryGet("token-a", out var served));
        Assert.Equal("dr.house", served.Subject);

        clock.Now = expires + Skew;
        Assert.False(cache.TryGet("token-a", out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void A_long_lived_token_is_validated_again_after_the_maximum_age()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 29, 8, 0, 0, TimeSpan.Zero));
        var cache = new ValidatedTokenCache(16, Skew, clock);
        cache.Add("token-a", Caller(clock.Now.AddHours(8)));

        clock.Now += ValidatedTokenCache.MaxAge - TimeSpan.FromSeconds(1);
        Assert.True(cache.TryGet("token-a", out _));
        clock.Now += TimeSpan.FromSeconds(1);
        Assert.False(cache.TryGet("token-a", out _));
    }

    [Fact]
    public void Only_the_exact_token_text_is_served()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var cache = new ValidatedTokenCache(16, Skew, clock);
        cache.Add("header.payload.signature", Caller(clock.Now.AddHours(1)));

        Assert.False(cache.TryGet("header.payload.signaturE", out _));
        Assert.False(cache.TryGet("header.payload.signature ", out _));
        Assert.True(cache.TryGet("header.payload.signature", out _));
    }

    [Fact]
    public void The_cache_never_holds_more_than_its_capacity()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var cache = new ValidatedTokenCache(100, Skew, clock);
        for (var i = 0; i < 1000; i++)
        {
            cache.Add($"token-{i}", Caller(clock.Now.AddHours(1), $"user{i}"));
            Assert.InRange(cache.Count, 1, 100);
        }

        Assert.True(cache.TryGet("token-999", out var last));
        Assert.Equal("user999", last.Subject);
    }

    [Fact]
    public void An_already_expired_identity_is_not_added()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var cache = new ValidatedTokenCache(16, Skew, clock);
        cache.Add("token-a", Caller(clock.Now - Skew - TimeSpan.FromSeconds(1)));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task The_authenticator_serves_a_repeated_token_and_still_refuses_a_tampered_one()
    {
        const string secret = "cache-test-secret-that-is-long-enough-for-hs256-0123456789";
        var auth = new JwtAuthenticator(new AuthSettings { JwtSecret = secret });
        var token = auth.Issue("dr.house", "doctor", "diagnostics", TimeSpan.FromMinutes(10));

        var first = await auth.AuthenticateAsync("Bearer " + token);
        var second = await auth.AuthenticateAsync("Bearer " + token);
        Assert.Equal(first, second);

        // Flip one character of the signature: the cached validation of the genuine token must not cover it.
        var last = token[^2];
        var tampered = token[..^2] + (last == 'A' ? 'B' : 'A') + token[^1];
        await Assert.ThrowsAsync<TokenRejectedException>(() => auth.AuthenticateAsync("Bearer " + tampered));
    }
}
