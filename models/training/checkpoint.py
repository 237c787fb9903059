"""Checkpoints in the official SwinIR layout: `{"params": state_dict}`, optionally
`"params_ema"`, plus whatever extra training state we keep next to them."""

import os

import torch

import safetensors_io

# Derived from the window size and input size: never trusted from a file.
DERIVED_BUFFERS = ('attn_mask', 'relative_position_index')


def read(path):
    """A checkpoint as a dict; a `.safetensors` file reads as `{"params": tensors}`."""
    if str(path).endswith('.safetensors'):
        return {'params': safetensors_io.read(path)}
    # weights_only refuses arbitrary pickled objects: checkpoints may come from anywhere.
    # Our own files hold only tensors, ints, strings and containers, so they load this way too.
    return torch.load(path, map_location='cpu', weights_only=True)


def state_dict_of(checkpoint, key=None):
    """The weights in a checkpoint: `key`, else the EMA weights if present, else `params`."""
    keys = [key] if key else ['params_ema', 'params']
    for k in keys:
        if k in checkpoint:
            return checkpoint[k]
    raise KeyError(f"checkpoint has none of {keys}; it has {sorted(checkpoint)}")


def parameters(checkpoint, key=None):
    """The learned tensors of a checkpoint, without the derived buffers."""
    return {k: v for k, v in state_dict_of(checkpoint, key).items() if not k.endswith(DERIVED_BUFFERS)}


def load_weights(model, source, key=None):
    """Load a checkpoint (path or already-read dict) into `model`. Every parameter must
    match; the derived buffers are skipped, so files made for any `img_size` load."""
    checkpoint = read(source) if isinstance(source, (str, os.PathLike)) else source
    params = parameters(checkpoint, key)
    missing, unexpected = model.load_state_dict(params, strict=False)
    missing = [k for k in missing if not k.endswith(DERIVED_BUFFERS)]
    if missing or unexpected:
        raise ValueError(f"checkpoint does not fit the model: missing {missing[:5]}, unexpected {unexpected[:5]}")
    return model


def to_cpu(value):
    """`value` with every tensor in it (at any depth of dicts, lists and tuples) on the CPU."""
    if isinstance(value, torch.Tensor):
        return value.cpu()
    if isinstance(value, dict):
        return {k: to_cpu(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(to_cpu(v) for v in value)
    return value


def save(path, model, ema=None, **extra):
    """Write `{"params": ..., "params_ema": ..., **extra}` atomically, so an interrupted
    run never leaves a truncated file behind. Tensors are saved on the CPU, whatever device
    they trained on, so every file loads anywhere."""
    checkpoint = {'params': model.state_dict()}
    if ema is not None:
        checkpoint['params_ema'] = ema.state_dict()
    checkpoint.update(extra)
    write(path, checkpoint)


def write(path, checkpoint):
    """Write a checkpoint dict atomically (a temporary file, then a rename), its tensors on the CPU."""
    tmp = f'{path}.tmp'
    torch.save(to_cpu(checkpoint), tmp)
    os.replace(tmp, path)
