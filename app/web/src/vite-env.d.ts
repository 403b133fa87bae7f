/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Set at build time (e.g. by `edgefuel-demo --web`): the chain the app opens on. */
  readonly VITE_EDGEFUEL_RPC_URL?: string;
}
