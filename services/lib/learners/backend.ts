// Chooses the TensorFlow.js backend the learners train on: tfjs-node (native TensorFlow) when it is
// installed, else WebAssembly, else plain JS. Each candidate must pass a smoke training step —
// a relu layer, both losses, an Adam update — so a backend lacking a kernel the learners need is
// passed over with the reason, never discovered mid-training. Serving needs none of this: Scorers
// are plain JS.
//
// This is the learners' one contact with the file system: the wasm backend reads its .wasm files,
// located here from node_modules.

import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import { DenseNetwork } from './dense-network.js';
import { BackendError } from './errors.js';
import { tf } from './tf.js';
import { LooperError } from '../errors.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface InitBackendOptions {
  /** Backends to try, in order; default BACKEND_ORDER. */
  readonly prefer?: readonly BackendName[];
  /** Told why each backend tried before the chosen one was passed over, for the service log. */
  readonly onFallback?: (backend: BackendName, reason: string) => void;
}

/** Starts the first backend of `prefer` that works and returns its name; BackendError when none does. */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendName> {
  const prefer = options.prefer ?? BACKEND_ORDER;
  const reasons: string[] = [];
  for (const name of prefer) {
    try {
      await start(name);
      smokeTest();
      return name;
    } catch (error) {
      const reason = error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
      reasons.push(`${name}: ${reason}`);
      options.onFallback?.(name, reason);
    }
  }
  throw new BackendError(prefer, reasons);
}

async function start(name: BackendName): Promise<void> {
  if (name === 'tensorflow') {
    // Through a variable, so the type-checker does not require the optional package.
    const nodeBinding = '@tensorflow/tfjs-node';
    try {
      await import(nodeBinding);
    } catch (error) {
      throw new LooperError('backend_unavailable', `@tensorflow/tfjs-node is not usable here (${firstLine(error)})`, {
        cause: error,
      });
    }
  } else if (name === 'wasm') {
    await registerWasm();
  }
  if (!(await withProcessListenersKept(() => tf.setBackend(name))))
    throw new LooperError('backend_unavailable', `tf.setBackend('${name}') failed`);
  await tf.ready();
}

let wasmRegistered = false;

async function registerWasm(): Promise<void> {
  if (wasmRegistered) return;
  const require = createRequire(import.meta.url);
  let main: string;
  try {
    main = require.resolve('@tensorflow/tfjs-backend-wasm');
  } catch (error) {
    throw new LooperError(
      'backend_unavailable',
      `@tensorflow/tfjs-backend-wasm is not installed (${firstLine(error)})`,
      { cause: error },
    );
  }
  const wasm = await withProcessListenersKept(() => import('@tensorflow/tfjs-backend-wasm'));
  // The .wasm binaries sit beside the package's Node entry point (dist/).
  wasm.setWasmPaths(dirname(main) + sep);
  wasmRegistered = true;
}

/**
 * Runs `action` and then removes the process-wide 'uncaughtException' and 'unhandledRejection'
 * listeners it added: the wasm backend's Emscripten runtime installs handlers that rethrow, which
 * would override the service's own handlers and print the minified runtime on any crash.
 */
async function withProcessListenersKept<T>(action: () => Promise<T>): Promise<T> {
  const uncaught = new Set(process.listeners('uncaughtException'));
  const unhandled = new Set(process.listeners('unhandledRejection'));
  try {
    return await action();
  } finally {
    for (const listener of process.listeners('uncaughtException'))
      if (!uncaught.has(listener)) process.removeListener('uncaughtException', listener);
    for (const listener of process.listeners('unhandledRejection'))
      if (!unhandled.has(listener)) process.removeListener('unhandledRejection', listener);
  }
}

/** One training step and one prediction of each kind of network the learners build; throws on a missing kernel. */
function smokeTest(): void {
  for (const loss of ['logistic', 'squared'] as const) {
    const network = new DenseNetwork(
      {
        layers: [
          { inputs: 3, units: 2, activation: 'relu' },
          { inputs: 2, units: 1, activation: loss === 'logistic' ? 'sigmoid' : 'identity' },
        ],
        loss,
        optimizer: 'adam',
        learningRate: 0.01,
        l2: 0.001,
      },
      [
        Float32Array.of(0.1, -0.2, 0.3, 0.4, -0.5, 0.6),
        Float32Array.of(0, 0),
        Float32Array.of(0.7, -0.8),
        Float32Array.of(0),
      ],
    );
    try {
      network.trainStep(Float32Array.of(1, 2, 3, -1, 0, 1), Float32Array.of(1, 0), Float32Array.of(1, 1), 2);
      const out = network.predict(Float32Array.of(1, 2, 3), 1);
      if (!Number.isFinite(out[0])) throw new LooperError('backend_unavailable', `smoke prediction is ${out[0]}`);
    } finally {
      network.dispose();
    }
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
