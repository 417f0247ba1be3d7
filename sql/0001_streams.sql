-- Ursula node state: the streams, their records (the applied append history), producer state and
-- the Raft log index the whole state corresponds to. Apply writes all of it in one transaction.

create table if not exists ursula_node_state (
    singleton      boolean primary key default true check (singleton),
    applied_index  bigint not null,
    applied_term   bigint not null,
    next_stream_id bigint not null,
    clock_ms       bigint not null,
    updated_at     timestamptz not null default now()
);

insert into ursula_node_state (singleton, applied_index, applied_term, next_stream_id, clock_ms)
values (true, 0, 0, 1, 0)
on conflict (singleton) do nothing;

-- One row per stream incarnation; a path deleted and created again gets a new stream_id.
create table if not exists streams (
    stream_id               bigint primary key,
    path                    text not null,
    content_type            text not null,
    created_at_ms           bigint not null,
    ttl_seconds             bigint,
    expires_at              text,
    expires_at_ms           bigint,
    last_access_ms          bigint not null,
    closed                  boolean not null,
    closed_by_producer      text,
    closed_by_epoch         bigint,
    closed_by_seq           bigint,
    tail                    bigint not null,
    last_stream_seq         text,
    fork_source_id          bigint,
    fork_source_path        text,
    fork_position           bigint,
    fork_requested_position bigint,
    fork_sub_offset         bigint,
    ref_count               integer not null,
    soft_deleted            boolean not null
);

create index if not exists streams_path on streams (path);

-- One row per append: positions [start_pos, end_pos) of the stream. For application/json streams
-- the payload is the append's messages joined by commas and the positions count messages.
create table if not exists stream_records (
    stream_id   bigint not null,
    start_pos   bigint not null,
    end_pos     bigint not null,
    appended_at timestamptz not null,
    log_index   bigint not null,
    producer_id text,
    payload     bytea not null,
    primary key (stream_id, start_pos)
);

create table if not exists stream_producers (
    stream_id     bigint not null,
    producer_id   text not null,
    epoch         bigint not null,
    last_seq      bigint not null,
    updated_at_ms bigint not null,
    primary key (stream_id, producer_id)
);
