// Application state shared by the pages: cluster, RPC, wallet, the network
// account, and the transaction pipeline with its status panel.
import {
  appendTransactionMessageInstructions,
  compileTransaction,
  createNoopSigner,
  createTransactionMessage,
  getBase58Decoder,
  getBase64Decoder,
  getSignatureFromTransaction,
  getTransactionDecoder,
  getTransactionEncoder,
  getBase64EncodedWireTransaction,
  pipe,
  setTransactionMessageFeePayer,
  setTransactionMessageLifetimeUsingBlockhash,
  type Address,
  type Instruction,
  type Signature,
  type TransactionSigner,
} from '@solana/kit';
import type { Network } from './generated/edgefuel';
import { explorerUrl, type Cluster } from './cluster';
import { describeError, statusFailure, type TxFailure } from './errors';
import { fetchNetwork, rpcFor, type EdgeRpc, type Located } from './chain';
import { canSignOnly, signAndSend, signTransaction, type Connected } from './wallet';
import { h, mount } from './ui';

export type TxStatus = 'signing' | 'pending' | 'confirmed' | 'failed';

export interface TxEntry {
  label: string;
  status: TxStatus;
  signature?: string;
  failure?: TxFailure;
  explorer?: string;
  el: HTMLElement;
}

export class App {
  cluster: Cluster;
  rpc: EdgeRpc;
  wallet: Connected | null = null;
  network: Located<Network> | null = null;
  /** Chain time minus local time (seconds), for countdowns. */
  clockSkew = 0;
  txs: TxEntry[] = [];
  /** Re-renders the current page (set by main). */
  refresh: () => Promise<void> = async () => {};
  txList: HTMLElement;

  constructor(cluster: Cluster, txList: HTMLElement) {
    this.cluster = cluster;
    this.rpc = rpcFor(cluster.url);
    this.txList = txList;
  }

  setCluster(c: Cluster): void {
    this.cluster = c;
    this.rpc = rpcFor(c.url);
    this.network = null;
  }

  async loadNetwork(): Promise<Located<Network> | null> {
    this.network = await fetchNetwork(this.rpc);
    return this.network;
  }

  /** Chain time now (seconds), from the last Clock read and the local clock. */
  now(): number {
    return Math.floor(Date.now() / 1000) + this.clockSkew;
  }

  get me(): Address | null {
    return (this.wallet?.account.address as Address | undefined) ?? null;
  }

  /** A signer placeholder for the generated builders: the wallet signs the compiled transaction. */
  signer(): TransactionSigner {
    if (!this.me) throw new Error('connect a wallet first');
    return createNoopSigner(this.me);
  }

  /**
   * Builds, signs (wallet), sends and confirms one transaction, showing its
   * progress in the transaction panel. Returns whether it confirmed.
   */
  async send(label: string, instructions: Instruction[]): Promise<boolean> {
    const entry = this.addEntry(label);
    document.body.dataset.sending = 'true';
    let messageB64: string | undefined;
    // Whether the cluster accepted the transaction (after that, its signature is the link).
    let accepted = false;
    try {
      if (!this.wallet || !this.me) throw new Error('connect a wallet first');
      const { value: latest } = await this.rpc.getLatestBlockhash({ commitment: 'confirmed' }).send();
      const message = pipe(
        createTransactionMessage({ version: 'legacy' }),
        (m) => setTransactionMessageFeePayer(this.me as Address, m),
        (m) => setTransactionMessageLifetimeUsingBlockhash(latest, m),
        (m) => appendTransactionMessageInstructions(instructions, m),
      );
      const compiled = compileTransaction(message);
      messageB64 = getBase64Decoder().decode(compiled.messageBytes);
      const wire = new Uint8Array(getTransactionEncoder().encode(compiled));
      let signature: Signature;
      if (canSignOnly(this.wallet)) {
        const signed = getTransactionDecoder().decode(await signTransaction(this.wallet, wire, this.cluster.chain));
        signature = getSignatureFromTransaction(signed);
        this.update(entry, { status: 'pending', signature });
        await this.rpc
          .sendTransaction(getBase64EncodedWireTransaction(signed), { encoding: 'base64', preflightCommitment: 'confirmed' })
          .send();
        accepted = true;
      } else {
        const sig = await signAndSend(this.wallet, wire, this.cluster.chain);
        signature = getBase58Decoder().decode(sig) as Signature;
        accepted = true;
        this.update(entry, { status: 'pending', signature });
      }
      const failure = await this.confirm(signature, latest.lastValidBlockHeight);
      if (failure) {
        this.update(entry, { status: 'failed', failure });
        return false;
      }
      this.update(entry, { status: 'confirmed' });
      return true;
    } catch (e) {
      console.error(label, e);
      const failure = describeError(e);
      if (!accepted) {
        // Refused before landing (e.g. in simulation): there is no transaction to
        // link, so link the explorer's inspector with the message instead.
        entry.signature = undefined;
        entry.explorer = messageB64 ? this.inspectorUrl(messageB64) : undefined;
      }
      this.update(entry, { status: 'failed', failure });
      return false;
    } finally {
      await this.refresh().catch((e) => console.error('refresh', e));
      delete document.body.dataset.sending;
    }
  }

  private inspectorUrl(messageB64: string): string {
    const base = explorerUrl(this.cluster, { tx: 'inspector' });
    const sep = base.includes('?') ? '&' : '?';
    return `${base}${sep}message=${encodeURIComponent(messageB64)}`;
  }

  /** Polls the signature until it is confirmed or fails, or its blockhash expires. */
  private async confirm(signature: Signature, lastValidBlockHeight: bigint): Promise<TxFailure | null> {
    for (;;) {
      const { value } = await this.rpc.getSignatureStatuses([signature]).send();
      const st = value[0];
      if (st?.err) {
        const tx = await this.rpc
          .getTransaction(signature, { encoding: 'json', maxSupportedTransactionVersion: 0, commitment: 'confirmed' })
          .send()
          .catch(() => null);
        return statusFailure(st.err, (tx?.meta?.logMessages as string[] | undefined) ?? []);
      }
      if (st && (st.confirmationStatus === 'confirmed' || st.confirmationStatus === 'finalized')) return null;
      const height = await this.rpc.getBlockHeight({ commitment: 'confirmed' }).send();
      if (height > lastValidBlockHeight) {
        return { name: 'BlockhashExpired', message: 'the transaction did not land before its blockhash expired: try again', logs: [] };
      }
      await new Promise((r) => setTimeout(r, 400));
    }
  }

  private addEntry(label: string): TxEntry {
    const el = h('li', { class: 'tx', 'data-testid': 'tx' });
    const entry: TxEntry = { label, status: 'signing', el };
    this.txs.unshift(entry);
    this.txList.prepend(el);
    this.render(entry);
    return entry;
  }

  private update(entry: TxEntry, patch: Partial<TxEntry>): void {
    Object.assign(entry, patch);
    if (entry.signature && !entry.explorer) entry.explorer = explorerUrl(this.cluster, { tx: entry.signature });
    this.render(entry);
  }

  private render(e: TxEntry): void {
    const words: Record<TxStatus, string> = {
      signing: 'waiting for the wallet…',
      pending: 'pending…',
      confirmed: 'confirmed',
      failed: 'failed',
    };
    e.el.setAttribute('data-status', e.status);
    mount(
      e.el,
      h('span', { class: 'tx-label' }, e.label),
      h('span', { class: `badge ${e.status}`, 'data-testid': 'tx-status' }, words[e.status]),
      e.failure
        ? h(
            'div',
            { class: 'tx-error', 'data-testid': 'tx-error', 'data-error-name': e.failure.name, 'data-error-code': e.failure.code },
            h('strong', null, e.failure.code ? `${e.failure.name} (${e.failure.code})` : e.failure.name),
            ': ',
            e.failure.message,
          )
        : null,
      e.explorer
        ? h(
            'a',
            { href: e.explorer, target: '_blank', rel: 'noreferrer', 'data-testid': 'tx-explorer' },
            e.signature ? `explorer: ${e.signature.slice(0, 8)}…` : 'inspect in explorer (not sent)',
          )
        : null,
      e.failure && e.failure.logs.length
        ? h('details', null, h('summary', null, 'logs'), h('pre', null, e.failure.logs.join('\n')))
        : null,
    );
  }
}
