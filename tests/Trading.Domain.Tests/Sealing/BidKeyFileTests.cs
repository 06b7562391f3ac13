using System.Security.Cryptography;
using Trading.Client.Sealing;
using Trading.Domain.Sealing;
using static Trading.Domain.Tests.Sealing.SealingFixtures;

namespace Trading.Domain.Tests.Sealing;

public sealed class BidKeyFileTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "trading-keys-" + Guid.NewGuid().ToString("N"));

    private string Directory => Path.Combine(root, "keys");

    public void Dispose()
    {
        if (System.IO.Directory.Exists(root))
            System.IO.Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void A_saved_key_is_found_again_by_its_commitment()
    {
        var key = RandomNumberGenerator.GetBytes(32);

        BidKeyFile.Save(Directory, TenderId, BidderOrgId, key);

        Assert.Equal(key, BidKeyFile.Load(Directory, TenderId, BidderOrgId, BidKeys.Commitment(key)));
        Assert.Equal(key, BidKeyFile.LoadLatest(Directory, TenderId, BidderOrgId));
    }

    [Fact]
    public void The_keys_of_earlier_revisions_are_kept_when_a_bid_is_replaced()
    {
        var first = RandomNumberGenerator.GetBytes(32);
        var second = RandomNumberGenerator.GetBytes(32);

        BidKeyFile.Save(Directory, TenderId, BidderOrgId, first);
        BidKeyFile.Save(Directory, TenderId, BidderOrgId, second);
        BidKeyFile.Save(Directory, TenderId, BidderOrgId, first);

        Assert.Equal(first, BidKeyFile.Load(Directory, TenderId, BidderOrgId, BidKeys.Commitment(first)));
        Assert.Equal(second, BidKeyFile.Load(Directory, TenderId, BidderOrgId, BidKeys.Commitment(second)));
        Assert.Equal(second, BidKeyFile.LoadLatest(Directory, TenderId, BidderOrgId));
    }

    [Fact]
    public void Nothing_is_found_for_an_unknown_bid_or_commitment()
    {
        BidKeyFile.Save(Directory, TenderId, BidderOrgId, RandomNumberGenerator.GetBytes(32));

        Assert.Null(BidKeyFile.LoadLatest(Directory, TenderId, Guid.NewGuid()));
        Assert.Null(BidKeyFile.Load(Directory, TenderId, BidderOrgId, BidKeys.Commitment(new byte[32])));
    }

    [Fact]
    public void The_key_file_is_readable_by_its_owner_alone()
    {
        if (OperatingSystem.IsWindows())
            return;

        var path = BidKeyFile.Save(Directory, TenderId, BidderOrgId, RandomNumberGenerator.GetBytes(32));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(Directory));
    }

    [Fact]
    public void A_key_of_the_wrong_length_is_not_saved()
    {
        Assert.Throws<ArgumentException>(() => BidKeyFile.Save(Directory, TenderId, BidderOrgId, new byte[31]));
    }
}
