import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sweepStaleTemporaries, writeFileAtomic } from './atomic-file.js';
import { temporaryFolder } from './test-support/fixture-images.js';

const work = temporaryFolder('atomic-file');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A pid that certainly belongs to no running process: a child that has already exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid as number;
}

describe('writeFileAtomic', () => {
  it('replaces a target by default, and refuses to when exclusive', async () => {
    const target = join(work, 'out.png');
    writeFileSync(target, 'theirs');
    await writeFileAtomic(target, 'ours');
    expect(readFileSync(target, 'utf8')).toBe('ours');
    writeFileSync(target, 'theirs again');
    await expect(writeFileAtomic(target, 'ours', { exclusive: true })).rejects.toMatchObject({
      code: 'EEXIST',
    });
    expect(readFileSync(target, 'utf8')).toBe('theirs again');
    await writeFileAtomic(join(work, 'new.png'), 'fresh', { exclusive: true });
    expect(readFileSync(join(work, 'new.png'), 'utf8')).toBe('fresh');
    expect(readdirSync(work).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe('sweepStaleTemporaries', () => {
  it('removes old temporaries of dead processes, and nothing else', async () => {
    const dir = join(work, 'sweep');
    mkdirSync(dir);
    const dead = `.photo_x4.png.${deadPid()}.0123abcd.tmp`;
    const deadButFresh = `.other.png.${deadPid()}.89abcdef.tmp`;
    const alive = `.live.png.${process.ppid}.0123abcd.tmp`;
    const unrelated = '.config.tmp';
    for (const name of [dead, deadButFresh, alive, unrelated]) writeFileSync(join(dir, name), 'x');
    const old = new Date(Date.now() - 3_600_000);
    for (const name of [dead, alive, unrelated]) utimesSync(join(dir, name), old, old);
    const removed = await sweepStaleTemporaries(dir);
    expect(removed).toEqual([join(dir, dead)]);
    expect(readdirSync(dir).sort()).toEqual([deadButFresh, alive, unrelated].sort());
  });
});
