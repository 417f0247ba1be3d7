// The verbs other than serve: migrate (schema only) and cluster (a local development cluster).
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Ursula.Server.Hosting.Cli;

public static class Verbs
{
    public static async Task<int> MigrateAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationManager();
        ServerHost.AddConfiguration(configuration, settings);
        var node = ServerHost.BindNodeOptions(configuration);
        await using var postgres = await ServerHost.StartPostgresAsync(node, CancellationToken.None);
        Migrations.SchemaMigrator.MigrateUp(postgres.ConnectionString);
        Console.WriteLine($"ursula: schema is up to date (PostgreSQL {postgres.Description})");
        return 0;
    }

    /// <summary>Starts N nodes on consecutive ports as child processes and stops them together.</summary>
    public static async Task<int> ClusterAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationManager();
        ServerHost.AddConfiguration(configuration, settings);
        var node = ServerHost.BindNodeOptions(configuration);
        var count = int.Parse(configuration["Nodes"] ?? "3", CultureInfo.InvariantCulture);
        var (host, firstPort) = node.ParseListen();
        var urls = Enumerable.Range(0, count).Select(i => $"http://{host}:{firstPort + i}").ToList();
        var baseDir = Path.Combine(node.FullDataDir, "cluster");

        // One secret for all the children, kept beside their data directories so that the members
        // verb finds it (--data-dir DATA_DIR/cluster); it reaches them through the environment,
        // not the command line, which other local users can read.
        var secret = string.IsNullOrEmpty(node.ClusterSecret) ? Security.ClusterSecretFile.ReadOrCreate(baseDir) : node.ClusterSecret;

        var children = new List<Process>();
        using var stopping = new CancellationTokenSource();

        // SIGINT and SIGTERM stop the children gracefully before this process exits.
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stopping.Cancel();
        }

        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var args = new List<string>
                {
                    "serve", "--listen", $"{host}:{firstPort + i}", "--data-dir", Path.Combine(baseDir, $"node{i + 1}"),
                    "--cluster", string.Join(',', urls),
                };
                if (!settings.ContainsKey("Archive:Dir") && !settings.ContainsKey("Archive:S3Bucket"))
                {
                    // Every member reads what the leader archived: they share one archive directory.
                    args.AddRange(["--archive-dir", Path.Combine(baseDir, "archive")]);
                }

                foreach (var (key, value) in settings)
                {
                    if (key is not ("Listen" or "DataDir" or "Cluster" or "Nodes" or "Advertise" or "Postgres" or "ClusterSecret") && value is not null)
                    {
                        args.AddRange(CommandLine.ToFlag(key, value));
                    }
                }

                children.Add(StartChild($"node{i + 1}", args, secret));
            }

            Console.WriteLine($"ursula: cluster of {count} nodes: {string.Join(", ", urls)} (data under {baseDir}); Ctrl+C stops them all");
            await Task.WhenAny(Task.Delay(Timeout.Infinite, stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default), Task.WhenAny(children.Select(c => c.WaitForExitAsync())));
        }
        finally
        {
            foreach (var child in children.Where(c => !c.HasExited))
            {
                _ = NativeMethods.Kill(child.Id, NativeMethods.SigTerm);
            }

            foreach (var child in children)
            {
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                try
                {
                    await child.WaitForExitAsync(grace.Token);
                }
                catch (OperationCanceledException)
                {
                    child.Kill(entireProcessTree: true);
                }
            }
        }

        return 0;
    }

    private static Process StartChild(string name, List<string> args, string secret)
    {
        var info = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment["URSULA_CLUSTERSECRET"] = secret;
        var self = Environment.ProcessPath!;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.FileName = self;
            info.ArgumentList.Add(typeof(Verbs).Assembly.Location);
        }
        else
        {
            info.FileName = self;
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {name}");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.WriteLine($"[{name}] {e.Data}"); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[{name}] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static class NativeMethods
    {
        public const int SigTerm = 15;

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static extern int Kill(int pid, int signal);
    }
}
