#!/usr/bin/env node
// The CLI is TypeScript; tsx compiles it on the fly so `npx looper` works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('../services/cli/main.ts');
