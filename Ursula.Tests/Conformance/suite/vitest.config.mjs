// The suite's own CLI runs with vitest defaults; we only raise the per-test timeout enough for a
// loaded CI machine and write a JSON report the xunit test reads back.
export default {
  test: {
    include: ["conformance.test.mjs"],
    testTimeout: 30000,
    hookTimeout: 30000,
    reporters: ["default", "json"],
    outputFile: { json: process.env.CONFORMANCE_REPORT ?? "report.json" },
  },
}
