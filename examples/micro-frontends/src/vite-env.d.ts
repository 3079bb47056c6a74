/// <reference types="vite/client" />

interface ImportMetaEnv {
  readonly VITE_LOGS_GATEWAY_URL?: string;
  readonly VITE_LOGS_WORKSPACE?: string;
}
