// Writes k8s/overlays/dev/secrets.env (or the file named by the first argument) from
// secrets.env.example, giving every empty value a random 32-byte hex key. Leaves an existing file
// alone, so the keys (and the data encrypted with SECRETS_KEY) survive `tilt up` after `tilt up`.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const target = process.argv[2] ?? join(import.meta.dirname, 'secrets.env');
if (existsSync(target)) {
  console.log(`${target} exists: kept`);
} else {
  const example = readFileSync(join(import.meta.dirname, 'secrets.env.example'), 'utf8');
  const filled = example.replace(
    /^([A-Z][A-Z0-9_]*)=$/gm,
    (_, name) => `${name}=${randomBytes(32).toString('hex')}`,
  );
  writeFileSync(target, filled, { mode: 0o600 });
  console.log(`${target} written with new random keys`);
}
