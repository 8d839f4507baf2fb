/**
 * Ctrl-C and `kill` for long runs. The CLI turns SIGINT/SIGTERM into an AbortSignal: the run stops
 * at its next sample boundary, removes its temporary files and staging directory, and the command
 * exits 130 (SIGINT) or 143 (SIGTERM), the shell's 128 + signal number. A second signal while
 * cleaning up exits at once.
 */
export type TerminationSignal = 'SIGINT' | 'SIGTERM';

export const SIGNAL_EXIT_CODE: Record<TerminationSignal, number> = { SIGINT: 130, SIGTERM: 143 };

export interface SignalScope {
  readonly signal: AbortSignal;
  /** The signal received, if any. */
  received(): TerminationSignal | undefined;
  /** Stops listening (the default behaviour returns). */
  dispose(): void;
}

export function abortOnTerminationSignals(): SignalScope {
  const controller = new AbortController();
  let got: TerminationSignal | undefined;
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((sig) => {
    const handler = () => {
      if (got !== undefined) process.exit(SIGNAL_EXIT_CODE[sig]);
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
