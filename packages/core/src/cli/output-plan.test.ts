import { describe, expect, it } from 'vitest';
import { withoutOwnOutputs } from './input-files.js';
import { planOutputs } from './output-plan.js';

const base = { output: undefined, outputIsDir: false, format: undefined, suffix: '_x4' } as const;

describe('planOutputs', () => {
  it('names the output after the format written, not the input name', () => {
    const plan = planOutputs(['/p/photo.jpg', '/p/anim.gif', '/p/scan.TIF'], {
      ...base,
      contentFormat: (f) => (f.endsWith('photo.jpg') ? 'png' : undefined),
    });
    expect(plan.map((p) => p.output)).toEqual(['/p/photo_x4.png', '/p/anim_x4.png', '/p/scan_x4.tiff']);
  });

  it('numbers the later of two inputs that map to one output, with a note', () => {
    const plan = planOutputs(['d1/x.png', 'd2/x.png', 'a.png', 'a.gif'], {
      ...base,
      output: 'out',
      outputIsDir: true,
      contentFormat: () => undefined,
    });
    expect(plan.map((p) => p.output)).toEqual(['out/x.png', 'out/x-2.png', 'out/a.png', 'out/a-2.png']);
    expect(plan[1]?.note).toBe("d2/x.png: out/x.png is another input's output; writing out/x-2.png");
    expect(plan[0]?.note).toBeUndefined();
  });

  it('keeps an explicit -o name unless swinup cannot write its format', () => {
    const plan = (output: string) =>
      planOutputs(['in.png'], { ...base, output, contentFormat: () => 'png' })[0]?.output;
    expect(plan('big.jpg')).toBe('big.jpg');
    expect(plan('big.gif')).toBe('big.png');
  });
});

describe('withoutOwnOutputs', () => {
  it('skips earlier outputs beside their source, and keeps files that only look like one', () => {
    expect(
      withoutOwnOutputs(['d/a.png', 'd/a_x4.png', 'd/a_x4-2.png', 'd/b_x2.png', 'd/c_sized.webp', 'd/c.jpg']),
    ).toEqual(['d/a.png', 'd/b_x2.png', 'd/c.jpg']);
  });
});
