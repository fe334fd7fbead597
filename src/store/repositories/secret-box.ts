/**
 * AES-256-GCM for secrets at rest (registry passwords). Stored as `v1.<iv>.<tag>.<ciphertext>`
 * in base64url; the row's identity (account + registry) is bound in as associated data, so a
 * ciphertext copied onto another row does not decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { PortcullisError } from '../../core/errors.js';

export interface SecretBox {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) {
    throw new PortcullisError('CONFIG_INVALID', `the secret key must be 32 bytes, got ${key.length}`);
  }
  return {
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), body]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.');
    },
    open(sealed, context) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== 'v1' || iv === undefined || tag === undefined || body === undefined) {
        throw new PortcullisError('CORRUPT_DATABASE', 'a stored secret has an unknown format');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
          'utf8',
        );
      } catch (cause) {
        throw new PortcullisError(
          'CONFIG_INVALID',
          'a stored secret does not decrypt with this secret key (was PORTCULLIS_SECRET_KEY changed?)',
          { cause },
        );
      }
    },
  };
}
