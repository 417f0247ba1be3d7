// The secret a node generates for itself when it is given none: DATA_DIR/cluster-secret, created
// on first start with mode 0600 (readable by the node's own account only) and read on every later
// start. The members verb and a development cluster's nodes find it there.
using System.Buffers.Text;
using System.Security.Cryptography;

namespace Ursula.Server.Hosting.Security;

public static class ClusterSecretFile
{
    public const string FileName = "cluster-secret";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static string PathIn(string directory) => Path.Combine(directory, FileName);

    /// <summary>The secret kept in <paramref name="directory"/>, or null when there is none yet.</summary>
    public static string? Read(string directory)
    {
        var path = PathIn(directory);
        if (!File.Exists(path))
        {
            return null;
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~OwnerOnly) != 0)
        {
            // Copied around with looser permissions: take them back before using the secret.
            File.SetUnixFileMode(path, OwnerOnly);
        }

        var secret = File.ReadAllText(path).Trim();
        return ClusterSecret.Problem(secret) is { } problem ? throw new OptionsValidationException($"{path}: {problem}") : secret;
    }

    /// <summary>Reads the secret kept in <paramref name="directory"/>, generating and keeping one first if there is none.</summary>
    public static string ReadOrCreate(string directory)
    {
        if (Read(directory) is { } existing)
        {
            return existing;
        }

        Directory.CreateDirectory(directory);
        var path = PathIn(directory);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        using (var writer = new StreamWriter(temporary, options))
        {
            writer.WriteLine(Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32)));
            writer.Flush();
            ((FileStream)writer.BaseStream).Flush(flushToDisk: true);
        }

        try
        {
            // Atomic, and never over a secret another process wrote meanwhile.
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
        }

        return Read(directory) ?? throw new IOException($"{path} vanished while it was created");
    }
}
