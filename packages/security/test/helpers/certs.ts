import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether `openssl` is on this machine (the TLS tests make their certificates with it). */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A certificate and its key, as files and PEM text. */
export interface CertFiles {
  readonly cert: string;
  readonly key: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** The certificates of the TLS tests, in a temporary directory. */
export interface TestPki {
  readonly dir: string;
  readonly ca: CertFiles;
  readonly serverA: CertFiles;
  readonly serverB: CertFiles;
  readonly client: CertFiles;
  /** A client certificate from another CA. */
  readonly rogueClient: CertFiles;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function files(dir: string, name: string): CertFiles {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  return { cert, key, certPem: readFileSync(cert, 'utf8'), keyPem: readFileSync(key, 'utf8') };
}

function makeCa(dir: string, name: string, cn: string): CertFiles {
  openssl(dir, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', `/CN=${cn}`, '-days', '2',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return files(dir, name);
}

function makeLeaf(dir: string, name: string, subject: string, ca: string, extensions: string): CertFiles {
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  writeFileSync(join(dir, `${name}.ext`), `basicConstraints=CA:FALSE\n${extensions}\n`);
  openssl(dir, [
    'x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-set_serial', String(Date.now() % 1e9),
    '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`,
  ]);
  return files(dir, name);
}

/** Makes a CA, two server certificates (127.0.0.1 / localhost), a client certificate and a rogue client certificate. */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'gopher-tls-'));
  const ca = makeCa(dir, 'ca', 'Gopher Test CA');
  makeCa(dir, 'rogue-ca', 'Rogue CA');
  const server = 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth';
  const client = 'subjectAltName=URI:spiffe://example.test/client,DNS:client.example.test\nextendedKeyUsage=clientAuth';
  return {
    dir,
    ca,
    serverA: makeLeaf(dir, 'server-a', '/O=Gopher/CN=server-a', 'ca', server),
    serverB: makeLeaf(dir, 'server-b', '/O=Gopher/CN=server-b', 'ca', server),
    client: makeLeaf(dir, 'client', '/O=Gopher/CN=client', 'ca', client),
    rogueClient: makeLeaf(dir, 'rogue-client', '/CN=client', 'rogue-ca', client),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
