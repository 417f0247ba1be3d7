// Starts the Node reference Durable Streams server (@durable-streams/server, pinned in
// package.json) for bench/run.sh, so Ursula can be compared against it under the same load.
//
//   node serve.mjs --port 4440                      in-memory store
//   node serve.mjs --port 4441 --data-dir /tmp/ref  file-backed store (LMDB + append-only logs)
//   node serve.mjs --port 4442 --long-poll-ms 1000   long-polls give up after one second (the
//                                                   differential test in Ursula.Tests uses this)
//
// Compression is off because Ursula does not compress either, and the load generator would
// otherwise measure gzip CPU time on one side only. Prints "ready <url>" once listening and
// stops cleanly on SIGTERM/SIGINT.
import { parseArgs } from "node:util";
import { DurableStreamTestServer } from "@durable-streams/server";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4440" },
    host: { type: "string", default: "127.0.0.1" },
    "data-dir": { type: "string" },
    "long-poll-ms": { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
  strict: true,
});

if (values.help) {
  console.log("usage: node serve.mjs [--port N] [--host ADDR] [--data-dir PATH] [--long-poll-ms MS]");
  console.log("  without --data-dir the store is in memory; with it, file-backed under PATH");
  process.exit(0);
}

const port = Number.parseInt(values.port, 10);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`serve.mjs: --port must be 1-65535, got '${values.port}'`);
  process.exit(2);
}

const dataDir = values["data-dir"];
const longPollMs = values["long-poll-ms"] === undefined ? undefined : Number.parseInt(values["long-poll-ms"], 10);
if (longPollMs !== undefined && !(longPollMs > 0)) {
  console.error(`serve.mjs: --long-poll-ms must be a positive number, got '${values["long-poll-ms"]}'`);
  process.exit(2);
}

const server = new DurableStreamTestServer({
  port,
  host: values.host,
  compression: false,
  ...(dataDir ? { dataDir } : {}),
  ...(longPollMs ? { longPollTimeout: longPollMs } : {}),
});

const url = await server.start();
console.log(`ready ${url} (${dataDir ? `file-backed at ${dataDir}` : "in-memory"}, pid ${process.pid})`);

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`serve.mjs: ${signal}, stopping`);
  try {
    await server.stop();
  } finally {
    process.exit(0);
  }
}

process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
