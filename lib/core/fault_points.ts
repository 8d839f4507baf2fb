/**
 * Named points in the write path where tests make a run die or fail on purpose, to show that no
 * point leaves a dataset that looks finished: MEDSYNTH_FAULT=<action>@<point>, where action is
 * `kill` (SIGKILL this process, as the OOM killer or a power cut would) or `enospc` (fail as a
 * full disk would). Points: `sample:<n>` (after sample n is stored), `split:<name>` (after a
 * split's file is closed), `commit:<step>` (steps of DatasetStage.commit). Unset: a no-op.
 */
export function faultPoint(point: string): void {
  const spec = process.env.MEDSYNTH_FAULT;
  if (!spec) return;
  const at = spec.indexOf('@');
  if (at < 0 || spec.slice(at + 1) !== point) return;
  const action = spec.slice(0, at);
  if (action === 'kill') process.kill(process.pid, 'SIGKILL');
  if (action === 'enospc') {
    throw Object.assign(new Error(`ENOSPC: no space left on device (injected at ${point})`), { code: 'ENOSPC', errno: -28 });
  }
}
