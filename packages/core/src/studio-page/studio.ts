/**
 * The swinup studio page: sends dropped, pasted or chosen images to the studio's `/upscale` with the token
 * from the address's fragment, shows each job's progress from the `/jobs/{id}/events` stream (polling `/jobs/{id}`
 * if it fails), and each result in a
 * before/after view (zoom to 1:1, panning) beside a bicubic enlargement.
 */
import { zipSync } from 'fflate';

interface ErrorBody {
  readonly error?: { readonly code?: string; readonly message?: string };
}

interface JobProgress {
  readonly state: 'queued' | 'running';
  readonly tilesDone: number;
  readonly tilesTotal: number;
}

interface ModelRow {
  readonly id: string;
  readonly scale: number;
  readonly title: string;
  readonly set5YPsnr: number | null;
}

interface PullProgress {
  readonly state: 'running' | 'done' | 'failed';
  readonly done: number;
  readonly total: number | null;
  readonly error: string | null;
}

interface ModelChoice {
  readonly active: string;
  readonly offline: boolean;
  readonly installed: readonly ModelRow[];
  readonly available: readonly (ModelRow & { readonly size: number | null })[];
}

interface Done {
  readonly name: string;
  readonly bytes: Uint8Array;
}

const POLL_MS = 250;
const TOKEN_KEY = 'swinup-studio-token';

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page lost its #${id}`);
  return found as T;
}

function create<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Record<string, string>> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) if (value !== undefined) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The token: from `#token=…` (then kept for reloads and taken out of the address bar), else from before. */
function takeToken(): string | undefined {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash !== null && fromHash !== '') {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    history.replaceState(null, '', location.pathname + location.search);
    return fromHash;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

const token = takeToken();
const status = element<HTMLParagraphElement>('status');
const pageError = element<HTMLParagraphElement>('page-error');
const results = element<HTMLOListElement>('results');
const fileInput = element<HTMLInputElement>('files');
const drop = element<HTMLDivElement>('drop');
const scaleSelect = element<HTMLSelectElement>('scale');
const widthInput = element<HTMLInputElement>('width');
const widthLabel = element<HTMLLabelElement>('width-label');
const formatSelect = element<HTMLSelectElement>('format');
const qualityInput = element<HTMLInputElement>('quality');
const downloadAll = element<HTMLButtonElement>('download-all');
const modelSelect = element<HTMLSelectElement>('model');
const pullable = element<HTMLElement>('pullable');
const pullableList = element<HTMLUListElement>('pullable-list');
const done = new Map<HTMLElement, Done>();

function showPageError(message: string): void {
  pageError.textContent = message;
  pageError.hidden = false;
}

function headers(): HeadersInit {
  return token === undefined ? {} : { Authorization: `Bearer ${token}` };
}

/** The message of an error answer, or a sentence about the status when the body says nothing. */
async function messageOf(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as ErrorBody;
    if (body.error?.message) return body.error.message;
  } catch {
    // Not JSON: fall through to the status line.
  }
  return `the studio answered ${response.status} ${response.statusText}`;
}

async function connect(): Promise<void> {
  if (token === undefined) {
    status.textContent = 'Not connected.';
    showPageError(
      'This page needs its access token: open the address swinup studio printed, the one ending in #token=…',
    );
    return;
  }
  try {
    const response = await fetch('/health', { headers: headers() });
    if (!response.ok) {
      status.textContent = 'Not connected.';
      showPageError(await messageOf(response));
      return;
    }
    const health = (await response.json()) as { model: string; scale: number; device: string };
    status.textContent = `Model ${health.model} (×${health.scale}) on ${health.device}.`;
    await loadModels();
  } catch {
    status.textContent = 'Not connected.';
    showPageError('The studio server does not answer; is "swinup studio" still running?');
  }
}

/** A model's line in the select: `id — ×S — Set5 NN.NN dB`. */
function modelLabel(model: ModelRow): string {
  const quality = model.set5YPsnr === null ? '' : ` — Set5 ${model.set5YPsnr.toFixed(2)} dB`;
  return `${model.id} — ×${model.scale}${quality}`;
}

/** Fills the model select (keeping the choice) and the list of models that can be pulled. */
async function loadModels(): Promise<void> {
  const response = await fetch('/models', { headers: headers() });
  if (!response.ok) {
    showPageError(await messageOf(response));
    return;
  }
  const choice = (await response.json()) as ModelChoice;
  const kept = modelSelect.value;
  modelSelect.replaceChildren(
    ...choice.installed.map((model) => create('option', { value: model.id }, modelLabel(model))),
  );
  const ids = choice.installed.map((model) => model.id);
  modelSelect.value = kept !== '' && ids.includes(kept) ? kept : choice.active;
  pullableList.replaceChildren(
    ...choice.available.map((model) => {
      const size = model.size === null ? '' : ` (${(model.size / 1e6).toFixed(1)} MB)`;
      const item = create('li', {}, `${modelLabel(model)}${size} `);
      const button = create('button', { type: 'button', 'aria-label': `Pull ${model.id}` }, 'Pull');
      const note = create('span', { role: 'status' });
      button.addEventListener('click', () => void pull(model.id, button, note));
      item.append(button, note);
      return item;
    }),
  );
  pullable.hidden = choice.offline || choice.available.length === 0;
}

/** Pulls a model, showing its progress, then adds it to the select. */
async function pull(id: string, button: HTMLButtonElement, note: HTMLElement): Promise<void> {
  button.disabled = true;
  const path = `/models/${encodeURIComponent(id)}/pull`;
  let response = await fetch(path, { method: 'POST', headers: headers() });
  while (response.ok) {
    const progress = (await response.json()) as PullProgress;
    if (progress.state === 'done') {
      note.textContent = 'Installed.';
      await loadModels();
      return;
    }
    if (progress.state === 'failed') {
      note.textContent = progress.error ?? 'The download failed.';
      button.disabled = false;
      return;
    }
    note.textContent =
      progress.total === null
        ? `${(progress.done / 1e6).toFixed(1)} MB`
        : `${Math.floor((100 * progress.done) / Math.max(1, progress.total))} %`;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    response = await fetch(path, { headers: headers() });
  }
  note.textContent = await messageOf(response);
  button.disabled = false;
}

function syncControls(): void {
  const exact = scaleSelect.value === 'width';
  widthInput.hidden = !exact;
  widthLabel.hidden = !exact;
  qualityInput.disabled = formatSelect.value === 'png';
}
scaleSelect.addEventListener('change', syncControls);
formatSelect.addEventListener('change', syncControls);
syncControls();

/** The query of one upscale, from the settings now. */
function query(jobId: string): { search: URLSearchParams; label: string } {
  const search = new URLSearchParams({ job: jobId });
  let label: string;
  if (scaleSelect.value === 'width') {
    search.set('width', widthInput.value.trim());
    label = `${widthInput.value.trim()}w`;
  } else {
    search.set('scale', scaleSelect.value);
    label = `${scaleSelect.value}x`;
  }
  if (modelSelect.value !== '') search.set('model', modelSelect.value);
  if (formatSelect.value !== '') search.set('format', formatSelect.value);
  if (formatSelect.value !== 'png' && qualityInput.value.trim() !== '')
    search.set('quality', qualityInput.value.trim());
  return { search, label };
}

function outputName(input: string, label: string, type: string): string {
  const stem = input.replace(/\.[^.]*$/, '') || 'image';
  const extension =
    type === 'image/jpeg' ? 'jpg' : type === 'image/webp' ? 'webp' : type === 'image/avif' ? 'avif' : 'png';
  return `${stem}@${label}.${extension}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const FINAL_EVENTS = new Set(['done', 'error', 'cancelled']);

/**
 * Reads a job's `text/event-stream`, calling `onProgress` for each `progress` event; true once a final
 * event (`done`, `error`, `cancelled`) came, false when the stream ended without one.
 */
async function readJobEvents(
  body: ReadableStream<Uint8Array>,
  onProgress: (progress: JobProgress) => void,
): Promise<boolean> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event = 'message';
  let data: string[] = [];
  for (;;) {
    const { value: chunk, done } = await reader.read();
    if (done) return false;
    buffer += decoder.decode(chunk, { stream: true });
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const raw of lines) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line === '') {
        if (data.length > 0 && event === 'progress') onProgress(JSON.parse(data.join('\n')) as JobProgress);
        else if (data.length > 0 && FINAL_EVENTS.has(event)) {
          await reader.cancel();
          return true;
        }
        event = 'message';
        data = [];
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = text;
        else if (field === 'data') data.push(text);
      }
    }
  }
}

/** One image's card: progress, cancel, then the result or the error. */
function upscaleFile(file: File): void {
  const jobId = crypto.randomUUID();
  const { search, label } = query(jobId);
  const item = create('li', { class: 'item' });
  const title = create('h2', {}, file.name || 'pasted image');
  const progressRow = create('div', { class: 'progress-row' });
  const bar = create('progress', { max: '1', value: '0', 'aria-label': `Progress of ${file.name}` });
  const note = create('span', { role: 'status' }, 'Sending…');
  const cancel = create('button', { type: 'button', 'aria-label': `Cancel ${file.name}` }, 'Cancel');
  progressRow.append(bar, note, cancel);
  const error = create('p', { class: 'error', role: 'alert', hidden: '' });
  item.append(title, progressRow, error);
  results.append(item);

  const controller = new AbortController();
  let finished = false;
  cancel.addEventListener('click', () => controller.abort());
  const show = (progress: JobProgress) => {
    if (finished) return;
    if (progress.state === 'queued') note.textContent = 'Waiting for the images before it…';
    else if (progress.tilesTotal > 0) {
      bar.max = progress.tilesTotal;
      bar.value = progress.tilesDone;
      note.textContent = `Tiles ${progress.tilesDone} of ${progress.tilesTotal}`;
    } else note.textContent = 'Starting…';
  };
  /** Asks `/jobs/{id}` every so often: the way when the event stream fails. */
  const poll = async () => {
    while (!finished) {
      await sleep(POLL_MS);
      if (finished) return;
      try {
        const response = await fetch(`/jobs/${jobId}`, { headers: headers(), signal: controller.signal });
        if (!response.ok || finished) continue;
        show((await response.json()) as JobProgress);
      } catch {
        return;
      }
    }
  };
  /**
   * Follows `/jobs/{id}/events`. The job is unknown (404) until the upscale request reaches the server, and
   * again once it has ended, so a 404 is asked again until the upscale answers; any other failure polls.
   */
  const follow = async () => {
    while (!finished) {
      try {
        const response = await fetch(`/jobs/${jobId}/events`, {
          headers: headers(),
          signal: controller.signal,
        });
        if (response.status === 404) {
          await response.body?.cancel();
          await sleep(POLL_MS);
          continue;
        }
        if (!response.ok || response.body === null) break;
        if (await readJobEvents(response.body, show)) return;
      } catch {
        if (controller.signal.aborted) return;
      }
      break;
    }
    await poll();
  };

  const fail = (message: string) => {
    progressRow.remove();
    error.textContent = message;
    error.hidden = false;
  };

  void (async () => {
    void follow();
    try {
      const response = await fetch(`/upscale?${search}`, {
        method: 'POST',
        headers: { ...headers(), 'Content-Type': 'application/octet-stream' },
        body: file,
        signal: controller.signal,
      });
      if (!response.ok) {
        finished = true;
        fail(`${file.name}: ${await messageOf(response)}`);
        return;
      }
      const type = response.headers.get('Content-Type') ?? 'image/png';
      const bytes = new Uint8Array(await response.arrayBuffer());
      finished = true;
      progressRow.remove();
      const name = outputName(file.name || 'pasted', label, type);
      item.append(resultView(file, bytes, type, name));
      done.set(item, { name, bytes });
      downloadAll.disabled = false;
    } catch (thrown) {
      finished = true;
      if (controller.signal.aborted) fail(`${file.name}: cancelled.`);
      else
        fail(
          `${file.name}: the studio server does not answer (${(thrown as Error).message}); is "swinup studio" still running?`,
        );
    }
  })();
}

/** View state shared by the before/after view and the bicubic view, so both show the same spot. */
interface View {
  scale: number;
  x: number;
  y: number;
  oneToOne: boolean;
  divider: number;
}

function resultView(source: File, bytes: Uint8Array, type: string, name: string): HTMLElement {
  const resultUrl = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const sourceUrl = URL.createObjectURL(source);
  const result = create('div', { class: 'result', 'data-testid': 'result' });
  const views = create('div', { class: 'views' });

  const compareFigure = create('figure');
  const compare = create('div', {
    class: 'viewport',
    tabindex: '0',
    role: 'img',
    'aria-label': `Before and after of ${source.name}; arrow keys pan, + and - zoom`,
  });
  const compareStage = create('div', { class: 'stage' });
  const after = create('img', {
    class: 'after',
    alt: `${source.name} upscaled`,
    'data-testid': 'result-image',
  });
  const before = create('img', { class: 'before', alt: `${source.name} as it was` });
  compareStage.append(after, before);
  const line = create('div', { class: 'divider' });
  compare.append(
    compareStage,
    line,
    create('span', { class: 'tag left' }, 'before'),
    create('span', { class: 'tag right' }, 'swinup'),
  );
  compareFigure.append(compare, create('figcaption', {}, 'Before / after'));

  const bicubicFigure = create('figure');
  const bicubic = create('div', {
    class: 'viewport',
    tabindex: '0',
    role: 'img',
    'aria-label': `${source.name} enlarged with bicubic resampling`,
  });
  const bicubicStage = create('div', { class: 'stage' });
  const canvas = create('canvas', { 'data-testid': 'bicubic' });
  bicubicStage.append(canvas);
  bicubic.append(bicubicStage, create('span', { class: 'tag left' }, 'bicubic'));
  bicubicFigure.append(
    bicubic,
    create('figcaption', {}, 'Bicubic (the browser’s resampling), for comparison'),
  );
  views.append(compareFigure, bicubicFigure);

  const tools = create('div', { class: 'tools' });
  const sliderId = `divider-${crypto.randomUUID()}`;
  const sliderLabel = create('label', { for: sliderId }, 'Before / after');
  const slider = create('input', {
    id: sliderId,
    type: 'range',
    min: '0',
    max: '100',
    value: '50',
    'data-testid': 'slider',
  });
  const zoom = create('button', { type: 'button', 'aria-pressed': 'false' }, 'Zoom to 1:1');
  const size = create('span', { 'data-testid': 'size' });
  const download = create('a', { href: resultUrl, download: name }, `Download ${name}`);
  tools.append(sliderLabel, slider, zoom, size, download);
  result.append(views, tools);

  const view: View = { scale: 1, x: 0, y: 0, oneToOne: false, divider: 0.5 };
  let width = 0;
  let height = 0;

  const render = () => {
    if (width === 0) return;
    const box = compare.clientWidth;
    const boxHeight = compare.clientHeight;
    const fit = Math.min(box / width, boxHeight / height);
    view.scale = view.oneToOne ? 1 / devicePixelRatio : fit;
    const shownW = width * view.scale;
    const shownH = height * view.scale;
    // Centred when smaller than the box; otherwise kept so no empty space shows at an edge.
    view.x = shownW <= box ? (box - shownW) / 2 : Math.min(0, Math.max(box - shownW, view.x));
    view.y =
      shownH <= boxHeight ? (boxHeight - shownH) / 2 : Math.min(0, Math.max(boxHeight - shownH, view.y));
    const transform = `translate(${view.x}px, ${view.y}px) scale(${view.scale})`;
    compareStage.style.transform = transform;
    bicubicStage.style.transform = transform;
    const dividerX = view.divider * box;
    line.style.left = `${dividerX}px`;
    // Left of the divider shows the input, right of it the result.
    const cut = Math.max(0, Math.min(width, (dividerX - view.x) / view.scale));
    before.style.clipPath = `inset(0 ${width - cut}px 0 0)`;
  };

  const setOneToOne = (on: boolean, focusX = 0.5, focusY = 0.5) => {
    const box = compare.clientWidth;
    const boxHeight = compare.clientHeight;
    const imageX = (focusX * box - view.x) / view.scale;
    const imageY = (focusY * boxHeight - view.y) / view.scale;
    view.oneToOne = on;
    const next = on ? 1 / devicePixelRatio : Math.min(box / width, boxHeight / height);
    view.x = focusX * box - imageX * next;
    view.y = focusY * boxHeight - imageY * next;
    // A toggle keeps its name; aria-pressed says whether it is on.
    zoom.setAttribute('aria-pressed', String(on));
    render();
  };

  const pan = (dx: number, dy: number) => {
    view.x += dx;
    view.y += dy;
    render();
  };

  for (const port of [compare, bicubic]) {
    let drag: { x: number; y: number; id: number } | undefined;
    port.addEventListener('pointerdown', (event) => {
      drag = { x: event.clientX, y: event.clientY, id: event.pointerId };
      port.setPointerCapture(event.pointerId);
      port.classList.add('dragging');
    });
    port.addEventListener('pointermove', (event) => {
      if (drag === undefined || drag.id !== event.pointerId) return;
      pan(event.clientX - drag.x, event.clientY - drag.y);
      drag = { ...drag, x: event.clientX, y: event.clientY };
    });
    const end = () => {
      drag = undefined;
      port.classList.remove('dragging');
    };
    port.addEventListener('pointerup', end);
    port.addEventListener('pointercancel', end);
    port.addEventListener('dblclick', (event) => {
      const rect = port.getBoundingClientRect();
      setOneToOne(
        !view.oneToOne,
        (event.clientX - rect.left) / rect.width,
        (event.clientY - rect.top) / rect.height,
      );
    });
    port.addEventListener('keydown', (event) => {
      const step = event.shiftKey ? 128 : 32;
      const moves: Record<string, [number, number]> = {
        ArrowLeft: [step, 0],
        ArrowRight: [-step, 0],
        ArrowUp: [0, step],
        ArrowDown: [0, -step],
      };
      const move = moves[event.key];
      if (move !== undefined) pan(...move);
      else if (event.key === '+' || event.key === '=') setOneToOne(true);
      else if (event.key === '-' || event.key === '0') setOneToOne(false);
      else return;
      event.preventDefault();
    });
  }
  slider.addEventListener('input', () => {
    view.divider = Number(slider.value) / 100;
    render();
  });
  zoom.addEventListener('click', () => setOneToOne(!view.oneToOne));
  new ResizeObserver(render).observe(compare);

  after.addEventListener('load', () => {
    width = after.naturalWidth;
    height = after.naturalHeight;
    size.textContent = `${width}×${height}`;
    for (const image of [after, before]) {
      image.style.width = `${width}px`;
      image.style.height = `${height}px`;
    }
    compareStage.style.width = `${width}px`;
    compareStage.style.height = `${height}px`;
    bicubicStage.style.width = `${width}px`;
    bicubicStage.style.height = `${height}px`;
    render();
  });
  before.addEventListener('load', () => {
    // The bicubic view: the input drawn at the result's size with the browser's best resampling.
    const draw = () => {
      canvas.width = width;
      canvas.height = height;
      const context = canvas.getContext('2d');
      if (context === null) return;
      context.imageSmoothingEnabled = true;
      context.imageSmoothingQuality = 'high';
      context.drawImage(before, 0, 0, width, height);
    };
    if (width > 0) draw();
    else after.addEventListener('load', draw, { once: true });
  });
  after.src = resultUrl;
  before.src = sourceUrl;
  return result;
}

function upscaleFiles(files: Iterable<File>): void {
  pageError.hidden = true;
  let any = false;
  for (const file of files) {
    any = true;
    upscaleFile(file);
  }
  if (!any) showPageError('Nothing to upscale: drop, paste or choose image files.');
}

fileInput.addEventListener('change', () => {
  if (fileInput.files !== null) upscaleFiles([...fileInput.files]);
  fileInput.value = '';
});
for (const name of ['dragenter', 'dragover'] as const) {
  document.addEventListener(name, (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
}
document.addEventListener('dragleave', (event) => {
  if (event.relatedTarget === null) drop.classList.remove('over');
});
document.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  upscaleFiles([...(event.dataTransfer?.files ?? [])]);
});
document.addEventListener('paste', (event) => {
  const files = [...(event.clipboardData?.files ?? [])];
  if (files.length > 0) {
    event.preventDefault();
    upscaleFiles(files);
  }
});

downloadAll.addEventListener('click', () => {
  const entries: Record<string, Uint8Array> = {};
  for (const item of done.values()) {
    let name = item.name;
    for (let n = 2; name in entries; n++) name = item.name.replace(/(\.[^.]*)$/, `-${n}$1`);
    entries[name] = item.bytes;
  }
  // Images are compressed already: stored, not deflated again.
  const zip = zipSync(entries, { level: 0 });
  const link = create('a', {
    href: URL.createObjectURL(new Blob([zip as BlobPart], { type: 'application/zip' })),
    download: 'swinup-studio.zip',
  });
  document.body.append(link);
  link.click();
  link.remove();
});

window.addEventListener('error', (event) =>
  showPageError(`Something went wrong on this page: ${event.message}`),
);
window.addEventListener('unhandledrejection', (event) =>
  showPageError(`Something went wrong on this page: ${String(event.reason)}`),
);

void connect();
