"""Adversarial fine-tuning: a patch discriminator and the non-saturating GAN losses.

Pixel losses alone make the mean of all plausible answers, which looks smooth; the
discriminator penalises that, trading a little PSNR for sharper texture. Meant for
real-world and face photos, starting from a model already trained with the pixel loss.
"""

import torch.nn.functional as F
from torch import nn
from torch.nn.utils import spectral_norm


class Discriminator(nn.Module):
    """VGG-style strided convolutions with spectral norm (keeps D Lipschitz, so training
    stays stable without a gradient penalty); one real/fake logit per receptive field."""

    def __init__(self, in_chans=3, width=32, stages=3):
        super().__init__()
        layers, c = [], in_chans
        for i in range(stages):
            out = width << i
            layers += [spectral_norm(nn.Conv2d(c, out, 3, 1, 1)), nn.LeakyReLU(0.2, True),
                       spectral_norm(nn.Conv2d(out, out, 4, 2, 1)), nn.LeakyReLU(0.2, True)]
            c = out
        layers.append(nn.Conv2d(c, 1, 3, 1, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


def generator_loss(fake_logits):
    return F.softplus(-fake_logits).mean()


def discriminator_loss(real_logits, fake_logits):
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
