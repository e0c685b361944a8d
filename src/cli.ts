#!/usr/bin/env node
import 'reflect-metadata';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfig, Role } from './config/app-config';
import { openDataSource, schemaDrift } from './db/data-source';

/** `crucible`: the one command organisers, miners and auditors use. */
export function buildCli(): Command {
  const program = new Command('crucible').description('Tournament orchestrator for miner training scripts').showHelpAfterError();

  program
    .command('serve')
    .description('run the HTTP API and/or the worker')
    .addOption(new Option('--role <role>', 'which parts to run (default: CRUCIBLE_ROLE, else all)').choices(['api', 'worker', 'all']))
    .action(async (opts: { role?: Role }) => {
      const { serve } = await import('./main');
      await serve(opts.role);
    });

  program
    .command('migrate')
    .description('apply pending database migrations (or, with --check, fail if entities and migrations disagree)')
    .option('--check', 'exit 1 when the entities need a migration that does not exist')
    .action(async (opts: { check?: boolean }) => {
      const config = loadConfig();
      const ds = await openDataSource(config.database, { migrate: true });
      try {
        if (opts.check) {
          const drift = await schemaDrift(ds);
          if (drift.length) {
            console.error(`entities and migrations disagree; a migration is missing for:\n${drift.map((q) => `  ${q}`).join('\n')}`);
            process.exitCode = 1;
            return;
          }
          console.log('migrations match the entities');
        } else {
          console.log('migrations applied');
        }
      } finally {
        await ds.destroy();
      }
    });

  program
    .command('demo')
    .description('run a whole tournament on embedded defaults (PGlite, Docker sandbox, shipped dataset)')
    .option('--type <type>', 'tournament type: text or image', 'text')
    .action(async (opts: { type: string }) => {
      const { runDemo, DEMO_TYPES } = await import('./demo/demo.command');
      if (!(DEMO_TYPES as readonly string[]).includes(opts.type)) {
        console.error(`--type must be one of ${DEMO_TYPES.join(', ')}`);
        process.exitCode = 2;
        return;
      }
      process.exitCode = await runDemo(opts.type as (typeof DEMO_TYPES)[number]);
    });

  program
    .command('submit')
    .description('sign a submission with your hotkey and post it to a Crucible API')
    .requiredOption('--api <url>', 'Crucible API base URL')
    .requiredOption('--tournament <id>', 'tournament to enter')
    .requiredOption('--repo <url>', 'https URL of the training-script repository')
    .requiredOption('--commit <sha>', 'full 40-hex commit')
    .option('--wallet <dir>', 'Bittensor wallet directory (~/.bittensor/wallets/<name>)')
    .option('--hotkey <name>', 'hotkey name inside the wallet', 'default')
    .option('--mnemonic-file <file>', 'file holding the hotkey mnemonic (instead of a wallet)')
    .action(async (opts: { api: string; tournament: string; repo: string; commit: string; wallet?: string; hotkey: string; mnemonicFile?: string }) => {
      const { runSubmitCommand } = await import('./submit.command');
      process.exitCode = await runSubmitCommand({
        apiUrl: opts.api,
        tournamentId: opts.tournament,
        repoUrl: opts.repo,
        commitSha: opts.commit,
        walletPath: opts.wallet,
        hotkeyName: opts.hotkey,
        mnemonicFile: opts.mnemonicFile,
      });
    });

  program
    .command('logs <runId>')
    .description("print a run's log (public once its round is decided; before that sign with the entry's hotkey)")
    .requiredOption('--api <url>', 'Crucible API base URL')
    .option('--wallet <dir>', 'Bittensor wallet directory (~/.bittensor/wallets/<name>)')
    .option('--hotkey <name>', 'hotkey name inside the wallet', 'default')
    .option('--mnemonic-file <file>', 'file holding the hotkey mnemonic (instead of a wallet)')
    .action(async (runId: string, opts: { api: string; wallet?: string; hotkey: string; mnemonicFile?: string }) => {
      const { runLogsCommand } = await import('./runs/logs-command');
      process.exitCode = await runLogsCommand({ apiUrl: opts.api, runId, walletPath: opts.wallet, hotkeyName: opts.hotkey, mnemonicFile: opts.mnemonicFile });
    });

  program
    .command('audit')
    .description('verify signed audit bundles and re-derive every decision: metrics, seeds, splits, rankings, boss verdicts, weights (and diff them with the chain)')
    .requiredOption('--source <dirOrUrl>', 'directory of bundles or the Crucible API base URL')
    .option('--days <n>', 'rolling window in days', parsePositiveInt, 7)
    .option('--chain <ws>', 'subtensor endpoint to compare the weights with')
    .option('--validator <ss58>', 'key the first bundle must be signed by')
    .option('--reevaluate <n>', 're-evaluate N archived models (a seeded draw) on CPU', parsePositiveInt)
    .option('--draw-seed <text>', 'seed of the re-evaluation draw (default: the newest bundle sha256)')
    .option('--artifacts <dir>', 'archived models of a directory source (default: <source>/../artifacts)')
    .option('--test-sets <dir>', "revealed test-set files of tasks on the organiser's private datasets, <task id>.bin")
    .option('--json', 'print the report as JSON')
    .action(async (opts: { source: string; days: number; chain?: string; validator?: string; reevaluate?: number; drawSeed?: string; artifacts?: string; testSets?: string; json?: boolean }) => {
      const { runAuditCommand } = await import('./audit/audit-command');
      process.exitCode = await runAuditCommand(opts);
    });

  program
    .command('weights')
    .description('print the uid -> weight vector that would be set now (floats and u16)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { printWeights } = await import('./weights.command');
      process.exitCode = await printWeights(opts);
    });

  program
    .command('similarity <tournamentId>')
    .description("the organiser's code similarity report of a tournament's entrants (winnowed fingerprints; flags, never disqualifies)")
    .option('--threshold <fraction>', 'list pairs at or above this similarity', '0.5')
    .option('--json', 'print JSON')
    .action(async (tournamentId: string, opts: { threshold?: string; json?: boolean }) => {
      const { printSimilarity } = await import('./similarity.command');
      process.exitCode = await printSimilarity(tournamentId, opts);
    });

  program
    .command('evaluate')
    .description('re-run one evaluation from revealed data and print the metric (for auditors): --run + --source, or --model + --dataset + --seed')
    .option('--run <id>', 'a run of a sealed tournament: its model, seed and dataset are fetched from --source')
    .option('--source <dirOrUrl>', 'with --run: directory of bundles or the Crucible API base URL')
    .option('--artifacts <dir>', 'with --run and a directory source: archived models (default: <source>/../artifacts)')
    .option('--model <file>', 'ONNX model file')
    .option('--dataset <id>', 'dataset id, e.g. devils-dictionary')
    .option('--seed <seed>', 'the revealed task seed')
    .option('--type <taskType>', 'task type', 'causal-lm')
    .option('--commitment <sha256>', 'published test-set commitment to check the re-derived split against')
    .action(async (opts: { run?: string; source?: string; artifacts?: string; model?: string; dataset?: string; seed?: string; type: string; commitment?: string }) => {
      if (opts.run) {
        if (!opts.source) throw new InvalidArgumentError('--run needs --source');
        const { evaluateRunCommand } = await import('./audit/evaluate-run.command');
        process.exitCode = await evaluateRunCommand({ run: opts.run, source: opts.source, artifacts: opts.artifacts });
        return;
      }
      if (!opts.model || !opts.dataset || !opts.seed) throw new InvalidArgumentError('give --run and --source, or --model, --dataset and --seed');
      const { evaluateCommand } = await import('./evaluation/evaluate.command');
      process.exitCode = await evaluateCommand({ model: opts.model, dataset: opts.dataset, seed: opts.seed, type: opts.type, commitment: opts.commitment });
    });

  return program;
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

if (require.main === module) {
  buildCli()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      if (error instanceof ConfigError) console.error(error.message);
      else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exit(1);
    });
}
