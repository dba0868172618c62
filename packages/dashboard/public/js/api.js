/** The REST API under /api/v1, authenticated by the session cookie; writes carry the CSRF token. */

let csrfToken = null;

export function setCsrfToken(token) {
  csrfToken = token ?? null;
}

/** A failed call: `status`, and the problem document's `detail`, `code` and `errors`. */
export class ApiError extends Error {
  constructor(status, problem) {
    const errors = Array.isArray(problem?.errors) ? problem.errors : [];
    const fields = errors.map((e) => `${e.path || 'body'}: ${e.message}`).join('; ');
    super([problem?.detail ?? problem?.title ?? `HTTP ${status}`, fields].filter(Boolean).join(' — '));
    this.status = status;
    this.code = problem?.code;
    this.problem = problem;
  }
}

export async function api(method, path, { body, headers = {} } = {}) {
  const h = { accept: 'application/json', ...headers };
  if (body !== undefined) h['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) h['x-csrf-token'] = csrfToken;
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers: h,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = res.status === 204 ? '' : await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { detail: text.slice(0, 200) };
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** Encodes one path segment. */
export const seg = (s) => encodeURIComponent(s);
