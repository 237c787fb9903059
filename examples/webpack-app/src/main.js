// The original, through the `asset/resource` rule of webpack.config.js.
import original from './assets/lighthouse.png';
// The same image enlarged ×4 at build time and saved as WebP: the URL of the emitted file, like any
// asset import.
import hero from './assets/lighthouse.png?upscale&format=webp&quality=85';
// Its size and format, for width/height attributes.
import heroMeta from './assets/lighthouse.png?upscale&format=webp&quality=85&as=meta';

function figure(src, caption, pixelated = false) {
  const node = document.createElement('figure');
  const image = Object.assign(document.createElement('img'), {
    src,
    width: heroMeta.width,
    height: heroMeta.height,
    alt: caption,
  });
  if (pixelated) image.style.imageRendering = 'pixelated';
  node.append(image, Object.assign(document.createElement('figcaption'), { textContent: caption }));
  return node;
}

document
  .querySelector('#app')
  .append(
    figure(hero, `Upscaled ×4 to ${heroMeta.width}×${heroMeta.height} (${heroMeta.format})`),
    figure(original, 'The original, stretched by the browser', true),
  );
