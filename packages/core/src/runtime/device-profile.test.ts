import { describe, expect, it } from 'vitest';
import { deviceProfile } from './device-profile.js';

const request = {
  tileSize: undefined,
  tileOverlap: undefined,
  precision: 'auto',
  threads: 0,
  cores: 2,
} as const;

describe('deviceProfile', () => {
  it('lays the CPU out as one single-threaded session per core on int8 tiles of the plain graph', () => {
    expect(deviceProfile('cpu', request)).toEqual({
      provider: 'cpu',
      fused: false,
      precision: 'int8',
      float16Weights: false,
      tileSize: 192,
      tileOverlap: 8,
      tilesPerRun: 1,
      sessions: 2,
      threadsPerSession: 1,
    });
  });

  it('caps CPU sessions and gives the extra cores to each session as threads', () => {
    const profile = deviceProfile('cpu', { ...request, cores: 32 });
    expect([profile.sessions, profile.threadsPerSession]).toEqual([8, 4]);
    expect(deviceProfile('cpu', { ...request, threads: 1 }).sessions).toBe(1);
  });

  it('gives a GPU batches of large fused fp32 tiles with float16 weights', () => {
    expect(deviceProfile('cuda', request)).toMatchObject({
      fused: true,
      precision: 'fp32',
      float16Weights: true,
      tileSize: 256,
      tileOverlap: 16,
      tilesPerRun: 4,
      sessions: 1,
    });
  });

  it("keeps the user's choices and checks them against the device's defaults", () => {
    expect(deviceProfile('cpu', { ...request, precision: 'fp32', tileSize: 96 })).toMatchObject({
      precision: 'fp32',
      tileSize: 96,
      tileOverlap: 8,
    });
    expect(() => deviceProfile('cpu', { ...request, tileSize: 64, tileOverlap: 40 })).toThrow(
      /tileOverlap.*40.*less than half of tileSize \(64\)/,
    );
  });
});
