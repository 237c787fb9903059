import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture, fixtureSha, useModelStore } from '../test-support/model-store-fixture.js';
import { pullModel } from './pull-model.js';
import { verifyModel } from './verify-model.js';

const store = useModelStore();

describe('verifyModel', () => {
  it('detects a damaged install', async () => {
    const { path } = await pullModel('test-x2', store.options('ok'));
    const damaged = Buffer.from(fixture);
    damaged[100] = (damaged[100] as number) ^ 1;
    writeFileSync(path, damaged);
    const result = await verifyModel('test-x2', store.options('ok'));
    expect(result.ok).toBe(false);
    expect(result.problem).toContain(`expected ${fixtureSha}`);
  });
});
