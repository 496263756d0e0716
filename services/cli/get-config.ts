import type { LooperConfig } from '../lib/config.js';

/** The CLI's configuration, compiled once; `secureStack` first makes and uses the secured local stack's settings. */
export type GetConfig = (options?: { readonly secureStack?: boolean }) => LooperConfig;
