import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderConfigurationDoc, renderEnvExample } from '../src/config/config-docs';

const root = path.join(__dirname, '..');
writeFileSync(path.join(root, 'docs', 'configuration.md'), renderConfigurationDoc());
writeFileSync(path.join(root, '.env.example'), renderEnvExample());
console.log('Wrote docs/configuration.md and .env.example');
