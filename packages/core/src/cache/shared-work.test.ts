import { describe, expect, it } from 'vitest';
import type { Progress } from '../options.js';
import { SharedWork } from './shared-work.js';

/** Work that reports progress and finishes when told, or rejects when its signal aborts. */
function controllableWork() {
  let finish: (value: string) => void = () => undefined;
  let seen: AbortSignal | undefined;
  let report: (progress: Progress) => void = () => undefined;
  let starts = 0;
  const work = (signal: AbortSignal, onProgress: (progress: Progress) => void) => {
    starts++;
    seen = signal;
    report = onProgress;
    return new Promise<string>((resolve, reject) => {
      finish = resolve;
      signal.addEventListener('abort', () => reject(new Error('work aborted')));
    });
  };
  return {
    work,
    finish: (value: string) => finish(value),
    report: (progress: Progress) => report(progress),
    signal: () => seen,
    starts: () => starts,
  };
}

describe('SharedWork', () => {
  it('keeps running for the other callers when one aborts', async () => {
    const shared = new SharedWork<string>();
    const w = controllableWork();
    const quitter = new AbortController();
    const first = shared.run('k', { signal: quitter.signal, onProgress: undefined }, w.work);
    const second = shared.run('k', { signal: new AbortController().signal, onProgress: undefined }, w.work);
    quitter.abort();
    await expect(first).rejects.toMatchObject({ code: 'ABORTED' });
    expect(w.signal()?.aborted).toBe(false);
    w.finish('done');
    await expect(second).resolves.toBe('done');
    expect(w.starts()).toBe(1);
  });

  it('stops the work when its last caller aborts, and starts afresh for a later request', async () => {
    const shared = new SharedWork<string>();
    const w = controllableWork();
    const a = new AbortController();
    const b = new AbortController();
    const first = shared.run('k', { signal: a.signal, onProgress: undefined }, w.work);
    const second = shared.run('k', { signal: b.signal, onProgress: undefined }, w.work);
    a.abort();
    b.abort();
    await expect(first).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(second).rejects.toMatchObject({ code: 'ABORTED' });
    expect(w.signal()?.aborted).toBe(true);
    expect(shared.size).toBe(0);
    const again = shared.run('k', { signal: undefined, onProgress: undefined }, w.work);
    w.finish('fresh');
    await expect(again).resolves.toBe('fresh');
    expect(w.starts()).toBe(2);
  });

  it('reports progress to every attached caller', async () => {
    const shared = new SharedWork<string>();
    const w = controllableWork();
    const seen: string[] = [];
    const one = shared.run(
      'k',
      { signal: undefined, onProgress: (p) => seen.push(`one ${p.tilesDone}`) },
      w.work,
    );
    const two = shared.run(
      'k',
      { signal: undefined, onProgress: (p) => seen.push(`two ${p.tilesDone}`) },
      w.work,
    );
    w.report({ tilesDone: 1, tilesTotal: 2 });
    w.finish('ok');
    await Promise.all([one, two]);
    expect(seen).toEqual(['one 1', 'two 1']);
  });
});
