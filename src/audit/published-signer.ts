import * as fs from 'node:fs';
import * as path from 'node:path';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import type { BundleSigner, SignerKind } from './bundle-signer';
import { errnoCode } from '../common/error-message';

/** The public half of the key that signs new bundles. */
export interface SignerIdentity {
  address: string;
  publicKey: string;
  kind: SignerKind;
}

/** `<dataDir>/keys/signer.json`: public, beside the audit key but never holding a secret. */
export function signerIdentityPath(dataDir: string): string {
  return path.join(dataDir, 'keys', 'signer.json');
}

/**
 * The worker, which holds the signing key, publishes its public identity in the shared data
 * directory when it starts; the API, which holds no key, serves what was published.
 */
@Injectable()
export class PublishedSigner {
  constructor(private readonly config: AppConfig) {}

  publish(signer: BundleSigner): void {
    const file = signerIdentityPath(this.config.dataDir);
    const identity: SignerIdentity = { address: signer.address, publicKey: signer.publicKey, kind: signer.kind };
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(identity)}\n`, { mode: 0o644 });
    fs.renameSync(tmp, file);
  }

  /** The published identity, or null when no worker has started on this data directory. */
  async read(): Promise<SignerIdentity | null> {
    try {
      return parseSignerIdentity(JSON.parse(await fs.promises.readFile(signerIdentityPath(this.config.dataDir), 'utf8')));
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return null;
      throw error;
    }
  }
}

function isSignerKind(v: unknown): v is SignerKind {
  return v === 'validator_hotkey' || v === 'audit_key';
}

/** The file is shared with other processes: checked, not trusted. */
function parseSignerIdentity(v: unknown): SignerIdentity {
  if (typeof v === 'object' && v !== null && 'address' in v && 'publicKey' in v && 'kind' in v) {
    const { address, publicKey, kind } = v;
    if (typeof address === 'string' && typeof publicKey === 'string' && isSignerKind(kind)) return { address, publicKey, kind };
  }
  throw new Error('keys/signer.json is not a published signer identity (address, publicKey, kind)');
}
