/**
 * Registry credentials per account. The password is sealed with AES-256-GCM (secret-box.ts),
 * bound to its account and registry, and only `withSecret` (the worker's pull path) opens it.
 */
import { PortcullisError } from '../../core/errors.js';
import type { Sql } from '../sql.js';
import type { SecretBox } from './secret-box.js';

export interface RegistryCredential {
  accountName: string;
  registry: string;
  registryName: string;
  registryUser: string;
  registryType: string;
  registryVerify: boolean;
  createdAt: Date;
  lastUpdated: Date;
}

interface Row {
  account_name: string;
  registry: string;
  registry_name: string;
  registry_user: string;
  registry_type: string;
  registry_verify: boolean;
  secret: string;
  created_at: Date;
  last_updated: Date;
}

const toCredential = (r: Row): RegistryCredential => ({
  accountName: r.account_name,
  registry: r.registry,
  registryName: r.registry_name,
  registryUser: r.registry_user,
  registryType: r.registry_type,
  registryVerify: r.registry_verify,
  createdAt: r.created_at,
  lastUpdated: r.last_updated,
});

export interface RegistryCredentialInput {
  accountName: string;
  registry: string;
  registryName: string;
  registryUser: string;
  registryPass: string;
  registryType: string;
  registryVerify: boolean;
}

const context = (accountName: string, registry: string) => `registry-credential\0${accountName}\0${registry}`;

export class RegistryCredentialRepository {
  constructor(
    private readonly db: Sql,
    private readonly box: SecretBox,
  ) {}

  /** The row's columns in statement order, the password sealed. */
  private params(input: RegistryCredentialInput): unknown[] {
    const sealed = this.box.seal(input.registryPass, context(input.accountName, input.registry));
    const { accountName, registry, registryName, registryUser, registryType, registryVerify } = input;
    return [accountName, registry, registryName, registryUser, registryType, registryVerify, sealed];
  }

  async create(input: RegistryCredentialInput): Promise<RegistryCredential> {
    const { rows } = await this.db.query<Row>(
      `INSERT INTO registry_credential (account_name, registry, registry_name, registry_user, registry_type, registry_verify, secret)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (account_name, registry) DO NOTHING RETURNING *`,
      this.params(input),
    );
    if (!rows[0])
      throw new PortcullisError('INVALID_ARGUMENT', 'registry already exists in DB', {
        details: { conflict: true },
      });
    return toCredential(rows[0]);
  }

  async update(input: RegistryCredentialInput): Promise<RegistryCredential | undefined> {
    const { rows } = await this.db.query<Row>(
      `UPDATE registry_credential SET registry_name = $3, registry_user = $4, registry_type = $5, registry_verify = $6,
         secret = $7, last_updated = now() WHERE account_name = $1 AND registry = $2 RETURNING *`,
      this.params(input),
    );
    return rows[0] && toCredential(rows[0]);
  }

  async get(accountName: string, registry: string): Promise<RegistryCredential | undefined> {
    const { rows } = await this.db.query<Row>(
      'SELECT * FROM registry_credential WHERE account_name = $1 AND registry = $2',
      [accountName, registry],
    );
    return rows[0] && toCredential(rows[0]);
  }

  async list(accountName: string): Promise<RegistryCredential[]> {
    const { rows } = await this.db.query<Row>(
      'SELECT * FROM registry_credential WHERE account_name = $1 ORDER BY registry',
      [accountName],
    );
    return rows.map(toCredential);
  }

  async delete(accountName: string, registry: string): Promise<boolean> {
    const { rows } = await this.db.query(
      'DELETE FROM registry_credential WHERE account_name = $1 AND registry = $2 RETURNING registry',
      [accountName, registry],
    );
    return rows.length > 0;
  }

  /** Every credential of the account with its password opened, for pulling images. */
  async withSecrets(accountName: string): Promise<(RegistryCredential & { registryPass: string })[]> {
    const { rows } = await this.db.query<Row>(
      'SELECT * FROM registry_credential WHERE account_name = $1 ORDER BY registry',
      [accountName],
    );
    return rows.map((r) => ({
      ...toCredential(r),
      registryPass: this.box.open(r.secret, context(r.account_name, r.registry)),
    }));
  }

  /** The account's logins as a pull or push uses them: each for its own registry only. */
  async logins(
    accountName: string,
  ): Promise<{ registry: string; username: string; password: string; verifyTls: boolean }[]> {
    return (await this.withSecrets(accountName)).map((c) => ({
      registry: c.registry,
      username: c.registryUser,
      password: c.registryPass,
      verifyTls: c.registryVerify,
    }));
  }
}
