import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderConfigurationDoc, renderEnvExample } from './config-docs';
import { ENV_SPEC } from './env.schema';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

describe('generated configuration docs', () => {
  it('docs/configuration.md matches the schema (run `npm run docs:config` after changing it)', () => {
    expect(read('docs/configuration.md')).toBe(renderConfigurationDoc());
  });

  it('.env.example matches the schema (run `npm run docs:config` after changing it)', () => {
    expect(read('.env.example')).toBe(renderEnvExample());
  });

  it('documents every variable with its default', () => {
    const doc = renderConfigurationDoc();
    for (const name of Object.keys(ENV_SPEC)) expect(doc).toContain(`| \`${name}\` |`);
    expect(doc).toContain('| `PORT` | `3000` |');
    expect(doc).toContain('| `RETRY_MAX_ATTEMPTS` | `4` |');
    expect(doc).toContain('| `DATABASE_URL` | _unset_ |');
  });
});
