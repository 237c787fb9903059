import { SwinupError } from '../errors.js';
import { type CheckpointTensors, readPth } from './pth.js';
import { readSafetensors } from './safetensors.js';

export type { CheckpointTensors } from './pth.js';
export type { StateDict, WeightTensor } from './tensor.js';

/** Options for reading a checkpoint. */
export interface ReadCheckpointOptions {
  /** Wrapper key of the state dict (`params`, `params_ema`); by default the first one present. */
  stateDictKey?: string;
}

/** Reads SwinIR weights from `.pth` (zip) or `.safetensors` bytes; the format is detected from the content. */
export function readCheckpoint(bytes: Uint8Array, options: ReadCheckpointOptions = {}): CheckpointTensors {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    return readPth(bytes, options.stateDictKey);
  }
  // A safetensors header length can start with any byte, so its JSON brace is checked before pickle's 0x80.
  if (bytes.byteLength >= 9 && bytes[8] === 0x7b) return readSafetensors(bytes);
  if (bytes[0] === 0x80 && bytes.byteLength > 2) {
    throw new SwinupError(
      'CHECKPOINT_FORMAT',
      'this is a legacy (pre-PyTorch 1.6) checkpoint, which needs Python to read safely; ' +
        're-save it with torch.save in a current PyTorch, or convert it to .safetensors',
    );
  }
  throw new SwinupError(
    'CHECKPOINT_FORMAT',
    'not a SwinIR checkpoint: expected a PyTorch .pth (zip) or a .safetensors file',
  );
}
