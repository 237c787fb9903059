import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { SwinupError } from '../errors.js';
import { sharedPath } from '../test-support/shared-data.js';
import { readCheckpoint } from './index.js';

const fixture = () => readFileSync(sharedPath('fixtures/swinir/lightweight_x2.pth'));

/** A pickle (protocol 2) calling module.name(arg): what a hostile checkpoint would hold. */
function hostilePickle(module: string, name: string, arg: string): Uint8Array {
  const ascii = (s: string) => Array.from(Buffer.from(s, 'utf8'));
  const argBytes = ascii(arg);
  return Uint8Array.from([
    0x80,
    0x02, // PROTO 2
    0x63,
    ...ascii(`${module}\n${name}\n`), // GLOBAL
    0x58,
    argBytes.length,
    0,
    0,
    0,
    ...argBytes, // BINUNICODE
    0x85, // TUPLE1
    0x52, // REDUCE
    0x2e, // STOP
  ]);
}

function zipPickle(pickle: Uint8Array): Uint8Array {
  return zipSync({ 'archive/data.pkl': pickle, 'archive/version': Buffer.from('3\n') }, { level: 0 });
}

describe('readCheckpoint', () => {
  it('reads the official zip format with its params wrapper', () => {
    const { weights, otherTensors, stateDictKey } = readCheckpoint(fixture());
    expect(stateDictKey).toBe('params');
    expect(weights.get('conv_first.weight')?.shape).toEqual([60, 3, 3, 3]);
    expect(otherTensors.some((n) => n.endsWith('relative_position_index'))).toBe(true);
    let params = 0;
    for (const [name, t] of weights) if (!name.endsWith('attn_mask')) params += t.data.length;
    expect(params).toBe(910152);
  });

  it('reads .safetensors with the same tensors', () => {
    const { weights } = readCheckpoint(fixture());
    const header: Record<string, unknown> = {};
    const chunks: Buffer[] = [];
    let offset = 0;
    for (const [name, t] of weights) {
      const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + bytes.length] };
      chunks.push(bytes);
      offset += bytes.length;
    }
    const json = Buffer.from(JSON.stringify(header));
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(json.length));
    const file = Buffer.concat([length, json, ...chunks]);
    const read = readCheckpoint(file);
    expect([...read.weights.keys()]).toEqual([...weights.keys()]);
    expect(read.weights.get('norm.weight')?.data).toEqual(weights.get('norm.weight')?.data);
  });

  it.each([
    ['os', 'system'],
    ['builtins', 'eval'],
    ['__builtin__', 'exec'],
    ['subprocess', 'Popen'],
    ['torch', 'load'],
    ['torch._utils', '_rebuild_from_type_v2'],
  ])('refuses a pickle that names %s.%s, and runs nothing', (module, name) => {
    const marker = join(tmpdir(), `swinup-pwned-${process.pid}-${name}`);
    const file = zipPickle(hostilePickle(module, name, `touch ${marker}`));
    let error: unknown;
    try {
      readCheckpoint(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SwinupError);
    expect((error as SwinupError).code).toBe('CHECKPOINT_UNSAFE');
    expect((error as SwinupError).message).toContain(`"${module}.${name}"`);
    expect(existsSync(marker)).toBe(false);
  });

  it('reads .safetensors whose header length starts with the byte a legacy pickle starts with', () => {
    let json = JSON.stringify({ 'w.weight': { dtype: 'F16', shape: [2], data_offsets: [0, 4] } });
    json = json.padEnd(0x180, ' ');
    const bytes = Buffer.alloc(8 + json.length + 4);
    bytes.writeBigUInt64LE(BigInt(json.length), 0);
    bytes.write(json, 8, 'latin1');
    bytes.writeUInt16LE(0x3c00, 8 + json.length); // 1.0 in float16
    expect(bytes[0]).toBe(0x80);
    const { weights } = readCheckpoint(bytes);
    expect(Array.from(weights.get('w.weight')?.data ?? [])).toEqual([1, 0]);
  });

  it('refuses a zip bomb before inflating it', () => {
    const bomb = zipSync({ 'archive/data.pkl': new Uint8Array(32 * 1024 * 1024) }, { level: 9 });
    expect(bomb.byteLength).toBeLessThan(100_000);
    expect(() => readCheckpoint(bomb)).toThrow(/declared uncompressed size .* a decompression bomb/);
  });

  it('explains files that are not checkpoints', () => {
    expect(() => readCheckpoint(Buffer.from('hello world, not weights'))).toThrow(
      /expected a PyTorch \.pth \(zip\) or a \.safetensors/,
    );
    expect(() => readCheckpoint(zipSync({ 'a.txt': Buffer.from('x') }))).toThrow(/no <archive>\/data\.pkl/);
    expect(() => readCheckpoint(fixture().subarray(0, 100_000))).toThrow(SwinupError);
    expect(() => readCheckpoint(Uint8Array.from([0x80, 0x02, 0x8a, 0x0a]))).toThrow(/legacy/);
  });

  it('names the available keys when the requested state dict is missing', () => {
    expect(() => readCheckpoint(fixture(), { stateDictKey: 'params_ema' })).toThrow(
      /no state dict under "params_ema" \(top-level keys: params\)/,
    );
  });
});
