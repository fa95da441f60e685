import { execFileSync } from 'node:child_process';

/** Builds `dist/` once: child-process tests run the built package as a user would. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
}
