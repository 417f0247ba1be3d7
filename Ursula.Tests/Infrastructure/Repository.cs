namespace Ursula.Tests.Infrastructure;

/// <summary>The repository checkout the tests run from (the folder holding Ursula.sln), for files tests read as written.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ursula.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"Ursula.sln not found above {AppContext.BaseDirectory}");
    }
}
