// Clusters the app talks to, and explorer links for each.

export type ClusterKind = 'localnet' | 'devnet' | 'mainnet' | 'custom';

export interface Cluster {
  kind: ClusterKind;
  /** JSON-RPC URL. */
  url: string;
  /** PubSub websocket URL. */
  wsUrl: string;
  /** Wallet Standard chain id. */
  chain: `solana:${string}`;
}

export const CLUSTER_URLS: Record<Exclude<ClusterKind, 'custom'>, string> = {
  localnet: 'http://127.0.0.1:8899',
  devnet: 'https://api.devnet.solana.com',
  mainnet: 'https://api.mainnet-beta.solana.com',
};

/** The websocket URL next to an RPC URL: same host, port + 1 when a port is given (Solana's convention). */
export function wsUrlFor(url: string): string {
  const u = new URL(url);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  if (u.port) u.port = String(Number(u.port) + 1);
  return u.toString();
}

export function clusterFor(kind: ClusterKind, customUrl?: string): Cluster {
  const url = kind === 'custom' ? (customUrl ?? CLUSTER_URLS.localnet) : CLUSTER_URLS[kind];
  const chain = kind === 'devnet' ? 'solana:devnet' : kind === 'mainnet' ? 'solana:mainnet' : 'solana:localnet';
  return { kind, url, wsUrl: wsUrlFor(url), chain };
}

/**
 * Reads the cluster from the page URL (`?cluster=devnet`, `?cluster=custom&url=…`),
 * else the chain the build was made for (`VITE_EDGEFUEL_RPC_URL`, e.g. the
 * demo's), else the last choice saved in this browser, else the local chain.
 */
export function initialCluster(search: string, saved: string | null, builtFor?: string): Cluster {
  const q = new URLSearchParams(search);
  const kind = q.get('cluster') as ClusterKind | null;
  if (kind && ['localnet', 'devnet', 'mainnet', 'custom'].includes(kind)) {
    return clusterFor(kind, q.get('url') ?? undefined);
  }
  if (builtFor) return clusterFor('custom', builtFor);
  if (saved) {
    try {
      const c = JSON.parse(saved) as { kind: ClusterKind; url?: string };
      return clusterFor(c.kind, c.url);
    } catch {
      /* ignore a corrupt entry */
    }
  }
  return clusterFor('localnet');
}

/** Solana Explorer link for a transaction (or an address) on this cluster. */
export function explorerUrl(cluster: Cluster, what: { tx: string } | { address: string }): string {
  const path = 'tx' in what ? `tx/${what.tx}` : `address/${what.address}`;
  const q =
    cluster.kind === 'mainnet'
      ? ''
      : cluster.kind === 'devnet'
        ? '?cluster=devnet'
        : `?cluster=custom&customUrl=${encodeURIComponent(cluster.url)}`;
  return `https://explorer.solana.com/${path}${q}`;
}
