import { describe, expect, it } from 'vitest';
import { clusterFor, explorerUrl, initialCluster, wsUrlFor } from '../../src/cluster';

describe('clusters', () => {
  it('picks the page query, then the build-time chain, then the saved choice, then the local chain', () => {
    const saved = JSON.stringify({ kind: 'devnet' });
    expect(initialCluster('?cluster=custom&url=http://127.0.0.1:9000', saved, 'http://127.0.0.1:7000').url).toBe('http://127.0.0.1:9000');
    expect(initialCluster('', saved, 'http://127.0.0.1:7000')).toMatchObject({ kind: 'custom', url: 'http://127.0.0.1:7000' });
    expect(initialCluster('', saved)).toMatchObject({ kind: 'devnet', chain: 'solana:devnet' });
    expect(initialCluster('', null)).toMatchObject({ kind: 'localnet', url: 'http://127.0.0.1:8899', wsUrl: 'ws://127.0.0.1:8900/' });
  });

  it('derives the websocket next to the RPC port', () => {
    expect(wsUrlFor('http://127.0.0.1:18999')).toBe('ws://127.0.0.1:19000/');
    expect(wsUrlFor('https://api.devnet.solana.com')).toBe('wss://api.devnet.solana.com/');
  });

  it('links the explorer for each cluster', () => {
    expect(explorerUrl(clusterFor('mainnet'), { tx: 'abc' })).toBe('https://explorer.solana.com/tx/abc');
    expect(explorerUrl(clusterFor('devnet'), { address: 'K' })).toBe('https://explorer.solana.com/address/K?cluster=devnet');
    expect(explorerUrl(clusterFor('localnet'), { tx: 'abc' })).toBe(
      'https://explorer.solana.com/tx/abc?cluster=custom&customUrl=http%3A%2F%2F127.0.0.1%3A8899',
    );
  });
});
