#!/usr/bin/env node
// Type-checks every TypeScript example of the documentation, so that none can rot: each ```ts block
// of README.md, CONTRIBUTING.md and docs/*.md becomes one ES module in a temporary folder (under
// .cache/, so that node_modules resolves), compiled by tsc with the repository's tsconfig.json:
// `switchyard-rpc`, `switchyard-rpc/soroban`, ... resolve to the sources, as they do for the tests.
//
//   npm run docs:check                                   every document
//   node scripts/check-doc-examples.mjs docs/viem.md     some of them
//   node scripts/check-doc-examples.mjs --keep ...       keep the generated files (the path is printed)
//
// A block the reader completes in their head may say what it leaves out in an HTML comment right above
// it, invisible on GitHub, which is compiled in front of the block:
//
//   <!-- ts-prelude
//   declare const server: FailoverServer;
//   -->
//
// A fragment that cannot compile at all is fenced as ```ts no-check (keep those rare).
// Exit code 1 when an example does not compile, with each error as `file:line:column`.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHECKED_LANGUAGES = new Set(['ts', 'typescript']);
const NO_CHECK = 'no-check';
const PRELUDE_START = '<!-- ts-prelude';
const PRELUDE_END = '-->';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const named = args.filter((arg) => arg !== '--keep');
const unknownFlags = named.filter((arg) => arg.startsWith('-'));
if (unknownFlags.length > 0) {
  console.error(`docs:check: unknown option(s) ${unknownFlags.join(' ')}`);
  console.error('usage: check-doc-examples.mjs [--keep] [file.md ...]');
  process.exit(2);
}
const documents = named.length > 0 ? named.map((file) => relative(root, resolve(file))) : defaultDocuments();

const examples = documents.flatMap((document) => extractExamples(document));
const checked = examples.filter((example) => !example.skipped);
const skipped = examples.length - checked.length;
if (checked.length === 0) {
  console.log(`docs:check: no TypeScript example in ${documents.join(', ')}`);
  process.exit(0);
}

mkdirSync(join(root, '.cache'), { recursive: true });
const folder = mkdtempSync(join(root, '.cache', 'doc-examples-'));
try {
  process.exitCode = compile(folder, checked);
} finally {
  if (keep) console.log(`docs:check: generated files kept in ${relative(root, folder)}`);
  else rmSync(folder, { recursive: true, force: true });
}
if (process.exitCode === 0) {
  const note = skipped > 0 ? ` (${skipped} marked ${NO_CHECK})` : '';
  console.log(`docs:check: ${checked.length} examples in ${documents.length} documents compile${note}`);
}

/** README.md, CONTRIBUTING.md and every page of docs/, those that exist. */
function defaultDocuments() {
  const pages = existsSync(join(root, 'docs'))
    ? readdirSync(join(root, 'docs'))
        .filter((name) => name.endsWith('.md'))
        .sort()
        .map((name) => `docs/${name}`)
    : [];
  return ['README.md', 'CONTRIBUTING.md', ...pages].filter((file) => existsSync(join(root, file)));
}

/**
 * The fenced code blocks of one Markdown document in a checked language: their source, with the
 * prelude written above them, and for each line of it the document line it came from.
 */
function extractExamples(document) {
  const lines = readFileSync(join(root, document), 'utf8').split('\n');
  const examples = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, language, attributes] = open;
    const close = lines.findIndex(
      (line, j) => j > i && line.trim().startsWith(fence) && line.trim().replaceAll(fence[0], '') === '',
    );
    const end = close < 0 ? lines.length : close;
    if (CHECKED_LANGUAGES.has(language)) {
      const body = lines
        .slice(i + 1, end)
        .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line));
      const prelude = preludeAbove(lines, i);
      examples.push({
        document,
        line: i + 2,
        skipped: attributes.split(/\s+/).includes(NO_CHECK),
        source: [...prelude.source, ...body],
        origin: [...prelude.origin, ...body.map((_, k) => i + 2 + k)],
        indent: [...prelude.source.map(() => 0), ...body.map(() => indent.length)],
      });
    }
    i = end;
  }
  return examples;
}

/** The `<!-- ts-prelude ... -->` comment right above line `fenceIndex` (blank lines between allowed). */
function preludeAbove(lines, fenceIndex) {
  let last = fenceIndex - 1;
  while (last >= 0 && lines[last].trim() === '') last--;
  if (last < 0 || lines[last].trim() !== PRELUDE_END) return { source: [], origin: [] };
  let first = last - 1;
  while (first >= 0 && !lines[first].trim().startsWith('<!--')) first--;
  if (first < 0 || lines[first].trim() !== PRELUDE_START) return { source: [], origin: [] };
  const source = lines.slice(first + 1, last);
  return { source, origin: source.map((_, k) => first + 2 + k) };
}

/** Writes one module per example and runs tsc over them; prints each error at its document line. */
function compile(folder, examples) {
  const files = new Map();
  for (const [index, example] of examples.entries()) {
    const name = `${String(index + 1).padStart(3, '0')}-${basename(example.document, '.md')}-L${example.line}.ts`;
    // `export {}` makes every block a module: top-level await works and names never clash between blocks.
    writeFileSync(join(folder, name), `${example.source.join('\n')}\nexport {};\n`);
    files.set(name, example);
  }
  writeFileSync(
    join(folder, 'tsconfig.json'),
    JSON.stringify(
      {
        extends: relative(folder, join(root, 'tsconfig.json')),
        compilerOptions: {
          noEmit: true,
          // Examples are user code, checked as a user's strict project would be: `strict` does not
          // include this flag, and `nodes[0]!` would only distract from what an example shows.
          noUncheckedIndexedAccess: false,
        },
        include: ['*.ts'],
      },
      null,
      2,
    ),
  );
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(
    process.execPath,
    [tsc, '-p', join(folder, 'tsconfig.json'), '--pretty', 'false'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  if (result.status === 0) return 0;
  const output = `${result.stdout}${result.stderr}`;
  let errors = 0;
  for (const line of output.split('\n')) {
    const match = /^(.*?)\((\d+),(\d+)\): (error .*)$/.exec(line);
    const example = match && files.get(basename(match[1]));
    if (example && resolve(root, match[1]).startsWith(folder)) {
      const row = Number(match[2]);
      const at = example.origin[row - 1] ?? example.line;
      const column = Number(match[3]) + (example.indent[row - 1] ?? 0);
      console.error(`${example.document}:${at}:${column} ${match[4]}`);
      console.error(`    ${example.source[row - 1]?.trim() ?? ''}`);
      errors++;
    } else if (line.trim() !== '') {
      // Not in an example (a source file the examples import, or tsc itself): shown as tsc says it.
      console.error(line);
      if (match) errors++;
    }
  }
  console.error(`docs:check: ${errors || 'tsc'} error${errors === 1 ? '' : 's'} (tsc exit ${result.status})`);
  return 1;
}
