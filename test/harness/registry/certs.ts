/**
 * Test PKI made with the real `openssl` CLI: a CA, a server certificate for 127.0.0.1 and
 * localhost signed by it, and a self-signed key pair the token issuer signs JWTs with.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestPki {
  dir: string;
  caPem: string;
  caCertFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  tokenCertFile: string;
  tokenKeyFile: string;
}

async function openssl(cwd: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd });
}

function selfSigned(keyOut: string, certOut: string, subject: string, extra: string[] = []): string[] {
  return [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyOut,
    '-out',
    certOut,
    '-days',
    '2',
    '-subj',
    subject,
    ...extra,
  ];
}

/** Creates the PKI in `dir` (which must be private to the test). */
export async function makeTestPki(dir: string): Promise<TestPki> {
  await mkdir(dir, { recursive: true });
  await openssl(
    dir,
    selfSigned('ca.key', 'ca.crt', '/CN=Portcullis Test CA', [
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]),
  );
  await openssl(dir, [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=127.0.0.1',
  ]);
  await writeFile(
    join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n',
  );
  await openssl(dir, [
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '2',
    '-extfile',
    'server.ext',
  ]);
  await openssl(dir, selfSigned('token.key', 'token.crt', '/CN=Portcullis Test Token Issuer'));
  return {
    dir,
    caPem: await readFile(join(dir, 'ca.crt'), 'utf8'),
    caCertFile: join(dir, 'ca.crt'),
    serverCertFile: join(dir, 'server.crt'),
    serverKeyFile: join(dir, 'server.key'),
    tokenCertFile: join(dir, 'token.crt'),
    tokenKeyFile: join(dir, 'token.key'),
  };
}
