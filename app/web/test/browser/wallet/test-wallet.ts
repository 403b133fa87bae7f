// The browser tests' wallet: a real Wallet Standard wallet (registered with
// `registerWallet`, as Phantom, Solflare and Backpack do) that signs with a
// keypair the test injects before the page loads:
//   window.__EDGEFUEL_TEST_WALLET__ = { secretKey: number[64], rpcUrl: string }
// Built into an IIFE (vite.wallet.config.ts) and added with page.addInitScript.
import {
  createKeyPairFromBytes,
  getAddressFromPublicKey,
  getBase58Encoder,
  getBase64EncodedWireTransaction,
  getTransactionDecoder,
  getTransactionEncoder,
  signTransaction,
  type Transaction,
} from '@solana/kit';
import { registerWallet, type Wallet, type WalletAccount } from '@wallet-standard/core';
import {
  SolanaSignAndSendTransaction,
  SolanaSignTransaction,
  type SolanaSignAndSendTransactionInput,
  type SolanaSignTransactionInput,
} from '@solana/wallet-standard-features';

declare global {
  interface Window {
    __EDGEFUEL_TEST_WALLET__?: { secretKey: number[]; rpcUrl: string };
    /** Transactions the wallet signed (for the tests to inspect). */
    __EDGEFUEL_TEST_WALLET_SIGNED__?: number;
  }
}

const ICON =
  'data:image/svg+xml;base64,' +
  btoa('<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><rect width="32" height="32" rx="6" fill="#fbbf24"/><text x="8" y="23" font-size="18">T</text></svg>');
const CHAINS = ['solana:localnet', 'solana:devnet', 'solana:mainnet'] as const;

async function main(): Promise<void> {
  const config = window.__EDGEFUEL_TEST_WALLET__;
  // Web Crypto (Ed25519) exists only in secure contexts (http://127.0.0.1 is one; about:blank is not).
  if (!config || !globalThis.crypto?.subtle) return;
  const keyPair = await createKeyPairFromBytes(new Uint8Array(config.secretKey));
  const address = await getAddressFromPublicKey(keyPair.publicKey);
  const account: WalletAccount = {
    address,
    publicKey: new Uint8Array(config.secretKey.slice(32)),
    chains: CHAINS,
    features: [SolanaSignTransaction, SolanaSignAndSendTransaction],
  };
  let connected: WalletAccount[] = [];
  const listeners = new Set<(p: { accounts: readonly WalletAccount[] }) => void>();

  const sign = async (bytes: Uint8Array): Promise<Transaction> => {
    const tx = getTransactionDecoder().decode(bytes);
    const signed = await signTransaction([keyPair], tx);
    window.__EDGEFUEL_TEST_WALLET_SIGNED__ = (window.__EDGEFUEL_TEST_WALLET_SIGNED__ ?? 0) + 1;
    return signed;
  };

  const wallet: Wallet = {
    version: '1.0.0',
    name: 'EdgeFuel Test Wallet',
    icon: ICON as `data:image/svg+xml;base64,${string}`,
    chains: CHAINS,
    get accounts() {
      return connected;
    },
    features: {
      'standard:connect': {
        version: '1.0.0',
        connect: async () => {
          connected = [account];
          listeners.forEach((l) => l({ accounts: connected }));
          return { accounts: connected };
        },
      },
      'standard:disconnect': {
        version: '1.0.0',
        disconnect: async () => {
          connected = [];
          listeners.forEach((l) => l({ accounts: connected }));
        },
      },
      'standard:events': {
        version: '1.0.0',
        on: (_event: 'change', listener: (p: { accounts: readonly WalletAccount[] }) => void) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      },
      [SolanaSignTransaction]: {
        version: '1.0.0',
        supportedTransactionVersions: ['legacy', 0],
        signTransaction: async (...inputs: readonly SolanaSignTransactionInput[]) =>
          Promise.all(
            inputs.map(async (i) => ({
              signedTransaction: new Uint8Array(getTransactionEncoder().encode(await sign(i.transaction as Uint8Array))),
            })),
          ),
      },
      [SolanaSignAndSendTransaction]: {
        version: '1.0.0',
        supportedTransactionVersions: ['legacy', 0],
        signAndSendTransaction: async (...inputs: readonly SolanaSignAndSendTransactionInput[]) =>
          Promise.all(
            inputs.map(async (i) => {
              const signed = await sign(i.transaction as Uint8Array);
              const res = await fetch(config.rpcUrl, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({
                  jsonrpc: '2.0',
                  id: 1,
                  method: 'sendTransaction',
                  params: [getBase64EncodedWireTransaction(signed), { encoding: 'base64' }],
                }),
              }).then((r) => r.json());
              if (res.error) throw new Error(res.error.message);
              return { signature: new Uint8Array(getBase58Encoder().encode(res.result)) };
            }),
          ),
      },
    },
  };
  registerWallet(wallet);
}

void main();
