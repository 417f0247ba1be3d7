// What apply changed in the subscriptions since the last flush: each changed subscription's whole
// state as JSON (null when it was deleted), and the signing key seed when it was first set. Every
// statement is idempotent, so a retried flush writes the same rows again.
using Dapper;
using Npgsql;

namespace Ursula.Server.State.Subscriptions;

public sealed class SubscriptionChanges : IChangeSet
{
    private readonly Dictionary<(string Root, string Id), byte[]?> rows = [];
    private byte[]? keySeed;

    public bool IsEmpty => rows.Count == 0 && keySeed is null;

    public void Upsert(string root, string id, byte[] state) => rows[(root, id)] = state;

    public void Delete(string root, string id) => rows[(root, id)] = null;

    public void SetKey(byte[] seed) => keySeed = seed;

    public void Absorb(IChangeSet newer)
    {
        var changes = (SubscriptionChanges)newer;
        foreach (var (key, state) in changes.rows)
        {
            rows[key] = state;
        }

        keySeed ??= changes.keySeed;
    }

    public async Task WriteAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (keySeed is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "insert into subscription_keys (seed) select @keySeed where not exists (select 1 from subscription_keys)",
                new { keySeed }, cancellationToken: cancellationToken));
        }

        var deleted = rows.Where(r => r.Value is null).Select(r => r.Key).ToList();
        if (deleted.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "delete from subscriptions s using unnest(@roots, @ids) as d(root, id) where s.root = d.root and s.id = d.id",
                new { roots = deleted.Select(d => d.Root).ToArray(), ids = deleted.Select(d => d.Id).ToArray() },
                cancellationToken: cancellationToken));
        }

        var upserts = rows.Where(r => r.Value is not null).ToList();
        if (upserts.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                insert into subscriptions (root, id, state)
                select r, i, s::jsonb from unnest(@roots, @ids, @states) as u(r, i, s)
                on conflict (root, id) do update set state = excluded.state
                """,
                new
                {
                    roots = upserts.Select(u => u.Key.Root).ToArray(),
                    ids = upserts.Select(u => u.Key.Id).ToArray(),
                    states = upserts.Select(u => System.Text.Encoding.UTF8.GetString(u.Value!)).ToArray(),
                },
                cancellationToken: cancellationToken));
        }
    }
}
