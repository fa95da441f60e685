import { type ExecFileException, execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The package as published: what `npm pack` puts in the tarball, and that tarball installed with npm into
 * a fresh project, used as a user would (plain `node` on ESM and CommonJS files, `tsc` on a TypeScript
 * consumer). `dist/` is built by test/globalSetup.ts.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const fixtures = join(root, 'test/fixtures/consumer');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  exports: Record<string, string | { types: string; default: string }>;
  peerDependencies: Record<string, string>;
};

const ENTRY_POINTS = [
  '.',
  './adapter',
  './beacon',
  './dashboard',
  './otel',
  './prometheus',
  './redis',
  './soroban',
  './viem',
  './testing',
  './testing/beacon',
  './testing/viem',
  './package.json',
];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without what npm sets for its scripts (a `local_prefix` would point npm at this repo). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const name = key.toLowerCase();
    if (name === 'node_options') continue;
    if (name.startsWith('npm_') && !name.startsWith('npm_config_')) continue;
    if (/^npm_config_(local_prefix|global_prefix|prefix)$/.test(name)) continue;
    env[key] = value;
  }
  return env;
}

function run(file: string, args: string[], cwd: string, timeout: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd, env: cleanEnv(), timeout, maxBuffer: 64 * 1024 * 1024 },
      (error: ExecFileException | null, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr: error?.killed ? `${stderr}\n(killed after ${timeout} ms)` : stderr });
      },
    );
  });
}

async function npm(args: string[], cwd: string, timeout = 120_000): Promise<Run> {
  const result = await run('npm', args, cwd, timeout);
  if (result.code !== 0) {
    throw new Error(`npm ${args.join(' ')} failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

interface PackResult {
  filename: string;
  entryCount: number;
  files: { path: string }[];
}

const packed = async (args: string[]) =>
  (JSON.parse((await npm(['pack', '--json', '--ignore-scripts', ...args], root)).stdout) as PackResult[])[0]!;

/** Files an export of package.json points at, without the leading `./`. */
const exportTargets = () =>
  Object.values(manifest.exports).flatMap((target) =>
    (typeof target === 'string' ? [target] : [target.types, target.default]).map((path) => path.slice(2)),
  );

const installedVersion = (name: string) =>
  (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;

/** Whether this node can require() an ES module (Node 20.19+, 22.12+): CommonJS consumers need it. */
const requireModule = (process.features as { require_module?: boolean }).require_module === true;

describe('the published package', () => {
  it('packs the built entry points, the bin, README, CHANGELOG and LICENSE, and nothing of the tests or sources', async () => {
    const pack = await packed(['--dry-run']);
    const files = pack.files.map((file) => file.path).sort();
    const has = new Set(files);

    expect(
      Object.keys(manifest.exports),
      'a new entry point needs an example in test/fixtures/consumer',
    ).toEqual(ENTRY_POINTS);
    for (const target of exportTargets()) expect(files, `export target ${target}`).toContain(target);
    for (const bin of Object.values(manifest.bin))
      expect(files, `bin ${bin}`).toContain(posix.normalize(bin));
    for (const doc of ['README.md', 'CHANGELOG.md', 'LICENSE', 'package.json']) expect(files).toContain(doc);

    const outsideDist = files.filter((path) => !path.startsWith('dist/'));
    expect(outsideDist, 'only dist/ and these files').toEqual([
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'package.json',
    ]);
    expect(files.filter((path) => /\.test\.|^dist\/test\/|fixtures|\/examples?\//.test(path))).toEqual([]);
    expect(files.filter((path) => /\.[cm]?ts$/.test(path) && !/\.d\.[cm]?ts$/.test(path))).toEqual([]);

    // Every JS file is the output of a current source file (no leftovers of deleted or renamed ones: only
    // prepack cleans dist/), and comes with its declarations; no source maps (their sources are not shipped).
    const js = files.filter((path) => path.endsWith('.js'));
    const stale = js.filter(
      (path) => !existsSync(join(root, path.replace(/^dist\//, '').replace(/\.js$/, '.ts'))),
    );
    expect(stale, 'stale build output in dist/: rm -rf dist && npm run build').toEqual([]);
    // The CLI is a bin, not an import: it ships without declarations.
    const library = js.filter((path) => !path.startsWith('dist/cli/'));
    expect(library.filter((path) => !has.has(path.replace(/\.js$/, '.d.ts')))).toEqual([]);
    expect(files.filter((path) => path.endsWith('.map') || /^dist\/cli\/.*\.d\.ts$/.test(path))).toEqual([]);

    // Every relative import of a packed module or declaration file is packed too.
    const missing: string[] = [];
    for (const path of files.filter((file) => /\.(js|d\.ts)$/.test(file))) {
      const text = await readFile(join(root, path), 'utf8');
      for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const target = posix.join(posix.dirname(path), spec!);
        const candidates = path.endsWith('.d.ts') ? [target.replace(/\.js$/, '.d.ts'), target] : [target];
        if (!candidates.some((candidate) => has.has(candidate))) missing.push(`${path} -> ${spec}`);
      }
    }
    expect(missing, 'imported but not packed').toEqual([]);
    expect(pack.entryCount).toBe(files.length);
  }, 60_000);

  describe('installed from its tarball into a fresh project', () => {
    let work: string | undefined;
    let consumer: string;
    const runs = new Map<string, Promise<Run>>();

    /** Runs a consumer file with plain node, once per file (a file's tests share its run). */
    const example = (file: string) => {
      let result = runs.get(file);
      if (!result) {
        result = run(process.execPath, [file], consumer, 60_000);
        runs.set(file, result);
      }
      return result;
    };

    const examples = [
      {
        name: 'core',
        entries: 'switchyard-rpc, switchyard-rpc/package.json',
        stdout: [`core served by b, a down, CONFIG_INVALID, version ${manifest.version}`],
      },
      {
        name: 'adapter',
        entries: 'switchyard-rpc/adapter',
        stdout: ['adapter served by b, a rate-limited, CONFIG_INVALID, queue kept 2'],
      },
      {
        name: 'soroban',
        entries: 'switchyard-rpc/soroban, switchyard-rpc/testing',
        stdout: ['soroban served 10, sequences true, rpc.Server true'],
      },
      {
        name: 'viem',
        entries: 'switchyard-rpc/viem, switchyard-rpc/testing/viem',
        stdout: ['viem served 10, bigint true'],
        // How errors thrown by the user's own viem are classified.
        classified: ['viem 429 rate-limited 2000', 'viem refused transport ECONNREFUSED neverSent true'],
      },
      {
        name: 'beacon',
        entries: 'switchyard-rpc/beacon, switchyard-rpc/testing/beacon',
        stdout: ['beacon head at slot > 0 true, block root matches true'],
      },
      {
        name: 'dashboard',
        entries: 'switchyard-rpc/dashboard',
        stdout: ['dashboard 200 core a'],
      },
      {
        name: 'otel',
        entries: 'switchyard-rpc/otel',
        stdout: ['otel spans switchyard.attempt,switchyard.call'],
      },
      {
        name: 'prometheus',
        entries: 'switchyard-rpc/prometheus',
        stdout: ['prometheus calls true'],
      },
      {
        name: 'redis',
        entries: 'switchyard-rpc/redis',
        stdout: ['redis switchyard STATE_STORE_FAILED, password hidden true'],
      },
    ];

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'switchyard-package-'));
      const { filename } = await packed(['--pack-destination', work]);
      consumer = join(work, 'consumer');
      await mkdir(consumer);
      await cp(fixtures, consumer, { recursive: true });
      await writeFile(
        join(consumer, 'package.json'),
        `${JSON.stringify({ name: 'switchyard-consumer', version: '0.0.0', private: true }, null, 2)}\n`,
      );
      // The peers (and @types/node for the TypeScript consumer) at the versions this repo tests with.
      const peers = [...Object.keys(manifest.peerDependencies), '@types/node'].map(
        (name) => `${name}@${installedVersion(name)}`,
      );
      await npm(
        [
          'install',
          join(work, filename),
          ...peers,
          '--prefer-offline',
          '--no-audit',
          '--no-fund',
          '--loglevel=error',
        ],
        consumer,
        170_000,
      );
      // The examples run side by side from here; each test awaits its file's run.
      for (const { name } of examples) {
        example(`${name}.mjs`);
        if (requireModule) example(`${name}.cjs`);
      }
    }, 180_000);

    afterAll(async () => {
      if (work) await rm(work, { recursive: true, force: true });
    });

    describe.each([
      { format: 'ESM', ext: 'mjs', skip: false },
      { format: 'CommonJS', ext: 'cjs', skip: !requireModule },
    ])('$format consumers ($ext)', ({ ext, skip }) => {
      describe.each(examples)('$entries', ({ name, stdout, classified }) => {
        const file = `${name}.${ext}`;

        it.skipIf(skip)(
          `${file} runs with plain node and exits by itself`,
          async () => {
            const result = await example(file);
            expect(result.code, result.stderr).toBe(0);
            expect(result.stderr).toBe('');
            const lines = result.stdout.trim().split('\n');
            expect(lines.slice(0, stdout.length)).toEqual(stdout);
            expect(lines).toHaveLength(stdout.length + (classified?.length ?? 0));
          },
          70_000,
        );

        if (classified) {
          // `require('viem')` is viem's CommonJS build while switchyard-rpc/viem imports its ESM build: the
          // classifier must recognise viem's errors by shape, not instanceof (a 429 keeps its Retry-After,
          // a refused connection is known to be unsent).
          const check = skip ? it.skip : it;
          check(
            `${file}: errors of the user's viem are classified`,
            async () => {
              const lines = (await example(file)).stdout.trim().split('\n');
              expect(lines.slice(stdout.length)).toEqual(classified);
            },
            70_000,
          );
        }
      });
    });

    it('the types of every entry point resolve for TypeScript consumers (nodenext, ESM and CommonJS)', async () => {
      const tsc = join(root, 'node_modules/typescript/bin/tsc');
      const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], consumer, 120_000);
      expect(result.stdout + result.stderr).toBe('');
      expect(result.code).toBe(0);
    }, 130_000);

    it('the bin is installed and runs', async () => {
      const bin = join(consumer, 'node_modules/.bin', Object.keys(manifest.bin)[0]!);
      const help = await run(bin, ['--help'], consumer, 30_000);
      expect(help.code, help.stderr).toBe(0);
      expect(help.stdout).toContain('Usage: switchyard');
      const demo = await run(bin, ['demo', '--chain', 'evm', '--duration', '1'], consumer, 60_000);
      expect(demo.code, demo.stderr).toBe(0);
    }, 90_000);
  });
});
