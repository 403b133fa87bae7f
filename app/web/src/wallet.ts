// Wallets through the Wallet Standard: every wallet that registers itself
// (Phantom, Solflare, Backpack, the browser tests' wallet) and can sign
// Solana transactions is offered.
import {
  getWallets,
  StandardConnect,
  StandardDisconnect,
  StandardEvents,
  type StandardConnectFeature,
  type StandardDisconnectFeature,
  type StandardEventsFeature,
  type Wallet,
  type WalletAccount,
} from '@wallet-standard/core';
import {
  SolanaSignAndSendTransaction,
  SolanaSignTransaction,
  type SolanaSignAndSendTransactionFeature,
  type SolanaSignTransactionFeature,
} from '@solana/wallet-standard-features';

export interface Connected {
  wallet: Wallet;
  account: WalletAccount;
}

/** Whether a wallet can connect and sign Solana transactions. */
export function isSolanaWallet(w: Wallet): boolean {
  return (
    StandardConnect in w.features &&
    (SolanaSignTransaction in w.features || SolanaSignAndSendTransaction in w.features) &&
    w.chains.some((c) => c.startsWith('solana:'))
  );
}

/** Wallets available now; `onChange` runs when one registers or unregisters. */
export function watchWallets(onChange: (wallets: Wallet[]) => void): () => Wallet[] {
  const api = getWallets();
  const list = () => api.get().filter(isSolanaWallet);
  api.on('register', () => onChange(list()));
  api.on('unregister', () => onChange(list()));
  return list;
}

export async function connect(wallet: Wallet): Promise<Connected> {
  const feature = (wallet.features as StandardConnectFeature)[StandardConnect];
  const { accounts } = await feature.connect();
  const account = accounts.find((a) => a.chains.some((c) => c.startsWith('solana:'))) ?? accounts[0];
  if (!account) throw new Error(`${wallet.name} returned no account`);
  return { wallet, account };
}

export async function disconnect(c: Connected): Promise<void> {
  const f = (c.wallet.features as Partial<StandardDisconnectFeature>)[StandardDisconnect];
  await f?.disconnect();
}

/** Calls `cb` when the wallet's accounts change. */
export function onWalletChange(wallet: Wallet, cb: () => void): void {
  const f = (wallet.features as Partial<StandardEventsFeature>)[StandardEvents];
  f?.on('change', cb);
}

/** Signs a wire-format transaction; the app sends it itself (to the cluster it shows). */
export async function signTransaction(c: Connected, tx: Uint8Array, chain: `solana:${string}`): Promise<Uint8Array> {
  const f = (c.wallet.features as Partial<SolanaSignTransactionFeature>)[SolanaSignTransaction];
  if (!f) throw new Error(`${c.wallet.name} cannot sign without sending`);
  const [out] = await f.signTransaction({ account: c.account, transaction: tx, chain });
  return out.signedTransaction;
}

/** Whether the wallet signs without sending (preferred: the app then simulates and sends to its own cluster). */
export function canSignOnly(c: Connected): boolean {
  return SolanaSignTransaction in c.wallet.features;
}

/** Signs and sends through the wallet; returns the signature bytes. */
export async function signAndSend(c: Connected, tx: Uint8Array, chain: `solana:${string}`): Promise<Uint8Array> {
  const f = (c.wallet.features as Partial<SolanaSignAndSendTransactionFeature>)[SolanaSignAndSendTransaction];
  if (!f) throw new Error(`${c.wallet.name} cannot send transactions`);
  const [out] = await f.signAndSendTransaction({ account: c.account, transaction: tx, chain });
  return out.signature;
}
