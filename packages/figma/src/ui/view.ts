import type { RunSummary } from '../messages.js';
import type { UiState } from './controller.js';

/** What the user can do from the UI. */
export interface ViewActions {
  pair(token: string): void;
  retry(): void;
  cancel(): void;
  close(): void;
}

type Child = Node | string;

/** Shows the screen for `state` in `root`; `data-state` names it (tests wait on it). */
export function renderState(root: HTMLElement, state: UiState, actions: ViewActions): void {
  // Progress updates change the working screen in place, so Cancel never moves under the pointer.
  if (state.kind !== 'working' || root.dataset.state !== 'working') {
    root.dataset.state = state.kind;
    root.replaceChildren(...screenOf(state, actions));
  }
  if (state.kind === 'working') showProgress(root, state);
}

function screenOf(state: UiState, actions: ViewActions): Child[] {
  const closeButton = button('Close', actions.close);
  switch (state.kind) {
    case 'connecting':
      return [heading('Connecting…'), paragraph('Looking for swinup-bridge on this computer.')];
    case 'pairing':
      return pairingScreen(state.rejected, actions);
    case 'bridge-down':
      return [
        heading('swinup-bridge is not running'),
        paragraph(`Nothing answered at ${state.bridgeUrl}. Start the bridge in a terminal and keep it open:`),
        el('pre', {}, el('code', {}, 'npx swinup-bridge')),
        paragraph(
          'It upscales on this computer. If it prints a new pairing token, the plugin will ask for it.',
          'hint',
        ),
        el('div', { className: 'actions' }, button('Retry', actions.retry, 'primary'), closeButton),
      ];
    case 'working':
      return [
        el('h1', { className: 'title' }),
        paragraph('', 'layer'),
        el('div', { className: 'bar', role: 'progressbar' }, el('div', { className: 'fill' })),
        paragraph('', 'hint'),
        el('div', { className: 'actions' }, button('Cancel', actions.cancel)),
      ];
    case 'cancelling':
      return [heading('Cancelling…'), paragraph('Stopping the image the bridge is working on.')];
    case 'done':
      return [...summaryScreen(state.summary), el('div', { className: 'actions' }, closeButton)];
    case 'error':
      return [
        heading('The bridge refused the request'),
        paragraph(state.message, 'error'),
        el('div', { className: 'actions' }, button('Retry', actions.retry, 'primary'), closeButton),
      ];
  }
}

function pairingScreen(rejected: boolean, actions: ViewActions): Child[] {
  const input = el('input', {
    type: 'text',
    name: 'token',
    placeholder: 'Pairing token',
    autocomplete: 'off',
    spellcheck: false,
    required: true,
  });
  // No <form>: a sandboxed iframe without allow-forms never fires `submit`.
  const pair = () => actions.pair(input.value);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') pair();
  });
  const row = el('div', { className: 'actions' }, input, button('Pair', pair, 'primary'));
  return [
    heading('Pair with swinup-bridge'),
    rejected
      ? el(
          'p',
          { className: 'error' },
          'The bridge did not accept this token. It makes a new one at every start, unless started with ',
          el('code', {}, '--token'),
          '.',
        )
      : paragraph('The plugin upscales on this computer through swinup-bridge. Pair it once:'),
    el(
      'ol',
      {},
      el('li', {}, 'Start the bridge in a terminal: ', el('code', {}, 'npx swinup-bridge')),
      el('li', {}, 'Paste the token from its line ', el('code', {}, 'Pairing token: …'), ' here.'),
    ),
    row,
  ];
}

function showProgress(root: HTMLElement, state: Extract<UiState, { kind: 'working' }>): void {
  const fraction = state.tilesTotal > 0 ? state.tilesDone / state.tilesTotal : 0;
  const percent = state.index === 0 ? 0 : Math.round(((state.index - 1 + fraction) / state.total) * 100);
  const set = (selector: string, text: string) => {
    const element = root.querySelector(selector);
    if (element !== null) element.textContent = text;
  };
  set(
    '.title',
    state.index === 0
      ? `Upscaling ${plural(state.total, 'image')}`
      : `Upscaling ×${state.scale} · image ${state.index} of ${state.total}`,
  );
  set('.layer', state.layerName === '' ? ' ' : `“${state.layerName}”`);
  set(
    '.hint',
    state.index === 0
      ? 'Preparing the first image…'
      : state.queued
        ? 'Waiting for the bridge…'
        : `Tile ${state.tilesDone} of ${state.tilesTotal}`,
  );
  root.querySelector('.bar')?.setAttribute('aria-valuenow', String(percent));
  root.querySelector<HTMLElement>('.fill')?.style.setProperty('width', `${percent}%`);
}

function summaryScreen(summary: RunSummary): Child[] {
  const done = `Upscaled ${plural(summary.upscaled, 'image')} in ${plural(summary.layers, 'layer')}`;
  const outcome = !summary.cancelled
    ? `${done}.`
    : summary.upscaled === 0
      ? 'No layer was changed.'
      : `${done} before the cancel; the others were left as they were.`;
  return [
    heading(summary.cancelled ? 'Cancelled' : 'Done'),
    paragraph(outcome),
    ...(summary.notes.length === 0
      ? []
      : [el('ul', { className: 'notes' }, ...summary.notes.map((note) => el('li', {}, note)))]),
  ];
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function heading(text: string): HTMLElement {
  return el('h1', {}, text);
}

function paragraph(text: string, className = ''): HTMLElement {
  return el('p', { className }, text);
}

function button(label: string, onClick: () => void, className = ''): HTMLButtonElement {
  const element = el('button', { type: 'button', className }, label);
  element.addEventListener('click', onClick);
  return element;
}

/** An element with properties and children; text goes in as text, never as HTML. */
function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  properties: Partial<HTMLElementTagNameMap[K]>,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = Object.assign(document.createElement(tag), properties);
  element.append(...children);
  return element;
}
