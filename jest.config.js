/** Jest: simulator unit tests (test/sim) and end-to-end tests against the firmware in the VM (test/e2e). */
module.exports = {
    preset: "ts-jest",
    testEnvironment: "node",
    roots: ["<rootDir>/test"],
    testMatch: ["**/*.test.ts"],
    transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "test/tsconfig.json" }] },
    // The VM's Jacdac bus port is fixed (8082), so suites that start a simulator run one at a time (--runInBand).
    testTimeout: 120000,
    verbose: true,
}
