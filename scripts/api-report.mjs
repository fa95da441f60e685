#!/usr/bin/env node
// API reports: one api/<name>.api.md per entry point in package.json "exports", made by
// @microsoft/api-extractor from the built .d.ts files (run `npm run build` first).
//
//   node scripts/api-report.mjs            check: exit 1 if any report differs from the committed one
//   node scripts/api-report.mjs --update   regenerate the reports in api/
//
// Settings shared by all entry points are in config/api-extractor.json. Warnings are printed but
// don't fail the check; a report difference, an api-extractor error, or a type an entry point's API
// uses without exporting it (ae-forgotten-export) does, in both modes.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import apiExtractor from '@microsoft/api-extractor';

const { Extractor, ExtractorConfig, ExtractorLogLevel } = apiExtractor;

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--update');
if (unknown.length > 0) {
  console.error(`api-report: unknown argument(s) ${unknown.join(' ')}; usage: api-report.mjs [--update]`);
  process.exit(2);
}
const update = args.includes('--update');

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const configPath = join(root, 'config/api-extractor.json');
const packageJsonPath = join(root, 'package.json');
const reportFolder = join(root, 'api');
const pkg = JSON.parse(readFileSync(packageJsonPath, 'utf8'));

// "." -> switchyard-rpc, "./soroban" -> switchyard-rpc-soroban, ...
const entries = Object.entries(pkg.exports ?? {})
  .filter(([, target]) => typeof target === 'object' && target !== null && typeof target.types === 'string')
  .map(([subpath, target]) => ({
    subpath,
    name: subpath === '.' ? pkg.name : `${pkg.name}-${subpath.replace(/^\.\//, '').replaceAll('/', '-')}`,
    types: target.types.replace(/^\.\//, ''),
    // The source file the declarations are built from: where a missing export is added.
    source: target.types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts'),
  }));

const missing = entries.filter((e) => !existsSync(join(root, e.types)));
if (missing.length > 0) {
  for (const e of missing) console.error(`api-report: ${e.types} (${e.subpath}) not found.`);
  console.error('api-report: run `npm run build` first.');
  process.exit(1);
}

if (update) mkdirSync(reportFolder, { recursive: true });
// api-extractor's own console lines that this script replaces or that say nothing useful here.
const quietConsoleMessages = new Set([
  'console-preamble', // "Analysis will use the bundled TypeScript version ..."
  'console-compiler-version-notice', // the bundled compiler only reads .d.ts files; the version gap is harmless
  'console-api-report-diff', // printed below, after the entry's status line
  'console-api-report-not-copied', // replaced by the status lines below
  'console-api-report-copied',
  'console-api-report-created',
]);
const tempFolder = mkdtempSync(join(tmpdir(), 'api-report-'));
const short = (p) => relative(root, p) || '.';
const changed = [];
const forgottenExports = [];
let failed = false;

try {
  for (const entry of entries) {
    const reportPath = join(reportFolder, `${entry.name}.api.md`);
    const reportExisted = existsSync(reportPath);
    const configObject = ExtractorConfig.loadFile(configPath);
    configObject.mainEntryPointFilePath = `<projectFolder>/${entry.types}`;
    configObject.compiler.overrideTsconfig.files = [entry.types];
    configObject.apiReport.reportFileName = entry.name;
    configObject.apiReport.reportTempFolder = tempFolder;
    const extractorConfig = ExtractorConfig.prepare({
      configObject,
      configObjectFullPath: configPath,
      packageJsonFullPath: packageJsonPath,
    });

    let diff = '';
    const forgotten = [];
    const result = Extractor.invoke(extractorConfig, {
      localBuild: update,
      printApiReportDiff: !update,
      messageCallback: (message) => {
        if (message.messageId === 'console-api-report-diff') diff = message.text; // printed after the status line
        if (message.messageId === 'ae-forgotten-export') {
          forgotten.push(message); // printed below, with what to do about it
          message.handled = true;
        }
        if (quietConsoleMessages.has(message.messageId)) {
          message.logLevel = ExtractorLogLevel.None;
          message.handled = true;
        }
      },
    });

    const suffix = result.warningCount > 0 ? ` (${result.warningCount} warning(s))` : '';
    if (result.errorCount > 0) {
      failed = true;
      if (forgotten.length > 0) {
        const symbols = [
          ...new Set(forgotten.map((m) => /The symbol "([^"]+)"/.exec(m.text)?.[1] ?? m.text)),
        ];
        console.log(
          `api-report: ${entry.subpath}: its API uses ${symbols.length} type(s) it does not export:`,
        );
        for (const message of forgotten)
          console.log(`  ${message.formatMessageWithLocation(`${root}${sep}`)}`);
        forgottenExports.push({ entry, symbols });
      }
      const otherErrors = result.errorCount - forgotten.length;
      if (otherErrors > 0)
        console.log(`api-report: ${entry.subpath}: api-extractor reported ${otherErrors} error(s)`);
    } else if (result.apiReportChanged) {
      changed.push(short(reportPath));
      if (update) {
        const what = reportExisted ? 'updated' : 'created';
        console.log(`api-report: ${entry.subpath}: ${what} ${short(reportPath)}${suffix}`);
      } else {
        failed = true;
        const what = reportExisted ? 'differs from the built API' : 'is missing';
        console.log(`api-report: ${entry.subpath}: ${short(reportPath)} ${what}${suffix}`);
        // "--- api/x.api.md" is the committed report, "+++" the one generated from dist/.
        if (diff) console.log(`${diff.replaceAll(`${tempFolder}${sep}`, 'generated from dist: ')}\n`);
      }
    } else {
      console.log(`api-report: ${entry.subpath}: ${short(reportPath)} is up to date${suffix}`);
    }
  }

  // A report whose entry point is gone from "exports".
  const expected = new Set(entries.map((e) => `${e.name}.api.md`));
  const stale = existsSync(reportFolder)
    ? readdirSync(reportFolder).filter((f) => f.endsWith('.api.md') && !expected.has(f))
    : [];
  for (const file of stale) {
    const path = join(reportFolder, file);
    if (update) {
      rmSync(path);
      console.log(`api-report: removed ${short(path)} (no such entry point in package.json "exports")`);
    } else {
      failed = true;
      changed.push(short(path));
      console.log(`api-report: ${short(path)} has no entry point in package.json "exports"`);
    }
  }
} finally {
  rmSync(tempFolder, { recursive: true, force: true });
}

if (forgottenExports.length > 0) {
  console.log(
    "\napi-report: every type an entry point's API mentions must be importable from that entry point. Re-export them:",
  );
  for (const { entry, symbols } of forgottenExports)
    console.log(`  ${entry.source} (${entry.subpath}): export type { ${symbols.join(', ')} }`);
}
if (update) {
  if (changed.length > 0) console.log('api-report: review the changes with `git diff api/` and commit them.');
} else if (changed.length > 0) {
  console.log(
    `\napi-report: the public API differs from the committed report(s): ${changed.join(', ')}\n` +
      'If the change is intended, run `npm run build && npm run api:update` and commit the api/ files;\n' +
      'otherwise undo the change to the exported API.',
  );
}
process.exit(failed ? 1 : 0);
