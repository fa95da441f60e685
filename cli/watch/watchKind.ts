/** The kinds of endpoint `watch` watches: Soroban RPC, EVM JSON-RPC, beacon node. */
export const WATCH_KINDS = ['soroban', 'evm', 'beacon'] as const;
/** A kind of endpoint `watch` watches; also its option (`--soroban`) and its metrics' `client` label. */
export type WatchKind = (typeof WATCH_KINDS)[number];

/** What each kind of endpoint is called on screen. */
export const WATCH_KIND_TITLES: Readonly<Record<WatchKind, string>> = {
  soroban: 'Soroban RPC',
  evm: 'EVM',
  beacon: 'beacon',
};
