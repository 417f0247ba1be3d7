-- The cold tier. Ranges of a stream older than its hot window move to the archive (Parquet objects
-- on the filesystem or S3); the manifest says which object holds which range. Applying an
-- "archived" command adds manifest entries and deletes the archived records here, in the same
-- transaction as the applied index, so a range is always in exactly one of the two places.

-- Where each stream's archived prefix ends (its own positions below this live in the archive),
-- and the payload bytes of its records still held here (what the hot window and ceiling measure).
alter table streams add column if not exists archived_to bigint not null default 0;
alter table streams add column if not exists hot_bytes bigint not null default 0;

-- Producer epoch and sequence of each append, kept for the archive's producer columns.
alter table stream_records add column if not exists producer_epoch bigint;
alter table stream_records add column if not exists producer_seq bigint;

-- One row per manifest entry: [start_pos, end_pos) of a stream in one object. The entry itself
-- (row-group locators included) is kept in the archive library's binary manifest encoding.
create table if not exists archive_manifest (
    stream_id  bigint not null,
    start_pos  bigint not null,
    end_pos    bigint not null,
    object_key text not null,
    entry      bytea not null,
    primary key (stream_id, start_pos)
);

create index if not exists archive_manifest_object on archive_manifest (object_key);

-- Objects that still hold rows of deleted streams; compaction rewrites or deletes them.
create table if not exists archive_garbage (
    object_key  text not null,
    object_size bigint not null,
    stream_id   bigint not null,
    primary key (object_key, stream_id)
);
