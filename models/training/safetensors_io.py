"""`.safetensors` read and write without the safetensors package (PyPI is not reachable here).

The format: an 8-byte little-endian header length, a JSON header mapping each tensor name to its
dtype, shape and byte offsets, then the raw little-endian data. Reading never unpickles anything.
"""

import json
import struct

import numpy as np
import torch

DTYPES = {'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16, 'F64': torch.float64}
NAMES = {v: k for k, v in DTYPES.items()}
MAX_HEADER = 100 * 1024 * 1024


def write(path, tensors, metadata=None):
    """Write `{name: tensor}` (float tensors only) to `path`, tensors in name order."""
    header, chunks, offset = {}, [], 0
    if metadata:
        header['__metadata__'] = {str(k): str(v) for k, v in metadata.items()}
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        if t.dtype not in NAMES:
            raise ValueError(f'{name}: dtype {t.dtype} is not a float type safetensors supports here')
        raw = t.view(torch.int16).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        header[name] = {'dtype': NAMES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    encoded = json.dumps(header, separators=(',', ':')).encode()
    encoded += b' ' * (-len(encoded) % 8)  # keeps the data 8-byte aligned, as the reference writer does
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(encoded)))
        f.write(encoded)
        for raw in chunks:
            f.write(raw)


def read(path):
    """`{name: float32 tensor}` from a `.safetensors` file."""
    with open(path, 'rb') as f:
        data = f.read()
    (length,) = struct.unpack('<Q', data[:8])
    if length > MAX_HEADER or 8 + length > len(data):
        raise ValueError(f'{path}: header length {length} is out of range')
    header = json.loads(data[8:8 + length])
    body = memoryview(data)[8 + length:]
    tensors = {}
    for name, entry in header.items():
        if name == '__metadata__':
            continue
        dtype = DTYPES.get(entry['dtype'])
        if dtype is None:
            raise ValueError(f'{path}: {name} has dtype {entry["dtype"]}, not a float type')
        begin, end = entry['data_offsets']
        if not 0 <= begin <= end <= len(body):
            raise ValueError(f'{path}: {name} has offsets outside the file')
        np_dtype = np.int16 if dtype == torch.bfloat16 else {torch.float32: np.float32, torch.float16: np.float16,
                                                             torch.float64: np.float64}[dtype]
        array = np.frombuffer(body[begin:end], dtype=np_dtype).copy()
        t = torch.from_numpy(array)
        t = t.view(torch.bfloat16) if dtype == torch.bfloat16 else t
        tensors[name] = t.reshape(entry['shape']).float()
    return tensors
