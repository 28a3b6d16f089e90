/** Unit specs live beside the code (`src/**\/*.spec.ts`); e2e specs boot the real AppModule (`test/**\/*.e2e-spec.ts`). */
const shared = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    // content-disposition 3 (used by @fastify/static for the /docs UI) is ESM-only: Node 20 can require() it,
    // Jest's module loader cannot, so Jest compiles it to CommonJS.
    '/node_modules/content-disposition/.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
};

/** @type {import('jest').Config} */
module.exports = {
  // One database (embedded or real) serves every suite; running suites one at a time keeps them independent.
  maxWorkers: 1,
  testTimeout: 30_000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
      setupFiles: ['<rootDir>/test/setup/quiet-nest-logger.ts'],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
  ],
};
