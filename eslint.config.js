// Lint rules: typescript-eslint's recommended type-aware set, plus the import boundaries: between
// packages (the toolkit, @steadystate/lifecycle, never depends on anything that uses it) and
// between the rooms of the gateway (GATEWAY_LAYERS below).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The gateway's rooms (folders of packages/gateway/src) and the rooms each may import from. The
 * toolkit, npm packages and the room's own files are always allowed, and so is `errors.js`;
 * `compose/` (which builds everything) is imported by `gateway.ts` alone. The transport rooms
 * (`ws/`, `http/`) know the adapter manager, never how an exchange is reached (`upstream/ccxt`,
 * `upstream/sim`, `exchanges/`).
 */
const GATEWAY_LAYERS = {
  domain: [],
  html: [],
  auth: [],
  config: ['domain'],
  upstream: ['domain'],
  exchanges: ['domain', 'upstream'],
  store: ['config'],
  protocol: ['domain'],
  market: ['domain', 'protocol', 'upstream'],
  cluster: ['config', 'domain', 'market', 'upstream'],
  fanout: ['domain', 'market', 'protocol'],
  scans: ['domain', 'exchanges'],
  indices: ['domain', 'exchanges', 'store'],
  reports: ['domain', 'html', 'indices'],
  dashboard: [],
  ws: ['auth', 'config', 'domain', 'market', 'protocol', 'upstream'],
  http: ['auth', 'dashboard', 'domain', 'html', 'indices', 'reports', 'scans', 'store', 'upstream'],
  stats: [
    'auth',
    'cluster',
    'domain',
    'fanout',
    'indices',
    'market',
    'reports',
    'scans',
    'store',
    'upstream',
    'ws',
  ],
  metrics: ['cluster', 'scans', 'stats'],
};
const ROOMS = [...Object.keys(GATEWAY_LAYERS), 'compose'];
const HOW_EXCHANGES_ARE_REACHED = ['**/upstream/ccxt/**', '**/upstream/sim/**', '**/exchanges/**'];

const gatewayLayerRules = Object.entries(GATEWAY_LAYERS).map(([room, allowed]) => ({
  files: [`packages/gateway/src/${room}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: [
              ...new Set([
                ...ROOMS.filter((other) => other !== room && !allowed.includes(other)).map(
                  (other) => `**/${other}/**`,
                ),
                '**/gateway.js',
                '**/main.js',
                '**/index.js',
                ...(room === 'ws' || room === 'http' ? HOW_EXCHANGES_ARE_REACHED : []),
              ]),
            ],
            message: `packages/gateway/src/${room}/ may import only from ${allowed.join(', ') || 'no other room'} (GATEWAY_LAYERS in eslint.config.js).`,
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['**/build/**', '**/node_modules/**', 'docs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'suite', 'before', 'after'],
            },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    files: ['packages/lifecycle/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@steadystate/*', '!@steadystate/lifecycle'],
              message: 'The toolkit must not import from the packages that use it.',
            },
          ],
        },
      ],
    },
  },
  ...gatewayLayerRules,
  {
    files: ['**/*.mjs', '**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
    rules: { 'no-console': 'off' },
  },
  {
    // The dashboard's page script runs in the browser.
    files: ['packages/gateway/dashboard/**/*.js'],
    languageOptions: { globals: { ...globals.browser, uPlot: 'readonly' }, sourceType: 'module' },
  },
  {
    files: ['**/test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
