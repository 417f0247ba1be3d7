-- Subscriptions (the protocol's reserved __ds APIs). Each subscription's whole replicated state
-- (configuration, cursors of its linked streams, generation, the wake in flight with its lease
-- and retry schedule) is one JSON document, keyed by its stream root and id. The webhook signing
-- key's Ed25519 seed is replicated state as well: one row, the same on every node.
create table if not exists subscriptions (
    root  text not null,
    id    text not null,
    state jsonb not null,
    primary key (root, id)
);

create table if not exists subscription_keys (
    seed bytea not null
);
