// Entry point for vitest: the official suite, pointed at the node under test.
import { runConformanceTests } from "@durable-streams/server-conformance-tests"

const baseUrl = process.env.CONFORMANCE_TEST_URL
if (!baseUrl) {
  throw new Error("CONFORMANCE_TEST_URL must name the server under test")
}

runConformanceTests({
  baseUrl,
  longPollTimeoutMs: Number(process.env.CONFORMANCE_LONG_POLL_MS ?? 20000),
  // The reserved __ds subscription APIs; the node must accept http://127.0.0.1 webhooks
  // (--allow-local-http-webhooks), since the suite's receiver listens there.
  subscriptions: process.env.CONFORMANCE_SUBSCRIPTIONS === "1",
})
