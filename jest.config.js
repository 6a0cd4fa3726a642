// One jest run over every package. The decorator specs run twice, once per decorator mode,
// because users compile with either: legacy (experimentalDecorators) or TC39 standard.
const { availableParallelism } = require('node:os');

const tsProject = (displayName, rootDir, testMatch, tsconfig, globals = {}) => ({
  displayName,
  globals,
  rootDir,
  testEnvironment: 'node',
  testMatch,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig, diagnostics: { warnOnly: false } }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
});

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60_000,
  // Two test files at once, also on a 2-core machine, where jest's default (cores - 1) is one. Most
  // tests wait on real processes (startups, deadlines, timeouts) rather than burn CPU: the faults
  // project took 176 s on one worker and 96 s on two, with the same CPU time (84 s) and each file
  // about as long as alone. Every file starts its own receivers, clusters and PostgreSQL on ports
  // the OS picks (PM2 with a PM2_HOME of its own), so two files never share one. More cores keep
  // jest's default.
  maxWorkers: Math.max(2, availableParallelism() - 1),
  projects: [
    tsProject('core', '<rootDir>/packages/core', ['<rootDir>/test/**/*.test.ts'], '<rootDir>/test/tsconfig.json'),
    tsProject('core:legacy-decorators', '<rootDir>/packages/core', ['<rootDir>/test/decorators/**/*.spec.ts'], '<rootDir>/test/tsconfig.legacy.json', { DECORATOR_MODE: 'legacy' }),
    tsProject('core:standard-decorators', '<rootDir>/packages/core', ['<rootDir>/test/decorators/**/*.spec.ts'], '<rootDir>/test/tsconfig.standard.json', { DECORATOR_MODE: 'standard' }),
    tsProject('runtimes', '<rootDir>/packages/runtimes', ['<rootDir>/test/**/*.test.ts'], '<rootDir>/test/tsconfig.json'),
    tsProject('otel-init', '<rootDir>/packages/otel-init', ['<rootDir>/test/**/*.test.ts'], '<rootDir>/test/tsconfig.json'),
    tsProject('examples', '<rootDir>/examples', ['<rootDir>/test/**/*.test.ts', '<rootDir>/*/test/**/*.test.ts'], '<rootDir>/test/tsconfig.json'),
    tsProject('bench', '<rootDir>/bench', ['<rootDir>/test/**/*.test.ts'], '<rootDir>/test/tsconfig.json'),
    tsProject('faults', '<rootDir>/faults', ['<rootDir>/test/**/*.test.ts'], '<rootDir>/test/tsconfig.json'),
    tsProject('receiver', '<rootDir>/packages/receiver', ['<rootDir>/test/**/*.test.ts'], '<rootDir>/test/tsconfig.json'),
    // The packed tarballs in fresh apps outside the repo, on Node 20 and 24 (reaches the npm registry; cached in .cache/npm).
    tsProject('consumers', '<rootDir>/consumers', ['<rootDir>/test/**/*.test.ts'], '<rootDir>/test/tsconfig.json'),
  ],
};
