import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The layers of the tree: the product (src/, adapters/) never depends on the test tools (testing/) or on the
// command line (cli/), so a user who installs the package runs none of them, and they may change freely.

const root = fileURLToPath(new URL('..', import.meta.url));
/** Folders the product must not import from, by relative path or by package name. */
const FORBIDDEN = ['testing', 'cli'];
const FORBIDDEN_PACKAGE = /^switchyard-rpc\/(testing|cli)(\/|$)/;

/** Every .ts file under `folder`, as a repository path; tests included, since they sit beside the product. */
function tsFiles(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ts'))
    .map((path) => posix.join(folder, path.split('\\').join('/')));
}

/**
 * The imports of `file` (a repository path) that reach a forbidden folder: static, type-only, re-exports and
 * dynamic `import()`. TypeScript's own scanner reads them, so an import in a comment or a doc example is not one.
 */
function forbiddenImports(file: string, source: string): string[] {
  const { importedFiles } = ts.preProcessFile(source, true, true);
  return importedFiles
    .map(({ fileName }) => fileName)
    .filter((specifier) => {
      if (FORBIDDEN_PACKAGE.test(specifier)) return true;
      if (!specifier.startsWith('.')) return false;
      const target = posix.normalize(posix.join(posix.dirname(file), specifier));
      return FORBIDDEN.some((folder) => target === folder || target.startsWith(`${folder}/`));
    });
}

describe('layers', () => {
  it('nothing under src/ or adapters/ imports testing/ or cli/', () => {
    const files = [...tsFiles('src'), ...tsFiles('adapters')];
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap((file) =>
      forbiddenImports(file, readFileSync(join(root, file), 'utf8')).map((spec) => `${file} imports ${spec}`),
    );
    expect(found).toEqual([]);
  });

  it('the check sees every kind of import, and none in comments', () => {
    const source = [
      "import { SorobanCluster } from '../../testing/index.js';",
      "import type { EvmFaults } from '../../testing/viem/faults.js';",
      "export { BeaconCluster } from 'switchyard-rpc/testing/beacon';",
      "const demo = await import('../../cli/switchyard.js');",
      "import { classify } from './sorobanClassifier.js';",
      "import { Executor } from '../../src/routing/Executor.js';",
      "import { testingMode } from '../testingMode.js';",
      "// import { SorobanCluster } from '../../testing/index.js';",
      "/** @example import { EvmCluster } from 'switchyard-rpc/testing/viem'; */",
    ].join('\n');
    expect(forbiddenImports('adapters/soroban/withFailover.ts', source)).toEqual([
      '../../testing/index.js',
      '../../testing/viem/faults.js',
      'switchyard-rpc/testing/beacon',
      '../../cli/switchyard.js',
    ]);
  });
});
