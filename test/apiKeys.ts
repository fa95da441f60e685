/**
 * API keys in the formats providers issue, and the URLs they sit in: what redaction must hide.
 * Shared by the unit tests of `redactUrl` / `scrubSecrets` and the end-to-end redaction tests.
 */
export const API_KEYS = {
  /** Alchemy: 32 characters, mixed case, with `-` and `_`. */
  alchemy: 'Xk3_9vQz-7LmN2pR5tY8wB1cD4eF6gHj',
  /** Infura: a 32-hex project id. */
  infura: '9aa3d95b3bc440fa88ea12eaa4456161',
  /** QuickNode: 40 hex. */
  quicknode: 'e3f1a9c27b5d4e8f9a0b1c2d3e4f5a6b7c8d9e0f',
  /** Ankr: 64 hex. */
  ankr: '4abb83f8c4979812e53531a1d4022db6485cdf648f7fd509008cdd92ff45f2f8',
  uuid: '3f2b8c1e-9d4a-4c7b-8e2f-1a6d5c9b0e7f',
  /** 8 to 15 characters: shorter than the old key-detection rule (16) looked for. */
  short8: 'Tk7pQ2xZ',
  short13: 'S3cretPathKey',
  short15: 'k3y-0f-15-chars',
  dotted: 'sk.live.Q7r2mB',
  tilde: 'tok~9Zx~Yw3v',
  /** Base64 with its `=` padding. */
  padded: 'c2VjcmV0a2V5MQ==',
} as const;

const k = API_KEYS;

/** `[provider or format, URL with a key, its redacted form]`. */
export const KEYED_URLS: readonly (readonly [string, string, string])[] = [
  [
    'Alchemy',
    `https://eth-mainnet.g.alchemy.com/v2/${k.alchemy}`,
    'https://eth-mainnet.g.alchemy.com/v2/***',
  ],
  ['Infura', `https://mainnet.infura.io/v3/${k.infura}`, 'https://mainnet.infura.io/v3/***'],
  [
    'QuickNode',
    `https://proud-silent-sun.quiknode.pro/${k.quicknode}/`,
    'https://proud-silent-sun.quiknode.pro/***/',
  ],
  ['Ankr', `https://rpc.ankr.com/eth/${k.ankr}`, 'https://rpc.ankr.com/eth/***'],
  ['a UUID token', `https://eth-mainnet.blastapi.io/${k.uuid}`, 'https://eth-mainnet.blastapi.io/***'],
  ['an 8-character token', `https://rpc.example/rpc/${k.short8}`, 'https://rpc.example/rpc/***'],
  [
    'a 13-character token',
    `http://rpc.example/rpc/${k.short13}?apikey=${k.short8}`,
    'http://rpc.example/rpc/***?apikey=***',
  ],
  ['a 15-character token with dashes', `https://rpc.example/${k.short15}/rpc`, 'https://rpc.example/***/rpc'],
  [
    'a key with dots',
    `https://rpc.example/soroban-testnet/${k.dotted}`,
    'https://rpc.example/soroban-testnet/***',
  ],
  ['a key with tildes', `https://rpc.example/${k.tilde}`, 'https://rpc.example/***'],
  ['a key with = padding', `https://rpc.example/key/${k.padded}`, 'https://rpc.example/key/***'],
  ['a key in user info', `https://${k.infura}:${k.short8}@rpc.example:8545/`, 'https://***@rpc.example:8545'],
  [
    'keys in the query',
    `https://rpc.example/?api_key=${k.padded}&${k.short13}=x&${k.tilde}`,
    'https://rpc.example?api_key=***&***=***&***=***',
  ],
];
