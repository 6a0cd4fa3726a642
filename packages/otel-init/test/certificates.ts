import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** PEM files made with openssl in a test's folder: a CA of its own, and certificates it signed. */
export interface TestCertificates {
  /** The CA's certificate file (what OTEL_EXPORTER_OTLP_CERTIFICATE takes). */
  ca: string;
  /** The server's key and certificate, for 127.0.0.1 and localhost. */
  key: Buffer;
  cert: Buffer;
  /** A client certificate and key signed by the same CA (OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE / _KEY), as files. */
  clientCert: string;
  clientKey: string;
}

/** A CA, a certificate for 127.0.0.1 signed by it, and a client certificate signed by it, in `dir`. */
export function makeCertificates(dir: string): TestCertificates {
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=forkhooks test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'san.ext');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=forkhooks test worker');
  openssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '1');
  return {
    ca: join(dir, 'ca.pem'),
    key: readFileSync(join(dir, 'server.key')),
    cert: readFileSync(join(dir, 'server.pem')),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client.key'),
  };
}
