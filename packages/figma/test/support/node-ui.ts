import { UiController, type UiState } from '../../src/ui/controller.js';
import type { OpenUi } from './fake-figma.js';

type Kind = UiState['kind'];

/**
 * The plugin UI without a browser: the UI's own logic ({@link UiController}) with Node's fetch, sending
 * `Origin: null` like a plugin iframe. Records every state it shows.
 */
export class NodeUi {
  readonly states: UiState[] = [];
  #controller: UiController | undefined;
  #waiters: { readonly test: (state: UiState) => boolean; readonly resolve: (state: UiState) => void }[] = [];

  /** Pass as the fake Figma's `openUi`. */
  readonly open: OpenUi = (_html, port) => {
    const controller = new UiController({
      post: (message) => port.toMain(message),
      render: (state) => this.#render(state),
      fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, Origin: 'null' } }),
      progressIntervalMs: 100,
    });
    this.#controller = controller;
    setImmediate(() => controller.ready());
    return (message) => void controller.receive(message);
  };

  /** The UI logic, once the plugin opened the UI. */
  get controller(): UiController {
    if (this.#controller === undefined) throw new Error('the plugin has not opened its UI');
    return this.#controller;
  }

  /** Resolves with the first state of `kind` (that passes `test`) shown from now on. */
  next<K extends Kind>(
    kind: K,
    test: (state: Extract<UiState, { kind: K }>) => boolean = () => true,
  ): Promise<Extract<UiState, { kind: K }>> {
    return new Promise((resolve) => {
      this.#waiters.push({
        test: (state) => state.kind === kind && test(state as Extract<UiState, { kind: K }>),
        resolve: (state) => resolve(state as Extract<UiState, { kind: K }>),
      });
    });
  }

  #render(state: UiState): void {
    this.states.push(state);
    const ready = this.#waiters.filter((waiter) => waiter.test(state));
    this.#waiters = this.#waiters.filter((waiter) => !ready.includes(waiter));
    for (const waiter of ready) waiter.resolve(state);
  }
}
