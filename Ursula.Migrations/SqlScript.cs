// The numbered scripts in sql/ are compiled into this assembly; migrations execute them by name.
namespace Ursula.Migrations;

internal static class SqlScript
{
    public static string Load(string fileName)
    {
        var name = $"Ursula.Migrations.Sql.{fileName}";
        using var stream = typeof(SqlScript).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The schema script {name} is not embedded in {typeof(SqlScript).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
