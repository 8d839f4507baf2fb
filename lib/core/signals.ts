/**
 * Ctrl-C and `kill` for long runs. While a command runs, SIGINT/SIGTERM either abort its
 * AbortSignal (mode 'abort': generateDataset stops at the next sample and removes its staging
 * directory itself) or, for runs without one (mode 'exit'), run the registered cleanups — every
 * open dataset stage registers its own — and exit. Either way the exit status is 130 (SIGINT) or
 * 143 (SIGTERM), the shell's 128 + signal number; a second signal cleans up and exits at once.
 */
export type TerminationSignal = 'SIGINT' | 'SIGTERM';

export const SIGNAL_EXIT_CODE: Record<TerminationSignal, number> = { SIGINT: 130, SIGTERM: 143 };

const cleanups = new Set<() => void>();

/** Registers `fn` to run (synchronously) if the process is stopped by a signal; returns its removal. */
export function onTerminationCleanup(fn: () => void): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

function runCleanups(): void {
  for (const fn of [...cleanups]) {
    try {
      fn();
    } catch {
      // best effort: the process is exiting
    }
  }
  cleanups.clear();
}

export interface SignalScope {
  readonly signal: AbortSignal;
  /** The signal received, if any. */
  received(): TerminationSignal | undefined;
  /** Stops listening (the default behaviour returns). */
  dispose(): void;
}

export function handleTerminationSignals(mode: 'abort' | 'exit', onExit?: (sig: TerminationSignal) => void): SignalScope {
  const controller = new AbortController();
  let got: TerminationSignal | undefined;
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((sig) => {
    const handler = () => {
      if (mode === 'exit' || got !== undefined) {
        runCleanups();
        onExit?.(sig);
        process.exit(SIGNAL_EXIT_CODE[sig]);
      }
      got = sig;
      controller.abort(sig);
    };
    process.on(sig, handler);
    return [sig, handler] as const;
  });
  return {
    signal: controller.signal,
    received: () => got,
    dispose: () => handlers.forEach(([sig, h]) => process.off(sig, h)),
  };
}
