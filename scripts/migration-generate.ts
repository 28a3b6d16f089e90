// `npm run migration:generate -- <Name>`: writes migrations/<timestamp>-<Name>.ts from the entity/schema diff.
import { spawnSync } from 'node:child_process';

const name = process.argv[2];
if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) {
  console.error('Usage: npm run migration:generate -- <Name>   (PascalCase, e.g. AddCallsTable)');
  process.exit(2);
}
const result = spawnSync(
  'npx',
  [
    'typeorm-ts-node-commonjs',
    '-d',
    'ormconfig.ts',
    'migration:generate',
    `migrations/${name}`,
    '--pretty',
  ],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
