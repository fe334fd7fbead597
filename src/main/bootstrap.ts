/** First start: the secret key file and the admin account, user and password file. */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PortcullisError } from '../core/errors.js';
import type { ServiceStore } from '../store/repositories/index.js';

/**
 * The configured key, or the 0600 key file under the data dir (created once). Processes that
 * start together on one data dir must end up with one key: the key is written whole to a
 * private file first and then linked into place, so the name appears atomically with its full
 * contents and every loser of the race reads the winner's key (an exclusive create alone would
 * let a loser read the file between its creation and its write).
 */
export async function loadSecretKey(dataDir: string, configured: Buffer | undefined): Promise<Buffer> {
  if (configured) return configured;
  const file = join(dataDir, 'secret.key');
  const draft = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
  await writeFile(draft, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  try {
    await link(draft, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await unlink(draft);
  }
  const key = Buffer.from((await readFile(file, 'utf8')).trim(), 'hex');
  if (key.length !== 32)
    throw new PortcullisError('CONFIG_INVALID', `${file} does not hold a 32-byte hex key`);
  return key;
}

/**
 * Creates the admin account and user once. Returns the password file (written now, or on an
 * earlier first start and still there), so every start can say where the credentials are.
 */
export async function ensureAdmin(
  store: ServiceStore,
  dataDir: string,
  password: string | undefined,
): Promise<string | undefined> {
  const file = join(dataDir, 'admin-password');
  if (await store.accounts.get('admin')) return existsSync(file) ? file : undefined;
  const chosen = password ?? randomBytes(18).toString('base64url');
  try {
    await store.accounts.create({ name: 'admin', type: 'admin' });
  } catch (err) {
    // Several processes first started on one database (API and workers): one of them wins.
    if (await store.accounts.get('admin')) return existsSync(file) ? file : undefined;
    throw err;
  }
  await store.users.create({ username: 'admin', accountName: 'admin', password: chosen });
  if (password) return undefined;
  await writeFile(file, `${chosen}\n`, { mode: 0o600 });
  return file;
}
