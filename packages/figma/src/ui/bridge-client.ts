import type { ErrorResponse, HealthResponse, JobProgress, PluginScale } from '../messages.js';

/** The bridge could not be reached: not started, stopped, or on another port. */
export class BridgeDownError extends Error {
  constructor(readonly bridgeUrl: string) {
    super(`cannot reach the swinup bridge at ${bridgeUrl}`);
    this.name = 'BridgeDownError';
  }
}

/** The bridge answered 401: the token is missing or belongs to an earlier start of the bridge. */
export class BridgeAuthError extends Error {
  constructor() {
    super('the bridge did not accept the pairing token');
    this.name = 'BridgeAuthError';
  }
}

/** Any other refusal, with the bridge's own code and message. */
export class BridgeRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BridgeRequestError';
  }
}

/** Calls to one bridge with one token. */
export interface BridgeClient {
  /** Checks that the bridge runs and takes the token. */
  health(): Promise<HealthResponse>;
  /** Upscales encoded image bytes; `jobId` names the job for {@link BridgeClient.progress}. */
  upscale(bytes: Uint8Array, scale: PluginScale, jobId: string, signal: AbortSignal): Promise<Uint8Array>;
  /** Progress of a queued or running job; undefined once it is unknown to the bridge. */
  progress(jobId: string): Promise<JobProgress | undefined>;
}

/** A client of the bridge at `bridgeUrl`; `fetchImpl` is the browser's fetch, or Node's in tests. */
export function bridgeClient(bridgeUrl: string, token: string, fetchImpl: typeof fetch): BridgeClient {
  const base = bridgeUrl.replace(/\/+$/, '');
  const request = async (path: string, init: RequestInit = {}): Promise<Response> => {
    let response: Response;
    try {
      response = await fetchImpl(`${base}${path}`, {
        ...init,
        headers: { Authorization: `Bearer ${token}`, ...init.headers },
      });
    } catch (error) {
      // A cancel is the user's doing; any other failed fetch means nothing answered.
      if (init.signal?.aborted) throw error;
      throw new BridgeDownError(base);
    }
    if (response.ok) return response;
    if (response.status === 401) throw new BridgeAuthError();
    const body = (await response.json().catch(() => undefined)) as ErrorResponse | undefined;
    throw new BridgeRequestError(
      response.status,
      body?.error.code ?? `HTTP_${response.status}`,
      body?.error.message ?? `the bridge answered ${response.status} ${response.statusText}`,
    );
  };
  return {
    async health() {
      return (await (await request('/health')).json()) as HealthResponse;
    },
    async upscale(bytes, scale, jobId, signal) {
      const query = new URLSearchParams({ scale: String(scale), job: jobId });
      const response = await request(`/upscale?${query}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream' },
        // Bytes that came through postMessage always sit on a plain ArrayBuffer.
        body: bytes as Uint8Array<ArrayBuffer>,
        signal,
      });
      return new Uint8Array(await response.arrayBuffer());
    },
    async progress(jobId) {
      try {
        return (await (await request(`/jobs/${encodeURIComponent(jobId)}`)).json()) as JobProgress;
      } catch (error) {
        if (error instanceof BridgeRequestError && error.status === 404) return undefined;
        throw error;
      }
    },
  };
}
