namespace Ursula.Tests.Infrastructure;

public static class NpmPackageDirectory
{
    /// <summary>The repository folder (e.g. "Ursula.Tests/Conformance/suite") that holds a package.json, found above the test binaries.</summary>
    public static string Find(string relativePath)
    {
        var parts = relativePath.Split('/');
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine([dir.FullName, .. parts]);
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"{relativePath} not found above {AppContext.BaseDirectory}");
    }
}
