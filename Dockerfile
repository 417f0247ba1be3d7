# Ursula server image: the SDK stage builds Ursula.Server in Release, the runtime stage runs it.
#
#   docker build -t ursula .
#   docker run -p 4437:4437 -v ursula-data:/data ursula serve --postgres "Host=...;Database=...;Username=...;Password=..."
#
# The node listens on 0.0.0.0:4437 and keeps its Raft log under /data. The image carries no
# PostgreSQL server, so give every node its own database with --postgres (or URSULA_POSTGRES);
# compose.yml runs a three-node cluster that way. The image holds no secret: a lone node generates
# its cluster secret into /data/cluster-secret, and the nodes of a cluster must all be given the
# same one (URSULA_CLUSTERSECRET; they refuse to start without it). Listening on 0.0.0.0, a node
# also refuses to start without client authentication (--keys-file, --jwt-secret or --jwks-url;
# docs/security.md) unless it is given --insecure.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files alone, so that a source change does not re-download packages.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY Ursula.Server/Ursula.Server.csproj Ursula.Server/
COPY Ursula.Migrations/Ursula.Migrations.csproj Ursula.Migrations/
RUN dotnet restore Ursula.Server/Ursula.Server.csproj
# The schema scripts in sql/ are embedded into Ursula.Migrations.
COPY sql/ sql/
COPY Ursula.Migrations/ Ursula.Migrations/
COPY Ursula.Server/ Ursula.Server/
RUN dotnet publish Ursula.Server/Ursula.Server.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# /data belongs to the image's unprivileged "app" user; a named volume mounted there inherits that.
RUN mkdir -p /data && chown app:app /data
USER app
ENV URSULA_LISTEN=0.0.0.0:4437 \
    URSULA_DATADIR=/data
VOLUME ["/data"]
EXPOSE 4437
ENTRYPOINT ["/app/Ursula.Server"]
CMD ["serve"]
