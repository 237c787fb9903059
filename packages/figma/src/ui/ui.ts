import type { MainToUi } from '../messages.js';
import { UiController } from './controller.js';
import { renderState, type ViewActions } from './view.js';

// The plugin UI: a sandboxed iframe that talks to the main code through its parent and to the bridge.
const root = document.getElementById('app') as HTMLElement;
const controller = new UiController({
  post: (message) => parent.postMessage({ pluginMessage: message }, '*'),
  render: (state) => renderState(root, state, actions),
  fetch: (input, init) => fetch(input, init),
});
const actions: ViewActions = {
  pair: (token) => void controller.pair(token),
  retry: () => void controller.retry(),
  cancel: () => controller.cancel(),
  close: () => controller.close(),
};
window.addEventListener('message', (event: MessageEvent<{ pluginMessage?: MainToUi } | null>) => {
  const message = event.data?.pluginMessage;
  if (message !== undefined) void controller.receive(message);
});
controller.ready();
