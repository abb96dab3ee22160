// The console's only way to the server: the public API at `<origin>/api`, or `?api=<url>`.

const KEY_STORAGE = "synqc.apiKey";

/** The API base URL for this page: an http(s) `?api=<url>` if given, else this origin's `/api`. */
export function apiBase(location) {
  const override = new URLSearchParams(location.search).get("api");
  let base = `${location.origin}/api`;
  if (override && URL.canParse(override, location.href)) {
    const url = new URL(override, location.href);
    if (url.protocol === "http:" || url.protocol === "https:") base = url.href;
  }
  return base.replace(/\/+$/, "");
}

/** An error in the API's envelope: code, message, detail and the action hint. */
export class ApiError extends Error {
  constructor(status, envelope) {
    const detail = envelope?.detail ?? {};
    super(detail.error_message ?? `request failed with HTTP ${status}`);
    this.status = status;
    this.code = detail.error_code ?? detail.code ?? (status === 0 ? "NETWORK" : "HTTP_ERROR");
    this.detail = detail.error_detail ?? {};
    this.hint = detail.action_hint ?? null;
  }
}

function networkError(base) {
  return new ApiError(0, {
    detail: {
      error_code: "NETWORK",
      error_message: `cannot reach the API at ${base}`,
      action_hint: "check that the server is running and reachable from this browser",
    },
  });
}

function invalidBody(status, base, path) {
  return new ApiError(status, {
    detail: {
      error_code: "INVALID_RESPONSE",
      error_message: `the API at ${base} answered ${path} with a body that is not JSON`,
      action_hint: "check that the API URL points at a SynQc TDS server",
    },
  });
}

export class ApiClient {
  constructor(base) {
    this.base = base;
  }

  get key() {
    return sessionStorage.getItem(KEY_STORAGE) ?? "";
  }

  setKey(key) {
    sessionStorage.setItem(KEY_STORAGE, key);
  }

  forgetKey() {
    sessionStorage.removeItem(KEY_STORAGE);
  }

  url(path) {
    return `${this.base}${path}`;
  }

  headers(extra = {}) {
    const headers = { Accept: "application/json", ...extra };
    if (this.key) headers["X-Api-Key"] = this.key;
    return headers;
  }

  /** JSON of a successful response; an `ApiError` otherwise. */
  async request(method, path, body, signal) {
    let response;
    try {
      response = await fetch(this.url(path), {
        method,
        signal,
        headers: this.headers(body === undefined ? {} : { "Content-Type": "application/json" }),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      if (error.name === "AbortError") throw error;
      throw networkError(this.base);
    }
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      // Aborted while the body was still arriving: the caller stopped wanting it.
      if (error.name === "AbortError") throw error;
      if (response.ok) throw invalidBody(response.status, this.base, path);
    }
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  get(path, signal) {
    return this.request("GET", path, undefined, signal);
  }

  post(path, body = {}) {
    return this.request("POST", path, body);
  }

  patch(path, body = {}) {
    return this.request("PATCH", path, body);
  }

  /** A figure of a run (a path from `result.figures`) as an object URL for an <img>. */
  async figureUrl(path) {
    let response;
    try {
      response = await fetch(this.url(path), { headers: this.headers({ Accept: "image/svg+xml" }) });
    } catch {
      throw networkError(this.base);
    }
    if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
    return URL.createObjectURL(await response.blob());
  }

  /**
   * Follow `GET /runs/{id}/events` (Server-Sent Events) and call `onEvent` with each run event.
   * Read with fetch rather than EventSource so the API key travels in a header. Resolves when
   * the server closes the stream; rejects when the stream cannot be opened or breaks.
   */
  async streamRunEvents(runId, onEvent, signal) {
    let response;
    try {
      response = await fetch(this.url(`/runs/${encodeURIComponent(runId)}/events`), {
        signal,
        headers: this.headers({ Accept: "text/event-stream" }),
      });
    } catch (error) {
      if (error.name === "AbortError") throw error;
      throw networkError(this.base);
    }
    if (!response.ok || !response.body) {
      throw new ApiError(response.status, await response.json().catch(() => null));
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replaceAll("\r\n", "\n");
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const event = parseEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (event) onEvent(event);
        end = buffer.indexOf("\n\n");
      }
    }
  }
}

/** The JSON `data` of one SSE block, or null for comments and keep-alives. */
function parseEvent(block) {
  const data = block
    .split("\n")
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(5).trimStart())
    .join("\n");
  return data ? JSON.parse(data) : null;
}
