using System.Runtime.Versioning;
using Ursula.Server.Hosting.Security;

namespace Ursula.Tests.Unit;

[Trait("Category", "Unit")]
[SupportedOSPlatform("linux")]
public sealed class ClusterSecretFileTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ursula-secret-").FullName;

    [Fact]
    public void A_secret_is_generated_once_readable_by_its_owner_only_and_read_back_after()
    {
        Assert.Null(ClusterSecretFile.Read(directory));
        var first = ClusterSecretFile.ReadOrCreate(directory);
        Assert.Equal(first, ClusterSecretFile.ReadOrCreate(directory));
        Assert.Equal(first, ClusterSecretFile.Read(directory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ClusterSecretFile.PathIn(directory)));
        Assert.Null(ClusterSecret.Problem(first));
        Assert.Single(Directory.GetFiles(directory));
    }

    [Fact]
    public void A_secret_file_readable_by_others_is_taken_back_to_its_owner()
    {
        var path = ClusterSecretFile.PathIn(directory);
        File.WriteAllText(path, "copied-around-secret\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Assert.Equal("copied-around-secret", ClusterSecretFile.Read(directory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData("ümlaut")]
    public void A_secret_that_cannot_travel_as_a_bearer_token_is_refused(string secret)
    {
        Assert.NotNull(ClusterSecret.Problem(secret));
        File.WriteAllText(ClusterSecretFile.PathIn(directory), secret);
        Assert.Throws<Ursula.Server.Hosting.OptionsValidationException>(() => ClusterSecretFile.Read(directory));
    }

    [Fact]
    public void Only_the_exact_bearer_header_is_accepted()
    {
        var secret = new ClusterSecret("s3cret");
        Assert.True(secret.Accepts("Bearer s3cret"));
        Assert.False(secret.Accepts("Bearer s3cret2"));
        Assert.False(secret.Accepts("Basic s3cret"));
        Assert.False(secret.Accepts(string.Empty));
        Assert.False(secret.Accepts(null));
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
