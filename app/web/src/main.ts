// EdgeFuel web app: staker, governance and node explorer.
import type { Address } from '@solana/kit';
import type { Wallet } from '@wallet-standard/core';
import './style.css';
import { App } from './app';
import { clusterFor, initialCluster, type ClusterKind } from './cluster';
import { chainTime, efuelBalance } from './chain';
import { efuel, formatDuration, short } from './amount';
import { connect, disconnect, onWalletChange, watchWallets } from './wallet';
import { h, mount } from './ui';
import { networkPage } from './pages/network';
import { nodePage, nodesPage } from './pages/nodes';
import { stakePage } from './pages/stake';
import { governancePage } from './pages/governance';

const CLUSTER_KEY = 'edgefuel.cluster';
const root = document.getElementById('app')!;
const txList = h('ul', { class: 'txs', 'data-testid': 'txs' });
const app = new App(initialCluster(location.search, localStorage.getItem(CLUSTER_KEY), import.meta.env.VITE_EDGEFUEL_RPC_URL), txList);
const page = h('main', { id: 'page' });
const walletBox = h('div', { class: 'wallet', 'data-testid': 'wallet' });
const clusterBox = h('div', { class: 'cluster' });
const nav = h('nav', null);
let wallets: Wallet[] = [];

const ROUTES: [string, string][] = [
  ['network', 'Network'],
  ['nodes', 'Nodes'],
  ['stake', 'My stake'],
  ['governance', 'Governance'],
];

function route(): string[] {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  return parts.length ? parts : ['network'];
}

let renderSeq = 0;
async function render(): Promise<void> {
  const seq = ++renderSeq;
  // Tests and tools can wait for the page to settle: set while rendering.
  document.body.dataset.rendering = 'true';
  try {
    await renderPage(seq);
  } finally {
    if (seq === renderSeq) delete document.body.dataset.rendering;
  }
}

async function renderPage(seq: number): Promise<void> {
  const [name, arg] = route();
  mount(nav, ROUTES.map(([r, label]) => h('a', { href: `#/${r}`, class: name === r || (r === 'nodes' && name === 'node') ? 'active' : '', 'data-testid': `nav-${r}` }, label)));
  renderWallet();
  try {
    app.clockSkew = Number(await chainTime(app.rpc)) - Math.floor(Date.now() / 1000);
    const el =
      name === 'nodes'
        ? await nodesPage(app)
        : name === 'node' && arg
          ? await nodePage(app, arg as Address)
          : name === 'stake'
            ? await stakePage(app)
            : name === 'governance'
              ? await governancePage(app)
              : await networkPage(app);
    if (seq !== renderSeq) return;
    el.setAttribute('data-ready', 'true');
    mount(page, el);
    tick();
  } catch (e) {
    if (seq !== renderSeq) return;
    console.error(e);
    mount(page, h('section', { 'data-testid': 'page-error', 'data-ready': 'true' }, h('h1', null, 'Cannot reach the cluster'), h('p', null, `${app.cluster.url}: ${(e as Error).message}`)));
  }
  await renderBalance();
}
app.refresh = render;

async function renderBalance(): Promise<void> {
  const el = walletBox.querySelector('[data-testid=wallet-balance]');
  if (!el || !app.me || !app.network) return;
  try {
    const units = await efuelBalance(app.rpc, app.me, app.network.data.mint);
    el.textContent = efuel(units);
    el.setAttribute('data-base-units', units.toString());
  } catch {
    /* shown on the next refresh */
  }
}

function renderWallet(): void {
  if (app.wallet) {
    mount(
      walletBox,
      h('img', { src: app.wallet.wallet.icon, alt: '', width: 20, height: 20 }),
      h('span', { 'data-testid': 'wallet-connected', 'data-address': app.wallet.account.address, title: app.wallet.account.address }, short(app.wallet.account.address)),
      h('span', { class: 'balance', 'data-testid': 'wallet-balance' }, ''),
      h(
        'button',
        {
          'data-testid': 'disconnect',
          onclick: async () => {
            if (app.wallet) await disconnect(app.wallet).catch(() => undefined);
            app.wallet = null;
            await render();
          },
        },
        'Disconnect',
      ),
    );
    return;
  }
  if (!wallets.length) {
    mount(walletBox, h('span', { class: 'muted', 'data-testid': 'no-wallet' }, 'No Solana wallet found (Phantom, Solflare, Backpack…)'));
    return;
  }
  mount(
    walletBox,
    wallets.map((w) =>
      h(
        'button',
        {
          'data-testid': 'wallet-option',
          'data-wallet': w.name,
          onclick: async () => {
            try {
              app.wallet = await connect(w);
              onWalletChange(w, () => {
                const acc = w.accounts[0];
                if (!acc) app.wallet = null;
                else if (app.wallet) app.wallet = { wallet: w, account: acc };
                void render();
              });
            } catch (e) {
              alert(`${w.name}: ${(e as Error).message}`);
            }
            await render();
          },
        },
        h('img', { src: w.icon, alt: '', width: 16, height: 16 }),
        ` Connect ${w.name}`,
      ),
    ),
  );
}

function renderCluster(): void {
  const select = h(
    'select',
    {
      'data-testid': 'cluster',
      onchange: async () => {
        const kind = select.value as ClusterKind;
        const url = kind === 'custom' ? (prompt('JSON-RPC URL', app.cluster.url) ?? app.cluster.url) : undefined;
        switchCluster(kind, url);
      },
    },
    (['localnet', 'devnet', 'mainnet', 'custom'] as ClusterKind[]).map((k) =>
      h('option', { value: k, selected: app.cluster.kind === k }, k === 'localnet' ? 'local chain' : k === 'custom' ? 'custom URL' : k),
    ),
  );
  mount(clusterBox, select, h('span', { class: 'muted', 'data-testid': 'cluster-url' }, app.cluster.url));
}

function switchCluster(kind: ClusterKind, url?: string): void {
  app.setCluster(clusterFor(kind, url));
  localStorage.setItem(CLUSTER_KEY, JSON.stringify({ kind, url: app.cluster.url }));
  const q = new URLSearchParams(location.search);
  q.delete('cluster');
  q.delete('url');
  history.replaceState(null, '', `${location.pathname}${q.size ? '?' + q : ''}${location.hash}`);
  renderCluster();
  void render();
}

/** Updates every countdown (`data-until` = unix seconds) once a second. */
function tick(): void {
  const now = app.now();
  for (const el of document.querySelectorAll<HTMLElement>('[data-until]')) {
    const left = Number(el.dataset.until) - now;
    el.textContent = left > 0 ? formatDuration(left) : 'now';
    el.dataset.left = String(Math.max(left, 0));
  }
}

mount(
  root,
  h('header', null, h('a', { class: 'brand', href: '#/network' }, 'EdgeFuel'), nav, clusterBox, walletBox),
  h('div', { class: 'layout' }, page, h('aside', null, h('h2', null, 'Transactions'), txList)),
);
const list = watchWallets((w) => {
  wallets = w;
  renderWallet();
});
wallets = list();
renderCluster();
window.addEventListener('hashchange', () => void render());
setInterval(tick, 1000);
void render();
