import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { createRunner, type InferenceRunner } from './onnx-session.js';
import type { WorkerRequest, WorkerResponse, WorkerSetup } from './session-pool.js';

// CPU inference sessions in their own thread, one run at a time, so several tiles run at once without one
// session's small operators fighting over every core.
if (parentPort === null) throw new Error('session-worker.js runs only as a worker thread');
const port: MessagePort = parentPort;
const setup = workerData as WorkerSetup;
const sessions = new Map<number, Promise<InferenceRunner>>();

const post = (message: WorkerResponse, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function handle(request: WorkerRequest): Promise<void> {
  if (request.kind === 'load') {
    const session = createRunner(request.bytes, { device: 'cpu', threads: setup.threads });
    sessions.set(request.model, session);
    await session.then(
      () => post({ kind: 'loaded', model: request.model }),
      (error: unknown) => {
        sessions.delete(request.model);
        post({ kind: 'loaded', model: request.model, error: reason(error) });
      },
    );
    return;
  }
  if (request.kind === 'close') {
    await Promise.all([...sessions.keys()].map((model) => handle({ kind: 'unload', model })));
    port.close();
    return;
  }
  if (request.kind === 'unload') {
    const session = sessions.get(request.model);
    sessions.delete(request.model);
    await (await session?.catch(() => undefined))?.release();
    return;
  }
  try {
    const runner = await sessions.get(request.model);
    if (runner === undefined) throw new Error(`model ${request.model} is not loaded`);
    const output = await runner.run(request.input, request.shape);
    // The output may view a larger native buffer; copy so only its bytes cross threads.
    const copy = output.slice();
    post({ kind: 'result', id: request.id, output: copy }, [copy.buffer]);
  } catch (error) {
    post({ kind: 'error', id: request.id, message: reason(error) });
  }
}

// Requests are handled strictly in order: an unload never overtakes a run queued before it.
let chain = Promise.resolve();
port.on('message', (request: WorkerRequest) => {
  chain = chain.then(() => handle(request));
});
