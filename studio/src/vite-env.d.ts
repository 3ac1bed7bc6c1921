/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The node's WebSocket RPC, default ws://127.0.0.1:9944 (Alice's node in scripts/dev.sh). */
  readonly VITE_NODE_WS_URL?: string;
  /** The sidecar's public API (OpenAI routes, GET /store, GET /rows), default http://127.0.0.1:8420. */
  readonly VITE_SIDECAR_URL?: string;
  /** The sidecar's operator API (PUT /store), default http://127.0.0.1:8520. */
  readonly VITE_SIDECAR_OPERATOR_URL?: string;
  /** Other sidecars' operator APIs for job progress, comma separated, default http://127.0.0.1:8521. */
  readonly VITE_OTHER_OPERATOR_URLS?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
