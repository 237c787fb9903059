"""SwinIR (Liang et al., 2021, "SwinIR: Image Restoration Using Swin Transformer").

Module and parameter names mirror the official `network_swinir.py`, so the official
release checkpoints load into this implementation and ours load into theirs.
Stochastic depth, dropout and absolute position embeddings are left out: the
released models do not use them at inference and our training does not need them.
"""

import functools
import itertools
import json

import torch
import torch.nn.functional as F
from torch import nn


def _lightweight(scale):
    # The official SwinIR-S ("lightweight") configuration.
    return dict(upscale=scale, in_chans=3, img_size=64, window_size=8, img_range=1.0,
                depths=[6, 6, 6, 6], embed_dim=60, num_heads=[6, 6, 6, 6], mlp_ratio=2,
                upsampler='pixelshuffledirect', resi_connection='1conv')


PRESETS = {f'swinir-s-x{s}': _lightweight(s) for s in (2, 3, 4)}


def load_config(spec):
    """A preset name or the path of a JSON file holding the constructor arguments."""
    if spec in PRESETS:
        return dict(PRESETS[spec])
    with open(spec, encoding='utf-8') as f:
        return json.load(f)


def to_tokens(x):
    return x.flatten(2).transpose(1, 2)


def to_image(tokens, size):
    b, _, c = tokens.shape
    return tokens.transpose(1, 2).reshape(b, c, *size)


def window_partition(x, ws):
    """(B, H, W, C) -> (B * windows, ws * ws, C), windows in raster order."""
    b, h, w, c = x.shape
    x = x.view(b, h // ws, ws, w // ws, ws, c).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(-1, ws * ws, c)


def window_reverse(windows, ws, h, w):
    c = windows.shape[-1]
    x = windows.view(-1, h // ws, w // ws, ws, ws, c).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(-1, h, w, c)


def relative_position_index(ws):
    """Index into the (2ws-1)^2 bias table for every (query, key) pair of a window."""
    grid = torch.meshgrid(torch.arange(ws), torch.arange(ws), indexing='ij')
    coords = torch.stack(grid).flatten(1)
    rel = coords[:, :, None] - coords[:, None, :] + (ws - 1)
    return rel[0] * (2 * ws - 1) + rel[1]


@functools.lru_cache(maxsize=32)
def shifted_window_mask(h, w, ws, shift):
    """-100 between tokens that the cyclic shift brought into one window from
    different image regions (they are not neighbours), 0 elsewhere."""
    region = torch.zeros(1, h, w, 1)
    cuts = (slice(0, -ws), slice(-ws, -shift), slice(-shift, None))
    for label, (rows, cols) in enumerate(itertools.product(cuts, cuts)):
        region[:, rows, cols, :] = label
    labels = window_partition(region, ws).squeeze(-1)
    diff = labels.unsqueeze(1) - labels.unsqueeze(2)
    return diff.masked_fill(diff != 0, -100.0)


class WindowAttention(nn.Module):
    def __init__(self, dim, window_size, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.relative_position_bias_table = nn.Parameter(torch.zeros((2 * window_size - 1) ** 2, num_heads))
        self.register_buffer('relative_position_index', relative_position_index(window_size))
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)
        nn.init.trunc_normal_(self.relative_position_bias_table, std=0.02)

    def forward(self, x, mask=None):
        b, n, c = x.shape
        q, k, v = self.qkv(x).view(b, n, 3, self.num_heads, c // self.num_heads).permute(2, 0, 3, 1, 4)
        attn = (q * self.scale) @ k.transpose(-2, -1)
        bias = self.relative_position_bias_table[self.relative_position_index.view(-1)]
        attn = attn + bias.view(n, n, -1).permute(2, 0, 1)
        if mask is not None:
            windows = mask.shape[0]
            attn = (attn.view(-1, windows, self.num_heads, n, n) + mask.unsqueeze(1)).view(b, self.num_heads, n, n)
        x = (attn.softmax(-1) @ v).transpose(1, 2).reshape(b, n, c)
        return self.proj(x)


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class SwinTransformerBlock(nn.Module):
    def __init__(self, dim, resolution, num_heads, window_size, shift_size, mlp_ratio):
        super().__init__()
        if resolution <= window_size:
            # As in the official code: one window covers the image, so shifting is pointless.
            window_size, shift_size = resolution, 0
        self.window_size, self.shift_size = window_size, shift_size
        self.norm1 = nn.LayerNorm(dim)
        self.attn = WindowAttention(dim, window_size, num_heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))
        if shift_size:
            # Only carried so that checkpoints keep the official layout; forward
            # derives the mask for the actual input size.
            mask = shifted_window_mask(resolution, resolution, window_size, shift_size)
            self.register_buffer('attn_mask', mask.clone())

    def forward(self, x, size):
        (h, w), (b, _, c) = size, x.shape
        ws, s = self.window_size, self.shift_size
        shortcut = x
        x = self.norm1(x).view(b, h, w, c)
        mask = None
        if s:
            x = torch.roll(x, (-s, -s), (1, 2))
            mask = shifted_window_mask(h, w, ws, s).to(x.device)
        x = window_reverse(self.attn(window_partition(x, ws), mask), ws, h, w)
        if s:
            x = torch.roll(x, (s, s), (1, 2))
        x = shortcut + x.reshape(b, h * w, c)
        return x + self.mlp(self.norm2(x))


class BasicLayer(nn.Module):
    def __init__(self, dim, resolution, depth, num_heads, window_size, mlp_ratio):
        super().__init__()
        # Every other block shifts its windows by half a window, linking neighbouring windows.
        self.blocks = nn.ModuleList(
            SwinTransformerBlock(dim, resolution, num_heads, window_size, (i % 2) * (window_size // 2), mlp_ratio)
            for i in range(depth))

    def forward(self, x, size):
        for block in self.blocks:
            x = block(x, size)
        return x


def residual_conv(dim, kind):
    """The convolution closing each residual group and the body: '3conv' saves parameters."""
    if kind == '1conv':
        return nn.Conv2d(dim, dim, 3, 1, 1)
    if kind == '3conv':
        q = dim // 4
        return nn.Sequential(nn.Conv2d(dim, q, 3, 1, 1), nn.LeakyReLU(0.2, True),
                             nn.Conv2d(q, q, 1, 1, 0), nn.LeakyReLU(0.2, True),
                             nn.Conv2d(q, dim, 3, 1, 1))
    raise ValueError(f"resi_connection must be '1conv' or '3conv', got {kind!r}")


class RSTB(nn.Module):
    """Residual Swin Transformer block: a group of Swin blocks, a conv, a skip."""

    def __init__(self, dim, resolution, depth, num_heads, window_size, mlp_ratio, resi_connection):
        super().__init__()
        self.residual_group = BasicLayer(dim, resolution, depth, num_heads, window_size, mlp_ratio)
        self.conv = residual_conv(dim, resi_connection)

    def forward(self, x, size):
        return to_tokens(self.conv(to_image(self.residual_group(x, size), size))) + x


class PatchEmbed(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.norm = nn.LayerNorm(dim)

    def forward(self, x):
        return self.norm(to_tokens(x))


def pixelshuffle_upsample(scale, feat):
    if scale == 3:
        return nn.Sequential(nn.Conv2d(feat, 9 * feat, 3, 1, 1), nn.PixelShuffle(3))
    if scale < 2 or scale & (scale - 1):
        raise ValueError(f"upsampler 'pixelshuffle' supports scales 2^n and 3, got {scale}")
    layers = []
    for _ in range(scale.bit_length() - 1):
        layers += [nn.Conv2d(feat, 4 * feat, 3, 1, 1), nn.PixelShuffle(2)]
    return nn.Sequential(*layers)


class SwinIR(nn.Module):
    def __init__(self, upscale=2, in_chans=3, img_size=64, window_size=7, img_range=1.0,
                 depths=(6, 6, 6, 6), embed_dim=96, num_heads=(6, 6, 6, 6), mlp_ratio=4.0,
                 upsampler='', resi_connection='1conv'):
        super().__init__()
        feat = 64  # width of the reconstruction heads, fixed in the official code
        self.upscale, self.window_size, self.img_range, self.upsampler = upscale, window_size, img_range, upsampler
        mean = (0.4488, 0.4371, 0.4040) if in_chans == 3 else (0.0,) * in_chans
        self.register_buffer('mean', torch.tensor(mean).view(1, -1, 1, 1), persistent=False)

        self.conv_first = nn.Conv2d(in_chans, embed_dim, 3, 1, 1)
        self.patch_embed = PatchEmbed(embed_dim)
        self.layers = nn.ModuleList(
            RSTB(embed_dim, img_size, depth, heads, window_size, mlp_ratio, resi_connection)
            for depth, heads in zip(depths, num_heads))
        self.norm = nn.LayerNorm(embed_dim)
        self.conv_after_body = residual_conv(embed_dim, resi_connection)

        if upsampler == 'pixelshuffle':  # classical SR
            self.conv_before_upsample = nn.Sequential(nn.Conv2d(embed_dim, feat, 3, 1, 1), nn.LeakyReLU(inplace=True))
            self.upsample = pixelshuffle_upsample(upscale, feat)
            self.conv_last = nn.Conv2d(feat, in_chans, 3, 1, 1)
        elif upsampler == 'pixelshuffledirect':  # lightweight SR: one conv and one shuffle
            self.upsample = nn.Sequential(nn.Conv2d(embed_dim, upscale ** 2 * in_chans, 3, 1, 1),
                                          nn.PixelShuffle(upscale))
        elif upsampler == 'nearest+conv':  # real-world SR: avoids checkerboard artefacts
            if upscale != 4:
                raise ValueError(f"upsampler 'nearest+conv' supports scale 4 only, got {upscale}")
            self.conv_before_upsample = nn.Sequential(nn.Conv2d(embed_dim, feat, 3, 1, 1), nn.LeakyReLU(inplace=True))
            self.conv_up1 = nn.Conv2d(feat, feat, 3, 1, 1)
            self.conv_up2 = nn.Conv2d(feat, feat, 3, 1, 1)
            self.conv_hr = nn.Conv2d(feat, feat, 3, 1, 1)
            self.conv_last = nn.Conv2d(feat, in_chans, 3, 1, 1)
            self.lrelu = nn.LeakyReLU(0.2, True)
        elif upsampler == '':  # denoising / JPEG artefact removal
            self.conv_last = nn.Conv2d(embed_dim, in_chans, 3, 1, 1)
        else:
            raise ValueError(f"unknown upsampler {upsampler!r}")
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)

    def forward_features(self, x):
        size = x.shape[-2:]
        tokens = self.patch_embed(x)
        for layer in self.layers:
            tokens = layer(tokens, size)
        return to_image(self.norm(tokens), size)

    def forward(self, x):
        h, w = x.shape[-2:]
        ws = self.window_size
        # Windows must tile the image: pad by reflection, crop the result back.
        x = F.pad(x, (0, -w % ws, 0, -h % ws), mode='reflect')
        x = (x - self.mean) * self.img_range
        first = self.conv_first(x)
        res = self.conv_after_body(self.forward_features(first)) + first
        if self.upsampler == 'pixelshuffle':
            x = self.conv_last(self.upsample(self.conv_before_upsample(res)))
        elif self.upsampler == 'pixelshuffledirect':
            x = self.upsample(res)
        elif self.upsampler == 'nearest+conv':
            x = self.conv_before_upsample(res)
            x = self.lrelu(self.conv_up1(F.interpolate(x, scale_factor=2, mode='nearest')))
            x = self.lrelu(self.conv_up2(F.interpolate(x, scale_factor=2, mode='nearest')))
            x = self.conv_last(self.lrelu(self.conv_hr(x)))
        else:
            x = x + self.conv_last(res)
        x = x / self.img_range + self.mean
        return x[..., :h * self.upscale, :w * self.upscale]
