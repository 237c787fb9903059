// The original, as any asset import: Vite emits it unchanged.
import original from './assets/lighthouse.png';
// The same image enlarged ×4 by the model at build time; the import is the emitted file's URL.
import hero from './assets/lighthouse.png?upscale';
// Its metadata, for width/height attributes that reserve the space before the image loads.
import heroMeta from './assets/lighthouse.png?upscale&as=meta';

function figure(src, width, height, caption, className = '') {
  const node = document.createElement('figure');
  const image = Object.assign(document.createElement('img'), { src, width, height, alt: caption, className });
  const text = Object.assign(document.createElement('figcaption'), { textContent: caption });
  node.append(image, text);
  return node;
}

document
  .querySelector('#app')
  .append(
    figure(
      hero,
      heroMeta.width,
      heroMeta.height,
      `Upscaled ×4 to ${heroMeta.width}×${heroMeta.height} (${heroMeta.format})`,
    ),
    figure(original, heroMeta.width, heroMeta.height, 'The original, stretched by the browser', 'original'),
  );
console.assert(hero === heroMeta.src);
