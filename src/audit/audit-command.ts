import * as fs from 'node:fs';
import * as path from 'node:path';
import { PolkadotChainClient } from '../chain/polkadot-chain-client';
import { AuditBundleBody, BundleEnvelope } from './bundle-format';
import { AuditReport, recomputeBundles } from './recompute';

export interface AuditCommandOptions {
  /** A directory of <day>.json envelopes, or the Crucible API base URL (uses /api/audit/bundles). */
  source: string;
  days: number;
  /** ws:// endpoint: also compare the newest weight set with Weights(netuid, validator uid) on chain. */
  chain?: string;
  /** Pin the validator hotkey the bundles must be signed by (default: the newest bundle's signer). */
  validator?: string;
  fetchImpl?: typeof fetch;
  out?: (line: string) => void;
}

/**
 * `crucible audit --source URL|DIR --days 7 [--chain ws://...] [--validator SS58]`.
 * Returns the exit code: 0 everything reproduces, 1 a mismatch (each printed with where it is),
 * 2 the bundles or the chain could not be read.
 */
export async function runAuditCommand(opts: AuditCommandOptions): Promise<number> {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  let envelopes: BundleEnvelope[];
  try {
    envelopes = await loadEnvelopes(opts);
  } catch (e) {
    out(`error: cannot read bundles from ${opts.source}: ${(e as Error).message}`);
    return 2;
  }
  if (envelopes.length === 0) {
    out(`error: no bundles found at ${opts.source}`);
    return 2;
  }
  const signer = opts.validator ?? envelopes[envelopes.length - 1].signer;
  let chainWeights: Array<[number, number]> | undefined;
  if (opts.chain) {
    try {
      chainWeights = await readChainWeights(opts.chain, envelopes[envelopes.length - 1], signer);
    } catch (e) {
      out(`error: cannot read weights from ${opts.chain}: ${(e as Error).message}`);
      return 2;
    }
  }
  const report = recomputeBundles(envelopes, { expectedSigner: signer, chainWeights });
  printReport(report, out);
  return report.ok ? 0 : 1;
}

function printReport(report: AuditReport, out: (l: string) => void): void {
  out(`bundles: ${report.bundles}`);
  for (const w of report.weightSets) out(`weights ${w.day} epoch ${w.epoch} block ${w.block ?? '-'}: ${w.matches ? 'reproduced' : 'MISMATCH'}`);
  for (const p of report.problems) out(`MISMATCH at ${p.where}: ${p.what}`);
  out(report.ok ? 'audit: OK' : `audit: FAILED (${report.problems.length} problem${report.problems.length === 1 ? '' : 's'})`);
}

async function loadEnvelopes(opts: AuditCommandOptions): Promise<BundleEnvelope[]> {
  let all: BundleEnvelope[];
  if (/^https?:\/\//.test(opts.source)) {
    const f = opts.fetchImpl ?? fetch;
    const listRes = await f(new URL(`/api/audit/bundles?days=${opts.days}`, opts.source).toString());
    if (!listRes.ok) throw new Error(`listing returned ${listRes.status}`);
    const list = (await listRes.json()) as { bundles: Array<{ day: string }> };
    all = [];
    for (const b of list.bundles) {
      const res = await f(new URL(`/api/audit/bundles/${b.day}`, opts.source).toString());
      if (!res.ok) throw new Error(`bundle ${b.day} returned ${res.status}`);
      all.push((await res.json()) as BundleEnvelope);
    }
  } else {
    all = fs
      .readdirSync(opts.source)
      .filter((n) => /^\d{4}-\d{2}-\d{2}\.json$/.test(n))
      .sort()
      .map((n) => JSON.parse(fs.readFileSync(path.join(opts.source, n), 'utf8')) as BundleEnvelope);
  }
  return all.slice(-opts.days);
}

async function readChainWeights(endpoint: string, newest: BundleEnvelope, validator: string): Promise<Array<[number, number]>> {
  const body = JSON.parse(newest.body) as AuditBundleBody;
  const client = new PolkadotChainClient({ endpoint, connectTimeoutMs: 30_000 });
  await client.connect();
  try {
    const graph = await client.metagraph(body.netuid);
    const me = graph.neurons.find((n) => n.hotkey === validator);
    if (!me) throw new Error(`validator ${validator} is not registered on subnet ${body.netuid}`);
    return await client.readWeights(body.netuid, me.uid);
  } finally {
    await client.close();
  }
}
