// Builds and runs a node: configuration, PostgreSQL (managed or given), schema, the Raft member
// hosted in Kestrel, the state machine and the HTTP surface.
using System.Net;
using DotNext.IO.Log;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.Http;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Microsoft.Extensions.Options;
using Npgsql;
using Ursula.Server.Hosting.Lifecycle;
using Ursula.Server.Hosting.Observability;
using Ursula.Server.Access;
using Ursula.Server.Hosting.Postgres;
using Ursula.Server.Hosting.Security;
using Ursula.Server.Hub;
using Ursula.Server.Protocol;
using Ursula.Server.Replication;
using Ursula.Server.Replication.Forwarding;
using Ursula.Server.State;
using Ursula.Server.State.Postgres;
using Ursula.Server.State.Reading;
using Ursula.Server.WebConsole;

namespace Ursula.Server.Hosting;

public static partial class ServerHost
{
    public static async Task<int> ServeAsync(IReadOnlyDictionary<string, string?> settings, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        AddConfiguration(builder.Configuration, settings);
        var node = BindNodeOptions(builder.Configuration);
        var logs = LogOptions.Bind(builder.Configuration);
        var tls = TlsOptions.Bind(builder.Configuration);
        node.Advertise ??= tls.Enabled ? $"https://{node.Listen}" : null;
        logs.Configure(builder.Logging);
        AccessExtensions.ValidateEarly(builder.Configuration, node);
        var (host, port) = node.ParseListen();
        Directory.CreateDirectory(node.FullDataDir);
        var (secret, secretSource) = ResolveClusterSecret(node);
        RequireSharedArchive(node, builder.Configuration);

        await using var postgres = await StartPostgresAsync(node, cancellationToken, logs);
        Migrations.SchemaMigrator.MigrateUp(postgres.ConnectionString);

        ConfigureServices(builder, node, secret, postgres.ConnectionString);
        builder.Services.AddSingleton(ClusterTrust.From(tls));
        using var certificate = tls.Enabled ? tls.LoadCertificate() : null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(ParseAddress(host), port, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });

        var app = builder.Build();
        await LoadStateAsync(app, cancellationToken);
        await Membership.SeedAsync(app, node, cancellationToken);
        MapEndpoints(app);

        await app.StartAsync(cancellationToken);
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Ursula");
        HostingLog.Listening(log, $"{(tls.Enabled ? "https" : "http")}://{node.Listen}", node.FullDataDir, postgres.Description);
        HostingLog.ClusterSecretSource(log, secretSource);
        await app.WaitForShutdownAsync(cancellationToken);
        await app.StopAsync(CancellationToken.None);
        return Environment.ExitCode;
    }

    public static void AddConfiguration(ConfigurationManager configuration, IReadOnlyDictionary<string, string?> settings)
    {
        configuration.AddEnvironmentVariables("URSULA_");
        configuration.AddInMemoryCollection(settings);
    }

    public static NodeOptions BindNodeOptions(IConfiguration configuration)
    {
        var node = new NodeOptions();
        configuration.Bind(node);
        if (OptionNames.Validate(node, section: null) is { Count: > 0 } errors)
        {
            throw new OptionsValidationException(string.Join("; ", errors));
        }

        node.ParseListen();
        node.ParseSourceAddress();
        return node;
    }

    internal static async Task<PostgresConnection> StartPostgresAsync(NodeOptions node, CancellationToken cancellationToken, LogOptions? logs = null)
    {
        if (!string.IsNullOrWhiteSpace(node.Postgres))
        {
            return new PostgresConnection(node.Postgres, "external", null, null);
        }

        // The PostgreSQL log is forwarded for as long as the node runs, so its logger outlives this call.
        var loggerFactory = LoggerFactory.Create(l => (logs ?? new LogOptions()).Configure(l, singleLineText: true));
        var managed = await ManagedPostgres.StartAsync(
            new ManagedPostgresOptions { DataDirectory = node.FullDataDir },
            loggerFactory.CreateLogger<ManagedPostgres>(),
            cancellationToken);
        return new PostgresConnection(managed.ConnectionString, $"managed in {managed.ClusterDirectory}", managed, loggerFactory);
    }

    private static void ConfigureServices(WebApplicationBuilder builder, NodeOptions node, ClusterSecret secret, string connectionString)
    {
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Options.Create(node));
        services.AddSingleton(secret);
        services.AddSingleton<IHttpMessageHandlerFactory, ClusterHttpHandlers>();
        services.AddExceptionHandler<RaftExceptionHandler>();
        services.AddOptions<ProtocolOptions>().Bind(builder.Configuration.GetSection(ProtocolOptions.Section)).ValidateNamingOptions(ProtocolOptions.Section);
        services.AddOptions<SequencerOptions>().Bind(builder.Configuration.GetSection(SequencerOptions.Section)).ValidateNamingOptions(SequencerOptions.Section);
        services.AddOptions<ProducerExpiryOptions>().Bind(builder.Configuration.GetSection(ProducerExpiryOptions.Section)).ValidateNamingOptions(ProducerExpiryOptions.Section);

        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString).Build());
        services.AddSingleton<PostgresStateStore>();
        services.AddSingleton<PostgresRecordSource>();
        services.AddSingleton<IRecordSource>(sp => sp.GetRequiredService<PostgresRecordSource>());
        services.AddSingleton(new HotTailBudget(node.HotTailBytes, node.MaxUnflushedBytes));
        services.AddSingleton<StreamCatalog>();
        services.AddSingleton<StreamDataReader>();
        services.AddSingleton<LiveReaderRegistry>();
        services.AddSingleton<StreamTailReader>();
        AddArchive(services, builder.Configuration, node);
        services.AddSingleton<FlushGate>();
        services.AddSingleton<StorageHealth>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<PostgresSnapshots>(sp, node.WalRetainBytes));
        services.AddHostedService<StateFlusher>();

        services.AddSingleton<ResponseCursor>();
        services.AddSingleton<StreamLookup>();
        services.AddSingleton<StreamEndpoints>();
        AddSubscriptions(services, builder.Configuration);
        services.AddSingleton<LeaderForwarder>();
        services.AddHostedService(sp => sp.GetRequiredService<LeaderForwarder>());
        services.AddSingleton<Sequencer>();
        services.AddSingleton<ICommandSubmitter>(sp => sp.GetRequiredService<Sequencer>());
        services.AddHostedService(sp => sp.GetRequiredService<Sequencer>());
        services.AddHostedService<ExpirySweeper>();
        services.AddHostedService<LiveReaderTicker>();
        services.AddStreamHub(builder.Configuration);
        services.AddObservability();
        services.AddGracefulShutdown();
        services.AddUrsulaAccess(builder.Configuration);

        var raftDir = Path.Combine(node.FullDataDir, "raft");
        Directory.CreateDirectory(raftDir);
        // As DotNext's UseStateMachine registers them, with a WAL whose follower flushes what it
        // was sent before answering (FollowerFlushingLog).
        var walOptions = new WriteAheadLog.Options
        {
            Location = Path.Combine(raftDir, "wal"),
            ChunkSize = node.WalChunkBytes,
        };
        services.AddSingleton<UrsulaStateMachine>();
        services.AddSingleton<IStateMachine>(sp => sp.GetRequiredService<UrsulaStateMachine>());
        services.AddSingleton<IPersistentState>(sp => new FollowerFlushingLog(walOptions, sp.GetRequiredService<IStateMachine>()));
        services.AddSingleton<IAuditTrail<IRaftLogEntry>>(sp => sp.GetRequiredService<IPersistentState>());
        services.UsePersistentConfigurationStorage(Path.Combine(raftDir, "members"));
        builder.Configuration.AddInMemoryCollection(Membership.RaftSettings(node, builder.Configuration));
        builder.JoinCluster("Raft");
    }

    private static async Task LoadStateAsync(WebApplication app, CancellationToken cancellationToken)
    {
        // Must run before anything resolves the WAL: it reads the snapshot index when constructed.
        var state = await app.Services.GetRequiredService<PostgresStateStore>().LoadAsync(cancellationToken);
        app.Services.GetRequiredService<StreamCatalog>().Load(state);
        app.Services.GetRequiredService<PostgresSnapshots>().Initialize(state.AppliedIndex, state.AppliedTerm);
        app.Services.GetRequiredService<HotTailBudget>().MarkFlushed(state.AppliedIndex);
        StorageLog.StateLoaded(app.Services.GetRequiredService<ILogger<StreamCatalog>>(), state.Streams.Count, state.AppliedIndex);
    }

    private static void MapEndpoints(WebApplication app)
    {
        app.UseObservability();
        app.UseDraining();
        app.UseMiddleware<BadRequestMiddleware>();
        app.UseMiddleware<ProtocolHeadersMiddleware>();
        app.UseMiddleware<ClusterAuthMiddleware>();
        app.UseConsensusProtocolHandler();
        app.UseUrsulaAccess();
        app.Map(Streams.StreamPath.ReservedPrefix, reserved =>
        {
            reserved.UseMiddleware<HubOriginCheck>(new PathString(StreamHubOptions.RelativePath));
            reserved.UseRouting();
            reserved.UseCors();
            reserved.UseEndpoints(endpoints =>
            {
                NodeEndpoints.Map(endpoints);
                endpoints.MapObservability();

                // The client surfaces: not cluster endpoints, so no cluster secret; cross-origin per Hub:AllowedOrigins.
                StreamListingEndpoint.Map(endpoints).RequireCors(StreamHubExtensions.CorsPolicy);
                endpoints.MapStreamHub(StreamHubOptions.RelativePath);
                ConsoleEndpoints.Map(endpoints, Streams.StreamPath.ReservedPrefix);
            });
        });
        var streams = app.Services.GetRequiredService<StreamEndpoints>();
        app.Run(streams.HandleAsync);
    }

    private static IPAddress ParseAddress(string host) => host switch
    {
        "localhost" => IPAddress.Loopback,
        "*" or "" => IPAddress.Any,
        _ => IPAddress.Parse(host),
    };

    internal sealed record PostgresConnection(string ConnectionString, string Description, ManagedPostgres? Managed, ILoggerFactory? Logging) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (Managed is not null)
            {
                await Managed.DisposeAsync();
            }

            Logging?.Dispose();
        }
    }
}
